#include "decode_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_CLONE 1
#endif

#include "error.h"
#include "banned.h"

/* Share of decoded bytes that must be text (of 16) for a run to be kept. */
#define TEXT_SHARE_MIN 15
/* Encoded bytes tried first: most runs that are not text fail here. */
#define PROBE_LEN 12
/* Bytes of a run that decide its kind. */
#define CLASSIFY_LEN 16
/* Bitmap words kept on the stack: texts up to 32 KiB need no allocation. */
#define BITMAP_SMALL_WORDS 514

enum char_class_bits {
	CC_BASE64 = 1 << 0,	/* [A-Za-z0-9+/_-] */
	CC_HEX = 1 << 1,
	CC_UPPER = 1 << 2,
	CC_LOWER = 1 << 3,
	CC_DIGIT = 1 << 4,
	CC_RUN = 1 << 5,	/* printable, no space, quote or angle bracket */
};

static const unsigned char char_class[256] = {
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,  32,   0,  32,  32,  32,  32,   0,  32,  32,  32,  33,  32,  33,  32,  33,
	 51,  51,  51,  51,  51,  51,  51,  51,  51,  51,  32,  32,   0,  32,   0,  32,
	 32,  39,  39,  39,  39,  39,  39,  37,  37,  37,  37,  37,  37,  37,  37,  37,
	 37,  37,  37,  37,  37,  37,  37,  37,  37,  37,  37,  32,  32,  32,  32,  33,
	  0,  43,  43,  43,  43,  43,  43,  41,  41,  41,  41,  41,  41,  41,  41,  41,
	 41,  41,  41,  41,  41,  41,  41,  41,  41,  41,  41,  32,  32,  32,  32,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
	  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
};

static const unsigned char base64_value[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255,  62, 255,  63,
	 52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
	255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
	 15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255,  63,
	255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
	 41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

static const unsigned char hex_value[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	  0,   1,   2,   3,   4,   5,   6,   7,   8,   9, 255, 255, 255, 255, 255, 255,
	255,  10,  11,  12,  13,  14,  15, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255,  10,  11,  12,  13,  14,  15, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

const char *decode_kind_name(enum decode_kind k)
{
	static const char *const names[DECODE_KINDS] = {
		"base64", "hex", "percent", "escape",
	};

	return k < DECODE_KINDS ? names[k] : "?";
}

/* ---- finding runs ------------------------------------------------------- */

static int cc(const char *data, size_t i, unsigned bits)
{
	return char_class[(unsigned char)data[i]] & bits;
}

/*
 * The kind a run of base64 characters decodes as, or DECODE_KINDS: none.
 * Its first CLASSIFY_LEN bytes decide: a long run that is not text is
 * dropped by the decoder's first look anyway.
 */
static enum decode_kind base64_kind(const char *data, size_t start, size_t end)
{
	unsigned seen = 0, all = CC_HEX;
	size_t i, stop = end - start > CLASSIFY_LEN ? start + CLASSIFY_LEN : end;

	for (i = start; i < stop; i++) {
		seen |= char_class[(unsigned char)data[i]];
		all &= char_class[(unsigned char)data[i]];
	}
	if (all & CC_HEX)
		return (end - start) % 2 ? DECODE_KINDS : DECODE_HEX;
	/* Encoded text always mixes cases; identifiers and paths rarely do. */
	if ((seen & CC_UPPER) && (seen & CC_LOWER))
		return DECODE_BASE64;
	return DECODE_KINDS;
}

/*
 * Bit i of the result: byte i of the 64 at p is a base64 character.  SSE2
 * where there is one: this runs over every byte of every blob.
 */
#if defined(__SSE2__)
static __m128i in_range(__m128i x, char lo, char hi)
{
	return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8((char)(lo - 1))),
			     _mm_cmplt_epi8(x, _mm_set1_epi8((char)(hi + 1))));
}

static __m128i equal(__m128i x, char c)
{
	return _mm_cmpeq_epi8(x, _mm_set1_epi8(c));
}

static uint64_t base64_mask_sse2(const unsigned char *p)
{
	uint64_t m = 0;
	int k;

	for (k = 0; k < 4; k++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		/* Setting 0x20 folds only capitals onto 'a'..'z'. */
		__m128i r = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
		r = _mm_or_si128(r, in_range(x, '/', '9'));	/* '/' and digits */
		r = _mm_or_si128(r, _mm_or_si128(equal(x, '+'), equal(x, '-')));
		r = _mm_or_si128(r, equal(x, '_'));
		m |= (uint64_t)(unsigned)_mm_movemask_epi8(r) << (16 * k);
	}
	return m;
}

