#include "plain_value.h"

#include <ctype.h>
#include <string.h>

#include "placeholder.h"
#include "validate.h"
#include "banned.h"

/* Case-insensitive search of needle in s[0..len). */
static const char *find_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n))
			return s + i;
	return NULL;
}

static int starts_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !strncasecmp(s, prefix, n);
}

static int ends_ci(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

static int equals_any_ci(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && !strncasecmp(s, *words, len))
			return 1;
	return 0;
}

static int any_prefix_ci(const char *s, size_t len, const char *const *l)
{
	for (; *l; l++)
		if (starts_ci(s, len, *l))
			return 1;
	return 0;
}

static int any_infix_ci(const char *s, size_t len, const char *const *l)
{
	for (; *l; l++)
		if (find_ci(s, len, *l))
			return 1;
	return 0;
}

/* Where secret managers and templates keep the real value. */
static const char *const reference_prefixes[] = {
	"vault:", "vault(", "arn:aws:secretsmanager:", "arn:aws:ssm:", "ref+",
	"op://", "sm://", "secretkeyref", "secretref", "valuefrom", "!vault",
	"awskms:", "gcpkms:", "azurekv:", "@microsoft.keyvault(", "keyvault:",
	"env:", "%{", "@{", "#{", "&", "*", NULL
};

static const char *const reference_infixes[] = {
	"${", "{{", "}}", "<%", "$(", "%(", "getenv", "environ", "process.env",
	"env[", "env(", "env::var", "env.fetch", "getproperty", "lookup(",
	"secretkeyref", NULL
};

/* "basic:$USERPASS64": a shell variable, $ and 3+ of [A-Z_]. */
static int env_variable_inside(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '$', (size_t)(end - p))) && end - p > 3) {
		if (strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") >= 3)
			return 1;
		p++;
	}
	return 0;
}

static int is_reference(const char *s, size_t len)
{
	const char *open;

	if (s[0] == '$' || (s[0] == '%' && s[len - 1] == '%') ||
	    (s[0] == '@' && s[len - 1] == '@'))
		return 1;	/* $X, %X%, autoconf's @X@ */
	if (env_variable_inside(s, len))
		return 1;
	if (any_prefix_ci(s, len, reference_prefixes) ||
	    any_infix_ci(s, len, reference_infixes))
		return 1;
	/* An f-string or format string: "{db_pass}". */
	open = memchr(s, '{', len);
	return open && memchr(open, '}', len - (size_t)(open - s)) != NULL;
}

