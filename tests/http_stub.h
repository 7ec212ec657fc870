#ifndef LEAKGATE_TEST_HTTP_STUB_H
#define LEAKGATE_TEST_HTTP_STUB_H

/*
 * A provider's API on 127.0.0.1, for the verification and revocation tests
 * (no test touches the internet): a thread answers each request, over TLS
 * with a certificate from a CA made for the test, with the reply the test's
 * route table gives for its method and path, and keeps what it was sent.
 */

#include <pthread.h>
#include <stddef.h>

struct stub_route {
	const char *method;	/* "GET", "POST", ... */
	const char *path;	/* exact path with query, or a prefix ending in '*' */
	const char *auth;	/* required substring of the request's headers, or NULL */
	int status;
	const char *headers;	/* extra "Name: value\r\n" lines, or NULL */
	const char *body;
	int rate_limited;	/* answer the first N hits 429, Retry-After: 0 */
	int delay_sec;		/* wait this long before answering */
};

#define STUB_LOG_MAX 65536

struct http_stub {
	void *tls;		/* SSL_CTX *, NULL: plain http */
	char ca_file[512];	/* the test CA's certificate, for LEAKGATE_CA_FILE */
	int hits[32];		/* per route */
	int fd;
	int port;
	pthread_t thread;
	volatile int stop;
	const struct stub_route *routes;
	size_t n_routes;
	pthread_mutex_t lock;
	char log[STUB_LOG_MAX];	/* every request: line, headers, body */
	size_t log_len;
	int requests;
};

/*
 * Starts the stub; the routes must outlive it.  Unmatched requests get 404.
 * With tls_dir, makes a CA and a certificate for 127.0.0.1 there (the
 * openssl command) and speaks https; otherwise plain http.
 */
void stub_start(struct http_stub *s, const struct stub_route *routes, size_t n,
		const char *tls_dir);
/* "https://api.github.com=https://127.0.0.1:PORT,..." for the URL map. */
void stub_url_map(const struct http_stub *s, char *out, size_t outlen);
void stub_stop(struct http_stub *s);

#endif
