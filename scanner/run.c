#include "run.h"
#include "verify.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "filter.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "version.h"
#include "banned.h"

static struct run *interrupted_run;

/* Messages name paths from scanned trees: escape them for terminal and logs. */
void run_error(const char *msg)
{
	struct buf b = BUF_INIT;

	report_escape(&b, msg, strlen(msg));
	fprintf(stderr, "leakgate: %s\n", b.ptr ? b.ptr : "");
	buf_release(&b);
}

static void on_sigint(int sig)
{
	(void)sig;
	if (interrupted_run)
		interrupted_run->stop = 1;
}

void run_install_signal_handler(struct run *r)
{
	struct sigaction sa;

	interrupted_run = r;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	/* The first signal stops the scan cleanly; a second one kills. */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static const char *ignore_start(const struct cli *c)
{
	if (c->repo)
		return c->repo;
	struct stat st;

	/* A dangling link or FIFO named first has no repository around it. */
	if (!strcmp(c->command, "scan") && c->n_args && strcmp(c->args[0], "-") &&
	    !stat(c->args[0], &st))
		return c->args[0];
	return ".";
}

#define CONFIG_FILE_NAME ".leakgate.yaml"

/* Sets every `defaults:` entry of cfg in c, unless the command line did. */
static int apply_defaults(struct cli *c, const struct config *cfg)
{
	struct buf where = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->defaults.n && !rc; i++) {
		const struct config_item *it = &cfg->defaults.items[i];

		buf_reset(&where);
		buf_addf(&where, "%s:%zu", cfg->path, it->line);
		rc = cli_set_default(c, it->text, it->value, where.ptr);
	}
	buf_release(&where);
	return rc;
}

/* --config FILE, or .leakgate.yaml at the root when there is one. */
static int find_config(const struct cli *c, struct config *cfg,
		       struct lg_error *err)
{
	struct buf path = BUF_INIT;
	struct stat st;
	char *root = NULL;
	int rc;

	if (c->config_file)
		return config_load(cfg, c->config_file, err);
	rc = filter_ignore_root(&root, ignore_start(c), err);
	if (!rc) {
		buf_addf(&path, "%s/%s", root, CONFIG_FILE_NAME);
		if (!stat(path.ptr, &st) || errno != ENOENT)
			rc = config_load(cfg, path.ptr, err);
	}
	buf_release(&path);
	free(root);
	return rc;
}

int run_config_load(struct cli *c, struct config *cfg)
{
	struct lg_error err = LG_ERROR_INIT;

	memset(cfg, 0, sizeof(*cfg));
	if (c->no_config)
		return 0;
	if (find_config(c, cfg, &err)) {
		run_error(err.msg);
		return -1;
	}
	if (!cfg->path)
		return 0;
	c->config = cfg;
	return apply_defaults(c, cfg);
}

static int load_filter(const struct cli *c, struct filter *f,
		       struct lg_error *err)
{
	char *root = NULL;
	int rc = filter_ignore_root(&root, ignore_start(c), err);

	if (!rc)
		rc = filter_load_ignores(f, root, c->ignore_file, err);
	if (!rc && c->baseline)
		rc = filter_load_baseline(f, c->baseline, err);
	free(root);
	return rc;
}

int run_init(struct run *r, const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->cli = c;
	/* A report that cannot be written should fail now, not after the scan. */
	if (output_check(c->output, &err))
		goto fail;
	if (!c->no_builtin_rules && rules_load_builtin(&r->rules, &err))
		goto fail;
	/* Precedence: --rules over the config's rule files over built-in. */
	if (c->config && config_load_rules(c->config, &r->rules, &err))
		goto fail;
	for (i = 0; i < c->n_rule_files; i++)
		if (rules_load_file(&r->rules, c->rule_files[i], &err))
			goto fail;
	if (c->config && config_edit_rules(c->config, &r->rules, &err))
		goto fail;
	if (engine_new(&r->engine, &r->rules, &err))
		goto fail;
	/* Before the scan: a malformed ignore file should not cost a history. */
	if (load_filter(c, &r->filter, &err))
		goto fail;
	r->filter.config = c->config;
	run_install_signal_handler(r);
	return 0;
fail:
	run_error(err.msg);
	run_release(r);
	return -1;
}

