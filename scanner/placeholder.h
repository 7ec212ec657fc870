#ifndef LEAKGATE_PLACEHOLDER_H
#define LEAKGATE_PLACEHOLDER_H

#include <stddef.h>

/*
 * Non-zero when a candidate secret is a documentation value or template
 * rather than a credential: EXAMPLE keys, xxxx..., <your-token>, ${VAR},
 * {{ secret }}, changeme, long runs of one character or of a sequence.
 */
int placeholder_match(const char *s, size_t len);

#endif