#if defined(HAVE_AVX2_CLONE)
/* The same 32 bytes at a time, on CPUs that have AVX2 (most today). */
__attribute__((target("avx2")))
static __m256i in_range_avx2(__m256i x, char lo, char hi)
{
	return _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8((char)(lo - 1))),
				_mm256_cmpgt_epi8(_mm256_set1_epi8((char)(hi + 1)), x));
}

__attribute__((target("avx2")))
static __m256i equal_avx2(__m256i x, char c)
{
	return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c));
}

__attribute__((target("avx2")))
static uint64_t base64_mask_avx2(const unsigned char *p)
{
	uint64_t m = 0;
	int k;

	for (k = 0; k < 2; k++) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * k));
		__m256i r = in_range_avx2(_mm256_or_si256(x, _mm256_set1_epi8(0x20)),
					  'a', 'z');
		r = _mm256_or_si256(r, in_range_avx2(x, '/', '9'));
		r = _mm256_or_si256(r, _mm256_or_si256(equal_avx2(x, '+'),
						       equal_avx2(x, '-')));
		r = _mm256_or_si256(r, equal_avx2(x, '_'));
		m |= (uint64_t)(uint32_t)_mm256_movemask_epi8(r) << (32 * k);
	}
	return m;
}

/* Whole blocks of 64 bytes, the loop compiled for AVX2 as well. */
__attribute__((target("avx2")))
static void mask_blocks_avx2(const unsigned char *p, size_t blocks,
			     uint64_t *m)
{
	size_t i;

	for (i = 0; i < blocks; i++)
		m[i] = base64_mask_avx2(p + 64 * i);
}
#endif

static void mask_blocks(const unsigned char *p, size_t blocks, uint64_t *m)
{
	size_t i;

#if defined(HAVE_AVX2_CLONE)
	if (__builtin_cpu_supports("avx2")) {
		mask_blocks_avx2(p, blocks, m);
		return;
	}
#endif
	for (i = 0; i < blocks; i++)
		m[i] = base64_mask_sse2(p + 64 * i);
}
#else
static void mask_blocks(const unsigned char *p, size_t blocks, uint64_t *m)
{
	size_t i;
	int j;

	for (i = 0; i < blocks; i++, p += 64)
		for (m[i] = 0, j = 0; j < 64; j++)
			m[i] |= (uint64_t)((char_class[p[j]] & CC_BASE64) != 0) << j;
}
#endif

/*
 * Which bytes of a text are base64 characters: bit i % 64 of bits[i / 64]
 * for byte i, zeros past the text.  Each byte is classified once, however
 * often the run finder looks at it.
 */
struct base64_bitmap {
	uint64_t *bits;
	size_t words;
	uint64_t small[BITMAP_SMALL_WORDS];
};

static int bitmap_build(struct base64_bitmap *b, const char *data, size_t len)
{
	size_t blocks = len / 64;
	unsigned char tail[64];

	b->words = blocks + 2;	/* the partial block, and one of zeros */
	b->bits = b->words <= BITMAP_SMALL_WORDS ? b->small
						 : malloc(b->words * sizeof(*b->bits));
	if (!b->bits)
		return LG_ERR_NOMEM;
	mask_blocks((const unsigned char *)data, blocks, b->bits);
	memset(tail, 0, sizeof(tail));
	if (len % 64)
		memcpy(tail, data + 64 * blocks, len % 64);
	mask_blocks(tail, 1, b->bits + blocks);
	b->bits[blocks + 1] = 0;
	return 0;
}

static void bitmap_release(struct base64_bitmap *b)
{
	if (b->bits != b->small)
		free(b->bits);
}

/* The 64 bits from byte pos on (pos at most the text's length). */
static uint64_t bits_at(const struct base64_bitmap *b, size_t pos)
{
	size_t w = pos / 64;
	unsigned s = (unsigned)(pos % 64);

	return s ? b->bits[w] >> s | b->bits[w + 1] << (64 - s) : b->bits[w];
}

/* Bit i: bits i..i+19 of m are all set (a run of DECODE_MIN_RUN starts). */
static uint64_t run_starts(uint64_t m)
{
	uint64_t r = m & (m >> 1);

	r &= r >> 2;
	r &= r >> 4;
	r &= r >> 8;
	return r & (r >> 4);
}

