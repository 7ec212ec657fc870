#ifndef LEAKGATE_PLACEHOLDER_H
#define LEAKGATE_PLACEHOLDER_H

#include <stddef.h>

/*
 * Non-zero when a candidate secret is a documentation value or template
 * rather than a credential: EXAMPLE keys, xxxx..., <your-token>, ${VAR},
 * {{ secret }}, changeme, long runs of one character or of a sequence.
 */
int placeholder_match(const char *s, size_t len);

/* How much of a stand-in a candidate is, from least to most. */
enum placeholder_kind {
	PLACEHOLDER_NONE = 0,
	PLACEHOLDER_RUN,	/* holds an ascending run of 8 to 11: "abcdef1234567890..." */
	PLACEHOLDER_LONG_RUN,	/* holds a longer one: "ABCDEFGHIJKL", "abc...xyz" */
	/*
	 * Nothing but a stand-in: the words and templates above, one
	 * character over and over, one ascending run repeated end to end.
	 */
	PLACEHOLDER_SKELETON,
};

/*
 * Grades a candidate; placeholder_match() is "not PLACEHOLDER_NONE".  A rule
 * sure of its shape may keep a value that only holds a run (engine.c).
 */
enum placeholder_kind placeholder_kind(const char *s, size_t len);

#endif
