/*
 * Finding the work tree and reading its config without libgit2, on real
 * layouts that git itself makes, with HOME and the config levels in a
 * temporary directory.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "helpers.h"
#include "worktree.h"

static char *tmp;	/* as made, for th_rmtree() */
static char *base;	/* its real path */

static void setup(void)
{
	struct buf b = BUF_INIT;

	tmp = th_tmpdir();
	base = realpath(tmp, NULL);
	cr_assert_not_null(base);
	buf_addf(&b, "%s/home", base);
	setenv("HOME", b.ptr, 1);
	buf_reset(&b);
	buf_addf(&b, "%s/xdg", base);
	setenv("XDG_CONFIG_HOME", b.ptr, 1);
	buf_release(&b);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_CONFIG_SYSTEM");
	unsetenv("GIT_CONFIG_GLOBAL");
	unsetenv("GIT_CEILING_DIRECTORIES");
	unsetenv("GIT_DISCOVERY_ACROSS_FILESYSTEM");
	th_write(base, "home/.keep", "");
}

static void teardown(void)
{
	free(base);
	th_rmtree(tmp);
	base = tmp = NULL;
}

TestSuite(worktree, .init = setup, .fini = teardown, .timeout = 60);

/* base/rel; the caller frees it. */
static char *in(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", base, rel);
	return buf_detach(&b);
}

/* worktree_find() from base/rel, asserting what it returns. */
static struct worktree find(const char *rel, int want)
{
	struct lg_error err = LG_ERROR_INIT;
	struct worktree wt;
	char *dir = in(rel);
	int rc = worktree_find(&wt, dir, &err);

	cr_assert_eq(rc, want, "worktree_find(%s) = %d, not %d: %s", dir, rc,
		     want, err.msg);
	free(dir);
	return wt;
}

/* Asserts that path is base/rel. */
static void expect_in(const char *path, const char *rel, const char *what)
{
	char *want = in(rel);

	cr_assert_not_null(path, "%s: none, not %s", what, want);
	cr_expect_str_eq(path, want, "%s", what);
	free(want);
}

/* A repository at base/rel with one commit and a subdirectory a/b. */
static void make_repo(const char *rel)
{
	char *dir = in(rel);

	th_write(dir, "a/b/f.txt", "x\n");
	th_git_init(dir);
	th_git_commit(dir, "first");
	free(dir);
}

/* The core.excludesFile that a find from rel ends with. */
static void expect_excludes(const char *rel, const char *want)
{
	struct worktree wt = find(rel, 1);

	if (want)
		cr_expect_str_eq(wt.excludes_file ? wt.excludes_file : "(none)",
				 want);
	else
		cr_expect_null(wt.excludes_file, "%s", wt.excludes_file);
	worktree_release(&wt);
}

/* Where core.excludesFile is when nothing sets it. */
static void expect_default_excludes(const char *rel)
{
	char *xdg = in("xdg/git/ignore");

	expect_excludes(rel, xdg);
	free(xdg);
}

/* ---- discovery ----------------------------------------------------------- */

Test(worktree, found_from_a_nested_directory)
{
	struct worktree wt;

	make_repo("repo");
	wt = find("repo/a/b", 1);
	expect_in(wt.root, "repo", "root");
	expect_in(wt.gitdir, "repo/.git", "gitdir");
	expect_in(wt.commondir, "repo/.git", "commondir");
	worktree_release(&wt);
	wt = find("repo", 1);
	expect_in(wt.root, "repo", "root from the top");
	worktree_release(&wt);
	th_write(base, "plain/x/f.txt", "x\n");
	wt = find("plain/x", 0);
	cr_expect_null(wt.root);
	find("nonexistent", 0);
}

Test(worktree, dot_git_file_with_a_relative_gitdir)
{
	struct worktree wt;

	make_repo("tree");
	th_shf(base, "mkdir store && mv tree/.git store/tree.git && "
		     "printf 'gitdir: ../store/tree.git\\n' > tree/.git");
	wt = find("tree/a", 1);
	expect_in(wt.root, "tree", "root");
	expect_in(wt.gitdir, "store/tree.git", "gitdir");
	worktree_release(&wt);
}

