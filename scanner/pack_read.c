#include "pack_read.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

/*
 * Nothing read from a pack may claim more than this: a hostile header
 * must not make a reader allocate without bound.
 */
#define OBJECT_MAX ((size_t)1 << 30)
/* Deeper chains than git ever writes are treated as corrupt (or a loop). */
#define CHAIN_MAX 10000
#define CACHE_SLOTS 4096	/* a power of two */
#define NO_SLOT UINT32_MAX
#define PACK_TRAILER 20

enum { OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

struct pack_cache_slot {
	uint64_t key;			/* PACK_ORDER_KEY(pack, offset) */
	struct pack_object *obj;	/* NULL: free */
	uint32_t prev, next;		/* the LRU list */
};

/* ---- objects ------------------------------------------------------------ */

static struct pack_object *object_new(git_object_t type, size_t len)
{
	struct pack_object *o = malloc(sizeof(*o) + len + 1);

	if (!o)
		return NULL;
	o->refs = 1;
	o->type = type;
	o->len = len;
	o->data[len] = '\0';
	return o;
}

void pack_object_put(struct pack_object *o)
{
	if (o && !--o->refs)
		free(o);
}

/* ---- cache: a direct-mapped table with an LRU list and a byte budget ---- */

static uint32_t slot_of(uint64_t key)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(key >> 40) & (CACHE_SLOTS - 1);
}

static void lru_unlink(struct pack_reader *r, uint32_t s)
{
	struct pack_cache_slot *c = &r->slots[s];

	if (c->prev != NO_SLOT)
		r->slots[c->prev].next = c->next;
	else
		r->lru_head = c->next;
	if (c->next != NO_SLOT)
		r->slots[c->next].prev = c->prev;
	else
		r->lru_tail = c->prev;
}

static void lru_push_front(struct pack_reader *r, uint32_t s)
{
	struct pack_cache_slot *c = &r->slots[s];

	c->prev = NO_SLOT;
	c->next = r->lru_head;
	if (r->lru_head != NO_SLOT)
		r->slots[r->lru_head].prev = s;
	else
		r->lru_tail = s;
	r->lru_head = s;
}

static void cache_evict(struct pack_reader *r, uint32_t s)
{
	struct pack_cache_slot *c = &r->slots[s];

	lru_unlink(r, s);
	r->cached -= c->obj->len;
	pack_object_put(c->obj);
	c->obj = NULL;
}

/* A new reference to the cached object at key, or NULL. */
static struct pack_object *cache_get(struct pack_reader *r, uint64_t key)
{
	uint32_t s = slot_of(key);
	struct pack_cache_slot *c = &r->slots[s];

	if (!c->obj || c->key != key)
		return NULL;
	lru_unlink(r, s);
	lru_push_front(r, s);
	c->obj->refs++;
	return c->obj;
}

static void cache_put(struct pack_reader *r, uint64_t key,
		      struct pack_object *o)
{
	uint32_t s = slot_of(key);

	if (o->len > r->budget / 4)
		return;		/* would push out everything else */
	if (r->slots[s].obj)
		cache_evict(r, s);
	r->slots[s].key = key;
	r->slots[s].obj = o;
	o->refs++;
	r->cached += o->len;
	lru_push_front(r, s);
	while (r->cached > r->budget && r->lru_tail != NO_SLOT)
		cache_evict(r, r->lru_tail);
}

/* ---- pack entries ------------------------------------------------------- */

/* One entry's header, parsed. */
struct entry {
	int type;			/* 1-4, or a delta */
	size_t size;			/* inflated size of its data */
	const unsigned char *data;	/* its zlib stream */
	size_t avail;			/* bytes from data to the trailer */
	uint64_t base;			/* OFS_DELTA: the base's offset */
	const unsigned char *base_id;	/* REF_DELTA: the base's id */
};

static int corrupt(struct lg_error *err, const struct pack_index *ix,
		   uint64_t off, const char *why)
{
	return lg_error_set(err, LG_ERR_IO, "%s: object at offset %llu: %s",
			    ix->pack_path, (unsigned long long)off, why);
}

static int entry_parse(const struct pack_index *ix, uint64_t off,
		       struct entry *e, struct lg_error *err)
{
	const unsigned char *p, *end = ix->pack + ix->pack_size - PACK_TRAILER;
	unsigned shift = 4;
	unsigned char c;

