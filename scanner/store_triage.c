#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

void store_apply_triage(struct store *s, struct finding_list *l)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		struct finding *f = l->items[i];
		enum triage_status st = store_triage_get(s, f->fingerprint, NULL, 0);
		if (st == TRIAGE_FALSE_POSITIVE || st == TRIAGE_ACCEPTED_RISK) {
			finding_free(f);
			continue;
		}
		if (st == TRIAGE_REVOKED)
			f->triage = triage_status_name(st);
		l->items[kept++] = f;
	}
	l->n = kept;
}

/* A reason on one line: tabs and newlines would break the file's shape. */
static void put_reason(FILE *out, const char *reason)
{
	for (; *reason; reason++)
		fputc(*reason == '\t' || *reason == '\n' || *reason == '\r' ? ' '
									    : *reason,
		      out);
}

int store_triage_export(struct store *s, FILE *out, struct lg_error *err)
{
	sqlite3_stmt *q = NULL;
	char day[16];
	int step;

	if (sqlite3_prepare_v2(store_db(s), "SELECT fingerprint, status, who, at,"
			       " reason FROM triage ORDER BY fingerprint",
			       -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "reading", err);
	fputs("# leakgate triage: fingerprint, status, who, date, reason "
	      "(tab-separated)\n", out);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		time_t at = (time_t)sqlite3_column_int64(q, 3);
		struct tm tm;
		gmtime_r(&at, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		fprintf(out, "%s\t%s\t", sqlite3_column_text(q, 0),
			sqlite3_column_text(q, 1));
		put_reason(out, (const char *)sqlite3_column_text(q, 2));
		fprintf(out, "\t%s\t", day);
		put_reason(out, (const char *)sqlite3_column_text(q, 4));
		fputc('\n', out);
	}
	sqlite3_finalize(q);
	return step == SQLITE_DONE ? 0 : store_fail(s, "reading", err);
}

static int valid_fingerprint(const char *s, size_t len)
{
	size_t i;

	if (len != FINGERPRINT_HEX)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* Splits line into its 5 tab-separated fields (in place). */
static int split(char *line, char *field[5])
{
	int n = 0;
	char *p = line, *tab;

	while (n < 5) {
		field[n++] = p;
		if (!(tab = strchr(p, '\t')))
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static int import_line(struct store *s, char *line, const char *filename,
		       size_t lineno, struct lg_error *err)
{
	enum triage_status st;
	char *field[5];

	if (!*line || *line == '#')
		return 0;
	if (split(line, field) != 5)
		return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: expected 5 "
				    "tab-separated fields", filename, lineno);
	if (!valid_fingerprint(field[0], strlen(field[0])))
		return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: not a fingerprint",
				    filename, lineno);
	if (triage_status_parse(field[1], &st))
		return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: unknown status "
				    "'%.40s'", filename, lineno, field[1]);
	return store_triage_set(s, field[0], st, field[4], field[2], err);
}

int store_triage_import(struct store *s, const char *text, size_t len,
			const char *filename, struct lg_error *err)
{
	struct buf line = BUF_INIT;
	const char *p = text, *end = text + len, *eol;
	size_t lineno = 0;
	int rc = 0;

	if (sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "writing", err);
	for (; !rc && p < end; p = eol + 1) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		lineno++;
		buf_reset(&line);
		if (buf_add(&line, p, (size_t)(eol - p)) || buf_addch(&line, '\0')) {
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
			break;
		}
		if (line.len > 1 && line.ptr[line.len - 2] == '\r')
			line.ptr[line.len - 2] = '\0';
		rc = import_line(s, line.ptr, filename, lineno, err);
	}
	buf_release(&line);
	sqlite3_exec(store_db(s), rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}
