/* Credential-store parsers: each format, its details, and hostile input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credstore.h"
#include "engine.h"
#include "error.h"
#include "helpers.h"
#include "rules.h"

#define MAX_GOT 16

struct got {
	const char *data;
	size_t len;
	int reply;		/* what the emit callback answers */
	size_t n;
	size_t offset[MAX_GOT];
	char secret[MAX_GOT][256];
	char detail[MAX_GOT][512];
};

static int collect(const struct credstore_cred *c, void *payload)
{
	struct got *g = payload;

	cr_assert_leq(c->offset, g->len);
	cr_assert_leq(c->len, g->len - c->offset);
	cr_assert_gt(c->len, 0);
	cr_assert_not_null(c->detail);
	if (g->n < MAX_GOT) {
		g->offset[g->n] = c->offset;
		snprintf(g->secret[g->n], sizeof(g->secret[0]), "%.*s",
			 (int)c->len, g->data + c->offset);
		snprintf(g->detail[g->n], sizeof(g->detail[0]), "%s",
			 c->detail);
	}
	g->n++;
	return g->reply;
}

/*
 * Runs fn over a heap copy of exactly len bytes (no NUL after it, so the
 * sanitizer sees any read past the end) and collects what it emits.
 */
static void parse(credstore_fn fn, const char *input, size_t len, int reply,
		  struct got *g)
{
	char *copy = malloc(len ? len : 1);

	cr_assert_not_null(copy);
	memcpy(copy, input, len);
	memset(g, 0, sizeof(*g));
	g->data = copy;
	g->len = len;
	g->reply = reply;
	cr_assert_eq(fn(copy, len, collect, g), 0);
	g->data = NULL;
	free(copy);
}

struct want {
	const char *secret;
	const char *detail;
};

struct parse_case {
	const char *name;
	credstore_fn fn;
	const char *input;
	struct want want[4];	/* up to the first empty one */
};

