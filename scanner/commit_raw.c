#include "commit_raw.h"

#include <string.h>

#include "banned.h"

#define TREE_LINE (5 + GIT_OID_HEXSZ + 1)	/* "tree <hex>\n" */
#define PARENT_LINE (7 + GIT_OID_HEXSZ + 1)	/* "parent <hex>\n" */

/* An id line "<tag><hex>\n" at p; returns 0 or -1. */
static int id_line(const char *p, const char *end, const char *tag,
		   git_oid *out)
{
	size_t tag_len = strlen(tag);

	if ((size_t)(end - p) < tag_len + GIT_OID_HEXSZ + 1 ||
	    memcmp(p, tag, tag_len) || p[tag_len + GIT_OID_HEXSZ] != '\n')
		return -1;
	return git_oid_fromstrn(out, p + tag_len, GIT_OID_HEXSZ) ? -1 : 0;
}

/* "committer Name <email> 1700000000 +0100": the number after the '>'. */
static int64_t signature_time(const char *line, const char *eol)
{
	const char *p = eol;
	int64_t t = 0;

	while (p > line && p[-1] != '>')
		p--;
	while (p < eol && *p == ' ')
		p++;
	for (; p < eol && *p >= '0' && *p <= '9' && t < INT64_MAX / 10; p++)
		t = t * 10 + (*p - '0');
	return t;
}

/*
 * Passes the headers from p up to the blank line before the message and
 * returns where the message starts; notes the time of the `key` line in
 * *time, or the name of the `key` line in tag.
 */
static const char *headers(const char *p, const char *end, const char *key,
			   int64_t *time, struct tag_raw *tag)
{
	size_t key_len = strlen(key);

	while (p < end && *p != '\n') {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;	/* headers without a message */
		if ((size_t)(eol - p) > key_len && !memcmp(p, key, key_len)) {
			if (time)
				*time = signature_time(p, eol);
			if (tag) {
				tag->name = p + key_len;
				tag->name_len = (size_t)(eol - p) - key_len;
			}
		}
		p = eol < end ? eol + 1 : end;
	}
	return p < end ? p + 1 : p;
}

int commit_raw_parse(struct commit_raw *c, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	git_oid parent;

	memset(c, 0, sizeof(*c));
	if (id_line(p, end, "tree ", &c->tree))
		return -1;
	p += TREE_LINE;
	c->parents = p;
	while (!id_line(p, end, "parent ", &parent)) {
		c->n_parents++;
		p += PARENT_LINE;
	}
	p = headers(p, end, "committer ", &c->time, NULL);
	c->message = p;
	c->message_len = (size_t)(end - p);
	return 0;
}

int tag_raw_parse(struct tag_raw *t, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	memset(t, 0, sizeof(*t));
	if (id_line(p, end, "object ", &t->target))
		return -1;
	p = headers(p + 7 + GIT_OID_HEXSZ + 1, end, "tag ", NULL, t);
	t->message = p;
	t->message_len = (size_t)(end - p);
	return 0;
}

void commit_raw_parent(const struct commit_raw *c, size_t i, git_oid *out)
{
	git_oid_fromstrn(out, c->parents + i * PARENT_LINE + 7, GIT_OID_HEXSZ);
}
