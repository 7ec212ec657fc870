/*
 * .leakgate.yaml end to end: rule edits, allowlists, option defaults and
 * their precedence, `config check`, and malformed configs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "helpers.h"

TH_REPO_SUITE(e2e_config, dir, .timeout = 120);

/* Writes "key = <token>\n" to dir/rel; returns the token. */
static const char *plant(const char *rel, unsigned seed, int slot)
{
	const char *t = th_fake_token("ghp_", 30, seed, slot);
	struct buf b = BUF_INIT;

	buf_addf(&b, "key = %s\n", t);
	th_write(dir, rel, b.ptr);
	buf_release(&b);
	return t;
}

/* Asserts r's status; returns its stdout (owned) and releases the rest. */
static char *expect_status(struct run_result r, int status)
{
	char *out = r.out;

	cr_assert_eq(r.status, status, "status %d, want %d: %s%s", r.status,
		     status, r.out, r.err);
	r.out = NULL;
	th_run_release(&r);
	return out;
}

#define SCAN(status, ...) \
	expect_status(TH_LG(dir, "scan", "-q", "--no-progress", __VA_ARGS__), \
		      status)

Test(e2e_config, disable_drops_a_rule)
{
	plant("a.txt", 1, 0);
	free(SCAN(1, "."));
	th_write(dir, ".leakgate.yaml", "disable: [github-pat-classic]\n");
	free(SCAN(0, "."));
	/* --no-config: the built-in set again. */
	free(SCAN(1, "--no-config", "."));
}

Test(e2e_config, exclude_paths_are_gitignore_globs)
{
	const char *kept = plant("src/app.txt", 1, 0);
	const char *vendored = plant("vendor/lib/x.txt", 2, 1);
	const char *fixture = plant("tests/fixtures/deep/y.txt", 3, 2);
	const char *minified = plant("web/app.min.js", 4, 3);
	char *out;

	th_write(dir, ".leakgate.yaml",
		 "exclude-paths:\n  - vendor/\n  - 'tests/fixtures/**'\n"
		 "  - '*.min.js'\n");
	out = SCAN(1, "--show-secrets", ".");
	cr_expect(strstr(out, kept), "%s", out);
	cr_expect(!strstr(out, vendored), "%s", out);
	cr_expect(!strstr(out, fixture), "%s", out);
	cr_expect(!strstr(out, minified), "%s", out);
	free(out);
}

Test(e2e_config, allowlists_global_and_per_rule)
{
	const char *a = plant("a.txt", 1, 0);
	const char *b = plant("b.txt", 2, 1);
	const char *c = plant("docs/c.txt", 3, 2);
	const char *d = plant("d.txt", 4, 3);
	struct buf cfg = BUF_INIT;
	char *out;

	/* a by a global regex, b by a stopword (any case), c by the rule's paths. */
	buf_addf(&cfg, "allow: ['^%.10s']\n"
		 "overrides:\n  github-pat-classic:\n"
		 "    stopwords: ['%.8s']\n"
		 "    exclude-paths: [docs/]\n", a, b + 6);
	th_write(dir, ".leakgate.yaml", cfg.ptr);
	out = SCAN(1, "--show-secrets", ".");
	cr_expect(!strstr(out, a), "%s", out);
	cr_expect(!strstr(out, b), "%s", out);
	cr_expect(!strstr(out, c), "%s", out);
	cr_expect(strstr(out, d), "%s", out);
	free(out);
	buf_release(&cfg);
}

Test(e2e_config, severity_and_defaults_with_cli_precedence)
{
	char *out;

	plant("a.txt", 1, 0);
	th_write(dir, ".leakgate.yaml",
		 "overrides:\n  github-pat-classic:\n    severity: low\n"
		 "defaults:\n  fail-on: high\n  format: json\n  exit-code: 7\n");
	/* The config's fail-on: a low finding does not fail. */
	out = SCAN(0, ".");
	cr_expect(out[0] == '[', "format json from the config: %s", out);
	cr_expect(strstr(out, "\"low\""), "%s", out);
	free(out);
	/* The command line wins over the config. */
	out = SCAN(7, "--fail-on", "low", ".");
	free(out);
	out = SCAN(7, "--fail-on=low", "-fcsv", ".");
	cr_expect(out[0] != '[', "csv from the command line: %s", out);
	free(out);
}

Test(e2e_config, extra_rule_files_relative_to_the_config)
{
	struct run_result r;

	th_write(dir, "conf/rules.yaml",
		 "rules:\n  - id: acme-key\n    name: Acme key\n"
		 "    severity: high\n    keywords: [acme_]\n"
		 "    pattern: '(acme_[A-Za-z0-9]{16})'\n");
	th_write(dir, "conf/lg.yaml", "rules: [rules.yaml]\n");
	th_write(dir, "x.txt", "k = acme_Q7wz9pKr3mVx2LbT\n");
	r = TH_LG(dir, "scan", "-q", "--config", "conf/lg.yaml", ".");
	cr_expect_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "acme-key"), "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "scan", "-q", ".");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	th_run_release(&r);
}

