#ifndef LEAKGATE_TEST_REPORT_FIXTURE_H
#define LEAKGATE_TEST_REPORT_FIXTURE_H

/*
 * Hand-made findings for the report and filter suites: rules, findings
 * with provenance and further places, a report rendered into a string,
 * and the source tree's root for the tools and examples tests run.
 */
#include <stdint.h>

#include "finding.h"
#include "report.h"

/* A rule "test-<severity>" named "Test <severity> token"; static storage. */
const struct rule *fx_rule(enum severity s);

/* A finding of rule r for secret at path:line:column (asserts on failure). */
struct finding *fx_finding(const struct rule *r, const char *secret,
			   const char *path, size_t line, size_t column);

/* Sets git provenance on l. */
void fx_provenance(struct location *l, const char *commit, const char *author,
		   const char *email, int64_t when);

/* Appends a further place of f's secret (as --group or history lists). */
struct location *fx_add_place(struct finding *f, const char *path,
			      size_t line, size_t column);

/* Runs a report writer into a NUL-terminated heap string. */
char *fx_render(report_fn fn, const struct finding_list *l, int show_secrets);

/*
 * The leakgate source tree ($LEAKGATE_ROOT, else the first directory up
 * from $LEAKGATE_BIN or the current one that holds examples/gate.sh).
 * Owned by the caller.
 */
char *fx_source_root(void);

#endif
