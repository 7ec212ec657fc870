#include "engine.h"

#include <ctype.h>
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "buf.h"
#include "engine_keywords.h"
#include "entropy.h"
#include "error.h"
#include "placeholder.h"
#include "banned.h"

/* Bytes before a keyword hit that a window starts at (context, lookbehind). */
#define WINDOW_BEFORE 256
/* How far a window's end may move forward to reach the end of its line. */
#define WINDOW_LINE_SLACK 4096
#define INLINE_ALLOW "leakgate:allow"
/* Bytes of a one-character run between two of its keyword's windows. */
#define RUN_STRIDE (WINDOW_BEFORE / 2)

struct engine {
	const struct rule_set *rules;
	struct keyword_index kw;
	/*
	 * Matches the paths one of those rules selects (most select a few
	 * file names): one look at a path rather than one per rule.  NULL
	 * when none selects paths.
	 */
	pcre2_code *always_paths;
};

struct window {
	size_t start, end;
};

struct window_list {
	struct window *w;
	size_t n, alloc;
};

struct engine_worker {
	const struct engine *e;
	hs_scratch_t *scratch;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	struct window_list *windows;	/* one per rule */
	size_t *touched;		/* rules with windows in this blob */
	size_t n_touched;
	int oom;
	/* The blob being scanned and its lazily built newline index. */
	const char *data;
	size_t len;
	const char *path;	/* of the blob, or NULL */
	size_t *newlines;
	size_t n_newlines, newlines_alloc;
	int newlines_built;
	struct plain_memo plain_memo;	/* for the plaintext checks */
	size_t allow_line;	/* 1 + the line last searched for an allow, or 0 */
	int allow_hit;
	size_t reported;	/* matches handed to the callback, ever */
	size_t last_match_end;	/* end of the latest pattern match */
	struct window_list name_spans;	/* where to look for names */
	size_t span_base;	/* offset of the span being searched */
	unsigned last_keyword;		/* id of the latest keyword hit */
	unsigned long long last_keyword_end;	/* and its end; 0: none */
	unsigned long long last_keyword_window;	/* end of its last window */
};

/* ---- building ----------------------------------------------------------- */

int engine_serialize_keywords(const struct engine *e, char **bytes,
			      size_t *len, uint64_t *hash)
{
	return keywords_serialize(&e->kw, bytes, len, hash);
}

/*
 * Non-zero when a pattern may refer to a group by number or name
 * (backreference, subroutine call, condition): joined with others, the
 * numbers would shift.  Errs on the safe side.
 */
static int refers_to_groups(const char *p)
{
	for (; *p; p++) {
		if (p[0] == '\\' && p[1] && strchr("123456789gkP", p[1]))
			return 1;
		if (p[0] == '(' && p[1] == '?' && p[2] &&
		    strchr("0123456789+-&R(P", p[2]))
			return 1;
		if (p[0] == '\\' && p[1])
			p++;
	}
	return 0;
}

/*
 * Joins the path patterns of the keyword-less rules into one regex, when
 * they can be: any other way, each rule's path is matched on its own.
 */
static int compile_always_paths(struct engine *e)
{
	struct buf src = BUF_INIT;
	PCRE2_SIZE offset;
	size_t i;
	int rc = 0, code;

	for (i = 0; i < e->kw.n_always && !rc; i++) {
		const struct rule *r = e->rules->rules[e->kw.always[i]];
		if (r->path_src && refers_to_groups(r->path_src))
			goto out;
		if (r->path_src)
			rc = buf_addf(&src, "%s(?:%s)", src.len ? "|" : "",
				      r->path_src);
	}
	if (!rc && src.len) {
		e->always_paths = pcre2_compile((PCRE2_SPTR)src.ptr, src.len, 0,
						&code, &offset, NULL);
		if (e->always_paths)
			pcre2_jit_compile(e->always_paths, PCRE2_JIT_COMPLETE);
	}
out:
	buf_release(&src);
	return rc;
}

