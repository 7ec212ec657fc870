#ifndef LEAKGATE_ENGINE_H
#define LEAKGATE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "confidence.h"
#include "rules.h"

struct lg_error;

/*
 * The matching engine.  struct engine is built once from a rule set and is
 * then read-only, shared by every thread; each thread scans through its own
 * struct engine_worker (Vectorscan scratch, PCRE2 match data, JIT stack).
 *
 * One Vectorscan pass finds every rule keyword in a blob; only rules whose
 * keywords occur run, and their PCRE2 pattern is confirmed in a window
 * around each hit.  A match then passes the secret group, the entropy
 * floor, the validator, the rule's allow list, the placeholder filter and
 * an inline "leakgate:allow" on its line before it is reported.
 *
 * A parser rule (rule->parser) reads each whole file its path selects, and
 * every credential it finds passes the same checks from the validator on.
 */
struct engine;
struct engine_worker;


/* A part of a credential that comes in parts (rule->requires). */
struct engine_part {
	const struct rule *rule;	/* the companion rule that found it */
	const char *secret;	/* borrowed from the scanned bytes */
	size_t secret_len;
	size_t offset, line, column;
};

struct engine_match {
	const struct rule *rule;
	const char *secret;	/* borrowed from the scanned bytes */
	size_t secret_len;
	size_t offset;		/* of the secret in the scanned bytes */
	size_t line;		/* 1-based */
	size_t column;		/* 1-based, in bytes */
	enum confidence confidence;
	const char *detail;	/* a parser's words (user, host), or NULL */
	const char *line_text;	/* the secret's line, borrowed, or NULL */
	size_t line_len;	/* without its newline */
	struct engine_part parts[RULE_MAX_REQUIRES];	/* the companions found */
	size_t n_parts;
};

struct engine_callbacks {
	/* Called for every reported match; a non-zero return stops the scan. */
	int (*match)(const struct engine_match *m, void *payload);
	/* Called when a rule hit its PCRE2 match/depth/heap limit; may be NULL. */
	void (*limit)(const struct rule *rule, void *payload);
	void *payload;
};

/* Match limits applied to every PCRE2 match (also used by tests). */
#define ENGINE_MATCH_LIMIT 2000000u
#define ENGINE_DEPTH_LIMIT 10000u
#define ENGINE_HEAP_LIMIT_KIB 65536u

/*
 * For the build: the engine's keyword database as bytes (caller frees
 * *bytes) and the hash that tells whether a later engine may load it.
 */
int engine_serialize_keywords(const struct engine *e, char **bytes,
			      size_t *len, uint64_t *hash);

/* Builds the engine over rules, which must outlive it. */
int engine_new(struct engine **out, const struct rule_set *rules,
	       struct lg_error *err);
void engine_free(struct engine *e);

int engine_worker_new(struct engine_worker **out, const struct engine *e,
		      struct lg_error *err);
void engine_worker_free(struct engine_worker *w);

/*
 * Scans data[0..len).  path (may be NULL: then rules' path filters are
 * ignored, as for rule examples) selects path-restricted rules.  Returns 0,
 * the callback's non-zero value, or a negative error.
 */
int engine_scan(struct engine_worker *w, const char *data, size_t len,
		const char *path, const struct engine_callbacks *cb);

/*
 * Runs only rule r over data, path filter off: for callers that know what
 * a file is (audit reads ~/.netrc with the netrc rule, wherever it is).
 * An anchored rule matches only where data starts.  Returns like
 * engine_scan().
 */
int engine_scan_rule(struct engine_worker *w, const struct rule *r,
		     const char *data, size_t len,
		     const struct engine_callbacks *cb);

/*
 * Scans data with the whole engine (path filters off) and counts the
 * matches reported for rule r, as `leakgate rules check` does for the
 * rule's examples; returns the count or a negative error.
 */
int engine_count_rule_matches(struct engine_worker *w, const struct rule *r,
			      const char *data, size_t len);

#endif
