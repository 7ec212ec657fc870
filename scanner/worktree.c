#include "worktree.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "gitconfig.h"
#include "gitignore.h"
#include "banned.h"

/* The most read of a .git file, a commondir file or a config file. */
#define SMALL_FILE_MAX (1u << 20)
/* git refuses to follow include.path any deeper. */
#define INCLUDE_DEPTH_MAX 10
/* Config files read in all: includes cannot fan out without end. */
#define CONFIG_FILES_MAX 64

/* ---- paths and files ----------------------------------------------------- */

/* Appends dir/name ("/" gets no second slash). */
static int add_child(struct buf *out, const char *dir, const char *name)
{
	return buf_addf(out, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

/* Appends value, relative to the directory base unless absolute or !base. */
static int add_path(struct buf *out, const char *base, const char *value)
{
	if (value[0] == '/' || !base)
		return buf_adds(out, value);
	return add_child(out, base, value);
}

/*
 * Appends a path from a config file as git expands it: "~" and "~/..."
 * from $HOME, anything else as add_path() does.  ("~user" is left as it
 * is: it names nothing that exists, where git would fail.)
 */
static int add_config_path(struct buf *out, const char *base,
			   const char *value)
{
	const char *home = getenv("HOME");

	if (home && value[0] == '~' && (!value[1] || value[1] == '/'))
		return buf_addf(out, "%s%s", home, value + 1);
	return add_path(out, base, value);
}

/* Appends the directory file is in ("." when it names none). */
static int add_dir_of(struct buf *out, const char *file)
{
	const char *slash = strrchr(file, '/');

	if (!slash)
		return buf_adds(out, ".");
	return buf_add(out, file, (size_t)(slash - file));
}

/* $XDG_CONFIG_HOME/git/name, else ~/.config/git/name; else nothing. */
static int add_xdg_path(struct buf *out, const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return buf_addf(out, "%s/git/%s", xdg, name);
	if (home)
		return buf_addf(out, "%s/.config/git/%s", home, name);
	return 0;
}

/* An environment variable as git_env_bool() reads it; unset is false. */
static int env_bool(const char *name)
{
	const char *value = getenv(name);

	return value && gitconfig_bool(value) > 0;
}

/*
 * Reads path into b when it is a regular file (after links) of at most
 * SMALL_FILE_MAX bytes.  Returns 0, LG_ERR_IO when it is not one or cannot
 * be read, or LG_ERR_NOMEM.  A FIFO in its place must not block: O_NONBLOCK.
 */
static int read_small_file(struct buf *b, const char *path)
{
	struct lg_error err = LG_ERROR_INIT;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = LG_ERR_IO;

	if (fd < 0)
		return LG_ERR_IO;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		rc = buf_read_fd(b, fd, path, SMALL_FILE_MAX, &err);
	close(fd);
	return rc == LG_ERR_NOMEM || !rc ? rc : LG_ERR_IO;
}

/* 1 when dir/name is, after links, of file type type (S_IFREG, S_IFDIR). */
static int has(const char *dir, const char *name, mode_t type)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int rc = add_child(&path, dir, name);

	if (!rc)
		rc = !stat(path.ptr, &st) && (st.st_mode & S_IFMT) == type;
	buf_release(&path);
	return rc;
}

/*
 * Reads the one-line file `file` that names a directory after prefix,
 * relative to the directory base (a .git file's "gitdir: ", a commondir
 * file's bare path), and sets *out to that directory's real path.
 * Returns 1, 0 when the file cannot be read, is malformed or names
 * nothing that exists, or LG_ERR_NOMEM.
 */
static int read_dir_link(char **out, const char *file, const char *base,
			 const char *prefix)
{
	struct buf text = BUF_INIT, path = BUF_INIT;
	size_t n = strlen(prefix);
	int rc = read_small_file(&text, file);

	*out = NULL;
	while (!rc && text.len && (text.ptr[text.len - 1] == '\n' ||
				   text.ptr[text.len - 1] == '\r'))
		buf_truncate(&text, text.len - 1);
	if (!rc && (strncmp(text.ptr, prefix, n) || !text.ptr[n]))
		rc = LG_ERR_IO;
	if (!rc)
		rc = add_path(&path, base, text.ptr + n);
	if (!rc && !(*out = realpath(path.ptr, NULL)))
		rc = LG_ERR_IO;
	buf_release(&text);
	buf_release(&path);
	return rc == LG_ERR_IO ? 0 : rc ? rc : 1;
}

/* ---- discovery ----------------------------------------------------------- */

enum look {
	LOOK_ON,	/* nothing here: look in the parent */
	LOOK_FOUND,	/* a git dir */
	LOOK_STOP,	/* a .git file that leads nowhere: git stops too */
};

struct found {
	struct worktree *wt;	/* gitdir and commondir, once found */
	/* The directory whose .git led there; NULL: the git dir itself. */
	char *holder;
	int linked;		/* the git dir of a linked work tree */
};

/*
 * LOOK_FOUND when dir is a git dir as git tells one: a HEAD file, and
 * objects/ and refs/ in its common dir.  Then wt->gitdir, wt->commondir
 * and linked are set.  LOOK_ON when it is not one, or LG_ERR_NOMEM.
 */
static int is_git_dir(struct found *f, const char *dir)
{
	struct buf link = BUF_INIT;
	char *gitdir = NULL, *common = NULL;
	int rc, linked;

	if ((rc = has(dir, "HEAD", S_IFREG)) <= 0)
		return rc;
	if (!(gitdir = realpath(dir, NULL)))
		return LOOK_ON;
	rc = add_child(&link, gitdir, "commondir");
	linked = !rc && !access(link.ptr, F_OK);
	if (linked)
		rc = read_dir_link(&common, link.ptr, gitdir, "");
	else if (!rc)
		rc = (common = strdup(gitdir)) ? 1 : LG_ERR_NOMEM;
	if (rc > 0 && (rc = has(common, "objects", S_IFDIR)) > 0)
		rc = has(common, "refs", S_IFDIR);
	buf_release(&link);
	if (rc <= 0) {
		free(gitdir);
		free(common);
		return rc;
	}
	f->wt->gitdir = gitdir;
	f->wt->commondir = common;
	f->linked = linked;
	return LOOK_FOUND;
}

/* Looks at dir/.git: a git dir, or a file naming one. */
static int look_at_dot_git(struct found *f, const char *dir)
{
	struct buf path = BUF_INIT;
	struct stat st;
	char *target = NULL;
	int rc = add_child(&path, dir, ".git");

	if (rc || stat(path.ptr, &st))
		goto out;
	if (S_ISDIR(st.st_mode)) {
		rc = is_git_dir(f, path.ptr);
	} else if (S_ISREG(st.st_mode)) {
		rc = read_dir_link(&target, path.ptr, dir, "gitdir: ");
		if (rc > 0)
			rc = is_git_dir(f, target);
		if (!rc)
			rc = LOOK_STOP;
	}
	if (rc == LOOK_FOUND && !(f->holder = strdup(dir)))
		rc = LG_ERR_NOMEM;
out:
	buf_release(&path);
	free(target);
	return rc;
}

/*
 * The length of the longest GIT_CEILING_DIRECTORIES entry (by its real
 * path) above dir: the walk looks in no directory that short.  0 when
 * there is none.  As for git, dir itself is no ceiling.
 */
static size_t ceiling_len(const char *dir)
{
	const char *list = getenv("GIT_CEILING_DIRECTORIES"), *end;
	char entry[PATH_MAX], real[PATH_MAX];
	size_t best = 0, n;

	for (; list && *list; list = *end ? end + 1 : end) {
		end = list + strcspn(list, ":");
		n = (size_t)(end - list);
		if (!n || n >= sizeof(entry) || list[0] != '/')
			continue;
		memcpy(entry, list, n);
		entry[n] = '\0';
		if (!realpath(entry, real))
			continue;
		n = strlen(real);
		if (!strncmp(dir, real, n) && n > best &&
		    (n == 1 ? dir[1] != '\0' : dir[n] == '/'))
			best = n;
	}
	return best;
}

/*
 * Walks up from dir (a real path, cut down in place) looking in each
 * directory for a .git, then at the directory itself.  Returns an enum
 * look, or LG_ERR_NOMEM.
 */
static int discover(struct found *f, char *dir)
{
	int across = env_bool("GIT_DISCOVERY_ACROSS_FILESYSTEM"), rc;
	size_t ceiling = ceiling_len(dir);
	struct stat st;
	char *slash;
	dev_t dev;

	if (stat(dir, &st))
		return LOOK_ON;
	dev = st.st_dev;
	for (;;) {
		if ((rc = look_at_dot_git(f, dir)) == LOOK_ON)
			rc = is_git_dir(f, dir);
		if (rc != LOOK_ON)
			return rc;
		slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			return LOOK_ON;
		slash[slash == dir] = '\0';	/* "/a" keeps its "/" */
		if (strlen(dir) <= ceiling)
			return LOOK_ON;
		if (!across && (stat(dir, &st) || st.st_dev != dev))
			return LOOK_ON;
	}
}

/* ---- config -------------------------------------------------------------- */

/* What the config files say; a later file overrides an earlier one. */
struct config {
	const char *gitdir;	/* what includeIf "gitdir:" matches */
	int files_left;
	int rc;			/* LG_ERR_NOMEM once memory ran out */
	int bare;		/* core.bare: 1, 0, or -1 when unset */
	int worktree_config;	/* extensions.worktreeConfig */
	int ignore_case;	/* core.ignoreCase */
	char *core_worktree;	/* NULL: unset */
	char *excludes_file;	/* as written; NULL: unset */
};

/* One file being read. */
struct config_file {
	struct config *cfg;
	const char *path;
	int depth;		/* of includes */
	/*
	 * The repository's own file, not an include: git reads core.bare
	 * and the like from there only.
	 */
	int is_repo;
};

static void read_config_file(struct config *cfg, const char *path, int depth,
			     int is_repo);

/* Reads the file that include.path value names. */
static void include(const struct config_file *f, const char *value)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;

	if (!value || !*value || f->depth >= INCLUDE_DEPTH_MAX)
		return;
	if (add_dir_of(&dir, f->path) ||
	    add_config_path(&path, dir.ptr, value))
		f->cfg->rc = LG_ERR_NOMEM;
	else
		read_config_file(f->cfg, path.ptr, f->depth + 1, 0);
	buf_release(&dir);
	buf_release(&path);
}

