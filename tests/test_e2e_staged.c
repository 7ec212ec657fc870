/* `leakgate staged` end to end: the index against HEAD, added lines only. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

TH_REPO_SUITE(e2e_staged, repo, .timeout = 300);

/* Runs a shell command in the repository and asserts it succeeded. */
#define sh(...) th_shf(repo, __VA_ARGS__)

/* A line holding a fake token (valid checksum) made from seed. */
static const char *token_line(unsigned seed)
{
	static char line[256];

	snprintf(line, sizeof(line), "token = \"%s\"\n",
		 th_fake_token("ghp_", 30, seed, 0));
	return line;
}

static struct run_result staged(void)
{
	const char *argv[] = { "staged", "--format", "json", "--no-progress",
			       NULL };
	return th_leakgate(repo, NULL, argv);
}

/*
 * Runs `leakgate staged`, asserts its status, and returns the findings as
 * "path:line" joined by spaces, sorted (the report's order).
 */
static char *findings_of(int want_status)
{
	struct run_result r = staged();
	struct buf out = BUF_INIT;
	json_error_t jerr;
	json_t *j, *f;
	size_t i;

	cr_assert_eq(r.status, want_status, "status %d, stderr: %s", r.status,
		     r.err);
	j = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, r.out);
	json_array_foreach(j, i, f) {
		buf_addf(&out, "%s%s:%lld", i ? " " : "",
			 json_string_value(json_object_get(f, "path")),
			 (long long)json_integer_value(
				 json_object_get(f, "line")));
	}
	json_decref(j);
	th_run_release(&r);
	return out.ptr ? buf_detach(&out) : strdup("");
}

static void expect_findings(int want_status, const char *want)
{
	char *got = findings_of(want_status);

	cr_expect_str_eq(got, want);
	free(got);
}

Test(e2e_staged, first_commit_without_head)
{
	th_write(repo, "clean.txt", "nothing to see\n");
	sh("git add clean.txt");
	expect_findings(0, "");
	th_write(repo, "conf/app.ini", token_line(1));
	sh("git add conf/app.ini");
	expect_findings(1, "conf/app.ini:1");
}

Test(e2e_staged, only_added_lines_count)
{
	struct buf text = BUF_INIT;

	buf_addf(&text, "first\n%ssecond\n", token_line(2));
	th_write(repo, "a.txt", text.ptr);
	th_git_commit(repo, "old token, already committed");
	buf_adds(&text, "third\n");
	th_write(repo, "a.txt", text.ptr);
	sh("git add a.txt");
	expect_findings(0, "");	/* the old token's line is not added */
	buf_adds(&text, token_line(3));
	th_write(repo, "a.txt", text.ptr);
	sh("git add a.txt");
	expect_findings(1, "a.txt:5");
	buf_release(&text);
}

Test(e2e_staged, partially_staged_file_is_judged_by_the_index)
{
	th_write(repo, "a.txt", "one\n");
	th_git_commit(repo, "base");
	/* Staged: a clean line.  Work tree only: a token. */
	th_write(repo, "a.txt", "one\ntwo\n");
	sh("git add a.txt");
	sh("printf '%%s' '%s' >> a.txt", token_line(4));
	expect_findings(0, "");
	/* Staged: the token.  Work tree: removed again. */
	sh("git add a.txt && printf 'one\\ntwo\\n' > a.txt");
	expect_findings(1, "a.txt:3");
}

Test(e2e_staged, deleted_renamed_and_binary_files_add_nothing)
{
	struct buf text = BUF_INIT;
	int i;

	for (i = 0; i < 20; i++)
		buf_addf(&text, "line %d of a file long enough to be similar\n",
			 i);
	buf_adds(&text, token_line(5));
	th_write(repo, "old/name.txt", text.ptr);
	th_write(repo, "gone.txt", token_line(6));
	th_write(repo, "dir/deep/x.txt", token_line(7));
	th_git_commit(repo, "tokens committed earlier");
	sh("git rm -q gone.txt");
	sh("git mv old/name.txt new-name.txt");
	sh("git mv dir moved");
	expect_findings(0, "");
	/* A rename with an edit: only the edit is added. */
	sh("echo 'one more line' >> new-name.txt && git add new-name.txt");
	expect_findings(0, "");
	sh("printf 'bin\\000ary\\n%%s' '%s' > blob.bin && git add blob.bin",
	   token_line(8));
	expect_findings(0, "");
	buf_release(&text);
}

