/* `leakgate scan` and `leakgate rules` end to end, through the real binary. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "finding.h"
#include "helpers.h"

TH_DIR_SUITE(e2e_scan, dir, .timeout = 60);

/* Runs leakgate in cwd with the arguments after input, NULL-terminated. */
#define LG(cwd, input, ...) \
	th_leakgate(cwd, input, (const char *const[]){ __VA_ARGS__, NULL })

/* A classic GitHub-style fake token with a valid checksum. */
static const char *ghp(unsigned seed, int slot)
{
	return th_fake_token("ghp_", 30, seed, slot);
}

/* Writes "before TOKEN after" to base/rel; returns the token (slot 0). */
static const char *plant_in(const char *base, const char *rel,
			    const char *before, unsigned seed,
			    const char *after)
{
	const char *t = ghp(seed, 0);
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s%s%s", before, t, after);
	th_write(base, rel, b.ptr);
	buf_release(&b);
	return t;
}

/* Writes "before TOKEN\n" to dir/rel; returns the token. */
static const char *plant(const char *rel, const char *before, unsigned seed)
{
	return plant_in(dir, rel, before, seed, "\n");
}

static char *path_in(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, rel);
	return buf_detach(&b);
}

static json_t *parse_json(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, text);
	cr_assert(json_is_array(j));
	return j;
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "'%s' is not a string", key);
	return json_string_value(v);
}

/* ---- output -------------------------------------------------------------- */

Test(e2e_scan, text_format_redacts_by_default)
{
	const char *t;
	char want[200], fp[FINGERPRINT_HEX + 1];
	struct run_result r;

	th_write(dir, "clean.txt", "nothing to see\n");
	t = plant("config.env", "# deploy settings\nGITHUB_TOKEN=", 1);
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	finding_fingerprint("github-pat-classic", t, strlen(t), fp);
	snprintf(want, sizeof(want),
		 "config.env:2:14  github-pat-classic  critical  %.8s*****  "
		 "checksum  %s\n", t, fp);
	cr_assert_str_eq(r.out, want);
	cr_assert_null(strstr(r.out, t));
	cr_assert_null(strstr(r.err, t), "a secret reached stderr");
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--show-secrets", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.out, t));
	cr_assert_null(strstr(r.err, t));
	th_run_release(&r);
}

Test(e2e_scan, summary_line_on_stderr)
{
	struct run_result r;

	plant("a.txt", "token: ", 2);
	th_write(dir, "b.txt", "clean\n");
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "leakgate: 2 files scanned,"), "%s",
			   r.err);
	cr_assert_not_null(strstr(r.err, ", 1 findings,"), "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "-q", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	th_run_release(&r);
}

Test(e2e_scan, json_report_fields)
{
	const char *t;
	struct run_result r;
	json_t *arr, *f;

	t = plant("sub/dir/app.yml", "auth:\n  token: ", 3);
	r = LG(dir, NULL, "scan", "--format", "json", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	arr = parse_json(r.out);
	cr_assert_eq(json_array_size(arr), 1);
	f = json_array_get(arr, 0);
	cr_assert_str_eq(str_field(f, "rule"), "github-pat-classic");
	cr_assert_str_eq(str_field(f, "name"),
			 "GitHub personal access token (classic)");
	cr_assert_str_eq(str_field(f, "severity"), "critical");
	cr_assert_str_eq(str_field(f, "confidence"), "checksum");
	cr_assert_str_eq(str_field(f, "path"), "sub/dir/app.yml");
	cr_assert_eq(json_integer_value(json_object_get(f, "line")), 2);
	cr_assert_eq(json_integer_value(json_object_get(f, "column")), 10);
	cr_assert_eq(strncmp(str_field(f, "secret"), t, 8), 0);
	cr_assert_null(strstr(r.out, t));
	cr_assert_eq(strlen(str_field(f, "fingerprint")), 32);
	json_decref(arr);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "-f", "json", "--show-secrets", ".");
	arr = parse_json(r.out);
	cr_assert_str_eq(str_field(json_array_get(arr, 0), "secret"), t);
	json_decref(arr);
	th_run_release(&r);
}

