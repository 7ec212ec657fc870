/*
 * The findings store end to end: incremental history scans, the lifecycle
 * report, triage decisions honoured by the gates, the purge plan and the
 * store's upkeep, through the real binary on real repositories.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "helpers.h"

#define LG(cwd, input, ...) \
	th_leakgate(cwd, input, (const char *const[]){ __VA_ARGS__, NULL })

TH_REPO_SUITE(e2e_store, dir, .timeout = 120);

/* The JSON report's findings (caller decrefs). */
static json_t *report_json(struct run_result *r)
{
	json_t *doc = json_loads(r->out, 0, NULL);

	cr_assert(json_is_array(doc), "not a JSON array: %s / %s", r->out, r->err);
	return doc;
}

static const char *field(json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

Test(e2e_store, a_rescan_reads_only_new_objects_and_finds_only_new_leaks)
{
	struct run_result r;
	json_t *doc;

	th_commit_token(dir, "a.txt", 1, 0, "first");
	r = LG(dir, NULL, "history", "--store", "-f", "json");
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "history", "--store");
	cr_assert_eq(r.status, 0, "an unchanged history failed again: %s", r.out);
	cr_assert(strstr(r.err, "0 blobs"), "%s", r.err);
	cr_assert(strstr(r.err, "0 commits walked"), "%s", r.err);
	th_run_release(&r);
	th_commit_token(dir, "b.txt", 2, 1, "second");
	r = LG(dir, NULL, "history", "--store", "-f", "json");
	cr_assert_eq(r.status, 1, "%s", r.err);
	doc = report_json(&r);
	cr_assert_eq(json_array_size(doc), 1, "%s", r.out);
	cr_assert_str_eq(field(json_array_get(doc, 0), "path"), "b.txt");
	json_decref(doc);
	th_run_release(&r);
}

Test(e2e_store, other_rules_rescan_what_they_need)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 3, 0, "first");
	th_write(dir, ".git/extra.yaml",
		 "rules:\n  - id: extra-marker\n    keywords: [MARKER]\n"
		 "    pattern: 'MARKER-([0-9]{6})'\n");
	th_write(dir, "m.txt", "MARKER-123456\n");
	th_git_commit(dir, "marker");
	r = LG(dir, NULL, "history", "--store");
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
	r = LG(dir, NULL, "history", "--store", "--rules", ".git/extra.yaml", "-f", "json");
	cr_assert_eq(r.status, 1, "the new rule's findings were skipped: %s", r.err);
	cr_assert(strstr(r.out, "extra-marker"), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_store, report_tells_removed_from_still_present)
{
	struct run_result r;
	json_t *doc, *f, *life;
	size_t i;
	struct run_result head;
	char *removal;

	th_commit_token(dir, "gone.txt", 4, 0, "leak one");
	th_commit_token(dir, "kept.txt", 5, 1, "leak two");
	th_shf(dir, "git rm -q gone.txt && git commit -q -m remove");
	head = th_sh(dir, "git rev-parse HEAD");
	removal = strdup(head.out);
	removal[strcspn(removal, "\n")] = '\0';
	th_run_release(&head);
	r = LG(dir, NULL, "history", "--store", "-q");
	th_run_release(&r);
	r = LG(dir, NULL, "report", "--store", "-f", "json");
	cr_assert_eq(r.status, 1, "%s", r.err);
	doc = report_json(&r);
	cr_assert_eq(json_array_size(doc), 2);
	json_array_foreach(doc, i, f) {
		life = json_object_get(f, "lifecycle");
		cr_assert_not_null(life, "%s", r.out);
		if (!strcmp(field(f, "path"), "gone.txt")) {
			cr_assert_str_eq(field(life, "at_head"), "false");
			cr_assert_str_eq(field(life, "removed_in"), removal);
		} else {
			cr_assert_str_eq(field(life, "at_head"), "true");
			cr_assert(strstr(field(life, "present_at"), "refs/heads/"));
		}
		cr_assert(strstr(field(f, "secret"), "*****"), "a secret came out whole");
	}
	json_decref(doc);
	free(removal);
	th_run_release(&r);
}

