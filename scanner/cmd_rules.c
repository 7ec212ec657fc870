#include <stdlib.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "banned.h"

static json_t *string_array(const struct string_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->items[i]));
	return a;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A rule as JSON: what `rules list -f json` and `rules show -f json` print. */
static json_t *rule_json(const struct rule *rule)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(rule->id));
	json_object_set_new(j, "name", json_string(rule->name));
	json_object_set_new(j, "severity",
			    json_string(severity_name(rule->severity)));
	json_object_set_new(j, "keywords", string_array(&rule->keywords));
	json_object_set_new(j, "pattern", string_or_null(rule->pattern));
	json_object_set_new(j, "value", string_or_null(rule->value));
	json_object_set_new(j, "validator", string_or_null(rule->validate_name));
	json_object_set_new(j, "parser", string_or_null(rule->parser_name));
	json_object_set_new(j, "origin", json_string(rule->origin));
	json_object_set_new(j, "examples", string_array(&rule->examples));
	json_object_set_new(j, "negative_examples",
			    string_array(&rule->negative_examples));
	json_object_set_new(j, "requires", string_array(&rule->requires));
	json_object_set_new(j, "references", string_array(&rule->references));
	json_object_set_new(j, "verify", string_array(&rule->verify));
	json_object_set_new(j, "remediation",
			    string_or_null(rule->remediation));
	return j;
}

static int print_json(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	putchar('\n');
	return rc ? EXIT_ERROR : EXIT_CLEAN;
}

/* One JSON object per rule, for tooling. */
static int rules_list_json(const struct run *r)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; i < r->rules.n; i++)
		json_array_append_new(all, rule_json(r->rules.rules[i]));
	return print_json(all);
}

/* 1 when an earlier rule than rules[i] came from the same file. */
static int origin_seen(const struct rule_set *rs, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(rs->rules[j]->origin, rs->rules[i]->origin))
			return 1;
	return 0;
}

/* Prints the rules of one file (family) under a heading with its count. */
static void list_family(const struct rule_set *rs, const char *origin)
{
	size_t i, n = 0;

	for (i = 0; i < rs->n; i++)
		n += !strcmp(rs->rules[i]->origin, origin);
	printf("%s (%zu rule%s)\n", origin, n, n == 1 ? "" : "s");
	for (i = 0; i < rs->n; i++) {
		const struct rule *rule = rs->rules[i];
		if (strcmp(rule->origin, origin))
			continue;
		printf("  %-40s %-8s %s\n", rule->id,
		       severity_name(rule->severity), rule->name);
	}
}

/* Rules grouped by the file (family) they come from, in load order. */
static int rules_list(const struct run *r, const struct cli *c)
{
	size_t i, files = 0;

	if (!strcmp(c->format, "json"))
		return rules_list_json(r);
	for (i = 0; i < r->rules.n; i++) {
		if (origin_seen(&r->rules, i))
			continue;
		if (files++)
			putchar('\n');
		list_family(&r->rules, r->rules.rules[i]->origin);
	}
	printf("\n%zu rules in %zu files\n", r->rules.n, files);
	return EXIT_CLEAN;
}

static void show_list(const char *label, const struct string_list *l)
{
	size_t i;

	if (!l->n)
		return;
	printf("%s:\n", label);
	for (i = 0; i < l->n; i++)
		printf("  %s\n", l->items[i]);
}

static void show_field(const char *label, const char *value)
{
	if (value)
		printf("%-12s %s\n", label, value);
}

/* What a rule needs near it, or that it is only another rule's part. */
static void show_parts(const struct rule *rule)
{
	size_t i;

	if (rule->companion)
		show_field("companion:", "only looked for as another rule's part");
	if (!rule->requires.n)
		return;
	printf("%-12s", "requires:");
	for (i = 0; i < rule->requires.n; i++)
		printf(" %s", rule->requires.items[i]);
	printf(" (within %zu bytes%s)\n", rule->requires_window,
	       rule->standalone ? "; reported alone as well" : "");
}

/* `rules show ID`: one rule, everything a reader needs to judge a finding. */
static int rules_show(const struct run *r, const struct cli *c)
{
	const struct rule *rule = NULL;
	size_t i;

	if (c->n_args == 2)
		rule = rules_find(&r->rules, c->args[1]);
	if (!rule) {
		run_error(c->n_args == 2 ? "no rule with that id"
					 : "usage: leakgate rules show ID");
		return EXIT_ERROR;
	}
	if (!strcmp(c->format, "json"))
		return print_json(rule_json(rule));
	show_field("id:", rule->id);
	show_field("name:", rule->name);
	show_field("severity:", severity_name(rule->severity));
	printf("%-12s %s:%zu\n", "family:", rule->origin, rule->origin_line);
	printf("%-12s", "keywords:");
	for (i = 0; i < rule->keywords.n; i++)
		printf(" %s", rule->keywords.items[i]);
	puts(rule->keywords.n ? "" : " (none)");
	show_field("value:", rule->value);
	show_field("pattern:", rule->pattern);
	show_field("parser:", rule->parser_name);
	show_field("path:", rule->path_src);
	show_field("validator:", rule->validate_name);
	show_parts(rule);
	show_field("remediation:", rule->remediation);
	show_list("references", &rule->references);
	/* What --verify sends where: the exchange, as the rule declares it. */
	show_list("verify", &rule->verify);
	show_list("examples", &rule->examples);
	show_list("negative examples", &rule->negative_examples);
	return EXIT_CLEAN;
}

