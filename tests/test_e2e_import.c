/*
 * `leakgate rules import-gitleaks` end to end, on a gitleaks config of the
 * shape teams write: custom rules, [extend], global and per-rule
 * allowlists in both the old and the new syntax.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

TH_REPO_SUITE(e2e_import, dir, .timeout = 120);

static const char gitleaks_toml[] =
	"title = \"Acme gitleaks config\"\n"
	"\n"
	"[extend]\n"
	"useDefault = true\n"
	"disabledRules = [\"generic-api-key\", \"github-pat-classic\"]\n"
	"\n"
	"[[rules]]\n"
	"id = \"acme-api-key\"\n"
	"description = \"Acme API key\"\n"
	"regex = '''(?i)\\b(acme_[a-z0-9]{32})\\b'''\n"
	"secretGroup = 1\n"
	"entropy = 3.5\n"
	"keywords = [\"acme_\"]\n"
	"tags = [\"acme\"]\n"
	"\n"
	"[rules.allowlist]\n"
	"regexes = ['''^acme_test''']\n"
	"paths = ['''(^|/)testdata/''']\n"
	"stopwords = [\"example\"]\n"
	"\n"
	"[[rules]]\n"
	"id = \"acme-unicode\"\n"
	"regex = '''\\x{2028}acme_[A-Z]{10}'''\n"
	"\n"
	"[[rules]]\n"
	"id = \"pem-file\"\n"
	"path = '''\\.pem$'''\n"
	"\n"
	"[[rules]]\n"
	"id = \"acme-internal\"\n"
	"regex = '''internal_[0-9a-f]{20}'''\n"
	"[[rules.allowlists]]\n"
	"condition = \"AND\"\n"
	"regexes = ['''^internal_0''']\n"
	"paths = ['''docs/''']\n"
	"[[rules.allowlists]]\n"
	"regexTarget = \"line\"\n"
	"regexes = ['''nosecret''']\n"
	"\n"
	"[allowlist]\n"
	"paths = ['''(^|/)vendor/''', '''\\.lock$''']\n"
	"stopwords = [\"dummy\"]\n"
	"\n"
	"[[allowlists]]\n"
	"targetRules = [\"acme-api-key\", \"nope\"]\n"
	"regexes = ['''(?i)sample''']\n";

static const char *const notes[] = {
	"gitleaks.toml:23: rule 'acme-unicode': not converted",
	"gitleaks.toml:25: rule 'pem-file': no regex",
	"gitleaks.toml:32: rule 'acme-internal': condition = \"AND\"",
	"regexTarget = \"line\"",
	"targetRules: no rule 'nope'",
	"gitleaks.toml:5: [extend] disabledRules: leakgate has no rule "
	"'generic-api-key'",
	"7 things not converted",
};

Test(e2e_import, converts_and_names_what_it_cannot)
{
	struct run_result r;
	size_t i;

	th_write(dir, "gitleaks.toml", gitleaks_toml);
	r = TH_LG(dir, "rules", "import-gitleaks", "gitleaks.toml", "-o",
	       "lg/acme.yaml");
	cr_expect_eq(r.status, 2, "no directory lg/: %s", r.err);
	th_run_release(&r);
	th_write(dir, "lg/.keep", "");
	r = TH_LG(dir, "rules", "import-gitleaks", "gitleaks.toml", "-o",
	       "lg/acme.yaml");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "2 rules written to lg/acme.yaml"), "%s", r.err);
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		cr_expect(strstr(r.err, notes[i]), "want '%s' in: %s", notes[i],
			  r.err);
	th_run_release(&r);
	/* Never overwrites. */
	r = TH_LG(dir, "rules", "import-gitleaks", "gitleaks.toml", "-o",
	       "lg/acme.yaml");
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strstr(r.err, "exists"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(dir, "config", "check", "lg/.leakgate.yaml");
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	th_run_release(&r);
}

Test(e2e_import, the_result_scans_like_gitleaks_would)
{
	const char *ghp = th_fake_token("ghp_", 30, 7, 0);
	struct run_result r;
	char line[128];

	th_write(dir, "gitleaks.toml", gitleaks_toml);
	th_write(dir, "lg/.keep", "");
	r = TH_LG(dir, "rules", "import-gitleaks", "gitleaks.toml", "-o",
	       "lg/acme.yaml");
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	th_write(dir, "src/a.txt", "k = acme_q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3\n");
	th_write(dir, "src/testdata/b.txt",
		 "k = acme_z8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3\n");
	th_write(dir, "vendor/c.txt", "k = acme_x8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3\n");
	th_write(dir, "src/d.txt", "k = acme_sample6r5t4y3u2i1o0p9a8s7d6f5g4h\n");
	snprintf(line, sizeof(line), "t = %s\n", ghp);
	th_write(dir, "src/e.txt", line);
	r = TH_LG(dir, "scan", "-q", "--config", "lg/.leakgate.yaml", "-f", "csv",
	       ".");
	cr_expect_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_expect_eq(th_count(r.out, "acme-api-key"), 1, "%s", r.out);
	cr_expect(strstr(r.out, "src/a.txt"), "%s", r.out);
	cr_expect(!strstr(r.out, "github-pat-classic"), "disabled: %s", r.out);
	th_run_release(&r);
}

Test(e2e_import, malformed_toml_names_file_and_line)
{
	struct run_result r;

	th_write(dir, "bad.toml", "[[rules]]\nid = \"x\"\nregex = \"C:\\dir\"\n");
	r = TH_LG(dir, "rules", "import-gitleaks", "bad.toml");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "bad.toml:3: unknown escape"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(dir, "rules", "import-gitleaks", "missing.toml");
	cr_expect_eq(r.status, 2);
	th_run_release(&r);
}
