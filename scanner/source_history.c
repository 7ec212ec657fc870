#include "source_history.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "chunk.h"
#include "commit_raw.h"
#include "error.h"
#include "pack_entry.h"
#include "tree_iter.h"
#include "banned.h"

#define NO_ORIGIN ((size_t)-1)
#define MESSAGE_PATH "commit message"
#define UNREACHABLE_PATH "(unreachable blob)"

/* ---- walking ------------------------------------------------------------ */

/*
 * Blobs wait in a batch that is pushed in pack order: versions of a file
 * sit together in a pack, so reading them in that order keeps delta bases
 * in libgit2's cache instead of inflating them again and again.
 */
static int flush_batch(struct source_history *src, struct scan_queue *q);

static int compare_pending(const void *a, const void *b)
{
	const struct scan_item *x = a, *y = b;

	return x->locator < y->locator ? -1 : x->locator > y->locator;
}

static int push_blob(struct source_history *src, struct scan_queue *q,
		     const char *path, const git_oid *id, size_t origin)
{
	struct scan_item *p;

	if (src->n_pending == HISTORY_BATCH) {
		int rc = flush_batch(src, q);
		if (rc)
			return rc;
	}
	p = &src->pending[src->n_pending];
	memset(p, 0, sizeof(*p));
	if (!(p->path = strdup(path)))
		return LG_ERR_NOMEM;
	memcpy(p->oid, id->id, sizeof(p->oid));
	p->has_oid = 1;
	p->origin = origin;
	p->locator = pack_order_key(&src->packs, id->id);
	src->n_pending++;
	return 0;
}

static int flush_batch(struct source_history *src, struct scan_queue *q)
{
	size_t i;
	int rc = 0;

	qsort(src->pending, src->n_pending, sizeof(*src->pending),
	      compare_pending);
	for (i = 0; i < src->n_pending; i++) {
		if (!rc)
			rc = scan_queue_push(q, &src->pending[i]);
		else
			scan_item_release(&src->pending[i]);
	}
	src->n_pending = 0;
	return rc;
}

static int walk_tree(struct source_history *src, struct scan_queue *q,
		     const git_oid *id, size_t origin, const struct last_tree *up);

/*
 * Handles one tree entry with its name appended to src->path; up is the
 * last version of the directory holding it (may be NULL).
 */
static int walk_entry(struct source_history *src, struct scan_queue *q,
		      const struct tree_entry *e, size_t origin,
		      const struct last_tree *up)
{
	git_oid id;
	int rc;

	memcpy(id.id, e->id, sizeof(id.id));
	switch (e->kind) {
	case TREE_ENTRY_TREE:
		if (buf_addch(&src->path, '/'))
			return LG_ERR_NOMEM;
		return walk_tree(src, q, &id, origin, up);
	case TREE_ENTRY_BLOB:
		rc = dedup_add(&src->blobs, id.id);
		if (rc <= 0)
			return rc;
		return push_blob(src, q, src->path.ptr, &id, origin);
	default:
		return 0;	/* submodule commits live in other repositories */
	}
}

static void warn_tree(struct source_history *src, struct scan_queue *q,
		      const git_oid *id, const char *why)
{
	char hex[GIT_OID_HEXSZ + 1];

	src->incomplete = 1;
	scan_queue_skip(q, SCAN_SKIP_UNREADABLE);
	scan_queue_warn(q, "skipping tree %s (%s): %s",
			git_oid_tostr(hex, sizeof(hex), id),
			src->path.len ? src->path.ptr : "/", why);
}

/*
 * Keeps tree id, a version of the directory at src->path[0..base) that an
 * earlier run walked, as that directory's last tree.  Returns 0 (also
 * when it cannot be read: then the new version is walked in full) or
 * LG_ERR_NOMEM.
 */
