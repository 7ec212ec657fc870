#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "engine.h"
#include "error.h"
#include "helpers.h"
#include "rules.h"

#define MAX_SEEN 32

struct seen {
	const struct rule *rule;
	char secret[256];
	size_t offset, line, column;
	enum confidence confidence;
	size_t n_parts;
	char part[64];		/* the first part's secret */
	size_t part_line;
};

struct collected {
	struct seen m[MAX_SEEN];
	size_t n;
	size_t limits;
};

struct fixture {
	struct rule_set rs;
	struct engine *e;
	struct engine_worker *w;
	struct collected c;
};

static int collect(const struct engine_match *m, void *payload)
{
	struct collected *c = payload;
	struct seen *s;

	cr_assert_lt(c->n, MAX_SEEN);
	cr_assert_lt(m->secret_len, sizeof(s->secret));
	s = &c->m[c->n++];
	s->rule = m->rule;
	memcpy(s->secret, m->secret, m->secret_len);
	s->secret[m->secret_len] = '\0';
	s->offset = m->offset;
	s->line = m->line;
	s->column = m->column;
	s->confidence = m->confidence;
	s->n_parts = m->n_parts;
	if (m->n_parts) {
		cr_assert_lt(m->parts[0].secret_len, sizeof(s->part));
		memcpy(s->part, m->parts[0].secret, m->parts[0].secret_len);
		s->part[m->parts[0].secret_len] = '\0';
		s->part_line = m->parts[0].line;
	}
	return 0;
}

static void count_limit(const struct rule *r, void *payload)
{
	(void)r;
	((struct collected *)payload)->limits++;
}

