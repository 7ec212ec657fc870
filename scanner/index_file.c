#include "index_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "error.h"
#include "banned.h"

#define HEADER_SIZE 12
#define CHECKSUM_SIZE 20
#define ENTRY_FIXED 62 /* stat data, id and flags: before the name */
#define FLAG_EXTENDED 0x4000
#define EXT_INTENT_TO_ADD 0x2000

struct reader {
	const unsigned char *p, *end;
};

/* git's offset varint (index v4 path prefix lengths). */
static int read_varint(struct reader *r, size_t *out)
{
	unsigned char c;
	size_t v;

	if (r->p >= r->end)
		return -1;
	c = *r->p++;
	v = c & 127;
	while (c & 128) {
		if (r->p >= r->end || v > (SIZE_MAX >> 8))
			return -1;
		c = *r->p++;
		v = ((v + 1) << 7) + (c & 127);
	}
	*out = v;
	return 0;
}

/*
 * Reads the path of the entry whose name starts at r->p and sets *off to
 * it, relative to the paths base, moving r past the entry: before v4 the
 * path is in the file, padded with 1 to 8 NULs to a multiple of 8; v4
 * writes a count of bytes to strip from the previous entry's path (in
 * prev) and what follows them, unpadded.
 */
static int read_path(struct index_file *f, struct reader *r,
		     const unsigned char *entry, struct buf *prev,
		     uint32_t *off, uint32_t *len)
{
	const unsigned char *nul;
	size_t strip = 0, size;

	if (f->version == 4 && (read_varint(r, &strip) || strip > prev->len))
		return -1;
	nul = memchr(r->p, '\0', (size_t)(r->end - r->p));
	if (!nul)
		return -1;
	if (f->version == 4) {
		buf_truncate(prev, prev->len - strip);
		if (buf_add(prev, r->p, (size_t)(nul - r->p)) ||
		    prev->len > UINT32_MAX - f->names.len - 1)
			return -1;
		r->p = nul + 1;
		*off = (uint32_t)f->names.len;
		*len = (uint32_t)prev->len;
		return buf_add(&f->names, prev->ptr, prev->len + 1) ? -1 : 0;
	}
	*off = (uint32_t)(r->p - f->map);
	*len = (uint32_t)(nul - r->p);
	size = ((size_t)(nul - entry) + 8) & ~(size_t)7;
	if (size > (size_t)(r->end - entry))
		return -1;
	r->p = entry + size;
	return 0;
}

static int read_entry(struct index_file *f, struct reader *r,
		      struct buf *prev)
{
	const unsigned char *e = r->p;
	struct index_entry *out = &f->entries[f->n];
	uint16_t flags, ext = 0;
	uint32_t mode;

	if (r->end - r->p < ENTRY_FIXED + 2)
		return -1;
	flags = get_be16(e + 60);
	mode = get_be32(e + 24);
	r->p += ENTRY_FIXED;
	if ((flags & FLAG_EXTENDED) && f->version >= 3) {
		ext = get_be16(r->p);
		r->p += 2;
	}
	if (mode > UINT16_MAX || read_path(f, r, e, prev, &out->path,
					   &out->len))
		return -1;
	out->mode = (uint16_t)mode;
	out->id = (uint32_t)(e + 40 - f->map);
	out->flags = (uint16_t)((flags >> 12 & INDEX_ENTRY_STAGE) |
				(ext & EXT_INTENT_TO_ADD ? INDEX_ENTRY_INTENT
							 : 0));
	f->n++;
	return 0;
}

static int parse_entries(struct index_file *f, struct reader *r,
			 uint32_t count, const char *file, struct lg_error *err)
{
	struct buf prev = BUF_INIT;
	int rc = 0;

	if (count > f->size / ENTRY_FIXED ||
	    !(f->entries = malloc(((size_t)count + 1) * sizeof(*f->entries))))
		return lg_error_set(err, LG_ERR_PARSE, "%s: bad entry count",
				    file);
	while (f->n < count && !rc)
		rc = read_entry(f, r, &prev);
	buf_release(&prev);
	if (rc)
		return lg_error_set(err, LG_ERR_PARSE,
				    "%s: entry %zu is damaged", file, f->n + 1);
	f->paths = f->version == 4 ? f->names.ptr : (const char *)f->map;
	return 0;
}

/* Notes where the extensions source_index needs are; refuses the unknown. */
static int read_extensions(struct index_file *f, struct reader *r,
			   const char *file, struct lg_error *err)
{
	while (r->end - r->p >= 8 + CHECKSUM_SIZE) {
		const unsigned char *sig = r->p;
		uint32_t size = get_be32(r->p + 4);

		r->p += 8;
		if (size > (size_t)(r->end - r->p) - CHECKSUM_SIZE)
			return lg_error_set(err, LG_ERR_PARSE, "%s: extension "
					    "%.4s is cut short", file, sig);
		if (!memcmp(sig, "TREE", 4)) {
			f->tree = r->p;
			f->tree_len = size;
		} else if (!memcmp(sig, "link", 4)) {
			f->link = r->p;
			f->link_len = size;
		} else if (memcmp(sig, "sdir", 4) &&
			   !(sig[0] >= 'A' && sig[0] <= 'Z')) {
			return lg_error_set(err, LG_ERR_PARSE,
					    "%s: index extension '%.4s' is not "
					    "supported", file, sig);
		}
		r->p += size;
	}
	return 0;
}

static int parse_index(struct index_file *f, const char *file,
		       struct lg_error *err)
{
	struct reader r = { f->map, f->map + f->size };

	if (f->size < HEADER_SIZE + CHECKSUM_SIZE || memcmp(r.p, "DIRC", 4))
		return lg_error_set(err, LG_ERR_PARSE, "%s: not a git index",
				    file);
	f->version = get_be32(r.p + 4);
	if (f->version < 2 || f->version > 4)
		return lg_error_set(err, LG_ERR_PARSE,
				    "%s: index version %u is not supported",
				    file, f->version);
	if (f->size > UINT32_MAX)
		return lg_error_set(err, LG_ERR_LIMIT, "%s: index over 4 GiB",
				    file);
	r.p += HEADER_SIZE;
	if (parse_entries(f, &r, get_be32(f->map + 8), file, err))
		return err->code;
	return read_extensions(f, &r, file, err);
}

int index_file_open(struct index_file *f, const char *path,
		    struct lg_error *err)
{
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return lg_error_errno(err, e, "%s", path);
	}
	map = st.st_size > 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ,
				    MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED)
		return lg_error_set(err, LG_ERR_PARSE, "%s: not a git index",
				    path);
	f->map = map;
	f->size = (size_t)st.st_size;
	return parse_index(f, path, err);
}

void index_file_release(struct index_file *f)
{
	free(f->entries);
	buf_release(&f->names);
	if (f->map)
		munmap((void *)f->map, f->size);
	memset(f, 0, sizeof(*f));
}
