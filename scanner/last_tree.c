#include "last_tree.h"

#include <stdlib.h>

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

int last_tree_set(struct last_trees *lt, const char *path, size_t len,
		  struct pack_object *tree, void *note)
{
	unsigned char key[16];
	struct last_tree *t;

	dedup_key_of(path, len, key);
	t = dedup_get(&lt->by_path, key);
	if (!t) {
		if (lt->bytes + tree->len > lt->budget)
			return 0;
		if (!(t = calloc(1, sizeof(*t))) ||
		    dedup_put(&lt->by_path, key, t)) {
			free(t);
			return LG_ERR_NOMEM;
		}
	} else {
		lt->bytes -= t->tree->len;
		pack_object_put(t->tree);
	}
	pack_object_get(tree);
	t->tree = tree;
	t->note = note;
	lt->bytes += tree->len;
	return 0;
}
