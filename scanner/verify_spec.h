#ifndef LEAKGATE_VERIFY_SPEC_H
#define LEAKGATE_VERIFY_SPEC_H

#include "finding.h"
#include "rules.h"
#include "verify_http.h"

struct lg_error;

/*
 * A rule's `verify:` block: one read-only HTTP exchange and what its answer
 * means.  rules.c keeps it as "key=value" items (rule->verify) so that the
 * build-time rule table stays flat:
 *
 *   verify:
 *     method: GET                          # default GET
 *     url: https://api.example.com/v1/me   # https only; {secret} is percent-encoded
 *     headers: ['Authorization: Bearer {secret}']
 *     body: 'token={secret}'               # optional
 *     live: [200]                          # statuses that mean live
 *     invalid: [401, 403]                  # statuses that mean revoked or invalid
 *     live-body: '"ok":true'               # optional: a live answer must contain it
 *     fields: [login, team.name]           # JSON fields of a live answer to report
 *
 * In url, headers and body, {secret} is the secret as found and
 * {part:RULE-ID} the part of a credential in parts that rule found (an
 * account id next to its token); {secret_basic} is the base64 of
 * "secret:".  basic-user and basic-password (templates too) send HTTP
 * Basic authentication.
 */

#define VERIFY_SPEC_KEYS "method, url, headers, body, basic-user, basic-password, " \
	"live, invalid, live-body, fields"

/*
 * Checks a flattened block as the rule loader made it; returns 0 or
 * LG_ERR_PARSE with the reason (for `leakgate rules check` and loading).
 */
int verify_spec_check(const struct string_list *spec, struct lg_error *err);

/* Runs f's rule's block for f's secret and fills out; 0 or LG_ERR_NOMEM. */
int verify_spec_run(struct verification *out, const struct finding *f,
		    const struct http_options *o);

#endif