/* Prints a line per part that rule requires and the set lacks. */
static size_t check_parts(const struct run *r, const struct rule *rule)
{
	size_t i, failures = 0;

	for (i = 0; i < rule->requires.n; i++) {
		if (rules_find(&r->rules, rule->requires.items[i]))
			continue;
		fprintf(stderr, "%s:%zu: rule '%s' requires '%s': no such rule\n",
			rule->origin, rule->origin_line, rule->id,
			rule->requires.items[i]);
		failures++;
	}
	return failures;
}

/* Prints a line per failed example; returns the number of failures. */
static size_t check_rule(struct engine_worker *w, const struct rule *rule)
{
	size_t i, failures = 0;

	if (!rule->examples.n) {
		fprintf(stderr, "%s:%zu: rule '%s' has no examples\n", rule->origin,
			rule->origin_line, rule->id);
		failures++;
	}
	for (i = 0; i < rule->examples.n; i++) {
		const char *ex = rule->examples.items[i];
		if (engine_count_rule_matches(w, rule, ex, strlen(ex)) > 0)
			continue;
		fprintf(stderr, "%s:%zu: rule '%s': example %zu does not match\n",
			rule->origin, rule->origin_line, rule->id, i + 1);
		failures++;
	}
	for (i = 0; i < rule->negative_examples.n; i++) {
		const char *ex = rule->negative_examples.items[i];
		if (engine_count_rule_matches(w, rule, ex, strlen(ex)) == 0)
			continue;
		fprintf(stderr, "%s:%zu: rule '%s': negative example %zu matches\n",
			rule->origin, rule->origin_line, rule->id, i + 1);
		failures++;
	}
	return failures;
}

/* Checks the rules of the given files only, or of the whole set. */
static int rules_check(const struct run *r, const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct engine_worker *w;
	size_t i, j, checked = 0, failures = 0;

	if (engine_worker_new(&w, r->engine, &err)) {
		run_error(err.msg);
		return EXIT_ERROR;
	}
	for (i = 0; i < r->rules.n; i++) {
		const struct rule *rule = r->rules.rules[i];
		int wanted = c->n_args <= 1;
		for (j = 1; j < c->n_args; j++)
			wanted |= !strcmp(c->args[j], rule->origin);
		if (!wanted)
			continue;
		failures += check_rule(w, rule) + check_parts(r, rule);
		checked++;
	}
	engine_worker_free(w);
	fprintf(stderr, "leakgate: %zu rules checked, %zu failures\n", checked,
		failures);
	return failures ? EXIT_FOUND : EXIT_CLEAN;
}

int cmd_rules(const struct cli *c)
{
	struct cli with_files = *c;
	const char **files = NULL;
	struct run r;
	size_t i;
	int status;

	if (c->n_args && !strcmp(c->args[0], "import-gitleaks"))
		return cmd_rules_import(c);
	if (!c->n_args || (strcmp(c->args[0], "list") && strcmp(c->args[0], "check") &&
			   strcmp(c->args[0], "show"))) {
		run_error("usage: leakgate rules list | rules show ID | "
			  "rules check [FILE...] | rules import-gitleaks FILE [-o OUT]");
		return EXIT_ERROR;
	}
	/* `rules check FILE...` loads those files on top of the built-in set. */
	if (!strcmp(c->args[0], "check") && c->n_args > 1) {
		files = calloc(c->n_rule_files + c->n_args, sizeof(*files));
		if (!files)
			return EXIT_ERROR;
		for (i = 0; i < c->n_rule_files; i++)
			files[i] = c->rule_files[i];
		for (i = 1; i < c->n_args; i++)
			files[c->n_rule_files + i - 1] = c->args[i];
		with_files.rule_files = files;
		with_files.n_rule_files = c->n_rule_files + c->n_args - 1;
	}
	if (run_init(&r, &with_files)) {
		free(files);
		return EXIT_ERROR;
	}
	if (!strcmp(c->args[0], "list"))
		status = rules_list(&r, c);
	else if (!strcmp(c->args[0], "show"))
		status = rules_show(&r, c);
	else
		status = rules_check(&r, c);
	run_release(&r);
	free(files);
	return status;
}
