#include "engine_keywords.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "banned.h"

/*
 * The words a setting holding a secret is named with, after the
 * provider's name: ASANA_ACCESS_TOKEN, sendleApiKey, "jupiterone SECRET".
 * Each is in the one pass once, for every named rule together.  A word
 * written with capitals keeps its case: "private" starts every other line
 * of Java, and each hit costs a look for names, but "clockify PRIVATE ..."
 * names a secret.
 */
static const char *const secret_words[] = {
	"key", "token", "secret", "pass", "pwd", "auth", "login", "licen",
	"access", "PRIVATE",
};

#define NO_RULE ((size_t)-1)

/* A keyword as one rule lists it, before equal ones are merged. */
struct keyword_use {
	const char *text;
	size_t len;
	int caseless;
	size_t rule;		/* NO_RULE: a secret word */
};

struct use_list {
	struct keyword_use *u;
	size_t n;
};

static int has_capitals(const char *kw)
{
	for (; *kw; kw++)
		if (isupper((unsigned char)*kw))
			return 1;
	return 0;
}

static int keyword_caseless(const struct rule *r, const char *kw)
{
	if (r->pattern && !strncmp(r->pattern, "(?i)", 4))
		return 1;
	return !has_capitals(kw);
}

static int compare_text(const struct keyword_use *a,
			const struct keyword_use *b)
{
	if (a->caseless != b->caseless)
		return a->caseless - b->caseless;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->caseless ? strcasecmp(a->text, b->text)
			   : strcmp(a->text, b->text);
}

static int compare_use(const void *x, const void *y)
{
	const struct keyword_use *a = x, *b = y;
	int c = compare_text(a, b);

	if (c)
		return c;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static int new_keyword(struct keyword *k, const struct keyword_use *u)
{
	size_t i;

	if (!(k->text = strdup(u->text)))
		return LG_ERR_NOMEM;
	if (u->caseless)
		for (i = 0; i < u->len; i++)
			k->text[i] = (char)tolower((unsigned char)k->text[i]);
	k->len = u->len;
	k->caseless = u->caseless;
	return 0;
}

/*
 * Sorts the uses and merges equal ones into distinct keywords, each with
 * its rules in rule order: start-up stays linear in the keywords.
 */
static int merge_uses(struct keyword_set *set, struct use_list *l)
{
	const struct keyword_use *u = l->u;
	size_t i = 0, j, n = l->n;

	qsort(l->u, n, sizeof(*l->u), compare_use);
	if (!(set->k = calloc(n + 1, sizeof(*set->k))))
		return LG_ERR_NOMEM;
	while (i < n) {
		struct keyword *k = &set->k[set->n++];
		for (j = i + 1; j < n && !compare_text(&u[i], &u[j]); j++)
			;
		if (new_keyword(k, &u[i]) ||
		    !(k->rules = calloc(j - i, sizeof(*k->rules))))
			return LG_ERR_NOMEM;
		for (; i < j; i++) {
			if (u[i].rule == NO_RULE)
				k->secret_word = 1;
			else if (!k->n_rules ||
				 k->rules[k->n_rules - 1] != u[i].rule)
				k->rules[k->n_rules++] = u[i].rule;
		}
	}
	return 0;
}

static void add_use(struct use_list *l, const char *text, int caseless,
		    size_t rule)
{
	struct keyword_use *u = &l->u[l->n++];

	u->text = text;
	u->len = strlen(text);
	u->caseless = caseless;
	u->rule = rule;
}

static int collect_uses(struct keyword_index *ix, const struct rule_set *rs,
			struct use_list *pass, struct use_list *names)
{
	size_t i, j, n = sizeof(secret_words) / sizeof(secret_words[0]);

	for (i = 0; i < rs->n; i++)
		n += rs->rules[i]->keywords.n;
	ix->always = calloc(rs->n + 1, sizeof(*ix->always));
	pass->u = calloc(n + 1, sizeof(*pass->u));
	names->u = calloc(n + 1, sizeof(*names->u));
	if (!ix->always || !pass->u || !names->u)
		return LG_ERR_NOMEM;
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];
		if (r->companion)
			continue;	/* looked for only next to its partner */
		if (!r->keywords.n)
			ix->always[ix->n_always++] = i;
		for (j = 0; j < r->keywords.n; j++)
			add_use(r->named ? names : pass, r->keywords.items[j],
				keyword_caseless(r, r->keywords.items[j]), i);
	}
	for (j = 0; names->n && j < sizeof(secret_words) / sizeof(secret_words[0]); j++)
		add_use(pass, secret_words[j], !has_capitals(secret_words[j]),
			NO_RULE);
	return 0;
}

static void hash_set(XXH3_state_t *st, const struct keyword_set *set)
{
	size_t i;

	XXH3_64bits_update(st, &set->n, sizeof(set->n));
	for (i = 0; i < set->n; i++) {
		const struct keyword *k = &set->k[i];
		int flags[2] = { k->caseless, k->secret_word };
		XXH3_64bits_update(st, k->text, k->len + 1);
		XXH3_64bits_update(st, flags, sizeof(flags));
	}
}

