#include <string.h>

#include "error.h"
#include "report.h"
#include "banned.h"

/*
 * JUnit XML as Jenkins, GitLab and the GitHub test-report actions render
 * it: one test suite, one failing test case per new finding, a skipped one
 * per finding known from the baseline, and one passing case when nothing
 * was found.  Every text goes through report_escape() first, so control
 * characters, which XML 1.0 cannot carry even as references, arrive as
 * visible "\xNN"; the noncharacters U+FFFE and U+FFFF get the same.
 */

static void xml_escape(struct buf *b, const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	const unsigned char *p;
	size_t i;

	report_escape(&clean, s, len);
	p = (const unsigned char *)clean.ptr;
	for (i = 0; i < clean.len; i++) {
		if (p[i] == 0xef && i + 2 < clean.len && p[i + 1] == 0xbf &&
		    (p[i + 2] == 0xbe || p[i + 2] == 0xbf)) {
			buf_addf(b, "\\xef\\xbf\\x%02x", p[i + 2]);
			i += 2;
		} else if (p[i] == '&') {
			buf_adds(b, "&amp;");
		} else if (p[i] == '<') {
			buf_adds(b, "&lt;");
		} else if (p[i] == '>') {
			buf_adds(b, "&gt;");
		} else if (p[i] == '"') {
			buf_adds(b, "&quot;");
		} else if (p[i] == '\'') {
			buf_adds(b, "&apos;");
		} else {
			buf_addch(b, (char)p[i]);
		}
	}
	buf_release(&clean);
}

static void xml_str(struct buf *b, const char *s)
{
	xml_escape(b, s, strlen(s));
}

/* "path:line:column", escaped. */
static void xml_place(struct buf *b, const struct location *l)
{
	xml_str(b, l->path);
	buf_addf(b, ":%zu:%zu", l->line, l->column);
}

/* "commit … by Name <email> on date", escaped; nothing outside git. */
static void xml_provenance(struct buf *b, const struct location *l)
{
	char when[32];

	if (!l->commit)
		return;
	report_time(when, sizeof(when), (long long)l->author_time);
	buf_adds(b, " in commit ");
	xml_str(b, l->commit);
	buf_adds(b, " by ");
	xml_str(b, l->author_name ? l->author_name : "?");
	if (l->author_email) {
		buf_adds(b, " &lt;");
		xml_str(b, l->author_email);
		buf_adds(b, "&gt;");
	}
	buf_addf(b, " on %s", when);
}

/* "Rule name (severity): secret", escaped, for message attributes. */
static void xml_summary(struct buf *b, const struct finding *f,
			const struct report_options *o)
{
	struct buf secret = BUF_INIT;

	report_secret(&secret, f, o);
	xml_str(b, f->rule->name);
	buf_addf(b, " (%s): ", severity_name(f->rule->severity));
	xml_escape(b, secret.ptr, secret.len);
	buf_release(&secret);
}

/* The failure's body: one "key: value" line each. */
static void xml_details(struct buf *b, const struct finding *f)
{
	size_t i;

	buf_adds(b, "rule: ");
	xml_str(b, f->rule->id);
	buf_addf(b, "\nseverity: %s\nconfidence: %s\nfingerprint: %s\n"
		 "location: ", severity_name(f->rule->severity),
		 confidence_name(f->confidence), f->fingerprint);
	xml_place(b, &f->where);
	xml_provenance(b, &f->where);
	buf_addch(b, '\n');
	if (f->verified.state != VERIFY_UNCHECKED)
		buf_addf(b, "verification: %s\n",
			 verify_state_name(f->verified.state));
	if (f->detail) {
		buf_adds(b, "detail: ");
		xml_str(b, f->detail);
		buf_addch(b, '\n');
	}
	for (i = 0; i < f->n_more; i++) {
		buf_adds(b, "also at: ");
		xml_place(b, &f->more[i]);
		xml_provenance(b, &f->more[i]);
		buf_addch(b, '\n');
	}
	if (f->more_count > f->n_more)
		buf_addf(b, "places not listed: %zu\n",
			 f->more_count - f->n_more);
}

static void junit_case(struct buf *b, const struct finding *f,
		       const struct report_options *o)
{
	buf_adds(b, "    <testcase classname=\"leakgate.");
	xml_str(b, f->rule->id);
	buf_adds(b, "\" name=\"");
	xml_place(b, &f->where);
	buf_adds(b, "\" file=\"");
	xml_str(b, f->where.path);
	buf_addf(b, "\" line=\"%zu\">\n", f->where.line);
	if (f->status == FINDING_BASELINE) {
		buf_adds(b, "      <skipped message=\"known from the "
			 "baseline: ");
		xml_summary(b, f, o);
		buf_adds(b, "\"/>\n    </testcase>\n");
		return;
	}
	buf_adds(b, "      <failure type=\"");
	xml_str(b, f->rule->id);
	buf_adds(b, "\" message=\"");
	xml_summary(b, f, o);
	buf_adds(b, "\">");
	xml_details(b, f);
	buf_adds(b, "</failure>\n    </testcase>\n");
}

/* The XML declaration and the opening tags, with the counts. */
static void junit_open(struct buf *b, const struct finding_list *l)
{
	size_t i, skipped = 0, tests = l->n ? l->n : 1;

	for (i = 0; i < l->n; i++)
		skipped += l->items[i]->status == FINDING_BASELINE;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	for (i = 0; i < 2; i++)
		buf_addf(b, "%s name=\"leakgate\" tests=\"%zu\" "
			 "failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
			 i ? "  <testsuite" : "<testsuites", tests,
			 l->n - skipped, skipped);
	if (!l->n)
		buf_adds(b, "    <testcase classname=\"leakgate\" "
			 "name=\"no leaked secrets\"/>\n");
}

int report_junit(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = 0;

	junit_open(&b, l);
	for (i = 0; i <= l->n && !rc; i++) {
		if (i < l->n)
			junit_case(&b, l->items[i], o);
		else
			buf_adds(&b, "  </testsuite>\n</testsuites>\n");
		if (fwrite(b.ptr, 1, b.len, out) != b.len)
			rc = report_write_failed(err);
		buf_reset(&b);
	}
	buf_release(&b);
	return rc;
}
