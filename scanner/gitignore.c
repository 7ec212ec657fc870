#include "gitignore.h"

#include <assert.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "banned.h"

enum rule_flags {
	RULE_NEGATIVE = 1 << 0,	/* "!pattern": re-includes */
	RULE_DIR_ONLY = 1 << 1,	/* "pattern/": directories only */
	RULE_BASENAME = 1 << 2,	/* no '/': matched against the last component */
	RULE_LITERAL = 1 << 3,	/* no wildcard: compared, not globbed */
	RULE_SUFFIX = 1 << 4,	/* basename "*literal": compared with the end */
};

/*
 * A pattern lives in its list's storage.  A globbing rule with a '/' keeps
 * its components NUL-separated ("a\0**\0*.c\0", len counting every NUL);
 * any other keeps the pattern as written, minus '!' and the slashes that
 * only set flags.
 */
struct gitignore_rule {
	size_t pat;		/* offset into the list's patterns */
	size_t len;
	unsigned flags;
};

/* git's is_glob_special(): what makes a pattern more than a string. */
static int has_wildcard(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return 1;
	return 0;
}

/* Drops trailing spaces that no backslash escapes, as git does. */
static size_t trim_trailing_spaces(const char *s, size_t len)
{
	size_t i, keep = len;
	int in_spaces = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {
			if (!in_spaces)
				keep = i;
			in_spaces = 1;
			continue;
		}
		if (s[i] == '\\' && ++i == len)
			return len;
		in_spaces = 0;
	}
	return in_spaces ? keep : len;
}

/* A component of two or more stars only: "**" to wildmatch(). */
static int is_double_star(const char *comp, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (comp[i] != '*')
			return 0;
	return len >= 2;
}

/* Appends s[0..n) and a NUL. */
static int add_component(struct buf *store, const char *s, size_t n)
{
	return buf_add(store, s, n) || buf_add(store, "", 1) ? LG_ERR_NOMEM : 0;
}

/*
 * Stores a path pattern's components NUL-separated.  A run of "**"
 * components is stored as one: it matches what each of them would.
 */
static int store_components(struct buf *store, const char *p, size_t len)
{
	const char *end = p + len, *slash;
	int prev_star = 0, star;
	size_t n;

	for (; p <= end; p = slash + 1, prev_star = star) {
		if (!(slash = memchr(p, '/', (size_t)(end - p))))
			slash = end;
		n = (size_t)(slash - p);
		star = is_double_star(p, n);
		if ((!star || !prev_star) &&
		    add_component(store, star ? "**" : p, star ? 2 : n))
			return LG_ERR_NOMEM;
	}
	return 0;
}

/*
 * Under core.ignoreCase git's [:upper:] and [:lower:] match letters of
 * either case, while fnmatch(3) tests classes on the name as it is: make
 * them [:alpha:].  Only classes inside a bracket expression are touched.
 */
static void fold_case_classes(char *p, size_t len)
{
	size_t i = 0, j;

	while (i < len) {
		if (p[i] == '\\') {
			i += 2;
			continue;
		}
		if (p[i++] != '[')
			continue;
		j = i + (i < len && (p[i] == '!' || p[i] == '^'));
		j += j < len && p[j] == ']';
		for (; j < len && p[j] && p[j] != ']'; j++)
			if (len - j >= 9 && (!memcmp(p + j, "[:upper:]", 9) ||
					     !memcmp(p + j, "[:lower:]", 9)))
				memcpy(p + j + 2, "alpha", 5);
		i = j + 1;
	}
}

struct parser {
	struct gitignore_list *l;
	struct buf store;
	size_t alloc;		/* of l->rules */
	int icase;
};

