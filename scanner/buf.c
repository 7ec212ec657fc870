#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

int buf_grow(struct buf *b, size_t extra)
{
	size_t want, alloc;
	char *p;

	if (b->len + extra + 1 < b->len)
		return LG_ERR_LIMIT;
	want = b->len + extra + 1;
	if (b->cap_max && want > b->cap_max + 1)
		return LG_ERR_LIMIT;
	if (want <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < want)
		alloc = alloc * 2 > alloc ? alloc * 2 : want;
	p = realloc(b->ptr, alloc);
	if (!p)
		return LG_ERR_NOMEM;
	b->ptr = p;
	b->alloc = alloc;
	return 0;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	int rc = buf_grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n, rc;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return LG_ERR_PARSE;
	rc = buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

char *buf_detach(struct buf *b)
{
	char *p;

	if (!b->ptr) {
		if (buf_grow(b, 0))
			return NULL;
		b->ptr[0] = '\0';
	}
	p = b->ptr;
	b->ptr = NULL;
	b->len = b->alloc = 0;
	return p;
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->alloc = 0;
}

/* How long a stoppable read waits before it looks at the stop flag again. */
#define READ_POLL_MS 100

/* Whether fd has input (or an end or error) within READ_POLL_MS. */
static int readable_soon(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int r = poll(&p, 1, READ_POLL_MS);

	return r > 0 || (r < 0 && errno != EINTR);
}

int buf_read_fd_until(struct buf *b, int fd, const char *path, size_t max,
		      volatile int *stop, struct lg_error *err)
{
	ssize_t n;

	for (;;) {
		if (stop && *stop)
			return 1;
		/* Straight into the buffer: a scan reads every file once. */
		if (buf_grow(b, 65536))
			return lg_error_set(err, LG_ERR_NOMEM,
					    "%s: out of memory", path);
		/*
		 * The signal that sets *stop may go to another thread and
		 * never interrupt this read: wait for input a while at a time.
		 */
		if (stop && !readable_soon(fd))
			continue;
		n = read(fd, b->ptr + b->len, b->alloc - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lg_error_errno(err, errno, "%s", path);
		if (n == 0)
			return 0;
		if (max && b->len + (size_t)n > max) {
			b->ptr[b->len] = '\0';
			return lg_error_set(err, LG_ERR_LIMIT,
					    "%s: larger than %zu bytes", path, max);
		}
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
}

int buf_read_fd(struct buf *b, int fd, const char *path, size_t max,
		struct lg_error *err)
{
	return buf_read_fd_until(b, fd, path, max, NULL, err);
}

int buf_read_file(struct buf *b, const char *path, size_t max,
		  struct lg_error *err)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return buf_read_fd(b, STDIN_FILENO, "<stdin>", max, err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lg_error_errno(err, errno, "%s", path);
	rc = buf_read_fd(b, fd, path, max, err);
	close(fd);
	return rc;
}
