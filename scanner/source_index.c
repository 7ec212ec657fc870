#include "source_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

#define HEADER_SIZE 12
#define CHECKSUM_SIZE 20
#define OID_SIZE 20
#define ENTRY_FIXED 62 /* stat data, id and flags: before the name */
#define FLAG_EXTENDED 0x4000
#define EXT_INTENT_TO_ADD 0x2000
#define MODE_DIR 0040000	/* a sparse index's directory entry */
#define CACHE_TREE_MAX_DEPTH 1024

/* 16 bytes: an index of 50,000 entries costs few page faults. */
struct index_entry {
	uint32_t path;		/* offset in paths */
	uint32_t len;
	uint32_t mode;
	uint32_t id;		/* offset of the raw object id in map */
};

/* One directory of the cache-tree extension; names point into file. */
struct cache_tree {
	const char *name;
	size_t len;
	int valid;		/* id is the directory's tree id */
	git_oid id;
	struct cache_tree *kids;	/* sorted by name */
	size_t n_kids;
};

struct source_index {
	const unsigned char *map;	/* the file, mapped read-only */
	size_t size;
	unsigned version;
	struct buf names;	/* v4: the paths, rebuilt from prefixes */
	const char *paths;	/* map (v2, v3) or names.ptr (v4) */
	struct index_entry *entries;
	size_t n;
	struct cache_tree *root;	/* NULL: none, or unusable */
};

struct reader {
	const unsigned char *p, *end;
};

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- cache tree --------------------------------------------------------- */

static void cache_tree_release(struct cache_tree *ct)
{
	size_t i;

	for (i = 0; ct && i < ct->n_kids; i++)
		cache_tree_release(&ct->kids[i]);
	if (ct)
		free(ct->kids);
}

