#include "pack_read.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "error.h"
#include "pack_entry.h"
#include "banned.h"

/* Deeper chains than git ever writes are treated as corrupt (or a loop). */
#define CHAIN_MAX 10000
#define CACHE_SLOTS 4096	/* a power of two */
#define NO_SLOT UINT32_MAX
/*
 * A fault on a mapped file maps its neighbours too (64 KiB by default):
 * what one read of a small object adds to the resident set.
 */
#define PAGE_FAULT_AROUND ((size_t)64 << 10)

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

void pack_object_get(struct pack_object *o)
{
	o->refs++;
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
	pack_object_get(c->obj);
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
	pack_object_get(o);
	r->cached += o->len;
	lru_push_front(r, s);
	while (r->cached > r->budget && r->lru_tail != NO_SLOT)
		cache_evict(r, r->lru_tail);
}

/* ---- pack entries ------------------------------------------------------- */

static int corrupt(struct lg_error *err, const struct pack_index *ix,
		   uint64_t off, const char *why)
{
	return lg_error_set(err, LG_ERR_IO, "%s: object at offset %llu: %s",
			    ix->pack_path, (unsigned long long)off, why);
}

static int entry_parse(const struct pack_index *ix, uint64_t off,
		       struct pack_entry *e, struct lg_error *err)
{
	const char *why = pack_entry_parse(ix->pack, ix->pack_size - PACK_TRAILER,
					   off, e);

	return why ? corrupt(err, ix, off, why) : 0;
}

