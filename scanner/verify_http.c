#include "verify_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "lazylib.h"
#include "banned.h"

#define HTTP_DEFAULT_TIMEOUT 10L

/* libcurl is opened when verification starts (lazylib.h). */
static struct curl_api {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_global_cleanup) *global_cleanup;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
} curl;

static const struct lazylib_symbol curl_symbols[] = {
	{ "curl_global_init", offsetof(struct curl_api, global_init) },
	{ "curl_global_cleanup", offsetof(struct curl_api, global_cleanup) },
	{ "curl_easy_init", offsetof(struct curl_api, easy_init) },
	{ "curl_easy_setopt", offsetof(struct curl_api, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct curl_api, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct curl_api, easy_getinfo) },
	{ "curl_easy_cleanup", offsetof(struct curl_api, easy_cleanup) },
	{ "curl_easy_strerror", offsetof(struct curl_api, easy_strerror) },
	{ "curl_slist_append", offsetof(struct curl_api, slist_append) },
	{ "curl_slist_free_all", offsetof(struct curl_api, slist_free_all) },
};

static struct lazylib curl_lib = LAZYLIB_INIT("libcurl.so.4", curl_symbols, &curl);

int http_global_init(struct lg_error *err)
{
	int rc = lazylib_open(&curl_lib, err);

	if (rc)
		return rc;
	if (curl.global_init(CURL_GLOBAL_DEFAULT))
		return lg_error_set(err, LG_ERR_IO, "cannot start libcurl");
	return 0;
}

void http_global_cleanup(void)
{
	if (curl.global_cleanup)
		curl.global_cleanup();
}

/*
 * Rewrites url through the map into out; returns 1 when a map entry
 * applied, 0 when url is unchanged (copied), -1 when out of memory.
 */
static int map_url(struct buf *out, const char *url, const char *map)
{
	const char *entry = map, *eq, *end;

	while (entry && *entry) {
		end = strchr(entry, ',');
		if (!end)
			end = entry + strlen(entry);
		eq = memchr(entry, '=', (size_t)(end - entry));
		if (eq && eq > entry &&
		    !strncmp(url, entry, (size_t)(eq - entry))) {
			if (buf_add(out, eq + 1, (size_t)(end - eq - 1)) ||
			    buf_adds(out, url + (eq - entry)))
				return -1;
			return 1;
		}
		entry = *end ? end + 1 : NULL;
	}
	return buf_adds(out, url) ? -1 : 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *payload)
{
	struct buf *b = payload;
	size_t len = size * n;

	if (b->len + len > HTTP_BODY_MAX)
		return 0;	/* curl fails the transfer: a reply this big is not an API's */
	return buf_add(b, data, len) ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *payload)
{
	struct buf *b = payload;
	size_t len = size * n;

	/* A new status line starts a new response (after a redirect or 100). */
	if (len > 5 && !strncmp(data, "HTTP/", 5))
		buf_reset(b);
	if (b->len + len > HTTP_BODY_MAX)
		return 0;
	return buf_add(b, data, len) ? 0 : len;
}

static struct curl_slist *header_list(const struct string_list *headers)
{
	struct curl_slist *l = NULL, *next;
	size_t i;

	for (i = 0; headers && i < headers->n; i++) {
		if (!(next = curl.slist_append(l, headers->items[i]))) {
			curl.slist_free_all(l);
			return NULL;
		}
		l = next;
	}
	return l;
}

static void set_options(CURL *c, const char *method, const char *url,
			struct curl_slist *h, const char *body,
			const struct http_auth *auth,
			struct http_response *out, const struct http_options *o)
{
	if (auth) {
		curl.easy_setopt(c, CURLOPT_AWS_SIGV4, auth->aws_sigv4);
		curl.easy_setopt(c, CURLOPT_USERPWD, auth->userpwd);
	}
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "leakgate-verify");
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_TIMEOUT,
			 o && o->timeout_sec ? o->timeout_sec : HTTP_DEFAULT_TIMEOUT);
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o && o->ca_file)
		curl.easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	else if (getenv("LEAKGATE_CA_FILE"))
		curl.easy_setopt(c, CURLOPT_CAINFO, getenv("LEAKGATE_CA_FILE"));
	/* A provider never redirects an API call; a redirect could carry the secret elsewhere. */
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
	if (body) {
		curl.easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
}

