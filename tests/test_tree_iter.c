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

/* Entries of a new tree, each tried against the old one in turn. */
static void match_all(const char *old, size_t old_len, const char *new_,
		      size_t new_len, int *matched, size_t n)
{
	struct tree_iter before, it;
	struct tree_entry e;
	size_t i = 0;

	tree_iter_init(&before, old, old_len);
	tree_iter_init(&it, new_, new_len);
	while (tree_iter_next(&it, &e) > 0) {
		cr_assert_lt(i, n);
		matched[i++] = tree_iter_match(&before, &e);
	}
	cr_assert_eq(i, n);
}

Test(tree_iter, match_finds_what_the_last_version_shared)
{
	char old[1024], new_[1024];
	size_t ol = 0, nl = 0;
	int m[5];

	ol += entry(old + ol, "100644", "a", 1);
	ol += entry(old + ol, "100644", "b", 2);	/* removed */
	ol += entry(old + ol, "40000", "c", 3);		/* changed */
	ol += entry(old + ol, "100644", "e", 5);
	ol += entry(old + ol, "100755", "f", 6);	/* mode changed */
	nl += entry(new_ + nl, "100644", "a", 1);
	nl += entry(new_ + nl, "40000", "c", 9);
	nl += entry(new_ + nl, "100644", "d", 4);	/* added */
	nl += entry(new_ + nl, "100644", "e", 5);
	nl += entry(new_ + nl, "100644", "f", 6);
	match_all(old, ol, new_, nl, m, 5);
	cr_expect_eq(m[0], 1, "a is shared");
	cr_expect_eq(m[1], 0, "c has a new id");
	cr_expect_eq(m[2], 0, "d is new");
	cr_expect_eq(m[3], 1, "e is shared after a removal and an addition");
	cr_expect_eq(m[4], 0, "f has a new mode");
}

/* git sorts a tree "x" as "x/": after "x.c", where a file "x" sorts before. */
Test(tree_iter, match_keeps_step_in_git_order)
{
	char old[1024], new_[1024];
	size_t ol = 0, nl = 0;
	int m[3];

	ol += entry(old + ol, "100644", "x.c", 1);
	ol += entry(old + ol, "40000", "x", 2);
	ol += entry(old + ol, "100644", "y", 3);
	nl += entry(new_ + nl, "100644", "x", 7);	/* a file now */
	nl += entry(new_ + nl, "100644", "x.c", 1);
	nl += entry(new_ + nl, "100644", "y", 3);
	match_all(old, ol, new_, nl, m, 3);
	cr_expect_eq(m[0], 0);
	cr_expect_eq(m[1], 1);
	cr_expect_eq(m[2], 1);
	/* x.c gone: the tree x, after it in git's order, is still found. */
	nl = entry(new_, "40000", "x", 2);
	match_all(old, ol, new_, nl, m, 1);
	cr_expect_eq(m[0], 1);
}

Test(tree_iter, match_against_nothing_or_garbage_is_no_match)
{
	char new_[256];
	size_t nl = entry(new_, "100644", "a", 1);
	int m[1];

	match_all(NULL, 0, new_, nl, m, 1);
	cr_expect_eq(m[0], 0);
	match_all("100644 a", 8, new_, nl, m, 1);	/* truncated */
	cr_expect_eq(m[0], 0);
	match_all(new_, nl - 1, new_, nl, m, 1);	/* one byte short */
	cr_expect_eq(m[0], 0);
}
