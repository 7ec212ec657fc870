/*
 * The command line itself: per-command help, options a command does not
 * take, and the man page and shell completions kept in step with it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

TH_DIR_SUITE(e2e_cli, dir, .timeout = 60);

static const char *const commands[] = {
	"scan", "history", "staged", "range", "audit", "rules", "hook", "config",
	"verify", "revoke", "report", "triage", "store",
};

Test(e2e_cli, each_command_has_its_own_help)
{
	struct run_result r = TH_LG(dir, "scan", "--help");

	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: leakgate scan"), "%s", r.out);
	cr_expect(strstr(r.out, "--respect-gitignore"), "%s", r.out);
	cr_expect(!strstr(r.out, "--since"), "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "history", "-h");
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: leakgate history"), "%s", r.out);
	cr_expect(strstr(r.out, "--since DATE"), "%s", r.out);
	cr_expect(!strstr(r.out, "--respect-gitignore"), "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "--help");
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "config    validate"), "%s", r.out);
	th_run_release(&r);
}

/* Options that exist, given to a command that does not read them. */
static const char *const misfits[][4] = {
	{ "scan", "--since", "2020-01-01", "scan does not take --since" },
	{ "scan", "--ref", "main", "scan does not take --ref" },
	{ "staged", "--home", "/tmp", "staged does not take --home" },
	{ "hook", "--format", "json", "hook does not take --format" },
	{ "audit", "--threads", "2", "audit does not take --threads" },
	{ "history", "--respect-gitignore", NULL, "history does not take" },
};

Test(e2e_cli, an_option_the_command_does_not_take_is_an_error)
{
	size_t i;

	for (i = 0; i < sizeof(misfits) / sizeof(misfits[0]); i++) {
		struct run_result r = TH_LG(dir, misfits[i][0], misfits[i][1],
					 misfits[i][2]);

		cr_expect_eq(r.status, 2, "%s %s: %d", misfits[i][0],
			     misfits[i][1], r.status);
		cr_expect(strstr(r.err, misfits[i][3]), "%s", r.err);
		th_run_release(&r);
	}
}

/* Every option some command's --help lists is in the man page. */
Test(e2e_cli, the_man_page_documents_every_option)
{
	struct buf path = BUF_INIT, man = BUF_INIT, want = BUF_INIT;
	size_t i;

	cr_assert_not_null(getenv("LEAKGATE_ROOT"));
	buf_addf(&path, "%s/doc/leakgate.1.scd", getenv("LEAKGATE_ROOT"));
	cr_assert_eq(buf_read_file(&man, path.ptr, 0, NULL), 0);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		struct run_result r = TH_LG(dir, commands[i], "--help");
		const char *p = r.out;

		while ((p = strstr(p, "--"))) {
			size_t n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

			buf_reset(&want);
			buf_addf(&want, "*%.*s*", (int)n, p);
			cr_expect(strstr(man.ptr, want.ptr), "%s: %s is not in "
				  "the man page", commands[i], want.ptr);
			p += n;
		}
		th_run_release(&r);
	}
	buf_release(&path);
	buf_release(&man);
	buf_release(&want);
}

Test(e2e_cli, bash_completion_offers_the_command_options)
{
	const char *bin = getenv("LEAKGATE_BIN");
	struct buf cmd = BUF_INIT;
	struct run_result r;
	char *bindir;

	cr_assert_not_null(bin);
	bindir = strndup(bin, (size_t)(strrchr(bin, '/') - bin));
	buf_addf(&cmd, "PATH='%s':$PATH bash -c '. \"%s/completions/leakgate."
		 "bash\"; COMP_WORDS=(leakgate scan --resp); COMP_CWORD=2; "
		 "_leakgate; echo \"${COMPREPLY[*]}\"; COMP_WORDS=(leakgate "
		 "history --resp); _leakgate; echo \"[${COMPREPLY[*]}]\"'",
		 bindir, getenv("LEAKGATE_ROOT"));
	r = th_sh(dir, cmd.ptr);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "--respect-gitignore\n[]\n");
	th_run_release(&r);
	buf_release(&cmd);
	free(bindir);
}
