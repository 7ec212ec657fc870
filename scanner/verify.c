#include "verify.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "verify_aws.h"
#include "verify_github.h"
#include "verify_spec.h"
#include "banned.h"

#define VERIFY_DEFAULT_PARALLEL 8

int verify_fact(char **facts, const char *key, const char *value)
{
	struct buf b = BUF_INIT;
	const char *p;

	if (*facts && buf_adds(&b, *facts))
		return -1;
	if (buf_adds(&b, key) || buf_addch(&b, '='))
		goto fail;
	/* One fact, one line: a provider's newline must not start another. */
	for (p = value; *p; p++)
		if (buf_addch(&b, *p == '\n' || *p == '\r' ? ' ' : *p))
			goto fail;
	if (buf_addch(&b, '\n') || buf_addch(&b, '\0'))
		goto fail;
	free(*facts);
	*facts = buf_detach(&b);
	return 0;
fail:
	buf_release(&b);
	return -1;
}

void verify_unexpected(struct verification *v, long status)
{
	char text[16];

	v->state = VERIFY_ERROR;
	snprintf(text, sizeof(text), "%ld", status);
	verify_fact(&v->facts, "http_status", text);
}

int verify_options_init(struct verify_options *o, const char *github_url,
			const char *ca_file, long timeout, int access_map)
{
	struct buf map = BUF_INIT;
	const char *env = getenv("LEAKGATE_VERIFY_URL_MAP");
	int rc = 0;

	memset(o, 0, sizeof(*o));
	o->access_map = access_map;
	o->http.ca_file = ca_file;
	o->http.timeout_sec = timeout;
	if (github_url)
		rc |= buf_addf(&map, "%s=%s", GITHUB_API, github_url);
	if (env && *env)
		rc |= buf_addf(&map, "%s%s", map.len ? "," : "", env);
	rc |= buf_addch(&map, '\0');
	if (rc) {
		buf_release(&map);
		return -1;
	}
	o->http.url_map = buf_detach(&map);
	return 0;
}

void verify_options_release(struct verify_options *o)
{
	free((char *)o->http.url_map);
	o->http.url_map = NULL;
}

/* The secret access key found with an AWS access key id, or NULL. */
static const char *aws_pair(const struct finding *f)
{
	size_t i;

	if (strncmp(f->rule->id, "aws-", 4) || strncmp(f->secret, "A", 1))
		return NULL;
	for (i = 0; i < f->n_parts; i++)
		if (!strcmp(f->parts[i].rule->id, "aws-secret-access-key-value"))
			return f->parts[i].secret;
	return NULL;
}

int verify_supported(const struct rule *r, const char *secret)
{
	const char *kind = github_token_kind(secret);

	return (kind && strcmp(kind, "refresh")) || r->verify.n ||
	       !strcmp(r->id, "aws-access-key-id") ||
	       !strcmp(r->id, "aws-temporary-access-key-id");
}

int verify_secret(struct verification *out, const struct finding *f,
		  const struct verify_options *o)
{
	const struct rule *r = f->rule;
	const char *secret = f->secret;
	size_t len = f->secret_len;

	memset(out, 0, sizeof(*out));
	/* A secret with a NUL cannot go into a request as it is. */
	if (memchr(secret, '\0', len) || !verify_supported(r, secret)) {
		out->state = VERIFY_UNSUPPORTED;
		return 0;
	}
	if (github_token_kind(secret)) {
		verify_github(out, secret, o->access_map, &o->http);
		return 0;
	}
	if (aws_pair(f)) {
		verify_aws(out, secret, aws_pair(f), &o->http);
		return 0;
	}
	return verify_spec_run(out, f, &o->http);
}

/* ---- a pool over the distinct secrets ---------------------------------- */

struct pool {
	struct finding **unique;	/* one finding per fingerprint */
	struct verification *results;
	size_t n;
	atomic_size_t next;
	const struct verify_options *o;
	atomic_int failed;
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
		const struct finding *f = p->unique[i];
		if (verify_secret(&p->results[i], f, p->o))
			atomic_store(&p->failed, 1);
	}
	return NULL;
}

static int by_fingerprint(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	return strcmp(x->fingerprint, y->fingerprint);
}

/* The first finding of each fingerprint, in fingerprint order. */
static int collect_unique(struct pool *p, const struct finding_list *l)
{
	struct finding **all = malloc((l->n ? l->n : 1) * sizeof(*all));
	size_t i;

	if (!all)
		return -1;
	memcpy(all, l->items, l->n * sizeof(*all));
	qsort(all, l->n, sizeof(*all), by_fingerprint);
	for (i = 0; i < l->n; i++)
		if (!p->n || strcmp(all[i]->fingerprint, all[p->n - 1]->fingerprint))
			all[p->n++] = all[i];
	p->unique = all;
	return 0;
}

static void run_pool(struct pool *p)
{
	unsigned want = p->o->parallel ? p->o->parallel : VERIFY_DEFAULT_PARALLEL;
	unsigned n = p->n < want ? (unsigned)p->n : want, i, started = 0;
	pthread_t *t = calloc(n ? n : 1, sizeof(*t));

	for (i = 0; t && i < n; i++)
		if (!pthread_create(&t[i], NULL, pool_worker, p))
			started++;
	if (!started)
		pool_worker(p);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/* Copies the verdict on finding f's fingerprint onto f. */
static int attach(struct finding *f, const struct pool *p)
{
	struct finding key_f, *key = &key_f, **hit;
	const struct verification *v;

	memcpy(key_f.fingerprint, f->fingerprint, sizeof(key_f.fingerprint));
	hit = bsearch(&key, p->unique, p->n, sizeof(*p->unique), by_fingerprint);
	if (!hit)
		return 0;
	v = &p->results[hit - p->unique];
	f->verified.state = v->state;
	free(f->verified.facts);
	f->verified.facts = v->facts ? strdup(v->facts) : NULL;
	return v->facts && !f->verified.facts ? -1 : 0;
}

int verify_findings(struct finding_list *l, const struct verify_options *o,
		    struct lg_error *err)
{
	struct pool p = { .o = o };
	size_t i;
	int rc = 0;

	if (!l->n)
		return 0;
	if (collect_unique(&p, l) ||
	    !(p.results = calloc(l->n, sizeof(*p.results)))) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	run_pool(&p);
	for (i = 0; !rc && i < l->n; i++)
		if (attach(l->items[i], &p))
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!rc && atomic_load(&p.failed))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory while verifying");
done:
	for (i = 0; p.results && i < p.n; i++)
		free(p.results[i].facts);
	free(p.results);
	free(p.unique);
	return rc;
}
