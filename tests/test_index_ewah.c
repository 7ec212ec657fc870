/* EWAH bitmaps as git writes them in a split index's link extension. */
#include <criterion/criterion.h>
#include <string.h>

#include "index_ewah.h"

#define MAX_WORDS 8

/* Serializes words (a bitmap of nbits bits) the way git does. */
static size_t serialize(unsigned char *out, uint32_t nbits,
			const uint64_t *words, uint32_t n)
{
	size_t len = 0;
	uint32_t i;
	int b;

	for (b = 3; b >= 0; b--)
		out[len++] = (unsigned char)(nbits >> (8 * b));
	for (b = 3; b >= 0; b--)
		out[len++] = (unsigned char)(n >> (8 * b));
	for (i = 0; i < n; i++)
		for (b = 7; b >= 0; b--)
			out[len++] = (unsigned char)(words[i] >> (8 * b));
	memset(out + len, 0, 4);	/* the last marker's position */
	return len + 4;
}

/* A marker word: a run of `run` clean words of `bit`, then `lits` literals. */
#define MARKER(bit, run, lits) \
	((uint64_t)(bit) | (uint64_t)(run) << 1 | (uint64_t)(lits) << 33)

struct ewah_case {
	const char *name;
	size_t nbits;
	uint64_t words[MAX_WORDS];
	uint32_t n;
	size_t cut;		/* bytes left off the end */
	long want;		/* -1, or how many bits are set */
	size_t set[4];		/* some bits that must be set */
	size_t n_set;
};

static const struct ewah_case cases[] = {
	{ "empty", 0, { 0 }, 0, 0, 0, { 0 }, 0 },
	{ "one literal", 10, { MARKER(0, 0, 1), 0xa }, 2, 0, 2, { 1, 3 }, 2 },
	{ "clean zeros then a literal", 200, { MARKER(0, 2, 1), 1 }, 2, 0, 1,
	  { 128 }, 1 },
	{ "a run of ones then a literal", 129,
	  { MARKER(1, 2, 0), MARKER(0, 0, 1), 1 }, 3, 0, 129,
	  { 0, 63, 127, 128 }, 4 },
	{ "a bit past the end", 3, { MARKER(0, 0, 1), 8 }, 2, 0, -1, { 0 },
	  0 },
	{ "ones past the end", 64, { MARKER(1, 2, 0) }, 1, 0, -1, { 0 }, 0 },
	{ "a literal the words lack", 64, { MARKER(0, 0, 2), 1 }, 2, 0, -1,
	  { 0 }, 0 },
	{ "cut short", 64, { MARKER(0, 0, 1), 1 }, 2, 5, -1, { 0 }, 0 },
	{ "huge clean runs, then a bit", 64,
	  { MARKER(0, 0xffffffffu, 0), MARKER(0, 0xffffffffu, 1), 1 }, 3, 0,
	  -1, { 0 }, 0 },
};

Test(index_ewah, decodes_git_bitmaps_and_refuses_damaged_ones)
{
	size_t k, i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct ewah_case *c = &cases[k];
		unsigned char raw[12 + 8 * MAX_WORDS];
		uint64_t bits[EWAH_WORDS(256) + 1];
		size_t len = serialize(raw, (uint32_t)c->nbits, c->words, c->n);
		long used = ewah_decode(bits, c->nbits, raw, len - c->cut);

		if (c->want < 0) {
			cr_expect_eq(used, -1, "%s", c->name);
			continue;
		}
		cr_expect_eq(used, (long)len, "%s", c->name);
		cr_expect_eq(ewah_count(bits, c->nbits), (size_t)c->want, "%s",
			     c->name);
		for (i = 0; i < c->n_set; i++)
			cr_expect(ewah_test(bits, c->set[i]), "%s: bit %zu",
				  c->name, c->set[i]);
	}
}

/* Two bitmaps back to back: the first's length finds the second. */
Test(index_ewah, reports_the_bytes_each_bitmap_takes)
{
	uint64_t w1[] = { MARKER(0, 0, 1), 4 }, w2[] = { MARKER(1, 1, 0) };
	unsigned char raw[64];
	uint64_t bits[2];
	size_t a = serialize(raw, 64, w1, 2);
	size_t b = serialize(raw + a, 64, w2, 1);

	cr_assert_eq(ewah_decode(bits, 64, raw, a + b), (long)a);
	cr_expect_eq(ewah_count(bits, 64), 1);
	cr_expect(ewah_test(bits, 2));
	cr_assert_eq(ewah_decode(bits, 64, raw + a, b), (long)b);
	cr_expect_eq(ewah_count(bits, 64), 64);
}
