#ifndef LEAKGATE_GITCONFIG_H
#define LEAKGATE_GITCONFIG_H

#include <stddef.h>

/*
 * A reader for git's config syntax: `[section]`, `[section "sub"]`,
 * `[section.sub]`, `key = value`, bare keys, quotes and escapes, `#` and
 * `;` comments, `\` line continuations.  It keeps where each value is, so
 * that findings can name the line and the engine the bytes.  Spans point
 * into the parsed bytes; nothing is allocated.  Lines git would reject
 * are skipped, never fatal: the input may come from anywhere.
 */
struct gitconfig_entry {
	const char *section;	/* as written; compare case-insensitively */
	size_t section_len;
	const char *sub;	/* subsection as written; NULL: none */
	size_t sub_len;
	const char *key;
	size_t key_len;
	const char *value;	/* raw (quotes, escapes); NULL: a bare key */
	size_t value_len;
	size_t line;		/* 1-based line of the key */
};

/* Called for each entry; a non-zero return stops the parse. */
typedef int (*gitconfig_fn)(const struct gitconfig_entry *e, void *payload);

/* Calls fn for every entry of data[0..len); returns 0 or fn's value. */
int gitconfig_parse(const char *data, size_t len, gitconfig_fn fn,
		    void *payload);

/* 1 when e is `section.key` (any subsection), compared as git does. */
int gitconfig_is(const struct gitconfig_entry *e, const char *section,
		 const char *key);

/*
 * Writes e's value as git reads it (quotes removed, escapes applied) to
 * out, NUL-terminated.  Returns its length, or -1 when it is longer than
 * outlen - 1 or e is a bare key.
 */
int gitconfig_value(const struct gitconfig_entry *e, char *out,
		    size_t outlen);

/*
 * Writes e's subsection as git reads it (a backslash takes the next
 * character as it is) to out, NUL-terminated.  Returns its length, or -1
 * when e has none or it is longer than outlen - 1.
 */
int gitconfig_subsection(const struct gitconfig_entry *e, char *out,
			 size_t outlen);

/*
 * A value read as git reads a boolean: NULL (a bare key) is true; "true",
 * "yes", "on", and "false", "no", "off", "" in any case; an int with an
 * optional k, m or g is true when it is not 0.  Returns 1, 0, or -1 when
 * value is none of these (git would refuse it).
 */
int gitconfig_bool(const char *value);

#endif
