#include "plain.h"

#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "decode_text.h"
#include "plain_value.h"
#include "validate.h"
#include "banned.h"

/* Bytes around a value searched for the same word as user or db name. */
#define NEIGHBOUR_SPAN 400

enum file_kind {
	FILE_UNKNOWN = 0,
	FILE_CONFIG,	/* an unquoted value is a value */
	FILE_CODE,	/* an unquoted value is an expression */
};

static int has_suffix_ci(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

static int any_suffix_ci(const char *s, size_t len, const char *const *l)
{
	for (; *l; l++)
		if (has_suffix_ci(s, len, *l))
			return 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- paths --------------------------------------------------------------- */

/* Directories named so, or starting with "test" (tests-clar/, testdata/). */
static const char *const sample_dirs[] = {
	"test", "t/", "__tests__/", "spec/", "specs/", "fixture/", "fixtures/",
	"example/", "examples/", "sample/", "samples/", "doc/", "docs/",
	"documentation/", "demo/", "demos/", "mock/", "mocks/", "tutorial/",
	"tutorials/", NULL
};

static const char *const sample_suffixes[] = {
	".example", ".sample", ".dist", ".template", ".tmpl", ".tpl", ".md",
	".rst", ".adoc", "_test.go", ".test.js",
	".test.ts", ".spec.js", ".spec.ts", "test.java", "tests.cs",
	"test.kt", "_spec.rb", "_test.py", NULL
};

/* Non-zero when some directory of path is one of sample_dirs. */
static int in_sample_dir(const char *path)
{
	const char *p = path;
	size_t i;

	for (; p && strchr(p, '/'); p = strchr(p, '/') + 1)
		for (i = 0; sample_dirs[i]; i++)
			if (!strncasecmp(p, sample_dirs[i], strlen(sample_dirs[i])))
				return 1;
	return 0;
}

int plain_path_is_sample(const char *path)
{
	const char *base;

	if (!path)
		return 0;
	base = base_name(path);
	if (!strcmp(path, "commit message"))
		return 1;	/* prose, as history scans it */
	if (!strncasecmp(base, "readme", 6) || !strncasecmp(base, "test_", 5) ||
	    strstr(base, ".example") || strstr(base, ".sample"))
		return 1;
	return in_sample_dir(path) ||
	       any_suffix_ci(path, strlen(path), sample_suffixes);
}

static const char *const code_suffixes[] = {
	".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java",
	".kt", ".kts", ".cs", ".php", ".rb", ".rs", ".c", ".h", ".cc", ".cpp",
	".hpp", ".cxx", ".hxx", ".hh", ".tcc", ".tpp", ".ipp", ".inl", ".mm",
	".swift", ".scala", ".groovy", ".gradle", ".dart", ".m", ".lua",
	".pl", ".ex", ".exs", ".vue", ".zig", ".hs", ".ml", ".fs", ".clj",
	".jl", ".erl", NULL
};

static const char *const config_suffixes[] = {
	".yaml", ".yml", ".json", ".xml", ".ini", ".cfg", ".conf", ".config",
	".properties", ".toml", ".env", ".tf", ".tfvars", ".hcl", ".sh",
	".bash", ".zsh", ".ps1", ".bat", ".cmd", ".plist", ".cnf", ".sql",
	".ipynb", NULL
};

/* Formats whose bare values are taken as written, '$' and all. */
static const char *const literal_suffixes[] = {
	".yaml", ".yml", ".json", ".xml", ".ini", ".cfg", ".conf", ".config",
	".properties", ".toml", ".tfvars", ".hcl", ".plist", ".cnf", ".sql",
	".ipynb", NULL
};

/*
 * Non-zero when a bare value would have a variable expanded in it where
 * it stands, in a shell script, a .env file, a Makefile or a file of
 * unknown kind: '$' and a name that reads as one (lower case, 3 letters
 * or more, to the end of a word: "super$ecret" is "super" and $ecret).
 * Random passwords hold '$' too, but before mixed case and digits
 * ("Pw7$zKq3Lx"), so those stay.
 */
static int bare_value_expands(const struct plain_candidate *c)
{
	const char *v = c->data + c->value, *end = v + c->value_len, *p = v;
	const char *base = c->path ? base_name(c->path) : "";
	size_t n;

	if (any_suffix_ci(base, strlen(base), literal_suffixes))
		return 0;
	while ((p = memchr(p, '$', (size_t)(end - p))) && ++p < end) {
		for (n = 0; p + n < end && (islower((unsigned char)p[n]) ||
					   p[n] == '_');
		     n++)
			;
		if (n >= 3 && (p + n == end || !isalnum((unsigned char)p[n])))
			return 1;
	}
	return 0;
}

static enum file_kind file_kind(const char *path)
{
	const char *base;
	size_t len;

	if (!path)
		return FILE_CONFIG;
	base = base_name(path);
	len = strlen(base);
	if (any_suffix_ci(base, len, code_suffixes))
		return FILE_CODE;
	if (any_suffix_ci(base, len, config_suffixes) || !strncmp(base, ".env", 4) ||
	    !strncasecmp(base, "dockerfile", 10) || strstr(base, "compose") ||
	    !strcmp(base, "Makefile") || !strcmp(base, "Jenkinsfile"))
		return FILE_CONFIG;
	return FILE_UNKNOWN;
}

/* ---- names --------------------------------------------------------------- */

/* Name parts that make it about a secret rather than the secret itself. */
static const char *const denied_words[] = {
	"length", "len", "min", "max", "size", "count", "file", "files",
	"path", "dir", "url", "uri", "endpoint", "host", "hostname", "port",
	"name", "names", "id", "ids", "type", "field", "fields", "label",
	"placeholder", "hint", "prompt", "message", "msg", "error", "errors",
	"text", "title", "policy", "regex", "pattern", "rule", "rules",
	"required", "enabled", "enable", "disabled", "expiry", "expires",
	"expiration", "expire", "ttl", "timeout", "reset", "forgot",
	"strength", "validator", "validators", "validation", "env", "var",
	"ref", "arn", "version", "provider", "mode", "format",
	"header", "param", "params", "lifetime", "rotation", "source",
	"location", "template", "encoder", "encoding", "algorithm", "digest",
	"hash", "hashed", "encrypted", "next", "page", "continuation", "csrf",
	"xsrf", "sync", "cancel", "idempotency", "verification", "public",
	"publishable", "show", "hide", "toggle", "has", "is", "use", "no",
	"allow", "check", "input", "selector", "class", "icon", "button",
	"link", "route", "prefix", "suffix", "charset", "column", "attr",
	"property", "prop", "form", "tooltip", "description", "help",
	"changed", "updated", "created", "at", "secrets", "manager", "vault",
	"kms", "command", "cmd", "script", "helper", "key_id", "question",
	"salt", "dialog", "modal", "request", "response", "schema", "widget",
	"sender", "through", "thru", "mgr", NULL
};

/*
 * Denied only after the keyword: db_user_password, but token_user_login;
 * storePassword (Android's keystore) but password_store.
 */
static const char *const denied_after[] = {
	"user", "username", "login", "email", "owner", "account", "issuer",
	"audience", "scope", "scopes", "store", NULL
};

static int word_in(const char *w, size_t n, const char *const *l)
{
	for (; *l; l++)
		if (strlen(*l) == n && !strncasecmp(w, *l, n))
			return 1;
	return 0;
}

/* Glued to the keyword, these make another word: GIT_ASKPASS, NOPASSWD. */
static const char *const denied_glued[] = {
	"ask", "no", "null", "tik", "by", "sur", "com", NULL
};

static int glued_denied(const char *s, size_t kw)
{
	size_t start = kw;

	while (start > 0 && isalpha((unsigned char)s[start - 1]) &&
	       !(isupper((unsigned char)s[start]) &&
		 islower((unsigned char)s[start - 1])))
		start--;
	return start < kw && word_in(s + start, kw - start, denied_glued);
}

/*
 * Splits a snake, kebab, dotted or camel name into words; 1 if one is
 * denied.  kw is the offset of the keyword in s.
 */
static int name_denied(const char *s, size_t len, size_t kw)
{
	size_t i = 0, start;

	if (glued_denied(s, kw))
		return 1;
	while (i < len) {
		while (i < len && !isalnum((unsigned char)s[i]))
			i++;
		start = i++;
		while (i < len && isalnum((unsigned char)s[i]) &&
		       !(isupper((unsigned char)s[i]) &&
			 islower((unsigned char)s[i - 1])))
			i++;
		if (start < len && (word_in(s + start, i - start, denied_words) ||
				    (start > kw &&
				     word_in(s + start, i - start, denied_after))))
			return 1;
	}
	return 0;
}

static int name_char(char c, int dot)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' ||
	       (dot && c == '.');
}

/* The identifier the match starts in: [*start, *end) of c->data. */
static void name_span(const struct plain_candidate *c, size_t *start,
		      size_t *end)
{
	size_t s = c->match, e = c->match;

	while (s > 0 && c->match - s < 64 && name_char(c->data[s - 1], 0))
		s--;
	while (e < c->len && e - c->match < 64 && name_char(c->data[e], 1))
		e++;
	*start = s;
	*end = e;
}

/*
 * Lower-cased letters and digits of s[0..len) into out (at most cap), the
 * rest dropped: "add-password" and "addPassword" both become "addpassword".
 */
static size_t fold_alnum(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < cap; i++)
		if (isalnum((unsigned char)s[i]))
			out[n++] = (char)tolower((unsigned char)s[i]);
	return n;
}

