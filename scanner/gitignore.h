#ifndef LEAKGATE_GITIGNORE_H
#define LEAKGATE_GITIGNORE_H

#include <stddef.h>

#include "buf.h"

/*
 * gitignore rules as git applies them (gitignore(5)), for a walk that
 * descends a work tree.  The walk pushes one list of rules per ignore
 * file: first core.excludesFile, then .git/info/exclude (both relative to
 * the work tree root), then each directory's .gitignore as it enters the
 * directory, and pops them as it leaves.  A path is decided by the last
 * matching rule of the most recently pushed list that has one, so a
 * deeper .gitignore overrides a shallower one and a later line an earlier
 * one.  Nothing here re-includes a path under an ignored directory: the
 * walk does not enter one.
 *
 * Globs are fnmatch(3)'s; "**" as a whole component matches any number of
 * components.  Not thread-safe: matching uses a scratch buffer.
 */
struct gitignore_rule;

struct gitignore_list {
	struct gitignore_rule *rules;	/* in file order */
	size_t n_rules;
	char *patterns;		/* storage for every rule's pattern */
	size_t base_len;	/* bytes of a path naming the base directory */
};

struct gitignore {
	struct gitignore_list *lists;	/* the stack, bottom first */
	size_t n_lists;
	size_t alloc;
	int icase;		/* core.ignoreCase; set before any push */
	struct buf scratch;	/* the path being matched, in components */
};

#define GITIGNORE_INIT { NULL, 0, 0, 0, BUF_INIT }

/*
 * Parses the ignore file text data[0..len) and pushes its rules.  Their
 * base directory is path[0..base_len) of every path later matched: "" for
 * the work tree root, else a directory relative to it with a trailing '/'.
 * Returns 0 or LG_ERR_NOMEM (gi is then unchanged).
 */
int gitignore_push(struct gitignore *gi, const char *data, size_t len,
		   size_t base_len);

/* Pops lists until n_lists of them remain. */
void gitignore_pop(struct gitignore *gi, size_t n_lists);

/*
 * 1 when the rules ignore path (len bytes, relative to the work tree
 * root, without a leading or trailing '/'), 0 when none does or the
 * deciding rule is a negated one.  is_dir says whether path is a
 * directory.  Every pushed list's base must be a prefix of path.
 * Returns LG_ERR_NOMEM when the scratch buffer cannot grow.
 */
int gitignore_match(struct gitignore *gi, const char *path, size_t len,
		    int is_dir);

/*
 * 1 when path matches pattern as git's wildmatch() with WM_PATHNAME
 * matches it (gitignore's path patterns, includeIf "gitdir:"): a
 * component of stars only stands for any number of components (one or
 * more at the end), every other component is fnmatch(3)'d with fnm, its
 * flags, against one.  0 when not, LG_ERR_NOMEM.
 */
int gitignore_glob(const char *pattern, const char *path, int fnm);

void gitignore_release(struct gitignore *gi);

#endif
