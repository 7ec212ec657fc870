#ifndef LEAKGATE_CLI_H
#define LEAKGATE_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "rules.h"
#include "scan.h"

/* Exit statuses. */
#define EXIT_CLEAN 0
#define EXIT_FOUND 1
#define EXIT_ERROR 2

/* Every option of every command; a command reads the ones it knows. */
struct cli {
	const char *command;
	char **args;			/* positional arguments after the command */
	size_t n_args;

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

	/* audit */
	const char *home;
	const char *repos;
};

/*
 * Parses argv into c.  Returns 0, 1 when help or version was printed (exit
 * 0), or -1 after printing a one-line error to stderr (exit 2).
 */
int cli_parse(struct cli *c, int argc, char **argv);
void cli_release(struct cli *c);
void cli_usage(FILE *out);

#endif
