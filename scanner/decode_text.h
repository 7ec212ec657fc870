#ifndef LEAKGATE_DECODE_TEXT_H
#define LEAKGATE_DECODE_TEXT_H

#include <stddef.h>

#include "buf.h"

/*
 * Text decoders: finding runs of encoded text in a buffer and decoding
 * them.  Only runs long enough to hold a token are found, and only those
 * that decode to text are kept: a SHA-1 in hex or an embedded image in
 * base64 is dropped after its first bytes.
 */
enum decode_kind {
	DECODE_BASE64 = 0,	/* standard or URL-safe, padded or not */
	DECODE_HEX,
	DECODE_PERCENT,		/* %XX */
	DECODE_ESCAPE,		/* \n \" \uXXXX \xXX ... */
	DECODE_KINDS,
};

/* "base64", "hex", "percent", "escape": static strings. */
const char *decode_kind_name(enum decode_kind k);

/* The shortest run worth decoding, in encoded bytes (run_starts() knows it). */
#define DECODE_MIN_RUN 20

struct decode_run {
	size_t start, end;	/* [start, end) of the encoded text */
	enum decode_kind kind;
};

/* Called for each run found; a non-zero return stops the search. */
typedef int (*decode_run_fn)(const struct decode_run *r, void *payload);

/*
 * Finds the runs of data[0..len) a decoder can use, each kind in order of
 * start (runs of different kinds may overlap).  Returns 0 or fn's value.
 */
int decode_text_runs(const char *data, size_t len, decode_run_fn fn,
		     void *payload);

/*
 * Appends the decoding of data[r->start, r->end) to out.  Returns the
 * number of bytes appended (0 when the run is not text once decoded:
 * nothing is appended then), or a negative error.
 */
long decode_text_run(struct buf *out, const char *data,
		     const struct decode_run *r);

#endif
