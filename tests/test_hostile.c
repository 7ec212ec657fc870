/*
 * Hostile input end to end: what a scanned tree (or a careless rule file)
 * can throw at the real binary.  Nothing may crash it, hang it, hide a
 * finding or reach the terminal raw.  On an idle machine each test takes
 * a few seconds, also under AddressSanitizer; sizes are scaled to that (a
 * million tiny files take minutes to create, so the tree has 10,000).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "helpers.h"

TH_DIR_SUITE(hostile, dir, .timeout = 60);

/* Runs leakgate in dir with the arguments, NULL-terminated. */
#define LG(...) \
	th_leakgate(dir, NULL, (const char *const[]){ __VA_ARGS__, NULL })

static const char *ghp(unsigned seed, int slot)
{
	return th_fake_token("ghp_", 30, seed, slot);
}

static char *path_in(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, rel);
	return buf_detach(&b);
}

/* The contents of path ("" when it cannot be read); the caller frees. */
static char *read_in_abs(const char *path)
{
	struct buf b = BUF_INIT;
	struct lg_error err = LG_ERROR_INIT;

	if (buf_read_file(&b, path, 0, &err))
		buf_reset(&b);
	return buf_detach(&b);
}

/* The contents of dir/rel ("" when it cannot be read); the caller frees. */
static char *read_in(const char *rel)
{
	char *path = path_in(rel), *text = read_in_abs(path);

	free(path);
	return text;
}

/*
 * catastrophic.yaml: a user rule that backtracks exponentially on a run of
 * 'a' that ends in '!', so that it hits its match limit on such a line.
 */
static void write_catastrophic_rule(void)
{
	th_write(dir, "catastrophic.yaml",
		 "rules:\n  - id: catastrophic\n    keywords: [aaaa]\n"
		 "    pattern: '(a+)+$'\n");
}

/* Writes `count` copies of unit followed by tail to dir/rel. */
static void write_repeated(const char *rel, const char *unit, size_t count,
			   const char *tail)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < count; i++)
		cr_assert_eq(buf_adds(&b, unit), 0);
	buf_adds(&b, tail);
	th_writen(dir, rel, b.ptr, b.len);
	buf_release(&b);
}

/* Writes "before TOKEN after" to dir/rel; returns the token (slot 0). */
static const char *plant(const char *rel, const char *before, unsigned seed,
			 const char *after)
{
	const char *t = ghp(seed, 0);
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s%s%s", before, t, after);
	th_write(dir, rel, b.ptr);
	buf_release(&b);
	return t;
}

/* ---- rule files (regressions found by fuzz/fuzz_rules_load.c) ---------- */

Test(hostile, rule_with_allow_then_a_bad_key_is_an_error_not_a_crash)
{
	struct run_result r;

	th_write(dir, "rules.yaml",
		 "rules:\n  - id: mine\n    pattern: 'a(b)'\n"
		 "    allow: ['^x']\n    bogus: 1\n");
	th_write(dir, "t.txt", "ab\n");
	r = LG("--rules", "rules.yaml", "scan", "t.txt");
	cr_assert_eq(r.status, 2, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "rules.yaml:5: rule 'mine': "
				"unknown key 'bogus'"), "%s", r.err);
	th_run_release(&r);
}

Test(hostile, rule_with_a_repeated_key_is_an_error)
{
	struct run_result r;

	th_write(dir, "rules.yaml",
		 "rules:\n  - id: twice\n    pattern: 'a(b)'\n"
		 "    examples: [ab, xab]\n    examples: [yab]\n");
	th_write(dir, "t.txt", "ab\n");
	r = LG("--rules", "rules.yaml", "scan", "t.txt");
	cr_assert_eq(r.status, 2, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "rule 'twice': duplicate key 'examples'"), "%s",
		  r.err);
	th_run_release(&r);
}

/* ---- bounded regex work ---------------------------------------------- */

Test(hostile, catastrophic_user_rule_hits_its_limit_and_the_scan_goes_on)
{
	struct run_result r;
	struct buf bomb = BUF_INIT;
	char run[3001];
	size_t i;

	write_catastrophic_rule();
	memset(run, 'a', 3000);
	run[3000] = '\0';
	for (i = 0; i < 4; i++)
		buf_addf(&bomb, "%s!\n", run);
	buf_addf(&bomb, "token = %s\n", ghp(1, 0));
	th_write(dir, "t/bomb.txt", bomb.ptr);
	plant("t/other.txt", "", 2, "\n");
	r = LG("--rules", "catastrophic.yaml", "scan", "-j1", "t");
	cr_assert_lt(r.cpu, 5.0, "%.1f CPU seconds", r.cpu);
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "t/bomb.txt: rule catastrophic hit its "
				"match limit"), "%s", r.err);
	cr_assert(strstr(r.out, "t/bomb.txt:5:9  github-pat-classic"), "%s",
		  r.out);
	cr_assert(strstr(r.out, "t/other.txt:1:1  github-pat-classic"), "%s",
		  r.out);
	th_run_release(&r);
	buf_release(&bomb);
}

