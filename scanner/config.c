#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

#define CONFIG_FILE_MAX (4u << 20)

/* The document being read and where errors go. */
struct cparse {
	yaml_document_t *doc;
	const char *path;
	struct lg_error *err;
};

static size_t line_of(const yaml_node_t *n)
{
	return n ? (size_t)n->start_mark.line + 1 : 0;
}

static int cfail(struct cparse *p, const yaml_node_t *n, const char *key,
		 const char *what)
{
	return lg_error_set(p->err, LG_ERR_PARSE, "%s:%zu: %s: %s", p->path,
			    line_of(n), key, what);
}

static int nomem(struct cparse *p)
{
	return lg_error_set(p->err, LG_ERR_NOMEM, "out of memory");
}

static yaml_node_t *node_at(struct cparse *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int item_set(struct cparse *p, struct config_item *it,
		    const yaml_node_t *n, const char *value)
{
	it->line = line_of(n);
	if (!(it->text = strdup(scalar(n))) ||
	    (value && !(it->value = strdup(value))))
		return nomem(p);
	return 0;
}

/* A list of non-empty one-line strings. */
static int get_list(struct cparse *p, const yaml_node_t *n, const char *key,
		    struct config_list *out)
{
	yaml_node_item_t *i;
	size_t count;

	if (n->type != YAML_SEQUENCE_NODE)
		return cfail(p, n, key, "must be a list of strings");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!(out->items = calloc(count + 1, sizeof(*out->items))))
		return nomem(p);
	for (i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		const yaml_node_t *v = node_at(p, *i);
		const char *s = scalar(v);

		if (!s || !*s || strchr(s, '\n'))
			return cfail(p, v, key, "items must be non-empty "
				     "one-line strings");
		if (item_set(p, &out->items[out->n++], v, NULL))
			return p->err->code;
	}
	return 0;
}

static int is_hex(const char *s)
{
	size_t n = strlen(s);

	return n >= 4 && n <= 40 && strspn(s, "0123456789abcdefABCDEF") == n;
}

/* Compiles the regexes of l into *out; errors name their line. */
static int compile_regexes(struct cparse *p, const struct config_list *l,
			   pcre2_code ***out, const char *key)
{
	size_t i;

	if (l->n && !(*out = calloc(l->n, sizeof(**out))))
		return nomem(p);
	for (i = 0; i < l->n; i++) {
		const struct config_item *it = &l->items[i];
		PCRE2_UCHAR msg[200];
		PCRE2_SIZE off;
		int code;

		(*out)[i] = pcre2_compile((PCRE2_SPTR)it->text,
					  PCRE2_ZERO_TERMINATED, 0, &code, &off,
					  NULL);
		if ((*out)[i])
			continue;
		pcre2_get_error_message(code, msg, sizeof(msg));
		return lg_error_set(p->err, LG_ERR_PARSE, "%s:%zu: %s: bad regex "
				    "at offset %zu: %s", p->path, it->line, key,
				    (size_t)off, (const char *)msg);
	}
	return 0;
}

/* Compiles an allowlist's regexes and globs; errors name their line. */
static int compile_allow(struct cparse *p, struct config_allow *a,
			 const char *key)
{
	struct buf globs = BUF_INIT;
	size_t i;
	int rc;

	rc = compile_regexes(p, &a->regexes, &a->re, key);
	if (!rc)
		rc = compile_regexes(p, &a->path_regexes, &a->path_re, key);
	for (i = 0; i < a->commits.n && !rc; i++)
		if (!is_hex(a->commits.items[i].text))
			rc = lg_error_set(p->err, LG_ERR_PARSE, "%s:%zu: %s: "
					  "allow-commits takes commit ids (4 to "
					  "40 hex digits)", p->path,
					  a->commits.items[i].line, key);
	for (i = 0; i < a->paths.n && !rc; i++)
		if (buf_addf(&globs, "%s\n", a->paths.items[i].text))
			rc = nomem(p);
	if (!rc && globs.len &&
	    gitignore_push(&a->paths_gi, globs.ptr, globs.len, 0))
		rc = nomem(p);
	buf_release(&globs);
	return rc;
}

/* Returns 1 when key is not an allowlist key, else 0 or an error. */
static int allow_key(struct cparse *p, const char *key, const yaml_node_t *v,
		     struct config_allow *a)
{
	if (!strcmp(key, "allow"))
		return get_list(p, v, key, &a->regexes);
	if (!strcmp(key, "stopwords"))
		return get_list(p, v, key, &a->stopwords);
	if (!strcmp(key, "exclude-paths"))
		return get_list(p, v, key, &a->paths);
	if (!strcmp(key, "exclude-path-regexes"))
		return get_list(p, v, key, &a->path_regexes);
	if (!strcmp(key, "allow-commits"))
		return get_list(p, v, key, &a->commits);
	return 1;
}

typedef int (*pair_fn)(struct cparse *p, const char *key,
		       const yaml_node_t *k, const yaml_node_t *v,
		       void *payload);

/* Calls fn for each pair of mapping n; a key given twice is an error. */
static int each_pair(struct cparse *p, const yaml_node_t *n, const char *what,
		     pair_fn fn, void *payload)
{
	yaml_node_pair_t *i, *j;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return cfail(p, n, what, "must be a mapping of keys to values");
	for (i = n->data.mapping.pairs.start; i < n->data.mapping.pairs.top; i++) {
		const yaml_node_t *k = node_at(p, i->key);
		const char *key = scalar(k);

		if (!key)
			return cfail(p, k, what, "keys must be strings");
		for (j = n->data.mapping.pairs.start; j < i; j++)
			if (!strcmp(scalar(node_at(p, j->key)), key))
				return cfail(p, k, key, "given twice");
		if ((rc = fn(p, key, k, node_at(p, i->value), payload)))
			return rc;
	}
	return 0;
}

