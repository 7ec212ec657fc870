#ifndef LEAKGATE_PACK_ENTRY_H
#define LEAKGATE_PACK_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Git's pack format, the parts that are pure byte parsing: an entry's
 * header and a delta's instructions.  Packs come from untrusted
 * repositories, so every length is checked against the bytes there are;
 * each function returns NULL on success or a short reason.
 */

enum { PACK_OFS_DELTA = 6, PACK_REF_DELTA = 7 };

/* "PACK", version, object count; the trailer is the pack's checksum. */
#define PACK_HEADER 12
#define PACK_TRAILER 20

/* Nothing may claim more: a hostile header must not size an allocation. */
#define PACK_OBJECT_MAX ((size_t)1 << 30)

struct pack_entry {
	int type;		/* 1-4 (commit, tree, blob, tag) or a delta */
	size_t size;		/* inflated size of its data */
	size_t data;		/* offset of its zlib stream */
	uint64_t base;		/* PACK_OFS_DELTA: offset of the base */
	size_t base_id;		/* PACK_REF_DELTA: offset of the base's id */
};

/*
 * The entry at off in pack[0..len) (len: up to the trailer).  An entry
 * whose size is over PACK_OBJECT_MAX is parsed whole all the same and
 * refused with pack_entry_too_large: it can only be streamed.
 */
const char *pack_entry_parse(const unsigned char *pack, size_t len,
			     uint64_t off, struct pack_entry *e);
extern const char pack_entry_too_large[];

/*
 * A delta's header: the size of the base it applies to and of its result;
 * *ops is where its instructions start.
 */
const char *pack_delta_sizes(const unsigned char *delta, size_t n,
			     size_t *base_len, size_t *result_len, size_t *ops);
/* Runs the instructions delta[ops..n) over base into out[0..out_len). */
const char *pack_delta_apply(const unsigned char *base, size_t base_len,
			     const unsigned char *delta, size_t n, size_t ops,
			     unsigned char *out, size_t out_len);

#endif
