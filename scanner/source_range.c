#include "source_range.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commit_order.h"
#include "error.h"
#include "source_diff.h"
#include "banned.h"

/* Tag messages and blobs no commit holds: no commit to name. */
#define RANGE_NO_ORIGIN ((size_t)-1)

#define FETCH_MORE "fetch more history (git fetch --unshallow, or a " \
		   "deeper git fetch --depth=N) and retry"

/* ---- which commits ------------------------------------------------------ */

/* Adds id to the list of its type, once. */
static int add_object(struct source_range *src, const git_oid *id,
		      git_object_t type)
{
	struct oid_list *l = type == GIT_OBJECT_COMMIT ? &src->commits
			     : type == GIT_OBJECT_TAG  ? &src->tags
			     : type == GIT_OBJECT_TREE ? &src->trees
						       : &src->blobs;
	int fresh = dedup_add(&src->seen, id->id);

	if (fresh <= 0)
		return fresh < 0 ? LG_ERR_NOMEM : 0;
	return oid_list_add(l, id);
}

static int add_commit(struct source_range *src, const git_oid *id)
{
	return add_object(src, id, GIT_OBJECT_COMMIT);
}

/* The commit rev names (len bytes); a missing one means fetch more. */
static int resolve(git_repository *repo, const char *rev, size_t len,
		   git_oid *out, struct lg_error *err)
{
	git_object *obj = NULL, *commit = NULL;
	char *name = strndup(rev, len);
	int rc = 0;

	if (!name)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (git_revparse_single(&obj, repo, name) ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT))
		rc = lg_error_set(err, LG_ERR_GIT, "range: %s is not a commit "
				  "in this repository; if it is one elsewhere "
				  "(a shallow clone), " FETCH_MORE, name);
	else
		git_oid_cpy(out, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	free(name);
	return rc;
}

static int walk_error(struct lg_error *err, const char *spec)
{
	const git_error *e = git_error_last();

	return lg_error_set(err, LG_ERR_GIT, "range %s: %s: history is "
			    "incomplete (a shallow clone?): " FETCH_MORE, spec,
			    e && e->message ? e->message : "walk failed");
}

/* The commits from `to` back to, not including, those `from` reaches. */
static int walk_range(struct source_range *src, const git_oid *from,
		      const git_oid *to, const char *spec,
		      struct lg_error *err)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int rc;

	if (git_revwalk_new(&walk, src->repo) || git_revwalk_push(walk, to) ||
	    git_revwalk_hide(walk, from)) {
		git_revwalk_free(walk);
		return walk_error(err, spec);
	}
	while (!(rc = git_revwalk_next(&id, walk)))
		if (add_commit(src, &id)) {
			git_revwalk_free(walk);
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		}
	git_revwalk_free(walk);
	return rc == GIT_ITEROVER ? 0 : walk_error(err, spec);
}

/*
 * Visits every commit reachable from tip that is not in stop (NULL: none)
 * and not yet in visited.  With collect, each is added to the range and a
 * missing commit is an error (its changes cannot be known); without, the
 * walk simply ends where the history of a shallow clone does.
 */
static int reach(struct source_range *src, const git_oid *tip,
		 struct dedup *visited, const struct dedup *stop, int collect,
		 const char *spec, struct lg_error *err)
{
	struct oid_list st = OID_LIST_INIT;
	git_commit *c = NULL;
	unsigned k;
	int rc = oid_list_add(&st, tip);

	while (!rc && st.n) {
		git_oid id = st.ids[--st.n];

		if ((stop && dedup_has(stop, id.id)) ||
		    (rc = dedup_add(visited, id.id)) <= 0)
			continue;
		rc = 0;
		if (git_commit_lookup(&c, src->repo, &id)) {
			rc = collect ? walk_error(err, spec) : 0;
			continue;
		}
		if (collect)
			rc = add_commit(src, &id);
		for (k = 0; !rc && k < git_commit_parentcount(c); k++)
			rc = oid_list_add(&st, git_commit_parent_id(c, k));
		git_commit_free(c);
	}
	oid_list_release(&st);
	if (rc < 0 && !err->code)
		lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return rc;
}

/*
 * libgit2's walk gives up at the first missing parent, even one only the
 * excluded side reaches, which is where every shallow clone ends: walk
 * its (short) history ourselves.
 */