	if (off < 12 || off >= ix->pack_size - PACK_TRAILER)
		return corrupt(err, ix, off, "offset outside the pack");
	p = ix->pack + off;
	c = *p++;
	e->type = (c >> 4) & 7;
	e->size = c & 15;
	while (c & 0x80) {
		if (p == end || shift > 60)
			return corrupt(err, ix, off, "bad size");
		c = *p++;
		e->size |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (e->size > OBJECT_MAX)
		return corrupt(err, ix, off, "too large to read");
	if (e->type == OBJ_OFS_DELTA) {
		uint64_t back;
		if (p == end)
			return corrupt(err, ix, off, "truncated");
		c = *p++;
		back = c & 0x7f;
		while (c & 0x80) {
			if (p == end || back >= (uint64_t)1 << 56)
				return corrupt(err, ix, off, "bad delta base");
			c = *p++;
			back = ((back + 1) << 7) | (c & 0x7f);
		}
		if (!back || back > off)
			return corrupt(err, ix, off, "bad delta base");
		e->base = off - back;
	} else if (e->type == OBJ_REF_DELTA) {
		if (end - p < 20)
			return corrupt(err, ix, off, "truncated");
		e->base_id = p;
		p += 20;
	} else if (e->type < GIT_OBJECT_COMMIT || e->type > GIT_OBJECT_TAG) {
		return corrupt(err, ix, off, "unknown object type");
	}
	e->data = p;
	e->avail = (size_t)(end - p);
	return 0;
}

static int inflate_to(struct pack_reader *r, const struct pack_index *ix,
		      uint64_t off, const struct entry *e, unsigned char *out,
		      struct lg_error *err)
{
	size_t used, got;
	enum libdeflate_result rc;

