#include "validate.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <string.h>
#include <zlib.h>

#include "banned.h"

static const char base62_digits[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void validate_crc32_base62(const char *data, size_t len, char out[7])
{
	unsigned long crc = crc32(0L, (const Bytef *)data, (uInt)len);
	int i;

	for (i = 5; i >= 0; i--) {
		out[i] = base62_digits[crc % 62];
		crc /= 62;
	}
	out[6] = '\0';
}

/*
 * Checks "<prefix><body><6 check chars>" where the check is the base62
 * CRC-32 of body alone.  `prefix_len` bytes are skipped.
 */
static enum validate_result check_crc32_suffix(const char *secret, size_t len,
					       size_t prefix_len)
{
	char want[7];

	if (len < prefix_len + 7)
		return VALIDATE_UNKNOWN;
	validate_crc32_base62(secret + prefix_len, len - prefix_len - 6, want);
	return memcmp(want, secret + len - 6, 6) == 0 ? VALIDATE_VALID
						       : VALIDATE_INVALID;
}

static int all_alnum(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

enum validate_result validate_github_crc32(const char *secret, size_t len)
{
	static const char *const prefixes[] = { "ghp_", "gho_", "ghu_", "ghs_",
						"ghr_" };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (len < 4 || memcmp(secret, prefixes[i], 4) != 0)
			continue;
		/*
		 * Only the classic shape carries the check: 30 random + 6
		 * (70 + 6 for refresh tokens).  Newer installation tokens
		 * (ghs_<appid>_<jwt>) have none and are never rejected.
		 */
		if (!all_alnum(secret + 4, len - 4))
			return VALIDATE_UNKNOWN;
		if (len == 40 || (len == 80 && secret[2] == 'r'))
			return check_crc32_suffix(secret, len, 4);
		return VALIDATE_UNKNOWN;
	}
	return VALIDATE_UNKNOWN;
}

#define FINE_GRAINED_LEN 93	/* github_pat_ + 22 + _ + 59 */
#define FINE_GRAINED_HASHED 77

/*
 * Fine-grained PATs: one peer reads characters 77..84 as the base32 of
 * the SHA-256 of the first 77.  GitHub does not document it, so a match
 * raises confidence and a mismatch proves nothing.
 */
enum validate_result validate_github_fine_grained(const char *secret,
						  size_t len)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned long long v = 0;
	int i;

	if (len != FINE_GRAINED_LEN || memcmp(secret, "github_pat_", 11) != 0)
		return VALIDATE_UNKNOWN;
	SHA256((const unsigned char *)secret, FINE_GRAINED_HASHED, md);
	for (i = 0; i < 5; i++)
		v = (v << 8) | md[i];
	for (i = 7; i >= 0; i--, v >>= 5)
		if (toupper((unsigned char)secret[FINE_GRAINED_HASHED + i]) !=
		    b32[v & 31])
			return VALIDATE_UNKNOWN;
	return VALIDATE_VALID;
}

enum validate_result validate_npm_crc32(const char *secret, size_t len)
{
	if (len != 40 || memcmp(secret, "npm_", 4) != 0 ||
	    !all_alnum(secret + 4, 36))
		return VALIDATE_UNKNOWN;
	return check_crc32_suffix(secret, len, 4);
}

static const char base36_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* 1 when s[0..len-1] are all lowercase base36 digits. */
static int all_base36(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return 1;
}

/* 1 when the CRC-32 of data, in base36 padded to 7, equals crc[0..6]. */
static int crc32_base36_matches(const char *data, size_t len, const char *crc)
{
	unsigned long v = crc32(0L, (const Bytef *)data, (uInt)len);
	char want[7];
	int i;

	for (i = 6; i >= 0; i--) {
		want[i] = base36_digits[v % 36];
		v /= 36;
	}
	return memcmp(want, crc, 7) == 0;
}

/*
 * GitLab routable tokens end in ".<ver>.<len><crc>" or ".<len><crc>":
 * <len> is the payload length in base36 (2 digits) and <crc> is the
 * CRC-32 of everything before it, base36, zero-padded to 7 digits.  An
 * instance may put its own "<PREFIX>-" before the "gl" prefix; the check
 * is tried with and without it.  Legacy tokens (a prefix and 20 random
 * characters) carry no check and are unknown.
 */
