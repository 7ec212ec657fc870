#ifndef LEAKGATE_SOURCE_HISTORY_LOCATE_H
#define LEAKGATE_SOURCE_HISTORY_LOCATE_H

#include <stddef.h>

#include "commit_order.h"
#include "finding.h"
#include "pack_order.h"
#include "scan.h"

struct lg_error;

/* Ids a walk just met, kept in front of its seen-sets (1 MiB each). */
#define HISTORY_RECENT_BITS 16
/*
 * Bytes of objects each reader keeps for the deltas that follow (for
 * trees: the history walk's reader and each thread locating findings).
 */
#define HISTORY_TREE_CACHE ((size_t)16 << 20)

/* What finding further places needs of the history scan; all borrowed. */
struct history_locate {
	const struct commit_order *order;	/* the walk's commits */
	struct pack_order *packs;
	const char *repo_path;		/* where each thread's reader opens */
	unsigned threads;		/* 0: all cores */
	int all_locations;		/* list the places, not only count */
	int passed_over;		/* some commits were skipped (--since) */
	struct scan_source *source;	/* its annotate() fills provenance */
};

/*
 * After the scan: sets each finding's more_count (further commit/path
 * pairs holding its blob) and, with all_locations, the list itself (at
 * most FINDING_PLACES_MAX places per blob).  Walks the trees again, in
 * parallel, only when there are blob findings.
 */
int source_history_locate(const struct history_locate *in,
			  struct finding_list *l, struct lg_error *err);

#endif
