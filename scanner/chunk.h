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

/* The bytes to scan: in memory, or read from an open file descriptor. */
struct chunk_input {
	const char *data;	/* NULL: pread() from fd */
	int fd;
	size_t len;
};

/*
 * Scans in->len bytes with engine_scan(), in chunks when there are more
 * than CHUNK_SIZE; scratch holds a chunk read from a descriptor.  stop
 * (may be NULL) is polled between chunks.  Returns engine_scan()'s result,
 * or LG_ERR_IO with err set when the descriptor cannot be read whole.
 */
int chunk_scan(struct engine_worker *ew, const struct chunk_input *in,
	       const char *path, const struct engine_callbacks *cb,
	       struct buf *scratch, volatile int *stop, struct lg_error *err);

#endif
