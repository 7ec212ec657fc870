#include "source_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chunk.h"
#include "dedup.h"
#include "error.h"
#include "gitignore.h"
#include "source_index.h"
#include "worktree.h"
#include "banned.h"

/* git's cap on an ignore file: a larger one is not read. */
#define IGNORE_FILE_MAX (100 << 20)

/*
 * The .gitignore rules of the work tree a walk is inside.  rel is the
 * path being walked, relative to the work tree root ("" at the root).
 */
struct ignore_ctx {
	int active;		/* inside a work tree, honouring its rules */
	int everything;		/* the named directory is itself ignored */
	struct gitignore rules;
	struct buf rel;
	char *index_path;	/* the work tree's index file */
	struct source_index *index;	/* read when first needed */
	int index_read;		/* tried to read it */
};

struct walk {
	struct source_fs *src;
	struct scan_queue *q;
	struct ignore_ctx ig;
	struct buf text;	/* scratch for an ignore file */
	struct dedup seen;	/* files pushed, by device and inode */
};

/* item.origin of a file git ignores: its findings are marked. */
#define ORIGIN_GIT_IGNORED 1

static void ignore_close(struct ignore_ctx *ig)
{
	gitignore_pop(&ig->rules, 0);
	buf_reset(&ig->rel);
	ig->rules.icase = 0;
	ig->active = ig->everything = 0;
	free(ig->index_path);
	ig->index_path = NULL;
	source_index_free(ig->index);
	ig->index = NULL;
	ig->index_read = 0;
}

/*
 * An open descriptor on the ignore file name (relative to dfd), -1 when
 * there is none to read, -2 when it is not a regular file.  A link is
 * followed only when follow is set (the user's own files).
 */
static int open_ignore_file(int dfd, const char *name, int follow)
{
	int nofollow = follow ? 0 : O_NOFOLLOW, fd;
	struct stat st;

	if (fstatat(dfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW))
		return -1;
	if (!S_ISREG(st.st_mode))
		return -2;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | nofollow);
	if (fd < 0)
		return errno == ELOOP ? -2 : -1;
	/* Checked again: it may have been swapped since the stat. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

/*
 * Pushes the rules of the ignore file name (relative to dfd, shown as
 * path), based at the first base_len bytes of the paths they will judge.
 * One that is not a regular file (a FIFO would block the walk, a link
 * could point anywhere) ends .gitignore handling for the rest of the
 * walk, and the walk says so.
 */
static int push_ignore_file(struct walk *wk, int dfd, const char *name,
			    const char *path, size_t base_len, int follow)
{
	struct lg_error err = LG_ERROR_INIT;
	int fd = open_ignore_file(dfd, name, follow), rc;

	if (fd == -2) {
		scan_queue_warn(wk->q, "%s is not a regular file: .gitignore "
				"rules are not honoured for the rest of this "
				"scan", path);
		ignore_close(&wk->ig);
		return 0;
	}
	if (fd < 0)
		return 0;
	buf_reset(&wk->text);
	rc = buf_read_fd(&wk->text, fd, path, IGNORE_FILE_MAX, &err);
	close(fd);
	if (rc == LG_ERR_NOMEM)
		return rc;
	if (rc) {
		scan_queue_warn(wk->q, "%s: its rules are not honoured",
				err.msg);
		return 0;
	}
	return gitignore_push(&wk->ig.rules, wk->text.ptr, wk->text.len,
			      base_len);
}

/*
 * The rules below every .gitignore, weakest first: core.excludesFile,
 * then info/exclude.  core.ignoreCase says how names compare.
 */
static int push_global_rules(struct walk *wk, const struct worktree *wt)
{
	struct buf path = BUF_INIT;
	int rc = 0;

	wk->ig.rules.icase = wt->ignore_case;
	if (wt->excludes_file)
		rc = push_ignore_file(wk, AT_FDCWD, wt->excludes_file,
				      wt->excludes_file, 0, 1);
	if (!rc && wk->ig.active) {
		rc = buf_addf(&path, "%s/info/exclude", wt->commondir);
		if (!rc)
			rc = push_ignore_file(wk, AT_FDCWD, path.ptr, path.ptr,
					      0, 1);
	}
	buf_release(&path);
	return rc;
}

/*
 * Non-zero when the rules ignore the path in ig.rel; a negative error
 * when matching runs out of memory.
 */
