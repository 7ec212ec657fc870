#ifndef LEAKGATE_TEST_HELPERS_H
#define LEAKGATE_TEST_HELPERS_H

/*
 * Shared by the Criterion suites: temporary directories, running the real
 * binary, building git repositories with fixed dates, and fake tokens with
 * valid checksums made at run time (no real credential is ever committed).
 */
#include <stddef.h>

struct run_result {
	int status;	/* exit status, or 128+signal */
	char *out;	/* stdout, NUL-terminated, owned */
	char *err;	/* stderr, NUL-terminated, owned */
	double cpu;	/* CPU seconds (user + system) the command used: unlike
			   wall time, it does not grow on a busy machine */
};

/* A new empty directory under $TMPDIR; the caller frees the string. */
char *th_tmpdir(void);
/* rm -rf dir, then frees it. */
void th_rmtree(char *dir);

/* Writes data to dir/rel (creating parent directories). */
void th_write(const char *dir, const char *rel, const char *data);
void th_writen(const char *dir, const char *rel, const char *data, size_t len);

/*
 * Runs the leakgate binary ($LEAKGATE_BIN) with argv (NULL-terminated) in
 * directory cwd, stdin from `input` (NULL: empty).  Never fails the test by
 * itself.
 */
struct run_result th_leakgate(const char *cwd, const char *input,
			      const char *const *argv);
/*
 * Runs a shell command line in cwd with git's identity and dates fixed
 * (GIT_AUTHOR_DATE/GIT_COMMITTER_DATE = 2024-01-01, or $TH_DATE if set in
 * the command); returns its exit status.  Output goes to the result.
 */
struct run_result th_sh(const char *cwd, const char *cmdline);
void th_run_release(struct run_result *r);
/* th_sh with a printf-formatted command, asserting that it exits 0. */
void th_shf(const char *cwd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Makes dir a git repository with a fixed identity and no hooks/templates. */
void th_git_init(const char *dir);
/* `git add -A && git commit` with a fixed date; message must be shell-safe. */
void th_git_commit(const char *dir, const char *message);
/*
 * Writes "key = TOKEN" to dir/rel, a th_fake_token("ghp_", 30, seed, slot),
 * and commits it (th_git_commit); returns the token.
 */
const char *th_commit_token(const char *dir, const char *rel, unsigned seed,
			    int slot, const char *message);

/*
 * A fake classic GitHub-style token: prefix ("ghp_", "gho_", "npm_"...) +
 * `body_len` pseudo-random [A-Za-z0-9] from seed + the 6-character base62
 * CRC-32 check.  Valid for the validator, never a real credential.
 * Returns a static buffer per call slot (slot 0..7).
 */
const char *th_fake_token(const char *prefix, size_t body_len, unsigned seed,
			  int slot);
/* The same with the last character changed: fails the checksum. */
const char *th_fake_token_bad(const char *prefix, size_t body_len,
			      unsigned seed, int slot);

/* th_leakgate with no input and argv inline: TH_LG(dir, "scan", "."). */
#define TH_LG(cwd, ...) \
	th_leakgate(cwd, NULL, (const char *const[]){ __VA_ARGS__, NULL })

/*
 * A suite whose every test gets a new directory in the static char *var
 * (removed after the test), a git repository with TH_REPO_SUITE; the rest
 * are TestSuite() options.
 */
#define TH_SUITE_WITH_DIR_(suite, var, git, ...)                            \
	static char *var;                                                   \
	static void suite##_dir_init(void)                                  \
	{                                                                   \
		var = th_tmpdir();                                          \
		if (git)                                                    \
			th_git_init(var);                                   \
	}                                                                   \
	static void suite##_dir_fini(void)                                  \
	{                                                                   \
		th_rmtree(var);                                             \
		var = NULL;                                                 \
	}                                                                   \
	TestSuite(suite, .init = suite##_dir_init,                          \
		  .fini = suite##_dir_fini, __VA_ARGS__)
#define TH_DIR_SUITE(suite, var, ...) \
	TH_SUITE_WITH_DIR_(suite, var, 0, __VA_ARGS__)
#define TH_REPO_SUITE(suite, var, ...) \
	TH_SUITE_WITH_DIR_(suite, var, 1, __VA_ARGS__)

/* Number of non-overlapping occurrences of needle in hay. */
size_t th_count(const char *hay, const char *needle);

#endif
