#include "scan.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chunk.h"
#include "error.h"
#include "banned.h"

#define QUEUE_MAX_BYTES (64u << 20)
#define QUEUE_MAX_ITEMS 32768u
/* What an item not yet loaded is taken to weigh in the queue. */
#define QUEUE_ITEM_WEIGHT 256u
/* Items a thread takes from the queue at once. */
#define WORKER_RUN 64
#define BINARY_PROBE 8192u
/* Seconds between progress lines: about ten a second at most. */
#define PROGRESS_INTERVAL 0.1

/* ---- line ranges -------------------------------------------------------- */

int line_ranges_add(struct line_ranges *lr, size_t first, size_t last)
{
	if (lr->n && first <= lr->r[lr->n - 1][1] + 1) {
		if (last > lr->r[lr->n - 1][1])
			lr->r[lr->n - 1][1] = last;
		return 0;
	}
	if (lr->n == lr->alloc) {
		size_t alloc = lr->alloc ? lr->alloc * 2 : 8;
		size_t(*grown)[2] = realloc(lr->r, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		lr->r = grown;
		lr->alloc = alloc;
	}
	lr->r[lr->n][0] = first;
	lr->r[lr->n][1] = last;
	lr->n++;
	return 0;
}

int line_ranges_contains(const struct line_ranges *lr, size_t line)
{
	size_t lo = 0, hi = lr->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lr->r[mid][1] < line)
			lo = mid + 1;
		else if (lr->r[mid][0] > line)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

void line_ranges_release(struct line_ranges *lr)
{
	free(lr->r);
	lr->r = NULL;
	lr->n = lr->alloc = 0;
}

void scan_item_release(struct scan_item *item)
{
	free(item->path);
	free(item->data);
	if (item->only_lines) {
		line_ranges_release(item->only_lines);
		free(item->only_lines);
	}
	memset(item, 0, sizeof(*item));
}

int scan_looks_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

/* ---- queue -------------------------------------------------------------- */

struct scan_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	struct scan_item *ring;
	size_t head, count, bytes;
	int done;		/* the producer has finished */
	struct worker *producer;	/* scans while the queue is full */
	const struct scan_options *opts;
	struct scan_stats stats;	/* guarded by lock */
	struct timespec started, last_progress;
	/* What the workers have scanned so far, for the progress line. */
	_Atomic uint64_t live_items, live_bytes;
};

static size_t item_weight(const struct scan_item *item)
{
	return item->data ? item->len + 64 : QUEUE_ITEM_WEIGHT;
}