static int keep_walked(struct source_history *src, const git_oid *id,
		       size_t base)
{
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *tree = NULL;
	struct tree_step step;
	struct tree_entry e;
	int more, rc = 0;

	if (pack_reader_read_tree(&src->reader, id, &tree, &why))
		return why.code == LG_ERR_NOMEM ? LG_ERR_NOMEM : 0;
	tree_step_begin(&step, NULL, tree->data, tree->len);
	while ((more = tree_step_next(&step, &e)) > 0)
		;
	if (!more)
		rc = last_tree_set(&src->dirs, src->path.ptr, base, tree, &step,
				   NULL);
	tree_step_release(&step);
	pack_object_put(tree);
	return more == LG_ERR_NOMEM ? more : rc;
}

/*
 * The directory at src->path[0..base) ("a/b/") has no last tree, but its
 * parent's last version up may hold it: on a rescan, that is the version
 * an earlier run walked (the edge's), kept now so that only what changed
 * since is walked.  Only on a rescan: a full walk has walked every
 * version it meets.  Returns 0 or LG_ERR_NOMEM.
 */
static int keep_from_parent(struct source_history *src,
			    const struct last_tree *up, size_t base)
{
	const char *path = src->path.ptr, *slash;
	struct tree_iter it;
	struct tree_entry e;
	size_t len;
	git_oid id;

	if (!up || !src->order.edge.n || base < 2)
		return 0;
	slash = memrchr(path, '/', base - 1);
	len = base - 1 - (slash ? (size_t)(slash + 1 - path) : 0);
	tree_iter_init(&it, up->tree->data, up->tree->len);
	while (tree_iter_next(&it, &e) > 0)
		if (e.kind == TREE_ENTRY_TREE && e.name_len == len &&
		    !memcmp(e.name, path + base - 1 - len, len)) {
			memcpy(id.id, e.id, sizeof(id.id));
			return keep_walked(src, &id, base);
		}
	return 0;
}

static int walk_tree(struct source_history *src, struct scan_queue *q,
		     const git_oid *id, size_t origin, const struct last_tree *up)
{
	size_t base = src->path.len;
	struct pack_object *tree = NULL;
	struct lg_error why = LG_ERROR_INIT;
	const struct last_tree *last;
	struct tree_step step;
	struct tree_entry e;
	int rc = dedup_add(&src->trees, id->id), more = 0;

	if (rc <= 0)
		return rc;	/* seen: every blob under it is too */
	if (pack_reader_read_tree(&src->reader, id, &tree, &why)) {
		if (why.code == LG_ERR_NOMEM)
			return LG_ERR_NOMEM;
		warn_tree(src, q, id, why.msg);
		return 0;
	}
	rc = 0;
	if (!(last = last_tree_get(&src->dirs, src->path.ptr, base)) &&
	    !(rc = keep_from_parent(src, up, base)))
		last = last_tree_get(&src->dirs, src->path.ptr, base);
	/* What the directory's last tree shares with this one was walked. */
	tree_step_begin(&step, last, tree->data, tree->len);
	while (!rc && (more = tree_step_next(&step, &e)) > 0) {
		if (more == TREE_STEP_RUN)
			continue;
		if (!(rc = buf_add(&src->path, e.name, e.name_len)))
			rc = walk_entry(src, q, &e, origin, last);
		buf_truncate(&src->path, base);
	}
	if (!rc && more == LG_ERR_NOMEM)
		rc = more;
	else if (!rc && more < 0)
		warn_tree(src, q, id, "malformed tree; the rest of it skipped");
	if (!rc)
		rc = last_tree_set(&src->dirs, src->path.ptr, base, tree, &step,
				   NULL);
	tree_step_release(&step);
	pack_object_put(tree);
	return rc;
}

static int push_message(struct source_history *src, struct scan_queue *q,
			const struct commit_raw *c, size_t origin)
{
	unsigned char key[16];
	int rc;

	if (!c->message_len)
		return 0;
	dedup_key_of(c->message, c->message_len, key);
	if ((rc = dedup_add(&src->messages, key)) <= 0)
		return rc;
	return scan_queue_push_message(q, MESSAGE_PATH, c->message,
				       c->message_len, origin);
}