Test(e2e_scan, clean_json_is_an_empty_array)
{
	struct run_result r;

	th_write(dir, "a.txt", "nothing\n");
	r = LG(dir, NULL, "scan", "-f", "json", ".");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "[]\n");
	th_run_release(&r);
}

Test(e2e_scan, output_file)
{
	struct run_result r;
	struct buf report = BUF_INIT;
	char *out = path_in("report.json");
	json_t *arr;

	th_write(dir, "src/a.txt", "");
	plant("src/b.txt", "x = ", 4);
	r = LG(dir, NULL, "scan", "-f", "json", "-o", out, "src");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_eq(buf_read_file(&report, out, 0, NULL), 0);
	arr = parse_json(report.ptr);
	cr_assert_eq(json_array_size(arr), 1);
	cr_assert_str_eq(str_field(json_array_get(arr, 0), "path"),
			 "src/b.txt");
	json_decref(arr);
	buf_release(&report);
	th_run_release(&r);
	free(out);
}

Test(e2e_scan, stdin_dash)
{
	struct buf in = BUF_INIT;
	const char *t = ghp(5, 0);
	struct run_result r;

	buf_addf(&in, "line one\nexport TOKEN=%s\n", t);
	r = LG(dir, in.ptr, "scan", "-");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "<stdin>:2:14  github-pat-classic", 32), 0,
		     "%s", r.out);
	th_run_release(&r);
	r = LG(dir, "nothing here\n", "scan", "-");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	th_run_release(&r);
	buf_release(&in);
}

Test(e2e_scan, inline_allow)
{
	struct run_result r;

	plant("a.txt", "# leakgate:allow\n", 6);
	plant_in(dir, "b.txt", "t = ", 7, "  # leakgate:allow\n");
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "a.txt:2:", 8), 0, "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scan, same_output_for_any_thread_count)
{
	struct run_result one, many;
	char name[32];
	unsigned i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "d%u/f%u.txt", i % 5, i);
		plant(name, "k: ", 100 + i);
	}
	one = LG(dir, NULL, "scan", "-j", "1", ".");
	many = LG(dir, NULL, "scan", "-j", "8", ".");
	cr_assert_eq(one.status, 1);
	cr_assert_eq(th_count(one.out, "\n"), 40);
	cr_assert_str_eq(one.out, many.out);
	th_run_release(&one);
	th_run_release(&many);
}

Test(e2e_scan, overlapping_paths_scan_a_file_once)
{
	struct run_result r;

	plant("src/a.txt", "", 25);
	r = LG(dir, NULL, "scan", ".", "src", "src/a.txt", "./src/a.txt");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.err, " 1 files scanned"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_scan, hostile_file_names_are_escaped)
{
	static const char shown[] = "ev\\x1b[31mil\\nname.txt:1:5  ";
	struct run_result r;

	plant("ev\x1b[31mil\nname.txt", "k = ", 26);
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_null(strchr(r.out, '\x1b'), "%s", r.out);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, shown, sizeof(shown) - 1), 0, "%s", r.out);
	th_run_release(&r);
}

/* ---- exit status --------------------------------------------------------- */

Test(e2e_scan, exit_status_clean_found_error)
{
	struct run_result r;

	th_write(dir, "a.txt", "clean\n");
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	th_run_release(&r);
	plant("b.txt", "", 8);
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--exit-code", "7", ".");
	cr_assert_eq(r.status, 7);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "no-such-dir");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "no-such-dir"), "%s", r.err);
	th_run_release(&r);
}

