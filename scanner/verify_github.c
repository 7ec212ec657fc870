#include "verify_github.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "verify.h"
#include "banned.h"

/* Repositories listed by --access-map; the rest are counted. */
#define GITHUB_REPOS_SHOWN 100

static const struct {
	const char *prefix;
	const char *kind;
} github_kinds[] = {
	{ "github_pat_", "fine-grained" },
	{ "ghp_", "classic" },
	{ "gho_", "oauth" },
	{ "ghu_", "user-to-server" },
	{ "ghs_", "installation" },
	{ "ghr_", "refresh" },
};

const char *github_token_kind(const char *token)
{
	size_t i;

	for (i = 0; i < sizeof(github_kinds) / sizeof(github_kinds[0]); i++)
		if (!strncmp(token, github_kinds[i].prefix,
			     strlen(github_kinds[i].prefix)))
			return github_kinds[i].kind;
	return NULL;
}

/* GET path on the API with the token; fills res.  0 or the request's error. */
static int github_get(struct http_response *res, const char *token,
		      const char *path, const struct http_options *o,
		      struct lg_error *err)
{
	char url[512], auth[600];
	char accept[] = "Accept: application/vnd.github+json";
	char version[] = "X-GitHub-Api-Version: 2022-11-28";
	char *items[] = { auth, accept, version };
	struct string_list headers = { items, 3 };

	snprintf(url, sizeof(url), "%s%s", GITHUB_API, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	return http_request(res, "GET", url, &headers, NULL, o, err);
}

static void fact_header(struct verification *v, const struct http_response *res,
			const char *header, const char *key)
{
	char value[512];

	if (!http_header(res, header, value, sizeof(value)))
		verify_fact(&v->facts, key, value[0] ? value : "(none)");
}

static void fact_json(struct verification *v, json_t *obj, const char *field,
		      const char *key)
{
	json_t *s = json_object_get(obj, field);

	if (json_is_string(s))
		verify_fact(&v->facts, key, json_string_value(s));
}

/* The highest permission a repository entry grants, as GitHub names them. */
static const char *repo_permission(json_t *repo)
{
	static const char *const levels[] = { "admin", "maintain", "push",
					      "triage", "pull" };
	json_t *perms = json_object_get(repo, "permissions");
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (json_is_true(json_object_get(perms, levels[i])))
			return levels[i];
	return "unknown";
}

/* "owner/name:perm, ..." of a JSON array of repositories. */
static void fact_repos(struct verification *v, json_t *arr, const char *key)
{
	struct buf b = BUF_INIT;
	json_t *repo;
	size_t i, n = json_array_size(arr);
	char more[64];

	json_array_foreach(arr, i, repo) {
		json_t *name = json_object_get(repo, "full_name");
		if (i >= GITHUB_REPOS_SHOWN || !json_is_string(name))
			break;
		buf_addf(&b, "%s%s:%s", i ? ", " : "", json_string_value(name),
			 repo_permission(repo));
	}
	if (n > GITHUB_REPOS_SHOWN) {
		snprintf(more, sizeof(more), " (+%zu more)", n - GITHUB_REPOS_SHOWN);
		buf_adds(&b, more);
	}
	if (b.len && !buf_addch(&b, '\0'))
		verify_fact(&v->facts, key, b.ptr);
	buf_release(&b);
}

static void fact_orgs(struct verification *v, json_t *arr)
{
	struct buf b = BUF_INIT;
	json_t *org;
	size_t i;

	json_array_foreach(arr, i, org) {
		json_t *login = json_object_get(org, "login");
		if (json_is_string(login))
			buf_addf(&b, "%s%s", b.len ? ", " : "",
				 json_string_value(login));
	}
	if (b.len && !buf_addch(&b, '\0'))
		verify_fact(&v->facts, "orgs", b.ptr);
	buf_release(&b);
}

/* One more read-only call whose JSON answer fills a fact. */
static void access_call(struct verification *v, const char *token,
			const char *path, const char *key,
			const struct http_options *o)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	struct lg_error err = LG_ERROR_INIT;
	json_t *root = NULL, *arr;

	if (!github_get(&res, token, path, o, &err) && res.status == 200)
		root = json_loadb(res.body.ptr ? res.body.ptr : "", res.body.len,
				  0, NULL);
	arr = json_is_object(root) ? json_object_get(root, "repositories") : root;
	if (!strcmp(key, "orgs"))
		fact_orgs(v, arr);
	else
		fact_repos(v, arr, key);
	json_decref(root);
	http_response_release(&res);
}

static void access_map(struct verification *v, const char *token,
		       const char *kind, const struct http_options *o)
{
	if (!strcmp(kind, "installation")) {
		access_call(v, token, "/installation/repositories?per_page=100",
			    "repositories", o);
		return;
	}
	access_call(v, token, "/user/orgs?per_page=100", "orgs", o);
	access_call(v, token,
		    "/user/repos?per_page=100&affiliation=owner,collaborator,organization_member",
		    "repositories", o);
}

/* A live /user (or /installation/repositories) answer's facts. */
static void live_facts(struct verification *v, const struct http_response *res,
		       const char *kind)
{
	json_t *root = json_loadb(res->body.ptr ? res->body.ptr : "",
				  res->body.len, 0, NULL);

	v->state = VERIFY_LIVE;
	verify_fact(&v->facts, "kind", kind);
	if (json_is_object(root)) {
		fact_json(v, root, "login", "user");
		fact_json(v, root, "type", "account_type");
	}
	fact_header(v, res, "X-OAuth-Scopes", "scopes");
	fact_header(v, res, "github-authentication-token-expiration", "expires");
	fact_header(v, res, "X-Accepted-GitHub-Permissions", "accepted_permissions");
	json_decref(root);
}

void verify_github(struct verification *v, const char *token, int want_access,
		   const struct http_options *o)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const char *kind = github_token_kind(token);
	int installation = kind && !strcmp(kind, "installation");

	if (!kind || !strcmp(kind, "refresh")) {
		/* A refresh token only buys a new token: checking it would spend it. */
		v->state = VERIFY_UNSUPPORTED;
		return;
	}
	if (github_get(&res, token, installation ?
		       "/installation/repositories?per_page=1" : "/user", o, &err)) {
		v->state = VERIFY_ERROR;
		verify_fact(&v->facts, "error", err.msg);
	} else if (res.status == 200) {
		live_facts(v, &res, kind);
		if (want_access)
			access_map(v, token, kind, o);
	} else if (res.status == 401) {
		v->state = VERIFY_INVALID;
	} else {
		verify_unexpected(v, res.status);
	}
	http_response_release(&res);
}