static int rule_pair(struct cparse *p, const char *key, const yaml_node_t *k,
		     const yaml_node_t *v, void *payload)
{
	struct config_rule *r = payload;
	int rc;

	if (!strcmp(key, "severity")) {
		if (!scalar(v) || severity_parse(scalar(v), &r->severity))
			return cfail(p, v, key, "critical, high, medium or low");
		r->severity_set = 1;
		return 0;
	}
	if ((rc = allow_key(p, key, v, &r->allow)) <= 0)
		return rc;
	return cfail(p, k, key, "unknown key (severity, allow, stopwords, "
		     "exclude-paths, exclude-path-regexes, allow-commits)");
}

static int override_pair(struct cparse *p, const char *key,
			 const yaml_node_t *k, const yaml_node_t *v,
			 void *payload)
{
	struct config *cfg = payload;
	struct config_rule *grown, *r;

	grown = realloc(cfg->rules, (cfg->n_rules + 1) * sizeof(*grown));
	if (!grown)
		return nomem(p);
	cfg->rules = grown;
	r = &cfg->rules[cfg->n_rules++];
	memset(r, 0, sizeof(*r));
	r->line = line_of(k);
	if (!(r->id = strdup(key)))
		return nomem(p);
	if (each_pair(p, v, key, rule_pair, r))
		return p->err->code;
	return compile_allow(p, &r->allow, key);
}

static int default_pair(struct cparse *p, const char *key,
			const yaml_node_t *k, const yaml_node_t *v,
			void *payload)
{
	struct config_list *l = payload;
	struct config_item *grown;

	if (!scalar(v))
		return cfail(p, v, key, "must be a single value");
	grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return nomem(p);
	l->items = grown;
	memset(&l->items[l->n], 0, sizeof(*grown));
	return item_set(p, &l->items[l->n++], k, scalar(v));
}

static int top_pair(struct cparse *p, const char *key, const yaml_node_t *k,
		    const yaml_node_t *v, void *payload)
{
	struct config *cfg = payload;
	int rc;

	if (!strcmp(key, "rules"))
		return get_list(p, v, key, &cfg->rule_files);
	if (!strcmp(key, "disable"))
		return get_list(p, v, key, &cfg->disable);
	if (!strcmp(key, "overrides"))
		return each_pair(p, v, key, override_pair, cfg);
	if (!strcmp(key, "defaults"))
		return each_pair(p, v, key, default_pair, &cfg->defaults);
	if ((rc = allow_key(p, key, v, &cfg->allow)) <= 0)
		return rc;
	return cfail(p, k, key, "unknown key (rules, disable, exclude-paths, "
		     "exclude-path-regexes, allow, stopwords, allow-commits, "
		     "overrides, defaults)");
}

static int set_names(struct config *cfg, const char *path)
{
	const char *slash = strrchr(path, '/');

	cfg->path = strdup(path);
	cfg->dir = slash ? strndup(path, (size_t)(slash - path + (slash == path)))
			 : strdup(".");
	return cfg->path && cfg->dir ? 0 : LG_ERR_NOMEM;
}

static int parse_doc(struct cparse *p, struct config *cfg)
{
	const yaml_node_t *root = yaml_document_get_root_node(p->doc);

	if (!root)
		return 0;	/* an empty file configures nothing */
	if (root->type == YAML_SCALAR_NODE && !*scalar(root))
		return 0;
	if (each_pair(p, root, "top level", top_pair, cfg))
		return p->err->code;
	return compile_allow(p, &cfg->allow, "top level");
}

int config_parse(struct config *cfg, const char *text, size_t len,
		 const char *path, struct lg_error *err)
{
	struct cparse p = { NULL, path, err };
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	if (set_names(cfg, path))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!yaml_parser_initialize(&parser))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = lg_error_set(err, LG_ERR_PARSE, "%s:%zu:%zu: YAML error: %s",
				  path, (size_t)parser.problem_mark.line + 1,
				  (size_t)parser.problem_mark.column + 1,
				  parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return rc;
	}
	p.doc = &doc;
	rc = parse_doc(&p, cfg);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int config_load(struct config *cfg, const char *path, struct lg_error *err)
{
	struct buf text = BUF_INIT;
	int rc = buf_read_file(&text, path, CONFIG_FILE_MAX, err);

	if (!rc)
		rc = config_parse(cfg, text.ptr ? text.ptr : "", text.len, path,
				  err);
	buf_release(&text);
	return rc;
}

static void list_release(struct config_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].text);
		free(l->items[i].value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void allow_release(struct config_allow *a)
{
	size_t i;

	for (i = 0; a->re && i < a->regexes.n; i++)
		pcre2_code_free(a->re[i]);
	for (i = 0; a->path_re && i < a->path_regexes.n; i++)
		pcre2_code_free(a->path_re[i]);
	free(a->re);
	free(a->path_re);
	list_release(&a->path_regexes);
	list_release(&a->regexes);
	list_release(&a->stopwords);
	list_release(&a->paths);
	list_release(&a->commits);
	gitignore_release(&a->paths_gi);
}

void config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_rules; i++) {
		free(cfg->rules[i].id);
		allow_release(&cfg->rules[i].allow);
	}
	free(cfg->rules);
	allow_release(&cfg->allow);
	list_release(&cfg->rule_files);
	list_release(&cfg->disable);
	list_release(&cfg->defaults);
	free(cfg->path);
	free(cfg->dir);
	memset(cfg, 0, sizeof(*cfg));
}
