#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit.h"
#include "buf.h"
#include "commands.h"
#include "error.h"
#include "report.h"
#include "run.h"
#include "banned.h"

/* A directory named on the command line must exist. */
static int check_dir(const char *option, const char *dir)
{
	const char *why = "not a directory";
	char reason[128];
	struct stat st;

	if (stat(dir, &st))
		why = strerror_r(errno, reason, sizeof(reason));
	else if (S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "leakgate: %s %s: %s\n", option, dir, why);
	return -1;
}

/* The system config as git finds it: GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM. */
static const char *system_config(void)
{
	const char *off = getenv("GIT_CONFIG_NOSYSTEM");
	const char *path = getenv("GIT_CONFIG_SYSTEM");

	if (off && *off && strcmp(off, "0") && strcasecmp(off, "false"))
		return NULL;
	return path && *path ? path : "/etc/gitconfig";
}

/* The value of environment variable name, or NULL when unset or empty. */
static const char *env_path(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The places the environment gives tools' credentials (not for --home). */
static void audit_env(struct audit_options *o)
{
	o->git_config_global = env_path("GIT_CONFIG_GLOBAL");
	o->docker_config = env_path("DOCKER_CONFIG");
	o->gh_config_dir = env_path("GH_CONFIG_DIR");
	o->aws_credentials = env_path("AWS_SHARED_CREDENTIALS_FILE");
}

/*
 * Fills o from the command line and the environment; --home stands for
 * $HOME and the XDG default under it, and the environment's own places
 * for credentials are then another account's business.  xdg holds the
 * built path.
 */
static int audit_options(const struct cli *c, struct audit_options *o,
			 struct buf *xdg)
{
	const char *home = c->home ? c->home : getenv("HOME");
	const char *env_xdg = getenv("XDG_CONFIG_HOME");

	if (!home || !*home) {
		run_error("audit: no home directory: set HOME or use --home");
		return -1;
	}
	if ((c->home && check_dir("--home", home)) ||
	    (c->repos && check_dir("--repos", c->repos)))
		return -1;
	memset(o, 0, sizeof(*o));
	o->home = home;
	if (!c->home && env_xdg && env_xdg[0] == '/')
		o->xdg_config = env_xdg;
	else if (buf_addf(xdg, "%s/.config", home))
		return -1;
	else
		o->xdg_config = xdg->ptr;
	if (!c->home)
		audit_env(o);
	o->system_config = system_config();
	o->repos = c->repos;
	o->cwd = ".";
	o->max_file_size = c->max_file_size;
	return 0;
}

/* Notes name config values from anywhere: escaped for the terminal. */
static void print_notes(const struct audit_result *res)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < res->n_notes; i++) {
		buf_reset(&b);
		buf_adds(&b, "leakgate: note: ");
		report_escape(&b, res->notes[i], strlen(res->notes[i]));
		buf_addch(&b, '\n');
		fputs(b.ptr, stderr);
	}
	buf_release(&b);
}

static void print_summary(const struct audit_result *res, size_t findings)
{
	fprintf(stderr, "leakgate: audit read %zu files in %zu repositories "
		"and the home directory, %zu findings\n", res->files,
		res->repos, findings);
}

int cmd_audit(const struct cli *c)
{
	struct audit_result res = AUDIT_RESULT_INIT;
	struct finding_list found = FINDING_LIST_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct buf xdg = BUF_INIT;
	struct audit_options o;
	struct run r;
	int status = EXIT_ERROR;

	if (c->n_args) {
		run_error("usage: leakgate audit [--home DIR] [--repos DIR]");
		return EXIT_ERROR;
	}
	if (audit_options(c, &o, &xdg) || run_init(&r, c)) {
		buf_release(&xdg);
		return EXIT_ERROR;
	}
	if (audit_run(&o, r.engine, &r.rules, &found, &res, &err)) {
		run_error(err.msg);
	} else {
		finding_list_sort(&found);
		status = run_report(&r, &found);
		if (!c->quiet) {
			print_notes(&res);
			print_summary(&res, found.n);
		}
	}
	finding_list_release(&found);
	audit_result_release(&res);
	run_release(&r);
	buf_release(&xdg);
	return status;
}