static int all_in(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

static int is_ciphertext(const char *s, size_t len)
{
	if (starts_ci(s, len, "enc[") || starts_ci(s, len, "$ANSIBLE_VAULT"))
		return 1;
	/* kubeseal output: long base64 whose first bytes are "Ag". */
	return len >= 200 && s[0] == 'A' && s[1] == 'g' && all_in(s, len, B64);
}

static const char *const literal_words[] = {
	"true", "false", "yes", "no", "on", "off", "null", "none", "nil",
	"undefined", "nullptr", "empty", NULL
};

/* #rgb, #rgba, #rrggbb or #rrggbbaa: a colour (a style's "Token" entry). */
static int is_colour(const char *s, size_t len)
{
	return s[0] == '#' && (len == 4 || len == 5 || len == 7 || len == 9) &&
	       all_in(s + 1, len - 1, "0123456789abcdefABCDEF");
}

static int is_literal(const char *s, size_t len)
{
	return equals_any_ci(s, len, literal_words) || is_colour(s, len) ||
	       all_in(s, len, "0123456789.-_+:=<>");
}

static const char *const path_prefixes[] = {
	"/", "./", "../", "~/", "\\\\", "file:", "classpath:", NULL
};

static const char *const path_suffixes[] = {
	".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".crt", ".cer",
	".der", ".txt", ".json", ".yaml", ".yml", ".conf", ".cfg", ".ini",
	".properties", ".gpg", ".asc", ".enc", ".pub", NULL
};

/* user@host.tld: an e-mail address (the letters of a domain after @). */
static int is_address(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *dot;

	if (!at || at == s)
		return 0;
	dot = memchr(at, '.', len - (size_t)(at - s));
	return dot && dot > at + 1 && dot + 2 < s + len &&
	       all_in(at + 1, len - (size_t)(at + 1 - s),
		      "abcdefghijklmnopqrstuvwxyz0123456789.-");
}

/*
 * dir/file.ext or words/with/slashes: a relative path.  Base64 secrets
 * hold '/' too, but among digits and mixed case, without an extension.
 */
static int is_relative_path(const char *s, size_t len)
{
	const char *last = s + len, *dot;
	size_t ext;

	while (last > s && last[-1] != '/')
		last--;
	if (!all_in(s, len, LOWER UPPER "0123456789_.-/"))
		return 0;
	dot = memrchr(last, '.', len - (size_t)(last - s));
	ext = dot ? len - (size_t)(dot + 1 - s) : 0;
	if (dot && ext >= 1 && ext <= 6 && all_in(dot + 1, ext, LOWER))
		return 1;
	return all_in(s, len, LOWER UPPER "/-_.");
}

static int is_path(const char *s, size_t len)
{
	size_t i;

	if (is_address(s, len))
		return 1;
	if (any_prefix_ci(s, len, path_prefixes) || find_ci(s, len, "://"))
		return 1;
	if (len > 2 && isalpha((unsigned char)s[0]) && s[1] == ':' &&
	    (s[2] == '\\' || s[2] == '/'))
		return 1;
	for (i = 0; path_suffixes[i]; i++)
		if (ends_ci(s, len, path_suffixes[i]))
			return 1;
	return memchr(s, '/', len) && is_relative_path(s, len);
}

/* Whole values that stand in for a secret, beyond placeholder_match(). */
static const char *const placeholder_values[] = {
	"changeit", "default", "sample", "testing", "required", "optional",
	"hidden", "masked", "removed", "unknown", "notset", "unset", "foobar",
	"foobared", "secrets", "passphrase", "123456", "nopass", "no_password",
	"anonymous", NULL
};

static const char *const placeholder_infixes[] = {
	"_here", "-here", "xxx", "todo", "fixme", "replace", "enter_",
	"enter-", NULL
};

static int is_placeholder(const char *s, size_t len)
{
	if (placeholder_match(s, len) || equals_any_ci(s, len, placeholder_values))
		return 1;
	if (any_infix_ci(s, len, placeholder_infixes))
		return 1;
	if ((s[0] == '(' && s[len - 1] == ')') || (s[0] == '[' && s[len - 1] == ']'))
		return 1;	/* "(null-token)", "[hidden]" */
	return all_in(s, len, "*xX.#?-_ ");
}

static const char *const type_names[] = {
	"string", "str", "bool", "boolean", "number", "object", "bytes",
	"[]byte", "char*", "const char*", "secretstr", "secretstring",
	"securestring", "optional[str]", "str | none", "string?", "varchar",
	"integer", NULL
};

/* A secret's names, also as translations label files hold. */
static const char *const secret_words[] = {
	"password", "passwort", "passwd", "secret", "kennwort", "wachtwoord",
	"senha", "geheimnis", "secreto", "segreto", "token", NULL
};

int plain_value_is_identifier(const char *s, size_t len)
{
	size_t i;
	int sep = 0, upper_later = 0;

	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_' || c == '.' || c == '-')
			sep = 1;
		else if (isupper(c) && i)
			upper_later = 1;
		else if (!isalpha(c))
			return 0;
	}
	return sep || (islower((unsigned char)s[0]) && upper_later);
}

/*
 * Digits and '@' written for letters in "l33t" spelling, as pairs: "0o"
 * is '0' for 'o'.  '@' stands for 'a' ("p@ss") or 'o' ("passw@rd").  Not
 * '$': it is as often a literal sign ("super$ecret" is a password).
 */
static const char leet_pairs[] = "0o1i1l3e4a5s7t@a@o";

/* Non-zero when c stands for letter in l33t (for any letter when 0). */
static int leet_sign(char c, char letter)
{
	size_t i;

	for (i = 0; leet_pairs[i]; i += 2)
		if (leet_pairs[i] == c && (!letter || leet_pairs[i + 1] == letter))
			return 1;
	return 0;
}

/* Non-zero when c is letter (any case) or stands for it in l33t. */
static int leet_is(char c, char letter)
{
	return tolower((unsigned char)c) == letter || leet_sign(c, letter);
}

int plain_value_has_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word), i, j;

	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n && leet_is(s[i + j], word[j]); j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/*
 * Non-zero when s[0..len) is letters and l33t signs only and, read in
 * l33t, holds one of secret_words: "P@ssw0rd", "s3cr3t", "Adm1nP@ss".
 * Other digits ("Passw0rd2024") make it a (weak) password again.
 */
static int spells_secret_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]) && !leet_sign(s[i], 0))
			return 0;
	for (i = 0; secret_words[i]; i++)
		if (plain_value_has_word(s, len, secret_words[i]))
			return 1;
	return 0;
}

/*
 * Pieces of a regular expression: a password policy's pattern
 * ("^(?=.*\\d).{8,}$") under a password name is a rule, not a password.
 */
static const char *const regex_parts[] = {
	"(?", "\\d", "\\w", "\\s", "\\b", "[a-z", "[0-9", "[^",
	NULL
};