/* ---- pathological data ------------------------------------------------- */

Test(hostile, minified_50_mib_single_line_finds_the_token_near_its_end)
{
	static const char unit[] =
		"e.exports={u:\"https://cdn.example.com/a.js\",f:function(a)"
		"{return a+1}};";
	struct run_result r;
	struct buf tail = BUF_INIT;
	size_t count = (50u << 20) / (sizeof(unit) - 1);

	buf_addf(&tail, "var t=\"%s\";", ghp(3, 0));
	write_repeated("dist/app.min.js", unit, count, tail.ptr);
	r = LG("scan", "--max-file-size", "64M", "-q", "dist");
	cr_assert_lt(r.cpu, 10.0, "%.1f CPU seconds", r.cpu);
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(th_count(r.out, "github-pat-classic"), 1, "%s", r.out);
	cr_assert(strstr(r.out, "dist/app.min.js:1:"), "%s", r.out);
	th_run_release(&r);
	buf_release(&tail);
}

Test(hostile, many_findings_on_one_long_line_take_linear_time)
{
	struct run_result r;
	struct buf b = BUF_INIT;
	unsigned i;

	/* Each match used to search the whole line for an inline allow. */
	for (i = 0; i < 10000; i++)
		buf_addf(&b, "t%u=\"%s\";%0400d", i, ghp(i + 10, 0), 0);
	th_write(dir, "one-line.js", b.ptr);
	r = LG("scan", "-q", "one-line.js");
	cr_assert_lt(r.cpu, 5.0, "%.1f CPU seconds", r.cpu);
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(th_count(r.out, "github-pat-classic"), 10000);
	th_run_release(&r);
	buf_release(&b);
}

Test(hostile, a_file_of_only_ghp_prefixes_finishes_quickly)
{
	struct run_result r;

	write_repeated("prefixes.txt", "ghp_", 2u << 20, "\n");
	r = LG("scan", "prefixes.txt");
	cr_assert_lt(r.cpu, 5.0, "%.1f CPU seconds", r.cpu);
	cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "1 files scanned, 8.0 MiB, 0 findings"), "%s",
		  r.err);
	th_run_release(&r);
}

/* Writes n files of one line each under dir/tree, 100 to a directory. */
static void write_tiny_files(unsigned n)
{
	struct buf path = BUF_INIT;
	unsigned i;
	int fd;

	buf_addf(&path, "%s/tree", dir);
	mkdir(path.ptr, 0755);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/tree/d%03u", dir, i / 100);
		if (i % 100 == 0)
			cr_assert(!mkdir(path.ptr, 0755), "%s", path.ptr);
		buf_addf(&path, "/f%05u.txt", i);
		fd = open(path.ptr, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		cr_assert_geq(fd, 0, "%s", path.ptr);
		cr_assert_eq(write(fd, "nothing here\n", 13), 13);
		close(fd);
	}
	buf_release(&path);
}

Test(hostile, ten_thousand_tiny_files)
{
	struct run_result r;

	write_tiny_files(10000);
	plant("tree/d050/token.txt", "key: ", 4, "\n");
	r = LG("scan", "tree");
	cr_assert_lt(r.cpu, 10.0, "%.1f CPU seconds", r.cpu);
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "10001 files scanned"), "%s", r.err);
	cr_assert(strstr(r.out, "tree/d050/token.txt:1:6"), "%s", r.out);
	th_run_release(&r);
}

Test(hostile, three_hundred_nested_directories)
{
	struct buf rel = BUF_INIT;
	struct run_result r;
	int i;

	for (i = 0; i < 300; i++)
		buf_adds(&rel, "d/");
	buf_adds(&rel, "deep.txt");
	plant(rel.ptr, "", 5, "\n");
	r = LG("scan", "-q", "d");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "/d/d/deep.txt:1:1  github-pat-classic"), "%s",
		  r.out);
	th_run_release(&r);
	buf_release(&rel);
}

