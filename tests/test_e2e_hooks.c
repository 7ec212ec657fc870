/*
 * Hooks end to end with real git: the installed pre-commit and pre-push
 * hooks, the hooks/pre-receive script in a local bare remote, and the
 * pre-commit framework running leakgate through .pre-commit-hooks.yaml.
 * The hooks find leakgate on PATH, as they do once it is installed.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

static char *root;	/* holds work/ and remote.git/ */
static struct buf work = BUF_INIT, path_env = BUF_INIT;

static void setup(void)
{
	char *bin =
		strdup(getenv("LEAKGATE_BIN") ? getenv("LEAKGATE_BIN") : "");
	struct run_result r;

	cr_assert(*bin, "LEAKGATE_BIN is not set (run through make check)");
	root = th_tmpdir();
	buf_addf(&work, "%s/work", root);
	buf_addf(&path_env, "PATH='%s':\"$PATH\"; export PATH; ", dirname(bin));
	free(bin);
	r = th_sh(root, "mkdir work && git init -q --bare remote.git");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	th_git_init(work.ptr);
}

static void teardown(void)
{
	th_rmtree(root);
	root = NULL;
	buf_release(&work);
	buf_release(&path_env);
}

TestSuite(e2e_hooks, .init = setup, .fini = teardown);

/* Runs a command line in dir with leakgate on PATH; returns the result. */
static struct run_result in(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct run_result in(const char *dir, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;
	va_list ap;

	buf_adds(&cmd, path_env.ptr);
	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	r = th_sh(dir, cmd.ptr);
	buf_release(&cmd);
	return r;
}

/* The same, asserting the command succeeded. */
static void ok(const char *dir, const char *cmd)
{
	struct run_result r = in(dir, "%s", cmd);

	cr_assert_eq(r.status, 0, "%s failed: %s%s", cmd, r.out, r.err);
	th_run_release(&r);
}

static const char *token(unsigned seed)
{
	return th_fake_token("ghp_", 30, seed, 0);
}

/* Writes a token line to rel in the work tree. */
static void write_token(const char *rel, unsigned seed)
{
	struct buf line = BUF_INIT;

	buf_addf(&line, "token = \"%s\"\n", token(seed));
	th_write(work.ptr, rel, line.ptr);
	buf_release(&line);
}

static char *output_of(const char *dir, const char *cmd)
{
	struct run_result r = in(dir, "%s", cmd);
	char *out;

	cr_assert_eq(r.status, 0, "%s failed: %s", cmd, r.err);
	out = r.out;
	r.out = NULL;
	th_run_release(&r);
	return out;
}

static void expect_output(const char *dir, const char *cmd, const char *want)
{
	char *got = output_of(dir, cmd);

	cr_expect_str_eq(got, want, "%s", cmd);
	free(got);
}

/* A path under LEAKGATE_ROOT, the leakgate checkout. */
static char *in_checkout(const char *rel)
{
	const char *top = getenv("LEAKGATE_ROOT");
	struct buf b = BUF_INIT;

	cr_assert(top, "LEAKGATE_ROOT is not set (run through make check)");
	buf_addf(&b, "%s/%s", top, rel);
	return buf_detach(&b);
}

/* ---- pre-commit --------------------------------------------------------- */

Test(e2e_hooks, pre_commit_blocks_a_token_and_lets_clean_commits_through)
{
	struct run_result r;

	ok(work.ptr, "leakgate hook install");
	th_write(work.ptr, "README", "clean\n");
	ok(work.ptr, "git add README && git commit -q -m clean");
	write_token("deploy/config.ini", 1);
	r = in(work.ptr, "git add deploy && git commit -q -m leak");
	cr_expect_neq(r.status, 0, "the commit went through");
	cr_expect(strstr(r.err, "deploy/config.ini:1:"), "%s", r.err);
	cr_expect(strstr(r.err, "github-pat-classic"), "%s", r.err);
	cr_expect(!strstr(r.err, token(1)), "the secret is shown: %s", r.err);
	cr_expect(strstr(r.err, "leakgate:allow") &&
		  strstr(r.err, ".leakgateignore") &&
		  strstr(r.err, "git commit --no-verify"),
		  "no ways out: %s", r.err);
	th_run_release(&r);
	expect_output(work.ptr, "git rev-list --count HEAD", "1\n");
	ok(work.ptr, "git commit -q --no-verify -m 'on purpose'");
	expect_output(work.ptr, "git rev-list --count HEAD", "2\n");
}

Test(e2e_hooks, install_writes_what_hook_show_prints)
{
	char *shown, *installed, *wrapper = in_checkout("hooks/pre-commit");
	struct buf cmd = BUF_INIT;

	ok(work.ptr, "leakgate hook install --pre-commit --pre-push");
	shown = output_of(work.ptr, "leakgate hook show pre-push");
	installed = output_of(work.ptr, "cat .git/hooks/pre-push");
	cr_expect_str_eq(installed, shown);
	cr_expect(strstr(shown, " range - <"), "%s", shown);
	free(shown);
	free(installed);
	/* hooks/pre-commit in the checkout runs the same script. */
	buf_addf(&cmd, "test -x '%s' && grep -q 'hook show pre-commit' '%s'",
		 wrapper, wrapper);
	ok(work.ptr, cmd.ptr);
	free(wrapper);
	buf_release(&cmd);
}

Test(e2e_hooks, foreign_hooks_are_kept_unless_forced)
{
	struct run_result r;

	th_write(work.ptr, ".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
	r = in(work.ptr, "leakgate hook install");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "--force"), "%s", r.err);
	th_run_release(&r);
	expect_output(work.ptr, "cat .git/hooks/pre-commit",
		      "#!/bin/sh\necho mine\n");
	r = in(work.ptr, "leakgate hook install --force");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "kept as ") &&
		  strstr(r.out, "pre-commit.leakgate-backup"), "%s", r.out);
	th_run_release(&r);
	ok(work.ptr, "grep -q leakgate-hook: .git/hooks/pre-commit");
	expect_output(work.ptr, "cat .git/hooks/pre-commit.leakgate-backup",
		      "#!/bin/sh\necho mine\n");
	/* A second foreign hook never replaces the first one's backup. */
	th_write(work.ptr, ".git/hooks/pre-commit", "#!/bin/sh\necho two\n");
	r = in(work.ptr, "leakgate hook install --force");
	cr_expect_eq(r.status, 2, "%s", r.out);
	cr_expect(strstr(r.err, "leakgate-backup exists"), "%s", r.err);
	th_run_release(&r);
	expect_output(work.ptr, "cat .git/hooks/pre-commit", "#!/bin/sh\necho two\n");
	ok(work.ptr, "rm .git/hooks/pre-commit .git/hooks/pre-commit.leakgate-backup"
	   " && leakgate hook install");
	th_write(work.ptr, ".git/hooks/pre-push", "#!/bin/sh\necho mine\n");
	ok(work.ptr, "leakgate hook uninstall");
	ok(work.ptr, "test ! -e .git/hooks/pre-commit");
	expect_output(work.ptr, "cat .git/hooks/pre-push",
		      "#!/bin/sh\necho mine\n");
}

