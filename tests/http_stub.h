#ifndef LEAKGATE_TEST_HTTP_STUB_H
#define LEAKGATE_TEST_HTTP_STUB_H

/*
 * A provider's API on 127.0.0.1, for the verification and revocation tests
 * (no test touches the internet): a thread answers each request with the
 * reply the test's route table gives for its method and path, and keeps
 * what it was sent.
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
};

#define STUB_LOG_MAX 65536

struct http_stub {
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

/* Starts the stub; the routes must outlive it.  Unmatched requests get 404. */
void stub_start(struct http_stub *s, const struct stub_route *routes, size_t n);
/* "https://api.github.com=http://127.0.0.1:PORT,..." for the URL map. */
void stub_url_map(const struct http_stub *s, char *out, size_t outlen);
void stub_stop(struct http_stub *s);

#endif
