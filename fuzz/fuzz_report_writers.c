/*
 * libFuzzer target: the SARIF, CSV and JUnit writers over findings whose
 * every text field (path, secret, detail, commit, author, email, a
 * further place) comes from the input, split at NUL bytes.  Checked: the
 * SARIF is JSON that jansson reads back, no more results than findings;
 * the CSV holds no control byte but tab, CR and LF, and an RFC 4180 reading of it
 * gives records of the header's width; the JUnit XML holds no byte XML 1.0
 * forbids, a '<' only where a tag starts, and one test case per finding.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "finding.h"
#include "fuzz.h"
#include "report.h"
#include "banned.h"

#define FIELDS 8

static const struct rule fuzz_rule = {
	.id = (char *)"fuzz-rule", .name = (char *)"Fuzz <rule> & \"name\"",
	.severity = SEVERITY_HIGH,
};

/* The input's NUL-separated fields; missing ones are empty. */
static void split(const char *s, size_t len, const char *f[FIELDS],
		  size_t n[FIELDS])
{
	size_t i;

	for (i = 0; i < FIELDS; i++) {
		const char *nul = memchr(s, '\0', len);
		size_t k = nul ? (size_t)(nul - s) : len;

		f[i] = s;
		n[i] = k;
		s += k + (nul != NULL);
		len -= k + (nul != NULL);
	}
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	FUZZ_CHECK(d);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Two findings from the fields, the second one with a further place. */
static void make_findings(struct finding_list *l, const char *f[FIELDS],
			  const size_t n[FIELDS])
{
	struct engine_match m;
	struct finding *x;
	char *path = dup_n(f[0], n[0]);
	int k;

	for (k = 0; k < 2; k++) {
		memset(&m, 0, sizeof(m));
		m.rule = &fuzz_rule;
		m.secret = f[1];
		m.secret_len = n[1];
		m.line = 1 + (size_t)k;
		m.column = n[2] + 1;
		x = finding_new(&m, path);
		FUZZ_CHECK(x && !finding_list_add(l, x));
		finding_fingerprint(fuzz_rule.id, f[1], n[1], x->fingerprint);
		x->detail = dup_n(f[2], n[2]);
		x->where.commit = dup_n(f[3], n[3]);
		x->where.author_name = dup_n(f[4], n[4]);
		x->where.author_email = dup_n(f[5], n[5]);
		x->where.author_time = (int64_t)n[6] * 86400;
		x->status = k ? FINDING_BASELINE : FINDING_NEW;
	}
	x->more = calloc(1, sizeof(*x->more));
	FUZZ_CHECK(x->more);
	x->more->path = dup_n(f[7], n[7]);
	x->n_more = 1;
	x->more_count = 3;
	free(path);
}

static char *render(report_fn fn, const struct finding_list *l, int show,
		    size_t *len)
{
	struct report_options o = { show, 0, NULL, "fuzz", show };
	struct lg_error err = LG_ERROR_INIT;
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);

	FUZZ_CHECK(fp);
	FUZZ_CHECK(fn(fp, l, &o, &err) == 0);
	FUZZ_CHECK(fclose(fp) == 0);
	return text;
}

static void check_sarif(const struct finding_list *l, int show)
{
	size_t len;
	char *text = render(report_sarif, l, show, &len);
	json_t *j = json_loadb(text, len, 0, NULL), *runs, *results;

	FUZZ_CHECK(j);
	runs = json_object_get(j, "runs");
	results = json_object_get(json_array_get(runs, 0), "results");
	FUZZ_CHECK(json_array_size(results) <= l->n);
	json_decref(j);
	free(text);
}

/* Bytes of one RFC 4180 field at p (quoted or not) up to its end. */
static size_t csv_field_len(const char *p, const char *end)
{
	const char *s = p;

	if (p < end && *p == '"') {
		for (p++; p < end; p++) {
			if (*p == '"' && p + 1 < end && p[1] == '"')
				p++;
			else if (*p == '"')
				return (size_t)(p + 1 - s);
		}
		FUZZ_CHECK(!"unterminated quoted field");
	}
	while (p < end && *p != ',' && *p != '\r') {
		FUZZ_CHECK(*p != '"' && *p != '\n');
		p++;
	}
	return (size_t)(p - s);
}

static void check_csv(const struct finding_list *l, int show)
{
	size_t len, i, fields = 1, width = 0, records = 0;
	char *text = render(report_csv, l, show, &len);
	const char *p = text, *end = text + len;

	for (i = 0; i < len; i++)
		FUZZ_CHECK(((unsigned char)text[i] >= 0x20 && text[i] != 0x7f) ||
			   text[i] == '\t' || text[i] == '\r' ||
			   text[i] == '\n');
	while (p < end) {
		p += csv_field_len(p, end);
		if (p < end && *p == ',') {
			p++;
			fields++;
			continue;
		}
		FUZZ_CHECK(p + 1 < end && p[0] == '\r' && p[1] == '\n');
		p += 2;
		FUZZ_CHECK(!width || fields == width);
		width = fields;
		fields = 1;
		records++;
	}
	FUZZ_CHECK(records == l->n + 1);
	free(text);
}

static void check_junit(const struct finding_list *l, int show)
{
	size_t len, i;
	char *text = render(report_junit, l, show, &len);
	const char *p;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		FUZZ_CHECK(c >= 0x20 || c == '\n' || c == '\t');
		if (c == '<')
			FUZZ_CHECK(i + 1 < len &&
				   strchr("?/abcdefghijklmnopqrstuvwxyz",
					  text[i + 1]));
	}
	FUZZ_CHECK(len > 14 && !memcmp(text + len - 14, "</testsuites>\n", 14));
	for (i = 0, p = text; (p = strstr(p, "<testcase ")); p++)
		i++;
	FUZZ_CHECK(i == l->n);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct finding_list l = FINDING_LIST_INIT;
	const char *f[FIELDS];
	size_t n[FIELDS];
	int show;

	split((const char *)data, size, f, n);
	make_findings(&l, f, n);
	for (show = 0; show < 2; show++) {
		check_sarif(&l, show);
		check_csv(&l, show);
		check_junit(&l, show);
	}
	finding_list_release(&l);
	return 0;
}
