#ifndef LEAKGATE_VERIFY_HTTP_H
#define LEAKGATE_VERIFY_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "rules.h"

struct lg_error;

/*
 * The one place leakgate talks to the network: a blocking HTTP exchange
 * through libcurl, for live verification and revocation only.  Secrets
 * travel in the request and are never logged.
 */

struct http_options {
	long timeout_sec;	/* whole exchange; 0: 10 s */
	/* CA bundle to trust instead of the system's; NULL: $LEAKGATE_CA_FILE, else the system's. */
	const char *ca_file;
	/*
	 * "FROM=TO[,FROM=TO...]": a URL that starts with FROM is sent to TO
	 * plus the rest (GitHub Enterprise, a proxy, a test server).  NULL:
	 * $LEAKGATE_VERIFY_URL_MAP, else none.
	 */
	const char *url_map;
};

struct http_response {
	long status;		/* 0 when no response came */
	struct buf body;	/* capped at HTTP_BODY_MAX */
	struct buf headers;	/* raw header lines of the last response */
};

#define HTTP_BODY_MAX (1u << 20)
#define HTTP_TRIES 3
#define HTTP_MAX_WAIT 60
#define HTTP_CONNECT_TIMEOUT 5L
#define HTTP_RESPONSE_INIT { 0, BUF_INIT, BUF_INIT }

/* libcurl's global setup; call once before any thread makes a request. */
int http_global_init(struct lg_error *err);
void http_global_cleanup(void);

/*
 * Sends method url with headers ("Name: value" each) and body (NULL: none)
 * and fills out.  A 429 (or a 403 with Retry-After) is waited out and sent
 * again, up to HTTP_TRIES times, each wait at most HTTP_MAX_WAIT seconds.
 * Returns 0 when a response arrived (whatever its status), or LG_ERR_IO
 * naming the URL's host and curl's reason (never the path or query, where
 * a secret may be).  Only https URLs are sent, with TLS verified, and
 * plain http only to a loopback address the URL map names.
 */
int http_request(struct http_response *out, const char *method,
		 const char *url, const struct string_list *headers,
		 const char *body, const struct http_options *o,
		 struct lg_error *err);

/* Request signing by libcurl, for providers that sign instead of sending a token. */
struct http_auth {
	const char *aws_sigv4;	/* CURLOPT_AWS_SIGV4 "aws:amz:REGION:SERVICE" */
	const char *userpwd;	/* the key id and secret, "ID:SECRET" */
};

/* http_request() with the request signed as auth says. */
int http_request_auth(struct http_response *out, const char *method,
		      const char *url, const struct string_list *headers,
		      const char *body, const struct http_auth *auth,
		      const struct http_options *o, struct lg_error *err);

/*
 * The value of header name (case-insensitive) in r, trimmed, into out
 * (NUL-terminated, cut to outlen); returns 0 or -1 when absent.
 */
int http_header(const struct http_response *r, const char *name, char *out,
		size_t outlen);

void http_response_release(struct http_response *r);

#endif
