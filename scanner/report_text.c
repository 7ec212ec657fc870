#include "report.h"

#include <stdlib.h>
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

/* "  [head: key=value, key=value]", escaped: the values are not ours. */
static void text_facts(struct buf *b, const char *head, const char *facts)
{
	const char *p = facts, *eol;

	buf_addf(b, "  [%s", head);
	for (; p && (eol = strchr(p, '\n')); p = eol + 1) {
		buf_adds(b, p == facts ? ": " : ", ");
		report_escape(b, p, (size_t)(eol - p));
	}
	buf_addch(b, ']');
}

/* What the provider said of the secret (--verify). */
static void text_verification(struct buf *b, const struct verification *v)
{
	if (v->state != VERIFY_UNCHECKED)
		text_facts(b, verify_state_name(v->state), v->facts);
}

/* "    with RULE SECRET at LINE:COL" for each further part of a pair. */
static void text_parts(struct buf *b, const struct finding *f,
		       const struct report_options *o)
{
	struct buf secret = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n_parts; i++) {
		const struct finding_part *p = &f->parts[i];
		buf_reset(&secret);
		report_secret_bytes(&secret, p->secret, p->secret_len, o);
		buf_addf(b, "    with %s  ", p->rule->id);
		report_escape(b, secret.ptr ? secret.ptr : "", secret.len);
		buf_addf(b, "  at %zu:%zu\n", p->line, p->column);
	}
	buf_release(&secret);
}

/* The rules whose advice was printed: a few hundred at most. */
struct shown_rules {
	const struct rule **items;
	size_t n;
};

/*
 * "    fix: <remediation>" under the first finding of each rule only: the
 * advice is the rule's, repeating it would bury the findings.
 */
static int text_remediation(struct buf *b, const struct rule *r,
			    struct shown_rules *shown,
			    const struct report_options *o)
{
	const struct rule **grown;
	size_t i;

	if (!r->remediation || !o->advice)
		return 0;
	for (i = 0; i < shown->n; i++)
		if (shown->items[i] == r)
			return 0;
	grown = realloc((void *)shown->items, (shown->n + 1) * sizeof(*grown));
	if (!grown)
		return LG_ERR_NOMEM;
	shown->items = grown;
	shown->items[shown->n++] = r;
	buf_addf(b, "    %sfix: ", o->color ? DIM : "");
	report_escape(b, r->remediation, strlen(r->remediation));
	buf_addf(b, "%s\n", o->color ? RESET : "");
	return 0;
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
	for (i = 0; i < f->n_decoded; i++)
		buf_addf(b, "%s%s", i ? "+" : "  decoded:", f->decoded[i]);
	text_provenance(b, &f->where, o);
	if (f->status == FINDING_BASELINE)
		buf_adds(b, "  (baseline)");
	if (f->git_ignored)
		buf_adds(b, "  (git-ignored)");
	text_verification(b, &f->verified);
	if (f->triage)
		buf_addf(b, "  (%s)", f->triage);
	if (f->lifecycle)
		text_facts(b, "lifecycle", f->lifecycle);
	if (f->more_count > f->n_more)	/* those not listed below */
		buf_addf(b, "  (+%zu more places)", f->more_count - f->n_more);
	buf_addch(b, '\n');
	text_parts(b, f, o);
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
	struct shown_rules shown = { NULL, 0 };
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && !rc; i++) {
		buf_reset(&b);
		text_finding(&b, l->items[i], o);
		if (text_remediation(&b, l->items[i]->rule, &shown, o))
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		else if (fwrite(b.ptr, 1, b.len, out) != b.len)
			rc = report_write_failed(err);
	}
	free((void *)shown.items);
	buf_release(&b);
	return rc;
}