void run_release(struct run *r)
{
	if (interrupted_run == r)
		interrupted_run = NULL;
	if (r->has_store)
		store_close(&r->store);
	r->has_store = 0;
	engine_free(r->engine);
	rules_release(&r->rules);
	filter_release(&r->filter);
	r->engine = NULL;
}

/* The progress line on a terminal; the scan calls both under one lock. */
struct progress_line {
	const char *what;	/* "files", "blobs" */
	int drawn;		/* a line is on the screen */
};

/* A warning first clears the progress line, so it is never drawn over. */
static void warn_stderr(const char *msg, void *payload)
{
	struct progress_line *p = payload;

	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
	run_error(msg);
}

static void progress_stderr(const struct scan_stats *s, void *payload)
{
	struct progress_line *p = payload;
	struct buf line = BUF_INIT;

	if (!progress_format(&line, s, p->what)) {
		fprintf(stderr, "\r\033[K%s", line.ptr);
		p->drawn = 1;
	}
	buf_release(&line);
}

static int use_color(const struct cli *c)
{
	if (c->color >= 0)
		return c->color;
	return !c->output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

/* The status for these findings: only new ones at or above --fail-on count. */
static int exit_status(const struct cli *c, const struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (f->status != FINDING_NEW)
			continue;
		if (c->fail_on_set && f->rule->severity < c->fail_on)
			continue;
		if (c->fail_on_live && f->verified.state != VERIFY_LIVE)
			continue;
		if (f->triage)	/* revoked: reported, no longer a leak to stop */
			continue;
		return c->exit_code;
	}
	return EXIT_CLEAN;
}

int run_write_report(struct run *r, const struct finding_list *l)
{
	const struct cli *c = r->cli;
	/*
	 * Advice is for a reader at a terminal: a script counts a line a
	 * finding.
	 */
	struct report_options ro = { c->show_secrets, use_color(c), &r->rules,
				     LEAKGATE_VERSION,
				     !c->output && isatty(STDOUT_FILENO), r->forge };
	struct output out = OUTPUT_INIT;
	struct lg_error err = LG_ERROR_INIT;
	int rc;

	rc = output_open(&out, c->output, &err);
	if (!rc && (rc = report_lookup(c->format)(out.fp, l, &ro, &err)))
		lg_error_prefix(&err, "%s", out.path ? out.path : "<stdout>");
	if (!rc)
		rc = output_commit(&out, &err);
	output_release(&out);
	if (rc)
		run_error(err.msg);
	return rc;
}

/*
 * Where the search for the ignore file's repository root starts: --repo
 * when given; for `scan`, its first path; otherwise the current directory
 * (the repository git commands open).  filter_ignore_root() then goes up
 * to the enclosing work tree.
 */
/* Says which ignore entries expired and, if asked, which matched nothing. */
static void warn_ignores(const struct cli *c, const struct filter *f)
{
	size_t i;

	for (i = 0; i < f->n_entries; i++) {
		const struct ignore_entry *e = &f->entries[i];
		if (e->expired)
			fprintf(stderr, "leakgate: %s:%zu: ignore entry %s "
				"expired on %s: it no longer suppresses\n",
				f->ignore_path, e->line, e->fingerprint,
				e->expires);
		else if (c->report_stale_ignores && !e->used)
			fprintf(stderr, "leakgate: %s:%zu: stale ignore entry "
				"%s: it suppressed nothing\n", f->ignore_path,
				e->line, e->fingerprint);
	}
}

/*
 * --min-confidence, ignore file, baseline, --new-only and --group, in
 * that order.
 */
static int filter_findings(struct run *r, struct finding_list *l)
{
	struct lg_error err = LG_ERROR_INIT;
	int rc = 0;

	filter_min_confidence(l, r->cli->min_confidence);
	filter_apply(&r->filter, l, r->cli->new_only);
	warn_ignores(r->cli, &r->filter);
	if (r->has_store)
		store_apply_triage(&r->store, l);
	if (r->cli->group)
		rc = filter_group(l, &err);
	else if (r->by_secret)
		rc = filter_fold(l, &err);
	if (rc)
		run_error(err.msg);
	return rc;
}

