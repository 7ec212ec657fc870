#include "store_report.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "error.h"
#include "report.h"
#include "verify.h"
#include "banned.h"

/* ---- loading ------------------------------------------------------------ */

static char *col_dup(sqlite3_stmt *q, int col)
{
	const unsigned char *s = sqlite3_column_text(q, col);

	return s && *s ? strdup((const char *)s) : NULL;
}

static void place_from_row(struct location *l, sqlite3_stmt *q)
{
	memset(l, 0, sizeof(*l));
	l->commit = col_dup(q, 4);
	l->path = col_dup(q, 5);
	if (!l->path)
		l->path = strdup("");
	l->line = (size_t)sqlite3_column_int64(q, 6);
	l->column = (size_t)sqlite3_column_int64(q, 7);
	l->author_name = col_dup(q, 8);
	l->author_email = col_dup(q, 9);
	l->author_time = sqlite3_column_int64(q, 10);
}

static struct finding *finding_from_row(sqlite3_stmt *q, const struct rule *r)
{
	struct finding *f = calloc(1, sizeof(*f));
	const char *redacted = (const char *)sqlite3_column_text(q, 2);

	if (!f)
		return NULL;
	f->rule = r;
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s",
		 (const char *)sqlite3_column_text(q, 0));
	f->secret = strdup(redacted ? redacted : "");
	f->secret_len = f->secret ? strlen(f->secret) : 0;
	f->confidence = (enum confidence)sqlite3_column_int(q, 11);
	if (sqlite3_column_bytes(q, 3) == 20) {
		memcpy(f->blob, sqlite3_column_blob(q, 3), 20);
		f->has_blob = 1;
	}
	place_from_row(&f->where, q);
	if (!f->secret || !f->where.path) {
		finding_free(f);
		return NULL;
	}
	return f;
}

/* A further place of the same secret and blob as f. */
static int add_place(struct finding *f, sqlite3_stmt *q)
{
	struct location *grown;

	f->more_count++;
	if (f->n_more >= FINDING_PLACES_MAX)
		return 0;
	if (!(grown = realloc(f->more, (f->n_more + 1) * sizeof(*grown))))
		return -1;
	f->more = grown;
	place_from_row(&f->more[f->n_more++], q);
	return f->more[f->n_more - 1].path ? 0 : -1;
}

static int same_secret_and_blob(const struct finding *f, sqlite3_stmt *q)
{
	int has = sqlite3_column_bytes(q, 3) == 20;

	return !strcmp(f->fingerprint, (const char *)sqlite3_column_text(q, 0)) &&
	       has == f->has_blob &&
	       (!has || !memcmp(f->blob, sqlite3_column_blob(q, 3), 20));
}

static int load_rows(struct finding_list *out, sqlite3_stmt *q,
		     const struct rule_set *rules)
{
	struct finding *cur = NULL;
	const struct rule *r;
	int step;

	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (cur && same_secret_and_blob(cur, q)) {
			if (add_place(cur, q))
				return LG_ERR_NOMEM;
			continue;
		}
		if (!(r = rules_find(rules, (const char *)sqlite3_column_text(q, 1)))) {
			fprintf(stderr, "leakgate: note: rule '%s' is not in this "
				"rule set; its findings are left out\n",
				sqlite3_column_text(q, 1));
			cur = NULL;
			continue;
		}
		if (!(cur = finding_from_row(q, r)) || finding_list_add(out, cur)) {
			finding_free(cur);
			return LG_ERR_NOMEM;
		}
	}
	return step == SQLITE_DONE ? 0 : LG_ERR_IO;
}

int store_report_load(struct finding_list *out, struct store *s,
		      const struct rule_set *rules, struct lg_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s),
			       "SELECT s.fingerprint, s.rule, s.redacted, p.blob,"
			       " p.commit_id, p.path, p.line, p.col, p.author,"
			       " p.email, p.time, s.confidence FROM secrets s JOIN places p"
			       " USING(fingerprint) ORDER BY s.fingerprint, p.blob,"
			       " p.time, p.commit_id, p.path, p.line",
			       -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "reading", err);
	rc = load_rows(out, q, rules);
	sqlite3_finalize(q);
	if (rc == LG_ERR_NOMEM)
		return lg_error_set(err, rc, "out of memory");
	return rc ? store_fail(s, "reading", err) : 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Whether commit c's tree holds f's blob at one of f's paths. */
static int holds(git_commit *c, const struct finding *f)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	size_t i;
	int found = 0;

	if (!f->has_blob || git_commit_tree(&tree, c))
		return 0;
	for (i = 0; !found && i <= f->n_more; i++) {
		const char *path = i ? f->more[i - 1].path : f->where.path;
		if (git_tree_entry_bypath(&e, tree, path))
			continue;
		found = !memcmp(git_tree_entry_id(e)->id, f->blob, 20);
		git_tree_entry_free(e);
	}
	git_tree_free(tree);
	return found;
}

/*
 * The first-parent child of the newest commit that holds f, from HEAD
 * down.  Returns whether some commit there holds f.
 */
