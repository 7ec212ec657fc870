#include "oid_list.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

int oid_list_add(struct oid_list *l, const git_oid *id)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 64;
		git_oid *grown = realloc(l->ids, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		l->ids = grown;
		l->alloc = alloc;
	}
	git_oid_cpy(&l->ids[l->n++], id);
	return 0;
}

void oid_list_release(struct oid_list *l)
{
	free(l->ids);
	memset(l, 0, sizeof(*l));
}