/*
 * The pattern of includeIf "gitdir:PATTERN" as git prepares it: "~/"
 * expanded, "./" made the including file's directory (*prefix bytes,
 * compared as they are, not globbed), "**" + "/" put before any other
 * relative pattern and "**" after a trailing '/'.
 */
static int gitdir_pattern(struct buf *pat, size_t *prefix,
			  const struct config_file *f, const char *cond)
{
	struct buf raw = BUF_INIT;
	int rc = add_config_path(&raw, NULL, cond);

	*prefix = 0;
	if (!rc && !strncmp(raw.ptr, "./", 2)) {
		rc = add_dir_of(pat, f->path);
		*prefix = pat->len + 1;
		if (!rc)
			rc = buf_adds(pat, raw.ptr + 1);
	} else if (!rc) {
		rc = buf_addf(pat, "%s%s", raw.ptr[0] == '/' ? "" : "**/",
			      raw.ptr);
	}
	if (!rc && pat->ptr[pat->len - 1] == '/')
		rc = buf_adds(pat, "**");
	buf_release(&raw);
	return rc;
}

/*
 * 1 when the git dir matches includeIf "gitdir:" (or, with icase,
 * "gitdir/i:") cond, 0 when not, or LG_ERR_NOMEM.  git also tries the
 * path the git dir had before links were resolved; only its real path is
 * known here.
 */