Test(worktree, dot_git_file_that_leads_nowhere_stops_the_walk)
{
	make_repo("repo");
	th_write(base, "repo/sub/.git", "gitdir: ../nowhere\n");
	th_write(base, "repo/bad/.git", "not a gitdir line\n");
	th_write(base, "repo/empty/.git", "gitdir: \n");
	find("repo/sub", 0);
	find("repo/bad", 0);
	find("repo/empty", 0);
	find("repo/a", 1);
}

Test(worktree, a_git_dir_itself_has_no_work_tree)
{
	struct worktree wt;

	th_shf(base, "git init -q --bare bare.git");
	find("bare.git", 0);
	find("bare.git/refs/heads", 0);
	make_repo("repo");
	find("repo/.git", 0);
	find("repo/.git/refs", 0);
	/* A .git directory that is no git dir is passed over. */
	th_shf(base, "mkdir -p repo/a/.git/objects");
	wt = find("repo/a", 1);
	expect_in(wt.root, "repo", "root");
	worktree_release(&wt);
}

Test(worktree, core_bare_and_core_worktree)
{
	struct worktree wt;

	make_repo("repo");
	/* git reads them from the repository's own files only. */
	th_write(base, "home/.gitconfig",
		 "[core]\n\tbare = true\n\tworktree = /tmp\n");
	th_write(base, "repo/.git/bare.inc", "[core]\n\tbare = true\n");
	th_shf(base, "git -C repo config include.path bare.inc");
	wt = find("repo/a", 1);
	expect_in(wt.root, "repo", "root");
	worktree_release(&wt);
	th_shf(base, "mkdir elsewhere && "
		     "git -C repo config core.worktree ../../elsewhere");
	wt = find("repo/a", 1);
	expect_in(wt.root, "elsewhere", "core.worktree, from the git dir");
	worktree_release(&wt);
	th_shf(base, "git -C repo config core.bare true");
	find("repo/a", 0);
}

Test(worktree, linked_work_tree_uses_the_common_dir)
{
	struct worktree wt;

	make_repo("main");
	th_shf(base, "git -C main worktree add -q ../linked && "
		     "git -C main config core.excludesFile shared-ignore && "
		     "git -C main config extensions.worktreeConfig true && "
		     "git -C linked config --worktree core.ignoreCase true");
	wt = find("linked/a/b", 1);
	expect_in(wt.root, "linked", "root");
	expect_in(wt.gitdir, "main/.git/worktrees/linked", "gitdir");
	expect_in(wt.commondir, "main/.git", "commondir");
	expect_in(wt.excludes_file, "linked/shared-ignore",
		  "the shared config, from the top of this work tree");
	cr_expect_eq(wt.ignore_case, 1, "its own config.worktree");
	worktree_release(&wt);
	wt = find("main", 1);
	cr_expect_eq(wt.ignore_case, 0, "not the main work tree's");
	worktree_release(&wt);
	/* The shared core.bare is the main work tree's alone. */
	th_shf(base, "git -C main config core.bare true");
	find("main", 0);
	wt = find("linked", 1);
	expect_in(wt.root, "linked", "root of a bare repository's work tree");
	worktree_release(&wt);
	find("main/.git/worktrees/linked", 0);
}

Test(worktree, ceiling_directories_stop_the_walk)
{
	struct worktree wt;
	char *ceilings;
	struct buf b = BUF_INIT;

	make_repo("repo");
	ceilings = in("repo/a");
	buf_addf(&b, "relative:/nonexistent::%s/", ceilings);
	setenv("GIT_CEILING_DIRECTORIES", b.ptr, 1);
	find("repo/a/b", 0);
	wt = find("repo/a", 1);
	expect_in(wt.root, "repo", "a ceiling that is the start is none");
	worktree_release(&wt);
	buf_reset(&b);
	buf_addf(&b, "%s", base);
	setenv("GIT_CEILING_DIRECTORIES", b.ptr, 1);
	wt = find("repo/a/b", 1);
	worktree_release(&wt);
	setenv("GIT_CEILING_DIRECTORIES", "/", 1);
	wt = find("repo/a/b", 1);
	worktree_release(&wt);
	buf_release(&b);
	free(ceilings);
}

