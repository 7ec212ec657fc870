#include "store_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dedup.h"
#include "error.h"
#include "banned.h"

/* The secrets of one blob whose fingerprint is wanted, each once. */
struct purge_pick {
	const char *fingerprint;
	struct buf *out;		/* replace-text lines */
	struct dedup *written;		/* fingerprints already written */
};

static int pick(const struct engine_match *m, void *payload)
{
	struct purge_pick *p = payload;
	char fp[FINGERPRINT_HEX + 1];
	unsigned char key[16];

	finding_fingerprint(m->rule->id, m->secret, m->secret_len, fp);
	if (strcmp(fp, p->fingerprint))
		return 0;
	dedup_key_of(fp, FINGERPRINT_HEX, key);
	if (dedup_add(p->written, key) != 1)
		return 0;
	/* filter-repo reads one expression a line: a secret spanning lines cannot be one. */
	if (memchr(m->secret, '\n', m->secret_len))
		return 0;
	buf_adds(p->out, "literal:");
	buf_add(p->out, m->secret, m->secret_len);
	buf_addf(p->out, "==>***REMOVED:%s***\n", m->rule->id);
	return 0;
}

static void read_secrets(const struct finding *f, git_repository *repo,
			 struct engine_worker *w, struct purge_pick *p)
{
	struct engine_callbacks cb = { pick, NULL, p };
	git_oid id;
	git_blob *blob = NULL;

	memcpy(id.id, f->blob, 20);
	if (git_blob_lookup(&blob, repo, &id))
		return;
	p->fingerprint = f->fingerprint;
	engine_scan(w, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
		    NULL, &cb);
	git_blob_free(blob);
}

static int write_private(const char *path, const struct buf *b,
			 struct lg_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	int rc = 0;

	if (fd < 0)
		return lg_error_errno(err, errno, "%s", path);
	if (fchmod(fd, 0600) || (b->len && write(fd, b->ptr, b->len) != (ssize_t)b->len))
		rc = lg_error_errno(err, errno, "%s", path);
	if (close(fd) && !rc)
		rc = lg_error_errno(err, errno, "%s", path);
	return rc;
}

/* Whether the ref's tip is, or descends from, commit hex. */
static int ref_reaches(git_repository *repo, git_reference *ref, const char *hex)
{
	git_object *tip = NULL;
	git_oid id;
	int hit = 0;

	if (git_oid_fromstr(&id, hex) ||
	    git_reference_peel(&tip, ref, GIT_OBJECT_COMMIT))
		return 0;
	hit = git_oid_equal(git_object_id(tip), &id) ||
	      git_graph_descendant_of(repo, git_object_id(tip), &id) == 1;
	git_object_free(tip);
	return hit;
}

static int finding_in_ref(git_repository *repo, git_reference *ref,
			  const struct finding *f)
{
	size_t i;

	for (i = 0; i <= f->n_more; i++) {
		const struct location *l = i ? &f->more[i - 1] : &f->where;
		if (l->commit && ref_reaches(repo, ref, l->commit))
			return 1;
	}
	return 0;
}

/* Prints the refs a rewrite changes and the commits that hold the secrets. */
static void print_changes(const struct finding_list *l, git_repository *repo,
			  char *const *names, size_t n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	size_t i, j;

	printf("commits that hold the chosen secrets (and every later commit on "
	       "their branches) will be rewritten:\n");
	for (i = 0; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (!finding_fingerprint_chosen(f->fingerprint, names, n))
			continue;
		for (j = 0; j <= f->n_more; j++) {
			const struct location *loc = j ? &f->more[j - 1] : &f->where;
			if (loc->commit)
				printf("  %s %s\n", loc->commit, loc->path);
		}
	}
	printf("refs that will change:\n");
	if (git_reference_iterator_new(&it, repo))
		return;
	while (!git_reference_next(&ref, it)) {
		for (i = 0; i < l->n; i++)
			if (finding_fingerprint_chosen(l->items[i]->fingerprint, names, n) &&
			    finding_in_ref(repo, ref, l->items[i])) {
				printf("  %s\n", git_reference_name(ref));
				break;
			}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
}

int store_report_purge_plan(const struct finding_list *l, git_repository *repo,
			    const struct engine *e, const char *out,
			    char *const *fingerprints, size_t n,
			    struct lg_error *err)
{
	struct engine_worker *w = NULL;
	struct dedup written = DEDUP_INIT;
	struct buf text = BUF_INIT;
	struct purge_pick p = { NULL, &text, &written };
	size_t i;
	int rc;

	if ((rc = engine_worker_new(&w, e, err)))
		return rc;
	for (i = 0; i < l->n; i++)
		if (l->items[i]->has_blob && finding_fingerprint_chosen(l->items[i]->fingerprint,
						    fingerprints, n))
			read_secrets(l->items[i], repo, w, &p);
	engine_worker_free(w);
	rc = write_private(out, &text, err);
	if (!rc) {
		printf("wrote %zu expression%s to %s (mode 0600; delete it after "
		       "the rewrite): git filter-repo --replace-text %s\n",
		       written.n, written.n == 1 ? "" : "s", out, out);
		print_changes(l, repo, fingerprints, n);
	}
	/* The plan held secrets whole: clear the copy before freeing it. */
	if (text.ptr)
		explicit_bzero(text.ptr, text.len);
	buf_release(&text);
	dedup_release(&written);
	return rc;
}
