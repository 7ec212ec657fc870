#ifndef LEAKGATE_INDEX_EWAH_H
#define LEAKGATE_INDEX_EWAH_H

#include <stddef.h>
#include <stdint.h>

/*
 * EWAH, the compressed bitmap git writes in index extensions (a split
 * index's delete and replace bitmaps): a 32-bit bit count, a 32-bit word
 * count, that many big-endian 64-bit words, and the 32-bit position of
 * the last marker word.  A marker word holds a run of clean words (bit 0:
 * all ones or all zeros; bits 1-32: how many) and, in bits 33-63, how many
 * literal words follow it.  Bit i of the bitmap is bit i % 64 of word
 * i / 64.
 */

/* Words of an array that holds nbits bits. */
#define EWAH_WORDS(nbits) (((nbits) + 63) / 64)

/*
 * Decodes the bitmap at p (len bytes available) into bits, which holds
 * EWAH_WORDS(nbits) words and is cleared first.  Returns the bytes the
 * bitmap takes, or -1 when it is cut short, damaged, or sets a bit at or
 * past nbits.
 */
long ewah_decode(uint64_t *bits, size_t nbits, const unsigned char *p,
		 size_t len);

/* Whether bit i of bits (decoded by ewah_decode) is set. */
static inline int ewah_test(const uint64_t *bits, size_t i)
{
	return (int)(bits[i / 64] >> (i % 64) & 1);
}

/* How many bits of bits[0..EWAH_WORDS(nbits)) are set. */
size_t ewah_count(const uint64_t *bits, size_t nbits);

#endif