/* ---- config -------------------------------------------------------------- */

/* Sets core.excludesFile to value in base/file (a config file). */
static void set_excludes(const char *file, const char *value)
{
	th_shf(base, "mkdir -p \"$(dirname '%s')\" && "
		     "git config -f '%s' core.excludesFile '%s'", file, file,
	       value);
}

Test(worktree, config_levels_later_wins)
{
	struct buf b = BUF_INIT;

	make_repo("repo");
	buf_addf(&b, "%s/system.cfg", base);
	setenv("GIT_CONFIG_SYSTEM", b.ptr, 1);
	unsetenv("GIT_CONFIG_NOSYSTEM");
	set_excludes("system.cfg", "/system");
	set_excludes("xdg/git/config", "/xdg");
	set_excludes("home/.gitconfig", "/global");
	set_excludes("repo/.git/config", "/local");
	set_excludes("repo/.git/config.worktree", "/worktree");
	expect_excludes("repo", "/local");
	th_shf(base, "git -C repo config extensions.worktreeConfig true");
	expect_excludes("repo", "/worktree");
	th_shf(base, "rm repo/.git/config.worktree");
	expect_excludes("repo", "/local");
	th_shf(base, "git -C repo config --unset core.excludesFile");
	expect_excludes("repo", "/global");
	th_shf(base, "rm home/.gitconfig");
	expect_excludes("repo", "/xdg");
	th_shf(base, "rm xdg/git/config");
	expect_excludes("repo", "/system");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	expect_default_excludes("repo");
	buf_release(&b);
}

Test(worktree, config_global_file_and_xdg_default)
{
	struct buf b = BUF_INIT;

	make_repo("repo");
	set_excludes("home/.config/git/config", "/home-xdg");
	set_excludes("xdg/git/config", "/xdg");
	expect_excludes("repo", "/xdg");
	unsetenv("XDG_CONFIG_HOME");
	expect_excludes("repo", "/home-xdg");
	set_excludes("home/.gitconfig", "/global");
	set_excludes("global.cfg", "/from-env");
	buf_addf(&b, "%s/global.cfg", base);
	setenv("GIT_CONFIG_GLOBAL", b.ptr, 1);
	expect_excludes("repo", "/from-env");
	th_shf(base, "rm global.cfg");
	buf_reset(&b);
	buf_addf(&b, "%s/home/.config/git/ignore", base);
	expect_excludes("repo", b.ptr);
	buf_release(&b);
}

Test(worktree, excludes_file_paths)
{
	struct buf b = BUF_INIT;

	make_repo("repo");
	set_excludes("repo/.git/config", "~/ignores/all");
	buf_addf(&b, "%s/home/ignores/all", base);
	expect_excludes("repo/a", b.ptr);
	set_excludes("repo/.git/config", "~");
	buf_reset(&b);
	buf_addf(&b, "%s/home", base);
	expect_excludes("repo/a", b.ptr);
	set_excludes("repo/.git/config", "rel/ignore");
	buf_reset(&b);
	buf_addf(&b, "%s/repo/rel/ignore", base);
	expect_excludes("repo/a/b", b.ptr);
	set_excludes("repo/.git/config", "");
	expect_excludes("repo", NULL);
	buf_release(&b);
}

