#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "helpers.h"
#include "rules.h"

/* Loads yaml into rs as "test.yaml"; returns the loader's code. */
static int load(struct rule_set *rs, const char *yaml, struct lg_error *err)
{
	return rules_load_yaml(rs, yaml, strlen(yaml), "test.yaml", err);
}

/* The load must fail with a message holding every one of want[]. */
static void expect_error(const char *yaml, const char *const *want)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i;

	cr_assert_eq(load(&rs, yaml, &err), LG_ERR_PARSE, "loaded: %s", yaml);
	cr_assert_eq(err.code, LG_ERR_PARSE);
	for (i = 0; want[i]; i++)
		cr_expect_not_null(strstr(err.msg, want[i]), "'%s' not in: %s",
				   want[i], err.msg);
	cr_assert_eq(rs.n, 0, "a failed load changed the set");
	rules_release(&rs);
}

Test(rules, loads_every_field)
{
	static const char yaml[] =
		"rules:\n"
		"  - id: demo\n"
		"    name: Demo token\n"
		"    severity: critical\n"
		"    keywords: [demo_, DEMO2]\n"
		"    pattern: '(demo_)([a-z0-9]{20})'\n"
		"    secret-group: 2\n"
		"    validate: github-crc32\n"
		"    min-entropy: 3.5\n"
		"    allow: ['^0+$', '^1+$']\n"
		"    path: '\\.env$'\n"
		"    window: 64\n"
		"    generic: true\n"
		"    examples: ['demo_abcdefghij0123456789']\n"
		"    negative-examples: ['demo_short']\n";
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *r;

	cr_assert_eq(load(&rs, yaml, &err), 0, "%s", err.msg);
	cr_assert_eq(rs.n, 1);
	r = rules_find(&rs, "demo");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->name, "Demo token");
	cr_assert_eq(r->severity, SEVERITY_CRITICAL);
	cr_assert_eq(r->keywords.n, 2);
	cr_assert_str_eq(r->keywords.items[1], "DEMO2");
	cr_assert_eq(r->secret_group, 2);
	cr_assert_eq(r->validate, validate_github_crc32);
	cr_assert_float_eq(r->min_entropy, 3.5, 1e-9);
	cr_assert_eq(r->allow_src.n, 2);
	cr_assert_not_null(r->allow[1]);
	cr_assert_not_null(r->path_re);
	cr_assert_eq(r->window, 64);
	cr_assert(r->generic);
	cr_assert_eq(r->examples.n, 1);
	cr_assert_eq(r->negative_examples.n, 1);
	cr_assert_str_eq(r->origin, "test.yaml");
	cr_assert_eq(r->origin_line, 2);
	cr_assert_eq(rs.max_captures, 2);
	cr_assert_null(rules_find(&rs, "nope"));
	rules_release(&rs);
}

Test(rules, defaults)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(load(&rs, "rules:\n"
			       "  - id: grouped\n"
			       "    pattern: 'k=(\\w+)'\n"
			       "  - id: plain\n"
			       "    pattern: 'k=\\w+'\n"
			       "    keywords: one\n", &err), 0, "%s", err.msg);
	cr_assert_eq(rs.n, 2);
	cr_assert_str_eq(rs.rules[0]->name, "grouped");
	cr_assert_eq(rs.rules[0]->severity, SEVERITY_HIGH);
	cr_assert_eq(rs.rules[0]->secret_group, 1);
	cr_assert_eq(rs.rules[0]->window, RULE_DEFAULT_WINDOW);
	cr_assert_null(rs.rules[0]->validate);
	cr_assert_eq(rs.rules[1]->secret_group, 0);
	cr_assert_eq(rs.rules[1]->keywords.n, 1);
	cr_assert_eq(rs.rules[1]->origin_line, 4);
	rules_release(&rs);
}

Test(rules, bad_regex_names_file_rule_line_and_offset)
{
	static const char *const want[] = {
		"test.yaml:4:", "rule 'broken'", "pattern:",
		"missing closing parenthesis", "at offset 7", NULL
	};

	expect_error("rules:\n"
		     "  - id: fine\n"
		     "    pattern: 'ok'\n"
		     "  - id: broken\n"
		     "    pattern: '(abc[0]'\n", want);
}