/* Reads a decimal number (maybe negative) ending in `stop`. */
static int read_number(struct reader *r, char stop, long *out)
{
	int neg = r->p < r->end && *r->p == '-';
	long v = 0;

	r->p += neg;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return -1;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && v < 100000000)
		v = v * 10 + (*r->p++ - '0');
	if (r->p >= r->end || *r->p++ != (unsigned char)stop)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int kid_cmp(const void *a, const void *b)
{
	const struct cache_tree *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Parses one node and its subtrees (pre-order, as git writes them). */
static int cache_tree_parse(struct cache_tree *ct, struct reader *r, int depth)
{
	const unsigned char *nul = memchr(r->p, '\0', (size_t)(r->end - r->p));
	long entries, kids, i;

	if (!nul || depth > CACHE_TREE_MAX_DEPTH)
		return -1;
	ct->name = (const char *)r->p;
	ct->len = (size_t)(nul - r->p);
	r->p = nul + 1;
	if (read_number(r, ' ', &entries) || read_number(r, '\n', &kids) ||
	    kids < 0 || kids > (r->end - r->p) / 4)
		return -1;
	if (entries >= 0) {
		if (r->end - r->p < OID_SIZE)
			return -1;
		ct->valid = 1;
		git_oid_fromraw(&ct->id, r->p);
		r->p += OID_SIZE;
	}
	if (kids && !(ct->kids = calloc((size_t)kids, sizeof(*ct->kids))))
		return -1;
	for (i = 0; i < kids; i++) {
		ct->n_kids = (size_t)i + 1; /* freed even if cut short */
		if (cache_tree_parse(&ct->kids[i], r, depth + 1))
			return -1;
	}
	if (ct->n_kids)
		qsort(ct->kids, ct->n_kids, sizeof(*ct->kids), kid_cmp);
	return 0;
}

/* The cache tree only saves time: a damaged one is simply not used. */
static void read_cache_tree(struct source_index *ix, const unsigned char *p,
			    size_t len)
{
	struct reader r = { p, p + len };

	ix->root = calloc(1, sizeof(*ix->root));
	if (ix->root && !cache_tree_parse(ix->root, &r, 0))
		return;
	cache_tree_release(ix->root);
	free(ix->root);
	ix->root = NULL;
}

static const struct cache_tree *cache_tree_kid(const struct cache_tree *ct,
					       const char *name, size_t len)
{
	struct cache_tree key;

	if (!ct || !ct->n_kids)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.name = name;
	key.len = len;
	return bsearch(&key, ct->kids, ct->n_kids, sizeof(key), kid_cmp);
}

/* ---- entries ------------------------------------------------------------ */

/* git's offset varint (index v4 path prefix lengths). */
static int read_varint(struct reader *r, size_t *out)
{
	unsigned char c;
	size_t v;

	if (r->p >= r->end)
		return -1;
	c = *r->p++;
	v = c & 127;
	while (c & 128) {
		if (r->p >= r->end || v > (SIZE_MAX >> 8))
			return -1;
		c = *r->p++;
		v = ((v + 1) << 7) + (c & 127);
	}
	*out = v;
	return 0;
}

/*
 * Finds the path of the entry whose name starts at r->p, moving r past the
 * entry: in v2 and v3 it is in the file; v4 writes only what differs from
 * the previous entry's path, which prev holds.  Sets *path and *len.
 */
static int read_path(struct source_index *ix, struct reader *r,
		     const unsigned char *entry, struct buf *prev,
		     const char **path, size_t *len)
{
	const unsigned char *nul;
	size_t strip = 0, size;

	if (ix->version == 4 && (read_varint(r, &strip) || strip > prev->len))
		return -1;
	nul = memchr(r->p, '\0', (size_t)(r->end - r->p));
	if (!nul)
		return -1;
	*path = (const char *)r->p;
	*len = (size_t)(nul - r->p);
	r->p = nul + 1;
	if (ix->version == 4) {
		prev->len -= strip;
		if (buf_add(prev, *path, *len))
			return -1;
		*path = prev->ptr;
		*len = prev->len;
		return 0;
	}
	/* Before v4, entries are padded with 1 to 8 NULs to a multiple of 8. */
	size = ((size_t)(nul - entry) + 8) & ~(size_t)7;
	if (size > (size_t)(r->end - entry))
		return -1;
	r->p = entry + size;
	return 0;
}

static const char *paths_base(const struct source_index *ix)
{
	return ix->version == 4 ? ix->names.ptr : (const char *)ix->map;
}

/*
 * A path git could have written: relative, no empty component, ending in
 * '/' exactly when it is a sparse directory entry.
 */
static int path_ok(const char *path, size_t len, uint32_t mode)
{
	if (!len || path[0] == '/' || memmem(path, len, "//", 2))
		return 0;
	return (path[len - 1] == '/') == (mode == MODE_DIR);
}

static int entry_keep(struct source_index *ix, const char *path, size_t len,
		      uint32_t mode, const unsigned char *id)
{
	struct index_entry *e = &ix->entries[ix->n];

	if (!path_ok(path, len, mode))
		return -1;
	if (ix->n) {
		const struct index_entry *prev = &ix->entries[ix->n - 1];
		size_t n = prev->len < len ? prev->len : len;
		int c = memcmp(paths_base(ix) + prev->path, path, n);
		/* Sorted, as git keeps it; nothing below a sparse directory. */
		if (c > 0 ||
		    (!c && (prev->len >= len || prev->mode == MODE_DIR)))
			return -1;
	}
	if (ix->version == 4) {
		e->path = (uint32_t)ix->names.len;
		if (buf_add(&ix->names, path, len + 1))
			return -1;
	} else {
		e->path = (uint32_t)((const unsigned char *)path - ix->map);
	}
	e->len = (uint32_t)len;
	e->mode = mode;
	e->id = (uint32_t)(id - ix->map);
	ix->n++;
	return 0;
}

static int read_entry(struct source_index *ix, struct reader *r,
		      struct buf *prev)
{
	const unsigned char *e = r->p;
	const char *path;
	uint16_t flags, ext = 0;
	size_t len;

	if (r->end - r->p < ENTRY_FIXED + 2)
		return -1;
	flags = get_be16(e + 60);
	r->p += ENTRY_FIXED;
	if ((flags & FLAG_EXTENDED) && ix->version >= 3) {
		ext = get_be16(r->p);
		r->p += 2;
	}
	if (read_path(ix, r, e, prev, &path, &len))
		return -1;
	/* Conflict stages and `git add -N` placeholders: not staged content. */
	if ((flags >> 12 & 3) || (ext & EXT_INTENT_TO_ADD))
		return 0;
	return entry_keep(ix, path, len, get_be32(e + 24), e + 40);
}

static int read_extensions(struct source_index *ix, struct reader *r,
			   const char *file, struct lg_error *err)
{
	while (r->end - r->p > CHECKSUM_SIZE) {
		const unsigned char *sig = r->p;
		uint32_t size;

		if (r->end - r->p < 8 + CHECKSUM_SIZE)
			break;
		size = get_be32(r->p + 4);
		r->p += 8;
		if (size > (size_t)(r->end - r->p) - CHECKSUM_SIZE)
			return lg_error_set(err, LG_ERR_PARSE, "%s: extension "
					    "%.4s is cut short", file, sig);
		if (!memcmp(sig, "TREE", 4))
			read_cache_tree(ix, r->p, size);
		else if (!memcmp(sig, "link", 4))
			return lg_error_set(
				err, LG_ERR_PARSE,
				"%s: split index "
				"is not supported (git update-index "
				"--no-split-index)",
				file);
		else if (memcmp(sig, "sdir", 4) &&
			 !(sig[0] >= 'A' && sig[0] <= 'Z'))
			return lg_error_set(err, LG_ERR_PARSE,
					    "%s: index extension "
					    "'%.4s' is not supported",
					    file, sig);
		r->p += size;
	}
	return 0;
}

static int parse_entries(struct source_index *ix, struct reader *r,
			 uint32_t count, const char *file, struct lg_error *err)
{
	struct buf prev = BUF_INIT;
	uint32_t i;
	int rc = 0;

	if (count > ix->size / ENTRY_FIXED ||
	    !(ix->entries = malloc(((size_t)count + 1) * sizeof(*ix->entries))))
		return lg_error_set(err, LG_ERR_PARSE, "%s: bad entry count",
				    file);
	for (i = 0; i < count && !rc; i++)
		rc = read_entry(ix, r, &prev);
	buf_release(&prev);
	if (rc)
		return lg_error_set(err, LG_ERR_PARSE,
				    "%s: entry %u is damaged "
				    "or out of order",
				    file, i);
	ix->paths = paths_base(ix);
	return 0;
}

static int parse_index(struct source_index *ix, const char *file,
		       struct lg_error *err)
{
	struct reader r = { ix->map, ix->map + ix->size };

	if (ix->size < HEADER_SIZE + CHECKSUM_SIZE || memcmp(r.p, "DIRC", 4))
		return lg_error_set(err, LG_ERR_PARSE, "%s: not a git index",
				    file);
	ix->version = get_be32(r.p + 4);
	if (ix->version < 2 || ix->version > 4)
		return lg_error_set(err, LG_ERR_PARSE,
				    "%s: index version %u is "
				    "not supported",
				    file, ix->version);
	if (ix->size > UINT32_MAX)
		return lg_error_set(err, LG_ERR_LIMIT, "%s: index over 4 GiB",
				    file);
	r.p += HEADER_SIZE;
	if (parse_entries(ix, &r, get_be32(ix->map + 8), file, err))
		return err->code;
	return read_extensions(ix, &r, file, err);
}

/* Maps the file; a missing file is an empty index (nothing staged yet). */
static int map_file(struct source_index *ix, const char *path,
		    struct lg_error *err)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lg_error_errno(err, e, "%s", path);
	}
	map = st.st_size > 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ,
				    MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED)
		return lg_error_set(err, LG_ERR_PARSE, "%s: not a git index",
				    path);
	ix->map = map;
	ix->size = (size_t)st.st_size;
	return parse_index(ix, path, err);
}