static void setup(struct fixture *fx, const char *yaml)
{
	struct lg_error err = LG_ERROR_INIT;

	memset(fx, 0, sizeof(*fx));
	cr_assert_eq(
		rules_load_yaml(&fx->rs, yaml, strlen(yaml), "t.yaml", &err), 0,
		"%s", err.msg);
	cr_assert_eq(engine_new(&fx->e, &fx->rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_worker_new(&fx->w, fx->e, &err), 0, "%s", err.msg);
}

static void teardown(struct fixture *fx)
{
	engine_worker_free(fx->w);
	engine_free(fx->e);
	rules_release(&fx->rs);
}

/* Scans len bytes as path; returns the number of matches (kept in fx->c). */
static size_t scan_n(struct fixture *fx, const char *data, size_t len,
		     const char *path)
{
	struct engine_callbacks cb = { collect, count_limit, &fx->c };

	memset(&fx->c, 0, sizeof(fx->c));
	cr_assert_eq(engine_scan(fx->w, data, len, path, &cb), 0);
	return fx->c.n;
}

static size_t scan(struct fixture *fx, const struct buf *b)
{
	return scan_n(fx, b->ptr, b->len, NULL);
}

/* A random-looking token body: tok_ + 20 [A-Za-z0-9] (no checksum needed). */
static const char *tok(unsigned seed, int slot)
{
	return th_fake_token("tok_", 14, seed, slot);
}

static const char tok_rule[] = "rules:\n"
			       "  - id: tok\n"
			       "    keywords: [zebra_]\n"
			       "    pattern: 'tok_[A-Za-z0-9]{20}'\n";

Test(engine, keyword_absent_rule_does_not_run)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	/* The pattern alone would match: only the missing keyword stops it. */
	buf_addf(&b, "value = %s\n", tok(1, 0));
	cr_assert_eq(scan(&fx, &b), 0);
	buf_reset(&b);
	buf_addf(&b, "zebra_key = %s\n", tok(1, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(1, 0));
	buf_release(&b);
	teardown(&fx);
}

Test(engine, keywords_are_case_insensitive)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, "rules:\n"
		   "  - id: upper\n"
		   "    keywords: [ZEBRA_]\n"
		   "    pattern: '(?i)zebra_(tok_[A-Za-z0-9]{20})'\n");
	buf_addf(&b, "ZeBrA_%s\n", tok(2, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(2, 0));
	buf_reset(&b);
	buf_addf(&b, "zebra_%s\n", tok(2, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, keywords_with_capitals_keep_their_case)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	/* A token prefix written in capitals is matched as written... */
	setup(&fx, "rules:\n"
		   "  - id: prefix\n"
		   "    keywords: [ZBRA]\n"
		   "    pattern: '((?i:zbra)[A-Za-z0-9]{20})'\n");
	buf_addf(&b, "zbra%s\n", tok(3, 0) + 4);
	cr_assert_eq(scan(&fx, &b), 0, "a lower-case 'zbra' is not the keyword");
	buf_reset(&b);
	buf_addf(&b, "ZBRA%s\n", tok(3, 0) + 4);
	cr_assert_eq(scan(&fx, &b), 1);
	teardown(&fx);
	/* ...unless the pattern says case does not matter. */
	setup(&fx, "rules:\n"
		   "  - id: prefix\n"
		   "    keywords: [ZBRA]\n"
		   "    pattern: '(?i)(zbra[A-Za-z0-9]{20})'\n");
	buf_reset(&b);
	buf_addf(&b, "zbra%s\n", tok(3, 0) + 4);
	cr_assert_eq(scan(&fx, &b), 1);
	buf_release(&b);
	teardown(&fx);
}

static void add_run(struct buf *b, char c, int n)
{
	while (n-- > 0)
		buf_addch(b, c);
}

Test(engine, runs_of_one_character_are_covered_without_a_window_per_byte)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	/* Every byte of a run is a hit of a keyword made of that byte. */
	setup(&fx, "rules:\n"
		   "  - id: anchored\n"
		   "    keywords: [AAAAAAAA]\n"
		   "    anchored: true\n"
		   "    pattern: '(?<![A-Za-z0-9])AAAAAAAA([a-z0-9]{12})'\n"
		   "  - id: tail\n"
		   "    keywords: [BBBBBBBB]\n"
		   "    window: 16\n"
		   "    pattern: 'BBBBBBBB([a-z0-9]{12})'\n");
	buf_adds(&b, "x = ");
	add_run(&b, 'A', 100000);
	buf_adds(&b, "\ny = AAAAAAAAbcdef0123456 ");
	/* A secret at the end of a long run: windows must reach it. */
	add_run(&b, 'B', 100000);
	buf_adds(&b, "secretvalue1\n");
	cr_assert_eq(scan(&fx, &b), 2);
	cr_expect_str_eq(fx.c.m[0].secret, "bcdef0123456");
	cr_expect_str_eq(fx.c.m[1].secret, "secretvalue1");
	buf_release(&b);
	teardown(&fx);
}

static const char named_rules[] = "rules:\n"
				   "  - id: named\n"
				   "    keywords: [zebra]\n"
				   "    named: true\n"
				   "    pattern: '(?i)zebra[^\\n]{0,100}?(tok_[A-Za-z0-9]{20})'\n"
				   "  - id: plain\n"
				   "    keywords: [okapi_]\n"
				   "    pattern: '(okapi_[A-Za-z0-9]{20})'\n";

