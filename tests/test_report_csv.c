/* The CSV writer: RFC 4180 quoting read back by an independent parser. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"
#include "report_fixture.h"

#define MAX_FIELDS 32
#define MAX_ROWS 8

struct csv_table {
	char *cell[MAX_ROWS][MAX_FIELDS];
	size_t n_fields[MAX_ROWS];
	size_t n_rows;
};

/*
 * An RFC 4180 reader: fields split on ',', records on CRLF, a quoted field
 * may hold anything with '"' doubled.  Fails the test on any bare LF or a
 * quote inside an unquoted field.
 */
static size_t csv_cell(const char *p, struct buf *out)
{
	const char *start = p;

	if (*p != '"') {
		size_t n = strcspn(p, ",\r\n\"");
		cr_assert_neq(p[n], '"', "quote inside an unquoted field");
		buf_add(out, p, n);
		return n;
	}
	for (p++; *p; p++) {
		if (*p == '"' && p[1] == '"')
			p++;
		else if (*p == '"')
			return (size_t)(p + 1 - start);
		buf_addch(out, *p);
	}
	cr_assert_fail("unterminated quoted field");
	return 0;
}

static void csv_parse(const char *text, struct csv_table *t)
{
	const char *p = text;

	memset(t, 0, sizeof(*t));
	while (*p) {
		size_t row = t->n_rows++;
		cr_assert(row < MAX_ROWS);
		for (;;) {
			struct buf cell = BUF_INIT;
			p += csv_cell(p, &cell);
			cr_assert(t->n_fields[row] < MAX_FIELDS);
			t->cell[row][t->n_fields[row]++] = buf_detach(&cell);
			if (*p == ',') {
				p++;
				continue;
			}
			cr_assert(p[0] == '\r' && p[1] == '\n',
				  "record not ended by CRLF");
			p += 2;
			break;
		}
	}
}

static void csv_free(struct csv_table *t)
{
	size_t r, f;

	for (r = 0; r < t->n_rows; r++)
		for (f = 0; f < t->n_fields[r]; f++)
			free(t->cell[r][f]);
}

/* The column named name in the header row. */
static size_t column(const struct csv_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_fields[0]; i++)
		if (!strcmp(t->cell[0][i], name))
			return i;
	cr_assert_fail("no column %s", name);
	return 0;
}

Test(report_csv, hostile_path_round_trips_through_rfc4180)
{
	static const char path[] = "dir/a,\"b\"\nc\r.txt";
	struct finding_list l = FINDING_LIST_INIT;
	struct csv_table t;
	const char *token = th_fake_token("ghp_", 30, 3, 0);
	char *text;

	finding_list_add(&l,
			 fx_finding(fx_rule(SEVERITY_HIGH), token, path, 4, 2));
	text = fx_render(report_csv, &l, 0);
	cr_assert_not_null(strstr(text, "\"dir/a,\"\"b\"\"\nc\r.txt\""), "%s",
			   text);
	csv_parse(text, &t);
	cr_assert_eq(t.n_rows, 2);
	cr_assert_eq(t.n_fields[0], t.n_fields[1]);
	cr_assert_str_eq(t.cell[1][column(&t, "path")], path);
	cr_assert_str_eq(t.cell[1][column(&t, "line")], "4");
	cr_assert_str_eq(t.cell[1][column(&t, "column")], "2");
	cr_assert_str_eq(t.cell[1][column(&t, "rule")], "test-high");
	cr_assert_str_eq(t.cell[1][column(&t, "severity")], "high");
	cr_assert_str_eq(t.cell[1][column(&t, "confidence")], "checksum");
	cr_assert_str_eq(t.cell[1][column(&t, "fingerprint")],
			 l.items[0]->fingerprint);
	cr_assert_str_eq(t.cell[1][column(&t, "status")], "new");
	cr_assert_null(strstr(text, token));
	csv_free(&t);
	free(text);
	finding_list_release(&l);
}