Test(rules, bad_allow_regex_names_its_index)
{
	static const char *const want[] = { "rule 'r'", "allow[1]:", "offset",
					    NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    allow: ['a', '*b']\n", want);
}

Test(rules, bad_path_regex)
{
	static const char *const want[] = { "rule 'r'", "path:", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    path: '[a-'\n", want);
}

Test(rules, unknown_key)
{
	static const char *const want[] = { "test.yaml:4:", "rule 'r'",
					    "unknown key 'patern'", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    patern: 'y'\n", want);
}

Test(rules, missing_id)
{
	static const char *const want[] = { "test.yaml:2:", "missing 'id'",
					    NULL };

	expect_error("rules:\n"
		     "  - pattern: 'x'\n"
		     "    name: nameless\n", want);
}

Test(rules, missing_pattern)
{
	static const char *const want[] = { "test.yaml:2:", "rule 'r'",
					    "missing 'pattern'", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    keywords: [x]\n", want);
}

Test(rules, bad_severity)
{
	static const char *const want[] = { "test.yaml:4:", "rule 'r'",
					    "'severity' must be", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    severity: urgent\n", want);
}

Test(rules, unknown_validator)
{
	static const char *const want[] = {
		"rule 'r'", "unknown validator 'luhn-ish'", NULL
	};

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    validate: luhn-ish\n", want);
}

Test(rules, secret_group_beyond_the_groups)
{
	static const char *const want[] = { "rule 'r'", "secret-group 3",
					    "has 2 groups", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: '(a)(b)'\n"
		     "    secret-group: 3\n", want);
}

Test(rules, bad_numbers)
{
	static const char *const entropy[] = { "'min-entropy' must be a number",
					       NULL };
	static const char *const window[] = { "'window' must be a number",
					      NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    min-entropy: high\n", entropy);
	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    window: 1\n", window);
}

Test(rules, anchored_without_keywords)
{
	static const char *const want[] = { "rule 'r'",
					    "an anchored rule needs 'keywords'",
					    NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    anchored: true\n", want);
}

Test(rules, named_without_keywords_or_anchored)
{
	static const char *const want[] = { "rule 'r'",
					    "a named rule needs 'keywords' and cannot be anchored",
					    NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    named: true\n"
		     "    pattern: 'x'\n",
		     want);
	expect_error("rules:\n"
		     "  - id: r\n"
		     "    keywords: [zebra]\n"
		     "    named: true\n"
		     "    anchored: true\n"
		     "    pattern: 'x'\n",
		     want);
}

Test(rules, empty_keyword)
{
	static const char *const want[] = { "rule 'r'", "empty keyword", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    keywords: ['a', '']\n", want);
}

/* A NUL in a string would cut it short: "ab\0cd" is not "ab". */
Test(rules, nul_in_a_pattern_or_keyword_is_an_error)
{
	static const char *const pattern[] = { "test.yaml:3:", "rule 'r'",
					       "'pattern' contains a NUL byte",
					       NULL };
	static const char *const keyword[] = { "test.yaml:4:", "rule 'r'",
					       "'keywords' contains a NUL byte",
					       NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: \"ab\\0cd\"\n", pattern);
	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    keywords: [\"k\\0z\"]\n", keyword);
}

/* Deep nesting is refused before libyaml spends quadratic time on it. */
Test(rules, nesting_depth_is_capped, .timeout = 10)
{
	static const char *const want[] = { "test.yaml:1:", "nested deeper "
					    "than 64 levels", NULL };
	size_t n = 200000, i;
	char *yaml = malloc(n + 1);

	cr_assert_not_null(yaml);
	for (i = 0; i < n; i++)
		yaml[i] = '[';
	yaml[n] = '\0';
	expect_error(yaml, want);
	free(yaml);
}

Test(rules, wrong_types)
{
	static const char *const list[] = { "'keywords' must be a list", NULL };
	static const char *const str[] = { "'name' must be a string", NULL };
	static const char *const mapping[] = { "a rule must be a mapping",
					       NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    keywords: {a: b}\n", list);
	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    name: [a, b]\n", str);
	expect_error("rules:\n"
		     "  - just a string\n", mapping);
}

Test(rules, duplicate_key_in_one_rule)
{
	static const char *const want[] = { "test.yaml:4:", "rule 'r'",
					    "duplicate key 'keywords'", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    keywords: [a]\n"
		     "    keywords: [b]\n"
		     "    pattern: 'x'\n", want);
}

Test(rules, error_after_an_allow_list)
{
	static const char *const want[] = { "rule 'r'", "unknown key 'oops'",
					    NULL };

	/* The allow list parsed, its regexes not yet compiled. */
	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    allow: ['a', 'b']\n"
		     "    oops: 1\n", want);
}

Test(rules, duplicate_id_in_one_file)
{
	static const char *const want[] = { "test.yaml", "rule 'twice'",
					    "duplicate id", NULL };

	expect_error("rules:\n"
		     "  - id: twice\n"
		     "    pattern: 'a'\n"
		     "  - id: other\n"
		     "    pattern: 'b'\n"
		     "  - id: twice\n"
		     "    pattern: 'c'\n", want);
}

Test(rules, yaml_syntax_error)
{
	static const char *const want[] = { "test.yaml:3:1:", "YAML error",
					    "tab character", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "\tpattern: 'x'\n", want);
}

Test(rules, no_rules_list)
{
	static const char *const want[] = { "test.yaml", "'rules:' list",
					    NULL };

	expect_error("", want);
	expect_error("rulez:\n  - id: r\n", want);
	expect_error("rules: 3\n", want);
}

Test(rules, later_load_overrides_by_id)
{
	static const char first[] = "rules:\n"
				    "  - id: a\n    pattern: 'x'\n"
				    "    severity: low\n"
				    "  - id: b\n    pattern: 'y'\n";
	static const char mine[] = "rules:\n"
				   "  - id: a\n    pattern: '(z)(z)(z)'\n"
				   "    severity: critical\n"
				   "  - id: c\n    pattern: 'w'\n";
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *r;

	cr_assert_eq(load(&rs, first, &err), 0);
	cr_assert_eq(rules_load_yaml(&rs, mine, strlen(mine), "mine.yaml",
				     &err), 0, "%s", err.msg);
	cr_assert_eq(rs.n, 3);
	r = rules_find(&rs, "a");
	cr_assert_eq(r, rs.rules[0], "an override keeps the rule's place");
	cr_assert_str_eq(r->pattern, "(z)(z)(z)");
	cr_assert_eq(r->severity, SEVERITY_CRITICAL);
	cr_assert_str_eq(r->origin, "mine.yaml");
	cr_assert_eq(rs.max_captures, 3);
	rules_release(&rs);
}

Test(rules, overrides_a_builtin_rule)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const char *yaml = "rules:\n"
			   "  - id: github-pat-classic\n"
			   "    pattern: 'ghp_only_mine'\n"
			   "    severity: low\n";
	size_t before;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	before = rs.n;
	cr_assert_gt(before, 0);
	cr_assert_not_null(rules_find(&rs, "github-pat-classic"));
	cr_assert_eq(load(&rs, yaml, &err), 0, "%s", err.msg);
	cr_assert_eq(rs.n, before);
	cr_assert_str_eq(rules_find(&rs, "github-pat-classic")->pattern,
			 "ghp_only_mine");
	cr_assert_eq(rules_find(&rs, "github-pat-classic")->severity,
		     SEVERITY_LOW);
	rules_release(&rs);
}

Test(rules, failed_load_leaves_the_set_alone)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(load(&rs, "rules:\n  - id: a\n    pattern: 'x'\n", &err),
		     0);
	cr_assert_neq(load(&rs, "rules:\n  - id: a\n    pattern: 'y'\n"
			  "  - id: b\n    pattern: '('\n", &err), 0);
	cr_assert_eq(rs.n, 1);
	cr_assert_str_eq(rs.rules[0]->pattern, "x");
	rules_release(&rs);
}

Test(rules, file_errors_name_the_file)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	char *dir = th_tmpdir();
	char path[512];

	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	cr_assert_eq(rules_load_file(&rs, path, &err), LG_ERR_IO);
	cr_assert_not_null(strstr(err.msg, "missing.yaml"), "%s", err.msg);
	th_write(dir, "bad.yaml", "rules:\n  - id: x\n    pattern: '['\n");
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	cr_assert_eq(rules_load_file(&rs, path, &err), LG_ERR_PARSE);
	cr_assert_not_null(strstr(err.msg, "bad.yaml:2:"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "rule 'x'"), "%s", err.msg);
	rules_release(&rs);
	th_rmtree(dir);
}

Test(rules, severity_names_round_trip)
{
	enum severity s;
	int i;

	for (i = SEVERITY_LOW; i <= SEVERITY_CRITICAL; i++) {
		const char *name = severity_name((enum severity)i);
		cr_assert_eq(severity_parse(name, &s), 0);
		cr_assert_eq(s, (enum severity)i);
	}
	cr_assert_eq(severity_parse("CRITICAL", &s), -1);
	cr_assert_eq(severity_parse("", &s), -1);
}

Test(rules, builtin_rules_load_and_are_unique)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i, j;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	for (i = 0; i < rs.n; i++)
		for (j = i + 1; j < rs.n; j++)
			cr_assert_str_neq(rs.rules[i]->id, rs.rules[j]->id);
	rules_release(&rs);
}

static int same_string(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void expect_same_list(const char *id, const char *what,
			     const struct string_list *a,
			     const struct string_list *b)
{
	size_t i;

	cr_assert_eq(a->n, b->n, "%s: %s", id, what);
	for (i = 0; i < a->n; i++)
		cr_expect_str_eq(a->items[i], b->items[i], "%s: %s[%zu]", id,
				 what, i);
}

/* The table the build made says what the rule files say, field by field. */
static void expect_same_rule(const struct rule *a, const struct rule *b)
{
	const char *id = b->id;

	cr_assert_str_eq(a->id, b->id);
	cr_expect(same_string(a->name, b->name), "%s: name", id);
	cr_expect_eq(a->severity, b->severity, "%s: severity", id);
	expect_same_list(id, "keywords", &a->keywords, &b->keywords);
	cr_expect(same_string(a->pattern, b->pattern), "%s: pattern", id);
	cr_expect(same_string(a->value, b->value), "%s: value", id);
	cr_expect_eq(a->captures, b->captures, "%s: captures", id);
	cr_expect(same_string(a->parser_name, b->parser_name), "%s: parser",
		  id);
	cr_expect_eq(a->parser, b->parser, "%s: parser", id);
	cr_expect_eq(a->secret_group, b->secret_group, "%s: secret-group", id);
	cr_expect_eq(a->min_entropy, b->min_entropy, "%s: min-entropy", id);
	cr_expect(same_string(a->validate_name, b->validate_name),
		  "%s: validate", id);
	cr_expect_eq(a->validate, b->validate, "%s: validate", id);
	expect_same_list(id, "allow", &a->allow_src, &b->allow_src);
	cr_expect(same_string(a->path_src, b->path_src), "%s: path", id);
	cr_expect_eq(a->window, b->window, "%s: window", id);
	cr_expect_eq(a->generic, b->generic, "%s: generic", id);
	cr_expect_eq(a->anchored, b->anchored, "%s: anchored", id);
	expect_same_list(id, "references", &a->references, &b->references);
	cr_expect(same_string(a->remediation, b->remediation), "%s: remediation",
		  id);
	expect_same_list(id, "requires", &a->requires, &b->requires);
	cr_expect_eq(a->requires_window, b->requires_window,
		     "%s: requires-window", id);
	cr_expect_eq(a->standalone, b->standalone, "%s: standalone", id);
	cr_expect_eq(a->companion, b->companion, "%s: companion", id);
	expect_same_list(id, "examples", &a->examples, &b->examples);
	expect_same_list(id, "negative-examples", &a->negative_examples,
			 &b->negative_examples);
	cr_expect_str_eq(a->origin, b->origin, "%s: origin", id);
	cr_expect_eq(a->origin_line, b->origin_line, "%s: line", id);
}

Test(rules, builtin_table_is_the_rule_files)
{
	struct rule_set table = RULE_SET_INIT, files = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i;

	cr_assert_eq(rules_load_builtin(&table, &err), 0, "%s", err.msg);
	cr_assert_eq(rules_load_builtin_files(&files, &err), 0, "%s", err.msg);
	cr_assert_eq(table.n, files.n);
	cr_assert_eq(table.max_captures, files.max_captures);
	for (i = 0; i < table.n; i++)
		expect_same_rule(table.rules[i], files.rules[i]);
	rules_release(&table);
	rules_release(&files);
}

Test(rules, builtin_regexes_compile_on_first_use)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *r;
	uint32_t options = 0;
	size_t jit = 0;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	r = rules_find(&rs, "plaintext-secret-assignment");
	cr_assert_not_null(r);
	cr_assert_null(r->re);
	cr_assert_null(r->allow);
	cr_assert_eq(rules_prepare(r), 0);
	cr_assert_not_null(r->re);
	cr_assert_not_null(r->allow[r->allow_src.n - 1]);
	cr_assert_eq(rules_prepare(r), 0, "a second call only answers");
	/*
	 * Anchored when compiled, and JIT-compiled: PCRE2 would run a
	 * pattern anchored only by the match call in its interpreter.
	 */
	pcre2_pattern_info(r->re, PCRE2_INFO_ARGOPTIONS, &options);
	cr_assert(options & PCRE2_ANCHORED);
	cr_assert_eq(pcre2_pattern_info(r->re, PCRE2_INFO_JITSIZE, &jit), 0);
	cr_assert_gt(jit, 0);
	rules_release(&rs);
}

Test(rules, file_rules_compile_at_load)
{
	static const char yaml[] = "rules:\n"
				   "  - id: a\n"
				   "    keywords: [k]\n"
				   "    anchored: true\n"
				   "    pattern: 'k=\\w+'\n";
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	uint32_t options = 0;

	cr_assert_eq(load(&rs, yaml, &err), 0, "%s", err.msg);
	cr_assert_not_null(rs.rules[0]->re);
	pcre2_pattern_info(rs.rules[0]->re, PCRE2_INFO_ARGOPTIONS, &options);
	cr_assert(options & PCRE2_ANCHORED);
	cr_assert_eq(rules_prepare(rs.rules[0]), 0);
	rules_release(&rs);
}

#define PREPARE_THREADS 8

static void *prepare_thread(void *rule)
{
	return rules_prepare(rule) ? NULL : ((const struct rule *)rule)->re;
}

Test(rules, prepare_from_many_threads_compiles_once)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	pthread_t t[PREPARE_THREADS];
	void *re[PREPARE_THREADS];
	const struct rule *r;
	int i;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	r = rules_find(&rs, "github-pat-classic");
	cr_assert_not_null(r);
	for (i = 0; i < PREPARE_THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, prepare_thread,
					    (void *)r), 0);
	for (i = 0; i < PREPARE_THREADS; i++)
		cr_assert_eq(pthread_join(t[i], &re[i]), 0);
	cr_assert_not_null(re[0]);
	for (i = 1; i < PREPARE_THREADS; i++)
		cr_assert_eq(re[i], re[0]);
	rules_release(&rs);
}

/* ---- shapes of the built-in rules --------------------------------------- */

/*
 * A built-in rule against one input, split in two literals so that this
 * file itself holds no matching text; `want` is the expected match count.
 */
struct shape_case {
	const char *id, *head, *tail;
	int want;
};

static const struct shape_case shape_cases[] = {
	{ "stripe-secret-key", "STRIPE_KEY=sk_prod_", "dyLL0kIwGn5zDJ1jhTISCwhI", 1 },
	{ "stripe-restricted-key", "key: rk_prod_", "bgjeN6ADKbN1mlmWvqcTIoQWdj13qG", 1 },
	{ "stripe-secret-key", "STRIPE_KEY=sk_stage_", "KItuKg1GQFyOhLyM07C4KDg2", 0 },
	{ "slack-bot-token", "SLACK=xoxb-77670285929-", "cCt3NeGnZPl8KCoVlI7e1UVO", 1 },
	{ "slack-bot-token", "SLACK=xoxb-978691742174-6680348445838-", "nCs3H34YqbstI7UUKZaKZ7HGOxj8QHIPXhD8", 1 },
	{ "slack-legacy-token", "t=xoxa-2-", "943446575654-821254163860-4449154955607-cec8b025941c2ba94c1e651a5cd132d0", 1 },
	{ "slack-legacy-token", "t=xoxs-3429697688-2340153715-", "57977599260-f1bfab561b", 1 },
	{ "slack-config-refresh-token", "t=xoxe-1-", "XMbjhgjGGUEC4yOgbJjnEqvJOXJL7oI7evUlkl0VQJIKoAvoVGcSWnGDSx35", 1 },
	{ "slack-webhook-url", "https://hooks.slack.com/services/", "TDCG0OAHY/B2QPJ9G6/1ed7W37wpEMfHICpxL75Eg3O", 1 },
	{ "easypost-api-key", "k=EZAK", "1eZahk2LlGcADcDxAk60sDDAw4eiwLsXH3rSxxuLHDGTGKD1fYZoMm", 1 },
	{ "easypost-test-api-key", "k=EZTK", "jJapGNzdeym93g6cKpNpDCAoKeKP1uUD9g4lzzKM3ZqlBDmGd2rqXc", 1 },
	{ "sonarqube-legacy-token", "sonar.login=", "e39c277e526a0678e95e095f62456e0b49b1b8b5", 1 },
	{ "sonarqube-legacy-token", "sonar.projectKey=", "c1f80726854dd45875b746e41b3397598de5fb4c", 0 },
	{ "sentry-legacy-auth-token", "SENTRY_AUTH_TOKEN=", "bd9a228b88a8f795f34d482f9fcf5d075f3d0ba2f9b6b1ad181ea56d7bae1d14", 1 },
	{ "newrelic-license-key", "NEW_RELIC_LICENSE_KEY=", "edebcdac0ef081f9866ca7e973d1397807d7d672", 1 },
	{ "newrelic-license-key", "NEW_RELIC_APP_ID=", "66275f3a9836a034f06fd27e9f8dc8a70dccd543", 0 },
	{ "hashicorp-vault-legacy-token", "vault login s.", "4GxbTbcepeVQ8tZovZeY0ho1", 1 },
	{ "hashicorp-vault-legacy-token", "VAULT_TOKEN=b.", "OaT5fIHIUD8St3SjffC0zQiC2UxtG_uqMVKy1JHVfMclULvDpX-q1IAqPDn2NtRJPh6avkm4PayQ06RB", 1 },
	{ "hashicorp-vault-unseal-key", "Unseal Key 3: ", "MwZMQuA3d0DkRpv0lES65Ew3M2wWjqr66dlQBVK2f9yC", 1 },
	{ "microsoft-teams-webhook-url", "https://outlook.office.com/webhook/", "5b03cd08-181a-a145-3a77-ed18c84f556b@eb0a0a7c-54a8-3878-0510-e3fb0f73df64/IncomingWebhook/03c6745b388ec3ad0fceb0da7a0c60aa/339c8088-0845-3aea-585b-ef8e5184428b", 1 },
	{ "mapbox-secret-token", "tk.eyJ", "1IjoimVVgT7uRh8I3xP-l7x1cZ6x5SB2qC9om1PitOjBX.C2egAgyCpbX5m93IIY9wyT", 1 },
	{ "cloudflare-api-token", "cloudflare: ", "kFgwQxgL3lTMkvvT8UqcHuG5ALAjrDQgl8l9gI2h", 1 },
	{ "cloudflare-global-api-key", "<cloudflare>", "10bc1ea3c2f8f86178678ed3fbc00fb20ad07</cloudflare>", 1 },
	{ "telegram-bot-token", "BOT=698156:AA", "8rlYi-XxpzAnCcc3vVVfbEbC7A6-Re5wG", 1 },
	{ "telegram-bot-token", "telegram: 5733940:", "XbiUqTWdi6j8tFyM4OlE2OXRMF5ctl02snw", 1 },
	{ "telegram-bot-token", "id = 6434192:", "aFrKSfHyfYEjo5VjQNXwkyX8aYLHtcNIFnl", 0 },
	{ "datadog-api-key", "DATADOG_KEY=", "24bb2f60fbc168fdebf3ee6b89510187", 1 },
	{ "datadog-application-key", "datadog:\n  app_key: ", "b08955da99d1d263f258def869615c5fd0ea21c0", 1 },
	{ "discord-bot-token", "DISCORD_BOT=N", "ELkCMcfo99LC9cBU2gu-RP_.tE8GWR.zpcDEXwL-QMx1Vch2N9POCg2bBpRNbMVCgroBx", 1 },
	{ "discord-bot-token", "TOKEN=N", "CcMuVUPMoMdIhMRRjCiZ5HK._AUu2G.aIgR5VBzn5aa9UINsSpfoAIJl2G0wTsqjLutBM", 0 },
};

Test(rules, builtin_shapes_every_form_a_provider_issues)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct engine *e = NULL;
	struct engine_worker *w = NULL;
	char text[512];
	size_t i;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&e, &rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_worker_new(&w, e, &err), 0, "%s", err.msg);
	for (i = 0; i < sizeof(shape_cases) / sizeof(shape_cases[0]); i++) {
		const struct shape_case *c = &shape_cases[i];
		const struct rule *r = rules_find(&rs, c->id);
		cr_assert_not_null(r, "%s", c->id);
		snprintf(text, sizeof(text), "%s%s\n", c->head, c->tail);
		cr_expect_eq(engine_count_rule_matches(w, r, text, strlen(text)),
			     c->want, "%s: %s", c->id, text);
	}
	engine_worker_free(w);
	engine_free(e);
	rules_release(&rs);
}

