#ifndef LEAKGATE_CHUNK_H
#define LEAKGATE_CHUNK_H

#include <stddef.h>

#include "buf.h"
#include "engine.h"

struct lg_error;

/*
 * Scanning an input larger than one engine pass should take: the bytes are
 * scanned in chunks of CHUNK_SIZE that overlap by 2 * CHUNK_MARGIN, so no
 * length is ever narrowed for Vectorscan and a file read from disk needs
 * one chunk of memory, not its whole size.  CHUNK_MARGIN is more than a
 * rule's largest window (1 MiB) plus the engine's context around a hit, so
 * every match lies whole inside the chunk that reports it; a match is
 * reported by exactly one chunk (the one its secret ends in, short of the
 * margin), with its offset, line and column in the whole input.
 */
#define CHUNK_SIZE ((size_t)64 << 20)
#define CHUNK_MARGIN ((size_t)4 << 20)

/*
 * An input read once, in order (a git blob inflated as it is read): read()
 * puts the next n bytes in dst and returns 0, or a negative error with
 * err set; close() frees the stream.
 */
struct chunk_stream {
	int (*read)(struct chunk_stream *s, char *dst, size_t n,
		    struct lg_error *err);
	void (*close)(struct chunk_stream *s);
};

/*
 * The bytes to scan: in memory, read from an open file descriptor, or
 * read from a stream.
 */
struct chunk_input {
	const char *data;	/* NULL: pread() from fd, or read stream */
	int fd;			/* -1: read stream */
	struct chunk_stream *stream;
	size_t len;
};

/*
 * Scans in->len bytes with engine_scan(), in chunks when there are more
 * than CHUNK_SIZE; scratch holds a chunk read from a descriptor or a
 * stream.  For a stream, scratch may already hold its first bytes (what
 * was read to tell text from binary): they are not read again.  stop
 * (may be NULL) is polled between chunks.  Returns engine_scan()'s result,
 * or LG_ERR_IO with err set when the input cannot be read whole.
 */
int chunk_scan(struct engine_worker *ew, const struct chunk_input *in,
	       const char *path, const struct engine_callbacks *cb,
	       struct buf *scratch, volatile int *stop, struct lg_error *err);

#endif