static const struct parse_case cases[] = {
	{ "git-credentials plain", credstore_git_credentials,
	  "https://alice:Zx81kQp2vTr9@github.com\n",
	  { { "Zx81kQp2vTr9", "user alice at github.com" } } },
	{ "git-credentials percent-encoded", credstore_git_credentials,
	  "https://bob%40example.org:s3cr%40tPw@git.example.org/team\n",
	  { { "s3cr%40tPw",
	      "user bob@example.org at git.example.org/team" } } },
	{ "git-credentials CRLF, blanks, port", credstore_git_credentials,
	  "\n  https://a:pw1x@h.io  \r\nhttps://b:pw2y@h2.io:8443/x",
	  { { "pw1x", "user a at h.io" },
	    { "pw2y", "user b at h2.io:8443/x" } } },
	{ "git-credentials bad escapes", credstore_git_credentials,
	  "https://al%4:p%zz@h%.io%",
	  { { "p%zz", "user al%4 at h%.io%" } } },
	{ "git-credentials control escapes stay", credstore_git_credentials,
	  "https://a%0Ab%00:pw@h\n",
	  { { "pw", "user a%0Ab%00 at h" } } },
	{ "git-credentials not credentials", credstore_git_credentials,
	  "https://alice@github.com\nhttps://:@h\nhttps://alice:@h\n"
	  "ftp//a:b@c\n://a:b@c\nhttps://a:b@\nsee https://a:b@c now\n",
	  { { NULL, NULL } } },
	{ "netrc one line", credstore_netrc,
	  "machine github.com login alice password Zx81kQp2vTr9\n",
	  { { "Zx81kQp2vTr9", "user alice at github.com" } } },
	{ "netrc multi-line and default", credstore_netrc,
	  "machine api.heroku.com\n  login me@example.org\n"
	  "  password 4bd9f1e2\ndefault login anon password Hq7vR2mX\n",
	  { { "4bd9f1e2", "user me@example.org at api.heroku.com" },
	    { "Hq7vR2mX", "user anon in the default entry" } } },
	{ "netrc macdef body skipped", credstore_netrc,
	  "machine a login u password p1x\nmacdef init\n"
	  "machine b password fake\n\nmachine c login v password p2y\n",
	  { { "p1x", "user u at a" }, { "p2y", "user v at c" } } },
	{ "netrc quoted tokens", credstore_netrc,
	  "machine h login \"a b\" password \"p w\\\"x\"\n",
	  { { "p w\\\"x", "user a b at h" } } },
	{ "netrc comments", credstore_netrc,
	  "# machine x password y\nmachine h password pz # trailing\n",
	  { { "pz", "at h" } } },
	{ "netrc unterminated quote", credstore_netrc,
	  "machine h login u password \"unterminated",
	  { { "unterminated", "user u at h" } } },
	{ "netrc truncated", credstore_netrc,
	  "password early\nmachine h login u password",
	  { { NULL, NULL } } },
	{ "npmrc scoped token", credstore_npmrc,
	  "//registry.npmjs.org/:_authToken=tok-1234567890abcdef\n",
	  { { "tok-1234567890abcdef", "auth token for registry.npmjs.org" } } },
	{ "npmrc quoted default token", credstore_npmrc,
	  "_authToken=\"quoted-token-123\"\n",
	  { { "quoted-token-123", "auth token for the default registry" } } },
	{ "npmrc _auth", credstore_npmrc,
	  "_auth = YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==\n",
	  { { "YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==",
	      "user acme-ci at the default registry" } } },
	{ "npmrc _password with a later username", credstore_npmrc,
	  "//npm.example.com/:_password=aHE3dlIybVhrOVpw\n"
	  "//npm.example.com/:username=ci-bot\n",
	  { { "aHE3dlIybVhrOVpw",
	      "password of user ci-bot at npm.example.com" } } },
	{ "npmrc invalid values", credstore_npmrc,
	  "_auth=!!!notbase64\n_auth=bm90LWEtcGFpci1hdC1hbGw=\n_password=\n"
	  "; _authToken=abc\n_auth=Og==\n_password=@@@\n",
	  { { NULL, NULL } } },
	{ "pypirc password before username", credstore_pypirc,
	  "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\n"
	  "password = 6BZxAqXIkAyfYeDUJt\nusername = alice\n",
	  { { "6BZxAqXIkAyfYeDUJt",
	      "password of repository pypi, user alice" } } },
	{ "pypirc two sections", credstore_pypirc,
	  "[a]\nrepository: https://x.example/simple\nusername: u1\n"
	  "password: p1xx\n[b]\npassword=p2yy\n",
	  { { "p1xx", "password of repository a, user u1, host "
		      "https://x.example/simple" },
	    { "p2yy", "password of repository b" } } },
	{ "pypirc without password", credstore_pypirc,
	  "[pypi]\nusername = alice\n[broken\npassword\n",
	  { { NULL, NULL } } },
	{ "s3cfg", credstore_s3cfg,
	  "[default]\naccess_key = AKIANEUUWETSETE3VLNU\n"
	  "host_base = s3.amazonaws.com\nsecret_key = sR0WuCKZpf3HrYIB\n",
	  { { "sR0WuCKZpf3HrYIB",
	      "secret_key of section default, host s3.amazonaws.com, "
	      "access key AKIA...VLNU" } } },
	{ "aws profiles", credstore_aws,
	  "[default]\naws_access_key_id = AKIATS6F54TAHX6SJFE5\n"
	  "aws_secret_access_key = c7WkoVpYiz5XMSNI\n[profile dev]\n"
	  "aws_secret_access_key=secretTwo\naws_session_token=tokenThree\n",
	  { { "c7WkoVpYiz5XMSNI", "aws_secret_access_key of profile default, "
				  "access key AKIA...JFE5" },
	    { "secretTwo", "aws_secret_access_key of profile dev" },
	    { "tokenThree", "aws_session_token of profile dev" } } },
	{ "gh token before user", credstore_gh_hosts,
	  "github.com:\n    oauth_token: TOKEN1\n    user: alice\n"
	  "    git_protocol: https\n",
	  { { "TOKEN1", "oauth token of user alice at github.com" } } },
	{ "gh users block and second host", credstore_gh_hosts,
	  "github.com:\n    users:\n        alice:\n"
	  "            oauth_token: T2\n"
	  "        bob:\n            oauth_token: \"T3\"\n    user: alice\n"
	  "ghe.example.com:\n    oauth_token: T4 # comment\n",
	  { { "T2", "oauth token of user alice at github.com" },
	    { "T3", "oauth token of user bob at github.com" },
	    { "T4", "oauth token of user (none) at ghe.example.com" } } },
	{ "gh not hosts", credstore_gh_hosts,
	  "all:\n  hosts:\n    web1:\n      ansible_host: 10.0.0.1\n"
	  "oauth_token: T\n",
	  { { NULL, NULL } } },
	{ "docker auths", credstore_docker_config,
	  "{\n  \"auths\": {\n    \"https://index.docker.io/v1/\": {\n"
	  "      \"auth\": \"YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==\"\n"
	  "    }\n  }\n}\n",
	  { { "YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==",
	      "user acme-ci at https://index.docker.io/v1/" } } },
	{ "docker identity token", credstore_docker_config,
	  "{\"auths\": {\"acme.azurecr.io\": {\"auth\": \"\", "
	  "\"identitytoken\": \"kX9vQ2mTz7LbR4wN\"}}}",
	  { { "kX9vQ2mTz7LbR4wN", "identity token for acme.azurecr.io" } } },
	{ "docker legacy dockercfg", credstore_docker_config,
	  "{\"ghcr.io\": {\"auth\": \"ZGVwbG95OmhXNG5COHNRMnlaazZWZA==\", "
	  "\"email\": \"x@example.org\"}}",
	  { { "ZGVwbG95OmhXNG5COHNRMnlaazZWZA==",
	      "user deploy at ghcr.io" } } },
	{ "docker registry name with escapes", credstore_docker_config,
	  "{\"auths\": {\"r\\u002eio\": {\"auth\": \"dXNlcjpwYXNz\"}}}",
	  { { "dXNlcjpwYXNz", "user user at r.io" } } },
	{ "docker not credentials", credstore_docker_config,
	  "{\"auths\": {\"r\": {\"auth\": \"!!\"}, \"s\": {\"auth\": "
	  "\"\\u0064XNlcjpwYXNz\"}, \"t\": [1]}, \"credsStore\": \"desktop\"}",
	  { { NULL, NULL } } },
	{ "docker invalid JSON", credstore_docker_config,
	  "{\"auths\": {\"r\": {\"auth\": \"dXNlcjpwYXNz\"}",
	  { { NULL, NULL } } },
	{ "git-config remote URL", credstore_git_config,
	  "[remote \"origin\"]\n\turl = https://alice:Zx81kQp2vTr9@github.com/"
	  "acme/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
	  { { "Zx81kQp2vTr9",
	      "remote.origin.url, user alice at github.com/acme/app.git" } } },
	{ "git-config url section", credstore_git_config,
	  "[url \"https://ci:tokval123@github.com/\"]\n"
	  "\tinsteadOf = https://github.com/\n\tpushInsteadOf = x\n",
	  { { "tokval123", "[url] section, user ci at github.com/" } } },
	{ "git-config extraheader", credstore_git_config,
	  "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: "
	  "basic YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==\n"
	  "[http]\n\textraHeader = \"PRIVATE-TOKEN: glpat-abc123\"\n",
	  { { "YWNtZS1jaTpUcTl2TG1aM3dLcDJSeA==",
	      "http.https://github.com/.extraheader, header AUTHORIZATION" },
	    { "glpat-abc123", "http.extraHeader, header PRIVATE-TOKEN" } } },
	{ "git-config password in a subsection stays out of details",
	  credstore_git_config,
	  "[http \"https://u:pw9secret@h/\"]\n"
	  "\textraheader = Authorization: Bearer tok123\n",
	  { { "pw9secret", "[http] section, user u at h/" },
	    { "tok123", "http.extraheader, header Authorization" } } },
	{ "git-config without credentials", credstore_git_config,
	  "[remote \"origin\"]\n\turl = https://github.com/acme/app.git\n"
	  "[credential]\n\thelper = store\n[url \"https://github.com/\"]\n"
	  "\tinsteadOf = git@github.com:\n[http]\n\textraheader = X-Trace: 1\n",
	  { { NULL, NULL } } },
};

