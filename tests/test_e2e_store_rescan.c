/*
 * Incremental history rescans with the findings store: a rescan walks
 * only the commits no earlier run walked, and the store then tells the
 * same as a store made by one full scan of the repository as it is now
 * (new commits, branches made, deleted or rewritten, other rules); a
 * secret no ref reaches any more says so.  Real binary, real repositories.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

#define LG(...) th_leakgate(dir, NULL, (const char *const[]){ __VA_ARGS__, NULL })

TH_REPO_SUITE(e2e_store_rescan, dir, .timeout = 120);

static void commit_plain(const char *rel, const char *text, const char *msg)
{
	th_write(dir, rel, text);
	th_git_commit(dir, msg);
}

/* Runs `history --store` (default store) and checks the commits it walked. */
static struct run_result rescan(unsigned walked, const char *const *more)
{
	const char *argv[12] = { "history", "--store", "-f", "json" };
	char want[64];
	struct run_result r;
	size_t n = 4;

	while (more && *more && n < 11)
		argv[n++] = *more++;
	r = th_leakgate(dir, NULL, argv);
	cr_assert(r.status == 0 || r.status == 1, "%s", r.err);
	snprintf(want, sizeof(want), ", %u commits walked", walked);
	cr_assert(strstr(r.err, want), "wanted '%s': %s", want, r.err);
	return r;
}

static json_t *parse(const struct run_result *r)
{
	json_t *doc = json_loads(r->out, 0, NULL);

	cr_assert(json_is_array(doc), "not a JSON array: %s / %s", r->out, r->err);
	return doc;
}

/* `report --store=STORE -f json` with extra options (rules). */
static json_t *report(const char *store, const char *rules)
{
	char opt[256];
	struct run_result r;
	json_t *doc;

	snprintf(opt, sizeof(opt), "--store=%s", store);
	r = rules ? LG("report", opt, "-f", "json", "--rules", rules)
		  : LG("report", opt, "-f", "json");
	doc = parse(&r);
	th_run_release(&r);
	return doc;
}

/* What one full scan into a new store says of the repository now. */
static json_t *fresh_report(const char *rules)
{
	struct run_result r;

	th_shf(dir, "rm -f .git/fresh.db .git/fresh.db-*");
	r = rules ? LG("history", "--store=.git/fresh.db", "-q", "--rules", rules)
		  : LG("history", "--store=.git/fresh.db", "-q");
	cr_assert(r.status == 0 || r.status == 1, "%s", r.err);
	th_run_release(&r);
	return report(".git/fresh.db", rules);
}

