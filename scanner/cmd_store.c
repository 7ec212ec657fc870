/* The findings store's commands: report --store, triage, store. */
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "store_report.h"
#include "banned.h"

#define TRIAGE_FILE_MAX (16u << 20)

/*
 * Opens the repository (--repo or here; none is fine when --store names
 * a file) and the store: --store=FILE, else leakgate.db in its git dir.
 */
static int open_store(const struct cli *c, struct store *s,
		      git_repository **repo, const char *ruleset)
{
	struct lg_error err = LG_ERROR_INIT;
	struct buf path = BUF_INIT;
	int rc;

	if (git_repository_open_ext(repo, c->repo ? c->repo : ".", 0, NULL))
		*repo = NULL;
	if (c->store && *c->store)
		buf_adds(&path, c->store);
	else if (*repo)
		buf_addf(&path, "%sleakgate.db", git_repository_path(*repo));
	if (!path.len) {
		run_error("no repository here: name the store with --store=FILE");
		return -1;
	}
	rc = store_open(s, path.ptr, ruleset, &err);
	buf_release(&path);
	if (rc) {
		run_error(err.msg);
		store_close(s);
	}
	return rc ? -1 : 0;
}

/* "Name <email>" from git's config (the repository's, if any), else $USER. */
static void who_am_i(git_repository *repo, char *out, size_t len)
{
	git_config *cfg = NULL;
	git_buf name = GIT_BUF_INIT, email = GIT_BUF_INIT;
	const char *user = getenv("USER");

	snprintf(out, len, "%s", user ? user : "unknown");
	if (repo ? git_repository_config_snapshot(&cfg, repo)
		 : git_config_open_default(&cfg))
		return;
	if (!git_config_get_string_buf(&name, cfg, "user.name")) {
		if (!git_config_get_string_buf(&email, cfg, "user.email"))
			snprintf(out, len, "%s <%s>", name.ptr, email.ptr);
		else
			snprintf(out, len, "%s", name.ptr);
	}
	git_buf_dispose(&name);
	git_buf_dispose(&email);
	git_config_free(cfg);
}

static int triage_import(struct store *s, const char *file)
{
	struct lg_error err = LG_ERROR_INIT;
	struct buf text = BUF_INIT;
	int rc = buf_read_file(&text, file, TRIAGE_FILE_MAX, &err);

	if (!rc)
		rc = store_triage_import(s, text.ptr ? text.ptr : "", text.len,
					 file, &err);
	if (rc)
		run_error(err.msg);
	buf_release(&text);
	return rc;
}

static int triage_export(struct store *s, const char *file)
{
	struct lg_error err = LG_ERROR_INIT;
	FILE *out = strcmp(file, "-") ? fopen(file, "w") : stdout;
	int rc;

	if (!out) {
		lg_error_errno(&err, errno, "%s", file);
		run_error(err.msg);
		return -1;
	}
	rc = store_triage_export(s, out, &err);
	if ((out != stdout && fclose(out)) || (out == stdout && fflush(out)))
		rc = rc ? rc : lg_error_errno(&err, errno, "%s", file);
	if (rc)
		run_error(err.msg);
	return rc;
}

static int triage_one(const struct cli *c, struct store *s,
		      git_repository *repo)
{
	struct lg_error err = LG_ERROR_INIT;
	enum triage_status st;
	char who[256];

	if (c->n_args != 1 || !c->status) {
		run_error("triage takes FINGERPRINT --status STATUS [--reason TEXT] "
			  "(or --export FILE / --import FILE)");
		return -1;
	}
	if (triage_status_parse(c->status, &st)) {
		run_error("--status takes open, false-positive, accepted-risk or revoked");
		return -1;
	}
	who_am_i(repo, who, sizeof(who));
	if (store_triage_set(s, c->args[0], st, c->reason, who, &err)) {
		run_error(err.msg);
		return -1;
	}
	printf("%s: %s (%s)\n", c->args[0], c->status, who);
	return 0;
}

int cmd_triage(const struct cli *c)
{
	git_repository *repo = NULL;
	struct store s;
	int rc;

	if (open_store(c, &s, &repo, NULL)) {
		git_repository_free(repo);
		return EXIT_ERROR;
	}
	if (c->import_file)
		rc = triage_import(&s, c->import_file);
	else if (c->export_file)
		rc = triage_export(&s, c->export_file);
	else
		rc = triage_one(c, &s, repo);
	store_close(&s);
	git_repository_free(repo);
	return rc ? EXIT_ERROR : EXIT_CLEAN;
}

int cmd_store(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	git_repository *repo = NULL;
	const char *what = c->n_args == 1 ? c->args[0] : "";
	struct run r;
	char ruleset[17];
	struct store s;
	int rc = -1;

	if (strcmp(what, "stats") && strcmp(what, "check") && strcmp(what, "vacuum")) {
		run_error("store takes stats, check or vacuum");
		return EXIT_ERROR;
	}
	/* vacuum keeps the current rule set's rows: it needs the rules. */
	if (run_init(&r, c))
		return EXIT_ERROR;
	store_ruleset_hash(&r.rules, c->max_decode_depth, c->max_archive_depth,
			   ruleset);
	if (!open_store(c, &s, &repo, ruleset)) {
		rc = !strcmp(what, "stats") ? store_stats(&s, stdout, &err) :
		     !strcmp(what, "check") ? store_check(&s, &err) :
		     store_vacuum(&s, &err);
		if (rc)
			run_error(err.msg);
		else if (strcmp(what, "stats"))
			printf("%s: ok\n", what);
		store_close(&s);
	}
	run_release(&r);
	git_repository_free(repo);
	return rc ? EXIT_ERROR : EXIT_CLEAN;
}

int cmd_report(const struct cli *c)
{
	struct finding_list l = FINDING_LIST_INIT;
	struct lg_error err = LG_ERROR_INIT;
	git_repository *repo = NULL;
	struct run r;
	int status = EXIT_ERROR;

	if (!c->store) {
		run_error("report reads a findings store: --store[=FILE]");
		return EXIT_ERROR;
	}
	if (run_init(&r, c))
		return EXIT_ERROR;
	if (open_store(c, &r.store, &repo, NULL))
		goto done;
	r.has_store = 1;
	if (store_report_load(&l, &r.store, &r.rules, &err)) {
		run_error(err.msg);
		goto done;
	}
	if (c->purge_plan) {
		if (!repo)
			run_error("--purge-plan reads the blobs: run it in the repository");
		else if (store_report_purge_plan(&l, repo, r.engine, c->purge_plan,
						 c->args, c->n_args, &err))
			run_error(err.msg);
		else
			status = EXIT_CLEAN;
		goto done;
	}
	store_report_lifecycle(&l, repo);
	finding_list_sort(&l);
	status = run_report(&r, &l);
done:
	finding_list_release(&l);
	run_release(&r);
	git_repository_free(repo);
	return status;
}
