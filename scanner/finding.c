#include "finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* For XXH3_state_t on the stack: hashing has no allocation to fail. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

/*
 * xxh3-128 over "rule_id NUL secret", then "NUL part_rule_id NUL
 * part_secret" for each further part of a credential in parts.
 */
static void fingerprint(const char *rule_id, const char *secret, size_t len,
			const struct engine_part *parts, size_t n_parts,
			char out[FINGERPRINT_HEX + 1])
{
	XXH3_state_t st;
	XXH128_hash_t h;
	size_t i;

	XXH3_INITSTATE(&st);
	XXH3_128bits_reset(&st);
	XXH3_128bits_update(&st, rule_id, strlen(rule_id) + 1);
	XXH3_128bits_update(&st, secret, len);
	for (i = 0; i < n_parts; i++) {
		XXH3_128bits_update(&st, "", 1);
		XXH3_128bits_update(&st, parts[i].rule->id,
				    strlen(parts[i].rule->id) + 1);
		XXH3_128bits_update(&st, parts[i].secret, parts[i].secret_len);
	}
	h = XXH3_128bits_digest(&st);
	snprintf(out, FINGERPRINT_HEX + 1, "%016llx%016llx",
		 (unsigned long long)h.high64, (unsigned long long)h.low64);
}

/* Bytes of the line kept on each side of the secret in a context. */
#define CONTEXT_SIDE 120

/* The match's line with its secret redacted, trimmed around the secret. */
static char *context_of(const struct engine_match *m)
{
	char red[32];
	size_t before, after, cut;
	struct buf b = BUF_INIT;
	const char *end;

	if (!m->line_text || m->secret < m->line_text ||
	    m->secret + m->secret_len > m->line_text + m->line_len)
		return NULL;
	before = (size_t)(m->secret - m->line_text);
	end = m->secret + m->secret_len;
	after = (size_t)(m->line_text + m->line_len - end);
	if (after && end[after - 1] == '\r')
		after--;
	cut = before > CONTEXT_SIDE ? before - CONTEXT_SIDE : 0;
	finding_redact(m->secret, m->secret_len, red, sizeof(red));
	buf_add(&b, m->line_text + cut, before - cut);
	buf_adds(&b, red);
	buf_add(&b, end, after < CONTEXT_SIDE ? after : CONTEXT_SIDE);
	return b.ptr ? buf_detach(&b) : NULL;
}

void finding_fingerprint(const char *rule_id, const char *secret, size_t len,
			 char out[FINGERPRINT_HEX + 1])
{
	fingerprint(rule_id, secret, len, NULL, 0, out);
}

static int copy_parts(struct finding *f, const struct engine_match *m)
{
	if (!m->n_parts)
		return 0;
	if (!(f->parts = calloc(m->n_parts, sizeof(*f->parts))))
		return LG_ERR_NOMEM;
	for (; f->n_parts < m->n_parts; f->n_parts++) {
		const struct engine_part *p = &m->parts[f->n_parts];
		struct finding_part *d = &f->parts[f->n_parts];
		if (!(d->secret = malloc(p->secret_len + 1)))
			return LG_ERR_NOMEM;
		memcpy(d->secret, p->secret, p->secret_len);
		d->secret[p->secret_len] = '\0';
		d->rule = p->rule;
		d->secret_len = p->secret_len;
		d->line = p->line;
		d->column = p->column;
		d->offset = p->offset;
	}
	return 0;
}

struct finding *finding_new(const struct engine_match *m, const char *path)
{
	struct finding *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->rule = m->rule;
	f->secret = malloc(m->secret_len + 1);
	f->where.path = strdup(path);
	f->detail = m->detail ? strdup(m->detail) : NULL;
	if (!f->secret || !f->where.path || (m->detail && !f->detail) ||
	    copy_parts(f, m)) {
		finding_free(f);
		return NULL;
	}
	memcpy(f->secret, m->secret, m->secret_len);
	f->secret[m->secret_len] = '\0';
	f->secret_len = m->secret_len;
	f->confidence = m->confidence;
	f->where.line = m->line;
	f->where.column = m->column;
	f->offset = m->offset;
	f->at_head = -1;
	/* Triage help, not a result: a finding is still made without it. */
	f->context = context_of(m);
	fingerprint(m->rule->id, m->secret, m->secret_len, m->parts,
		    m->n_parts, f->fingerprint);
	return f;
}