static const char *field(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The entries of doc whose secret a ref still reaches; *dropped: the others. */
static json_t *reachable_only(json_t *doc, size_t *dropped)
{
	json_t *out = json_array(), *f;
	size_t i;

	*dropped = 0;
	json_array_foreach(doc, i, f) {
		if (!strcmp(field(json_object_get(f, "lifecycle"), "reachable"), "false"))
			(*dropped)++;
		else
			json_array_append(out, f);
	}
	return out;
}

/* Sorted distinct "fingerprint path" lines of a report (caller frees). */
static char *pairs(json_t *doc)
{
	struct buf b = BUF_INIT;
	struct run_result r;
	char *out;
	json_t *f;
	size_t i;

	json_array_foreach(doc, i, f)
		buf_addf(&b, "%s %s\n", field(f, "fingerprint"), field(f, "path"));
	th_write(dir, ".git/pairs.txt", b.ptr ? b.ptr : "");
	r = th_sh(dir, "sort -u .git/pairs.txt");
	out = r.out;
	r.out = NULL;
	th_run_release(&r);
	buf_release(&b);
	return out;
}

static char *plain_pairs(const char *rules)
{
	struct run_result r = rules ? LG("history", "-f", "json", "--rules", rules)
				    : LG("history", "-f", "json");
	json_t *doc = parse(&r);
	char *p = pairs(doc);

	json_decref(doc);
	th_run_release(&r);
	return p;
}

/*
 * The default store's report equals a fresh full scan's, except secrets
 * no ref reaches (a fresh scan cannot see them): returns how many.  Its
 * secrets and paths equal those of a scan without any store.
 */
static size_t assert_as_full_scan(const char *rules)
{
	json_t *inc = report(".git/leakgate.db", rules), *fresh = fresh_report(rules);
	size_t dropped;
	json_t *live = reachable_only(inc, &dropped);
	char *a = json_dumps(live, JSON_INDENT(1) | JSON_SORT_KEYS);
	char *b = json_dumps(fresh, JSON_INDENT(1) | JSON_SORT_KEYS);
	char *p = pairs(live), *q = plain_pairs(rules);

	cr_assert(json_equal(live, fresh), "the rescanned store:\n%s\na full scan's:\n%s",
		  a, b);
	cr_assert_str_eq(p, q, "the store's secrets differ from a plain scan's");
	cr_assert(json_array_size(fresh) > 0, "the fixture found nothing");
	free(a);
	free(b);
	free(p);
	free(q);
	json_decref(live);
	json_decref(inc);
	json_decref(fresh);
	return dropped;
}

Test(e2e_store_rescan, walks_only_new_commits_and_finds_their_leak)
{
	struct run_result r;
	json_t *doc;
	int i;

	th_write(dir, "src/lib/b.c", "int b;\n");
	th_write(dir, "src/c.c", "int c;\n");
	th_commit_token(dir, "a.txt", 21, 0, "first leak");
	for (i = 0; i < 6; i++)
		commit_plain("src/lib/a.c", i % 2 ? "int one;\n" : "int two;\n",
			     "churn");
	r = rescan(7, NULL);
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
	r = rescan(0, NULL);
	cr_assert_eq(r.status, 0, "an unchanged history failed again: %s", r.out);
	th_run_release(&r);
	commit_plain("src/lib/a.c", "int three;\n", "more churn");
	th_commit_token(dir, "dir/b.txt", 22, 1, "second leak");
	r = rescan(2, NULL);
	cr_assert_eq(r.status, 1, "the new leak was missed: %s", r.err);
	/* Walked against the trees walked before: unchanged files not met. */
	cr_assert_null(strstr(r.err, "already in the store"), "%s", r.err);
	doc = parse(&r);
	cr_assert_eq(json_array_size(doc), 1, "%s", r.out);
	cr_assert_str_eq(field(json_array_get(doc, 0), "path"), "dir/b.txt");
	json_decref(doc);
	th_run_release(&r);
	cr_assert_eq(assert_as_full_scan(NULL), 0);
}

Test(e2e_store_rescan, a_removed_and_readded_secret_keeps_its_lifecycle_right)
{
	struct run_result r, head;
	json_t *doc, *life;

	th_commit_token(dir, "a.txt", 23, 0, "leak");
	commit_plain("b.txt", "plain\n", "other");
	r = rescan(2, NULL);
	th_run_release(&r);
	th_shf(dir, "git rm -q a.txt && git commit -q -m remove");
	head = th_sh(dir, "git rev-parse HEAD");
	head.out[strcspn(head.out, "\n")] = '\0';
	r = rescan(1, NULL);
	cr_assert_eq(r.status, 0, "a removal is no new leak: %s", r.out);
	th_run_release(&r);
	doc = report(".git/leakgate.db", NULL);
	life = json_object_get(json_array_get(doc, 0), "lifecycle");
	cr_assert_str_eq(field(life, "at_head"), "false", "%s", json_dumps(doc, 0));
	cr_assert_str_eq(field(life, "removed_in"), head.out);
	json_decref(doc);
	cr_assert_eq(assert_as_full_scan(NULL), 0);
	th_shf(dir, "git revert --no-edit HEAD >/dev/null");
	r = rescan(1, NULL);
	th_run_release(&r);
	doc = report(".git/leakgate.db", NULL);
	life = json_object_get(json_array_get(doc, 0), "lifecycle");
	cr_assert_str_eq(field(life, "at_head"), "true", "%s", json_dumps(doc, 0));
	json_decref(doc);
	cr_assert_eq(assert_as_full_scan(NULL), 0);
	th_run_release(&head);
}

Test(e2e_store_rescan, a_new_branch_costs_its_own_commits)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 24, 0, "leak");
	commit_plain("b.txt", "one\n", "two");
	commit_plain("b.txt", "two\n", "three");
	r = rescan(3, NULL);
	th_run_release(&r);
	th_shf(dir, "git checkout -q -b side HEAD~2");
	th_commit_token(dir, "side.txt", 25, 1, "side leak");
	th_shf(dir, "git checkout -q -");
	th_shf(dir, "git branch -q empty HEAD~1");
	r = rescan(1, NULL);
	cr_assert_eq(r.status, 1, "the branch's leak was missed: %s", r.err);
	cr_assert(strstr(r.out, "side.txt"), "%s", r.out);
	th_run_release(&r);
	cr_assert_eq(assert_as_full_scan(NULL), 0);
}

Test(e2e_store_rescan, a_deleted_branch_scanned_before_is_reported_unreachable)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 29, 0, "leak");
	th_shf(dir, "git checkout -q -b side");
	th_commit_token(dir, "side.txt", 30, 1, "side leak");
	th_shf(dir, "git checkout -q -");
	r = rescan(2, NULL);
	th_run_release(&r);
	th_shf(dir, "git branch -q -D side");
	commit_plain("b.txt", "after\n", "after");
	r = rescan(1, NULL);
	th_run_release(&r);
	cr_assert_eq(assert_as_full_scan(NULL), 1, "the deleted branch's secret");
}

