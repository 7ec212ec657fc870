/*
 * Live verification and revocation against a stub provider on 127.0.0.1:
 * the verify module itself, then `scan --verify`, `verify` and `revoke`
 * through the real binary.  No test touches the internet.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "helpers.h"
#include "http_stub.h"
#include "rules.h"
#include "verify.h"
#include "verify_spec.h"

#define LG(cwd, input, ...) \
	th_leakgate(cwd, input, (const char *const[]){ __VA_ARGS__, NULL })

static struct http_stub stub;
static char url_map[512];
static char *tls_dir;

static const char live_user[] =
	"{\"login\":\"octo-fake\",\"type\":\"User\"}";
static const char live_headers[] =
	"X-OAuth-Scopes: repo, read:org\r\n"
	"github-authentication-token-expiration: 2031-01-01 00:00:00 UTC\r\n";

static const char *token_live(void)
{
	return th_fake_token("ghp_", 30, 11, 0);
}

static const char *token_dead(void)
{
	return th_fake_token("ghp_", 30, 12, 1);
}

/* Built per test, since the tokens are made at run time. */
static char auth_live[128], auth_dead[128];
static struct stub_route routes[16];

static void setup(void)
{
	size_t n = 0;

	snprintf(auth_live, sizeof(auth_live), "Bearer %s", token_live());
	snprintf(auth_dead, sizeof(auth_dead), "Bearer %s", token_dead());
	routes[n++] = (struct stub_route){ "GET", "/user", auth_live, 200,
					   live_headers, live_user, 0, 0 };
	routes[n++] = (struct stub_route){ "GET", "/user", auth_dead, 401, NULL,
					   "{\"message\":\"Bad credentials\"}", 0, 0 };
	routes[n++] = (struct stub_route){ "GET", "/user/orgs*", auth_live, 200,
					   NULL, "[{\"login\":\"fake-org\"}]", 0, 0 };
	routes[n++] = (struct stub_route){
		"GET", "/user/repos*", auth_live, 200, NULL,
		"[{\"full_name\":\"fake-org/app\",\"permissions\":"
		"{\"admin\":false,\"push\":true,\"pull\":true}}]", 0, 0 };
	routes[n++] = (struct stub_route){ "POST", "/credentials/revoke", NULL,
					   202, NULL, "{}", 0, 0 };
	routes[n++] = (struct stub_route){ "POST", "/slack/api/auth.revoke", NULL,
					   200, NULL, "{\"ok\":true,\"revoked\":true}", 0, 0 };
	routes[n++] = (struct stub_route){ "GET", "/example/v1/me",
					   "Bearer exlive", 200, NULL,
					   "{\"ok\":true,\"account\":{\"name\":\"acme\"},\"scopes\":[\"api\",\"read_user\"]}", 0, 0 };
	routes[n++] = (struct stub_route){ "GET", "/example/v1/me",
					   "Bearer exdead", 200, NULL,
					   "{\"ok\":false}", 0, 0 };
	routes[n++] = (struct stub_route){ "GET", "/example/v1/me",
					   "Bearer exslow", 200, NULL, "{\"ok\":true}",
					   0, 3 };
	routes[n++] = (struct stub_route){ "GET", "/example/v1/me",
					   "Bearer exbusy", 200, NULL, "{\"ok\":true}",
					   2, 0 };
	routes[n++] = (struct stub_route){ "GET", "/example/v1/me",
					   "Bearer exmoved", 302,
					   "Location: https://elsewhere.example/\r\n",
					   "{}", 0, 0 };
	tls_dir = th_tmpdir();
	stub_start(&stub, routes, n, tls_dir);
	stub_url_map(&stub, url_map, sizeof(url_map));
	setenv("LEAKGATE_VERIFY_URL_MAP", url_map, 1);
	setenv("LEAKGATE_CA_FILE", stub.ca_file, 1);
	{
		struct lg_error err = LG_ERROR_INIT;
		cr_assert_eq(http_global_init(&err), 0);
	}
}

