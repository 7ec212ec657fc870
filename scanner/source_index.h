#ifndef LEAKGATE_SOURCE_INDEX_H
#define LEAKGATE_SOURCE_INDEX_H

#include <git2.h>

#include "source_diff.h"

struct lg_error;

/*
 * git's index file (versions 2 to 4), read for one purpose: what is staged
 * relative to a tree.  libgit2's own index takes tens of milliseconds to
 * load 50,000 entries and its tree-to-index diff reads every tree; this
 * reader only parses the entries and the cache-tree extension, which
 * records the tree id of every directory `git add` has not touched since,
 * so those directories are skipped without reading a single object.
 * Conflict stages and intent-to-add entries are not staged content and
 * are left out; a sparse index's directory entries are compared as trees;
 * a split index is merged with its shared index as git merges them.
 */
struct source_index;

/*
 * Reads the index file at path; a missing file is an empty index.  A
 * split index's shared file is looked for in gitdir (NULL: none), then
 * next to path, as git does.  Errors name the path and what is wrong.
 */
int source_index_read(struct source_index **out, const char *path,
		      const char *gitdir, struct lg_error *err);
void source_index_free(struct source_index *ix);

/*
 * Whether the index tracks path (relative to the work tree, no trailing
 * '/'): 1 when an entry is path itself or lies below it (a directory
 * holding tracked files), 0 when none does, LG_ERR_NOMEM.  git never
 * ignores a tracked file, whatever .gitignore says.  Conflict stages and
 * intent-to-add entries are not counted.
 */
int source_index_tracks(const struct source_index *ix, const char *path,
			size_t len);

/*
 * Adds to d every file the index changes relative to head (NULL: no
 * commit yet, so everything is added), including deletions.
 */
int source_index_diff(struct source_diff *d, const struct source_index *ix,
		      const git_tree *head, struct lg_error *err);

#endif
