#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "validate.h"

struct validate_case {
	const char *token;
	enum validate_result want;
};

/* The published vector, its one-character typo, and shapes without a check. */
static const struct validate_case github_cases[] = {
	{ "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", VALIDATE_VALID },
	{ "ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_INVALID },
	{ "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", VALIDATE_VALID },
	{ "ghs_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_UNKNOWN },
	{ "ghs_123_eyJhbGciOi.eyJpc3MiOi.sig", VALIDATE_UNKNOWN },
	{ "ghp_short", VALIDATE_UNKNOWN },
};

Test(validate, github_published_vectors)
{
	size_t i;

	for (i = 0; i < sizeof(github_cases) / sizeof(github_cases[0]); i++) {
		const struct validate_case *c = &github_cases[i];
		cr_expect_eq(validate_github_crc32(c->token, strlen(c->token)), c->want,
			     "%s", c->token);
	}
}

Test(validate, generated_tokens_round_trip)
{
	unsigned seed;

	for (seed = 1; seed < 200; seed++) {
		const char *good = th_fake_token("ghp_", 30, seed, 0);
		const char *bad = th_fake_token_bad("ghp_", 30, seed, 1);
		const char *refresh = th_fake_token("ghr_", 70, seed, 2);
		const char *npm = th_fake_token("npm_", 30, seed, 3);
		cr_assert_eq(validate_github_crc32(good, 40), VALIDATE_VALID, "%s", good);
		cr_assert_eq(validate_github_crc32(bad, 40), VALIDATE_INVALID, "%s", bad);
		cr_assert_eq(validate_github_crc32(refresh, 80), VALIDATE_VALID);
		cr_assert_eq(validate_npm_crc32(npm, 40), VALIDATE_VALID);
	}
}

Test(validate, checksum_is_left_padded_with_zero)
{
	/* Find a body whose CRC-32 is small enough to need a leading '0'. */
	char body[31], check[7];
	unsigned seed;
	int found = 0;

	for (seed = 1; seed < 2000000 && !found; seed++) {
		const char *t = th_fake_token("", 30, seed, 0);
		if (t[30] != '0')
			continue;
		memcpy(body, t, 30);
		body[30] = '\0';
		validate_crc32_base62(body, 30, check);
		cr_assert_eq(check[0], '0');
		cr_assert_eq(strlen(check), 6);
		found = 1;
	}
	cr_assert(found, "no padded checksum in the sample");
}

Test(validate, lookup_by_name)
{
	cr_assert_not_null(validate_lookup("github-crc32"));
	cr_assert_not_null(validate_lookup("npm-crc32"));
	cr_assert_null(validate_lookup("no-such-validator"));
}