int engine_new(struct engine **out, const struct rule_set *rules,
	       struct lg_error *err)
{
	struct engine *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	e->rules = rules;
	if ((rc = rules_link(rules, 0, err)))
		goto fail;
	if ((rc = keywords_index(&e->kw, rules, err)))
		goto fail;
	if (compile_always_paths(e)) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto fail;
	}
	*out = e;
	return 0;
fail:
	engine_free(e);
	return rc;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	keywords_release(&e->kw);
	pcre2_code_free(e->always_paths);
	free(e);
}

int engine_worker_new(struct engine_worker **out, const struct engine *e,
		      struct lg_error *err)
{
	struct engine_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	w->e = e;
	w->windows = calloc(e->rules->n + 1, sizeof(*w->windows));
	w->touched = calloc(e->rules->n + 1, sizeof(*w->touched));
	w->md = pcre2_match_data_create((uint32_t)e->rules->max_captures + 1, NULL);
	w->mctx = pcre2_match_context_create(NULL);
	w->jit_stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
	if (!w->windows || !w->touched || !w->md || !w->mctx || !w->jit_stack)
		goto oom;
	pcre2_jit_stack_assign(w->mctx, NULL, w->jit_stack);
	pcre2_set_match_limit(w->mctx, ENGINE_MATCH_LIMIT);
	pcre2_set_depth_limit(w->mctx, ENGINE_DEPTH_LIMIT);
	pcre2_set_heap_limit(w->mctx, ENGINE_HEAP_LIMIT_KIB);
	if (e->kw.proto_scratch &&
	    hs_clone_scratch(e->kw.proto_scratch, &w->scratch) != HS_SUCCESS)
		goto oom;
	*out = w;
	return 0;
oom:
	engine_worker_free(w);
	return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
}

void engine_worker_free(struct engine_worker *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; w->windows && i < w->e->rules->n; i++)
		free(w->windows[i].w);
	free(w->windows);
	free(w->name_spans.w);
	free(w->touched);
	pcre2_match_data_free(w->md);
	pcre2_match_context_free(w->mctx);
	pcre2_jit_stack_free(w->jit_stack);
	hs_free_scratch(w->scratch);
	free(w->newlines);
	free(w);
}

/* ---- lines -------------------------------------------------------------- */

static int build_newlines(struct engine_worker *w)
{
	const char *p = w->data, *end = w->data + w->len;

	w->n_newlines = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		if (w->n_newlines == w->newlines_alloc) {
			size_t alloc = w->newlines_alloc ? w->newlines_alloc * 2 : 256;
			size_t *grown = realloc(w->newlines, alloc * sizeof(*grown));
			if (!grown)
				return LG_ERR_NOMEM;
			w->newlines = grown;
			w->newlines_alloc = alloc;
		}
		w->newlines[w->n_newlines++] = (size_t)(p - w->data);
		p++;
	}
	w->newlines_built = 1;
	return 0;
}

/* 0-based index of the line holding offset: the count of newlines before it. */
static size_t line_index(const struct engine_worker *w, size_t offset)
{
	size_t lo = 0, hi = w->n_newlines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->newlines[mid] < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t line_start(const struct engine_worker *w, size_t idx)
{
	return idx ? w->newlines[idx - 1] + 1 : 0;
}

static size_t line_end(const struct engine_worker *w, size_t idx)
{
	return idx < w->n_newlines ? w->newlines[idx] : w->len;
}

/* ---- filters ------------------------------------------------------------ */

static int allowed_by_rule(struct engine_worker *w, const struct rule *r,
			   const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < r->allow_src.n; i++)
		if (pcre2_match(r->allow[i], (PCRE2_SPTR)s, len, 0, 0, w->md,
				w->mctx) >= 0)
			return 1;
	return 0;
}

/*
 * A rule sure of its shape keeps a value that merely holds an ascending
 * run, at low confidence: a provider's pattern (a fixed prefix, an exact
 * length) one with a short run ("abcdef1234567890..."), a vendor-named
 * rule (the vendor's name next to a value of its shape) any run.  A broad
 * rule keeps neither, and no rule keeps a bare stand-in.  Sets *conf.
 */
