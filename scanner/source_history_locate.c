/*
 * Where else a leaked blob lives: for the few blobs that produced findings,
 * every commit in the walk order whose tree holds them, and at which path.
 * This runs after the scan, when every core is free: the commits are split
 * into consecutive parts walked by parallel threads, each with its own
 * pack reader; within a part each tree is read once.  What a tree holds of
 * those blobs becomes a node of a DAG (an edge per entry that leads to
 * one), shared by every commit and tree that holds it, so memory grows
 * with the trees that hold a wanted blob, not with their paths.  Commits
 * add to their root node's multiplicity; pushing the multiplicities down
 * the DAG once gives each blob's count.  Parts are merged in commit order.
 */
#include "source_history_locate.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "last_tree.h"
#include "pack_read.h"
#include "tree_iter.h"
#include "banned.h"

/* Fewer commits than this are not worth a thread of their own. */
#define PART_MIN_COMMITS 2048

/* A tree entry that leads to a wanted blob: the blob, or a tree node. */
struct edge {
	struct node *child;	/* NULL: the entry is the blob itself */
	size_t blob;		/* index into the wanted blobs */
	char *name;
	size_t at;		/* where the entry starts in its tree */
};

/* A tree that holds wanted blobs, and how often commits reach it. */
struct node {
	struct edge *edges;
	size_t n;
	size_t mult;		/* (commit, path) pairs that lead here */
	int full;		/* every blob under it has all the places kept */
};

struct place {
	size_t commit;		/* index into the commit order */
	char *path;
};

struct blob_places {
	size_t count;
	struct place *where;	/* filled only with all_locations */
	size_t n, alloc;
};

struct locate {
	const struct history_locate *in;
	struct dedup wanted;	/* blob id -> index + 1; read-only in parts */
	size_t n_blobs;
	size_t first;		/* no commit before it holds a wanted blob */
};

/* One thread's consecutive share of the commits. */
struct part {
	const struct locate *lc;
	size_t first, last;
	struct pack_reader reader;
	struct dedup memo;	/* tree id -> struct node, if it has any */
	struct dedup empty;	/* trees holding none of the wanted blobs */
	struct last_trees dirs;	/* notes: each tree's node, NULL if empty */
	struct buf path;	/* of the tree being read, "" or "dir/" */
	struct node **nodes;	/* in creation order: children first */
	size_t n_nodes, alloc_nodes;
	struct blob_places *places;	/* n_blobs of them */
	int rc;
};

static void node_free(struct node *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->edges[i].name);
	free(t->edges);
	free(t);
}

static int add_edge(struct node *t, struct node *child, size_t blob,
		    const char *name, size_t len, size_t at)
{
	struct edge *grown = realloc(t->edges, (t->n + 1) * sizeof(*grown));

	if (!grown)
		return LG_ERR_NOMEM;
	t->edges = grown;
	if (!(grown[t->n].name = strndup(name, len)))
		return LG_ERR_NOMEM;
	grown[t->n].child = child;
	grown[t->n].at = at;
	grown[t->n++].blob = blob;
	return 0;
}

static int node_of(struct part *pt, const git_oid *id, struct node **out);

/* The edge of entry e (at byte `at` of tree t's object), if it has one. */
static int entry_edge(struct part *pt, struct node *t,
		      const struct tree_entry *e, size_t at)
{
	size_t base = pt->path.len, idx;
	struct node *child;
	git_oid id;
	int rc;

	memcpy(id.id, e->id, sizeof(id.id));
	if (e->kind == TREE_ENTRY_BLOB) {
		idx = (size_t)dedup_get(&pt->lc->wanted, id.id);
		return idx ? add_edge(t, NULL, idx - 1, e->name, e->name_len,
				      at) : 0;
	}
	if (e->kind != TREE_ENTRY_TREE)
		return 0;
	if (buf_add(&pt->path, e->name, e->name_len) ||
	    buf_addch(&pt->path, '/'))
		return LG_ERR_NOMEM;
	rc = node_of(pt, &id, &child);
	buf_truncate(&pt->path, base);
	if (rc || !child)
		return rc;
	return add_edge(t, child, 0, e->name, e->name_len, at);
}

/* The first of node t's edges (sorted by entry) at or after byte at. */
static size_t first_edge_from(const struct node *t, size_t at)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->edges[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Copies to t the edges of the directory's last node (NULL: it held no
 * wanted blob) for its entries that start from byte `from` to before
 * byte `to`, at `shift` bytes further on in the new tree.
 */
static int copy_edges(struct node *t, const struct node *last, size_t from,
		      size_t to, ptrdiff_t shift)
{
	size_t i = last ? first_edge_from(last, from) : 0;
	int rc = 0;

	for (; last && i < last->n && last->edges[i].at < to && !rc; i++) {
		const struct edge *e = &last->edges[i];
		rc = add_edge(t, e->child, e->blob, e->name, strlen(e->name),
			      (size_t)((ptrdiff_t)e->at + shift));
	}
	return rc;
}