static int gitdir_matches(const struct config_file *f, const char *cond,
			  int icase)
{
	struct buf pat = BUF_INIT, dir = BUF_INIT;
	size_t prefix;
	int rc = gitdir_pattern(&pat, &prefix, f, cond);

	if (!rc)
		rc = buf_adds(&dir, f->cfg->gitdir);
	if (!rc && dir.len >= prefix &&
	    !(icase ? strncasecmp : strncmp)(pat.ptr, dir.ptr, prefix))
		rc = gitignore_glob(pat.ptr + prefix, dir.ptr + prefix,
				    icase ? FNM_CASEFOLD : 0);
	buf_release(&pat);
	buf_release(&dir);
	return rc;
}

/*
 * includeIf.<condition>.path.  Of git's conditions only "gitdir:" and
 * "gitdir/i:" are understood; "onbranch:" and "hasconfig:" include
 * nothing here.
 */
static void include_if(const struct config_file *f,
		       const struct gitconfig_entry *e, const char *value)
{
	char cond[PATH_MAX];
	int rc = 0;

	if (!gitconfig_is(e, "includeif", "path") ||
	    gitconfig_subsection(e, cond, sizeof(cond)) < 0)
		return;
	if (!strncmp(cond, "gitdir:", 7))
		rc = gitdir_matches(f, cond + 7, 0);
	else if (!strncmp(cond, "gitdir/i:", 9))
		rc = gitdir_matches(f, cond + 9, 1);
	if (rc < 0)
		f->cfg->rc = rc;
	else if (rc)
		include(f, value);
}