Test(e2e_staged, multi_line_key_matches_across_added_lines)
{
	struct buf pem = BUF_INIT;
	unsigned x = 12345;
	int line, i;

	th_write(repo, "key.pem", "# deploy key\n");
	th_git_commit(repo, "placeholder");
	buf_adds(&pem, "# deploy key\n-----BEGIN RSA PRIVATE KEY-----\n");
	for (line = 0; line < 6; line++) {
		for (i = 0; i < 64; i++) {
			x = x * 1103515245u + 12345u;
			buf_addch(&pem,
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/"[(x >> 16) % 64]);
		}
		buf_addch(&pem, '\n');
	}
	buf_adds(&pem, "-----END RSA PRIVATE KEY-----\n");
	th_write(repo, "key.pem", pem.ptr);
	sh("git add key.pem");
	expect_findings(1, "key.pem:2");
	buf_release(&pem);
}

/*
 * Many kinds of change at once, checked against what git itself says is
 * staged; with index version 4 (compressed paths) too.
 */
static void stage_many_changes(void)
{
	th_write(repo, "a/b/c/keep.txt", "keep\n");
	th_write(repo, "a/b/c/edit.txt", "edit\n");
	th_write(repo, "a/b/other.txt", "other\n");
	th_write(repo, "a/gone/x.txt", "x\n");
	th_write(repo, "a-b.txt", "sorts before a/ in git's order\n");
	th_write(repo, "file-then-dir", "a file first\n");
	th_write(repo, "z/untouched.txt", "z\n");
	th_git_commit(repo, "base");
	th_write(repo, "a/b/c/edit.txt", "edit\n");
	sh("printf '%%s' '%s' >> a/b/c/edit.txt", token_line(9));
	th_write(repo, "a/new/deeper/n.txt", token_line(10));
	th_write(repo, "a-b.txt", token_line(11));
	th_write(repo, "a0.txt", token_line(12));
	sh("rm -r a/gone && rm file-then-dir");
	th_write(repo, "file-then-dir/inside.txt", token_line(13));
	sh("git add -A");
}

Test(e2e_staged, agrees_with_git_on_a_mixed_change)
{
	const char *want = "a-b.txt:1 a/b/c/edit.txt:2 a/new/deeper/n.txt:1 "
			   "a0.txt:1 file-then-dir/inside.txt:1";
	struct run_result r;

	stage_many_changes();
	r = th_sh(repo, "git diff --cached --name-only --diff-filter=AM | "
		  "tr '\\n' ' '");
	cr_assert_str_eq(r.out, "a-b.txt a/b/c/edit.txt a/new/deeper/n.txt "
			 "a0.txt file-then-dir/inside.txt ");
	th_run_release(&r);
	expect_findings(1, want);
	sh("git update-index --index-version 4");
	expect_findings(1, want);
}

/*
 * Concluding a merge: what the merged branch brings was checked when it
 * was committed there; only what the resolution adds is new.
 */
Test(e2e_staged, merge_adds_only_what_no_parent_had)
{
	th_write(repo, "conf.ini", "key = placeholder\n");
	th_git_commit(repo, "base");
	sh("git checkout -q -b side");
	th_write(repo, "conf.ini", "key = from-side\n");
	th_write(repo, "side.txt", token_line(17));
	th_git_commit(repo, "side brings a token");
	sh("git checkout -q main");
	th_write(repo, "conf.ini", "key = from-main\n");
	th_git_commit(repo, "main");
	sh("git merge -q side >/dev/null 2>&1; test -f .git/MERGE_HEAD && "
	   "echo 'key = resolved' > conf.ini && git add conf.ini");
	expect_findings(0, "");
	th_write(repo, "conf.ini", token_line(18));
	sh("git add conf.ini");
	expect_findings(1, "conf.ini:1");
}

/* A sparse index holds whole directories as tree entries. */
Test(e2e_staged, sparse_index_directories_compare_as_trees)
{
	th_write(repo, "in/a.txt", "a\n");
	th_write(repo, "out/deep/b.txt", token_line(15));
	th_git_commit(repo, "base");
	sh("git sparse-checkout init --cone --sparse-index && "
	   "git sparse-checkout set in && "
	   "git ls-files --sparse | grep -qx out/");
	expect_findings(0, "");
	th_write(repo, "in/new.txt", token_line(16));
	sh("git add in/new.txt");
	expect_findings(1, "in/new.txt:1");
}

/*
 * A sparse directory whose tree differs from HEAD's: the files that differ
 * are found by comparing the trees.
 */
Test(e2e_staged, sparse_index_change_under_a_collapsed_directory)
{
	th_write(repo, "in/a.txt", "a\n");
	th_write(repo, "out/deep/b.txt", "b\n");
	th_git_commit(repo, "base");
	sh("git sparse-checkout init --cone --sparse-index && "
	   "git sparse-checkout set in");
	th_write(repo, "out/deep/new.txt", token_line(19));
	sh("git update-index --add --cacheinfo "
	   "100644,$(git hash-object -w out/deep/new.txt),out/deep/new.txt && "
	   "rm -r out && git sparse-checkout reapply && "
	   "git ls-files --sparse | grep -qx out/ && "
	   "git diff --cached --name-only | grep -qx out/deep/new.txt");
	expect_findings(1, "out/deep/new.txt:1");
}

/*
 * A split index (index version v): the shared index holds the entries of
 * the last split, the index itself the changes since, as bitmaps of the
 * shared entries it deletes and replaces plus the entries it adds.
 */
static void split_index_changes(int v)
{
	th_write(repo, "a.txt", "a\n");
	th_write(repo, "m/keep.txt", "keep\n");
	th_git_commit(repo, "base");
	sh("git config splitIndex.maxPercentChange 100 && "
	   "git update-index --index-version %d", v);
	th_write(repo, "m/dropped.txt", token_line(20));
	th_write(repo, "m/fixed.txt", token_line(21));
	th_write(repo, "z.txt", token_line(22));
	sh("git add -A && git update-index --split-index && "
	   "grep -q fixed.txt .git/sharedindex.*");
	expect_findings(1, "m/dropped.txt:1 m/fixed.txt:1 z.txt:1");
	/* Deleted and replaced in the index, not in the shared index. */
	th_write(repo, "m/fixed.txt", "clean\n");
	sh("git rm -q --cached m/dropped.txt && git add m/fixed.txt && "
	   "grep -q dropped.txt .git/sharedindex.* && "
	   "! grep -q dropped.txt .git/index");
	expect_findings(1, "z.txt:1");
	/* Added by the index itself, before and after the shared entries. */
	th_write(repo, "0.txt", token_line(23));
	th_write(repo, "m/late.txt", token_line(24));
	sh("printf '%%s' '%s' >> a.txt && git add 0.txt m/late.txt a.txt && "
	   "! grep -q late.txt .git/sharedindex.*", token_line(25));
	expect_findings(1, "0.txt:1 a.txt:2 m/late.txt:1 z.txt:1");
	sh("git rm -q --cached 0.txt m/late.txt z.txt && "
	   "git checkout HEAD a.txt");
	expect_findings(0, "");
	/* What `git commit -a` hands its hook: a temporary split index. */
	sh("printf '%%s' '%s' >> a.txt && cp .git/index .git/next-index && "
	   "GIT_INDEX_FILE=.git/next-index git add a.txt && "
	   "grep -q link .git/next-index", token_line(27));
	expect_findings(0, "");
	setenv("GIT_INDEX_FILE", ".git/next-index", 1);
	expect_findings(1, "a.txt:2");
	unsetenv("GIT_INDEX_FILE");
}

Test(e2e_staged, split_index_v2)
{
	split_index_changes(2);
}

Test(e2e_staged, split_index_v4)
{
	split_index_changes(4);
}

/* What cannot be read whole fails closed, naming the file. */
Test(e2e_staged, split_index_without_its_shared_index_is_an_error)
{
	struct run_result r;

	th_write(repo, "a.txt", "a\n");
	th_git_commit(repo, "base");
	sh("git update-index --split-index && rm .git/sharedindex.*");
	r = staged();
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "/.git/index: its shared index ") &&
			  strstr(r.err, "sharedindex.") &&
			  strstr(r.err, " is missing"),
		  "stderr: %s", r.err);
	th_run_release(&r);
}