static void teardown(void)
{
	http_global_cleanup();
	stub_stop(&stub);
	th_rmtree(tls_dir);
}

TestSuite(verify, .init = setup, .fini = teardown, .timeout = 60);

static const char example_rule[] =
	"rules:\n"
	"  - id: example-key\n"
	"    keywords: [exkey_]\n"
	"    pattern: 'exkey_(ex[a-z]+)'\n"
	"    verify:\n"
	"      url: https://api.example.com/v1/me\n"
	"      headers: ['Authorization: Bearer {secret}']\n"
	"      live: [200]\n"
	"      invalid: [401]\n"
	"      live-body: '\"ok\":true'\n"
	"      fields: [account.name, scopes]\n";

static struct verification check_with(const struct rule *r, const char *secret,
				      int access, long timeout)
{
	struct verify_options o;
	struct verification v;

	cr_assert_eq(verify_options_init(&o, NULL, NULL, timeout, access), 0);
	struct finding f = { .rule = r, .secret = (char *)secret,
			     .secret_len = strlen(secret) };

	cr_assert_eq(verify_secret(&v, &f, &o), 0);
	verify_options_release(&o);
	return v;
}

static struct verification check(const struct rule *r, const char *secret,
				 int access)
{
	return check_with(r, secret, access, 0);
}

static const struct rule *load_example(struct rule_set *rs)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(rules_load_yaml(rs, example_rule, strlen(example_rule),
				     "t.yaml", &err), 0, "%s", err.msg);
	return rules_find(rs, "example-key");
}

Test(verify, github_live_token_reports_user_scopes_and_expiry)
{
	struct rule_set rs = RULE_SET_INIT;
	struct verification v = check(load_example(&rs), token_live(), 0);

	cr_assert_eq(v.state, VERIFY_LIVE);
	cr_assert(strstr(v.facts, "kind=classic\n"), "%s", v.facts);
	cr_assert(strstr(v.facts, "user=octo-fake\n"), "%s", v.facts);
	cr_assert(strstr(v.facts, "scopes=repo, read:org\n"), "%s", v.facts);
	cr_assert(strstr(v.facts, "expires=2031-01-01 00:00:00 UTC\n"), "%s", v.facts);
	cr_assert_null(strstr(v.facts, "repositories="));
	free(v.facts);
	rules_release(&rs);
}

Test(verify, github_access_map_lists_orgs_and_repositories)
{
	struct rule_set rs = RULE_SET_INIT;
	struct verification v = check(load_example(&rs), token_live(), 1);

	cr_assert(strstr(v.facts, "orgs=fake-org\n"), "%s", v.facts);
	cr_assert(strstr(v.facts, "repositories=fake-org/app:push\n"), "%s", v.facts);
	free(v.facts);
	rules_release(&rs);
}

Test(verify, github_401_is_invalid_and_refresh_tokens_are_not_spent)
{
	struct rule_set rs = RULE_SET_INIT;
	const struct rule *r = load_example(&rs);
	struct verification v = check(r, token_dead(), 0);

	cr_assert_eq(v.state, VERIFY_INVALID);
	free(v.facts);
	v = check(r, th_fake_token("ghr_", 70, 3, 2), 0);
	cr_assert_eq(v.state, VERIFY_UNSUPPORTED);
	cr_assert_eq(stub.requests, 1, "a refresh token was sent");
	rules_release(&rs);
}

Test(verify, a_rules_verify_block_judges_status_body_and_fields)
{
	struct rule_set rs = RULE_SET_INIT;
	const struct rule *r = load_example(&rs);
	struct verification v = check(r, "exlive", 0);

	cr_assert_eq(v.state, VERIFY_LIVE);
	cr_assert(strstr(v.facts, "account.name=acme\n"), "%s", v.facts);
	cr_assert(strstr(v.facts, "scopes=api, read_user\n"), "%s", v.facts);
	free(v.facts);
	v = check(r, "exdead", 0);	/* 200 but not "ok":true */
	cr_assert_eq(v.state, VERIFY_INVALID);
	free(v.facts);
	v = check(r, "exother", 0);	/* the stub's 404 */
	cr_assert_eq(v.state, VERIFY_ERROR);
	cr_assert(strstr(v.facts, "http_status=404\n"), "%s", v.facts);
	free(v.facts);
	rules_release(&rs);
}