/*
 * Non-zero when the value spells the (compound) name again: a selector
 * "#add-password" for addPassword, a policy ARN ending in the constant's
 * name.  A bare "password" is too short to say so.
 */
static int value_echoes_name(const char *name, size_t name_len,
			     const char *v, size_t n)
{
	char fn[64], fv[256];
	size_t ln = fold_alnum(name, name_len, fn, sizeof(fn));
	size_t lv = fold_alnum(v, n, fv, sizeof(fv));

	return ln >= 10 && ln < sizeof(fn) && memmem(fv, lv, fn, ln) != NULL;
}

/*
 * AWS secret access keys are 40 base64 characters: under such a name
 * anything else is a stand-in or another kind of value, and the AWS
 * rules own the real ones.
 */
static int aws_secret_name_misfit(const char *name, size_t name_len,
				  const char *v, size_t n)
{
	char fn[64];
	size_t i, ln = fold_alnum(name, name_len, fn, sizeof(fn));

	if (!memmem(fn, ln, "secretaccesskey", 15))
		return 0;
	if (n != 40)
		return 1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '+' && v[i] != '/')
			return 1;
	return 0;
}

/* ---- values -------------------------------------------------------------- */

static int is_quote(char c)
{
	return c == '"' || c == '\'' || c == '`';
}