Test(e2e_hooks, core_hooks_path_is_honoured)
{
	struct run_result r;

	ok(work.ptr, "git config core.hooksPath .githooks");
	ok(work.ptr, "leakgate hook install");
	ok(work.ptr, "test -x .githooks/pre-commit && "
		     "test ! -e .git/hooks/pre-commit");
	write_token("a.txt", 2);
	r = in(work.ptr, "git add a.txt && git commit -q -m leak");
	cr_expect_neq(r.status, 0, "not blocked: %s", r.err);
	th_run_release(&r);
	ok(work.ptr,
	   "leakgate hook uninstall && test ! -e .githooks/pre-commit");
}

/* ---- pre-push ----------------------------------------------------------- */

Test(e2e_hooks, pre_push_blocks_a_token_in_any_pushed_commit)
{
	struct run_result r;
	char *pushed;

	ok(work.ptr, "git remote add origin ../remote.git && "
		     "leakgate hook install --pre-push");
	th_write(work.ptr, "a.txt", "clean\n");
	th_git_commit(work.ptr, "clean");
	ok(work.ptr, "git push -q origin main");
	/* The token is in the middle commit, not the tip. */
	write_token("b.txt", 3);
	th_git_commit(work.ptr, "leak");
	th_write(work.ptr, "a.txt", "clean\nmore\n");
	th_git_commit(work.ptr, "clean again");
	r = in(work.ptr, "git push -q origin main");
	cr_expect_neq(r.status, 0, "the push went through");
	cr_expect(strstr(r.err, "b.txt:1:") &&
			  strstr(r.err, "github-pat-classic"),
		  "%s", r.err);
	cr_expect(strstr(r.err, "git push --no-verify"), "%s", r.err);
	th_run_release(&r);
	pushed = output_of(work.ptr, "git rev-parse HEAD~2");
	expect_output(work.ptr, "git rev-parse origin/main", pushed);
	free(pushed);
	/* A new branch carrying the same commits is blocked too. */
	r = in(work.ptr, "git push -q origin main:refs/heads/other");
	cr_expect_neq(r.status, 0, "the new branch went through");
	th_run_release(&r);
	/* A new branch of clean commits goes through. */
	ok(work.ptr, "git checkout -q -b clean HEAD~2 && echo x >> a.txt && "
		     "git commit -q -am x && git push -q origin clean");
}

/* ---- pre-receive -------------------------------------------------------- */

static void install_pre_receive(void)
{
	char *script = in_checkout("hooks/pre-receive");
	struct buf cmd = BUF_INIT;

	buf_addf(&cmd, "cp '%s' remote.git/hooks/pre-receive && "
		 "git -C work remote add origin ../remote.git", script);
	ok(root, cmd.ptr);
	free(script);
	buf_release(&cmd);
}

