#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

Test(rules, empty_keyword)
{
	static const char *const want[] = { "rule 'r'", "empty keyword", NULL };

	expect_error("rules:\n"
		     "  - id: r\n"
		     "    pattern: 'x'\n"
		     "    keywords: ['a', '']\n", want);
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
