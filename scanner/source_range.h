#ifndef LEAKGATE_SOURCE_RANGE_H
#define LEAKGATE_SOURCE_RANGE_H

#include <git2.h>

#include "dedup.h"
#include "oid_list.h"
#include "scan.h"

struct lg_error;

/*
 * Commits, each scanned for what it changes against its parents: only the
 * lines it adds count, and a finding names the commit that added it.  A
 * merge adds a line only when no parent had it, so what a conflict
 * resolution introduced is found and laid at the merge's door.  Every
 * commit's message is scanned too.  Tags, trees and blobs named directly
 * (what a push brings besides commits: a ref to a blob or a tree, an
 * annotated tag) count as well: each tag's message, and every such blob
 * that no commit's change holds, whole.  Files scanned carry their bytes,
 * so the workers need no repository handle.
 */
struct source_range {
	struct scan_source base;	/* first: the pipeline sees this */
	git_repository *repo;		/* producer's, then annotate's */
	struct oid_list commits;	/* origin index -> commit */
	struct oid_list tags, trees, blobs;	/* named directly */
	struct dedup seen;		/* every object above */
	struct dedup covered;		/* blobs some commit's change holds */
	struct dedup more;		/* blob -> places past the cap */
};

/*
 * Opens the repository at repo_dir (NULL: found the way git finds it,
 * honouring GIT_DIR and the object directories a pre-receive hook gets
 * while the pushed objects are in quarantine).
 */
int source_range_open(struct source_range *src, const char *repo_dir,
		      struct lg_error *err);
void source_range_release(struct source_range *src);

/*
 * Adds the commits of spec: "A..B" (what `git rev-list A..B` lists,
 * merges included; an empty side means HEAD) or a single commit "C"
 * (C^!: C alone).  A revision that is not in the repository, or history
 * cut short by a shallow clone, fails with a message saying to fetch more.
 */
int source_range_add_spec(struct source_range *src, const char *spec,
			  struct lg_error *err);

/*
 * Adds objects from text with one per line: the output of `git rev-list`,
 * or of `git rev-list --objects` ("<id>" or "<id> <path>": the id alone
 * counts).  A commit is added like a single commit spec; a tag, and what
 * it points at, in turn; a tree or a blob as itself.  Blank lines are
 * skipped.
 */
int source_range_add_list(struct source_range *src, const char *text,
			  size_t len, struct lg_error *err);

#endif
