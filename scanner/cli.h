#ifndef LEAKGATE_CLI_H
#define LEAKGATE_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "confidence.h"
#include "rules.h"
#include "scan.h"

/* Exit statuses. */
#define EXIT_CLEAN 0
#define EXIT_FOUND 1
#define EXIT_ERROR 2

struct config;

/* Every option of every command; a command reads the ones it knows. */
struct cli {
	const char *command;
	uint64_t given;			/* options on the command line, by table index */
	int help;			/* --help: print the command's usage */
	char **args;			/* positional arguments after the command */
	size_t n_args;

	/* configuration */
	const char *config_file;	/* --config FILE */
	int no_config;
	struct config *config;		/* loaded by run_config_load, or NULL */

	/* rules */
	const char **rule_files;
	size_t n_rule_files;
	int no_builtin_rules;

	/* output */
	const char *format;
	const char *output;		/* -o FILE, NULL: stdout */
	int show_secrets;
	int color;			/* -1 auto, 0 never, 1 always */
	int exit_code;			/* status when there are findings */
	int fail_on_set;
	enum severity fail_on;
	enum confidence min_confidence;	/* findings below are dropped */
	int quiet;
	int no_progress;

	/* filters */
	const char *baseline;
	int new_only;
	const char *ignore_file;
	int report_stale_ignores;
	int group;

	/* scanning */
	unsigned threads;
	size_t max_file_size;
	int no_ignore;
	int respect_gitignore;
	unsigned max_decode_depth;	/* levels of encoded text decoded */
	unsigned max_archive_depth;	/* archives within archives opened */

	/* git */
	const char *repo;
	const char **refs;
	size_t n_refs;
	const char *since;
	int all_locations;
	int unreachable;

	/* hook */
	int pre_commit;
	int pre_push;
	int force;

	/* verification (opt-in: the only network use) */
	int verify;			/* --verify, or implied by the next three */
	int only_verified;
	int access_map;
	int fail_on_live;		/* --fail-on live */
	int yes;			/* revoke without asking */
	const char *rule_id;		/* verify --rule ID */
	const char *github_url;		/* GitHub Enterprise's API base */
	const char *ca_file;		/* CA bundle for verification */
	long verify_timeout;		/* seconds per exchange (0: default) */

	/* findings store */
	const char *store;		/* NULL: none; "": the default in the git dir */
	const char *status;		/* triage --status */
	const char *reason;		/* triage --reason */
	const char *export_file;	/* triage --export */
	const char *import_file;	/* triage --import */
	const char *purge_plan;		/* report --purge-plan */

	/* audit */
	const char *home;
	const char *repos;
};

/*
 * Parses argv into c.  Returns 0, 1 when help or version was printed (exit
 * 0), or -1 after printing a one-line error to stderr (exit 2): an unknown
 * option, a bad value, or an option the command does not take.
 */
int cli_parse(struct cli *c, int argc, char **argv);
void cli_release(struct cli *c);
/* The global usage, or with command set, that command's own. */
void cli_usage(FILE *out, const char *command);

/*
 * Sets option `name` (its long name) from a configuration file as if it
 * were on the command line, unless the command line gave it; value is
 * the option's argument, or "true"/"false" for a switch.  Options the
 * command does not take are left alone.  Only options meant for a
 * configuration file are accepted.  Returns 0, or -1 after printing
 * "leakgate: <where>: <name> ..." to stderr.
 */
int cli_set_default(struct cli *c, const char *name, const char *value,
		    const char *where);

#endif
