#include <ctype.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "finding.h"
#include "run.h"
#include "verify.h"
#include "verify_revoke.h"
#include "banned.h"

#define REVOKE_INPUT_MAX (64u << 20)

struct token_list {
	char **items;
	size_t n;
};

static int token_add(struct token_list *t, const char *s, size_t len)
{
	char **grown;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strlen(t->items[i]) == len && !memcmp(t->items[i], s, len))
			return 0;
	if (!(grown = realloc(t->items, (t->n + 1) * sizeof(*grown))))
		return -1;
	t->items = grown;
	if (!(t->items[t->n] = strndup(s, len)))
		return -1;
	t->n++;
	return 0;
}

static void token_list_release(struct token_list *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->items[i]);
	free(t->items);
}

/* One token per line. */
static int tokens_from_lines(struct token_list *t, const struct buf *in)
{
	const char *p = in->ptr, *end = p + in->len, *eol;
	size_t len;

	for (; p && p < end; p = eol + 1) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		for (len = (size_t)(eol - p); len && isspace((unsigned char)p[len - 1]); len--)
			;
		while (len && isspace((unsigned char)*p))
			p++, len--;
		if (len && token_add(t, p, len))
			return -1;
	}
	return 0;
}

/* The secrets of a JSON report (made with --show-secrets). */
static int tokens_from_report(struct token_list *t, const struct buf *in,
			      const char *path, char *const *names, size_t n)
{
	json_error_t je;
	json_t *doc = json_loadb(in->ptr ? in->ptr : "", in->len, 0, &je), *f;
	size_t i;
	int rc = 0;
	char msg[600];

	if (!json_is_array(doc)) {
		snprintf(msg, sizeof(msg), "%s: not a leakgate JSON report", path);
		rc = -1;
	}
	json_array_foreach(doc, i, f) {
		const char *fp = json_string_value(json_object_get(f, "fingerprint"));
		const char *s = json_string_value(json_object_get(f, "secret"));
		if (rc || !fp || !s || !finding_fingerprint_chosen(fp, names, n))
			continue;
		if (json_is_true(json_object_get(f, "redacted"))) {
			snprintf(msg, sizeof(msg), "%s: the report is redacted: "
				 "make it with --show-secrets to revoke from it", path);
			rc = -1;
		} else if (token_add(t, s, strlen(s))) {
			snprintf(msg, sizeof(msg), "out of memory");
			rc = -1;
		}
	}
	json_decref(doc);
	if (rc)
		run_error(msg);
	return rc;
}

static int read_input(struct token_list *t, const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct buf in = BUF_INIT;
	const char *path = c->n_args ? c->args[0] : "-";
	int from_stdin = !strcmp(path, "-"), rc;

	rc = from_stdin ? buf_read_fd(&in, STDIN_FILENO, "stdin", REVOKE_INPUT_MAX, &err)
			: buf_read_file(&in, path, REVOKE_INPUT_MAX, &err);
	if (rc)
		run_error(err.msg);
	else if (from_stdin)
		rc = tokens_from_lines(t, &in);
	else
		rc = tokens_from_report(t, &in, path, c->args + 1, c->n_args - 1);
	buf_release(&in);
	return rc;
}

/* Asks on the terminal; without one, only --yes may go ahead. */
static int confirmed(const struct cli *c, size_t n)
{
	char answer[16] = "";
	FILE *tty;
	int ok;

	if (c->yes)
		return 1;
	if (!(tty = fopen("/dev/tty", "r+"))) {
		run_error("revoke: no terminal to confirm on: pass --yes");
		return 0;
	}
	fprintf(tty, "Revoke %zu token%s? This cannot be undone. [y/N] ", n,
		n == 1 ? "" : "s");
	fflush(tty);
	ok = fgets(answer, sizeof(answer), tty) && tolower((unsigned char)answer[0]) == 'y';
	fclose(tty);
	return ok;
}

static void say(const char *token, const char *what, const char *who)
{
	char shown[32];

	finding_redact(token, strlen(token), shown, sizeof(shown));
	printf("%s %s (%s)\n", what, shown, who);
}

static int revoke_all(const struct token_list *t, const struct http_options *o)
{
	struct lg_error err = LG_ERROR_INIT;
	const char **gh = calloc(t->n + 1, sizeof(*gh));
	size_t i, n_gh = 0;
	int failed = !gh;

	for (i = 0; gh && i < t->n; i++) {
		enum revoke_provider p = revoke_provider_of(t->items[i]);
		if (p == REVOKE_GITHUB) {
			gh[n_gh++] = t->items[i];
		} else if (p == REVOKE_NONE) {
			say(t->items[i], "not revocable here:", "no public endpoint");
		} else if (revoke_self(p, t->items[i], o, &err)) {
			run_error(err.msg);
			failed = 1;
		} else {
			say(t->items[i], "revoked", revoke_provider_name(p));
		}
	}
	if (n_gh && revoke_github((const char *const *)gh, n_gh, o, &err)) {
		run_error(err.msg);
		failed = 1;
	}
	for (i = 0; !failed && i < n_gh; i++)
		say(gh[i], "sent for revocation", "GitHub");
	free(gh);
	return failed ? -1 : 0;
}

int cmd_revoke(const struct cli *c)
{
	struct token_list t = { NULL, 0 };
	struct verify_options vo;
	struct lg_error err = LG_ERROR_INIT;
	int status = EXIT_ERROR;

	if (read_input(&t, c))
		goto done;
	if (!t.n) {
		run_error("revoke: no tokens given");
		goto done;
	}
	if (!confirmed(c, t.n))
		goto done;
	if (http_global_init(&err)) {
		run_error(err.msg);
		goto done;
	}
	if (!run_verify_options(c, &vo)) {
		status = revoke_all(&t, &vo.http) ? EXIT_ERROR : EXIT_CLEAN;
		verify_options_release(&vo);
	}
	http_global_cleanup();
done:
	token_list_release(&t);
	return status;
}
