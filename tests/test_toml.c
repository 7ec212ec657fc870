/* The TOML subset reader: what gitleaks configs hold, and strict errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "error.h"
#include "toml.h"

static struct toml_value *doc;

static void teardown(void)
{
	toml_free(doc);
	doc = NULL;
}

TestSuite(toml, .fini = teardown);

static void parse_ok(const char *text)
{
	struct lg_error err = LG_ERROR_INIT;

	cr_assert_eq(toml_parse(&doc, text, strlen(text), "t.toml", &err), 0,
		     "%s", err.msg);
}

static const struct toml_value *path2(const char *a, const char *b)
{
	const struct toml_value *v = toml_get(doc, a);

	return b ? toml_get(v, b) : v;
}

Test(toml, gitleaks_shapes)
{
	const struct toml_value *rules, *r, *v;

	parse_ok("title = \"x\" # comment\n"
		 "[extend]\nuseDefault = true\ndisabledRules = [ 'a', \"b\", ]\n\n"
		 "[[rules]]\nid = \"r1\"\nregex = '''(?i)\\b(abc)'''\n"
		 "secretGroup = 1\nentropy = 3.5\nkeywords = [\n  \"abc\", # c\n"
		 "  \"def\"\n]\n"
		 "[rules.allowlist]\nregexes = ['''^x''']\n"
		 "[[rules]]\nid = 'r2'\nregex = \"\"\"\nmulti\\\n   line\"\"\"\n"
		 "[[rules.allowlists]]\npaths = ['a']\n"
		 "[allowlist]\ndescription = \"esc \\t \\u00e9 \\\"q\\\"\"\n"
		 "inline = { a = 1, b.c = -2_000 }\nhex = 0xff\n");
	cr_expect_eq(path2("extend", "useDefault")->type, TOML_BOOL);
	cr_expect_eq(path2("extend", "useDefault")->integer, 1);
	cr_expect_eq(path2("extend", "disabledRules")->n, 2);
	rules = toml_get(doc, "rules");
	cr_assert_eq(rules->type, TOML_ARRAY);
	cr_assert_eq(rules->n, 2);
	r = rules->items[0];
	cr_expect_str_eq(toml_get(r, "regex")->str, "(?i)\\b(abc)");
	cr_expect_eq(toml_get(r, "secretGroup")->integer, 1);
	cr_expect_float_eq(toml_get(r, "entropy")->real, 3.5, 1e-9);
	cr_expect_eq(toml_get(r, "keywords")->n, 2);
	cr_expect_eq(toml_get(r, "keywords")->line, 11);
	cr_expect_str_eq(toml_get(toml_get(r, "allowlist"), "regexes")->items[0]->str, "^x");
	r = rules->items[1];
	cr_expect_str_eq(toml_get(r, "regex")->str, "multiline");
	cr_expect_eq(toml_get(r, "allowlists")->n, 1);
	v = path2("allowlist", "description");
	cr_expect_str_eq(v->str, "esc \t \xc3\xa9 \"q\"");
	v = path2("allowlist", "inline");
	cr_expect_eq(toml_get(toml_get(v, "b"), "c")->integer, -2000);
	cr_expect_eq(path2("allowlist", "hex")->integer, 255);
}

static const struct bad_toml {
	const char *text;
	const char *want;
} bad[] = {
	{ "a = 1\na = 2\n", "t.toml:2: key 'a' given twice" },
	{ "[t]\nx = 1\n[t]\n", "t.toml:3: [t] is defined twice" },
	{ "a = \"open\n", "t.toml:1: a string ends at the end of the line" },
	{ "a = '''never\n\n", "t.toml:1: a string that never ends" },
	{ "a = \"C:\\path\"\n", "t.toml:1: unknown escape '\\p'" },
	{ "\n\nd = 1979-05-27\n", "t.toml:3: '1979-05-27' is not a value" },
	{ "a = [1, 2\nb = 3\n", "t.toml:2: expected ',' or ']'" },
	{ "a = 1 b = 2\n", "t.toml:1: unexpected 'b'" },
	{ "a = 1\n[a]\n", "t.toml:2: [a] is defined twice" },
	{ "a = [1]\n[[a]]\n", "t.toml:2: [[a]]: 'a' is already a array" },
	{ "x = { a = 1 }\n[x.b]\n", "t.toml:2: key 'x' is already a table" },
	{ "= 1\n", "t.toml:1: expected a key" },
	{ "a = 01\n", "'01' is not a value" },
	{ "a = \"\\u12\"\n", "t.toml:1: bad unicode escape" },
	{ "a =\n", "t.toml:1: expected a value" },
};

Test(toml, errors_name_file_and_line)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lg_error err = LG_ERROR_INIT;
		struct toml_value *v = NULL;

		cr_expect_neq(toml_parse(&v, bad[i].text, strlen(bad[i].text),
					 "t.toml", &err), 0, "%s", bad[i].text);
		cr_expect(strstr(err.msg, bad[i].want), "%s: want '%s', got '%s'",
			  bad[i].text, bad[i].want, err.msg);
		toml_free(v);
	}
}