static int walk_commit(struct source_history *src, struct scan_queue *q,
		       size_t origin)
{
	const struct ordered_commit *oc = &src->order.commits[origin];
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *obj = NULL;
	struct commit_raw c;
	int rc;

	if ((rc = pack_reader_read(&src->reader, oc->id.id, &obj, &why))) {
		char hex[GIT_OID_HEXSZ + 1];
		if (rc == LG_ERR_NOMEM)
			return rc;
		src->incomplete = 1;
		scan_queue_skip(q, SCAN_SKIP_UNREADABLE);
		scan_queue_warn(q, "skipping commit %s: %s",
				git_oid_tostr(hex, sizeof(hex), &oc->id), why.msg);
		return 0;
	}
	if (commit_raw_parse(&c, (const char *)obj->data, obj->len) ||
	    (src->since && c.time < src->since)) {
		pack_object_put(obj);	/* the order holds only parsed ones */
		return 0;
	}
	rc = push_message(src, q, &c, origin);
	pack_object_put(obj);
	if (!rc) {
		buf_reset(&src->path);
		rc = walk_tree(src, q, &oc->tree, origin, NULL);
	}
	return rc;
}

/*
 * Keeps the root trees of commits an earlier run walked (the order's edge
 * from `from` on) as the last version of the root: the new commits then
 * cost what they change against them (keep_from_parent() goes on from
 * there), as they would have in one walk.  Returns 0 or LG_ERR_NOMEM.
 */
static int keep_edge(struct source_history *src, size_t from)
{
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *obj = NULL;
	struct commit_raw c;
	int rc = 0;

	for (; from < src->order.edge.n && !rc; from++) {
		if ((rc = pack_reader_read(&src->reader, src->order.edge.ids[from].id,
					   &obj, &why)))
			return rc == LG_ERR_NOMEM ? rc : 0;
		buf_reset(&src->path);
		if (!commit_raw_parse(&c, (const char *)obj->data, obj->len))
			rc = keep_walked(src, &c.tree, 0);
		pack_object_put(obj);
	}
	return rc;
}

/*
 * Adds the commits reachable from tips to the order and walks the new
 * ones.  Returns 0, 1 (the scan is stopping) or a negative error.
 */
static int walk_from(struct source_history *src, struct scan_queue *q,
		     const struct oid_list *tips, struct lg_error *err)
{
	size_t first = src->order.n, missing = src->order.missing, i;
	size_t edge = src->order.edge.n;
	int rc;

	if ((rc = commit_order_add(&src->order, tips->ids, tips->n, err)))
		return rc;
	if ((rc = keep_edge(src, edge)))
		return lg_error_set(err, rc, "out of memory walking history");
	for (i = missing; !src->shallow && i < src->order.missing; i++)
		scan_queue_skip(q, SCAN_SKIP_UNREADABLE);
	if (src->order.missing > missing && !src->shallow)
		scan_queue_warn(q, "%zu commits are missing from %s (a partial "
				"or damaged clone): scanned what is there",
				src->order.missing - missing, src->repo_path);
	for (i = first, rc = 0; i < src->order.n && !rc; i++) {
		scan_queue_progress(q, i + 1, src->order.n);
		rc = walk_commit(src, q, i);
	}
	if (rc < 0)
		return lg_error_set(err, rc, "out of memory walking history");
	return rc;
}

/* ---- refs --------------------------------------------------------------- */

/* Tags of tags deeper than this are a loop or an attack. */
#define TAG_DEPTH 16

enum follow_pass {
	FOLLOW_TIPS,	/* the commits refs lead to: where the walk starts */
	FOLLOW_OBJECTS,	/* the rest: tag messages, trees, blobs */
};

/*
 * A ref whose target cannot be read (a missing object, a damaged pack)
 * hides history: say so and count it.
 */
static int dangling(struct source_history *src, struct scan_queue *q,
		    const char *name, const char *why)
{
	src->incomplete = 1;
	scan_queue_skip(q, SCAN_SKIP_UNREADABLE);
	scan_queue_warn(q, "ref %s is dangling: %s", name, why);
	return 0;
}

