/* `leakgate history` end to end, on repositories built here with fixed dates. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

static char *repo;

static void setup(void)
{
	repo = th_tmpdir();
	th_git_init(repo);
}

static void teardown(void)
{
	th_rmtree(repo);
	repo = NULL;
}

/* Runs a shell command in the repository and asserts it succeeded. */
#define sh(...) th_shf(repo, __VA_ARGS__)

static struct run_result history(const char *dir, const char *extra1,
				 const char *extra2)
{
	const char *argv[] = { "history", "--repo", dir, "--format", "json",
			       "--no-progress", extra1, extra2, NULL };
	return th_leakgate(NULL, NULL, argv);
}

/* The findings of a JSON report; asserts it parses. */
static json_t *parse(const struct run_result *r)
{
	json_error_t jerr;
	json_t *j = json_loads(r->out, 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, r->out);
	cr_assert(json_is_array(j));
	return j;
}

static const char *field(json_t *finding, const char *key)
{
	json_t *v = json_object_get(finding, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static char *head_of(const char *rev)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;
	char *id;

	buf_addf(&cmd, "git rev-parse %s", rev);
	r = th_sh(repo, cmd.ptr);
	cr_assert_eq(r.status, 0);
	id = strndup(r.out, 40);
	th_run_release(&r);
	buf_release(&cmd);
	return id;
}

TestSuite(e2e_history, .init = setup, .fini = teardown);

Test(e2e_history, token_added_then_deleted_is_attributed_to_its_commit)
{
	const char *tok = th_fake_token("ghp_", 30, 11, 0);
	struct run_result r;
	char *added;
	json_t *j;

	sh("echo hello > README && git add -A && git commit -qm one");
	sh("printf 'a\\nb\\nGITHUB_TOKEN=%s\\n' > app.env && git add -A && "
	   "TH_DATE=2024-02-02T10:00:00Z git commit -qm add", tok);
	added = head_of("HEAD");
	sh("git rm -q app.env && git commit -qm remove");
	r = history(repo, NULL, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	j = parse(&r);
	cr_assert_eq(json_array_size(j), 1);
	cr_expect_str_eq(field(json_array_get(j, 0), "rule"), "github-pat-classic");
	cr_expect_str_eq(field(json_array_get(j, 0), "path"), "app.env");
	cr_expect_str_eq(field(json_array_get(j, 0), "commit"), added);
	cr_expect_str_eq(field(json_array_get(j, 0), "author"), "Test Author");
	cr_expect_str_eq(field(json_array_get(j, 0), "email"), "author@example.com");
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(j, 0), "line")), 3);
	cr_expect_null(strstr(r.out, tok), "secret not redacted");
	json_decref(j);
	free(added);
	th_run_release(&r);
}

Test(e2e_history, same_blob_in_100_commits_is_scanned_once)
{
	const char *tok = th_fake_token("ghp_", 30, 12, 0);
	struct run_result r;
	json_t *j;

	sh("echo 'token=%s' > keep.txt && git add -A && git commit -qm base", tok);
	sh("i=0; while [ $i -lt 100 ]; do echo $i > counter; git add counter; "
	   "git commit -qm c$i; i=$((i+1)); done");
	r = history(repo, NULL, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	/* keep.txt once, counter 100 times with 100 contents: 101 blobs. */
	cr_expect(strstr(r.err, "101 blobs and 101 commit messages scanned"),
		  "stats: %s", r.err);
	j = parse(&r);
	cr_assert_eq(json_array_size(j), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(j, 0),
							"more_locations")), 100);
	json_decref(j);
	th_run_release(&r);
}

