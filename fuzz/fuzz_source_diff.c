/*
 * libFuzzer target: source_diff (what `staged` and `range` scan) over two
 * trees built from the input in an in-memory repository.  The input is
 * lines "S path\tcontent": S is '1' (the file is in the old tree), '2'
 * (in the new one) or '3' (in both; content differs by a suffix in the
 * new one when the line ends in '+').  Checked: the diff and its rename
 * pairing never fail on valid trees, the changes come out sorted by path
 * with no path twice, each is a file the new tree holds and the old one
 * does not hold with the same id, and source_diff_find() finds each;
 * source_diff_name_cmp() is antisymmetric on the paths seen.
 */
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/repository.h>
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "source_diff.h"
#include "banned.h"

#define LINES_MAX 64

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	git_libgit2_init();
	return 0;
}

static git_repository *memory_repo(void)
{
	git_repository *repo = NULL;
	git_odb_backend *mempack = NULL;
	git_odb *odb = NULL;

	FUZZ_CHECK(!git_repository_new(&repo));
	FUZZ_CHECK(!git_odb_new(&odb) && !git_mempack_new(&mempack));
	FUZZ_CHECK(!git_odb_add_backend(odb, mempack, 1));
	git_repository_set_odb(repo, odb);
	git_odb_free(odb);
	return repo;
}

/* Adds path with content to index ix; a path git refuses is left out. */
static void add_file(git_repository *repo, git_index *ix, const char *path,
		     const char *content, size_t len)
{
	git_index_entry e;

	memset(&e, 0, sizeof(e));
	e.mode = GIT_FILEMODE_BLOB;
	e.path = path;
	FUZZ_CHECK(!git_blob_create_from_buffer(&e.id, repo, content, len));
	(void)git_index_add(ix, &e);
}

/* One line "S path\tcontent" into the indexes of the sides it names. */
static void add_line(git_repository *repo, git_index *sides[2],
		     const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	char path[256];
	size_t plen;
	int s;

	if (len < 3 || !tab || line[0] < '1' || line[0] > '3')
		return;
	plen = (size_t)(tab - line) - 2;
	if (plen == 0 || plen >= sizeof(path) || memchr(line + 2, '\0', plen))
		return;
	memcpy(path, line + 2, plen);
	path[plen] = '\0';
	for (s = 0; s < 2; s++) {
		size_t clen = (size_t)(line + len - tab - 1);

		if (!((line[0] - '0') & (1 << s)))
			continue;
		/* '+' at the end: the new side keeps it, the old one not. */
		if (!s && clen && tab[clen] == '+')
			clen--;
		add_file(repo, sides[s], path, tab + 1, clen);
	}
}

static void check_changes(const struct source_diff *d, git_tree *old,
			  git_tree *new)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct source_diff_change *c = &d->items[i];
		git_tree_entry *in_old = NULL, *in_new = NULL;

		FUZZ_CHECK(!i || strcmp(d->items[i - 1].path, c->path) < 0);
		FUZZ_CHECK(c->kind != SOURCE_DIFF_DELETED);
		FUZZ_CHECK(source_diff_find(d, c->path) == c);
		FUZZ_CHECK(!git_tree_entry_bypath(&in_new, new, c->path));
		FUZZ_CHECK(git_oid_equal(git_tree_entry_id(in_new), &c->new_id));
		if (!git_tree_entry_bypath(&in_old, old, c->path))
			FUZZ_CHECK(!git_oid_equal(git_tree_entry_id(in_old),
						  &c->new_id));
		git_tree_entry_free(in_old);
		git_tree_entry_free(in_new);
		if (i)
			FUZZ_CHECK(source_diff_name_cmp(c->path, strlen(c->path), 0,
						  d->items[i - 1].path,
						  strlen(d->items[i - 1].path),
						  0) ==
				   -source_diff_name_cmp(d->items[i - 1].path,
						  strlen(d->items[i - 1].path),
						  0, c->path, strlen(c->path),
						  0));
	}
}

/* The tree of ix, or NULL when libgit2 cannot make one of it ("a/"). */
static git_tree *write_tree(git_repository *repo, git_index *ix)
{
	git_tree *t = NULL;
	git_oid id;

	if (git_index_write_tree_to(&id, ix, repo))
		return NULL;
	FUZZ_CHECK(!git_tree_lookup(&t, repo, &id));
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct lg_error err = LG_ERROR_INIT;
	git_repository *repo = memory_repo();
	git_index *sides[2] = { NULL, NULL };
	git_tree *old, *new;
	struct source_diff d;
	int lines = 0;

	FUZZ_CHECK(!git_index_new(&sides[0]) && !git_index_new(&sides[1]));
	for (; p < end && lines < LINES_MAX; p = nl + 1, lines++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		add_line(repo, sides, p, (size_t)(nl - p));
	}
	old = write_tree(repo, sides[0]);
	new = write_tree(repo, sides[1]);
	source_diff_init(&d, repo);
	if (old && new) {
		FUZZ_CHECK(!source_diff_trees(&d, old, new, &err));
		FUZZ_CHECK(!source_diff_renames(&d, &err));
		check_changes(&d, old, new);
	}
	source_diff_release(&d);
	git_tree_free(old);
	git_tree_free(new);
	git_index_free(sides[0]);
	git_index_free(sides[1]);
	git_repository_free(repo);
	return 0;
}
