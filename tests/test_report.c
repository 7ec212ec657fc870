#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helpers.h"
#include "report.h"

struct escape_case {
	const char *in;
	size_t len;
	const char *want;
};

#define CASE(in, want) { in, sizeof(in) - 1, want }

static const struct escape_case escape_cases[] = {
	CASE("plain/path.txt", "plain/path.txt"),
	CASE("a\nb", "a\\nb"),
	CASE("\t\r", "\\t\\r"),
	CASE("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
	CASE("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
	CASE("back\\slash", "back\\\\slash"),
	CASE("\x7f", "\\x7f"),
	CASE("a\0b", "a\\x00b"),
	CASE("\x01\x1f", "\\x01\\x1f"),
	CASE("\xff", "\\xff"),
	CASE("\x80", "\\x80"),
	CASE("caf\xc3\xa9", "caf\xc3\xa9"),
	CASE("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"),
	CASE("\xf0\x9f\x94\x91", "\xf0\x9f\x94\x91"),
	CASE("\xc2\xa0", "\xc2\xa0"),
	/* C1 CSI: an escape sequence introducer on many terminals. */
	CASE("\xc2\x9b" "31m", "\\xc2\\x9b" "31m"),
	/* Bidi controls: they reorder what a terminal shows (Trojan Source). */
	CASE("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xae" "b"),	/* U+202E */
	CASE("\xe2\x80\xaa\xe2\x80\xac", "\\xe2\\x80\\xaa\\xe2\\x80\\xac"),
	CASE("\xe2\x81\xa6\xe2\x81\xa9", "\\xe2\\x81\\xa6\\xe2\\x81\\xa9"),
	CASE("\xe2\x80\x8e\xe2\x80\x8f", "\\xe2\\x80\\x8e\\xe2\\x80\\x8f"),
	CASE("\xd8\x9c", "\\xd8\\x9c"),		/* U+061C */
	CASE("\xe2\x80\xaf\xe2\x81\xa5", "\xe2\x80\xaf\xe2\x81\xa5"),
	CASE("\xc0\xaf", "\\xc0\\xaf"),			/* overlong '/' */
	CASE("\xe0\x80\xaf", "\\xe0\\x80\\xaf"),	/* overlong, 3 bytes */
	CASE("\xed\xa0\x80", "\\xed\\xa0\\x80"),	/* surrogate */
	CASE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"), /* > U+10FFFF */
	CASE("\xe2\x82", "\\xe2\\x82"),			/* truncated */
	CASE("\xe2\x82" "a", "\\xe2\\x82" "a"),
	CASE("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80"),
	CASE("", ""),
};

Test(report, escape_table)
{
	size_t i;

	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		const struct escape_case *c = &escape_cases[i];
		struct buf b = BUF_INIT;
		report_escape(&b, c->in, c->len);
		cr_expect_str_eq(b.ptr ? b.ptr : "", c->want, "case %zu", i);
		buf_release(&b);
	}
}

/* Printable: no C0 control, no DEL, and report_utf8 finds nothing to fix. */
static void assert_printable_utf8(const struct buf *b)
{
	struct buf again = BUF_INIT;
	size_t i;

	for (i = 0; i < b->len; i++)
		cr_assert((unsigned char)b->ptr[i] >= 0x20 &&
			  (unsigned char)b->ptr[i] != 0x7f,
			  "byte %zu is 0x%02x", i, (unsigned char)b->ptr[i]);
	report_utf8(&again, b->ptr, b->len);
	cr_assert_eq(again.len, b->len);
	cr_assert_eq(memcmp(again.ptr, b->ptr, b->len), 0);
	buf_release(&again);
}

Test(report, escape_output_is_always_printable_utf8)
{
	struct buf b = BUF_INIT;
	char bytes[4096];
	unsigned x = 12345;
	size_t i;

	for (i = 0; i < 256; i++)
		bytes[i] = (char)i;
	report_escape(&b, bytes, 256);
	assert_printable_utf8(&b);
	for (i = 0; i < sizeof(bytes); i++) {
		x = x * 1103515245u + 12345u;
		bytes[i] = (char)(x >> 16);
	}
	buf_reset(&b);
	report_escape(&b, bytes, sizeof(bytes));
	assert_printable_utf8(&b);
	buf_release(&b);
}

Test(report, utf8_keeps_controls_and_escapes_invalid_bytes)
{
	struct buf b = BUF_INIT;

	report_utf8(&b, "a\n\\\x1b\xff\xc3\xa9", 7);
	cr_assert_str_eq(b.ptr, "a\n\\\x1b\\xff\xc3\xa9");
	buf_release(&b);
}

Test(report, time_is_iso8601_utc)
{
	char out[32];

	report_time(out, sizeof(out), 0);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
	report_time(out, sizeof(out), 1704067200);
	cr_assert_str_eq(out, "2024-01-01T00:00:00Z");
}

Test(report, lookup)
{
	cr_assert_eq(report_lookup("text"), report_text);
	cr_assert_eq(report_lookup("json"), report_json);
	cr_assert_eq(report_lookup("jsonl"), report_jsonl);
	cr_assert_null(report_lookup("xml"));
	cr_assert_null(report_lookup(""));
}

/* ---- whole reports over a hand-made finding list ------------------------ */

struct fixture {
	struct rule rule;
	struct finding_list l;
	const char *token;
};

static void fixture_init(struct fixture *fx, const char *path)
{
	struct engine_match m;

	memset(fx, 0, sizeof(*fx));
	fx->rule.id = (char *)"test-token";
	fx->rule.name = (char *)"Test token";
	fx->rule.severity = SEVERITY_HIGH;
	fx->token = th_fake_token("ghp_", 30, 42, 0);
	memset(&m, 0, sizeof(m));
	m.rule = &fx->rule;
	m.secret = fx->token;
	m.secret_len = strlen(fx->token);
	m.line = 3;
	m.column = 7;
	m.confidence = CONFIDENCE_CHECKSUM;
	cr_assert_eq(finding_list_add(&fx->l, finding_new(&m, path)), 0);
}

/* Runs one report writer into a string. */
static char *render(report_fn fn, const struct finding_list *l, int show)
{
	struct report_options o = { show, 0, NULL, "test", 0, NULL };
	struct lg_error err = LG_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(f, l, &o, &err), 0, "%s", err.msg);
	fclose(f);
	return text;
}