Test(worktree, include_path_relative_and_nested)
{
	make_repo("repo");
	th_write(base, "home/.gitconfig",
		 "[include]\n\tpath = cfg/first.inc\n");
	th_write(base, "home/cfg/first.inc",
		 "[core]\n\texcludesFile = /first\n"
		 "[include]\n\tpath = deeper/second.inc\n");
	expect_excludes("repo", "/first");
	th_write(base, "home/cfg/deeper/second.inc",
		 "[core]\n\texcludesFile = /second\n");
	expect_excludes("repo", "/second");
	/* Included where the include is: a later line still wins. */
	th_write(base, "home/.gitconfig",
		 "[include]\n\tpath = cfg/first.inc\n"
		 "[core]\n\texcludesFile = /after\n");
	expect_excludes("repo", "/after");
	th_write(base, "home/.gitconfig",
		 "[include]\n\tpath = ~/cfg/deeper/second.inc\n"
		 "[include \"sub\"]\n\tpath = cfg/first.inc\n");
	expect_excludes("repo", "/second");
	/* A repository's config includes relative to its own place. */
	th_write(base, "repo/.git/local.inc",
		 "[core]\n\texcludesFile = /local-inc\n");
	th_shf(base, "git -C repo config include.path local.inc");
	expect_excludes("repo", "/local-inc");
}

/* A chain of n includes from ~/.gitconfig, the last setting the value. */
static void include_chain(int n)
{
	struct buf rel = BUF_INIT, text = BUF_INIT;
	int i;

	th_shf(base, "rm -rf home/chain");
	th_write(base, "home/.gitconfig", "[include]\n\tpath = chain/1\n");
	for (i = 1; i <= n; i++) {
		buf_reset(&rel);
		buf_reset(&text);
		buf_addf(&rel, "home/chain/%d", i);
		if (i < n)
			buf_addf(&text, "[include]\n\tpath = %d\n", i + 1);
		else
			buf_addf(&text, "[core]\n\texcludesFile = /end\n");
		th_write(base, rel.ptr, text.ptr);
	}
	buf_release(&rel);
	buf_release(&text);
}

Test(worktree, includes_stop_at_git_depth_and_cycles_end)
{
	make_repo("repo");
	include_chain(10);
	expect_excludes("repo", "/end");
	include_chain(11);
	expect_default_excludes("repo");
	/* Each file including itself 8 times: 8^10 reads, were there no cap. */
	th_write(base, "home/.gitconfig",
		 "[core]\n\texcludesFile = /fanned\n"
		 "[include]\n\tpath = .gitconfig\n\tpath = .gitconfig\n"
		 "\tpath = .gitconfig\n\tpath = .gitconfig\n"
		 "\tpath = .gitconfig\n\tpath = .gitconfig\n"
		 "\tpath = .gitconfig\n\tpath = .gitconfig\n");
	expect_excludes("repo", "/fanned");
}

static const struct {
	const char *cond;	/* "~" is the test's home, R the repository */
	int included;
} include_if_cases[] = {
	{ "gitdir:R/.git", 1 },
	{ "gitdir:R/", 1 },
	{ "gitdir:R", 0 },
	{ "gitdir:repo/", 1 },
	{ "gitdir:repo/.git", 1 },
	{ "gitdir:src/", 1 },
	{ "gitdir:other/", 0 },
	{ "gitdir:R/.g?t", 1 },
	{ "gitdir:R/*", 1 },
	{ "gitdir:R/*/", 0 },
	{ "gitdir:s*c/", 1 },
	{ "gitdir:~/src/", 1 },
	{ "gitdir:~/other/", 0 },
	{ "gitdir:./src/", 1 },
	{ "gitdir:./src/repo/.git", 1 },
	{ "gitdir:./repo/", 0 },
	{ "gitdir:**/src/**/.git", 1 },
	{ "gitdir:/**/src/repo/.git", 1 },
	{ "gitdir:/**/repo/**/.git", 1 },
	{ "gitdir:**/repo/**/src/**", 0 },
	{ "gitdir:**/home/**/repo/**", 1 },
	{ "gitdir:~/SRC/", 0 },
	{ "gitdir/i:~/SRC/", 1 },
	{ "gitdir/i:./Src/Repo/.GIT", 1 },
	{ "gitdir/i:~/other/", 0 },
	{ "onbranch:main", 0 },
	{ "hasconfig:remote.*.url:**", 0 },
};

