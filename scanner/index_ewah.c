#include "index_ewah.h"

#include <string.h>

#include "bytes.h"
#include "banned.h"

#define RUN_LEN_MASK 0xffffffffu	/* bits 1-32 of a marker word */
#define LITERAL_SHIFT 33

/*
 * ORs word w (the bitmap's bits w*64 .. w*64+63) into bits: -1 when it
 * sets a bit at or past nbits.
 */
static int put_word(uint64_t *bits, size_t nbits, uint64_t at, uint64_t w)
{
	size_t nwords = EWAH_WORDS(nbits);

	if (!w)
		return 0;
	if (at >= nwords || (at == nwords - 1 && nbits % 64 &&
			     w >> (nbits % 64)))
		return -1;
	bits[at] |= w;
	return 0;
}

/* Expands the words[0..n) (big-endian) into bits. */
static int expand(uint64_t *bits, size_t nbits, const unsigned char *words,
		  uint64_t n)
{
	uint64_t i = 0, at = 0, limit = EWAH_WORDS(nbits) + 1;

	while (i < n) {
		uint64_t marker = get_be64(words + 8 * i++);
		uint64_t run = marker >> 1 & RUN_LEN_MASK;
		uint64_t lits = marker >> LITERAL_SHIFT, k;

		for (k = 0; (marker & 1) && k < run; k++)
			if (put_word(bits, nbits, at + k, ~(uint64_t)0))
				return -1;
		/* Past the end only zeros may follow: keep `at` bounded. */
		at = at + run < limit ? at + run : limit;
		if (lits > n - i)
			return -1;
		for (k = 0; k < lits; k++, at += at < limit)
			if (put_word(bits, nbits, at,
				     get_be64(words + 8 * i++)))
				return -1;
	}
	return 0;
}

long ewah_decode(uint64_t *bits, size_t nbits, const unsigned char *p,
		 size_t len)
{
	uint64_t n;

	memset(bits, 0, EWAH_WORDS(nbits) * sizeof(*bits));
	if (len < 12)
		return -1;
	n = get_be32(p + 4);
	if (n > (len - 12) / 8)
		return -1;
	if (expand(bits, nbits, p + 8, n))
		return -1;
	return (long)(12 + 8 * n);
}

size_t ewah_count(const uint64_t *bits, size_t nbits)
{
	size_t i, n = 0;

	for (i = 0; i < EWAH_WORDS(nbits); i++)
		n += (size_t)__builtin_popcountll(bits[i]);
	return n;
}
