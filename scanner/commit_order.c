#include "commit_order.h"

#include <stdlib.h>
#include <string.h>

#include "commit_raw.h"
#include "error.h"
#include "finding.h"
#include "pack_read.h"
#include "banned.h"

struct frame {
	git_oid id;
	git_oid tree;		/* set when expanded */
	int expanded;
};

struct stack {
	struct frame *f;
	size_t n, alloc;
};

static int stack_push(struct stack *s, const git_oid *id)
{
	if (s->n == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 256;
		struct frame *grown = realloc(s->f, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		s->f = grown;
		s->alloc = alloc;
	}
	git_oid_cpy(&s->f[s->n].id, id);
	s->f[s->n++].expanded = 0;
	return 0;
}

static int emit(struct commit_order *co, const struct frame *f)
{
	if (co->n == co->alloc) {
		size_t alloc = co->alloc ? co->alloc * 2 : 1024;
		struct ordered_commit *grown =
			realloc(co->commits, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		co->commits = grown;
		co->alloc = alloc;
	}
	git_oid_cpy(&co->commits[co->n].id, &f->id);
	git_oid_cpy(&co->commits[co->n++].tree, &f->tree);
	return 0;
}

/* Pushes the unseen parents of the commit on top (last parent deepest). */
static int expand(struct commit_order *co, struct stack *s, int *missing)
{
	struct lg_error err = LG_ERROR_INIT;
	struct frame *top = &s->f[s->n - 1];
	struct pack_object *obj = NULL;
	struct commit_raw c;
	git_oid parent;
	size_t i;
	int rc = 0;

	top->expanded = 1;
	if ((rc = pack_reader_read(co->reader, top->id.id, &obj, &err))) {
		*missing = 1;
		return rc == LG_ERR_NOMEM ? rc : 0;
	}
	if (obj->type != GIT_OBJECT_COMMIT ||
	    commit_raw_parse(&c, (const char *)obj->data, obj->len)) {
		*missing = 1;
		pack_object_put(obj);
		return 0;
	}
	git_oid_cpy(&top->tree, &c.tree);
	for (i = c.n_parents; i-- > 0 && !rc;) {
		commit_raw_parent(&c, i, &parent);
		if ((rc = dedup_add(&co->seen, parent.id)) <= 0)
			continue;
		rc = co->done && dedup_has(co->done, parent.id)
			     ? oid_list_add(&co->edge, &parent)
			     : stack_push(s, &parent);
	}
	pack_object_put(obj);
	return rc < 0 ? rc : 0;
}

static int walk_from(struct commit_order *co, struct stack *s)
{
	int rc = 0;

	while (s->n && !rc) {
		struct frame *top = &s->f[s->n - 1];
		int missing = 0;
		if (top->expanded) {
			rc = emit(co, top);
			s->n--;
			continue;
		}
		rc = expand(co, s, &missing);
		if (missing) {
			co->missing++;
			s->n--;
		}
	}
	return rc;
}

int commit_order_add(struct commit_order *co, const git_oid *tips, size_t n,
		     struct lg_error *err)
{
	struct stack s = { NULL, 0, 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		if (co->done && dedup_has(co->done, tips[i].id))
			continue;
		rc = dedup_add(&co->seen, tips[i].id);
		if (rc > 0 && !(rc = stack_push(&s, &tips[i])))
			rc = walk_from(co, &s);
	}
	free(s.f);
	return rc < 0 ? lg_error_set(err, rc, "out of memory walking history") : 0;
}

void commit_order_init(struct commit_order *co, struct pack_reader *reader)
{
	memset(co, 0, sizeof(*co));
	co->reader = reader;
}

void commit_order_release(struct commit_order *co)
{
	dedup_release(&co->seen);
	free(co->commits);
	oid_list_release(&co->edge);
	memset(co, 0, sizeof(*co));
}

static int set_str(char **dst, const char *s)
{
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : LG_ERR_NOMEM;
}

int commit_provenance(struct location *l, git_repository *repo,
		      const git_oid *id)
{
	const git_signature *a;
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = set_str(&l->commit, git_oid_tostr(hex, sizeof(hex), id));

	if (!rc && !git_commit_lookup(&c, repo, id) && (a = git_commit_author(c))) {
		l->author_time = a->when.time;
		l->author_tz = a->when.offset;
		rc = set_str(&l->author_name, a->name);
		if (!rc)
			rc = set_str(&l->author_email, a->email);
		if (!rc && git_commit_summary(c))
			rc = set_str(&l->subject, git_commit_summary(c));
	}
	git_commit_free(c);
	git_error_clear();
	return rc;
}
