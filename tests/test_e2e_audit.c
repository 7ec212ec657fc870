/* `leakgate audit` end to end: a fake home directory with every store. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "helpers.h"

static char *home;

static void setup(void)
{
	home = th_tmpdir();
	/* The machine's own /etc/gitconfig is not part of these tests. */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_CONFIG_SYSTEM");
	unsetenv("XDG_CONFIG_HOME");
}

static void teardown(void)
{
	th_rmtree(home);
	home = NULL;
}

TestSuite(e2e_audit, .init = setup, .fini = teardown, .timeout = 60);

static char *in_home(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", home, rel);
	return buf_detach(&b);
}

/* Writes a store with the given mode. */
static void store(const char *rel, const char *text, mode_t mode)
{
	char *path = in_home(rel);

	th_write(home, rel, text);
	cr_assert_eq(chmod(path, mode), 0);
	free(path);
}

/* Runs `audit --home HOME --repos HOME/none -f json` plus extra args. */
static struct run_result audit_json(const char *extra)
{
	char *repos = in_home("no-repos");
	struct run_result r;

	mkdir(repos, 0755);
	if (extra)
		r = TH_LG(home, "audit", "--home", home, "--repos", repos, "-f",
		       "json", extra);
	else
		r = TH_LG(home, "audit", "--home", home, "--repos", repos, "-f",
		       "json");
	free(repos);
	return r;
}

static json_t *findings_of(const struct run_result *r)
{
	json_error_t jerr;
	json_t *j = json_loads(r->out, 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s): %s\nstderr: %s", jerr.text,
			   r->out, r->err);
	cr_assert(json_is_array(j));
	return j;
}

