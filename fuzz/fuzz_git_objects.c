/*
 * libFuzzer target: the byte parsers history runs over untrusted
 * repositories without libgit2 - a pack entry's header, a delta's header
 * and instructions, a raw commit, a tree walked against an earlier
 * version of it.  The input is read as a pack (an entry at offset 12), as
 * a delta over a base cut from its own bytes, as a commit, and as two
 * trees.  Checked: nothing is read or written outside the buffers (ASan),
 * what is parsed stays inside the input, a delta that applies fills its
 * result exactly, and a tree's steps agree with parsing it whole.
 */
#include <git2.h>
#include <string.h>

#include "commit_raw.h"
#include "fuzz.h"
#include "last_tree.h"
#include "pack_entry.h"
#include "pack_read.h"
#include "banned.h"

#define RESULT_MAX (1u << 20)

static void fuzz_entry(const uint8_t *data, size_t size)
{
	struct pack_entry e;

	if (pack_entry_parse(data, size, 12, &e))
		return;
	FUZZ_CHECK(e.data <= size);
	FUZZ_CHECK(e.size <= PACK_OBJECT_MAX);
	FUZZ_CHECK(e.type != PACK_OFS_DELTA || e.base < 12);
	FUZZ_CHECK(e.type != PACK_REF_DELTA || e.base_id + 20 <= size);
}

/* The first byte says how much of the rest is the base. */
static void fuzz_delta(const uint8_t *data, size_t size)
{
	size_t base_len, delta_len, want_base, len, ops;
	const uint8_t *delta;
	unsigned char *out;

	if (size < 1)
		return;
	base_len = (size - 1) * data[0] / 255;
	delta = data + 1 + base_len;
	delta_len = size - 1 - base_len;
	if (pack_delta_sizes(delta, delta_len, &want_base, &len, &ops) ||
	    want_base != base_len || len > RESULT_MAX)
		return;
	FUZZ_CHECK(ops <= delta_len);
	out = malloc(len + 1);
	FUZZ_CHECK(out != NULL);
	pack_delta_apply(data + 1, base_len, delta, delta_len, ops, out, len);
	free(out);
}

static void fuzz_commit(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct commit_raw c;
	git_oid parent;
	size_t i;

	if (commit_raw_parse(&c, s, size))
		return;
	FUZZ_CHECK(c.message >= s && c.message + c.message_len == s + size);
	FUZZ_CHECK(c.parents >= s && c.parents <= c.message);
	for (i = 0; i < c.n_parents; i++)
		commit_raw_parent(&c, i, &parent);
}

static struct pack_object *tree_object(const uint8_t *data, size_t len)
{
	struct pack_object *o = malloc(sizeof(*o) + len + 1);

	FUZZ_CHECK(o != NULL);
	o->refs = 1;
	o->type = GIT_OBJECT_TREE;
	o->len = len;
	memcpy(o->data, data, len);
	o->data[len] = '\0';
	return o;
}

/* Steps over o against last; returns 1 when it walked o to its end. */
static int step_over(const struct pack_object *o, const struct last_tree *last,
		     struct tree_step *s)
{
	const char *old = last ? (const char *)last->tree->data : NULL;
	struct tree_entry e;
	int kind;

	tree_step_begin(s, last, o->data, o->len);
	while ((kind = tree_step_next(s, &e)) > 0) {
		if (kind == TREE_STEP_ENTRY) {
			FUZZ_CHECK(e.raw >= (const char *)o->data);
			FUZZ_CHECK(e.raw + e.raw_len <= (const char *)o->data + o->len);
			continue;
		}
		FUZZ_CHECK(last && s->run_len);
		FUZZ_CHECK(s->run_new + s->run_len <= o->len);
		FUZZ_CHECK(s->run_old + s->run_len <= last->tree->len);
		FUZZ_CHECK(!memcmp(o->data + s->run_new, old + s->run_old,
				   s->run_len));
	}
	return kind == 0;
}

/* The first byte says how much of the rest is the earlier version. */
static void fuzz_tree_step(const uint8_t *data, size_t size)
{
	struct pack_object *old, *new_;
	struct last_trees lt;
	struct tree_step s;
	struct tree_iter it;
	struct tree_entry e;
	size_t old_len, k;

	if (size < 1)
		return;
	old_len = (size - 1) * data[0] / 255;
	old = tree_object(data + 1, old_len);
	new_ = tree_object(data + 1 + old_len, size - 1 - old_len);
	last_trees_init(&lt, 1u << 20);
	if (step_over(old, NULL, &s))
		FUZZ_CHECK(!last_tree_set(&lt, "", 0, old, &s, NULL));
	tree_step_release(&s);
	if (step_over(new_, last_tree_get(&lt, "", 0), &s)) {
		tree_iter_init(&it, new_->data, new_->len);
		for (k = 0; k < s.n; k++) {
			FUZZ_CHECK(s.starts[k] == (size_t)(it.p - (const char *)new_->data));
			FUZZ_CHECK(tree_iter_next(&it, &e) == 1);
		}
		FUZZ_CHECK(tree_iter_next(&it, &e) == 0);
	}
	tree_step_release(&s);
	last_trees_release(&lt);
	pack_object_put(old);
	pack_object_put(new_);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_entry(data, size);
	fuzz_delta(data, size);
	fuzz_commit(data, size);
	fuzz_tree_step(data, size);
	return 0;
}
