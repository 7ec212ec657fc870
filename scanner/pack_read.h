#ifndef LEAKGATE_PACK_READ_H
#define LEAKGATE_PACK_READ_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

#include "pack_order.h"

struct lg_error;

/*
 * Reads objects straight out of the mapped pack files, one reader per
 * thread: libgit2 shares one delta-base cache and window list between all
 * handles of a process behind locks, so two threads reading blobs through
 * it contend instead of scaling.  Each reader inflates with libdeflate
 * (the object's size is in its header, so one whole-buffer call does it),
 * resolves delta chains itself and keeps its own cache of recent objects:
 * read in pack order, each version of a file is the base of the next one.
 * Objects in no pack (loose ones) come through libgit2.
 */

/* An object's content; shared by the reader's cache and its caller. */
struct pack_object {
	unsigned refs;
	git_object_t type;
	size_t len;
	unsigned char data[];	/* len bytes, then a NUL */
};

/*
 * Takes and drops a reference; only the thread that read the object may
 * call them.
 */
void pack_object_get(struct pack_object *o);
void pack_object_put(struct pack_object *o);

struct pack_cache_slot;

struct pack_reader {
	struct pack_order *po;		/* shared */
	char *repo_path;
	git_odb *fallback;		/* for loose objects, once needed */
	struct libdeflate_decompressor *inflater;
	struct pack_cache_slot *slots;
	uint32_t lru_head, lru_tail;	/* slot indices, most recent first */
	size_t cached, budget;		/* bytes */
	uint64_t *chain;		/* keys of deltas waiting for a base */
	size_t chain_alloc;
	unsigned char *delta;		/* an inflated delta */
	size_t delta_alloc;
	/* zlib's state for reading delta headers, set up once and reset */
	struct z_stream_s *head_z;
};

/*
 * Sets up a reader over po (which must outlive it) that caches up to
 * cache_bytes of objects; repo_path is where its own libgit2 handle opens
 * (when an object is in no pack).
 */
int pack_reader_init(struct pack_reader *r, struct pack_order *po,
		     const char *repo_path, size_t cache_bytes,
		     struct lg_error *err);
void pack_reader_release(struct pack_reader *r);

/*
 * Reads object id into *out (a reference the caller puts).  Returns 0, or
 * LG_ERR_IO with err saying what is wrong (missing, corrupt, not a pack
 * object), or LG_ERR_NOMEM.
 */
int pack_reader_read(struct pack_reader *r, const unsigned char id[20],
		     struct pack_object **out, struct lg_error *err);
/*
 * The size of object id at key (pack_order_key(id)) without reading it
 * whole: a packed object's entry header, or a delta's first bytes; a
 * loose object's header through libgit2.  Returns 0 or an error like
 * pack_reader_read().
 */
int pack_reader_size(struct pack_reader *r, uint64_t key,
		     const unsigned char id[20], size_t *size,
		     struct lg_error *err);

/*
 * A blob read in pieces, for one too large to hold (over PACK_OBJECT_MAX):
 * a packed one inflated as it is read, a loose one through libgit2's
 * stream.  Memory stays what the caller's pieces take.  A deltified blob
 * that large is refused: applying a delta needs its base whole.
 */
struct pack_stream;

/*
 * Opens object id at key (pack_order_key(id)) as a stream and sets *len
 * to its size.  Returns 0, or LG_ERR_IO (missing, corrupt, a delta) or
 * LG_ERR_NOMEM with err set.  The stream is the calling thread's, like r.
 */
int pack_reader_stream(struct pack_reader *r, uint64_t key,
		       const unsigned char id[20], struct pack_stream **out,
		       size_t *len, struct lg_error *err);
/*
 * Reads the stream's next n bytes (no more than are left) into dst.
 * Returns 0, or LG_ERR_IO when the object's data is damaged or cut short.
 */
int pack_stream_read(struct pack_stream *s, unsigned char *dst, size_t n,
		     struct lg_error *err);
void pack_stream_free(struct pack_stream *s);

/*
 * Reads tree id like pack_reader_read(); an object that is not a tree is
 * LG_ERR_IO.
 */
int pack_reader_read_tree(struct pack_reader *r, const git_oid *id,
			  struct pack_object **out, struct lg_error *err);

/* The same when pack_order_key(id) is already known. */
int pack_reader_read_at(struct pack_reader *r, uint64_t key,
			const unsigned char id[20], struct pack_object **out,
			struct lg_error *err);

#endif