Test(report, text_line_format_and_redaction)
{
	struct fixture fx;
	char want[256], redacted[64];
	char *out;

	fixture_init(&fx, "src/config.py");
	out = render(report_text, &fx.l, 0);
	finding_redact(fx.token, strlen(fx.token), redacted, sizeof(redacted));
	snprintf(want, sizeof(want), "src/config.py:3:7  test-token  high  %s  %s  %s\n",
		 redacted, confidence_name(fx.l.items[0]->confidence),
		 fx.l.items[0]->fingerprint);
	cr_assert_str_eq(out, want);
	cr_assert_null(strstr(out, fx.token));
	free(out);
	out = render(report_text, &fx.l, 1);
	cr_assert_not_null(strstr(out, fx.token));
	free(out);
	finding_list_release(&fx.l);
}

Test(report, text_escapes_hostile_paths)
{
	struct fixture fx;
	char *out;

	fixture_init(&fx, "evil\x1b[2J\nname\xff.txt");
	out = render(report_text, &fx.l, 0);
	cr_assert_null(strchr(out, '\x1b'));
	cr_assert_eq(th_count(out, "\n"), 1, "%s", out);
	cr_assert_not_null(strstr(out, "evil\\x1b[2J\\nname\\xff.txt:3:7"));
	free(out);
	finding_list_release(&fx.l);
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "'%s' is not a string", key);
	return json_string_value(v);
}