static int walk_shallow(struct source_range *src, const git_oid *from,
			const git_oid *to, const char *spec,
			struct lg_error *err)
{
	struct dedup hidden = DEDUP_INIT, visited = DEDUP_INIT;
	int rc = reach(src, from, &hidden, NULL, 0, spec, err);

	if (!rc)
		rc = reach(src, to, &visited, &hidden, 1, spec, err);
	dedup_release(&hidden);
	dedup_release(&visited);
	return rc;
}

int source_range_add_spec(struct source_range *src, const char *spec,
			  struct lg_error *err)
{
	const char *dots = strstr(spec, "..");
	git_oid from, to;
	size_t left;

	if (!dots) {
		if (resolve(src->repo, spec, strlen(spec), &to, err))
			return err->code;
		return add_commit(src, &to) ? lg_error_set(err, LG_ERR_NOMEM,
							   "out of memory") : 0;
	}
	if (dots[2] == '.')
		return lg_error_set(err, LG_ERR_USAGE, "range %s: A...B is not "
				    "supported; use A..B", spec);
	left = (size_t)(dots - spec);
	if (resolve(src->repo, left ? spec : "HEAD", left ? left : 4, &from,
		    err) ||
	    resolve(src->repo, dots[2] ? dots + 2 : "HEAD",
		    dots[2] ? strlen(dots + 2) : 4, &to, err))
		return err->code;
	if (git_repository_is_shallow(src->repo) == 1)
		return walk_shallow(src, &from, &to, spec, err);
	return walk_range(src, &from, &to, spec, err);
}

/* Adds obj, and for a tag what it points at, in turn. */
static int add_peeled(struct source_range *src, git_object *obj,
		      struct lg_error *err)
{
	git_object *next = NULL;
	int rc = 0;

	while (obj && !rc) {
		rc = add_object(src, git_object_id(obj), git_object_type(obj));
		if (!rc && git_object_type(obj) == GIT_OBJECT_TAG &&
		    git_tag_target(&next, (git_tag *)obj))
			rc = lg_error_git(err, "range: the target of tag %s",
					  git_tag_name((git_tag *)obj));
		git_object_free(obj);
		obj = next;
		next = NULL;
	}
	git_object_free(obj);
	if (rc < 0 && !err->code)
		lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return rc;
}

/* Adds the object a line of rev-list output names (the id, not the path). */
static int add_line(struct source_range *src, const char *a, size_t len,
		    struct lg_error *err)
{
	git_object *obj = NULL;
	char *name;

