#include "triage.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pack_entry.h"
#include "banned.h"

int triage_forge(struct forge *f, git_repository *repo, struct lg_error *err)
{
	git_config *cfg = NULL;
	git_buf url = GIT_BUF_INIT;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	/* Not git_remote_lookup: libgit2 1.5 leaks its regex match data. */
	if (!git_repository_config_snapshot(&cfg, repo) &&
	    !git_config_get_string_buf(&url, cfg, "remote.origin.url") &&
	    forge_parse(f, url.ptr))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	git_buf_dispose(&url);
	git_config_free(cfg);
	git_error_clear();
	return rc;
}

/* The HEAD blob read last: findings in one file share it. */
struct head_blob {
	git_oid id;
	git_blob *blob;
};

static const git_blob *head_blob(git_repository *repo, struct head_blob *c,
				 const git_oid *id)
{
	if (c->blob && git_oid_equal(&c->id, id))
		return c->blob;
	git_blob_free(c->blob);
	c->blob = NULL;
	if (!git_blob_lookup(&c->blob, repo, id))
		git_oid_cpy(&c->id, id);
	return c->blob;
}

/*
 * 1 when the blob at path in tree holds f's secret, 0 when not, -1 when
 * unknown.  The blob f was found in needs no reading; one too large to
 * hold (over PACK_OBJECT_MAX) is not read whole.
 */
static int holds(git_repository *repo, git_odb *odb, git_tree *tree,
		 const struct finding *f, struct head_blob *cache)
{
	git_tree_entry *e = NULL;
	const git_blob *blob;
	git_object_t type;
	size_t size = 0;
	int found = 0;

	if (git_tree_entry_bypath(&e, tree, f->where.path) ||
	    git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		found = 0;
	else if (f->has_blob &&
		 !memcmp(git_tree_entry_id(e)->id, f->blob, sizeof(f->blob)))
		found = 1;
	else if (git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) ||
		 size > PACK_OBJECT_MAX)
		found = -1;
	else if ((blob = head_blob(repo, cache, git_tree_entry_id(e))))
		found = memmem(git_blob_rawcontent(blob),
			       (size_t)git_blob_rawsize(blob), f->secret,
			       f->secret_len) != NULL;
	git_tree_entry_free(e);
	git_error_clear();
	return found;
}

static int compare_path(const void *a, const void *b)
{
	const struct finding *x = *(struct finding *const *)a;
	const struct finding *y = *(struct finding *const *)b;

	return strcmp(x->where.path, y->where.path);
}

int triage_at_head(struct finding_list *l, void *payload, struct lg_error *err)
{
	git_repository *repo = payload;
	struct head_blob cache = { { { 0 } }, NULL };
	struct finding **by_path = NULL;
	git_object *head = NULL;
	git_odb *odb = NULL;
	size_t i, n = 0;

	if (git_revparse_single(&head, repo, "HEAD^{tree}") ||
	    git_repository_odb(&odb, repo)) {
		git_object_free(head);
		git_error_clear();
		return 0;	/* no HEAD: unknown */
	}
	/* In path order, so each HEAD blob is read once. */
	if (!(by_path = calloc(l->n + 1, sizeof(*by_path)))) {
		git_odb_free(odb);
		git_object_free(head);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < l->n; i++)
		if (l->items[i]->where.commit)
			by_path[n++] = l->items[i];
	qsort(by_path, n, sizeof(*by_path), compare_path);
	for (i = 0; i < n; i++)
		by_path[i]->at_head = holds(repo, odb, (git_tree *)head,
					    by_path[i], &cache);
	git_blob_free(cache.blob);
	free(by_path);
	git_odb_free(odb);
	git_object_free(head);
	return 0;
}
