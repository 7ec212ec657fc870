/*
 * `scan` and what git ignores, -o checked before the scan, and SARIF rule
 * help taken from the rule.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

TH_REPO_SUITE(e2e_scanopts, dir, .timeout = 60);

static void plant(const char *rel, unsigned seed, int slot)
{
	char line[128];

	snprintf(line, sizeof(line), "TOKEN=%s\n",
		 th_fake_token("ghp_", 30, seed, slot));
	th_write(dir, rel, line);
}

static json_t *json_of(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	cr_assert_not_null(j, "%s: %s", je.text, text);
	return j;
}

/* The one finding of a JSON report whose path is path, or NULL. */
static json_t *finding_at(json_t *arr, const char *path)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "path")), path))
			return f;
	return NULL;
}

Test(e2e_scanopts, git_ignored_files_are_scanned_and_marked)
{
	struct run_result r;
	json_t *arr, *f;

	th_write(dir, ".gitignore", ".env\nbuild/\n");
	plant(".env", 1, 0);
	plant("build/ctx/app.cfg", 2, 1);
	plant("src/app.cfg", 3, 2);
	th_git_commit(dir, "app");
	r = TH_LG(dir, "scan", "-q", "-f", "json", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	arr = json_of(r.out);
	cr_expect_eq(json_array_size(arr), 3, "%s", r.out);
	f = finding_at(arr, ".env");
	cr_assert_not_null(f, "%s", r.out);
	cr_expect(json_is_true(json_object_get(f, "git_ignored")), "%s", r.out);
	f = finding_at(arr, "build/ctx/app.cfg");
	cr_assert_not_null(f, "%s", r.out);
	cr_expect(json_is_true(json_object_get(f, "git_ignored")), "%s", r.out);
	f = finding_at(arr, "src/app.cfg");
	cr_assert_not_null(f, "%s", r.out);
	cr_expect_null(json_object_get(f, "git_ignored"), "%s", r.out);
	json_decref(arr);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "-f", "sarif", ".");
	cr_expect_eq(th_count(r.out, "\"git_ignored\": true"), 2, "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "--respect-gitignore", ".");
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_expect(strstr(r.out, "src/app.cfg"), "%s", r.out);
	th_run_release(&r);
	/* The config can make it the project's default. */
	th_write(dir, ".leakgate.yaml", "defaults:\n  respect-gitignore: true\n");
	r = TH_LG(dir, "scan", "-q", ".");
	cr_expect_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scanopts, output_is_checked_before_the_scan)
{
	struct run_result r;

	plant("a.txt", 1, 0);
	r = TH_LG(dir, "scan", "-o", "nodir/x.sarif", "-f", "sarif", ".");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "leakgate: nodir/x.sarif: no directory nodir"), "%s",
		  r.err);
	cr_expect(!strstr(r.err, "scanned"), "the scan ran: %s", r.err);
	th_run_release(&r);
	r = TH_LG(dir, "history", "-o", ".");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "leakgate: .: a directory"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "-o", "report.txt", "a.txt");
	cr_expect_eq(r.status, 1, "%s", r.err);
	th_run_release(&r);
}

Test(e2e_scanopts, sarif_help_is_the_rules_remediation)
{
	struct run_result r;
	json_t *log, *rule;

	th_write(dir, "r.yaml",
		 "rules:\n  - id: acme-key\n    name: Acme key\n"
		 "    keywords: [acme_]\n    pattern: '(acme_[A-Za-z0-9]{16})'\n"
		 "    remediation: Revoke it at https://acme.example/keys.\n"
		 "    references: [https://acme.example/docs/keys]\n");
	th_write(dir, "x.txt", "k = acme_Q7wz9pKr3mVx2LbT\n");
	r = TH_LG(dir, "scan", "-q", "-f", "sarif", "--rules", "r.yaml", "x.txt");
	cr_assert_eq(r.status, 1, "%s", r.err);
	log = json_of(r.out);
	rule = json_object_get(json_object_get(json_object_get(json_array_get(
		json_object_get(log, "runs"), 0), "tool"), "driver"), "rules");
	rule = json_array_get(rule, 0);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(
		rule, "help"), "text")), "Revoke it at https://acme.example/keys.");
	cr_expect_str_eq(json_string_value(json_object_get(rule, "helpUri")),
			 "https://acme.example/docs/keys");
	json_decref(log);
	th_run_release(&r);
}