/* ---- credentials in parts -------------------------------------------- */

Test(rules, pairing_fields)
{
	static const char yaml[] = "rules:\n"
				   "  - id: primary\n"
				   "    pattern: 'p_([0-9]{8})'\n"
				   "    requires: [part-a, part-b]\n"
				   "    requires-window: 300\n"
				   "    standalone: true\n"
				   "    references: ['https://example.com/docs']\n"
				   "    remediation: Rotate it.\n"
				   "  - id: part-a\n"
				   "    companion: true\n"
				   "    pattern: 'a_([0-9]{8})'\n"
				   "  - id: part-b\n"
				   "    companion: true\n"
				   "    pattern: 'b_([0-9]{8})'\n";
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *const *parts;
	const struct rule *p;
	size_t n;

	cr_assert_eq(load(&rs, yaml, &err), 0, "%s", err.msg);
	p = rules_find(&rs, "primary");
	cr_assert_eq(p->requires.n, 2);
	cr_assert_str_eq(p->requires.items[1], "part-b");
	cr_assert_eq(p->requires_window, 300);
	cr_assert(p->standalone);
	cr_assert_str_eq(p->remediation, "Rotate it.");
	cr_assert_str_eq(p->references.items[0], "https://example.com/docs");
	cr_assert(rules_find(&rs, "part-a")->companion);
	cr_assert_eq(rules_find(&rs, "part-a")->requires_window,
		     RULE_DEFAULT_REQUIRES_WINDOW);
	cr_assert_eq(rules_link(&rs, 1, &err), 0, "%s", err.msg);
	parts = rules_companions(p, &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(parts[0], rules_find(&rs, "part-a"));
	cr_assert_eq(parts[1], rules_find(&rs, "part-b"));
	rules_release(&rs);
}

Test(rules, pairing_errors)
{
	expect_error("rules:\n  - id: c\n    companion: true\n"
		     "    pattern: 'x'\n    requires: [d]\n",
		     (const char *const[]){ "rule 'c'", "no 'requires'", NULL });
	expect_error("rules:\n  - id: m\n    pattern: 'x'\n"
		     "    requires: [a, b, c, d, e]\n",
		     (const char *const[]){ "at most 4", NULL });
	expect_error("rules:\n  - id: w\n    pattern: 'x'\n"
		     "    requires-window: 3\n",
		     (const char *const[]){ "requires-window", NULL });
}

Test(rules, link_rejects_unknown_self_and_anchored_parts)
{
	static const char *const yamls[] = {
		"rules:\n  - id: r\n    pattern: 'x'\n    requires: [none]\n",
		"rules:\n  - id: r\n    pattern: 'x'\n    requires: [r]\n",
		"rules:\n  - id: r\n    pattern: 'x'\n    requires: [a]\n"
		"  - id: a\n    keywords: [y]\n    anchored: true\n"
		"    pattern: 'y'\n",
	};
	size_t i;

	for (i = 0; i < sizeof(yamls) / sizeof(yamls[0]); i++) {
		struct rule_set rs = RULE_SET_INIT;
		struct lg_error err = LG_ERROR_INIT;

		cr_assert_eq(load(&rs, yamls[i], &err), 0, "%s", err.msg);
		cr_assert_eq(rules_link(&rs, 1, &err), LG_ERR_PARSE, "%zu", i);
		cr_assert_not_null(strstr(err.msg, "rule 'r' requires"), "%s",
				   err.msg);
		/* Not strict, only a missing id is let through. */
		cr_assert_eq(rules_link(&rs, 0, &err), i ? LG_ERR_PARSE : 0,
			     "%zu", i);
		rules_release(&rs);
	}
}

/* References are pages to open: absolute http(s) URLs, for SARIF's helpUri. */
Test(rules, builtin_references_are_urls_and_families_say_what_to_do)
{
	static const char *const documented[] = {
		"github-pat-classic", "aws-access-key-id", "stripe-secret-key",
		"slack-bot-token", "url-credentials", "private-key-rsa",
		"plaintext-secret-assignment", "gitlab-personal-access-token",
	};
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i, j;

	cr_assert_eq(rules_load_builtin(&rs, &err), 0, "%s", err.msg);
	for (i = 0; i < rs.n; i++)
		for (j = 0; j < rs.rules[i]->references.n; j++)
			cr_expect_eq(strncmp(rs.rules[i]->references.items[j],
					     "https://", 8), 0, "%s: %s",
				     rs.rules[i]->id,
				     rs.rules[i]->references.items[j]);
	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		const struct rule *r = rules_find(&rs, documented[i]);
		cr_assert_not_null(r, "%s", documented[i]);
		cr_expect_not_null(r->remediation, "%s", documented[i]);
		cr_expect_gt(r->references.n, 0, "%s", documented[i]);
	}
	rules_release(&rs);
}