static int push_tag_message(struct source_history *src, struct scan_queue *q,
			    const struct tag_raw *t)
{
	struct buf path = BUF_INIT;
	unsigned char key[16];
	int rc;

	if (!t->message_len)
		return 0;
	dedup_key_of(t->message, t->message_len, key);
	if ((rc = dedup_add(&src->messages, key)) <= 0)
		return rc;
	if (buf_adds(&path, "tag message (") ||
	    buf_add(&path, t->name ? t->name : "", t->name_len) ||
	    buf_addch(&path, ')'))
		rc = LG_ERR_NOMEM;
	else
		rc = scan_queue_push_message(q, path.ptr, t->message,
					     t->message_len, NO_ORIGIN);
	buf_release(&path);
	return rc;
}

/* What a ref leads to past its tags: a commit, a tree or a blob. */
static int follow_end(struct source_history *src, struct scan_queue *q,
		      const char *name, const git_oid *id, git_object_t type,
		      enum follow_pass pass, struct oid_list *tips)
{
	struct buf path = BUF_INIT;
	int rc;

	if (pass == FOLLOW_TIPS)
		return type == GIT_OBJECT_COMMIT ? oid_list_add(tips, id) : 0;
	if (type == GIT_OBJECT_TREE) {
		buf_reset(&src->path);
		return walk_tree(src, q, id, NO_ORIGIN, NULL);
	}
	if (type != GIT_OBJECT_BLOB || (rc = dedup_add(&src->blobs, id->id)) <= 0)
		return type == GIT_OBJECT_BLOB ? rc : 0;
	rc = buf_addf(&path, "(blob at %s)", name)
		     ? LG_ERR_NOMEM
		     : push_blob(src, q, path.ptr, id, NO_ORIGIN);
	buf_release(&path);
	return rc;
}

/*
 * Follows id (what ref `name` points at) through annotated tags with the
 * producer's reader, which also reads what libgit2 refuses (a damaged
 * pack whose index still locates the intact objects).  The objects pass
 * comes after the walk of the commits, so a blob a commit holds too is
 * laid at that commit's door.
 */
static int follow(struct source_history *src, struct scan_queue *q,
		  const char *name, git_oid id, enum follow_pass pass,
		  struct oid_list *tips)
{
	struct lg_error why = LG_ERROR_INIT;
	struct pack_object *obj = NULL;
	struct tag_raw tag;
	int depth, rc = 0;

	for (depth = 0; depth < TAG_DEPTH && !rc; depth++) {
		pack_object_put(obj);
		obj = NULL;
		/* A commit or tag an earlier run walked: nothing new. */
		if (src->order.done && dedup_has(src->order.done, id.id))
			return 0;
		if ((rc = pack_reader_read(&src->reader, id.id, &obj, &why)))
			return rc == LG_ERR_NOMEM ? rc
			       : pass == FOLLOW_TIPS ? dangling(src, q, name, why.msg)
						     : 0;
		if (obj->type != GIT_OBJECT_TAG)
			break;
		if (tag_raw_parse(&tag, (const char *)obj->data, obj->len)) {
			pack_object_put(obj);
			return pass == FOLLOW_TIPS
				       ? dangling(src, q, name, "malformed tag") : 0;
		}
		if (pass == FOLLOW_OBJECTS && !(rc = push_tag_message(src, q, &tag)))
			rc = oid_list_add(&src->tags, &id);
		id = tag.target;
	}
	if (!rc && obj->type != GIT_OBJECT_TAG)
		rc = follow_end(src, q, name, &id, obj->type, pass, tips);
	pack_object_put(obj);
	return rc;
}

static int named_refs(struct source_history *src, struct scan_queue *q,
		      enum follow_pass pass, struct oid_list *tips,
		      struct lg_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n_refs && !rc; i++) {
		git_object *obj = NULL;
		if (git_revparse_single(&obj, src->repo, src->refs[i]))
			return lg_error_git(err, "%s: not a commit or ref in %s",
					    src->refs[i], src->repo_path);
		rc = follow(src, q, src->refs[i], *git_object_id(obj), pass,
			    tips);
		git_object_free(obj);
	}
	return rc;
}

