#ifndef LEAKGATE_FILTER_H
#define LEAKGATE_FILTER_H

#include <stddef.h>

#include "finding.h"

struct config;
struct lg_error;

/*
 * The filter stage, between the collector and the reporter.  Findings are
 * named by their fingerprint (finding.h), never by their place, so every
 * decision here survives line moves, renames and rebases:
 *
 * - an ignore file (.leakgateignore at the repository root, or
 *   --ignore-file) drops findings, everywhere or only at paths that match
 *   a glob, until an optional expiry date;
 * - a baseline (an earlier JSON or JSON Lines report, redacted or not)
 *   marks the findings it already holds as FINDING_BASELINE;
 * - grouping folds every place of one secret into one finding;
 * - a project config's allowlists (config.h) drop secrets and places.
 *
 * Ignore file syntax, one entry per line, blank lines and lines starting
 * with '#' skipped:
 *
 *     FINGERPRINT [PATH-GLOB] [expires=YYYY-MM-DD] [# reason]
 *
 * PATH-GLOB is an fnmatch(3) glob without FNM_PATHNAME ('*' also matches
 * '/') over the path relative to the ignore root.  From the expiry date on
 * (UTC) an entry no longer suppresses anything.
 */

/* One line of an ignore file. */
struct ignore_entry {
	char fingerprint[FINGERPRINT_HEX + 1];	/* lower-case hex */
	char *glob;		/* NULL: every path */
	char expires[11];	/* "YYYY-MM-DD", or "" for never */
	int expired;		/* the date has come: suppresses nothing */
	char *reason;		/* the text after '#', or NULL */
	size_t line;		/* 1-based line in the file */
	size_t used;		/* findings or places suppressed this run */
};

struct filter {
	char *ignore_path;		/* the ignore file read, or NULL */
	struct ignore_entry *entries;	/* in file order */
	size_t n_entries;
	char *root;		/* absolute ignore root, or NULL */
	char (*baseline)[FINGERPRINT_HEX + 1];	/* sorted, lower-case */
	size_t n_baseline;
	struct config *config;	/* borrowed allowlists, or NULL */
	size_t dropped;		/* places filter_apply removed */
};

#define FILTER_INIT { NULL, NULL, 0, NULL, NULL, 0, NULL, 0 }

/*
 * The repository root whose .leakgateignore applies when a scan starts at
 * `start` (a file or a directory): the git work tree that encloses it, or,
 * outside any work tree (and for a bare repository), start itself (the
 * file's directory for a file).  *out is absolute and owned by the caller.
 */
int filter_ignore_root(char **out, const char *start, struct lg_error *err);

/*
 * Sets the ignore root to root (copied) and reads the ignore file: path,
 * which must exist, or, when path is NULL, root/.leakgateignore if there
 * is one.  Entries whose date has come (today, UTC) are marked expired.
 */
int filter_load_ignores(struct filter *f, const char *root, const char *path,
			struct lg_error *err);

/*
 * Adds the entries of ignore file text (named `path` in errors); today is
 * "YYYY-MM-DD".  A malformed line fails with LG_ERR_PARSE and a message
 * "path:line: what is wrong" that never repeats the line's text; f then
 * holds the entries of the lines before it.
 */
int filter_parse_ignores(struct filter *f, const char *path, const char *text,
			 size_t len, const char *today, struct lg_error *err);

/* Reads the fingerprints of the report at path as the baseline. */
int filter_load_baseline(struct filter *f, const char *path,
			 struct lg_error *err);

/*
 * Adds the fingerprints of report text (named `path` in errors): a JSON
 * array of findings, or JSON Lines with one finding per line.  Each
 * finding must carry a "fingerprint"; the rest is not read, so redacted
 * reports work.  An empty text is an empty baseline.
 */
int filter_parse_baseline(struct filter *f, const char *path, const char *text,
			  size_t len, struct lg_error *err);

/*
 * Applies the config's allowlists, the ignore entries (counting their
 * use) and the baseline to l,
 * in place and in order: suppressed findings are freed and removed,
 * findings in the baseline become FINDING_BASELINE and, with new_only,
 * are removed too.  An entry with a glob removes only the places it
 * covers; the finding goes when no listed place is left.
 */
void filter_apply(struct filter *f, struct finding_list *l, int new_only);

/*
 * Folds the findings of l that share a fingerprint into the first of them
 * (in list order): the others' places are appended to its `more` list and
 * counted in more_count.  Returns 0 or LG_ERR_NOMEM (l is then unchanged).
 */
int filter_group(struct finding_list *l, struct lg_error *err);

/* Drops (and frees) the findings of l whose confidence is below min. */
void filter_min_confidence(struct finding_list *l, enum confidence min);

/*
 * Folds the findings of l that share a fingerprint and a path (the
 * versions of one file that hold one secret) into the one from the
 * oldest commit: the others only add to its more_count, their places are
 * not listed.  Returns 0 or LG_ERR_NOMEM (l is then unchanged).
 */
int filter_fold(struct finding_list *l, struct lg_error *err);

void filter_release(struct filter *f);

#endif
