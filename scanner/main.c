#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "run.h"
#include "banned.h"

struct command {
	const char *name;
	int (*fn)(const struct cli *c);
};

static const struct command commands[] = {
	{ "scan", cmd_scan },
	{ "rules", cmd_rules },
	{ "history", cmd_history },
	{ "staged", cmd_staged },
	{ "range", cmd_range },
	{ "hook", cmd_hook },
	{ "audit", cmd_audit },
};

static void libgit2_setup(void)
{
	git_libgit2_init();
	/* Every object read would be SHA-1'd again: 2-3x slower, no safety gain here. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* leakgate only reads; it never runs what a repository configures. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

int main(int argc, char **argv)
{
	struct cli c;
	size_t i;
	int rc, status = EXIT_ERROR;

	rc = cli_parse(&c, argc, argv);
	if (rc)
		return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
	libgit2_setup();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, c.command))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		fprintf(stderr, "leakgate: unknown command '%s' (try leakgate --help)\n",
			c.command);
	else
		status = commands[i].fn(&c);
	git_libgit2_shutdown();
	cli_release(&c);
	return status;
}
