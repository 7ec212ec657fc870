#include "toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

enum toml_flags {
	TOML_DEFINED = 1 << 0,	/* a table a [header] or key/value made */
	TOML_AOT = 1 << 1,	/* an array [[made]] of tables */
	TOML_FROZEN = 1 << 2,	/* an inline table or array: closed */
};

struct toml_parser {
	const char *p, *end;
	size_t line;
	const char *path;
	struct lg_error *err;
};

#define DEPTH_MAX 64

static int tfail(struct toml_parser *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int tfail(struct toml_parser *t, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return lg_error_set(t->err, LG_ERR_PARSE, "%s:%zu: %s", t->path,
			    t->line, what);
}

static int nomem(struct toml_parser *t)
{
	return lg_error_set(t->err, LG_ERR_NOMEM, "out of memory");
}

const char *toml_type_name(enum toml_type type)
{
	static const char *const names[] = { "string", "integer", "float",
					     "boolean", "array", "table" };

	return names[type];
}

static struct toml_value *value_new(enum toml_type type, size_t line)
{
	struct toml_value *v = calloc(1, sizeof(*v));

	if (v) {
		v->type = type;
		v->line = line;
	}
	return v;
}

void toml_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		toml_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
	size_t i;

	for (i = 0; t && t->type == TOML_TABLE && i < t->n; i++)
		if (!strcmp(t->keys[i], key))
			return t->items[i];
	return NULL;
}

/* Appends v (and, for a table, key) to container c; takes both. */
static int append(struct toml_value *c, char *key, struct toml_value *v)
{
	struct toml_value **items = realloc(c->items, (c->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return LG_ERR_NOMEM;
	c->items = items;
	if (c->type == TOML_TABLE) {
		if (!(keys = realloc(c->keys, (c->n + 1) * sizeof(*keys))))
			return LG_ERR_NOMEM;
		c->keys = keys;
		keys[c->n] = key;
	}
	items[c->n++] = v;
	return 0;
}

/* ---- characters ---------------------------------------------------------- */

static int at(const struct toml_parser *t, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(t->end - t->p) >= n && !memcmp(t->p, s, n);
}

static void skip_blank(struct toml_parser *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

static void skip_comment(struct toml_parser *t)
{
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
}

/* Blanks, comments and newlines (inside arrays). */
static void skip_space(struct toml_parser *t)
{
	for (;;) {
		skip_blank(t);
		skip_comment(t);
		if (at(t, "\r\n"))
			t->p++;
		if (t->p >= t->end || *t->p != '\n')
			return;
		t->p++;
		t->line++;
	}
}

/* After a key/value or header: blanks, a comment, then the line's end. */
static int end_of_line(struct toml_parser *t)
{
	skip_blank(t);
	skip_comment(t);
	if (at(t, "\r\n"))
		t->p++;
	if (t->p >= t->end)
		return 0;
	if (*t->p != '\n')
		return tfail(t, "unexpected '%c' after the value", *t->p);
	t->p++;
	t->line++;
	return 0;
}

/* ---- strings ------------------------------------------------------------- */

static int add_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), n = 4;
	}
	if (n > 1)
		u[1] = (char)(0x80 | ((cp >> (6 * (n - 2))) & 0x3f));
	if (n > 2)
		u[2] = (char)(0x80 | ((cp >> (6 * (n - 3))) & 0x3f));
	if (n > 3)
		u[3] = (char)(0x80 | (cp & 0x3f));
	return buf_add(b, u, n);
}

static int unicode_escape(struct toml_parser *t, size_t digits, struct buf *b)
{
	char hex[9];
	unsigned long cp;
	char *endp;

	if ((size_t)(t->end - t->p) < digits)
		return tfail(t, "a \\u escape needs %zu hex digits", digits);
	memcpy(hex, t->p, digits);
	hex[digits] = '\0';
	cp = strtoul(hex, &endp, 16);
	if (*endp || strspn(hex, "0123456789abcdefABCDEF") != digits ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return tfail(t, "bad unicode escape '\\%c%s'",
			     digits == 4 ? 'u' : 'U', hex);
	t->p += digits;
	return add_utf8(b, cp) ? nomem(t) : 0;
}

/* One escape after a backslash in a basic string. */
static int escape(struct toml_parser *t, struct buf *b, int multi)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	const char *hit;
	char c;

	if (t->p >= t->end)
		return tfail(t, "a string ends in a backslash");
	c = *t->p++;
	if (c && (hit = strchr(from, c)))
		return buf_addch(b, to[hit - from]) ? nomem(t) : 0;
	if (c == 'u' || c == 'U')
		return unicode_escape(t, c == 'u' ? 4 : 8, b);
	if (multi && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
		/* A line-ending backslash: drop the whitespace up to the text. */
		t->p--;
		skip_space(t);
		return 0;
	}
	return tfail(t, "unknown escape '\\%c' (a Windows path? use '...')", c);
}

