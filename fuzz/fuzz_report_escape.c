/*
 * libFuzzer target: report_escape() and report_utf8() over arbitrary
 * bytes.  Both must yield well-formed UTF-8 that jansson accepts; the
 * terminal form must hold no control character (C0, DEL, C1 or bidi) and must
 * decode back to the input; text that needs no escaping passes unchanged.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "report.h"
#include "banned.h"

/* Well-formed sequences by lead byte, after Unicode's table 3-7. */
struct utf8_form {
	unsigned char lead_lo, lead_hi, next_lo, next_hi;
	size_t len;
};

static const struct utf8_form forms[] = {
	{ 0x00, 0x7f, 0x00, 0x00, 1 }, { 0xc2, 0xdf, 0x80, 0xbf, 2 },
	{ 0xe0, 0xe0, 0xa0, 0xbf, 3 }, { 0xe1, 0xec, 0x80, 0xbf, 3 },
	{ 0xed, 0xed, 0x80, 0x9f, 3 }, { 0xee, 0xef, 0x80, 0xbf, 3 },
	{ 0xf0, 0xf0, 0x90, 0xbf, 4 }, { 0xf1, 0xf3, 0x80, 0xbf, 4 },
	{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
};

/* Length of the well-formed sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t i, k;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const struct utf8_form *f = &forms[i];
		if (s[0] < f->lead_lo || s[0] > f->lead_hi)
			continue;
		if (f->len > len)
			return 0;
		if (f->len > 1 && (s[1] < f->next_lo || s[1] > f->next_hi))
			return 0;
		for (k = 2; k < f->len; k++)
			if (s[k] < 0x80 || s[k] > 0xbf)
				return 0;
		return f->len;
	}
	return 0;
}

/*
 * A code point a terminal acts on: C0, DEL, C1 (U+0080..U+009F), or a
 * bidi control (U+061C, U+200E-200F, U+202A-202E, U+2066-2069).
 */
static int is_control(const unsigned char *s, size_t n)
{
	return (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	       (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) ||
	       (n == 2 && s[0] == 0xd8 && s[1] == 0x9c) ||
	       (n == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
		(s[2] == 0x8e || s[2] == 0x8f ||
		 (s[2] >= 0xaa && s[2] <= 0xae))) ||
	       (n == 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 &&
		s[2] <= 0xa9);
}

/* Checks that s is well-formed UTF-8; returns the number of controls. */
static size_t check_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, controls = 0, n;

	while (i < len) {
		n = utf8_len(p + i, len - i);
		FUZZ_CHECK(n > 0);
		controls += is_control(p + i, n);
		i += n;
	}
	return controls;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	FUZZ_CHECK(!"lower-case hex digit expected");
	return 0;
}

/* Reverses report_escape(): \\, \n, \t, \r and \xNN. */
static void unescape(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] != '\\') {
			buf_addch(out, s[i++]);
			continue;
		}
		FUZZ_CHECK(i + 1 < len);
		switch (s[i + 1]) {
		case '\\': buf_addch(out, '\\'); break;
		case 'n': buf_addch(out, '\n'); break;
		case 't': buf_addch(out, '\t'); break;
		case 'r': buf_addch(out, '\r'); break;
		case 'x':
			FUZZ_CHECK(i + 3 < len);
			buf_addch(out, (char)(hex_value(s[i + 2]) * 16 +
					      hex_value(s[i + 3])));
			i += 2;
			break;
		default: FUZZ_CHECK(!"unknown escape");
		}
		i += 2;
	}
}

/* Well-formed, free of controls and, when `backslash`, of '\\'. */
static int plain(const char *s, size_t len, int backslash)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_len(p + i, len - i);
		if (!n || is_control(p + i, n) || (backslash && p[i] == '\\'))
			return 0;
		i += n;
	}
	return 1;
}

static void check_terminal(const char *s, size_t len)
{
	struct buf out = BUF_INIT, back = BUF_INIT;
	size_t i;

	report_escape(&out, s, len);
	FUZZ_CHECK(check_utf8(out.ptr, out.len) == 0);
	for (i = 0; i < out.len; i++)
		FUZZ_CHECK((unsigned char)out.ptr[i] >= 0x20);
	unescape(&back, out.ptr, out.len);
	FUZZ_CHECK(back.len == len && (!len || !memcmp(back.ptr, s, len)));
	if (plain(s, len, 1))
		FUZZ_CHECK(out.len == len &&
			   (!len || !memcmp(out.ptr, s, len)));
	buf_release(&out);
	buf_release(&back);
}

static void check_structured(const char *s, size_t len)
{
	struct buf out = BUF_INIT;
	json_t *j;

	report_utf8(&out, s, len);
	check_utf8(out.ptr, out.len);
	j = json_stringn(out.ptr ? out.ptr : "", out.len);
	FUZZ_CHECK(j != NULL);
	json_decref(j);
	if (plain(s, len, 0))
		FUZZ_CHECK(out.len == len &&
			   (!len || !memcmp(out.ptr, s, len)));
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_terminal((const char *)data, size);
	check_structured((const char *)data, size);
	return 0;
}
