/*
 * Where else a leaked blob lives: for the few blobs that produced findings,
 * every commit in the walk order whose tree holds them, and at which path.  Each tree
 * is read once; what it holds of those blobs is memoised by tree id.
 */
#include "source_history.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tree_iter.h"
#include "banned.h"

struct hit {
	char *path;
	size_t blob;		/* index into struct locate.blobs */
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
	struct dedup wanted;	/* blob id -> index + 1 */
	struct dedup memo;	/* tree id -> struct tree_hits */
	struct blob_places *places;
	size_t n_blobs;
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

static int tree_hits_of(struct locate *lc, const git_oid *id,
			const struct tree_hits **out);

static int entry_hits(struct locate *lc, struct tree_hits *t,
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
		idx = (size_t)dedup_get(&lc->wanted, id.id);
		rc = idx ? add_hit(t, NULL, name.ptr, idx - 1) : 0;
	} else if (!(rc = tree_hits_of(lc, &id, &child))) {
		for (i = 0; child && i < child->n && !rc; i++)
			rc = add_hit(t, name.ptr, child->items[i].path,
				     child->items[i].blob);
	}
	buf_release(&name);
	return rc;
}

/* *out is borrowed from the memo; NULL for an unreadable tree. */
static int tree_hits_of(struct locate *lc, const git_oid *id,
			const struct tree_hits **out)
{
	struct tree_hits *t = dedup_get(&lc->memo, id->id);
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *tree = NULL;
	struct tree_iter it;
	struct tree_entry e;
	int rc = 0;

	*out = t;
	if (t)
		return 0;
	if (source_history_tree(lc->src, id, &tree, &why))
		return why.code == LG_ERR_NOMEM ? why.code : 0; /* reported */
	if (!(t = calloc(1, sizeof(*t)))) {
		pack_object_put(tree);
		return LG_ERR_NOMEM;
	}
	tree_iter_init(&it, tree->data, tree->len);
	while (!rc && tree_iter_next(&it, &e) > 0)
		rc = entry_hits(lc, t, &e);
	pack_object_put(tree);
	if (rc || (rc = dedup_put(&lc->memo, id->id, t))) {
		tree_hits_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int add_place(struct locate *lc, size_t blob, size_t commit,
		     const char *path)
{
	struct blob_places *p = &lc->places[blob];
	struct place *grown;

	p->count++;
	if (!lc->src->all_locations)
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

static int walk_commits(struct locate *lc)
{
	size_t c, i;
	int rc = 0;

	for (c = 0; c < lc->src->order.n && !rc; c++) {
		const struct tree_hits *t;
		git_commit *commit = NULL;
		if (git_commit_lookup(&commit, lc->src->repo, &lc->src->order.order[c]))
			continue;
		rc = tree_hits_of(lc, git_commit_tree_id(commit), &t);
		git_commit_free(commit);
		for (i = 0; !rc && t && i < t->n; i++)
			rc = add_place(lc, t->items[i].blob, c, t->items[i].path);
	}
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

int source_history_locate(struct source_history *src, struct finding_list *l,
			  struct lg_error *err)
{
	struct locate lc;
	size_t i, j;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.src = src;
	if ((rc = collect_wanted(&lc, l)) || !lc.n_blobs)
		goto done;
	if (!(lc.places = calloc(lc.n_blobs, sizeof(*lc.places)))) {
		rc = LG_ERR_NOMEM;
		goto done;
	}
	if ((rc = walk_commits(&lc)))
		goto done;
	for (i = 0; i < l->n && !rc; i++) {
		struct finding *f = l->items[i];
		size_t idx = f->has_blob ? (size_t)dedup_get(&lc.wanted, f->blob) : 0;
		if (idx)
			rc = attach_places(&lc, f, &lc.places[idx - 1], err);
	}
done:
	for (i = 0; lc.places && i < lc.n_blobs; i++) {
		for (j = 0; j < lc.places[i].n; j++)
			free(lc.places[i].where[j].path);
		free(lc.places[i].where);
	}
	free(lc.places);
	dedup_each_value(&lc.memo, tree_hits_free);
	dedup_release(&lc.memo);
	dedup_release(&lc.wanted);
	if (rc && !err->code)
		lg_error_set(err, rc, "out of memory locating findings");
	return rc;
}