int run_verify_options(const struct cli *c, struct verify_options *vo)
{
	if (verify_options_init(vo, c->github_url, c->ca_file, c->verify_timeout,
				c->access_map)) {
		run_error("out of memory");
		return -1;
	}
	return 0;
}

/* Drops every finding whose secret the provider did not confirm live. */
static void keep_live(struct finding_list *l)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		if (l->items[i]->verified.state == VERIFY_LIVE)
			l->items[kept++] = l->items[i];
		else
			finding_free(l->items[i]);
	}
	l->n = kept;
}

/* --verify: each distinct secret asked about once, after the filters. */
static int verify_stage(struct run *r, struct finding_list *l)
{
	struct verify_options vo;
	struct lg_error err = LG_ERROR_INIT;
	int rc;

	if (!r->cli->verify)
		return 0;
	if (run_verify_options(r->cli, &vo))
		return -1;
	rc = http_global_init(&err);
	if (!rc) {
		rc = verify_findings(l, &vo, &err);
		http_global_cleanup();
	}
	verify_options_release(&vo);
	if (rc) {
		run_error(err.msg);
		return rc;
	}
	if (r->cli->only_verified)
		keep_live(l);
	return 0;
}

int run_report(struct run *r, struct finding_list *findings)
{
	if (filter_findings(r, findings) || verify_stage(r, findings))
		return EXIT_ERROR;
	/* A partial report must not replace a complete one in -o FILE. */
	if (r->stop && r->cli->output) {
		run_error("interrupted: no report written");
		return EXIT_ERROR;
	}
	if (run_write_report(r, findings))
		return EXIT_ERROR;
	if (r->stop) {
		run_error("interrupted: the results above are partial");
		return EXIT_ERROR;
	}
	return exit_status(r->cli, findings);
}

static int cmp_fingerprints(const void *a, const void *b)
{
	return memcmp(*(const char *const *)a, *(const char *const *)b,
		      FINGERPRINT_HEX);
}

/* Distinct secrets among l (0 when out of memory), and their places. */
static void count_secrets(const struct finding_list *l, size_t *secrets,
			  size_t *places)
{
	const char **fps = malloc((l->n ? l->n : 1) * sizeof(*fps));
	size_t i;

	*secrets = *places = 0;
	for (i = 0; i < l->n; i++) {
		*places += 1 + l->items[i]->more_count;
		if (fps)
			fps[i] = l->items[i]->fingerprint;
	}
	if (!fps)
		return;
	qsort(fps, l->n, sizeof(*fps), cmp_fingerprints);
	for (i = 0; i < l->n; i++)
		*secrets += !i || cmp_fingerprints(&fps[i - 1], &fps[i]);
	free(fps);
}

static void print_skips(const struct scan_stats *s)
{
	if (s->skipped[SCAN_SKIP_BINARY] || s->skipped[SCAN_SKIP_TOO_LARGE] ||
	    s->skipped[SCAN_SKIP_UNREADABLE])
		fprintf(stderr, " (skipped: %llu binary, %llu too large, "
			"%llu unreadable)",
			(unsigned long long)s->skipped[SCAN_SKIP_BINARY],
			(unsigned long long)s->skipped[SCAN_SKIP_TOO_LARGE],
			(unsigned long long)s->skipped[SCAN_SKIP_UNREADABLE]);
}

/*
 * l: the findings as reported; ignored: the places the filter removed;
 * walks: the source walks commits (history), whose count is told.
 */