Test(verify, verify_blocks_are_checked_when_rules_load)
{
	static const char *const bad[] = {
		"      url: http://api.example.com/\n      live: [200]\n",
		"      url: https://api.example.com/\n",
		"      url: https://api.example.com/\n      live: [abc]\n",
		"      url: https://api.example.com/\n      live: [200]\n      retries: 3\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rule_set rs = RULE_SET_INIT;
		struct lg_error err = LG_ERROR_INIT;
		struct buf y = BUF_INIT;
		buf_addf(&y, "rules:\n  - id: x\n    pattern: 'x(y)'\n    verify:\n%s",
			 bad[i]);
		cr_expect_neq(rules_load_yaml(&rs, y.ptr, y.len, "t.yaml", &err), 0,
			      "case %zu loaded", i);
		cr_expect(strstr(err.msg, "t.yaml:"), "%s", err.msg);
		buf_release(&y);
		rules_release(&rs);
	}
}

Test(verify, plain_http_only_to_a_mapped_loopback_address)
{
	static const char *const refused[][2] = {
		{ "http://127.0.0.1:1/", "" },
		{ "https://api.example.com/x", "https://api.example.com=http://10.1.2.3" },
		{ "https://api.example.com/x", "https://api.example.com=http://127.0.0.1.evil.example" },
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct http_response res = HTTP_RESPONSE_INIT;
		struct http_options o = { 0, NULL, refused[i][1] };
		struct lg_error err = LG_ERROR_INIT;

		cr_expect_neq(http_request(&res, "GET", refused[i][0], NULL, NULL,
					   &o, &err), 0, "case %zu was sent", i);
		cr_expect(strstr(err.msg, "only https"), "%s", err.msg);
		http_response_release(&res);
	}
}

Test(verify, a_certificate_from_an_untrusted_ca_is_an_error)
{
	struct rule_set rs = RULE_SET_INIT;
	const struct rule *r = load_example(&rs);
	struct verification v;

	unsetenv("LEAKGATE_CA_FILE");
	v = check(r, "exlive", 0);
	cr_assert_eq(v.state, VERIFY_ERROR);
	cr_assert(strstr(v.facts, "error=api.example.com: SSL"), "%s", v.facts);
	cr_assert_null(strstr(v.facts, "exlive"), "the secret is in the message");
	free(v.facts);
	rules_release(&rs);
}

Test(verify, rate_limits_are_waited_out_redirects_and_slow_answers_are_errors)
{
	struct rule_set rs = RULE_SET_INIT;
	const struct rule *r = load_example(&rs);
	struct verification v = check(r, "exbusy", 0);

	cr_assert_eq(v.state, VERIFY_LIVE, "%s", v.facts);
	cr_assert_eq(stub.requests, 3, "two 429s then the answer");
	free(v.facts);
	v = check(r, "exmoved", 0);
	cr_assert_eq(v.state, VERIFY_ERROR);
	cr_assert(strstr(v.facts, "http_status=302"), "%s", v.facts);
	cr_assert_eq(stub.requests, 4, "the redirect was followed");
	free(v.facts);
	v = check_with(r, "exslow", 0, 1);
	cr_assert_eq(v.state, VERIFY_ERROR);
	cr_assert(strstr(v.facts, "error="), "%s", v.facts);
	free(v.facts);
	rules_release(&rs);
}