static int removal(git_commit *head, const struct finding *f, char **facts)
{
	git_commit *c = NULL, *parent = NULL;
	char hex[GIT_OID_HEXSZ + 1], child[GIT_OID_HEXSZ + 1] = "";
	size_t walked = 0;
	int found = 0;

	if (git_commit_dup(&c, head))
		return 0;
	while (c && walked++ < STORE_REPORT_WALK) {
		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		if ((found = holds(c, f))) {
			if (*child)
				verify_fact(facts, "removed_in", child);
			break;
		}
		memcpy(child, hex, sizeof(child));
		parent = NULL;
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&parent, c, 0))
			parent = NULL;
		git_commit_free(c);
		c = parent;
	}
	git_commit_free(c);
	return found;
}

static int ref_holds(git_repository *repo, const char *name,
		     const struct finding *f)
{
	git_object *obj = NULL;
	git_commit *c = NULL;
	int found = 0;

	if (!git_revparse_single(&obj, repo, name) &&
	    !git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT))
		found = holds(c, f);
	git_commit_free(c);
	git_object_free(obj);
	return found;
}

/*
 * "refs/heads/main, refs/tags/v1": every branch and tag whose tip holds
 * f.  Returns whether there is one.
 */
static int present_at(git_repository *repo, const struct finding *f,
		      char **facts)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	struct buf names = BUF_INIT;
	int found;

	if (git_reference_iterator_new(&it, repo))
		return 0;
	while (!git_reference_next(&ref, it)) {
		const char *name = git_reference_name(ref);
		if ((!strncmp(name, "refs/heads/", 11) ||
		     !strncmp(name, "refs/tags/", 10)) && ref_holds(repo, name, f))
			buf_addf(&names, "%s%s", names.len ? ", " : "", name);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if ((found = names.len > 0) && !buf_addch(&names, '\0'))
		verify_fact(facts, "present_at", names.ptr);
	buf_release(&names);
	return found;
}

/*
 * The commits some ref or HEAD reaches, listed by one walk the first time
 * a secret needs it (a walk per secret would cost a history each).
 */
struct reach {
	git_repository *repo;
	struct dedup commits;
	int listed;
};

static void reach_list(struct reach *r)
{
	git_revwalk *walk = NULL;
	git_oid id;

	r->listed = 1;
	if (git_revwalk_new(&walk, r->repo))
		return;
	git_revwalk_push_glob(walk, "*");
	git_revwalk_push_head(walk);
	while (!git_revwalk_next(&id, walk))
		if (dedup_add(&r->commits, id.id) < 0)
			break;
	git_revwalk_free(walk);
	git_error_clear();
}

/* Whether a ref still reaches a commit of f's places. */
static int reachable(struct reach *r, const struct finding *f)
{
	git_oid id;
	size_t i;

	if (!r->listed)
		reach_list(r);
	for (i = 0; i <= f->n_more; i++) {
		const char *commit = i ? f->more[i - 1].commit : f->where.commit;
		if (commit && !git_oid_fromstr(&id, commit) &&
		    dedup_has(&r->commits, id.id))
			return 1;
	}
	return 0;
}

static void introduced(const struct finding *f, char **facts)
{
	char when[32], text[300];

	if (!f->where.commit)
		return;
	report_time(when, sizeof(when), (long long)f->where.author_time);
	snprintf(text, sizeof(text), "%.12s %s %s", f->where.commit, when,
		 f->where.author_name ? f->where.author_name : "");
	verify_fact(facts, "introduced", text);
}

/*
 * A secret no ref reaches any more (history rewritten, a branch deleted)
 * says so: its commits live on only in reflogs, clones and forks.
 */
static void lifecycle_of(struct finding *f, git_repository *repo,
			 git_commit *head, struct reach *reach)
{
	int at_head = head && holds(head, f), seen = at_head;

	introduced(f, &f->lifecycle);
	if (!repo || (!f->has_blob && !f->where.commit))
		return;
	if (f->has_blob) {
		verify_fact(&f->lifecycle, "at_head", at_head ? "true" : "false");
		if (!at_head && head)
			seen |= removal(head, f, &f->lifecycle);
		seen |= present_at(repo, f, &f->lifecycle);
	}
	if (!seen && !reachable(reach, f)) {
		verify_fact(&f->lifecycle, "reachable", "false");
		verify_fact(&f->lifecycle, "advice", "rotate it; no ref reaches "
			    "it any more: expire reflogs and gc, and purge clones");
		return;
	}
	if (f->has_blob)
		verify_fact(&f->lifecycle, "advice", at_head ?
			    "rotate it, remove it from HEAD, then rewrite history" :
			    "rotate it; rewrite history to purge the old commits");
}

void store_report_lifecycle(struct finding_list *l, git_repository *repo)
{
	struct reach reach = { repo, DEDUP_INIT, 0 };
	git_object *obj = NULL;
	git_commit *head = NULL;
	size_t i;

	if (repo && !git_revparse_single(&obj, repo, "HEAD"))
		git_object_peel((git_object **)&head, obj, GIT_OBJECT_COMMIT);
	for (i = 0; i < l->n; i++)
		lifecycle_of(l->items[i], repo, head, &reach);
	dedup_release(&reach.commits);
	git_commit_free(head);
	git_object_free(obj);
}
