#include "credstore.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gitconfig.h"
#include "validate.h"
#include "banned.h"

/* Bytes of one user or host name shown in a detail. */
#define FIELD_MAX 120
#define DETAIL_MAX 512
/* Decoded bytes of a base64 `auth` value looked at (user:password). */
#define DECODED_MAX 1024
/* Credentials held back until their section ends (for the user's name). */
#define PENDING_MAX 8
#define NOT_FOUND ((size_t)-1)

struct span {
	size_t off, len;
};

/* ---- text helpers -------------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_space(char c)
{
	return is_blank(c) || c == '\n' || c == '\v' || c == '\f';
}

/* The next line from *pos, without its newline; 0 at the end. */
static int next_line(const char *data, size_t len, size_t *pos,
		     struct span *line)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	nl = memchr(data + *pos, '\n', len - *pos);
	line->off = *pos;
	line->len = (nl ? (size_t)(nl - data) : len) - *pos;
	*pos += line->len + (nl != NULL);
	return 1;
}

static struct span trim(const char *data, struct span s)
{
	while (s.len && is_blank(data[s.off])) {
		s.off++;
		s.len--;
	}
	while (s.len && is_blank(data[s.off + s.len - 1]))
		s.len--;
	return s;
}

/* Drops one pair of matching quotes around s. */
static struct span unquote(const char *data, struct span s)
{
	char q = s.len >= 2 ? data[s.off] : 0;

	if ((q == '"' || q == '\'') && data[s.off + s.len - 1] == q) {
		s.off++;
		s.len -= 2;
	}
	return s;
}

static int span_is(const char *data, struct span s, const char *word)
{
	return strlen(word) == s.len && !strncasecmp(data + s.off, word, s.len);
}

/* Comment lines (# or ;) and blank lines carry nothing. */
static int is_comment(const char *data, struct span line)
{
	return !line.len || data[line.off] == '#' || data[line.off] == ';';
}

/*
 * Splits a trimmed line at the first of seps into a non-empty key and a
 * value, both trimmed; returns 0 when there is no separator.
 */
static int split_kv(const char *data, struct span line, const char *seps,
		    struct span *key, struct span *value)
{
	size_t i;