Test(e2e_scan, bad_options_exit_2)
{
	static const char *const bad[][4] = {
		{ "scan", "--bogus", NULL, NULL },
		{ "scan", "--format", "xml", NULL },
		{ "scan", "--exit-code", "300", NULL },
		{ "scan", "--fail-on", "urgent", NULL },
		{ "scan", "--max-file-size", "-5", NULL },
		{ "scan", "--max-file-size", "99999999999999G", NULL },
		{ "scan", "--threads", "0", NULL },
		{ "scan", "--color=sometimes", NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run_result r = th_leakgate(dir, NULL, bad[i]);
		cr_expect_eq(r.status, 2, "%s: %d", bad[i][1], r.status);
		cr_expect_eq(strncmp(r.err, "leakgate: ", 10), 0, "%s", r.err);
		cr_expect_str_eq(r.out, "");
		th_run_release(&r);
	}
}

Test(e2e_scan, fail_on_ignores_lower_severities)
{
	struct run_result r;
	char *rules = path_in("high.yaml");

	th_write(dir, "high.yaml",
		 "rules:\n"
		 "  - id: demo-high\n"
		 "    severity: high\n"
		 "    keywords: [demo_]\n"
		 "    pattern: 'demo_[A-Za-z0-9]{30}'\n");
	th_write(dir, "data/a.txt", "demo_Q7vT2kLm9XpR4sWz8NbY3cHd6FgJ1a\n");
	r = LG(dir, NULL, "scan", "--rules", rules, "--fail-on", "critical",
	       "data");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "demo-high  high"), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--rules", rules, "--fail-on", "high",
	       "data");
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
	free(rules);
}

/* A vendor-named rule is a fallback: a provider's pattern on the same bytes wins. */
Test(e2e_scan, vendor_named_rule_yields_to_a_provider_pattern)
{
	struct run_result r;
	char *rules = path_in("named.yaml");

	th_write(dir, "named.yaml",
		 "rules:\n"
		 "  - id: demo-named\n"
		 "    keywords: [zorbivend]\n"
		 "    value: '[A-Za-z0-9_]{30,40}'\n"
		 "  - id: demo-prefixed\n"
		 "    keywords: [zbv_]\n"
		 "    pattern: 'zbv_[A-Za-z0-9]{30}'\n");
	th_write(dir, "data/a.txt",
		 "ZORBIVEND_KEY=zbv_Q7vT2kLm9XpR4sWz8NbY3cHd6FgJ1a\n"
		 "ZORBIVEND_SECRET=Q7vT2kLm9XpR4sWz8NbY3cHd6FgJ1a\n");
	r = LG(dir, NULL, "scan", "--no-config", "--rules", rules, "data");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "a.txt:1:15  demo-prefixed"), "%s",
			   r.out);
	cr_expect_null(strstr(r.out, "a.txt:1:15  demo-named"), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "a.txt:2:18  demo-named"), "%s",
			   r.out);
	th_run_release(&r);
	free(rules);
}

/* ---- what is walked ------------------------------------------------------ */

Test(e2e_scan, git_directories_are_skipped)
{
	struct run_result r;

	th_git_init(dir);
	plant(".git/leaked", "", 9);
	plant("sub/.git/config", "", 10);
	th_write(dir, "a.txt", "clean\n");
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	th_run_release(&r);
}

Test(e2e_scan, gitignore_inside_a_work_tree)
{
	struct run_result r;

	th_git_init(dir);
	th_write(dir, ".gitignore", "ignored.txt\nbuild/\n*.log\n");
	plant("ignored.txt", "", 11);
	plant("build/out.txt", "", 12);
	plant("sub/debug.log", "", 13);
	plant("kept.txt", "", 14);
	r = LG(dir, NULL, "scan", "--respect-gitignore", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "kept.txt:", 9), 0, "%s", r.out);
	th_run_release(&r);
	/* The same from outside, naming a subdirectory of the work tree. */
	r = LG("/", NULL, "scan", "--respect-gitignore", dir);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	th_run_release(&r);
	/* By default what git ignores is scanned too, and marked. */
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(th_count(r.out, "\n"), 4, "%s", r.out);
	cr_assert_eq(th_count(r.out, "(git-ignored)"), 3, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--no-ignore", ".");
	cr_assert_eq(th_count(r.out, "\n"), 4, "%s", r.out);
	cr_assert_eq(th_count(r.out, "(git-ignored)"), 0, "%s", r.out);
	th_run_release(&r);
	/* A file named on the command line is scanned even if ignored. */
	r = LG(dir, NULL, "scan", "ignored.txt");
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
}