Test(worktree, include_if_gitdir)
{
	struct buf cfg = BUF_INIT, cond = BUF_INIT;
	size_t i;
	char *home = in("home"), *repo = in("home/src/repo");

	make_repo("home/src/repo");
	th_write(base, "home/included", "[core]\n\texcludesFile = /in\n");
	for (i = 0; i < sizeof(include_if_cases) / sizeof(include_if_cases[0]);
	     i++) {
		const char *c = include_if_cases[i].cond, *r = strchr(c, 'R');

		buf_reset(&cond);
		if (r && r[-1] == ':')
			buf_addf(&cond, "%.*s%s%s", (int)(r - c), c, repo,
				 r + 1);
		else
			buf_adds(&cond, c);
		buf_reset(&cfg);
		buf_addf(&cfg, "[core]\n\texcludesFile = /out\n"
			 "[includeIf \"%s\"]\n\tpath = included\n", cond.ptr);
		th_write(home, ".gitconfig", cfg.ptr);
		expect_excludes("home/src/repo/a",
				include_if_cases[i].included ? "/in" : "/out");
	}
	buf_release(&cfg);
	buf_release(&cond);
	free(home);
	free(repo);
}

Test(worktree, include_if_gitdir_of_a_linked_work_tree)
{
	make_repo("main");
	th_shf(base, "git -C main worktree add -q ../linked");
	th_write(base, "home/included", "[core]\n\texcludesFile = /in\n");
	th_write(base, "home/.gitconfig",
		 "[includeIf \"gitdir:main/.git/worktrees/*\"]\n"
		 "\tpath = included\n");
	expect_excludes("linked", "/in");
	expect_default_excludes("main");
}

Test(worktree, ignore_case_booleans)
{
	static const struct {
		const char *line;	/* in the repository's config */
		int want;		/* the global config says true */
	} cases[] = {
		{ "\tignoreCase\n", 1 },
		{ "\tignoreCase = off\n", 0 },
		{ "\tignorecase = No\n", 0 },
		{ "\tIGNORECASE = 0\n", 0 },
		{ "\tignoreCase =\n", 0 },
		{ "\tignoreCase = maybe\n", 1 },
		{ "\tignoreCase = 1k\n", 1 },
	};
	struct worktree wt;
	struct buf text = BUF_INIT;
	size_t i;

	make_repo("repo");
	th_write(base, "home/.gitconfig", "[core]\n\tignoreCase = yes\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&text);
		buf_addf(&text, "[core]\n\trepositoryformatversion = 0\n%s",
			 cases[i].line);
		th_write(base, "repo/.git/config", text.ptr);
		wt = find("repo", 1);
		cr_expect_eq(wt.ignore_case, cases[i].want, "%s",
			     cases[i].line);
		worktree_release(&wt);
	}
	th_write(base, "repo/.git/config",
		 "[core \"sub\"]\n\tignoreCase = 0\n");
	wt = find("repo", 1);
	cr_expect_eq(wt.ignore_case, 1, "core.sub.ignoreCase is another key");
	worktree_release(&wt);
	buf_release(&text);
}

/* ---- hostile input ------------------------------------------------------- */

Test(worktree, oversized_files_are_not_read)
{
	struct buf big = BUF_INIT;
	struct worktree wt;

	make_repo("repo");
	buf_adds(&big, "[core]\n");
	while (big.len <= (1u << 20))
		buf_adds(&big, "\t; padding padding padding padding\n");
	buf_adds(&big, "\texcludesFile = /big\n");
	th_writen(base, "home/.gitconfig", big.ptr, big.len);
	expect_default_excludes("repo");
	/* git drops the newlines that end a .git file: valid, but too big. */
	th_write(base, "repo/sub/.git", "gitdir: ../.git\n");
	wt = find("repo/sub", 1);
	expect_in(wt.root, "repo/sub", "root");
	worktree_release(&wt);
	buf_reset(&big);
	buf_adds(&big, "gitdir: ../.git");
	while (big.len <= (1u << 20))
		buf_adds(&big, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
	th_writen(base, "repo/sub/.git", big.ptr, big.len);
	find("repo/sub", 0);
	buf_release(&big);
}
