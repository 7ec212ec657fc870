#include "decode_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <string.h>

#include "error.h"
#include "lazylib.h"
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

/* libarchive is opened the first time an archive is met (lazylib.h). */
static struct archive_api {
	__typeof__(archive_read_new) *read_new;
	__typeof__(archive_read_support_filter_gzip) *read_support_filter_gzip;
	__typeof__(archive_read_support_filter_bzip2) *read_support_filter_bzip2;
	__typeof__(archive_read_support_filter_xz) *read_support_filter_xz;
	__typeof__(archive_read_support_filter_zstd) *read_support_filter_zstd;
	__typeof__(archive_read_support_format_zip) *read_support_format_zip;
	__typeof__(archive_read_support_format_tar) *read_support_format_tar;
	__typeof__(archive_read_support_format_7zip) *read_support_format_7zip;
	__typeof__(archive_read_support_format_raw) *read_support_format_raw;
	__typeof__(archive_error_string) *error_string;
	__typeof__(archive_read_data) *read_data;
	__typeof__(archive_format) *format;
	__typeof__(archive_entry_pathname) *entry_pathname;
	__typeof__(archive_entry_filetype) *entry_filetype;
	__typeof__(archive_entry_is_encrypted) *entry_is_encrypted;
	__typeof__(archive_read_open_memory) *read_open_memory;
	__typeof__(archive_read_next_header) *read_next_header;
	__typeof__(archive_read_free) *read_free;
} la;

static const struct lazylib_symbol archive_symbols[] = {
	{ "archive_read_new", offsetof(struct archive_api, read_new) },
	{ "archive_read_support_filter_gzip", offsetof(struct archive_api, read_support_filter_gzip) },
	{ "archive_read_support_filter_bzip2", offsetof(struct archive_api, read_support_filter_bzip2) },
	{ "archive_read_support_filter_xz", offsetof(struct archive_api, read_support_filter_xz) },
	{ "archive_read_support_filter_zstd", offsetof(struct archive_api, read_support_filter_zstd) },
	{ "archive_read_support_format_zip", offsetof(struct archive_api, read_support_format_zip) },
	{ "archive_read_support_format_tar", offsetof(struct archive_api, read_support_format_tar) },
	{ "archive_read_support_format_7zip", offsetof(struct archive_api, read_support_format_7zip) },
	{ "archive_read_support_format_raw", offsetof(struct archive_api, read_support_format_raw) },
	{ "archive_error_string", offsetof(struct archive_api, error_string) },
	{ "archive_read_data", offsetof(struct archive_api, read_data) },
	{ "archive_format", offsetof(struct archive_api, format) },
	{ "archive_entry_pathname", offsetof(struct archive_api, entry_pathname) },
	{ "archive_entry_filetype", offsetof(struct archive_api, entry_filetype) },
	{ "archive_entry_is_encrypted", offsetof(struct archive_api, entry_is_encrypted) },
	{ "archive_read_open_memory", offsetof(struct archive_api, read_open_memory) },
	{ "archive_read_next_header", offsetof(struct archive_api, read_next_header) },
	{ "archive_read_free", offsetof(struct archive_api, read_free) },
};

static struct lazylib archive_lib =
	LAZYLIB_INIT("libarchive.so.13", archive_symbols, &la);

/* A reader of the formats above only: no filter that runs a program. */
static struct archive *reader_new(void)
{
	struct archive *a = la.read_new();

	if (!a)
		return NULL;
	la.read_support_filter_gzip(a);
	la.read_support_filter_bzip2(a);
	la.read_support_filter_xz(a);
	la.read_support_filter_zstd(a);
	la.read_support_format_zip(a);
	la.read_support_format_tar(a);
	la.read_support_format_7zip(a);
	/* Bids last: a compressed stream that holds no archive. */
	la.read_support_format_raw(a);
	return a;
}

static const char *error_of(struct archive *a)
{
	const char *s = la.error_string(a);

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
		n = la.read_data(a, m->ptr + m->len, CHUNK);
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
	const char *name = la.entry_pathname(e);
	int rc;

	if (la.format(a) == ARCHIVE_FORMAT_RAW || !name)
		name = stream_name;
	if (ops->charge(MEMBER_COST, ops->payload))
		return 1;
	/* Links, directories, devices: no bytes of their own to scan. */
	if (la.entry_filetype(e) != AE_IFREG)
		return 0;
	if (la.entry_is_encrypted(e)) {
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
	struct archive *a;
	struct archive_entry *e;
	struct lg_error err = LG_ERROR_INIT;
	int rc = 0, r;

	if (lazylib_open(&archive_lib, &err)) {
		ops->note("archive not scanned", err.msg, ops->payload);
		return 0;
	}
	if (!(a = reader_new()))
		return LG_ERR_NOMEM;
	if (la.read_open_memory(a, data, len) != ARCHIVE_OK) {
		ops->note("unreadable archive", error_of(a), ops->payload);
		goto done;
	}
	while (!rc && (r = la.read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			ops->note("corrupt archive, rest not scanned", error_of(a),
				  ops->payload);
			break;
		}
		rc = one_member(a, e, member, max_member, stream_name, ops);
	}
done:
	la.read_free(a);
	return rc < 0 ? rc : 0;
}
