/*
 * libFuzzer target: rules_load_yaml() on arbitrary bytes, on top of a rule
 * set that already holds one rule.  A failed load must leave the set as it
 * was and explain itself; a successful one must yield compiled rules that
 * an engine can be built from and that can scan their own source text and
 * examples without error.
 */
#include <string.h>

#include "engine.h"
#include "error.h"
#include "fuzz.h"
#include "rules.h"
#include "banned.h"

static const char base_rule[] =
	"rules:\n"
	"  - id: fuzz-base\n"
	"    keywords: [fuzz_]\n"
	"    pattern: 'fuzz_([a-z]{8})'\n";

static void check_rule(const struct rule *r)
{
	uint32_t captures = 0;
	size_t i;

	FUZZ_CHECK(r->id && r->name && r->pattern && r->re && r->origin);
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &captures);
	FUZZ_CHECK(r->secret_group <= captures);
	FUZZ_CHECK(!r->validate_name || r->validate);
	FUZZ_CHECK(!r->path_src || r->path_re);
	for (i = 0; i < r->keywords.n; i++)
		FUZZ_CHECK(r->keywords.items[i][0] != '\0');
	for (i = 0; i < r->allow_src.n; i++)
		FUZZ_CHECK(r->allow[i] != NULL);
}

/* Scans the rule text and every example: limits may hit, errors may not. */
static void scan_all(const struct rule_set *rs, const char *text, size_t len)
{
	struct lg_error err = LG_ERROR_INIT;
	struct engine *e = NULL;
	struct engine_worker *w = NULL;
	size_t i, j;

	if (engine_new(&e, rs, &err)) {
		/* Vectorscan may refuse keywords: an error, not a crash. */
		FUZZ_CHECK(err.code < 0 && err.msg[0]);
		return;
	}
	FUZZ_CHECK(engine_worker_new(&w, e, &err) == 0);
	FUZZ_CHECK(engine_count_rule_matches(w, rs->rules[0], text, len) >= 0);
	for (i = 0; i < rs->n; i++) {
		const struct string_list *ex = &rs->rules[i]->examples;
		for (j = 0; j < ex->n; j++)
			FUZZ_CHECK(engine_count_rule_matches(
					   w, rs->rules[i], ex->items[j],
					   strlen(ex->items[j])) >= 0);
	}
	engine_worker_free(w);
	engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_set rs = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	const struct rule *base;
	size_t i;

	FUZZ_CHECK(rules_load_yaml(&rs, base_rule, sizeof(base_rule) - 1,
				   "base.yaml", &err) == 0);
	base = rs.rules[0];
	if (rules_load_yaml(&rs, (const char *)data, size, "fuzz.yaml", &err)) {
		FUZZ_CHECK(err.code < 0 && err.msg[0]);
		FUZZ_CHECK(rs.n == 1 && rs.rules[0] == base);
	} else {
		for (i = 0; i < rs.n; i++)
			check_rule(rs.rules[i]);
		scan_all(&rs, (const char *)data, size);
	}
	rules_release(&rs);
	return 0;
}