static void set_string(struct config *cfg, char **slot, const char *value)
{
	free(*slot);
	if (!(*slot = strdup(value)))
		cfg->rc = LG_ERR_NOMEM;
}

/* A value git would refuse as a boolean leaves the setting as it was. */
static void set_bool(int *slot, const char *value)
{
	int b = gitconfig_bool(value);

	if (b >= 0)
		*slot = b;
}

/* What git reads from the repository's own files only. */
static void repo_entry(struct config *cfg, const struct gitconfig_entry *e,
		       const char *value)
{
	if (gitconfig_is(e, "core", "bare"))
		set_bool(&cfg->bare, value);
	else if (gitconfig_is(e, "core", "worktree") && value)
		set_string(cfg, &cfg->core_worktree, value);
	else if (gitconfig_is(e, "extensions", "worktreeconfig"))
		set_bool(&cfg->worktree_config, value);
}

static int on_entry(const struct gitconfig_entry *e, void *payload)
{
	struct config_file *f = payload;
	struct config *cfg = f->cfg;
	char buf[PATH_MAX];
	const char *value = NULL;

	/* A longer value is no path git could use either. */
	if (e->value && gitconfig_value(e, buf, sizeof(buf)) < 0)
		return 0;
	if (e->value)
		value = buf;
	if (e->sub)
		include_if(f, e, value);
	else if (gitconfig_is(e, "include", "path"))
		include(f, value);
	else if (gitconfig_is(e, "core", "excludesfile") && value)
		set_string(cfg, &cfg->excludes_file, value);
	else if (gitconfig_is(e, "core", "ignorecase"))
		set_bool(&cfg->ignore_case, value);
	else if (f->is_repo)
		repo_entry(cfg, e, value);
	return cfg->rc;
}

static void read_config_file(struct config *cfg, const char *path, int depth,
			     int is_repo)
{
	struct config_file f = { cfg, path, depth, is_repo };
	struct buf text = BUF_INIT;
	int rc;

	if (cfg->rc || !cfg->files_left)
		return;
	cfg->files_left--;
	rc = read_small_file(&text, path);
	if (rc == LG_ERR_NOMEM)
		cfg->rc = rc;
	else if (!rc)
		gitconfig_parse(text.ptr, text.len, on_entry, &f);
	buf_release(&text);
}

/* The system, XDG and global files, as git finds them. */
static void read_user_levels(struct config *cfg, struct buf *path)
{
	const char *system = getenv("GIT_CONFIG_SYSTEM");
	const char *global = getenv("GIT_CONFIG_GLOBAL");
	const char *home = getenv("HOME");

	if (!env_bool("GIT_CONFIG_NOSYSTEM"))
		read_config_file(cfg, system ? system : "/etc/gitconfig", 0, 0);
	if (global) {
		read_config_file(cfg, global, 0, 0);
		return;
	}
	buf_reset(path);
	if (add_xdg_path(path, "config"))
		cfg->rc = LG_ERR_NOMEM;
	else if (path->len)
		read_config_file(cfg, path->ptr, 0, 0);
	buf_reset(path);
	if (home && buf_addf(path, "%s/.gitconfig", home))
		cfg->rc = LG_ERR_NOMEM;
	else if (home)
		read_config_file(cfg, path->ptr, 0, 0);
}