/* A string after its opening quote(s): delim is "\"", "'", "\"\"\"", "'''". */
static int string_body(struct toml_parser *t, const char *delim,
		       struct buf *b)
{
	int multi = strlen(delim) == 3, basic = delim[0] == '"';
	size_t start = t->line;

	if (multi && at(t, "\r\n"))
		t->p++;
	if (multi && at(t, "\n"))
		t->p++, t->line++;
	while (t->p < t->end) {
		char c = *t->p;

		if (at(t, delim) && !(multi && t->end - t->p > 3 &&
				      t->p[3] == delim[0]))
			return (t->p += strlen(delim), 0);
		t->p++;
		if (basic && c == '\\') {
			if (escape(t, b, multi))
				return t->err->code;
			continue;
		}
		if (c == '\n' && !multi)
			return tfail(t, "a string ends at the end of the line "
				     "(use \"\"\" or ''' for several lines)");
		if (c == '\n')
			t->line++;
		if (c == '\0')
			return tfail(t, "a NUL byte in a string");
		if (buf_addch(b, c))
			return nomem(t);
	}
	t->line = start;
	return tfail(t, "a string that never ends");
}

static int string_value(struct toml_parser *t, struct toml_value **out)
{
	static const char *const delims[] = { "\"\"\"", "'''", "\"", "'" };
	struct buf b = BUF_INIT;
	size_t i, line = t->line;
	int rc;

	for (i = 0; !at(t, delims[i]); i++)
		;
	t->p += strlen(delims[i]);
	if ((rc = string_body(t, delims[i], &b))) {
		buf_release(&b);
		return rc;
	}
	if (!(*out = value_new(TOML_STRING, line)) || buf_addch(&b, '\0')) {
		buf_release(&b);
		return nomem(t);
	}
	(*out)->len = b.len - 1;
	(*out)->str = buf_detach(&b);
	return 0;
}

/* ---- keys ---------------------------------------------------------------- */

static int is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key component: bare, "basic" or 'literal'; *out is owned. */
static int key_part(struct toml_parser *t, char **out)
{
	const char *s = t->p;
	struct toml_value *v;

	if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
		if (at(t, "\"\"\"") || at(t, "'''"))
			return tfail(t, "a key cannot be a multi-line string");
		if (string_value(t, &v))
			return t->err->code;
		*out = v->str;
		v->str = NULL;
		toml_free(v);
		return 0;
	}
	while (t->p < t->end && is_bare(*t->p))
		t->p++;
	if (t->p == s)
		return tfail(t, t->p < t->end ? "expected a key, not '%c'"
				: "expected a key%c", t->p < t->end ? *t->p : ' ');
	return (*out = strndup(s, (size_t)(t->p - s))) ? 0 : nomem(t);
}

struct key_path {
	char *parts[DEPTH_MAX];
	size_t n;
};

static void key_path_release(struct key_path *k)
{
	while (k->n)
		free(k->parts[--k->n]);
}

/* a.b."c d" up to (not including) `=` or `]`. */
static int key_path(struct toml_parser *t, struct key_path *k)
{
	for (;;) {
		skip_blank(t);
		if (k->n == DEPTH_MAX)
			return tfail(t, "keys nest deeper than %d", DEPTH_MAX);
		if (key_part(t, &k->parts[k->n]))
			return t->err->code;
		k->n++;
		skip_blank(t);
		if (t->p >= t->end || *t->p != '.')
			return 0;
		t->p++;
	}
}

/* ---- values -------------------------------------------------------------- */

static int value(struct toml_parser *t, struct toml_value **out, int depth);

static int array_value(struct toml_parser *t, struct toml_value **out,
		       int depth)
{
	struct toml_value *a = value_new(TOML_ARRAY, t->line), *item;

	if (!a)
		return nomem(t);
	a->flags = TOML_FROZEN;
	*out = a;
	t->p++;
	for (;;) {
		skip_space(t);
		if (t->p < t->end && *t->p == ']')
			return (t->p++, 0);
		if (value(t, &item, depth + 1))
			return t->err->code;
		if (append(a, NULL, item)) {
			toml_free(item);
			return nomem(t);
		}
		skip_space(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p >= t->end || *t->p != ']')
			return tfail(t, "expected ',' or ']' in an array");
	}
}

