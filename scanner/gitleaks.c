#include "gitleaks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "banned.h"

/* The four allowlist lists, in gitleaks' and in leakgate's words. */
enum { AL_REGEXES, AL_PATHS, AL_STOPWORDS, AL_COMMITS, AL_KINDS };
static const char *const gitleaks_keys[AL_KINDS] = {
	"regexes", "paths", "stopwords", "commits",
};
static const char *const config_keys[AL_KINDS] = {
	"allow", "exclude-path-regexes", "stopwords", "allow-commits",
};

struct allow_acc {
	struct string_list lists[AL_KINDS];
};

struct override {
	char *id;
	struct allow_acc a;
};

struct importer {
	struct gitleaks_import *out;
	const char *path;
	const struct rule_set *known;
	struct string_list converted;	/* ids of the rules converted */
	struct allow_acc global;
	struct override *ov;
	size_t n_ov;
	int nomem;
};

static void note(struct importer *im, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct importer *im, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	im->nomem |= buf_addf(&im->out->notes, "%s:%zu: ", im->path, line) ||
		     buf_vaddf(&im->out->notes, fmt, ap) ||
		     buf_addch(&im->out->notes, '\n');
	va_end(ap);
	im->out->n_notes++;
}

static void list_add(struct importer *im, struct string_list *l, const char *s)
{
	char **grown = realloc(l->items, (l->n + 1) * sizeof(*grown));

	if (!grown || !(grown[l->n] = strdup(s))) {
		if (grown)
			l->items = grown;
		im->nomem = 1;
		return;
	}
	l->items = grown;
	l->n++;
}

static int list_has(const struct string_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return 1;
	return 0;
}

static void list_release(struct string_list *l)
{
	while (l->n)
		free(l->items[--l->n]);
	free(l->items);
	l->items = NULL;
}

/* ---- YAML text ----------------------------------------------------------- */

/* s as a YAML scalar: single-quoted, or double-quoted with escapes. */
static int yaml_quote(struct buf *b, const char *s)
{
	const unsigned char *p;
	int rc = 0;

	if (!strpbrk(s, "\n\r\t\\\"") && !s[strcspn(s, "\x01\x02\x03\x04\x05"
		     "\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
		     "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f")]) {
		rc |= buf_addch(b, '\'');
		for (; *s && !rc; s++)
			rc |= *s == '\'' ? buf_adds(b, "''") : buf_addch(b, *s);
		return rc | buf_addch(b, '\'');
	}
	rc |= buf_addch(b, '"');
	for (p = (const unsigned char *)s; *p && !rc; p++) {
		if (*p == '"' || *p == '\\')
			rc |= buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			rc |= buf_addf(b, "\\x%02x", *p);
		else
			rc |= buf_addch(b, (char)*p);
	}
	return rc | buf_addch(b, '"');
}

static void yaml_list(struct importer *im, struct buf *b, const char *indent,
		      const char *key, const struct string_list *l)
{
	size_t i;

	if (!l->n)
		return;
	im->nomem |= buf_addf(b, "%s%s:\n", indent, key);
	for (i = 0; i < l->n; i++)
		im->nomem |= buf_addf(b, "%s  - ", indent) ||
			     yaml_quote(b, l->items[i]) || buf_addch(b, '\n');
}

static void yaml_allow(struct importer *im, struct buf *b, const char *indent,
		       const struct allow_acc *a)
{
	size_t k;

	for (k = 0; k < AL_KINDS; k++)
		yaml_list(im, b, indent, config_keys[k], &a->lists[k]);
}

/* ---- values -------------------------------------------------------------- */

/* A string field, or NULL (noted when present with another type). */
static const char *get_str(struct importer *im, const struct toml_value *t,
			   const char *key, const char *where)
{
	const struct toml_value *v = toml_get(t, key);

	if (v && v->type != TOML_STRING) {
		note(im, v->line, "%s: '%s' must be a string, not a %s: not "
		     "converted", where, key, toml_type_name(v->type));
		return NULL;
	}
	return v ? v->str : NULL;
}

/* The strings of an array field; other items are noted and skipped. */
static void get_strings(struct importer *im, const struct toml_value *v,
			const char *key, const char *where,
			struct string_list *out)
{
	size_t i;

	if (v->type != TOML_ARRAY) {
		note(im, v->line, "%s: '%s' must be an array: not converted",
		     where, key);
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct toml_value *it = v->items[i];

		if (it->type != TOML_STRING || !*it->str || strchr(it->str, '\n'))
			note(im, it->line, "%s: %s: an item that is not a "
			     "one-line string: not converted", where, key);
		else
			list_add(im, out, it->str);
	}
}

static int key_known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(key, *keys))
			return 1;
	return 0;
}