/*
 * The value decoded as kind by the decode stage's own decoder, into out;
 * its length, or 0 when the value does not decode to text.
 */
static size_t decode_value(const char *s, size_t len, enum decode_kind kind,
			   struct buf *out)
{
	struct decode_run r = { 0, len, kind };
	long n = decode_text_run(out, s, &r);

	return n > 0 ? (size_t)n : 0;
}

/*
 * The markers of the YAML document around the value: from the "---"
 * before it to the one after, at most DOCUMENT_SPAN bytes each way.  A
 * search per candidate made files full of names like "password" slow;
 * the answer is kept for the document (struct plain_memo), and only
 * YAML files are asked (is_manifest()).
 */
#define DOCUMENT_SPAN 65536

enum {
	DOC_SECRET = 1 << 0,		/* kind: Secret */
	DOC_SEALED = 1 << 1,		/* kind: SealedSecret */
	DOC_SOPS = 1 << 2,		/* sops: metadata */
};

static int span_has(const char *from, const char *to, const char *needle)
{
	return memmem(from, (size_t)(to - from), needle, strlen(needle)) != NULL;
}

static void document_read(const struct plain_candidate *c,
			  struct plain_memo *m)
{
	size_t from = c->value > DOCUMENT_SPAN ? c->value - DOCUMENT_SPAN : 0;
	size_t to = c->len - c->value > DOCUMENT_SPAN ? c->value + DOCUMENT_SPAN
						      : c->len;
	const char *start = c->data + from, *end = c->data + to, *sep;

