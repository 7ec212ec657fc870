#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tree_iter.h"

static size_t entry(char *out, const char *mode, const char *name, char fill)
{
	size_t n = (size_t)snprintf(out, 256, "%s %s", mode, name) + 1;

	memset(out + n, fill, 20);
	return n + 20;
}

Test(tree_iter, reads_kinds_and_names)
{
	char raw[1024];
	size_t len = 0;
	struct tree_iter it;
	struct tree_entry e;

	len += entry(raw + len, "100644", "a.txt", 1);
	len += entry(raw + len, "40000", "dir", 2);
	len += entry(raw + len, "120000", "link", 3);
	len += entry(raw + len, "160000", "sub", 4);
	tree_iter_init(&it, raw, len);
	cr_assert_eq(tree_iter_next(&it, &e), 1);
	cr_expect_eq(e.kind, TREE_ENTRY_BLOB);
	cr_expect_eq(e.name_len, 5);
	cr_expect(!memcmp(e.name, "a.txt", 5));
	cr_expect_eq(e.id[0], 1);
	cr_assert_eq(tree_iter_next(&it, &e), 1);
	cr_expect_eq(e.kind, TREE_ENTRY_TREE);
	cr_assert_eq(tree_iter_next(&it, &e), 1);
	cr_expect_eq(e.kind, TREE_ENTRY_BLOB);
	cr_assert_eq(tree_iter_next(&it, &e), 1);
	cr_expect_eq(e.kind, TREE_ENTRY_OTHER);
	cr_expect_eq(tree_iter_next(&it, &e), 0);
}

Test(tree_iter, malformed_trees_never_read_past_the_end)
{
	char raw[256];
	size_t len = entry(raw, "100644", "file", 9), cut;
	struct tree_iter it;
	struct tree_entry e;

	/* Every truncation of a valid entry is malformed, never an entry. */
	for (cut = 1; cut < len; cut++) {
		tree_iter_init(&it, raw, cut);
		cr_expect_eq(tree_iter_next(&it, &e), -1, "cut at %zu", cut);
	}
	tree_iter_init(&it, "x00644 f", 8);
	cr_expect_eq(tree_iter_next(&it, &e), -1);
	tree_iter_init(&it, "100644 \0", 8);
	cr_expect_eq(tree_iter_next(&it, &e), -1, "empty name");
}
