#ifndef LEAKGATE_INDEX_TREE_H
#define LEAKGATE_INDEX_TREE_H

#include <git2.h>
#include <stddef.h>

/*
 * The index's cache-tree extension (TREE): the tree id of every directory
 * `git add` has not touched since the last tree was written, so a diff
 * against HEAD skips those directories without reading an object.
 */
struct index_tree {
	const char *name;	/* in the extension's bytes */
	size_t len;
	int valid;		/* id is the directory's tree id */
	git_oid id;
	struct index_tree *kids;	/* sorted by name */
	size_t n_kids;
};

/*
 * Parses the extension's len bytes at p (which must outlive the result:
 * names point into them).  NULL when they are damaged or memory runs
 * out: the cache tree only saves time, so the caller goes without.
 */
struct index_tree *index_tree_parse(const unsigned char *p, size_t len);
void index_tree_free(struct index_tree *t);

/* The subdirectory name[0..len) of t (NULL: none, or t is NULL). */
const struct index_tree *index_tree_kid(const struct index_tree *t,
					const char *name, size_t len);

#endif
