#include "source_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "index_ewah.h"
#include "index_file.h"
#include "index_tree.h"
#include "banned.h"

/* An entry of one of the files, as the merged index is being built. */
struct entry_ref {
	const char *path;
	size_t len;
	uint16_t mode, flags;
	const unsigned char *id;
};

struct source_index {
	struct index_file main;
	struct index_file shared;	/* a split index's shared entries */
	/*
	 * The staged entries, sorted: main's own array reused (offsets from
	 * main.paths and main.map), or for a split index (copy set) a merged
	 * copy with its paths in names and its ids in id_buf.
	 */
	struct index_entry *entries;
	size_t n;
	const char *paths;		/* the entries' paths base */
	const unsigned char *ids;	/* their ids base */
	int copy;
	struct buf names, id_buf;
	struct entry_ref last;	/* while building: the last entry kept */
	struct index_tree *root;	/* NULL: none, or unusable */
};

/* ---- the staged entries ------------------------------------------------- */

/*
 * A path git could have written: relative, no empty component, ending in
 * '/' exactly when it is a sparse directory entry.
 */
static int path_ok(const struct entry_ref *e)
{
	if (!e->len || e->path[0] == '/' || memmem(e->path, e->len, "//", 2))
		return 0;
	return (e->path[e->len - 1] == '/') == (e->mode == INDEX_MODE_DIR);
}

/* Appends e (a path and id that lie elsewhere) to the merged copy. */
static int copy_entry(struct source_index *ix, const struct entry_ref *e,
		      struct index_entry *out)
{
	if (ix->names.len + e->len + 1 > UINT32_MAX ||
	    ix->id_buf.len + INDEX_OID_SIZE > UINT32_MAX)
		return -1;
	out->path = (uint32_t)ix->names.len;
	out->id = (uint32_t)ix->id_buf.len;
	if (buf_add(&ix->names, e->path, e->len) ||
	    buf_addch(&ix->names, '\0') ||
	    buf_add(&ix->id_buf, e->id, INDEX_OID_SIZE))
		return -1;
	return 0;
}

/*
 * Keeps e when it is staged content (conflict stages and `git add -N`
 * placeholders are not); -1 when the index is damaged: a bad path, or
 * entries out of git's order or below a sparse directory.
 */
static int keep_entry(struct source_index *ix, const struct entry_ref *e)
{
	struct index_entry *out = &ix->entries[ix->n];
	const struct entry_ref *prev = &ix->last;

	if (e->flags & (INDEX_ENTRY_STAGE | INDEX_ENTRY_INTENT))
		return 0;
	if (!path_ok(e))
		return -1;
	if (prev->path) {
		size_t n = prev->len < e->len ? prev->len : e->len;
		int c = memcmp(prev->path, e->path, n);
		if (c > 0 || (!c && (prev->len >= e->len ||
				     prev->mode == INDEX_MODE_DIR)))
			return -1;
	}
	if (ix->copy) {
		if (copy_entry(ix, e, out))
			return -1;
	} else {
		out->path = (uint32_t)(e->path - ix->main.paths);
		out->id = (uint32_t)(e->id - ix->main.map);
	}
	out->len = (uint32_t)e->len;
	out->mode = e->mode;
	out->flags = 0;
	ix->last = *e;
	ix->n++;
	return 0;
}

static void entry_ref_of(struct entry_ref *e, const struct index_file *f,
			 size_t i)
{
	e->path = index_file_path(f, i);
	e->len = f->entries[i].len;
	e->mode = f->entries[i].mode;
	e->flags = f->entries[i].flags;
	e->id = index_file_id(f, i);
}

/* An index that is not split: its own entries, filtered in place. */
static int keep_all(struct source_index *ix, const char *file,
		    struct lg_error *err)
{
	size_t i;

	ix->entries = ix->main.entries;
	for (i = 0; i < ix->main.n; i++) {
		struct entry_ref e;

		entry_ref_of(&e, &ix->main, i);
		if (keep_entry(ix, &e))
			return lg_error_set(err, LG_ERR_PARSE,
					    "%s: entry %zu is damaged or out "
					    "of order", file, i + 1);
	}
	return 0;
}