/*
 * What tree holds of the wanted blobs, as a new node t: the entries it
 * shares with the last tree read at the same path keep that tree's
 * edges, only the others are looked up.
 */
static int node_fill(struct part *pt, struct node *t,
		     const struct pack_object *tree, struct tree_step *step)
{
	const struct last_tree *last =
		last_tree_get(&pt->dirs, pt->path.ptr, pt->path.len);
	const struct node *prev = last ? last->note : NULL;
	const char *data = (const char *)tree->data;
	struct tree_entry e;
	int rc = 0, more = 0;

	tree_step_begin(step, last, data, tree->len);
	while (!rc && (more = tree_step_next(step, &e)) > 0) {
		if (more == TREE_STEP_ENTRY)
			rc = entry_edge(pt, t, &e, (size_t)(e.raw - data));
		else
			rc = copy_edges(t, prev, step->run_old,
					step->run_old + step->run_len,
					(ptrdiff_t)step->run_new -
						(ptrdiff_t)step->run_old);
	}
	return !rc && more == LG_ERR_NOMEM ? more : rc;
}

static int node_keep(struct part *pt, const git_oid *id, struct node *t)
{
	if (pt->n_nodes == pt->alloc_nodes) {
		size_t alloc = pt->alloc_nodes ? pt->alloc_nodes * 2 : 256;
		struct node **grown = realloc(pt->nodes, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		pt->nodes = grown;
		pt->alloc_nodes = alloc;
	}
	if (dedup_put(&pt->memo, id->id, t))
		return LG_ERR_NOMEM;
	pt->nodes[pt->n_nodes++] = t;
	return 0;
}

/*
 * The node of tree id, from the memo or read now; NULL for a tree that
 * holds no wanted blob (only a set entry is kept for those: most trees)
 * or cannot be read (reported during the scan).
 */
static int node_of(struct part *pt, const git_oid *id, struct node **out)
{
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *tree = NULL;
	struct tree_step step;
	struct node *t;
	int rc;

	*out = dedup_get(&pt->memo, id->id);
	if (*out || dedup_has(&pt->empty, id->id))
		return 0;
	if (pack_reader_read_tree(&pt->reader, id, &tree, &why))
		return why.code == LG_ERR_NOMEM ? why.code : 0;
	if (!(t = calloc(1, sizeof(*t)))) {
		pack_object_put(tree);
		return LG_ERR_NOMEM;
	}
	rc = node_fill(pt, t, tree, &step);
	if (!rc && !t->n) {
		node_free(t);
		t = NULL;
		rc = dedup_add(&pt->empty, id->id) < 0 ? LG_ERR_NOMEM : 0;
	} else if (!rc && !(rc = node_keep(pt, id, t))) {
		*out = t;
	} else {
		node_free(t);
		t = NULL;
	}
	if (!rc)
		rc = last_tree_set(&pt->dirs, pt->path.ptr, pt->path.len,
				   tree, &step, t);
	tree_step_release(&step);
	pack_object_put(tree);
	return rc;
}

static int add_place(struct part *pt, size_t blob, size_t commit,
		     const char *path)
{
	struct blob_places *p = &pt->places[blob];
	struct place *grown;

	if (p->n >= FINDING_PLACES_MAX)
		return 0;	/* counted by push_down(), not listed */
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

/* Whether every blob under t has FINDING_PLACES_MAX places listed. */
static int node_full(const struct part *pt, const struct node *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct edge *e = &t->edges[i];
		if (e->child ? !e->child->full
			     : pt->places[e->blob].n < FINDING_PLACES_MAX)
			return 0;
	}
	return 1;
}

/*
 * Lists the places under t for commit c (--all-locations), as many as
 * are kept: a subtree whose blobs have them all is not walked again, so
 * a tree holding one subtree 10^10 times over costs little.
 */
static int list_places(struct part *pt, struct node *t, size_t c,
		       struct buf *path)
{
	size_t base = path->len, i;
	int rc = 0;

	for (i = 0; i < t->n && !rc && !t->full; i++) {
		const struct edge *e = &t->edges[i];
		if (buf_adds(path, e->name))
			rc = LG_ERR_NOMEM;
		else if (!e->child)
			rc = add_place(pt, e->blob, c, path->ptr);
		else if (buf_addch(path, '/'))
			rc = LG_ERR_NOMEM;
		else
			rc = list_places(pt, e->child, c, path);
		path->len = base;	/* allocated: see part_walk() */
		path->ptr[base] = '\0';
	}
	t->full = node_full(pt, t);
	return rc;
}

/* Children come after their parents in reverse creation order. */
static void push_down(struct part *pt)
{
	size_t i, j;

	for (i = pt->n_nodes; i-- > 0;) {
		const struct node *t = pt->nodes[i];
		for (j = 0; j < t->n; j++) {
			if (t->edges[j].child)
				t->edges[j].child->mult += t->mult;
			else
				pt->places[t->edges[j].blob].count += t->mult;
		}
	}
}

static void *part_walk(void *arg)
{
	struct part *pt = arg;
	const struct ordered_commit *commits = pt->lc->in->order->commits;
	struct buf path = BUF_INIT;
	struct node *root;
	size_t c;
	int rc = buf_grow(&path, 256);

	for (c = pt->first; c < pt->last && !rc; c++) {
		if ((rc = node_of(pt, &commits[c].tree, &root)) || !root)
			continue;
		root->mult++;
		if (pt->lc->in->all_locations)
			rc = list_places(pt, root, c, &path);
	}
	buf_release(&path);
	if (!rc)
		push_down(pt);
	pt->rc = rc;
	return NULL;
}

/*
 * Appends a later part's places to into, taking over its paths, as many
 * as are kept.
 */
static int places_merge(struct blob_places *into, struct blob_places *from)
{
	size_t need = into->n + from->n, i;

	into->count += from->count;
	for (i = FINDING_PLACES_MAX - into->n; need > FINDING_PLACES_MAX &&
					       i < from->n; i++)
		free(from->where[i].path);
	if (need > FINDING_PLACES_MAX) {
		from->n = FINDING_PLACES_MAX - into->n;
		need = FINDING_PLACES_MAX;
	}
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
	size_t i;

	places_free(pt->places, pt->lc->n_blobs);
	for (i = 0; i < pt->n_nodes; i++)
		node_free(pt->nodes[i]);
	free(pt->nodes);
	dedup_release(&pt->memo);
	dedup_release(&pt->empty);
	last_trees_release(&pt->dirs);
	buf_release(&pt->path);
	pack_reader_release(&pt->reader);
}

/* How many parts: one per thread, each with enough commits to pay. */
static size_t part_count(const struct locate *lc)
{
	size_t n = scan_threads(lc->in->threads), most;

	most = (lc->in->order->n - lc->first) / PART_MIN_COMMITS;
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
/* a followed by b, in a new string (NULL when out of memory). */
static char *path_join(const char *a, const char *b)
{
	struct buf out = BUF_INIT;

	if (buf_adds(&out, a) || buf_adds(&out, b)) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static int attach_places(struct locate *lc, struct finding *f,
			 const struct blob_places *p, struct lg_error *err)
{
	struct finding scratch;
	size_t i, blob_path_len = f->member_at ? f->member_at
					      : strlen(f->where.path);
	int rc = 0;

	f->more_count = p->count ? p->count - 1 : 0;
	if (!p->n)
		return 0;
	f->more = calloc(p->n, sizeof(*f->more));
	if (!f->more)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (i = 0; i < p->n && !rc; i++) {
		size_t commit = p->where[i].commit;
		/* A member of an archive blob is at the same member elsewhere. */
		const char *member = f->where.path + blob_path_len;
		if (commit == f->origin &&
		    strlen(p->where[i].path) == blob_path_len &&
		    !memcmp(p->where[i].path, f->where.path, blob_path_len))
			continue;
		/* Reuse the annotate path so provenance reads the same everywhere. */
		memset(&scratch, 0, sizeof(scratch));
		scratch.origin = commit;
		if ((rc = lc->in->source->annotate(lc->in->source, &scratch,
						   err)))
			break;
		scratch.where.path = path_join(p->where[i].path, member);
		scratch.where.line = f->where.line;
		scratch.where.column = f->where.column;
		f->more[f->n_more++] = scratch.where;
	}
	return rc;
}

static int collect_wanted(struct locate *lc, const struct finding_list *l)
{
	size_t i;

	/*
	 * A blob's origin is the first commit in the order that holds it, so
	 * the walk can start at the earliest origin; not when some commits
	 * were passed over (--since).  A blob no commit holds (--unreachable)
	 * has no origin and is found nowhere either way.
	 */
	lc->first = lc->in->passed_over ? 0 : lc->in->order->n;
	for (i = 0; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (f->has_blob && f->origin < lc->first)
			lc->first = f->origin;
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
	const struct history_locate *in = lc->in;
	size_t i;

	for (i = 0; i < n; i++) {
		parts[i].lc = lc;
		parts[i].first = lc->first + (in->order->n - lc->first) * i / n;
		parts[i].last = lc->first + (in->order->n - lc->first) * (i + 1) / n;
		last_trees_init(&parts[i].dirs, HISTORY_TREE_CACHE);
		if (!(parts[i].places = calloc(lc->n_blobs, sizeof(*parts[i].places))) ||
		    dedup_recent(&parts[i].empty, HISTORY_RECENT_BITS))
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		if (pack_reader_init(&parts[i].reader, in->packs, in->repo_path,
				     HISTORY_TREE_CACHE, err))
			return err->code;
	}
	return 0;
}

int source_history_locate(const struct history_locate *in,
			  struct finding_list *l, struct lg_error *err)
{
	struct part *parts = NULL;
	struct locate lc;
	size_t n = 0, i;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.in = in;
	if ((rc = collect_wanted(&lc, l)) || !lc.n_blobs)
		goto done;
	n = part_count(&lc);
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
