#ifndef LEAKGATE_FORGE_H
#define LEAKGATE_FORGE_H

#include <stddef.h>

#include "buf.h"

/*
 * Links to a commit and to a line on the forge that hosts a repository,
 * from its remote URL (https, ssh, scp-like "git@host:owner/repo.git").
 * Credentials in the URL are dropped.  GitHub, GitLab, Bitbucket and
 * Gitea (Codeberg, Forgejo) are known by their host names; another host
 * gets no links rather than wrong ones.
 */
enum forge_kind {
	FORGE_NONE = 0,
	FORGE_GITHUB,
	FORGE_GITLAB,
	FORGE_BITBUCKET,
	FORGE_GITEA,
};

struct forge {
	enum forge_kind kind;
	char *base;		/* "https://host/owner/repo", owned */
};

#define FORGE_INIT { FORGE_NONE, NULL }

/* Fills f from a remote URL; kind stays FORGE_NONE when unknown. */
int forge_parse(struct forge *f, const char *url);

/*
 * Appends the commit's page, or the line's: /commit/<id> and
 * /blob/<id>/<path>#L<line> on GitHub, the forge's own shapes elsewhere.
 * Returns 0, 1 when f knows no forge (nothing appended), or LG_ERR_NOMEM.
 */
int forge_commit_url(struct buf *out, const struct forge *f, const char *commit);
int forge_line_url(struct buf *out, const struct forge *f, const char *commit,
		   const char *path, size_t line);

void forge_release(struct forge *f);

#endif
