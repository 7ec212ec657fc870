#ifndef LEAKGATE_OID_LIST_H
#define LEAKGATE_OID_LIST_H

#include <git2.h>

/* A growable array of object ids. */
struct oid_list {
	git_oid *ids;
	size_t n, alloc;
};

#define OID_LIST_INIT { NULL, 0, 0 }

/* Appends a copy of id; returns 0 or LG_ERR_NOMEM. */
int oid_list_add(struct oid_list *l, const git_oid *id);
void oid_list_release(struct oid_list *l);

#endif
