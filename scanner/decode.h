#ifndef LEAKGATE_DECODE_H
#define LEAKGATE_DECODE_H

#include <stddef.h>

#include "decode_text.h"

struct lg_error;

/*
 * The decode stage, between a blob and the engine.  For each file it
 * yields views: the bytes as stored, then the decoded text of the runs of
 * encoded text in them (base64, hex, percent, escapes), level by level,
 * each level's runs joined into one buffer so the engine runs once per
 * level.  An archive (by its magic bytes) is opened instead of scanned:
 * each member is a file of its own, named "archive!member".  Every view
 * maps back to the place in the file or member it came from.
 *
 * Everything is bounded per file (the blob handed to decode_blob()):
 * decoded bytes, expanded archive bytes and the expansion ratio.  A cap
 * reached is noted once per file and the rest of the file is still scanned
 * as far as the cap allows.  Members are read in memory only.
 */

#define DECODE_MAX_DEPTH 8	/* the largest --max-decode-depth */
#define DECODE_MAX_ARCHIVE_DEPTH 8

#define DECODE_DEFAULT_DEPTH 2
#define DECODE_DEFAULT_ARCHIVE_DEPTH 3
#define DECODE_DEFAULT_MAX_EXPANDED ((size_t)256 << 20)
#define DECODE_DEFAULT_MAX_DECODED ((size_t)64 << 20)
#define DECODE_DEFAULT_MAX_RATIO 100

struct decode_options {
	unsigned max_depth;		/* text decoding levels; 0: none */
	unsigned max_archive_depth;	/* archive nesting; 0: not opened */
	size_t max_decoded;		/* decoded text bytes per file */
	size_t max_expanded;		/* archive bytes expanded per file */
	unsigned max_ratio;		/* expanded bytes per byte of the file */
	size_t max_member;		/* largest member kept (0: no cap) */
	int scan_binary;		/* scan members that look binary */
};

/* Fills o with the defaults above (max_member 0, scan_binary 0). */
void decode_options_init(struct decode_options *o);

struct decode_worker;

/* What a sink is handed; valid only during the sink's scan() call. */
struct decode_view {
	const char *data;
	size_t len;
	const char *path;	/* the file's path, or "file!member" */
	int in_archive;		/* the bytes come from an archive member */
	unsigned level;		/* 0: as stored; n: text decoded n times */
	struct decode_worker *dw;
};

/* Where a match in a view is in its file or member. */
struct decode_place {
	size_t offset, end;	/* the outermost encoded run holding it */
	size_t line, column;	/* 1-based, of offset */
	int allowed;		/* the line says leakgate:allow */
	enum decode_kind chain[DECODE_MAX_DEPTH];	/* outermost first */
	unsigned n_chain;
};

struct decode_sink {
	/*
	 * Scans one view.  Views of one file or member come together, the
	 * level-0 view first.  A negative return stops decode_blob().
	 */
	int (*scan)(const struct decode_view *v, void *payload);
	/* A note naming the file: a cap reached, an unreadable archive. */
	void (*note)(const char *msg, void *payload);
	void *payload;
};

/* One per thread; o must outlive it. */
int decode_worker_new(struct decode_worker **out,
		      const struct decode_options *o, struct lg_error *err);
void decode_worker_free(struct decode_worker *dw);

/*
 * Hands sink every view of data[0..len), the file at path.  Returns 0 or
 * the sink's negative value or LG_ERR_NOMEM; caps and bad archives are
 * notes, never errors.
 */
int decode_blob(struct decode_worker *dw, const char *data, size_t len,
		const char *path, const struct decode_sink *sink);

/* Maps offset off of view v (level > 0) to its place; v as in scan(). */
void decode_place(const struct decode_view *v, size_t off,
		  struct decode_place *out);

/* Non-zero when data is an archive decode_blob() opens under o. */
int decode_is_archive(const struct decode_options *o, const char *data,
		      size_t len);

#endif
