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

/* One JSON object per rule, for tooling. */
static int rules_list_json(const struct run *r)
{
	json_t *all = json_array();
	size_t i;
	int rc;

	for (i = 0; i < r->rules.n; i++) {
		const struct rule *rule = r->rules.rules[i];
		json_t *j = json_object();
		json_object_set_new(j, "id", json_string(rule->id));
		json_object_set_new(j, "name", json_string(rule->name));
		json_object_set_new(j, "severity",
				    json_string(severity_name(rule->severity)));
		json_object_set_new(j, "keywords", string_array(&rule->keywords));
		json_object_set_new(j, "validator", rule->validate_name
				    ? json_string(rule->validate_name) : json_null());
		json_object_set_new(j, "parser", rule->parser_name
				    ? json_string(rule->parser_name) : json_null());
		json_object_set_new(j, "origin", json_string(rule->origin));
		json_array_append_new(all, j);
	}
	rc = json_dumpf(all, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(all);
	putchar('\n');
	return rc ? EXIT_ERROR : EXIT_CLEAN;
}

static int rules_list(const struct run *r, const struct cli *c)
{
	size_t i;

	if (!strcmp(c->format, "json"))
		return rules_list_json(r);
	for (i = 0; i < r->rules.n; i++) {
		const struct rule *rule = r->rules.rules[i];
		printf("%-40s %-8s %s\n", rule->id, severity_name(rule->severity),
		       rule->name);
	}
	return EXIT_CLEAN;
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
		failures += check_rule(w, rule);
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
	if (!c->n_args || (strcmp(c->args[0], "list") && strcmp(c->args[0], "check"))) {
		run_error("usage: leakgate rules list | rules check [FILE...] | "
			  "rules import-gitleaks FILE [-o OUT]");
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
	status = !strcmp(c->args[0], "list") ? rules_list(&r, c) : rules_check(&r, c);
	run_release(&r);
	free(files);
	return status;
}