Test(e2e_hooks, pre_receive_rejects_a_token_in_any_commit_of_a_push)
{
	struct run_result r;
	char *before;

	install_pre_receive();
	th_write(work.ptr, "a.txt", "clean\n");
	th_git_commit(work.ptr, "clean");
	ok(work.ptr, "git push -q origin main");
	before = output_of(root, "git -C remote.git rev-parse main");
	write_token("src/settings.py", 4);
	th_git_commit(work.ptr, "leak");
	th_write(work.ptr, "a.txt", "clean\nmore\n");
	th_git_commit(work.ptr, "tip is clean");
	r = in(work.ptr, "git push origin main");
	cr_expect_neq(r.status, 0, "the push was accepted");
	cr_expect(strstr(r.err, "remote: src/settings.py:1:") &&
		  strstr(r.err, "github-pat-classic") &&
		  strstr(r.err, "push rejected"), "%s", r.err);
	cr_expect(!strstr(r.err, token(4)), "the secret is shown: %s", r.err);
	th_run_release(&r);
	expect_output(root, "git -C remote.git rev-parse main", before);
	free(before);
	/* Without the leak, the same push is accepted. */
	ok(work.ptr, "git reset -q --hard HEAD~2 && echo ok >> a.txt && "
		     "git commit -q -am fine && git push -q origin main");
}

Test(e2e_hooks, bare_repository_gets_the_pre_receive_hook)
{
	char *shown, *installed;

	ok(root, "leakgate hook install --repo remote.git");
	shown = output_of(root, "leakgate hook show pre-receive");
	installed = output_of(root, "cat remote.git/hooks/pre-receive");
	cr_expect_str_eq(installed, shown);
	ok(root, "test ! -e remote.git/hooks/pre-commit");
	free(shown);
	free(installed);
}

/* A leakgate whose scan never ends, to spend the time budget. */
static void install_slow_leakgate(void)
{
	struct buf script = BUF_INIT;

	buf_addf(&script, "#!/bin/sh\n"
		 "[ \"$1\" = range ] && exec sleep 60\n"
		 "exec '%s' \"$@\"\n", getenv("LEAKGATE_BIN"));
	th_write(root, "slow-leakgate", script.ptr);
	ok(root, "chmod +x slow-leakgate");
	buf_release(&script);
}

Test(e2e_hooks, pre_receive_time_budget_fails_closed_or_open)
{
	struct run_result r;

	install_pre_receive();
	install_slow_leakgate();
	th_write(work.ptr, "a.txt", "clean\n");
	th_git_commit(work.ptr, "clean");
	r = in(work.ptr,
	       "LEAKGATE=\"$PWD/../slow-leakgate\" LEAKGATE_TIMEOUT=1 "
	       "git push origin main");
	cr_expect_neq(r.status, 0, "accepted although unscanned");
	cr_expect(strstr(r.err, "budget") &&
			  strstr(r.err, "LEAKGATE_FAIL_OPEN"),
		  "%s", r.err);
	th_run_release(&r);
	ok(work.ptr, "LEAKGATE=\"$PWD/../slow-leakgate\" LEAKGATE_TIMEOUT=1 "
		     "LEAKGATE_FAIL_OPEN=1 git push -q origin main");
}

/* ---- the pre-commit framework ------------------------------------------- */

/*
 * A clone only sees committed files, so the hook repository is a fresh
 * git repository holding a copy of the checkout's .pre-commit-hooks.yaml.
 */
Test(e2e_hooks, pre_commit_framework_runs_leakgate)
{
	char *yaml = in_checkout(".pre-commit-hooks.yaml");
	struct buf cmd = BUF_INIT;
	struct run_result r;
	char *rev;

	buf_addf(&cmd, "mkdir hookrepo && cd hookrepo && git init -q && "
		 "cp '%s' . && git add . && git -c user.name=T "
		 "-c user.email=t@example.com commit -q -m hooks", yaml);
	ok(root, cmd.ptr);
	rev = output_of(root, "git -C hookrepo rev-parse HEAD");
	buf_reset(&cmd);
	buf_addf(&cmd, "repos:\n- repo: %s/hookrepo\n  rev: %.40s\n"
		 "  hooks:\n  - id: leakgate\n", root, rev);
	th_write(work.ptr, ".pre-commit-config.yaml", cmd.ptr);
	ok(work.ptr, "export PRE_COMMIT_HOME=\"$PWD/../pc-home\" && "
		     "pre-commit install >/dev/null && "
		     "git add -A && git commit -q -m 'clean'");
	write_token("leak.txt", 5);
	r = in(work.ptr, "export PRE_COMMIT_HOME=\"$PWD/../pc-home\" && "
	       "git add leak.txt && git commit -q -m leak");
	cr_expect_neq(r.status, 0, "the framework let it through");
	cr_expect(strstr(r.out, "leak.txt:1:") || strstr(r.err, "leak.txt:1:"),
		  "%s%s", r.out, r.err);
	th_run_release(&r);
	expect_output(work.ptr, "git rev-list --count HEAD", "1\n");
	free(rev);
	free(yaml);
	buf_release(&cmd);
}
