#ifndef LEAKGATE_LAST_TREE_H
#define LEAKGATE_LAST_TREE_H

#include <stddef.h>

#include "dedup.h"

struct pack_object;

/*
 * The tree a walk last read at each directory path, kept so that the next
 * version of that directory can be walked against it (tree_iter_match):
 * commit after commit, a directory changes in a few entries, and the
 * others need no look-up.  Holds a reference to each tree, up to a budget
 * of bytes; past it, new paths are not kept (the walk just looks up every
 * entry there).  One thread's: the references belong to its pack reader.
 */
struct last_tree {
	struct pack_object *tree;
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
 * Keeps tree (taking a reference) and note as path's last tree, dropping
 * the one before.  Returns 0 or LG_ERR_NOMEM.
 */
int last_tree_set(struct last_trees *lt, const char *path, size_t len,
		  struct pack_object *tree, void *note);

#endif
