/*
 * Where else a leaked blob lives: for the few blobs that produced findings,
 * every commit in the walk order whose tree holds them, and at which path.
 * This runs after the scan, when every core is free: the commits are split
 * into consecutive parts walked by parallel threads, each with its own
 * pack reader; within a part each tree is read once and what it holds of
 * those blobs is memoised by tree id.  Parts are merged in commit order.
 */
#include "source_history.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tree_iter.h"
#include "banned.h"

/* Fewer commits than this are not worth a thread of their own. */
#define PART_MIN_COMMITS 2048
#define PART_CACHE ((size_t)16 << 20)

struct hit {
	char *path;
	size_t blob;		/* index into the wanted blobs */
};

/* What one tree holds of the wanted blobs, recursively. */
struct tree_hits {
	struct hit *items;
	size_t n;
};

struct place {
	size_t commit;		/* index into src->order */
	char *path;
};

struct blob_places {
	size_t count;
	struct place *where;	/* filled only with all_locations */
	size_t n, alloc;
};

struct locate {
	struct source_history *src;
	struct dedup wanted;	/* blob id -> index + 1; read-only in parts */
	size_t n_blobs;
};

/* One thread's consecutive share of the commits. */
struct part {
	const struct locate *lc;
	size_t first, last;
	struct pack_reader reader;
	struct dedup memo;	/* tree id -> struct tree_hits, if it has any */
	struct dedup empty;	/* trees holding none of the wanted blobs */
	struct blob_places *places;	/* n_blobs of them */
	int rc;
};

static void tree_hits_free(void *p)
{
	struct tree_hits *t = p;
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i].path);
	free(t->items);
	free(t);
}

static int add_hit(struct tree_hits *t, const char *dir, const char *name,
		   size_t blob)
{
	struct hit *grown = realloc(t->items, (t->n + 1) * sizeof(*grown));
	struct buf path = BUF_INIT;

	if (!grown)
		return LG_ERR_NOMEM;
	t->items = grown;
	if (dir)
		buf_addf(&path, "%s/%s", dir, name);
	else
		buf_adds(&path, name);
	if (!(t->items[t->n].path = buf_detach(&path)))
		return LG_ERR_NOMEM;
	t->items[t->n++].blob = blob;
	return 0;
}

static int tree_hits_of(struct part *pt, const git_oid *id,
			const struct tree_hits **out);

static int entry_hits(struct part *pt, struct tree_hits *t,
		      const struct tree_entry *e)
{
	const struct tree_hits *child;
	struct buf name = BUF_INIT;
	git_oid id;
	size_t i, idx;
	int rc = 0;

	memcpy(id.id, e->id, sizeof(id.id));
	if (e->kind == TREE_ENTRY_OTHER)
		return 0;
	if (buf_add(&name, e->name, e->name_len))
		return LG_ERR_NOMEM;
	if (e->kind == TREE_ENTRY_BLOB) {
		idx = (size_t)dedup_get(&pt->lc->wanted, id.id);
		rc = idx ? add_hit(t, NULL, name.ptr, idx - 1) : 0;
	} else if (!(rc = tree_hits_of(pt, &id, &child))) {
		for (i = 0; child && i < child->n && !rc; i++)
			rc = add_hit(t, name.ptr, child->items[i].path,
				     child->items[i].blob);
	}
	buf_release(&name);
	return rc;
}

/*
 * *out is borrowed from the memo; NULL for a tree without hits (most of
 * them: only a set entry is kept for those) or an unreadable one.
 */
