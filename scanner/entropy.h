#ifndef LEAKGATE_ENTROPY_H
#define LEAKGATE_ENTROPY_H

#include <stddef.h>

/* Shannon entropy of the bytes of s, in bits per byte (0 for empty input). */
double entropy_shannon(const char *s, size_t len);

#endif