Test(e2e_history, side_branch_tag_and_message_are_found)
{
	struct run_result r;

	sh("echo base > f && git add -A && git commit -qm base");
	sh("git checkout -qb side && echo 'k=%s' > side.txt && git add -A && "
	   "git commit -qm side && git checkout -q main", th_fake_token("ghp_", 30, 13, 0));
	sh("git checkout -q --detach && echo 'k=%s' > tagged.txt && git add -A && "
	   "git commit -qm tagged && git tag -a v1 -m v1 && git checkout -q main",
	   th_fake_token("gho_", 30, 14, 0));
	sh("git commit -q --allow-empty -m 'deploy with %s'", th_fake_token("ghp_", 30, 15, 0));
	r = history(repo, NULL, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "\"side.txt\""), "%s", r.out);
	cr_expect(strstr(r.out, "\"tagged.txt\""), "%s", r.out);
	cr_expect(strstr(r.out, "\"commit message\""), "%s", r.out);
	th_run_release(&r);

	{
		const char *argv[] = { "history", "--repo", repo, "--ref", "main",
				       "--format", "json", NULL };
		r = th_leakgate(NULL, NULL, argv);
		cr_expect_null(strstr(r.out, "side.txt"), "--ref main saw the side branch");
		cr_expect(strstr(r.out, "commit message"));
		th_run_release(&r);
	}
}

Test(e2e_history, other_secrets_in_a_subject_or_line_are_redacted_in_every_report)
{
	char msg_token[64], file_token[64];
	const char *formats[] = { "text", "json", "csv", "sarif", "junit" };
	struct run_result r;
	size_t i;

	snprintf(msg_token, sizeof(msg_token), "%s", th_fake_token("ghp_", 30, 16, 0));
	snprintf(file_token, sizeof(file_token), "%s", th_fake_token("ghp_", 30, 17, 1));
	/* One commit: a token in its subject, another in a file it adds. */
	sh("echo 'k=%s' > f.txt && git add -A && git commit -qm 'deploy %s %s'",
	   file_token, msg_token, file_token);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *argv[] = { "history", "--repo", repo, "--format",
				       formats[i], "--no-progress", NULL };
		r = th_leakgate(NULL, NULL, argv);
		cr_assert_eq(r.status, 1, "%s: %s", formats[i], r.err);
		/* JUnit shows no subject; the others must, redacted. */
		cr_expect(!strcmp(formats[i], "junit") || strstr(r.out, "deploy "),
			  "%s: no subject: %s", formats[i], r.out);
		cr_expect_null(strstr(r.out, msg_token), "%s: %s", formats[i], r.out);
		cr_expect_null(strstr(r.out, file_token), "%s: %s", formats[i], r.out);
		th_run_release(&r);
	}
}

Test(e2e_history, token_only_in_a_merge_resolution_is_attributed_to_the_merge)
{
	const char *tok = th_fake_token("ghp_", 30, 16, 0);
	struct run_result r;
	char *merge;
	json_t *j;

	sh("printf 'a\\n' > conf && git add -A && git commit -qm base");
	sh("git checkout -qb other && printf 'b\\n' > conf && git commit -qam other");
	sh("git checkout -q main && printf 'c\\n' > conf && git commit -qam mine");
	sh("git merge -q other -m merge >/dev/null 2>&1; printf 'token=%s\\n' > conf && "
	   "git add conf && git commit -qm 'merge other'", tok);
	merge = head_of("HEAD");
	r = history(repo, NULL, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	j = parse(&r);
	cr_assert_eq(json_array_size(j), 1, "%s", r.out);
	cr_expect_str_eq(field(json_array_get(j, 0), "commit"), merge);
	json_decref(j);
	free(merge);
	th_run_release(&r);
}

Test(e2e_history, unreachable_commit_only_with_flag)
{
	struct run_result r;

	sh("echo base > f && git add -A && git commit -qm base");
	sh("echo 'k=%s' > leaked.txt && git add -A && git commit -qm oops && "
	   "git reset -q --hard HEAD~1 && git reflog expire --expire=now --all",
	   th_fake_token("ghp_", 30, 17, 0));
	r = history(repo, NULL, NULL);
	cr_expect_eq(r.status, 0, "found without --unreachable: %s", r.out);
	th_run_release(&r);
	r = history(repo, "--unreachable", NULL);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "\"leaked.txt\""), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_history, bare_and_shallow_clones)
{
	struct buf dir = BUF_INIT;
	struct run_result r;

	sh("echo 'k=%s' > old.txt && git add -A && git commit -qm one",
	   th_fake_token("ghp_", 30, 18, 0));
	sh("git rm -q old.txt && git commit -qm two && echo x > y && git add y && "
	   "git commit -qm three");
	sh("git clone -q --bare . bare.git && git clone -q --depth 1 file://$PWD shallow");

	buf_addf(&dir, "%s/bare.git", repo);
	r = history(dir.ptr, NULL, NULL);
	cr_expect_eq(r.status, 1, "bare: %s", r.err);
	cr_expect(strstr(r.out, "old.txt"));
	th_run_release(&r);

	buf_reset(&dir);
	buf_addf(&dir, "%s/shallow", repo);
	r = history(dir.ptr, NULL, NULL);
	cr_expect_eq(r.status, 0, "shallow clone holds no token: %s %s", r.out, r.err);
	cr_expect(strstr(r.err, "shallow"), "no shallow note: %s", r.err);
	th_run_release(&r);
	buf_release(&dir);
}

