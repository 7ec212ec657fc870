#include <ctype.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "verify.h"
#include "banned.h"

/* A secret pasted on stdin: one token, maybe with a newline. */
#define VERIFY_INPUT_MAX (64u << 10)

struct first_match {
	struct finding *f;
};

static int keep_first(const struct engine_match *m, void *payload)
{
	struct first_match *fm = payload;

	fm->f = finding_new(m, "-");
	return 1;	/* one is enough */
}

/* The finding the engine makes of text, or NULL when no rule matches it. */
static struct finding *identify(const struct run *r, const char *text,
				size_t len, struct lg_error *err)
{
	struct first_match fm = { NULL };
	struct engine_callbacks cb = { keep_first, NULL, &fm };
	struct engine_worker *w = NULL;

	if (engine_worker_new(&w, r->engine, err))
		return NULL;
	engine_scan(w, text, len, NULL, &cb);
	engine_worker_free(w);
	return fm.f;
}

/* --rule ID: the whole input is that rule's secret, whatever it looks like. */
static struct finding *as_rule(const struct run *r, const char *id,
			       const char *text, size_t len)
{
	struct engine_match m;

	memset(&m, 0, sizeof(m));
	if (!(m.rule = rules_find(&r->rules, id)))
		return NULL;
	m.secret = text;
	m.secret_len = len;
	m.line = m.column = 1;
	return finding_new(&m, "-");
}

static int read_secret(struct buf *in)
{
	struct lg_error err = LG_ERROR_INIT;

	if (buf_read_fd(in, STDIN_FILENO, "stdin", VERIFY_INPUT_MAX, &err)) {
		run_error(err.msg);
		return -1;
	}
	while (in->len && isspace((unsigned char)in->ptr[in->len - 1]))
		in->len--;
	if (!in->len) {
		run_error("verify: no secret on stdin");
		return -1;
	}
	return 0;
}

/* Exit status: 1 live (a leak that works), 0 revoked or invalid, 2 otherwise. */
static int verdict_status(const struct finding *f)
{
	switch (f->verified.state) {
	case VERIFY_LIVE: return EXIT_FOUND;
	case VERIFY_INVALID: return EXIT_CLEAN;
	default: return EXIT_ERROR;
	}
}

static int verify_one(struct run *r, struct finding_list *l)
{
	struct verify_options vo;
	struct lg_error err = LG_ERROR_INIT;
	int rc;

	if (run_verify_options(r->cli, &vo))
		return EXIT_ERROR;
	if (!(rc = http_global_init(&err))) {
		rc = verify_findings(l, &vo, &err);
		http_global_cleanup();
	}
	verify_options_release(&vo);
	if (rc)
		run_error(err.msg);
	return rc || run_write_report(r, l) ? EXIT_ERROR : verdict_status(l->items[0]);
}

int cmd_verify(const struct cli *c)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct buf in = BUF_INIT;
	struct finding *f = NULL;
	struct run r;
	int status = EXIT_ERROR;

	if (read_secret(&in) || run_init(&r, c)) {
		buf_release(&in);
		return EXIT_ERROR;
	}
	f = c->rule_id ? as_rule(&r, c->rule_id, in.ptr, in.len)
		       : identify(&r, in.ptr, in.len, &err);
	if (!f)
		run_error(c->rule_id ? "verify: no rule with that id" :
			  err.msg[0] ? err.msg :
			  "verify: no rule recognises this secret (try --rule ID)");
	else if (finding_list_add(&l, f))
		finding_free(f);
	else
		status = verify_one(&r, &l);
	finding_list_release(&l);
	buf_release(&in);
	run_release(&r);
	return status;
}