static int is_ignored(struct walk *wk, int is_dir)
{
	if (!wk->ig.active)
		return 0;
	if (wk->ig.everything)
		return 1;
	return gitignore_match(&wk->ig.rules, wk->ig.rel.ptr, wk->ig.rel.len,
			       is_dir);
}

/*
 * Whether the index tracks the path in ig.rel (a file, or a directory with
 * tracked files below): git never ignores those.  The index is read the
 * first time an ignored path needs it; one that cannot be read is said
 * once and counts as tracking nothing.
 */
static int is_tracked(struct walk *wk)
{
	struct ignore_ctx *ig = &wk->ig;
	struct lg_error err = LG_ERROR_INIT;

	if (!ig->index_read && ig->index_path) {
		ig->index_read = 1;
		if (source_index_read(&ig->index, ig->index_path, NULL,
				      &err))
			scan_queue_warn(wk->q, "%s: tracked files that "
					".gitignore matches are skipped",
					err.msg);
	}
	if (!ig->index)
		return 0;
	return source_index_tracks(ig->index, ig->rel.ptr, ig->rel.len);
}

/*
 * 1 when the path in ig.rel is ignored and not tracked, 0 when it is to
 * be walked, or a negative error.
 */
static int is_skipped(struct walk *wk, int is_dir)
{
	int rc = is_ignored(wk, is_dir);

	if (rc <= 0)
		return rc;
	rc = is_tracked(wk);
	return rc < 0 ? rc : !rc;
}

/*
 * Pushes the .gitignore rules of the directories from the work tree root
 * down to rel's parent, as a walk from the root would have them on
 * reaching rel, and sets ig.rel to rel.  A directory on the way, or rel
 * itself, that they ignore makes the walk ignore everything under it; so
 * does a ".git" on the way, which git never looks into.
 */
static int push_ancestor_rules(struct walk *wk, const char *workdir,
			       const char *rel)
{
	struct buf path = BUF_INIT;
	size_t dir = 0, sub, end;	/* rel[0..dir) holds rel[sub..end) */
	int rc = 0;

	for (; *rel && !rc && wk->ig.active && !wk->ig.everything; dir = end) {
		sub = dir + (dir > 0);
		end = sub + strcspn(rel + sub, "/");
		buf_reset(&path);
		rc = buf_addf(&path, "%s/%.*s%s.gitignore", workdir, (int)dir,
			      rel, dir ? "/" : "");
		if (!rc)
			rc = push_ignore_file(wk, AT_FDCWD, path.ptr, path.ptr,
					      sub, 0);
		buf_reset(&wk->ig.rel);
		if (!rc)
			rc = buf_add(&wk->ig.rel, rel, end);
		if (!rc && ((end - sub == 4 && !memcmp(rel + sub, ".git", 4)) ||
			    (rc = is_ignored(wk, 1)) > 0)) {
			wk->ig.everything = 1;
			rc = 0;
		}
		if (!rel[end])
			break;
	}
	buf_release(&path);
	buf_reset(&wk->ig.rel);
	return rc ? rc : buf_adds(&wk->ig.rel, rel);
}

/*
 * Sets up the rules for a walk of the directory path: its work tree's
 * core.excludesFile, info/exclude and the .gitignore files above path
 * (path's own is read by the walk).  Outside a work tree, none.
 */
static int ignore_open(struct walk *wk, const char *path)
{
	struct lg_error err = LG_ERROR_INIT;
	struct worktree wt = WORKTREE_INIT;
	struct buf index = BUF_INIT;
	char *abs = NULL;
	size_t n;
	int rc = worktree_find(&wt, path, &err);

	if (rc <= 0 || !(abs = realpath(path, NULL)))
		goto out;
	rc = 0;
	/* A work tree at "/" holds every path: none starts "//". */
	n = strcmp(wt.root, "/") ? strlen(wt.root) : 0;
	if (strncmp(abs, wt.root, n) || (abs[n] != '/' && abs[n]))
		goto out;
	wk->ig.active = 1;
	rc = buf_addf(&index, "%s/index", wt.gitdir);
	wk->ig.index_path = buf_detach(&index);
	if (!rc && !wk->ig.index_path)
		rc = LG_ERR_NOMEM;
	if (!rc)
		rc = push_global_rules(wk, &wt);
	if (!rc)
		rc = push_ancestor_rules(wk, wt.root,
					 abs[n] ? abs + n + 1 : "");
out:
	worktree_release(&wt);
	free(abs);
	return rc < 0 ? rc : 0;
}

