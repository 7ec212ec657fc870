#include "placeholder.h"

#include <ctype.h>
#include <string.h>

#include "banned.h"

/* Case-insensitive substring test on a (ptr, len) haystack. */
static int contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i, j;

	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n; j++)
			if (tolower((unsigned char)s[i + j]) !=
			    tolower((unsigned char)needle[j]))
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

static int equals_ci(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && contains_ci(s, len, word);
}

/* Words that only appear in secrets someone wrote by hand as a stand-in. */
static const char *const placeholder_words[] = {
	"example", "xxxx", "your_", "your-", "yourtoken", "yourkey",
	"yourpassword", "yoursecret", "changeme", "change_me", "change-me",
	"placeholder", "redacted", "dummy", "replace_me", "replaceme",
	"insert_", "fake_", "fakefake", "${", "{{", "}}", "$(",
	"%s", "*****", "...", "\xe2\x80\xa6", NULL
};

/* Whole values that are names of a secret, not secrets. */
static const char *const placeholder_values[] = {
	"password", "passwd", "secret", "token", "null", "none", "nil",
	"true", "false", "undefined", "empty", "test", "admin", NULL
};

/*
 * A Python named conversion, "%(name)": a template, not a secret. A bare
 * "%(" is kept, as generated keys (Django's) draw from an alphabet holding
 * both characters.
 */
static int has_named_format(const char *s, size_t len)
{
	size_t i, j;

	for (i = 0; i + 3 < len; i++) {
		if (s[i] != '%' || s[i + 1] != '(' ||
		    isdigit((unsigned char)s[i + 2]))
			continue;
		for (j = i + 2; j < len && (isalnum((unsigned char)s[j]) ||
					    s[j] == '_');
		     j++)
			;
		if (j > i + 2 && j < len && s[j] == ')')
			return 1;
	}
	return 0;
}

static int longest_run(const char *s, size_t len, int step)
{
	size_t i, run = 1, best = len ? 1 : 0;

	for (i = 1; i < len; i++) {
		if ((unsigned char)s[i] == (unsigned char)s[i - 1] + step)
			run++;
		else
			run = 1;
		if (run > best)
			best = run;
	}
	return (int)best;
}

/* An ascending step, with the digits wrapping ("7890" continues "1234"). */
static int ascends(unsigned char a, unsigned char b)
{
	return b == a + 1 || (a == '9' && b == '0');
}

/*
 * Non-zero when s is one ascending run repeated end to end, its unit at
 * most 26 long: "123456789012...", "abcdefabcdef...", "abcabcabc".
 */
static int repeated_run(const char *s, size_t len)
{
	size_t unit = 1, i;

	while (unit < len && unit <= 26 && s[unit] != s[0] &&
	       ascends((unsigned char)s[unit - 1], (unsigned char)s[unit]))
		unit++;
	if (unit < 3)
		return 0;
	for (i = unit; i < len; i++)
		if (s[i] != s[i - unit])
			return 0;
	return 1;
}

/*
 * Credentials that specifications and vendors' documentation print in
 * their examples, exactly: copied into code, READMEs and tests, they are
 * still the manual's, public to everyone, not a leak.
 */
static const char *const documented_values[] = {
	/* RFC 7617 (HTTP Basic): Aladdin with "open sesame" */
	"QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
	/* RFC 6750 (OAuth bearer tokens), its example token */
	"mF_9.B5f-4.1JqM",
	/*
	 * RFC 6749 (OAuth 2.0), its example access and refresh tokens and
	 * its client's secret, alone and in a Basic header
	 */
	"2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "gX1fBat3bV",
	"czZCaGRSa3F0MzpnWDFmQmF0M2JW",
	/* PyJWT's documentation: {"some": "payload"} signed with "secret" */
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9."
	"4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg",
	/* Stripe API reference: the shared test-mode key of its samples */
	"sk_test_4eC39HqLyjWDarjtT1zdp7dc",
	/* Slack OAuth guide: the bot token of its sample response */
	"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
	NULL
};

static int is_documented(const char *s, size_t len)
{
	size_t i;

	for (i = 0; documented_values[i]; i++)
		if (strlen(documented_values[i]) == len &&
		    !memcmp(s, documented_values[i], len))
			return 1;
	return 0;
}

#define SYMBOLS "!\"#$%&'()*+,/:;=?@[\\]^`{|}~"

/*
 * Non-zero when an angle bracket marks a template ("<your-token>",
 * "<password>") or markup.  A long value made of many symbols is a
 * generated password drawn from all of printable ASCII, where a '<' or
 * '>' is one more random character: at least a fifth of it symbols
 * other than the brackets, 16 bytes or more.
 */
static int has_angle_bracket(const char *s, size_t len)
{
	size_t i, symbols = 0;

	if (!memchr(s, '<', len) && !memchr(s, '>', len))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] && strchr(SYMBOLS, s[i]))
			symbols++;
	return len < 16 || symbols * 5 < len;
}

static int is_skeleton(const char *s, size_t len)
{
	size_t i;
	int same;

	if (is_documented(s, len) || has_angle_bracket(s, len))
		return 1;
	for (i = 0; placeholder_words[i]; i++)
		if (contains_ci(s, len, placeholder_words[i]))
			return 1;
	for (i = 0; placeholder_values[i]; i++)
		if (equals_ci(s, len, placeholder_values[i]))
			return 1;
	if (has_named_format(s, len))
		return 1;
	/* Long bodies (key blocks) legitimately hold runs like "AAAAAAAAAA". */
	if (len > 256)
		return 0;
	same = longest_run(s, len, 0);
	if (len >= 8 && (size_t)same * 2 >= len)
		return 1;
	return same >= 10 || (len >= 8 && repeated_run(s, len));
}

enum placeholder_kind placeholder_kind(const char *s, size_t len)
{
	int run;

	if (is_skeleton(s, len))
		return PLACEHOLDER_SKELETON;
	run = len <= 256 ? longest_run(s, len, 1) : 0;
	if (run >= 12)
		return PLACEHOLDER_LONG_RUN;
	return run >= 8 ? PLACEHOLDER_RUN : PLACEHOLDER_NONE;
}

int placeholder_match(const char *s, size_t len)
{
	return placeholder_kind(s, len) != PLACEHOLDER_NONE;
}
