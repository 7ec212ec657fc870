#ifndef LEAKGATE_PACK_ORDER_H
#define LEAKGATE_PACK_ORDER_H

#include <stddef.h>
#include <stdint.h>

struct lg_error;

/*
 * Where each object sits in the repository's pack files, read from their
 * .idx files (version 2), so blobs can be read in pack order: versions of
 * a file sit together there, and a delta's base is still in libgit2's
 * delta-base cache when the delta is read.
 */
struct pack_index {
	const unsigned char *map;	/* the mmap'd .idx */
	size_t size;
	uint32_t n;
	const unsigned char *oids;	/* n x 20 bytes, sorted */
	const unsigned char *offsets;	/* n x 4 bytes, big-endian */
	const unsigned char *large;	/* 8-byte offsets, or NULL */
	size_t n_large;
};

struct pack_order {
	struct pack_index *packs;
	size_t n;
};

#define PACK_ORDER_INIT { NULL, 0 }
/* The key of an object found in no pack (loose): read after packed ones. */
#define PACK_ORDER_LOOSE UINT64_MAX

/*
 * Maps the .idx files under objects_dir/pack.  Unreadable or malformed
 * ones are skipped (their objects sort as loose); never fails but on OOM.
 */
int pack_order_open(struct pack_order *po, const char *objects_dir,
		    struct lg_error *err);
/* A sort key: pack number in the high 16 bits, offset below. */
uint64_t pack_order_key(const struct pack_order *po, const unsigned char oid[20]);
void pack_order_release(struct pack_order *po);

#endif
