/* The text decoders: which runs are found, and what they decode to. */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "decode_text.h"
#include "helpers.h"

struct text_case {
	const char *input;
	enum decode_kind kind;	/* DECODE_KINDS: no run of any kind */
	const char *decoded;	/* NULL: the run is found but not text */
};

/* "Z2hwX..." etc. are spelled out: the decoders must not need a token. */
static const struct text_case text_cases[] = {
	/* base64, standard, padded and not */
	{ "k: dG9rZW49c2VjcmV0LXZhbHVlLTEyMzQ1Ng==\n", DECODE_BASE64,
	  "token=secret-value-123456" },
	{ "k: dG9rZW49c2VjcmV0LXZhbHVlLTEyMzQ1Ng\n", DECODE_BASE64,
	  "token=secret-value-123456" },
	/* URL-safe alphabet: '-' and '_' for '+' and '/' */
	{ "x=PD4_Pj4_Pj8-Pj8-dGV4dCB0ZXh0\n", DECODE_BASE64, "<>?>>?>?>>?>text text" },
	{ "x=PD4/Pj4/Pj8+Pj8+dGV4dCB0ZXh0\n", DECODE_BASE64, "<>?>>?>?>>?>text text" },
	/* hex, either case */
	{ "h: 746f6b656e3d7365637265742d76616c7565\n", DECODE_HEX,
	  "token=secret-value" },
	{ "h: 746F6B656E3D7365637265742D76616C7565\n", DECODE_HEX,
	  "token=secret-value" },
	/* a SHA-1 is hex but not text */
	{ "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\n", DECODE_HEX, NULL },
	/* percent */
	{ "https://h/?u=token%3Dvalue%26x%3D1234\n", DECODE_PERCENT,
	  "https://h/?u=token=value&x=1234" },
	/* escapes */
	{ "s: \"line\\\"quoted\\\"\\u0041\\x42\\tmore\\nend\"\n", DECODE_ESCAPE,
	  "line\"quoted\"AB\tmore\nend" },
	{ "s = \"abc\\ndefghijklmnopqrstuvwxyz\"\n", DECODE_ESCAPE,
	  "abc\ndefghijklmnopqrstuvwxyz" },
	/* too short to hold a token */
	{ "k: dG9rZW4=\n", DECODE_KINDS, NULL },
	{ "a%3Db\n", DECODE_KINDS, NULL },
	/* long but one case only: an identifier, not base64 */
	{ "very_long_identifier_name_in_snake_case\n", DECODE_KINDS, NULL },
};

struct collect {
	const char *data;
	enum decode_kind want;
	struct buf out;
	int found, kept;
};

static int on_run(const struct decode_run *r, void *payload)
{
	struct collect *c = payload;

	if (r->kind != c->want)
		return 0;
	c->found++;
	cr_assert(r->end > r->start && r->end - r->start >= DECODE_MIN_RUN);
	if (decode_text_run(&c->out, c->data, r) > 0)
		c->kept++;
	return 0;
}

static int count_runs(const struct decode_run *r, void *payload)
{
	(void)r;
	++*(int *)payload;
	return 0;
}

Test(decode_text, table)
{
	size_t i;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		const struct text_case *t = &text_cases[i];
		struct collect c = { t->input, t->kind, BUF_INIT, 0, 0 };
		int any = 0;

		if (t->kind == DECODE_KINDS) {
			decode_text_runs(t->input, strlen(t->input), count_runs, &any);
			cr_expect_eq(any, 0, "case %zu: a run in %s", i, t->input);
			continue;
		}
		decode_text_runs(t->input, strlen(t->input), on_run, &c);
		cr_expect_eq(c.found, 1, "case %zu: %d runs of %s", i, c.found,
			     decode_kind_name(t->kind));
		if (t->decoded)
			cr_expect_str_eq(c.out.ptr ? c.out.ptr : "", t->decoded,
					 "case %zu", i);
		else
			cr_expect_eq(c.kept, 0, "case %zu: kept %s", i, c.out.ptr);
		buf_release(&c.out);
	}
}

