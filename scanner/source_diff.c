#include "source_diff.h"

#include <git2/sys/hashsig.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "error.h"
#include "banned.h"

/* `git diff -M`'s default: at least half of the content kept. */
#define RENAME_MIN_SCORE 50
/* Like git's diff.renameLimit: past it only exact renames are found. */
#define RENAME_LIMIT 1000
/* Larger files are paired by exact content only, never inflated for it. */
#define RENAME_MAX_SIZE ((size_t)64 << 20)
/*
 * An old version this much larger than the new one is not inflated to
 * diff: every line of the new one then counts as added.
 */
#define OLD_SIDE_MAX(new_len) (4 * (size_t)(new_len) + ((size_t)64 << 20))

/* The size of blob id from its header, or (size_t)-1 when unreadable. */
static size_t header_size(git_repository *repo, const git_oid *id)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len;

	if (git_repository_odb(&odb, repo) ||
	    git_odb_read_header(&len, &type, odb, id))
		len = (size_t)-1;
	git_odb_free(odb);
	return len;
}

void source_diff_init(struct source_diff *d, git_repository *repo)
{
	memset(d, 0, sizeof(*d));
	d->repo = repo;
}

void source_diff_release(struct source_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->items[i].path);
	free(d->items);
	buf_release(&d->dir);
	dedup_release(&d->walked);
	free(d->visits);
	memset(d, 0, sizeof(*d));
}

/*
 * Opening from the environment, libgit2 also opens $GIT_INDEX_FILE, and
 * it cannot read a split index (which `git commit -a` hands its hook when
 * core.splitIndex is set).  leakgate reads the index itself (source_index),
 * so libgit2 is not shown it.  Called before any thread starts.
 */
static int open_from_env(git_repository **out)
{
	const char *env = getenv("GIT_INDEX_FILE");
	char *index = env ? strdup(env) : NULL;
	int rc;

	if (env && !index)
		return -1;
	if (index)
		unsetenv("GIT_INDEX_FILE");
	rc = git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV,
				     NULL);
	if (index)
		setenv("GIT_INDEX_FILE", index, 1);
	free(index);
	return rc;
}

int source_diff_open_repo(git_repository **out, const char *dir,
			  struct lg_error *err)
{
	const char *git_dir;

	if (dir) {
		if (git_repository_open_ext(out, dir, 0, NULL))
			return lg_error_git(err, "%s: not a git repository",
					    dir);
		return 0;
	}
	if (!open_from_env(out))
		return 0;
	/*
	 * libgit2 refuses GIT_WORK_TREE and GIT_COMMON_DIR there, and git
	 * exports the first to the hooks of `git --work-tree=...`: the git
	 * directory is all leakgate needs.
	 */
	git_dir = getenv("GIT_DIR");
	if (git_dir && (getenv("GIT_WORK_TREE") || getenv("GIT_COMMON_DIR")) &&
	    !git_repository_open_ext(out, git_dir,
				     GIT_REPOSITORY_OPEN_NO_SEARCH, NULL))
		return 0;
	return lg_error_git(err, "not a git repository (or any parent)");
}