/* ---- split index -------------------------------------------------------- */

/* git's order of index entries: by path, then by stage. */
static int entry_cmp(const struct entry_ref *a, const struct entry_ref *b)
{
	int c = memcmp(a->path, b->path, a->len < b->len ? a->len : b->len);

	if (c || a->len != b->len)
		return c ? c : (a->len > b->len) - (a->len < b->len);
	return (a->flags & INDEX_ENTRY_STAGE) - (b->flags & INDEX_ENTRY_STAGE);
}

/*
 * Keeps the split index's own entries [*next, main.n) that sort before
 * the shared entry base (NULL: all of them); *same is set when one has
 * base's path and stage and so takes its place.
 */
static int keep_added(struct source_index *ix, size_t *next,
		      const struct entry_ref *base, int *same)
{
	*same = 0;
	while (*next < ix->main.n) {
		struct entry_ref e;
		int c;

		entry_ref_of(&e, &ix->main, *next);
		c = base ? entry_cmp(&e, base) : -1;
		if (c > 0)
			break;
		*same |= !c;
		if (!e.len || keep_entry(ix, &e))
			return -1;
		++*next;
	}
	return 0;
}

/*
 * The shared entry i as the split index has it: replaced by the next of
 * main's leading nameless entries (*rep counts them) when its replace bit
 * is set, keeping its path.  -1 when there is no such entry.
 */
static int shared_entry(struct source_index *ix, size_t i,
			const uint64_t *replace, size_t *rep,
			struct entry_ref *e)
{
	entry_ref_of(e, &ix->shared, i);
	if (!ewah_test(replace, i))
		return 0;
	if (*rep >= ix->main.n || ix->main.entries[*rep].len)
		return -1;
	e->mode = ix->main.entries[*rep].mode;
	e->flags = ix->main.entries[*rep].flags;
	e->id = index_file_id(&ix->main, *rep);
	++*rep;
	return 0;
}

/*
 * Builds the index a split index describes (git's merge_base_index): the
 * shared entries, less those the delete bitmap marks, those the replace
 * bitmap marks replaced in order by main's leading entries, merged with
 * main's other entries (which win on the same path and stage).
 */
static int merge_split(struct source_index *ix, const uint64_t *del,
		       const uint64_t *replace)
{
	size_t i, rep = 0, next = ewah_count(replace, ix->shared.n);
	int same;

	ix->copy = 1;
	ix->entries = malloc((ix->shared.n + ix->main.n + 1) *
			     sizeof(*ix->entries));
	if (!ix->entries)
		return -1;
	for (i = 0; i < ix->shared.n; i++) {
		struct entry_ref e;

		if (shared_entry(ix, i, replace, &rep, &e) ||
		    keep_added(ix, &next, &e, &same))
			return -1;
		if (!ewah_test(del, i) && !same && keep_entry(ix, &e))
			return -1;
	}
	return keep_added(ix, &next, NULL, &same);
}

/* Opens the shared index the link extension names, where git looks. */
static int open_shared(struct source_index *ix, const char *file,
		       const char *gitdir, struct lg_error *err)
{
	const char *slash = strrchr(file, '/');
	struct buf path = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	int rc = 0;

	git_oid_fromraw(&id, ix->main.link);
	git_oid_tostr(hex, sizeof(hex), &id);
	if (gitdir)
		rc = buf_addf(&path, "%s/sharedindex.%s", gitdir, hex);
	if (!rc && (!gitdir || access(path.ptr, F_OK))) {
		buf_reset(&path);
		rc = buf_addf(&path, "%.*s/sharedindex.%s",
			      slash ? (int)(slash - file) : 1,
			      slash ? file : ".", hex);
	}
	if (rc)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	rc = index_file_open(&ix->shared, path.ptr, err);
	if (!rc && !ix->shared.map)
		rc = lg_error_set(err, LG_ERR_IO, "%s: its shared index %s is "
				  "missing", file, path.ptr);
	else if (!rc && (ix->shared.link ||
			 memcmp(ix->shared.map + ix->shared.size -
					INDEX_OID_SIZE,
				ix->main.link, INDEX_OID_SIZE)))
		rc = lg_error_set(err, LG_ERR_PARSE, "%s: not the shared index "
				  "%s names", path.ptr, file);
	buf_release(&path);
	return rc;
}