/* Names the keyword lists the databases were compiled from. */
static uint64_t keyword_hash(const struct keyword_index *ix)
{
	XXH3_state_t st;

	XXH3_64bits_reset(&st);
	hash_set(&st, &ix->main);
	hash_set(&st, &ix->names);
	return XXH3_64bits_digest(&st);
}

/*
 * The built-in databases: an 8-byte length, the main database, then the
 * names' (absent when its length is 0).
 */
static int deserialize(hs_database_t **db, const unsigned char *p, size_t n)
{
	return !n || hs_deserialize_database((const char *)p, n, db) == HS_SUCCESS;
}

/*
 * Compiling the built-in keywords costs more than the rest of start-up
 * together, so the build stores their databases in the binary.  They are
 * used when this index's keywords are exactly those; returns 1 if loaded.
 */
static int load_builtin(struct keyword_index *ix)
{
	const unsigned char *p = builtin_keyword_db;
	size_t left = builtin_keyword_db_len;
	uint64_t first;

	if (left < sizeof(first) || keyword_hash(ix) != builtin_keyword_db_hash)
		return 0;
	memcpy(&first, p, sizeof(first));
	p += sizeof(first);
	left -= sizeof(first);
	if (first <= left && deserialize(&ix->main.db, p, (size_t)first) &&
	    deserialize(&ix->names.db, p + first, left - (size_t)first))
		return 1;
	hs_free_database(ix->main.db);
	hs_free_database(ix->names.db);
	ix->main.db = ix->names.db = NULL;
	return 0;
}

static int serialize_one(const hs_database_t *db, char **bytes, size_t *len)
{
	*bytes = NULL;
	*len = 0;
	return db && hs_serialize_database(db, bytes, len) != HS_SUCCESS;
}

int keywords_serialize(const struct keyword_index *ix, char **bytes,
		       size_t *len, uint64_t *hash)
{
	char *first = NULL, *names = NULL;
	size_t first_len, names_len;
	uint64_t header;
	int rc = LG_ERR_NOMEM;

	if (serialize_one(ix->main.db, &first, &first_len) ||
	    serialize_one(ix->names.db, &names, &names_len) ||
	    !(*bytes = malloc(sizeof(header) + first_len + names_len + 1)))
		goto done;
	header = first_len;
	memcpy(*bytes, &header, sizeof(header));
	if (first_len)
		memcpy(*bytes + sizeof(header), first, first_len);
	if (names_len)
		memcpy(*bytes + sizeof(header) + first_len, names, names_len);
	*len = sizeof(header) + first_len + names_len;
	*hash = keyword_hash(ix);
	rc = 0;
done:
	free(first);
	free(names);
	return rc;
}

static int compile_set(struct keyword_set *set, struct lg_error *err)
{
	const char **exprs = calloc(set->n + 1, sizeof(*exprs));
	unsigned *flags = calloc(set->n + 1, sizeof(*flags));
	unsigned *ids = calloc(set->n + 1, sizeof(*ids));
	size_t *lens = calloc(set->n + 1, sizeof(*lens)), i;
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	if (!exprs || !flags || !ids || !lens) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < set->n; i++) {
		exprs[i] = set->k[i].text;
		lens[i] = set->k[i].len;
		flags[i] = set->k[i].caseless ? HS_FLAG_CASELESS : 0;
		ids[i] = (unsigned)i;
	}
	if (set->n &&
	    hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)set->n,
				 HS_MODE_BLOCK, NULL, &set->db, &cerr) != HS_SUCCESS) {
		rc = lg_error_set(err, LG_ERR_PARSE, "keyword '%s': %s",
				  cerr->expression >= 0 ? exprs[cerr->expression] : "?",
				  cerr->message);
		hs_free_compile_error(cerr);
	}
done:
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

static int alloc_scratch(struct keyword_index *ix, struct lg_error *err)
{
	if ((ix->main.db &&
	     hs_alloc_scratch(ix->main.db, &ix->proto_scratch) != HS_SUCCESS) ||
	    (ix->names.db &&
	     hs_alloc_scratch(ix->names.db, &ix->proto_scratch) != HS_SUCCESS))
		return lg_error_set(err, LG_ERR_NOMEM,
				    "cannot allocate Vectorscan scratch");
	return 0;
}

int keywords_index(struct keyword_index *ix, const struct rule_set *rs,
		   struct lg_error *err)
{
	struct use_list pass = { NULL, 0 }, names = { NULL, 0 };
	int rc = 0;

	if (collect_uses(ix, rs, &pass, &names) ||
	    merge_uses(&ix->main, &pass) || merge_uses(&ix->names, &names))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	free(pass.u);
	free(names.u);
	if (!rc && !load_builtin(ix) &&
	    !(rc = compile_set(&ix->main, err)))
		rc = compile_set(&ix->names, err);
	return rc ? rc : alloc_scratch(ix, err);
}

static void release_set(struct keyword_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->k[i].text);
		free(set->k[i].rules);
	}
	free(set->k);
	hs_free_database(set->db);
}

void keywords_release(struct keyword_index *ix)
{
	release_set(&ix->main);
	release_set(&ix->names);
	free(ix->always);
	hs_free_scratch(ix->proto_scratch);
	memset(ix, 0, sizeof(*ix));
}
