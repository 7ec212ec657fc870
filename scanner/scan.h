#ifndef LEAKGATE_SCAN_H
#define LEAKGATE_SCAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "decode.h"
#include "dedup.h"
#include "engine.h"
#include "finding.h"

struct chunk_stream;
struct lg_error;
struct scan_queue;

/*
 * The scan pipeline: one producer (the source) pushes items into a queue
 * bounded in bytes; N workers load each item's bytes, run the engine and
 * keep their own findings; after the join the findings are merged and
 * sorted, so the output does not depend on the thread count.
 */

/* Sorted, non-overlapping 1-based line ranges [first, last]. */
struct line_ranges {
	size_t (*r)[2];
	size_t n, alloc;
};

#define LINE_RANGES_INIT { NULL, 0, 0 }

int line_ranges_add(struct line_ranges *lr, size_t first, size_t last);
int line_ranges_contains(const struct line_ranges *lr, size_t line);
void line_ranges_release(struct line_ranges *lr);

enum scan_item_kind {
	SCAN_ITEM_CONTENT = 0,	/* a file or blob */
	SCAN_ITEM_MESSAGE,	/* a commit message */
};

/* One unit of work; every pointer is owned by the item. */
struct scan_item {
	enum scan_item_kind kind;
	char *path;			/* shown in reports */
	char *data;			/* bytes already in memory, or NULL */
	size_t len;
	unsigned char oid[20];		/* git blob id when has_oid */
	int has_oid;
	size_t origin;			/* source-defined provenance index */
	uint64_t locator;		/* source-defined: where to read it */
	struct line_ranges *only_lines;	/* NULL: every line counts */
};

/* An item's bytes while a worker scans them. */
struct scan_blob {
	const char *data;
	size_t len;
	void *handle;		/* non-NULL: pass to the source's release() */
	struct buf *scratch;	/* the worker's buffer, for sources that read */
	/*
	 * -1, or (data NULL) a descriptor that len bytes are read from in
	 * chunks, so a huge file is never held whole; the worker closes it.
	 */
	int fd;
	/*
	 * NULL, or (data NULL, fd -1) a stream that len bytes are read from
	 * in chunks (a blob too large to hold); the worker closes it.
	 */
	struct chunk_stream *stream;
};

struct scan_source {
	/* Producer thread: pushes every item with scan_queue_push(). */
	int (*produce)(struct scan_source *src, struct scan_queue *q,
		       struct lg_error *err);
	/*
	 * Non-zero when producing is a full-time job for a core (walking a
	 * history's trees): the producer is then one of --threads, not one
	 * more that mostly waits on the file system.
	 */
	int producer_counts;
	/*
	 * Non-zero when an object that cannot be read leaves the scan
	 * incomplete (a git source: a damaged pack may hide anything): the
	 * run then fails rather than report clean.
	 */
	int unreadable_fails;
	/* Worker threads: per-thread state (a repository handle), may be NULL. */
	int (*worker_open)(struct scan_source *src, void **state,
			   struct lg_error *err);
	void (*worker_close)(void *state);
	/*
	 * Sets out->data/len to the item's bytes when item->data is NULL:
	 * either read into out->scratch (a worker buffer, empty on entry),
	 * borrowed from the source with out->handle set for release(), or
	 * left to be read from out->fd.
	 * Returns 0, or an error that is reported as a warning (the item is
	 * skipped; LG_ERR_LIMIT counts as too large).
	 */
	int (*load)(struct scan_source *src, void *state,
		    const struct scan_item *item, struct scan_blob *out,
		    struct lg_error *err);
	/* Gives back what load() lent (out->handle); may be NULL. */
	void (*release)(void *handle);
	/* After the join: fills provenance of f from f->origin; may be NULL. */
	int (*annotate)(struct scan_source *src, struct finding *f,
			struct lg_error *err);
	/* After annotate: one pass over this scan's findings; may be NULL. */
	int (*finish)(struct scan_source *src, struct finding_list *l,
		      struct lg_error *err);
};

