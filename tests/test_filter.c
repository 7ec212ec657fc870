/* The filter stage: ignore files, baselines, grouping, the ignore root. */
#include <criterion/criterion.h>
#include <git2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "filter.h"
#include "helpers.h"
#include "report_fixture.h"

#define TODAY "2024-06-15"

static const char fp_a[] = "0123456789abcdef0123456789abcdef";
static const char fp_b[] = "fedcba9876543210fedcba9876543210";

static void parse_ok(struct filter *f, const char *text)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(filter_parse_ignores(f, "ig", text, strlen(text), TODAY,
					  &err),
		     0, "%s", err.msg);
}

Test(filter, ignore_entries_with_glob_expiry_and_reason)
{
	struct filter f = FILTER_INIT;

	parse_ok(
		&f,
		"\xef\xbb\xbf# comment\r\n\n"
		"0123456789ABCDEF0123456789abcdef\r\n"
		"  fedcba9876543210fedcba9876543210\tfixtures/*  "
		"expires=2024-06-16"
		" # test key,  rotated  \n"
		"fedcba9876543210fedcba9876543210 expires=2024-06-15 #x\n"
		"fedcba9876543210fedcba9876543210 docs/#1.md");
	cr_assert_eq(f.n_entries, 4);
	cr_assert_str_eq(f.entries[0].fingerprint, fp_a);
	cr_assert_eq(f.entries[0].line, 3);
	cr_assert_null(f.entries[0].glob);
	cr_assert_null(f.entries[0].reason);
	cr_assert_str_eq(f.entries[1].fingerprint, fp_b);
	cr_assert_str_eq(f.entries[1].glob, "fixtures/*");
	cr_assert_str_eq(f.entries[1].expires, "2024-06-16");
	cr_assert_not(f.entries[1].expired);
	cr_assert_str_eq(f.entries[1].reason, "test key,  rotated");
	cr_assert(f.entries[2].expired, "expires on the day itself");
	cr_assert_str_eq(f.entries[2].reason, "x");
	cr_assert_str_eq(f.entries[3].glob, "docs/#1.md");
	cr_assert_eq(f.entries[3].line, 6);
	filter_release(&f);
}

struct bad_line {
	const char *text;
	const char *want; /* the message, after "ig:LINE: " */
};

static const struct bad_line bad_lines[] = {
	{ "not-a-fingerprint", "ig:1: the first word must be a fingerprint" },
	{ "\n0123456789abcdef0123456789abcde", "ig:2: the first word must be" },
	{ "0123456789abcdef0123456789abcdefff",
	  "ig:1: the first word must be" },
	{ "0123456789abcdef0123456789abcdeg", "ig:1: the first word must be" },
	{ "0123456789abcdef0123456789abcdef a/* b/*",
	  "ig:1: more than one path glob" },
	{ "0123456789abcdef0123456789abcdef expires=2024-13-01",
	  "ig:1: expires=" },
	{ "0123456789abcdef0123456789abcdef expires=2023-02-29",
	  "ig:1: expires=" },
	{ "0123456789abcdef0123456789abcdef expires=2024-2-01",
	  "ig:1: expires=" },
	{ "0123456789abcdef0123456789abcdef expires=", "ig:1: expires=" },
	{ "# ok\n0123456789abcdef0123456789abcdef expires=2024-01-01 "
	  "expires=2024-01-02",
	  "ig:2: expires=" },
};

Test(filter, malformed_lines_name_file_and_line)
{
	size_t i;

	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		struct filter f = FILTER_INIT;
		struct lg_error err = LG_ERROR_INIT;
		const char *t = bad_lines[i].text;

		cr_assert_eq(filter_parse_ignores(&f, "ig", t, strlen(t), TODAY,
						  &err),
			     LG_ERR_PARSE, "case %zu", i);
		cr_assert_eq(strncmp(err.msg, bad_lines[i].want,
				     strlen(bad_lines[i].want)),
			     0, "case %zu: %s", i, err.msg);
		filter_release(&f);
	}
}

Test(filter, leap_day_and_nul_byte)
{
	struct filter f = FILTER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	static const char nul[] = "0123456789abcdef0123456789abcdef\0x\n";

	parse_ok(&f, "0123456789abcdef0123456789abcdef expires=2024-02-29");
	cr_assert(f.entries[0].expired);
	cr_assert_eq(filter_parse_ignores(&f, "ig", nul, sizeof(nul) - 1, TODAY,
					  &err),
		     LG_ERR_PARSE);
	cr_assert_str_eq(err.msg, "ig:1: a NUL byte");
	filter_release(&f);
}