	while ((sep = memmem(start, (size_t)(c->data + c->value - start),
			     "\n---", 4)))
		start = sep + 4;
	if ((sep = memmem(c->data + c->value, (size_t)(end - c->data - c->value),
			  "\n---", 4)))
		end = sep;
	m->from = (size_t)(start - c->data);
	m->to = (size_t)(end - c->data);
	m->markers = (span_has(start, end, "kind: Secret") ? DOC_SECRET : 0) |
		     (span_has(start, end, "kind: SealedSecret") ? DOC_SEALED : 0) |
		     (span_has(start, end, "sops:") ? DOC_SOPS : 0);
}

static unsigned document_markers(const struct plain_candidate *c)
{
	struct plain_memo local = { 0, 0, 0 }, *m = c->memo ? c->memo : &local;

	if (!m->to || c->value < m->from || c->value >= m->to)
		document_read(c, m);
	return m->markers;
}

/*
 * Kubernetes manifests, SealedSecrets and sops files whose markers the
 * checks read are YAML (a path-less rule example counts as one).
 */
static int is_manifest(const struct plain_candidate *c)
{
	static const char *const yaml_suffixes[] = { ".yaml", ".yml", NULL };
	const char *base = c->path ? base_name(c->path) : NULL;

	return !base || any_suffix_ci(base, strlen(base), yaml_suffixes);
}

/*
 * Non-zero when the value occurs again close by as a whole word: the
 * user, database or service name repeated as the password.
 */
static int repeats_nearby(const struct plain_candidate *c, const char *v,
			  size_t n)
{
	size_t from = c->value > NEIGHBOUR_SPAN ? c->value - NEIGHBOUR_SPAN : 0;
	size_t to = c->value + c->value_len + NEIGHBOUR_SPAN;
	const char *p = c->data + from, *end;

	if (to > c->len)
		to = c->len;
	end = c->data + to;
	while (n && p + n <= end && (p = memmem(p, (size_t)(end - p), v, n))) {
		size_t at = (size_t)(p - c->data);
		int word = (!at || !isalnum((unsigned char)c->data[at - 1])) &&
			   (at + n >= c->len || !isalnum((unsigned char)c->data[at + n]));
		if (word && at != c->value)
			return 1;
		p++;
	}
	return 0;
}

#define ANONYMOUS_SPAN 128

/*
 * Non-zero when a quoted "anonymous" user comes just before the value
 * (within ANONYMOUS_SPAN bytes, the line or two above):
 * an anonymous FTP login, whose password is by convention an e-mail
 * address or any word, not a secret.
 */
static int anonymous_login(const struct plain_candidate *c)
{
	size_t from = c->value > ANONYMOUS_SPAN ? c->value - ANONYMOUS_SPAN : 0;
	const char *p = c->data + from;
	size_t n = c->value - from;

	return memmem(p, n, "\"anonymous\"", 11) || memmem(p, n, "'anonymous'", 11);
}

