/*
 * Fingerprints, the ignore file, baselines, grouping and the report
 * formats, end to end through the real binary.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"
#include "report_fixture.h"

static char *dir;

static void setup(void)
{
	dir = th_tmpdir();
	th_git_init(dir);
	/* Reports written by the tests stay out of every scan. */
	th_write(dir, ".gitignore", "/reports/\n");
	th_write(dir, "reports/.keep", "");
}

static void teardown(void)
{
	th_rmtree(dir);
	dir = NULL;
}

TestSuite(e2e_filters, .init = setup, .fini = teardown, .timeout = 300);

/* Writes "<lines blank lines>key = TOKEN\n" to dir/rel; returns the token. */
static const char *plant(const char *rel, size_t lines, unsigned seed, int slot)
{
	const char *t = th_fake_token("ghp_", 30, seed, slot);
	struct buf b = BUF_INIT;

	while (lines--)
		buf_addch(&b, '\n');
	buf_addf(&b, "key = %s\n", t);
	th_write(dir, rel, b.ptr);
	buf_release(&b);
	return t;
}

static char *in_dir(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, rel);
	return buf_detach(&b);
}

static json_t *parse_array(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, text);
	cr_assert(json_is_array(j));
	return j;
}

/* The findings of `leakgate <command> -f json` in dir (scan: of "."). */
static json_t *scan_json(const char *command)
{
	struct run_result r = TH_LG(dir, command, "-q", "-f", "json");
	json_t *arr;

	cr_assert_lt(r.status, 2, "%s", r.err);
	arr = parse_array(r.out);
	th_run_release(&r);
	return arr;
}

static char *first_fingerprint(const char *command)
{
	json_t *arr = scan_json(command);
	char *fp;

	cr_assert_geq(json_array_size(arr), 1);
	fp = strdup(json_string_value(
		json_object_get(json_array_get(arr, 0), "fingerprint")));
	json_decref(arr);
	return fp;
}

/* Writes .leakgateignore from a printf template. */
static void write_ignore(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void write_ignore(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	th_write(dir, ".leakgateignore", b.ptr);
	buf_release(&b);
}

Test(e2e_filters, fingerprint_survives_line_moves_and_renames)
{
	struct run_result r;
	char *before, *after, *in_history[2];
	json_t *arr;
	size_t i;

	plant("a.txt", 0, 1, 0);
	before = first_fingerprint("scan");
	th_git_commit(dir, "add");
	r = th_sh(dir, "mkdir -p moved && git mv a.txt moved/b.cfg");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	plant("moved/b.cfg", 7, 1, 0);
	after = first_fingerprint("scan");
	cr_assert_str_eq(before, after);
	th_git_commit(dir, "move it down and away");
	arr = scan_json("history");
	cr_assert_eq(json_array_size(arr), 2, "two blobs, one secret");
	for (i = 0; i < 2; i++)
		in_history[i] = (char *)json_string_value(
			json_object_get(json_array_get(arr, i), "fingerprint"));
	cr_assert_str_eq(in_history[0], before);
	cr_assert_str_eq(in_history[1], before);
	json_decref(arr);
	free(before);
	free(after);
}

Test(e2e_filters, ignore_entry_with_path_glob_from_a_subdirectory)
{
	struct run_result r;
	char *fp, *src = in_dir("src");

	plant("fixtures/x.txt", 0, 2, 0);
	plant("src/y.txt", 3, 2, 0);
	fp = first_fingerprint("scan");
	write_ignore(
		"# tokens the tests use\n%s fixtures/* # fake, for tests\n",
		fp);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "src/y.txt:4:7"), "%s", r.out);
	th_run_release(&r);
	/* The root is the work tree, so globs read the same from anywhere. */
	write_ignore("%s src/*\n", fp);
	r = TH_LG(src, "scan", "-q", ".");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_str_eq(r.out, "");
	th_run_release(&r);
	write_ignore("%s\n", fp);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	th_run_release(&r);
	free(fp);
	free(src);
}