Test(report, json_fields_and_invalid_utf8_path)
{
	struct fixture fx;
	json_error_t jerr;
	json_t *root, *f;
	char *out;

	fixture_init(&fx, "dir/\xff.env");
	out = render(report_json, &fx.l, 0);
	root = json_loads(out, 0, &jerr);
	cr_assert_not_null(root, "%s: %s", jerr.text, out);
	cr_assert(json_is_array(root));
	cr_assert_eq(json_array_size(root), 1);
	f = json_array_get(root, 0);
	cr_assert_str_eq(str_field(f, "rule"), "test-token");
	cr_assert_str_eq(str_field(f, "name"), "Test token");
	cr_assert_str_eq(str_field(f, "severity"), "high");
	cr_assert_str_eq(str_field(f, "confidence"), "checksum");
	cr_assert_str_eq(str_field(f, "path"), "dir/\\xff.env");
	cr_assert_eq(json_integer_value(json_object_get(f, "line")), 3);
	cr_assert_eq(json_integer_value(json_object_get(f, "column")), 7);
	cr_assert_str_eq(str_field(f, "fingerprint"),
			 fx.l.items[0]->fingerprint);
	cr_assert(json_is_true(json_object_get(f, "redacted")));
	cr_assert_null(strstr(out, fx.token));
	json_decref(root);
	free(out);
	out = render(report_jsonl, &fx.l, 1);
	root = json_loads(out, 0, &jerr);
	cr_assert_not_null(root, "%s", jerr.text);
	cr_assert_str_eq(str_field(root, "secret"), fx.token);
	json_decref(root);
	free(out);
	finding_list_release(&fx.l);
}

Test(report, empty_list)
{
	struct finding_list l = FINDING_LIST_INIT;
	char *out = render(report_text, &l, 0);

	cr_assert_str_eq(out, "");
	free(out);
	out = render(report_json, &l, 0);
	cr_assert_str_eq(out, "[]\n");
	free(out);
}

/* A rule's remediation: once, under its first finding, and only on request. */
Test(report, text_advice_once_per_rule)
{
	struct fixture fx;
	struct report_options o = { 0, 0, NULL, "test", 1, NULL };
	struct lg_error err = LG_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	fixture_init(&fx, "a.py");
	fx.rule.remediation = (char *)"Rotate it at the issuer.";
	cr_assert_eq(finding_list_add(&fx.l, finding_new(&(struct engine_match){
		.rule = &fx.rule, .secret = "zzzzzzzzzzzz", .secret_len = 12,
		.line = 9, .column = 1 }, "b.py")), 0);
	f = open_memstream(&text, &len);
	cr_assert_eq(report_text(f, &fx.l, &o, &err), 0);
	fclose(f);
	cr_assert_eq(th_count(text, "\n    fix: Rotate it at the issuer.\n"), 1, "%s",
		     text);
	cr_assert_eq(th_count(text, "\n"), 3, "%s", text);
	free(text);
	o.advice = 0;
	text = NULL;
	f = open_memstream(&text, &len);
	cr_assert_eq(report_text(f, &fx.l, &o, &err), 0);
	fclose(f);
	cr_assert_null(strstr(text, "fix:"), "%s", text);
	free(text);
}

/* A writer that cannot write says why, in every format. */
Test(report, write_errors_give_the_reason)
{
	static const char *const formats[] = { "text", "json", "jsonl",
					       "sarif", "csv", "junit" };
	struct report_options o = { 0, 0, NULL, "test", 0, NULL };
	struct fixture fx;
	size_t i;

	fixture_init(&fx, "a.txt");
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct lg_error err = LG_ERROR_INIT;
		FILE *f = fopen("/dev/full", "w");

		cr_assert_not_null(f);
		setvbuf(f, NULL, _IONBF, 0);
		cr_assert_lt(report_lookup(formats[i])(f, &fx.l, &o, &err), 0,
			     "%s", formats[i]);
		cr_assert_str_eq(err.msg, "cannot write the report: No space "
			 "left on device", "%s", formats[i]);
		fclose(f);
	}
	finding_list_release(&fx.l);
}
