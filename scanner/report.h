#ifndef LEAKGATE_REPORT_H
#define LEAKGATE_REPORT_H

#include <stdio.h>

#include "buf.h"
#include "finding.h"
#include "scan.h"

struct forge;
struct lg_error;

struct report_options {
	int show_secrets;	/* otherwise every format redacts */
	int color;		/* text only: ANSI colour */
	const struct rule_set *rules;	/* for formats that list every rule */
	const char *version;
	int advice;	/* text only: a rule's remediation under its first finding */
	const struct forge *forge;	/* links to commits and lines, or NULL */
};

/* Writes findings to out in one format.  Returns 0 or a negative error. */
typedef int (*report_fn)(FILE *out, const struct finding_list *l,
			 const struct report_options *o, struct lg_error *err);

/* The writer for a format name ("text", "json", ...), or NULL. */
report_fn report_lookup(const char *format);
/* "text, json, ..." for messages. */
const char *report_format_names(void);

int report_text(FILE *out, const struct finding_list *l,
		const struct report_options *o, struct lg_error *err);
int report_json(FILE *out, const struct finding_list *l,
		const struct report_options *o, struct lg_error *err);
int report_jsonl(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err);
int report_sarif(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err);
int report_csv(FILE *out, const struct finding_list *l,
	       const struct report_options *o, struct lg_error *err);
int report_junit(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err);

/*
 * Appends the secret as a report shows it: redacted unless o->show_secrets.
 * The bytes are raw: escape them for the target format.
 */
void report_secret(struct buf *b, const struct finding *f,
		   const struct report_options *o);
/* The same for any secret's bytes (a further part of a finding). */
void report_secret_bytes(struct buf *b, const char *secret, size_t len,
			 const struct report_options *o);

/*
 * Appends s to b with control bytes, escape sequences, bidi controls and
 * invalid UTF-8 written as \n, \t, \xNN, so the result is printable valid
 * UTF-8 that cannot move a terminal's cursor, change its colours or
 * reorder what it shows.
 */
void report_escape(struct buf *b, const char *s, size_t len);

/*
 * Appends s to b with only invalid UTF-8 bytes written as \xNN, for formats
 * (JSON, XML) that escape control characters themselves.
 */
void report_utf8(struct buf *b, const char *s, size_t len);

/*
 * Appends s to b for a field of a text format (CSV): invalid UTF-8,
 * control bytes other than tab, CR and LF, and bidi controls written as
 * \xNN; backslashes are left as they are.
 */
void report_field(struct buf *b, const char *s, size_t len);

/* Fails with "cannot write the report: REASON" (errno); returns the code. */
int report_write_failed(struct lg_error *err);

/* ISO-8601 UTC ("2024-05-01T12:00:00Z") of t into out. */
void report_time(char *out, size_t outlen, long long t);

#endif