Test(engine, named_keywords_count_only_before_a_secret_word)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, named_rules);
	buf_addf(&b, "ZEBRA_API_TOKEN = %s\n", tok(4, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_expect_str_eq(fx.c.m[0].secret, tok(4, 0));
	buf_reset(&b);
	buf_addf(&b, "zebra crossing: %s\n", tok(4, 0));
	cr_assert_eq(scan(&fx, &b), 0, "no secret word after the name");
	buf_reset(&b);
	/* The name more than NAME_SPAN_BEFORE bytes before the word. */
	buf_addf(&b, "zebra %070d key %s\n", 0, tok(4, 0));
	cr_assert_eq(scan(&fx, &b), 0);
	buf_reset(&b);
	/* Other rules are untouched, in the same blob. */
	buf_addf(&b, "zebra secret %s\nx = okapi_%s\n", tok(4, 0),
		 tok(5, 0) + 4);
	cr_assert_eq(scan(&fx, &b), 2);
	cr_expect_eq(strcmp(fx.c.m[0].rule->id, "named"), 0);
	cr_expect_eq(strcmp(fx.c.m[1].rule->id, "plain"), 0);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, window_limits_how_far_after_the_keyword)
{
	struct fixture fx;
	struct buf b = BUF_INIT;
	int i;

	setup(&fx, "rules:\n"
		   "  - id: tok\n"
		   "    keywords: [zebra_]\n"
		   "    window: 32\n"
		   "    pattern: 'tok_[A-Za-z0-9]{20}'\n");
	/* Within the window (next line). */
	buf_addf(&b, "zebra_\n%s\n", tok(3, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	/* Ten lines later: far beyond 32 bytes. */
	buf_reset(&b);
	buf_adds(&b, "zebra_\n");
	for (i = 0; i < 10; i++)
		buf_adds(&b, "some unrelated line\n");
	buf_addf(&b, "%s\n", tok(3, 0));
	cr_assert_eq(scan(&fx, &b), 0);
	/* Past the window, on the keyword's line: read to the line's end. */
	buf_reset(&b);
	buf_adds(&b, "zebra_ = ");
	for (i = 0; i < 100; i++)
		buf_adds(&b, "pad ");
	buf_addf(&b, "%s\n", tok(3, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	/* ... but not arbitrarily far on one endless line. */
	buf_reset(&b);
	buf_adds(&b, "zebra_ = ");
	for (i = 0; i < 2000; i++)
		buf_adds(&b, "pad ");
	buf_addf(&b, "%s\n", tok(3, 0));
	cr_assert_eq(scan(&fx, &b), 0);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, secret_group_and_its_column)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, "rules:\n"
		   "  - id: pair\n"
		   "    keywords: [user=]\n"
		   "    pattern: '(user)=\\w+:(tok_[A-Za-z0-9]{20})'\n"
		   "    secret-group: 2\n");
	buf_addf(&b, "x user=bob:%s\n", tok(4, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(4, 0));
	cr_assert_eq(fx.c.m[0].offset, 11);
	cr_assert_eq(fx.c.m[0].column, 12);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, whole_match_without_groups)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_addf(&b, "zebra_%s", tok(5, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(5, 0));
	cr_assert_eq(fx.c.m[0].column, 7);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, min_entropy_drops_low_entropy_secrets)
{
	static const char low[] = "tok_abababababcdcdcdcdcd";
	struct fixture plain, floor;
	struct buf b = BUF_INIT;

	setup(&plain, tok_rule);
	setup(&floor, "rules:\n"
		      "  - id: tok\n"
		      "    keywords: [zebra_]\n"
		      "    min-entropy: 3.0\n"
		      "    pattern: 'tok_[A-Za-z0-9]{20}'\n");
	buf_addf(&b, "zebra_ %s\n", low);
	cr_assert_eq(scan(&plain, &b), 1, "the low value is not a placeholder");
	cr_assert_eq(scan(&floor, &b), 0);
	buf_reset(&b);
	buf_addf(&b, "zebra_ %s\n", tok(6, 0));
	cr_assert_eq(scan(&floor, &b), 1);
	buf_release(&b);
	teardown(&plain);
	teardown(&floor);
}

Test(engine, validator_drops_bad_checksums_and_raises_confidence)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, "rules:\n"
		   "  - id: checked\n"
		   "    keywords: [ghp_]\n"
		   "    pattern: '(ghp_[A-Za-z0-9]{36})'\n"
		   "    validate: github-crc32\n"
		   "  - id: unchecked\n"
		   "    keywords: [ghp_]\n"
		   "    pattern: '(ghp_[A-Za-z0-9]{36})'\n");
	buf_addf(&b, "a = %s\n", th_fake_token("ghp_", 30, 7, 0));
	cr_assert_eq(scan(&fx, &b), 2);
	cr_assert_str_eq(fx.c.m[0].rule->id, "checked");
	cr_assert_eq(fx.c.m[0].confidence, CONFIDENCE_CHECKSUM);
	/* A rule without a validator still checks a format that has one. */
	cr_assert_str_eq(fx.c.m[1].rule->id, "unchecked");
	cr_assert_eq(fx.c.m[1].confidence, CONFIDENCE_CHECKSUM);
	buf_reset(&b);
	buf_addf(&b, "a = %s\n", th_fake_token_bad("ghp_", 30, 7, 0));
	cr_assert_eq(scan(&fx, &b), 0);
	buf_release(&b);
	teardown(&fx);
	cr_assert_str_eq(confidence_name(CONFIDENCE_CHECKSUM), "checksum");
	cr_assert_str_eq(confidence_name(CONFIDENCE_HIGH), "high");
}

Test(engine, allow_regexes_drop_matching_secrets)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, "rules:\n"
		   "  - id: tok\n"
		   "    keywords: [zebra_]\n"
		   "    pattern: 'tok_[A-Za-z0-9]{20}'\n"
		   "    allow: ['^tok_0', 'Q$']\n");
	buf_addf(&b, "zebra_\ntok_0%s\n%s\n", tok(8, 0) + 5, tok(9, 1));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(9, 1));
	cr_assert_eq(fx.c.m[0].line, 3);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, inline_allow_on_the_line)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_addf(&b,
		 "zebra_ %s  # leakgate:allow\nzebra_ %s\n# leakgate:allow\n",
		 tok(10, 0), tok(11, 1));
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(11, 1));
	cr_assert_eq(fx.c.m[0].line, 2);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, lines_and_columns_are_one_based_bytes)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_addf(&b, "%s zebra_\n\n\t\xc3\xa9 %s\r\n", tok(12, 0), tok(13, 1));
	cr_assert_eq(scan(&fx, &b), 2);
	cr_assert_eq(fx.c.m[0].line, 1);
	cr_assert_eq(fx.c.m[0].column, 1);
	cr_assert_eq(fx.c.m[0].offset, 0);
	cr_assert_eq(fx.c.m[1].line, 3);
	cr_assert_eq(fx.c.m[1].column, 5, "tab, two bytes of e-acute, space");
	buf_release(&b);
	teardown(&fx);
}