/* Runs are found wherever they are, across the 64-byte blocks the finder reads. */
Test(decode_text, runs_at_every_offset)
{
	const char *run = "dG9rZW49c2VjcmV0LXZhbHVlLTEyMzQ1Ng==";
	char data[300];
	size_t off;

	for (off = 0; off < 200; off++) {
		struct collect c = { data, DECODE_BASE64, BUF_INIT, 0, 0 };
		memset(data, ' ', sizeof(data));
		memcpy(data + off, run, strlen(run));
		decode_text_runs(data, off + strlen(run) + (off % 3), on_run, &c);
		cr_expect_eq(c.found, 1, "offset %zu", off);
		cr_expect_str_eq(c.out.ptr ? c.out.ptr : "", "token=secret-value-123456",
				 "offset %zu", off);
		buf_release(&c.out);
	}
}

/* A run longer than a block is found whole. */
Test(decode_text, long_run_is_whole)
{
	struct buf in = BUF_INIT;
	struct collect c = { NULL, DECODE_BASE64, BUF_INIT, 0, 0 };
	size_t i;

	buf_adds(&in, "x ");
	for (i = 0; i < 100; i++)	/* "text" x 300 in base64 */
		buf_adds(&in, "dGV4dHRleHR0ZXh0");
	buf_adds(&in, " y");
	c.data = in.ptr;
	decode_text_runs(in.ptr, in.len, on_run, &c);
	cr_assert_eq(c.found, 1);
	cr_expect_eq(c.out.len, 1200);
	buf_release(&c.out);
	buf_release(&in);
}

Test(decode_text, kind_names)
{
	cr_expect_str_eq(decode_kind_name(DECODE_BASE64), "base64");
	cr_expect_str_eq(decode_kind_name(DECODE_HEX), "hex");
	cr_expect_str_eq(decode_kind_name(DECODE_PERCENT), "percent");
	cr_expect_str_eq(decode_kind_name(DECODE_ESCAPE), "escape");
}

struct spans {
	size_t start[8], end[8];
	int n;
};

static int on_base64_span(const struct decode_run *r, void *payload)
{
	struct spans *s = payload;

	if (r->kind == DECODE_BASE64 && s->n < 8) {
		s->start[s->n] = r->start;
		s->end[s->n++] = r->end;
	}
	return 0;
}

/*
 * The run finder classifies 64 bytes at a time: a run is found with its
 * exact ends wherever it sits against those blocks, and at the end of the
 * text.
 */
Test(decode_text, base64_runs_are_exact_at_every_offset_and_length)
{
	static const char alphabet[] = "aZ3bY9cX+dW/eV_fU-";
	char text[400];
	size_t at, len, i;

	for (at = 0; at < 140; at++) {
		for (len = DECODE_MIN_RUN; len < 200; len += 7) {
			struct spans s = { { 0 }, { 0 }, 0 };
			size_t total = at + len + (at % 3 ? 1 : 0);

			memset(text, ' ', sizeof(text));
			for (i = 0; i < len; i++)
				text[at + i] = alphabet[(at + i) % (sizeof(alphabet) - 1)];
			cr_assert_eq(decode_text_runs(text, total, on_base64_span, &s), 0);
			cr_assert_eq(s.n, 1, "at %zu, length %zu: %d runs", at, len, s.n);
			cr_assert_eq(s.start[0], at, "at %zu, length %zu", at, len);
			cr_assert_eq(s.end[0], at + len, "at %zu, length %zu: ends at %zu",
				     at, len, s.end[0]);
		}
	}
}

/* One short of a run, anywhere against the blocks, is no run. */
Test(decode_text, nineteen_base64_characters_are_not_a_run)
{
	char text[200];
	size_t at;

	for (at = 0; at < 140; at++) {
		struct spans s = { { 0 }, { 0 }, 0 };

		memset(text, '.', sizeof(text));
		memcpy(text + at, "aZ3bY9cX+dW/eV_fU-a", DECODE_MIN_RUN - 1);
		cr_assert_eq(decode_text_runs(text, sizeof(text), on_base64_span, &s), 0);
		cr_assert_eq(s.n, 0, "at %zu", at);
	}
}
