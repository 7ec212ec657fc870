/*
 * examples/gate.sh, the generic CI gate, end to end on a local repository:
 * it runs `leakgate range BASE..HEAD`, fails on a new leak only, and
 * writes SARIF in every case.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"
#include "report_fixture.h"

static char *dir, *root;
static char base[41], leak[41], head[41];
static const char *token;

/* The commit id of rev in dir. */
static void rev_parse(const char *rev, char out[41])
{
	struct buf cmd = BUF_INIT;
	struct run_result r;

	buf_addf(&cmd, "git rev-parse %s", rev);
	r = th_sh(dir, cmd.ptr);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_geq(strlen(r.out), 40);
	memcpy(out, r.out, 40);
	out[40] = '\0';
	th_run_release(&r);
	buf_release(&cmd);
}

/* base: a clean commit; leak: adds a token; head: a clean change after. */
static void setup(void)
{
	struct buf b = BUF_INIT;

	dir = th_tmpdir();
	root = fx_source_root();
	th_git_init(dir);
	th_write(dir, ".gitignore", "/reports/\n");
	th_write(dir, "reports/.keep", "");
	th_write(dir, "README", "hello\n");
	th_git_commit(dir, "base");
	rev_parse("HEAD", base);
	token = th_fake_token("ghp_", 30, 31, 0);
	buf_addf(&b, "# deploy\nGITHUB_TOKEN=%s\n", token);
	th_write(dir, "deploy.env", b.ptr);
	th_git_commit(dir, "deploy settings");
	rev_parse("HEAD", leak);
	th_write(dir, "README", "hello again\n");
	th_git_commit(dir, "docs");
	rev_parse("HEAD", head);
	buf_release(&b);
}

static void teardown(void)
{
	th_rmtree(dir);
	free(root);
	dir = root = NULL;
}

TestSuite(e2e_gate, .init = setup, .fini = teardown, .timeout = 300);

/* Runs examples/gate.sh from[..]to in dir with extra environment. */
static struct run_result gate(const char *from, const char *to, const char *env)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;

	buf_addf(&cmd,
		 "LEAKGATE='%s' LEAKGATE_SARIF=reports/gate.sarif %s "
		 "sh '%s/examples/gate.sh' '%s' '%s'",
		 getenv("LEAKGATE_BIN"), env ? env : "", root, from, to);
	r = th_sh(dir, cmd.ptr);
	buf_release(&cmd);
	return r;
}

static char *read_report(const char *rel)
{
	struct buf path = BUF_INIT, text = BUF_INIT;

	buf_addf(&path, "%s/%s", dir, rel);
	cr_assert_eq(buf_read_file(&text, path.ptr, 0, NULL), 0, "no %s", rel);
	buf_release(&path);
	return buf_detach(&text);
}

Test(e2e_gate, new_leak_fails_with_redacted_findings_and_sarif)
{
	struct run_result r = gate(base, head, NULL);
	char *sarif;

	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "deploy.env:2:14"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "github-pat-classic"), "%s", r.err);
	cr_assert_null(strstr(r.err, token), "the gate printed the secret");
	cr_assert_null(strstr(r.out, token));
	sarif = read_report("reports/gate.sarif");
	cr_assert_not_null(strstr(sarif, "\"ruleId\": \"github-pat-classic\""));
	cr_assert_not_null(strstr(sarif, leak), "the adding commit is named");
	cr_assert_null(strstr(sarif, token));
	free(sarif);
	th_run_release(&r);
}

Test(e2e_gate, clean_range_passes_and_still_writes_sarif)
{
	struct run_result r = gate(leak, head, NULL);
	char *sarif;

	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "no new leak"), "%s", r.err);
	sarif = read_report("reports/gate.sarif");
	cr_assert_not_null(strstr(sarif, "\"results\": []"), "%s", sarif);
	free(sarif);
	th_run_release(&r);
}

Test(e2e_gate, baseline_lets_known_leaks_through_but_not_new_ones)
{
	struct buf range = BUF_INIT, b = BUF_INIT;
	struct run_result r;
	const char *second;
	char *sarif, newer[41];

	buf_addf(&range, "%s..%s", base, head);
	r = th_leakgate(
		dir, NULL,
		(const char *const[]){ "range", range.ptr, "-q", "-f", "json",
				       "-o", ".leakgate-baseline.json", NULL });
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_run_release(&r);
	th_git_commit(dir, "baseline of known findings");
	r = gate(base, head, NULL);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	sarif = read_report("reports/gate.sarif");
	cr_assert_not_null(strstr(sarif, "\"baselineState\": \"unchanged\""));
	free(sarif);
	th_run_release(&r);
	second = th_fake_token("ghp_", 30, 32, 1);
	buf_addf(&b, "token: %s\n", second);
	th_write(dir, "ci.yml", b.ptr);
	th_git_commit(dir, "ci");
	rev_parse("HEAD", newer);
	r = gate(base, newer, NULL);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "ci.yml:1:8"), "%s", r.err);
	cr_assert_null(strstr(r.err, "deploy.env"),
		       "known leaks are not listed");
	th_run_release(&r);
	buf_release(&range);
	buf_release(&b);
}

Test(e2e_gate, new_branch_starts_at_the_default_branch)
{
	struct run_result r;

	r = th_sh(dir, "git branch -f trunk HEAD~2");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = gate("0000000000000000000000000000000000000000", head,
		 "LEAKGATE_DEFAULT_BRANCH=trunk");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, base),
			   "scanned from the merge base: %s", r.err);
	th_run_release(&r);
}

Test(e2e_gate, missing_base_is_an_error_not_a_pass)
{
	struct run_result r =
		gate("1234567890123456789012345678901234567890", head, NULL);

	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.err, "leakgate failed"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_gate, sarif_passes_the_validators)
{
	struct run_result r = gate(base, head, NULL);
	struct buf cmd = BUF_INIT;

	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	th_run_release(&r);
	buf_addf(&cmd,
		 "sh '%s/tools/sarif-validator/validate.sh' "
		 "reports/gate.sarif",
		 root);
	r = th_sh(dir, cmd.ptr);
	if (r.status == 77)
		cr_skip_test("node is not installed, no SARIF validator: %s",
			     r.err);
	cr_assert_eq(r.status, 0, "validator said:\n%s\n%s", r.out, r.err);
	th_run_release(&r);
	buf_release(&cmd);
}