/* Findings of two secrets, A at a.txt and fixtures/x.txt, B at b.txt. */
static void two_secrets(struct finding_list *l, char fa[FINGERPRINT_HEX + 1],
			char fb[FINGERPRINT_HEX + 1])
{
	const struct rule *r = fx_rule(SEVERITY_HIGH);
	const char *a = th_fake_token("ghp_", 30, 1, 0);
	const char *b = th_fake_token("ghp_", 30, 2, 1);

	finding_list_add(l, fx_finding(r, a, "a.txt", 1, 1));
	finding_list_add(l, fx_finding(r, a, "fixtures/x.txt", 2, 1));
	finding_list_add(l, fx_finding(r, b, "b.txt", 3, 1));
	memcpy(fa, l->items[0]->fingerprint, FINGERPRINT_HEX + 1);
	memcpy(fb, l->items[2]->fingerprint, FINGERPRINT_HEX + 1);
}

/* Parses ignore text made from a printf template. */
static void parse_fmt(struct filter *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void parse_fmt(struct filter *f, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	parse_ok(f, b.ptr);
	buf_release(&b);
}

Test(filter, apply_glob_expiry_and_use_counts)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct filter f = FILTER_INIT;
	char fa[FINGERPRINT_HEX + 1], fb[FINGERPRINT_HEX + 1];

	two_secrets(&l, fa, fb);
	parse_fmt(&f,
		  "%s fixtures/*\n%s expires=2000-01-01\n"
		  "0123456789abcdef0123456789abcdef\n",
		  fa, fb);
	filter_apply(&f, &l, 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0]->where.path, "a.txt");
	cr_assert_str_eq(l.items[1]->where.path, "b.txt");
	cr_assert_eq(f.entries[0].used, 1);
	cr_assert_eq(f.entries[1].used, 0,
		     "an expired entry suppresses nothing");
	cr_assert(f.entries[1].expired);
	cr_assert_eq(f.entries[2].used, 0);
	filter_release(&f);
	parse_fmt(&f, "%s\n", fa);
	filter_apply(&f, &l, 0);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.items[0]->fingerprint, fb);
	filter_release(&f);
	finding_list_release(&l);
}

Test(filter, glob_drops_only_the_places_it_covers)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct filter f = FILTER_INIT;
	const char *tok = th_fake_token("ghp_", 30, 5, 0);
	struct finding *fd =
		fx_finding(fx_rule(SEVERITY_HIGH), tok, "test/a.txt", 1, 1);

	fx_add_place(fd, "src/b.txt", 2, 2);
	fx_add_place(fd, "test/c.txt", 3, 3);
	finding_list_add(&l, fd);
	parse_fmt(&f, "%s test/*\n", fd->fingerprint);
	filter_apply(&f, &l, 0);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(fd->where.path, "src/b.txt");
	cr_assert_eq(fd->n_more, 0);
	cr_assert_eq(fd->more_count, 0);
	cr_assert_eq(f.entries[0].used, 2);
	filter_release(&f);
	finding_list_release(&l);
}

Test(filter, baseline_from_json_array_and_lines)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct filter f = FILTER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	char fa[FINGERPRINT_HEX + 1], fb[FINGERPRINT_HEX + 1];
	struct buf text = BUF_INIT;

	two_secrets(&l, fa, fb);
	buf_addf(&text,
		 "[{\"rule\": \"x\", \"secret\": \"ghp_*****\", "
		 "\"fingerprint\": \"%s\"}]",
		 fa);
	cr_assert_eq(filter_parse_baseline(&f, "b.json", text.ptr, text.len,
					   &err),
		     0, "%s", err.msg);
	filter_apply(&f, &l, 0);
	cr_assert_eq(l.n, 3);
	cr_assert_eq(l.items[0]->status, FINDING_BASELINE);
	cr_assert_eq(l.items[1]->status, FINDING_BASELINE);
	cr_assert_eq(l.items[2]->status, FINDING_NEW);
	filter_apply(&f, &l, 1);
	cr_assert_eq(l.n, 1, "--new-only drops what the baseline knows");
	cr_assert_str_eq(l.items[0]->fingerprint, fb);
	filter_release(&f);
	buf_reset(&text);
	buf_addf(&text, "\n{\"fingerprint\": \"%s\"}\r\n\n", fb);
	cr_assert_eq(filter_parse_baseline(&f, "b.jsonl", text.ptr, text.len,
					   &err),
		     0, "%s", err.msg);
	cr_assert_eq(f.n_baseline, 1);
	filter_apply(&f, &l, 1);
	cr_assert_eq(l.n, 0);
	filter_release(&f);
	buf_release(&text);
	finding_list_release(&l);
}