/*
 * Where the first base64 run at or after pos starts, or len: each step
 * looks at 64 bytes, carry counting the run that ends a step.
 */
static size_t next_run_start(const struct base64_bitmap *b, size_t len,
			     size_t pos)
{
	size_t carry = 0;

	for (; pos < len; pos += 64) {
		uint64_t m = bits_at(b, pos), starts;
		size_t lead = ~m ? (size_t)__builtin_ctzll(~m) : 64;
		if (carry && carry + lead >= DECODE_MIN_RUN)
			return pos - carry;
		if ((starts = run_starts(m)))
			return pos + (size_t)__builtin_ctzll(starts);
		carry = ~m ? (size_t)__builtin_clzll(~m) : carry + 64;
	}
	return len;
}

/* The first base64 run at or after pos (r->start == len: none). */
static void next_base64_run(const struct base64_bitmap *b, size_t len,
			    size_t pos, struct decode_run *r)
{
	uint64_t ones;

	r->start = next_run_start(b, len, pos);
	if (r->start >= len)
		return;
	/* To the end of the run, 64 bytes a step: past len all bits are 0. */
	r->end = r->start + DECODE_MIN_RUN;
	while (!(ones = ~bits_at(b, r->end)))
		r->end += 64;
	r->end += (size_t)__builtin_ctzll(ones);
	if (r->end > len)
		r->end = len;
}

/* Runs of base64 characters at least DECODE_MIN_RUN long. */
static int base64_runs(const char *data, size_t len, decode_run_fn fn,
		       void *payload)
{
	struct base64_bitmap b;
	struct decode_run r;
	size_t pos = 0;
	int rc = bitmap_build(&b, data, len);

	while (!rc) {
		next_base64_run(&b, len, pos, &r);
		if (r.start >= len)
			break;
		pos = r.end;
		r.kind = base64_kind(data, r.start, r.end);
		while (r.kind == DECODE_BASE64 && r.end < len && data[r.end] == '=')
			r.end++;
		if (r.kind != DECODE_KINDS)
			rc = fn(&r, payload);
	}
	bitmap_release(&b);
	return rc;
}

/* Non-zero when data[i] starts an escape the kind decodes. */
static int starts_escape(const char *data, size_t len, size_t i,
			 enum decode_kind kind)
{
	if (kind == DECODE_PERCENT)
		return i + 2 < len && cc(data, i + 1, CC_HEX) &&
		       cc(data, i + 2, CC_HEX);
	return i + 1 < len && data[i + 1] &&
	       strchr("nrtbf0\"'\\/ux", data[i + 1]) != NULL;
}

/* The run of text around the escape at i: no space, quote unless escaped. */
static void escape_run(const char *data, size_t len, size_t i,
		       struct decode_run *r)
{
	r->start = i;
	while (r->start) {
		if (cc(data, r->start - 1, CC_RUN))
			r->start--;
		else if (r->start >= 2 && data[r->start - 2] == '\\' &&
			 data[r->start - 1] == '"')
			r->start -= 2;
		else
			break;
	}
	r->end = i;
	while (r->end < len) {
		if (data[r->end] == '\\' && r->end + 1 < len)
			r->end += 2;
		else if (cc(data, r->end, CC_RUN))
			r->end++;
		else
			break;
	}
}

/* Runs around '%XX' (kind DECODE_PERCENT) or '\n'-style escapes. */
static int escape_runs(const char *data, size_t len, enum decode_kind kind,
		       decode_run_fn fn, void *payload)
{
	const char mark = kind == DECODE_PERCENT ? '%' : '\\';
	const char *p = data, *end = data + len;
	int rc;

	while (p < end && (p = memchr(p, mark, (size_t)(end - p)))) {
		size_t i = (size_t)(p - data);
		struct decode_run r;
		if (!starts_escape(data, len, i, kind)) {
			p++;
			continue;
		}
		escape_run(data, len, i, &r);
		r.kind = kind;
		p = data + r.end;
		if (r.end - r.start >= DECODE_MIN_RUN && (rc = fn(&r, payload)))
			return rc;
	}
	return 0;
}

int decode_text_runs(const char *data, size_t len, decode_run_fn fn,
		     void *payload)
{
	int rc = base64_runs(data, len, fn, payload);

	if (!rc)
		rc = escape_runs(data, len, DECODE_PERCENT, fn, payload);
	if (!rc)
		rc = escape_runs(data, len, DECODE_ESCAPE, fn, payload);
	return rc;
}

/* ---- decoders ----------------------------------------------------------- */