Test(engine, many_matches_in_one_blob_in_order)
{
	struct fixture fx;
	struct buf b = BUF_INIT;
	unsigned i;

	setup(&fx, tok_rule);
	for (i = 0; i < 20; i++)
		buf_addf(&b, "zebra_%u = %s\n", i, tok(100 + i, 0));
	cr_assert_eq(scan(&fx, &b), 20);
	for (i = 0; i < 20; i++) {
		cr_assert_eq(fx.c.m[i].line, i + 1);
		cr_assert_str_eq(fx.c.m[i].secret, tok(100 + i, 0));
	}
	buf_release(&b);
	teardown(&fx);
}

Test(engine, overlapping_windows_report_once)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_addf(&b, "zebra_ zebra_ zebra_%s zebra_\nzebra_\n", tok(14, 0));
	cr_assert_eq(scan(&fx, &b), 1);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, secret_across_a_window_edge_is_found_once)
{
	struct fixture fx;
	struct buf b = BUF_INIT;
	size_t at;

	/*
	 * One long line: the first hit's window runs to the line's end, at
	 * most 4096 bytes past the window.  A second hit whose secret straddles
	 * that end must still be matched whole, and only once.
	 */
	setup(&fx, "rules:\n"
		   "  - id: tok\n"
		   "    keywords: [zebra_]\n"
		   "    window: 16\n"
		   "    pattern: 'tok_[A-Za-z0-9]{20}'\n");
	buf_adds(&b, "zebra_");
	for (at = 6; at < 6 + 16 + 4096 - 12; at++)
		buf_addch(&b, '.');
	buf_addf(&b, "zebra_%s", tok(15, 0));
	for (at = 0; at < 8000; at++)
		buf_addch(&b, '.');
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(15, 0));
	buf_release(&b);
	teardown(&fx);
}

