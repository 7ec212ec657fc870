#include "tree_iter.h"

#include <string.h>

#include "banned.h"

#define OID_RAW 20

void tree_iter_init(struct tree_iter *it, const void *data, size_t len)
{
	it->p = data;
	it->end = it->p + len;
}

static enum tree_entry_kind kind_of(unsigned mode)
{
	switch (mode & 0170000) {
	case 0100000:
	case 0120000:
		return TREE_ENTRY_BLOB;
	case 0040000:
		return TREE_ENTRY_TREE;
	default:
		return TREE_ENTRY_OTHER;
	}
}

int tree_iter_next(struct tree_iter *it, struct tree_entry *e)
{
	const char *p = it->p, *nul;
	unsigned mode = 0;
	int digits = 0;

	if (p == it->end)
		return 0;
	while (p < it->end && *p >= '0' && *p <= '7' && digits < 7) {
		mode = mode * 8 + (unsigned)(*p++ - '0');
		digits++;
	}
	if (!digits || p == it->end || *p++ != ' ')
		return -1;
	nul = memchr(p, '\0', (size_t)(it->end - p));
	if (!nul || nul == p || (size_t)(it->end - nul - 1) < OID_RAW)
		return -1;
	e->name = p;
	e->name_len = (size_t)(nul - p);
	e->id = (const unsigned char *)nul + 1;
	e->kind = kind_of(mode);
	e->raw = it->p;
	it->p = nul + 1 + OID_RAW;
	e->raw_len = (size_t)(it->p - e->raw);
	return 1;
}

/* git's order: names compare as if a tree's had a '/' after it. */
static int entry_cmp(const struct tree_entry *a, const struct tree_entry *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = n < a->name_len ? (unsigned char)a->name[n] :
	     a->kind == TREE_ENTRY_TREE ? '/' : '\0';
	cb = n < b->name_len ? (unsigned char)b->name[n] :
	     b->kind == TREE_ENTRY_TREE ? '/' : '\0';
	return (ca > cb) - (ca < cb);
}

int tree_iter_match(struct tree_iter *old, const struct tree_entry *e)
{
	struct tree_iter next;
	struct tree_entry o;
	int c;

	for (;;) {
		if ((size_t)(old->end - old->p) >= e->raw_len &&
		    !memcmp(old->p, e->raw, e->raw_len)) {
			old->p += e->raw_len;
			return 1;
		}
		next = *old;
		if (tree_iter_next(&next, &o) <= 0 || (c = entry_cmp(&o, e)) > 0)
			return 0;
		*old = next;
		if (!c)
			return 0;
	}
}
