#ifndef LEAKGATE_CONFIG_H
#define LEAKGATE_CONFIG_H

#include <stddef.h>

#include "gitignore.h"
#include "rules.h"

struct lg_error;

/*
 * A project configuration, `.leakgate.yaml` at the repository root (or
 * --config FILE).  It is read once, before the scan: it edits the rule set
 * (extra rule files, disabled rules, severities), adds allowlists that the
 * filter applies, and gives defaults for options the command line did not
 * set.  Every key is checked: an unknown key or a malformed value is an
 * error naming the file, the line and the key.
 *
 *     rules: [more-rules.yaml]          # relative to the config's directory
 *     disable: [generic-api-key]
 *     exclude-paths: [vendor/, '*.min.js'] # gitignore-style, from the root
 *     exclude-path-regexes: ['(^|/)gen/'] # the same as regexes
 *     allow: ['(?i)example']            # secrets matching a regex
 *     stopwords: [dummy]                # secrets containing a word
 *     allow-commits: [<commit id>]      # findings first seen in a commit
 *     overrides:
 *       github-pat-classic:
 *         severity: low                 # and the four allowlists above
 *     defaults:
 *       format: sarif                   # any option `cli_set_default` takes
 */

/* One entry of a list, or one `key: value` of `defaults`. */
struct config_item {
	char *text;
	char *value;		/* defaults only */
	size_t line;		/* 1-based */
};

struct config_list {
	struct config_item *items;
	size_t n;
};

/* What is not reported: globally, or for one rule. */
struct config_allow {
	struct config_list regexes;	/* matched against the secret */
	pcre2_code **re;		/* compiled, one per regex */
	struct config_list stopwords;	/* case-insensitive substrings */
	struct config_list paths;	/* gitignore-style globs */
	struct gitignore paths_gi;	/* the globs, compiled */
	struct config_list path_regexes; /* PCRE2, on the relative path */
	pcre2_code **path_re;
	struct config_list commits;	/* commit id prefixes */
};

struct config_rule {
	char *id;
	size_t line;
	int severity_set;
	enum severity severity;
	struct config_allow allow;
};

struct config {
	char *path;			/* the file read, NULL: none */
	char *dir;			/* its directory */
	struct config_list rule_files;	/* as written */
	struct config_list disable;
	struct config_allow allow;
	struct config_rule *rules;	/* `overrides`, in file order */
	size_t n_rules;
	struct config_list defaults;
};

/*
 * Parses config text (named path in errors, its directory used for
 * relative rule files).  Errors are LG_ERR_PARSE with "path:line: key:
 * what is wrong".  cfg must be zeroed first; on error it holds what was
 * parsed, for config_release().
 */
int config_parse(struct config *cfg, const char *text, size_t len,
		 const char *path, struct lg_error *err);
/* Reads and parses the file at path. */
int config_load(struct config *cfg, const char *path, struct lg_error *err);
void config_release(struct config *cfg);

/* Loads the config's extra rule files into rs (before --rules ones). */
int config_load_rules(const struct config *cfg, struct rule_set *rs,
		      struct lg_error *err);
/*
 * Applies `disable` and the severities of `overrides` to rs; a rule id
 * that names no rule in rs is an error.
 */
int config_edit_rules(const struct config *cfg, struct rule_set *rs,
		      struct lg_error *err);

/*
 * 1 when the allowlists (global, or rule_id's) drop this secret, else 0.
 * Not thread-safe.
 */
int config_allows_secret(const struct config *cfg, const char *rule_id,
			 const char *secret, size_t len);
/*
 * 1 when the allowlists drop a place: path (relative to the repository
 * root, without "./") matches an excluded glob, or commit (NULL outside
 * history) is allowed.  Not thread-safe (the glob scratch buffers).
 */
int config_allows_place(struct config *cfg, const char *rule_id,
			const char *path, const char *commit);

#endif