static int is_code(const char *s, size_t len)
{
	const char *paren = memchr(s, '(', len);
	size_t i;

	if (equals_any_ci(s, len, type_names) ||
	    any_infix_ci(s, len, regex_parts))
		return 1;
	if (s[0] == '-' && isalpha((unsigned char)s[1]))
		return 1;	/* a command-line option: -lgcc_s */
	if (paren && paren > s) {	/* f(...), obj.get(...), new X() */
		for (i = 0; s + i < paren; i++)
			if (!isalnum((unsigned char)s[i]) && !strchr("_.:$>-", s[i]))
				return 0;
		return 1;
	}
	/*
	 * CONSTANT_NAME: the name of a variable holding the secret; an
	 * upper-case word is a keyword or an enum value (WITHSCORES).
	 */
	if (isupper((unsigned char)s[0]) &&
	    (memchr(s, '_', len) || all_in(s, len, UPPER)) &&
	    all_in(s, len, UPPER "0123456789_"))
		return 1;
	return plain_value_is_identifier(s, len);
}

/*
 * Spaces a string writes as escapes: "Password:\\n" is a prompt,
 * "Root%20CA" a percent-encoded name.
 */
static const char *const escaped_spaces[] = { "\\n", "\\r", "\\t", "%20", NULL };

/*
 * Non-zero when s holds a letter outside ASCII, raw (UTF-8) or as a JSON
 * escape ("Contrase\\u00f1a"): a translated label such as "Contraseña" or
 * "Пароль".  Generated passwords and tokens are ASCII.
 */
static int is_foreign_text(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	for (; p < end; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	for (p = s; (p = memchr(p, '\\', (size_t)(end - p))) && end - p >= 6;
	     p++)
		if (p[1] == 'u' && all_in(p + 2, 4, "0123456789abcdefABCDEF") &&
		    (p[2] != '0' || p[3] != '0' || p[4] >= '8'))
			return 1;
	return 0;
}

/* Longest base64 value whose decoded text is judged (encodes_stand_in). */
#define ENCODED_MAX 256

/*
 * Decodes padded base64 s[0..len) into out when it is printable
 * text; returns its length, or 0 when s is not that.
 */
static size_t decode_printable(const char *s, size_t len, char *out)
{
	size_t i, n;

	if (len % 4 || len > ENCODED_MAX ||
	    validate_base64_decode(s, len, (unsigned char *)out, ENCODED_MAX, &n))
		return 0;
	for (i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			return 0;
	return n;
}

static enum plain_class classify(const char *s, size_t len, int decoded);

/*
 * Non-zero when s is base64 of text that is no credential itself: a
 * header's "user:password" or a token whose password part is a stand-in
 * ("alice:secret-passwd", "a-git-token").  A value that decodes to a
 * password (or to no text at all, as random keys do) stays a secret.
 */
static int encodes_stand_in(const char *s, size_t len)
{
	char text[ENCODED_MAX];
	size_t n = decode_printable(s, len, text);
	const char *colon = n ? memchr(text, ':', n) : NULL;
	const char *part = colon ? colon + 1 : text;
	enum plain_class c;

	if (n < PLAIN_MIN_LEN)
		return 0;
	c = classify(part, n - (size_t)(part - text), 1);
	return c != PLAIN_SECRET && c != PLAIN_WORD;
}

enum plain_class plain_value_classify(const char *s, size_t len)
{
	return classify(s, len, 0);
}

static enum plain_class classify(const char *s, size_t len, int decoded)
{
	if (len < PLAIN_MIN_LEN)
		return PLAIN_SHORT;
	if (is_ciphertext(s, len))
		return PLAIN_CIPHERTEXT;
	if (is_reference(s, len))
		return PLAIN_REFERENCE;
	if (is_literal(s, len))
		return PLAIN_LITERAL;
	if (memchr(s, ' ', len) || memchr(s, '\t', len) ||
	    any_infix_ci(s, len, escaped_spaces) || is_foreign_text(s, len))
		return PLAIN_TEXT;
	if (is_path(s, len))
		return PLAIN_PATH;
	if (is_placeholder(s, len))
		return PLAIN_PLACEHOLDER;
	if (is_code(s, len))
		return PLAIN_CODE;
	/*
	 * A word that spells a secret's name ("mypassword", "secretvalue",
	 * German "Passwort"), also in digits and '@' for letters
	 * ("P@ssw0rd", "s3cr3t"), is a stand-in or a label.
	 */
	if (spells_secret_word(s, len) ||
	    (!decoded && encodes_stand_in(s, len)))
		return PLAIN_PLACEHOLDER;
	return all_in(s, len, UPPER LOWER) ? PLAIN_WORD : PLAIN_SECRET;
}

const char *plain_value_name(enum plain_class c)
{
	static const char *const names[] = {
		"secret", "word", "short", "reference", "placeholder",
		"literal", "text", "path", "code", "ciphertext",
	};

	return (size_t)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}
