#ifndef LEAKGATE_GITLEAKS_H
#define LEAKGATE_GITLEAKS_H

#include <stddef.h>

#include "buf.h"
#include "rules.h"
#include "toml.h"

struct lg_error;

/*
 * Converts a gitleaks configuration (its TOML, parsed) into leakgate
 * rules (YAML) and a .leakgate.yaml that refers to them:
 *
 * - [[rules]]: id, description (name), regex (pattern), secretGroup,
 *   entropy (min-entropy), keywords, path; a rule whose regex or path
 *   PCRE2 does not take (Go-only syntax) is left out and named;
 * - allowlists, global ([allowlist], [[allowlists]], targetRules) and per
 *   rule ([rules.allowlist], [[rules.allowlists]]): regexes (on the
 *   secret), paths (regexes: exclude-path-regexes), stopwords, commits;
 *   regexTarget other than the secret and condition = "AND" have no
 *   leakgate equivalent and are named;
 * - [extend] useDefault keeps leakgate's built-in rules (gitleaks' default
 *   set is not carried over); without it the config drops them;
 *   disabledRules becomes `disable` for ids leakgate knows.
 */
struct gitleaks_import {
	struct buf rules;	/* the rules file's text */
	struct buf config;	/* the config's text */
	struct buf notes;	/* "path:line: what was not converted\n"... */
	size_t n_rules;		/* rules converted */
	size_t n_notes;
};

#define GITLEAKS_IMPORT_INIT { BUF_INIT, BUF_INIT, BUF_INIT, 0, 0 }

/*
 * Converts doc (read from path).  rules_name is what the config's
 * `rules:` names; known is the rule set `disable` may name (the built-in
 * one).  Returns 0 or LG_ERR_NOMEM; what cannot be converted goes to
 * notes, not to an error.
 */
int gitleaks_import(struct gitleaks_import *out, const struct toml_value *doc,
		    const char *path, const char *rules_name,
		    const struct rule_set *known, struct lg_error *err);

void gitleaks_import_release(struct gitleaks_import *gi);

#endif