static void note_unknown_keys(struct importer *im, const struct toml_value *t,
			      const char *const *keys, const char *where)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!key_known(t->keys[i], keys))
			note(im, t->items[i]->line, "%s: '%s' has no leakgate "
			     "equivalent: not converted", where, t->keys[i]);
}

/* 0 when PCRE2 compiles re as leakgate will; else notes why not. */
static int regex_ok(struct importer *im, const char *re, size_t line,
		    const char *where)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int code;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0,
				      &code, &off, NULL);

	if (c) {
		pcre2_code_free(c);
		return 0;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	note(im, line, "%s: regex '%s' is not PCRE2 (Go-only syntax?): %s at "
	     "offset %zu: not converted", where, re, (const char *)msg,
	     (size_t)off);
	return -1;
}

/* ---- allowlists ---------------------------------------------------------- */

static struct allow_acc *override_for(struct importer *im, const char *id)
{
	struct override *grown;
	size_t i;

	for (i = 0; i < im->n_ov; i++)
		if (!strcmp(im->ov[i].id, id))
			return &im->ov[i].a;
	grown = realloc(im->ov, (im->n_ov + 1) * sizeof(*grown));
	if (!grown) {
		im->nomem = 1;
		return NULL;
	}
	im->ov = grown;
	memset(&grown[im->n_ov], 0, sizeof(*grown));
	if (!(grown[im->n_ov].id = strdup(id))) {
		im->nomem = 1;
		return NULL;
	}
	return &grown[im->n_ov++].a;
}

/* Adds the lists of allowlist al to acc; regexes checked first. */
static void allow_lists(struct importer *im, const struct toml_value *al,
			struct allow_acc *acc, int regexes_ok,
			const char *where)
{
	struct string_list got = { NULL, 0 };
	size_t k, i;

	for (k = 0; k < AL_KINDS; k++) {
		const struct toml_value *v = toml_get(al, gitleaks_keys[k]);

		if (!v || (k == AL_REGEXES && !regexes_ok))
			continue;
		get_strings(im, v, gitleaks_keys[k], where, &got);
		for (i = 0; i < got.n; i++) {
			if ((k == AL_REGEXES || k == AL_PATHS) &&
			    regex_ok(im, got.items[i], v->line, where))
				continue;
			if (k == AL_COMMITS &&
			    strspn(got.items[i], "0123456789abcdefABCDEF") !=
				    strlen(got.items[i])) {
				note(im, v->line, "%s: commit '%s' is not a "
				     "commit id: not converted", where,
				     got.items[i]);
				continue;
			}
			list_add(im, &acc->lists[k], got.items[i]);
		}
		list_release(&got);
	}
}

static int lists_set(const struct toml_value *al)
{
	size_t k;
	int n = 0;

	for (k = 0; k < AL_KINDS; k++)
		n += toml_get(al, gitleaks_keys[k]) != NULL;
	return n;
}

/* The allowlists this one feeds: the rule's, targetRules', or global. */
static void allow_targets(struct importer *im, const struct toml_value *al,
			  const char *rule_id, const char *where, int re_ok)
{
	const struct toml_value *targets = toml_get(al, "targetRules");
	struct string_list ids = { NULL, 0 };
	size_t i;

	if (rule_id || !targets) {
		struct allow_acc *acc = rule_id ? override_for(im, rule_id)
						: &im->global;
		if (acc)
			allow_lists(im, al, acc, re_ok, where);
		return;
	}
	get_strings(im, targets, "targetRules", where, &ids);
	for (i = 0; i < ids.n; i++) {
		struct allow_acc *acc;

		if (!list_has(&im->converted, ids.items[i]) &&
		    !rules_find(im->known, ids.items[i]))
			note(im, targets->line, "%s: targetRules: no rule '%s': "
			     "not converted", where, ids.items[i]);
		else if ((acc = override_for(im, ids.items[i])))
			allow_lists(im, al, acc, re_ok, where);
	}
	list_release(&ids);
}

static void convert_allowlist(struct importer *im, const struct toml_value *al,
			      const char *rule_id, const char *where)
{
	static const char *const keys[] = { "description", "condition",
		"regexTarget", "targetRules", "regexes", "paths", "stopwords",
		"commits", NULL };
	const char *cond, *target;
	int re_ok = 1;

	if (al->type != TOML_TABLE) {
		note(im, al->line, "%s: an allowlist must be a table: not "
		     "converted", where);
		return;
	}
	note_unknown_keys(im, al, keys, where);
	cond = get_str(im, al, "condition", where);
	if (cond && !strcasecmp(cond, "AND") && lists_set(al) > 1) {
		note(im, al->line, "%s: condition = \"AND\" (every list must "
		     "match) has no leakgate equivalent: allowlist not "
		     "converted", where);
		return;
	}
	target = get_str(im, al, "regexTarget", where);
	if (target && strcmp(target, "secret") && toml_get(al, "regexes")) {
		note(im, al->line, "%s: regexTarget = \"%s\": leakgate allow "
		     "regexes match the secret only: regexes not converted",
		     where, target);
		re_ok = 0;
	}
	allow_targets(im, al, rule_id, where, re_ok);
}

