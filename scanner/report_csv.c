#include <string.h>

#include "error.h"
#include "report.h"
#include "forge.h"
#include "banned.h"

/*
 * CSV per RFC 4180: a header row, CRLF between records, a field quoted
 * when it holds a comma, a quote, CR or LF, quotes doubled inside; other
 * control bytes (ESC) are written as \xNN, so showing the file in a
 * terminal cannot run an escape sequence.  Text
 * that comes from the scanned repository (paths, names, details) and
 * starts like a spreadsheet formula gets a leading apostrophe, so that
 * opening the report cannot run a formula planted in a file name.
 */

static const char header[] =
	"rule,name,severity,confidence,secret,fingerprint,status,path,line,"
	"column,commit,author,email,date,subject,url,line_context,at_head,"
	"detail,verification,places,other_places\r\n";

enum csv_flags {
	CSV_PLAIN = 0,
	CSV_UNTRUSTED = 1 << 0,	/* from the repository: no formulas */
	CSV_LAST = 1 << 1,	/* ends the record */
};

static void csv_field(struct buf *b, const char *s, size_t len,
		      enum csv_flags flags)
{
	struct buf clean = BUF_INIT;
	size_t i;

	if ((flags & CSV_UNTRUSTED) && len && memchr("=+-@\t\r", s[0], 6))
		buf_addch(&clean, '\'');
	report_field(&clean, s ? s : "", s ? len : 0);
	if (clean.len && strpbrk(clean.ptr, ",\"\r\n")) {
		buf_addch(b, '"');
		for (i = 0; i < clean.len; i++) {
			if (clean.ptr[i] == '"')
				buf_addch(b, '"');
			buf_addch(b, clean.ptr[i]);
		}
		buf_addch(b, '"');
	} else if (clean.len) {
		buf_add(b, clean.ptr, clean.len);
	}
	buf_adds(b, flags & CSV_LAST ? "\r\n" : ",");
	buf_release(&clean);
}

static void csv_str(struct buf *b, const char *s, enum csv_flags flags)
{
	csv_field(b, s, s ? strlen(s) : 0, flags);
}

static void csv_size(struct buf *b, size_t n)
{
	buf_addf(b, "%zu,", n);
}

/* Commit, author, email and date columns (empty outside git history). */
static void csv_provenance(struct buf *b, const struct location *l)
{
	char when[32] = "";

	if (l->commit)
		report_time(when, sizeof(when), (long long)l->author_time);
	csv_str(b, l->commit, CSV_PLAIN);
	csv_str(b, l->author_name, CSV_UNTRUSTED);
	csv_str(b, l->author_email, CSV_UNTRUSTED);
	csv_str(b, when, CSV_PLAIN);
	csv_str(b, l->subject, CSV_UNTRUSTED);
}

/* The line's page on the forge, the redacted line, whether still at HEAD. */
static void csv_triage(struct buf *b, const struct finding *f,
		       const struct report_options *o)
{
	static const char *const at_head[] = { "", "false", "true" };
	struct buf url = BUF_INIT;

	if (o->forge)
		forge_line_url(&url, o->forge, f->where.commit, f->where.path,
			       f->where.line);
	csv_field(b, url.ptr ? url.ptr : "", url.len, CSV_UNTRUSTED);
	csv_str(b, f->context, CSV_UNTRUSTED);
	csv_str(b, at_head[f->at_head + 1], CSV_PLAIN);
	buf_release(&url);
}

/* The listed further places, one "path:line:column" per line. */
static void csv_other_places(struct buf *b, const struct finding *f)
{
	struct buf places = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n_more; i++)
		buf_addf(&places, "%s%s:%zu:%zu", i ? "\n" : "",
			 f->more[i].path, f->more[i].line, f->more[i].column);
	csv_field(b, places.ptr, places.len, CSV_UNTRUSTED | CSV_LAST);
	buf_release(&places);
}

static void csv_finding(struct buf *b, const struct finding *f,
			const struct report_options *o)
{
	struct buf secret = BUF_INIT;

	report_secret(&secret, f, o);
	csv_str(b, f->rule->id, CSV_PLAIN);
	csv_str(b, f->rule->name, CSV_PLAIN);
	csv_str(b, severity_name(f->rule->severity), CSV_PLAIN);
	csv_str(b, confidence_name(f->confidence), CSV_PLAIN);
	csv_field(b, secret.ptr, secret.len, CSV_PLAIN);
	csv_str(b, f->fingerprint, CSV_PLAIN);
	csv_str(b, f->status == FINDING_BASELINE ? "baseline" : "new",
		CSV_PLAIN);
	csv_str(b, f->where.path, CSV_UNTRUSTED);
	csv_size(b, f->where.line);
	csv_size(b, f->where.column);
	csv_provenance(b, &f->where);
	csv_triage(b, f, o);
	csv_str(b, f->detail, CSV_UNTRUSTED);
	csv_str(b, verify_state_name(f->verified.state), CSV_PLAIN);
	csv_size(b, 1 + f->more_count);
	csv_other_places(b, f);
	buf_release(&secret);
}

int report_csv(FILE *out, const struct finding_list *l,
	       const struct report_options *o, struct lg_error *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	if (fputs(header, out) == EOF)
		return report_write_failed(err);
	for (i = 0; i < l->n && !rc; i++) {
		buf_reset(&b);
		csv_finding(&b, l->items[i], o);
		if (fwrite(b.ptr, 1, b.len, out) != b.len)
			rc = report_write_failed(err);
	}
	buf_release(&b);
	return rc;
}