	rc = libdeflate_zlib_decompress_ex(r->inflater, e->data, e->avail, out,
					   e->size, &used, &got);
	pack_order_note_read(r->po, used);
	if (rc != LIBDEFLATE_SUCCESS || got != e->size)
		return corrupt(err, ix, off, "damaged compressed data");
	return 0;
}

/* ---- deltas ------------------------------------------------------------- */

static int varint(const unsigned char **p, const unsigned char *end,
		  size_t *out)
{
	unsigned shift = 0;
	unsigned char c;

	*out = 0;
	do {
		if (*p == end || shift > 56)
			return -1;
		c = *(*p)++;
		*out |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return 0;
}

/* One copy instruction's offset and length; returns 0 or -1. */
static int copy_args(unsigned char cmd, const unsigned char **p,
		     const unsigned char *end, size_t *off, size_t *len)
{
	unsigned i;

	*off = *len = 0;
	for (i = 0; i < 7; i++) {
		if (!(cmd & (1u << i)))
			continue;
		if (*p == end)
			return -1;
		if (i < 4)
			*off |= (size_t)*(*p)++ << (8 * i);
		else
			*len |= (size_t)*(*p)++ << (8 * (i - 4));
	}
	if (!*len)
		*len = 0x10000;
	return 0;
}

/*
 * Applies a delta to base; NULL with *why saying what is wrong (NULL for
 * out of memory) when it cannot.
 */
static struct pack_object *delta_apply(const struct pack_object *base,
				       const unsigned char *p, size_t n,
				       const char **why)
{
	const unsigned char *end = p + n;
	struct pack_object *o;
	size_t src_len, len, at = 0;

	if (varint(&p, end, &src_len) || varint(&p, end, &len) ||
	    src_len != base->len || len > OBJECT_MAX) {
		*why = "bad delta header";
		return NULL;
	}
	if (!(o = object_new(base->type, len))) {
		*why = NULL;
		return NULL;
	}
	while (p < end) {
		unsigned char cmd = *p++;
		size_t off, cnt;
		if (cmd & 0x80) {
			if (copy_args(cmd, &p, end, &off, &cnt) ||
			    off > src_len || cnt > src_len - off || cnt > len - at)
				goto bad;
			memcpy(o->data + at, base->data + off, cnt);
		} else if (cmd) {
			cnt = cmd;
			if (cnt > (size_t)(end - p) || cnt > len - at)
				goto bad;
			memcpy(o->data + at, p, cnt);
			p += cnt;
		} else {
			goto bad;
		}
		at += cnt;
	}
	if (at == len)
		return o;
bad:
	pack_object_put(o);
	*why = "bad delta instructions";
	return NULL;
}

/* ---- reading ------------------------------------------------------------ */

/* An object outside the packs, through libgit2, copied. */
static int read_fallback(struct pack_reader *r, const unsigned char id[20],
			 struct pack_object **out, struct lg_error *err)
{
	git_odb_object *obj = NULL;
	git_oid oid;

	memcpy(oid.id, id, sizeof(oid.id));
	if (git_odb_read(&obj, r->fallback, &oid))
		return lg_error_git(err, "read failed");
	*out = object_new(git_odb_object_type(obj), git_odb_object_size(obj));
	if (*out)
		memcpy((*out)->data, git_odb_object_data(obj), (*out)->len);
	git_odb_object_free(obj);
	return *out ? 0 : lg_error_set(err, LG_ERR_NOMEM, "out of memory");
}

static int chain_push(struct pack_reader *r, size_t n, uint64_t key)
{
	if (n == r->chain_alloc) {
		size_t alloc = n ? n * 2 : 64;
		uint64_t *grown = realloc(r->chain, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		r->chain = grown;
		r->chain_alloc = alloc;
	}
	r->chain[n] = key;
	return 0;
}

/*
 * Follows deltas from key down to a cached object, a whole object or one
 * outside the packs; leaves the deltas on r->chain (nearest the base
 * last) and their count in *n.
 */
static int find_base(struct pack_reader *r, uint64_t key, size_t *n,
		     struct pack_object **base, struct lg_error *err)
{
	const struct pack_order *po = r->po;
	struct entry e;
	int rc;

	for (*n = 0;; (*n)++) {
		const struct pack_index *ix = &po->packs[PACK_ORDER_PACK(key)];
		uint64_t off = PACK_ORDER_OFFSET(key);
		if ((*base = cache_get(r, key)))
			return 0;
		if ((rc = entry_parse(ix, off, &e, err)))
			return rc;
		if (e.type <= GIT_OBJECT_TAG) {
			if (!(*base = object_new((git_object_t)e.type, e.size)))
				return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
			if ((rc = inflate_to(r, ix, off, &e, (*base)->data, err))) {
				pack_object_put(*base);
				return rc;
			}
			cache_put(r, key, *base);
			return 0;
		}
		if (*n == CHAIN_MAX)
			return corrupt(err, ix, off, "delta chain too deep");
		if (chain_push(r, *n, key))
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		if (e.type == OBJ_OFS_DELTA) {
			key = PACK_ORDER_KEY(PACK_ORDER_PACK(key), e.base);
			continue;
		}
		key = pack_order_key(po, e.base_id);
		if (key == PACK_ORDER_LOOSE) {
			(*n)++;
			return read_fallback(r, e.base_id, base, err);
		}
	}
}

/* Inflates the delta at key and applies it to *obj, replacing it. */
static int apply_one(struct pack_reader *r, uint64_t key,
		     struct pack_object **obj, struct lg_error *err)
{
	const struct pack_index *ix = &r->po->packs[PACK_ORDER_PACK(key)];
	uint64_t off = PACK_ORDER_OFFSET(key);
	struct pack_object *next;
	const char *why;
	struct entry e;
	int rc;

	if ((rc = entry_parse(ix, off, &e, err)))
		return rc;
	if (e.size > r->delta_alloc) {
		unsigned char *grown = realloc(r->delta, e.size);
		if (!grown)
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		r->delta = grown;
		r->delta_alloc = e.size;
	}
	if ((rc = inflate_to(r, ix, off, &e, r->delta, err)))
		return rc;
	if (!(next = delta_apply(*obj, r->delta, e.size, &why)))
		return why ? corrupt(err, ix, off, why)
			   : lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	pack_object_put(*obj);
	*obj = next;
	cache_put(r, key, next);
	return 0;
}

int pack_reader_read(struct pack_reader *r, const unsigned char id[20],
		     struct pack_object **out, struct lg_error *err)
{
	return pack_reader_read_at(r, pack_order_key(r->po, id), id, out, err);
}

int pack_reader_read_at(struct pack_reader *r, uint64_t key,
			const unsigned char id[20], struct pack_object **out,
			struct lg_error *err)
{
	struct pack_object *obj = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if (key == PACK_ORDER_LOOSE)
		return read_fallback(r, id, out, err);
	if ((rc = find_base(r, key, &n, &obj, err)))
		return rc;
	while (n--) {
		if ((rc = apply_one(r, r->chain[n], &obj, err))) {
			pack_object_put(obj);
			return rc;
		}
	}
	*out = obj;
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

int pack_reader_init(struct pack_reader *r, struct pack_order *po,
		     const char *repo_path, size_t cache_bytes,
		     struct lg_error *err)
{
	git_repository *repo = NULL;
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->po = po;
	r->budget = cache_bytes;
	r->lru_head = r->lru_tail = NO_SLOT;
	r->inflater = libdeflate_alloc_decompressor();
	r->slots = calloc(CACHE_SLOTS, sizeof(*r->slots));
	if (!r->inflater || !r->slots) {
		pack_reader_release(r);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < CACHE_SLOTS; i++)
		r->slots[i].prev = r->slots[i].next = NO_SLOT;
	if (git_repository_open(&repo, repo_path) ||
	    git_repository_odb(&r->fallback, repo)) {
		git_repository_free(repo);
		pack_reader_release(r);
		return lg_error_git(err, "%s", repo_path);
	}
	git_repository_free(repo);	/* the odb keeps what it needs */
	return 0;
}

void pack_reader_release(struct pack_reader *r)
{
	uint32_t i;

	if (r->slots)
		for (i = 0; i < CACHE_SLOTS; i++)
			pack_object_put(r->slots[i].obj);
	free(r->slots);
	if (r->inflater)
		libdeflate_free_decompressor(r->inflater);
	git_odb_free(r->fallback);
	free(r->chain);
	free(r->delta);
	memset(r, 0, sizeof(*r));
}