/* Config text, and what the error must name. */
static const struct bad_config {
	const char *text;
	const char *want;
} bad_configs[] = {
	{ "disable: [x]\nexclude-path: [a]\n", ".leakgate.yaml:2: exclude-path: unknown key" },
	{ "allow: ['(unclosed']\n", ".leakgate.yaml:1: top level: bad regex" },
	{ "disable: github-pat-classic\n", ".leakgate.yaml:1: disable: must be a list" },
	{ "overrides:\n  github-pat-classic:\n    severity: huge\n", ".leakgate.yaml:3: severity" },
	{ "overrides:\n  github-pat-classic:\n    paths: [a]\n", ".leakgate.yaml:3: paths: unknown key" },
	{ "defaults:\n  threads: many\n", ".leakgate.yaml:2: threads takes 1 to 1024" },
	{ "defaults:\n  since: 2020-01-01\n", ".leakgate.yaml:2: defaults: unknown key 'since'" },
	{ "defaults:\n  group: maybe\n", ".leakgate.yaml:2: group takes true or false" },
	{ "disable: [a, b]\ndisable: [c]\n", ".leakgate.yaml:2: disable: given twice" },
	{ "disable: [no-such-rule]\n", ".leakgate.yaml:1: disable: no rule 'no-such-rule'" },
	{ "allow-commits: [xyz]\n", ".leakgate.yaml:1: top level: allow-commits" },
	{ "rules: [missing.yaml]\n", ".leakgate.yaml:1: rules:" },
	{ "disable: [a\n", ".leakgate.yaml:2" },
	{ "- a\n- b\n", ".leakgate.yaml:1: top level: must be a mapping" },
};

Test(e2e_config, malformed_configs_fail_with_file_line_and_key)
{
	size_t i;

	plant("a.txt", 1, 0);
	for (i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		const char *cmds[] = { "scan", "config" };
		size_t j;

		th_write(dir, ".leakgate.yaml", bad_configs[i].text);
		for (j = 0; j < 2; j++) {
			struct run_result r = j ? TH_LG(dir, "config", "check")
						: TH_LG(dir, "scan", "-q", ".");

			cr_expect_eq(r.status, 2, "%s: %s gave %d: %s",
				     bad_configs[i].text, cmds[j], r.status,
				     r.err);
			cr_expect(strstr(r.err, bad_configs[i].want),
				  "%s: %s: want '%s' in: %s", cmds[j],
				  bad_configs[i].text, bad_configs[i].want,
				  r.err);
			th_run_release(&r);
		}
	}
}

Test(e2e_config, config_check_accepts_a_good_file)
{
	struct run_result r;

	th_write(dir, "lg.yaml", "disable: [github-pat-classic]\n"
		 "defaults:\n  format: sarif\n  respect-gitignore: true\n");
	r = TH_LG(dir, "config", "check", "lg.yaml");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "lg.yaml: ok"), "%s", r.out);
	th_run_release(&r);
	r = TH_LG(dir, "config", "check");
	cr_expect_eq(r.status, 2, "no .leakgate.yaml: %s", r.err);
	th_run_release(&r);
}

Test(e2e_config, git_commands_honour_it)
{
	struct run_result r;

	plant("vendor/a.txt", 1, 0);
	th_git_commit(dir, "vendored");
	r = TH_LG(dir, "history", "-q");
	cr_expect_eq(r.status, 1, "%s%s", r.out, r.err);
	th_run_release(&r);
	th_write(dir, ".leakgate.yaml", "exclude-paths: [vendor/]\n");
	r = TH_LG(dir, "history", "-q");
	cr_expect_eq(r.status, 0, "history: %s%s", r.out, r.err);
	th_run_release(&r);
	plant("vendor/b.txt", 2, 1);
	th_shf(dir, "git add -A");
	r = TH_LG(dir, "staged", "-q");
	cr_expect_eq(r.status, 0, "staged: %s%s", r.out, r.err);
	th_run_release(&r);
	th_git_commit(dir, "more");
	r = TH_LG(dir, "range", "-q", "HEAD~1..HEAD");
	cr_expect_eq(r.status, 0, "range: %s%s", r.out, r.err);
	th_run_release(&r);
	th_write(dir, ".leakgate.yaml", "bogus: 1\n");
	r = TH_LG(dir, "staged", "-q");
	cr_expect_eq(r.status, 2, "staged, bad config: %s%s", r.out, r.err);
	th_run_release(&r);
}