static int keyval(struct toml_parser *t, struct toml_value *table, int depth);

static int inline_table(struct toml_parser *t, struct toml_value **out,
			int depth)
{
	struct toml_value *tab = value_new(TOML_TABLE, t->line);

	if (!tab)
		return nomem(t);
	*out = tab;
	t->p++;
	skip_blank(t);
	if (t->p < t->end && *t->p == '}')
		return (t->p++, tab->flags = TOML_FROZEN | TOML_DEFINED, 0);
	for (;;) {
		if (keyval(t, tab, depth + 1))
			return t->err->code;
		skip_blank(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p >= t->end || *t->p != '}')
			return tfail(t, "expected ',' or '}' in an inline table");
		t->p++;
		tab->flags = TOML_FROZEN | TOML_DEFINED;
		return 0;
	}
}

/* The characters a number or a boolean may hold, copied without '_'. */
static int scalar_word(struct toml_parser *t, char *word, size_t size)
{
	size_t n = 0;

	while (t->p < t->end && (is_bare(*t->p) || *t->p == '.' ||
				 *t->p == '+' || *t->p == ':')) {
		if (n + 1 >= size)
			return tfail(t, "a value too long to be a number");
		if (*t->p != '_')
			word[n++] = *t->p;
		t->p++;
	}
	word[n] = '\0';
	return n ? 0 : tfail(t, "expected a value");
}

static int number_value(struct toml_parser *t, const char *w,
			struct toml_value *v)
{
	char *endp;

	errno = 0;
	if (strpbrk(w, ".eE") && strncmp(w, "0x", 2)) {
		v->type = TOML_FLOAT;
		v->real = strtod(w, &endp);
	} else {
		v->integer = strtoll(w, &endp, strncmp(w, "0x", 2) ? 10 : 16);
		if (!strncmp(w, "0x", 2) && endp == w + 2)
			endp = (char *)w;
	}
	if (errno || *endp || endp == w || strchr(w, ':') ||
	    (strlen(w) > 1 && w[0] == '0' && w[1] >= '0' && w[1] <= '9'))
		return tfail(t, "'%s' is not a value leakgate reads (a number, "
			     "a boolean, a quoted string; not a date)", w);
	return 0;
}

static int word_value(struct toml_parser *t, struct toml_value **out)
{
	char w[128];

	if (scalar_word(t, w, sizeof(w)))
		return t->err->code;
	if (!(*out = value_new(TOML_INTEGER, t->line)))
		return nomem(t);
	if (!strcmp(w, "true") || !strcmp(w, "false")) {
		(*out)->type = TOML_BOOL;
		(*out)->integer = w[0] == 't';
		return 0;
	}
	return number_value(t, w, *out);
}

static int value(struct toml_parser *t, struct toml_value **out, int depth)
{
	*out = NULL;
	if (depth > DEPTH_MAX)
		return tfail(t, "values nest deeper than %d", DEPTH_MAX);
	if (t->p >= t->end || *t->p == '\n' || *t->p == '#')
		return tfail(t, "expected a value");
	if (*t->p == '"' || *t->p == '\'')
		return string_value(t, out);
	if (*t->p == '[')
		return array_value(t, out, depth);
	if (*t->p == '{')
		return inline_table(t, out, depth);
	return word_value(t, out);
}

/* ---- tables -------------------------------------------------------------- */

/*
 * The table that key leads to from tab, made when missing (implicit).  An
 * array of tables leads to its last table.
 */
static int descend(struct toml_parser *t, struct toml_value **tab,
		   const char *key)
{
	struct toml_value *v = (struct toml_value *)toml_get(*tab, key);
	char *k;

	if (v && v->type == TOML_ARRAY && (v->flags & TOML_AOT))
		v = v->items[v->n - 1];
	if (v && (v->type != TOML_TABLE || (v->flags & TOML_FROZEN)))
		return tfail(t, "key '%s' is already a %s", key,
			     toml_type_name(v->type));
	if (!v) {
		if (!(v = value_new(TOML_TABLE, t->line)) || !(k = strdup(key)) ||
		    append(*tab, k, v)) {
			toml_free(v);
			return nomem(t);
		}
	}
	*tab = v;
	return 0;
}

