#ifndef LEAKGATE_RULES_H
#define LEAKGATE_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

#include "credstore.h"
#include "plain.h"
#include "validate.h"

struct lg_error;

enum severity {
	SEVERITY_LOW = 0,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
	SEVERITY_CRITICAL,
};

/* "low", "medium", "high", "critical". */
const char *severity_name(enum severity s);
/* Parses a severity name; returns 0 or -1 when unknown. */
int severity_parse(const char *name, enum severity *out);

struct string_list {
	char **items;
	size_t n;
};

/*
 * A rule.  All fields are immutable once rules_load_*() returns, so a rule
 * set is shared read-only by every scanning thread, except for the
 * compiled regexes (re, path_re, allow): read them only after
 * rules_prepare(), which fills them in for the built-in rules.
 */
struct rule_lazy;	/* compiled on first use, see rules_prepare() */

struct rule {
	char *id;
	char *name;
	enum severity severity;
	struct string_list keywords;
	char *pattern;		/* NULL for a parser rule */
	/*
	 * A vendor-named rule's value shape (`value:`): its pattern is built
	 * from it and the keywords, see rules_named_pattern().  NULL otherwise.
	 */
	char *value;
	pcre2_code *re;		/* PCRE2_ANCHORED when `anchored` */
	unsigned captures;	/* capturing groups in pattern */
	struct rule_lazy *lazy;
	char *parser_name;	/* NULL: a regex rule */
	credstore_fn parser;	/* reads whole files that `path` selects */
	unsigned secret_group;
	double min_entropy;	/* 0: no floor */
	char *validate_name;	/* NULL: no validator */
	validate_fn validate;
	char *classify_name;	/* NULL: no plaintext check (plain.h) */
	plain_fn classify;	/* decides, and grades, each match */
	struct string_list allow_src;
	pcre2_code **allow;
	char *path_src;		/* NULL: every path */
	pcre2_code *path_re;
	size_t window;		/* bytes searched after a keyword hit */
	int generic;		/* broad rule: yields to a specific one on the same bytes */
	/*
	 * The pattern pins fixed markers (a signature at a fixed offset), so
	 * a run of one character inside a match is part of the format, not
	 * a stand-in; stand-in words still are.
	 */
	int keep_runs;
	int anchored;		/* matches start where a keyword starts */
	/*
	 * The keywords name a provider in a setting's name: each counts
	 * only just before a secret word (key, token, secret...), and is
	 * looked for there rather than in the one-pass prefilter.
	 */
	int named;
	/* Text fields point into the binary's built-in rules: never freed. */
	int borrowed;
	struct string_list examples;
	struct string_list negative_examples;
	struct string_list references;	/* provider pages: format, revoking */
	char *remediation;	/* one line: what to do when it leaks */
	struct string_list verify;	/* "key=value" items: see verify_spec.h */
	/*
	 * Credentials in parts: the ids of rules whose matches must lie
	 * within requires_window bytes of this rule's secret.  Found, they
	 * are reported with it as one finding; missing, the match is dropped
	 * unless `standalone` (a strong token is a finding by itself).
	 */
	struct string_list requires;
	size_t requires_window;
	int standalone;
	int companion;		/* only looked for as another rule's part */
	char *origin;		/* rule file name */
	size_t origin_line;	/* 1-based line of the rule in that file */
};

#define RULE_DEFAULT_WINDOW 512
#define RULE_DEFAULT_REQUIRES_WINDOW 1024
#define RULE_MAX_REQUIRES 4

struct rule_set {
	struct rule **rules;
	size_t n, alloc;
	size_t max_captures;	/* largest capture count over all patterns */
};

#define RULE_SET_INIT { NULL, 0, 0, 0 }

/*
 * The pattern of a vendor-named rule: one of the names (case-insensitive,
 * starting a word or a camelCase part), up to ~40 characters of key-name
 * context ("_API_KEY", " SECRET KEY"; not one ending in id, url, host,
 * name, user, mail, sid, path, file, region, domain, version...), an optional separator (= : := => -> , quotes,
 * spaces, a line break, an XML tag's end), then the value, group 1, not
 * after a letter or digit and holding a digit.  Returns a heap string, or
 * NULL without memory.
 */
char *rules_named_pattern(const struct string_list *names, const char *value);

/* Deepest nesting of YAML collections a rule file may use. */
#define RULES_MAX_DEPTH 64

/*
 * Parses YAML rule text, compiles every pattern and adds the rules to rs; a
 * rule whose id already exists replaces the earlier one.  On error rs is
 * unchanged and err names `filename`, the rule id, the line and, for a bad
 * regex, PCRE2's message and offset.  A string with a NUL byte and
 * nesting deeper than RULES_MAX_DEPTH are errors.
 */
int rules_load_yaml(struct rule_set *rs, const char *text, size_t len,
		    const char *filename, struct lg_error *err);
int rules_load_file(struct rule_set *rs, const char *path,
		    struct lg_error *err);
/*
 * Loads the built-in rules as the build parsed and checked them
 * (builtin_rules[]), leaving their regexes to rules_prepare(): start-up
 * pays only for the rules a scan runs.
 */
int rules_load_builtin(struct rule_set *rs, struct lg_error *err);
/* Parses and compiles the built-in rule files themselves, as the build does. */
int rules_load_builtin_files(struct rule_set *rs, struct lg_error *err);

/*
 * Compiles r's pattern, path and allow regexes if the load left them to
 * it, and JIT-compiles them, the first time any thread asks; later calls
 * only return the first one's result.  Thread-safe.  Returns 0, or a
 * negative code when they could not be compiled: the build compiled every
 * built-in pattern once, so only memory can run out.
 */
int rules_prepare(const struct rule *r);

/* Forgets the `verify:` blocks of the rules loaded from file origin. */
void rules_drop_verify(struct rule_set *rs, const char *origin);
/*
 * Resolves each rule's `requires` ids to rules of rs, once rs is final
 * (engine_new() calls it, before any thread scans).  Fails naming the rule
 * and the id when a rule requires itself, a parser or an anchored rule,
 * and, when strict, an id rs does not hold.  Not strict, such an id is
 * left out (a configuration may disable a part): rules_companions() then
 * returns fewer than r->requires.n.
 */
int rules_link(const struct rule_set *rs, int strict, struct lg_error *err);

/*
 * The rules r requires, as the last rules_link() resolved them: *n of
 * them, borrowed from the rule set for as long as it is unchanged.
 */
const struct rule *const *rules_companions(const struct rule *r, size_t *n);

/* The rule with this id, borrowed from rs, or NULL. */
const struct rule *rules_find(const struct rule_set *rs, const char *id);

/* Drops the rule with this id from rs; returns 0, or -1 when there is none. */
int rules_remove(struct rule_set *rs, const char *id);

void rules_release(struct rule_set *rs);

/* Built-in rule files, generated at build time (build/rules_builtin.c). */
struct builtin_rule_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct builtin_rule_file builtin_rule_files[];
extern const size_t builtin_rule_files_count;

/*
 * The built-in rules parsed from those files at build time, their regexes
 * not compiled (tools/kwdb.c writes them to build/keywords_db.c).
 */
extern const struct rule builtin_rules[];
extern const size_t builtin_rules_count;

#endif