static int stopping(const struct scan_queue *q)
{
	return q->opts->stop && *q->opts->stop;
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Calls the progress callback at most PROGRESS_INTERVAL apart, under the
 * queue's lock: warnings (also under it) and the line never interleave.
 */
static void maybe_progress(struct scan_queue *q)
{
	struct scan_stats snapshot;

	if (!q->opts->progress || since(&q->last_progress) < PROGRESS_INTERVAL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &q->last_progress);
	pthread_mutex_lock(&q->lock);
	snapshot = q->stats;
	snapshot.items = atomic_load_explicit(&q->live_items,
					      memory_order_relaxed);
	snapshot.bytes = atomic_load_explicit(&q->live_bytes,
					      memory_order_relaxed);
	snapshot.seconds = since(&q->started);
	q->opts->progress(&snapshot, q->opts->progress_payload);
	pthread_mutex_unlock(&q->lock);
}

void scan_queue_progress(struct scan_queue *q, uint64_t done, uint64_t total)
{
	pthread_mutex_lock(&q->lock);
	q->stats.progress_done = done;
	q->stats.progress_total = total;
	pthread_mutex_unlock(&q->lock);
}

static size_t queue_pop(struct scan_queue *q, struct scan_item *out,
			size_t max, int wait);
static void scan_run_of(struct worker *w, struct scan_item *run, size_t n);

/*
 * While the queue is full, the producer scans a run of it itself rather
 * than wait: it is one of the scan's threads, so it never competes with
 * the workers for a core, and walking stays at full speed when it is the
 * slower side (a history of many trees and few new blobs).
 */
static void producer_scans(struct scan_queue *q)
{
	struct scan_item run[WORKER_RUN];
	size_t n;

	pthread_mutex_unlock(&q->lock);
	n = queue_pop(q, run, WORKER_RUN, 0);
	scan_run_of(q->producer, run, n);
	pthread_mutex_lock(&q->lock);
}

int scan_queue_push(struct scan_queue *q, struct scan_item *item)
{
	size_t w = item_weight(item);

	if (q->opts->admit && !q->opts->admit(item, q->opts->admit_payload)) {
		pthread_mutex_lock(&q->lock);
		q->stats.known++;
		pthread_mutex_unlock(&q->lock);
		scan_item_release(item);
		return 0;
	}
	maybe_progress(q);
	pthread_mutex_lock(&q->lock);
	while (!stopping(q) && q->count &&
	       (q->count == QUEUE_MAX_ITEMS || q->bytes + w > QUEUE_MAX_BYTES))
		producer_scans(q);
	if (stopping(q)) {
		pthread_mutex_unlock(&q->lock);
		scan_item_release(item);
		return 1;
	}
	q->stats.queued += item->kind != SCAN_ITEM_MESSAGE;
	q->ring[(q->head + q->count) % QUEUE_MAX_ITEMS] = *item;
	q->count++;
	q->bytes += w;
	memset(item, 0, sizeof(*item));
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int scan_queue_push_message(struct scan_queue *q, const char *path,
			    const char *text, size_t len, size_t origin)
{
	struct scan_item item;

	if (!len)
		return 0;
	memset(&item, 0, sizeof(item));
	item.kind = SCAN_ITEM_MESSAGE;
	item.data = malloc(len);
	item.path = strdup(path);
	if (!item.data || !item.path) {
		scan_item_release(&item);
		return LG_ERR_NOMEM;
	}
	memcpy(item.data, text, len);
	item.len = len;
	item.origin = origin;
	return scan_queue_push(q, &item);
}

/*
 * Takes up to max items, consecutive in queue order (sources push related
 * blobs next to each other: one worker reading a run keeps its caches
 * warm).  Returns how many; 0 when the queue is drained and closed, or
 * empty when told not to wait.
 */
static size_t queue_pop(struct scan_queue *q, struct scan_item *out,
			size_t max, int wait)
{
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	while (wait && !q->count && !q->done && !stopping(q))
		pthread_cond_wait(&q->not_empty, &q->lock);
	while (q->count && n < max && !stopping(q)) {
		out[n] = q->ring[q->head];
		q->head = (q->head + 1) % QUEUE_MAX_ITEMS;
		q->count--;
		q->bytes -= item_weight(&out[n]);
		n++;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

static void queue_close(struct scan_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->done = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

void scan_queue_warn(struct scan_queue *q, const char *fmt, ...)
{
	char msg[LG_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	lg_error_vfit(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&q->lock);
	if (q->opts->warn)
		q->opts->warn(msg, q->opts->warn_payload);
	pthread_mutex_unlock(&q->lock);
}

void scan_queue_skip(struct scan_queue *q, enum scan_skip kind)
{
	pthread_mutex_lock(&q->lock);
	q->stats.skipped[kind]++;
	pthread_mutex_unlock(&q->lock);
}

const struct scan_options *scan_queue_options(const struct scan_queue *q)
{
	return q->opts;
}

/* ---- workers ------------------------------------------------------------ */

struct worker {
	pthread_t thread;
	int thread_started;
	struct scan_queue *q;
	const struct engine *e;
	struct scan_source *src;
	struct engine_worker *ew;
	void *state;
	struct finding_list found;
	const struct scan_item *item;	/* being scanned */
	struct decode_worker *dw;
	const struct decode_view *view;	/* of the item, being scanned */
	size_t root_first;		/* first finding of the view's file */
	struct engine_callbacks cb;
	struct buf content;
	uint64_t items, messages, bytes, limit_hits;
	int failed;
	struct lg_error err;
};

/*
 * Non-zero when f, found in decoded text at place p, is already known from
 * the same run (the secret as stored there, or at a shallower level).
 */
static int decoded_twice(const struct worker *w, const struct finding *f,
			 const struct decode_place *p)
{
	size_t i;

	for (i = w->root_first; i < w->found.n; i++) {
		const struct finding *g = w->found.items[i];
		if (g->offset >= p->offset && g->offset < p->end &&
		    !strcmp(g->fingerprint, f->fingerprint))
			return 1;
	}
	return 0;
}

/* Moves f to the place p of the encoded run it was decoded from. */
static void place_decoded(struct finding *f, const struct decode_place *p)
{
	unsigned i;

	f->where.line = p->line;
	f->where.column = p->column;
	f->offset = p->offset;
	f->n_decoded = p->n_chain < FINDING_MAX_DECODED ? p->n_chain
							: FINDING_MAX_DECODED;
	for (i = 0; i < f->n_decoded; i++)
		f->decoded[i] = decode_kind_name(p->chain[i]);
}

static int on_match(const struct engine_match *m, void *payload)
{
	struct worker *w = payload;
	const struct decode_view *v = w->view;
	struct decode_place p;
	struct finding *f;
	size_t line = m->line;

	if (v->level) {
		decode_place(v, m->offset, &p);
		if (p.allowed)
			return 0;
		line = p.line;
	}
	/* An archive's lines are not the diff's: a changed archive is new. */
	if (w->item->only_lines && !v->in_archive &&
	    !line_ranges_contains(w->item->only_lines, line))
		return 0;
	f = finding_new(m, v->path);
	if (f && v->in_archive)
		f->member_at = strlen(w->item->path);
	if (f && v->level) {
		place_decoded(f, &p);
		if (decoded_twice(w, f, &p)) {
			finding_free(f);
			return 0;
		}
	}
	if (!f || finding_list_add(&w->found, f)) {
		finding_free(f);
		return LG_ERR_NOMEM;
	}
	f->origin = w->item->origin;
	if (w->item->has_oid) {
		memcpy(f->blob, w->item->oid, sizeof(f->blob));
		f->has_blob = 1;
	}
	return 0;
}

/*
 * How specific a rule is: the plaintext detector (a broad rule with a
 * classify check) yields to any other rule on the same bytes, a broad
 * rule (an SMTP password) to a vendor-named rule (a name near a value of
 * its shape), that to a provider's pattern, and a pattern to a
 * credential-store parser, which knows the user and host as well.
 */
#define RANK_PARSER 4

static int rank(const struct finding *f)
{
	if (f->rule->parser)
		return RANK_PARSER;
	if (f->rule->value)
		return 2;	/* a vendor-named rule, a pattern's fallback */
	if (!f->rule->generic)
		return 3;
	return f->rule->classify ? 0 : 1;
}

struct span {
	size_t start, end;	/* sorted by start; end becomes a prefix max */
};

static int compare_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Non-zero when some span overlaps [start, end). */
static int spans_overlap(const struct span *s, size_t n, size_t start,
			 size_t end)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* count of spans starting before end */
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].start < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && s[lo - 1].end > start;
}

/* Sorts spans by start and makes each end the largest so far. */
static void spans_prepare(struct span *s, size_t n)
{
	size_t i;

	qsort(s, n, sizeof(*s), compare_span);
	for (i = 1; i < n; i++)
		if (s[i].end < s[i - 1].end)
			s[i].end = s[i - 1].end;
}

/*
 * Marks single findings on the bytes of another finding's part: the
 * credential in parts already reports them.
 */
static void mark_absorbed(struct finding_list *l, size_t first,
			  struct span *s, char *shadowed)
{
	size_t i, j, n = 0;

	for (i = first; i < l->n; i++)
		for (j = 0; j < l->items[i]->n_parts; j++) {
			s[n].start = l->items[i]->parts[j].offset;
			s[n].end = s[n].start + l->items[i]->parts[j].secret_len;
			n++;
		}
	if (!n)
		return;
	spans_prepare(s, n);
	for (i = first; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (!f->n_parts &&
		    spans_overlap(s, n, f->offset, f->offset + f->secret_len))
			shadowed[i - first] = 1;
	}
}

/* Marks findings of rank below `strong` that overlap one of rank >= strong. */
static void mark_shadowed(struct finding_list *l, size_t first, int strong,
			  struct span *s, char *shadowed)
{
	size_t i, n = 0;

	for (i = first; i < l->n; i++)
		if (rank(l->items[i]) >= strong) {
			s[n].start = l->items[i]->offset;
			s[n++].end = l->items[i]->offset + l->items[i]->secret_len;
		}
	if (!n)
		return;
	spans_prepare(s, n);
	for (i = first; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (rank(f) < strong &&
		    spans_overlap(s, n, f->offset, f->offset + f->secret_len))
			shadowed[i - first] = 1;
	}
}

/*
 * Of findings on the same bytes of one item (those from index `first` on),
 * keeps only the most specific: noise otherwise, and one secret counted
 * twice.  O(n log n): a file of a hundred thousand credentials is common
 * enough.
 */
static void drop_shadowed(struct finding_list *l, size_t first)
{
	size_t n = l->n - first, i, kept = first;
	struct span *spans;
	char *shadowed;
	int strong;

	if (n < 2)
		return;
	spans = malloc(n * (1 + RULE_MAX_REQUIRES) * sizeof(*spans));
	shadowed = calloc(n, 1);
	if (spans && shadowed) {
		for (strong = 1; strong <= RANK_PARSER; strong++)
			mark_shadowed(l, first, strong, spans, shadowed);
		mark_absorbed(l, first, spans, shadowed);
		for (i = first; i < l->n; i++) {
			if (shadowed[i - first])
				finding_free(l->items[i]);
			else
				l->items[kept++] = l->items[i];
		}
		l->n = kept;
	}
	free(spans);
	free(shadowed);
}

static void on_limit(const struct rule *r, void *payload)
{
	struct worker *w = payload;

	w->limit_hits++;
	scan_queue_warn(w->q, "%s: rule %s hit its match limit; rest of the "
			"rule skipped on this input", w->item->path, r->id);
}

static int blob_looks_binary(const struct scan_blob *b)
{
	char head[BINARY_PROBE];
	ssize_t n;

	if (b->data)
		return scan_looks_binary(b->data, b->len);
	if (b->stream)
		return scan_looks_binary(b->scratch->ptr, b->scratch->len);
	n = pread(b->fd, head, sizeof(head), 0);
	return n > 0 && scan_looks_binary(head, (size_t)n);
}

/*
 * Reads a stream's first bytes into b->scratch, to tell text from binary;
 * the chunked scan goes on from there.
 */
static int probe_stream(struct scan_blob *b, struct lg_error *err)
{
	size_t n = b->len < BINARY_PROBE ? b->len : BINARY_PROBE;

	if (buf_grow(b->scratch, n))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (b->stream->read(b->stream, b->scratch->ptr, n, err))
		return err->code;
	b->scratch->len = n;
	return 0;
}

/* Points b at the item's bytes; returns 0, or 1 to skip it. */
static int load_item(struct worker *w, struct scan_item *item,
		     struct scan_blob *b)
{
	const struct scan_options *o = w->q->opts;
	struct lg_error err = LG_ERROR_INIT;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->scratch = &w->content;
	buf_reset(&w->content);
	if (item->data) {
		b->data = item->data;
		b->len = item->len;
	} else if (w->src->load(w->src, w->state, item, b, &err) ||
		   (b->stream && probe_stream(b, &err))) {
		scan_queue_skip(w->q, err.code == LG_ERR_LIMIT ? SCAN_SKIP_TOO_LARGE
							       : SCAN_SKIP_UNREADABLE);
		scan_queue_warn(w->q, "skipping %s", err.msg);
		return 1;
	}
	if (!b->data && b->fd < 0 && !b->stream)
		b->data = "";
	if (o->max_file_size && b->len > o->max_file_size) {
		scan_queue_skip(w->q, SCAN_SKIP_TOO_LARGE);
		scan_queue_warn(w->q, "skipping %s: %zu bytes, over the %zu-byte cap",
				item->path, b->len, o->max_file_size);
		return 1;
	}
	if (!o->scan_binary && blob_looks_binary(b) &&
	    !(b->data && decode_is_archive(&o->decode, b->data, b->len))) {
		scan_queue_skip(w->q, SCAN_SKIP_BINARY);
		return 1;
	}
	return 0;
}

/*
 * Runs the engine over a view's bytes, or (data NULL) len bytes from fd
 * or stream; returns 0 or a negative error (an unreadable rest is a
 * warning).
 */
static int scan_bytes(struct worker *w, const struct decode_view *v, int fd,
		      struct chunk_stream *stream)
{
	struct chunk_input in = { v->data, fd, stream, v->len };
	struct lg_error err = LG_ERROR_INIT;
	int rc;

	w->view = v;
	rc = chunk_scan(w->ew, &in, v->path, &w->cb, &w->content,
			w->q->opts->stop, &err);
	if (rc == LG_ERR_IO) {
		scan_queue_warn(w->q, "skipping the rest of %s", err.msg);
		return 0;
	}
	return rc < 0 ? rc : 0;
}

/* The decode stage's sink: one view of the item through the engine. */
static int scan_view(const struct decode_view *v, void *payload)
{
	struct worker *w = payload;

	if (!v->level) {	/* a file or member begins */
		drop_shadowed(&w->found, w->root_first);
		w->root_first = w->found.n;
	}
	return scan_bytes(w, v, -1, NULL);
}

static void note_view(const char *msg, void *payload)
{
	struct worker *w = payload;

	scan_queue_warn(w->q, "note: %s", msg);
}

/*
 * Decodes and scans the item's bytes; bytes read from a descriptor or a
 * stream (an input too large to hold) are scanned in chunks as stored,
 * not decoded.
 */
static int scan_blob_bytes(struct worker *w, const struct scan_item *item,
			   const struct scan_blob *b)
{
	struct decode_sink sink = { scan_view, note_view, w };
	struct decode_view stored = { NULL, b->len, item->path, 0, 0, NULL };

	if (b->data)
		return decode_blob(w->dw, b->data, b->len, item->path, &sink);
	return scan_bytes(w, &stored, b->fd, b->stream);
}

static void scan_one(struct worker *w, struct scan_item *item)
{
	struct scan_blob b;

	w->item = item;
	w->root_first = w->found.n;
	if (!load_item(w, item, &b)) {
		if (scan_blob_bytes(w, item, &b) < 0)
			w->failed = lg_error_set(&w->err, LG_ERR_NOMEM,
						 "out of memory scanning %s",
						 item->path);
		drop_shadowed(&w->found, w->root_first);
		if (item->kind == SCAN_ITEM_MESSAGE)
			w->messages++;
		else
			w->items++;
		w->bytes += b.len;
		atomic_fetch_add_explicit(&w->q->live_items,
					  item->kind != SCAN_ITEM_MESSAGE,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&w->q->live_bytes, b.len,
					  memory_order_relaxed);
	}
	if (b.handle && w->src->release)
		w->src->release(b.handle);
	if (b.fd >= 0)
		close(b.fd);
	if (b.stream)
		b.stream->close(b.stream);
	if (w->failed && w->q->opts->stop)
		*w->q->opts->stop = 1;
}

static void scan_run_of(struct worker *w, struct scan_item *run, size_t n)
{
	size_t i;

	/* A stop ends the run too: it may hold WORKER_RUN slow items. */
	for (i = 0; i < n; i++) {
		if (!stopping(w->q))
			scan_one(w, &run[i]);
		scan_item_release(&run[i]);
	}
	/* Once the walk is done the producer drains the queue: still report. */
	if (w == w->q->producer)
		maybe_progress(w->q);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan_item run[WORKER_RUN];
	size_t n;

	while ((n = queue_pop(w->q, run, WORKER_RUN, 1)))
		scan_run_of(w, run, n);
	return NULL;
}

/* ---- run ---------------------------------------------------------------- */

unsigned scan_threads(unsigned requested)
{
	long n;

	if (requested)
		return requested;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static int workers_start(struct worker *ws, unsigned n, struct scan_queue *q,
			 const struct engine *e, struct scan_source *src,
			 struct lg_error *err)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		ws[i].q = q;
		ws[i].e = e;
		ws[i].src = src;
		ws[i].cb.match = on_match;
		ws[i].cb.limit = on_limit;
		ws[i].cb.payload = &ws[i];
		if (engine_worker_new(&ws[i].ew, e, err) ||
		    decode_worker_new(&ws[i].dw, &q->opts->decode, err))
			return err->code;
		if (src->worker_open && src->worker_open(src, &ws[i].state, err))
			return err->code;
	}
	q->producer = &ws[0];	/* this thread's: see producer_scans() */
	for (i = 1; i < n; i++) {
		if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]))
			return lg_error_set(err, LG_ERR_NOMEM, "cannot start a thread");
		ws[i].thread_started = 1;
	}
	return 0;
}