Test(verify, github_url_sends_github_tokens_to_an_enterprise_server)
{
	struct buf in = BUF_INIT, url = BUF_INIT;
	struct run_result r;

	setenv("LEAKGATE_VERIFY_URL_MAP", "", 1);
	buf_addf(&url, "https://127.0.0.1:%d", stub.port);
	buf_addf(&in, "%s\n", token_live());
	r = LG(".", in.ptr, "verify", "--github-url", url.ptr);
	cr_assert_eq(r.status, 1, "%s %s", r.out, r.err);
	cr_assert(strstr(r.out, "user=octo-fake"), "%s", r.out);
	th_run_release(&r);
	r = LG(".", in.ptr, "verify", "--github-url", "http://127.0.0.1:1");
	cr_assert_eq(r.status, 2);
	th_run_release(&r);
	buf_release(&in);
	buf_release(&url);
}

/* ---- through the binary ------------------------------------------------- */

static char *plant_two(void)
{
	char *d = th_tmpdir();
	struct buf b = BUF_INIT;

	buf_addf(&b, "live = \"%s\"\ndead = \"%s\"\n", token_live(), token_dead());
	th_write(d, "config.txt", b.ptr);
	buf_release(&b);
	return d;
}

Test(verify, scan_verify_marks_each_finding_in_json)
{
	char *d = plant_two();
	struct run_result r = LG(d, NULL, "scan", "--verify", "-f", "json", ".");
	json_t *doc = json_loads(r.out, 0, NULL), *f;
	size_t i, live = 0, invalid = 0;

	cr_assert_eq(r.status, 1, "%s", r.err);
	json_array_foreach(doc, i, f) {
		const char *s = json_string_value(json_object_get(f, "verification"));
		json_t *details = json_object_get(f, "verification_details");
		cr_assert_not_null(s);
		if (!strcmp(s, "live")) {
			live++;
			cr_assert_str_eq(json_string_value(json_object_get(details, "user")),
					 "octo-fake");
		} else if (!strcmp(s, "invalid")) {
			invalid++;
		}
	}
	cr_assert_eq(live, 1);
	cr_assert_eq(invalid, 1);
	json_decref(doc);
	th_run_release(&r);
	th_rmtree(d);
}

Test(verify, only_verified_and_fail_on_live_gate_on_live_secrets)
{
	char *d = plant_two();
	struct run_result r = LG(d, NULL, "scan", "--only-verified", "-f", "json", ".");
	json_t *doc = json_loads(r.out, 0, NULL);

	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(json_array_size(doc), 1);
	json_decref(doc);
	th_run_release(&r);
	th_write(d, "config.txt", token_dead());
	r = LG(d, NULL, "scan", "--fail-on", "live", ".");
	cr_assert_eq(r.status, 0, "a dead token failed the gate: %s", r.out);
	cr_assert(strstr(r.out, "[invalid]"), "%s", r.out);
	th_run_release(&r);
	th_rmtree(d);
}

Test(verify, a_scan_without_verify_makes_no_request)
{
	char *d = plant_two();
	struct run_result r = LG(d, NULL, "scan", ".");

	cr_assert_eq(r.status, 1);
	cr_assert_eq(stub.requests, 0);
	th_run_release(&r);
	th_rmtree(d);
}

Test(verify, verify_command_exit_status_says_live_or_not)
{
	struct buf in = BUF_INIT;
	struct run_result r;

	buf_addf(&in, "%s\n", token_live());
	r = LG(".", in.ptr, "verify", "--access-map");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.out, "[live: kind=classic"), "%s", r.out);
	cr_assert(strstr(r.out, "fake-org/app:push"), "%s", r.out);
	cr_assert_null(strstr(r.out, token_live()), "the secret was printed");
	th_run_release(&r);
	r = LG(".", token_dead(), "verify");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	r = LG(".", "hello world", "verify");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--rule"), "%s", r.err);
	th_run_release(&r);
	buf_release(&in);
}

