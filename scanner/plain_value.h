#ifndef LEAKGATE_PLAIN_VALUE_H
#define LEAKGATE_PLAIN_VALUE_H

#include <stddef.h>

/*
 * What a value assigned to a secret-meaning name is.  Only the first two
 * are credentials; the rest are what configuration and code put in that
 * place instead (a reference to the real secret, a stand-in, a path, a
 * variable).
 */
enum plain_class {
	PLAIN_SECRET = 0,	/* digits, symbols or mixed case: a password */
	PLAIN_WORD,		/* letters only: a credential, or a name */
	PLAIN_SHORT,		/* fewer than PLAIN_MIN_LEN bytes */
	PLAIN_REFERENCE,	/* ${X}, $X, %(x)s, {{ x }}, getenv(), vault: */
	PLAIN_PLACEHOLDER,	/* changeme, <your-password>, xxx, ***** */
	PLAIN_LITERAL,		/* null, true, numbers */
	PLAIN_TEXT,		/* words and spaces: a UI or i18n string */
	PLAIN_PATH,		/* a file path, a URL, an e-mail address */
	PLAIN_CODE,		/* a call, a type, an identifier, a CONSTANT */
	PLAIN_CIPHERTEXT,	/* sops, SealedSecret, ansible-vault bodies */
};

#define PLAIN_MIN_LEN 6

/* Classifies s[0..len), the value without its quotes. */
enum plain_class plain_value_classify(const char *s, size_t len);

/* "secret", "word", "short", ...: for tests and messages. */
const char *plain_value_name(enum plain_class c);

/*
 * Non-zero when s[0..len) is an identifier that names a field rather than
 * holding one: snake_case, kebab-case, dotted.path or camelCase without
 * digits ("user_password", "passwordField", "self.password").
 */
int plain_value_is_identifier(const char *s, size_t len);

/*
 * Non-zero when s[0..len) holds word (lower case), any letter of it also
 * in l33t spelling: "P@ssw0rd" holds "pass", "s3cr3t" holds "secret".
 */
int plain_value_has_word(const char *s, size_t len, const char *word);

#endif