/* git never ignores a tracked file: `scan` does not either. */
Test(e2e_scan, tracked_files_are_scanned_whatever_gitignore_says)
{
	struct run_result r;

	th_git_init(dir);
	th_write(dir, ".gitignore", "*\n!.gitignore\n");
	plant("tracked.txt", "", 16);
	plant("deep/er/tracked.txt", "", 17);
	th_shf(dir, "git add -f tracked.txt deep/er/tracked.txt .gitignore");
	th_git_commit(dir, "tracked despite the ignore rules");
	plant("untracked.txt", "", 18);
	plant("deep/untracked.txt", "", 19);
	plant("other/untracked.txt", "", 20);
	/* By default the untracked ignored ones are scanned too, marked. */
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(th_count(r.out, "(git-ignored)"), 3, "%s", r.out);
	cr_assert_eq(th_count(r.out, "\n"), 5, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--respect-gitignore", ".");
	cr_assert_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_assert_eq(th_count(r.out, "\n"), 2, "%s", r.out);
	cr_assert(strstr(r.out, "\ntracked.txt:1:1") ||
		  !strncmp(r.out, "tracked.txt:1:1", 15), "%s", r.out);
	cr_assert(strstr(r.out, "deep/er/tracked.txt:1:1"), "%s", r.out);
	th_run_release(&r);
	/* Named inside the ignored directory: only its tracked file. */
	r = LG(dir, NULL, "scan", "--respect-gitignore", "deep");
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert(strstr(r.out, "deep/er/tracked.txt:1:1"), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scan, gitignore_ignored_outside_a_work_tree)
{
	struct run_result r;

	th_write(dir, ".gitignore", "ignored.txt\n");
	plant("ignored.txt", "", 15);
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(strncmp(r.out, "ignored.txt:", 12), 0, "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scan, linked_work_tree_honours_the_shared_excludes)
{
	char *main_dir = path_in("main"), *home = path_in("home");
	struct run_result r;

	th_write(main_dir, "README", "main\n");
	th_git_init(main_dir);
	th_git_commit(main_dir, "first");
	th_shf(main_dir, "git worktree add -q ../linked");
	th_write(main_dir, ".git/info/exclude", "from-info.txt\n");
	th_write(home, ".gitconfig", "[include]\n\tpath = cfg/excludes.inc\n");
	th_write(home, "cfg/excludes.inc",
		 "[core]\n\texcludesFile = ~/global-ignore\n");
	th_write(home, "global-ignore", "from-global.txt\n");
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	plant("linked/from-info.txt", "", 40);
	plant("linked/from-global.txt", "", 41);
	plant("linked/kept.txt", "", 42);
	r = LG(dir, NULL, "scan", "--respect-gitignore", "linked");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "linked/kept.txt:", 16), 0, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--no-ignore", "linked");
	cr_assert_eq(th_count(r.out, "\n"), 3, "%s", r.out);
	th_run_release(&r);
	free(main_dir);
	free(home);
}

Test(e2e_scan, binary_files_are_skipped)
{
	struct buf b = BUF_INIT;
	struct run_result r;
	size_t i;

	buf_add(&b, "\177ELF\0\0\0", 7);
	buf_adds(&b, ghp(16, 0));
	th_writen(dir, "tool.bin", b.ptr, b.len);
	/* A NUL only after the first 8 KiB does not make a file binary. */
	buf_reset(&b);
	for (i = 0; i < 9000; i++)
		buf_addch(&b, i % 80 == 79 ? '\n' : 'a');
	buf_add(&b, "\0\n", 2);
	buf_addf(&b, "k = %s\n", ghp(17, 1));
	th_writen(dir, "late-nul.txt", b.ptr, b.len);
	r = LG(dir, NULL, "scan", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "late-nul.txt:", 13), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.err, "1 binary"), "%s", r.err);
	th_run_release(&r);
	buf_release(&b);
}

Test(e2e_scan, max_file_size)
{
	struct run_result r;

	plant("big.txt", "padding padding padding padding padding\nk = ", 18);
	plant("small.txt", "", 19);
	r = LG(dir, NULL, "scan", "--max-file-size", "60", ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "small.txt:", 10), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.err, "skipping big.txt"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "1 too large"), "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--max-file-size", "1K", ".");
	cr_assert_eq(th_count(r.out, "\n"), 2, "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scan, symlinks_are_not_followed)
{
	struct run_result r;
	char *outside = th_tmpdir();
	struct buf cmd = BUF_INIT;

	plant("real.txt", "", 20);
	plant_in(outside, "secret.txt", "k = ", 21, "\n");
	buf_addf(&cmd,
		 "mkdir tree && mv real.txt tree/ && "
		 "ln -s '%s/secret.txt' tree/file-link && "
		 "ln -s '%s' tree/dir-link && ln -s real.txt tree/same-link",
		 outside, outside);
	r = th_sh(dir, cmd.ptr);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "tree");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_eq(strncmp(r.out, "tree/real.txt:", 14), 0, "%s", r.out);
	th_run_release(&r);
	/* A link to a directory named on the command line is walked. */
	r = LG(dir, NULL, "scan", "tree/dir-link");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "tree/dir-link/secret.txt:", 25), 0, "%s",
		     r.out);
	th_run_release(&r);
	buf_release(&cmd);
	th_rmtree(outside);
}