static char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*failed = 1;
	return d;
}

/* Rewrites *text with each occurrence of secret redacted. */
static int redact_in(char **text, const char *secret, size_t len)
{
	struct buf b = BUF_INIT;
	const char *p = *text, *hit;
	char red[32];

	if (!*text || !len || !strstr(*text, secret))
		return 0;
	finding_redact(secret, len, red, sizeof(red));
	while ((hit = strstr(p, secret))) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_adds(&b, red);
		p = hit + len;
	}
	buf_adds(&b, p);
	if (!b.ptr)
		return LG_ERR_NOMEM;
	free(*text);
	*text = buf_detach(&b);
	return 0;
}

/* Redacts every secret of g (f itself, or a sibling) in *text. */
static int redact_secrets_of(char **text, const struct finding *g)
{
	size_t i;
	int rc = redact_in(text, g->secret, g->secret_len);

	for (i = 0; !rc && i < g->n_parts; i++)
		rc = redact_in(text, g->parts[i].secret, g->parts[i].secret_len);
	return rc;
}

static int compare_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Commit, path, line, column: siblings of a line sit side by side. */
static int compare_place(const void *a, const void *b)
{
	const struct finding *x = *(struct finding *const *)a;
	const struct finding *y = *(struct finding *const *)b;
	int c = compare_str(x->where.commit, y->where.commit);

	if (!c)
		c = compare_str(x->where.path, y->where.path);
	if (!c && x->where.line != y->where.line)
		c = x->where.line < y->where.line ? -1 : 1;
	if (!c && x->where.column != y->where.column)
		c = x->where.column < y->where.column ? -1 : 1;
	return c;
}

static int same_line(const struct finding *x, const struct finding *y)
{
	return !compare_str(x->where.commit, y->where.commit) &&
	       !compare_str(x->where.path, y->where.path) &&
	       x->where.line == y->where.line;
}

/*
 * The subject is the commit's: redacted once for every secret the commit
 * holds, then given to each of its findings.  Linear in the findings.
 */
static int redact_subjects(struct finding **c, size_t i, size_t j)
{
	char *subject;
	size_t k;
	int rc = 0;

	if (!c[i]->where.subject || !(subject = strdup(c[i]->where.subject)))
		return c[i]->where.subject ? LG_ERR_NOMEM : 0;
	for (k = i; k < j && !rc; k++)
		rc = redact_secrets_of(&subject, c[k]);
	for (k = i; k < j && !rc; k++) {
		free(c[k]->where.subject);
		if (!(c[k]->where.subject = strdup(subject)))
			rc = LG_ERR_NOMEM;
	}
	free(subject);
	return rc;
}

/*
 * A context is its line CONTEXT_SIDE bytes either side of the secret:
 * only the findings of that line whose secret reaches into it are asked.
 */
static int redact_context(struct finding **c, size_t n, size_t k,
			  size_t longest)
{
	const struct location *w = &c[k]->where;
	size_t from = w->column > CONTEXT_SIDE + longest
			      ? w->column - CONTEXT_SIDE - longest : 0;
	size_t to = w->column + c[k]->secret_len + CONTEXT_SIDE;
	size_t m;
	int rc = 0;

	for (m = k; m > 0 && same_line(c[m - 1], c[k]) &&
		    c[m - 1]->where.column >= from; m--)
		;
	/* k itself too: a part of its own may sit on its line. */
	for (; m < n && !rc && same_line(c[m], c[k]) && c[m]->where.column < to;
	     m++)
		rc = redact_secrets_of(&c[k]->context, c[m]);
	return rc;
}