/*
 * git requires readers to understand an extension whose name starts in
 * lower case; one that starts in upper case is an optional cache.
 */
Test(e2e_staged, unknown_required_index_extension_is_an_error)
{
	struct run_result r;

	th_write(repo, "a.txt", "a\n");
	th_git_commit(repo, "base");
	th_write(repo, "b.txt", token_line(26));
	sh("git add b.txt && cp .git/index ix && "
	   "{ head -c -20 ix; printf 'Zopt\\0\\0\\0\\1x'; tail -c 20 ix; } "
	   "> .git/index");
	expect_findings(1, "b.txt:1");
	sh("{ head -c -20 ix; printf 'abcd\\0\\0\\0\\0'; tail -c 20 ix; } "
	   "> .git/index");
	r = staged();
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "/.git/index: index extension 'abcd' is not "
			 "supported"),
		  "stderr: %s", r.err);
	th_run_release(&r);
}

Test(e2e_staged, git_commit_a_index_is_honoured)
{
	th_write(repo, "a.txt", "one\n");
	th_git_commit(repo, "base");
	sh("printf '%%s' '%s' >> a.txt", token_line(14));
	/* Not staged: the real index has nothing. */
	expect_findings(0, "");
	/* What `git commit -a` hands its hook: a temporary index. */
	sh("cp .git/index .git/next-index && "
	   "GIT_INDEX_FILE=.git/next-index git add a.txt");
	setenv("GIT_INDEX_FILE", ".git/next-index", 1);
	expect_findings(1, "a.txt:2");
	unsetenv("GIT_INDEX_FILE");
}

Test(e2e_staged, outside_a_repository_is_an_error)
{
	char *dir = th_tmpdir();
	const char *argv[] = { "staged", "--repo", dir, NULL };
	struct run_result r = th_leakgate(NULL, NULL, argv);

	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "not a git repository"), "stderr: %s", r.err);
	th_run_release(&r);
	th_rmtree(dir);
}