/* ESC and other controls never reach a terminal that shows the report. */
Test(report_csv, control_bytes_are_escaped_inside_fields)
{
	static const char path[] = "a,\x1b[2J\x1b]0;t\x07\x7f\xc2\x9b\xe2\x80\xae.txt";
	struct finding_list l = FINDING_LIST_INIT;
	struct csv_table t;
	char *text;
	size_t i;

	finding_list_add(&l, fx_finding(fx_rule(SEVERITY_HIGH),
					th_fake_token("ghp_", 30, 4, 0), path,
					1, 1));
	text = fx_render(report_csv, &l, 0);
	for (i = 0; text[i]; i++)
		cr_assert(((unsigned char)text[i] >= 0x20 &&
			   (unsigned char)text[i] != 0x7f) ||
				  text[i] == '\r' || text[i] == '\n',
			  "raw byte 0x%02x in %s", (unsigned char)text[i], text);
	csv_parse(text, &t);
	cr_assert_str_eq(t.cell[1][column(&t, "path")],
			 "a,\\x1b[2J\\x1b]0;t\\x07\\x7f\\xc2\\x9b"
			 "\\xe2\\x80\\xae.txt");
	csv_free(&t);
	free(text);
	finding_list_release(&l);
}

Test(report_csv, provenance_places_baseline_and_shown_secret)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct csv_table t;
	const char *token = th_fake_token("ghp_", 30, 4, 0);
	struct finding *f =
		fx_finding(fx_rule(SEVERITY_LOW), token, "a.txt", 1, 1);
	char *text;

	fx_provenance(&f->where, "89abcdef0123456789abcdef0123456789abcdef",
		      "Bo, \"the\" Builder", "bo@example.com", 1704067200);
	fx_add_place(f, "b.txt", 2, 3);
	fx_add_place(f, "c,d.txt", 5, 6);
	f->status = FINDING_BASELINE;
	finding_list_add(&l, f);
	text = fx_render(report_csv, &l, 1);
	csv_parse(text, &t);
	cr_assert_str_eq(t.cell[1][column(&t, "commit")],
			 "89abcdef0123456789abcdef0123456789abcdef");
	cr_assert_str_eq(t.cell[1][column(&t, "author")],
			 "Bo, \"the\" Builder");
	cr_assert_str_eq(t.cell[1][column(&t, "email")], "bo@example.com");
	cr_assert_str_eq(t.cell[1][column(&t, "date")], "2024-01-01T00:00:00Z");
	cr_assert_str_eq(t.cell[1][column(&t, "status")], "baseline");
	cr_assert_str_eq(t.cell[1][column(&t, "places")], "3");
	cr_assert_str_eq(t.cell[1][column(&t, "other_places")],
			 "b.txt:2:3\nc,d.txt:5:6");
	cr_assert_str_eq(t.cell[1][column(&t, "secret")], token);
	csv_free(&t);
	free(text);
	finding_list_release(&l);
}

Test(report_csv, formula_like_repository_text_is_neutralised)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct csv_table t;
	char *text;

	finding_list_add(&l,
			 fx_finding(fx_rule(SEVERITY_HIGH), "s3cr3t-value-x",
				    "=HYPERLINK(\"http://x\")", 1, 1));
	finding_list_add(&l, fx_finding(fx_rule(SEVERITY_HIGH),
					"s3cr3t-value-y", "@SUM(A1)", 1, 1));
	text = fx_render(report_csv, &l, 0);
	csv_parse(text, &t);
	cr_assert_str_eq(t.cell[1][column(&t, "path")],
			 "'=HYPERLINK(\"http://x\")");
	cr_assert_str_eq(t.cell[2][column(&t, "path")], "'@SUM(A1)");
	csv_free(&t);
	free(text);
	finding_list_release(&l);
}

Test(report_csv, empty_report_is_the_header)
{
	struct finding_list l = FINDING_LIST_INIT;
	char *text = fx_render(report_csv, &l, 0);

	cr_assert_eq(strncmp(text, "rule,name,severity,confidence,secret,", 37),
		     0);
	cr_assert_eq(th_count(text, "\r\n"), 1);
	free(text);
}
