#include "gitconfig.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

struct cfg_reader {
	const char *p;
	size_t len, pos, line;
	struct gitconfig_entry cur;	/* section and sub of the last header */
};

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_blanks(struct cfg_reader *r)
{
	while (r->pos < r->len && is_blank(r->p[r->pos]))
		r->pos++;
}

/* Moves past the end of the current line. */
static void skip_line(struct cfg_reader *r)
{
	const char *nl = memchr(r->p + r->pos, '\n', r->len - r->pos);

	r->pos = nl ? (size_t)(nl - r->p) + 1 : r->len;
	if (nl)
		r->line++;
}

/* Reads `"sub"` at pos (the quote) up to the closing quote into h. */
static int read_sub(struct cfg_reader *r, struct gitconfig_entry *h)
{
	size_t start = ++r->pos;

	while (r->pos < r->len && r->p[r->pos] != '"' && r->p[r->pos] != '\n') {
		if (r->p[r->pos] == '\\' && r->pos + 1 < r->len &&
		    r->p[r->pos + 1] != '\n')
			r->pos++;
		r->pos++;
	}
	if (r->pos >= r->len || r->p[r->pos] != '"')
		return -1;
	h->sub = r->p + start;
	h->sub_len = r->pos - start;
	r->pos++;
	return 0;
}

/* Splits an old-style `[section.sub]` name at its first dot. */
static void split_dotted(struct gitconfig_entry *e)
{
	const char *dot = memchr(e->section, '.', e->section_len);

	if (!dot || e->sub)
		return;
	e->sub = dot + 1;
	e->sub_len = e->section_len - (size_t)(dot + 1 - e->section);
	e->section_len = (size_t)(dot - e->section);
}

/*
 * Reads a `[...]` header at pos; returns -1 when it is malformed (the
 * section before it then goes on).
 */
static int read_header(struct cfg_reader *r)
{
	struct gitconfig_entry h;
	size_t start;

	memset(&h, 0, sizeof(h));
	r->pos++;
	skip_blanks(r);
	start = r->pos;
	while (r->pos < r->len &&
	       (is_key_char(r->p[r->pos]) || r->p[r->pos] == '.'))
		r->pos++;
	h.section = r->p + start;
	h.section_len = r->pos - start;
	skip_blanks(r);
	if (r->pos < r->len && r->p[r->pos] == '"' && read_sub(r, &h))
		return -1;
	skip_blanks(r);
	if (!h.section_len || r->pos >= r->len || r->p[r->pos] != ']')
		return -1;
	r->pos++;
	split_dotted(&h);
	r->cur = h;
	return 0;
}

/*
 * Moves pos to the end of a value (a comment, or the newline that is not
 * escaped) and returns the end of its last non-blank byte.
 */
static size_t value_end(struct cfg_reader *r)
{
	size_t last = r->pos;
	int quoted = 0;

	while (r->pos < r->len && r->p[r->pos] != '\n') {
		char c = r->p[r->pos];

		if (!quoted && (c == '#' || c == ';'))
			break;
		if (c == '\\' && r->pos + 1 < r->len) {
			if (r->p[r->pos + 1] == '\n')
				r->line++;
			r->pos += 2;
			last = r->pos;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		r->pos++;
		if (!is_blank(c))
			last = r->pos;
	}
	return last;
}

static int read_entry(struct cfg_reader *r, gitconfig_fn fn, void *payload)
{
	struct gitconfig_entry e = r->cur;
	size_t start = r->pos;

	e.line = r->line;
	while (r->pos < r->len && is_key_char(r->p[r->pos]))
		r->pos++;
	e.key = r->p + start;
	e.key_len = r->pos - start;
	e.value = NULL;
	e.value_len = 0;
	skip_blanks(r);
	if (r->pos < r->len && r->p[r->pos] == '=') {
		r->pos++;
		skip_blanks(r);
		start = r->pos;
		e.value = r->p + start;
		e.value_len = value_end(r) - start;
	}
	skip_line(r);
	/* Entries before any section header: git rejects them. */
	if (!e.section)
		return 0;
	return fn(&e, payload);
}

int gitconfig_parse(const char *data, size_t len, gitconfig_fn fn,
		    void *payload)
{
	struct cfg_reader r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.p = data;
	r.len = len;
	r.line = 1;
	while (r.pos < r.len) {
		char c = r.p[r.pos];

		if (is_blank(c)) {
			r.pos++;
		} else if (c == '\n') {
			r.pos++;
			r.line++;
		} else if (c == '[') {
			if (read_header(&r))
				skip_line(&r);
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			if ((rc = read_entry(&r, fn, payload)))
				return rc;
		} else {
			skip_line(&r);
		}
	}
	return 0;
}

static int equals_ci(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

int gitconfig_is(const struct gitconfig_entry *e, const char *section,
		 const char *key)
{
	return equals_ci(e->section, e->section_len, section) &&
	       equals_ci(e->key, e->key_len, key);
}

static char unescape(char c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'b': return '\b';
	default: return c;
	}
}

/*
 * Copies s[0..len) to out as git reads it, NUL-terminated: a backslash
 * takes the next character; in a value quotes go, "\n", "\t" and "\b"
 * are escapes and a backslash-newline joins lines.  Returns the length,
 * or -1 when s is NULL or out is too small.
 */
static int copy_unescaped(char *out, size_t outlen, const char *s,
			  size_t len, int is_value)
{
	size_t i, n = 0;

	if (!s || !outlen)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (is_value && c == '"')
			continue;
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (is_value && c == '\n')
				continue;
			if (is_value)
				c = unescape(c);
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return (int)n;
}

int gitconfig_value(const struct gitconfig_entry *e, char *out,
		    size_t outlen)
{
	return copy_unescaped(out, outlen, e->value, e->value_len, 1);
}

int gitconfig_subsection(const struct gitconfig_entry *e, char *out,
			 size_t outlen)
{
	return copy_unescaped(out, outlen, e->sub, e->sub_len, 0);
}

/* git_parse_int(): strtoimax(3) in any base, times a unit, within int. */
static int parse_int(const char *value, int *out)
{
	static const char units[] = "kmg";
	const char *unit;
	long long v, factor = 1;
	char *end;

	errno = 0;
	v = strtoll(value, &end, 0);
	if (errno || end == value)
		return -1;
	if (*end) {
		unit = strchr(units, tolower((unsigned char)*end));
		if (!unit || end[1])
			return -1;
		factor <<= 10 * (unit - units + 1);
	}
	if (v > INT_MAX / factor || v < -INT_MAX / factor)
		return -1;
	*out = (int)(v * factor);
	return 0;
}

static int is_one_of(const char *value, const char *const *words)
{
	for (; *words; words++)
		if (!strcasecmp(value, *words))
			return 1;
	return 0;
}

int gitconfig_bool(const char *value)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", "", NULL };
	int n;

	if (!value || is_one_of(value, yes))
		return 1;
	if (is_one_of(value, no))
		return 0;
	return parse_int(value, &n) ? -1 : n != 0;
}
