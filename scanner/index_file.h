#ifndef LEAKGATE_INDEX_FILE_H
#define LEAKGATE_INDEX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct lg_error;

/*
 * One git index file (versions 2 to 4) as stored: every entry of every
 * stage in file order, and where the extensions source_index uses are.
 * What the entries mean together (a split index's shared file, conflict
 * stages, sparse directories) is source_index's business.
 */

#define INDEX_OID_SIZE 20
#define INDEX_MODE_DIR 0040000	/* a sparse index's directory entry */

enum index_entry_flags {
	INDEX_ENTRY_STAGE = 3,		/* the merge stage: 0 unless conflicted */
	INDEX_ENTRY_INTENT = 1 << 2,	/* `git add -N`: no content yet */
};

/* 16 bytes: an index of 50,000 entries costs few page faults. */
struct index_entry {
	uint32_t path;		/* offset of the path from a paths base */
	uint32_t len;		/* 0: a split index's replacement */
	uint32_t id;		/* offset of the raw object id from an ids base */
	uint16_t mode;
	uint16_t flags;		/* enum index_entry_flags */
};

struct index_file {
	const unsigned char *map;	/* the file, read-only; NULL: none */
	size_t size;
	unsigned version;
	struct buf names;	/* v4: the paths, rebuilt from prefixes */
	const char *paths;	/* the paths base: map or names.ptr */
	struct index_entry *entries;	/* ids are offsets from map */
	size_t n;
	const unsigned char *tree;	/* the TREE extension (cache tree) */
	size_t tree_len;
	const unsigned char *link;	/* the link extension (split index) */
	size_t link_len;
};

#define INDEX_FILE_INIT { NULL, 0, 0, BUF_INIT, NULL, NULL, 0, NULL, 0, NULL, 0 }

/*
 * Maps and parses the index file at path.  A missing file leaves f->map
 * NULL and no entries (git's empty index).  An extension git requires
 * readers to understand (lowercase first letter) other than a split
 * index's link and a sparse index's sdir is an error.  Errors name path
 * and say what is wrong; f is then to be released all the same.
 */
int index_file_open(struct index_file *f, const char *path,
		    struct lg_error *err);
void index_file_release(struct index_file *f);

/* The path and raw object id of entry i: valid until f is released. */
static inline const char *index_file_path(const struct index_file *f,
					  size_t i)
{
	return f->paths + f->entries[i].path;
}

static inline const unsigned char *index_file_id(const struct index_file *f,
						 size_t i)
{
	return f->map + f->entries[i].id;
}

#endif
