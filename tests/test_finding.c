#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "finding.h"
#include "helpers.h"

/* The fingerprint computed independently: xxh3-128 of "rule_id NUL secret". */
static void expected_fingerprint(const char *id, const char *secret,
				 char out[FINGERPRINT_HEX + 1])
{
	size_t ilen = strlen(id), slen = strlen(secret);
	char *joined = malloc(ilen + 1 + slen);
	XXH128_hash_t h;

	cr_assert_not_null(joined);
	memcpy(joined, id, ilen + 1);
	memcpy(joined + ilen + 1, secret, slen);
	h = XXH3_128bits(joined, ilen + 1 + slen);
	free(joined);
	snprintf(out, FINGERPRINT_HEX + 1, "%016llx%016llx",
		 (unsigned long long)h.high64, (unsigned long long)h.low64);
}

Test(finding, fingerprint_is_xxh3_128_of_id_nul_secret)
{
	const char *tok = th_fake_token("ghp_", 30, 11, 0);
	char got[FINGERPRINT_HEX + 1], want[FINGERPRINT_HEX + 1];
	size_t i;

	finding_fingerprint("github-pat-classic", tok, strlen(tok), got);
	expected_fingerprint("github-pat-classic", tok, want);
	cr_assert_str_eq(got, want);
	cr_assert_eq(strlen(got), FINGERPRINT_HEX);
	for (i = 0; i < FINGERPRINT_HEX; i++)
		cr_assert(strchr("0123456789abcdef", got[i]), "%s", got);
}

Test(finding, fingerprint_is_stable_and_names_rule_and_secret)
{
	char a[FINGERPRINT_HEX + 1], b[FINGERPRINT_HEX + 1];
	char c[FINGERPRINT_HEX + 1], d[FINGERPRINT_HEX + 1];

	finding_fingerprint("rule-a", "s3cr3tvalue", 11, a);
	finding_fingerprint("rule-a", "s3cr3tvalue", 11, b);
	cr_assert_str_eq(a, b);
	finding_fingerprint("rule-b", "s3cr3tvalue", 11, c);
	cr_assert_str_neq(a, c);
	finding_fingerprint("rule-a", "s3cr3tvaluf", 11, d);
	cr_assert_str_neq(a, d);
	/* The NUL separator keeps "ab"+"c" apart from "a"+"bc". */
	finding_fingerprint("ab", "c", 1, c);
	finding_fingerprint("a", "bc", 2, d);
	cr_assert_str_neq(c, d);
}

Test(finding, redaction_shows_at_most_a_quarter_and_eight)
{
	const char *tok = th_fake_token("ghr_", 70, 5, 0);
	char out[64];
	size_t len;

	for (len = 0; len <= strlen(tok); len++) {
		size_t shown;
		finding_redact(tok, len, out, sizeof(out));
		shown = strcspn(out, "*");
		cr_assert_leq(shown, len / 4, "len %zu: %s", len, out);
		cr_assert_leq(shown, 8, "len %zu: %s", len, out);
		cr_assert_eq(strncmp(out, tok, shown), 0);
		cr_assert_str_eq(out + shown, "*****", "len %zu: %s", len, out);
	}
	/* 40 characters show 8 (a quarter); 76 still show 8 (the cap). */
	finding_redact(tok, 40, out, sizeof(out));
	cr_assert_eq(strcspn(out, "*"), 8);
	finding_redact(tok, strlen(tok), out, sizeof(out));
	cr_assert_eq(strcspn(out, "*"), 8);
	cr_assert_null(strstr(out, tok + 8));
}

Test(finding, redaction_hides_short_secrets_entirely)
{
	char out[16];

	finding_redact("hunter2", 7, out, sizeof(out));
	cr_assert_str_eq(out, "*****");
	finding_redact("", 0, out, sizeof(out));
	cr_assert_str_eq(out, "*****");
}

Test(finding, redaction_fits_a_small_buffer)
{
	char out[4];

	finding_redact("abcdefghijklmnopqrstuvwxyz", 26, out, sizeof(out));
	cr_assert_eq(strlen(out), 3);
}

static struct rule fake_rule(const char *id)
{
	struct rule r;

	memset(&r, 0, sizeof(r));
	r.id = (char *)id;
	return r;
}

