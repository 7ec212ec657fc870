#include "verify_revoke.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "verify_github.h"
#include "banned.h"


enum revoke_provider revoke_provider_of(const char *token)
{
	if (github_token_kind(token))
		return REVOKE_GITHUB;
	if (!strncmp(token, "glpat-", 6))
		return REVOKE_GITLAB;
	if (!strncmp(token, "xox", 3) && token[3] && strchr("baprse", token[3]) &&
	    token[4] == '-')
		return REVOKE_SLACK;
	return REVOKE_NONE;
}

const char *revoke_provider_name(enum revoke_provider p)
{
	switch (p) {
	case REVOKE_GITHUB: return "GitHub";
	case REVOKE_GITLAB: return "GitLab";
	case REVOKE_SLACK: return "Slack";
	default: return "nobody";
	}
}

static int github_batch(const char *const *tokens, size_t n,
			const struct http_options *o, struct lg_error *err)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	char accept[] = "Accept: application/vnd.github+json";
	char type[] = "Content-Type: application/json";
	char *items[] = { accept, type };
	struct string_list headers = { items, 2 };
	json_t *list = json_array(), *root;
	char *body = NULL;
	size_t i;
	int rc;

	for (i = 0; list && i < n; i++)
		json_array_append_new(list, json_string(tokens[i]));
	root = json_pack("{s:o}", "credentials", list);
	if (!root || !(body = json_dumps(root, JSON_COMPACT))) {
		json_decref(root);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	rc = http_request(&res, "POST", GITHUB_API "/credentials/revoke", &headers,
			  body, o, err);
	if (!rc && res.status != 202 && res.status != 200)
		rc = lg_error_set(err, LG_ERR_IO, "GitHub refused the revocation "
				  "(HTTP %ld)", res.status);
	json_decref(root);
	free(body);
	http_response_release(&res);
	return rc;
}

int revoke_github(const char *const *tokens, size_t n,
		  const struct http_options *o, struct lg_error *err)
{
	size_t at, batch;
	int rc = 0;

	for (at = 0; !rc && at < n; at += batch) {
		batch = n - at < GITHUB_REVOKE_BATCH ? n - at : GITHUB_REVOKE_BATCH;
		rc = github_batch(tokens + at, batch, o, err);
	}
	return rc;
}

/* Slack answers 200 either way; the body says whether it worked. */
static int slack_revoked(const struct http_response *res)
{
	json_t *root;
	int ok;

	if (res->status != 200)
		return 0;
	root = json_loadb(res->body.ptr ? res->body.ptr : "", res->body.len, 0,
			  NULL);
	ok = json_is_true(json_object_get(root, "revoked"));
	json_decref(root);
	return ok;
}

int revoke_self(enum revoke_provider p, const char *token,
		const struct http_options *o, struct lg_error *err)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	char auth[512];
	char *items[] = { auth };
	struct string_list headers = { items, 1 };
	int gitlab = p == REVOKE_GITLAB, rc;

	snprintf(auth, sizeof(auth), gitlab ? "PRIVATE-TOKEN: %s"
					    : "Authorization: Bearer %s", token);
	rc = gitlab ? http_request(&res, "DELETE",
				   GITLAB_API "/personal_access_tokens/self",
				   &headers, NULL, o, err)
		    : http_request(&res, "POST", SLACK_API "/auth.revoke", &headers, "",
				   o, err);
	if (!rc && !(gitlab ? res.status == 204 : slack_revoked(&res)))
		rc = lg_error_set(err, LG_ERR_IO, "%s refused the revocation "
				  "(HTTP %ld)", revoke_provider_name(p), res.status);
	http_response_release(&res);
	return rc;
}