enum validate_result validate_gitlab_routable(const char *secret, size_t len)
{
	const char *crc;
	size_t i;

	if (len < 20 || secret[len - 10] != '.' ||
	    !all_base36(secret + len - 9, 9))
		return VALIDATE_UNKNOWN;
	crc = secret + len - 7;
	if (crc32_base36_matches(secret, len - 7, crc))
		return VALIDATE_VALID;
	for (i = 1; i + 2 < len - 10 && i <= 32; i++) {
		if (secret[i - 1] != '-' || secret[i] != 'g' || secret[i + 1] != 'l')
			continue;
		if (crc32_base36_matches(secret + i, len - 7 - i, crc))
			return VALIDATE_VALID;
		break;
	}
	return VALIDATE_INVALID;
}

/* The value of a base64 digit (standard or URL-safe alphabet), or -1. */
int validate_base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Decodes unpadded or padded base64 into out (at most cap bytes, the rest
 * is dropped) and stores the full decoded length in *n.  Returns -1 on a
 * character outside the alphabet or an impossible length.
 */
int validate_base64_decode(const char *s, size_t len, unsigned char *out,
			   size_t cap, size_t *n)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t i;

	*n = 0;
	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = validate_base64_value(s[i]);

		if (v < 0)
			return -1;
		acc = ((acc << 6) | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		if (*n < cap)
			out[*n] = (unsigned char)(acc >> bits);
		(*n)++;
	}
	return 0;
}

/*
 * HTTP Basic credentials and Docker "auth" fields are base64 of
 * "user:password".  A value that does not decode to text holding a colon
 * is not a credential.  Either side may be empty (Azure DevOps sends
 * ":<PAT>", Stripe "<key>:"), not both.  Passing proves the shape only,
 * so the result is unknown rather than valid.
 */
enum validate_result validate_basic_auth(const char *secret, size_t len)
{
	unsigned char text[512];
	size_t n, i;
	int colon = 0;

	if (validate_base64_decode(secret, len, text, sizeof(text), &n) || n < 4 ||
	    n > sizeof(text))
		return VALIDATE_INVALID;
	for (i = 0; i < n; i++) {
		if (text[i] < 0x20 || text[i] == 0x7f)
			return VALIDATE_INVALID;
		if (text[i] == ':')
			colon = 1;
	}
	return colon ? VALIDATE_UNKNOWN : VALIDATE_INVALID;
}

/* 1 when needle (non-empty) occurs in hay[0..n-1]. */
static int contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	return 0;
}

/* 1 when base64url text decodes to something shaped like a JSON object. */
static int base64_json_object(const char *s, size_t len, const char *must)
{
	unsigned char text[1024];
	size_t n, i = 0;

	if (validate_base64_decode(s, len, text, sizeof(text), &n) || n < 2)
		return 0;
	if (n > sizeof(text))
		n = sizeof(text);
	while (i < n && (text[i] == ' ' || text[i] == '\t' ||
			 text[i] == '\r' || text[i] == '\n'))
		i++;
	if (i >= n || text[i] != '{' || (i + 1 < n && text[i + 1] == '}'))
		return 0;
	if (must && !contains(text, n, must))
		return 0;
	return 1;
}

/*
 * A JSON Web Token is base64url(header).base64url(payload).signature; the
 * header is a JSON object naming its "alg" and the payload is a JSON
 * object.  Only the shape is checked: unknown when it holds, invalid when
 * it does not (random text that happens to start with "eyJ").
 */
enum validate_result validate_jwt(const char *secret, size_t len)
{
	const char *start = memchr(secret, 'e', len);
	const char *dot1, *dot2, *end = secret + len;

	/* Skip a vendor prefix in front of the token ("glcbt-eyJ..."). */
	while (start && (size_t)(end - start) > 3 && memcmp(start, "eyJ", 3))
		start = memchr(start + 1, 'e', (size_t)(end - start - 1));
	if (!start || (size_t)(end - start) <= 3)
		return VALIDATE_INVALID;
	dot1 = memchr(start, '.', (size_t)(end - start));
	if (!dot1)
		return VALIDATE_INVALID;
	dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1));
	if (!dot2)
		return VALIDATE_INVALID;
	if (!base64_json_object(start, (size_t)(dot1 - start), "\"alg\"") ||
	    !base64_json_object(dot1 + 1, (size_t)(dot2 - dot1 - 1), NULL))
		return VALIDATE_INVALID;
	return VALIDATE_UNKNOWN;
}

