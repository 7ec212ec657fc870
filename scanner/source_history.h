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

struct lg_error;

#define HISTORY_BATCH 16384
/* Ids the walk just met, kept in front of its seen-sets (1 MiB each). */
#define HISTORY_RECENT_BITS 16
/*
 * Bytes of objects each reader keeps for the deltas that follow (for
 * trees: the walk's reader and each thread locating findings).
 */
#define HISTORY_TREE_CACHE ((size_t)16 << 20)
#define HISTORY_BLOB_CACHE ((size_t)24 << 20)

/*
 * Every blob reachable from the chosen refs (default: all refs and HEAD),
 * each read and scanned once, and every commit message.  Commits are
 * walked oldest first, so a blob is attributed to the first commit that
 * holds it (a merge commit too, when only its resolution introduced it);
 * a tree already walked is not walked again.
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
 * Reads the raw tree object id with reader r; fails (with err set) when it
 * is missing, corrupt or not a tree.  The caller puts *out.
 */
int source_history_tree(struct pack_reader *r, const git_oid *id,
			struct pack_object **out, struct lg_error *err);

/*
 * Parses --since: YYYY-MM-DD, an ISO-8601 date-time, or seconds since the
 * epoch.  Returns 0 or -1.
 */
int source_history_parse_date(const char *s, int64_t *out);

/*
 * After the scan: sets each finding's more_count (further commit/path
 * pairs holding its blob) and, with all_locations, the list itself.
 * Walks the trees again, in parallel, only when there are blob findings.
 */
int source_history_locate(struct source_history *src, struct finding_list *l,
			  struct lg_error *err);

#endif