/* Every level, weakest first.  Returns 0 or LG_ERR_NOMEM. */
static int read_config(struct config *cfg, const struct worktree *wt)
{
	struct buf path = BUF_INIT;

	cfg->gitdir = wt->gitdir;
	cfg->files_left = CONFIG_FILES_MAX;
	cfg->bare = -1;
	read_user_levels(cfg, &path);
	buf_reset(&path);
	if (add_child(&path, wt->commondir, "config"))
		cfg->rc = LG_ERR_NOMEM;
	else
		read_config_file(cfg, path.ptr, 0, 1);
	buf_reset(&path);
	if (cfg->worktree_config &&
	    add_child(&path, wt->gitdir, "config.worktree"))
		cfg->rc = LG_ERR_NOMEM;
	else if (cfg->worktree_config)
		read_config_file(cfg, path.ptr, 0, 1);
	buf_release(&path);
	return cfg->rc;
}

static void config_release(struct config *cfg)
{
	free(cfg->core_worktree);
	free(cfg->excludes_file);
}

/* ---- the work tree ------------------------------------------------------- */

/*
 * Sets wt->root as git decides it.  A linked work tree's is where its
 * .git file is: core.bare and core.worktree in the shared config are the
 * main work tree's.  Returns 1, 0 for none, or LG_ERR_NOMEM.
 */
static int choose_root(struct found *f, const struct config *cfg)
{
	struct buf path = BUF_INIT;
	int rc = 0;

	if (!f->linked && cfg->bare > 0)
		return 0;
	if (!f->linked && cfg->core_worktree) {
		rc = add_path(&path, f->wt->gitdir, cfg->core_worktree);
		if (!rc)
			f->wt->root = realpath(path.ptr, NULL);
	} else {
		f->wt->root = f->holder;
		f->holder = NULL;
	}
	buf_release(&path);
	return rc ? rc : f->wt->root != NULL;
}

/*
 * core.excludesFile: "~/" expanded, a relative path taken from the top
 * of the work tree (where git runs), "" for none; unset, git's default.
 */
static int resolve_excludes(struct worktree *wt, const struct config *cfg)
{
	struct buf path = BUF_INIT;
	const char *value = cfg->excludes_file;
	int rc;

	if (value && !*value)
		return 0;
	rc = value ? add_config_path(&path, wt->root, value)
		   : add_xdg_path(&path, "ignore");
	if (!rc && path.len && !(wt->excludes_file = buf_detach(&path)))
		rc = LG_ERR_NOMEM;
	buf_release(&path);
	return rc;
}

static int find_from(struct worktree *wt, char *start)
{
	struct found f = { wt, NULL, 0 };
	struct config cfg;
	int rc = discover(&f, start);

	memset(&cfg, 0, sizeof(cfg));
	if (rc != LOOK_FOUND) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	if ((rc = read_config(&cfg, wt)) || (rc = choose_root(&f, &cfg)) <= 0)
		goto out;
	wt->ignore_case = cfg.ignore_case;
	if (!(rc = resolve_excludes(wt, &cfg)))
		rc = 1;
out:
	free(f.holder);
	config_release(&cfg);
	return rc;
}

int worktree_find(struct worktree *wt, const char *dir, struct lg_error *err)
{
	char *start = realpath(dir, NULL);
	int rc = 0;

	memset(wt, 0, sizeof(*wt));
	if (start)
		rc = find_from(wt, start);
	free(start);
	if (rc <= 0)
		worktree_release(wt);
	if (rc < 0)
		lg_error_set(err, rc, "%s: out of memory finding its work tree",
			     dir);
	return rc;
}

void worktree_release(struct worktree *wt)
{
	free(wt->root);
	free(wt->gitdir);
	free(wt->commondir);
	free(wt->excludes_file);
	memset(wt, 0, sizeof(*wt));
}
