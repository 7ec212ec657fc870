#include "archive_fixture.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"

static la_ssize_t write_cb(struct archive *a, void *payload, const void *data,
			   size_t n)
{
	(void)a;
	cr_assert_eq(buf_add(payload, data, n), 0);
	return (la_ssize_t)n;
}

static void add_member(struct archive *a, const struct af_member *m)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = m->data && !m->len ? strlen(m->data) : m->len;

	archive_entry_set_pathname(e, m->name);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (m->data) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)len);
	} else {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, "/etc/passwd");
	}
	cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s",
		     archive_error_string(a));
	if (m->data && len)
		cr_assert_eq(archive_write_data(a, m->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

char *af_archive(const char *format, const char *filter, const char *options,
		 const char *passphrase, const struct af_member *m, size_t n,
		 size_t *len)
{
	struct archive *a = archive_write_new();
	struct buf out = BUF_INIT;
	size_t i;

	cr_assert_eq(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
	if (strcmp(filter, "none"))
		cr_assert_eq(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK,
			     "%s", archive_error_string(a));
	if (options)
		cr_assert_eq(archive_write_set_options(a, options), ARCHIVE_OK);
	if (passphrase)
		cr_assert_eq(archive_write_set_passphrase(a, passphrase), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	cr_assert_eq(archive_write_open2(a, &out, NULL, write_cb, NULL, NULL),
		     ARCHIVE_OK);
	for (i = 0; i < n; i++)
		add_member(a, &m[i]);
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*len = out.len;
	return buf_detach(&out);
}

/* One gzip member of n bytes `fill`, appended to out. */
static void gzip_fill(struct buf *out, int fill, size_t n)
{
	unsigned char block[1 << 16];
	unsigned char chunk[1 << 16];
	z_stream z;
	int flush;

	memset(block, fill, sizeof(block));
	memset(&z, 0, sizeof(z));
	cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	do {
		size_t take = n < sizeof(block) ? n : sizeof(block);
		n -= take;
		z.next_in = block;
		z.avail_in = (unsigned)take;
		flush = n ? Z_NO_FLUSH : Z_FINISH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			deflate(&z, flush);
			cr_assert_eq(buf_add(out, chunk, sizeof(chunk) - z.avail_out), 0);
		} while (z.avail_out == 0);
	} while (n);
	deflateEnd(&z);
}

char *af_gzip_fill(int fill, size_t size, size_t copies, size_t *len)
{
	struct buf one = BUF_INIT, out = BUF_INIT;
	size_t i;

	gzip_fill(&one, fill, size);
	for (i = 0; i < copies; i++)
		cr_assert_eq(buf_add(&out, one.ptr, one.len), 0);
	buf_release(&one);
	*len = out.len;
	return buf_detach(&out);
}