/* Decodes base64 (either alphabet) into out; returns bytes written. */
static size_t base64_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0;
	unsigned acc = 0, bits = 0;

	for (i = 0; i < n && in[i] != '='; i++) {
		acc = (acc << 6) | base64_value[(unsigned char)in[i]];
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static size_t hex_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		out[i / 2] = (unsigned char)(hex_value[(unsigned char)in[i]] << 4 |
					     hex_value[(unsigned char)in[i + 1]]);
	return n / 2;
}

static size_t percent_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == '%' && starts_escape(in, n, i, DECODE_PERCENT)) {
			out[o++] = (unsigned char)(hex_value[(unsigned char)in[i + 1]] << 4 |
						   hex_value[(unsigned char)in[i + 2]]);
			i += 2;
		} else {
			out[o++] = (unsigned char)in[i];
		}
	}
	return o;
}

/* Value of the n hex digits at in, or -1. */
static long hex_digits(const char *in, size_t avail, size_t n)
{
	long v = 0;
	size_t i;

	if (avail < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (hex_value[(unsigned char)in[i]] == 255)
			return -1;
		v = v << 4 | hex_value[(unsigned char)in[i]];
	}
	return v;
}

/* Writes code point cp as UTF-8 ('?' for a surrogate); returns bytes. */
static size_t put_utf8(unsigned char *out, long cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp < 0xe000) {
		out[0] = '?';
		return 1;
	}
	out[0] = (unsigned char)(0xe0 | cp >> 12);
	out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Decodes the escape at in[0] == '\\'; sets *used, returns bytes written. */
static size_t escape_one(const char *in, size_t n, unsigned char *out,
			 size_t *used)
{
	static const char from[] = "nrtbf0", to[] = "\n\r\t\b\f";
	const char *p = n > 1 ? strchr(from, in[1]) : NULL;
	long v;

	*used = 2;
	if (p && in[1]) {
		out[0] = p - from < 5 ? (unsigned char)to[p - from] : 0;
		return 1;
	}
	if (n > 1 && (in[1] == 'u' || in[1] == 'x') &&
	    (v = hex_digits(in + 2, n - 2, in[1] == 'u' ? 4 : 2)) >= 0) {
		*used = in[1] == 'u' ? 6 : 4;
		return in[1] == 'u' ? put_utf8(out, v) : (out[0] = (unsigned char)v, 1);
	}
	if (n > 1) {	/* \" \' \\ \/ and any other: the character itself */
		out[0] = (unsigned char)in[1];
		return 1;
	}
	*used = 1;
	out[0] = '\\';
	return 1;
}

static size_t escape_decode(const char *in, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0, used;

	while (i < n) {
		if (in[i] == '\\') {
			o += escape_one(in + i, n - i, out + o, &used);
			i += used;
		} else {
			out[o++] = (unsigned char)in[i++];
		}
	}
	return o;
}

static size_t decode_any(enum decode_kind kind, const char *in, size_t n,
			 unsigned char *out)
{
	switch (kind) {
	case DECODE_BASE64: return base64_decode(in, n, out);
	case DECODE_HEX: return hex_decode(in, n, out);
	case DECODE_PERCENT: return percent_decode(in, n, out);
	default: return escape_decode(in, n, out);
	}
}

/* Non-zero when at least TEXT_SHARE_MIN/16 of s is printable ASCII. */
static int looks_text(const unsigned char *s, size_t n)
{
	size_t i, text = 0;

	for (i = 0; i < n; i++)
		text += (s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\n' ||
			s[i] == '\r' || s[i] == '\t';
	return n && text * 16 >= n * TEXT_SHARE_MIN;
}

long decode_text_run(struct buf *out, const char *data,
		     const struct decode_run *r)
{
	const char *in = data + r->start;
	size_t n = r->end - r->start, got;
	unsigned char probe[PROBE_LEN];
	unsigned char *dst;

	/* Decoding never grows text; UTF-8 of \uXXXX takes 3 of its 6. */
	if (r->kind <= DECODE_HEX &&
	    !looks_text(probe, decode_any(r->kind, in, n < PROBE_LEN ? n : PROBE_LEN,
					  probe)))
		return 0;
	if (buf_grow(out, n))
		return LG_ERR_NOMEM;
	dst = (unsigned char *)out->ptr + out->len;
	got = decode_any(r->kind, in, n, dst);
	if (!looks_text(dst, got))
		return 0;
	out->len += got;
	out->ptr[out->len] = '\0';
	return (long)got;
}