int finding_list_redact_siblings(struct finding_list *l, size_t from)
{
	size_t i, j, n = l->n - from, longest = 0;
	struct finding **c;
	int rc = 0;

	if (!n)
		return 0;
	if (!(c = calloc(n + 1, sizeof(*c))))
		return LG_ERR_NOMEM;
	memcpy(c, l->items + from, n * sizeof(*c));
	qsort(c, n, sizeof(*c), compare_place);
	for (i = 0; i < n; i++)
		if (c[i]->secret_len > longest)
			longest = c[i]->secret_len;
	for (i = 0; i < n && !rc; i = j) {
		for (j = i + 1; j < n && !compare_str(c[i]->where.commit,
						      c[j]->where.commit); j++)
			;
		if (c[i]->where.commit)
			rc = redact_subjects(c, i, j);
	}
	for (i = 0; i < n && !rc; i++)
		if (c[i]->context)
			rc = redact_context(c, n, i, longest);
	free(c);
	return rc;
}

int location_copy(struct location *dst, const struct location *src)
{
	int failed = 0;

	*dst = *src;
	dst->path = dup_or_null(src->path, &failed);
	dst->commit = dup_or_null(src->commit, &failed);
	dst->author_name = dup_or_null(src->author_name, &failed);
	dst->author_email = dup_or_null(src->author_email, &failed);
	dst->subject = dup_or_null(src->subject, &failed);
	if (failed) {
		location_release(dst);
		return LG_ERR_NOMEM;
	}
	return 0;
}

void location_release(struct location *l)
{
	free(l->path);
	free(l->commit);
	free(l->author_name);
	free(l->author_email);
	free(l->subject);
	memset(l, 0, sizeof(*l));
}

int finding_fingerprint_chosen(const char *fp, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fp, names[i]))
			return 1;
	return !n;
}

void finding_free(struct finding *f)
{
	size_t i;

	if (!f)
		return;
	free(f->secret);
	free(f->detail);
	free(f->context);
	for (i = 0; i < f->n_parts; i++)
		free(f->parts[i].secret);
	free(f->parts);
	location_release(&f->where);
	for (i = 0; i < f->n_more; i++)
		location_release(&f->more[i]);
	free(f->more);
	free(f->verified.facts);
	free(f->lifecycle);
	free(f);
}

const char *verify_state_name(enum verify_state s)
{
	static const char *const names[] = { NULL, "live", "invalid", "error",
					     "not-supported" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

void finding_redact(const char *secret, size_t len, char *out, size_t outlen)
{
	/* A quarter, at most 8 characters: enough to recognise, never to use. */
	size_t shown = len / 4 < 8 ? len / 4 : 8;

	if (len < 8)
		shown = 0;
	/* Already redacted (a findings store keeps only this form): as it is. */
	if (len >= 5 && !memcmp(secret + len - 5, "*****", 5))
		shown = len - 5;
	snprintf(out, outlen, "%.*s*****", (int)shown, secret);
}

int finding_list_add(struct finding_list *l, struct finding *f)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 16;
		struct finding **grown = realloc(l->items, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		l->items = grown;
		l->alloc = alloc;
	}
	l->items[l->n++] = f;
	return 0;
}

int finding_list_take(struct finding_list *dst, struct finding_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (finding_list_add(dst, src->items[i]))
			return LG_ERR_NOMEM;
		src->items[i] = NULL;
	}
	free(src->items);
	src->items = NULL;
	src->n = src->alloc = 0;
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

static int compare_findings(const void *pa, const void *pb)
{
	const struct finding *a = *(const struct finding *const *)pa;
	const struct finding *b = *(const struct finding *const *)pb;
	int c;

	if ((c = cmp_str(a->where.path, b->where.path)))
		return c;
	if ((c = cmp_size(a->where.line, b->where.line)))
		return c;
	if ((c = cmp_size(a->where.column, b->where.column)))
		return c;
	if ((c = strcmp(a->rule->id, b->rule->id)))
		return c;
	if ((c = cmp_str(a->where.commit, b->where.commit)))
		return c;
	return strcmp(a->fingerprint, b->fingerprint);
}

void finding_list_sort(struct finding_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), compare_findings);
}

void finding_list_release(struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		finding_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
