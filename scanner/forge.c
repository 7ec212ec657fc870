#include "forge.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "banned.h"

static enum forge_kind kind_of(const char *host, size_t n)
{
	char h[256];

	if (n >= sizeof(h))
		return FORGE_NONE;
	memcpy(h, host, n);
	h[n] = '\0';
	if (!strcasecmp(h, "github.com") || !strncasecmp(h, "github.", 7))
		return FORGE_GITHUB;
	if (strcasestr(h, "gitlab"))
		return FORGE_GITLAB;
	if (!strcasecmp(h, "bitbucket.org"))
		return FORGE_BITBUCKET;
	if (strcasestr(h, "gitea") || strcasestr(h, "forgejo") ||
	    !strcasecmp(h, "codeberg.org"))
		return FORGE_GITEA;
	return FORGE_NONE;
}

/*
 * Splits url into host (without user or, for ssh, port) and the path
 * after it; returns 0, or -1 when it is no URL of a remote host.
 */
static int split_url(const char *url, const char **host, size_t *host_len,
		     const char **path, int *keep_port)
{
	const char *p = strstr(url, "://"), *at, *end;

	*keep_port = p && !strncasecmp(url, "http", 4);
	if (p)
		p += 3;
	else if (!(p = strchr(url, ':')) || strchr(url, '/') < p)
		return -1;	/* a local path */
	else
		p = url;	/* scp-like: [user@]host:path */
	end = p + strcspn(p, p == url ? ":" : "/");
	at = memchr(p, '@', (size_t)(end - p));
	*host = at ? at + 1 : p;
	*host_len = (size_t)(end - *host);
	if (!*keep_port && memchr(*host, ':', *host_len))
		*host_len = (size_t)((const char *)memchr(*host, ':', *host_len) - *host);
	*path = *end ? end + 1 : end;
	return *host_len ? 0 : -1;
}

int forge_parse(struct forge *f, const char *url)
{
	const char *host, *path;
	size_t host_len, path_len;
	struct buf b = BUF_INIT;
	int keep_port;

	memset(f, 0, sizeof(*f));
	if (!url || split_url(url, &host, &host_len, &path, &keep_port))
		return 0;
	path += strspn(path, "/");
	path_len = strlen(path);
	while (path_len && path[path_len - 1] == '/')
		path_len--;
	if (path_len > 4 && !strncmp(path + path_len - 4, ".git", 4))
		path_len -= 4;
	if (!path_len || !(f->kind = kind_of(host, host_len)))
		return 0;
	if (buf_addf(&b, "https://%.*s/%.*s", (int)host_len, host,
		     (int)path_len, path))
		return LG_ERR_NOMEM;
	f->base = buf_detach(&b);
	return 0;
}

/* A path in a URL: unreserved bytes and '/' as they are, others %XX. */
static int add_path(struct buf *out, const char *path)
{
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)path; *p && !rc; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			rc = buf_addch(out, (char)*p);
		else
			rc = buf_addf(out, "%%%02X", *p);
	}
	return rc;
}

int forge_commit_url(struct buf *out, const struct forge *f, const char *commit)
{
	static const char *const infix[] = {
		"", "/commit/", "/-/commit/", "/commits/", "/commit/",
	};

	if (!f->base || !commit)
		return 1;
	return buf_addf(out, "%s%s%s", f->base, infix[f->kind], commit);
}

int forge_line_url(struct buf *out, const struct forge *f, const char *commit,
		   const char *path, size_t line)
{
	static const char *const infix[] = {
		"", "/blob/", "/-/blob/", "/src/", "/src/commit/",
	};
	static const char *const anchor[] = { "", "#L", "#L", "#lines-", "#L" };

	if (!f->base || !commit || !path)
		return 1;
	if (buf_addf(out, "%s%s%s/", f->base, infix[f->kind], commit) ||
	    add_path(out, path) || buf_addf(out, "%s%zu", anchor[f->kind], line))
		return LG_ERR_NOMEM;
	return 0;
}

void forge_release(struct forge *f)
{
	free(f->base);
	memset(f, 0, sizeof(*f));
}