Test(e2e_store, the_store_never_holds_a_secret_whole)
{
	const char *t = th_commit_token(dir, "a.txt", 6, 0, "leak");
	struct run_result r = LG(dir, NULL, "history", "--store=.git/s.db", "-q");
	struct buf db = BUF_INIT;
	struct buf path = BUF_INIT;
	struct stat st;

	th_run_release(&r);
	buf_addf(&path, "%s/.git/s.db", dir);
	cr_assert_eq(stat(path.ptr, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(buf_read_file(&db, path.ptr, 0, NULL), 0);
	cr_assert_null(memmem(db.ptr, db.len, t, strlen(t)), "the token is in the store");
	cr_assert_null(memmem(db.ptr, db.len, t + 8, 20), "part of the token is in the store");
	buf_release(&db);
	buf_release(&path);
}

Test(e2e_store, triage_decisions_are_honoured_by_gates_and_reports)
{
	struct run_result r;
	json_t *doc;
	char fp[64];

	th_commit_token(dir, "a.txt", 7, 0, "leak");
	r = LG(dir, NULL, "history", "--store", "-f", "json");
	doc = report_json(&r);
	snprintf(fp, sizeof(fp), "%s", field(json_array_get(doc, 0), "fingerprint"));
	json_decref(doc);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", fp, "--status", "false-positive", "--reason", "a fixture");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "report", "--store");
	cr_assert_eq(r.status, 0, "a false positive still fails: %s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", fp, "--status", "revoked");
	th_run_release(&r);
	r = LG(dir, NULL, "report", "--store", "-f", "json");
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert(strstr(r.out, "\"triage\": \"revoked\""), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", fp, "--status", "maybe");
	cr_assert_eq(r.status, 2);
	th_run_release(&r);
}

Test(e2e_store, triage_round_trips_through_a_text_file)
{
	struct run_result r;
	const char *fp = "0123456789abcdef0123456789abcdef";

	r = LG(dir, NULL, "triage", fp, "--status", "accepted-risk", "--reason", "test\tkey");
	th_run_release(&r);
	r = LG(dir, NULL, "triage", "--export", ".git/t.tsv");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", "--export", "-", "--store=.git/other.db");
	cr_assert_eq(th_count(r.out, fp), 0);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", "--import", ".git/t.tsv", "--store=.git/other.db");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "triage", "--export", "-", "--store=.git/other.db");
	cr_assert(strstr(r.out, "accepted-risk"), "%s", r.out);
	cr_assert(strstr(r.out, "test key"), "%s", r.out);
	th_run_release(&r);
	th_write(dir, ".git/bad.tsv", "# header\nnot-a-fingerprint\topen\tme\t2024-01-01\tx\n");
	r = LG(dir, NULL, "triage", "--import", ".git/bad.tsv");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "bad.tsv:2:"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_store, purge_plan_is_private_and_names_what_changes)
{
	const char *t = th_commit_token(dir, "a.txt", 8, 0, "leak");
	struct run_result r;
	struct buf plan = BUF_INIT, path = BUF_INIT;
	struct stat st;

	r = LG(dir, NULL, "history", "--store", "-q");
	th_run_release(&r);
	r = LG(dir, NULL, "report", "--store", "--purge-plan", ".git/plan.txt");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "refs/heads/"), "%s", r.out);
	cr_assert_null(strstr(r.out, t), "the plan's secret was printed");
	buf_addf(&path, "%s/.git/plan.txt", dir);
	cr_assert_eq(stat(path.ptr, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(buf_read_file(&plan, path.ptr, 0, NULL), 0);
	cr_assert(memmem(plan.ptr, plan.len, t, strlen(t)));
	cr_assert_eq(strncmp(plan.ptr, "literal:", 8), 0);
	buf_release(&plan);
	buf_release(&path);
	th_run_release(&r);
}

Test(e2e_store, upkeep_commands_and_a_damaged_store)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 9, 0, "leak");
	r = LG(dir, NULL, "history", "--store", "-q");
	th_run_release(&r);
	r = LG(dir, NULL, "store", "stats");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "secrets          1"), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "vacuum");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	th_write(dir, ".git/junk.db", "this is not a database, just some text bytes\n");
	r = LG(dir, NULL, "history", "--store=.git/junk.db");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "junk.db"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_store, a_foreign_database_is_refused_and_left_alone)
{
	struct buf path = BUF_INIT, before = BUF_INIT, after = BUF_INIT;
	struct run_result r;
	sqlite3 *db = NULL;

	buf_addf(&path, "%s/.git/app.db", dir);
	cr_assert_eq(sqlite3_open(path.ptr, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE notes(x TEXT);"
				  "INSERT INTO notes VALUES('mine')", NULL, NULL,
				  NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(buf_read_file(&before, path.ptr, 0, NULL), 0);
	r = LG(dir, NULL, "history", "--store=.git/app.db");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "app.db: not a leakgate store"), "%s", r.err);
	th_run_release(&r);
	cr_assert_eq(buf_read_file(&after, path.ptr, 0, NULL), 0);
	cr_assert(before.len == after.len && !memcmp(before.ptr, after.ptr, after.len),
		  "the foreign database was changed");
	buf_release(&path);
	buf_release(&before);
	buf_release(&after);
}

Test(e2e_store, a_scan_killed_while_writing_loses_nothing)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 10, 0, "leak");
	setenv("LEAKGATE_TEST_KILL_IN_STORE", "1", 1);
	r = LG(dir, NULL, "history", "--store", "-q");
	unsetenv("LEAKGATE_TEST_KILL_IN_STORE");
	cr_assert_eq(r.status, 128 + 9, "not killed: %d %s", r.status, r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "history", "--store", "-q");
	cr_assert_eq(r.status, 1, "the rerun skipped the killed run's work: %s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "stats");
	cr_assert(strstr(r.out, "secrets          1"), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_store, two_scans_of_one_store_at_once_both_complete)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;

	th_commit_token(dir, "a.txt", 11, 0, "leak");
	buf_addf(&cmd, "L='%s'; $L history --store -q & a=$!; "
		 "$L history --store -q & b=$!; wait $a; echo a=$?; wait $b; "
		 "echo b=$?", getenv("LEAKGATE_BIN"));
	r = th_sh(dir, cmd.ptr);
	cr_assert(strstr(r.out, "a=1") || strstr(r.out, "a=0"), "%s", r.out);
	cr_assert(strstr(r.out, "b=1") || strstr(r.out, "b=0"), "%s", r.out);
	cr_assert(strstr(r.out, "=1"), "neither scan reported the leak: %s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "store", "stats");
	cr_assert(strstr(r.out, "secrets          1"), "%s", r.out);
	th_run_release(&r);
	buf_release(&cmd);
}

Test(e2e_store, decoding_deeper_rescans_what_the_store_holds)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 12, 0, "leak");
	r = LG(dir, NULL, "history", "--store", "-q", "--max-decode-depth", "0");
	th_run_release(&r);
	r = LG(dir, NULL, "history", "--store", "--max-decode-depth", "2");
	cr_assert_eq(r.status, 1, "a deeper decode reused the shallow scan: %s", r.err);
	cr_assert_null(strstr(r.err, "already in the store"), "%s", r.err);
	th_run_release(&r);
}