/* Makes `depth` nested 40-byte levels below dir/deep, by fd. */
static void make_deeper_than_path_max(int depth)
{
	static const char level[] = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
	char *top = path_in("deep");
	int fd, next, i;

	cr_assert_eq(mkdir(top, 0755), 0);
	fd = open(top, O_RDONLY | O_DIRECTORY);
	for (i = 0; i < depth && fd >= 0; i++) {
		cr_assert_eq(mkdirat(fd, level, 0755), 0);
		next = openat(fd, level, O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	cr_assert_geq(fd, 0);
	close(fd);
	free(top);
}

Test(hostile, directories_deeper_than_path_max_are_skipped_with_a_note)
{
	struct run_result r;

	make_deeper_than_path_max(120);	/* 4,800 bytes */
	plant("shallow.txt", "", 6, "\n");
	r = LG("scan", ".");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "shallow.txt:1:1"), "%s", r.out);
	cr_assert(strstr(r.err, "skipping deep/nnnn"), "%s", r.err);
	/* The path is cut in the middle: the reason survives. */
	cr_assert(strstr(r.err, "nnn...nnn"), "%s", r.err);
	cr_assert(strstr(r.err, ": File name too long\n"), "%s", r.err);
	th_run_release(&r);
}

Test(hostile, symlink_loops_are_not_followed)
{
	struct run_result r;

	plant("t/a/secret.txt", "", 7, "\n");
	th_write(dir, "t/b/keep.txt", "nothing\n");
	r = th_sh(dir, "cd t && ln -s .. a/up && ln -s self self && "
		       "ln -s loop2 b/loop1 && ln -s loop1 b/loop2 && "
		       "ln -s ../a b/to-a");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG("scan", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(th_count(r.out, "github-pat-classic"), 1, "%s", r.out);
	cr_assert(strstr(r.err, "2 files scanned"), "%s", r.err);
	th_run_release(&r);
}

/* A FIFO opened for reading waits for a writer: it must never be opened. */
Test(hostile, fifos_and_dangling_symlinks_do_not_block, .timeout = 20)
{
	struct run_result r;

	plant("t/real.txt", "", 8, "\n");
	r = th_sh(dir, "mkfifo t/pipe t/pipe.txt && "
		       "ln -s does/not/exist t/dangling && "
		       "ln -s pipe.txt t/to-pipe");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG("scan", "t", "t/pipe.txt", "t/dangling", "t/to-pipe");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "t/real.txt:1:1"), "%s", r.out);
	cr_assert(strstr(r.err, "1 files scanned"), "%s", r.err);
	th_run_release(&r);
}

/* Writes "\nTOKEN\n" at off in fd; returns the token (slot 1 + k). */
static const char *pwrite_token(int fd, off_t off, unsigned k)
{
	const char *t = th_fake_token("ghp_", 30, 60 + k, 1 + (int)k);
	struct buf b = BUF_INIT;

	buf_addf(&b, "\n%s\n", t);
	cr_assert_eq(pwrite(fd, b.ptr, b.len, off), (ssize_t)b.len);
	buf_release(&b);
	return t;
}

/*
 * Writes dir/rel, size bytes: 512 text lines (so it is not binary), a
 * hole, and a token on a line of its own at each of at[0..n).
 */
static void write_sparse_tokens(const char *rel, off_t size, const off_t *at,
				size_t n)
{
	char *path = path_in(rel);
	size_t k;
	int fd;

	write_repeated(rel, "filler text line\n", 512, "");
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	for (k = 0; k < n; k++)
		pwrite_token(fd, at[k], (unsigned)k);
	cr_assert_eq(ftruncate(fd, size), 0);
	close(fd);
	free(path);
}

/* r found the n tokens of write_sparse_tokens(rel) once each, in place. */
static void expect_sparse_tokens(const struct run_result *r, const char *rel,
				 size_t n)
{
	struct buf want = BUF_INIT;
	size_t k;

	cr_assert_eq(r->status, 1, "status %d: %s", r->status, r->err);
	cr_assert_eq(th_count(r->out, "github-pat-classic"), n, "%s", r->out);
	for (k = 0; k < n; k++) {
		buf_reset(&want);
		buf_addf(&want, "%s:%zu:1", rel, 512 + 2 * k + 2);
		cr_assert(strstr(r->out, want.ptr), "%s not in %s", want.ptr,
			  r->out);
	}
	buf_release(&want);
}

/* Tokens in the first chunk, across the seams of the 64 MiB chunks. */
#define SEAM_TOKENS 16384, ((off_t)60 << 20) - 30, ((off_t)64 << 20) - 20

/*
 * A sparse file over 4 GiB: tokens across the seams of the chunks it is
 * scanned in and one past 4 GiB.  Each is found once, on its own line: no
 * length is cut to 32 bits and no match is lost or doubled where chunks
 * overlap.
 */
