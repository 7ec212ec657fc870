#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_archive.h"
#include "error.h"
#include "banned.h"

#define INLINE_ALLOW "leakgate:allow"
/* Bytes an archive may expand to before its ratio to the file counts. */
#define RATIO_GRACE ((size_t)1 << 20)
/* Distinct notes kept per file (each is noted once). */
#define MAX_NOTES 8
/* A buffer larger than this is freed after its file, not kept for reuse. */
#define KEEP_BUF_MAX ((size_t)4 << 20)
#define BINARY_PROBE 8192u

/* One decoded run in a level: out[out..] came from src[src, src_end). */
struct decode_seg {
	size_t out, src, src_end;
	enum decode_kind kind;
};

struct decode_level {
	struct buf out;		/* the decoded runs, each ended by '\n' */
	struct decode_seg *segs;
	size_t n, alloc;
};

struct decode_worker {
	const struct decode_options *o;
	struct decode_level levels[DECODE_MAX_DEPTH + 1];	/* [0] unused */
	struct buf members[DECODE_MAX_ARCHIVE_DEPTH];
	struct buf path;		/* of the file or member being scanned */
	const struct decode_sink *sink;
	/* The file or member whose text is being scanned. */
	const char *root;
	size_t root_len;
	size_t line_off, line_no;	/* a cursor for decode_place() */
	/* The budget of the file handed to decode_blob(). */
	size_t file_len, decoded, expanded;
	const char *noted[MAX_NOTES];
	size_t n_noted;
};

void decode_options_init(struct decode_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_depth = DECODE_DEFAULT_DEPTH;
	o->max_archive_depth = DECODE_DEFAULT_ARCHIVE_DEPTH;
	o->max_decoded = DECODE_DEFAULT_MAX_DECODED;
	o->max_expanded = DECODE_DEFAULT_MAX_EXPANDED;
	o->max_ratio = DECODE_DEFAULT_MAX_RATIO;
}

int decode_worker_new(struct decode_worker **out,
		      const struct decode_options *o, struct lg_error *err)
{
	struct decode_worker *dw = calloc(1, sizeof(*dw));

	if (!dw)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	dw->o = o;
	*out = dw;
	return 0;
}

static void level_release(struct decode_level *l)
{
	buf_release(&l->out);
	free(l->segs);
	memset(l, 0, sizeof(*l));
}

void decode_worker_free(struct decode_worker *dw)
{
	size_t i;

	if (!dw)
		return;
	for (i = 0; i <= DECODE_MAX_DEPTH; i++)
		level_release(&dw->levels[i]);
	for (i = 0; i < DECODE_MAX_ARCHIVE_DEPTH; i++)
		buf_release(&dw->members[i]);
	buf_release(&dw->path);
	free(dw);
}

int decode_is_archive(const struct decode_options *o, const char *data,
		      size_t len)
{
	return o->max_archive_depth && decode_archive_sniff(data, len);
}

/* ---- notes -------------------------------------------------------------- */

/* Notes "path: what (detail)" unless what was noted for this file. */
static void note(struct decode_worker *dw, const char *what, const char *detail)
{
	char msg[1024];
	size_t i;

	for (i = 0; i < dw->n_noted; i++)
		if (dw->noted[i] == what)
			return;
	if (dw->n_noted < MAX_NOTES)
		dw->noted[dw->n_noted++] = what;
	snprintf(msg, sizeof(msg), "%s: %s%s%s%s", dw->path.ptr, what,
		 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	if (dw->sink->note)
		dw->sink->note(msg, dw->sink->payload);
}

/* ---- text levels -------------------------------------------------------- */

struct level_ctx {
	struct decode_worker *dw;
	const char *src;
	struct decode_level *l;
};

static int seg_add(struct decode_level *l, size_t out,
		   const struct decode_run *r)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 16;
		struct decode_seg *grown = realloc(l->segs, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		l->segs = grown;
		l->alloc = alloc;
	}
	l->segs[l->n].out = out;
	l->segs[l->n].src = r->start;
	l->segs[l->n].src_end = r->end;
	l->segs[l->n].kind = r->kind;
	l->n++;
	return 0;
}