	if (len > GIT_OID_HEXSZ && (a[GIT_OID_HEXSZ] == ' ' ||
				    a[GIT_OID_HEXSZ] == '\t'))
		len = GIT_OID_HEXSZ;
	if (!(name = strndup(a, len)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (git_revparse_single(&obj, src->repo, name))
		lg_error_set(err, LG_ERR_GIT, "range: %s is not an object in "
			     "this repository; if it is one elsewhere (a "
			     "shallow clone), " FETCH_MORE, name);
	free(name);
	return obj ? add_peeled(src, obj, err) : err->code;
}

int source_range_add_list(struct source_range *src, const char *text,
			  size_t len, struct lg_error *err)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		const char *a = p, *b = stop;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a &&
		       (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		p = eol ? eol + 1 : end;
		if (a != b && add_line(src, a, (size_t)(b - a), err))
			return err->code;
	}
	return 0;
}

/* ---- what each commit adds ---------------------------------------------- */

/* The changes from parent k of c (k < 0: from nothing) to tree. */
static int diff_parent(struct source_range *src, const git_commit *c, int k,
		       const git_tree *tree, struct source_diff *d,
		       struct lg_error *err)
{
	git_commit *parent = NULL;
	git_tree *ptree = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	source_diff_init(d, src->repo);
	if (k >= 0 && (git_commit_parent(&parent, c, (unsigned)k) ||
		       git_commit_tree(&ptree, parent))) {
		git_commit_free(parent);
		return lg_error_set(
			err, LG_ERR_GIT,
			"range: commit %s: its "
			"parent is not in this repository (a shallow "
			"clone?): " FETCH_MORE,
			git_oid_tostr(hex, sizeof(hex), git_commit_id(c)));
	}
	rc = source_diff_trees(d, ptree, tree, err);
	if (!rc)
		rc = source_diff_renames(d, err);
	git_tree_free(ptree);
	git_commit_free(parent);
	return rc;
}

/* Notes the blobs the diffs hold: they are scanned as changes, not whole. */
static int cover(struct source_range *src, const struct source_diff *diffs,
		 size_t n)
{
	size_t i, k;

	for (k = 0; k < n; k++)
		for (i = 0; i < diffs[k].n; i++)
			if (dedup_add(&src->covered,
				      diffs[k].items[i].new_id.id) < 0)
				return LG_ERR_NOMEM;
	return 0;
}

/* Its changes against each parent (made of them filled) and its message. */
static int scan_changes(struct source_range *src, struct scan_queue *q,
			const git_commit *c, struct source_diff *diffs,
			size_t origin, struct lg_error *err)
{
	size_t n_parents = git_commit_parentcount(c), k;
	const char *msg = git_commit_message_raw(c);
	git_tree *tree = NULL;
	int rc = 0;

	if (git_commit_tree(&tree, c))
		return lg_error_git(err, "range: commit");
	for (k = 0; k < (n_parents ? n_parents : 1) && !rc; k++)
		rc = diff_parent(src, c, n_parents ? (int)k : -1, tree,
				 &diffs[k], err);
	if (!rc && cover(src, diffs, k))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = source_diff_push_all(q, diffs, k, origin, &src->more,
					  err);
	if (!rc && msg)
		rc = scan_queue_push_message(q, "commit message", msg,
					     strlen(msg), origin);
	if (rc < 0 && !err->code)
		lg_error_set(err, rc, "out of memory");
	git_tree_free(tree);
	return rc;
}

static int scan_commit(struct source_range *src, struct scan_queue *q,
		       size_t origin, struct lg_error *err)
{
	git_commit *c = NULL;
	struct source_diff *diffs = NULL;
	size_t n = 0, k;
	int rc;

	if (git_commit_lookup(&c, src->repo, &src->commits.ids[origin]))
		return lg_error_git(err, "range: commit");
	n = git_commit_parentcount(c);
	n = n ? n : 1;
	if (!(diffs = calloc(n, sizeof(*diffs))))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	else
		rc = scan_changes(src, q, c, diffs, origin, err);
	for (k = 0; diffs && k < n; k++)
		source_diff_release(&diffs[k]);
	free(diffs);
	git_commit_free(c);
	return rc;
}

/* An annotated tag's message, shown as "tag message (NAME)". */
static int scan_tag(struct source_range *src, struct scan_queue *q,
		    const git_oid *id, struct lg_error *err)
{
	struct buf path = BUF_INIT;
	git_tag *tag = NULL;
	const char *msg;
	int rc;

	if (git_tag_lookup(&tag, src->repo, id))
		return lg_error_git(err, "range: tag");
	msg = git_tag_message(tag);
	rc = buf_addf(&path, "tag message (%s)", git_tag_name(tag));
	if (!rc && msg)
		rc = scan_queue_push_message(q, path.ptr, msg, strlen(msg),
					     RANGE_NO_ORIGIN);
	if (rc < 0)
		lg_error_set(err, rc, "out of memory");
	buf_release(&path);
	git_tag_free(tag);
	return rc;
}

/* ---- blobs no commit's change holds ------------------------------------ */

static int name_blob(struct dedup *want, const git_oid *id, const char *path)
{
	char *copy = strdup(path);

	if (!copy || dedup_put(want, id->id, copy)) {
		free(copy);
		return LG_ERR_NOMEM;
	}
	return 0;
}

/*
 * Gives each blob of want (id -> NULL) the first path it has under tree
 * id (at dir), walking each tree once: a tree that holds the same subtree
 * many times (a git bomb) costs its size, not its paths.
 */
static int name_blobs(git_repository *repo, const git_oid *id,
		      struct buf *dir, struct dedup *walked,
		      struct dedup *want)
{
	git_tree *tree = NULL;
	size_t i, base = dir->len;
	int rc = dedup_add(walked, id->id);

	if (rc <= 0 || git_tree_lookup(&tree, repo, id))
		return rc < 0 ? rc : 0;	/* unreadable: its blobs go unnamed */
	for (i = 0, rc = 0; i < git_tree_entrycount(tree) && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_oid *eid = git_tree_entry_id(e);

		if ((rc = buf_adds(dir, git_tree_entry_name(e))))
			break;
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = buf_addch(dir, '/') ? LG_ERR_NOMEM
			     : name_blobs(repo, eid, dir, walked, want);
		else if (dedup_has(want, eid->id) && !dedup_get(want, eid->id))
			rc = name_blob(want, eid, dir->ptr);
		buf_truncate(dir, base);
	}
	git_tree_free(tree);
	return rc;
}

static int push_loose(struct source_range *src, struct scan_queue *q,
		      struct dedup *names, struct lg_error *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct buf path = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->blobs.n && !rc; i++) {
		const git_oid *id = &src->blobs.ids[i];
		const char *name = dedup_get(names, id->id);

