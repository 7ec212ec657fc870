/*
 * The server gate end to end: a bare repository with the pre-receive hook
 * that `leakgate hook install` writes, and pushes from a local clone.
 * Every object a push brings counts, whatever it hangs from: a ref to a
 * blob or a tree, an annotated tag, a commit or tag message.
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

	cr_assert(*bin, "LEAKGATE_BIN is not set (run through make check)");
	root = th_tmpdir();
	buf_addf(&work, "%s/work", root);
	buf_addf(&path_env, "PATH='%s':\"$PATH\"; export PATH; ", dirname(bin));
	free(bin);
	th_shf(root, "mkdir work && git init -q --bare remote.git");
	th_git_init(work.ptr);
}

static void teardown(void)
{
	th_rmtree(root);
	root = NULL;
	buf_release(&work);
	buf_release(&path_env);
}

TestSuite(e2e_receive, .init = setup, .fini = teardown, .timeout = 120);

/* Runs a command line in dir with leakgate on PATH. */
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

/* The same, asserting that the command succeeded. */
#define ok(dir, ...)                                                          \
	do {                                                                  \
		struct run_result ok_r = in(dir, __VA_ARGS__);                \
		cr_assert_eq(ok_r.status, 0, "failed: %s%s", ok_r.out,        \
			     ok_r.err);                                       \
		th_run_release(&ok_r);                                        \
	} while (0)

static const char *token(unsigned seed)
{
	return th_fake_token("ghp_", 30, seed, (int)(seed % 8));
}

/* The server with the hook, and a clean main already pushed. */
static void serve(void)
{
	ok(root, "leakgate hook install --repo remote.git >/dev/null && "
		 "git -C work remote add origin ../remote.git");
	th_write(work.ptr, "a.txt", "clean\n");
	th_git_commit(work.ptr, "clean");
	ok(work.ptr, "git push -q origin main");
}

/* Writes a blob holding $TOKEN to the work repository: its id in $b. */
#define BLOB "b=$(printf 'token = \"%s\"\\n' \"$TOKEN\" | " \
	     "git hash-object -w --stdin) && "

/* Ways to push a token past a gate that only diffs commits. */
static const struct walkaround {
	const char *what;
	const char *make;	/* makes the objects and a local ref */
	const char *push;	/* what `git push origin` is given */
	const char *check;	/* must not resolve on the server after */
} walkarounds[] = {
	{ "a ref to a blob", BLOB "git update-ref refs/leak/blob $b",
	  "refs/leak/blob", "refs/leak/blob" },
	{ "a ref to a tree",
	  BLOB "t=$(printf '100644 blob %s\\tcreds.txt\\n' $b | git mktree) "
	  "&& git update-ref refs/leak/tree $t", "refs/leak/tree",
	  "refs/leak/tree" },
	{ "an annotated tag on a blob", BLOB "git tag -a -m note tb $b",
	  "tb", "refs/tags/tb" },
	{ "a commit message",
	  "git commit -q --allow-empty -m \"token $TOKEN\"", "main",
	  "main^{/token}" },
	{ "an annotated tag's message",
	  "git tag -a -m \"token $TOKEN\" tm HEAD", "tm", "refs/tags/tm" },
};

#define N_WALKAROUNDS (sizeof(walkarounds) / sizeof(*walkarounds))

/* Makes walkaround i in the work repository with token 10 + i. */
static void make(size_t i)
{
	ok(work.ptr, "TOKEN=%s && %s", token(10 + (unsigned)i),
	   walkarounds[i].make);
}

Test(e2e_receive, no_walkaround_gets_a_token_past_the_gate)
{
	size_t i;

	serve();
	for (i = 0; i < N_WALKAROUNDS; i++) {
		const struct walkaround *w = &walkarounds[i];
		struct run_result r;

		make(i);
		r = in(work.ptr, "git push origin %s", w->push);
		cr_expect_neq(r.status, 0, "%s went through: %s", w->what,
			      r.err);
		cr_expect(strstr(r.err, "github-pat-classic") &&
				  strstr(r.err, "push rejected"),
			  "%s: %s", w->what, r.err);
		th_run_release(&r);
		r = in(root, "git -C remote.git rev-parse -q --verify '%s'",
		       w->check);
		cr_expect_neq(r.status, 0, "%s: the server has %s", w->what,
			      w->check);
		th_run_release(&r);
		if (!strcmp(w->push, "main"))
			ok(work.ptr, "git reset -q --hard origin/main");
	}
}

