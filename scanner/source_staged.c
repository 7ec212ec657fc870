#include "source_staged.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "source_index.h"
#include "banned.h"

static int staged_produce(struct scan_source *base, struct scan_queue *q,
			  struct lg_error *err)
{
	struct source_staged *src = (struct source_staged *)base;
	int rc = source_diff_push_all(q, src->changes, src->n_changes, 0, NULL,
				      err);

	return rc < 0 ? rc : 0;
}

/* The trees of the commit to be: a NULL tree for no commit yet. */
struct parents {
	git_repository *repo;
	git_tree **trees;
	size_t n;
};

static int add_parent(struct parents *p, const git_oid *commit_id)
{
	git_tree **grown = realloc(p->trees, (p->n + 1) * sizeof(*grown));
	git_commit *c = NULL;
	int rc = 0;

	if (!grown)
		return LG_ERR_NOMEM;
	p->trees = grown;
	p->trees[p->n] = NULL;
	if (commit_id && (git_commit_lookup(&c, p->repo, commit_id) ||
			  git_commit_tree(&p->trees[p->n], c)))
		rc = LG_ERR_GIT;
	git_commit_free(c);
	p->n += !rc;
	return rc;
}

static int on_merge_head(const git_oid *id, void *payload)
{
	return add_parent(payload, id) ? -1 : 0;
}

/*
 * HEAD (none before the first commit) and, while a merge is being
 * concluded, each MERGE_HEAD: a merge adds only what no parent had.
 */
static int find_parents(struct parents *p, struct lg_error *err)
{
	git_oid head;
	int rc;

	if (git_repository_head_unborn(p->repo) == 1)
		rc = add_parent(p, NULL);
	else if (git_reference_name_to_id(&head, p->repo, "HEAD"))
		return lg_error_git(err, "HEAD");
	else
		rc = add_parent(p, &head);
	if (rc == LG_ERR_NOMEM)
		return lg_error_set(err, rc, "out of memory");
	if (rc)
		return lg_error_git(err, "HEAD");
	rc = git_repository_mergehead_foreach(p->repo, on_merge_head, p);
	if (rc && rc != GIT_ENOTFOUND)
		return lg_error_git(err, "MERGE_HEAD");
	return 0;
}

/* The index git would commit: $GIT_INDEX_FILE when git set it for a hook. */
static char *index_path(git_repository *repo, const char *repo_dir)
{
	const char *env = repo_dir ? NULL : getenv("GIT_INDEX_FILE");
	struct buf b = BUF_INIT;

	if (env && *env)
		return strdup(env);
	if (buf_adds(&b, git_repository_path(repo)) || buf_adds(&b, "index")) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int diff_parents(struct source_staged *src, const struct parents *p,
			const struct source_index *ix, struct lg_error *err)
{
	int rc = 0;

	src->changes = calloc(p->n, sizeof(*src->changes));
	if (!src->changes)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (; src->n_changes < p->n && !rc; src->n_changes++) {
		struct source_diff *d = &src->changes[src->n_changes];

		source_diff_init(d, src->repo);
		rc = source_index_diff(d, ix, p->trees[src->n_changes], err);
		if (!rc)
			rc = source_diff_renames(d, err);
	}
	return rc;
}

static int find_changes(struct source_staged *src, const char *repo_dir,
			struct lg_error *err)
{
	struct source_index *ix = NULL;
	struct parents p = { src->repo, NULL, 0 };
	char *path = index_path(src->repo, repo_dir);
	size_t k;
	int rc;

	if (!path)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	rc = find_parents(&p, err);
	if (!rc)
		rc = source_index_read(&ix, path,
				       git_repository_path(src->repo), err);
	if (!rc)
		rc = diff_parents(src, &p, ix, err);
	source_index_free(ix);
	for (k = 0; k < p.n; k++)
		git_tree_free(p.trees[k]);
	free(p.trees);
	free(path);
	return rc;
}

int source_staged_open(struct source_staged *src, const char *repo_dir,
		       struct lg_error *err)
{
	memset(src, 0, sizeof(*src));
	src->base.produce = staged_produce;
	if (source_diff_open_repo(&src->repo, repo_dir, err))
		return err->code;
	if (git_repository_is_bare(src->repo))
		return lg_error_set(err, LG_ERR_USAGE,
				    "%s: a bare repository has no staging area",
				    git_repository_path(src->repo));
	return find_changes(src, repo_dir, err);
}

size_t source_staged_files(const struct source_staged *src)
{
	return src->n_changes ? src->changes[0].n : 0;
}

void source_staged_release(struct source_staged *src)
{
	size_t k;

	for (k = 0; k < src->n_changes; k++)
		source_diff_release(&src->changes[k]);
	free(src->changes);
	git_repository_free(src->repo);
	memset(src, 0, sizeof(*src));
}