/* Pushes a file once, however many of the named paths reach it. */
static int push_file(struct walk *wk, const char *path, const struct stat *st,
		     int ignored)
{
	struct scan_item item;
	struct {
		dev_t dev;
		ino_t ino;
	} id;
	unsigned char key[16];
	int rc;

	memset(&id, 0, sizeof(id));
	id.dev = st->st_dev;
	id.ino = st->st_ino;
	dedup_key_of(&id, sizeof(id), key);
	if ((rc = dedup_add(&wk->seen, key)) <= 0)
		return rc < 0 ? LG_ERR_NOMEM : 0;
	memset(&item, 0, sizeof(item));
	if (!(item.path = strdup(path)))
		return LG_ERR_NOMEM;
	item.origin = ignored ? ORIGIN_GIT_IGNORED : 0;
	return scan_queue_push(wk->q, &item);
}

static int walk_path(struct walk *wk, int dfd, const char *name,
		     const char *path, int top);

static void skip_unreadable(struct walk *wk, const char *path,
			    const char *reason)
{
	scan_queue_skip(wk->q, SCAN_SKIP_UNREADABLE);
	scan_queue_warn(wk->q, "skipping %s: %s", path, reason);
}

static void skip_errno(struct walk *wk, const char *path, int errnum)
{
	char reason[128];

	skip_unreadable(wk, path, strerror_r(errnum, reason, sizeof(reason)));
}

/* Makes ig.rel name the child `name` of the directory it names. */
static int rel_enter(struct ignore_ctx *ig, size_t dir_len, const char *name)
{
	buf_truncate(&ig->rel, dir_len);
	if (dir_len && buf_addch(&ig->rel, '/'))
		return LG_ERR_NOMEM;
	return buf_adds(&ig->rel, name);
}

/*
 * Starts b with what the children of directory path are named under:
 * "path/", or nothing for "." (as the user would type them).
 */
static int child_prefix(struct buf *b, const char *path)
{
	if (!strcmp(path, "."))
		return 0;
	if (buf_adds(b, path))
		return LG_ERR_NOMEM;
	if (b->len && b->ptr[b->len - 1] != '/')
		return buf_addch(b, '/');
	return 0;
}

/* Walks the entries of the open directory d, named path. */
static int walk_entries(struct walk *wk, DIR *d, const char *path)
{
	struct buf child = BUF_INIT;
	struct dirent *de;
	size_t prefix, rel_len = wk->ig.rel.len;
	int rc = child_prefix(&child, path);

	prefix = child.len;
	if (!rc && wk->ig.active && !wk->ig.everything &&
	    !(rc = buf_adds(&child, ".gitignore")))
		rc = push_ignore_file(wk, dirfd(d), ".gitignore", child.ptr,
				      rel_len + (rel_len > 0), 0);
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		buf_truncate(&child, prefix);
		if (buf_adds(&child, de->d_name) ||
		    (wk->ig.active && rel_enter(&wk->ig, rel_len, de->d_name)))
			rc = LG_ERR_NOMEM;
		else
			rc = walk_path(wk, dirfd(d), de->d_name, child.ptr, 0);
	}
	buf_truncate(&wk->ig.rel, rel_len);
	buf_release(&child);
	return rc;
}

/*
 * Walks directory name (relative to dfd, shown as path).  Only one named
 * on the command line (top) may be reached through a link.
 */
static int walk_dir(struct walk *wk, int dfd, const char *name,
		    const char *path, int top)
{
	size_t n_lists = wk->ig.rules.n_lists;
	DIR *d = NULL;
	int fd, rc;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    (top ? 0 : O_NOFOLLOW));
	if (fd < 0 || !(d = fdopendir(fd))) {
		skip_errno(wk, path, errno);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rc = walk_entries(wk, d, path);
	closedir(d);
	gitignore_pop(&wk->ig.rules, n_lists);
	return rc;
}

/*
 * Walks a directory found by the walk, unless it is ignored: one that
 * holds tracked files is still walked, but only for those files.
 */
static int walk_subdir(struct walk *wk, int dfd, const char *name,
		       const char *path)
{
	int everything = wk->ig.everything, rc = is_ignored(wk, 1);

	if (rc > 0) {
		if ((rc = is_tracked(wk)) <= 0)
			return rc;
		wk->ig.everything = 1;
	} else if (rc < 0) {
		return rc;
	}
	rc = walk_dir(wk, dfd, name, path, 0);
	wk->ig.everything = everything;
	return rc;
}

