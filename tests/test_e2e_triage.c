/*
 * History reported by secret, and the triage fields every finding
 * carries: commit subject, forge links, redacted line, at_head.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static char *dir;

static void setup(void)
{
	dir = th_tmpdir();
	th_git_init(dir);
	th_shf(dir, "git remote add origin git@github.com:acme/app.git");
}

static void teardown(void)
{
	th_rmtree(dir);
	dir = NULL;
}

TestSuite(e2e_triage, .init = setup, .fini = teardown, .timeout = 120);

static json_t *entry_at(json_t *arr, const char *path)
{
	size_t i;
	json_t *f;

	json_array_foreach(arr, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "path")), path))
			return f;
	return NULL;
}

/* One secret in three versions of a.txt and in b.txt; b.txt loses it. */
static const char *build_history(void)
{
	const char *t = th_fake_token("ghp_", 30, 3, 0);
	char text[256];

	snprintf(text, sizeof(text), "key = %s # prod\n", t);
	th_write(dir, "a.txt", text);
	th_git_commit(dir, "add the api key");
	snprintf(text, sizeof(text), "# v2\nkey = %s # prod\n", t);
	th_write(dir, "a.txt", text);
	snprintf(text, sizeof(text), "b = %s\n", t);
	th_write(dir, "b.txt", text);
	th_git_commit(dir, "second version");
	snprintf(text, sizeof(text), "# v3\n\nkey = %s # prod\n", t);
	th_write(dir, "a.txt", text);
	th_write(dir, "b.txt", "gone\n");
	th_git_commit(dir, "third version");
	return t;
}

Test(e2e_triage, one_entry_per_secret_and_file)
{
	const char *t = build_history();
	struct run_result r = TH_LG(dir, "history", "-f", "json");
	json_t *arr, *a, *b;
	char want[160];

	cr_assert_eq(r.status, 1, "%s", r.err);
	arr = json_loads(r.out, 0, NULL);
	cr_assert_not_null(arr, "%s", r.out);
	cr_expect_eq(json_array_size(arr), 2, "%s", r.out);
	a = entry_at(arr, "a.txt");
	b = entry_at(arr, "b.txt");
	cr_assert(a && b, "%s", r.out);
	/* The first commit, and the two later versions as further places. */
	cr_expect_str_eq(json_string_value(json_object_get(a, "commit_subject")),
			 "add the api key");
	cr_expect_eq(json_integer_value(json_object_get(a, "more_locations")), 2,
		     "%s", r.out);
	cr_expect(json_is_true(json_object_get(a, "at_head")), "%s", r.out);
	cr_expect(json_is_false(json_object_get(b, "at_head")), "%s", r.out);
	snprintf(want, sizeof(want), "https://github.com/acme/app/blob/%s/a.txt#L1",
		 json_string_value(json_object_get(a, "commit")));
	cr_expect_str_eq(json_string_value(json_object_get(a, "url")), want);
	snprintf(want, sizeof(want), "https://github.com/acme/app/commit/%s",
		 json_string_value(json_object_get(a, "commit")));
	cr_expect_str_eq(json_string_value(json_object_get(a, "commit_url")), want);
	cr_expect(strstr(json_string_value(json_object_get(a, "line_context")),
			 "key = ghp_"), "%s", r.out);
	cr_expect(strstr(json_string_value(json_object_get(a, "line_context")),
			 "***** # prod"), "%s", r.out);
	cr_expect(!strstr(r.out, t), "the secret leaked: %s", r.out);
	/* The summary counts secrets and places, and ignores nothing. */
	cr_expect(strstr(r.err, "2 findings (1 secrets in 4 places)"), "%s", r.err);
	cr_expect(!strstr(r.err, "ignored"), "%s", r.err);
	json_decref(arr);
	th_run_release(&r);
}

Test(e2e_triage, all_locations_and_group_still_there)
{
	struct run_result r;

	build_history();
	r = TH_LG(dir, "history", "-q", "-f", "jsonl", "--all-locations");
	cr_expect_eq(th_count(r.out, "\n"), 4, "one per version: %s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "history", "-f", "jsonl", "--group");
	cr_expect_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_expect(strstr(r.err, "1 findings (1 secrets in 4 places)"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_triage, ignored_counts_what_the_ignore_file_removed)
{
	struct run_result r;
	json_t *arr;
	char line[64];

	build_history();
	r = TH_LG(dir, "history", "-q", "-f", "json");
	arr = json_loads(r.out, 0, NULL);
	cr_assert_not_null(arr);
	snprintf(line, sizeof(line), "%s\n", json_string_value(json_object_get(
		json_array_get(arr, 0), "fingerprint")));
	json_decref(arr);
	th_run_release(&r);
	th_write(dir, ".leakgateignore", line);
	r = TH_LG(dir, "history");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "0 findings, 4 places ignored"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_triage, text_and_csv_carry_the_fields)
{
	struct run_result r;

	build_history();
	r = TH_LG(dir, "history", "-q", "--no-color");
	cr_expect(strstr(r.out, "\"add the api key\""), "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "history", "-q", "-f", "csv");
	cr_expect(strstr(r.out, ",subject,url,line_context,at_head,"), "%s", r.out);
	cr_expect(strstr(r.out, "https://github.com/acme/app/blob/"), "%s", r.out);
	cr_expect(strstr(r.out, ",true,"), "%s", r.out);
	th_run_release(&r);
}
