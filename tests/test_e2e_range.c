/* `leakgate range` end to end: commits of A..B, added lines, attribution. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

TH_REPO_SUITE(e2e_range, repo, .timeout = 300);

/* Runs a shell command in the repository and asserts it succeeded. */
#define sh(...) th_shf(repo, __VA_ARGS__)

static const char *token_line(unsigned seed)
{
	static char line[256];

	snprintf(line, sizeof(line), "token = \"%s\"\n",
		 th_fake_token("ghp_", 30, seed, 0));
	return line;
}

/* Appends a token line to path (in the repo). */
static void add_token(const char *path, unsigned seed)
{
	sh("printf '%%s' '%s' >> %s", token_line(seed), path);
}

/* The full id of rev; the caller frees it. */
static char *rev(const char *name)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;
	char *id;

	buf_addf(&cmd, "git rev-parse %s", name);
	r = th_sh(repo, cmd.ptr);
	cr_assert_eq(r.status, 0, "%s: %s", cmd.ptr, r.err);
	id = strndup(r.out, 40);
	th_run_release(&r);
	buf_release(&cmd);
	return id;
}

static struct run_result range(const char *spec, const char *input)
{
	const char *argv[] = { "range", spec, "--format", "json",
			       "--no-progress", NULL };
	return th_leakgate(repo, input, argv);
}

/*
 * Runs `leakgate range spec`, asserts its status, and returns the
 * findings as "path:line@commit" (12 hex digits) joined by spaces.
 */
static char *findings_of(const char *spec, const char *input, int want)
{
	struct run_result r = range(spec, input);
	struct buf out = BUF_INIT;
	json_error_t jerr;
	json_t *j, *f;
	size_t i;

	cr_assert_eq(r.status, want, "range %s: status %d, stderr: %s", spec,
		     r.status, r.err);
	j = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, r.out);
	json_array_foreach(j, i, f)
	{
		const char *commit =
			json_string_value(json_object_get(f, "commit"));
		buf_addf(&out, "%s%s:%lld@%.12s", i ? " " : "",
			 json_string_value(json_object_get(f, "path")),
			 (long long)json_integer_value(
				 json_object_get(f, "line")),
			 commit ? commit : "none");
	}
	json_decref(j);
	th_run_release(&r);
	return out.ptr ? buf_detach(&out) : strdup("");
}

static void expect_findings(const char *spec, const char *input, int want,
			    const char *expected)
{
	char *got = findings_of(spec, input, want);

	cr_expect_str_eq(got, expected, "range %s", spec);
	free(got);
}

/* "path:line@<first 12 of rev>" */
static char *at(const char *path_line, const char *revname)
{
	char *id = rev(revname);
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s@%.12s", path_line, id);
	free(id);
	return buf_detach(&b);
}

Test(e2e_range, attributes_each_token_to_the_commit_that_added_it)
{
	char *want;
	struct buf both = BUF_INIT;

	th_write(repo, "a.txt", "base\n");
	th_git_commit(repo, "base");
	add_token("a.txt", 1);
	th_git_commit(repo, "adds a token");
	sh("echo 'later, unrelated' >> a.txt");
	th_git_commit(repo, "touches the file again");
	add_token("b.txt", 2);
	th_git_commit(repo, "another token");
	want = at("a.txt:2", "HEAD~2");
	buf_adds(&both, want);
	free(want);
	want = at("b.txt:1", "HEAD");
	buf_addf(&both, " %s", want);
	free(want);
	expect_findings("HEAD~3..HEAD", NULL, 1, both.ptr);
	/* A..B leaves out what A already has. */
	want = at("b.txt:1", "HEAD");
	expect_findings("HEAD~2..HEAD", NULL, 1, want);
	free(want);
	/* "A.." means A..HEAD. */
	expect_findings("HEAD~1..", NULL, 1, strchr(both.ptr, ' ') + 1);
	buf_release(&both);
}

Test(e2e_range, single_commit_means_only_that_commit)
{
	char *want;

	th_write(repo, "a.txt", "base\n");
	th_git_commit(repo, "base");
	add_token("a.txt", 3);
	th_git_commit(repo, "token");
	sh("echo clean >> a.txt");
	th_git_commit(repo, "clean");
	expect_findings("HEAD", NULL, 0, "");
	want = at("a.txt:2", "HEAD~1");
	expect_findings("HEAD~1", NULL, 1, want);
	free(want);
}

Test(e2e_range, removing_a_token_adds_nothing)
{
	th_write(repo, "a.txt", token_line(4));
	th_git_commit(repo, "token");
	th_write(repo, "a.txt", "clean now\n");
	th_git_commit(repo, "removes it");
	sh("git mv a.txt b.txt");
	th_git_commit(repo, "renames");
	expect_findings("HEAD~2..HEAD", NULL, 0, "");
}

