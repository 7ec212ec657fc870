#ifndef LEAKGATE_TREE_ITER_H
#define LEAKGATE_TREE_ITER_H

#include <stddef.h>

/*
 * Reads the entries of a raw git tree object ("<octal mode> <name>\0<20
 * byte id>" repeated) straight from its bytes: no allocation per entry,
 * every length checked, so a hostile tree cannot make it read past the end.
 */
enum tree_entry_kind {
	TREE_ENTRY_BLOB,	/* file, executable or symbolic link */
	TREE_ENTRY_TREE,
	TREE_ENTRY_OTHER,	/* submodule commit, or an unknown mode */
};

struct tree_entry {
	const char *name;	/* not NUL-terminated: use name_len */
	size_t name_len;
	const unsigned char *id;	/* 20 bytes */
	enum tree_entry_kind kind;
	const char *raw;	/* the whole entry as stored, mode to id */
	size_t raw_len;
};

struct tree_iter {
	const char *p, *end;
};

void tree_iter_init(struct tree_iter *it, const void *data, size_t len);
/* 1: *e is the next entry; 0: no more; -1: the tree is malformed. */
int tree_iter_next(struct tree_iter *it, struct tree_entry *e);

/*
 * Walking a tree against an earlier version of the same directory, old:
 * moves old past its entries that sort before e, and past e itself when
 * old holds it.  Returns 1 when old held e byte for byte (same mode, name
 * and id), 0 otherwise.  Both trees sort their entries the same way, so
 * calling it for each entry of the new tree, in order, passes once over
 * each tree; entries a tree shares with its last version (most of them,
 * commit after commit) cost a comparison, not a look-up.
 */
int tree_iter_match(struct tree_iter *old, const struct tree_entry *e);

#endif