int source_diff_name_cmp(const char *a, size_t alen, int adir,
			 const char *b, size_t blen, int bdir)
{
	size_t n = alen < blen ? alen : blen;
	int c = memcmp(a, b, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = alen > n ? (unsigned char)a[n] : adir ? '/' : 0;
	cb = blen > n ? (unsigned char)b[n] : bdir ? '/' : 0;
	return (int)ca - (int)cb;
}

int source_diff_add(struct source_diff *d, enum source_diff_kind kind,
		    const char *name, size_t len, git_filemode_t mode,
		    const git_oid *old_id, const git_oid *new_id)
{
	struct source_diff_change *c;
	struct buf path = BUF_INIT;

	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0;
	if (d->n == d->alloc) {
		size_t alloc = d->alloc ? d->alloc * 2 : 16;
		c = realloc(d->items, alloc * sizeof(*c));
		if (!c)
			return LG_ERR_NOMEM;
		d->items = c;
		d->alloc = alloc;
	}
	if (buf_add(&path, d->dir.ptr ? d->dir.ptr : "", d->dir.len) ||
	    buf_add(&path, name, len)) {
		buf_release(&path);
		return LG_ERR_NOMEM;
	}
	c = &d->items[d->n++];
	memset(c, 0, sizeof(*c));
	c->path = buf_detach(&path);
	c->kind = kind;
	c->walk = d->walk;
	c->places = 1;
	if (old_id)
		git_oid_cpy(&c->old_id, old_id);
	if (new_id)
		git_oid_cpy(&c->new_id, new_id);
	return 0;
}

/* ---- tree against tree -------------------------------------------------- */

static int entry_is_tree(const git_tree_entry *e)
{
	return git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

static int add_visit(struct source_diff *d, size_t walk)
{
	if (d->n_visits == d->alloc_visits) {
		size_t alloc = d->alloc_visits ? d->alloc_visits * 2 : 16;
		struct source_diff_visit *grown =
			realloc(d->visits, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		d->visits = grown;
		d->alloc_visits = alloc;
	}
	d->visits[d->n_visits].walk = walk;
	d->visits[d->n_visits++].within = d->walk;
	return 0;
}

/*
 * Notes a visit of the pair (old_id, new_id); *fresh says whether it is
 * the first, which then starts a walk of its own.
 */
static int visit_pair(struct source_diff *d, const git_oid *old_id,
		      const git_oid *new_id, int *fresh)
{
	unsigned char ids[2 * GIT_OID_RAWSZ] = { 0 }, key[16];
	uintptr_t walk;

	if (old_id)
		memcpy(ids, old_id->id, GIT_OID_RAWSZ);
	if (new_id)
		memcpy(ids + GIT_OID_RAWSZ, new_id->id, GIT_OID_RAWSZ);
	dedup_key_of(ids, sizeof(ids), key);
	walk = (uintptr_t)dedup_get(&d->walked, key);
	*fresh = !walk;
	if (!walk && dedup_put(&d->walked, key, (void *)(walk = ++d->n_walks)))
		return LG_ERR_NOMEM;
	return add_visit(d, walk);
}

int source_diff_subtree(struct source_diff *d, const char *name, size_t len,
			const git_oid *old_id, const git_oid *new_id,
			struct lg_error *err)
{
	git_tree *a = NULL, *b = NULL;
	size_t dir_len = d->dir.len, within = d->walk;
	int rc = 0, fresh;

	if (visit_pair(d, old_id, new_id, &fresh))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!fresh)
		return 0;	/* its changes are known: only places grow */
	d->walk = d->n_walks;
	if (buf_add(&d->dir, name, len) || buf_addch(&d->dir, '/')) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((old_id && git_tree_lookup(&a, d->repo, old_id)) ||
	    (new_id && git_tree_lookup(&b, d->repo, new_id))) {
		rc = lg_error_git(err, "tree %s", d->dir.ptr);
		goto done;
	}
	rc = source_diff_trees(d, a, b, err);
done:
	d->walk = within;
	d->dir.len = dir_len;
	if (d->dir.ptr)
		d->dir.ptr[dir_len] = '\0';
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* An entry only one side has (new NULL: deleted; old NULL: added). */
static int diff_one_side(struct source_diff *d, const git_tree_entry *old,
			 const git_tree_entry *new, struct lg_error *err)
{
	const git_tree_entry *e = new ? new : old;
	const char *name = git_tree_entry_name(e);
	const git_oid *old_id = old ? git_tree_entry_id(old) : NULL;
	const git_oid *new_id = new ? git_tree_entry_id(new) : NULL;

	if (entry_is_tree(e))
		return source_diff_subtree(d, name, strlen(name), old_id,
					   new_id, err);
	if (source_diff_add(d, new ? SOURCE_DIFF_ADDED : SOURCE_DIFF_DELETED,
			    name, strlen(name), git_tree_entry_filemode(e),
			    old_id, new_id))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

int source_diff_removed(struct source_diff *d, const git_tree_entry *old,
			struct lg_error *err)
{
	return diff_one_side(d, old, NULL, err);
}

/* Entries with the same name (and kind) on both sides. */
static int diff_both(struct source_diff *d, const git_tree_entry *old,
		     const git_tree_entry *new, struct lg_error *err)
{
	const char *name = git_tree_entry_name(new);
	git_filemode_t om = git_tree_entry_filemode(old);
	git_filemode_t nm = git_tree_entry_filemode(new);
	int was_file = om == GIT_FILEMODE_BLOB ||
		       om == GIT_FILEMODE_BLOB_EXECUTABLE;

	if (!git_oid_cmp(git_tree_entry_id(old), git_tree_entry_id(new)))
		return 0;
	if (entry_is_tree(new))
		return source_diff_subtree(d, name, strlen(name),
					   git_tree_entry_id(old),
					   git_tree_entry_id(new), err);
	/* A symbolic link that became a file is an added file. */
	if (source_diff_add(d,
			    was_file ? SOURCE_DIFF_MODIFIED : SOURCE_DIFF_ADDED,
			    name, strlen(name), nm, git_tree_entry_id(old),
			    git_tree_entry_id(new)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

static int tree_entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *an = git_tree_entry_name(a), *bn = git_tree_entry_name(b);

	return source_diff_name_cmp(an, strlen(an), entry_is_tree(a),
				    bn, strlen(bn), entry_is_tree(b));
}

int source_diff_trees(struct source_diff *d, const git_tree *old,
		      const git_tree *new, struct lg_error *err)
{
	size_t i = 0, j = 0;
	size_t na = old ? git_tree_entrycount(old) : 0;
	size_t nb = new ? git_tree_entrycount(new) : 0;
	int rc = 0;

	while (!rc && (i < na || j < nb)) {
		const git_tree_entry *a =
			i < na ? git_tree_entry_byindex(old, i) : NULL;
		const git_tree_entry *b =
			j < nb ? git_tree_entry_byindex(new, j) : NULL;
		int c = !a ? 1 : !b ? -1 : tree_entry_cmp(a, b);

		if (c < 0)
			rc = diff_one_side(d, a, NULL, err);
		else if (c > 0)
			rc = diff_one_side(d, NULL, b, err);
		else
			rc = diff_both(d, a, b, err);
		i += c <= 0;
		j += c >= 0;
	}
	return rc;
}

/* ---- renames ------------------------------------------------------------ */

/* A similarity signature of the blob, or NULL (unreadable, binary). */
static git_hashsig *signature_of(git_repository *repo, const git_oid *id)
{
	git_blob *blob = NULL;
	git_hashsig *sig = NULL;

	if (header_size(repo, id) > RENAME_MAX_SIZE ||
	    git_blob_lookup(&blob, repo, id))
		return NULL;
	if (!git_blob_is_binary(blob) &&
	    git_hashsig_create(&sig, git_blob_rawcontent(blob),
			       (size_t)git_blob_rawsize(blob),
			       GIT_HASHSIG_SMART_WHITESPACE |
			       GIT_HASHSIG_ALLOW_SMALL_FILES))
		sig = NULL;
	git_blob_free(blob);
	return sig;
}

/* Makes each added file a modification of its most similar deleted file. */
static void pair_similar(struct source_diff *d, size_t *added, size_t na,
			 git_hashsig **sigs, const size_t *deleted, size_t nd)
{
	size_t i, k;

	for (i = 0; i < na; i++) {
		struct source_diff_change *a = &d->items[added[i]];
		git_hashsig *sig = signature_of(d->repo, &a->new_id);
		int best = RENAME_MIN_SCORE - 1;

		for (k = 0; sig && k < nd; k++) {
			int score = sigs[k] ? git_hashsig_compare(sig, sigs[k])
					    : -1;
			if (score <= best)
				continue;
			best = score;
			a->kind = SOURCE_DIFF_MODIFIED;
			git_oid_cpy(&a->old_id, &d->items[deleted[k]].old_id);
		}
		git_hashsig_free(sig);
	}
}

static int find_similar(struct source_diff *d, size_t *added, size_t na,
			const size_t *deleted, size_t nd)
{
	git_hashsig **sigs;
	size_t k;

	if (!na || !nd || na > RENAME_LIMIT || nd > RENAME_LIMIT)
		return 0;
	sigs = calloc(nd, sizeof(*sigs));
	if (!sigs)
		return LG_ERR_NOMEM;
	for (k = 0; k < nd; k++)
		sigs[k] = signature_of(d->repo, &d->items[deleted[k]].old_id);
	pair_similar(d, added, na, sigs, deleted, nd);
	for (k = 0; k < nd; k++)
		git_hashsig_free(sigs[k]);
	free(sigs);
	return 0;
}

/*
 * Drops added files whose content a deleted file had; fills added and
 * deleted with the indices of the rest.
 */
static int drop_exact(struct source_diff *d, size_t *added, size_t *na,
		      size_t *deleted, size_t *nd)
{
	struct dedup gone = DEDUP_INIT;
	size_t i;
	int rc = 0;

	*na = *nd = 0;
	for (i = 0; i < d->n && rc >= 0; i++)
		if (d->items[i].kind == SOURCE_DIFF_DELETED) {
			deleted[(*nd)++] = i;
			rc = dedup_add(&gone, d->items[i].old_id.id);
		}
	for (i = 0; i < d->n && *nd && rc >= 0; i++) {
		struct source_diff_change *c = &d->items[i];
		if (c->kind != SOURCE_DIFF_ADDED)
			continue;
		if (dedup_has(&gone, c->new_id.id))
			c->kind = SOURCE_DIFF_DELETED; /* dropped below */
		else
			added[(*na)++] = i;
	}
	dedup_release(&gone);
	return rc < 0 ? LG_ERR_NOMEM : 0;
}

static int change_cmp(const void *a, const void *b)
{
	return strcmp(((const struct source_diff_change *)a)->path,
		      ((const struct source_diff_change *)b)->path);
}

static void drop_deleted(struct source_diff *d)
{
	size_t i, kept = 0;

	for (i = 0; i < d->n; i++) {
		if (d->items[i].kind == SOURCE_DIFF_DELETED)
			free(d->items[i].path);
		else
			d->items[kept++] = d->items[i];
	}
	d->n = kept;
	if (d->n)
		qsort(d->items, d->n, sizeof(*d->items), change_cmp);
}

/* ---- places ------------------------------------------------------------- */

/* Each walk's visits, grouped: within[start[w] .. start[w + 1]). */
struct places {
	size_t *start, *within;
	uint64_t *memo;		/* 0: not yet known */
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The paths that lead into walk w: each visit of it adds as many as lead
 * into the walk it was met in.  Those are its ancestors in the trees, so
 * the recursion is as deep as the trees are.
 */
static uint64_t places_of(struct places *p, size_t w)
{
	uint64_t sum = 0;
	size_t i;

	if (!w)
		return 1;
	if (p->memo[w])
		return p->memo[w];
	for (i = p->start[w]; i < p->start[w + 1]; i++)
		sum = add_sat(sum, places_of(p, p->within[i]));
	return p->memo[w] = sum ? sum : 1;
}

static int count_places(struct source_diff *d)
{
	size_t n = d->n_walks + 2, i;
	struct places p;
	int rc = 0;

	p.start = calloc(n, sizeof(*p.start));
	p.within = calloc(d->n_visits + 1, sizeof(*p.within));
	p.memo = calloc(n, sizeof(*p.memo));
	if (!p.start || !p.within || !p.memo) {
		rc = LG_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < d->n_visits; i++)
		p.start[d->visits[i].walk + 1]++;
	for (i = 1; i < n; i++)
		p.start[i] += p.start[i - 1];
	for (i = 0; i < d->n_visits; i++)	/* start[w] moves to its end */
		p.within[p.start[d->visits[i].walk]++] = d->visits[i].within;
	memmove(p.start + 1, p.start, (n - 1) * sizeof(*p.start));
	p.start[0] = 0;
	for (i = 0; i < d->n; i++)
		d->items[i].places = places_of(&p, d->items[i].walk);
done:
	free(p.start);
	free(p.within);
	free(p.memo);
	return rc;
}

int source_diff_renames(struct source_diff *d, struct lg_error *err)
{
	size_t *added = calloc(d->n + 1, sizeof(*added));
	size_t *deleted = calloc(d->n + 1, sizeof(*deleted));
	size_t na, nd;
	int rc = LG_ERR_NOMEM;

	if (added && deleted && !count_places(d) &&
	    !drop_exact(d, added, &na, deleted, &nd))
		rc = find_similar(d, added, na, deleted, nd);
	free(added);
	free(deleted);
	if (rc)
		return lg_error_set(err, rc, "out of memory pairing renames");
	drop_deleted(d);
	return 0;
}

const struct source_diff_change *
source_diff_find(const struct source_diff *d, const char *path)
{
	struct source_diff_change key;

	if (!d->n)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.path = (char *)path;
	return bsearch(&key, d->items, d->n, sizeof(*d->items), change_cmp);
}

/* ---- added lines -------------------------------------------------------- */

struct hunk_lines {
	struct line_ranges lines;
	int nomem;
};

static int on_hunk(const git_diff_delta *delta, const git_diff_hunk *h,
		   void *payload)
{
	struct hunk_lines *hl = payload;

	(void)delta;
	if (h->new_lines <= 0)
		return 0;	/* only removes lines */
	if (line_ranges_add(&hl->lines, (size_t)h->new_start,
			    (size_t)(h->new_start + h->new_lines - 1))) {
		hl->nomem = 1;
		return -1;
	}
	return 0;
}

/*
 * The lines of new that old lacks, from a diff without context lines.
 * Returns 0, LG_ERR_NOMEM, or 1 when libgit2 could not diff them.
 */
static int lines_added(struct hunk_lines *out, const git_blob *old,
		       const git_blob *new)
{
	git_diff_options opts;
	int rc;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.interhunk_lines = 0;
	opts.flags = GIT_DIFF_FORCE_TEXT;
	/*
	 * Buffers, not blobs: for blobs libgit2 looks up the diff driver in
	 * .gitattributes, which loads the whole index (tens of ms on a big
	 * repository) and could declare a text file binary.
	 */
	rc = git_diff_buffers(git_blob_rawcontent(old),
			      (size_t)git_blob_rawsize(old), NULL,
			      git_blob_rawcontent(new),
			      (size_t)git_blob_rawsize(new), NULL, &opts, NULL,
			      NULL, on_hunk, NULL, out);
	if (out->nomem)
		return LG_ERR_NOMEM;
	return rc ? 1 : 0;
}

/* out = a ∩ b, both sorted and disjoint. */
static int ranges_intersect(struct line_ranges *out,
			    const struct line_ranges *a,
			    const struct line_ranges *b)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		size_t lo = a->r[i][0] > b->r[j][0] ? a->r[i][0] : b->r[j][0];
		size_t hi = a->r[i][1] < b->r[j][1] ? a->r[i][1] : b->r[j][1];

		if (lo <= hi && line_ranges_add(out, lo, hi))
			return LG_ERR_NOMEM;
		if (a->r[i][1] < b->r[j][1])
			i++;
		else
			j++;
	}
	return 0;
}

/*
 * Narrows *acc (NULL: every line) to the lines new adds relative to old.
 * An old side that cannot be read or diffed cannot hide a line: then *acc
 * stays as it is.
 */
static int narrow(struct line_ranges **acc, git_repository *repo,
		  const git_oid *old_id, const git_blob *new)
{
	struct hunk_lines diff = { LINE_RANGES_INIT, 0 };
	struct line_ranges both = LINE_RANGES_INIT;
	git_blob *old = NULL;
	int rc;

	/* One far larger than new cannot be worth inflating to diff. */
	if (header_size(repo, old_id) > OLD_SIDE_MAX(git_blob_rawsize(new)) ||
	    git_blob_lookup(&old, repo, old_id))
		return 0;
	rc = lines_added(&diff, old, new);
	git_blob_free(old);
	if (!rc && *acc) {
		rc = ranges_intersect(&both, *acc, &diff.lines);
		line_ranges_release(*acc);
		**acc = both;
	} else if (!rc && (*acc = malloc(sizeof(**acc)))) {
		**acc = diff.lines;
		return 0;
	} else if (!rc) {
		rc = LG_ERR_NOMEM;
	}
	line_ranges_release(&diff.lines);
	return rc < 0 ? rc : 0;
}

/*
 * The lines of blob added relative to every old side: *out NULL means
 * every line; an empty set means none.
 */
static int added_everywhere(struct line_ranges **out, git_repository *repo,
			    const git_blob *blob, const git_oid *const *olds,
			    size_t n_olds)
{
	size_t k;
	int rc = 0;

	*out = NULL;
	for (k = 0; k < n_olds && !rc; k++) {
		if (olds[k])
			rc = narrow(out, repo, olds[k], blob);
		if (*out && !(*out)->n)
			break;	/* nothing left to narrow */
	}
	return rc;
}

static int push_item(struct scan_queue *q, const char *path,
		     const git_blob *blob, struct line_ranges *lines,
		     size_t origin)
{
	struct scan_item item;
	size_t len = (size_t)git_blob_rawsize(blob);

	memset(&item, 0, sizeof(item));
	item.only_lines = lines;
	item.path = strdup(path);
	item.data = malloc(len + 1);
	if (!item.path || !item.data) {
		scan_item_release(&item);
		return LG_ERR_NOMEM;
	}
	if (len)
		memcpy(item.data, git_blob_rawcontent(blob), len);
	item.data[len] = '\0';
	item.len = len;
	memcpy(item.oid, git_blob_id(blob)->id, sizeof(item.oid));
	item.has_oid = 1;
	item.origin = origin;
	return scan_queue_push(q, &item);
}

/* Counts and reports a blob of len bytes over the cap; returns 1 if so. */
static int too_large(struct scan_queue *q, const char *path, size_t len)
{
	const struct scan_options *o = scan_queue_options(q);

	if (!o->max_file_size || len <= o->max_file_size)
		return 0;
	scan_queue_skip(q, SCAN_SKIP_TOO_LARGE);
	scan_queue_warn(q, "skipping %s: %zu bytes, over the %zu-byte cap", path,
			len, o->max_file_size);
	return 1;
}

/* Counts and reports a blob that is not scanned; returns 1 (skip it). */
static int skip_blob(struct scan_queue *q, const char *path,
		     const git_blob *blob, const git_oid *id)
{
	const struct scan_options *o = scan_queue_options(q);
	char hex[GIT_OID_HEXSZ + 1];
	const git_error *e;
	size_t len;

	if (!blob) {
		e = git_error_last();
		scan_queue_skip(q, SCAN_SKIP_UNREADABLE);
		scan_queue_warn(q, "skipping %s: blob %s: %s", path,
				git_oid_tostr(hex, sizeof(hex), id),
				e && e->message ? e->message : "unreadable");
		return 1;
	}
	len = (size_t)git_blob_rawsize(blob);
	if (too_large(q, path, len))
		return 1;
	if (!o->scan_binary &&
	    scan_looks_binary(git_blob_rawcontent(blob), len) &&
	    !decode_is_archive(&o->decode, git_blob_rawcontent(blob), len)) {
		scan_queue_skip(q, SCAN_SKIP_BINARY);
		return 1;
	}
	return 0;
}

/*
 * Pushes the file new_id at path with the lines it adds relative to every
 * one of olds[0..n_olds) (a NULL entry: the file did not exist there, so
 * every line is added); nothing when no line is added.  A blob over the
 * size cap is skipped by its header, never inflated.
 */
static int push_file(struct scan_queue *q, git_repository *repo,
		     const char *path, const git_oid *new_id,
		     const git_oid *const *olds, size_t n_olds, size_t origin,
		     struct lg_error *err)
{
	size_t len = header_size(repo, new_id);
	struct line_ranges *lines = NULL;
	git_blob *blob = NULL;
	int rc = 0;

	if (len != (size_t)-1 && too_large(q, path, len))
		return 0;
	if (git_blob_lookup(&blob, repo, new_id))
		blob = NULL;
	if (skip_blob(q, path, blob, new_id))
		goto done;
	rc = added_everywhere(&lines, repo, blob, olds, n_olds);
	if (!rc && (!lines || lines->n)) {
		rc = push_item(q, path, blob, lines, origin);
		lines = NULL;	/* the item owned it */
	}
	if (rc < 0)
		lg_error_set(err, rc, "%s: out of memory", path);
done:
	if (lines) {
		line_ranges_release(lines);
		free(lines);
	}
	git_blob_free(blob);
	return rc;
}

int source_diff_push_blob(struct scan_queue *q, git_repository *repo,
			  const char *path, const git_oid *id, size_t origin,
			  struct lg_error *err)
{
	return push_file(q, repo, path, id, NULL, 0, origin, err);
}

/*
 * Whether x is one more change of its blob to push (within the cap); adds
 * the places not pushed to more (NULL: not counted).
 */
static int keep_place(struct dedup *kept, struct dedup *more,
		      const struct source_diff_change *x, int *keep)
{
	uintptr_t n = (uintptr_t)dedup_get(kept, x->new_id.id);
	uint64_t extra = x->places - 1;

	*keep = n < SOURCE_DIFF_PLACES_MAX;
	if (*keep && dedup_put(kept, x->new_id.id, (void *)(n + 1)))
		return LG_ERR_NOMEM;
	if (!*keep)
		extra = x->places;
	if (!more || !extra)
		return 0;
	n = (uintptr_t)dedup_get(more, x->new_id.id);
	n = n > UINTPTR_MAX - extra ? UINTPTR_MAX : n + (uintptr_t)extra;
	return dedup_put(more, x->new_id.id, (void *)n);
}

int source_diff_push_all(struct scan_queue *q, const struct source_diff *diffs,
			 size_t n, size_t origin, struct dedup *more,
			 struct lg_error *err)
{
	const git_oid **olds = calloc(n ? n : 1, sizeof(*olds));
	struct dedup kept = DEDUP_INIT;
	size_t i, k;
	int rc = 0, keep;

	if (!olds)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (i = 0; n && i < diffs[0].n && !rc; i++) {
		const struct source_diff_change *x = &diffs[0].items[i], *y = x;

		for (k = 0; k < n && y; k++) {
			y = k ? source_diff_find(&diffs[k], x->path) : x;
			olds[k] = y && y->kind == SOURCE_DIFF_MODIFIED
					  ? &y->old_id
					  : NULL;
		}
		if (y && (rc = keep_place(&kept, more, x, &keep)) < 0)
			rc = lg_error_set(err, rc, "out of memory");
		else if (y && keep)
			rc = push_file(q, diffs[0].repo, x->path, &x->new_id,
				       olds, n, origin, err);
	}
	dedup_release(&kept);
	free(olds);
	return rc;
}