		if (!dedup_has(names, id->id))
			continue;
		buf_reset(&path);
		if (!name && buf_addf(&path, "(blob %s)",
				      git_oid_tostr(hex, sizeof(hex), id)))
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		if (!rc)
			rc = source_diff_push_blob(q, src->repo,
						   name ? name : path.ptr, id,
						   RANGE_NO_ORIGIN, err);
	}
	buf_release(&path);
	return rc;
}

/*
 * Blobs named directly that no commit's change holds (under a ref to a
 * tree, a tag on a blob): scanned whole, at the first path a named tree
 * gives them.
 */
static int scan_loose(struct source_range *src, struct scan_queue *q,
		      struct lg_error *err)
{
	struct dedup names = DEDUP_INIT, walked = DEDUP_INIT;
	struct buf dir = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->blobs.n && rc >= 0; i++)
		if (!dedup_has(&src->covered, src->blobs.ids[i].id))
			rc = dedup_put(&names, src->blobs.ids[i].id, NULL);
	for (i = 0; names.n && i < src->trees.n && rc >= 0; i++) {
		buf_reset(&dir);
		rc = name_blobs(src->repo, &src->trees.ids[i], &dir, &walked,
				&names);
	}
	rc = rc < 0 ? lg_error_set(err, rc, "out of memory")
		    : push_loose(src, q, &names, err);
	dedup_each_value(&names, free);
	dedup_release(&names);
	dedup_release(&walked);
	buf_release(&dir);
	return rc;
}

/* ---- scan_source callbacks ---------------------------------------------- */

static int range_produce(struct scan_source *base, struct scan_queue *q,
			 struct lg_error *err)
{
	struct source_range *src = (struct source_range *)base;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->commits.n && !rc; i++)
		rc = scan_commit(src, q, i, err);
	for (i = 0; i < src->tags.n && !rc; i++)
		rc = scan_tag(src, q, &src->tags.ids[i], err);
	if (!rc)
		rc = scan_loose(src, q, err);
	return rc < 0 ? rc : 0;
}

static int range_annotate(struct scan_source *base, struct finding *f,
			  struct lg_error *err)
{
	struct source_range *src = (struct source_range *)base;

	if (f->origin >= src->commits.n)
		return 0;
	if (commit_provenance(&f->where, src->repo,
			      &src->commits.ids[f->origin]))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

/*
 * The places of a blob past the cap (a git bomb) are counted on the first
 * finding of each secret in it.
 */
static int range_finish(struct scan_source *base, struct finding_list *l,
			struct lg_error *err)
{
	struct source_range *src = (struct source_range *)base;
	struct dedup told = DEDUP_INIT;
	unsigned char key[16];
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && src->more.n && rc >= 0; i++) {
		struct finding *f = l->items[i];
		uintptr_t extra = f->has_blob
					  ? (uintptr_t)dedup_get(&src->more, f->blob)
					  : 0;
		if (!extra)
			continue;
		dedup_key_of(f->fingerprint, FINGERPRINT_HEX, key);
		if ((rc = dedup_add(&told, key)) > 0)
			f->more_count += extra;
	}
	dedup_release(&told);
	return rc < 0 ? lg_error_set(err, rc, "out of memory") : 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

int source_range_open(struct source_range *src, const char *repo_dir,
		      struct lg_error *err)
{
	memset(src, 0, sizeof(*src));
	src->base.produce = range_produce;
	src->base.annotate = range_annotate;
	src->base.finish = range_finish;
	src->base.unreadable_fails = 1;
	return source_diff_open_repo(&src->repo, repo_dir, err);
}

void source_range_release(struct source_range *src)
{
	oid_list_release(&src->commits);
	oid_list_release(&src->tags);
	oid_list_release(&src->trees);
	oid_list_release(&src->blobs);
	dedup_release(&src->seen);
	dedup_release(&src->covered);
	dedup_release(&src->more);
	git_repository_free(src->repo);
	memset(src, 0, sizeof(*src));
}