Test(e2e_store_rescan, a_force_pushed_rewrite_is_walked_and_its_dropped_secret_unreachable)
{
	struct run_result r;

	th_commit_token(dir, "a.txt", 31, 0, "kept leak");
	th_commit_token(dir, "b.txt", 32, 1, "dropped leak");
	commit_plain("c.txt", "after\n", "after");
	r = rescan(3, NULL);
	th_run_release(&r);
	/* The rewrite: the leaking commit dropped, the one after replayed. */
	th_shf(dir, "git reset -q --hard HEAD~2");
	commit_plain("c.txt", "after\n", "after, rewritten");
	th_commit_token(dir, "d.txt", 33, 2, "rewrite leak");
	r = rescan(2, NULL);
	cr_assert_eq(r.status, 1, "the rewrite's leak was missed: %s", r.err);
	cr_assert(strstr(r.out, "d.txt") && !strstr(r.out, "b.txt"), "%s", r.out);
	th_run_release(&r);
	cr_assert_eq(assert_as_full_scan(NULL), 1, "the dropped commit's secret");
}

Test(e2e_store_rescan, other_rules_walk_everything_again)
{
	struct run_result r;
	const char *more[] = { "--rules", ".git/extra.yaml", NULL };

	th_write(dir, ".git/extra.yaml",
		 "rules:\n  - id: extra-marker\n    keywords: [MARKER]\n"
		 "    pattern: 'MARKER-([0-9]{6})'\n");
	th_commit_token(dir, "a.txt", 34, 0, "leak");
	commit_plain("m.txt", "MARKER-123456\n", "marker");
	r = rescan(2, NULL);
	th_run_release(&r);
	commit_plain("n.txt", "plain\n", "plain");
	r = rescan(3, more);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.out, "extra-marker"), "the new rule's findings: %s", r.out);
	th_run_release(&r);
	r = rescan(0, more);
	th_run_release(&r);
	r = rescan(1, NULL);
	th_run_release(&r);
	cr_assert_eq(assert_as_full_scan(".git/extra.yaml"), 0);
}

Test(e2e_store_rescan, a_partial_walk_marks_nothing_walked)
{
	struct run_result r;
	const char *since[] = { "--since", "2030-01-01", NULL };

	th_commit_token(dir, "a.txt", 35, 0, "leak");
	r = rescan(1, since);
	cr_assert_eq(r.status, 0, "--since passed the commit over: %s", r.out);
	th_run_release(&r);
	r = rescan(1, NULL);
	cr_assert_eq(r.status, 1, "the commit --since passed over: %s", r.err);
	th_run_release(&r);
}

Test(e2e_store_rescan, a_rescan_killed_while_writing_walks_its_commits_again)
{
	struct run_result r;

	commit_plain("a.txt", "plain\n", "first");
	r = rescan(1, NULL);
	th_run_release(&r);
	th_commit_token(dir, "b.txt", 36, 0, "leak");
	setenv("LEAKGATE_TEST_KILL_IN_STORE", "1", 1);
	r = LG("history", "--store", "-q");
	unsetenv("LEAKGATE_TEST_KILL_IN_STORE");
	cr_assert_eq(r.status, 128 + 9, "not killed: %d %s", r.status, r.err);
	th_run_release(&r);
	r = LG("store", "stats");
	cr_assert(strstr(r.out, "walked commits   1\n"), "%s", r.out);
	th_run_release(&r);
	r = rescan(1, NULL);
	cr_assert_eq(r.status, 1, "the killed run's commit was not walked again: %s",
		     r.err);
	th_run_release(&r);
	r = LG("store", "stats");
	cr_assert(strstr(r.out, "walked commits   2\n"), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_store_rescan, a_tag_message_is_scanned_once)
{
	struct run_result r;

	commit_plain("a.txt", "plain\n", "first");
	th_shf(dir, "git tag -a v1 -m 'release key %s'", th_fake_token("ghp_", 30, 37, 0));
	r = rescan(1, NULL);
	cr_assert_eq(r.status, 1, "the tag's leak was missed: %s", r.err);
	cr_assert(strstr(r.out, "tag message"), "%s", r.out);
	th_run_release(&r);
	r = rescan(0, NULL);
	cr_assert_eq(r.status, 0, "an old tag message failed the gate again: %s", r.out);
	th_run_release(&r);
	th_shf(dir, "git tag -a v2 -m 'other key %s'", th_fake_token("ghp_", 30, 38, 1));
	r = rescan(0, NULL);
	cr_assert_eq(r.status, 1, "the new tag's leak was missed: %s", r.err);
	cr_assert(strstr(r.out, "(v2)") && !strstr(r.out, "(v1)"), "%s", r.out);
	th_run_release(&r);
}
