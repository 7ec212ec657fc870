#include "source_fs.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dedup.h"
#include "error.h"
#include "banned.h"

/* The work tree a walk is inside, for .gitignore decisions. */
struct ignore_ctx {
	git_repository *repo;
	char *workdir;		/* absolute, with a trailing '/' */
	size_t workdir_len;
};

struct walk {
	struct source_fs *src;
	struct scan_queue *q;
	struct ignore_ctx ig;
	struct buf abs;		/* scratch for absolute paths */
	struct dedup seen;	/* files pushed, by device and inode */
};

static void ignore_open(struct ignore_ctx *ig, const char *path)
{
	const char *wd;

	memset(ig, 0, sizeof(*ig));
	if (git_repository_open_ext(&ig->repo, path, 0, NULL))
		return;
	wd = git_repository_workdir(ig->repo);
	if (!wd || !(ig->workdir = realpath(wd, NULL))) {
		git_repository_free(ig->repo);
		ig->repo = NULL;
		return;
	}
	ig->workdir_len = strlen(ig->workdir);
}

static void ignore_close(struct ignore_ctx *ig)
{
	git_repository_free(ig->repo);
	free(ig->workdir);
	memset(ig, 0, sizeof(*ig));
}

/*
 * The path of `path` relative to the work tree, or NULL when it is outside
 * (or there is no work tree).  Computed once per top-level path; children
 * extend it by name.
 */
static char *relative_to_workdir(const struct ignore_ctx *ig, const char *path)
{
	char *abs, *rel = NULL;

	if (!ig->repo || !(abs = realpath(path, NULL)))
		return NULL;
	if (!strncmp(abs, ig->workdir, ig->workdir_len) &&
	    (abs[ig->workdir_len] == '/' || !abs[ig->workdir_len]))
		rel = strdup(abs[ig->workdir_len] ? abs + ig->workdir_len + 1 : "");
	free(abs);
	return rel;
}

/* Non-zero when .gitignore rules of the enclosing work tree ignore rel. */
static int is_ignored(struct walk *wk, const char *rel, int is_dir)
{
	int ignored = 0;

	if (!wk->ig.repo || !rel || !*rel)
		return 0;
	buf_reset(&wk->abs);
	buf_adds(&wk->abs, rel);
	if (is_dir)
		buf_addch(&wk->abs, '/');
	if (git_ignore_path_is_ignored(&ignored, wk->ig.repo, wk->abs.ptr))
		return 0;
	return ignored;
}

/* Pushes a file once, however many of the named paths reach it. */
static int push_file(struct walk *wk, const char *path, const struct stat *st)
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
	return scan_queue_push(wk->q, &item);
}

static int walk_path(struct walk *wk, const char *path, const char *rel,
		     int top);

static void skip_unreadable(struct walk *wk, const char *path,
			    const char *reason)
{
	scan_queue_skip(wk->q, SCAN_SKIP_UNREADABLE);
	scan_queue_warn(wk->q, "skipping %s: %s", path, reason);
}

static char *join_path(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;

	if (strcmp(dir, ".") != 0) {
		buf_adds(&b, dir);
		if (b.len && b.ptr[b.len - 1] != '/')
			buf_addch(&b, '/');
	}
	buf_adds(&b, name);
	return buf_detach(&b);
}

/*
 * libgit2 reads every .gitignore on the way: one that is a FIFO or a link
 * (to a FIFO, a device, a file outside the tree) would block or leak.  Stop
 * honouring ignore files for the rest of the walk, and say so.
 */
static void guard_ignore_file(struct walk *wk, const char *dir)
{
	struct stat st;
	char *path;

	if (!wk->ig.repo || !(path = join_path(dir, ".gitignore")))
		return;
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		scan_queue_warn(wk->q, "%s is not a regular file: .gitignore rules "
				"are not honoured for the rest of this scan", path);
		ignore_close(&wk->ig);
	}
	free(path);
}

static int walk_dir(struct walk *wk, const char *path, const char *rel)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		char reason[128];
		skip_unreadable(wk, path,
				strerror_r(errno, reason, sizeof(reason)));
		return 0;
	}
	guard_ignore_file(wk, path);
	while (!rc && (de = readdir(d))) {
		char *child, *child_rel = NULL;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		child = join_path(path, de->d_name);
		if (rel)
			child_rel = join_path(*rel ? rel : ".", de->d_name);
		if (!child || (rel && !child_rel))
			rc = LG_ERR_NOMEM;
		else
			rc = walk_path(wk, child, child_rel, 0);
		free(child);
		free(child_rel);
	}
	closedir(d);
	return rc;
}