/*
 * The default: a directory git ignores is walked too, everything in it
 * counting as ignored (and so marked) unless git tracks it.
 */
static int walk_marked(struct walk *wk, int dfd, const char *name,
		       const char *path)
{
	int everything = wk->ig.everything, rc = is_ignored(wk, 1);

	if (rc < 0)
		return rc;
	if (rc > 0)
		wk->ig.everything = 1;
	rc = walk_dir(wk, dfd, name, path, 0);
	wk->ig.everything = everything;
	return rc;
}

/*
 * Stats name (relative to dfd) without following a symbolic link, except
 * one named on the command line (top): that one is resolved, and
 * *is_link says so.
 */
static int stat_path(int dfd, const char *name, int top, struct stat *st,
		     int *is_link)
{
	*is_link = 0;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
		return -1;
	if (!top || !S_ISLNK(st->st_mode))
		return 0;
	*is_link = 1;
	return fstatat(dfd, name, st, 0);
}

/*
 * Inside a walk, links, devices and FIFOs are passed over without a word,
 * as git does.  A path named on the command line is walked through a link
 * to a directory; anything else there that is not a file is reported.
 * Files are opened with O_NOFOLLOW, so a link to a file is never read.
 * name is relative to dfd; path is what the user sees.
 */
static int walk_path(struct walk *wk, int dfd, const char *name,
		     const char *path, int top)
{
	struct stat st;
	int is_link, skipped;

	/* Workers open files by name: what they cannot name is not walked. */
	if (strlen(path) >= PATH_MAX) {
		skip_errno(wk, path, ENAMETOOLONG);
		return 0;
	}
	if (stat_path(dfd, name, top, &st, &is_link)) {
		skip_errno(wk, path, errno);
		return 0;
	}
	if (S_ISDIR(st.st_mode) && top)
		return walk_dir(wk, dfd, name, path, 1);
	/* What git ignores is scanned and marked, unless --respect-gitignore. */
	if (S_ISDIR(st.st_mode))
		return wk->src->respect_gitignore
			       ? walk_subdir(wk, dfd, name, path)
			       : walk_marked(wk, dfd, name, path);
	if (!S_ISREG(st.st_mode) || is_link) {
		if (top)
			skip_unreadable(wk, path, is_link ? "a symbolic link "
					"to a file (name the file itself)"
					: "not a regular file");
		return 0;
	}
	skipped = top ? 0 : is_skipped(wk, 0);
	if (skipped < 0 || (skipped && wk->src->respect_gitignore))
		return skipped < 0 ? skipped : 0;
	return push_file(wk, path, &st, skipped);
}

/*
 * Walks a path named on the command line.  Only a directory needs the
 * .gitignore rules of its work tree: a file named there is always read,
 * so pre-commit's long lists of files open no repository at all.
 */
static int walk_top(struct walk *wk, const char *path)
{
	struct stat st;
	int rc = 0;

	if (!wk->src->no_ignore && !stat(path, &st) && S_ISDIR(st.st_mode))
		rc = ignore_open(wk, path);
	if (!rc)
		rc = walk_path(wk, AT_FDCWD, path, path, 1);
	ignore_close(&wk->ig);
	return rc;
}

/*
 * Standard input is read up to the size cap (more is skipped as too large,
 * as a file would be) and only until the scan is stopped by a signal.
 */
static int push_stdin(struct walk *wk, struct lg_error *err)
{
	const struct scan_options *o = scan_queue_options(wk->q);
	struct buf b = BUF_INIT;
	struct scan_item item;
	int rc;

	memset(&item, 0, sizeof(item));
	rc = buf_read_fd_until(&b, STDIN_FILENO, "<stdin>",
			       wk->src->max_file_size, o->stop, err);
	if (rc == LG_ERR_LIMIT) {
		scan_queue_skip(wk->q, SCAN_SKIP_TOO_LARGE);
		scan_queue_warn(wk->q, "skipping %s", err->msg);
		lg_error_clear(err);
	}
	if (rc) {
		buf_release(&b);
		return rc == LG_ERR_LIMIT ? 0 : rc;
	}
	item.len = b.len;
	item.data = buf_detach(&b);
	if (!item.data || !(item.path = strdup("<stdin>"))) {
		scan_item_release(&item);
		return LG_ERR_NOMEM;
	}
	return scan_queue_push(wk->q, &item);
}

