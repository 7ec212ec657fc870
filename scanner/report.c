#include "report.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "banned.h"

struct format_entry {
	const char *name;
	report_fn fn;
};

static const struct format_entry formats[] = {
	{ "text", report_text },
	{ "json", report_json },
	{ "jsonl", report_jsonl },
	{ "sarif", report_sarif },
	{ "csv", report_csv },
	{ "junit", report_junit },
};

report_fn report_lookup(const char *format)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, format))
			return formats[i].fn;
	return NULL;
}

const char *report_format_names(void)
{
	return "text, json, jsonl, sarif, csv, junit";
}

enum escape_mode {
	ESCAPE_UTF8,		/* only invalid UTF-8 */
	ESCAPE_FIELD,		/* and controls but tab, CR, LF; bidi controls */
	ESCAPE_TERMINAL,	/* and every control, backslash */
};

/*
 * Bidirectional controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069)
 * reorder the text a terminal shows around them, so a path can hide
 * where it really goes ("Trojan Source").
 */
static int is_bidi(unsigned cp)
{
	return cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Length of the valid UTF-8 sequence at s (at most len bytes), or 0; 0 for
 * a bidi control too unless mode is ESCAPE_UTF8.
 */
static size_t utf8_sequence(const unsigned char *s, size_t len,
			    enum escape_mode mode)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and C1 controls (0x80-0x9f) are escaped. */
	if ((n == 2 && cp < 0xa0) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return mode != ESCAPE_UTF8 && is_bidi(cp) ? 0 : n;
}

/* Whether the ASCII byte c is written as it is. */
static int keeps(unsigned char c, enum escape_mode mode)
{
	if (mode == ESCAPE_UTF8)
		return 1;
	if (mode == ESCAPE_FIELD && (c == '\t' || c == '\r' || c == '\n'))
		return 1;
	return c >= 0x20 && c != 0x7f && (mode != ESCAPE_TERMINAL || c != '\\');
}

/* How the terminal escape writes c when it has a short form, else NULL. */
static const char *named_escape(unsigned char c)
{
	switch (c) {
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	default: return NULL;
	}
}

static void escape(struct buf *b, const char *s, size_t len,
		   enum escape_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *named;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_sequence(p + i, len - i, mode);
		if (n > 1) {
			buf_add(b, p + i, n);
			i += n;
			continue;
		}
		if (n == 1 && keeps(p[i], mode))
			buf_addch(b, (char)p[i]);
		else if (n == 1 && (named = named_escape(p[i])))
			buf_adds(b, named);
		else
			buf_addf(b, "\\x%02x", p[i]);
		i++;
	}
}

void report_escape(struct buf *b, const char *s, size_t len)
{
	escape(b, s, len, ESCAPE_TERMINAL);
}

void report_utf8(struct buf *b, const char *s, size_t len)
{
	escape(b, s, len, ESCAPE_UTF8);
}

void report_field(struct buf *b, const char *s, size_t len)
{
	escape(b, s, len, ESCAPE_FIELD);
}

void report_secret_bytes(struct buf *b, const char *secret, size_t len,
			 const struct report_options *o)
{
	char redacted[64];

	if (o->show_secrets) {
		buf_add(b, secret, len);
		return;
	}
	finding_redact(secret, len, redacted, sizeof(redacted));
	buf_adds(b, redacted);
}

void report_secret(struct buf *b, const struct finding *f,
		   const struct report_options *o)
{
	report_secret_bytes(b, f->secret, f->secret_len, o);
}

int report_write_failed(struct lg_error *err)
{
	return lg_error_errno(err, errno ? errno : EIO,
			      "cannot write the report");
}

void report_time(char *out, size_t outlen, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, outlen, "%lld", t);
		return;
	}
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
