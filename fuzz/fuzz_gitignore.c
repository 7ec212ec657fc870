/*
 * libFuzzer target: gitignore rules over arbitrary bytes (the .gitignore
 * files of a scanned tree are anyone's), matched against fixed paths and
 * against one the input names after a NUL byte.  Matching must always
 * decide (0 or 1), case-folded or not, at any depth of the stack, and an
 * empty list pushed on top must not change a decision.
 */
#include <string.h>

#include "fuzz.h"
#include "gitignore.h"
#include "banned.h"

static const char *const paths[] = {
	"a", "foo", "a/b", "sub/x.txt", "sub/dir/deep/name.o", ".hidden",
	"sub/a/b/c/d/e/f/g", "x[1]", "sp ace", "#h",
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

/* A path as the walk would make one: non-empty components, no ends. */
static int walkable(const char *p, size_t len)
{
	size_t i;

	if (!len || p[0] == '/' || p[len - 1] == '/' || memchr(p, '\0', len))
		return 0;
	for (i = 1; i < len; i++)
		if (p[i] == '/' && p[i - 1] == '/')
			return 0;
	return 1;
}

static void decide(struct gitignore *gi, const char *path, size_t len)
{
	int is_dir, r;

	for (is_dir = 0; is_dir < 2; is_dir++) {
		r = gitignore_match(gi, path, len, is_dir);
		FUZZ_CHECK(r == 0 || r == 1);
		FUZZ_CHECK(gitignore_push(gi, "", 0, 0) == 0);
		FUZZ_CHECK(gitignore_match(gi, path, len, is_dir) == r);
		gitignore_pop(gi, gi->n_lists - 1);
	}
}

/* The rules at the root and again in sub/, as a walk would push them. */
static void run(const char *rules, size_t rules_len, const char *extra,
		size_t extra_len, int icase)
{
	struct gitignore gi = GITIGNORE_INIT;
	size_t i, n;

	gi.icase = icase;
	FUZZ_CHECK(gitignore_push(&gi, rules, rules_len, 0) == 0);
	for (i = 0; i <= N_PATHS; i++) {
		const char *p = i < N_PATHS ? paths[i] : extra;
		n = i < N_PATHS ? strlen(p) : extra_len;
		if (!walkable(p, n))
			continue;
		if (n > 4 && !memcmp(p, "sub/", 4))
			FUZZ_CHECK(gitignore_push(&gi, rules, rules_len, 4) ==
				   0);
		decide(&gi, p, n);
		gitignore_pop(&gi, 1);
		FUZZ_CHECK(gi.n_lists == 1);
	}
	gitignore_release(&gi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nul = memchr(s, '\0', size);
	size_t rules_len = nul ? (size_t)(nul - s) : size;
	const char *extra = nul ? nul + 1 : s + size;
	size_t extra_len = size - rules_len - (nul != NULL);

	run(s, rules_len, extra, extra_len, 0);
	run(s, rules_len, extra, extra_len, 1);
	return 0;
}
