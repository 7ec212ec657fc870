#include "verify_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

#define HTTP_DEFAULT_TIMEOUT 10L

int http_global_init(struct lg_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return lg_error_set(err, LG_ERR_IO, "cannot start libcurl");
	return 0;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
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
		if (!(next = curl_slist_append(l, headers->items[i]))) {
			curl_slist_free_all(l);
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
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, auth->aws_sigv4);
		curl_easy_setopt(c, CURLOPT_USERPWD, auth->userpwd);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "leakgate-verify");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT,
			 o && o->timeout_sec ? o->timeout_sec : HTTP_DEFAULT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o && o->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	else if (getenv("LEAKGATE_CA_FILE"))
		curl_easy_setopt(c, CURLOPT_CAINFO, getenv("LEAKGATE_CA_FILE"));
	/* A provider never redirects an API call; a redirect could carry the secret elsewhere. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
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
	if (!(c = curl_easy_init()) || (headers && headers->n && !(h = header_list(headers)))) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	set_options(c, method, target.ptr, h, body, auth, out, o);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		rc = lg_error_set(err, LG_ERR_IO, "%s: %s", host,
				  curl_easy_strerror(cc));
		goto done;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
done:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
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