Test(finding, new_copies_the_match)
{
	struct rule r = fake_rule("rule-x");
	char data[] = "key=abcdefgh";
	struct engine_match m = { .rule = &r, .secret = data + 4,
				  .secret_len = 8, .offset = 4, .line = 3,
				  .column = 5,
				  .confidence = CONFIDENCE_CHECKSUM };
	char want[FINGERPRINT_HEX + 1];
	struct finding *f = finding_new(&m, "dir/file.txt");

	cr_assert_not_null(f);
	data[4] = 'Z';
	cr_assert_str_eq(f->secret, "abcdefgh");
	cr_assert_eq(f->secret_len, 8);
	cr_assert_str_eq(f->where.path, "dir/file.txt");
	cr_assert_eq(f->where.line, 3);
	cr_assert_eq(f->where.column, 5);
	cr_assert_eq(f->offset, 4);
	cr_assert_eq(f->confidence, CONFIDENCE_CHECKSUM);
	cr_assert_eq(f->rule, &r);
	expected_fingerprint("rule-x", "abcdefgh", want);
	cr_assert_str_eq(f->fingerprint, want);
	finding_free(f);
	finding_free(NULL);
}

static struct finding *make(const struct rule *r, const char *path,
			    size_t line, size_t column)
{
	struct engine_match m = { .rule = r, .secret = "secretvalue",
				  .secret_len = 11, .line = line,
				  .column = column };
	struct finding *f = finding_new(&m, path);

	cr_assert_not_null(f);
	return f;
}

Test(finding, list_sorts_by_path_line_column_rule)
{
	struct rule ra = fake_rule("a-rule"), rb = fake_rule("b-rule");
	struct finding_list l = FINDING_LIST_INIT, other = FINDING_LIST_INIT;

	cr_assert_eq(finding_list_add(&l, make(&rb, "b.txt", 1, 1)), 0);
	cr_assert_eq(finding_list_add(&l, make(&rb, "a.txt", 2, 1)), 0);
	cr_assert_eq(finding_list_add(&other, make(&rb, "a.txt", 1, 9)), 0);
	cr_assert_eq(finding_list_add(&other, make(&rb, "a.txt", 1, 2)), 0);
	cr_assert_eq(finding_list_add(&other, make(&ra, "a.txt", 1, 2)), 0);
	cr_assert_eq(finding_list_take(&l, &other), 0);
	cr_assert_eq(other.n, 0);
	cr_assert_eq(l.n, 5);
	finding_list_sort(&l);
	cr_assert_str_eq(l.items[0]->rule->id, "a-rule");
	cr_assert_eq(l.items[1]->where.column, 2);
	cr_assert_str_eq(l.items[1]->rule->id, "b-rule");
	cr_assert_eq(l.items[2]->where.column, 9);
	cr_assert_eq(l.items[3]->where.line, 2);
	cr_assert_str_eq(l.items[4]->where.path, "b.txt");
	finding_list_release(&l);
	cr_assert_eq(l.n, 0);
}

Test(finding, location_copy_is_deep)
{
	struct location src = { (char *)"p", 1, 2, (char *)"abc", (char *)"n",
				(char *)"e", 5, 60, NULL };
	struct location dst;

	cr_assert_eq(location_copy(&dst, &src), 0);
	cr_assert_neq(dst.path, src.path);
	cr_assert_str_eq(dst.path, "p");
	cr_assert_str_eq(dst.commit, "abc");
	cr_assert_str_eq(dst.author_email, "e");
	cr_assert_eq(dst.author_tz, 60);
	location_release(&dst);
	cr_assert_null(dst.path);
}

/*
 * A credential in parts: the parts are copied, and the fingerprint is
 * xxh3-128 of "id NUL secret" then "NUL part_id NUL part_secret".
 */
Test(finding, parts_are_copied_and_fingerprinted)
{
	struct rule r = fake_rule("key-id"), c = fake_rule("key-secret");
	char data[] = "KID48151623 QWERTYUIOP";
	struct engine_match m = { .rule = &r, .secret = data, .secret_len = 11,
				  .line = 1, .column = 1, .n_parts = 1 };
	char want[FINGERPRINT_HEX + 1], other[FINGERPRINT_HEX + 1];
	static const char joined[] = "key-id\0KID48151623\0key-secret\0QWERTYUIOP";
	XXH128_hash_t h = XXH3_128bits(joined, sizeof(joined) - 1);
	struct finding *f;

	m.parts[0] = (struct engine_part){ .rule = &c, .secret = data + 12,
					   .secret_len = 10, .offset = 12,
					   .line = 1, .column = 13 };
	f = finding_new(&m, "a.env");
	cr_assert_not_null(f);
	data[12] = 'Z';
	cr_assert_eq(f->n_parts, 1);
	cr_assert_str_eq(f->parts[0].secret, "QWERTYUIOP");
	cr_assert_eq(f->parts[0].rule, &c);
	cr_assert_eq(f->parts[0].column, 13);
	cr_assert_eq(f->parts[0].offset, 12);
	snprintf(want, sizeof(want), "%016llx%016llx",
		 (unsigned long long)h.high64, (unsigned long long)h.low64);
	cr_assert_str_eq(f->fingerprint, want);
	finding_fingerprint("key-id", "KID48151623", 11, other);
	cr_assert_str_neq(f->fingerprint, other, "the part is not in it");
	finding_free(f);
}
