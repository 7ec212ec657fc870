#ifndef LEAKGATE_COMMIT_ORDER_H
#define LEAKGATE_COMMIT_ORDER_H

#include <git2.h>

#include "dedup.h"
#include "oid_list.h"

struct lg_error;
struct pack_reader;

struct ordered_commit {
	git_oid id;
	git_oid tree;
};

/*
 * Commits in an order where every parent comes before its children
 * (oldest first), built by a depth-first walk from tips.  Unlike
 * git_revwalk it carries on past parents that are not in the repository
 * (a shallow or partial clone, a corrupt object): those are counted in
 * `missing` and treated as absent.
 *
 * `done` (may be NULL) names commits an earlier walk covered with all
 * their ancestors (the findings store's): they are not added, and neither
 * is anything only they reach; those met as parents of added commits go
 * to `edge`, whose trees the new commits can be walked against.
 */
struct commit_order {
	struct pack_reader *reader;	/* borrowed */
	const struct dedup *done;	/* borrowed, may be NULL */
	struct dedup seen;
	struct ordered_commit *commits;
	size_t n, alloc;
	size_t missing;
	struct oid_list edge;
};

void commit_order_init(struct commit_order *co, struct pack_reader *reader);

/*
 * Appends every commit reachable from tips that is not already in the
 * order (nor in done, nor reached only through it).  Tips that are not
 * commits are skipped.  Returns 0 or
 * LG_ERR_NOMEM.
 */
int commit_order_add(struct commit_order *co, const git_oid *tips, size_t n,
		     struct lg_error *err);

void commit_order_release(struct commit_order *co);

struct location;

/*
 * Fills l's commit id, author, email and date from commit id in repo (the
 * id alone when the commit cannot be read).  Returns 0 or LG_ERR_NOMEM.
 */
int commit_provenance(struct location *l, git_repository *repo,
		      const git_oid *id);

#endif
