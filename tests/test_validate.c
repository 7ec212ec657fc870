#include <criterion/criterion.h>
#include <openssl/sha.h>
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
	{ "ghs_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V4", VALIDATE_VALID }, /* leakgate:allow */
	/* Old-form ghs_ carries the same CRC-32: a wrong one is dropped. */
	{ "ghs_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_INVALID },
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

/* Secrets that rules without a validator find: checked by their prefix. */
static const struct validate_case known_cases[] = {
	{ "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", VALIDATE_VALID },
	{ "gho_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_INVALID },
	{ "ghs_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_INVALID },
	{ "ghs_42_eyJhbGciOi.eyJpc3MiOi.sig", VALIDATE_UNKNOWN },
	{ "npm_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3", VALIDATE_INVALID },
	{ "glsa_aaaaaaaabbbbbbbbccccccccdddddddd_00000000", VALIDATE_INVALID },
	/* Split literals: this file holds no token a scan would report. */
	{ "glpat-" "frLEqvCBcmy2xICHGX4Ryu4QA46JOk21p7AsB.01.11050ouvc",
	  VALIDATE_VALID },
	{ "glpat-" "Qm4TzR8vKd2WnP6yHs9JfL3cB7aGe5XuN1.01.0z1k7fq2m",
	  VALIDATE_INVALID },
	{ "glpat-" "xQFCm855oBVRJgTUVYY6", VALIDATE_UNKNOWN },
	{ "Zx81kQp2vTr9", VALIDATE_UNKNOWN },
	{ "ghp_", VALIDATE_UNKNOWN },
	{ "", VALIDATE_UNKNOWN },
};

Test(validate, known_token_by_prefix)
{
	size_t i;

	for (i = 0; i < sizeof(known_cases) / sizeof(known_cases[0]); i++) {
		const struct validate_case *c = &known_cases[i];
		cr_expect_eq(validate_known_token(c->token, strlen(c->token)),
			     c->want, "%s", c->token);
	}
}

/* A fine-grained PAT whose characters 77..84 are the base32 SHA-256 check. */
static void fine_grained_with_check(char out[94], int lower)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned long long v = 0;
	int i;

	memcpy(out, "github_pat_11ABCDEFG0123456789xyz_", 34);
	for (i = 34; i < 93; i++)
		out[i] = "Kq7Zr2Pw9Lm4"[i % 12];
	out[93] = '\0';
	SHA256((const unsigned char *)out, 77, md);
	for (i = 0; i < 5; i++)
		v = (v << 8) | md[i];
	for (i = 7; i >= 0; i--, v >>= 5)
		out[77 + i] = lower && b32[v & 31] >= 'A' ? (char)(b32[v & 31] + 32)
							  : b32[v & 31];
}

Test(validate, fine_grained_check_only_raises)
{
	char t[94];

	fine_grained_with_check(t, 0);
	cr_assert_eq(validate_github_fine_grained(t, 93), VALIDATE_VALID, "%s", t);
	fine_grained_with_check(t, 1);
	cr_assert_eq(validate_github_fine_grained(t, 93), VALIDATE_VALID, "%s", t);
	cr_assert_eq(validate_known_token(t, 93), VALIDATE_VALID);
	/* A mismatch proves nothing: unknown, never invalid. */
	t[80] = t[80] == 'A' ? 'B' : 'A';
	cr_assert_eq(validate_github_fine_grained(t, 93), VALIDATE_UNKNOWN);
	cr_assert_eq(validate_github_fine_grained(t, 92), VALIDATE_UNKNOWN);
}
