#ifndef LEAKGATE_SOURCE_STAGED_H
#define LEAKGATE_SOURCE_STAGED_H

#include <git2.h>

#include "scan.h"
#include "source_diff.h"

struct lg_error;

/*
 * What `git commit` would record: the index against HEAD (no HEAD yet:
 * everything staged; concluding a merge: against every MERGE_HEAD too,
 * so what the merged branch brings is not new).  Blobs come from the
 * object database, never the work tree, so `git add -p` is honoured.
 * Each changed file is scanned whole (a multi-line key still matches) but
 * only findings on the lines the change adds count; deleted files, pure
 * renames and binary files produce nothing.  Provenance is the path alone.
 */
struct source_staged {
	struct scan_source base;	/* first: the pipeline sees this */
	git_repository *repo;
	struct source_diff *changes;	/* against each parent-to-be */
	size_t n_changes;
};

/*
 * Opens the repository at repo_dir (NULL: found the way git finds it,
 * honouring GIT_INDEX_FILE, which `git commit -a` sets for its hooks) and
 * works out what is staged.  On error src is still safe to release.
 */
int source_staged_open(struct source_staged *src, const char *repo_dir,
		       struct lg_error *err);
/* How many files differ from HEAD: an upper bound on what is scanned. */
size_t source_staged_files(const struct source_staged *src);
void source_staged_release(struct source_staged *src);

#endif
