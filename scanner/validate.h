#ifndef LEAKGATE_VALIDATE_H
#define LEAKGATE_VALIDATE_H

#include <stddef.h>

/*
 * Offline validators: checks a token format carries in itself (a
 * checksum), so a typo or a made-up placeholder is told apart from a
 * token the issuer could have minted.  No network, ever.
 */
enum validate_result {
	VALIDATE_UNKNOWN = 0, /* the format has no check, or it does not apply */
	VALIDATE_VALID,	      /* the check passed: confidence "checksum" */
	VALIDATE_INVALID,     /* the check failed: not a real token */
};

typedef enum validate_result (*validate_fn)(const char *secret, size_t len);

/* The validator registered under `name`, or NULL when there is none. */
validate_fn validate_lookup(const char *name);

/* The value of a base64 digit (standard or URL-safe alphabet), or -1. */
int validate_base64_value(char c);
/*
 * Decodes unpadded or padded base64 into out (at most cap bytes, the rest
 * is dropped) and stores the full decoded length in *n.  Returns -1 on a
 * character outside the alphabet or an impossible length.
 */
int validate_base64_decode(const char *s, size_t len, unsigned char *out,
			   size_t cap, size_t *n);

/* Lists the registered names, NULL-terminated; the array is static. */
const char *const *validate_names(void);

/*
 * Writes the 6-character base62 (0-9A-Za-z, most significant first,
 * zero-padded) CRC-32 of data to out[0..5] and a NUL to out[6].  This is
 * the check GitHub and npm append to their tokens; exposed for tests and
 * for building fake tokens.
 */
void validate_crc32_base62(const char *data, size_t len, char out[7]);

enum validate_result validate_github_crc32(const char *secret, size_t len);
/*
 * Fine-grained PATs: valid when characters 77..84 are the base32 of the
 * SHA-256 of the first 77 (undocumented, seen in one peer), otherwise
 * unknown: never invalid.
 */
enum validate_result validate_github_fine_grained(const char *secret,
						  size_t len);
enum validate_result validate_npm_crc32(const char *secret, size_t len);
/*
 * The check of whatever checksummed format the secret has, told by its
 * prefix (ghp_, gho_, ghu_, ghs_, ghr_, npm_, glsa_, github_pat_, GitLab's
 * glpat- and kin), or unknown: so a token inside a URL or an assignment is
 * checked as well.
 */
enum validate_result validate_known_token(const char *secret, size_t len);
/*
 * GitLab routable tokens: the trailing base36 CRC-32 (see validate.c).
 * Unknown for the legacy fixed-length forms, which carry no check.
 */
enum validate_result validate_gitlab_routable(const char *secret, size_t len);
/* Grafana service account tokens (glsa_): CRC-32, little-endian hex. */
enum validate_result validate_grafana_crc32(const char *secret, size_t len);
/*
 * Shape checks, never "valid": invalid when base64 does not decode to
 * "user:password" (basic-auth) or to a JWT's JSON header and payload (jwt).
 */
enum validate_result validate_basic_auth(const char *secret, size_t len);
enum validate_result validate_jwt(const char *secret, size_t len);

#endif