static int on_run(const struct decode_run *r, void *payload)
{
	struct level_ctx *c = payload;
	struct decode_worker *dw = c->dw;
	size_t before = c->l->out.len;
	long got;

	if (dw->decoded + (r->end - r->start) > dw->o->max_decoded) {
		note(dw, "decoded-text cap reached, rest not decoded", NULL);
		return 1;
	}
	got = decode_text_run(&c->l->out, c->src, r);
	if (got <= 0)
		return got < 0 ? (int)got : 0;
	dw->decoded += (size_t)got;
	if (seg_add(c->l, before, r) || buf_addch(&c->l->out, '\n'))
		return LG_ERR_NOMEM;
	return 0;
}

/* Fills level n from src; returns 0 or a negative error. */
static int level_build(struct decode_worker *dw, unsigned n, const char *src,
		       size_t src_len)
{
	struct level_ctx c = { dw, src, &dw->levels[n] };
	int rc;

	buf_reset(&c.l->out);
	c.l->n = 0;
	rc = decode_text_runs(src, src_len, on_run, &c);
	return rc < 0 ? rc : 0;
}

/* Scans data as stored, then each level of decoded text in it. */
static int scan_text(struct decode_worker *dw, const char *data, size_t len,
		     int in_archive)
{
	struct decode_view v = { data, len, dw->path.ptr, in_archive, 0, dw };
	unsigned n;
	int rc;

	dw->root = data;
	dw->root_len = len;
	dw->line_off = dw->line_no = 0;
	rc = dw->sink->scan(&v, dw->sink->payload);
	for (n = 1; n <= dw->o->max_depth && n <= DECODE_MAX_DEPTH && !rc; n++) {
		if ((rc = level_build(dw, n, v.data, v.len)) || !dw->levels[n].n)
			break;
		v.data = dw->levels[n].out.ptr;
		v.len = dw->levels[n].out.len;
		v.level = n;
		rc = dw->sink->scan(&v, dw->sink->payload);
	}
	return rc;
}

/* ---- places ------------------------------------------------------------- */

/* The segment of level l that holds out offset off. */
static const struct decode_seg *seg_at(const struct decode_level *l, size_t off)
{
	size_t lo = 0, hi = l->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->segs[mid].out <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &l->segs[lo];
}

/* 1-based line of root offset off; a cursor makes ascending calls cheap. */
static size_t root_line(struct decode_worker *dw, size_t off, size_t *start)
{
	const char *s = dw->root, *nl;

	if (off < dw->line_off)
		dw->line_off = dw->line_no = 0;
	while ((nl = memchr(s + dw->line_off, '\n', off - dw->line_off))) {
		dw->line_off = (size_t)(nl - s) + 1;
		dw->line_no++;
	}
	*start = dw->line_off;
	return dw->line_no + 1;
}

void decode_place(const struct decode_view *v, size_t off,
		  struct decode_place *out)
{
	struct decode_worker *dw = v->dw;
	size_t end = off, start, line_end;
	const char *nl;
	unsigned n;

	/* Levels never pass DECODE_MAX_DEPTH: see scan_text(). */
	out->n_chain = v->level;
	for (n = v->level; n > 0; n--) {
		const struct decode_seg *s = seg_at(&dw->levels[n], off);
		out->chain[n - 1] = s->kind;
		off = s->src;
		end = s->src_end;
	}
	out->offset = off;
	out->end = end;
	out->line = root_line(dw, off, &start);
	out->column = off - start + 1;
	nl = memchr(dw->root + off, '\n', dw->root_len - off);
	line_end = nl ? (size_t)(nl - dw->root) : dw->root_len;
	out->allowed = memmem(dw->root + start, line_end - start, INLINE_ALLOW,
			      sizeof(INLINE_ALLOW) - 1) != NULL;
}

/* ---- archives ----------------------------------------------------------- */