static int keeps_placeholder(const struct rule *r, enum placeholder_kind k,
			     enum confidence *conf)
{
	enum placeholder_kind most = r->value ? PLACEHOLDER_LONG_RUN
				     : r->generic ? PLACEHOLDER_NONE
						  : PLACEHOLDER_RUN;

	if (k > most)
		return 0;
	if (k != PLACEHOLDER_NONE)
		*conf = CONFIDENCE_LOW;
	else
		*conf = r->generic || r->value ? CONFIDENCE_MEDIUM
					       : CONFIDENCE_HIGH;
	return 1;
}

/* placeholder.c holds no run against a longer secret than this. */
#define RUN_GRADE_MAX 256

/*
 * How much of a stand-in s is.  For a rule whose fixed markers prove the
 * format (keep_runs), a run of one character is not held against it: s
 * is graded with every run cut to four characters, so a key holding
 * "JQQJ99BAAAAAAAAAAAAAAAZDO" passes and "EXAMPLE" or "xxxx" still do not.
 */
static enum placeholder_kind grade(const struct rule *r, const char *s,
				   size_t len)
{
	enum placeholder_kind k = placeholder_kind(s, len);
	char cut[RUN_GRADE_MAX];
	size_t i, n = 0;

	if (k != PLACEHOLDER_SKELETON || !r->keep_runs || len > sizeof(cut))
		return k;
	for (i = 0; i < len; i++)
		if (i < 4 || s[i] != s[i - 1] || s[i] != s[i - 2] ||
		    s[i] != s[i - 3] || s[i] != s[i - 4])
			cut[n++] = s[i];
	return placeholder_kind(cut, n);
}

/*
 * Runs the post-match checks on a secret; returns 1 when it should be
 * reported and sets *conf.
 */
static int secret_passes(struct engine_worker *w, const struct rule *r,
			 const char *s, size_t len, enum confidence *conf)
{
	enum validate_result v = VALIDATE_UNKNOWN;

	if (!len)
		return 0;
	if (r->min_entropy > 0 && entropy_shannon(s, len) < r->min_entropy)
		return 0;
	/*
	 * A rule without a check of its own still checks a token whose
	 * format has one (a ghp_ token as a URL's password).
	 */
	v = r->validate ? r->validate(s, len) : validate_known_token(s, len);
	if (v == VALIDATE_INVALID)
		return 0;
	if (allowed_by_rule(w, r, s, len))
		return 0;
	/* A token whose checksum is right was minted, not typed as a stand-in. */
	if (v == VALIDATE_VALID) {
		*conf = CONFIDENCE_CHECKSUM;
		return 1;
	}
	return keeps_placeholder(r, grade(r, s, len), conf);
}

/* A rule's plaintext check (plain.h): the value in its place, graded. */
static int classified(struct engine_worker *w, const struct rule *r,
		      size_t match, size_t off, size_t len,
		      enum confidence *conf)
{
	struct plain_candidate c = { w->data, w->len, match, off,
				     len, w->path, &w->plain_memo };

	return !r->classify || r->classify(&c, conf);
}

/*
 * Non-zero when line idx holds an inline allow.  The answer for the last
 * line asked is kept: on one long minified line, every match would
 * otherwise search the whole line again (quadratic time).
 */
static int line_allowed(struct engine_worker *w, size_t idx)
{
	size_t start = line_start(w, idx), end = line_end(w, idx);

	if (w->allow_line != idx + 1) {
		w->allow_line = idx + 1;
		w->allow_hit = memmem(w->data + start, end - start, INLINE_ALLOW,
				      sizeof(INLINE_ALLOW) - 1) != NULL;
	}
	return w->allow_hit;
}

/* Line and column (1-based) of offset; the newline index must be built. */
static void place(const struct engine_worker *w, size_t off, size_t *line,
		  size_t *column)
{
	size_t idx = line_index(w, off);

	*line = idx + 1;
	*column = off - line_start(w, idx) + 1;
}

/*
 * Keeps the part at [s, s + n) of companion c if it is nearer to the
 * secret at [off, end) than *best.
 */