	for (i = 0; i < line.len; i++)
		if (data[line.off + i] && strchr(seps, data[line.off + i]))
			break;
	if (i == line.len)
		return 0;
	key->off = line.off;
	key->len = i;
	*key = trim(data, *key);
	value->off = line.off + i + 1;
	value->len = line.len - i - 1;
	*value = trim(data, *value);
	return key->len > 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte a valid %XX at p[i] stands for, or -1 (then '%' is literal). */
static int percent_byte(const char *p, size_t n, size_t i)
{
	int hi, lo, c;

	if (p[i] != '%' || i + 2 >= n)
		return -1;
	hi = hex_value(p[i + 1]);
	lo = hex_value(p[i + 2]);
	if (hi < 0 || lo < 0)
		return -1;
	c = hi * 16 + lo;
	/* Control bytes stay escaped: a detail is a single line of text. */
	return c < 0x20 || c == 0x7f ? -1 : c;
}

/*
 * p[0..n) as text for a detail in out: at most FIELD_MAX bytes, percent
 * escapes decoded when `percent`, NUL bytes left out.  Returns out.
 */
static const char *field(const char *p, size_t n, int percent,
			 char out[FIELD_MAX + 1])
{
	size_t i, o = 0;

	for (i = 0; i < n && o < FIELD_MAX; i++) {
		int c = percent ? percent_byte(p, n, i) : -1;

		if (c >= 0)
			i += 2;
		else
			c = (unsigned char)p[i];
		if (c)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}


/*
 * Decodes base64 (padded or not) into out, NUL-terminated; returns the
 * length, or -1 when s is not base64 or decodes to more than cap - 1.
 */
static int base64_decode(const char *s, size_t len, char *out, size_t cap)
{
	unsigned long acc = 0;
	size_t i, n = 0;
	int bits = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (!len || len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = validate_base64_value(s[i]);

		if (v < 0)
			return -1;
		acc = ((acc << 6) | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)(acc >> bits);
	}
	out[n] = '\0';
	return (int)n;
}

/* 1 when s[0..n) is printable text: what a decoded password looks like. */
static int is_text(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return n > 0;
}

/*
 * Decodes a base64 "user:password" into out and points *user at its user
 * name; returns 0, or -1 when the value is not that.
 */
static int decode_user_password(const char *s, size_t len,
				char out[DECODED_MAX], struct span *user)
{
	int n = base64_decode(s, len, out, DECODED_MAX);
	const char *colon;

	if (n <= 0 || !is_text(out, (size_t)n))
		return -1;
	colon = memchr(out, ':', (size_t)n);
	if (!colon || colon == out || colon == out + n - 1)
		return -1;
	user->off = 0;
	user->len = (size_t)(colon - out);
	return 0;
}

static int emit_span(credstore_emit_fn emit, void *payload, size_t off,
		     size_t len, const char *detail)
{
	struct credstore_cred c = { off, len, detail };

	return len ? emit(&c, payload) : 0;
}

/* ---- URLs and .git-credentials ------------------------------------------- */

static int is_scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* The end of the authority that starts at i: '/', '?', '#' or the end. */
static size_t authority_end(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	return i;
}

/* 1 when s has no blank or control byte: one word. */
static int is_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

/* The offset after the "scheme://" that starts s, or 0. */
static size_t after_scheme(const char *s, size_t len)
{
	size_t i = 0;

	/* A scheme starts with an ASCII letter (| 0x20 folds the case). */
	if (!len || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	while (i < len && i <= 32 && is_scheme_char(s[i]))
		i++;
	return len - i >= 3 && !memcmp(s + i, "://", 3) ? i + 3 : 0;
}

int credstore_url_parse(const char *s, size_t len, struct credstore_url *url)
{
	size_t auth, end, at, colon;

	memset(url, 0, sizeof(*url));
	if (!is_word(s, len) || !(auth = after_scheme(s, len)))
		return 0;
	end = authority_end(s, len, auth);
	for (at = end; at > auth && s[at - 1] != '@'; at--)
		;
	if (at == auth)
		return 0;
	at--;
	colon = auth;
	while (colon < at && s[colon] != ':')
		colon++;
	if (colon == at)
		return 0;
	url->user = auth;
	url->user_len = colon - auth;
	url->password = colon + 1;
	url->password_len = at - colon - 1;
	url->host = at + 1;
	url->host_len = end - at - 1;
	url->path = end;
	url->path_len = len - end;
	return url->password_len > 0 && url->host_len > 0;
}

/* Emits the password of the URL at s (offset base in data). */
static int emit_url(const char *s, size_t len, size_t base,
		    const char *where, credstore_emit_fn emit, void *payload)
{
	char user[FIELD_MAX + 1], host[FIELD_MAX + 1], path[FIELD_MAX + 1];
	char detail[DETAIL_MAX];
	struct credstore_url u;

	if (!credstore_url_parse(s, len, &u))
		return 0;
	snprintf(detail, sizeof(detail), "%suser %s at %s%s", where,
		 field(s + u.user, u.user_len, 1, user),
		 field(s + u.host, u.host_len, 1, host),
		 field(s + u.path, u.path_len, 1, path));
	return emit_span(emit, payload, base + u.password, u.password_len,
			 detail);
}

int credstore_git_credentials(const char *data, size_t len,
			      credstore_emit_fn emit, void *payload)
{
	struct span line;
	size_t pos = 0;
	int rc;

	while (next_line(data, len, &pos, &line)) {
		line = trim(data, line);
		rc = emit_url(data + line.off, line.len, line.off, "", emit,
			      payload);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- .netrc -------------------------------------------------------------- */

struct netrc_entry {
	int open;		/* after `machine` or `default` */
	struct span host;	/* len 0: the default entry */
	struct span login, password;
};

/* Skips blanks and, when `comments`, lines that start with '#'. */
static size_t netrc_skip(const char *data, size_t len, size_t p, int comments)
{
	for (;;) {
		while (p < len && is_space(data[p]))
			p++;
		if (p >= len || !comments || data[p] != '#')
			return p;
		while (p < len && data[p] != '\n')
			p++;
	}
}

/* The next token at *pos: a word, or a "quoted" one without its quotes. */
static int netrc_token(const char *data, size_t len, size_t *pos,
		       int comments, struct span *tok)
{
	size_t p = netrc_skip(data, len, *pos, comments);
	int quoted = p < len && data[p] == '"';

	if (p >= len)
		return 0;
	p += quoted;
	tok->off = p;
	while (p < len && (quoted ? data[p] != '"' && data[p] != '\n'
				  : !is_space(data[p]))) {
		if (quoted && data[p] == '\\' && p + 1 < len)
			p++;
		p++;
	}
	tok->len = p - tok->off;
	*pos = p + (quoted && p < len && data[p] == '"');
	return 1;
}

/* A macro body runs from the next line to the first empty line. */
static void netrc_skip_macro(const char *data, size_t len, size_t *pos)
{
	struct span line;

	next_line(data, len, pos, &line);
	while (next_line(data, len, pos, &line))
		if (!trim(data, line).len)
			return;
}

static int netrc_flush(const char *data, const struct netrc_entry *e,
		       credstore_emit_fn emit, void *payload)
{
	char user[FIELD_MAX + 1], host[FIELD_MAX + 1];
	char detail[DETAIL_MAX];
	int rc;

	if (!e->open || !e->password.len)
		return 0;
	field(data + e->login.off, e->login.len, 0, user);
	field(data + e->host.off, e->host.len, 0, host);
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", *user ? "user " : "",
		 user, *user ? " " : "",
		 e->host.len ? "at " : "in the default entry", host);
	rc = emit_span(emit, payload, e->password.off, e->password.len, detail);
	return rc < 0 ? rc : 0;
}

/* Handles the keyword tok; returns emit's negative value or 0. */
static int netrc_keyword(const char *data, size_t len, size_t *pos,
			 struct span tok, struct netrc_entry *e,
			 credstore_emit_fn emit, void *payload)
{
	struct span value = { 0, 0 };
	int rc;

	if (span_is(data, tok, "machine") || span_is(data, tok, "default")) {
		if ((rc = netrc_flush(data, e, emit, payload)) < 0)
			return rc;
		memset(e, 0, sizeof(*e));
		e->open = 1;
		if (span_is(data, tok, "machine"))
			netrc_token(data, len, pos, 0, &e->host);
		return 0;
	}
	if (span_is(data, tok, "macdef")) {
		netrc_token(data, len, pos, 0, &value);
		netrc_skip_macro(data, len, pos);
		return 0;
	}
	if (!span_is(data, tok, "login") && !span_is(data, tok, "password") &&
	    !span_is(data, tok, "account") && !span_is(data, tok, "port"))
		return 0;
	netrc_token(data, len, pos, 0, &value);
	if (span_is(data, tok, "login"))
		e->login = value;
	else if (span_is(data, tok, "password"))
		e->password = value;
	return 0;
}

int credstore_netrc(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload)
{
	struct netrc_entry e;
	struct span tok;
	size_t pos = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	while (netrc_token(data, len, &pos, 1, &tok))
		if ((rc = netrc_keyword(data, len, &pos, tok, &e, emit,
					payload)) < 0)
			return rc;
	return netrc_flush(data, &e, emit, payload);
}

/* ---- .npmrc -------------------------------------------------------------- */

struct npmrc_users {
	struct span scope[PENDING_MAX], user[PENDING_MAX];
	size_t n;
};

/* Splits `//host/path/:name` into scope and name; unscoped: empty scope. */
static void npmrc_key(const char *data, struct span key, struct span *scope,
		      struct span *name)
{
	size_t i = key.len;

	*name = key;
	scope->off = key.off;
	scope->len = 0;
	if (key.len < 2 || memcmp(data + key.off, "//", 2))
		return;
	while (i > 0 && data[key.off + i - 1] != ':')
		i--;
	if (!i)
		return;
	scope->len = i - 1;
	name->off = key.off + i;
	name->len = key.len - i;
}

static int npmrc_entry(const char *data, struct span line,
		       struct span *scope, struct span *name,
		       struct span *value)
{
	struct span key;

	line = trim(data, line);
	if (is_comment(data, line) || !split_kv(data, line, "=", &key, value))
		return 0;
	npmrc_key(data, key, scope, name);
	*value = unquote(data, *value);
	return value->len > 0;
}

static void npmrc_collect_users(const char *data, size_t len,
				struct npmrc_users *u)
{
	struct span line, scope, name, value;
	size_t pos = 0;

	u->n = 0;
	while (u->n < PENDING_MAX && next_line(data, len, &pos, &line)) {
		if (!npmrc_entry(data, line, &scope, &name, &value) ||
		    !span_is(data, name, "username"))
			continue;
		u->scope[u->n] = scope;
		u->user[u->n++] = value;
	}
}

static struct span npmrc_user(const char *data, const struct npmrc_users *u,
			      struct span scope)
{
	struct span none = { 0, 0 };
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->scope[i].len == scope.len &&
		    !memcmp(data + u->scope[i].off, data + scope.off,
			    scope.len))
			return u->user[i];
	return none;
}

/* "registry.npmjs.org" for "//registry.npmjs.org/". */
static const char *npmrc_host(const char *data, struct span scope,
			      char out[FIELD_MAX + 1])
{
	if (!scope.len)
		return "the default registry";
	scope.off += 2;
	scope.len -= 2;
	if (scope.len && data[scope.off + scope.len - 1] == '/')
		scope.len--;
	return field(data + scope.off, scope.len, 0, out);
}

static int npmrc_line(const char *data, struct span line,
		      const struct npmrc_users *users, credstore_emit_fn emit,
		      void *payload)
{
	char decoded[DECODED_MAX], buf[FIELD_MAX + 1], user[FIELD_MAX + 1];
	char detail[DETAIL_MAX];
	struct span scope, name, value, u;
	const char *host;

	if (!npmrc_entry(data, line, &scope, &name, &value))
		return 0;
	host = npmrc_host(data, scope, buf);
	if (span_is(data, name, "_authToken")) {
		snprintf(detail, sizeof(detail), "auth token for %s", host);
	} else if (span_is(data, name, "_auth")) {
		if (decode_user_password(data + value.off, value.len, decoded,
					 &u))
			return 0;
		snprintf(detail, sizeof(detail), "user %s at %s",
			 field(decoded, u.len, 0, user), host);
	} else if (span_is(data, name, "_password")) {
		if (base64_decode(data + value.off, value.len, decoded,
				  sizeof(decoded)) <= 0)
			return 0;
		u = npmrc_user(data, users, scope);
		snprintf(detail, sizeof(detail), "password of user %s at %s",
			 u.len ? field(data + u.off, u.len, 0, user) : "(none)",
			 host);
	} else {
		return 0;
	}
	return emit_span(emit, payload, value.off, value.len, detail);
}

int credstore_npmrc(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload)
{
	struct npmrc_users users;
	struct span line;
	size_t pos = 0;
	int rc;

	npmrc_collect_users(data, len, &users);
	while (next_line(data, len, &pos, &line))
		if ((rc = npmrc_line(data, line, &users, emit, payload)) < 0)
			return rc;
	return 0;
}

/* ---- ini files: .pypirc, .s3cfg, AWS credentials ------------------------- */

struct ini_spec {
	const char *const *secrets;	/* keys whose values are credentials */
	const char *user;		/* key that names the user, or NULL */
	const char *host;		/* key that names the host, or NULL */
	const char *id;			/* key that names an access key id */
	const char *section_word;	/* "profile", "repository", "section" */
};

struct ini_section {
	struct span name, user, host, id;
	struct span key[PENDING_MAX], secret[PENDING_MAX];
	size_t n;
};

/* ", access key AKIA...WXYZ": enough to find the key, not the whole id. */
static void ini_add_id(char *detail, size_t size, const char *data,
		       struct span id)
{
	size_t used = strlen(detail);

	if (id.len < 12)
		return;
	snprintf(detail + used, size - used, ", access key %.4s...%.4s",
		 data + id.off, data + id.off + id.len - 4);
}

static int ini_flush(const char *data, const struct ini_spec *spec,
		     struct ini_section *s, credstore_emit_fn emit,
		     void *payload)
{
	char key[FIELD_MAX + 1], name[FIELD_MAX + 1], user[FIELD_MAX + 1];
	char host[FIELD_MAX + 1], detail[DETAIL_MAX];
	size_t i;
	int rc;

	field(data + s->name.off, s->name.len, 0, name);
	field(data + s->user.off, s->user.len, 0, user);
	field(data + s->host.off, s->host.len, 0, host);
	for (i = 0; i < s->n; i++) {
		field(data + s->key[i].off, s->key[i].len, 0, key);
		snprintf(detail, sizeof(detail), "%s of %s %s%s%s%s%s", key,
			 spec->section_word, *name ? name : "(none)",
			 *user ? ", user " : "", user, *host ? ", host " : "",
			 host);
		ini_add_id(detail, sizeof(detail), data, s->id);
		rc = emit_span(emit, payload, s->secret[i].off,
			       s->secret[i].len, detail);
		if (rc < 0)
			return rc;
	}
	s->n = 0;
	return 0;
}

static int is_one_of(const char *data, struct span s, const char *const *words)
{
	size_t i;

	for (i = 0; words[i]; i++)
		if (span_is(data, s, words[i]))
			return 1;
	return 0;
}

/* Starts the section named by a `[name]` line ("profile " dropped). */
static void ini_header(const char *data, struct span line,
		       struct ini_section *s)
{
	struct span name = { line.off + 1, 0 };

	memset(s, 0, sizeof(*s));
	while (name.off + name.len < line.off + line.len &&
	       data[name.off + name.len] != ']')
		name.len++;
	name = trim(data, name);
	if (name.len > 8 && !strncasecmp(data + name.off, "profile ", 8)) {
		name.off += 8;
		name.len -= 8;
		name = trim(data, name);
	}
	s->name = name;
}

/* Keeps what names the section's credentials: user, host, key id. */
static void ini_context(const char *data, const struct ini_spec *spec,
			struct span key, struct span value,
			struct ini_section *s)
{
	if (spec->user && span_is(data, key, spec->user))
		s->user = value;
	else if (spec->host && span_is(data, key, spec->host))
		s->host = value;
	else if (spec->id && span_is(data, key, spec->id))
		s->id = value;
}

static int ini_parse(const char *data, size_t len, const struct ini_spec *spec,
		     credstore_emit_fn emit, void *payload)
{
	struct ini_section s;
	struct span line, key, value;
	size_t pos = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	while (rc >= 0 && next_line(data, len, &pos, &line)) {
		line = trim(data, line);
		if (is_comment(data, line))
			continue;
		if (data[line.off] == '[') {
			rc = ini_flush(data, spec, &s, emit, payload);
			if (rc >= 0)
				ini_header(data, line, &s);
			continue;
		}
		if (!split_kv(data, line, "=:", &key, &value) || !value.len)
			continue;
		if (!is_one_of(data, key, spec->secrets)) {
			ini_context(data, spec, key, value, &s);
			continue;
		}
		if (s.n == PENDING_MAX &&
		    (rc = ini_flush(data, spec, &s, emit, payload)) < 0)
			break;
		s.key[s.n] = key;
		s.secret[s.n++] = value;
	}
	return rc < 0 ? rc : ini_flush(data, spec, &s, emit, payload);
}

int credstore_pypirc(const char *data, size_t len, credstore_emit_fn emit,
		     void *payload)
{
	static const char *const secrets[] = { "password", NULL };
	static const struct ini_spec spec = { secrets, "username", "repository",
					      NULL, "repository" };

	return ini_parse(data, len, &spec, emit, payload);
}

int credstore_s3cfg(const char *data, size_t len, credstore_emit_fn emit,
		    void *payload)
{
	static const char *const secrets[] = { "secret_key", "access_token",
					       NULL };
	static const struct ini_spec spec = { secrets, NULL, "host_base",
					      "access_key", "section" };

	return ini_parse(data, len, &spec, emit, payload);
}

int credstore_aws(const char *data, size_t len, credstore_emit_fn emit,
		  void *payload)
{
	static const char *const secrets[] = { "aws_secret_access_key",
					       "aws_session_token",
					       "aws_security_token", NULL };
	static const struct ini_spec spec = { secrets, NULL, NULL,
					      "aws_access_key_id", "profile" };

	return ini_parse(data, len, &spec, emit, payload);
}

/* ---- gh hosts.yml -------------------------------------------------------- */

struct gh_host {
	struct span host, user, users_user;
	size_t users_indent;
	int in_users;
	struct span token[PENDING_MAX], token_user[PENDING_MAX];
	size_t n;
};

/* Splits `key: value` (a YAML block mapping line); value may be empty. */
static int yaml_kv(const char *data, struct span line, struct span *key,
		   struct span *value)
{
	size_t i;

	for (i = 0; i < line.len; i++) {
		if (data[line.off + i] != ':')
			continue;
		if (i + 1 == line.len || is_blank(data[line.off + i + 1]))
			break;
	}
	if (i >= line.len || !i)
		return 0;
	key->off = line.off;
	key->len = i;
	value->off = line.off + i + 1;
	value->len = line.len - i - 1;
	*value = trim(data, *value);
	if (value->len && data[value->off] != '"' && data[value->off] != '\'') {
		const char *hash = memchr(data + value->off, '#', value->len);
		if (hash && hash > data + value->off && is_blank(hash[-1]))
			value->len = (size_t)(hash - data - value->off);
		*value = trim(data, *value);
	}
	*value = unquote(data, *value);
	return 1;
}

static int gh_flush(const char *data, struct gh_host *h,
		    credstore_emit_fn emit, void *payload)
{
	char user[FIELD_MAX + 1], host[FIELD_MAX + 1], detail[DETAIL_MAX];
	size_t i;
	int rc;

	field(data + h->host.off, h->host.len, 0, host);
	for (i = 0; i < h->n; i++) {
		struct span u = h->token_user[i].len ? h->token_user[i]
						     : h->user;

		field(data + u.off, u.len, 0, user);
		snprintf(detail, sizeof(detail), "oauth token of user %s at %s",
			 *user ? user : "(none)", host);
		rc = emit_span(emit, payload, h->token[i].off, h->token[i].len,
			       detail);
		if (rc < 0)
			return rc;
	}
	h->n = 0;
	return 0;
}

static int gh_line(const char *data, struct span line, struct gh_host *h,
		   credstore_emit_fn emit, void *payload)
{
	size_t indent = 0;
	struct span key, value;
	int rc = 0;

	while (indent < line.len && is_blank(data[line.off + indent]))
		indent++;
	line = trim(data, line);
	if (is_comment(data, line) || !yaml_kv(data, line, &key, &value))
		return 0;
	if (!indent) {
		rc = gh_flush(data, h, emit, payload);
		memset(h, 0, sizeof(*h));
		if (!value.len)
			h->host = key;
		return rc;
	}
	if (!h->host.len)
		return 0;
	if (h->in_users && indent <= h->users_indent)
		h->in_users = 0;
	if (span_is(data, key, "users") && !value.len) {
		h->in_users = 1;
		h->users_indent = indent;
	} else if (h->in_users && !value.len) {
		h->users_user = key;
	} else if (span_is(data, key, "user") && !h->in_users) {
		h->user = value;
	} else if (span_is(data, key, "oauth_token") && value.len) {
		if (h->n == PENDING_MAX &&
		    (rc = gh_flush(data, h, emit, payload)) < 0)
			return rc;
		h->token_user[h->n].len = 0;
		if (h->in_users)
			h->token_user[h->n] = h->users_user;
		h->token[h->n++] = value;
	}
	return rc;
}

int credstore_gh_hosts(const char *data, size_t len, credstore_emit_fn emit,
		       void *payload)
{
	struct gh_host h;
	struct span line;
	size_t pos = 0;
	int rc;

	memset(&h, 0, sizeof(h));
	while (next_line(data, len, &pos, &line))
		if ((rc = gh_line(data, line, &h, emit, payload)) < 0)
			return rc;
	return gh_flush(data, &h, emit, payload);
}

/* ---- docker config.json -------------------------------------------------- */

/*
 * JSON gives values, not places: each value is found again in the text,
 * after its registry's key and at most this far from it, so that a file of
 * many entries (or of values written with escapes) is still read in linear
 * time.  Objects iterate in file order (jansson keeps insertion order).
 */
#define DOCKER_WINDOW (64u << 10)

struct docker_scan {
	const char *data;
	size_t len;
	size_t cursor;		/* after the last entry found */
	credstore_emit_fn emit;
	void *payload;
};

/* Offset of `"s"` (inside the quotes) in data[from..end), or NOT_FOUND. */
static size_t find_quoted(const char *data, size_t end, size_t from,
			  const char *s, size_t n)
{
	const char *p;

	while (n && from < end && (p = memmem(data + from, end - from, s, n))) {
		size_t off = (size_t)(p - data);

		if (off > 0 && data[off - 1] == '"' && off + n < end &&
		    data[off + n] == '"')
			return off;
		from = off + 1;
	}
	return NOT_FOUND;
}

static size_t docker_find(const struct docker_scan *d, size_t from,
			  const char *s)
{
	size_t end = d->len - from > DOCKER_WINDOW ? from + DOCKER_WINDOW
						   : d->len;

	return find_quoted(d->data, end, from, s, strlen(s));
}

/* Emits value, found as written after `from`. */
static int docker_value(struct docker_scan *d, size_t from, const char *value,
			const char *detail)
{
	size_t n = strlen(value), off = docker_find(d, from, value);

	if (off == NOT_FOUND)
		return 0;
	if (off + n > d->cursor)
		d->cursor = off + n;
	return emit_span(d->emit, d->payload, off, n, detail);
}

static int docker_entry(struct docker_scan *d, const char *registry,
			json_t *entry)
{
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *id = json_string_value(json_object_get(entry,
							   "identitytoken"));
	char decoded[DECODED_MAX], user[FIELD_MAX + 1], host[FIELD_MAX + 1];
	char detail[DETAIL_MAX];
	size_t from = docker_find(d, d->cursor, registry);
	struct span u;
	int rc = 0;

	from = from == NOT_FOUND ? d->cursor : from;
	field(registry, strlen(registry), 0, host);
	if (auth && !decode_user_password(auth, strlen(auth), decoded, &u)) {
		snprintf(detail, sizeof(detail), "user %s at %s",
			 field(decoded, u.len, 0, user), host);
		rc = docker_value(d, from, auth, detail);
	}
	if (rc >= 0 && id) {
		snprintf(detail, sizeof(detail), "identity token for %s", host);
		rc = docker_value(d, from, id, detail);
	}
	return rc;
}

int credstore_docker_config(const char *data, size_t len,
			    credstore_emit_fn emit, void *payload)
{
	struct docker_scan d = { data, len, 0, emit, payload };
	json_t *root, *auths, *entry;
	json_error_t jerr;
	const char *registry;
	int rc = 0;

	if (!(root = json_loadb(data, len, 0, &jerr)))
		return 0;
	/* The legacy ~/.dockercfg is the `auths` object alone. */
	auths = json_object_get(root, "auths");
	if (!json_is_object(auths))
		auths = root;
	json_object_foreach(auths, registry, entry) {
		if (!json_is_object(entry))
			continue;
		if ((rc = docker_entry(&d, registry, entry)) < 0)
			break;
	}
	json_decref(root);
	return rc < 0 ? rc : 0;
}

/* ---- git config ---------------------------------------------------------- */

struct gitcfg_ctx {
	const char *data;
	const char *last_sub;	/* subsection already looked at */
	credstore_emit_fn emit;
	void *payload;
};

/*
 * "remote.origin.url, ": where a value is, for its detail.  A subsection
 * that holds a password itself is left out.
 */
static void gitcfg_where(const struct gitconfig_entry *e, char *out,
			 size_t size)
{
	char section[FIELD_MAX + 1], sub[FIELD_MAX + 1], key[FIELD_MAX + 1];
	struct credstore_url u;
	int sub_ok = e->sub && !credstore_url_parse(e->sub, e->sub_len, &u);

	field(e->section, e->section_len, 0, section);
	field(sub_ok ? e->sub : "", sub_ok ? e->sub_len : 0, 0, sub);
	field(e->key, e->key_len, 0, key);
	snprintf(out, size, "%s%s%s.%s, ", section, *sub ? "." : "", sub, key);
}

/* A URL with a password in a subsection or a value (quoted or not). */
static int gitcfg_url(struct gitcfg_ctx *c, const struct gitconfig_entry *e,
		      const char *s, size_t n, int in_sub)
{
	char section[FIELD_MAX + 1], where[3 * FIELD_MAX + 8];

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (in_sub)
		snprintf(where, sizeof(where), "[%s] section, ",
			 field(e->section, e->section_len, 0, section));
	else
		gitcfg_where(e, where, sizeof(where));
	return emit_url(s, n, (size_t)(s - c->data), where, c->emit,
			c->payload);
}

/* s without its first word and the blanks after it. */
static struct span after_word(const char *data, struct span s)
{
	while (s.len && !is_blank(data[s.off])) {
		s.off++;
		s.len--;
	}
	return trim(data, s);
}

static int ends_with(const char *data, struct span s, const char *word)
{
	size_t n = strlen(word);

	return s.len >= n && !strncasecmp(data + s.off + s.len - n, word, n);
}

/* `Authorization: Basic xyz` or `PRIVATE-TOKEN: xyz` in http.extraHeader. */
static int gitcfg_header(struct gitcfg_ctx *c, const struct gitconfig_entry *e)
{
	struct span v = { (size_t)(e->value - c->data), e->value_len };
	struct span name, value;
	char where[3 * FIELD_MAX + 8], header[FIELD_MAX + 1];
	char detail[DETAIL_MAX];

	v = unquote(c->data, v);
	if (!split_kv(c->data, v, ":", &name, &value))
		return 0;
	/* The scheme (Basic, Bearer) is not the secret. */
	if (span_is(c->data, name, "authorization"))
		value = after_word(c->data, value);
	else if (!ends_with(c->data, name, "token"))
		return 0;
	gitcfg_where(e, where, sizeof(where));
	snprintf(detail, sizeof(detail), "%sheader %s", where,
		 field(c->data + name.off, name.len, 0, header));
	return emit_span(c->emit, c->payload, value.off, value.len, detail);
}

static int gitcfg_entry(const struct gitconfig_entry *e, void *payload)
{
	struct gitcfg_ctx *c = payload;
	int rc = 0;

	if (e->sub && e->sub != c->last_sub) {
		c->last_sub = e->sub;
		rc = gitcfg_url(c, e, e->sub, e->sub_len, 1);
	}
	if (rc >= 0 && e->value && e->value_len)
		rc = gitconfig_is(e, "http", "extraheader")
			     ? gitcfg_header(c, e)
			     : gitcfg_url(c, e, e->value, e->value_len, 0);
	return rc < 0 ? rc : 0;
}

int credstore_git_config(const char *data, size_t len, credstore_emit_fn emit,
			 void *payload)
{
	struct gitcfg_ctx c = { data, NULL, emit, payload };

	return gitconfig_parse(data, len, gitcfg_entry, &c);
}

/* ---- the store itself, and the registry ---------------------------------- */

struct credstore_entry {
	const char *name;
	credstore_fn fn;
	const char *store;	/* a store format's title, for credstore_any */
};

static const struct credstore_entry parsers[] = {
	{ "git-credentials", credstore_git_credentials, ".git-credentials" },
	{ "netrc", credstore_netrc, ".netrc" },
	{ "npmrc", credstore_npmrc, ".npmrc" },
	{ "pypirc", credstore_pypirc, ".pypirc" },
	{ "s3cfg", credstore_s3cfg, ".s3cfg" },
	{ "aws-credentials", credstore_aws, "AWS credentials" },
	{ "gh-hosts", credstore_gh_hosts, "gh hosts.yml" },
	{ "docker-config", credstore_docker_config, "Docker config.json" },
	{ "git-config", credstore_git_config, NULL },
	{ "credential-store", credstore_any, NULL },
};

#define N_PARSERS (sizeof(parsers) / sizeof(parsers[0]))

struct once {
	credstore_emit_fn emit;
	void *payload;
	const char *kind;
	int done;
};

static int emit_once(const struct credstore_cred *c, void *payload)
{
	struct once *o = payload;
	char detail[DETAIL_MAX];
	struct credstore_cred store = { c->offset, c->len, detail };
	int rc;

	snprintf(detail, sizeof(detail), "%s credential store: remove it "
		 "from the repository and its history, and rotate every "
		 "credential in it", o->kind);
	rc = o->emit(&store, o->payload);
	if (rc > 0)
		o->done = 1;
	/* Reported once: stop this parser, and the search. */
	return rc > 0 ? -1 : rc;
}

int credstore_any(const char *data, size_t len, credstore_emit_fn emit,
		  void *payload)
{
	struct once o = { emit, payload, NULL, 0 };
	size_t i;
	int rc;

	for (i = 0; i < N_PARSERS; i++) {
		if (!parsers[i].store)
			continue;
		o.kind = parsers[i].store;
		rc = parsers[i].fn(data, len, emit_once, &o);
		if (o.done)
			return 0;
		if (rc < 0)
			return rc;
	}
	return 0;
}

credstore_fn credstore_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N_PARSERS; i++)
		if (!strcmp(parsers[i].name, name))
			return parsers[i].fn;
	return NULL;
}

const char *const *credstore_names(void)
{
	static const char *names[N_PARSERS + 1];
	size_t i;

	for (i = 0; i < N_PARSERS; i++)
		names[i] = parsers[i].name;
	names[N_PARSERS] = NULL;
	return names;
}