static const char *str(json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

/* The finding of rule whose path ends with suffix and detail holds words. */
static json_t *find(json_t *all, const char *rule, const char *suffix,
		    const char *words)
{
	size_t i, n = strlen(suffix);
	json_t *f;

	json_array_foreach(all, i, f) {
		const char *id = str(f, "rule"), *path = str(f, "path");
		const char *detail = str(f, "detail");
		size_t len = path ? strlen(path) : 0;

		if (!id || strcmp(id, rule) || len < n ||
		    strcmp(path + len - n, suffix))
			continue;
		if (!words || (detail && strstr(detail, words)))
			return f;
	}
	return NULL;
}

static size_t count_rule(json_t *all, const char *rule)
{
	size_t i, n = 0;
	json_t *f;

	json_array_foreach(all, i, f)
		n += !strcmp(str(f, "rule"), rule);
	return n;
}

/* Every kind of plain-text store, private (0600). */
static void plant_every_store(mode_t mode)
{
	store(".git-credentials", "https://alice:Zx81kQp2vTr9@github.com\n",
	      mode);
	store(".config/git/credentials", "https://carol%40corp.example:"
	      "Pq7wX2nV9kL@git.corp.example\n", mode);
	store(".netrc", "machine api.heroku.com\n  login me@example.org\n"
	      "  password 4bd9f1e2-77aa-4c1b-9e1f\n", mode);
	store("_netrc", "machine ftp.example.org login dave "
	      "password Rt5yU8iO2pQ\n", mode);
	store(".config/gh/hosts.yml", "github.com:\n    oauth_token: "
	      "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\n    user: alice\n",
	      mode);
	store(".npmrc", "//registry.npmjs.org/:_authToken="
	      "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\n", mode);
	store(".pypirc", "[pypi]\nusername = erin\n"
	      "password = 6BZxAqXIkAyfYeDUJt\n", mode);
	store(".docker/config.json", "{\"auths\": {\"ghcr.io\": {\"auth\": "
	      "\"ZGVwbG95OmhXNG5COHNRMnlaazZWZA==\"}}}", mode);
	store(".aws/credentials", "[default]\naws_access_key_id = "
	      "AKIATS6F54TAHX6SJFE5\naws_secret_access_key = "
	      "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\n", mode);
	store(".s3cfg", "[default]\naccess_key = AKIANEUUWETSETE3VLNU\n"
	      "secret_key = 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\n", mode);
}

Test(e2e_audit, every_store_in_a_private_home)
{
	struct run_result r;
	json_t *all;

	plant_every_store(0600);
	r = audit_json(NULL);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	all = findings_of(&r);
	cr_expect_not_null(find(all, "git-credential-store",
				"/.git-credentials",
				"user alice at github.com; revoke"));
	cr_expect_not_null(find(all, "git-credential-store", "/git/credentials",
				"user carol@corp.example at git.corp.example"));
	cr_expect_not_null(find(all, "netrc-credentials", "/.netrc",
				"user me@example.org at api.heroku.com"));
	cr_expect_not_null(find(all, "netrc-credentials", "/_netrc",
				"user dave at ftp.example.org"));
	cr_expect_not_null(find(all, "gh-cli-hosts-token", "/gh/hosts.yml",
				"user alice at github.com; gh auth logout"));
	cr_expect_not_null(find(all, "npmrc-credentials", "/.npmrc",
				"registry.npmjs.org; revoke the token"));
	cr_expect_not_null(find(all, "pypirc-credentials", "/.pypirc",
				"repository pypi, user erin"));
	cr_expect_not_null(find(all, "docker-config-credentials",
				"/.docker/config.json",
				"user deploy at ghcr.io"));
	cr_expect_not_null(find(all, "aws-credentials-file",
				"/.aws/credentials",
				"profile default, access key AKIA...JFE5"));
	cr_expect_not_null(find(all, "s3cfg-credentials", "/.s3cfg",
				"access key AKIA...VLNU"));
	cr_expect_eq(json_array_size(all), 10, "%s", r.out);
	cr_expect_eq(count_rule(all, "credential-file-permissions"), 0);
	/* Redacted unless asked. */
	cr_expect_null(strstr(r.out, "Zx81kQp2vTr9"));
	cr_expect_null(strstr(r.out, "c7WkoVpYiz5XMSNIm0JN5cnWDqCMpQrBJkm97"));
	json_decref(all);
	th_run_release(&r);
}

Test(e2e_audit, files_others_can_read)
{
	struct run_result r;
	json_t *all, *f;

	plant_every_store(0600);
	store(".netrc", "machine h.example login u password Zx81kQp2vTr9\n",
	      0644);
	store(".aws/credentials", "[dev]\naws_secret_access_key = "
	      "c7WkoVpYiz5XMSNIm0JN5cnWDqCMpQrBJkm97rSl\n", 0640);
	/* No credential in it: its mode does not matter. */
	store(".npmrc", "registry=https://registry.npmjs.org/\n", 0644);
	r = audit_json(NULL);
	all = findings_of(&r);
	cr_expect_eq(count_rule(all, "credential-file-permissions"), 2, "%s",
		     r.out);
	f = find(all, "credential-file-permissions", "/.netrc", "mode 0644");
	cr_assert_not_null(f);
	cr_expect(strstr(str(f, "detail"), "every user"));
	cr_expect_str_eq(str(f, "severity"), "high");
	cr_expect_not_null(find(all, "credential-file-permissions",
				"/.aws/credentials", "its group"));
	cr_expect_null(find(all, "credential-file-permissions", "/.npmrc",
			    NULL));
	json_decref(all);
	th_run_release(&r);
}

Test(e2e_audit, store_helper_at_every_level)
{
	struct run_result r;
	char *system = in_home("etc/gitconfig");
	json_t *all, *f;

	th_write(home, "etc/gitconfig", "[core]\n\tautocrlf = false\n"
		 "[credential]\n\thelper = store\n");
	setenv("GIT_CONFIG_SYSTEM", system, 1);
	unsetenv("GIT_CONFIG_NOSYSTEM");
	th_write(home, ".gitconfig", "[user]\n\tname = T\n[include]\n"
		 "\tpath = dotfiles/git.inc\n");
	th_write(home, "dotfiles/git.inc", "[credential \"https://x\"]\n"
		 "\thelper = \"store --file ~/secret/creds\"\n");
	store("secret/creds", "https://frank:Vb6nM3kJ8hG@x.example\n", 0600);
	th_write(home, ".config/git/config", "[credential]\n"
		 "\thelper = /usr/lib/git-core/git-credential-store\n");
	r = audit_json(NULL);
	all = findings_of(&r);
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(find(all, "credential-helper-store", "etc/gitconfig",
				"/.git-credentials in plain text"));
	f = find(all, "credential-helper-store", "etc/gitconfig", NULL);
	cr_expect_eq(json_integer_value(json_object_get(f, "line")), 4);
	cr_expect_not_null(find(all, "credential-helper-store",
				"/dotfiles/git.inc",
				"/secret/creds in plain text"));
	cr_expect_not_null(find(all, "credential-helper-store",
				"/.config/git/config",
				"credential.helper manager"));
	/* The file the helper names is audited as a store. */
	cr_expect_not_null(find(all, "git-credential-store", "/secret/creds",
				"user frank at x.example"));
	cr_expect_eq(count_rule(all, "credential-helper-store"), 3, "%s",
		     r.out);
	json_decref(all);
	th_run_release(&r);
	free(system);
}

/* Tools told by the environment to keep credentials elsewhere. */
Test(e2e_audit, stores_the_environment_moves_are_audited)
{
	struct run_result r;
	char *repos = in_home("no-repos"), *at;
	json_t *all;

	store("moved/gitconfig", "[credential]\n\thelper = store\n", 0600);
	store("moved/docker/config.json", "{\"auths\": {\"ghcr.io\": "
	      "{\"auth\": \"ZGVwbG95OmhXNG5COHNRMnlaazZWZA==\"}}}", 0600);
	store("moved/gh/hosts.yml", "github.com:\n    oauth_token: "
	      "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\n    user: alice\n",
	      0600);
	store("moved/aws-creds", "[default]\naws_access_key_id = "
	      "AKIATS6F54TAHX6SJFE5\naws_secret_access_key = "
	      "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\n", 0600);
	cr_assert_eq(mkdir(repos, 0700), 0);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	at = in_home("moved/gitconfig");
	setenv("GIT_CONFIG_GLOBAL", at, 1);
	free(at);
	at = in_home("moved/docker");
	setenv("DOCKER_CONFIG", at, 1);
	free(at);
	at = in_home("moved/gh");
	setenv("GH_CONFIG_DIR", at, 1);
	free(at);
	at = in_home("moved/aws-creds");
	setenv("AWS_SHARED_CREDENTIALS_FILE", at, 1);
	free(at);
	r = TH_LG(home, "audit", "--repos", repos, "-f", "json");
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	all = findings_of(&r);
	cr_expect_not_null(find(all, "credential-helper-store",
				"/moved/gitconfig", NULL), "%s", r.out);
	cr_expect_not_null(find(all, "docker-config-credentials",
				"/moved/docker/config.json", "ghcr.io"));
	cr_expect_not_null(find(all, "gh-cli-hosts-token",
				"/moved/gh/hosts.yml", "user alice"));
	cr_expect_not_null(find(all, "aws-credentials-file",
				"/moved/aws-creds", "profile default"));
	json_decref(all);
	th_run_release(&r);
	free(repos);
}

Test(e2e_audit, keychain_helpers_are_fine)
{
	struct run_result r;

	th_write(home, ".gitconfig", "[credential]\n\thelper = osxkeychain\n"
		 "\thelper =\n\thelper = !gh auth git-credential\n"
		 "[credential \"https://corp\"]\n\thelper = manager-core\n"
		 "\thelper = cache --timeout 600\n"
		 "\thelper = !f() { echo; }; f\n");
	store(".npmrc", "registry=https://registry.npmjs.org/\n", 0644);
	r = audit_json(NULL);
	cr_expect_eq(r.status, 0, "%s", r.out);
	cr_expect_str_eq(r.out, "[]\n");
	cr_expect(strstr(r.err, ".gitconfig:2: credential.helper osxkeychain "
			 "keeps credentials in the OS keychain: fine"), "%s",
		  r.err);
	cr_expect(strstr(r.err, "credential.helper gh asks a tool"), "%s",
		  r.err);
	cr_expect(strstr(r.err, ":6: credential.helper manager-core"), "%s",
		  r.err);
	cr_expect(strstr(r.err, "credential.helper cache keeps credentials in "
			 "memory"), "%s", r.err);
	cr_expect(strstr(r.err, "credential.helper f(): not a helper leakgate "
			 "knows"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(home, "audit", "--home", home, "-q");
	cr_expect_str_eq(r.err, "");
	th_run_release(&r);
}

static void git_repo_with_remote(const char *rel, const char *url)
{
	char *dir = in_home(rel);
	struct buf cmd = BUF_INIT;
	struct run_result r;

	mkdir(dir, 0755);
	th_git_init(dir);
	buf_addf(&cmd, "git remote add origin '%s'", url);
	r = th_sh(dir, cmd.ptr);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_run_release(&r);
	buf_release(&cmd);
	free(dir);
}

Test(e2e_audit, repositories_with_credential_urls)
{
	struct run_result r;
	char *src = in_home("src"), *leaky = in_home("src/leaky");
	char *deeper = in_home("src/deeper");
	json_t *all;

	mkdir(src, 0755);
	mkdir(deeper, 0755);
	git_repo_with_remote("src/leaky", "https://bob:Hq7vR2mXk9Zp@"
			     "git.example.org/team/app.git");
	git_repo_with_remote("src/clean", "https://github.com/acme/app.git");
	git_repo_with_remote("src/deeper/also", "https://x-access-token:"
			     "Nm4bV7cX1zQ@github.com/o/r");
	r = TH_LG(home, "audit", "--home", home, "--repos", src, "-f", "json");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = findings_of(&r);
	cr_expect_not_null(find(all, "git-config-credentials",
				"leaky/.git/config", "remote.origin.url, "
				"user bob at git.example.org"));
	cr_expect_not_null(find(all, "git-config-credentials",
				"also/.git/config", "user x-access-token"));
	cr_expect_null(find(all, "git-config-credentials", "clean/.git/config",
			    NULL));
	cr_expect(strstr(r.err, "in 3 repositories"), "%s", r.err);
	json_decref(all);
	th_run_release(&r);
	/* Without --repos: the repository that holds the current directory. */
	r = TH_LG(leaky, "audit", "--home", home, "-f", "json");
	cr_expect_eq(r.status, 1);
	all = findings_of(&r);
	cr_expect_eq(count_rule(all, "git-config-credentials"), 1, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	free(src);
	free(leaky);
	free(deeper);
}

Test(e2e_audit, github_tokens_checked_by_checksum)
{
	const char *good = th_fake_token("ghp_", 30, 11, 0);
	const char *bad = th_fake_token_bad("ghp_", 30, 12, 1);
	struct buf text = BUF_INIT;
	struct run_result r;
	json_t *all, *f;

	buf_addf(&text, "https://alice:%s@github.com\n"
		 "https://bob:%s@github.com\n", good, bad);
	store(".git-credentials", text.ptr, 0600);
	r = audit_json("--show-secrets");
	all = findings_of(&r);
	cr_assert_eq(json_array_size(all), 1, "%s", r.out);
	f = json_array_get(all, 0);
	cr_expect_str_eq(json_string_value(json_object_get(f, "secret")), good);
	cr_expect_str_eq(json_string_value(json_object_get(f, "confidence")),
			 "checksum");
	json_decref(all);
	th_run_release(&r);
	buf_release(&text);
}

Test(e2e_audit, text_report_and_hostile_files)
{
	struct run_result r;
	char *big = malloc(1 << 20);

	cr_assert_not_null(big);
	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	store(".netrc", big, 0600);
	store(".docker/config.json", "{\"auths\": {\"r\": {\"auth\": \"dXNl",
	      0600);
	store(".npmrc", "_auth=%%%\n_password=\n//x/:_authToken=\n", 0600);
	store(".git-credentials", "https://al%ZZice:Pw9%zzKq2@h%.io\n", 0600);
	th_write(home, ".gitconfig",
		 "[credential\n\thelper = store\n[bad \"x\n");
	r = TH_LG(home, "audit", "--home", home, "--no-color");
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, ".git-credentials:1:") &&
		  strstr(r.out, "git-credential-store  critical") &&
		  strstr(r.out, "user al%ZZice at h%.io"), "%s", r.out);
	cr_expect_eq(th_count(r.out, "\n"), 1, "%s", r.out);
	th_run_release(&r);
	free(big);
}

Test(e2e_audit, bad_usage)
{
	struct run_result r = TH_LG(home, "audit", "--home", "/no/such/dir");

	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "--home /no/such/dir"), "%s", r.err);
	th_run_release(&r);
	r = TH_LG(home, "audit", "extra");
	cr_expect_eq(r.status, 2);
	th_run_release(&r);
	r = TH_LG(home, "audit", "--home", home, "--repos", "/no/such/dir");
	cr_expect_eq(r.status, 2);
	th_run_release(&r);
}
