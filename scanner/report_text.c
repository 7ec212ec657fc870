#include "report.h"

#include <string.h>

#include "error.h"
#include "banned.h"

#define RED "\033[31m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static const char *severity_color(enum severity s)
{
	return s >= SEVERITY_HIGH ? RED : BOLD;
}

static void text_place(struct buf *b, const struct location *l)
{
	report_escape(b, l->path, strlen(l->path));
	buf_addf(b, ":%zu:%zu", l->line, l->column);
}

/* "  commit 1234567890ab Name <email> 2024-01-01T00:00:00Z", when in history. */
static void text_provenance(struct buf *b, const struct location *l,
			    const struct report_options *o)
{
	char when[32];

	if (!l->commit)
		return;
	report_time(when, sizeof(when), (long long)l->author_time);
	buf_addf(b, "  %scommit %.12s ", o->color ? DIM : "", l->commit);
	if (l->author_name)
		report_escape(b, l->author_name, strlen(l->author_name));
	if (l->author_email) {
		buf_adds(b, " <");
		report_escape(b, l->author_email, strlen(l->author_email));
		buf_addch(b, '>');
	}
	buf_addf(b, " %s", when);
	if (l->subject) {
		buf_adds(b, " \"");
		report_escape(b, l->subject, strlen(l->subject));
		buf_addch(b, '"');
	}
	if (o->color)
		buf_adds(b, RESET);
}

static void text_finding(struct buf *b, const struct finding *f,
			 const struct report_options *o)
{
	struct buf secret = BUF_INIT;
	size_t i;

	text_place(b, &f->where);
	buf_addf(b, "  %s%s%s  %s  ", o->color ? severity_color(f->rule->severity) : "",
		 f->rule->id, o->color ? RESET : "", severity_name(f->rule->severity));
	report_secret(&secret, f, o);
	report_escape(b, secret.ptr, secret.len);
	buf_release(&secret);
	/* The fingerprint is what an ignore entry or a baseline names. */
	buf_addf(b, "  %s  %s", confidence_name(f->confidence), f->fingerprint);
	if (f->detail) {
		buf_adds(b, "  ");
		report_escape(b, f->detail, strlen(f->detail));
	}
	text_provenance(b, &f->where, o);
	if (f->status == FINDING_BASELINE)
		buf_adds(b, "  (baseline)");
	if (f->git_ignored)
		buf_adds(b, "  (git-ignored)");
	if (f->more_count && !f->n_more)
		buf_addf(b, "  (+%zu more places)", f->more_count);
	buf_addch(b, '\n');
	for (i = 0; i < f->n_more; i++) {
		buf_adds(b, "    also at ");
		text_place(b, &f->more[i]);
		text_provenance(b, &f->more[i], o);
		buf_addch(b, '\n');
	}
}

int report_text(FILE *out, const struct finding_list *l,
		const struct report_options *o, struct lg_error *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && !rc; i++) {
		buf_reset(&b);
		text_finding(&b, l->items[i], o);
		if (fwrite(b.ptr, 1, b.len, out) != b.len)
			rc = lg_error_set(err, LG_ERR_IO, "cannot write the report");
	}
	buf_release(&b);
	return rc;
}
