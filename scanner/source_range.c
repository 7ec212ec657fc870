#include "source_range.h"

#include <stdlib.h>
#include <string.h>

#include "commit_order.h"
#include "error.h"
#include "source_diff.h"
#include "banned.h"

#define FETCH_MORE "fetch more history (git fetch --unshallow, or a " \
		   "deeper git fetch --depth=N) and retry"

/* ---- which commits ------------------------------------------------------ */

static int add_commit(struct source_range *src, const git_oid *id)
{
	int fresh = dedup_add(&src->seen, id->id);

	if (fresh <= 0)
		return fresh < 0 ? LG_ERR_NOMEM : 0;
	if (src->n == src->alloc) {
		size_t alloc = src->alloc ? src->alloc * 2 : 64;
		git_oid *grown = realloc(src->commits, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		src->commits = grown;
		src->alloc = alloc;
	}
	git_oid_cpy(&src->commits[src->n++], id);
	return 0;
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

struct stack {
	git_oid *ids;
	size_t n, alloc;
};

static int stack_push(struct stack *st, const git_oid *id)
{
	if (st->n == st->alloc) {
		size_t alloc = st->alloc ? st->alloc * 2 : 64;
		git_oid *grown = realloc(st->ids, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		st->ids = grown;
		st->alloc = alloc;
	}
	git_oid_cpy(&st->ids[st->n++], id);
	return 0;
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
	struct stack st = { NULL, 0, 0 };
	git_commit *c = NULL;
	unsigned k;
	int rc = stack_push(&st, tip);

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
			rc = stack_push(&st, git_commit_parent_id(c, k));
		git_commit_free(c);
	}
	free(st.ids);
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

int source_range_add_list(struct source_range *src, const char *text,
			  size_t len, struct lg_error *err)
{
	const char *p = text, *end = text + len;
	git_oid id;

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
		if (a == b)
			continue;
		if (resolve(src->repo, a, (size_t)(b - a), &id, err))
			return err->code;
		if (add_commit(src, &id))
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
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

static int scan_commit(struct source_range *src, struct scan_queue *q,
		       size_t origin, struct lg_error *err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct source_diff *diffs = NULL;
	size_t n_parents = 0, k, made = 0;
	int rc = 0;

	if (git_commit_lookup(&c, src->repo, &src->commits[origin]) ||
	    git_commit_tree(&tree, c)) {
		rc = lg_error_git(err, "range: commit");
		goto done;
	}
	n_parents = git_commit_parentcount(c);
	diffs = calloc(n_parents ? n_parents : 1, sizeof(*diffs));
	if (!diffs) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (k = 0; k < (n_parents ? n_parents : 1) && !rc; k++, made++)
		rc = diff_parent(src, c, n_parents ? (int)k : -1, tree,
				 &diffs[k], err);
	if (!rc)
		rc = source_diff_push_all(q, diffs, made, origin, err);
done:
	for (k = 0; k < made; k++)
		source_diff_release(&diffs[k]);
	free(diffs);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* ---- scan_source callbacks ---------------------------------------------- */

static int range_produce(struct scan_source *base, struct scan_queue *q,
			 struct lg_error *err)
{
	struct source_range *src = (struct source_range *)base;
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n && !rc; i++)
		rc = scan_commit(src, q, i, err);
	return rc < 0 ? rc : 0;
}

static int range_annotate(struct scan_source *base, struct finding *f,
			  struct lg_error *err)
{
	struct source_range *src = (struct source_range *)base;

	if (f->origin >= src->n)
		return 0;
	if (commit_provenance(&f->where, src->repo, &src->commits[f->origin]))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

int source_range_open(struct source_range *src, const char *repo_dir,
		      struct lg_error *err)
{
	memset(src, 0, sizeof(*src));
	src->base.produce = range_produce;
	src->base.annotate = range_annotate;
	return source_diff_open_repo(&src->repo, repo_dir, err);
}

void source_range_release(struct source_range *src)
{
	free(src->commits);
	dedup_release(&src->seen);
	git_repository_free(src->repo);
	memset(src, 0, sizeof(*src));
}