/* `allowlist` (a table) and `allowlists` (an array of tables) in t. */
static void convert_allowlists(struct importer *im, const struct toml_value *t,
			       const char *rule_id, const char *where)
{
	const struct toml_value *one = toml_get(t, "allowlist");
	const struct toml_value *many = toml_get(t, "allowlists");
	size_t i;

	if (one)
		convert_allowlist(im, one, rule_id, where);
	if (many && many->type != TOML_ARRAY)
		note(im, many->line, "%s: 'allowlists' must be an array of "
		     "tables: not converted", where);
	for (i = 0; many && many->type == TOML_ARRAY && i < many->n; i++)
		convert_allowlist(im, many->items[i], rule_id, where);
}

/* ---- rules --------------------------------------------------------------- */

/* Appends the optional numeric and list fields of rule r to y. */
static void rule_extras(struct importer *im, const struct toml_value *r,
			struct buf *y, const char *where)
{
	const struct toml_value *v;
	struct string_list kw = { NULL, 0 };

	if ((v = toml_get(r, "secretGroup")) && v->type == TOML_INTEGER)
		im->nomem |= buf_addf(y, "    secret-group: %lld\n", v->integer);
	else if (v)
		note(im, v->line, "%s: secretGroup must be an integer", where);
	if ((v = toml_get(r, "entropy")) &&
	    (v->type == TOML_FLOAT || v->type == TOML_INTEGER))
		im->nomem |= buf_addf(y, "    min-entropy: %g\n",
				      v->type == TOML_FLOAT ? v->real
							    : (double)v->integer);
	else if (v)
		note(im, v->line, "%s: entropy must be a number", where);
	if ((v = toml_get(r, "keywords")))
		get_strings(im, v, "keywords", where, &kw);
	yaml_list(im, y, "    ", "keywords", &kw);
	list_release(&kw);
}

/* The rule as leakgate YAML in y; 0, or -1 when it cannot be converted. */
static int rule_yaml(struct importer *im, const struct toml_value *r,
		     const char *id, struct buf *y, const char *where)
{
	const char *name = get_str(im, r, "description", where);
	const char *regex = get_str(im, r, "regex", where);
	const char *path = get_str(im, r, "path", where);

	if (!regex) {
		note(im, r->line, "%s: no regex (a rule on paths only) has no "
		     "leakgate equivalent: rule not converted", where);
		return -1;
	}
	im->nomem |= buf_adds(y, "  - id: ") || yaml_quote(y, id) ||
		     buf_adds(y, "\n    name: ") || yaml_quote(y, name ? name : id) ||
		     buf_adds(y, "\n    severity: high\n    pattern: ") ||
		     yaml_quote(y, regex) || buf_addch(y, '\n');
	if (path)
		im->nomem |= buf_adds(y, "    path: ") || yaml_quote(y, path) ||
			     buf_addch(y, '\n');
	rule_extras(im, r, y, where);
	return 0;
}

/* Loads the rule's YAML as leakgate will: its errors are the notes. */
static int rule_loads(struct importer *im, const struct buf *y, size_t line,
		      const char *where)
{
	struct rule_set scratch = RULE_SET_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct buf doc = BUF_INIT;
	int rc;

	im->nomem |= buf_addf(&doc, "rules:\n%s", y->ptr);
	rc = rules_load_yaml(&scratch, doc.ptr, doc.len, "as leakgate YAML",
			     &err);
	if (rc)
		note(im, line, "%s: not converted: %s (Go-only regex syntax?)",
		     where, err.msg);
	rules_release(&scratch);
	buf_release(&doc);
	return rc;
}

static void convert_rule(struct importer *im, const struct toml_value *r)
{
	static const char *const keys[] = { "id", "description", "regex",
		"secretGroup", "entropy", "keywords", "path", "tags",
		"allowlist", "allowlists", NULL };
	struct buf y = BUF_INIT, where = BUF_INIT;
	const char *id;

	if (r->type != TOML_TABLE || !(id = get_str(im, r, "id", "rule"))) {
		note(im, r->line, "a rule without an id: not converted");
		return;
	}
	im->nomem |= buf_addf(&where, "rule '%s'", id);
	note_unknown_keys(im, r, keys, where.ptr);
	if (!rule_yaml(im, r, id, &y, where.ptr) &&
	    !rule_loads(im, &y, toml_get(r, "regex")->line, where.ptr)) {
		im->nomem |= buf_add(&im->out->rules, y.ptr, y.len);
		im->out->n_rules++;
		list_add(im, &im->converted, id);
		convert_allowlists(im, r, id, where.ptr);
	}
	buf_release(&y);
	buf_release(&where);
}