/* Inflates e's data (e->size bytes) into out. */
static int inflate_to(struct pack_reader *r, const struct pack_index *ix,
		      uint64_t off, const struct pack_entry *e,
		      unsigned char *out, struct lg_error *err)
{
	size_t used = 0, got = 0;
	enum libdeflate_result rc;

	rc = libdeflate_zlib_decompress_ex(r->inflater, ix->pack + e->data,
					   ix->pack_size - PACK_TRAILER - e->data,
					   out, e->size, &used, &got);
	pack_order_note_read(r->po, used + PAGE_FAULT_AROUND);
	if (rc != LIBDEFLATE_SUCCESS || got != e->size)
		return corrupt(err, ix, off, "damaged compressed data");
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* libgit2's handle, opened on first use: most readers never need it. */
static int open_fallback(struct pack_reader *r, struct lg_error *err)
{
	git_repository *repo = NULL;

	if (r->fallback)
		return 0;
	if (git_repository_open(&repo, r->repo_path) ||
	    git_repository_odb(&r->fallback, repo)) {
		git_repository_free(repo);
		return lg_error_git(err, "%s", r->repo_path);
	}
	git_repository_free(repo);	/* the odb keeps what it needs */
	return 0;
}

/* An object outside the packs, through libgit2, copied. */
static int read_fallback(struct pack_reader *r, const unsigned char id[20],
			 struct pack_object **out, struct lg_error *err)
{
	git_odb_object *obj = NULL;
	git_oid oid;

	if (open_fallback(r, err))
		return err->code;
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
	struct pack_entry e;
	int rc;

	for (*n = 0;; (*n)++) {
		const struct pack_index *ix = &po->packs[PACK_ORDER_PACK(key)];
		uint64_t off = PACK_ORDER_OFFSET(key);
		if ((*base = cache_get(r, key)))
			return 0;
		if ((rc = entry_parse(ix, off, &e, err)))
			return rc;
		if (e.type < PACK_OFS_DELTA) {
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
		if (e.type == PACK_OFS_DELTA) {
			key = PACK_ORDER_KEY(PACK_ORDER_PACK(key), e.base);
			continue;
		}
		key = pack_order_key(po, ix->pack + e.base_id);
		if (key == PACK_ORDER_LOOSE) {
			(*n)++;
			return read_fallback(r, ix->pack + e.base_id, base, err);
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
	size_t base_len, len, ops;
	const char *why;
	struct pack_entry e;
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
	why = pack_delta_sizes(r->delta, e.size, &base_len, &len, &ops);
	if (!why && base_len != (*obj)->len)
		why = "delta does not fit its base";
	if (why)
		return corrupt(err, ix, off, why);
	if (!(next = object_new((*obj)->type, len)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if ((why = pack_delta_apply((*obj)->data, base_len, r->delta, e.size, ops,
				    next->data, len))) {
		pack_object_put(next);
		return corrupt(err, ix, off, why);
	}
	pack_object_put(*obj);
	*obj = next;
	cache_put(r, key, next);
	return 0;
}

/* The reader's zlib state for delta headers, reset for another entry. */
static z_stream *head_stream(struct pack_reader *r)
{
	if (r->head_z)
		return inflateReset(r->head_z) == Z_OK ? r->head_z : NULL;
	if (!(r->head_z = calloc(1, sizeof(*r->head_z))))
		return NULL;
	if (inflateInit(r->head_z) != Z_OK) {
		free(r->head_z);
		r->head_z = NULL;
	}
	return r->head_z;
}

/* The size a delta's result has, from the first bytes of its data. */
static int delta_result_size(struct pack_reader *r,
			     const struct pack_index *ix, uint64_t off,
			     const struct pack_entry *e, size_t *out,
			     struct lg_error *err)
{
	unsigned char head[32];
	size_t base_len, ops, avail = ix->pack_size - PACK_TRAILER - e->data;
	z_stream *z = head_stream(r);
	int rc;

	if (!z)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	z->next_in = (unsigned char *)ix->pack + e->data;
	z->avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
	z->next_out = head;
	z->avail_out = e->size < sizeof(head) ? (uInt)e->size : sizeof(head);
	rc = inflate(z, Z_SYNC_FLUSH);
	if ((rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) ||
	    (pack_delta_sizes(head, z->total_out, &base_len, out, &ops) &&
	     *out <= PACK_OBJECT_MAX))
		return corrupt(err, ix, off, "damaged delta header");
	return 0;
}

int pack_reader_size(struct pack_reader *r, uint64_t key,
		     const unsigned char id[20], size_t *size,
		     struct lg_error *err)
{
	const struct pack_index *ix;
	struct pack_object *cached;
	git_object_t type;
	struct pack_entry e;
	git_oid oid;
	const char *why;

	if (key == PACK_ORDER_LOOSE) {
		memcpy(oid.id, id, sizeof(oid.id));
		if (open_fallback(r, err))
			return err->code;
		return git_odb_read_header(size, &type, r->fallback, &oid)
			       ? lg_error_git(err, "read failed") : 0;
	}
	if ((cached = cache_get(r, key))) {
		*size = cached->len;
		return 0;
	}
	ix = &r->po->packs[PACK_ORDER_PACK(key)];
	why = pack_entry_parse(ix->pack, ix->pack_size - PACK_TRAILER,
			       PACK_ORDER_OFFSET(key), &e);
	*size = e.size;		/* set before a size over the limit is refused */
	if (why && e.size <= PACK_OBJECT_MAX)
		return corrupt(err, ix, PACK_ORDER_OFFSET(key), why);
	if (why || e.type < PACK_OFS_DELTA)
		return 0;
	return delta_result_size(r, ix, PACK_ORDER_OFFSET(key), &e, size, err);
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

int pack_reader_read_tree(struct pack_reader *r, const git_oid *id,
			  struct pack_object **out, struct lg_error *err)
{
	int rc = pack_reader_read(r, id->id, out, err);

	if (rc)
		return rc;
	if ((*out)->type != GIT_OBJECT_TREE) {
		pack_object_put(*out);
		*out = NULL;
		return lg_error_set(err, LG_ERR_IO, "not a tree");
	}
	return 0;
}

/* ---- streams ------------------------------------------------------------ */

struct pack_stream {
	struct pack_order *po;
	const struct pack_index *ix;	/* NULL: a loose object (odb) */
	uint64_t off;			/* the entry, for messages */
	z_stream z;
	size_t in_left;			/* compressed bytes not yet given z */
	git_odb_stream *odb;
	size_t left;			/* bytes not yet read */
};

/* A packed blob that is not a delta: inflated from the mapped pack. */
static int stream_packed(struct pack_stream *s, uint64_t key,
			 struct lg_error *err)
{
	struct pack_entry e;
	const char *why;

	s->ix = &s->po->packs[PACK_ORDER_PACK(key)];
	s->off = PACK_ORDER_OFFSET(key);
	why = pack_entry_parse(s->ix->pack, s->ix->pack_size - PACK_TRAILER,
			       s->off, &e);
	if (why && why != pack_entry_too_large)
		return corrupt(err, s->ix, s->off, why);
	if (e.type >= PACK_OFS_DELTA)
		return corrupt(err, s->ix, s->off, "too large to read (a "
			       "deltified blob over 1 GiB is not streamed)");
	if (inflateInit(&s->z) != Z_OK)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	s->z.next_in = (unsigned char *)s->ix->pack + e.data;
	s->in_left = s->ix->pack_size - PACK_TRAILER - e.data;
	s->left = e.size;
	return 0;
}

/* A loose object, through libgit2 (whose loose backend streams). */
static int stream_loose(struct pack_stream *s, struct pack_reader *r,
			const unsigned char id[20], struct lg_error *err)
{
	git_object_size_t len;
	git_object_t type;
	git_oid oid;

	memcpy(oid.id, id, sizeof(oid.id));
	if (open_fallback(r, err))
		return err->code;
	if (git_odb_open_rstream(&s->odb, &len, &type, r->fallback, &oid))
		return lg_error_git(err, "read failed");
	if (len > SIZE_MAX)
		return lg_error_set(err, LG_ERR_IO, "too large to read");
	s->left = (size_t)len;
	return 0;
}

int pack_reader_stream(struct pack_reader *r, uint64_t key,
		       const unsigned char id[20], struct pack_stream **out,
		       size_t *len, struct lg_error *err)
{
	struct pack_stream *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	s->po = r->po;
	rc = key == PACK_ORDER_LOOSE ? stream_loose(s, r, id, err)
				     : stream_packed(s, key, err);
	if (rc) {
		pack_stream_free(s);
		return rc;
	}
	*len = s->left;
	*out = s;
	return 0;
}

/* Inflates up to n bytes into dst; *got says how many came. */
static int stream_inflate(struct pack_stream *s, unsigned char *dst,
			  size_t n, size_t *got, struct lg_error *err)
{
	size_t before = s->z.total_in;
	int rc;

	if (!s->z.avail_in && s->in_left) {
		s->z.avail_in = s->in_left > UINT32_MAX ? UINT32_MAX
							: (uInt)s->in_left;
		s->in_left -= s->z.avail_in;
	}
	s->z.next_out = dst;
	s->z.avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	rc = inflate(&s->z, Z_NO_FLUSH);
	*got = (size_t)(s->z.next_out - dst);
	pack_order_note_read(s->po, s->z.total_in - before);
	/* Z_BUF_ERROR: no progress, so the data ends before the object. */
	if ((rc != Z_OK && rc != Z_STREAM_END) || (rc == Z_STREAM_END && *got < n))
		return corrupt(err, s->ix, s->off, "damaged compressed data");
	return 0;
}

int pack_stream_read(struct pack_stream *s, unsigned char *dst, size_t n,
		     struct lg_error *err)
{
	size_t got;

	if (n > s->left)
		return lg_error_set(err, LG_ERR_IO, "read past the object");
	while (n) {
		if (s->odb) {
			int k = git_odb_stream_read(s->odb, (char *)dst,
						    n > INT32_MAX ? INT32_MAX
								  : n);
			if (k <= 0)
				return lg_error_git(err, "read failed");
			got = (size_t)k;
		} else if (stream_inflate(s, dst, n, &got, err)) {
			return err->code;
		}
		dst += got;
		n -= got;
		s->left -= got;
	}
	return 0;
}

void pack_stream_free(struct pack_stream *s)
{
	if (!s)
		return;
	if (s->ix)
		inflateEnd(&s->z);
	git_odb_stream_free(s->odb);
	free(s);
}

/* ---- lifecycle ---------------------------------------------------------- */

int pack_reader_init(struct pack_reader *r, struct pack_order *po,
		     const char *repo_path, size_t cache_bytes,
		     struct lg_error *err)
{
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->po = po;
	r->budget = cache_bytes;
	r->lru_head = r->lru_tail = NO_SLOT;
	r->repo_path = strdup(repo_path);
	r->inflater = libdeflate_alloc_decompressor();
	r->slots = calloc(CACHE_SLOTS, sizeof(*r->slots));
	if (!r->repo_path || !r->inflater || !r->slots) {
		pack_reader_release(r);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < CACHE_SLOTS; i++)
		r->slots[i].prev = r->slots[i].next = NO_SLOT;
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
	free(r->repo_path);
	free(r->chain);
	free(r->delta);
	if (r->head_z)
		inflateEnd(r->head_z);
	free(r->head_z);
	memset(r, 0, sizeof(*r));
}
