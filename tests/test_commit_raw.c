#include <criterion/criterion.h>
#include <string.h>

#include "commit_raw.h"

#define TREE "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#define P1 "1111111111111111111111111111111111111111"
#define P2 "2222222222222222222222222222222222222222"

static int parse(struct commit_raw *c, const char *s)
{
	return commit_raw_parse(c, s, strlen(s));
}

Test(commit_raw, reads_tree_parents_time_and_message)
{
	static const char raw[] =
		"tree " TREE "\n"
		"parent " P1 "\n"
		"parent " P2 "\n"
		"author A U Thor <a@example.com> 1600000000 +0200\n"
		"committer C O Mitter <c@example.com> 1700000000 -0500\n"
		"gpgsig -----BEGIN PGP SIGNATURE-----\n"
		" \n"
		" wsBcBAABCAAQBQJ\n"
		" -----END PGP SIGNATURE-----\n"
		"\n"
		"Subject line\n\nBody.\n";
	struct commit_raw c;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid p;

	cr_assert_eq(parse(&c, raw), 0);
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &c.tree), TREE);
	cr_assert_eq(c.n_parents, 2);
	commit_raw_parent(&c, 1, &p);
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &p), P2);
	cr_expect_eq(c.time, 1700000000);
	cr_assert_eq(c.message_len, strlen("Subject line\n\nBody.\n"));
	cr_expect(!memcmp(c.message, "Subject line\n\nBody.\n", c.message_len));
}

Test(commit_raw, a_root_commit_without_a_message)
{
	struct commit_raw c;

	cr_assert_eq(parse(&c, "tree " TREE "\ncommitter X <x> 5 +0000\n"), 0);
	cr_expect_eq(c.n_parents, 0);
	cr_expect_eq(c.time, 5);
	cr_expect_eq(c.message_len, 0);
	cr_assert_eq(parse(&c, "tree " TREE "\ncommitter X <x> 7 +0000"), 0);
	cr_expect_eq(c.time, 7);
}

Test(commit_raw, malformed_commits_are_refused)
{
	struct commit_raw c;

	cr_expect_neq(parse(&c, ""), 0);
	cr_expect_neq(parse(&c, "tree 4b825dc6\n"), 0);
	cr_expect_neq(parse(&c, "tree " TREE), 0, "no newline after the id");
	cr_expect_neq(parse(&c, "tree zz825dc642cb6eb9a060e54bf8d69288fbee4904\n"), 0);
	cr_expect_neq(parse(&c, "parent " P1 "\ntree " TREE "\n"), 0);
}

Test(commit_raw, a_truncated_parent_line_ends_the_parents)
{
	struct commit_raw c;

	cr_assert_eq(parse(&c, "tree " TREE "\nparent 1111\n"), 0);
	cr_expect_eq(c.n_parents, 0);
	cr_expect_eq(c.time, 0);
}