/* The host of url for messages: never the path or query, which may hold the secret. */
static void url_host(const char *url, char *out, size_t outlen)
{
	const char *s = strstr(url, "://"), *e;

	s = s ? s + 3 : url;
	e = s + strcspn(s, "/?#@");
	if (*e == '@') {
		s = e + 1;
		e = s + strcspn(s, "/?#");
	}
	snprintf(out, outlen, "%.*s", (int)(e - s), s);
}

/* Whether url names a loopback address: the only place plain http may go. */
static int loopback_http(const char *url)
{
	static const char *const hosts[] = { "http://127.0.0.1", "http://localhost",
					     "http://[::1]" };
	size_t i, n;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		n = strlen(hosts[i]);
		if (!strncmp(url, hosts[i], n) && strchr(":/", url[n] ? url[n] : '/'))
			return 1;
	}
	return 0;
}

/* Seconds the answer asks us to wait before trying again, or -1. */
static long retry_after(const struct http_response *res)
{
	char v[32];
	long s;

	if (res->status != 429 && res->status != 403)
		return -1;
	if (http_header(res, "Retry-After", v, sizeof(v)))
		return res->status == 429 ? 1 : -1;
	s = atol(v);
	return s < 0 ? 0 : s > HTTP_MAX_WAIT ? HTTP_MAX_WAIT : s;
}

static int http_once(struct http_response *out, const char *method,
		     const char *url, const struct string_list *headers,
		     const char *body, const struct http_auth *auth,
		     const struct http_options *o, struct lg_error *err)
{
	struct buf target = BUF_INIT;
	struct curl_slist *h = NULL;
	const char *map = o && o->url_map ? o->url_map
					  : getenv("LEAKGATE_VERIFY_URL_MAP");
	char host[256];
	CURLcode cc;
	CURL *c = NULL;
	int mapped, rc = 0;

	url_host(url, host, sizeof(host));
	if ((mapped = map_url(&target, url, map)) < 0) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	if (strncmp(target.ptr, "https://", 8) &&
	    !(mapped && loopback_http(target.ptr))) {
		rc = lg_error_set(err, LG_ERR_IO, "%s: only https is used", host);
		goto done;
	}
	if (!(c = curl.easy_init()) || (headers && headers->n && !(h = header_list(headers)))) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	set_options(c, method, target.ptr, h, body, auth, out, o);
	if ((cc = curl.easy_perform(c)) != CURLE_OK) {
		rc = lg_error_set(err, LG_ERR_IO, "%s: %s", host,
				  curl.easy_strerror(cc));
		goto done;
	}
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
done:
	curl.slist_free_all(h);
	if (c)
		curl.easy_cleanup(c);
	buf_release(&target);
	return rc;
}

int http_request(struct http_response *out, const char *method,
		 const char *url, const struct string_list *headers,
		 const char *body, const struct http_options *o,
		 struct lg_error *err)
{
	return http_request_auth(out, method, url, headers, body, NULL, o, err);
}

int http_request_auth(struct http_response *out, const char *method,
		      const char *url, const struct string_list *headers,
		      const char *body, const struct http_auth *auth,
		      const struct http_options *o, struct lg_error *err)
{
	long wait;
	int tries, rc = 0;

	for (tries = 0; tries < HTTP_TRIES; tries++) {
		http_response_release(out);
		if ((rc = http_once(out, method, url, headers, body, auth, o, err)))
			return rc;
		if ((wait = retry_after(out)) < 0 || tries + 1 == HTTP_TRIES)
			return 0;
		sleep((unsigned)wait);
	}
	return 0;
}

int http_header(const struct http_response *r, const char *name, char *out,
		size_t outlen)
{
	const char *p = r->headers.ptr, *end = p + r->headers.len, *eol, *v;
	size_t n = strlen(name);

	for (; p && p < end; p = eol + 1) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		if ((size_t)(eol - p) <= n || p[n] != ':' || strncasecmp(p, name, n))
			continue;
		for (v = p + n + 1; v < eol && isspace((unsigned char)*v); v++)
			;
		while (eol > v && isspace((unsigned char)eol[-1]))
			eol--;
		snprintf(out, outlen, "%.*s", (int)(eol - v), v);
		return 0;
	}
	return -1;
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
	r->status = 0;
}