static void consider_part(struct engine_worker *w, const struct rule *c,
			  size_t s, size_t n, size_t off, size_t end,
			  size_t *best, struct engine_part *out)
{
	/* The gap between the two: before the secret or after it. */
	size_t dist = s >= end ? s - end : off - (s + n);
	enum confidence conf;

	if (dist >= *best || !secret_passes(w, c, w->data + s, n, &conf))
		return;
	*best = dist;
	out->rule = c;
	out->secret = w->data + s;
	out->secret_len = n;
	out->offset = s;
}

/*
 * The match of companion c nearest to the secret at [off, off + len),
 * within r's window and not on the secret's own bytes; 1 when found.
 * Runs only after r matched: pairs cost nothing where r does not.
 */
static int find_part(struct engine_worker *w, const struct rule *r,
		     const struct rule *c, size_t off, size_t len,
		     struct engine_part *out)
{
	size_t lo = off > r->requires_window ? off - r->requires_window : 0;
	size_t hi = off + len + r->requires_window, pos, best = SIZE_MAX;
	size_t g = c->secret_group;

	if (hi > w->len)
		hi = w->len;
	if (rules_prepare(c))
		return 0;
	for (pos = lo; pos < hi;) {
		PCRE2_SIZE *ov;

		if (pcre2_match(c->re, (PCRE2_SPTR)w->data, hi, pos, 0, w->md,
				w->mctx) < 0)
			break;
		ov = pcre2_get_ovector_pointer(w->md);
		pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		/* Unset, or the secret itself: not a part of it. */
		if (ov[2 * g] == PCRE2_UNSET ||
		    (ov[2 * g] < off + len && ov[2 * g + 1] > off))
			continue;
		consider_part(w, c, ov[2 * g], ov[2 * g + 1] - ov[2 * g], off,
			      off + len, &best, out);
	}
	if (best == SIZE_MAX)
		return 0;
	place(w, out->offset, &out->line, &out->column);
	return 1;
}

/*
 * Fills m's parts from r's companions; returns 0 when a part is missing
 * and r is not a finding without them.
 */
static int find_parts(struct engine_worker *w, const struct rule *r,
		      struct engine_match *m)
{
	const struct rule *const *cs;
	size_t n, i;

	cs = rules_companions(r, &n);
	if (n < r->requires.n && !r->standalone)
		return 0;	/* a part was disabled: never complete */
	for (i = 0; i < n; i++) {
		if (find_part(w, r, cs[i], m->offset, m->secret_len,
			      &m->parts[m->n_parts]))
			m->n_parts++;
		else if (!r->standalone)
			return 0;
	}
	return 1;
}

/* Reports the secret data[off..off+len) of a match that starts at match. */
static int report(struct engine_worker *w, const struct rule *r, size_t match,
		  size_t off, size_t len, const char *detail,
		  const struct engine_callbacks *cb)
{
	struct engine_match m;
	size_t idx;

	if (!secret_passes(w, r, w->data + off, len, &m.confidence) ||
	    !classified(w, r, match, off, len, &m.confidence))
		return 0;
	if (!w->newlines_built && build_newlines(w))
		return LG_ERR_NOMEM;
	idx = line_index(w, off);
	if (line_allowed(w, idx))
		return 0;
	m.rule = r;
	m.secret = w->data + off;
	m.secret_len = len;
	m.offset = off;
	place(w, off, &m.line, &m.column);
	m.detail = detail;
	m.line_text = w->data + line_start(w, idx);
	m.line_len = line_end(w, idx) - line_start(w, idx);
	m.n_parts = 0;
	if (r->requires.n && !find_parts(w, r, &m))
		return 0;
	w->reported++;
	return cb->match ? cb->match(&m, cb->payload) : 0;
}

/* ---- parsers ------------------------------------------------------------ */

struct parse_ctx {
	struct engine_worker *w;
	const struct rule *r;
	const struct engine_callbacks *cb;
	int stop;		/* the callback's stop value */
};

