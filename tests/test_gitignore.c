/* gitignore rules: git's semantics, one list and a stack of them. */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "gitignore.h"

TestSuite(gitignore, .timeout = 10);

/* Whether rules (one .gitignore at the work tree root) ignore path. */
static int ignored_by(const char *rules, const char *path, int is_dir,
		      int icase)
{
	struct gitignore gi = GITIGNORE_INIT;
	int r;

	gi.icase = icase;
	cr_assert_eq(gitignore_push(&gi, rules, strlen(rules), 0), 0);
	r = gitignore_match(&gi, path, strlen(path), is_dir);
	gitignore_release(&gi);
	cr_assert_geq(r, 0);
	return r;
}

struct one_list_case {
	const char *rules;
	const char *path;
	int is_dir;
	int want;
};

static const struct one_list_case one_list[] = {
	/* A name without '/' matches at any depth, and only whole names. */
	{ "foo\n", "foo", 0, 1 },
	{ "foo\n", "a/b/foo", 0, 1 },
	{ "foo\n", "foobar", 0, 0 },
	{ "foo\n", "xfoo", 0, 0 },
	/* Comments, blank lines, escapes. */
	{ "#foo\n", "#foo", 0, 0 },
	{ "\\#foo\n", "#foo", 0, 1 },
	{ "\n\n  \n", "x", 0, 0 },
	{ "\\!imp\n", "!imp", 0, 1 },
	{ "!\n/\n", "x", 0, 0 },
	/* Negation, and a later line overriding an earlier one. */
	{ "*.txt\n!keep.txt\n", "keep.txt", 0, 0 },
	{ "*.txt\n!keep.txt\n", "a/x.txt", 0, 1 },
	{ "!keep.txt\n*.txt\n", "keep.txt", 0, 1 },
	{ "*.txt\n!*.txt\n*.txt\n", "x.txt", 0, 1 },
	/* A trailing '/' matches directories only. */
	{ "build/\n", "build", 1, 1 },
	{ "build/\n", "build", 0, 0 },
	{ "build/\n", "src/build", 1, 1 },
	{ "build/\n!build/\n", "build", 1, 0 },
	/* A leading or middle '/' anchors at the file's directory. */
	{ "/foo\n", "foo", 0, 1 },
	{ "/foo\n", "a/foo", 0, 0 },
	{ "doc/frotz\n", "doc/frotz", 0, 1 },
	{ "doc/frotz\n", "a/doc/frotz", 0, 0 },
	{ "doc/frotz/\n", "doc/frotz", 1, 1 },
	{ "doc/frotz/\n", "doc/frotz", 0, 0 },
	/* With a '/', '*' and '?' stop at a '/'. */
	{ "doc/*.html\n", "doc/x.html", 0, 1 },
	{ "doc/*.html\n", "doc/sub/x.html", 0, 0 },
	{ "*/x\n", "a/x", 0, 1 },
	{ "*/x\n", "a/b/x", 0, 0 },
	{ "a?b/c\n", "a/b/c", 0, 0 },
	/* Without one, '*' matches the whole name. */
	{ "*.o\n", "deep/dir/x.o", 0, 1 },
	{ "*.o\n", "x.oo", 0, 0 },
	{ "*.o\n", ".o", 0, 1 },
	{ "?\n", "a", 0, 1 },
	{ "?\n", "ab", 0, 0 },
	{ "[ab]c\n", "bc", 0, 1 },
	{ "[!a]c\n", "ac", 0, 0 },
	{ "x[0-9]\n", "x7", 0, 1 },
	{ "foo**bar\n", "fooxbar", 0, 1 },
	/* "**" as a whole component. */
	{ "**/foo\n", "foo", 0, 1 },
	{ "**/foo\n", "a/b/foo", 0, 1 },
	{ "**/foo/bar\n", "x/foo/bar", 0, 1 },
	{ "**/foo/bar\n", "foo/bar", 0, 1 },
	{ "**/foo/bar\n", "foo/x/bar", 0, 0 },
	{ "abc/**\n", "abc/x", 0, 1 },
	{ "abc/**\n", "abc/x/y", 0, 1 },
	{ "abc/**\n", "abc", 1, 0 },
	{ "a/**/b\n", "a/b", 0, 1 },
	{ "a/**/b\n", "a/x/y/b", 0, 1 },
	{ "a/**/b\n", "a/xb", 0, 0 },
	{ "a/**/**/b\n", "a/b", 0, 1 },
	{ "a/**/b/**/c\n", "a/b/x/b/y/c", 0, 1 },
	{ "a/**/b/**/c\n", "a/b/x/b/y/d", 0, 0 },
	{ "a/***/b\n", "a/x/b", 0, 1 },
	{ "**\n", "any/thing", 0, 1 },
	{ "x/**/\n", "x/y", 1, 1 },
	{ "x/**/\n", "x/y", 0, 0 },
	/* Trailing spaces go unless escaped; other whitespace stays. */
	{ "foo  \n", "foo", 0, 1 },
	{ "foo\\ \n", "foo ", 0, 1 },
	{ "foo\\ \n", "foo", 0, 0 },
	{ "foo\t\n", "foo", 0, 0 },
	{ " foo\n", " foo", 0, 1 },
	/* Line ends, a byte-order mark, no final newline. */
	{ "foo\r\nbar\r\n", "bar", 0, 1 },
	{ "\xef\xbb\xbf" "foo\n", "foo", 0, 1 },
	{ "a\nfoo", "foo", 0, 1 },
	/* Case matters unless core.ignoreCase says otherwise (below). */
	{ "FOO\n", "foo", 0, 0 },
	{ "*.TXT\n", "a.txt", 0, 0 },
};