static void check_case(const struct parse_case *c)
{
	struct got g;
	size_t i, n = 0;

	while (n < 4 && c->want[n].secret)
		n++;
	parse(c->fn, c->input, strlen(c->input), 1, &g);
	cr_expect_eq(g.n, n, "%s: %zu credentials, want %zu", c->name, g.n, n);
	for (i = 0; i < n && i < g.n; i++) {
		cr_expect_str_eq(g.secret[i], c->want[i].secret, "%s", c->name);
		cr_expect_str_eq(g.detail[i], c->want[i].detail, "%s", c->name);
	}
}

Test(credstore, formats)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

Test(credstore, registry)
{
	const char *const *names = credstore_names();
	size_t n;

	for (n = 0; names[n]; n++)
		cr_expect_not_null(credstore_lookup(names[n]), "%s", names[n]);
	cr_expect_eq(n, 10);
	cr_expect_eq(credstore_lookup("netrc"), credstore_netrc);
	cr_expect_null(credstore_lookup("no-such-parser"));
}

Test(credstore, github_token_in_store)
{
	const char *t = th_fake_token("ghp_", 30, 7, 0);
	char input[256];
	struct got g;

	snprintf(input, sizeof(input), "https://x-access-token:%s@github.com\n",
		 t);
	parse(credstore_git_credentials, input, strlen(input), 1, &g);
	cr_assert_eq(g.n, 1);
	cr_expect_str_eq(g.secret[0], t);
	cr_expect_str_eq(g.detail[0], "user x-access-token at github.com");
}