/* ---- the whole file ------------------------------------------------------ */

/* [extend]: useDefault and disabledRules; adds the config's lines to c. */
static void convert_extend(struct importer *im, const struct toml_value *ext,
			   struct buf *c)
{
	const struct toml_value *use = toml_get(ext, "useDefault");
	const struct toml_value *dis = toml_get(ext, "disabledRules");
	struct string_list ids = { NULL, 0 }, keep = { NULL, 0 };
	size_t i;

	if (ext && toml_get(ext, "path"))
		note(im, toml_get(ext, "path")->line, "[extend] path: another "
		     "gitleaks file is not read: import it separately");
	if (!use || use->type != TOML_BOOL || !use->integer) {
		im->nomem |= buf_adds(c, "defaults:\n  no-builtin-rules: true\n");
		if (dis)
			note(im, dis->line, "[extend] disabledRules without "
			     "useDefault: nothing to disable");
		return;
	}
	note(im, use->line, "[extend] useDefault: gitleaks' own rules are not "
	     "imported; leakgate's built-in rules stand in for them");
	if (dis)
		get_strings(im, dis, "disabledRules", "[extend]", &ids);
	for (i = 0; i < ids.n; i++) {
		if (rules_find(im->known, ids.items[i]))
			list_add(im, &keep, ids.items[i]);
		else
			note(im, dis->line, "[extend] disabledRules: leakgate "
			     "has no rule '%s' (its ids differ from gitleaks')",
			     ids.items[i]);
	}
	yaml_list(im, c, "", "disable", &keep);
	list_release(&ids);
	list_release(&keep);
}

static int allow_empty(const struct allow_acc *a)
{
	size_t k;

	for (k = 0; k < AL_KINDS; k++)
		if (a->lists[k].n)
			return 0;
	return 1;
}

static void write_config(struct importer *im, const struct toml_value *doc,
			 const char *rules_name)
{
	struct buf *c = &im->out->config;
	size_t i, header = 0;

	im->nomem |= buf_addf(c, "# Converted from %s by `leakgate rules "
			      "import-gitleaks`.\nrules:\n  - ", im->path) ||
		     yaml_quote(c, rules_name) || buf_addch(c, '\n');
	convert_extend(im, toml_get(doc, "extend"), c);
	yaml_allow(im, c, "", &im->global);
	for (i = 0; i < im->n_ov; i++) {
		if (allow_empty(&im->ov[i].a))
			continue;	/* every list of it was left out */
		if (!header++)
			im->nomem |= buf_adds(c, "overrides:\n");
		im->nomem |= buf_adds(c, "  ") || yaml_quote(c, im->ov[i].id) ||
			     buf_adds(c, ":\n");
		yaml_allow(im, c, "    ", &im->ov[i].a);
	}
}

static void importer_release(struct importer *im)
{
	size_t i, k;

	for (k = 0; k < AL_KINDS; k++) {
		list_release(&im->global.lists[k]);
		for (i = 0; i < im->n_ov; i++)
			list_release(&im->ov[i].a.lists[k]);
	}
	for (i = 0; i < im->n_ov; i++)
		free(im->ov[i].id);
	free(im->ov);
	list_release(&im->converted);
}

int gitleaks_import(struct gitleaks_import *out, const struct toml_value *doc,
		    const char *path, const char *rules_name,
		    const struct rule_set *known, struct lg_error *err)
{
	static const char *const keys[] = { "title", "description",
		"minVersion", "extend", "rules", "allowlist", "allowlists", NULL };
	const struct toml_value *rules = toml_get(doc, "rules");
	struct importer im;
	size_t i;

	memset(&im, 0, sizeof(im));
	im.out = out;
	im.path = path;
	im.known = known;
	note_unknown_keys(&im, doc, keys, "top level");
	im.nomem |= buf_adds(&out->rules, "# Converted from gitleaks rules by "
			     "`leakgate rules import-gitleaks`.\nrules:\n");
	if (rules && rules->type != TOML_ARRAY)
		note(&im, rules->line, "'rules' must be [[rules]] tables");
	for (i = 0; rules && rules->type == TOML_ARRAY && i < rules->n; i++)
		convert_rule(&im, rules->items[i]);
	if (!out->n_rules)
		im.nomem |= buf_adds(&out->rules, "  []\n");
	convert_allowlists(&im, doc, NULL, "global allowlist");
	write_config(&im, doc, rules_name);
	importer_release(&im);
	return im.nomem ? lg_error_set(err, LG_ERR_NOMEM, "out of memory") : 0;
}

void gitleaks_import_release(struct gitleaks_import *gi)
{
	buf_release(&gi->rules);
	buf_release(&gi->config);
	buf_release(&gi->notes);
}
