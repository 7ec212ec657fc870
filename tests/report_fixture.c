#include "report_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

const struct rule *fx_rule(enum severity s)
{
	static char ids[4][32], names[4][48];
	static struct rule rules[4];

	if (!rules[s].id) {
		snprintf(ids[s], sizeof(ids[s]), "test-%s", severity_name(s));
		snprintf(names[s], sizeof(names[s]), "Test %s token",
			 severity_name(s));
		rules[s].id = ids[s];
		rules[s].name = names[s];
		rules[s].severity = s;
	}
	return &rules[s];
}

struct finding *fx_finding(const struct rule *r, const char *secret,
			   const char *path, size_t line, size_t column)
{
	struct engine_match m;
	struct finding *f;

	memset(&m, 0, sizeof(m));
	m.rule = r;
	m.secret = secret;
	m.secret_len = strlen(secret);
	m.line = line;
	m.column = column;
	m.confidence = CONFIDENCE_CHECKSUM;
	f = finding_new(&m, path);
	cr_assert_not_null(f);
	return f;
}

void fx_provenance(struct location *l, const char *commit, const char *author,
		   const char *email, int64_t when)
{
	l->commit = strdup(commit);
	l->author_name = strdup(author);
	l->author_email = strdup(email);
	l->author_time = when;
}

struct location *fx_add_place(struct finding *f, const char *path, size_t line,
			      size_t column)
{
	struct location *l;

	f->more = realloc(f->more, (f->n_more + 1) * sizeof(*f->more));
	cr_assert_not_null(f->more);
	l = &f->more[f->n_more++];
	memset(l, 0, sizeof(*l));
	l->path = strdup(path);
	l->line = line;
	l->column = column;
	f->more_count++;
	return l;
}

char *fx_render(report_fn fn, const struct finding_list *l, int show_secrets)
{
	struct report_options o = { show_secrets, 0, NULL, "0.0.0-test", 0, NULL };
	struct lg_error err = LG_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(f, l, &o, &err), 0, "%s", err.msg);
	fclose(f);
	return text;
}

/* dir, or the first parent of it, that holds examples/gate.sh. */
static char *root_above(const char *start)
{
	struct buf b = BUF_INIT;
	char *dir = realpath(start, NULL), *slash;

	while (dir) {
		buf_reset(&b);
		buf_addf(&b, "%s/examples/gate.sh", dir);
		if (!access(b.ptr, R_OK))
			break;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			free(dir);
			dir = NULL;
			break;
		}
		*slash = '\0';
	}
	buf_release(&b);
	return dir;
}

char *fx_source_root(void)
{
	const char *env = getenv("LEAKGATE_ROOT");
	const char *bin = getenv("LEAKGATE_BIN");
	char *root = NULL;

	if (env && *env)
		return strdup(env);
	if (bin) {
		char *copy = strdup(bin), *slash = strrchr(copy, '/');
		if (slash)
			*slash = '\0';
		root = root_above(slash ? copy : ".");
		free(copy);
	}
	if (!root)
		root = root_above(".");
	cr_assert_not_null(root,
			   "cannot find the source tree: set LEAKGATE_ROOT");
	return root;
}
