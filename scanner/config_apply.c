/* What a loaded config does: to the rule set, and to findings. */
#include "config.h"

#include <strings.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

int config_load_rules(const struct config *cfg, struct rule_set *rs,
		      struct lg_error *err)
{
	struct buf path = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->rule_files.n && !rc; i++) {
		const struct config_item *it = &cfg->rule_files.items[i];

		buf_reset(&path);
		if (it->text[0] == '/')
			rc = buf_adds(&path, it->text);
		else
			rc = buf_addf(&path, "%s/%s", cfg->dir, it->text);
		if (rc)
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		else if ((rc = rules_load_file(rs, path.ptr, err)))
			lg_error_prefix(err, "%s:%zu: rules", cfg->path, it->line);
		else
			/* A repository must not choose where its secrets are sent. */
			rules_drop_verify(rs, path.ptr);
	}
	buf_release(&path);
	return rc;
}

static struct rule *find_rule(struct rule_set *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i]->id, id))
			return rs->rules[i];
	return NULL;
}

int config_edit_rules(const struct config *cfg, struct rule_set *rs,
		      struct lg_error *err)
{
	size_t i;

	for (i = 0; i < cfg->n_rules; i++) {
		const struct config_rule *cr = &cfg->rules[i];
		struct rule *r = find_rule(rs, cr->id);

		if (!r)
			return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: overrides:"
					    " no rule '%s'", cfg->path, cr->line,
					    cr->id);
		if (cr->severity_set)
			r->severity = cr->severity;
	}
	for (i = 0; i < cfg->disable.n; i++) {
		const struct config_item *it = &cfg->disable.items[i];

		if (rules_remove(rs, it->text))
			return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: disable: "
					    "no rule '%s'", cfg->path, it->line,
					    it->text);
	}
	return 0;
}

/* The index of rule_id's overrides, or n_rules when it has none. */
static size_t rule_index(const struct config *cfg, const char *rule_id)
{
	size_t i;

	for (i = 0; i < cfg->n_rules; i++)
		if (!strcmp(cfg->rules[i].id, rule_id))
			break;
	return i;
}

static int has_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (!strncasecmp(s + i, word, n))
			return 1;
	return 0;
}

/* 1 when one of the n regexes matches s. */
static int any_regex(pcre2_code *const *re, size_t n, const char *s,
		     size_t len)
{
	pcre2_match_data *md;
	size_t i;
	int hit = 0;

	if (!n || !(md = pcre2_match_data_create(1, NULL)))
		return 0;
	for (i = 0; i < n && !hit; i++)
		hit = pcre2_match(re[i], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
	pcre2_match_data_free(md);
	return hit;
}

static int secret_allowed(const struct config_allow *a, const char *secret,
			  size_t len)
{
	size_t i;

	for (i = 0; i < a->stopwords.n; i++)
		if (has_word(secret, len, a->stopwords.items[i].text))
			return 1;
	return any_regex(a->re, a->regexes.n, secret, len);
}

int config_allows_secret(const struct config *cfg, const char *rule_id,
			 const char *secret, size_t len)
{
	size_t i = rule_index(cfg, rule_id);

	return secret_allowed(&cfg->allow, secret, len) ||
	       (i < cfg->n_rules &&
		secret_allowed(&cfg->rules[i].allow, secret, len));
}

/* A path is excluded when it or a directory above it matches a glob. */
static int path_excluded(struct gitignore *gi, const char *path)
{
	const char *slash;

	if (!gi->n_lists)
		return 0;
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/'))
		if (gitignore_match(gi, path, (size_t)(slash - path), 1) == 1)
			return 1;
	return gitignore_match(gi, path, strlen(path), 0) == 1;
}

static int commit_allowed(const struct config_list *l, const char *commit)
{
	size_t i;

	for (i = 0; commit && i < l->n; i++)
		if (!strncasecmp(commit, l->items[i].text,
				 strlen(l->items[i].text)))
			return 1;
	return 0;
}

static int place_allowed(struct config_allow *a, const char *path,
			 const char *commit)
{
	return path_excluded(&a->paths_gi, path) ||
	       any_regex(a->path_re, a->path_regexes.n, path, strlen(path)) ||
	       commit_allowed(&a->commits, commit);
}

int config_allows_place(struct config *cfg, const char *rule_id,
			const char *path, const char *commit)
{
	size_t i = rule_index(cfg, rule_id);

	return place_allowed(&cfg->allow, path, commit) ||
	       (i < cfg->n_rules &&
		place_allowed(&cfg->rules[i].allow, path, commit));
}
