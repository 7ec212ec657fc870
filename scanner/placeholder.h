#ifndef LEAKGATE_PLACEHOLDER_H
#define LEAKGATE_PLACEHOLDER_H

#include <stddef.h>

/*
 * Non-zero when a candidate secret is a documentation value or template
 * rather than a credential: EXAMPLE keys, xxxx..., <your-token>, ${VAR},
 * {{ secret }}, changeme, long runs of one character or of a sequence.
 */
int placeholder_match(const char *s, size_t len);

/*
 * The stricter test: non-zero only for a value that is nothing but a
 * stand-in (the words and templates above, one character over and over,
 * one ascending run repeated end to end).  A value that merely holds a
 * run ("abcdef1234567890...") passes it: see engine.c's vendor-named rules.
 */
int placeholder_skeleton(const char *s, size_t len);

#endif