Test(hostile, a_file_over_4_gib_is_scanned_whole_in_chunks, .timeout = 120)
{
	static const off_t at[] = { SEAM_TOKENS, ((off_t)4 << 30) + 1024 };
	struct run_result r;

	write_sparse_tokens("big.txt", ((off_t)4 << 30) + 4096, at, 4);
	r = LG("scan", "-j1", "--max-file-size", "5G", "big.txt");
	expect_sparse_tokens(&r, "big.txt", 4);
	cr_assert(strstr(r.err, "4096.0 MiB"), "%s", r.err);
	th_run_release(&r);
}

/*
 * A blob over 1 GiB (too large to hold) that --max-file-size allows is
 * inflated as its chunks are scanned: every token is found, past the
 * first chunk and past 1 GiB too.
 */
Test(hostile, a_blob_over_1_gib_is_streamed_in_chunks, .timeout = 120)
{
	static const off_t at[] = { SEAM_TOKENS, ((off_t)1 << 30) + 1024 };
	struct run_result r;

	write_sparse_tokens("big.txt", ((off_t)1 << 30) + 4096, at, 4);
	th_git_init(dir);
	/* Not th_git_commit(): its `git add -A` would hash 1 GiB again. */
	th_shf(dir, "git -c core.compression=1 add big.txt && "
		    "git commit -q -m big");
	r = LG("history", "-j1", "--max-file-size", "2G");
	expect_sparse_tokens(&r, "big.txt", 4);
	cr_assert(strstr(r.err, "1 blobs") && strstr(r.err, "1024.0 MiB"),
		  "%s", r.err);
	th_run_release(&r);
}

/* n files on each of which the catastrophic rule spends its whole limit. */
static void write_slow_tree(unsigned n)
{
	struct buf name = BUF_INIT;
	unsigned i;

	write_catastrophic_rule();
	for (i = 0; i < n; i++) {
		buf_reset(&name);
		buf_addf(&name, "t/f%04u.txt", i);
		th_write(dir, name.ptr, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n");
	}
	buf_release(&name);
}

/*
 * Files change between the walk and their reading: the pause point
 * ($LEAKGATE_TEST_PAUSE) holds the first read until the walk is done and
 * the files are changed, so the test never races the scan.
 */
Test(hostile, files_that_vanish_or_change_during_the_scan)
{
	struct run_result r;
	struct buf cmd = BUF_INIT;
	unsigned i;

	for (i = 0; i < 40; i++) {
		buf_reset(&cmd);
		buf_addf(&cmd, "t/f%04u.txt", i);
		th_write(dir, cmd.ptr, "plain text\n");
	}
	plant("t/token.txt", "", 9, "\n");
	buf_reset(&cmd);
	buf_addf(&cmd, "mkfifo pause.walked pause.go; "
		       "LEAKGATE_TEST_PAUSE=pause '%s' scan -j1 t "
		       "> out.txt 2> err.txt & "
		       "timeout 20 cat pause.walked > /dev/null; "
		       "rm t/f001*.txt; "
		       "for f in t/f002*.txt; do rm $f && mkfifo $f; done; "
		       "for f in t/f003*.txt; do rm $f; ln -s /dev/zero $f; "
		       "done; "
		       "timeout 20 sh -c ': > pause.go'; "
		       "wait $!; echo status=$?; cat out.txt err.txt",
		 getenv("LEAKGATE_BIN"));
	r = th_sh(dir, cmd.ptr);
	cr_assert(strstr(r.out, "status=1\n"), "%s", r.out);
	cr_assert(strstr(r.out, "t/token.txt:1:1"), "%s", r.out);
	cr_assert(strstr(r.out, "No such file or directory"), "%s", r.out);
	cr_assert(strstr(r.out, "Too many levels of symbolic links"), "%s",
		  r.out);
	cr_assert(strstr(r.out, "t/f0025.txt: not a regular file"), "%s",
		  r.out);
	cr_assert(strstr(r.out, "30 unreadable)"), "%s", r.out);
	th_run_release(&r);
	buf_release(&cmd);
}

Test(hostile, invalid_utf8_and_control_bytes_in_content)
{
	struct run_result r;
	const char *t;

	t = plant("t/mess.txt",
		  "\xff\xfe\x1b[2J\x1b]0;title\x07\xc3\x28 \r\x01 key=", 10,
		  " \x1b[0m\xed\xa0\x80\n\x7f\xf8\x88\x80\x80\x80\n");
	r = LG("scan", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "t/mess.txt:1:"), "%s", r.out);
	cr_assert_null(strchr(r.out, '\033'));
	th_run_release(&r);
	r = LG("scan", "--show-secrets", "--format", "json", "t");
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.out, t), "%s", r.out);
	th_run_release(&r);
}

