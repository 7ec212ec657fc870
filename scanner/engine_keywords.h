#ifndef LEAKGATE_ENGINE_KEYWORDS_H
#define LEAKGATE_ENGINE_KEYWORDS_H

#include <hs/hs.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "rules.h"

/*
 * The engine's prefilter: every rule's keywords, merged, and the
 * Vectorscan databases that find them.
 *
 * Every literal in the one pass over each blob costs scan speed, short and
 * common ones most.  So the provider names of `named` rules (rules.h) are
 * not in it: the pass looks for a few secret words instead ("key",
 * "token", "secret"...), and the names are looked for only in the bytes
 * around those (keywords_name_span()).
 */

/*
 * One distinct keyword and the rules that list it.  A keyword is matched
 * in any case (and kept lower-cased) unless it is written with capitals
 * in a rule whose pattern does not start with (?i): token prefixes such
 * as "AKIA" or "SG." are case-sensitive, and a literal with fixed case is
 * both cheaper for Vectorscan and hit far less often.
 */
struct keyword {
	char *text;
	size_t len;
	int caseless;
	int secret_word;	/* a hit opens a span to look for names in */
	size_t *rules;
	size_t n_rules;
};

struct keyword_set {
	struct keyword *k;
	size_t n;
	hs_database_t *db;	/* NULL when n is 0 */
};

struct keyword_index {
	struct keyword_set main;	/* the one pass over each blob */
	struct keyword_set names;	/* named rules' keywords: in spans */
	size_t *always;		/* rules without keywords: run on every blob */
	size_t n_always;
	hs_scratch_t *proto_scratch;	/* fits both databases */
};

/* Where names are looked for around a secret word's hit at [from, to). */
#define NAME_SPAN_BEFORE 64
#define NAME_SPAN_AFTER 16

/* Builds ix from rs's rules (companions left out) and compiles it. */
int keywords_index(struct keyword_index *ix, const struct rule_set *rs,
		   struct lg_error *err);
void keywords_release(struct keyword_index *ix);

/*
 * The Vectorscan databases of the built-in rules' keywords, made at build
 * time by tools/kwdb.c (build/keywords_db.c), and the hash of the keyword
 * lists they hold.  An empty one (length 0) makes every engine compile.
 */
extern const unsigned char builtin_keyword_db[];
extern const size_t builtin_keyword_db_len;
extern const uint64_t builtin_keyword_db_hash;

/*
 * For the build: ix's databases as bytes (caller frees *bytes) and the
 * hash that tells whether a later index may load them.
 */
int keywords_serialize(const struct keyword_index *ix, char **bytes,
		       size_t *len, uint64_t *hash);

#endif
