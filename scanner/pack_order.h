#ifndef LEAKGATE_PACK_ORDER_H
#define LEAKGATE_PACK_ORDER_H

#include <stddef.h>
#include <stdint.h>

struct lg_error;

/*
 * Where each object sits in the repository's pack files, read from their
 * .idx files (version 2), so blobs can be read in pack order: versions of
 * a file sit together there, and a delta's base is still cached when the
 * delta is read.  The .pack files are mapped too, for pack_read.
 */
struct pack_index {
	const unsigned char *map;	/* the mmap'd .idx */
	size_t size;
	const unsigned char *pack;	/* the mmap'd .pack */
	size_t pack_size;
	char *pack_path;		/* for messages */
	uint32_t n;
	const unsigned char *oids;	/* n x 20 bytes, sorted */
	const unsigned char *offsets;	/* n x 4 bytes, big-endian */
	const unsigned char *large;	/* 8-byte offsets, or NULL */
	size_t n_large;
};

struct pack_order {
	struct pack_index *packs;
	size_t n;
	uint64_t unreleased;	/* bytes read since the last release (atomic) */
};

#define PACK_ORDER_INIT { NULL, 0, 0 }
/* The key of an object found in no pack (loose): read after packed ones. */
#define PACK_ORDER_LOOSE UINT64_MAX

/*
 * Maps the .idx and .pack files under objects_dir/pack.  Unreadable or
 * malformed ones are skipped (their objects sort as loose, to be read
 * through libgit2); never fails but on OOM.
 */
int pack_order_open(struct pack_order *po, const char *objects_dir,
		    struct lg_error *err);
/* A sort key: pack number in the high 16 bits, offset below. */
uint64_t pack_order_key(const struct pack_order *po, const unsigned char oid[20]);
#define PACK_ORDER_PACK(key) ((size_t)((key) >> 48))
#define PACK_ORDER_OFFSET(key) ((key) & 0xffffffffffffull)
#define PACK_ORDER_KEY(pack, offset) ((uint64_t)(pack) << 48 | (offset))
/*
 * Counts bytes read from the mapped packs (from any thread).  Every
 * PACK_ORDER_RSS_STEP of them, the pages are handed back to the kernel
 * (they stay in the page cache; a later read maps them again), so a scan
 * of a 2 GiB pack does not grow a 2 GiB resident set.
 */
void pack_order_note_read(struct pack_order *po, size_t bytes);
#define PACK_ORDER_RSS_STEP ((uint64_t)64 << 20)
void pack_order_release(struct pack_order *po);

#endif