Test(e2e_filters, expired_entry_warns_and_stops_suppressing)
{
	struct run_result r;
	struct buf want = BUF_INIT;
	char *fp;

	plant("a.txt", 0, 3, 0);
	fp = first_fingerprint("scan");
	write_ignore("%s expires=2000-01-01 # was rotated later\n", fp);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_assert_eq(r.status, 1);
	buf_addf(&want,
		 ".leakgateignore:1: ignore entry %s expired on 2000-01-01",
		 fp);
	cr_assert_not_null(strstr(r.err, want.ptr), "%s", r.err);
	th_run_release(&r);
	write_ignore("%s expires=2999-12-31\n", fp);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_str_eq(r.err, "");
	th_run_release(&r);
	buf_release(&want);
	free(fp);
}

Test(e2e_filters, stale_entries_are_listed_on_request)
{
	struct run_result r;
	char *fp;

	plant("a.txt", 0, 4, 0);
	fp = first_fingerprint("scan");
	write_ignore("%s\n\n00000000000000000000000000000000 # long gone\n",
		     fp);
	r = TH_LG(dir, "scan", "-q", "--report-stale-ignores", ".");
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_not_null(strstr(r.err,
				  ".leakgateignore:3: stale ignore entry "
				  "00000000000000000000000000000000"),
			   "%s", r.err);
	cr_assert_null(strstr(r.err, ".leakgateignore:1:"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_assert_null(strstr(r.err, "stale"));
	th_run_release(&r);
	free(fp);
}

Test(e2e_filters, malformed_ignore_line_is_exit_2_naming_file_and_line)
{
	struct run_result r;
	char *other = in_dir("other-ignore");

	plant("a.txt", 0, 5, 0);
	th_write(dir, ".leakgateignore",
		 "# ok\n\n00000000000000000000000000000000\n"
		 "ghp_not_a_fingerprint\n");
	r = TH_LG(dir, "scan", ".");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err,
				  ".leakgateignore:4: the first word must be "
				  "a fingerprint"),
			   "%s", r.err);
	cr_assert_str_eq(r.out, "", "no report after an error");
	th_run_release(&r);
	r = TH_LG(dir, "scan", "--ignore-file", other, ".");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, other), "%s", r.err);
	th_run_release(&r);
	th_write(dir, "other-ignore", "");
	r = TH_LG(dir, "scan", "-q", "--ignore-file", other, ".");
	cr_assert_eq(r.status, 1, "--ignore-file replaces .leakgateignore: %s",
		     r.err);
	th_run_release(&r);
	free(other);
}

/* The report of a scan in dir in format fmt, with extra options. */
static struct run_result scan_as(const char *fmt, const char *opt1,
				 const char *opt2)
{
	if (opt2)
		return TH_LG(dir, "scan", "-q", "-f", fmt, opt1, opt2, ".");
	if (opt1)
		return TH_LG(dir, "scan", "-q", "-f", fmt, opt1, ".");
	return TH_LG(dir, "scan", "-q", "-f", fmt, ".");
}

