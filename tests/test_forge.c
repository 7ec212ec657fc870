/* Forge links from remote URLs: each forge's shapes, credentials dropped. */
#include <criterion/criterion.h>
#include <string.h>

#include "forge.h"

static const struct forge_case {
	const char *remote;
	const char *commit_url;	/* NULL: no links */
	const char *line_url;
} cases[] = {
	{ "git@github.com:acme/app.git", "https://github.com/acme/app/commit/abc",
	  "https://github.com/acme/app/blob/abc/src/a%20b.txt#L7" },
	{ "https://user:tok3n@github.com/acme/app.git/",
	  "https://github.com/acme/app/commit/abc",
	  "https://github.com/acme/app/blob/abc/src/a%20b.txt#L7" },
	{ "ssh://git@gitlab.example.com:2222/grp/sub/app.git",
	  "https://gitlab.example.com/grp/sub/app/-/commit/abc",
	  "https://gitlab.example.com/grp/sub/app/-/blob/abc/src/a%20b.txt#L7" },
	{ "https://bitbucket.org/team/app",
	  "https://bitbucket.org/team/app/commits/abc",
	  "https://bitbucket.org/team/app/src/abc/src/a%20b.txt#lines-7" },
	{ "https://codeberg.org/me/app.git", "https://codeberg.org/me/app/commit/abc",
	  "https://codeberg.org/me/app/src/commit/abc/src/a%20b.txt#L7" },
	{ "https://gitea.local:3000/me/app", "https://gitea.local:3000/me/app/commit/abc",
	  "https://gitea.local:3000/me/app/src/commit/abc/src/a%20b.txt#L7" },
	{ "https://git.example.org/me/app.git", NULL, NULL },
	{ "/srv/git/app.git", NULL, NULL },
	{ "../app", NULL, NULL },
};

Test(forge, urls_for_each_forge)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct forge f = FORGE_INIT;
		struct buf b = BUF_INIT;

		cr_assert_eq(forge_parse(&f, cases[i].remote), 0);
		if (!cases[i].commit_url) {
			cr_expect_eq(forge_commit_url(&b, &f, "abc"), 1, "%s",
				     cases[i].remote);
			forge_release(&f);
			continue;
		}
		cr_assert_eq(forge_commit_url(&b, &f, "abc"), 0, "%s",
			     cases[i].remote);
		cr_expect_str_eq(b.ptr, cases[i].commit_url);
		buf_reset(&b);
		cr_assert_eq(forge_line_url(&b, &f, "abc", "src/a b.txt", 7), 0);
		cr_expect_str_eq(b.ptr, cases[i].line_url);
		cr_expect(!strstr(f.base, "tok3n"), "%s", f.base);
		buf_release(&b);
		forge_release(&f);
	}
}