Test(e2e_scan, unreadable_paths_are_reported_and_the_rest_scanned)
{
	struct run_result r;

	/*
	 * The tests run as root, for whom chmod 000 hides nothing: use a
	 * dangling link and a FIFO, which cannot be read as files either.
	 */
	plant("good.txt", "", 22);
	r = th_sh(dir, "ln -s missing-target dangling && mkfifo pipe");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "good.txt", "dangling", "pipe");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "good.txt:", 9), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.err, "skipping dangling: No such file"),
			   "%s", r.err);
	cr_assert_not_null(strstr(r.err, "skipping pipe: not a regular file"),
			   "%s", r.err);
	cr_assert_not_null(strstr(r.err, "2 unreadable"), "%s", r.err);
	th_run_release(&r);
}

/* ---- rules --------------------------------------------------------------- */

Test(e2e_scan, bad_rules_file_exits_2_naming_file_and_rule)
{
	struct run_result r;
	char *rules = path_in("broken.yaml");

	th_write(dir, "broken.yaml",
		 "rules:\n"
		 "  - id: my-broken-rule\n"
		 "    pattern: 'abc(('\n");
	th_write(dir, "a.txt", "clean\n");
	r = LG(dir, NULL, "scan", "--rules", rules, "a.txt");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "broken.yaml:2"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "my-broken-rule"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "offset"), "%s", r.err);
	cr_assert_str_eq(r.out, "");
	th_run_release(&r);
	free(rules);
}

Test(e2e_scan, rules_override_a_builtin_by_id)
{
	struct run_result r;
	char *rules = path_in("mine.yaml");

	th_write(dir, "mine.yaml",
		 "rules:\n"
		 "  - id: github-pat-classic\n"
		 "    name: Tamed\n"
		 "    severity: low\n"
		 "    keywords: [ghp_]\n"
		 "    pattern: '(ghp_[A-Za-z0-9]{36})'\n");
	plant("src/a.txt", "", 23);
	r = LG(dir, NULL, "scan", "--rules", rules, "src");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "github-pat-classic  low"), "%s",
			   r.out);
	th_run_release(&r);
	free(rules);
}

