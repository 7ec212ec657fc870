/* Committed credential stores, end to end: parsed, one finding each. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

TH_REPO_SUITE(e2e_credstore, repo, .timeout = 60);

static json_t *report(const char *command)
{
	const char *scan[] = { "scan", ".", "-f", "json", "--no-progress",
			       NULL };
	const char *history[] = { "history", "--repo", repo, "-f", "json",
				  "--no-progress", NULL };
	struct run_result r = th_leakgate(repo, NULL, strcmp(command, "scan")
							     ? history : scan);
	json_error_t jerr;
	json_t *j;

	cr_assert_eq(r.status, 1, "%s: %s", command, r.err);
	j = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(j, "not JSON (%s): %s", jerr.text, r.out);
	th_run_release(&r);
	return j;
}

static const char *field(json_t *f, const char *key)
{
	const char *s = json_string_value(json_object_get(f, key));

	return s ? s : "";
}

/* Findings of rule at path; the last one's detail goes to *detail. */
static size_t count(json_t *all, const char *rule, const char *path,
		    const char **detail)
{
	size_t i, n = 0;
	json_t *f;

	json_array_foreach(all, i, f) {
		if (strcmp(field(f, "rule"), rule) ||
		    strcmp(field(f, "path"), path))
			continue;
		n++;
		if (detail)
			*detail = field(f, "detail");
	}
	return n;
}

static void plant_stores(void)
{
	struct buf creds = BUF_INIT;

	buf_addf(&creds, "https://alice:Zx81kQp2vTr9@github.com\n"
		 "https://x-access-token:%s@github.com\n",
		 th_fake_token("ghp_", 30, 21, 0));
	th_write(repo, ".git-credentials", creds.ptr);
	th_write(repo, "deploy/.netrc", "machine api.heroku.com\n"
		 "  login me@example.org\n"
		 "  password 4bd9f1e2-77aa-4c1b-9e1f\n");
	th_write(repo, "ci/.docker/config.json", "{\"auths\": {\"ghcr.io\": "
		 "{\"auth\": \"ZGVwbG95OmhXNG5COHNRMnlaazZWZA==\"}}}");
	/* Same names, not stores: nothing to report. */
	th_write(repo, "app/config.json",
		 "{\"name\": \"app\", \"port\": 8080}");
	th_write(repo, "inventory/hosts.yml", "all:\n  hosts:\n    web1:\n"
		 "      ansible_host: 10.0.0.1\n");
	th_git_commit(repo, "stores");
	buf_release(&creds);
}

static void check_stores(json_t *all)
{
	const char *detail = NULL;

	cr_expect_eq(count(all, "git-credential-store", ".git-credentials",
			   &detail), 2);
	cr_expect_str_eq(detail, "user x-access-token at github.com");
	cr_expect_eq(count(all, "committed-credential-store",
			   ".git-credentials", &detail), 1);
	cr_expect(strstr(detail, ".git-credentials credential store"), "%s",
		  detail);
	cr_expect_eq(count(all, "netrc-credentials", "deploy/.netrc",
			   &detail), 1);
	cr_expect_str_eq(detail, "user me@example.org at api.heroku.com");
	cr_expect_eq(count(all, "committed-credential-store", "deploy/.netrc",
			   NULL), 1);
	cr_expect_eq(count(all, "docker-config-credentials",
			   "ci/.docker/config.json", &detail), 1);
	cr_expect_str_eq(detail, "user deploy at ghcr.io");
	cr_expect_eq(count(all, "committed-credential-store",
			   "ci/.docker/config.json", NULL), 1);
	/* The broad rules yield to the parsers on the same bytes. */
	cr_expect_eq(count(all, "url-credentials", ".git-credentials", NULL),
		     0);
	cr_expect_eq(count(all, "netrc-password", "deploy/.netrc", NULL), 0);
	cr_expect_eq(count(all, "committed-credential-store", "app/config.json",
			   NULL), 0);
	cr_expect_eq(count(all, "committed-credential-store",
			   "inventory/hosts.yml", NULL), 0);
}

Test(e2e_credstore, committed_stores_in_the_work_tree)
{
	json_t *all;

	plant_stores();
	all = report("scan");
	check_stores(all);
	json_decref(all);
}

Test(e2e_credstore, committed_stores_in_history)
{
	struct run_result r;
	json_t *all;

	plant_stores();
	r = th_sh(repo, "git rm -rq .git-credentials deploy ci && "
		  "git commit -qm 'remove the stores'");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	all = report("history");
	check_stores(all);
	json_decref(all);
}

/* The one store finding of a report; asserts there is one. */
static json_t *store_finding(json_t *all)
{
	json_t *f, *found = NULL;
	size_t i;

	json_array_foreach(all, i, f) {
		if (strcmp(field(f, "rule"), "committed-credential-store"))
			continue;
		cr_assert_null(found, "two store findings");
		found = f;
	}
	cr_assert_not_null(found);
	return found;
}

/* The store finding names the content: a rename keeps its fingerprint. */
Test(e2e_credstore, store_fingerprint_survives_a_rename)
{
	struct run_result r;
	char *before;
	json_t *all, *f;

	th_write(repo, ".netrc",
		 "machine h.example login u password Zx81kQp2vTr9\n");
	th_git_commit(repo, "netrc");
	all = report("scan");
	before = strdup(field(store_finding(all), "fingerprint"));
	json_decref(all);
	r = th_sh(repo, "mkdir old && git mv .netrc old/_netrc && "
		  "git commit -qm move");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	all = report("scan");
	f = store_finding(all);
	cr_expect_str_eq(field(f, "path"), "old/_netrc");
	cr_expect_str_eq(field(f, "fingerprint"), before);
	json_decref(all);
	free(before);
}