Test(hostile, nul_bytes_skip_binary_files_with_a_note_and_not_later_ones)
{
	struct buf b = BUF_INIT;
	struct run_result r;
	const char *t;

	th_writen(dir, "t/early.bin", "\0\0\0", 3);
	buf_addch(&b, 'x');
	while (b.len < 9000)
		buf_adds(&b, "filler line\n");
	buf_add(&b, "\0", 1);
	t = ghp(11, 0);
	buf_addf(&b, " token %s\n", t);
	th_writen(dir, "t/late-nul.txt", b.ptr, b.len);
	r = LG("scan", "--show-secrets", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, t), "%s", r.out);
	cr_assert(strstr(r.err, "skipped: 1 binary"), "%s", r.err);
	th_run_release(&r);
	buf_release(&b);
}

/* ---- hostile file names ----------------------------------------------- */

/* A file name, and how the JSON (decoded) and text reports show it. */
struct evil_name {
	const char *name, *json, *text;
};

static const struct evil_name evil[] = {
	{ "new\nline.txt", "new\nline.txt", "new\\nline.txt" },
	{ "\033[31mred\033[0m.txt", "\033[31mred\033[0m.txt",
	  "\\x1b[31mred\\x1b[0m.txt" },
	{ "bad\xff\xfe.txt", "bad\\xff\\xfe.txt", "bad\\xff\\xfe.txt" },
	{ "osc\033]0;owned\007.txt", "osc\033]0;owned\007.txt",
	  "osc\\x1b]0;owned\\x07.txt" },
};
#define N_EVIL (sizeof(evil) / sizeof(evil[0]))

static void plant_evil_names(void)
{
	size_t i;

	for (i = 0; i < N_EVIL; i++)
		plant(evil[i].name, "see ", 20 + (unsigned)i, "\n");
}

/* Non-zero when s[0..len) is well-formed UTF-8 (jansson is strict). */
static int valid_utf8(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	int ok = j != NULL;

	json_decref(j);
	return ok;
}

Test(hostile, file_names_are_escaped_in_text_output)
{
	struct run_result r;
	struct buf want = BUF_INIT;
	size_t i;

	plant_evil_names();
	r = LG("scan", "--color=always", ".");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(th_count(r.out, "\n"), N_EVIL, "a line a finding: %s",
		     r.out);
	for (i = 0; i < N_EVIL; i++) {
		buf_reset(&want);
		buf_addf(&want, "%s:1:5", evil[i].text);
		cr_assert(strstr(r.out, want.ptr), "%s in %s", want.ptr, r.out);
	}
	cr_assert(valid_utf8(r.out, strlen(r.out)));
	th_run_release(&r);
	r = LG("scan", "--no-color", ".");
	cr_assert_null(strchr(r.out, '\033'), "raw ESC on stdout: %s", r.out);
	th_run_release(&r);
	buf_release(&want);
}

/* How many findings of the JSON array carry this path. */
static size_t count_path(json_t *arr, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *p = json_object_get(json_array_get(arr, i), "path");
		n += json_is_string(p) && !strcmp(json_string_value(p), path);
	}
	return n;
}

Test(hostile, file_names_are_valid_in_json)
{
	json_error_t jerr;
	struct run_result r;
	json_t *j;
	size_t i;

	plant_evil_names();
	r = LG("scan", "--format", "json", ".");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	j = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(j, "%s: %s", jerr.text, r.out);
	cr_assert_eq(json_array_size(j), N_EVIL);
	for (i = 0; i < N_EVIL; i++)
		cr_assert_eq(count_path(j, evil[i].json), 1, "%s", r.out);
	json_decref(j);
	th_run_release(&r);
}

/*
 * Every format: well-formed UTF-8; JSON and SARIF parse; no raw ESC but in
 * CSV, which keeps control characters inside quoted fields.
 */
Test(hostile, file_names_are_safe_in_every_format)
{
	static const char *const formats[] = { "text", "json", "jsonl", "sarif",
					       "csv", "junit" };
	json_error_t jerr;
	struct run_result r;
	const char *f;
	json_t *j;
	size_t i;

	plant_evil_names();
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		f = formats[i];
		r = LG("scan", "--format", f, ".");
		cr_assert_eq(r.status, 1, "%s: status %d: %s", f, r.status,
			     r.err);
		cr_assert(valid_utf8(r.out, strlen(r.out)), "%s", f);
		cr_assert(!strcmp(f, "csv") || !strchr(r.out, '\033'),
			  "%s: raw ESC: %s", f, r.out);
		if (!strcmp(f, "json") || !strcmp(f, "sarif")) {
			j = json_loads(r.out, 0, &jerr);
			cr_assert_not_null(j, "%s: %s", f, jerr.text);
			json_decref(j);
		}
		th_run_release(&r);
	}
}