Test(credstore, docker_same_value_found_after_its_registry)
{
	const char *in = "{\"auths\": {\"a.io\": {\"auth\": \"dXNlcjpwYXNz\"}, "
			 "\"b.io\": {\"auth\": \"dXNlcjpwYXNz\"}}}";
	struct got g;

	parse(credstore_docker_config, in, strlen(in), 1, &g);
	cr_assert_eq(g.n, 2);
	cr_expect_neq(g.offset[0], g.offset[1]);
	cr_expect_str_eq(g.detail[0], "user user at a.io");
	cr_expect_str_eq(g.detail[1], "user user at b.io");
}

Test(credstore, ini_section_with_many_secrets)
{
	char in[1024];
	size_t len;
	struct got g;
	int i;

	len = (size_t)snprintf(in, sizeof(in), "[default]\n");
	for (i = 0; i < 11; i++)
		len += (size_t)snprintf(in + len, sizeof(in) - len,
					"aws_session_token = tok%02d\n", i);
	parse(credstore_aws, in, len, 1, &g);
	cr_expect_eq(g.n, 11);
	cr_expect_str_eq(g.secret[10], "tok10");
}

Test(credstore, store_reports_once)
{
	const char *in = "machine h login u password p1xx\n"
			 "machine h2 login v password p2yy\n";
	struct got g;

	parse(credstore_any, in, strlen(in), 1, &g);
	cr_assert_eq(g.n, 1);
	cr_expect_str_eq(g.secret[0], "p1xx");
	cr_expect(strstr(g.detail[0], ".netrc credential store"), "%s",
		  g.detail[0]);
	/* A credential the filters drop does not make the store finding. */
	parse(credstore_any, in, strlen(in), 0, &g);
	cr_expect_eq(g.n, 2);
}

static int stop_at_once(const struct credstore_cred *c, void *payload)
{
	(void)c;
	(*(int *)payload)++;
	return -7;
}

Test(credstore, a_negative_emit_stops_every_parser)
{
	const char *in = "https://a:pw1x@h\nhttps://b:pw2y@h\n";
	int calls = 0;

	cr_expect_eq(credstore_git_credentials(in, strlen(in), stop_at_once,
					       &calls), -7);
	cr_expect_eq(calls, 1);
}