Test(verify, revoke_sends_github_tokens_in_one_batch_and_slack_by_itself)
{
	struct buf in = BUF_INIT;
	struct run_result r;
	const char *slack = "xoxb-1234567890-1234567890-FakeFakeFakeFakeFake";

	buf_addf(&in, "%s\n%s\n%s\n%s\n", token_live(), token_dead(), slack,
		 token_live());
	r = LG(".", in.ptr, "revoke");
	cr_assert_eq(r.status, 2, "revoked without confirmation");
	cr_assert(strstr(r.err, "--yes"), "%s", r.err);
	cr_assert_eq(stub.requests, 0);
	th_run_release(&r);
	r = LG(".", in.ptr, "revoke", "--yes", "-");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(stub.requests, 2, "%s", stub.log);
	cr_assert_eq(th_count(stub.log, "POST /credentials/revoke"), 1);
	cr_assert_eq(th_count(stub.log, token_live()), 1, "not deduplicated");
	cr_assert(strstr(stub.log, token_dead()));
	cr_assert(strstr(stub.log, "POST /slack/api/auth.revoke"));
	cr_assert_eq(th_count(r.out, "sent for revocation"), 2, "%s", r.out);
	cr_assert_eq(th_count(r.out, "revoked"), 1, "%s", r.out);
	th_run_release(&r);
	buf_release(&in);
}

Test(verify, revoke_refuses_a_redacted_report)
{
	char *d = plant_two();
	struct run_result r = LG(d, NULL, "scan", "-f", "json", "-o", "r.json", ".");

	th_run_release(&r);
	r = LG(d, NULL, "revoke", "--yes", "r.json");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--show-secrets"), "%s", r.err);
	th_run_release(&r);
	r = LG(d, NULL, "scan", "-f", "json", "--show-secrets", "-o", "r.json", ".");
	th_run_release(&r);
	r = LG(d, NULL, "revoke", "--yes", "r.json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(th_count(r.out, "sent for revocation"), 2, "%s", r.out);
	th_run_release(&r);
	th_rmtree(d);
}

/* A credential in parts: the account id goes into the URL, both into Basic auth. */
Test(verify, parts_and_basic_auth_fill_the_request)
{
	static const char yaml[] =
		"rules:\n"
		"  - id: example-sid\n"
		"    companion: true\n"
		"    pattern: '(AC[0-9a-f]{8})'\n"
		"  - id: example-pair\n"
		"    keywords: [extok]\n"
		"    pattern: 'extok_([a-z]+)'\n"
		"    requires: [example-sid]\n"
		"    verify:\n"
		"      url: https://api.example.com/v1/acct/{part:example-sid}\n"
		"      basic-user: '{part:example-sid}'\n"
		"      basic-password: '{secret}'\n"
		"      live: [200]\n";
	static struct stub_route pair_routes[] = {
		/* base64("AC12345678:pairlive") */
		{ "GET", "/example/v1/acct/AC12345678",
		  "Basic QUMxMjM0NTY3ODpwYWlybGl2ZQ==", 200, NULL, "{}", 0, 0 },
	};
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct finding_part part;
	struct finding f;
	struct verify_options o;
	struct verification v;
	struct http_stub s2;
	char map[512];

	cr_assert_eq(rules_load_yaml(&rs, yaml, strlen(yaml), "t.yaml", &err), 0,
		     "%s", err.msg);
	stub_start(&s2, pair_routes, 1, NULL);
	stub_url_map(&s2, map, sizeof(map));
	memset(&part, 0, sizeof(part));
	part.rule = rules_find(&rs, "example-sid");
	part.secret = (char *)"AC12345678";
	part.secret_len = 10;
	memset(&f, 0, sizeof(f));
	f.rule = rules_find(&rs, "example-pair");
	f.secret = (char *)"pairlive";
	f.secret_len = 8;
	f.parts = &part;
	f.n_parts = 1;
	setenv("LEAKGATE_VERIFY_URL_MAP", map, 1);
	cr_assert_eq(verify_options_init(&o, NULL, NULL, 0, 0), 0);
	cr_assert_eq(verify_secret(&v, &f, &o), 0);
	cr_assert_eq(v.state, VERIFY_LIVE, "%s / %s", v.facts, s2.log);
	free(v.facts);
	verify_options_release(&o);
	stub_stop(&s2);
	rules_release(&rs);
}
