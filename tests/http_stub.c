#include "http_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

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
static size_t read_request(int fd, char *req, size_t cap)
{
	size_t len = 0, need = 0;
	char *end = NULL, *cl;
	ssize_t got;

	while (len + 1 < cap) {
		if ((got = read(fd, req + len, cap - 1 - len)) <= 0)
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

static void answer(struct http_stub *s, int fd)
{
	static char req[65536];
	char method[16] = "", path[1024] = "", reply[70000];
	const struct stub_route *hit = NULL;
	size_t i, len = read_request(fd, req, sizeof(req));
	int n;

	sscanf(req, "%15s %1023s", method, path);
	for (i = 0; i < s->n_routes && !hit; i++)
		if (route_matches(&s->routes[i], method, path, req))
			hit = &s->routes[i];
	pthread_mutex_lock(&s->lock);
	if (s->log_len + len + 1 < sizeof(s->log)) {
		memcpy(s->log + s->log_len, req, len);
		s->log_len += len;
		s->log[s->log_len++] = '\n';
		s->log[s->log_len] = '\0';
	}
	s->requests++;
	pthread_mutex_unlock(&s->lock);
	n = snprintf(reply, sizeof(reply),
		     "HTTP/1.1 %d Stub\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
		     hit ? hit->status : 404,
		     hit && hit->body ? strlen(hit->body) : 2,
		     hit && hit->headers ? hit->headers : "",
		     hit && hit->body ? hit->body : "{}");
	if (write(fd, reply, (size_t)n) < 0)
		perror("stub write");
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
		answer(s, c);
		close(c);
	}
	return NULL;
}

void stub_start(struct http_stub *s, const struct stub_route *routes, size_t n)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->routes = routes;
	s->n_routes = n;
	pthread_mutex_init(&s->lock, NULL);
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
	snprintf(out, outlen,
		 "https://api.github.com=http://127.0.0.1:%d,"
		 "https://gitlab.com=http://127.0.0.1:%d/gitlab,"
		 "https://slack.com=http://127.0.0.1:%d/slack,"
		 "https://api.example.com=http://127.0.0.1:%d/example",
		 s->port, s->port, s->port, s->port);
}

void stub_stop(struct http_stub *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}