/* A credential a parser found: checked and reported like a regex match. */
static int on_credential(const struct credstore_cred *c, void *payload)
{
	struct parse_ctx *ctx = payload;
	struct engine_worker *w = ctx->w;
	size_t before = w->reported;

	/* A span outside the blob would be a parser's bug: never read it. */
	if (c->offset > w->len || c->len > w->len - c->offset)
		return 0;
	ctx->stop = report(w, ctx->r, c->offset, c->offset, c->len, c->detail,
			   ctx->cb);
	if (ctx->stop)
		return -1;
	return w->reported > before;
}

static int run_parser(struct engine_worker *w, const struct rule *r,
		      const struct engine_callbacks *cb)
{
	struct parse_ctx ctx = { w, r, cb, 0 };
	int rc = r->parser(w->data, w->len, on_credential, &ctx);

	return ctx.stop ? ctx.stop : rc;
}

/* ---- matching ----------------------------------------------------------- */

static int is_limit_error(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

/*
 * Finds every match of r that starts in [start, end), with the subject cut
 * at end.  Returns 0, a callback's stop value, or 1 when a limit was hit
 * (reported through cb->limit).
 */
static int match_range(struct engine_worker *w, const struct rule *r,
		       size_t start, size_t end,
		       const struct engine_callbacks *cb)
{
	size_t pos = start;
	int rc;

	while (pos <= end) {
		PCRE2_SIZE *ov;
		size_t g = r->secret_group;

		rc = pcre2_match(r->re, (PCRE2_SPTR)w->data, end, pos, 0, w->md,
				 w->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0) {
			if (is_limit_error(rc) && cb->limit)
				cb->limit(r, cb->payload);
			return 0;
		}
		ov = pcre2_get_ovector_pointer(w->md);
		/* The filters reuse the match data: keep what is needed first. */
		pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		w->last_match_end = ov[1];
		if ((int)g < rc && ov[2 * g] != PCRE2_UNSET) {
			int stop = report(w, r, ov[0], ov[2 * g],
					  ov[2 * g + 1] - ov[2 * g], NULL, cb);
			if (stop)
				return stop;
		}
	}
	return 0;
}

static int push_window(struct window_list *l, size_t start, size_t end)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 8;
		struct window *grown = realloc(l->w, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		l->w = grown;
		l->alloc = alloc;
	}
	l->w[l->n].start = start;
	l->w[l->n++].end = end;
	return 0;
}

static int add_window(struct engine_worker *w, size_t rule, size_t hit,
		      size_t kwlen)
{
	const struct rule *r = w->e->rules->rules[rule];
	struct window_list *l = &w->windows[rule];
	size_t start = hit > WINDOW_BEFORE ? hit - WINDOW_BEFORE : 0;
	size_t end = hit + kwlen + r->window;

	if (end > w->len)
		end = w->len;
	if (r->anchored)
		start = hit;	/* one window per hit: see run_anchored() */
	else if (l->n && start <= l->w[l->n - 1].end) {
		if (end > l->w[l->n - 1].end)
			l->w[l->n - 1].end = end;
		return 0;
	}
	if (!l->n)
		w->touched[w->n_touched++] = rule;
	return push_window(l, start, end);
}

static int add_windows(struct engine_worker *w, const struct keyword *k,
		       size_t hit)
{
	size_t i;

	for (i = 0; i < k->n_rules; i++) {
		if (add_window(w, k->rules[i], hit, k->len)) {
			w->oom = 1;
			return 1;
		}
	}
	return 0;
}

/* Notes the bytes around a secret word's hit at [from, to) as a span. */
static int add_name_span(struct engine_worker *w, size_t from, size_t to)
{
	struct window_list *l = &w->name_spans;
	size_t start = from > NAME_SPAN_BEFORE ? from - NAME_SPAN_BEFORE : 0;
	size_t end = w->len - to > NAME_SPAN_AFTER ? to + NAME_SPAN_AFTER
						   : w->len;

	if (l->n && start <= l->w[l->n - 1].end) {
		l->w[l->n - 1].end = end;
		return 0;
	}
	if (push_window(l, start, end)) {
		w->oom = 1;
		return 1;
	}
	return 0;
}

