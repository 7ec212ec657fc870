#ifndef LEAKGATE_BUF_H
#define LEAKGATE_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, binary-safe byte buffer.  `ptr` is always NUL-terminated
 * (the NUL is not counted in `len`) so text users can treat it as a C
 * string.  Growth beyond `cap_max` (0: no cap) fails with LG_ERR_LIMIT.
 */
struct buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap_max;
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* Ensures room for `extra` more bytes.  Returns 0 or LG_ERR_NOMEM/LG_ERR_LIMIT. */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b);
/* Cuts b back to its first len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Hands the heap string to the caller (never NULL on success) and resets b. */
char *buf_detach(struct buf *b);
void buf_release(struct buf *b);

/*
 * Reads a whole file into b, failing with LG_ERR_LIMIT when it is larger
 * than max (0: no limit).  Errors name the path.
 */
struct lg_error;
int buf_read_file(struct buf *b, const char *path, size_t max,
		  struct lg_error *err);
/* The same from an open descriptor, read to its end; errors name path. */
int buf_read_fd(struct buf *b, int fd, const char *path, size_t max,
		struct lg_error *err);
/*
 * buf_read_fd() that checks *stop (may be NULL) before each read, so a
 * signal whose handler sets it ends a read that would wait for more input:
 * returns 1 then, with what was read in b.
 */
int buf_read_fd_until(struct buf *b, int fd, const char *path, size_t max,
		      volatile int *stop, struct lg_error *err);

#endif
