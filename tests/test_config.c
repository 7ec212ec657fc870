/* config_parse and the allowlists it builds, without the binary. */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "error.h"

static struct config cfg;

static void teardown(void)
{
	config_release(&cfg);
}

TestSuite(config, .fini = teardown);

static int parse(const char *text, struct lg_error *err)
{
	memset(&cfg, 0, sizeof(cfg));
	return config_parse(&cfg, text, strlen(text), "dir/lg.yaml", err);
}

Test(config, empty_file_configures_nothing)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(parse("", &err), 0, "%s", err.msg);
	cr_expect_eq(cfg.n_rules, 0);
	cr_expect_str_eq(cfg.dir, "dir");
	cr_expect_eq(config_allows_place(&cfg, "r", "a/b", NULL), 0);
}

Test(config, allowlists_match_secrets_paths_and_commits)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(parse("allow: ['^test_']\nstopwords: [Dummy]\n"
			   "exclude-paths: [vendor/, '*.lock', '!keep.lock']\n"
			   "exclude-path-regexes: ['(^|/)gen/']\n"
			   "allow-commits: [ABCD1234]\n"
			   "overrides:\n  r1:\n    exclude-paths: ['docs/**']\n",
			   &err), 0, "%s", err.msg);
	cr_expect(config_allows_secret(&cfg, "r", "test_123", 8));
	cr_expect(config_allows_secret(&cfg, "r", "xxDUMMYxx", 9));
	cr_expect(!config_allows_secret(&cfg, "r", "real_123", 8));
	cr_expect(config_allows_place(&cfg, "r", "vendor/x/y.c", NULL));
	cr_expect(config_allows_place(&cfg, "r", "a/b/c.lock", NULL));
	cr_expect(!config_allows_place(&cfg, "r", "keep.lock", NULL));
	cr_expect(config_allows_place(&cfg, "r", "src/gen/x.c", NULL));
	cr_expect(!config_allows_place(&cfg, "r", "src/regen/x.c", NULL));
	cr_expect(config_allows_place(&cfg, "r", "src/x.c", "abcd1234ffff"));
	cr_expect(!config_allows_place(&cfg, "r", "src/x.c", "abce1234ffff"));
	cr_expect(config_allows_place(&cfg, "r1", "docs/a/b.md", NULL));
	cr_expect(!config_allows_place(&cfg, "r2", "docs/a/b.md", NULL));
}

Test(config, errors_name_file_line_and_key)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_neq(parse("disable: [a]\n\noverrides:\n  r:\n    colour: red\n",
			    &err), 0);
	cr_expect(strstr(err.msg, "dir/lg.yaml:5: colour: unknown key"), "%s",
		  err.msg);
}