/* Every ref (branches, tags, remotes, stash, notes) and HEAD. */
static int all_refs(struct source_history *src, struct scan_queue *q,
		    enum follow_pass pass, struct oid_list *tips,
		    struct lg_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *resolved = NULL;
	git_oid head;
	int rc;

	if (git_reference_iterator_new(&it, src->repo))
		return lg_error_git(err, "%s: reading refs", src->repo_path);
	while (!(rc = git_reference_next(&ref, it))) {
		const char *name = git_reference_name(ref);
		/* Resolving looks for a loose ref file: only symbolic refs need it. */
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT)
			rc = follow(src, q, name, *git_reference_target(ref), pass,
				    tips);
		else if (git_reference_resolve(&resolved, ref))
			rc = pass == FOLLOW_TIPS ? dangling(src, q, name,
				git_error_last() ? git_error_last()->message
						 : "unresolved") : 0;
		else
			rc = follow(src, q, name, *git_reference_target(resolved),
				    pass, tips);
		git_reference_free(resolved);
		git_reference_free(ref);
		resolved = NULL;
		if (rc)
			break;
	}
	git_reference_iterator_free(it);
	if (rc == GIT_ITEROVER && !git_reference_name_to_id(&head, src->repo,
							    "HEAD"))
		rc = follow(src, q, "HEAD", head, pass, tips);
	git_error_clear();
	rc = rc == GIT_ITEROVER ? 0 : rc;
	if (rc < 0 && !err->code)
		lg_error_set(err, rc, "%s: reading refs", src->repo_path);
	return rc;
}

static int each_ref(struct source_history *src, struct scan_queue *q,
		    enum follow_pass pass, struct oid_list *tips,
		    struct lg_error *err)
{
	return src->n_refs ? named_refs(src, q, pass, tips, err)
			   : all_refs(src, q, pass, tips, err);
}

/* ---- unreachable objects ------------------------------------------------ */

struct orphans {
	git_odb *odb;
	struct oid_list commits;
	struct oid_list blobs;
};

static int collect_orphan(const git_oid *id, void *payload)
{
	struct orphans *o = payload;
	git_object_t type;
	size_t len;

	if (git_odb_read_header(&len, &type, o->odb, id))
		return 0;	/* reported when read, if ever */
	if (type == GIT_OBJECT_COMMIT)
		return oid_list_add(&o->commits, id);
	if (type == GIT_OBJECT_BLOB)
		return oid_list_add(&o->blobs, id);
	return 0;
}

/* Commits and blobs that no ref reaches: walked after the reachable ones. */
static int walk_unreachable(struct source_history *src, struct scan_queue *q,
			    struct lg_error *err)
{
	struct orphans o;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	if (git_repository_odb(&o.odb, src->repo) ||
	    git_odb_foreach(o.odb, collect_orphan, &o)) {
		rc = lg_error_git(err, "%s: listing objects", src->repo_path);
		goto done;
	}
	if ((rc = walk_from(src, q, &o.commits, err)))
		goto done;
	for (i = 0; i < o.blobs.n && !rc; i++) {
		rc = dedup_add(&src->blobs, o.blobs.ids[i].id);
		if (rc > 0)
			rc = push_blob(src, q, UNREACHABLE_PATH, &o.blobs.ids[i],
				       NO_ORIGIN);
	}
	if (rc < 0)
		rc = lg_error_set(err, rc, "out of memory");
done:
	oid_list_release(&o.commits);
	oid_list_release(&o.blobs);
	git_odb_free(o.odb);
	return rc;
}

/* ---- scan_source callbacks ---------------------------------------------- */

/*
 * Hands the commits and annotated tags this walk covered (a tag's message
 * scanned, what it points to followed) to the scan's walk_done (the
 * findings store), when it covered all it met: after --since passed some
 * over, or with commits missing or trees unreadable, a later run must
 * walk them after all.  (A blob that cannot be read does not count: the
 * walk met it, and the store keeps it as scanned like any other.)
 */