Test(e2e_receive, history_finds_what_hangs_from_refs_and_tags)
{
	struct run_result r;
	size_t i;

	th_write(work.ptr, "a.txt", "clean\n");
	th_git_commit(work.ptr, "clean");
	for (i = 0; i < N_WALKAROUNDS; i++)
		make(i);
	r = in(work.ptr, "leakgate history --show-secrets");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	for (i = 0; i < N_WALKAROUNDS; i++)
		cr_expect(strstr(r.out, token(10 + (unsigned)i)),
			  "%s is missed: %s", walkarounds[i].what, r.out);
	th_run_release(&r);
}

/* A leakgate whose range scan is killed by SIGKILL, as the OOM killer does. */
static void install_killed_leakgate(void)
{
	struct buf script = BUF_INIT;

	buf_addf(&script, "#!/bin/sh\n"
		 "[ \"$1\" = range ] && kill -KILL $$\n"
		 "exec '%s' \"$@\"\n", getenv("LEAKGATE_BIN"));
	th_write(root, "killed-leakgate", script.ptr);
	ok(root, "chmod +x killed-leakgate");
	buf_release(&script);
}

Test(e2e_receive, fail_open_never_opens_on_a_killed_scan)
{
	const char *budgets[] = { "", "LEAKGATE_TIMEOUT=300 " };
	size_t i;

	serve();
	install_killed_leakgate();
	th_write(work.ptr, "a.txt", "clean\nmore\n");
	th_git_commit(work.ptr, "more");
	for (i = 0; i < 2; i++) {
		struct run_result r = in(work.ptr,
			"LEAKGATE=\"$PWD/../killed-leakgate\" %s"
			"LEAKGATE_FAIL_OPEN=1 git push origin main", budgets[i]);
		cr_expect_neq(r.status, 0, "accepted with '%s': %s",
			      budgets[i], r.err);
		cr_expect(strstr(r.err, "scan failed") &&
				  !strstr(r.err, "budget"),
			  "%s", r.err);
		th_run_release(&r);
	}
}

/* A commit adding a token (seed) in leak.txt; its fingerprint, owned. */
static char *commit_leak(unsigned seed)
{
	struct run_result r;
	char *fp;

	ok(work.ptr, "printf 'token = \"%%s\"\\n' %s > leak.txt && "
	   "git add leak.txt && git commit -q -m leak", token(seed));
	r = in(work.ptr, "leakgate scan --format jsonl leak.txt | "
	       "grep -o '\"fingerprint\":\"[0-9a-f]*\"' | cut -d'\"' -f4");
	cr_assert_eq(strlen(r.out), 33, "%s%s", r.out, r.err);
	fp = r.out;
	fp[32] = '\0';
	r.out = NULL;
	th_run_release(&r);
	return fp;
}

Test(e2e_receive, pushed_ignores_count_only_when_the_server_trusts_them)
{
	struct run_result r;
	char *fp;

	serve();
	fp = commit_leak(30);
	ok(work.ptr, "echo %s > .leakgateignore && git add .leakgateignore && "
	   "git commit -q -m 'ignore it'", fp);
	r = in(work.ptr, "git push origin main");
	cr_expect_neq(r.status, 0, "an untrusted ignore file let it in: %s",
		      r.err);
	th_run_release(&r);
	ok(root, "git -C remote.git config leakgate.trustPushedIgnores true");
	ok(work.ptr, "git push -q origin main");
	free(fp);
}

Test(e2e_receive, a_bypass_with_a_reason_is_allowed_and_logged)
{
	struct run_result r;
	char *fp, *log;

	serve();
	ok(root, "git -C remote.git config receive.advertisePushOptions true");
	fp = commit_leak(31);
	r = in(work.ptr, "git push -o 'leakgate.bypass=test fixture, not a "
	       "secret' origin main");
	cr_expect_neq(r.status, 0, "bypassed without leakgate.allowBypass");
	cr_expect(strstr(r.err, "leakgate.allowBypass"), "%s", r.err);
	th_run_release(&r);
	ok(root, "git -C remote.git config leakgate.allowBypass true");
	r = in(work.ptr, "git push origin main");
	cr_expect_neq(r.status, 0, "accepted without a bypass: %s", r.err);
	th_run_release(&r);
	r = in(work.ptr, "git push -o 'leakgate.bypass=test fixture, not a "
	       "secret' origin main");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "audit log"), "%s", r.err);
	th_run_release(&r);
	r = in(root, "cat remote.git/leakgate-bypass.log");
	log = r.out;
	cr_expect_eq(th_count(log, "\n"), 1, "%s", log);
	cr_expect(strstr(log, "\tuser="), "%s", log);
	cr_expect(strstr(log, "\trefs=refs/heads/main\t"), "%s", log);
	cr_expect(strstr(log, fp), "the fingerprint is missing: %s", log);
	cr_expect(strstr(log, "\treason=test fixture, not a secret\n"), "%s",
		  log);
	cr_expect(!strstr(log, token(31)), "the secret is logged: %s", log);
	th_run_release(&r);
	free(fp);
}
