/*
 * libFuzzer target: the engine with the full built-in rule set over
 * arbitrary bytes, as an ordinary file or as a .git-credentials file
 * (which path-restricted rules select).  Every match must lie inside the
 * input, and its line and column must agree with its offset.
 */
#include <string.h>

#include "engine.h"
#include "error.h"
#include "fuzz.h"
#include "rules.h"
#include "banned.h"

/* Built once per process: libFuzzer calls the target many times. */
static struct rule_set rules = RULE_SET_INIT;
static struct engine *engine;
static struct engine_worker *worker;

struct input {
	const char *data;
	size_t len;
};

static void setup(void)
{
	struct lg_error err = LG_ERROR_INIT;

	if (rules_load_builtin(&rules, &err) ||
	    engine_new(&engine, &rules, &err) ||
	    engine_worker_new(&worker, engine, &err)) {
		fprintf(stderr, "fuzz_engine: %s\n", err.msg);
		abort();
	}
}

/* The 1-based line and column of offset, counted the slow, obvious way. */
static void line_col(const struct input *in, size_t offset, size_t *line,
		     size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < offset; i++) {
		if (in->data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int on_match(const struct engine_match *m, void *payload)
{
	struct input *in = payload;
	size_t line, col;

	FUZZ_CHECK(m->rule != NULL && m->secret_len > 0);
	FUZZ_CHECK(m->offset <= in->len &&
		   m->secret_len <= in->len - m->offset);
	FUZZ_CHECK(m->secret == in->data + m->offset);
	FUZZ_CHECK(m->confidence == CONFIDENCE_PATTERN ||
		   m->confidence == CONFIDENCE_CHECKSUM);
	line_col(in, m->offset, &line, &col);
	FUZZ_CHECK(m->line == line && m->column == col);
	return 0;
}

static void on_limit(const struct rule *r, void *payload)
{
	(void)payload;
	FUZZ_CHECK(r != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { (const char *)data, size };
	struct engine_callbacks cb = { on_match, on_limit, &in };
	const char *path = size && (data[0] & 1) ? ".git-credentials"
						 : "src/app.env";

	if (!engine)
		setup();
	/* One scan an input (they are slow): the first byte picks the path. */
	FUZZ_CHECK(!engine_scan(worker, in.data, size, path, &cb));
	return 0;
}
