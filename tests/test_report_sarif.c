/* The SARIF 2.1.0 writer: structure, GitHub's fields, escaping, redaction. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"
#include "report_fixture.h"

/* Three findings over two rules; the first has provenance and a 2nd place. */
static void three_findings(struct finding_list *l, const char **token)
{
	struct finding *f;

	*token = th_fake_token("ghp_", 30, 7, 0);
	f = fx_finding(fx_rule(SEVERITY_CRITICAL), *token,
		       "src/we ird/a%b,\xc3\xa9.env", 3, 7);
	fx_provenance(&f->where, "0123456789abcdef0123456789abcdef01234567",
		      "Ann Author", "ann@example.com", 1704067200);
	fx_add_place(f, "./copy.env", 9, 1);
	cr_assert_eq(finding_list_add(l, f), 0);
	cr_assert_eq(finding_list_add(l, fx_finding(fx_rule(SEVERITY_MEDIUM),
						    "medium-secret-value",
						    "/abs/x.txt", 1, 1)),
		     0);
	f = fx_finding(fx_rule(SEVERITY_CRITICAL),
		       th_fake_token("ghp_", 30, 8, 1), "b.txt", 2, 5);
	f->status = FINDING_BASELINE;
	cr_assert_eq(finding_list_add(l, f), 0);
}

static json_t *render_sarif(const struct finding_list *l, int show, char **text)
{
	json_error_t jerr;
	json_t *root;

	*text = fx_render(report_sarif, l, show);
	root = json_loads(*text, 0, &jerr);
	cr_assert_not_null(root, "%s: %s", jerr.text, *text);
	return root;
}

static const char *str_at(json_t *j, const char *path)
{
	json_t *v = json_object_get(j, path);

	cr_assert(json_is_string(v), "%s is not a string", path);
	return json_string_value(v);
}

Test(report_sarif, driver_lists_each_rule_that_has_results_once)
{
	struct finding_list l = FINDING_LIST_INIT;
	const char *token;
	json_t *root, *run, *driver, *rules, *results;
	char *text;
	size_t i;

	three_findings(&l, &token);
	root = render_sarif(&l, 0, &text);
	cr_assert_str_eq(str_at(root, "version"), "2.1.0");
	cr_assert_not_null(strstr(str_at(root, "$schema"), "sarif-2.1.0"));
	run = json_array_get(json_object_get(root, "runs"), 0);
	driver = json_object_get(json_object_get(run, "tool"), "driver");
	cr_assert_str_eq(str_at(driver, "name"), "leakgate");
	cr_assert_str_eq(str_at(driver, "version"), "0.0.0-test");
	rules = json_object_get(driver, "rules");
	cr_assert_eq(json_array_size(rules), 2);
	cr_assert_str_eq(str_at(json_array_get(rules, 0), "id"),
			 "test-critical");
	cr_assert_str_eq(str_at(json_array_get(rules, 0), "name"),
			 "TestCritical");
	cr_assert_str_eq(str_at(json_array_get(rules, 1), "id"), "test-medium");
	results = json_object_get(run, "results");
	cr_assert_eq(json_array_size(results), 3);
	for (i = 0; i < 3; i++) {
		json_t *r = json_array_get(results, i);
		size_t idx = (size_t)json_integer_value(
			json_object_get(r, "ruleIndex"));
		cr_assert_str_eq(str_at(json_array_get(rules, idx), "id"),
				 str_at(r, "ruleId"));
	}
	json_decref(root);
	free(text);
	finding_list_release(&l);
}