Test(e2e_scan, no_builtin_rules)
{
	struct run_result r;
	char *rules = path_in("only.yaml");

	th_write(dir, "only.yaml",
		 "rules:\n"
		 "  - id: only-mine\n"
		 "    keywords: [mine_]\n"
		 "    pattern: 'mine_[A-Za-z0-9]{30}'\n");
	plant("src/a.txt", "", 24);
	th_write(dir, "src/b.txt", "mine_Q7vT2kLm9XpR4sWz8NbY3cHd6FgJ1a\n");
	r = LG(dir, NULL, "scan", "--no-builtin-rules", "src");
	cr_assert_eq(r.status, 0, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "--no-builtin-rules", "--rules", rules,
	       "src");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "src/b.txt:1:1  only-mine  high"),
			   "%s", r.out);
	th_run_release(&r);
	free(rules);
}

Test(e2e_scan, rules_list)
{
	struct run_result r;
	char *rules = path_in("extra.yaml");

	th_write(dir, "extra.yaml",
		 "rules:\n"
		 "  - id: extra-rule\n"
		 "    name: Extra\n"
		 "    severity: medium\n"
		 "    pattern: 'extra_[0-9]{8}'\n");
	r = LG(dir, NULL, "rules", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "github-pat-classic"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "critical"));
	cr_assert_null(strstr(r.out, "extra-rule"));
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "list", "--rules", rules);
	cr_assert_not_null(strstr(r.out, "extra-rule"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "medium"));
	th_run_release(&r);
	r = LG(dir, NULL, "rules");
	cr_assert_eq(r.status, 2);
	th_run_release(&r);
	free(rules);
}

Test(e2e_scan, rules_check)
{
	struct run_result r;
	char *good = path_in("good.yaml"), *bad = path_in("bad.yaml");

	th_write(dir, "good.yaml",
		 "rules:\n"
		 "  - id: good-rule\n"
		 "    keywords: [good_]\n"
		 "    pattern: 'good_[0-9]{8}'\n"
		 "    examples: ['x = good_48151623']\n"
		 "    negative-examples: ['good_123']\n");
	th_write(dir, "bad.yaml",
		 "rules:\n"
		 "  - id: fine-rule\n"
		 "    pattern: 'fine_[0-9]{8}'\n"
		 "    examples: ['fine_48151623']\n"
		 "  - id: bad-rule\n"
		 "    keywords: [bad_]\n"
		 "    pattern: 'bad_[0-9]{8}'\n"
		 "    examples: ['bad_1234']\n");
	r = LG(dir, NULL, "rules", "check", good);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "1 rules checked, 0 failures"), "%s",
			   r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "check", bad);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err,
				  "bad.yaml:5: rule 'bad-rule': example 1 "
				  "does not match"),
			   "%s", r.err);
	cr_assert_null(strstr(r.err, "fine-rule"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "2 rules checked, 1 failures"), "%s",
			   r.err);
	th_run_release(&r);
	free(good);
	free(bad);
}

/* A token in a URL's userinfo goes through its format's checksum too. */
Test(e2e_scan, url_userinfo_tokens_are_checksummed)
{
	struct run_result r;
	struct buf b = BUF_INIT;
	const char *good = ghp(5, 0), *bad = th_fake_token_bad("gho_", 30, 6, 1);

	buf_addf(&b, "a = https://x-access-token:%s@github.com/o/r\n"
		 "b = https://%s:x-oauth-basic@github.com/o/r\n", bad, bad);
	th_write(dir, "bad.txt", b.ptr);
	buf_reset(&b);
	buf_addf(&b, "https://x-access-token:%s@github.com/o/r\n", good);
	th_write(dir, "good.txt", b.ptr);
	buf_release(&b);
	r = LG(dir, NULL, "scan", "bad.txt");
	cr_assert_eq(r.status, 0, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "good.txt");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "github-pat-classic"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "checksum"), "%s", r.out);
	cr_assert_null(strstr(r.out, "url-credentials"), "%s", r.out);
	th_run_release(&r);
}

