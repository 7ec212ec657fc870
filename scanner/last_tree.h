#ifndef LEAKGATE_LAST_TREE_H
#define LEAKGATE_LAST_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "dedup.h"
#include "tree_iter.h"

struct pack_object;

/*
 * The tree a walk last read at each directory path, kept so that the next
 * version of that directory costs what changed in it: commit after
 * commit, a directory changes in a few entries.  Holds a reference to
 * each tree and where its entries start, up to a budget of bytes; past
 * it, new paths are not kept (their trees are walked entry by entry).
 * One thread's: the references belong to its pack reader.
 */
struct last_tree {
	struct pack_object *tree;
	uint32_t *starts;	/* offset of each entry, in order */
	size_t n;
	void *note;		/* the walker's own, e.g. what it made of tree */
};

struct last_trees {
	struct dedup by_path;	/* hash of the path -> struct last_tree */
	size_t bytes, budget;
};

void last_trees_init(struct last_trees *lt, size_t budget);
void last_trees_release(struct last_trees *lt);

/* The tree last kept at path[0..len), or NULL. */
const struct last_tree *last_tree_get(const struct last_trees *lt,
				      const char *path, size_t len);

/*
 * Walking a tree against its directory's last version: runs of entries
 * both hold byte for byte, at the start, at the end or between two
 * changes, are passed over without being parsed, by comparing bytes and
 * looking up where the last version's entries start.
 */
struct tree_step {
	const struct last_tree *last;	/* NULL: every entry is parsed */
	const char *data;		/* the new tree */
	size_t len;
	struct tree_iter it, before;	/* in the new and the last version */
	size_t k;		/* the last version's entry at before */
	uint32_t *starts;	/* the new tree's, built as it goes */
	size_t n, alloc;
	/* The last run: the last version's bytes [run_old, +run_len) at run_new. */
	size_t run_old, run_new, run_len;
	int done;
};

enum tree_step_kind {
	TREE_STEP_END = 0,
	TREE_STEP_ENTRY = 1,	/* an entry, parsed */
	TREE_STEP_RUN = 2,	/* a run of shared entries, passed over */
};

/* Starts walking tree (len bytes at data) against last (may be NULL). */
void tree_step_begin(struct tree_step *s, const struct last_tree *last,
		    const void *data, size_t len);
/*
 * The next step: a run (see struct tree_step; a lone entry the last
 * version holds elsewhere, byte for byte, is a run of one), or an entry
 * *e the last version does not hold.  Returns an enum tree_step_kind, -1
 * when the tree is malformed, or LG_ERR_NOMEM.
 */
int tree_step_next(struct tree_step *s, struct tree_entry *e);
void tree_step_release(struct tree_step *s);

/*
 * Once tree_step_next() has returned 0: keeps the tree s walked (taking a
 * reference, and s's entry offsets) with note as path's last tree,
 * dropping the one before.  Returns 0 or LG_ERR_NOMEM.
 */
int last_tree_set(struct last_trees *lt, const char *path, size_t len,
		  struct pack_object *tree, struct tree_step *s, void *note);

#endif