/*
 * A pause point for tests only: with $LEAKGATE_TEST_PAUSE set to P, the
 * walk, once done, writes a line to the FIFO P.walked, and every file load
 * waits until the first one has read the FIFO P.go to its end.  A test
 * then changes the files between the walk and their reading without any
 * race.
 */
static void test_pause(const char *prefix, const char *suffix, int flags)
{
	struct buf path = BUF_INIT;
	char c;
	int fd;

	if (buf_addf(&path, "%s.%s", prefix, suffix))
		return;
	fd = open(path.ptr, flags | O_CLOEXEC);
	buf_release(&path);
	if (fd < 0)
		return;
	if (flags == O_WRONLY)
		(void)!write(fd, "walked\n", 7);
	else
		while (read(fd, &c, 1) > 0)
			;
	close(fd);
}

static void test_pause_before_load(struct source_fs *src)
{
	pthread_mutex_lock(&src->pause_lock);
	if (!src->loaded)
		test_pause(src->pause, "go", O_RDONLY);
	src->loaded = 1;
	pthread_mutex_unlock(&src->pause_lock);
}

static int fs_produce(struct scan_source *base, struct scan_queue *q,
		      struct lg_error *err)
{
	struct source_fs *src = (struct source_fs *)base;
	struct walk wk = { src, q,
			   { 0, 0, GITIGNORE_INIT, BUF_INIT, NULL, NULL, 0 },
			   BUF_INIT, DEDUP_INIT };
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n_paths && rc == 0; i++) {
		if (!strcmp(src->paths[i], "-"))
			rc = push_stdin(&wk, err);
		else
			rc = walk_top(&wk, src->paths[i]);
	}
	gitignore_release(&wk.ig.rules);
	buf_release(&wk.ig.rel);
	buf_release(&wk.text);
	dedup_release(&wk.seen);
	if (src->pause)
		test_pause(src->pause, "walked", O_WRONLY);
	if (rc < 0 && !err->code)
		lg_error_set(err, rc, "out of memory walking files");
	return rc < 0 ? rc : 0;
}

/*
 * A file over one chunk is left open for the worker to read in chunks;
 * a smaller one is read whole.  O_NONBLOCK and the type check: a FIFO or
 * device swapped in for a scanned file is never read.
 */
static int fs_load(struct scan_source *base, void *state,
		   const struct scan_item *item, struct scan_blob *out,
		   struct lg_error *err)
{
	struct source_fs *src = (struct source_fs *)base;
	struct stat st;
	int fd, rc;

	(void)state;
	if (src->pause)
		test_pause_before_load(src);
	fd = open(item->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return lg_error_errno(err, errno, "%s", item->path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return lg_error_set(err, LG_ERR_IO, "%s: not a regular file",
				    item->path);
	}
	if ((uint64_t)st.st_size > CHUNK_SIZE) {
		if (src->max_file_size &&
		    (uint64_t)st.st_size > src->max_file_size) {
			close(fd);
			return lg_error_set(err, LG_ERR_LIMIT, "%s: larger "
					    "than %zu bytes", item->path,
					    src->max_file_size);
		}
		out->fd = fd;
		out->len = (size_t)st.st_size;
		return 0;
	}
	rc = buf_read_fd(out->scratch, fd, item->path, src->max_file_size, err);
	close(fd);
	out->data = out->scratch->ptr;
	out->len = out->scratch->len;
	return rc;
}

static int fs_annotate(struct scan_source *base, struct finding *f,
		       struct lg_error *err)
{
	(void)base;
	(void)err;
	f->git_ignored = f->origin == ORIGIN_GIT_IGNORED;
	return 0;
}

void source_fs_init(struct source_fs *src, const char *const *paths,
		    size_t n_paths, int no_ignore, size_t max_file_size)
{
	memset(src, 0, sizeof(*src));
	src->base.produce = fs_produce;
	src->base.load = fs_load;
	src->base.annotate = fs_annotate;
	src->paths = paths;
	src->n_paths = n_paths;
	src->no_ignore = no_ignore;
	src->max_file_size = max_file_size;
	src->pause = getenv("LEAKGATE_TEST_PAUSE");
	src->pause_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
}