struct archive_ctx {
	struct decode_worker *dw;
	unsigned depth;		/* of the archive's members */
};

static int decode_root(struct decode_worker *dw, const char *data, size_t len,
		       unsigned depth);

static int on_member(const char *name, const char *data, size_t len,
		     void *payload)
{
	struct archive_ctx *c = payload;
	struct decode_worker *dw = c->dw;
	size_t keep = dw->path.len;
	int rc;

	if (!len)
		return 0;
	if (buf_addch(&dw->path, '!') || buf_adds(&dw->path, name))
		return LG_ERR_NOMEM;
	rc = decode_root(dw, data, len, c->depth);
	buf_truncate(&dw->path, keep);
	return rc;
}

static int on_charge(size_t n, void *payload)
{
	struct archive_ctx *c = payload;
	struct decode_worker *dw = c->dw;
	size_t ratio_base = dw->file_len ? dw->file_len : 1;

	dw->expanded += n;
	if (dw->expanded > dw->o->max_expanded) {
		note(dw, "archive expansion cap reached, rest not scanned", NULL);
		return 1;
	}
	if (dw->expanded > RATIO_GRACE && dw->o->max_ratio &&
	    dw->expanded / ratio_base > dw->o->max_ratio) {
		note(dw, "archive expansion ratio cap reached, rest not scanned",
		     NULL);
		return 1;
	}
	return 0;
}

static void on_note(const char *what, const char *detail, void *payload)
{
	struct archive_ctx *c = payload;

	note(c->dw, what, detail);
}

/* The name of a bare compressed stream's content: "x.gz" holds "x". */
static void stream_name(const char *path, char *out, size_t outlen)
{
	static const char *const exts[] = { ".gz", ".bz2", ".xz", ".zst", ".tgz" };
	const char *base = strrchr(path, '/'), *bang = strrchr(path, '!');
	size_t len, i, n;

	base = bang && bang > base ? bang + 1 : base ? base + 1 : path;
	len = strlen(base);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		n = strlen(exts[i]);
		if (len > n && !strcmp(base + len - n, exts[i])) {
			len -= n;
			break;
		}
	}
	snprintf(out, outlen, "%.*s", (int)len, base);
	if (!*out)
		snprintf(out, outlen, "data");
}

static int open_archive(struct decode_worker *dw, const char *data, size_t len,
			unsigned depth)
{
	struct archive_ctx c = { dw, depth + 1 };
	struct decode_archive_ops ops = { on_member, on_charge, on_note, &c };
	struct buf *m = &dw->members[depth];
	char name[256];
	int rc;

	stream_name(dw->path.ptr, name, sizeof(name));
	rc = decode_archive_each(data, len, m, dw->o->max_member, name, &ops);
	if (m->alloc > KEEP_BUF_MAX)
		buf_release(m);
	return rc;
}

static int looks_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

static int decode_root(struct decode_worker *dw, const char *data, size_t len,
		       unsigned depth)
{
	if (depth < dw->o->max_archive_depth && depth < DECODE_MAX_ARCHIVE_DEPTH &&
	    decode_archive_sniff(data, len))
		return open_archive(dw, data, len, depth);
	/* The file itself was judged by the caller; members are judged here. */
	if (depth && !dw->o->scan_binary && looks_binary(data, len))
		return 0;
	return scan_text(dw, data, len, depth > 0);
}

int decode_blob(struct decode_worker *dw, const char *data, size_t len,
		const char *path, const struct decode_sink *sink)
{
	size_t i;
	int rc;

	dw->sink = sink;
	dw->file_len = len;
	dw->decoded = dw->expanded = 0;
	dw->n_noted = 0;
	buf_reset(&dw->path);
	if (buf_adds(&dw->path, path))
		return LG_ERR_NOMEM;
	rc = decode_root(dw, data, len, 0);
	for (i = 1; i <= DECODE_MAX_DEPTH; i++)
		if (dw->levels[i].out.alloc > KEEP_BUF_MAX)
			level_release(&dw->levels[i]);
	return rc < 0 ? rc : 0;
}