static void print_summary(const struct cli *c, const struct scan_stats *s,
			  const struct finding_list *l, size_t ignored,
			  const char *what, int walks)
{
	size_t secrets, places;

	if (c->quiet)
		return;
	count_secrets(l, &secrets, &places);
	fprintf(stderr, "leakgate: %llu %s", (unsigned long long)s->items, what);
	if (s->messages)
		fprintf(stderr, " and %llu commit messages",
			(unsigned long long)s->messages);
	fprintf(stderr, " scanned, %.1f MiB, %zu findings", (double)s->bytes /
		1048576.0, l->n);
	if (secrets != l->n || places != l->n)
		fprintf(stderr, " (%zu secrets in %zu places)", secrets, places);
	if (ignored)
		fprintf(stderr, ", %zu places ignored", ignored);
	fprintf(stderr, ", %.2f s", s->seconds);
	if (walks)
		fprintf(stderr, ", %llu commits walked",
			(unsigned long long)s->progress_total);
	if (s->known)
		fprintf(stderr, " (%llu already in the store)",
			(unsigned long long)s->known);
	print_skips(s);
	fputc('\n', stderr);
}

/* --store: the store for this rule set, and the scan skipping what it holds. */
static int store_begin(struct run *r, struct scan_options *so)
{
	struct lg_error err = LG_ERROR_INIT;
	struct buf path = BUF_INIT;
	char ruleset[17];
	int rc;

	if (!r->cli->store)
		return 0;
	if (*r->cli->store)
		buf_adds(&path, r->cli->store);
	else if (r->git_dir)
		buf_addf(&path, "%s/leakgate.db", r->git_dir);
	if (!path.len) {
		run_error("--store needs a file here (--store=FILE)");
		return -1;
	}
	store_ruleset_hash(&r->rules, r->cli->max_decode_depth,
			   r->cli->max_archive_depth, ruleset);
	rc = store_open(&r->store, path.ptr, ruleset, &err);
	buf_release(&path);
	if (rc) {
		store_close(&r->store);
		run_error(err.msg);
		return -1;
	}
	r->has_store = 1;
	so->admit = store_admit;
	so->admit_payload = &r->store;
	so->walked = &r->store.walked;
	so->walk_done = store_walked;
	return 0;
}

/* Everything this scan found goes into the store, before any filter. */
static int store_end(struct run *r, const struct finding_list *found)
{
	struct lg_error err = LG_ERROR_INIT;

	if (!r->has_store || r->stop)
		return 0;
	if (store_record(&r->store, found, &err)) {
		run_error(err.msg);
		return -1;
	}
	return 0;
}

int run_scan(struct run *r, struct scan_source *src, const char *what)
{
	const struct cli *c = r->cli;
	struct scan_options so;
	struct finding_list found = FINDING_LIST_INIT;
	struct scan_stats stats;
	struct lg_error err = LG_ERROR_INIT;
	struct progress_line line = { what, 0 };
	int status;

	memset(&so, 0, sizeof(so));
	so.threads = c->threads;
	so.max_file_size = c->max_file_size;
	decode_options_init(&so.decode);
	so.decode.max_depth = c->max_decode_depth;
	so.decode.max_archive_depth = c->max_archive_depth;
	so.decode.max_member = c->max_file_size;
	so.warn = warn_stderr;
	so.warn_payload = &line;
	so.stop = &r->stop;
	/* Only a terminal gets a line redrawn in place; a log gets none. */
	if (!c->no_progress && !c->quiet && isatty(STDERR_FILENO)) {
		so.progress = progress_stderr;
		so.progress_payload = &line;
	}
	if (store_begin(r, &so))
		return EXIT_ERROR;
	if (scan_run(r->engine, src, &so, &found, &stats, &err) ||
	    (r->triage && r->triage(&found, r->triage_payload, &err))) {
		if (line.drawn)
			fputs("\r\033[K", stderr);
		run_error(err.msg);
		finding_list_release(&found);
		return EXIT_ERROR;
	}
	if (line.drawn)
		fputs("\r\033[K", stderr);
	if (store_end(r, &found)) {
		finding_list_release(&found);
		return EXIT_ERROR;
	}
	status = run_report(r, &found);
	print_summary(c, &stats, &found, r->filter.dropped, what,
		      src->producer_counts);
	if (status == EXIT_CLEAN && src->unreadable_fails &&
	    stats.skipped[SCAN_SKIP_UNREADABLE]) {
		run_error("objects that could not be read were not scanned: "
			  "the scan is incomplete, not clean");
		status = EXIT_ERROR;
	}
	finding_list_release(&found);
	return status;
}