Test(e2e_filters, baseline_from_a_redacted_report_marks_in_every_format)
{
	static const struct {
		const char *format, *mark;
	} marks[] = {
		{ "text", "(baseline)" },
		{ "json", "\"baseline\": true" },
		{ "jsonl", "\"baseline\":true" },
		{ "sarif", "\"baselineState\": \"unchanged\"" },
		{ "csv", ",baseline," },
		{ "junit", "<skipped message=\"known from the baseline" },
	};
	char *base = in_dir("reports/base.json");
	const char *t = plant("a.txt", 0, 6, 0);
	struct buf saved = BUF_INIT;
	struct run_result r;
	size_t i;

	r = TH_LG(dir, "scan", "-q", "-f", "json", "-o", base, ".");
	cr_assert_eq(r.status, 1);
	th_run_release(&r);
	cr_assert_eq(buf_read_file(&saved, base, 0, NULL), 0);
	cr_assert_null(strstr(saved.ptr, t), "the baseline holds no secret");
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		r = scan_as(marks[i].format, "--baseline", base);
		cr_assert_eq(r.status, 0, "%s: %s", marks[i].format, r.err);
		cr_assert_not_null(strstr(r.out, marks[i].mark), "%s: %s",
				   marks[i].format, r.out);
		th_run_release(&r);
	}
	plant("b.txt", 0, 7, 1);
	r = scan_as("text", "--baseline", base);
	cr_assert_eq(r.status, 1, "a new secret still fails");
	cr_assert_eq(th_count(r.out, "(baseline)"), 1, "%s", r.out);
	th_run_release(&r);
	buf_release(&saved);
	free(base);
}

Test(e2e_filters, new_only_shows_only_new_findings)
{
	char *base = in_dir("reports/base.jsonl");
	struct run_result r;

	plant("a.txt", 0, 8, 0);
	r = TH_LG(dir, "scan", "-q", "-f", "jsonl", "-o", base, ".");
	th_run_release(&r);
	r = scan_as("text", "--baseline", base);
	cr_assert_eq(r.status, 0);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "--new-only", "--baseline", base, ".");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	th_run_release(&r);
	plant("b.txt", 0, 9, 1);
	r = TH_LG(dir, "scan", "-q", "--new-only", "--baseline", base, ".");
	cr_assert_eq(r.status, 1);
	cr_assert_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "b.txt:1:7"), "%s", r.out);
	th_run_release(&r);
	th_write(dir, "bad.json", "{\"rule\": \"x\"}\n");
	r = TH_LG(dir, "scan", "--baseline", "bad.json", ".");
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "bad.json: a finding without a "
					 "fingerprint"),
			   "%s", r.err);
	th_run_release(&r);
	free(base);
}

Test(e2e_filters, group_folds_a_token_in_40_files_into_one_entry)
{
	struct run_result r;
	json_t *arr, *f, *more;
	char rel[32];
	size_t i;

	for (i = 0; i < 40; i++) {
		snprintf(rel, sizeof(rel), "svc%02zu/config.env", i);
		plant(rel, i % 3, 10, 0);
	}
	r = TH_LG(dir, "scan", "-q", "-f", "json", ".");
	arr = parse_array(r.out);
	cr_assert_eq(json_array_size(arr), 40);
	json_decref(arr);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "-f", "json", "--group", ".");
	cr_assert_eq(r.status, 1);
	arr = parse_array(r.out);
	cr_assert_eq(json_array_size(arr), 1);
	f = json_array_get(arr, 0);
	more = json_object_get(f, "locations");
	cr_assert_eq(json_array_size(more), 39);
	cr_assert_eq(json_integer_value(json_object_get(f, "more_locations")),
		     39);
	cr_assert_eq(th_count(r.out, "/config.env\""), 40);
	cr_assert_str_eq(json_string_value(json_object_get(f, "path")),
			 "svc00/config.env");
	json_decref(arr);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", "--group", ".");
	cr_assert_eq(th_count(r.out, "    also at svc"), 39, "%s", r.out);
	th_run_release(&r);
}

