#include "pack_entry.h"

#include <string.h>

#include "banned.h"

const char pack_entry_too_large[] = "too large to read";

const char *pack_entry_parse(const unsigned char *pack, size_t len,
			     uint64_t off, struct pack_entry *e)
{
	const unsigned char *p, *end = pack + len;
	unsigned shift = 4;
	unsigned char c;

	memset(e, 0, sizeof(*e));
	if (off < PACK_HEADER || off >= len)
		return "offset outside the pack";
	p = pack + off;
	c = *p++;
	e->type = (c >> 4) & 7;
	e->size = c & 15;
	while (c & 0x80) {
		if (p == end || shift > 60)
			return "bad size";
		c = *p++;
		e->size |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (e->type == PACK_OFS_DELTA) {
		uint64_t back;
		if (p == end)
			return "truncated";
		c = *p++;
		back = c & 0x7f;
		while (c & 0x80) {
			if (p == end || back >= (uint64_t)1 << 56)
				return "bad delta base";
			c = *p++;
			back = ((back + 1) << 7) | (c & 0x7f);
		}
		if (!back || back > off)
			return "bad delta base";
		e->base = off - back;
	} else if (e->type == PACK_REF_DELTA) {
		if (end - p < 20)
			return "truncated";
		e->base_id = (size_t)(p - pack);
		p += 20;
	} else if (e->type < 1 || e->type > 4) {
		return "unknown object type";
	}
	e->data = (size_t)(p - pack);
	return e->size > PACK_OBJECT_MAX ? pack_entry_too_large : NULL;
}

static int varint(const unsigned char **p, const unsigned char *end,
		  size_t *out)
{
	unsigned shift = 0;
	unsigned char c;

	*out = 0;
	do {
		if (*p == end || shift > 56)
			return -1;
		c = *(*p)++;
		*out |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return 0;
}

const char *pack_delta_sizes(const unsigned char *delta, size_t n,
			     size_t *base_len, size_t *result_len, size_t *ops)
{
	const unsigned char *p = delta;

	if (varint(&p, delta + n, base_len) || varint(&p, delta + n, result_len))
		return "bad delta header";
	if (*result_len > PACK_OBJECT_MAX)
		return "delta result too large";
	*ops = (size_t)(p - delta);
	return NULL;
}

/* One copy instruction's offset and length; returns 0 or -1. */
static int copy_args(unsigned char cmd, const unsigned char **p,
		     const unsigned char *end, size_t *off, size_t *len)
{
	unsigned i;

	*off = *len = 0;
	for (i = 0; i < 7; i++) {
		if (!(cmd & (1u << i)))
			continue;
		if (*p == end)
			return -1;
		if (i < 4)
			*off |= (size_t)*(*p)++ << (8 * i);
		else
			*len |= (size_t)*(*p)++ << (8 * (i - 4));
	}
	if (!*len)
		*len = 0x10000;
	return 0;
}

const char *pack_delta_apply(const unsigned char *base, size_t base_len,
			     const unsigned char *delta, size_t n, size_t ops,
			     unsigned char *out, size_t out_len)
{
	const unsigned char *p = delta + ops, *end = delta + n;
	size_t at = 0;

	while (p < end) {
		unsigned char cmd = *p++;
		size_t off, cnt;
		if (cmd & 0x80) {
			if (copy_args(cmd, &p, end, &off, &cnt) || off > base_len ||
			    cnt > base_len - off || cnt > out_len - at)
				return "bad delta instructions";
			memcpy(out + at, base + off, cnt);
		} else if (cmd) {
			cnt = cmd;
			if (cnt > (size_t)(end - p) || cnt > out_len - at)
				return "bad delta instructions";
			memcpy(out + at, p, cnt);
			p += cnt;
		} else {
			return "bad delta instructions";
		}
		at += cnt;
	}
	return at == out_len ? NULL : "delta shorter than its result";
}