/*
 * Stats path without following a symbolic link, except one named on the
 * command line (top): that one is resolved, and *is_link says so.
 */
static int stat_path(const char *path, int top, struct stat *st, int *is_link)
{
	*is_link = 0;
	if (lstat(path, st))
		return -1;
	if (!top || !S_ISLNK(st->st_mode))
		return 0;
	*is_link = 1;
	return stat(path, st);
}

/*
 * Inside a walk, links, devices and FIFOs are passed over without a word,
 * as git does.  A path named on the command line is walked through a link
 * to a directory; anything else there that is not a file is reported.
 * Files are opened with O_NOFOLLOW, so a link to a file is never read.
 */
static int walk_path(struct walk *wk, const char *path, const char *rel,
		     int top)
{
	struct stat st;
	char reason[128];
	int is_link;

	if (stat_path(path, top, &st, &is_link)) {
		skip_unreadable(wk, path,
				strerror_r(errno, reason, sizeof(reason)));
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!top && is_ignored(wk, rel, 1))
			return 0;
		return walk_dir(wk, path, rel);
	}
	if (!S_ISREG(st.st_mode) || is_link) {
		if (top)
			skip_unreadable(wk, path, is_link ? "a symbolic link "
					"to a file (name the file itself)"
					: "not a regular file");
		return 0;
	}
	if (!top && is_ignored(wk, rel, 0))
		return 0;
	return push_file(wk, path, &st);
}

/*
 * Walks a path named on the command line.  Only a directory needs the
 * .gitignore rules of its work tree: a file named there is always read,
 * so pre-commit's long lists of files open no repository at all.
 */
static int walk_top(struct walk *wk, const char *path)
{
	struct stat st;
	char *rel = NULL;
	int rc;

	if (!wk->src->no_ignore && !stat(path, &st) && S_ISDIR(st.st_mode)) {
		ignore_open(&wk->ig, path);
		rel = relative_to_workdir(&wk->ig, path);
	}
	rc = walk_path(wk, path, rel, 1);
	free(rel);
	ignore_close(&wk->ig);
	return rc;
}

static int push_stdin(struct walk *wk, struct lg_error *err)
{
	struct buf b = BUF_INIT;
	struct scan_item item;

	memset(&item, 0, sizeof(item));
	if (buf_read_file(&b, "-", 0, err)) {
		buf_release(&b);
		return err->code;
	}
	item.len = b.len;
	item.data = buf_detach(&b);
	if (!item.data || !(item.path = strdup("<stdin>"))) {
		scan_item_release(&item);
		return LG_ERR_NOMEM;
	}
	return scan_queue_push(wk->q, &item);
}

static int fs_produce(struct scan_source *base, struct scan_queue *q,
		      struct lg_error *err)
{
	struct source_fs *src = (struct source_fs *)base;
	struct walk wk = { src, q, { NULL, NULL, 0 }, BUF_INIT, DEDUP_INIT };
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n_paths && rc == 0; i++) {
		if (!strcmp(src->paths[i], "-"))
			rc = push_stdin(&wk, err);
		else
			rc = walk_top(&wk, src->paths[i]);
	}
	buf_release(&wk.abs);
	dedup_release(&wk.seen);
	if (rc < 0 && !err->code)
		lg_error_set(err, rc, "out of memory walking files");
	return rc < 0 ? rc : 0;
}

static int fs_load(struct scan_source *base, void *state,
		   const struct scan_item *item, struct scan_blob *out,
		   struct lg_error *err)
{
	const struct source_fs *src = (const struct source_fs *)base;
	int rc;

	(void)state;
	rc = buf_read_file_nofollow(out->scratch, item->path, src->max_file_size, err);
	out->data = out->scratch->ptr;
	out->len = out->scratch->len;
	return rc;
}

void source_fs_init(struct source_fs *src, const char *const *paths,
		    size_t n_paths, int no_ignore, size_t max_file_size)
{
	memset(src, 0, sizeof(*src));
	src->base.produce = fs_produce;
	src->base.load = fs_load;
	src->paths = paths;
	src->n_paths = n_paths;
	src->no_ignore = no_ignore;
	src->max_file_size = max_file_size;
}
