#include "index_tree.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define CACHE_TREE_MAX_DEPTH 1024

struct reader {
	const unsigned char *p, *end;
};

static void release(struct index_tree *ct)
{
	size_t i;

	for (i = 0; ct && i < ct->n_kids; i++)
		release(&ct->kids[i]);
	if (ct)
		free(ct->kids);
}

/* Reads a decimal number (maybe negative) ending in `stop`. */
static int read_number(struct reader *r, char stop, long *out)
{
	int neg = r->p < r->end && *r->p == '-';
	long v = 0;

	r->p += neg;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return -1;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && v < 100000000)
		v = v * 10 + (*r->p++ - '0');
	if (r->p >= r->end || *r->p++ != (unsigned char)stop)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int kid_cmp(const void *a, const void *b)
{
	const struct index_tree *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Parses one node and its subtrees (pre-order, as git writes them). */
static int parse(struct index_tree *ct, struct reader *r, int depth)
{
	const unsigned char *nul = memchr(r->p, '\0', (size_t)(r->end - r->p));
	long entries, kids, i;

	if (!nul || depth > CACHE_TREE_MAX_DEPTH)
		return -1;
	ct->name = (const char *)r->p;
	ct->len = (size_t)(nul - r->p);
	r->p = nul + 1;
	if (read_number(r, ' ', &entries) || read_number(r, '\n', &kids) ||
	    kids < 0 || kids > (r->end - r->p) / 4)
		return -1;
	if (entries >= 0) {
		if (r->end - r->p < GIT_OID_RAWSZ)
			return -1;
		ct->valid = 1;
		git_oid_fromraw(&ct->id, r->p);
		r->p += GIT_OID_RAWSZ;
	}
	if (kids && !(ct->kids = calloc((size_t)kids, sizeof(*ct->kids))))
		return -1;
	for (i = 0; i < kids; i++) {
		ct->n_kids = (size_t)i + 1; /* freed even if cut short */
		if (parse(&ct->kids[i], r, depth + 1))
			return -1;
	}
	if (ct->n_kids)
		qsort(ct->kids, ct->n_kids, sizeof(*ct->kids), kid_cmp);
	return 0;
}

struct index_tree *index_tree_parse(const unsigned char *p, size_t len)
{
	struct reader r = { p, p + len };
	struct index_tree *t = calloc(1, sizeof(*t));

	if (t && !parse(t, &r, 0))
		return t;
	index_tree_free(t);
	return NULL;
}

void index_tree_free(struct index_tree *t)
{
	release(t);
	free(t);
}

const struct index_tree *index_tree_kid(const struct index_tree *ct,
					const char *name, size_t len)
{
	struct index_tree key;

	if (!ct || !ct->n_kids)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.name = name;
	key.len = len;
	return bsearch(&key, ct->kids, ct->n_kids, sizeof(key), kid_cmp);
}

