#ifndef LEAKGATE_DECODE_ARCHIVE_H
#define LEAKGATE_DECODE_ARCHIVE_H

#include <stddef.h>

#include "buf.h"

/*
 * Archives and compressed streams through libarchive, read from memory:
 * zip (jar, apk, Office files...), tar, 7z, and gzip, bzip2, xz or zstd
 * streams, alone or around a tar.  Nothing is written to disk; member
 * names are only ever handed to the caller as text.
 */

/* Non-zero when data starts with the magic bytes of a format read here. */
int decode_archive_sniff(const char *data, size_t len);

struct decode_archive_ops {
	/*
	 * A regular member: name (NUL-terminated, as stored) and its bytes,
	 * borrowed until the call returns.  A negative return stops.
	 */
	int (*member)(const char *name, const char *data, size_t len,
		      void *payload);
	/* Counts n more expanded bytes; non-zero stops reading the archive. */
	int (*charge)(size_t n, void *payload);
	/* A note (an encrypted member, a corrupt archive, a member too large). */
	void (*note)(const char *what, const char *detail, void *payload);
	void *payload;
};

/*
 * Reads every member of the archive data[0..len) into member (a buffer
 * the caller keeps per nesting depth), at most max_member bytes of each
 * (0: no cap; a larger member is read to count it, noted, not handed on).
 * stream_name names the one member of a bare compressed stream.  Returns
 * 0 (a bad archive is a note) or a negative error.
 */
int decode_archive_each(const char *data, size_t len, struct buf *member,
			size_t max_member, const char *stream_name,
			const struct decode_archive_ops *ops);

#endif
