#ifndef LEAKGATE_WORKTREE_H
#define LEAKGATE_WORKTREE_H

struct lg_error;

/*
 * The git work tree around a directory and what its config says about
 * ignoring files, found as git finds them but without libgit2 (whose
 * start-up costs `scan` more than the rest of a small scan).
 *
 * Discovery walks up from the directory's real path.  In each directory
 * a `.git` that is a git dir, or a `.git` file saying `gitdir: PATH`,
 * makes that directory the work tree; a directory that is a git dir
 * itself (a bare repository, or the inside of a `.git`) has none.  A git
 * dir has a HEAD file, and objects/ and refs/ in its common dir (named by
 * a `commondir` file in a linked work tree's git dir).  The walk stops
 * below the directories of GIT_CEILING_DIRECTORIES and at a filesystem
 * boundary unless GIT_DISCOVERY_ACROSS_FILESYSTEM is true.  Outside a
 * linked work tree, core.bare and core.worktree in the repository's own
 * config decide as they do for git.
 *
 * Config is read from every level git reads, later levels winning: the
 * system file (GIT_CONFIG_SYSTEM or /etc/gitconfig; none under
 * GIT_CONFIG_NOSYSTEM), $XDG_CONFIG_HOME/git/config (or
 * ~/.config/git/config) and ~/.gitconfig (or GIT_CONFIG_GLOBAL alone),
 * <commondir>/config, and <gitdir>/config.worktree under
 * extensions.worktreeConfig; include.path and includeIf "gitdir:" and
 * "gitdir/i:" are followed.  Every file comes from the repository or the
 * user and may be hostile: each is read only when it is a regular file of
 * at most 1 MiB, includes stop at git's depth of 10 and at 64 files in
 * all, and a file that cannot be read or parsed is passed over.
 */
struct worktree {
	char *root;		/* the work tree's real path */
	char *gitdir;		/* real path of its git dir */
	char *commondir;	/* real path of the dir with config and info/ */
	char *excludes_file;	/* core.excludesFile as git reads it, or
				 * git's default; NULL: none */
	int ignore_case;	/* core.ignoreCase */
};

#define WORKTREE_INIT { NULL, NULL, NULL, NULL, 0 }

/*
 * Finds the work tree enclosing the directory dir and fills wt (which
 * the caller releases).  Returns 1 when there is one, 0 when dir is in
 * no work tree or cannot be resolved (wt then holds nothing), or
 * LG_ERR_NOMEM.
 */
int worktree_find(struct worktree *wt, const char *dir, struct lg_error *err);

void worktree_release(struct worktree *wt);

#endif