Test(e2e_history, corrupt_object_is_reported_and_the_rest_scanned)
{
	struct run_result r;

	sh("echo 'k=%s' > good.txt && echo 'unique content' > bad.txt && git add -A && "
	   "git commit -qm one", th_fake_token("ghp_", 30, 19, 0));
	/* Loose objects: overwrite bad.txt's with garbage. */
	sh("f=.git/objects/$(git rev-parse HEAD:bad.txt | sed 's/^../&\\//'); "
	   "chmod u+w $f && printf 'garbage' > $f");
	r = history(repo, NULL, NULL);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "good.txt"), "%s", r.out);
	cr_expect(strstr(r.err, "bad.txt"), "corrupt blob not reported: %s", r.err);
	th_run_release(&r);
}

Test(e2e_history, not_a_repository_is_exit_2)
{
	char *dir = th_tmpdir();
	struct run_result r = history(dir, NULL, NULL);

	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "not a git repository"), "%s", r.err);
	th_run_release(&r);
	th_rmtree(dir);
}

Test(e2e_history, unknown_ref_is_exit_2)
{
	struct run_result r;

	sh("echo a > a && git add -A && git commit -qm one");
	r = history(repo, "--ref", "no-such-branch");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "no-such-branch"), "%s", r.err);
	th_run_release(&r);
}

/* Every place of every finding, as JSON lines, on this many threads. */
static struct run_result all_places(const char *threads)
{
	const char *argv[] = { "history", "--repo", repo, threads, "--format",
			       "jsonl", "--all-locations", NULL };

	return th_leakgate(NULL, NULL, argv);
}

Test(e2e_history, output_is_the_same_for_any_thread_count)
{
	struct run_result a, b;
	unsigned i;

	for (i = 0; i < 12; i++)
		sh("mkdir -p d%u && echo 'k=%s' > d%u/f && echo 'n=%s' > d%u/g && "
		   "git add -A && git commit -qm c%u", i % 3,
		   th_fake_token("ghp_", 30, 100 + i, 0), i % 3,
		   th_fake_token("gho_", 30, 200 + i, 1), i % 3, i);
	a = all_places("-j1");
	b = all_places("-j4");
	cr_assert_eq(a.status, 1, "%s", a.err);
	cr_expect_eq(th_count(a.out, "\n"), 24, "%s", a.out);
	cr_expect_str_eq(a.out, b.out);
	th_run_release(&a);
	th_run_release(&b);
}

/*
 * Long enough for other places to be found by several threads (each takes
 * a run of at least 2048 commits): their counts and lists must add up to
 * what one thread finds, in commit order.
 */
