#ifndef LEAKGATE_RUN_H
#define LEAKGATE_RUN_H

#include "cli.h"
#include "engine.h"
#include "filter.h"
#include "finding.h"
#include "rules.h"
#include "scan.h"
#include "store.h"

struct config;
struct forge;

/*
 * What every scanning command shares: loading rules, building the engine,
 * running a source through the pipeline, filtering, reporting, and turning
 * the result into an exit status.  Only the command layer (main.c, cmd_*.c,
 * run.c) prints to stderr.
 */
struct run {
	const struct cli *cli;
	struct rule_set rules;
	struct engine *engine;
	struct filter filter;	/* ignore file and baseline, loaded by run_init */
	volatile int stop;	/* set by SIGINT */
	/* --store: opened by run_scan; git_dir (set by git commands) holds the default file. */
	struct store store;
	int has_store;
	const char *git_dir;
	/* Set by the command after run_init; all may stay NULL or 0. */
	const struct forge *forge;	/* links to commits and lines */
	/* After the scan, before filtering: adds triage facts (at_head). */
	int (*triage)(struct finding_list *l, void *payload,
		      struct lg_error *err);
	void *triage_payload;
	int by_secret;		/* fold a secret's versions of a path (filter_fold) */
};

/*
 * Reads the project config into cfg (zeroed here): --config FILE, else
 * .leakgate.yaml at the repository root when there is one, none with
 * --no-config.  Sets c->config to cfg when one was read and applies its
 * option defaults to c.  Prints the error and returns -1 (a malformed
 * config is never ignored).  The caller releases cfg after the command.
 */
int run_config_load(struct cli *c, struct config *cfg);

/*
 * Loads the built-in rules, the config's rule files and the --rules
 * files, applies the config's rule edits, builds the engine and the
 * filter; prints the error and returns -1.
 */
int run_init(struct run *r, const struct cli *c);
void run_release(struct run *r);

/* Prints "leakgate: <msg>" on stderr. */
void run_error(const char *msg);

/*
 * Scans src, filters, writes the report, prints the summary line (what
 * names the unit: "files", "blobs").  Returns the exit status.
 */
int run_scan(struct run *r, struct scan_source *src, const char *what);

/*
 * Filters, reports and picks the exit status of findings already made
 * (for commands that do not scan through the pipeline, like audit).
 */
int run_report(struct run *r, struct finding_list *findings);

/* Writes l in the chosen format to stdout or -o; prints the error, returns -1. */
int run_write_report(struct run *r, const struct finding_list *l);

struct verify_options;
/* The verification options the command line asks for; prints the error, returns -1. */
int run_verify_options(const struct cli *c, struct verify_options *vo);

/* The process-wide run that SIGINT stops; set by run_init. */
void run_install_signal_handler(struct run *r);

#endif