static int on_keyword(unsigned id, unsigned long long from,
		      unsigned long long to, unsigned flags, void *ctx)
{
	struct engine_worker *w = ctx;
	const struct keyword *k = &w->e->kw.main.k[id];

	(void)from;
	(void)flags;
	/*
	 * A hit one byte after the same keyword's last one is inside a run
	 * of one character ("AAAA..." in base64 of zeros).  Windows are
	 * opened every RUN_STRIDE bytes of the run, not at every byte: each
	 * starts WINDOW_BEFORE bytes back, so together they still cover it.
	 */
	if (id == w->last_keyword && to == w->last_keyword_end + 1) {
		w->last_keyword_end = to;
		if (to < w->last_keyword_window + RUN_STRIDE)
			return 0;
	}
	w->last_keyword = id;
	w->last_keyword_end = to;
	w->last_keyword_window = to;
	if (k->secret_word &&
	    add_name_span(w, (size_t)to - k->len, (size_t)to))
		return 1;
	return add_windows(w, k, (size_t)to - k->len);
}

/* A named rule's keyword in a span: a hit like any other keyword's. */
static int on_name(unsigned id, unsigned long long from,
		   unsigned long long to, unsigned flags, void *ctx)
{
	struct engine_worker *w = ctx;
	const struct keyword *k = &w->e->kw.names.k[id];

	(void)from;
	(void)flags;
	return add_windows(w, k, w->span_base + (size_t)to - k->len);
}

/* Looks for the named rules' keywords in the spans the pass noted. */
static int scan_name_spans(struct engine_worker *w)
{
	const struct window_list *l = &w->name_spans;
	size_t i;

	for (i = 0; i < l->n; i++) {
		w->span_base = l->w[i].start;
		if (hs_scan(w->e->kw.names.db, w->data + l->w[i].start,
			    (unsigned)(l->w[i].end - l->w[i].start), 0,
			    w->scratch, on_name, w) != HS_SUCCESS && w->oom)
			return LG_ERR_NOMEM;
	}
	return w->oom ? LG_ERR_NOMEM : 0;
}

static size_t extend_to_line_end(const struct engine_worker *w, size_t end)
{
	size_t limit = end + WINDOW_LINE_SLACK < w->len ? end + WINDOW_LINE_SLACK
							 : w->len;
	const char *nl;

	if (end >= w->len)
		return w->len;
	nl = memchr(w->data + end, '\n', limit - end);
	return nl ? (size_t)(nl - w->data) : limit;
}

static int path_selected(const struct engine_worker *w, const struct rule *r,
			 const char *path)
{
	if (!path || !r->path_re)
		return 1;
	return pcre2_match(r->path_re, (PCRE2_SPTR)path, strlen(path), 0, 0,
			   w->md, w->mctx) >= 0;
}

/*
 * A rule whose matches start where its keyword does is tried once at each
 * hit (its pattern is compiled anchored) instead of at every byte of a
 * window: for broad rules with common keywords ("token", "auth") that is
 * most of their cost.
 */
static int run_anchored(struct engine_worker *w, const struct rule *r,
			const struct window_list *l,
			const struct engine_callbacks *cb)
{
	size_t i, matched_to = 0;
	int rc = 0;

	for (i = 0; i < l->n && !rc; i++) {
		if (l->w[i].start < matched_to)
			continue;	/* inside what an earlier hit matched */
		w->last_match_end = 0;
		rc = match_range(w, r, l->w[i].start,
				 extend_to_line_end(w, l->w[i].end), cb);
		if (w->last_match_end > matched_to)
			matched_to = w->last_match_end;
	}
	return rc;
}

