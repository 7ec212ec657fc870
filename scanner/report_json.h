#ifndef LEAKGATE_REPORT_JSON_H
#define LEAKGATE_REPORT_JSON_H

#include <jansson.h>

#include "report.h"

/*
 * A new JSON object describing f, with every string made valid UTF-8 by
 * report_utf8() (a path with invalid bytes reads "\xNN").  The caller
 * owns the reference.  NULL when out of memory.
 */
json_t *report_json_finding(const struct finding *f,
			    const struct report_options *o);

/* A JSON string of s after report_utf8(); new reference. */
json_t *report_json_string(const char *s, size_t len);

#endif