Test(e2e_scan, rules_list_groups_by_family_with_counts)
{
	struct run_result r;
	char *rules = path_in("extra.yaml");
	const char *fam, *gh;

	th_write(dir, "extra.yaml",
		 "rules:\n"
		 "  - id: extra-one\n"
		 "    pattern: 'extra_[0-9]{8}'\n"
		 "  - id: extra-two\n"
		 "    pattern: 'extra_[a-f]{8}'\n");
	r = LG(dir, NULL, "rules", "list", "--rules", rules);
	cr_assert_eq(r.status, 0, "%s", r.err);
	fam = strstr(r.out, "extra.yaml (2 rules)\n  extra-one ");
	cr_assert_not_null(fam, "%s", r.out);
	cr_assert_not_null(strstr(fam, "\n  extra-two "), "%s", r.out);
	gh = strstr(r.out, "rules/github.yaml (");
	cr_assert_not_null(gh, "%s", r.out);
	cr_assert_not_null(strstr(gh, "\n  github-pat-classic "), "%s", r.out);
	/* The summary counts the extra file with the built-in ones. */
	cr_assert_not_null(strstr(r.out, " rules in "), "%s", r.out);
	cr_assert_eq(th_count(r.out, " rules)\n") + th_count(r.out, " rule)\n"),
		     (size_t)atoi(strstr(r.out, " rules in ") + 10), "%s", r.out);
	th_run_release(&r);
	free(rules);
}

Test(e2e_scan, rules_show_one_rule)
{
	struct run_result r;
	json_t *j;
	json_error_t jerr;

	r = LG(dir, NULL, "rules", "show", "github-pat-classic");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "id:          github-pat-classic\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "pattern:     (?<!"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "keywords:    ghp_\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "validator:   github-crc32\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\nexamples:\n  GITHUB_TOKEN="), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\nnegative examples:\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\nremediation: "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\nreferences:\n  https://"), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "show", "aws-access-key-id");
	cr_assert_not_null(strstr(r.out, "requires:    aws-secret-access-key-value "
				  "(within 512 bytes; reported alone as well)\n"),
			   "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "show", "-f", "json", "aws-access-key-id");
	cr_assert_eq(r.status, 0, "%s", r.err);
	j = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(j, "%s", r.out);
	cr_assert_str_eq(json_string_value(json_object_get(j, "id")),
			 "aws-access-key-id");
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(j, "requires"), 0)),
			 "aws-secret-access-key-value");
	cr_assert(json_is_array(json_object_get(j, "examples")));
	json_decref(j);
	th_run_release(&r);
	/* A vendor-named rule shows its value shape and the pattern built. */
	r = LG(dir, NULL, "rules", "show", "mailsac-api-key");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "value:       k_[A-Za-z0-9]{36,60}\n"
				  "pattern:     (?:"), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "show", "no-such-rule");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "no rule with that id"), "%s", r.err);
	th_run_release(&r);
	r = LG(dir, NULL, "rules", "show");
	cr_assert_eq(r.status, 2);
	th_run_release(&r);
}