Test(report_sarif, levels_and_security_severity_follow_severity)
{
	static const struct {
		enum severity s;
		const char *level, *score;
	} cases[] = {
		{ SEVERITY_LOW, "note", "2.0" },
		{ SEVERITY_MEDIUM, "warning", "5.5" },
		{ SEVERITY_HIGH, "error", "8.0" },
		{ SEVERITY_CRITICAL, "error", "9.5" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct finding_list l = FINDING_LIST_INIT;
		json_t *root, *run, *rule;
		char *text;

		finding_list_add(&l,
				 fx_finding(fx_rule(cases[i].s),
					    "s3cr3t-value-x", "a.txt", 1, 1));
		root = render_sarif(&l, 0, &text);
		run = json_array_get(json_object_get(root, "runs"), 0);
		rule = json_array_get(
			json_object_get(
				json_object_get(json_object_get(run, "tool"),
						"driver"),
				"rules"),
			0);
		cr_assert_str_eq(
			str_at(json_object_get(rule, "defaultConfiguration"),
			       "level"),
			cases[i].level);
		cr_assert_str_eq(str_at(json_object_get(rule, "properties"),
					"security-severity"),
				 cases[i].score);
		cr_assert_str_eq(
			str_at(json_array_get(json_object_get(run, "results"),
					      0),
			       "level"),
			cases[i].level);
		json_decref(root);
		free(text);
		finding_list_release(&l);
	}
}

Test(report_sarif, result_carries_location_fingerprint_and_provenance)
{
	struct finding_list l = FINDING_LIST_INIT;
	const char *token;
	json_t *root, *results, *r, *phys, *region, *props, *related;
	char *text;

	three_findings(&l, &token);
	root = render_sarif(&l, 0, &text);
	results = json_object_get(
		json_array_get(json_object_get(root, "runs"), 0), "results");
	r = json_array_get(results, 0);
	phys = json_object_get(json_array_get(json_object_get(r, "locations"),
					      0),
			       "physicalLocation");
	cr_assert_str_eq(str_at(json_object_get(phys, "artifactLocation"),
				"uri"),
			 "src/we%20ird/a%25b%2C%C3%A9.env");
	region = json_object_get(phys, "region");
	cr_assert_eq(json_integer_value(json_object_get(region, "startLine")),
		     3);
	cr_assert_eq(json_integer_value(json_object_get(region, "startColumn")),
		     7);
	cr_assert_eq(json_integer_value(json_object_get(region, "endColumn")),
		     7 + (json_int_t)strlen(token));
	cr_assert_str_eq(str_at(json_object_get(r, "partialFingerprints"),
				"leakgate/v1"),
			 l.items[0]->fingerprint);
	props = json_object_get(r, "properties");
	cr_assert_str_eq(str_at(props, "commit"),
			 "0123456789abcdef0123456789abcdef01234567");
	cr_assert_str_eq(str_at(props, "author"), "Ann Author");
	cr_assert_str_eq(str_at(props, "date"), "2024-01-01T00:00:00Z");
	cr_assert_str_eq(str_at(props, "confidence"), "checksum");
	related = json_object_get(r, "relatedLocations");
	cr_assert_eq(json_array_size(related), 1);
	cr_assert_str_eq(
		str_at(json_object_get(
			       json_object_get(json_array_get(related, 0),
					       "physicalLocation"),
			       "artifactLocation"),
		       "uri"),
		"copy.env");
	phys = json_object_get(
		json_array_get(json_object_get(json_array_get(results, 1),
					       "locations"),
			       0),
		"physicalLocation");
	cr_assert_str_eq(str_at(json_object_get(phys, "artifactLocation"),
				"uri"),
			 "file:///abs/x.txt");
	json_decref(root);
	free(text);
	finding_list_release(&l);
}

Test(report_sarif, baseline_state_marks_known_findings)
{
	struct finding_list l = FINDING_LIST_INIT;
	const char *token;
	json_t *root, *results;
	char *text;

	three_findings(&l, &token);
	root = render_sarif(&l, 0, &text);
	results = json_object_get(
		json_array_get(json_object_get(root, "runs"), 0), "results");
	cr_assert_str_eq(str_at(json_array_get(results, 0), "baselineState"),
			 "new");
	cr_assert_str_eq(str_at(json_array_get(results, 2), "baselineState"),
			 "unchanged");
	json_decref(root);
	free(text);
	l.items[2]->status = FINDING_NEW;
	root = render_sarif(&l, 0, &text);
	cr_assert_null(strstr(text, "baselineState"));
	json_decref(root);
	free(text);
	finding_list_release(&l);
}

Test(report_sarif, secrets_are_redacted_unless_asked)
{
	struct finding_list l = FINDING_LIST_INIT;
	const char *token;
	char *text;
	json_t *root;

	three_findings(&l, &token);
	root = render_sarif(&l, 0, &text);
	cr_assert_null(strstr(text, l.items[0]->secret));
	cr_assert_null(strstr(text, "medium-secret-value"));
	json_decref(root);
	free(text);
	root = render_sarif(&l, 1, &text);
	cr_assert_not_null(strstr(text, l.items[0]->secret));
	json_decref(root);
	free(text);
	finding_list_release(&l);
}

Test(report_sarif, empty_report_is_one_run_without_results)
{
	struct finding_list l = FINDING_LIST_INIT;
	json_t *root, *run;
	char *text;

	root = render_sarif(&l, 0, &text);
	run = json_array_get(json_object_get(root, "runs"), 0);
	cr_assert_eq(json_array_size(json_object_get(run, "results")), 0);
	cr_assert(json_is_array(json_object_get(run, "results")));
	json_decref(root);
	free(text);
}

/*
 * The real validators: the SARIF 2.1.0 schema and Microsoft's Multitool
 * with GitHub's rules, installed from npm on first use by the script.
 */
Test(report_sarif, passes_the_sarif_multitool_and_the_schema)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct run_result r;
	struct buf cmd = BUF_INIT;
	char *dir = th_tmpdir(), *root = fx_source_root(), *text;
	const char *token;

	three_findings(&l, &token);
	text = fx_render(report_sarif, &l, 0);
	th_write(dir, "leakgate.sarif", text);
	buf_addf(
		&cmd,
		"sh '%s/tools/sarif-validator/validate.sh' '%s/leakgate.sarif'",
		root, dir);
	r = th_sh(dir, cmd.ptr);
	if (r.status == 77)
		cr_skip_test("node is not installed, no SARIF validator: %s",
			     r.err);
	cr_assert_eq(r.status, 0, "validator said:\n%s\n%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "valid SARIF 2.1.0"));
	th_run_release(&r);
	buf_release(&cmd);
	free(text);
	free(root);
	th_rmtree(dir);
	finding_list_release(&l);
}
