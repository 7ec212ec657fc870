#include "pack_order.h"

#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "bytes.h"
#include "error.h"
#include "pack_entry.h"
#include "banned.h"

#define IDX_HEADER 8
#define IDX_FANOUT (256 * 4)
#define MAX_PACKS 0xfffe

/* Validates a v2 index and sets up its tables; returns 0 or -1. */
static int index_parse(struct pack_index *ix)
{
	static const unsigned char magic[] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };
	size_t need;

	if (ix->size < IDX_HEADER + IDX_FANOUT + 40 ||
	    memcmp(ix->map, magic, sizeof(magic)))
		return -1;
	ix->n = get_be32(ix->map + IDX_HEADER + IDX_FANOUT - 4);
	need = IDX_HEADER + IDX_FANOUT + (size_t)ix->n * (20 + 4 + 4) + 40;
	if (need > ix->size)
		return -1;
	ix->oids = ix->map + IDX_HEADER + IDX_FANOUT;
	ix->offsets = ix->oids + (size_t)ix->n * 24;
	ix->n_large = (ix->size - need) / 8;
	ix->large = ix->n_large ? ix->offsets + (size_t)ix->n * 4 : NULL;
	return 0;
}

/* Maps path read-only; returns 0 or -1. */
static int map_file(const char *path, const unsigned char **map, size_t *size)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	*map = m;
	*size = (size_t)st.st_size;
	return 0;
}

/* A version 2 or 3 pack holding as many objects as its index lists. */
static int pack_header_ok(const struct pack_index *ix)
{
	uint32_t version;

	if (ix->pack_size < PACK_HEADER + PACK_TRAILER ||
	    memcmp(ix->pack, "PACK", 4))
		return 0;
	version = get_be32(ix->pack + 4);
	return (version == 2 || version == 3) && get_be32(ix->pack + 8) == ix->n;
}

static void index_unmap(struct pack_index *ix)
{
	if (ix->map)
		munmap((void *)ix->map, ix->size);
	if (ix->pack)
		munmap((void *)ix->pack, ix->pack_size);
	free(ix->pack_path);
	memset(ix, 0, sizeof(*ix));
}

/* Maps idx_path and its .pack; returns 0, or -1 (nothing kept). */
static int index_map(struct pack_index *ix, struct buf *idx_path)
{
	if (map_file(idx_path->ptr, &ix->map, &ix->size) || index_parse(ix))
		goto fail;
	idx_path->len -= 4;
	if (buf_adds(idx_path, ".pack") ||
	    !(ix->pack_path = strdup(idx_path->ptr)) ||
	    map_file(ix->pack_path, &ix->pack, &ix->pack_size) ||
	    !pack_header_ok(ix))
		goto fail;
	return 0;
fail:
	index_unmap(ix);
	return -1;
}

static int is_idx_name(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && !strcmp(name + len - 4, ".idx");
}

int pack_order_open(struct pack_order *po, const char *objects_dir,
		    struct lg_error *err)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(po, 0, sizeof(*po));
	buf_addf(&path, "%s/pack", objects_dir);
	d = opendir(path.ptr);
	while (d && (de = readdir(d)) && po->n < MAX_PACKS) {
		struct pack_index *grown;
		if (!is_idx_name(de->d_name))
			continue;
		grown = realloc(po->packs, (po->n + 1) * sizeof(*grown));
		if (!grown) {
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
			break;
		}
		po->packs = grown;
		buf_reset(&path);
		buf_addf(&path, "%s/pack/%s", objects_dir, de->d_name);
		memset(&po->packs[po->n], 0, sizeof(po->packs[0]));
		if (!index_map(&po->packs[po->n], &path))
			po->n++;
	}
	if (d)
		closedir(d);
	buf_release(&path);
	return rc;
}

/* Object ids compared by their first 8 bytes first: one load, no call. */
static int oid_cmp(const unsigned char *a, const unsigned char *b)
{
	uint64_t x = get_be64(a), y = get_be64(b);

	if (x != y)
		return x < y ? -1 : 1;
	return memcmp(a + 8, b + 8, 12);
}

static int index_find(const struct pack_index *ix, const unsigned char oid[20],
		      uint32_t *pos)
{
	const unsigned char *fan = ix->map + IDX_HEADER;
	uint32_t lo = oid[0] ? get_be32(fan + 4 * (oid[0] - 1)) : 0;
	uint32_t hi = get_be32(fan + 4 * oid[0]);

	if (hi > ix->n)
		hi = ix->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = oid_cmp(ix->oids + (size_t)mid * 20, oid);
		if (!c) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static uint64_t index_offset(const struct pack_index *ix, uint32_t pos)
{
	uint32_t off = get_be32(ix->offsets + (size_t)pos * 4);

	if (!(off & 0x80000000u))
		return off;
	off &= 0x7fffffffu;
	return off < ix->n_large ? get_be64(ix->large + (size_t)off * 8) : 0;
}

uint64_t pack_order_key(const struct pack_order *po, const unsigned char oid[20])
{
	uint32_t pos;
	size_t i;

	for (i = 0; i < po->n; i++)
		if (index_find(&po->packs[i], oid, &pos))
			return (uint64_t)i << 48 |
			       (index_offset(&po->packs[i], pos) & 0xffffffffffffull);
	return PACK_ORDER_LOOSE;
}

void pack_order_note_read(struct pack_order *po, size_t bytes)
{
	uint64_t now = __atomic_add_fetch(&po->unreleased, bytes,
					  __ATOMIC_RELAXED);
	size_t i;

	/* The thread whose read crosses the step (and resets it) drops. */
	if (now < PACK_ORDER_RSS_STEP ||
	    !__atomic_compare_exchange_n(&po->unreleased, &now, 0, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	for (i = 0; i < po->n; i++)
		madvise((void *)po->packs[i].pack, po->packs[i].pack_size,
			MADV_DONTNEED);
}

void pack_order_release(struct pack_order *po)
{
	size_t i;

	for (i = 0; i < po->n; i++)
		index_unmap(&po->packs[i]);
	free(po->packs);
	memset(po, 0, sizeof(*po));
}