static int report_walked(struct source_history *src, struct scan_queue *q)
{
	const struct scan_options *o = scan_queue_options(q);
	size_t i;

	if (!o->walk_done || src->since || src->order.missing || src->incomplete)
		return 0;
	for (i = 0; i < src->order.n; i++)
		if (o->walk_done(src->order.commits[i].id.id, o->admit_payload))
			return LG_ERR_NOMEM;
	for (i = 0; i < src->tags.n; i++)
		if (o->walk_done(src->tags.ids[i].id, o->admit_payload))
			return LG_ERR_NOMEM;
	return 0;
}

static int history_produce(struct scan_source *base, struct scan_queue *q,
			   struct lg_error *err)
{
	struct source_history *src = (struct source_history *)base;
	struct oid_list tips = OID_LIST_INIT;
	int rc;

	src->order.done = scan_queue_options(q)->walked;
	rc = each_ref(src, q, FOLLOW_TIPS, &tips, err);
	if (!rc)
		rc = walk_from(src, q, &tips, err);
	oid_list_release(&tips);
	if (!rc)
		rc = each_ref(src, q, FOLLOW_OBJECTS, NULL, err);
	if (!rc && src->unreachable)
		rc = walk_unreachable(src, q, err);
	if (!rc)
		rc = flush_batch(src, q);
	if (!rc)
		rc = report_walked(src, q);
	if (rc < 0 && !err->code)
		lg_error_set(err, rc, "out of memory");
	for (; src->n_pending; src->n_pending--)
		scan_item_release(&src->pending[src->n_pending - 1]);
	/* The walk is over: what it has seen is not needed any more. */
	dedup_release(&src->blobs);
	dedup_release(&src->trees);
	dedup_release(&src->messages);
	last_trees_release(&src->dirs);
	malloc_trim(0);
	return rc > 0 ? 0 : rc;
}

static int history_worker_open(struct scan_source *base, void **state,
			       struct lg_error *err)
{
	struct source_history *src = (struct source_history *)base;
	struct pack_reader *r = malloc(sizeof(*r));

	if (!r)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (pack_reader_init(r, &src->packs, git_repository_path(src->repo),
			     HISTORY_BLOB_CACHE, err)) {
		free(r);
		return err->code;
	}
	*state = r;
	return 0;
}

static void history_worker_close(void *state)
{
	pack_reader_release(state);
	free(state);
}

/* A blob too large to hold, inflated as the chunked scan reads it. */
struct history_stream {
	struct chunk_stream base;
	struct pack_stream *ps;
};

static int history_stream_read(struct chunk_stream *s, char *dst, size_t n,
			       struct lg_error *err)
{
	struct history_stream *hs = (struct history_stream *)s;

	return pack_stream_read(hs->ps, (unsigned char *)dst, n, err);
}

static void history_stream_close(struct chunk_stream *s)
{
	struct history_stream *hs = (struct history_stream *)s;

	pack_stream_free(hs->ps);
	free(hs);
}

static int history_stream_open(struct pack_reader *r,
			       const struct scan_item *item,
			       struct scan_blob *out, struct lg_error *err)
{
	struct history_stream *hs = calloc(1, sizeof(*hs));

	if (!hs)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	hs->base.read = history_stream_read;
	hs->base.close = history_stream_close;
	if (pack_reader_stream(r, item->locator, item->oid, &hs->ps, &out->len,
			       err)) {
		free(hs);
		return err->code;
	}
	out->stream = &hs->base;
	return 0;
}

static int history_load(struct scan_source *base, void *state,
			const struct scan_item *item, struct scan_blob *out,
			struct lg_error *err)
{
	struct source_history *src = (struct source_history *)base;
	struct pack_object *obj = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t size = 0;
	git_oid id;