/* A 1 MiB line, then a credential: still found, nothing read past. */
Test(credstore, huge_lines)
{
	size_t big = 1u << 20, len;
	char *in = malloc(big + 64);
	struct got g;

	cr_assert_not_null(in);
	memcpy(in, "https://u:", 10);
	memset(in + 10, 'p', big);
	len = 10 + big;
	memcpy(in + len, "@h\n", 3);
	parse(credstore_git_credentials, in, len + 3, 1, &g);
	cr_expect_eq(g.n, 1);
	memset(in, 'x', big);
	memcpy(in + big, " password", 9);
	parse(credstore_netrc, in, big + 9, 1, &g);
	cr_expect_eq(g.n, 0);
	free(in);
}

/* Every prefix of every case: truncated input never reads past its end. */
Test(credstore, truncated_inputs)
{
	size_t i, cut, found = 0;
	struct got g;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (cut = 0; cut < strlen(cases[i].input); cut++) {
			parse(cases[i].fn, cases[i].input, cut, 1, &g);
			found += g.n;
		}
	}
	/* Cut credentials are still credentials (a shorter password). */
	cr_expect_gt(found, 0);
}

/* Random bytes, biased to the formats' syntax, through every parser. */
Test(credstore, random_input)
{
	static const char alphabet[] = "ab:@/%=[]\"'{}#;\n \t\\0Aglpm_-.\r";
	const char *const *names = credstore_names();
	unsigned x = 12345;
	char in[300];
	size_t i, j, k;
	struct got g;

	for (i = 0; names[i]; i++) {
		for (j = 0; j < 3000; j++) {
			size_t len = (x >> 3) % sizeof(in);
			for (k = 0; k < len; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				in[k] = alphabet[x % (sizeof(alphabet) - 1)];
			}
			parse(credstore_lookup(names[i]), in, len, 1, &g);
		}
	}
}

/* ---- the rule hook: loading, path selection, the engine's checks ------ */

struct seen_match {
	size_t n;
	char rule[4][64];
	char secret[4][128];
	char detail[4][256];
	enum confidence confidence[4];
	size_t line[4];
};

static int on_match(const struct engine_match *m, void *payload)
{
	struct seen_match *s = payload;

	if (s->n < 4) {
		snprintf(s->rule[s->n], sizeof(s->rule[0]), "%s", m->rule->id);
		snprintf(s->secret[s->n], sizeof(s->secret[0]), "%.*s",
			 (int)m->secret_len, m->secret);
		snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s",
			 m->detail ? m->detail : "(null)");
		s->confidence[s->n] = m->confidence;
		s->line[s->n] = m->line;
	}
	s->n++;
	return 0;
}

static const char hook_rules[] =
	"rules:\n"
	"  - id: t-netrc\n"
	"    parser: netrc\n"
	"    path: '(^|/)\\.netrc$'\n"
	"    validate: github-crc32\n"
	"  - id: t-token\n"
	"    keywords: [tok_]\n"
	"    pattern: '(tok_[a-z0-9]{8})'\n";

struct hook {
	struct rule_set rs;
	struct engine *e;
	struct engine_worker *w;
};