/* Parts of the defaults that examples and skeletons ship: Passw0rd!, t0p-Secret. */
static const char *const weak_parts[] = {
	"pass", "secret", "example", "sample", "test", "demo", "admin", "root",
	"default", "qwerty", "1234", "insecure", "letmein", "welcome", NULL
};

/* Also in l33t: "P@ssw0rd2024" is as weak as "Password2024". */
static int has_weak_part(const char *v, size_t n)
{
	size_t i;

	for (i = 0; weak_parts[i]; i++)
		if (plain_value_has_word(v, n, weak_parts[i]))
			return 1;
	return 0;
}

/* The grade of a value v[0..n) (decoded) that is reported. */
static enum confidence grade(const struct plain_candidate *c, const char *v,
			     size_t n, enum plain_class cls)
{
	if (cls == PLAIN_WORD || plain_path_is_sample(c->path) ||
	    has_weak_part(v, n) ||
	    repeats_nearby(c, c->data + c->value, c->value_len))
		return CONFIDENCE_LOW;
	if (n < 8 || file_kind(c->path) == FILE_UNKNOWN)
		return CONFIDENCE_MEDIUM;
	return CONFIDENCE_HIGH;
}

static int reportable(enum plain_class cls)
{
	return cls == PLAIN_SECRET || cls == PLAIN_WORD;
}

/* ---- checks -------------------------------------------------------------- */

/* A Kubernetes Secret's data: is base64; the decoded value is judged. */
static int check_value_bytes(const struct plain_candidate *c, const char *v,
			     size_t n, enum confidence *conf)
{
	enum plain_class cls = plain_value_classify(v, n);

	if (!reportable(cls))
		return 0;
	*conf = grade(c, v, n, cls);
	return 1;
}

/*
 * A command's password: a word counts only in a script or configuration
 * ("redis-cli using -a switch" in a change log is prose).
 */
static int check_value(const struct plain_candidate *c, enum confidence *conf)
{
	const char *v = c->data + c->value;

	if (file_kind(c->path) != FILE_CONFIG &&
	    plain_value_classify(v, c->value_len) == PLAIN_WORD)
		return 0;
	return check_value_bytes(c, v, c->value_len, conf);
}

/*
 * A literal argument in a credential's place (NetworkCredential's
 * password): a plain word counts too, as the call says what it is.
 */
static int check_literal(const struct plain_candidate *c,
			 enum confidence *conf)
{
	return check_value_bytes(c, c->data + c->value, c->value_len, conf);
}

static int check_url(const struct plain_candidate *c, enum confidence *conf)
{
	struct buf b = BUF_INIT;
	size_t n = decode_value(c->data + c->value, c->value_len,
				DECODE_PERCENT, &b);
	int rc = n ? check_value_bytes(c, b.ptr, n, conf)
		   : check_value_bytes(c, c->data + c->value, c->value_len, conf);

	buf_release(&b);
	return rc;
}

/* Nouns a strong name starts with, the longer spelling first. */
static const char *const secret_nouns[] = {
	"password", "passwort", "passphrase", "passwd", "pass", "pwd",
	"secret", NULL
};

/*
 * Non-zero when the name says password or secret and ends with that noun
 * (db_password, AdminPassword, PASSWORD_2, secret_key), not with a word
 * about it (secret_backend, PASSWORD_HASHERS, secret.kind).  "token",
 * "key" and "credential" also name lexer tokens, map keys and object
 * fields, so a plain word assigned to them is not a credential.
 */
static int strong_name(const struct plain_candidate *c, size_t end)
{
	const char *p = c->data + c->match;
	size_t n = end - c->match, i, k = 0;

	for (i = 0; secret_nouns[i]; i++) {
		k = strlen(secret_nouns[i]);
		if (n >= k && !strncasecmp(p, secret_nouns[i], k))
			break;
	}
	if (!secret_nouns[i])
		return 0;
	p += k;
	n -= k;
	while (n && (isdigit((unsigned char)p[n - 1]) || strchr("_-.", p[n - 1])))
		n--;
	while (n && strchr("_-.", *p)) {
		p++;
		n--;
	}
	return n == 0 || (n == 3 && !strncasecmp(p, "key", 3));
}

