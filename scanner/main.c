#include <git2.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "run.h"
#include "banned.h"

struct command {
	const char *name;
	int (*fn)(const struct cli *c);
	/*
	 * Opens repositories through libgit2.  Its start-up (mbedTLS parsing
	 * the system's CA bundle) costs more than a small scan: the others
	 * never pay it.
	 */
	int uses_libgit2;
	/* Reads .leakgate.yaml: its defaults change c before the command runs. */
	int uses_config;
};

static const struct command commands[] = {
	{ "scan", cmd_scan, 0, 1 },
	{ "rules", cmd_rules, 0, 0 },
	{ "config", cmd_config, 0, 0 },
	{ "history", cmd_history, 1, 1 },
	{ "staged", cmd_staged, 1, 1 },
	{ "range", cmd_range, 1, 1 },
	{ "hook", cmd_hook, 1, 0 },
	{ "audit", cmd_audit, 1, 1 },
	{ "verify", cmd_verify, 0, 1 },
	{ "revoke", cmd_revoke, 0, 0 },
	{ "report", cmd_report, 1, 1 },
	{ "triage", cmd_triage, 1, 0 },
	{ "store", cmd_store, 1, 1 },
};

static void libgit2_setup(void)
{
	git_libgit2_init();
	/* Every object read would be SHA-1'd again: 2-3x slower, no safety gain here. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* leakgate only reads; it never runs what a repository configures. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int run_command(const struct command *cmd, struct cli *c)
{
	struct config cfg;
	int status = EXIT_ERROR;

	if (cmd->uses_config && run_config_load(c, &cfg)) {
		config_release(&cfg);
		return EXIT_ERROR;
	}
	if (cmd->uses_libgit2)
		libgit2_setup();
	status = cmd->fn(c);
	if (cmd->uses_libgit2)
		git_libgit2_shutdown();
	if (cmd->uses_config)
		config_release(&cfg);
	return status;
}

/*
 * Blobs come and go by the million: with glibc's defaults a large one is
 * an mmap of fresh pages, and freeing it hands the pages back (munmap,
 * or madvise for a thread's arena), so the next blob faults them in
 * again.  Kept in the heap instead, a history scan spends ~7% less time.
 */
static void malloc_setup(void)
{
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct cli c;
	int rc, status = EXIT_ERROR;

	malloc_setup();
	rc = cli_parse(&c, argc, argv);
	if (rc) {
		cli_release(&c);
		return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
	}
	if ((cmd = find_command(c.command)))
		status = run_command(cmd, &c);
	else
		fprintf(stderr, "leakgate: unknown command '%s' "
			"(try leakgate --help)\n", c.command);
	cli_release(&c);
	return status;
}