/* Stores the pattern p[0..len) of rule r and appends r to the list. */
static int add_rule(struct parser *ps, struct gitignore_rule *r,
		    const char *p, size_t len)
{
	struct gitignore_rule *grown;
	int whole = r->flags & (RULE_BASENAME | RULE_LITERAL);

	r->pat = ps->store.len;
	if (whole ? add_component(&ps->store, p, len) :
	    store_components(&ps->store, p, len))
		return LG_ERR_NOMEM;
	r->len = whole ? len : ps->store.len - r->pat;
	if (ps->icase && !(r->flags & RULE_LITERAL))
		fold_case_classes(ps->store.ptr + r->pat, r->len);
	if (ps->l->n_rules == ps->alloc) {
		ps->alloc = ps->alloc ? 2 * ps->alloc : 16;
		grown = realloc(ps->l->rules, ps->alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		ps->l->rules = grown;
	}
	ps->l->rules[ps->l->n_rules++] = *r;
	return 0;
}

/* Parses one line (without its '\n') as git does, or skips it. */
static int parse_line(struct parser *ps, const char *p, size_t len)
{
	struct gitignore_rule r = { 0, 0, 0 };

	if (len && p[len - 1] == '\r')
		len--;
	if (!len || p[0] == '#')
		return 0;
	len = trim_trailing_spaces(p, len);
	if (len && p[0] == '!') {
		r.flags |= RULE_NEGATIVE;
		p++, len--;
	}
	if (len && p[len - 1] == '/') {
		r.flags |= RULE_DIR_ONLY;
		len--;
	}
	if (!memchr(p, '/', len))
		r.flags |= RULE_BASENAME;
	else if (p[0] == '/')
		p++, len--;
	if (!len)
		return 0;
	if (!has_wildcard(p, len))
		r.flags |= RULE_LITERAL;
	else if ((r.flags & RULE_BASENAME) && p[0] == '*' &&
		 !has_wildcard(p + 1, len - 1))
		r.flags |= RULE_SUFFIX;
	return add_rule(ps, &r, p, len);
}

static int parse_list(struct gitignore_list *l, const char *data, size_t len,
		      int icase)
{
	struct parser ps = { l, BUF_INIT, 0, icase };
	const char *end = data + len, *nl;
	int rc = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		data += 3;
	for (; !rc && data < end; data = nl + 1) {
		if (!(nl = memchr(data, '\n', (size_t)(end - data))))
			nl = end;
		rc = parse_line(&ps, data, (size_t)(nl - data));
	}
	l->patterns = buf_detach(&ps.store);
	if (!rc && !l->patterns)
		rc = LG_ERR_NOMEM;
	return rc;
}

static void list_release(struct gitignore_list *l)
{
	free(l->rules);
	free(l->patterns);
}

int gitignore_push(struct gitignore *gi, const char *data, size_t len,
		   size_t base_len)
{
	struct gitignore_list l = { NULL, 0, NULL, base_len }, *grown;

	if (gi->n_lists == gi->alloc) {
		size_t alloc = gi->alloc ? 2 * gi->alloc : 8;
		if (!(grown = realloc(gi->lists, alloc * sizeof(*grown))))
			return LG_ERR_NOMEM;
		gi->lists = grown;
		gi->alloc = alloc;
	}
	if (parse_list(&l, data, len, gi->icase)) {
		list_release(&l);
		return LG_ERR_NOMEM;
	}
	gi->lists[gi->n_lists++] = l;
	return 0;
}

void gitignore_pop(struct gitignore *gi, size_t n_lists)
{
	while (gi->n_lists > n_lists)
		list_release(&gi->lists[--gi->n_lists]);
}

void gitignore_release(struct gitignore *gi)
{
	gitignore_pop(gi, 0);
	free(gi->lists);
	buf_release(&gi->scratch);
	gi->lists = NULL;
	gi->alloc = 0;
}

/* The path being decided, in the forms the rules need. */
struct subject {
	const char *path;	/* relative to the work tree root */
	size_t len;
	const char *name;	/* its last component */
	size_t name_len;
	const char *comps;	/* path with each '/' made a NUL */
	int is_dir;
	int fnm;		/* fnmatch(3) flags */
};

static int same(const struct gitignore *gi, const char *a, const char *b,
		size_t n)
{
	return gi->icase ? !strncasecmp(a, b, n) : !memcmp(a, b, n);
}

static const char *next_comp(const char *c)
{
	return c + strlen(c) + 1;
}

/*
 * Matches pattern components [p, pend) against path components [c, cend),
 * where "**" stands for any number of components (one or more at the
 * end: a trailing "**" does not match the directory it ends).  A failure
 * after a later "**" cannot be mended by moving an earlier one, so only
 * the last "**" is ever backtracked to: no recursion, no blow-up on
 * hostile patterns.
 */
static int match_components(const char *p, const char *pend, const char *c,
			    const char *cend, int fnm)
{
	const char *star_p = NULL, *star_c = NULL;

	for (;;) {
		if (p < pend && !strcmp(p, "**")) {
			p = next_comp(p);
			if (p == pend)
				return c < cend;
			star_p = p;
			star_c = c;
			continue;
		}
		if (p < pend && c < cend && !fnmatch(p, c, fnm)) {
			p = next_comp(p);
			c = next_comp(c);
			continue;
		}
		if (p == pend && c == cend)
			return 1;
		if (!star_p || star_c == cend)
			return 0;
		p = star_p;
		c = star_c = next_comp(star_c);
	}
}

static int rule_matches(const struct gitignore *gi,
			const struct gitignore_list *l,
			const struct gitignore_rule *r, const struct subject *s)
{
	const char *pat = l->patterns + r->pat;
	size_t rel_len = s->len - l->base_len;

	if (r->flags & RULE_BASENAME) {
		if (r->flags & RULE_LITERAL)
			return s->name_len == r->len &&
			       same(gi, s->name, pat, r->len);
		if (r->flags & RULE_SUFFIX)
			return s->name_len >= r->len - 1 &&
			       same(gi, s->name + s->name_len - (r->len - 1),
				    pat + 1, r->len - 1);
		return !fnmatch(pat, s->comps + (s->name - s->path), s->fnm);
	}
	if (r->flags & RULE_LITERAL)
		return rel_len == r->len &&
		       same(gi, s->path + l->base_len, pat, r->len);
	return match_components(pat, pat + r->len, s->comps + l->base_len,
				s->comps + s->len + 1, s->fnm);
}

int gitignore_glob(const char *pattern, const char *path, int fnm)
{
	struct buf pat = BUF_INIT, comps = BUF_INIT;
	size_t i;
	int rc = store_components(&pat, pattern, strlen(pattern));

	if (!rc)
		rc = add_component(&comps, path, strlen(path));
	for (i = 0; !rc && i < comps.len; i++)
		if (comps.ptr[i] == '/')
			comps.ptr[i] = '\0';
	if (!rc)
		rc = match_components(pat.ptr, pat.ptr + pat.len, comps.ptr,
				      comps.ptr + comps.len, fnm);
	buf_release(&pat);
	buf_release(&comps);
	return rc;
}

/* 1: ignored, 0: re-included, -1: no rule of l matches. */
static int list_decide(const struct gitignore *gi,
		       const struct gitignore_list *l, const struct subject *s)
{
	const struct gitignore_rule *r;
	size_t i;

	for (i = l->n_rules; i--;) {
		r = &l->rules[i];
		if ((r->flags & RULE_DIR_ONLY) && !s->is_dir)
			continue;
		if (rule_matches(gi, l, r, s))
			return !(r->flags & RULE_NEGATIVE);
	}
	return -1;
}

int gitignore_match(struct gitignore *gi, const char *path, size_t len,
		    int is_dir)
{
	struct subject s;
	const char *slash = memrchr(path, '/', len);
	size_t i;
	int d;

	buf_reset(&gi->scratch);
	if (buf_add(&gi->scratch, path, len))
		return LG_ERR_NOMEM;
	for (i = 0; i < len; i++)
		if (gi->scratch.ptr[i] == '/')
			gi->scratch.ptr[i] = '\0';
	s.path = path;
	s.len = len;
	s.name = slash ? slash + 1 : path;
	s.name_len = len - (size_t)(s.name - path);
	s.comps = gi->scratch.ptr;
	s.is_dir = is_dir;
	s.fnm = gi->icase ? FNM_CASEFOLD : 0;
	for (i = gi->n_lists; i--;) {
		assert(gi->lists[i].base_len < len || !gi->lists[i].base_len);
		if ((d = list_decide(gi, &gi->lists[i], &s)) >= 0)
			return d;
	}
	return 0;
}