/*
 * A word (letters only) is a password only after a strong name, set or
 * compared by an operator: ("passphrase", "comments") is a list of names.
 * A comparison with a word is an enum check (kind == "generic") unless
 * the name is a password's: a password compared with a quoted word is
 * a login check with the password written into the code.
 */
static int word_allowed(const struct plain_candidate *c, size_t end)
{
	const char *op = c->data + end;
	size_t n = c->value - end;

	return strong_name(c, end) && !memchr(op, ',', n);
}

/*
 * "PASS: test-name" at the start of a line of a log (no configuration
 * file) is a test harness's verdict (DejaGnu, Automake; XPASS and KPASS
 * too), not a password.
 */
static int test_verdict(const struct plain_candidate *c, size_t start,
			size_t end)
{
	static const char *const verdicts[] = { "PASS", "XPASS", "KPASS", NULL };
	size_t i, n = end - start;

	for (i = 0; verdicts[i] &&
		    (strlen(verdicts[i]) != n || memcmp(c->data + start, verdicts[i], n));
	     i++)
		;
	if (!verdicts[i] || end + 1 >= c->len || c->data[end] != ':' ||
	    c->data[end + 1] != ' ')
		return 0;
	for (i = start; i > 0 && (c->data[i - 1] == ' ' || c->data[i - 1] == '\t'); i--)
		;
	return (i == 0 || c->data[i - 1] == '\n') &&
	       file_kind(c->path) != FILE_CONFIG;
}

static int check_assign(const struct plain_candidate *c, enum confidence *conf)
{
	const char *v = c->data + c->value;
	struct buf b = BUF_INIT;
	size_t start, end, n;
	unsigned markers;
	int rc, quoted = c->value > 0 && is_quote(c->data[c->value - 1]);

	name_span(c, &start, &end);
	if (name_denied(c->data + start, end - start, c->match - start) ||
	    test_verdict(c, start, end) || anonymous_login(c) ||
	    value_echoes_name(c->data + start, end - start, v, c->value_len) ||
	    aws_secret_name_misfit(c->data + start, end - start, v,
				   c->value_len))
		return 0;
	if (plain_value_classify(v, c->value_len) == PLAIN_WORD &&
	    !word_allowed(c, end))
		return 0;
	if (!quoted && (file_kind(c->path) == FILE_CODE ||
			bare_value_expands(c)))
		return 0;	/* a variable or an expression */
	markers = is_manifest(c) ? document_markers(c) : 0;
	if (markers & (DOC_SEALED | DOC_SOPS))
		return 0;
	if ((markers & DOC_SECRET) &&
	    (n = decode_value(v, c->value_len, DECODE_BASE64, &b))) {
		rc = check_value_bytes(c, b.ptr, n, conf);
		buf_release(&b);
		return rc;
	}
	/*
	 * A quoted word after a password name is a (weak) password in any
	 * file, graded low; a bare one only where a bare value is a value.
	 */
	return quoted ? check_value_bytes(c, v, c->value_len, conf)
		      : check_value(c, conf);
}

static int check_hash(const struct plain_candidate *c, enum confidence *conf)
{
	*conf = plain_path_is_sample(c->path) ? CONFIDENCE_LOW
					      : CONFIDENCE_HIGH;
	return 1;
}

static const struct {
	const char *name;
	plain_fn fn;
} checks[] = {
	{ "plain-assign", check_assign },
	{ "plain-value", check_value },
	{ "plain-literal", check_literal },
	{ "plain-url", check_url },
	{ "plain-hash", check_hash },
};

plain_fn plain_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!strcmp(checks[i].name, name))
			return checks[i].fn;
	return NULL;
}
