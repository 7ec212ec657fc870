#include "last_tree.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pack_read.h"
#include "banned.h"

void last_trees_init(struct last_trees *lt, size_t budget)
{
	struct dedup empty = DEDUP_INIT;

	lt->by_path = empty;
	lt->bytes = 0;
	lt->budget = budget;
}

static void drop(void *value)
{
	struct last_tree *t = value;

	pack_object_put(t->tree);
	free(t->starts);
	free(t);
}

void last_trees_release(struct last_trees *lt)
{
	dedup_each_value(&lt->by_path, drop);
	dedup_release(&lt->by_path);
	lt->bytes = 0;
}

const struct last_tree *last_tree_get(const struct last_trees *lt,
				      const char *path, size_t len)
{
	unsigned char key[16];

	if (!lt->by_path.n)
		return NULL;
	dedup_key_of(path, len, key);
	return dedup_get(&lt->by_path, key);
}

/* What keeping a tree of len bytes and n entries costs the budget. */
static size_t kept_bytes(size_t len, size_t n)
{
	return len + n * sizeof(uint32_t);
}

int last_tree_set(struct last_trees *lt, const char *path, size_t len,
		  struct pack_object *tree, struct tree_step *s, void *note)
{
	size_t bytes = kept_bytes(tree->len, s->n);
	unsigned char key[16];
	struct last_tree *t;

	if (!s->done || tree->len > UINT32_MAX)
		return 0;	/* malformed, or its offsets would not fit */
	dedup_key_of(path, len, key);
	t = dedup_get(&lt->by_path, key);
	if (!t) {
		if (lt->bytes + bytes > lt->budget)
			return 0;
		if (!(t = calloc(1, sizeof(*t))) ||
		    dedup_put(&lt->by_path, key, t)) {
			free(t);
			return LG_ERR_NOMEM;
		}
	} else {
		lt->bytes -= kept_bytes(t->tree->len, t->n);
		pack_object_put(t->tree);
		free(t->starts);
	}
	pack_object_get(tree);
	t->tree = tree;
	t->starts = s->starts;
	t->n = s->n;
	t->note = note;
	s->starts = NULL;
	s->n = s->alloc = 0;
	lt->bytes += bytes;
	return 0;
}

/* ---- walking a tree against its last version ---------------------------- */

/* How many bytes a and b (n bytes each) start with in common. */
static size_t common_head(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	uint64_t x, y;

	while (i + 64 <= n && !memcmp(a + i, b + i, 64))
		i += 64;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Where entry k of the last tree ends. */
static size_t end_of(const struct last_tree *last, size_t k)
{
	return k + 1 < last->n ? last->starts[k + 1] : last->tree->len;
}

static int grow_starts(struct tree_step *s, size_t more)
{
	size_t alloc = s->alloc ? s->alloc : 64;
	uint32_t *grown;

	if (s->n + more <= s->alloc)
		return 0;
	while (alloc < s->n + more)
		alloc *= 2;
	if (!(grown = realloc(s->starts, alloc * sizeof(*grown))))
		return LG_ERR_NOMEM;
	s->starts = grown;
	s->alloc = alloc;
	return 0;
}

void tree_step_begin(struct tree_step *s, const struct last_tree *last,
		    const void *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->data = data;
	s->len = len;
	s->last = len <= UINT32_MAX ? last : NULL;	/* offsets must fit */
	if (s->last)
		tree_iter_init(&s->before, last->tree->data, last->tree->len);
	tree_iter_init(&s->it, data, len);
}

/*
 * Passes over the entries from where both trees stand that they hold
 * byte for byte; returns 1 when there were any (a run), 0 when not, or
 * LG_ERR_NOMEM.
 */
static int pass_shared_run(struct tree_step *s)
{
	const struct last_tree *last = s->last;
	const char *old = (const char *)last->tree->data;
	size_t p = (size_t)(s->it.p - s->data), q = (size_t)(s->before.p - old);
	size_t olen = last->tree->len, k = s->k, same;

	if (p == s->len || q == olen)
		return 0;
	same = common_head(s->data + p, old + q,
			   s->len - p < olen - q ? s->len - p : olen - q);
	/* Entry k starts at q: take the entries that end within the run. */
	if (grow_starts(s, last->n - k))
		return LG_ERR_NOMEM;
	for (; k < last->n && end_of(last, k) <= q + same; k++)
		s->starts[s->n++] = (uint32_t)(last->starts[k] - q + p);
	if (k == s->k)
		return 0;
	s->run_old = q;
	s->run_new = p;
	s->run_len = end_of(last, k - 1) - q;
	s->k = k;
	s->it.p += s->run_len;
	s->before.p += s->run_len;
	return 1;
}

int tree_step_next(struct tree_step *s, struct tree_entry *e)
{
	const char *old = s->last ? (const char *)s->last->tree->data : NULL;
	size_t p = (size_t)(s->it.p - s->data), q;
	int rc, held;

	if (s->last && (rc = pass_shared_run(s)))
		return rc < 0 ? rc : TREE_STEP_RUN;
	if ((rc = tree_iter_next(&s->it, e)) <= 0) {
		s->done = !rc;
		return rc;
	}
	if (grow_starts(s, 1))
		return LG_ERR_NOMEM;
	s->starts[s->n++] = (uint32_t)p;
	if (!s->last)
		return TREE_STEP_ENTRY;
	held = tree_iter_match(&s->before, e);
	q = (size_t)(s->before.p - old);
	while (s->k < s->last->n && s->last->starts[s->k] < q)
		s->k++;
	if (!held)
		return TREE_STEP_ENTRY;
	/* The last version holds it elsewhere: a run of one entry. */
	s->run_old = q - e->raw_len;
	s->run_new = p;
	s->run_len = e->raw_len;
	return TREE_STEP_RUN;
}

void tree_step_release(struct tree_step *s)
{
	free(s->starts);
	memset(s, 0, sizeof(*s));
}