Test(engine, nul_bytes_and_invalid_utf8)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_add(&b, "\0\xff\xfe\n\x80zebra_\0", 12);
	buf_adds(&b, tok(16, 0));
	buf_add(&b, "\0\xc3\n", 3);
	cr_assert_eq(scan(&fx, &b), 1);
	cr_assert_str_eq(fx.c.m[0].secret, tok(16, 0));
	cr_assert_eq(fx.c.m[0].line, 2);
	cr_assert_eq(fx.c.m[0].column, 9);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, path_restricted_rules)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, "rules:\n"
		   "  - id: npmrc\n"
		   "    keywords: [_authToken]\n"
		   "    path: '(^|/)\\.npmrc$'\n"
		   "    pattern: '_authToken=(tok_[A-Za-z0-9]{20})'\n"
		   "  - id: anywhere\n"
		   "    path: '\\.cfg$'\n"
		   "    pattern: 'cfgpass=(tok_[A-Za-z0-9]{20})'\n");
	buf_addf(&b, "//registry/:_authToken=%s\ncfgpass=%s\n", tok(17, 0),
		 tok(18, 1));
	cr_assert_eq(scan_n(&fx, b.ptr, b.len, "home/u/.npmrc"), 1);
	cr_assert_str_eq(fx.c.m[0].rule->id, "npmrc");
	cr_assert_eq(scan_n(&fx, b.ptr, b.len, "home/u/npmrc.txt"), 0);
	cr_assert_eq(scan_n(&fx, b.ptr, b.len, "etc/app.cfg"), 1);
	cr_assert_str_eq(fx.c.m[0].rule->id, "anywhere");
	/* No path (rule examples): every rule runs. */
	cr_assert_eq(scan_n(&fx, b.ptr, b.len, NULL), 2);
	buf_release(&b);
	teardown(&fx);
}

/*
 * Rules without keywords have their paths looked at together: each still
 * runs on its own paths only, and one whose path refers to a group by
 * number (which joining would renumber) still selects what it says.
 */
Test(engine, keywordless_rules_select_their_own_paths)
{
	static const char *const backref[] = {
		"    path: '(a)(\\1)\\.cfg$'\n",	/* "aa.cfg" */
		"    path: '(^|/)x\\.cfg$'\n",
	};
	struct fixture fx;
	struct buf b = BUF_INIT, yaml = BUF_INIT;
	size_t i;

	for (i = 0; i < 2; i++) {
		buf_reset(&yaml);
		buf_addf(&yaml, "rules:\n"
				"  - id: first\n"
				"    path: '(^|/)one\\.cfg$'\n"
				"    pattern: 'p1=(tok_[A-Za-z0-9]{20})'\n"
				"  - id: second\n%s"
				"    pattern: 'p2=(tok_[A-Za-z0-9]{20})'\n",
			 backref[i]);
		setup(&fx, yaml.ptr);
		buf_reset(&b);
		buf_addf(&b, "p1=%s\np2=%s\n", tok(21, 0), tok(22, 1));
		cr_assert_eq(scan_n(&fx, b.ptr, b.len, "d/one.cfg"), 1);
		cr_assert_str_eq(fx.c.m[0].rule->id, "first");
		cr_assert_eq(scan_n(&fx, b.ptr, b.len, i ? "d/x.cfg" : "d/aa.cfg"),
			     1);
		cr_assert_str_eq(fx.c.m[0].rule->id, "second");
		cr_assert_eq(scan_n(&fx, b.ptr, b.len, "d/other.cfg"), 0);
		cr_assert_eq(scan_n(&fx, b.ptr, b.len, "d/ab.cfg"), 0);
		teardown(&fx);
	}
	buf_release(&b);
	buf_release(&yaml);
}