enum scan_skip {
	SCAN_SKIP_BINARY = 0,
	SCAN_SKIP_TOO_LARGE,
	SCAN_SKIP_UNREADABLE,
	SCAN_SKIP_KINDS,
};

struct scan_stats {
	uint64_t items;		/* files or blobs scanned */
	uint64_t messages;	/* commit messages scanned */
	uint64_t bytes;		/* scanned */
	uint64_t skipped[SCAN_SKIP_KINDS];
	uint64_t limit_hits;	/* rules that hit a PCRE2 limit on a blob */
	uint64_t known;		/* items skipped as scanned before (--store) */
	uint64_t findings;
	double seconds;
	/* The producer's own count of a known total (history: commits). */
	uint64_t progress_done, progress_total;
	uint64_t queued;	/* files or blobs pushed so far */
};

struct scan_options {
	unsigned threads;		/* 0: all cores */
	size_t max_file_size;		/* 0: no cap */
	int scan_binary;		/* also scan blobs that look binary */
	/* Encoded text and archives (decode_options_init() for defaults). */
	struct decode_options decode;
	/* Thread-safe warning sink (the scan serialises calls); may be NULL. */
	void (*warn)(const char *msg, void *payload);
	void *warn_payload;
	/* Progress, called from the producer every so often; may be NULL. */
	void (*progress)(const struct scan_stats *s, void *payload);
	void *progress_payload;
	/*
	 * Called by the producer for each item it pushes; 0 skips the item
	 * (the findings store scanned it before).  May be NULL.
	 */
	int (*admit)(const struct scan_item *item, void *payload);
	/* The payload of admit and walk_done. */
	void *admit_payload;
	/*
	 * History sources: commits an earlier run walked, with every
	 * ancestor, and annotated tags it followed, under these rules (the
	 * findings store's): passed over with all they reach.  May be NULL.
	 */
	const struct dedup *walked;
	/*
	 * Called by a history producer, after its walk, with each commit it
	 * walked and tag it followed, when it walked every commit it met (so that `walked` stays
	 * closed under ancestry).  Returns 0 or LG_ERR_NOMEM.  May be NULL.
	 */
	int (*walk_done)(const unsigned char id[20], void *payload);
	/* Stop flag polled by producer and workers (Ctrl-C); may be NULL. */
	volatile int *stop;
};

/*
 * Pushes item into the queue, taking ownership of its contents (item is
 * zeroed).  While the queue is full, the calling thread scans some of it.
 * Returns 0, or 1 when the scan is being stopped (the producer should
 * return).
 */
int scan_queue_push(struct scan_queue *q, struct scan_item *item);
/*
 * Pushes a copy of text (a commit or tag message: not a file) shown as
 * path; nothing when it is empty.  Returns like scan_queue_push(), or
 * LG_ERR_NOMEM.
 */
int scan_queue_push_message(struct scan_queue *q, const char *path,
			    const char *text, size_t len, size_t origin);
/* Lets a producer report a warning (such as an unreadable directory). */
void scan_queue_warn(struct scan_queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Tells the progress line how far the producer is through a total it
 * knows in advance (history: commits walked of all to walk).
 */
void scan_queue_progress(struct scan_queue *q, uint64_t done, uint64_t total);
/* Counts a skip seen by the producer (a file over the size cap). */
void scan_queue_skip(struct scan_queue *q, enum scan_skip kind);
/* Threads to run for a --threads value (0: one per online core). */
unsigned scan_threads(unsigned requested);
/* The scan's options, for producers that honour max_file_size. */
const struct scan_options *scan_queue_options(const struct scan_queue *q);

/*
 * Runs the pipeline.  Findings are added to out (sorted); stats are filled.
 * Returns 0 or a negative error (the producer's, or setup's).
 */
int scan_run(const struct engine *e, struct scan_source *src,
	     const struct scan_options *opts, struct finding_list *out,
	     struct scan_stats *stats, struct lg_error *err);

/* Non-zero when data looks binary: a NUL byte in its first 8 KiB. */
int scan_looks_binary(const char *data, size_t len);

void scan_item_release(struct scan_item *item);

#endif
