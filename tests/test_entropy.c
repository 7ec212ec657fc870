#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "entropy.h"
#include "helpers.h"

struct entropy_case {
	const char *s;
	size_t len;
	double want;
};

static const struct entropy_case entropy_cases[] = {
	{ "", 0, 0.0 },
	{ "a", 1, 0.0 },
	{ "aaaaaaaa", 8, 0.0 },
	{ "ab", 2, 1.0 },
	{ "abababab", 8, 1.0 },
	{ "abcd", 4, 2.0 },
	{ "abcdefgh", 8, 3.0 },
	{ "aab", 3, 0.9182958340544896 },
	/* NUL is a byte like any other: the length, not strlen, counts. */
	{ "a\0b\0", 4, 1.5 },
	{ "\xff\xfe\xfd\xfc", 4, 2.0 },
};

Test(entropy, table)
{
	size_t i;

	for (i = 0; i < sizeof(entropy_cases) / sizeof(entropy_cases[0]); i++) {
		const struct entropy_case *c = &entropy_cases[i];
		double h = entropy_shannon(c->s, c->len);
		cr_expect(fabs(h - c->want) < 1e-9,
			  "case %zu: %.12f, want %.12f", i, h, c->want);
	}
}

Test(entropy, every_byte_once_is_eight_bits)
{
	char all[256];
	int i;

	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	cr_assert(fabs(entropy_shannon(all, sizeof(all)) - 8.0) < 1e-9);
}

Test(entropy, random_token_is_high_placeholder_is_low)
{
	const char *tok = th_fake_token("", 36, 7, 0);

	cr_assert_gt(entropy_shannon(tok, strlen(tok)), 4.0, "%s", tok);
	cr_assert_lt(entropy_shannon("xxxxxxxxxxxxxxxxxxxx1", 21), 1.0);
}
