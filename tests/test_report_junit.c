/* The JUnit XML writer: well-formed whatever the paths hold, counts, marks. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"
#include "report_fixture.h"

/* Paths that break naive XML: markup, a control byte, U+FFFF, bad UTF-8. */
static const char *const hostile_paths[] = {
	"a<b>&c\"d'e.txt",
	"ctl\x01\x1b[31m.txt",
	"non\xef\xbf\xbf" "char.txt",
	"bad\xff.txt",
	"]]>cdata.txt",
};

#define N_HOSTILE (sizeof(hostile_paths) / sizeof(hostile_paths[0]))

static void hostile_findings(struct finding_list *l)
{
	size_t i;

	for (i = 0; i < N_HOSTILE; i++) {
		struct finding *f = fx_finding(
			fx_rule(SEVERITY_HIGH),
			th_fake_token("ghp_", 30, 20 + (unsigned)i, 0),
			hostile_paths[i], i + 1, 1);
		if (i == 0)
			fx_provenance(
				&f->where,
				"0123456789abcdef0123456789abcdef01234567",
				"<Eve & Co>", "eve@example.com", 1704067200);
		if (i == 1)
			f->status = FINDING_BASELINE;
		finding_list_add(l, f);
	}
}

/* Every byte is allowed in XML 1.0 and no raw markup character leaked. */
static void assert_xml_chars(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	for (; *p; p++) {
		cr_assert(*p >= 0x20 || *p == '\n', "byte 0x%02x in XML", *p);
		cr_assert(!(p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe),
			  "noncharacter in XML");
	}
	cr_assert_null(strstr(text, "a<b>"));
	cr_assert_null(strstr(text, "]]>"));
}

Test(report_junit, hostile_paths_are_escaped_and_counted)
{
	struct finding_list l = FINDING_LIST_INIT;
	char *text;

	hostile_findings(&l);
	text = fx_render(report_junit, &l, 0);
	assert_xml_chars(text);
	cr_assert_not_null(
		strstr(text, "a&lt;b&gt;&amp;c&quot;d&apos;e.txt:1:1"));
	cr_assert_not_null(strstr(text, "ctl\\x01\\x1b[31m.txt"));
	cr_assert_not_null(strstr(text, "non\\xef\\xbf\\xbfchar.txt"));
	cr_assert_not_null(strstr(text, "bad\\xff.txt"));
	cr_assert_not_null(strstr(text, "by &lt;Eve &amp; Co&gt;"));
	cr_assert_not_null(strstr(text,
				  "tests=\"5\" failures=\"4\" errors=\"0\" "
				  "skipped=\"1\""),
			   "%s", text);
	cr_assert_eq(th_count(text, "<testcase "), N_HOSTILE);
	cr_assert_eq(th_count(text, "<failure "), N_HOSTILE - 1);
	cr_assert_eq(th_count(text,
			      "<skipped message=\"known from the baseline"),
		     1);
	cr_assert_not_null(strstr(text, l.items[0]->fingerprint));
	cr_assert_null(strstr(text, l.items[0]->secret));
	free(text);
	text = fx_render(report_junit, &l, 1);
	cr_assert_not_null(strstr(text, l.items[0]->secret));
	free(text);
	finding_list_release(&l);
}

Test(report_junit, empty_report_has_one_passing_case)
{
	struct finding_list l = FINDING_LIST_INIT;
	char *text = fx_render(report_junit, &l, 0);

	cr_assert_not_null(strstr(text, "tests=\"1\" failures=\"0\""));
	cr_assert_eq(th_count(text, "<testcase "), 1);
	cr_assert_null(strstr(text, "<failure"));
	free(text);
}

/* xmllint parses it (skipped when xmllint is not installed). */
Test(report_junit, xmllint_parses_it)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct run_result r;
	char *dir = th_tmpdir(), *text;

	r = th_sh(dir, "command -v xmllint");
	if (r.status != 0)
		cr_skip_test(
			"xmllint is not installed (libxml2-utils)");
	th_run_release(&r);
	hostile_findings(&l);
	text = fx_render(report_junit, &l, 0);
	th_write(dir, "junit.xml", text);
	r = th_sh(dir, "xmllint --noout junit.xml && "
		       "xmllint --xpath 'count(//testcase/failure)' junit.xml");
	cr_assert_eq(r.status, 0, "xmllint: %s", r.err);
	cr_assert_eq(strtol(r.out, NULL, 10), 4, "%s", r.out);
	th_run_release(&r);
	free(text);
	th_rmtree(dir);
	finding_list_release(&l);
}
