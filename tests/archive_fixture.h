#ifndef LEAKGATE_TEST_ARCHIVE_FIXTURE_H
#define LEAKGATE_TEST_ARCHIVE_FIXTURE_H

/*
 * Archives built in memory for the decode tests, through libarchive's
 * writer, and compression bombs made with zlib: generated at run time,
 * so no binary is committed.
 */
#include <stddef.h>

struct af_member {
	const char *name;
	const char *data;	/* NULL: a symbolic link to "/etc/passwd" */
	size_t len;		/* 0: strlen(data) */
};

/*
 * An archive of members in libarchive's format ("zip", "ustar", "7zip")
 * through filter ("gzip", "bzip2", "xz", "zstd", "none"); options as
 * archive_write_set_options() takes them, or NULL; passphrase or NULL.
 * The caller frees the result; asserts on failure.
 */
char *af_archive(const char *format, const char *filter, const char *options,
		 const char *passphrase, const struct af_member *m, size_t n,
		 size_t *len);

/*
 * A gzip file of `copies` members, each `size` bytes `fill` compressed:
 * it expands to size * copies bytes.  (Zeros would read as an empty tar.)
 * The caller frees the result.
 */
char *af_gzip_fill(int fill, size_t size, size_t copies, size_t *len);

#endif