int source_index_read(struct source_index **out, const char *path,
		      struct lg_error *err)
{
	struct source_index *ix = calloc(1, sizeof(*ix));

	*out = NULL;
	if (!ix)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (map_file(ix, path, err)) {
		source_index_free(ix);
		return err->code;
	}
	*out = ix;
	return 0;
}

void source_index_free(struct source_index *ix)
{
	if (!ix)
		return;
	cache_tree_release(ix->root);
	free(ix->root);
	free(ix->entries);
	buf_release(&ix->names);
	if (ix->map)
		munmap((void *)ix->map, ix->size);
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
		int c = memcmp(paths_base(ix) + e->path, path,
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
	       !memcmp(paths_base(ix) + e->path, prefix, len);
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
	return ix->map + ix->entries[i].id;
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
	return !memcmp(entry_id(ix, k), id->id, OID_SIZE);
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
	if (e->mode == MODE_DIR)
		return source_diff_subtree(d, name, len - 1, old, &id, err);
	if (source_diff_add(d, kind, name, len, (git_filemode_t)e->mode, old,
			    &id))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

static int diff_dir(struct source_diff *d, const struct source_index *ix,
		    const git_tree *old, size_t lo, size_t hi,
		    const struct cache_tree *ct, struct lg_error *err);

/* A subdirectory both sides have: skipped when the cache tree allows. */
static int diff_subdir(struct source_diff *d, const struct source_index *ix,
		       const git_tree_entry *a, const struct group *g,
		       const struct cache_tree *ct, struct lg_error *err)
{
	const struct cache_tree *kid = cache_tree_kid(ct, g->name, g->len);
	const struct index_entry *e = &ix->entries[g->first];
	size_t dir_len = d->dir.len;
	git_tree *sub = NULL;
	int rc;

	if (kid && kid->valid && git_oid_equal(&kid->id, git_tree_entry_id(a)))
		return 0;
	if (g->end == g->first + 1 && e->mode == MODE_DIR)
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
		     const struct cache_tree *ct, struct lg_error *err)
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
		    const struct cache_tree *ct, struct lg_error *err)
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
	const struct cache_tree *root = ix->root;

	if (head && root && root->valid &&
	    git_oid_equal(&root->id, git_tree_id(head)))
		return 0; /* the index is HEAD's tree: nothing staged */
	buf_reset(&d->dir);
	return diff_dir(d, ix, head, 0, ix->n, root, err);
}