static const struct bad_line bad_baselines[] = {
	{ "[{\"rule\": \"x\"}]", "b.json: a finding without a fingerprint" },
	{ "[\"0123456789abcdef0123456789abcdef\"]",
	  "b.json: a finding without" },
	{ "{\"fingerprint\": \"0123456789abcdef0123456789abcdef\"}\nnot json",
	  "b.json:2: not a JSON report" },
	{ "{\"fingerprint\": \"0123456789abcdef0123456789abcdef\"}\n"
	  "{\"fingerprint\": 1}",
	  "b.json:2: a finding without a fingerprint" },
	{ "[{\"fingerprint\": \"0123\"", "b.json:1: not a JSON report" },
};

Test(filter, bad_baselines_name_the_file)
{
	struct filter f = FILTER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	size_t i;

	cr_assert_eq(filter_parse_baseline(&f, "b.json", "", 0, &err), 0);
	cr_assert_eq(f.n_baseline, 0);
	for (i = 0; i < sizeof(bad_baselines) / sizeof(bad_baselines[0]); i++) {
		const char *t = bad_baselines[i].text;
		cr_assert_eq(filter_parse_baseline(&f, "b.json", t, strlen(t),
						   &err),
			     LG_ERR_PARSE, "case %zu", i);
		cr_assert_eq(strncmp(err.msg, bad_baselines[i].want,
				     strlen(bad_baselines[i].want)),
			     0, "case %zu: %s", i, err.msg);
	}
	filter_release(&f);
}

Test(filter, group_folds_places_into_the_first_finding)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *r = fx_rule(SEVERITY_HIGH);
	const char *a = th_fake_token("ghp_", 30, 9, 0);
	const char *b = th_fake_token("ghp_", 30, 10, 1);
	struct finding *first = fx_finding(r, a, "1.txt", 1, 1);

	finding_list_add(&l, first);
	finding_list_add(&l, fx_finding(r, b, "2.txt", 1, 1));
	finding_list_add(&l, fx_finding(r, a, "3.txt", 1, 1));
	fx_add_place(l.items[2], "4.txt", 4, 4);
	l.items[2]->more_count = 5; /* 4 further places, one listed */
	cr_assert_eq(filter_group(&l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.items[0], first);
	cr_assert_str_eq(l.items[1]->where.path, "2.txt");
	cr_assert_eq(first->n_more, 2);
	cr_assert_str_eq(first->more[0].path, "3.txt");
	cr_assert_str_eq(first->more[1].path, "4.txt");
	cr_assert_eq(first->more_count, 6);
	finding_list_release(&l);
}

Test(filter, ignore_root_is_the_enclosing_work_tree)
{
	struct lg_error err = LG_ERROR_INIT;
	char *dir = th_tmpdir(), *real = realpath(dir, NULL), *root = NULL;
	struct buf sub = BUF_INIT;

	git_libgit2_init();
	th_write(dir, "plain/f.txt", "x");
	buf_addf(&sub, "%s/plain/f.txt", dir);
	cr_assert_eq(filter_ignore_root(&root, sub.ptr, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(strncmp(root, real, strlen(real)), 0);
	cr_assert_str_eq(root + strlen(real), "/plain",
			 "a file: its directory");
	free(root);
	th_write(dir, "repo/deep/er/f.txt", "x");
	buf_reset(&sub);
	buf_addf(&sub, "%s/repo", dir);
	th_git_init(sub.ptr);
	buf_adds(&sub, "/deep/er");
	cr_assert_eq(filter_ignore_root(&root, sub.ptr, &err), 0, "%s",
		     err.msg);
	cr_assert_str_eq(root + strlen(real), "/repo");
	free(root);
	cr_assert_neq(filter_ignore_root(&root, "/nonexistent/x", &err), 0);
	cr_assert_not_null(strstr(err.msg, "/nonexistent/x"));
	git_libgit2_shutdown();
	buf_release(&sub);
	free(real);
	th_rmtree(dir);
}