Test(hostile, secrets_never_reach_stderr)
{
	struct run_result r;
	const char *t;
	char body[31];

	write_catastrophic_rule();
	t = plant("bad\xff\033[2J.txt", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! ",
		  30, "\n");
	memcpy(body, t + 4, 30);
	body[30] = '\0';
	r = LG("--rules", "catastrophic.yaml", "scan", "--show-secrets", ".");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, t), "%s", r.out);
	cr_assert(strstr(r.err, "hit its match limit"), "%s", r.err);
	cr_assert_null(strstr(r.err, body), "secret on stderr: %s", r.err);
	th_run_release(&r);
}

/* ---- reports on disk, Ctrl-C ---------------------------------------- */

/* Names in dir that start with prefix. */
static size_t count_entries(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

Test(hostile, output_file_is_replaced_whole_and_no_temp_file_is_left)
{
	json_error_t jerr;
	struct run_result r;
	char *report;
	json_t *j;

	th_write(dir, "report.json", "old report\n");
	plant("t/a.txt", "", 40, "\n");
	r = LG("scan", "--format", "json", "-o", "report.json", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	report = read_in("report.json");
	j = json_loads(report, 0, &jerr);
	cr_assert_not_null(j, "%s: %s", jerr.text, report);
	cr_assert_eq(json_array_size(j), 1);
	cr_assert_eq(count_entries("report.json"), 1,
		     "a temporary file is left");
	json_decref(j);
	free(report);
	th_run_release(&r);
}

Test(hostile, output_that_cannot_be_renamed_into_place_fails_cleanly)
{
	struct run_result r;
	struct stat st;
	char *out = path_in("out");

	/* The report is written to a temporary file, then rename() fails. */
	cr_assert_eq(mkdir(out, 0755), 0);
	th_write(dir, "out/existing", "keep\n");
	plant("t/a.txt", "", 41, "\n");
	r = LG("scan", "-o", "out", "t");
	cr_assert_eq(r.status, 2, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, "leakgate: out: "), "%s", r.err);
	cr_assert_eq(stat(out, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(count_entries("out"), 1, "a temporary file is left");
	th_run_release(&r);
	free(out);
}

/* `-o` onto a FIFO writes into it: a reader gets the report, no file appears. */
Test(hostile, output_to_a_fifo_is_written_in_place)
{
	struct run_result r;
	struct stat st;
	struct buf cmd = BUF_INIT;
	char *fifo = path_in("fifo");

	cr_assert_eq(mkfifo(fifo, 0600), 0);
	plant("t/a.txt", "", 43, "\n");
	buf_addf(&cmd, "timeout 10 cat fifo > got.txt & '%s' scan -o fifo t; "
		       "echo status=$?; wait",
		 getenv("LEAKGATE_BIN"));
	r = th_sh(dir, cmd.ptr);
	cr_assert(strstr(r.out, "status=1\n"), "%s %s", r.out, r.err);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the FIFO was replaced");
	free(fifo);
	fifo = read_in("got.txt");
	cr_assert(strstr(fifo, "t/a.txt:1:1"), "%s", fifo);
	cr_assert_eq(count_entries("fifo"), 1, "a temporary file is left");
	th_run_release(&r);
	buf_release(&cmd);
	free(fifo);
}

/* `-o` onto a symlink writes through it and leaves the link a link. */
Test(hostile, output_to_a_symlink_is_written_through_it)
{
	struct run_result r;
	struct stat st;
	char *link = path_in("link.txt");
	char *got;

	th_write(dir, "target.txt", "old report\n");
	cr_assert_eq(symlink("target.txt", link), 0);
	plant("t/a.txt", "", 44, "\n");
	r = LG("scan", "-o", "link.txt", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the symlink was replaced");
	got = read_in("target.txt");
	cr_assert(strstr(got, "t/a.txt:1:1"), "%s", got);
	cr_assert_null(strstr(got, "old report"), "%s", got);
	cr_assert_eq(count_entries("link.txt"), 1, "a temporary file is left");
	th_run_release(&r);
	free(link);
	free(got);
}

/*
 * `-o` onto a full device: the write error is reported with the path and
 * exit 2, and the device stays a device.  A private node of /dev/full's
 * numbers in the test directory stands in for it when mknod is allowed, so
 * a broken build can never replace the machine's /dev/full.
 */
Test(hostile, output_to_a_full_device_fails_with_the_reason)
{
	struct run_result r;
	struct stat st;
	char *full = path_in("full");
	const char *target = full;

	if (mknod(full, S_IFCHR | 0666, makedev(1, 7)) ||
	    access(full, W_OK))
		target = "/dev/full";
	plant("t/a.txt", "", 45, "\n");
	r = LG("scan", "-o", target, "t");
	cr_assert_eq(r.status, 2, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.err, target), "%s", r.err);
	cr_assert(strstr(r.err, "No space left on device"), "%s", r.err);
	cr_assert_eq(stat(target, &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "%s was replaced", target);
	th_run_release(&r);
	free(full);
}

/*
 * Starts the binary in dir, output to sig.out and sig.err, stdin from
 * in (-1: inherited); returns its pid.
 */
static pid_t start_leakgate_from(const char *const *argv, int in)
{
	const char *bin = getenv("LEAKGATE_BIN");
	pid_t pid;
	int out, err;

	cr_assert_not_null(bin);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid)
		return pid;
	if (chdir(dir))
		_exit(127);
	out = open("sig.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	err = open("sig.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(127);
	execv(bin, (char *const *)argv);
	_exit(127);
}

static pid_t start_leakgate(const char *const *argv)
{
	return start_leakgate_from(argv, -1);
}

/*
 * Starts the binary reading a pipe that never ends (the test keeps its
 * write end open); *to is the write end, non-blocking.
 */
static pid_t start_leakgate_on_pipe(const char *const *argv, int *to)
{
	int p[2];
	pid_t pid;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = start_leakgate_from(argv, p[0]);
	close(p[0]);
	cr_assert_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	*to = p[1];
	return pid;
}

/* Feeds zeros into fd until the reader has gone (EPIPE) or `bytes` are in. */
static size_t feed_zeros(int fd, size_t bytes)
{
	static const char zeros[65536];
	struct timespec pause = { 0, 1000000 };
	size_t sent = 0;
	ssize_t n;

	while (sent < bytes) {
		n = write(fd, zeros, sizeof(zeros));
		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno == EAGAIN)
			nanosleep(&pause, NULL);
		else
			break;
	}
	return sent;
}

/* Waits until the reader of pipe fd has taken everything written to it. */
static void wait_for_pipe_drained(int fd)
{
	struct timespec pause = { 0, 10000000 };
	int unread = 1, i;

	for (i = 0; i < 6000 && unread; i++) {
		cr_assert_eq(ioctl(fd, FIONREAD, &unread), 0);
		if (unread)
			nanosleep(&pause, NULL);
	}
	cr_assert_eq(unread, 0, "the scan does not read its input");
}

/* stdin that never ends is read only up to --max-file-size, then skipped. */
Test(hostile, endless_stdin_stops_at_the_size_cap, .timeout = 30)
{
	const char *const argv[] = { "leakgate", "scan", "--max-file-size",
				     "1M", "-", NULL };
	char *err;
	int to, wstatus;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	pid = start_leakgate_on_pipe(argv, &to);
	cr_assert_lt(feed_zeros(to, (size_t)64 << 20), (size_t)64 << 20,
		     "stdin was read past the cap");
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	close(to);
	cr_assert(WIFEXITED(wstatus), "killed by signal %d", WTERMSIG(wstatus));
	cr_assert_eq(WEXITSTATUS(wstatus), 0);
	err = read_in("sig.err");
	cr_assert(strstr(err, "skipping <stdin>: larger than 1048576 bytes"),
		  "%s", err);
	free(err);
}

/* SIGTERM while stdin is read (and no end in sight) stops the scan. */
Test(hostile, a_signal_stops_reading_stdin, .timeout = 30)
{
	const char *const argv[] = { "leakgate", "scan", "-", NULL };
	char *err;
	int to, wstatus;
	pid_t pid;

	pid = start_leakgate_on_pipe(argv, &to);
	cr_assert_eq(write(to, "some input\n", 11), 11);
	wait_for_pipe_drained(to);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	close(to);
	cr_assert(WIFEXITED(wstatus), "killed by signal %d", WTERMSIG(wstatus));
	cr_assert_eq(WEXITSTATUS(wstatus), 2);
	err = read_in("sig.err");
	cr_assert(strstr(err, "interrupted"), "%s", err);
	free(err);
}

/*
 * Waits until sig.err shows that files are being scanned: up to a minute,
 * which only a stuck scan needs (each poll ends the wait as soon as it can).
 */
static void wait_for_scan_to_start(void)
{
	struct timespec pause = { 0, 50000000 };
	char *err = NULL;
	int i;

	for (i = 0; i < 1200; i++) {
		free(err);
		err = read_in("sig.err");
		if (strstr(err, "match limit"))
			break;
		nanosleep(&pause, NULL);
	}
	cr_assert_lt(i, 1200, "the scan did not start: %s", err);
	free(err);
}

Test(hostile, sigint_stops_the_scan_and_says_the_results_are_partial)
{
	const char *const argv[] = { "leakgate", "--rules", "catastrophic.yaml",
				     "scan", "-j1", "t", NULL };
	char *err;
	int wstatus;
	pid_t pid;

	write_slow_tree(1500);
	pid = start_leakgate(argv);
	wait_for_scan_to_start();
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_assert(WIFEXITED(wstatus), "killed by signal %d", WTERMSIG(wstatus));
	cr_assert_eq(WEXITSTATUS(wstatus), 2);
	err = read_in("sig.err");
	cr_assert(strstr(err, "leakgate: interrupted: the results above are "
			      "partial"), "%s", err);
	cr_assert_null(strstr(err, "1500 files scanned"), "%s", err);
	free(err);
}

/* Whether process pid still has its own handler for sig (SA_RESETHAND). */
static int catches(pid_t pid, int sig)
{
	struct buf path = BUF_INIT;
	char *status, *cgt;
	unsigned long long mask = 0;

	buf_addf(&path, "/proc/%d/status", (int)pid);
	status = read_in_abs(path.ptr);
	cgt = strstr(status, "SigCgt:");
	cr_assert_not_null(cgt, "%s", status);
	mask = strtoull(cgt + 7, NULL, 16);
	free(status);
	buf_release(&path);
	return (mask >> (sig - 1)) & 1;
}

/*
 * SIGINT while a run of queued files waits: the scan stops after the file
 * in hand, not after the whole run a worker took.  The pause point holds
 * the first read until the signal has been handled, so nothing races.
 */
Test(hostile, sigint_stops_a_worker_between_files)
{
	const char *const argv[] = { "leakgate", "scan", "-j1", "t", NULL };
	struct timespec pause = { 0, 10000000 };
	struct buf name = BUF_INIT;
	char *err, *walked, *go, *at;
	unsigned i;
	int fd, wstatus;
	pid_t pid;

	for (i = 0; i < 200; i++) {
		buf_reset(&name);
		buf_addf(&name, "t/f%04u.txt", i);
		th_write(dir, name.ptr, "plain text\n");
	}
	walked = path_in("pause.walked");
	go = path_in("pause.go");
	cr_assert_eq(mkfifo(walked, 0600) | mkfifo(go, 0600), 0);
	at = path_in("pause");
	setenv("LEAKGATE_TEST_PAUSE", at, 1);
	pid = start_leakgate(argv);
	unsetenv("LEAKGATE_TEST_PAUSE");
	free(read_in("pause.walked"));
	cr_assert_eq(kill(pid, SIGINT), 0);
	for (i = 0; i < 1000 && catches(pid, SIGINT); i++)
		nanosleep(&pause, NULL);
	cr_assert(!catches(pid, SIGINT), "SIGINT was not handled");
	fd = open(go, O_WRONLY | O_NONBLOCK);
	if (fd >= 0)
		close(fd);
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 2);
	err = read_in("sig.err");
	cr_assert(strstr(err, "interrupted"), "%s", err);
	cr_assert(strstr(err, "leakgate: 0 files scanned") ||
		  strstr(err, "leakgate: 1 files scanned") ||
		  strstr(err, "leakgate: 2 files scanned"), "%s", err);
	free(err);
	free(walked);
	free(go);
	free(at);
	buf_release(&name);
}

/* ---- odd repositories (`scan`; `history` is in test_hostile_git.c) ------ */

Test(hostile, a_git_file_pointing_nowhere_is_scanned_as_plain_files)
{
	struct run_result r;

	th_write(dir, "w/.git", "gitdir: /nonexistent/leakgate/worktree\n");
	th_write(dir, "w/.gitignore", "*.txt\n");
	plant("w/a.txt", "", 42, "\n");
	r = LG("scan", "w");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "w/a.txt:1:1"), "%s", r.out);
	th_run_release(&r);
}

Test(hostile, a_fifo_gitignore_does_not_block)
{
	struct run_result r;

	plant("t/sub/real.txt", "", 9, "\n");
	r = th_sh(dir, "cd t && git init -q . && mkfifo sub/.gitignore");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG("scan", "t");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert(strstr(r.out, "t/sub/real.txt:1:1"), "%s", r.out);
	cr_assert(strstr(r.err, "not a regular file"), "%s", r.err);
	th_run_release(&r);
}