static void hook_init(struct hook *h)
{
	struct lg_error err = LG_ERROR_INIT;

	memset(h, 0, sizeof(*h));
	cr_assert_eq(rules_load_yaml(&h->rs, hook_rules, strlen(hook_rules),
				     "hook.yaml", &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&h->e, &h->rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_worker_new(&h->w, h->e, &err), 0, "%s", err.msg);
}

static void hook_release(struct hook *h)
{
	engine_worker_free(h->w);
	engine_free(h->e);
	rules_release(&h->rs);
}

static void hook_scan(struct hook *h, const char *text, const char *path,
		      struct seen_match *s)
{
	struct engine_callbacks cb = { on_match, NULL, s };

	memset(s, 0, sizeof(*s));
	cr_assert_eq(engine_scan(h->w, text, strlen(text), path, &cb), 0);
}

Test(credstore, parser_rule_runs_on_the_files_its_path_selects)
{
	const char *text =
		"machine h.example login bob password Zx81kQp2vTr9\n";
	struct seen_match s;
	struct hook h;

	hook_init(&h);
	hook_scan(&h, text, "home/.netrc", &s);
	cr_assert_eq(s.n, 1);
	cr_expect_str_eq(s.rule[0], "t-netrc");
	cr_expect_str_eq(s.secret[0], "Zx81kQp2vTr9");
	cr_expect_str_eq(s.detail[0], "user bob at h.example");
	hook_scan(&h, text, "docs/netrc.md", &s);
	cr_expect_eq(s.n, 0);
	/* No path (rule examples): every parser rule runs. */
	hook_scan(&h, text, NULL, &s);
	cr_expect_eq(s.n, 1);
	hook_release(&h);
}

Test(credstore, parser_credentials_pass_the_engine_checks)
{
	char text[512];
	struct seen_match s;
	struct hook h;

	hook_init(&h);
	snprintf(text, sizeof(text),
		 "machine a login u password %s\n"
		 "machine b login v password %s\n"
		 "machine c login w password changeme\n"
		 "machine d login x password Zx81kQp2vTr9 # leakgate:allow\n",
		 th_fake_token("ghp_", 30, 3, 0),
		 th_fake_token_bad("ghp_", 30, 4, 1));
	hook_scan(&h, text, ".netrc", &s);
	cr_assert_eq(s.n, 1, "%s", s.secret[1]);
	cr_expect_str_eq(s.detail[0], "user u at a");
	cr_expect_eq(s.confidence[0], CONFIDENCE_CHECKSUM);
	cr_expect_eq(s.line[0], 1);
	hook_release(&h);
}

Test(credstore, scan_rule_runs_one_rule_anywhere)
{
	const char *text =
		"machine h login u password Zx81kQp2vTr9 tok_abcd1234\n";
	struct engine_callbacks cb;
	struct seen_match s;
	struct hook h;

	hook_init(&h);
	memset(&s, 0, sizeof(s));
	cb.match = on_match;
	cb.limit = NULL;
	cb.payload = &s;
	cr_assert_eq(engine_scan_rule(h.w, rules_find(&h.rs, "t-netrc"), text,
				      strlen(text), &cb), 0);
	cr_assert_eq(s.n, 1);
	cr_expect_str_eq(s.rule[0], "t-netrc");
	memset(&s, 0, sizeof(s));
	cr_assert_eq(engine_scan_rule(h.w, rules_find(&h.rs, "t-token"), text,
				      strlen(text), &cb), 0);
	cr_assert_eq(s.n, 1);
	cr_expect_str_eq(s.secret[0], "tok_abcd1234");
	cr_expect_str_eq(s.detail[0], "(null)");
	hook_release(&h);
}

struct load_case {
	const char *yaml;
	const char *error;
};

static const struct load_case load_cases[] = {
	{ "rules:\n  - id: a\n    parser: nope\n    path: x\n",
	  "unknown parser 'nope'" },
	{ "rules:\n  - id: a\n    parser: netrc\n",
	  "a parser rule needs 'path'" },
	{ "rules:\n  - id: a\n    parser: netrc\n    path: x\n    pattern: y\n",
	  "'pattern' or 'parser', not both" },
	{ "rules:\n  - id: a\n    parser: netrc\n    path: x\n"
	  "    keywords: [k]\n",
	  "a parser rule takes no 'keywords'" },
	{ "rules:\n  - id: a\n    path: x\n", "missing 'pattern'" },
};

Test(credstore, parser_rules_load_errors)
{
	size_t i;

	for (i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
		struct rule_set rs = RULE_SET_INIT;
		struct lg_error err = LG_ERROR_INIT;
		const char *y = load_cases[i].yaml;

		cr_expect_eq(rules_load_yaml(&rs, y, strlen(y), "t.yaml", &err),
			     LG_ERR_PARSE);
		cr_expect(strstr(err.msg, load_cases[i].error), "%s", err.msg);
		cr_expect_eq(rs.n, 0);
		rules_release(&rs);
	}
}
