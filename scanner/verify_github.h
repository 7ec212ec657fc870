#ifndef LEAKGATE_VERIFY_GITHUB_H
#define LEAKGATE_VERIFY_GITHUB_H

#include "finding.h"
#include "verify_http.h"

/*
 * GitHub tokens: what the API says of one (its user or app, scopes, expiry,
 * kind; with an access map the orgs and repositories it reaches and at what
 * permission), through read-only calls on api.github.com.
 */

#define GITHUB_API "https://api.github.com"

/* "classic", "fine-grained", "oauth", "user-to-server", "installation",
 * "refresh" by the token's prefix, or NULL when it is none of them. */
const char *github_token_kind(const char *token);

/* Fills v for token (v->facts owned by the caller). */
void verify_github(struct verification *v, const char *token, int want_access,
		   const struct http_options *o);

#endif
