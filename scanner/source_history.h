#ifndef LEAKGATE_SOURCE_HISTORY_H
#define LEAKGATE_SOURCE_HISTORY_H

#include <git2.h>
#include <stdint.h>

#include "commit_order.h"
#include "dedup.h"
#include "last_tree.h"
#include "oid_list.h"
#include "pack_order.h"
#include "pack_read.h"
#include "scan.h"
#include "source_history_locate.h"

struct lg_error;

#define HISTORY_BATCH 16384
#define HISTORY_BLOB_CACHE ((size_t)24 << 20)

/*
 * Every blob reachable from the chosen refs (default: all refs and HEAD),
 * each read and scanned once, and every commit message.  Commits are
 * walked oldest first, so a blob is attributed to the first commit that
 * holds it (a merge commit too, when only its resolution introduced it);
 * a tree already walked is not walked again.  With the findings store,
 * commits an earlier run walked are passed over (scan_options.walked),
 * and each new commit costs what it changes against the walked ones.
 */
struct source_history {
	struct scan_source base;	/* first: the pipeline sees this */
	const char *repo_path;
	const char *const *refs;	/* NULL: every ref */
	size_t n_refs;
	int64_t since;			/* skip commits older (0: none) */
	int unreachable;		/* also objects no ref reaches */
	int all_locations;		/* list every commit/path holding a blob */
	unsigned threads;		/* for finding other places (0: all cores) */
	size_t max_size;		/* blobs over it are not read (0: none) */

	git_repository *repo;		/* producer's handle */
	struct pack_reader reader;	/* the producer's, for trees */
	int shallow;
	struct commit_order order;	/* origin index -> commit id */
	struct dedup blobs, trees, messages;
	struct last_trees dirs;		/* each directory's last tree walked */
	struct buf path;		/* scratch while walking trees */
	int incomplete;			/* a commit, tree or ref could not be read */
	struct oid_list tags;		/* annotated tags followed */
	struct pack_order packs;
	/* Blobs found by the walk, waiting to be pushed in pack order. */
	struct scan_item *pending;	/* HISTORY_BATCH slots */
	size_t n_pending;
};

/* Opens the repository; fills err with a one-line reason on failure. */
int source_history_open(struct source_history *src, const char *repo_path,
			struct lg_error *err);
void source_history_release(struct source_history *src);

/*
 * Parses --since: YYYY-MM-DD, an ISO-8601 date-time, or seconds since the
 * epoch.  Returns 0 or -1.
 */
int source_history_parse_date(const char *s, int64_t *out);

#endif