Test(e2e_history, other_places_found_in_parallel_add_up)
{
	struct run_result a, b;

	sh("awk -v tok='%s' 'BEGIN { s = \"token=\" tok \"\\n\";"
	   " for (i = 0; i < 5000; i++) {"
	   "  printf \"commit refs/heads/main\\ncommitter T <t@example.com> %%d +0000\\n"
	   "data 2\\nc\\n\", 1700000000 + i;"
	   "  if (i == 0 || i == 3000)"
	   "   printf \"M 100644 inline %%s\\ndata %%d\\n%%s\\n\","
	   "    i ? \"copy.txt\" : \"keep.txt\", length(s), s;"
	   "  c = i \"\\n\"; printf \"M 100644 inline counter\\ndata %%d\\n%%s\\n\","
	   "   length(c), c } }' | git fast-import --quiet",
	   th_fake_token("ghp_", 30, 77, 0));
	a = all_places("-j1");
	b = all_places("-j4");
	cr_assert_eq(a.status, 1, "%s", a.err);
	/* keep.txt in 5000 commits, copy.txt in the last 2000: 6999 more. */
	cr_expect(strstr(a.out, "\"more_locations\":6999"), "%.300s", a.out);
	/* Only the first 100 places are listed: all of them keep.txt. */
	cr_expect_eq(th_count(a.out, "\"path\":\"keep.txt\""), 100);
	cr_expect_eq(th_count(a.out, "\"path\":\"copy.txt\""), 0);
	cr_expect_str_eq(a.out, b.out);
	th_run_release(&a);
	th_run_release(&b);
}

/* Other places are looked for from the blob's first commit on, no later. */
Test(e2e_history, other_places_counted_from_the_first_commit_holding_the_blob)
{
	struct run_result r;
	json_t *j;

	sh("echo one > README && git add -A && git commit -qm one");
	sh("echo two >> README && git add -A && git commit -qm two");
	sh("echo 'token=%s' > a.txt && git add -A && git commit -qm add",
	   th_fake_token("ghp_", 30, 91, 0));
	sh("cp a.txt b.txt && git add -A && git commit -qm copy");
	r = history(repo, NULL, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	j = parse(&r);
	cr_assert_eq(json_array_size(j), 1);
	cr_expect_str_eq(field(json_array_get(j, 0), "path"), "a.txt");
	/* add:a.txt is the finding; copy:a.txt and copy:b.txt are more. */
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(j, 0),
							"more_locations")), 2);
	json_decref(j);
	th_run_release(&r);
}

/*
 * A directory is walked against its last version (entries both share are
 * passed over): a blob renamed, copied, dropped with its directory and
 * brought back must still be counted at each place, by both passes.
 */
Test(e2e_history, places_survive_renames_copies_and_returning_directories)
{
	struct run_result r, b;

	sh("mkdir d && echo 'token=%s' > d/a.txt && echo 1 > d/x && "
	   "git add -A && git commit -qm 1", th_fake_token("ghp_", 30, 61, 0));
	sh("echo 2 > d/x && git commit -qam 2");
	sh("git mv d/a.txt d/b.txt && echo 3 > d/x && git commit -qam 3");
	sh("mkdir e && cp d/b.txt e/b.txt && echo 4 > d/x && git add -A && "
	   "git commit -qm 4");
	sh("git rm -rq d && git commit -qm 5");
	sh("mkdir d && cp e/b.txt d/a.txt && git add -A && git commit -qm 6");
	r = all_places("-j1");
	b = all_places("-j4");
	cr_assert_eq(r.status, 1, "%s", r.err);
	/* 1: d/a; 2: d/a; 3: d/b; 4: d/b, e/b; 5: e/b; 6: d/a, e/b. */
	cr_expect(strstr(r.out, "\"more_locations\":7"), "%s", r.out);
	cr_expect_eq(th_count(r.out, "\"path\":\"d/a.txt\""), 3, "%s", r.out);
	cr_expect_eq(th_count(r.out, "\"path\":\"d/b.txt\""), 2, "%s", r.out);
	cr_expect_eq(th_count(r.out, "\"path\":\"e/b.txt\""), 3, "%s", r.out);
	cr_expect_str_eq(r.out, b.out);
	th_run_release(&r);
	th_run_release(&b);
}
