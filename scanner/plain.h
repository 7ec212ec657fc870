#ifndef LEAKGATE_PLAIN_H
#define LEAKGATE_PLAIN_H

#include <stddef.h>

#include "confidence.h"

/*
 * The plaintext credential detector's second half: the rules in
 * rules/plaintext.yaml find a value assigned to a secret-meaning name (or
 * given to a command's password option), and a rule's `classify:` names
 * the check here that decides whether that value is a credential (see
 * plain_value.h) and how sure the finding is.
 */
/*
 * What the checks learnt about the YAML document a candidate sits in,
 * kept while one blob is scanned so that a file with thousands of
 * candidates reads each document once.  Zeroed for every blob.
 */
struct plain_memo {
	size_t from, to;	/* the document: data[from..to); to == 0: none */
	unsigned markers;	/* DOC_* bits found in it (plain.c) */
};

struct plain_candidate {
	const char *data;	/* the whole blob */
	size_t len;
	size_t match;		/* where the pattern's match starts */
	size_t value;		/* the secret: data[value..value+value_len) */
	size_t value_len;
	const char *path;	/* NULL: unknown (rule examples) */
	struct plain_memo *memo;	/* NULL: nothing kept between calls */
};

/* Returns 1 and sets *conf when the candidate is reported, else 0. */
typedef int (*plain_fn)(const struct plain_candidate *c,
			enum confidence *conf);

/*
 * The check registered under name, or NULL: "plain-assign" (a name and
 * its value), "plain-value" (a command-line password), "plain-literal"
 * (a quoted argument in a credential's place), "plain-url" (URL
 * userinfo, percent-decoded), "plain-hash" (a crackable password hash).
 */
plain_fn plain_lookup(const char *name);

/*
 * Non-zero when path is a test, fixture, example or documentation file,
 * where credentials are mostly stand-ins: findings there are "low".
 */
int plain_path_is_sample(const char *path);

#endif
