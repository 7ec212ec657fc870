/* The git config reader: sections, values, lines, and malformed input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitconfig.h"

#define MAX_SEEN 16

struct seen {
	size_t n;
	char name[MAX_SEEN][128];	/* section[.sub].key */
	char value[MAX_SEEN][128];	/* as git reads it; "(bare)" */
	size_t line[MAX_SEEN];
};

static int record(const struct gitconfig_entry *e, void *payload)
{
	struct seen *s = payload;

	if (s->n == MAX_SEEN)
		return 0;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%.*s%s%.*s.%.*s",
		 (int)e->section_len, e->section, e->sub ? "." : "",
		 (int)e->sub_len, e->sub ? e->sub : "", (int)e->key_len,
		 e->key);
	if (gitconfig_value(e, s->value[s->n], sizeof(s->value[0])) < 0)
		snprintf(s->value[s->n], sizeof(s->value[0]), "(bare)");
	s->line[s->n++] = e->line;
	return 0;
}

static void read_config(const char *text, struct seen *s)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);

	cr_assert_not_null(copy);
	memcpy(copy, text, len);
	memset(s, 0, sizeof(*s));
	cr_assert_eq(gitconfig_parse(copy, len, record, s), 0);
	free(copy);
}

Test(gitconfig, sections_values_and_lines)
{
	struct seen s;

	read_config("# comment\n[core]\n\tbare = false\n"
		    "[credential \"https://github.com\"]\n"
		    "\thelper = \"store --file \\\"/tmp/a b\\\"\" ; comment\n"
		    "[Remote.origin]\n\turl = https://h/x # c\n\tflag\n"
		    "[include] path = ~/more.inc\n", &s);
	cr_assert_eq(s.n, 5);
	cr_expect_str_eq(s.name[0], "core.bare");
	cr_expect_str_eq(s.value[0], "false");
	cr_expect_eq(s.line[0], 3);
	cr_expect_str_eq(s.name[1], "credential.https://github.com.helper");
	cr_expect_str_eq(s.value[1], "store --file \"/tmp/a b\"");
	cr_expect_eq(s.line[1], 5);
	cr_expect_str_eq(s.name[2], "Remote.origin.url");
	cr_expect_str_eq(s.value[2], "https://h/x");
	cr_expect_str_eq(s.value[3], "(bare)");
	cr_expect_str_eq(s.name[4], "include.path");
	cr_expect_str_eq(s.value[4], "~/more.inc");
	cr_expect_eq(s.line[4], 9);
}

Test(gitconfig, continuation_counts_lines)
{
	struct seen s;

	read_config("[a]\n\tk = one \\\n two\n\tnext = 1\n", &s);
	cr_assert_eq(s.n, 2);
	cr_expect_str_eq(s.value[0], "one  two");
	cr_expect_eq(s.line[1], 4);
}

Test(gitconfig, malformed_lines_are_skipped)
{
	struct seen s;

	read_config("key = before any section\n[bad\n[ok]\n=x\n1k = v\n"
		    "[sub \"unterminated]\n\tk = v\n[s \"q\"]\n\tk = v\n", &s);
	cr_assert_eq(s.n, 2);
	cr_expect_str_eq(s.name[0], "ok.k");
	cr_expect_str_eq(s.name[1], "s.q.k");
}

Test(gitconfig, is_compares_like_git)
{
	struct gitconfig_entry e;

	memset(&e, 0, sizeof(e));
	e.section = "Credential";
	e.section_len = 10;
	e.key = "HELPER";
	e.key_len = 6;
	cr_expect(gitconfig_is(&e, "credential", "helper"));
	cr_expect_not(gitconfig_is(&e, "credential", "help"));
	cr_expect_not(gitconfig_is(&e, "include", "helper"));
}

Test(gitconfig, truncated_inputs)
{
	const char *text = "[credential \"https://x\"]\n\thelper = \"a\\\"b\\";
	size_t cut, total = 0;
	struct seen s;

	for (cut = 0; cut <= strlen(text); cut++) {
		char *copy = malloc(cut ? cut : 1);
		memcpy(copy, text, cut);
		memset(&s, 0, sizeof(s));
		cr_assert_eq(gitconfig_parse(copy, cut, record, &s), 0);
		total += s.n;
		free(copy);
	}
	cr_expect_gt(total, 0);
}

#define SUB_MAX 64

/* Keeps the first entry's subsection as gitconfig_subsection() reads it. */
static int first_subsection(const struct gitconfig_entry *e, void *payload)
{
	char *out = payload;

	if (gitconfig_subsection(e, out, SUB_MAX) < 0)
		snprintf(out, SUB_MAX, "(none)");
	return 1;
}

static void subsection_of(const char *text, char *out)
{
	cr_assert_eq(gitconfig_parse(text, strlen(text), first_subsection,
				     out), 1, "no entry in %s", text);
}

Test(gitconfig, subsection_unescapes_like_git)
{
	char sub[SUB_MAX];

	subsection_of("[includeIf \"gitdir:~/a \\\"b\\\"\\\\c/\"]\n"
		      "\tpath = x\n", sub);
	cr_expect_str_eq(sub, "gitdir:~/a \"b\"\\c/");
	subsection_of("[core]\n\tbare\n", sub);
	cr_expect_str_eq(sub, "(none)");
	subsection_of("[s \"0123456789012345678901234567890123456789"
		      "0123456789012345678901234\"]\n\tk\n", sub);
	cr_expect_str_eq(sub, "(none)", "longer than the buffer");
}

Test(gitconfig, booleans_as_git_reads_them)
{
	static const struct {
		const char *value;
		int want;
	} cases[] = {
		{ NULL, 1 },	/* a bare key */
		{ "true", 1 }, { "Yes", 1 }, { "ON", 1 }, { "1", 1 },
		{ "-3", 1 }, { "2k", 1 }, { "0x10", 1 }, { " 7", 1 },
		{ "false", 0 }, { "No", 0 }, { "oFF", 0 }, { "0", 0 },
		{ "", 0 }, { "0m", 0 }, { "0x0", 0 },
		{ "maybe", -1 }, { "1kb", -1 }, { "2x", -1 }, { "truee", -1 },
		{ "3000000000", -1 }, { "3m", 1 }, { "3g", -1 },
		{ "99999999999999999999999", -1 }, { " ", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(gitconfig_bool(cases[i].value), cases[i].want,
			     "gitconfig_bool(%s)",
			     cases[i].value ? cases[i].value : "(bare)");
}