/* Joins the workers and moves their findings and counts into the totals. */
static int workers_finish(struct worker *ws, unsigned n, struct scan_queue *q,
			  struct finding_list *out, struct lg_error *err)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (ws[i].thread_started)
			pthread_join(ws[i].thread, NULL);
		q->stats.items += ws[i].items;
		q->stats.messages += ws[i].messages;
		q->stats.bytes += ws[i].bytes;
		q->stats.limit_hits += ws[i].limit_hits;
		if (ws[i].failed && !rc)
			rc = lg_error_set(err, ws[i].err.code, "%s", ws[i].err.msg);
		if (finding_list_take(out, &ws[i].found) && !rc)
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		finding_list_release(&ws[i].found);
		engine_worker_free(ws[i].ew);
		decode_worker_free(ws[i].dw);
		if (ws[i].state && ws[i].src->worker_close)
			ws[i].src->worker_close(ws[i].state);
		buf_release(&ws[i].content);
	}
	return rc;
}

static int annotate_all(struct scan_source *src, struct finding_list *l,
			size_t from, struct lg_error *err)
{
	size_t i;

	if (!src->annotate)
		return 0;
	for (i = from; i < l->n; i++)
		if (src->annotate(src, l->items[i], err))
			return err->code;
	return 0;
}