/*
 * Grafana service account tokens: "glsa_<32 random>_<8 hex>" where the
 * hex is the CRC-32 of "glsa_<32 random>" as 4 little-endian bytes.
 */
enum validate_result validate_grafana_crc32(const char *secret, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long crc;
	char want[8];
	int i;

	if (len != 46 || memcmp(secret, "glsa_", 5) != 0 || secret[37] != '_' ||
	    !all_alnum(secret + 5, 32))
		return VALIDATE_UNKNOWN;
	crc = crc32(0L, (const Bytef *)secret, 37);
	for (i = 0; i < 4; i++) {
		unsigned b = (unsigned)(crc >> (8 * i)) & 0xff;

		want[2 * i] = hex[b >> 4];
		want[2 * i + 1] = hex[b & 0xf];
	}
	return memcmp(want, secret + 38, 8) == 0 ? VALIDATE_VALID
						 : VALIDATE_INVALID;
}

/*
 * Formats with a check, told by their prefix: what validate_known_token()
 * tries on secrets that a rule without a validator of its own found.
 */
static const struct {
	const char *prefix;
	validate_fn fn;
} known_prefixes[] = {
	{ "ghp_", validate_github_crc32 },  { "gho_", validate_github_crc32 },
	{ "ghu_", validate_github_crc32 },  { "ghs_", validate_github_crc32 },
	{ "ghr_", validate_github_crc32 },  { "npm_", validate_npm_crc32 },
	{ "glsa_", validate_grafana_crc32 },
	{ "github_pat_", validate_github_fine_grained },
	{ "glpat-", validate_gitlab_routable },	{ "gldt-", validate_gitlab_routable },
	{ "glrt-", validate_gitlab_routable },	{ "glcbt-", validate_gitlab_routable },
	{ "glptt-", validate_gitlab_routable },	{ "glft-", validate_gitlab_routable },
	{ "gloas-", validate_gitlab_routable },
	{ "glagent-", validate_gitlab_routable },
	{ "glsoat-", validate_gitlab_routable },
	{ "glimt-", validate_gitlab_routable },
	{ "glffct-", validate_gitlab_routable },
};

enum validate_result validate_known_token(const char *secret, size_t len)
{
	size_t i, n;

	/* Every prefix starts with 'g' or 'n': most secrets stop here. */
	if (!len || (secret[0] != 'g' && secret[0] != 'n'))
		return VALIDATE_UNKNOWN;
	for (i = 0; i < sizeof(known_prefixes) / sizeof(known_prefixes[0]); i++) {
		n = strlen(known_prefixes[i].prefix);
		if (len > n && !memcmp(secret, known_prefixes[i].prefix, n))
			return known_prefixes[i].fn(secret, len);
	}
	return VALIDATE_UNKNOWN;
}

struct validator_entry {
	const char *name;
	validate_fn fn;
};

static const struct validator_entry validators[] = {
	{ "github-crc32", validate_github_crc32 },
	{ "github-fine-grained", validate_github_fine_grained },
	{ "npm-crc32", validate_npm_crc32 },
	{ "gitlab-routable", validate_gitlab_routable },
	{ "grafana-crc32", validate_grafana_crc32 },
	{ "basic-auth", validate_basic_auth },
	{ "jwt", validate_jwt },
};

#define N_VALIDATORS (sizeof(validators) / sizeof(validators[0]))

validate_fn validate_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N_VALIDATORS; i++)
		if (strcmp(validators[i].name, name) == 0)
			return validators[i].fn;
	return NULL;
}

const char *const *validate_names(void)
{
	static const char *names[N_VALIDATORS + 1];
	size_t i;

	for (i = 0; i < N_VALIDATORS; i++)
		names[i] = validators[i].name;
	names[N_VALIDATORS] = NULL;
	return names;
}
