#include "http_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "helpers.h"

/* One accepted connection, plain or TLS. */
struct conn {
	int fd;
	SSL *ssl;
};

static ssize_t conn_read(struct conn *c, char *buf, size_t len)
{
	return c->ssl ? SSL_read(c->ssl, buf, (int)len) : read(c->fd, buf, len);
}

static void conn_write(struct conn *c, const char *buf, size_t len)
{
	if (c->ssl)
		SSL_write(c->ssl, buf, (int)len);
	else if (write(c->fd, buf, len) < 0)
		perror("stub write");
}

static int route_matches(const struct stub_route *r, const char *method,
			 const char *path, const char *head)
{
	size_t n = strlen(r->path);

	if (strcmp(r->method, method))
		return 0;
	if (n && r->path[n - 1] == '*' ? strncmp(path, r->path, n - 1)
				       : strcmp(path, r->path))
		return 0;
	return !r->auth || strstr(head, r->auth);
}

/* Reads one request (head and Content-Length body) into req; its length. */
static size_t read_request(struct conn *c, char *req, size_t cap)
{
	size_t len = 0, need = 0;
	char *end = NULL, *cl;
	ssize_t got;

	while (len + 1 < cap) {
		if ((got = conn_read(c, req + len, cap - 1 - len)) <= 0)
			break;
		len += (size_t)got;
		req[len] = '\0';
		if (!end && (end = strstr(req, "\r\n\r\n"))) {
			cl = strcasestr(req, "\r\nContent-Length:");
			need = (size_t)(end + 4 - req) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (end && len >= need)
			break;
	}
	req[len] = '\0';
	return len;
}

static void log_request(struct http_stub *s, const char *req, size_t len)
{
	pthread_mutex_lock(&s->lock);
	if (s->log_len + len + 1 < sizeof(s->log)) {
		memcpy(s->log + s->log_len, req, len);
		s->log_len += len;
		s->log[s->log_len++] = '\n';
		s->log[s->log_len] = '\0';
	}
	s->requests++;
	pthread_mutex_unlock(&s->lock);
}

static void answer(struct http_stub *s, struct conn *c)
{
	static char req[65536], reply[70000];
	char method[16] = "", path[1024] = "";
	const struct stub_route *hit = NULL;
	size_t i, len = read_request(c, req, sizeof(req));
	int n, status;

	sscanf(req, "%15s %1023s", method, path);
	for (i = 0; i < s->n_routes && !hit; i++)
		if (route_matches(&s->routes[i], method, path, req))
			hit = &s->routes[i];
	log_request(s, req, len);
	status = hit ? hit->status : 404;
	if (hit && s->hits[hit - s->routes]++ < hit->rate_limited)
		status = 429;
	if (hit && hit->delay_sec)
		sleep((unsigned)hit->delay_sec);
	n = snprintf(reply, sizeof(reply),
		     "HTTP/1.1 %d Stub\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s%s\r\n%s",
		     status, hit && hit->body ? strlen(hit->body) : 2,
		     status == 429 ? "Retry-After: 0\r\n" : "",
		     hit && hit->headers ? hit->headers : "",
		     hit && hit->body ? hit->body : "{}");
	conn_write(c, reply, (size_t)n);
}

static void serve_one(struct http_stub *s, int fd)
{
	struct conn c = { fd, NULL };

	if (s->tls) {
		c.ssl = SSL_new(s->tls);
		SSL_set_fd(c.ssl, fd);
		if (SSL_accept(c.ssl) <= 0) {	/* a client that refused our certificate */
			SSL_free(c.ssl);
			return;
		}
	}
	answer(s, &c);
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
}

static void *serve(void *arg)
{
	struct http_stub *s = arg;
	struct pollfd p = { s->fd, POLLIN, 0 };
	int c;

	while (!s->stop) {
		/* The poll only lets stub_stop() end the loop; no result depends on it. */
		if (poll(&p, 1, 50) <= 0)
			continue;
		if ((c = accept(s->fd, NULL, NULL)) < 0)
			continue;
		serve_one(s, c);
		close(c);
	}
	return NULL;
}

/* A CA and a certificate it signed for 127.0.0.1, made in dir. */
static void make_certificates(struct http_stub *s, const char *dir)
{
	static const char script[] =
		"set -e; k='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
		"openssl req -x509 $k -keyout ca.key -out ca.pem -days 2 "
		"-subj /CN=leakgate-test-ca 2>/dev/null;"
		"openssl req $k -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 "
		"2>/dev/null;"
		"printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext;"
		"openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
		"-CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null";
	struct run_result r = th_sh(dir, script);
	char cert[600], key[600];
	SSL_CTX *ctx;

	cr_assert_eq(r.status, 0, "openssl: %s %s", r.out, r.err);
	th_run_release(&r);
	snprintf(s->ca_file, sizeof(s->ca_file), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/srv.pem", dir);
	snprintf(key, sizeof(key), "%s/srv.key", dir);
	ctx = SSL_CTX_new(TLS_server_method());
	cr_assert_not_null(ctx);
	cr_assert_eq(SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM), 1);
	cr_assert_eq(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), 1);
	s->tls = ctx;
}

void stub_start(struct http_stub *s, const struct stub_route *routes, size_t n,
		const char *tls_dir)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	/* A client that gave up (a timeout test) must not kill the stub's writes. */
	signal(SIGPIPE, SIG_IGN);
	cr_assert_leq(n, sizeof(s->hits) / sizeof(s->hits[0]));
	s->routes = routes;
	s->n_routes = n;
	pthread_mutex_init(&s->lock, NULL);
	if (tls_dir)
		make_certificates(s, tls_dir);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(s->fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s->fd, 16), 0);
	cr_assert_eq(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

void stub_url_map(const struct http_stub *s, char *out, size_t outlen)
{
	const char *scheme = s->tls ? "https" : "http";

	snprintf(out, outlen,
		 "https://api.github.com=%s://127.0.0.1:%d,"
		 "https://gitlab.com=%s://127.0.0.1:%d/gitlab,"
		 "https://slack.com=%s://127.0.0.1:%d/slack,"
		 "https://api.example.com=%s://127.0.0.1:%d/example",
		 scheme, s->port, scheme, s->port, scheme, s->port, scheme,
		 s->port);
}

void stub_stop(struct http_stub *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	if (s->tls)
		SSL_CTX_free(s->tls);
	pthread_mutex_destroy(&s->lock);
}