Test(rules, value_builds_a_vendor_named_pattern)
{
	static const char yaml[] = "rules:\n"
				   "  - id: walk\n"
				   "    keywords: [walkscore, walk-score]\n"
				   "    value: '[0-9a-f]{32}'\n";
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *r;

	cr_assert_eq(load(&rs, yaml, &err), 0, "%s", err.msg);
	r = rs.rules[0];
	cr_assert_str_eq(r->value, "[0-9a-f]{32}");
	cr_assert(r->named, "its names are looked for near a secret word");
	cr_assert_not(r->anchored);
	cr_assert_eq(r->secret_group, 1);
	/* The names are literals: a '-' is escaped, the value is verbatim. */
	cr_expect_not_null(strstr(r->pattern, "(?i:walkscore|walk\\-score)"),
			   "%s", r->pattern);
	cr_expect_not_null(strstr(r->pattern, "([0-9a-f]{32})"), "%s",
			   r->pattern);
	rules_release(&rs);
}

Test(rules, value_errors)
{
	static const char *const both[] = { "test.yaml:2", "rule 'v'",
					    "'value' or 'pattern'", NULL };
	static const char *const names[] = { "rule 'v'", "needs 'keywords'",
					     NULL };

	expect_error("rules:\n  - id: v\n    keywords: [vendorx]\n"
		     "    pattern: 'a'\n    value: '[0-9]{8}'\n",
		     both);
	expect_error("rules:\n  - id: v\n    value: '[0-9]{8}'\n", names);
}

/*
 * A later file's rule replaces an earlier one with its id: a vendor-named
 * rule, a fallback, must never displace another file's rule that way.
 */
Test(rules, vendor_named_ids_are_their_own)
{
	struct rule_set all = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i, named = 0;

	for (i = 0; i < builtin_rule_files_count; i++) {
		const struct builtin_rule_file *f = &builtin_rule_files[i];
		struct rule_set one = RULE_SET_INIT;
		size_t j;
		cr_assert_eq(rules_load_yaml(&one, f->text, f->len, f->name,
					     &err), 0, "%s", err.msg);
		for (j = 0; j < one.n; j++) {
			const struct rule *r = one.rules[j];
			const struct rule *b = rules_find(&all, r->id);
			named += r->value != NULL;
			cr_expect(!b || (!r->value && !b->value),
				  "%s: '%s' is also in %s", f->name, r->id,
				  b ? b->origin : "");
		}
		rules_release(&one);
		cr_assert_eq(rules_load_yaml(&all, f->text, f->len, f->name,
					     &err), 0, "%s", err.msg);
	}
	cr_expect_gt(named, 300);
	rules_release(&all);
}
