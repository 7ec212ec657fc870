#include "decode_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "error.h"
#include "banned.h"

#define CHUNK ((size_t)64 << 10)
/* Counted for every member: a tar of a million empty files still costs. */
#define MEMBER_COST 512

struct magic {
	size_t offset;
	const char *bytes;
	size_t len;
};

static const struct magic magics[] = {
	{ 0, "PK\3\4", 4 },			/* zip and its kin */
	{ 0, "PK\5\6", 4 },			/* empty zip */
	{ 0, "\x1f\x8b\x08", 3 },		/* gzip */
	{ 0, "\xfd" "7zXZ\0", 6 },		/* xz */
	{ 0, "\x28\xb5\x2f\xfd", 4 },		/* zstd */
	{ 0, "7z\xbc\xaf\x27\x1c", 6 },		/* 7z */
	{ 257, "ustar", 5 },			/* tar */
};

int decode_archive_sniff(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];
		if (len >= m->offset + m->len &&
		    !memcmp(data + m->offset, m->bytes, m->len))
			return 1;
	}
	/* bzip2: "BZh" and a block size digit. */
	return len >= 4 && !memcmp(data, "BZh", 3) && data[3] >= '1' &&
	       data[3] <= '9';
}

/* A reader of the formats above only: no filter that runs a program. */
static struct archive *reader_new(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_7zip(a);
	/* Bids last: a compressed stream that holds no archive. */
	archive_read_support_format_raw(a);
	return a;
}

static const char *error_of(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown error";
}

/*
 * Reads the current member into m (its first max_member bytes), charging
 * every byte.  Returns 1 when kept whole, 0 when not, 2 to stop reading
 * the archive.
 */
static int read_member(struct archive *a, const char *name, struct buf *m,
		       size_t max_member, const struct decode_archive_ops *ops)
{
	int kept = 1;
	la_ssize_t n;

	buf_reset(m);
	for (;;) {
		if (buf_grow(m, CHUNK))
			return -1;
		n = archive_read_data(a, m->ptr + m->len, CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			ops->note("unreadable archive member", error_of(a),
				  ops->payload);
			return n == ARCHIVE_FATAL ? 2 : 0;
		}
		if (ops->charge((size_t)n, ops->payload))
			return 2;
		if (kept && max_member && m->len + (size_t)n > max_member) {
			kept = 0;
			ops->note("archive member over the size cap, not scanned",
				  name, ops->payload);
		}
		if (kept)
			m->len += (size_t)n;
	}
	m->ptr[m->len] = '\0';
	return kept;
}

/* One member: 0 to go on, 1 to stop, or a negative error. */
static int one_member(struct archive *a, struct archive_entry *e,
		      struct buf *m, size_t max_member,
		      const char *stream_name,
		      const struct decode_archive_ops *ops)
{
	const char *name = archive_entry_pathname(e);
	int rc;

	if (archive_format(a) == ARCHIVE_FORMAT_RAW || !name)
		name = stream_name;
	if (ops->charge(MEMBER_COST, ops->payload))
		return 1;
	/* Links, directories, devices: no bytes of their own to scan. */
	if (archive_entry_filetype(e) != AE_IFREG)
		return 0;
	if (archive_entry_is_encrypted(e)) {
		ops->note("encrypted archive member, not scanned", name,
			  ops->payload);
		return 0;
	}
	rc = read_member(a, name, m, max_member, ops);
	if (rc < 0)
		return LG_ERR_NOMEM;
	if (rc == 2)
		return 1;
	return rc ? ops->member(name, m->ptr, m->len, ops->payload) : 0;
}

int decode_archive_each(const char *data, size_t len, struct buf *member,
			size_t max_member, const char *stream_name,
			const struct decode_archive_ops *ops)
{
	struct archive *a = reader_new();
	struct archive_entry *e;
	int rc = 0, r;

	if (!a)
		return LG_ERR_NOMEM;
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		ops->note("unreadable archive", error_of(a), ops->payload);
		goto done;
	}
	while (!rc && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			ops->note("corrupt archive, rest not scanned", error_of(a),
				  ops->payload);
			break;
		}
		rc = one_member(a, e, member, max_member, stream_name, ops);
	}
done:
	archive_read_free(a);
	return rc < 0 ? rc : 0;
}
