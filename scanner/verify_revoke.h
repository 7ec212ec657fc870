#ifndef LEAKGATE_VERIFY_REVOKE_H
#define LEAKGATE_VERIFY_REVOKE_H

#include <stddef.h>

#include "verify_http.h"

struct lg_error;

/*
 * Revocation through the providers' public endpoints: GitHub's credential
 * revocation API (no authentication, up to 1000 tokens a request), GitLab's
 * token self-revocation and Slack's auth.revoke.
 */

enum revoke_provider {
	REVOKE_NONE = 0,
	REVOKE_GITHUB,
	REVOKE_GITLAB,
	REVOKE_SLACK,
};

#define GITHUB_REVOKE_BATCH 1000
#define GITLAB_API "https://gitlab.com/api/v4"
#define SLACK_API "https://slack.com/api"

/* Who can revoke token, by its shape; REVOKE_NONE when nobody here can. */
enum revoke_provider revoke_provider_of(const char *token);
/* "GitHub", "GitLab", "Slack". */
const char *revoke_provider_name(enum revoke_provider p);

/*
 * Sends tokens[0..n) (all GitHub tokens) to GitHub's revocation API in
 * batches, waiting out rate limits (Retry-After, at most 3 tries a batch).
 * Returns 0 when every batch was accepted, or LG_ERR_IO naming the status.
 */
int revoke_github(const char *const *tokens, size_t n,
		  const struct http_options *o, struct lg_error *err);

/* Revokes one GitLab or Slack token with itself; 0 or LG_ERR_IO. */
int revoke_self(enum revoke_provider p, const char *token,
		const struct http_options *o, struct lg_error *err);

#endif