Test(e2e_filters, csv_quotes_a_path_with_comma_quote_and_newline)
{
	struct run_result r;

	plant("odd/a,\"b\"\nc.txt", 0, 11, 0);
	r = TH_LG(dir, "scan", "-q", "-f", "csv", ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(strncmp(r.out, "rule,name,severity,", 19), 0);
	cr_assert_not_null(strstr(r.out,
				  ",new,\"odd/a,\"\"b\"\"\nc.txt\",1,7,"),
			   "%s", r.out);
	cr_assert_eq(th_count(r.out, "\r\n"), 2, "header and one record");
	th_run_release(&r);
}

Test(e2e_filters, junit_is_well_formed_for_hostile_paths)
{
	struct run_result r, lint;
	char *report = in_dir("reports/junit.xml");
	struct buf cmd = BUF_INIT;

	plant("x/<tag> & \"q\".txt", 0, 12, 0);
	plant("x/ctl\x01\x1b[2J.txt", 0, 13, 1);
	r = TH_LG(dir, "scan", "-q", "-f", "junit", "-o", report, ".");
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_run_release(&r);
	buf_addf(&cmd,
		 "if command -v xmllint >/dev/null; then xmllint --noout '%s' "
		 "&& echo linted; else grep -c '<testcase ' '%s'; fi",
		 report, report);
	lint = th_sh(dir, cmd.ptr);
	cr_assert_eq(lint.status, 0, "not well-formed XML: %s", lint.err);
	cr_assert(strstr(lint.out, "linted") || atoi(lint.out) == 2, "%s",
		  lint.out);
	th_run_release(&lint);
	buf_release(&cmd);
	free(report);
}

/*
 * Every format carries rule, severity, confidence, place, provenance and
 * fingerprint, and shows the secret only with --show-secrets.
 */
Test(e2e_filters, every_format_carries_the_facts_and_redacts)
{
	static const char *const formats[] = {
		"text", "json", "jsonl", "sarif", "csv", "junit",
	};
	const char *t = plant("conf/app.env", 2, 14, 0);
	char *fp = first_fingerprint("scan");
	struct run_result r;
	size_t i;

	th_git_commit(dir, "add config");
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *f = formats[i];
		r = TH_LG(dir, "history", "-q", "-f", f);
		cr_assert_eq(r.status, 1, "%s: %s", f, r.err);
		cr_assert_not_null(strstr(r.out, "github-pat-classic"), "%s",
				   f);
		cr_assert_not_null(strstr(r.out, "critical"), "%s", f);
		cr_assert_not_null(strstr(r.out, "checksum") ||
					   !strcmp(f, "text"),
				   "%s", f);
		cr_assert_not_null(strstr(r.out, "conf/app.env"), "%s", f);
		cr_assert_not_null(strstr(r.out, "Test Author"), "%s: %s", f,
				   r.out);
		cr_assert_not_null(strstr(r.out, "2024-01-01T00:00:00Z"), "%s",
				   f);
		cr_assert(strstr(r.out, fp) || !strcmp(f, "text"), "%s", f);
		cr_assert_null(strstr(r.out, t), "%s shows the secret", f);
		th_run_release(&r);
		r = TH_LG(dir, "history", "-q", "--show-secrets", "-f", f);
		cr_assert_not_null(strstr(r.out, t), "%s hides the secret", f);
		th_run_release(&r);
	}
	free(fp);
}

/* SARIF of a history scan (provenance, grouping) passes the validators. */
Test(e2e_filters, history_sarif_passes_the_validators)
{
	char *root = fx_source_root(), *report = in_dir("reports/h.sarif");
	struct buf cmd = BUF_INIT;
	struct run_result r;

	plant("a b/c%d.txt", 1, 15, 0);
	plant("copy.txt", 0, 15, 0);
	th_git_commit(dir, "two places");
	r = TH_LG(dir, "history", "-q", "--group", "-f", "sarif", "-o", report);
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_run_release(&r);
	buf_addf(&cmd, "sh '%s/tools/sarif-validator/validate.sh' '%s'", root,
		 report);
	r = th_sh(dir, cmd.ptr);
	if (r.status == 77)
		cr_skip_test("node is not installed, no SARIF validator: %s",
			     r.err);
	cr_assert_eq(r.status, 0, "validator said:\n%s\n%s", r.out, r.err);
	th_run_release(&r);
	buf_release(&cmd);
	free(report);
	free(root);
}