/* The link extension's delete and replace bitmaps (none: both empty). */
static int read_bitmaps(const struct source_index *ix, uint64_t *del,
			uint64_t *replace)
{
	const unsigned char *p = ix->main.link + INDEX_OID_SIZE;
	size_t len = ix->main.link_len - INDEX_OID_SIZE;
	long used;

	if (!len)
		return 0;
	used = ewah_decode(del, ix->shared.n, p, len);
	if (used < 0)
		return -1;
	return ewah_decode(replace, ix->shared.n, p + used,
			   len - (size_t)used) == (long)(len - (size_t)used)
		       ? 0
		       : -1;
}

/* A split index: the shared entries with the changes main records. */
static int read_split(struct source_index *ix, const char *file,
		      const char *gitdir, struct lg_error *err)
{
	uint64_t *del = NULL, *replace = NULL;
	int rc = open_shared(ix, file, gitdir, err);

	if (rc)
		return rc;
	/* Sized by the shared entries, which open_shared() has just read. */
	del = calloc(EWAH_WORDS(ix->shared.n) + 1, sizeof(*del));
	replace = calloc(EWAH_WORDS(ix->shared.n) + 1, sizeof(*replace));
	if (!del || !replace)
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	else if (read_bitmaps(ix, del, replace))
		rc = lg_error_set(err, LG_ERR_PARSE, "%s: the split index's "
				  "bitmaps are damaged", file);
	else if (merge_split(ix, del, replace))
		rc = lg_error_set(err, LG_ERR_PARSE, "%s: split index entry "
				  "%zu is damaged or out of order", file,
				  ix->n + 1);
	free(del);
	free(replace);
	return rc;
}

/* Whether the index is split: a link extension naming a shared index. */
static int is_split(const struct index_file *f, const char *file,
		    struct lg_error *err)
{
	static const unsigned char zero[INDEX_OID_SIZE];

	if (!f->link)
		return 0;
	if (f->link_len < INDEX_OID_SIZE)
		return lg_error_set(err, LG_ERR_PARSE, "%s: link extension is "
				    "cut short", file);
	return memcmp(f->link, zero, INDEX_OID_SIZE) != 0;
}

int source_index_read(struct source_index **out, const char *path,
		      const char *gitdir, struct lg_error *err)
{
	struct source_index *ix = calloc(1, sizeof(*ix));
	int rc;

	*out = NULL;
	if (!ix)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	rc = index_file_open(&ix->main, path, err);
	if (!rc)
		rc = is_split(&ix->main, path, err);
	if (rc > 0)
		rc = read_split(ix, path, gitdir, err);
	else if (!rc)
		rc = keep_all(ix, path, err);
	if (rc) {
		source_index_free(ix);
		return rc;
	}
	ix->paths = ix->copy ? ix->names.ptr : ix->main.paths;
	ix->ids = ix->copy ? (const unsigned char *)ix->id_buf.ptr
			   : ix->main.map;
	/* The cache tree only saves time: a damaged one is not used. */
	if (ix->main.tree)
		ix->root = index_tree_parse(ix->main.tree, ix->main.tree_len);
	*out = ix;
	return 0;
}

void source_index_free(struct source_index *ix)
{
	if (!ix)
		return;
	index_tree_free(ix->root);
	if (ix->entries != ix->main.entries)
		free(ix->entries);
	index_file_release(&ix->main);
	index_file_release(&ix->shared);
	buf_release(&ix->names);
	buf_release(&ix->id_buf);
	free(ix);
}