static int queue_init(struct scan_queue *q, const struct scan_options *opts)
{
	memset(q, 0, sizeof(*q));
	q->opts = opts;
	q->ring = calloc(QUEUE_MAX_ITEMS, sizeof(*q->ring));
	if (!q->ring)
		return LG_ERR_NOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	clock_gettime(CLOCK_MONOTONIC, &q->started);
	q->last_progress = q->started;
	return 0;
}

static void queue_release(struct scan_queue *q)
{
	struct scan_item item;

	while (q->count) {
		item = q->ring[q->head];
		q->head = (q->head + 1) % QUEUE_MAX_ITEMS;
		q->count--;
		scan_item_release(&item);
	}
	free(q->ring);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_empty);
}

int scan_run(const struct engine *e, struct scan_source *src,
	     const struct scan_options *opts, struct finding_list *out,
	     struct scan_stats *stats, struct lg_error *err)
{
	/* ws[0] is the producer's; the others get threads of their own. */
	unsigned n = scan_threads(opts->threads) + !src->producer_counts;
	struct worker *ws = calloc(n, sizeof(*ws));
	struct scan_queue q;
	size_t first = out->n;
	int rc, rc2;

	if (!ws || queue_init(&q, opts)) {
		free(ws);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	rc = workers_start(ws, n, &q, e, src, err);
	if (!rc)
		rc = src->produce(src, &q, err);
	queue_close(&q);
	if (!rc)
		worker_main(&ws[0]);	/* the producer helps drain the queue */
	rc2 = workers_finish(ws, n, &q, out, err);
	if (!rc)
		rc = rc2;
	if (!rc)
		rc = annotate_all(src, out, first, err);
	if (!rc && finding_list_redact_siblings(out, first))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!rc && src->finish)
		rc = src->finish(src, out, err);
	finding_list_sort(out);
	q.stats.findings = out->n - first;
	q.stats.seconds = since(&q.started);
	*stats = q.stats;
	queue_release(&q);
	free(ws);
	return rc;
}
