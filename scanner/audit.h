#ifndef LEAKGATE_AUDIT_H
#define LEAKGATE_AUDIT_H

#include <stddef.h>

#include "engine.h"
#include "finding.h"
#include "rules.h"

struct lg_error;

/*
 * `leakgate audit`: the credentials git and its friends keep in plain text
 * for one user on this machine.  It reads git config at every level (and
 * the files they include) for `credential.helper=store`, the plain-text
 * stores in the home directory and any a store helper names, repository
 * configs for URLs with credentials, and the modes of files that hold
 * credentials.  Stores are parsed by the same parser rules `scan` uses,
 * found in the rule set by id.  Nothing here touches the network.
 */
struct audit_options {
	const char *home;		/* stands for $HOME; never NULL */
	const char *xdg_config;		/* $XDG_CONFIG_HOME; never NULL */
	const char *system_config;	/* /etc/gitconfig, or NULL: skip it */
	/*
	 * Where the environment moves a tool's credentials (each NULL when
	 * unset): $GIT_CONFIG_GLOBAL (a git config), $DOCKER_CONFIG and
	 * $GH_CONFIG_DIR (directories), $AWS_SHARED_CREDENTIALS_FILE.  They
	 * are audited besides the default places, which may still hold
	 * credentials from before the move.
	 */
	const char *git_config_global;
	const char *docker_config;
	const char *gh_config_dir;
	const char *aws_credentials;
	const char *repos;		/* audit every repository under it */
	const char *cwd;		/* else the repository holding this */
	size_t max_file_size;		/* 0: no cap */
};

/* What an audit leaves besides findings; owned by the caller. */
struct audit_result {
	struct rule_set rules;	/* audit's own rules: findings borrow them */
	char **notes;		/* lines for the user: fine helpers, skips */
	size_t n_notes;
	size_t files;		/* files read */
	size_t repos;		/* repositories looked at */
};

#define AUDIT_RESULT_INIT { RULE_SET_INIT, NULL, 0, 0, 0 }

/*
 * Audits with engine e over rules, adding findings to out (unsorted).
 * Every finding's detail ends with advice: what to revoke, what to use
 * instead.  Unreadable files become notes, not errors.  Returns 0 or a
 * negative error (out of memory).  res must outlive the findings.
 */
int audit_run(const struct audit_options *o, const struct engine *e,
	      const struct rule_set *rules, struct finding_list *out,
	      struct audit_result *res, struct lg_error *err);

void audit_result_release(struct audit_result *res);

#endif