Test(gitignore, one_list_follows_git)
{
	const struct one_list_case *c;
	size_t i;

	for (i = 0; i < sizeof(one_list) / sizeof(one_list[0]); i++) {
		c = &one_list[i];
		cr_expect_eq(ignored_by(c->rules, c->path, c->is_dir, 0),
			     c->want, "rules \"%s\", %s %s: want %d", c->rules,
			     c->is_dir ? "directory" : "file", c->path,
			     c->want);
	}
}

Test(gitignore, ignore_case)
{
	cr_expect_eq(ignored_by("FOO\n", "foo", 0, 1), 1);
	cr_expect_eq(ignored_by("/Doc/X\n", "doc/x", 0, 1), 1);
	cr_expect_eq(ignored_by("*.TXT\n", "a.txt", 0, 1), 1);
	cr_expect_eq(ignored_by("d*/*.C\n", "Dir/x.c", 0, 1), 1);
	/* git's classes: [:upper:] and [:lower:] take either case. */
	cr_expect_eq(ignored_by("[[:upper:]]*\n", "abc", 0, 1), 1);
	cr_expect_eq(ignored_by("[[:lower:]]*\n", "ABC", 0, 1), 1);
	cr_expect_eq(ignored_by("[[:upper:]]*\n", "abc", 0, 0), 0);
	cr_expect_eq(ignored_by("[[:upper:]]*\n", "1bc", 0, 1), 0);
}

static void push(struct gitignore *gi, const char *rules, const char *base)
{
	cr_assert_eq(gitignore_push(gi, rules, strlen(rules), strlen(base)),
		     0);
}

static int match(struct gitignore *gi, const char *path, int is_dir)
{
	return gitignore_match(gi, path, strlen(path), is_dir);
}

Test(gitignore, deeper_files_override_shallower_ones)
{
	struct gitignore gi = GITIGNORE_INIT;

	push(&gi, "*.txt\n", "");
	push(&gi, "!keep.txt\n", "sub/");
	cr_expect_eq(match(&gi, "sub/keep.txt", 0), 0);
	cr_expect_eq(match(&gi, "sub/deeper/keep.txt", 0), 0);
	cr_expect_eq(match(&gi, "sub/other.txt", 0), 1);
	/* Leaving sub/ drops its rules. */
	gitignore_pop(&gi, 1);
	cr_expect_eq(gi.n_lists, 1);
	cr_expect_eq(match(&gi, "keep.txt", 0), 1);
	cr_expect_eq(match(&gi, "sub/keep.txt", 0), 1);
	gitignore_release(&gi);
}

Test(gitignore, a_file_anchors_at_its_own_directory)
{
	struct gitignore gi = GITIGNORE_INIT;

	push(&gi, "", "");
	push(&gi, "/x\na/b\nc/**/d\n", "sub/dir/");
	cr_expect_eq(match(&gi, "sub/dir/x", 0), 1);
	cr_expect_eq(match(&gi, "sub/dir/y/x", 0), 0);
	cr_expect_eq(match(&gi, "sub/dir/a/b", 0), 1);
	cr_expect_eq(match(&gi, "sub/dir/q/a/b", 0), 0);
	cr_expect_eq(match(&gi, "sub/dir/c/1/2/d", 0), 1);
	gitignore_release(&gi);
}

Test(gitignore, global_files_are_weakest)
{
	struct gitignore gi = GITIGNORE_INIT;

	/* core.excludesFile, then info/exclude, then .gitignore. */
	push(&gi, "*.log\n!b.log\n", "");
	push(&gi, "b.log\n", "");
	push(&gi, "!a.log\n", "");
	cr_expect_eq(match(&gi, "a.log", 0), 0);
	cr_expect_eq(match(&gi, "b.log", 0), 1);
	cr_expect_eq(match(&gi, "c.log", 0), 1);
	cr_expect_eq(match(&gi, "c.txt", 0), 0);
	gitignore_release(&gi);
}

/* "**" is only ever backtracked to once: no blow-up on hostile input. */
Test(gitignore, hostile_double_stars_stay_linear)
{
	struct buf rules = BUF_INIT, path = BUF_INIT;
	struct gitignore gi = GITIGNORE_INIT;
	int i;

	for (i = 0; i < 2000; i++)
		cr_assert_eq(buf_adds(&rules, "**/a/"), 0);
	cr_assert_eq(buf_adds(&rules, "b\n"), 0);
	for (i = 0; i < 3000; i++)
		cr_assert_eq(buf_adds(&path, "a/"), 0);
	cr_assert_eq(buf_adds(&path, "c"), 0);
	cr_assert_eq(gitignore_push(&gi, rules.ptr, rules.len, 0), 0);
	cr_expect_eq(gitignore_match(&gi, path.ptr, path.len, 0), 0);
	path.ptr[path.len - 1] = 'b';
	cr_expect_eq(gitignore_match(&gi, path.ptr, path.len, 0), 1);
	gitignore_release(&gi);
	buf_release(&rules);
	buf_release(&path);
}

Test(gitignore, an_empty_stack_ignores_nothing)
{
	struct gitignore gi = GITIGNORE_INIT;

	cr_expect_eq(match(&gi, "x", 0), 0);
	gitignore_pop(&gi, 0);
	gitignore_release(&gi);
	gitignore_release(&gi);
}