/* The first entry whose path is not below path[0..len) in index order. */
static size_t lower_bound(const struct source_index *ix, const char *path,
			  size_t len)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct index_entry *e = &ix->entries[mid];
		int c = memcmp(ix->paths + e->path, path,
			       e->len < len ? e->len : len);

		if (c < 0 || (!c && e->len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether entry i's path starts with prefix[0..len). */
static int entry_starts(const struct source_index *ix, size_t i,
			const char *prefix, size_t len)
{
	const struct index_entry *e = &ix->entries[i];

	return i < ix->n && e->len >= len &&
	       !memcmp(ix->paths + e->path, prefix, len);
}

int source_index_tracks(const struct source_index *ix, const char *path,
			size_t len)
{
	struct buf dir = BUF_INIT;
	size_t i = lower_bound(ix, path, len);
	int found;

	if (entry_starts(ix, i, path, len) && ix->entries[i].len == len)
		return 1;
	if (buf_add(&dir, path, len) || buf_addch(&dir, '/'))
		return LG_ERR_NOMEM;
	i = lower_bound(ix, dir.ptr, dir.len);
	found = entry_starts(ix, i, dir.ptr, dir.len);
	buf_release(&dir);
	return found;
}

/* ---- diff against a tree ------------------------------------------------ */

/*
 * The index entries under one name of the directory being walked: one
 * file, or everything below a subdirectory.
 */
struct group {
	const char *name;	/* in the first entry's path */
	size_t len;
	int is_dir;
	size_t first, end;	/* entries [first, end) */
};

static const char *entry_path(const struct source_index *ix, size_t i)
{
	return ix->paths + ix->entries[i].path;
}

static const unsigned char *entry_id(const struct source_index *ix, size_t i)
{
	return ix->ids + ix->entries[i].id;
}

/* Entries [j, hi) all lie below the directory; finds the group at j. */
static void group_at(const struct source_index *ix, size_t dlen, size_t j,
		     size_t hi, struct group *g)
{
	const char *rest = entry_path(ix, j) + dlen;
	const char *slash = memchr(rest, '/', ix->entries[j].len - dlen);
	size_t lo = j + 1;

	g->name = rest;
	g->first = j;
	g->is_dir = slash != NULL;
	g->len = slash ? (size_t)(slash - rest) : ix->entries[j].len - dlen;
	/* The first entry past j not below "name/": a binary search. */
	while (g->is_dir && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct index_entry *e = &ix->entries[mid];
		if (e->len > dlen + g->len &&
		    !memcmp(entry_path(ix, mid) + dlen, rest, g->len + 1))
			lo = mid + 1;
		else
			hi = mid;
	}
	g->end = g->is_dir ? lo : j + 1;
}

static int same_id(const struct source_index *ix, size_t k,
		   const git_oid *id)
{
	return !memcmp(entry_id(ix, k), id->id, INDEX_OID_SIZE);
}

/* Records entry k (a file, or a sparse directory) relative to the walk. */
static int add_entry(struct source_diff *d, const struct source_index *ix,
		     size_t k, enum source_diff_kind kind, const git_oid *old,
		     struct lg_error *err)
{
	const struct index_entry *e = &ix->entries[k];
	const char *name = entry_path(ix, k) + d->dir.len;
	size_t len = e->len - d->dir.len;
	git_oid id;

	git_oid_fromraw(&id, entry_id(ix, k));
	if (e->mode == INDEX_MODE_DIR)
		return source_diff_subtree(d, name, len - 1, old, &id, err);
	if (source_diff_add(d, kind, name, len, (git_filemode_t)e->mode, old,
			    &id))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

static int diff_dir(struct source_diff *d, const struct source_index *ix,
		    const git_tree *old, size_t lo, size_t hi,
		    const struct index_tree *ct, struct lg_error *err);

/* A subdirectory both sides have: skipped when the cache tree allows. */
static int diff_subdir(struct source_diff *d, const struct source_index *ix,
		       const git_tree_entry *a, const struct group *g,
		       const struct index_tree *ct, struct lg_error *err)
{
	const struct index_tree *kid = index_tree_kid(ct, g->name, g->len);
	const struct index_entry *e = &ix->entries[g->first];
	size_t dir_len = d->dir.len;
	git_tree *sub = NULL;
	int rc;

	if (kid && kid->valid && git_oid_equal(&kid->id, git_tree_entry_id(a)))
		return 0;
	if (g->end == g->first + 1 && e->mode == INDEX_MODE_DIR)
		return same_id(ix, g->first, git_tree_entry_id(a))
			       ? 0
			       : add_entry(d, ix, g->first,
					   SOURCE_DIFF_MODIFIED,
					   git_tree_entry_id(a), err);
	if (git_tree_lookup(&sub, d->repo, git_tree_entry_id(a)))
		return lg_error_git(err, "tree %s%.*s",
				    d->dir.ptr ? d->dir.ptr : "", (int)g->len,
				    g->name);
	if (buf_add(&d->dir, g->name, g->len) || buf_addch(&d->dir, '/'))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	else
		rc = diff_dir(d, ix, sub, g->first, g->end, kid, err);
	d->dir.len = dir_len;
	if (d->dir.ptr)
		d->dir.ptr[dir_len] = '\0';
	git_tree_free(sub);
	return rc;
}

/* A name both sides have. */
static int diff_both(struct source_diff *d, const struct source_index *ix,
		     const git_tree_entry *a, const struct group *g,
		     const struct index_tree *ct, struct lg_error *err)
{
	git_filemode_t om = git_tree_entry_filemode(a);

	if (g->is_dir)
		return diff_subdir(d, ix, a, g, ct, err);
	if (same_id(ix, g->first, git_tree_entry_id(a)))
		return 0;
	return add_entry(d, ix, g->first,
			 om == GIT_FILEMODE_BLOB ||
					 om == GIT_FILEMODE_BLOB_EXECUTABLE
				 ? SOURCE_DIFF_MODIFIED
				 : SOURCE_DIFF_ADDED,
			 git_tree_entry_id(a), err);
}

static int add_group(struct source_diff *d, const struct source_index *ix,
		     const struct group *g, struct lg_error *err)
{
	size_t k;
	int rc = 0;

	for (k = g->first; k < g->end && !rc; k++)
		rc = add_entry(d, ix, k, SOURCE_DIFF_ADDED, NULL, err);
	return rc;
}

/* Compares the tree old (NULL: none) with the entries [lo, hi). */
static int diff_dir(struct source_diff *d, const struct source_index *ix,
		    const git_tree *old, size_t lo, size_t hi,
		    const struct index_tree *ct, struct lg_error *err)
{
	size_t i = 0, na = old ? git_tree_entrycount(old) : 0, j = lo;
	int rc = 0;

	while (!rc && (i < na || j < hi)) {
		const git_tree_entry *a =
			i < na ? git_tree_entry_byindex(old, i) : NULL;
		struct group g = { NULL, 0, 0, j, j };
		int c;

		if (j < hi)
			group_at(ix, d->dir.len, j, hi, &g);
		if (!a)
			c = 1;
		else if (j >= hi)
			c = -1;
		else
			c = source_diff_name_cmp(git_tree_entry_name(a),
						 strlen(git_tree_entry_name(a)),
						 git_tree_entry_type(a) ==
							 GIT_OBJECT_TREE,
						 g.name, g.len, g.is_dir);
		if (c < 0)
			rc = source_diff_removed(d, a, err);
		else if (c > 0)
			rc = add_group(d, ix, &g, err);
		else
			rc = diff_both(d, ix, a, &g, ct, err);
		i += c <= 0;
		j = c >= 0 ? g.end : j;
	}
	return rc;
}

int source_index_diff(struct source_diff *d, const struct source_index *ix,
		      const git_tree *head, struct lg_error *err)
{
	const struct index_tree *root = ix->root;

	if (head && root && root->valid &&
	    git_oid_equal(&root->id, git_tree_id(head)))
		return 0; /* the index is HEAD's tree: nothing staged */
	buf_reset(&d->dir);
	return diff_dir(d, ix, head, 0, ix->n, root, err);
}