static int keyval(struct toml_parser *t, struct toml_value *table, int depth)
{
	struct key_path k = { { NULL }, 0 };
	struct toml_value *v = NULL;
	size_t i;
	int rc;

	if ((rc = key_path(t, &k)))
		goto done;
	for (i = 0; i + 1 < k.n && !rc; i++)
		rc = descend(t, &table, k.parts[i]);
	if (rc)
		goto done;
	if (t->p >= t->end || *t->p != '=') {
		rc = tfail(t, "expected '=' after key '%s'", k.parts[k.n - 1]);
		goto done;
	}
	t->p++;
	skip_blank(t);
	if (toml_get(table, k.parts[k.n - 1])) {
		rc = tfail(t, "key '%s' given twice", k.parts[k.n - 1]);
		goto done;
	}
	if ((rc = value(t, &v, depth)))
		goto done;
	if (!(rc = append(table, k.parts[k.n - 1], v) ? nomem(t) : 0))
		k.n--, v = NULL;	/* both now owned by table */
done:
	toml_free(v);
	key_path_release(&k);
	return rc;
}

/* [[name]] in tab: a new table at the end of the array `name` names. */
static int header_aot(struct toml_parser *t, struct toml_value *tab,
		      struct key_path *k, struct toml_value **cur)
{
	const char *name = k->parts[k->n - 1];
	struct toml_value *v = (struct toml_value *)toml_get(tab, name), *nt;

	if (v && !(v->flags & TOML_AOT))
		return tfail(t, "[[%s]]: '%s' is already a %s", name, name,
			     toml_type_name(v->type));
	if (!v) {
		if (!(v = value_new(TOML_ARRAY, t->line)) ||
		    append(tab, k->parts[k->n - 1], v)) {
			toml_free(v);
			return nomem(t);
		}
		k->n--;		/* the key is tab's now */
		v->flags = TOML_AOT;
	}
	if (!(nt = value_new(TOML_TABLE, t->line)) || append(v, NULL, nt)) {
		toml_free(nt);
		return nomem(t);
	}
	nt->flags = TOML_DEFINED;
	*cur = nt;
	return 0;
}

/* [name] in tab: defines the table, once. */
static int header_table(struct toml_parser *t, struct toml_value *tab,
			struct key_path *k, struct toml_value **cur)
{
	const char *name = k->parts[k->n - 1];
	const struct toml_value *v = toml_get(tab, name);

	if (v && (v->type != TOML_TABLE ||
		  (v->flags & (TOML_DEFINED | TOML_FROZEN))))
		return tfail(t, "[%s] is defined twice", name);
	if (descend(t, &tab, name))
		return t->err->code;
	tab->flags |= TOML_DEFINED;
	*cur = tab;
	return 0;
}

/* [a.b] or [[a.b]]: makes *cur the table that the lines below fill. */
static int header(struct toml_parser *t, struct toml_value *root,
		  struct toml_value **cur)
{
	struct key_path k = { { NULL }, 0 };
	const char *close = at(t, "[[") ? "]]" : "]";
	struct toml_value *tab = root;
	size_t i;
	int rc;

	t->p += strlen(close);
	if ((rc = key_path(t, &k)))
		goto done;
	if (!at(t, close)) {
		rc = tfail(t, "expected '%s' after a table name", close);
		goto done;
	}
	t->p += strlen(close);
	for (i = 0; i + 1 < k.n && !rc; i++)
		rc = descend(t, &tab, k.parts[i]);
	if (!rc)
		rc = close[1] ? header_aot(t, tab, &k, cur)
			      : header_table(t, tab, &k, cur);
done:
	key_path_release(&k);
	return rc ? rc : end_of_line(t);
}

int toml_parse(struct toml_value **out, const char *text, size_t len,
	       const char *path, struct lg_error *err)
{
	struct toml_parser t = { text, text + len, 1, path, err };
	struct toml_value *root = value_new(TOML_TABLE, 1), *cur = root;
	int rc = 0;

	*out = NULL;
	if (!root)
		return nomem(&t);
	if (memchr(text, '\0', len))
		rc = lg_error_set(err, LG_ERR_PARSE, "%s: a NUL byte: not TOML",
				  path);
	while (!rc) {
		skip_space(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[')
			rc = header(&t, root, &cur);
		else if (!(rc = keyval(&t, cur, 0)))
			rc = end_of_line(&t);
	}
	if (rc) {
		toml_free(root);
		return rc;
	}
	*out = root;
	return 0;
}