	/*
	 * A blob over the cap is counted as too large, never inflated; one
	 * too large to hold (allowed by a cap over 1 GiB) is streamed.
	 */
	if (!pack_reader_size(state, item->locator, item->oid, &size, err) &&
	    src->max_size && size > src->max_size)
		lg_error_set(err, LG_ERR_LIMIT, "%zu bytes, over the %zu-byte cap",
			     size, src->max_size);
	if (!err->code && size > PACK_OBJECT_MAX &&
	    !history_stream_open(state, item, out, err))
		return 0;
	if (err->code ||
	    pack_reader_read_at(state, item->locator, item->oid, &obj, err)) {
		memcpy(id.id, item->oid, sizeof(id.id));
		return lg_error_prefix(err, "blob %s (%s)",
				       git_oid_tostr(hex, sizeof(hex), &id),
				       item->path);
	}
	/* Lent, not copied: the worker scans the reader's buffer in place. */
	out->data = (const char *)obj->data;
	out->len = obj->len;
	out->handle = obj;
	return 0;
}

static void history_release(void *handle)
{
	pack_object_put(handle);
}

static int history_annotate(struct scan_source *base, struct finding *f,
			    struct lg_error *err)
{
	struct source_history *src = (struct source_history *)base;

	if (f->origin == NO_ORIGIN || f->origin >= src->order.n)
		return 0;
	if (commit_provenance(&f->where, src->repo, &src->order.commits[f->origin].id))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

static int history_finish(struct scan_source *base, struct finding_list *l,
			  struct lg_error *err)
{
	struct source_history *src = (struct source_history *)base;
	struct history_locate in = { &src->order, &src->packs,
				     git_repository_path(src->repo),
				     src->threads, src->all_locations,
				     src->since != 0, base };

	/* The workers are gone: give their arenas' free pages back first. */
	malloc_trim(0);
	return source_history_locate(&in, l, err);
}

/* ---- lifecycle ---------------------------------------------------------- */

int source_history_open(struct source_history *src, const char *repo_path,
			struct lg_error *err)
{
	struct buf objects = BUF_INIT;
	int rc;

	memset(src, 0, sizeof(*src));
	src->repo_path = repo_path;
	src->base.produce = history_produce;
	src->base.producer_counts = 1;
	src->base.unreadable_fails = 1;
	src->base.worker_open = history_worker_open;
	src->base.worker_close = history_worker_close;
	src->base.load = history_load;
	src->base.release = history_release;
	src->base.annotate = history_annotate;
	src->base.finish = history_finish;
	/*
	 * libgit2 only peels refs and reads what is in no pack here: keep its
	 * object cache off and its pack windows small, or it holds on to
	 * hundreds of MiB of a large history (git/git: ~370 MiB of cache).
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)1 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)16 << 20);
	if (git_repository_open_ext(&src->repo, repo_path, 0, NULL))
		return lg_error_git(err, "%s: not a git repository", repo_path);
	src->shallow = git_repository_is_shallow(src->repo) == 1;
	commit_order_init(&src->order, &src->reader);
	last_trees_init(&src->dirs, HISTORY_TREE_CACHE);
	if (dedup_recent(&src->blobs, HISTORY_RECENT_BITS) ||
	    dedup_recent(&src->trees, HISTORY_RECENT_BITS))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!(src->pending = calloc(HISTORY_BATCH, sizeof(*src->pending))))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	buf_addf(&objects, "%sobjects", git_repository_commondir(src->repo));
	rc = pack_order_open(&src->packs, objects.ptr, err);
	buf_release(&objects);
	if (!rc)
		rc = pack_reader_init(&src->reader, &src->packs,
				      git_repository_path(src->repo),
				      HISTORY_TREE_CACHE, err);
	return rc;
}

void source_history_release(struct source_history *src)
{
	commit_order_release(&src->order);
	oid_list_release(&src->tags);
	pack_reader_release(&src->reader);
	pack_order_release(&src->packs);
	free(src->pending);
	git_repository_free(src->repo);
	dedup_release(&src->blobs);
	dedup_release(&src->trees);
	dedup_release(&src->messages);
	last_trees_release(&src->dirs);
	buf_release(&src->path);
	memset(src, 0, sizeof(*src));
}

int source_history_parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	char *num_end;
	long long n;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%d", &tm);
	if (end && (!*end || !strcmp(end, "Z"))) {
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	n = strtoll(s, &num_end, 10);
	if (num_end != s && !*num_end && n >= 0) {
		*out = n;
		return 0;
	}
	return -1;
}