/*
 * main and side both edit the same line; the merge resolves the conflict
 * with a token neither parent had: the finding belongs to the merge.  A
 * token that came from side stays side's.
 */
Test(e2e_range, merge_resolution_is_attributed_to_the_merge)
{
	char *base, *want;
	struct buf expected = BUF_INIT, spec = BUF_INIT;

	th_write(repo, "conf.ini", "key = placeholder\n");
	th_git_commit(repo, "base");
	base = rev("HEAD");
	buf_addf(&spec, "%s..HEAD", base);
	sh("git checkout -q -b side");
	th_write(repo, "conf.ini", "key = from-side\n");
	add_token("side.txt", 5);
	th_git_commit(repo, "side");
	sh("git checkout -q main");
	th_write(repo, "conf.ini", "key = from-main\n");
	th_git_commit(repo, "main");
	sh("git merge -q side -m merge >/dev/null 2>&1; "
	   "printf '%%s' '%s' > conf.ini && git add conf.ini && "
	   "git commit -q --no-edit", token_line(6));
	want = at("conf.ini:1", "HEAD");
	buf_adds(&expected, want);
	free(want);
	want = at("side.txt:1", "side");
	buf_addf(&expected, " %s", want);
	free(want);
	expect_findings(spec.ptr, NULL, 1, expected.ptr);
	/* The merge alone: side's token is in a parent, so not added. */
	want = at("conf.ini:1", "HEAD");
	expect_findings("HEAD", NULL, 1, want);
	free(want);
	free(base);
	buf_release(&expected);
	buf_release(&spec);
}

Test(e2e_range, commits_from_standard_input)
{
	struct buf list = BUF_INIT;
	char *id, *want;

	th_write(repo, "a.txt", "base\n");
	th_git_commit(repo, "base");
	add_token("a.txt", 7);
	th_git_commit(repo, "token");
	th_git_commit(repo, "empty");
	id = rev("HEAD~1");
	buf_addf(&list, "%s\n\n", id);
	free(id);
	id = rev("HEAD");
	buf_addf(&list, "  %s  \n", id);
	free(id);
	want = at("a.txt:2", "HEAD~1");
	expect_findings("-", list.ptr, 1, want);
	free(want);
	expect_findings("-", "", 0, "");
	buf_release(&list);
}

static void expect_fetch_more(const char *spec)
{
	struct run_result r = range(spec, NULL);

	cr_expect_eq(r.status, 2, "range %s: status %d", spec, r.status);
	cr_expect(strstr(r.err, "fetch more history") &&
		  strstr(r.err, "git fetch --unshallow"), "stderr: %s", r.err);
	cr_expect_eq(th_count(r.err, "\n"), 1, "one line: %s", r.err);
	th_run_release(&r);
}

Test(e2e_range, missing_base_fails_and_says_to_fetch)
{
	th_write(repo, "a.txt", "base\n");
	th_git_commit(repo, "base");
	expect_fetch_more("0123456789abcdef0123456789abcdef01234567..HEAD");
	expect_fetch_more("HEAD~5..HEAD");
	expect_fetch_more("no-such-branch..HEAD");
}

Test(e2e_range, shallow_clone_scans_what_it_has_and_refuses_the_rest)
{
	char *origin = repo, *dir = th_tmpdir(), *want;
	struct buf clone = BUF_INIT;
	int i;

	for (i = 0; i < 4; i++) {
		sh("echo %d >> a.txt", i);
		th_git_commit(repo, "commit");
	}
	add_token("a.txt", 8);
	th_git_commit(repo, "token");
	buf_addf(&clone, "%s/c", dir);
	sh("git clone -q --depth 2 file://%s %s", origin, clone.ptr);
	repo = clone.ptr;
	/* HEAD~1 is where the clone's history stops: its parent is gone. */
	want = at("a.txt:5", "HEAD");
	expect_findings("HEAD~1..HEAD", NULL, 1, want);
	free(want);
	expect_fetch_more("HEAD~1");
	expect_fetch_more("HEAD~2..HEAD");
	repo = origin;
	buf_release(&clone);
	th_rmtree(dir);
}

Test(e2e_range, takes_exactly_one_argument)
{
	const char *argv[] = { "range", NULL };
	const char *argv3[] = { "range", "HEAD", "HEAD", NULL };
	struct run_result r = th_leakgate(repo, NULL, argv);

	cr_expect_eq(r.status, 2);
	th_run_release(&r);
	r = th_leakgate(repo, NULL, argv3);
	cr_expect_eq(r.status, 2);
	th_run_release(&r);
	r = range("HEAD...HEAD", NULL);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "A..B"), "stderr: %s", r.err);
	th_run_release(&r);
}