static int run_windows(struct engine_worker *w, size_t rule, const char *path,
		       const struct engine_callbacks *cb)
{
	const struct rule *r = w->e->rules->rules[rule];
	struct window_list *l = &w->windows[rule];
	size_t i;
	int rc = rules_prepare(r);

	if (rc || !path_selected(w, r, path))
		return rc;
	if (r->anchored)
		return run_anchored(w, r, l, cb);
	for (i = 0; i < l->n && !rc; i++) {
		size_t start = l->w[i].start;
		size_t end = extend_to_line_end(w, l->w[i].end);
		/*
		 * Join windows the line extension made touch: a secret
		 * across the seam is matched whole, and once.
		 */
		while (i + 1 < l->n && l->w[i + 1].start <= end)
			end = extend_to_line_end(w, l->w[++i].end);
		rc = match_range(w, r, start, end, cb);
	}
	return rc;
}

static void reset_blob(struct engine_worker *w, const char *data, size_t len,
		       const char *path)
{
	size_t i;

	for (i = 0; i < w->n_touched; i++)
		w->windows[w->touched[i]].n = 0;
	w->n_touched = 0;
	w->oom = 0;
	w->data = data;
	w->len = len;
	w->path = path;
	w->newlines_built = 0;
	w->name_spans.n = 0;
	w->last_keyword_end = 0;
	memset(&w->plain_memo, 0, sizeof(w->plain_memo));
	w->allow_line = 0;
}

static int compare_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Runs a rule without keywords over the whole blob: parser or pattern. */
static int run_whole(struct engine_worker *w, const struct rule *r,
		     const char *path, const struct engine_callbacks *cb)
{
	int rc = rules_prepare(r);

	if (rc || !path_selected(w, r, path))
		return rc;
	return r->parser ? run_parser(w, r, cb)
			 : match_range(w, r, 0, w->len, cb);
}

int engine_scan(struct engine_worker *w, const char *data, size_t len,
		const char *path, const struct engine_callbacks *cb)
{
	const struct engine *e = w->e;
	size_t i;
	int rc = 0, any_path = 1;

	reset_blob(w, data, len, path);
	if (e->kw.main.db && len &&
	    hs_scan(e->kw.main.db, data, (unsigned)len, 0, w->scratch,
		    on_keyword, w) != HS_SUCCESS &&
	    w->oom)
		rc = LG_ERR_NOMEM;
	if (!rc && e->kw.names.db)
		rc = scan_name_spans(w);
	/* Rule order, not keyword order, so output is the same for any input. */
	qsort(w->touched, w->n_touched, sizeof(*w->touched), compare_size);
	for (i = 0; i < w->n_touched && !rc; i++)
		rc = run_windows(w, w->touched[i], path, cb);
	if (e->kw.n_always && path && e->always_paths)
		any_path = pcre2_match(e->always_paths, (PCRE2_SPTR)path,
				       strlen(path), 0, 0, w->md, w->mctx) >= 0;
	for (i = 0; i < e->kw.n_always && !rc; i++) {
		const struct rule *r = e->rules->rules[e->kw.always[i]];
		if (any_path || !r->path_src)
			rc = run_whole(w, r, path, cb);
	}
	reset_blob(w, NULL, 0, NULL);
	return rc;
}

int engine_scan_rule(struct engine_worker *w, const struct rule *r,
		     const char *data, size_t len,
		     const struct engine_callbacks *cb)
{
	int rc;

	reset_blob(w, data, len, NULL);
	rc = run_whole(w, r, NULL, cb);
	reset_blob(w, NULL, 0, NULL);
	return rc;
}

struct rule_count {
	const struct rule *rule;
	int n;
};

static int count_rule_match(const struct engine_match *m, void *payload)
{
	struct rule_count *c = payload;

	if (m->rule == c->rule)
		c->n++;
	return 0;
}

int engine_count_rule_matches(struct engine_worker *w, const struct rule *r,
			      const char *data, size_t len)
{
	struct rule_count count = { r, 0 };
	struct engine_callbacks cb = { count_rule_match, NULL, &count };
	/* Compiled even when no keyword occurs: a check proves the pattern. */
	int rc = rules_prepare(r);

	/* A companion never runs in a scan: its examples are tried alone. */
	if (!rc && r->companion)
		rc = engine_scan_rule(w, r, data, len, &cb);
	else if (!rc)
		rc = engine_scan(w, data, len, NULL, &cb);
	return rc < 0 ? rc : count.n;
}
