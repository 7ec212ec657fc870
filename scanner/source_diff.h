#ifndef LEAKGATE_SOURCE_DIFF_H
#define LEAKGATE_SOURCE_DIFF_H

#include <git2.h>

#include "buf.h"
#include "dedup.h"
#include "scan.h"

struct lg_error;

/*
 * What the `staged` and `range` sources share: the files that changed
 * between two trees (or a tree and the index), rename pairing, and turning
 * a changed file into a scan item whose findings count only on the lines
 * the change adds.  Only regular files count: symbolic links and
 * submodules carry no file content to scan.
 */
enum source_diff_kind {
	SOURCE_DIFF_ADDED = 0,
	SOURCE_DIFF_MODIFIED,
	SOURCE_DIFF_DELETED,
};

struct source_diff_change {
	char *path;		/* the first path found */
	enum source_diff_kind kind;
	git_oid old_id;		/* MODIFIED, DELETED */
	git_oid new_id;		/* ADDED, MODIFIED */
	size_t walk;		/* the subtree walk that found it (0: none) */
	/*
	 * Paths holding this change: 1, or more when a pair of subtrees the
	 * diff met again holds it (set by source_diff_renames).
	 */
	uint64_t places;
};

/* A pair of subtrees met while diffing, in the walk of another (0: top). */
struct source_diff_visit {
	size_t walk, within;
};

/*
 * A pair of subtrees (old, new) met again in one diff holds the same
 * changes at other paths: it is not walked again, its places are counted.
 * A tree that holds one subtree ten times over ten levels (a "git bomb":
 * 10^10 paths in a dozen objects) costs its size, not its paths.
 */
struct source_diff {
	git_repository *repo;	/* borrowed */
	struct source_diff_change *items;
	size_t n, alloc;
	struct buf dir;		/* while walking: the directory + '/' */
	struct dedup walked;	/* (old, new) pair -> its walk's number */
	struct source_diff_visit *visits;
	size_t n_visits, alloc_visits;
	size_t n_walks;		/* walks numbered from 1 */
	size_t walk;		/* the walk under way (0: the top) */
};

/* Changes of one blob kept (scanned, reported) per diff; the rest counted. */
#define SOURCE_DIFF_PLACES_MAX FINDING_PLACES_MAX

/* Starts an empty change list over repo (borrowed; must outlive d). */
void source_diff_init(struct source_diff *d, git_repository *repo);
void source_diff_release(struct source_diff *d);

/*
 * Opens the repository at dir; with dir NULL, finds it from the current
 * directory the way git does, honouring GIT_DIR, GIT_INDEX_FILE,
 * GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES (a hook run by
 * `git commit -a` or by receive-pack during a quarantined push sees the
 * objects and index git means; under `git --work-tree`, GIT_DIR alone).
 * Errors name dir.
 */
int source_diff_open_repo(git_repository **out, const char *dir,
			  struct lg_error *err);

/*
 * Orders two directory entries the way git sorts trees and the index:
 * bytewise, a directory's name compared as if it ended in '/'.
 */
int source_diff_name_cmp(const char *a, size_t alen, int adir,
			 const char *b, size_t blen, int bdir);

/*
 * Records a change of the file `name` (len bytes) in d->dir when mode
 * (the new side's, or the old side's for a deletion) is a regular file.
 * Returns 0 or LG_ERR_NOMEM.
 */
int source_diff_add(struct source_diff *d, enum source_diff_kind kind,
		    const char *name, size_t len, git_filemode_t mode,
		    const git_oid *old_id, const git_oid *new_id);

/*
 * Adds every change from old to new (either may be NULL: empty), which
 * are directories at d->dir.  Subtrees with the same id on both sides are
 * skipped unread, so the cost follows the size of the change, not of the
 * tree.
 */
int source_diff_trees(struct source_diff *d, const git_tree *old,
		      const git_tree *new, struct lg_error *err);

/*
 * Adds the changes between the trees old_id and new_id (either may be
 * NULL: empty) found at d->dir + name.
 */
int source_diff_subtree(struct source_diff *d, const char *name, size_t len,
			const git_oid *old_id, const git_oid *new_id,
			struct lg_error *err);

/* Adds old (a file or a whole tree at d->dir) as deleted. */
int source_diff_removed(struct source_diff *d, const git_tree_entry *old,
			struct lg_error *err);

/*
 * Sets each change's places, then pairs deletions with additions the way
 * `git diff -M` does: an added file whose content a deleted file had (a
 * pure rename or a copy) adds nothing and is dropped; one at least 50%
 * similar to a deleted file becomes a modification of it.  Then drops the
 * deletions and sorts the rest by path.
 */
int source_diff_renames(struct source_diff *d, struct lg_error *err);

/* The change at path (after source_diff_renames), or NULL. */
const struct source_diff_change *
source_diff_find(const struct source_diff *d, const char *path);

/*
 * Pushes, as scan items with the blob's bytes, the files of diffs[0] that
 * every other diffs[k] changed too: diffs[k] holds the changes from
 * parent k (after source_diff_renames), and a file the same as in some
 * parent adds nothing.  Only the lines added relative to every parent
 * count, so a merge adds what no parent had.  A blob that cannot be read,
 * is binary or over the size cap is counted and skipped.  At most
 * SOURCE_DIFF_PLACES_MAX changes of one blob are pushed; the places of
 * the rest are added to more (NULL: not counted), a map from blob id to
 * a count held in the value pointer (uintptr_t).  Returns 0, 1 when the
 * scan is stopping, or a negative error.
 */
int source_diff_push_all(struct scan_queue *q, const struct source_diff *diffs,
			 size_t n, size_t origin, struct dedup *more,
			 struct lg_error *err);

/*
 * Pushes the blob id at path whole (every line counts), or counts and
 * skips it like source_diff_push_all().  Returns like it.
 */
int source_diff_push_blob(struct scan_queue *q, git_repository *repo,
			  const char *path, const git_oid *id, size_t origin,
			  struct lg_error *err);

#endif
