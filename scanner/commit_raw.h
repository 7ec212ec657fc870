#ifndef LEAKGATE_COMMIT_RAW_H
#define LEAKGATE_COMMIT_RAW_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The parts of a raw commit object a history walk needs, parsed in place
 * (no copy, no libgit2 object): its tree, its parents, when it was
 * committed and its message.  Commits come from untrusted repositories:
 * anything malformed is refused, never read past.
 */
struct commit_raw {
	git_oid tree;
	const char *parents;	/* n_parents lines "parent <hex>\n" */
	size_t n_parents;
	int64_t time;		/* committer time, seconds since the epoch */
	const char *message;	/* after the headers; not NUL-terminated */
	size_t message_len;
};

/* Returns 0, or -1 when data is not a well-formed commit. */
int commit_raw_parse(struct commit_raw *c, const char *data, size_t len);
/* An annotated tag's parts, parsed in place like a commit's. */
struct tag_raw {
	git_oid target;		/* the object it points at */
	const char *name;	/* not NUL-terminated; NULL: none */
	size_t name_len;
	const char *message;	/* not NUL-terminated */
	size_t message_len;
};

/* Returns 0, or -1 when data is not a well-formed tag. */
int tag_raw_parse(struct tag_raw *t, const char *data, size_t len);

/* The i-th parent (i < n_parents). */
void commit_raw_parent(const struct commit_raw *c, size_t i, git_oid *out);

#endif
