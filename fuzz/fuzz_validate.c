/*
 * libFuzzer target: every validator from validate_names() over arbitrary
 * bytes.  Results must be one of the three values; a checksum validator
 * that says valid must say otherwise once the last character changes;
 * the shape-only validators never say valid.  The input also seeds a
 * token built with validate_crc32_base62(), which the GitHub and npm
 * validators must accept.
 */
#include <string.h>

#include "fuzz.h"
#include "validate.h"
#include "banned.h"

static const char alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Another character in every check alphabet (hex, base36, base62). */
static char other_char(char c)
{
	return c == '0' ? '1' : '0';
}

static int is_shape_only(const char *name)
{
	return !strcmp(name, "basic-auth") || !strcmp(name, "jwt");
}

static void check_validator(const char *name, const char *s, size_t len)
{
	validate_fn fn = validate_lookup(name);
	enum validate_result r;
	char *copy;

	FUZZ_CHECK(fn != NULL);
	r = fn(s, len);
	FUZZ_CHECK(r == VALIDATE_UNKNOWN || r == VALIDATE_VALID ||
		   r == VALIDATE_INVALID);
	if (r != VALIDATE_VALID)
		return;
	FUZZ_CHECK(!is_shape_only(name));
	/* An exact-size copy, so that ASan sees any read past the end. */
	copy = malloc(len);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, s, len);
	copy[len - 1] = other_char(copy[len - 1]);
	FUZZ_CHECK(fn(copy, len) != VALIDATE_VALID);
	free(copy);
}

/* prefix + 30 (or 70) characters drawn from the input + the check. */
static void check_round_trip(const char *prefix, size_t body_len,
			     const uint8_t *data, size_t size, validate_fn fn)
{
	char token[4 + 70 + 7];
	size_t i;

	memcpy(token, prefix, 4);
	for (i = 0; i < body_len; i++)
		token[4 + i] = alnum[(i < size ? data[i] : i) % 62];
	validate_crc32_base62(token + 4, body_len, token + 4 + body_len);
	FUZZ_CHECK(fn(token, 4 + body_len + 6) == VALIDATE_VALID);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *names = validate_names();
	size_t i;

	for (i = 0; names[i]; i++)
		check_validator(names[i], (const char *)data, size);
	check_round_trip("ghp_", 30, data, size, validate_github_crc32);
	check_round_trip("ghr_", 70, data, size, validate_github_crc32);
	check_round_trip("npm_", 30, data, size, validate_npm_crc32);
	return 0;
}