static int tree_hits_of(struct part *pt, const git_oid *id,
			const struct tree_hits **out)
{
	struct tree_hits *t = dedup_get(&pt->memo, id->id);
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *tree = NULL;
	struct tree_iter it;
	struct tree_entry e;
	int rc = 0;

	*out = t;
	if (t || dedup_has(&pt->empty, id->id))
		return 0;
	if (source_history_tree(&pt->reader, id, &tree, &why))
		return why.code == LG_ERR_NOMEM ? why.code : 0; /* reported */
	if (!(t = calloc(1, sizeof(*t)))) {
		pack_object_put(tree);
		return LG_ERR_NOMEM;
	}
	tree_iter_init(&it, tree->data, tree->len);
	while (!rc && tree_iter_next(&it, &e) > 0)
		rc = entry_hits(pt, t, &e);
	pack_object_put(tree);
	if (!rc && !t->n) {
		tree_hits_free(t);
		return dedup_add(&pt->empty, id->id) < 0 ? LG_ERR_NOMEM : 0;
	}
	if (rc || (rc = dedup_put(&pt->memo, id->id, t))) {
		tree_hits_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int add_place(struct part *pt, size_t blob, size_t commit,
		     const char *path)
{
	struct blob_places *p = &pt->places[blob];
	struct place *grown;

	p->count++;
	if (!pt->lc->src->all_locations)
		return 0;
	if (p->n == p->alloc) {
		size_t alloc = p->alloc ? p->alloc * 2 : 8;
		if (!(grown = realloc(p->where, alloc * sizeof(*grown))))
			return LG_ERR_NOMEM;
		p->where = grown;
		p->alloc = alloc;
	}
	p->where[p->n].commit = commit;
	if (!(p->where[p->n].path = strdup(path)))
		return LG_ERR_NOMEM;
	p->n++;
	return 0;
}

static void *part_walk(void *arg)
{
	struct part *pt = arg;
	const struct ordered_commit *commits = pt->lc->src->order.commits;
	size_t c, i;
	int rc = 0;

	for (c = pt->first; c < pt->last && !rc; c++) {
		const struct tree_hits *t;
		rc = tree_hits_of(pt, &commits[c].tree, &t);
		for (i = 0; !rc && t && i < t->n; i++)
			rc = add_place(pt, t->items[i].blob, c, t->items[i].path);
	}
	pt->rc = rc;
	return NULL;
}

/* Appends a later part's places to into, taking over its paths. */
static int places_merge(struct blob_places *into, struct blob_places *from)
{
	size_t need = into->n + from->n;

	into->count += from->count;
	if (!from->n)
		return 0;
	if (need > into->alloc) {
		struct place *grown = realloc(into->where, need * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		into->where = grown;
		into->alloc = need;
	}
	memcpy(into->where + into->n, from->where, from->n * sizeof(*from->where));
	into->n = need;
	from->n = 0;
	return 0;
}

static void places_free(struct blob_places *places, size_t n)
{
	size_t i, j;

	for (i = 0; places && i < n; i++) {
		for (j = 0; j < places[i].n; j++)
			free(places[i].where[j].path);
		free(places[i].where);
	}
	free(places);
}

static void part_release(struct part *pt)
{
	places_free(pt->places, pt->lc->n_blobs);
	dedup_each_value(&pt->memo, tree_hits_free);
	dedup_release(&pt->memo);
	dedup_release(&pt->empty);
	pack_reader_release(&pt->reader);
}

/* How many parts: one per thread, each with enough commits to pay. */
static size_t part_count(const struct source_history *src)
{
	size_t n = scan_threads(src->threads), most;

	most = src->order.n / PART_MIN_COMMITS;
	if (n > most)
		n = most;
	return n ? n : 1;
}

/*
 * Walks every commit in parts[0..n) (the first in this thread) and merges
 * the places into parts[0].  Returns 0 or an error code.
 */
static int walk_parts(struct part *parts, size_t n)
{
	pthread_t *tids = calloc(n, sizeof(*tids));
	size_t i, b, started = 1;
	int rc = 0;

	if (!tids)
		return LG_ERR_NOMEM;
	for (i = 1; i < n; i++, started++)
		if (pthread_create(&tids[i], NULL, part_walk, &parts[i]))
			break;
	part_walk(&parts[0]);
	for (i = 1; i < started; i++)
		pthread_join(tids[i], NULL);
	for (; started < n; started++)	/* no thread: walk it here */
		part_walk(&parts[started]);
	free(tids);
	for (i = 0; i < n && !rc; i++)
		rc = parts[i].rc;
	for (i = 1; i < n && !rc; i++)
		for (b = 0; b < parts[0].lc->n_blobs && !rc; b++)
			rc = places_merge(&parts[0].places[b], &parts[i].places[b]);
	return rc;
}

/* Copies the places of f's blob, other than f's own, with provenance. */
static int attach_places(struct locate *lc, struct finding *f,
			 const struct blob_places *p, struct lg_error *err)
{
	struct finding scratch;
	size_t i;
	int rc = 0;

	f->more_count = p->count ? p->count - 1 : 0;
	if (!p->n)
		return 0;
	f->more = calloc(p->n, sizeof(*f->more));
	if (!f->more)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (i = 0; i < p->n && !rc; i++) {
		size_t commit = p->where[i].commit;
		if (commit == f->origin && !strcmp(p->where[i].path, f->where.path))
			continue;
		/* Reuse the annotate path so provenance reads the same everywhere. */
		memset(&scratch, 0, sizeof(scratch));
		scratch.origin = commit;
		if ((rc = lc->src->base.annotate(&lc->src->base, &scratch, err)))
			break;
		scratch.where.path = strdup(p->where[i].path);
		scratch.where.line = f->where.line;
		scratch.where.column = f->where.column;
		f->more[f->n_more++] = scratch.where;
	}
	return rc;
}

static int collect_wanted(struct locate *lc, const struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (!f->has_blob || dedup_get(&lc->wanted, f->blob))
			continue;
		if (dedup_put(&lc->wanted, f->blob, (void *)(lc->n_blobs + 1)))
			return LG_ERR_NOMEM;
		lc->n_blobs++;
	}
	return 0;
}

/* Sets up n parts over the commit order; returns 0 or an error code. */
static int parts_open(struct part *parts, size_t n, const struct locate *lc,
		      struct lg_error *err)
{
	struct source_history *src = lc->src;
	size_t i;

	for (i = 0; i < n; i++) {
		parts[i].lc = lc;
		parts[i].first = src->order.n * i / n;
		parts[i].last = src->order.n * (i + 1) / n;
		if (!(parts[i].places = calloc(lc->n_blobs, sizeof(*parts[i].places))))
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		if (pack_reader_init(&parts[i].reader, &src->packs,
				     git_repository_path(src->repo), PART_CACHE,
				     err))
			return err->code;
	}
	return 0;
}

int source_history_locate(struct source_history *src, struct finding_list *l,
			  struct lg_error *err)
{
	struct part *parts = NULL;
	struct locate lc;
	size_t n = 0, i;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.src = src;
	if ((rc = collect_wanted(&lc, l)) || !lc.n_blobs)
		goto done;
	n = part_count(src);
	if (!(parts = calloc(n, sizeof(*parts)))) {
		rc = LG_ERR_NOMEM;
		goto done;
	}
	if ((rc = parts_open(parts, n, &lc, err)) || (rc = walk_parts(parts, n)))
		goto done;
	for (i = 0; i < l->n && !rc; i++) {
		struct finding *f = l->items[i];
		size_t idx = f->has_blob ? (size_t)dedup_get(&lc.wanted, f->blob) : 0;
		if (idx)
			rc = attach_places(&lc, f, &parts[0].places[idx - 1], err);
	}
done:
	for (i = 0; parts && i < n; i++)
		if (parts[i].lc)
			part_release(&parts[i]);
	free(parts);
	dedup_release(&lc.wanted);
	if (rc && !err->code)
		lg_error_set(err, rc, "out of memory locating findings");
	return rc;
}
