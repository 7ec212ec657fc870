#include "dedup.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "error.h"
#include "banned.h"

static void key_words(const unsigned char key[16], uint64_t w[2])
{
	memcpy(w, key, 16);
}

static int is_empty(const uint64_t s[2])
{
	return !s[0] && !s[1];
}

/* Slot index where w is or would go. */
static size_t probe(uint64_t (*slots)[2], size_t cap, const uint64_t w[2])
{
	size_t i = (size_t)((w[0] ^ (w[1] >> 7)) & (cap - 1));

	while (!is_empty(slots[i]) && (slots[i][0] != w[0] || slots[i][1] != w[1]))
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(struct dedup *d, int with_values)
{
	size_t cap = d->cap ? d->cap * 2 : 1024, i;
	uint64_t(*slots)[2] = calloc(cap, sizeof(*slots));
	void **values = with_values ? calloc(cap, sizeof(*values)) : NULL;

	if (!slots || (with_values && !values)) {
		free(slots);
		free(values);
		return LG_ERR_NOMEM;
	}
	for (i = 0; i < d->cap; i++) {
		if (!is_empty(d->slots[i])) {
			size_t j = probe(slots, cap, d->slots[i]);
			slots[j][0] = d->slots[i][0];
			slots[j][1] = d->slots[i][1];
			if (values)
				values[j] = d->values[i];
		}
	}
	free(d->slots);
	free(d->values);
	d->slots = slots;
	d->values = values;
	d->cap = cap;
	return 0;
}

/* Inserts key; *slot is its index, or cap for the zero key.  1: new. */
static int insert(struct dedup *d, const unsigned char key[16], int with_values,
		  size_t *slot)
{
	uint64_t w[2];
	size_t i;

	key_words(key, w);
	if (is_empty(w)) {
		int added = !d->has_zero;
		d->has_zero = 1;
		*slot = d->cap;
		return added;
	}
	if ((d->n + 1) * 2 > d->cap && grow(d, with_values))
		return LG_ERR_NOMEM;
	i = probe(d->slots, d->cap, w);
	*slot = i;
	if (!is_empty(d->slots[i]))
		return 0;
	d->slots[i][0] = w[0];
	d->slots[i][1] = w[1];
	d->n++;
	return 1;
}

/* The cache slot for w, when there is a cache and w can be cached. */
static uint64_t *recent_slot(const struct dedup *d, const uint64_t w[2])
{
	if (!d->recent || is_empty(w))
		return NULL;
	return d->recent[(w[1] ^ (w[0] >> 23)) & d->recent_mask];
}

int dedup_recent(struct dedup *d, unsigned bits)
{
	free(d->recent);
	d->recent = calloc((size_t)1 << bits, sizeof(*d->recent));
	d->recent_mask = d->recent ? ((size_t)1 << bits) - 1 : 0;
	return d->recent ? 0 : LG_ERR_NOMEM;
}

int dedup_add(struct dedup *d, const unsigned char key[16])
{
	uint64_t w[2], *r = NULL;
	size_t slot;
	int rc;

	key_words(key, w);
	if ((r = recent_slot(d, w)) && r[0] == w[0] && r[1] == w[1])
		return 0;
	rc = insert(d, key, d->values != NULL, &slot);
	if (r && rc >= 0) {
		r[0] = w[0];
		r[1] = w[1];
	}
	return rc;
}

int dedup_put(struct dedup *d, const unsigned char key[16], void *value)
{
	size_t slot;
	int rc;

	if (!d->cap && grow(d, 1))
		return LG_ERR_NOMEM;
	if ((rc = insert(d, key, 1, &slot)) < 0)
		return rc;
	if (slot == d->cap)
		d->zero_value = value;
	else
		d->values[slot] = value;
	return 0;
}

void *dedup_get(const struct dedup *d, const unsigned char key[16])
{
	uint64_t w[2];
	size_t i;

	key_words(key, w);
	if (is_empty(w))
		return d->has_zero ? d->zero_value : NULL;
	if (!d->cap || !d->values)
		return NULL;
	i = probe(d->slots, d->cap, w);
	return is_empty(d->slots[i]) ? NULL : d->values[i];
}

void dedup_each_value(const struct dedup *d, void (*fn)(void *value))
{
	size_t i;

	for (i = 0; d->values && i < d->cap; i++)
		if (d->values[i])
			fn(d->values[i]);
	if (d->zero_value)
		fn(d->zero_value);
}

int dedup_has(const struct dedup *d, const unsigned char key[16])
{
	uint64_t w[2], *r;

	key_words(key, w);
	if (is_empty(w))
		return d->has_zero;
	if ((r = recent_slot(d, w)) && r[0] == w[0] && r[1] == w[1])
		return 1;
	if (!d->cap || is_empty(d->slots[probe(d->slots, d->cap, w)]))
		return 0;
	if (r) {
		r[0] = w[0];
		r[1] = w[1];
	}
	return 1;
}

void dedup_key_of(const void *data, size_t len, unsigned char out[16])
{
	XXH128_hash_t h = XXH3_128bits(data, len);

	memcpy(out, &h.low64, 8);
	memcpy(out + 8, &h.high64, 8);
}

void dedup_release(struct dedup *d)
{
	free(d->slots);
	free(d->values);
	free(d->recent);
	memset(d, 0, sizeof(*d));
}
