#include "chunk.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

/* One chunk: where it starts and which matches it reports. */
struct chunk {
	const struct engine_callbacks *cb;
	size_t base;		/* offset of the chunk in the input */
	size_t own_from;	/* reports secrets ending in (own_from, own_to] */
	size_t own_to;
	size_t line;		/* line of the byte at base, 1-based */
	size_t column;		/* its column, 1-based */
};

static int chunk_match(const struct engine_match *m, void *payload)
{
	const struct chunk *c = payload;
	struct engine_match whole = *m;
	size_t end = c->base + m->offset + m->secret_len;

	if ((c->base && end <= c->own_from) || end > c->own_to)
		return 0;
	whole.offset += c->base;
	if (m->line == 1)
		whole.column += c->column - 1;
	whole.line += c->line - 1;
	return c->cb->match(&whole, c->cb->payload);
}

static void chunk_limit(const struct rule *r, void *payload)
{
	const struct chunk *c = payload;

	if (c->cb->limit)
		c->cb->limit(r, c->cb->payload);
}

/*
 * A stream's bytes [from, to) into scratch, which holds the bytes from
 * *held on (the last chunk, or the first bytes): the overlap is kept, the
 * rest read on.  Chunks only move forward, so nothing is read twice.
 */
static int chunk_read_stream(const struct chunk_input *in, size_t from,
			     size_t to, struct buf *scratch, size_t *held,
			     const char *path, struct lg_error *err)
{
	size_t have = *held + scratch->len > from ? *held + scratch->len - from
						  : 0;

	if (have > to - from)
		have = to - from;
	if (have)
		memmove(scratch->ptr, scratch->ptr + (from - *held), have);
	buf_truncate(scratch, have);
	*held = from;
	if (buf_grow(scratch, to - from - have))
		return lg_error_set(err, LG_ERR_NOMEM, "%s: out of memory", path);
	/* Like a file that cannot be read on: the rest is unreadable. */
	if (in->stream->read(in->stream, scratch->ptr + have, to - from - have,
			     err)) {
		lg_error_prefix(err, "%s", path);
		return err->code = LG_ERR_IO;
	}
	scratch->len = to - from;
	return 0;
}

/* Points *out at in's bytes [from, to), reading them into scratch if need be. */
static int chunk_read(const struct chunk_input *in, size_t from, size_t to,
		      struct buf *scratch, size_t *held, const char **out,
		      const char *path, struct lg_error *err)
{
	ssize_t n = 0;

	if (in->data) {
		*out = in->data + from;
		return 0;
	}
	if (in->fd < 0) {
		int rc = chunk_read_stream(in, from, to, scratch, held, path,
					   err);
		*out = scratch->ptr;
		return rc;
	}
	buf_reset(scratch);
	if (buf_grow(scratch, to - from))
		return lg_error_set(err, LG_ERR_NOMEM, "%s: out of memory", path);
	while (scratch->len < to - from) {
		n = pread(in->fd, scratch->ptr + scratch->len,
			  to - from - scratch->len, (off_t)(from + scratch->len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		scratch->len += (size_t)n;
	}
	if (n < 0)
		return lg_error_errno(err, errno, "%s", path);
	if (scratch->len < to - from)
		return lg_error_set(err, LG_ERR_IO, "%s: changed while it was "
				    "read", path);
	*out = scratch->ptr;	/* scratch may have moved */
	return 0;
}

/* Moves c's line and column on over the bytes [0, n) of the chunk at p. */
static void chunk_advance(struct chunk *c, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		c->line++;
		c->column = 1;
		p = nl + 1;
	}
	c->column += (size_t)(end - p);
	c->base += n;
}

int chunk_scan(struct engine_worker *ew, const struct chunk_input *in,
	       const char *path, const struct engine_callbacks *cb,
	       struct buf *scratch, volatile int *stop, struct lg_error *err)
{
	struct chunk c = { cb, 0, 0, 0, 1, 1 };
	struct engine_callbacks per_chunk = { chunk_match, chunk_limit, &c };
	const char *p = NULL;
	size_t end, held = 0;
	int rc;

	for (;;) {
		end = in->len - c.base > CHUNK_SIZE ? c.base + CHUNK_SIZE
						    : in->len;
		c.own_to = end == in->len ? end : end - CHUNK_MARGIN;
		rc = chunk_read(in, c.base, end, scratch, &held, &p, path, err);
		if (!rc)
			rc = engine_scan(ew, p, end - c.base, path,
					 c.base || end < in->len ? &per_chunk
								 : cb);
		if (rc || end == in->len || (stop && *stop))
			return rc;
		c.own_from = c.own_to;
		chunk_advance(&c, p, c.own_to - CHUNK_MARGIN - c.base);
	}
}
