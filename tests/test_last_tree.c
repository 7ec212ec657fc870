#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "last_tree.h"
#include "pack_read.h"

/* A tree of entries "100644 fNNNN\0<id>", ids from a byte per entry. */
struct fake_tree {
	int names[256];
	unsigned char ids[256];
	int n;
};

static struct pack_object *object_of(const struct fake_tree *ft)
{
	struct buf raw = BUF_INIT;
	struct pack_object *o;
	int i;

	for (i = 0; i < ft->n; i++) {
		cr_assert_eq(buf_addf(&raw, "100644 f%04d", ft->names[i]), 0);
		cr_assert_eq(buf_addch(&raw, '\0'), 0);
		cr_assert_eq(buf_grow(&raw, raw.len + 20), 0);
		memset(raw.ptr + raw.len, ft->ids[i], 20);
		raw.len += 20;
	}
	o = malloc(sizeof(*o) + raw.len + 1);
	cr_assert_not_null(o);
	o->refs = 1;
	o->type = GIT_OBJECT_TREE;
	o->len = raw.len;
	memcpy(o->data, raw.ptr ? raw.ptr : "", raw.len);
	o->data[raw.len] = '\0';
	buf_release(&raw);
	return o;
}

/* 1 when ft holds entry i of other with the same name and id. */
static int holds(const struct fake_tree *ft, const struct fake_tree *other,
		 int i)
{
	int k;

	for (k = 0; k < ft->n; k++)
		if (ft->names[k] == other->names[i] && ft->ids[k] == other->ids[i])
			return 1;
	return 0;
}

/*
 * Walks new_ against old: every entry of new_ comes once, in order,
 * parsed or in a run; what a run passes over is in old byte for byte,
 * what is parsed is not; the offsets kept are a fresh parse's.
 */
static void check_step(const struct fake_tree *old, const struct fake_tree *new_)
{
	struct pack_object *o = object_of(old), *n = object_of(new_);
	struct last_trees lt;
	const struct last_tree *last;
	struct tree_step s;
	struct tree_entry e;
	int kind, at = 0, k;

	last_trees_init(&lt, 1 << 20);
	tree_step_begin(&s, NULL, o->data, o->len);
	while ((kind = tree_step_next(&s, &e)) > 0)
		cr_assert_eq(kind, TREE_STEP_ENTRY);
	cr_assert_eq(kind, 0);
	cr_assert_eq(last_tree_set(&lt, "d/", 2, o, &s, NULL), 0);
	tree_step_release(&s);
	cr_assert_not_null(last = last_tree_get(&lt, "d/", 2));

	tree_step_begin(&s, last, n->data, n->len);
	while ((kind = tree_step_next(&s, &e)) > 0) {
		if (kind == TREE_STEP_RUN) {
			cr_assert(!memcmp(n->data + s.run_new,
					  o->data + s.run_old, s.run_len));
			while (at < (int)s.n &&
			       s.starts[at] < s.run_new + s.run_len) {
				cr_assert(holds(old, new_, at), "entry %d", at);
				at++;
			}
			continue;
		}
		cr_assert_lt(at, new_->n);
		cr_assert(!holds(old, new_, at), "entry %d", at);
		at++;
	}
	cr_assert_eq(kind, 0);
	cr_assert_eq(at, new_->n);
	cr_assert_eq((int)s.n, new_->n);
	/* The offsets are where a parse finds the entries. */
	{
		struct tree_iter it;
		tree_iter_init(&it, n->data, n->len);
		for (k = 0; k < new_->n; k++) {
			cr_assert_eq(s.starts[k], (uint32_t)(it.p - (const char *)n->data));
			cr_assert_eq(tree_iter_next(&it, &e), 1);
		}
	}
	tree_step_release(&s);
	last_trees_release(&lt);
	pack_object_put(o);
	pack_object_put(n);
}

/* Random edits of a sorted directory: changed ids, new and gone names. */
Test(last_tree, steps_agree_with_a_full_walk)
{
	struct fake_tree old, new_;
	int round, name, r;

	srand(12345);
	for (round = 0; round < 400; round++) {
		old.n = new_.n = 0;
		for (name = 0; name < 120; name++) {
			r = rand();
			if (r % 8 != 0) {	/* in the old version */
				old.names[old.n] = name;
				old.ids[old.n++] = (unsigned char)(r >> 8);
			}
			if (r % 9 == 0)
				continue;	/* not in the new one */
			new_.names[new_.n] = name;
			/* Now and then a new id (or a new name: r % 8 == 0). */
			new_.ids[new_.n++] = (unsigned char)(r >> 8) +
					     (r % 11 == 0);
		}
		if (round % 50 == 1)
			old.n = 0;
		if (round % 50 == 2)
			new_.n = 0;
		check_step(&old, &new_);
	}
}

Test(last_tree, nothing_is_kept_past_the_budget)
{
	struct fake_tree ft = { { 1, 2 }, { 7, 8 }, 2 };
	struct pack_object *o = object_of(&ft);
	struct last_trees lt;
	struct tree_step s;
	struct tree_entry e;

	last_trees_init(&lt, o->len);	/* the offsets do not fit too */
	tree_step_begin(&s, NULL, o->data, o->len);
	while (tree_step_next(&s, &e) > 0)
		;
	cr_assert_eq(last_tree_set(&lt, "", 0, o, &s, NULL), 0);
	cr_expect_null(last_tree_get(&lt, "", 0));
	tree_step_release(&s);
	last_trees_release(&lt);
	cr_expect_eq(o->refs, 1);
	pack_object_put(o);
}

Test(last_tree, a_malformed_tree_is_not_kept)
{
	struct last_trees lt;
	struct tree_step s;
	struct tree_entry e;
	struct fake_tree ft = { { 1 }, { 7 }, 1 };
	struct pack_object *o = object_of(&ft);

	last_trees_init(&lt, 1 << 20);
	o->len -= 3;	/* cut into the id */
	tree_step_begin(&s, NULL, o->data, o->len);
	cr_expect_eq(tree_step_next(&s, &e), -1);
	cr_assert_eq(last_tree_set(&lt, "", 0, o, &s, NULL), 0);
	cr_expect_null(last_tree_get(&lt, "", 0));
	tree_step_release(&s);
	last_trees_release(&lt);
	pack_object_put(o);
}
