#ifndef LEAKGATE_DEDUP_H
#define LEAKGATE_DEDUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A set of 128-bit keys: git object ids (their first 16 bytes: already
 * uniformly distributed) or xxh3-128 hashes of content.  Open addressing,
 * 32 bytes per slot at most, grown at half load.  Not thread-safe.
 */
struct dedup {
	uint64_t (*slots)[2];	/* {0, 0} marks an empty slot */
	void **values;		/* parallel to slots, only when used as a map */
	size_t cap;		/* power of two */
	size_t n;
	int has_zero;		/* the all-zero key, which marks empty slots */
	void *zero_value;
	uint64_t (*recent)[2];	/* optional: see dedup_recent() */
	size_t recent_mask;
};

#define DEDUP_INIT { NULL, NULL, 0, 0, 0, NULL, NULL, 0 }

/*
 * Puts a small direct-mapped cache of 2^bits keys known to be present in
 * front of the table, checked first by dedup_add() and dedup_has(): for
 * walks that meet the same keys again and again (a tree's unchanged
 * entries, commit after commit), which then hit the CPU cache instead of
 * missing into a table of millions.  Returns 0 or LG_ERR_NOMEM.
 */
int dedup_recent(struct dedup *d, unsigned bits);
/* Adds key; returns 1 when it was new, 0 when already present, <0 on OOM. */
int dedup_add(struct dedup *d, const unsigned char key[16]);
/* Non-zero when key is present. */
int dedup_has(const struct dedup *d, const unsigned char key[16]);
/*
 * Map use: sets the value stored with key (adding the key).  Values are
 * borrowed; the caller frees them.  Returns 0 or LG_ERR_NOMEM.
 */
int dedup_put(struct dedup *d, const unsigned char key[16], void *value);
/* The value stored with key, or NULL. */
void *dedup_get(const struct dedup *d, const unsigned char key[16]);
/* Calls fn on every stored value (map use), e.g. to free them. */
void dedup_each_value(const struct dedup *d, void (*fn)(void *value));

/* The xxh3-128 of data as a key. */
void dedup_key_of(const void *data, size_t len, unsigned char out[16]);
void dedup_release(struct dedup *d);

#endif