/* An access key id and its secret key: one finding listing both. */
Test(e2e_scan, credentials_in_parts_are_one_finding)
{
	struct run_result r;
	json_t *j, *parts;

	th_write(dir, "pair.env",
		 "AWS_ACCESS_KEY_ID=AKIA" "Q3ZL7TPWNM4XK2RD\n"
		 "AWS_SECRET_ACCESS_KEY=" "k9Zp2Qx7Lm4Vb8Nc1Rt5Wy3Hs6Jd0Fg2Ea9Uo7Ti\n");
	th_write(dir, "alone.env", "AWS_ACCESS_KEY_ID=AKIA" "Q3ZL7TPWNM4XK2RD\n");
	r = LG(dir, NULL, "scan", "-f", "json", "pair.env");
	cr_assert_eq(r.status, 1, "%s", r.err);
	j = parse_json(r.out);
	cr_assert_eq(json_array_size(j), 1, "the secret key is in the pair: %s",
		     r.out);
	cr_assert_str_eq(str_field(json_array_get(j, 0), "rule"),
			 "aws-access-key-id");
	parts = json_object_get(json_array_get(j, 0), "companions");
	cr_assert_eq(json_array_size(parts), 1, "%s", r.out);
	cr_assert_str_eq(str_field(json_array_get(parts, 0), "rule"),
			 "aws-secret-access-key-value");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(parts, 0),
							"line")), 2);
	cr_assert_null(strstr(r.out, "k9Zp2Qx7Lm4Vb8Nc1Rt5"), "redacted");
	json_decref(j);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "pair.env");
	cr_assert_not_null(strstr(r.out, "\n    with aws-secret-access-key-value  "
				  "k9Zp2Qx7*****  at 2:23\n"), "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "-f", "sarif", "pair.env");
	cr_assert_not_null(strstr(r.out, "Its companion (aws-secret-access-key-value)"),
			   "%s", r.out);
	th_run_release(&r);
	/* The id alone is still a finding, under another fingerprint. */
	r = LG(dir, NULL, "scan", "-f", "json", "alone.env");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_null(strstr(r.out, "companions"), "%s", r.out);
	th_run_release(&r);
}

/* A rule's remediation and references reach every report format. */
Test(e2e_scan, reports_carry_remediation_and_references)
{
	static const char fix[] = "fix: Revoke the token in GitHub";
	struct run_result r;
	json_t *j, *refs;

	plant("a.txt", "token: ", 3);
	plant("b.txt", "token: ", 4);
	/* Advice is for a terminal: through a pipe, a line a finding. */
	r = LG(dir, NULL, "scan", "--color=always", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(th_count(r.out, fix), 0, "%s", r.out);
	cr_assert_eq(th_count(r.out, "\n"), 2, "%s", r.out);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "-f", "json", "a.txt");
	j = parse_json(r.out);
	cr_assert_not_null(strstr(str_field(json_array_get(j, 0), "remediation"),
				  "Revoke the token in GitHub"));
	refs = json_object_get(json_array_get(j, 0), "references");
	cr_assert(json_array_size(refs) >= 1, "%s", r.out);
	cr_assert_eq(strncmp(json_string_value(json_array_get(refs, 0)),
			     "https://docs.github.com/", 24), 0);
	json_decref(j);
	th_run_release(&r);
	r = LG(dir, NULL, "scan", "-f", "sarif", "a.txt");
	cr_assert_not_null(strstr(r.out, "\"helpUri\": \"https://docs.github.com/"),
			   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\"text\": \"Revoke the token in GitHub"),
			   "%s", r.out);
	th_run_release(&r);
}

/* A part no rule provides is a rules-check failure, not a scan error. */
Test(e2e_scan, rules_check_names_a_missing_part)
{
	struct run_result r;
	char *rules = path_in("parts.yaml");

	th_write(dir, "parts.yaml",
		 "rules:\n"
		 "  - id: half-pair\n"
		 "    keywords: [hp_]\n"
		 "    pattern: 'hp_([0-9]{8})'\n"
		 "    requires: [other-half]\n"
		 "    standalone: true\n"
		 "    examples: ['hp_48151623']\n");
	r = LG(dir, NULL, "rules", "check", rules);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "rule 'half-pair' requires 'other-half': "
				  "no such rule"), "%s", r.err);
	th_run_release(&r);
	th_write(dir, "a.txt", "hp_48151623\n");
	r = LG(dir, NULL, "scan", "--rules", rules, "a.txt");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "half-pair"), "%s", r.out);
	th_run_release(&r);
	free(rules);
}
