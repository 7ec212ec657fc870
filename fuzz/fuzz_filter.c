/*
 * libFuzzer target: the ignore-file and baseline parsers over arbitrary
 * bytes, then filter_apply() and filter_group() over a few findings, one
 * of them named by the first ignore entry so that its glob runs.  An
 * error must never repeat the text of a line (it may hold a secret); a
 * parsed baseline must hold sorted lower-case hex fingerprints.
 */
#include <string.h>

#include "error.h"
#include "filter.h"
#include "finding.h"
#include "fuzz.h"
#include "banned.h"

/* Lines at least this long must not appear in an error message. */
#define ECHO_MIN 24

static const struct rule fuzz_rule = { .id = (char *)"fuzz-rule" };

static void check_no_echo(const char *s, size_t len, const char *msg)
{
	const char *end = s + len, *nl;
	char line[ECHO_MIN + 1];

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		if (nl - s >= ECHO_MIN && !memchr(s, '\0', ECHO_MIN)) {
			memcpy(line, s, ECHO_MIN);
			line[ECHO_MIN] = '\0';
			FUZZ_CHECK(!strstr(msg, line));
		}
		s = nl + 1;
	}
}

static void check_baseline(const struct filter *f)
{
	size_t i, j;

	for (i = 0; i < f->n_baseline; i++) {
		const char *fp = f->baseline[i];
		for (j = 0; j < FINGERPRINT_HEX; j++)
			FUZZ_CHECK(fp[j] && strchr("0123456789abcdef", fp[j]));
		FUZZ_CHECK(fp[FINGERPRINT_HEX] == '\0');
		FUZZ_CHECK(!i || strcmp(f->baseline[i - 1], fp) <= 0);
	}
}

/* Three findings: two share a secret, one carries the first entry's name. */
static void add_findings(struct finding_list *l, const struct filter *f)
{
	static const char *const paths[] = { "src/app.env", "./deploy/a b.yml",
					     "src/app.env" };
	static const char *const secrets[] = { "s3cr3t-one", "s3cr3t-two",
					       "s3cr3t-one" };
	struct engine_match m;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.rule = &fuzz_rule;
	for (i = 0; i < 3; i++) {
		struct finding *fd;
		m.secret = secrets[i];
		m.secret_len = strlen(secrets[i]);
		m.line = i + 1;
		fd = finding_new(&m, paths[i]);
		FUZZ_CHECK(fd && finding_list_add(l, fd) == 0);
	}
	if (f->n_entries)
		memcpy(l->items[1]->fingerprint, f->entries[0].fingerprint,
		       FINGERPRINT_HEX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter f = FILTER_INIT;
	struct finding_list l = FINDING_LIST_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const char *s = (const char *)data;

	if (filter_parse_ignores(&f, "fuzz.ignore", s, size, "2025-06-01",
				 &err))
		check_no_echo(s, size, err.msg);
	lg_error_clear(&err);
	/* A failed parse may leave a partial, unsorted baseline: never used. */
	if (filter_parse_baseline(&f, "fuzz.json", s, size, &err))
		FUZZ_CHECK(err.msg[0]);
	else
		check_baseline(&f);
	add_findings(&l, &f);
	filter_apply(&f, &l, size & 1);
	FUZZ_CHECK(l.n <= 3);
	FUZZ_CHECK(filter_group(&l, &err) == 0);
	finding_list_release(&l);
	filter_release(&f);
	return 0;
}