Test(engine, catastrophic_pattern_hits_the_limit_and_returns, .timeout = 20)
{
	struct fixture fx;
	struct buf b = BUF_INIT;
	struct timespec t0, t1;
	int i;

	setup(&fx, "rules:\n"
		   "  - id: evil\n"
		   "    pattern: '(a+)+$'\n");
	for (i = 0; i < 64; i++)
		buf_addch(&b, 'a');
	buf_adds(&b, "b\n");
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	cr_assert_eq(scan(&fx, &b), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	cr_assert_geq(fx.c.limits, 1);
	cr_assert_lt((double)(t1.tv_sec - t0.tv_sec), 5.0, "CPU seconds");
	buf_release(&b);
	teardown(&fx);
}

Test(engine, count_rule_matches)
{
	struct fixture fx;
	struct buf b = BUF_INIT;

	setup(&fx, tok_rule);
	buf_addf(&b, "zebra_ %s %s", tok(19, 0), tok(20, 1));
	cr_assert_eq(
		engine_count_rule_matches(fx.w, fx.rs.rules[0], b.ptr, b.len),
		2);
	cr_assert_eq(engine_count_rule_matches(fx.w, fx.rs.rules[0], "", 0), 0);
	buf_release(&b);
	teardown(&fx);
}

Test(engine, empty_rule_set_and_empty_input)
{
	struct fixture fx;

	setup(&fx, "rules: []\n");
	cr_assert_eq(scan_n(&fx, "anything", 8, "p"), 0);
	teardown(&fx);
	setup(&fx, tok_rule);
	cr_assert_eq(scan_n(&fx, "", 0, "p"), 0);
	teardown(&fx);
}

static const char anchored_rule[] = "rules:\n"
				    "  - id: anchored\n"
				    "    anchored: true\n"
				    "    keywords: [key]\n"
				    "    pattern: '(\\w*key=\\w+)'\n";

Test(engine, anchored_rule_matches_only_from_its_keyword)
{
	struct fixture fx;
	const char *text = "mykey=first\nkey=second key=third\n";

	setup(&fx, anchored_rule);
	/* "mykey=" would match from "my": anchored, the match starts at "key". */
	cr_assert_eq(scan_n(&fx, text, strlen(text), NULL), 3);
	cr_expect_str_eq(fx.c.m[0].secret, "key=first");
	cr_expect_eq(fx.c.m[0].column, 3);
	cr_expect_str_eq(fx.c.m[1].secret, "key=second");
	cr_expect_str_eq(fx.c.m[2].secret, "key=third");
	teardown(&fx);
}

Test(engine, anchored_hits_inside_a_match_are_not_reported_again)
{
	struct fixture fx;
	const char *text = "key=abckeydef\n";

	setup(&fx, anchored_rule);
	cr_assert_eq(scan_n(&fx, text, strlen(text), NULL), 1);
	cr_expect_str_eq(fx.c.m[0].secret, "key=abckeydef");
	teardown(&fx);
}

Test(engine, builtin_rules_compile_when_their_keywords_occur)
{
	struct lg_error err = LG_ERROR_INIT;
	struct fixture fx;
	const struct rule *gh, *other;

	memset(&fx, 0, sizeof(fx));
	cr_assert_eq(rules_load_builtin(&fx.rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_new(&fx.e, &fx.rs, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_worker_new(&fx.w, fx.e, &err), 0, "%s", err.msg);
	gh = rules_find(&fx.rs, "github-pat-classic");
	other = rules_find(&fx.rs, "plaintext-secret-assignment");
	cr_assert_eq(scan_n(&fx, "no keyword here\n", 16, "a.txt"), 0);
	cr_assert_null(gh->re);
	cr_assert_eq(scan_n(&fx, "ghp_ alone\n", 11, "a.txt"), 0);
	cr_assert_not_null(gh->re);
	cr_assert_null(other->re, "no keyword of it occurred");
	/* A rule's check compiles it whatever the text. */
	cr_assert_eq(engine_count_rule_matches(fx.w, other, "", 0), 0);
	cr_assert_not_null(other->re);
	teardown(&fx);
}

/* ---- credentials in parts -------------------------------------------- */

static const char pair_rules[] =
	"rules:\n"
	"  - id: key-id\n"
	"    keywords: [KID]\n"
	"    pattern: '(KID[0-9]{8})'\n"
	"    requires: [key-secret]\n"
	"    requires-window: 64\n"
	"    standalone: true\n"
	"  - id: weak-secret\n"
	"    keywords: ['secret=']\n"
	"    pattern: 'secret=([a-z]{12})'\n"
	"    requires: [key-owner]\n"
	"  - id: key-secret\n"
	"    companion: true\n"
	"    pattern: '(?<![A-Za-z])([A-Z]{10})(?![A-Za-z])'\n"
	"  - id: key-owner\n"
	"    companion: true\n"
	"    pattern: 'owner=([a-z]{4,8})'\n";

struct pair_case {
	const char *text;
	size_t found;		/* matches reported */
	size_t parts;		/* parts of the first */
	const char *part;	/* the first part's secret */
	size_t part_line;
};

static const struct pair_case pair_cases[] = {
	/* A strong part reports alone, and with its companion when near. */
	{ "KID48151623\n", 1, 0, NULL, 0 },
	{ "KID48151623\nQWERTYUIOP\n", 1, 1, "QWERTYUIOP", 2 },
	{ "QWERTYUIOP KID48151623\n", 1, 1, "QWERTYUIOP", 1 },
	/* The nearest companion wins; one past the window is not one. */
	{ "ASDFGHJKLZ\n\n\nKID48151623 QWERTYUIOP\n", 1, 1, "QWERTYUIOP", 4 },
	{ "KID48151623\n"
	  "..............................................................."
	  "..\nQWERTYUIOP\n", 1, 0, NULL, 0 },
	/* A weak part reports only with its companion. */
	{ "secret=qzmxkwpvtrhj\n", 0, 0, NULL, 0 },
	{ "owner=alice\nsecret=qzmxkwpvtrhj\n", 1, 1, "alice", 1 },
	/* A companion alone is never a finding. */
	{ "QWERTYUIOP owner=alice\n", 0, 0, NULL, 0 },
};

Test(engine, credentials_in_parts)
{
	struct fixture fx;
	size_t i;

	setup(&fx, pair_rules);
	for (i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		const struct pair_case *c = &pair_cases[i];
		size_t n = scan_n(&fx, c->text, strlen(c->text), NULL);
		cr_assert_eq(n, c->found, "case %zu: %zu found", i, n);
		if (!n)
			continue;
		cr_expect_eq(fx.c.m[0].n_parts, c->parts, "case %zu", i);
		if (c->part) {
			cr_expect_str_eq(fx.c.m[0].part, c->part, "case %zu", i);
			cr_expect_eq(fx.c.m[0].part_line, c->part_line, "case %zu", i);
		}
	}
	/* A check runs a companion's own examples alone. */
	cr_assert_eq(engine_count_rule_matches(fx.w, rules_find(&fx.rs, "key-secret"),
					       "QWERTYUIOP", 10), 1);
	teardown(&fx);
}

/* A disabled part: a weak rule is never complete, a strong one goes alone. */
Test(engine, requires_a_missing_rule)
{
	struct fixture fx;

	setup(&fx, "rules:\n"
		   "  - id: weak\n"
		   "    keywords: [w_]\n"
		   "    pattern: 'w_([0-9]{6})'\n"
		   "    requires: [gone]\n"
		   "  - id: strong\n"
		   "    keywords: [s_]\n"
		   "    pattern: 's_([0-9]{6})'\n"
		   "    requires: [gone]\n"
		   "    standalone: true\n");
	cr_assert_eq(scan_n(&fx, "w_481516 s_623420\n", 18, NULL), 1);
	cr_assert_str_eq(fx.c.m[0].rule->id, "strong");
	cr_assert_eq(fx.c.m[0].n_parts, 0);
	teardown(&fx);
}

static const char named_rule[] = "rules:\n"
				 "  - id: walk\n"
				 "    keywords: [zorbivend]\n"
				 "    value: '[0-9a-f]{32}'\n"
				 "  - id: walk-prefixed\n"
				 "    keywords: [wsk_]\n"
				 "    pattern: '(wsk_[0-9a-f]{24})'\n";

/* One scan of text: the secret found, or "" when none is. */
static const char *named_secret(struct fixture *fx, const char *text,
				enum confidence *conf)
{
	if (!scan_n(fx, text, strlen(text), NULL))
		return "";
	*conf = fx->c.m[0].confidence;
	return fx->c.m[0].secret;
}

Test(engine, vendor_named_rules_take_a_name_context_and_a_value)
{
	static const struct {
		const char *text, *secret;
	} cases[] = {
		{ "ZORBIVEND_API_KEY=3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28",
		  "3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28" },
		{ "zorbivend SECRET KEY 3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28",
		  "3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28" },
		/* leakgate:allow */ { "cfg.myZorbivendToken = '3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28'",
		  "3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28" },
		{ "<ZorbivendKey>3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28</ZorbivendKey>",
		  "3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28" },
		/* public values, other words, a value without a digit */
		{ "zorbivend_client_id=3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", "" },
		{ "zorbivendUrl: 3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", "" },
		{ "ZORBIVEND_ACCOUNT_SID=3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", "" },
		{ "zorbivend_key_file: 3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", "" },
		{ "sidezorbivend=3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", "" },
		{ "zorbivend_key=abcdefabcdefabcdefabcdefabcdefab", "" },
		{ "zorbivend_key=3f9c1e7a5b2d", "" },
	};
	struct fixture fx;
	enum confidence conf;
	size_t i;

	setup(&fx, named_rule);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(named_secret(&fx, cases[i].text, &conf),
				 cases[i].secret, "%s", cases[i].text);
	teardown(&fx);
}

Test(engine, a_run_is_low_confidence_where_a_rule_is_sure_of_its_shape)
{
	struct fixture fx;
	enum confidence conf = CONFIDENCE_CHECKSUM;

	setup(&fx, named_rule);
	cr_assert_str_eq(named_secret(&fx, "zorbivend_key=3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28", &conf),
			 "3f9c1e7a5b2d8c4f6a0e9b1d7c3a5f28");
	cr_expect_eq(conf, CONFIDENCE_MEDIUM);
	/* A run inside: kept, low; nothing but a run repeated: dropped. */
	cr_assert_str_eq(named_secret(&fx, "zorbivend_key=abcdef1234567890abcdef1234567890", &conf),
			 "abcdef1234567890abcdef1234567890");
	cr_expect_eq(conf, CONFIDENCE_LOW);
	cr_expect_str_eq(named_secret(&fx, "zorbivend_key=12345678901234567890123456789012", &conf), "");
	/* A provider's pattern keeps a short run, not a long one. */
	cr_assert_str_eq(named_secret(&fx, "wsk_9e8d7c6b12345678a0f1e2d3", &conf),
			 "wsk_9e8d7c6b12345678a0f1e2d3");
	cr_expect_eq(conf, CONFIDENCE_LOW);
	cr_expect_str_eq(named_secret(&fx, "wsk_9e8d7cABCDEFGHIJKLMN0f1e", &conf), "");
	teardown(&fx);
}
