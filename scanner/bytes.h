#ifndef LEAKGATE_BYTES_H
#define LEAKGATE_BYTES_H

/*
 * Big-endian integers at any alignment, as git's file formats store them
 * (pack indexes, the index and its EWAH bitmaps).
 */
#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get_be16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t get_be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t get_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

#endif
