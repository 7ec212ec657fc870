#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "error.h"
#include "verify_spec.h"
#include "banned.h"

#define RULE_FILE_MAX (16u << 20)

static const char *const severity_names[] = { "low", "medium", "high",
					      "critical" };

const char *severity_name(enum severity s)
{
	return severity_names[s];
}

int severity_parse(const char *name, enum severity *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (strcmp(name, severity_names[i]) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return -1;
}

static void string_list_release(struct string_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

struct rule_lazy {
	pthread_mutex_t lock;
	atomic_int done;	/* rules_prepare() ran: rc holds its result */
	int rc;
	int compiled;		/* re, path_re and allow[] are made */
	const struct rule *companions[RULE_MAX_REQUIRES];	/* rules_link() */
	size_t n_companions;
};

static struct rule *rule_new(void)
{
	struct rule *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (!(r->lazy = calloc(1, sizeof(*r->lazy)))) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lazy->lock, NULL);
	return r;
}

/* The rule's text: its strings and lists, as parsed or copied. */
static void release_text(struct rule *r)
{
	free(r->id);
	free(r->name);
	string_list_release(&r->keywords);
	free(r->pattern);
	free(r->value);
	free(r->validate_name);
	free(r->classify_name);
	free(r->parser_name);
	string_list_release(&r->allow_src);
	free(r->path_src);
	string_list_release(&r->examples);
	string_list_release(&r->negative_examples);
	string_list_release(&r->references);
	string_list_release(&r->verify);
	string_list_release(&r->requires);
	free(r->remediation);
	free(r->origin);
}

static void rule_free(struct rule *r)
{
	size_t i;

	if (!r)
		return;
	pcre2_code_free(r->re);
	if (r->lazy) {
		pthread_mutex_destroy(&r->lazy->lock);
		free(r->lazy);
	}
	/* allow[] is only made by rule_compile(). */
	for (i = 0; r->allow && i < r->allow_src.n; i++)
		pcre2_code_free(r->allow[i]);
	free(r->allow);
	pcre2_code_free(r->path_re);
	if (!r->borrowed)
		release_text(r);
	free(r);
}

static pcre2_code *compile_regex(const char *pattern, uint32_t options,
				 const char *what, struct lg_error *err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE offset;
	int code;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options,
			   &code, &offset, NULL);
	if (!re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		lg_error_set(err, LG_ERR_PARSE, "%s: %s at offset %zu", what,
			     (const char *)msg, (size_t)offset);
		return NULL;
	}
	return re;
}

/*
 * Compiles r's regexes (not JIT).  An anchored rule is tried only where a
 * keyword starts: anchoring it at compile time rather than per match keeps
 * it on the JIT, which PCRE2 skips for PCRE2_ANCHORED given to a match.
 */
static int rule_compile(struct rule *r, struct lg_error *err)
{
	uint32_t anchored = r->anchored ? PCRE2_ANCHORED : 0;
	char what[32];
	size_t i;

	if (r->pattern &&
	    !(r->re = compile_regex(r->pattern, anchored, "pattern", err)))
		return err->code;
	if (r->path_src &&
	    !(r->path_re = compile_regex(r->path_src, 0, "path", err)))
		return err->code;
	if (!(r->allow = calloc(r->allow_src.n + 1, sizeof(*r->allow))))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (i = 0; i < r->allow_src.n; i++) {
		snprintf(what, sizeof(what), "allow[%zu]", i);
		r->allow[i] = compile_regex(r->allow_src.items[i], 0, what,
					    err);
		if (!r->allow[i])
			return err->code;
	}
	r->lazy->compiled = 1;
	return 0;
}

static void rule_jit(const struct rule *r)
{
	size_t i;

	/* JIT is an accelerator: where it fails the interpreter runs. */
	if (r->re)
		pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	if (r->path_re)
		pcre2_jit_compile(r->path_re, PCRE2_JIT_COMPLETE);
	for (i = 0; i < r->allow_src.n; i++)
		pcre2_jit_compile(r->allow[i], PCRE2_JIT_COMPLETE);
}

/* The first rules_prepare() of r, under its lock. */
static int prepare_once(const struct rule *r)
{
	struct lg_error err = LG_ERROR_INIT;
	int rc = 0;

	/*
	 * The one write to a shared rule: by the lock's holder, before
	 * `done` lets any other thread read the regexes.
	 */
	if (!r->lazy->compiled)
		rc = rule_compile((struct rule *)r, &err);
	if (!rc)
		rule_jit(r);
	return rc;
}

int rules_prepare(const struct rule *r)
{
	struct rule_lazy *l = r->lazy;

	if (atomic_load_explicit(&l->done, memory_order_acquire))
		return l->rc;
	pthread_mutex_lock(&l->lock);
	if (!atomic_load_explicit(&l->done, memory_order_relaxed)) {
		l->rc = prepare_once(r);
		atomic_store_explicit(&l->done, 1, memory_order_release);
	}
	pthread_mutex_unlock(&l->lock);
	return l->rc;
}

/* ---- YAML helpers ---------------------------------------------------- */

struct loader {
	yaml_document_t *doc;
	const char *filename;
	const char *rule_id;	/* for messages; "?" before the id is known */
	struct lg_error *err;
};

static int load_fail(struct loader *ld, const yaml_node_t *node,
		     const char *what)
{
	return lg_error_set(ld->err, LG_ERR_PARSE, "%s:%zu: rule '%s': %s",
			    ld->filename,
			    node ? (size_t)node->start_mark.line + 1 : 0,
			    ld->rule_id, what);
}

/* Wraps the message a callee left in ld->err with the file/rule/line context. */
static int load_fail_nested(struct loader *ld, const yaml_node_t *node)
{
	char inner[LG_ERROR_MSG_MAX];

	memcpy(inner, ld->err->msg, sizeof(inner));
	return load_fail(ld, node, inner);
}

static const char *scalar(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

static int get_string(struct loader *ld, const yaml_node_t *node,
		      const char *key, char **out)
{
	const char *s = scalar(node);
	char what[128];

	if (!s) {
		snprintf(what, sizeof(what), "'%s' must be a string", key);
		return load_fail(ld, node, what);
	}
	if (strlen(s) != node->data.scalar.length) {
		snprintf(what, sizeof(what), "'%s' contains a NUL byte", key);
		return load_fail(ld, node, what);
	}
	*out = strdup(s);
	return *out ? 0 : lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
}

static int get_string_list(struct loader *ld, const yaml_node_t *node,
			   const char *key, struct string_list *out)
{
	yaml_node_item_t *it;
	char what[128];
	size_t n;

	if (scalar(node)) {
		out->items = calloc(1, sizeof(char *));
		if (!out->items)
			return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
		out->n = 1;
		return get_string(ld, node, key, &out->items[0]);
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		snprintf(what, sizeof(what), "'%s' must be a list of strings", key);
		return load_fail(ld, node, what);
	}
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	out->items = calloc(n ? n : 1, sizeof(char *));
	if (!out->items)
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
		if (get_string(ld, item, key, &out->items[out->n]))
			return ld->err->code;
		out->n++;
	}
	return 0;
}

static int get_number(struct loader *ld, const yaml_node_t *node,
		      const char *key, double lo, double hi, double *out)
{
	const char *s = scalar(node);
	char what[160];
	char *end;

	if (s) {
		errno = 0;
		*out = strtod(s, &end);
		if (!errno && end != s && !*end && *out >= lo && *out <= hi)
			return 0;
	}
	snprintf(what, sizeof(what), "'%s' must be a number from %g to %g", key,
		 lo, hi);
	return load_fail(ld, node, what);
}

static int get_bool(struct loader *ld, const yaml_node_t *node,
		    const char *key, int *out)
{
	const char *b = scalar(node);
	char what[128];

	if (b && (!strcmp(b, "true") || !strcmp(b, "false"))) {
		*out = !strcmp(b, "true");
		return 0;
	}
	snprintf(what, sizeof(what), "'%s' must be true or false", key);
	return load_fail(ld, node, what);
}

/* Appends "key=value" to out. */
static int add_item(struct loader *ld, struct string_list *out,
		    const char *key, const yaml_node_t *node)
{
	struct buf b = BUF_INIT;
	char **grown;

	if (!scalar(node))
		return load_fail(ld, node, "verify: values must be strings or lists of them");
	if (!(grown = realloc(out->items, (out->n + 1) * sizeof(char *))))
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	out->items = grown;
	if (buf_addf(&b, "%s=%s", key, scalar(node)) || buf_addch(&b, '\0')) {
		buf_release(&b);
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	}
	out->items[out->n++] = buf_detach(&b);
	return 0;
}

/*
 * A `verify:` mapping, flattened to "key=value" items (a list value gives
 * one item per element) and checked by verify_spec_check().
 */
static int get_verify(struct loader *ld, const yaml_node_t *node,
		      struct string_list *out)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	int rc = 0;

	if (node->type != YAML_MAPPING_NODE)
		return load_fail(ld, node, "'verify' must be a mapping");
	for (p = node->data.mapping.pairs.start;
	     !rc && p < node->data.mapping.pairs.top; p++) {
		const char *key = scalar(yaml_document_get_node(ld->doc, p->key));
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		if (!key)
			return load_fail(ld, node, "keys must be strings");
		if (v->type != YAML_SEQUENCE_NODE) {
			rc = add_item(ld, out, key, v);
			continue;
		}
		for (it = v->data.sequence.items.start;
		     !rc && it < v->data.sequence.items.top; it++)
			rc = add_item(ld, out, key,
				      yaml_document_get_node(ld->doc, *it));
	}
	if (!rc && verify_spec_check(out, ld->err))
		return load_fail_nested(ld, node);
	return rc;
}

/* ---- one rule -------------------------------------------------------- */

static int set_field(struct loader *ld, struct rule *r, const char *key,
		     const yaml_node_t *v, int *has_group)
{
	double num;

	if (!strcmp(key, "id"))
		return get_string(ld, v, key, &r->id);
	if (!strcmp(key, "name"))
		return get_string(ld, v, key, &r->name);
	if (!strcmp(key, "pattern"))
		return get_string(ld, v, key, &r->pattern);
	if (!strcmp(key, "value"))
		return get_string(ld, v, key, &r->value);
	if (!strcmp(key, "keywords"))
		return get_string_list(ld, v, key, &r->keywords);
	if (!strcmp(key, "allow"))
		return get_string_list(ld, v, key, &r->allow_src);
	if (!strcmp(key, "examples"))
		return get_string_list(ld, v, key, &r->examples);
	if (!strcmp(key, "negative-examples"))
		return get_string_list(ld, v, key, &r->negative_examples);
	if (!strcmp(key, "references"))
		return get_string_list(ld, v, key, &r->references);
	if (!strcmp(key, "remediation"))
		return get_string(ld, v, key, &r->remediation);
	if (!strcmp(key, "verify"))
		return get_verify(ld, v, &r->verify);
	if (!strcmp(key, "requires"))
		return get_string_list(ld, v, key, &r->requires);
	if (!strcmp(key, "standalone"))
		return get_bool(ld, v, key, &r->standalone);
	if (!strcmp(key, "companion"))
		return get_bool(ld, v, key, &r->companion);
	if (!strcmp(key, "validate"))
		return get_string(ld, v, key, &r->validate_name);
	if (!strcmp(key, "classify"))
		return get_string(ld, v, key, &r->classify_name);
	if (!strcmp(key, "parser"))
		return get_string(ld, v, key, &r->parser_name);
	if (!strcmp(key, "path"))
		return get_string(ld, v, key, &r->path_src);
	if (!strcmp(key, "severity")) {
		if (scalar(v) && !severity_parse(scalar(v), &r->severity))
			return 0;
		return load_fail(ld, v,
				 "'severity' must be critical, high, medium or low");
	}
	if (!strcmp(key, "generic"))
		return get_bool(ld, v, key, &r->generic);
	if (!strcmp(key, "keep-runs"))
		return get_bool(ld, v, key, &r->keep_runs);
	if (!strcmp(key, "anchored"))
		return get_bool(ld, v, key, &r->anchored);
	if (!strcmp(key, "named"))
		return get_bool(ld, v, key, &r->named);
	if (!strcmp(key, "min-entropy")) {
		if (get_number(ld, v, key, 0, 8, &r->min_entropy))
			return ld->err->code;
		return 0;
	}
	if (!strcmp(key, "secret-group")) {
		if (get_number(ld, v, key, 0, 99, &num))
			return ld->err->code;
		r->secret_group = (unsigned)num;
		*has_group = 1;
		return 0;
	}
	if (!strcmp(key, "requires-window")) {
		if (get_number(ld, v, key, 16, 1 << 20, &num))
			return ld->err->code;
		r->requires_window = (size_t)num;
		return 0;
	}
	if (!strcmp(key, "window")) {
		if (get_number(ld, v, key, 16, 1 << 20, &num))
			return ld->err->code;
		r->window = (size_t)num;
		return 0;
	}
	{
		char what[160];
		snprintf(what, sizeof(what), "unknown key '%.100s'", key);
		return load_fail(ld, v, what);
	}
}

/* A regex rule's capture count, once compiled, and its secret group. */
static int count_groups(struct loader *ld, struct rule *r,
			const yaml_node_t *node, int has_group)
{
	uint32_t captures = 0;
	char what[200];

	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &captures);
	r->captures = captures;
	if (!has_group)
		r->secret_group = captures ? 1 : 0;
	if (r->secret_group > captures) {
		snprintf(what, sizeof(what),
			 "secret-group %u but the pattern has %u groups",
			 r->secret_group, captures);
		return load_fail(ld, node, what);
	}
	return 0;
}

/*
 * A parser rule reads whole files, the ones its `path` selects: it has no
 * pattern to confirm and no keywords to prefilter with.
 */
static int bind_parser(struct loader *ld, struct rule *r,
		       const yaml_node_t *node)
{
	char what[200];

	if (r->pattern)
		return load_fail(ld, node,
				 "a rule has 'pattern' or 'parser', not both");
	if (r->keywords.n)
		return load_fail(ld, node, "a parser rule takes no 'keywords'");
	if (!r->path_src)
		return load_fail(ld, node, "a parser rule needs 'path'");
	if (!(r->parser = credstore_lookup(r->parser_name))) {
		snprintf(what, sizeof(what), "unknown parser '%.100s'",
			 r->parser_name);
		return load_fail(ld, node, what);
	}
	return 0;
}

/* ---- vendor-named rules ----------------------------------------------- */

/*
 * The parts of a vendor-named pattern around the names and the value.  A
 * name starts a word or a camelCase part; the context after it is a key
 * name, at most three more space-separated words ("SECRET KEY"), and
 * must not end naming something public (client_id, baseUrl, hostname,
 * ACCOUNT_SID, key_file, REGION).
 * The value holds a digit (an identifier seldom does) and may run on past
 * its shape: providers lengthen their keys.
 */
#define NAMED_BEFORE "(?:(?<![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))(?i:"
#define NAMED_CONTEXT ")[\\w.\\-]{0,40}?(?:[ \\t]{1,5}[A-Za-z][\\w.\\-]{0,24}){0,3}?" \
	"(?<![_.\\-][iI][dD]|[a-z]I[dD])(?i:(?<!url|uri|host|name|user|mail|sid|path|file|dir|region|zone|index|domain|version))"
#define NAMED_SEPARATOR "[\"'\\])>]{0,2}[ \\t]{0,5}(?::=|=>|->|[:=,])?\\s{0,5}[\"'`]?"
#define NAMED_VALUE "(?<![A-Za-z0-9])(?=[A-Za-z_.+/=:%\\-]*[0-9])("

/* Appends s with every character but a letter, digit or '_' escaped. */
static int add_literal(struct buf *b, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			rc = buf_addch(b, '\\');
		if (!rc)
			rc = buf_addch(b, *s);
	}
	return rc;
}

char *rules_named_pattern(const struct string_list *names, const char *value)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = buf_adds(&b, NAMED_BEFORE);

	for (i = 0; i < names->n && !rc; i++)
		if (!(rc = i ? buf_addch(&b, '|') : 0))
			rc = add_literal(&b, names->items[i]);
	if (rc || buf_adds(&b, NAMED_CONTEXT) || buf_adds(&b, NAMED_SEPARATOR) ||
	    buf_adds(&b, NAMED_VALUE) || buf_adds(&b, value) ||
	    buf_addch(&b, ')') || buf_addch(&b, '\0')) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/*
 * A `value:` rule: its keywords are the vendor's names in a setting's
 * name, so it is a named rule (rules.h): they are looked for only near a
 * secret word.
 */
static int expand_named(struct loader *ld, struct rule *r,
			const yaml_node_t *node)
{
	if (r->pattern || r->parser_name)
		return load_fail(ld, node,
				 "a rule has 'value' or 'pattern' or 'parser', not two");
	if (!r->keywords.n)
		return load_fail(ld, node,
				 "a 'value' rule needs 'keywords' (the vendor's names)");
	if (!(r->pattern = rules_named_pattern(&r->keywords, r->value)))
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	r->named = 1;
	return 0;
}

/* The pairing fields: a part is a pattern, looked for, never a seeker. */
static int check_parts(struct loader *ld, struct rule *r,
		       const yaml_node_t *node)
{
	if (r->requires.n > RULE_MAX_REQUIRES)
		return load_fail(ld, node, "at most 4 ids in 'requires'");
	if (r->companion && (r->parser_name || r->requires.n))
		return load_fail(ld, node,
				 "a companion rule has a pattern and no 'requires'");
	return 0;
}

static int compile_rule(struct loader *ld, struct rule *r,
			const yaml_node_t *node, int has_group)
{
	char what[200];
	size_t i;
	int rc;

	if (!r->id)
		return load_fail(ld, node, "missing 'id'");
	if (!r->name && !(r->name = strdup(r->id)))
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	if (r->value && (rc = expand_named(ld, r, node)))
		return rc;
	if (r->parser_name && (rc = bind_parser(ld, r, node)))
		return rc;
	if (!r->parser_name && !r->pattern)
		return load_fail(ld, node, "missing 'pattern'");
	if (r->validate_name && !(r->validate = validate_lookup(r->validate_name))) {
		snprintf(what, sizeof(what), "unknown validator '%.100s'",
			 r->validate_name);
		return load_fail(ld, node, what);
	}
	if (r->classify_name && !(r->classify = plain_lookup(r->classify_name))) {
		snprintf(what, sizeof(what), "unknown classify '%.100s'",
			 r->classify_name);
		return load_fail(ld, node, what);
	}
	for (i = 0; i < r->keywords.n; i++)
		if (!r->keywords.items[i][0])
			return load_fail(ld, node, "empty keyword");
	if (r->anchored && !r->keywords.n)
		return load_fail(ld, node, "an anchored rule needs 'keywords'");
	if (r->named && (!r->keywords.n || r->anchored))
		return load_fail(ld, node, "a named rule needs 'keywords' and "
				 "cannot be anchored");
	if ((rc = check_parts(ld, r, node)))
		return rc;
	if (rule_compile(r, ld->err))
		return load_fail_nested(ld, node);
	return r->re ? count_groups(ld, r, node, has_group) : 0;
}

/*
 * Fails on a key that already occurred earlier in the rule: a second list
 * would be parsed over the first.
 */
static int check_key_once(struct loader *ld, const yaml_node_t *node,
			  const yaml_node_pair_t *p)
{
	yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
	const char *key = scalar(k), *prev;
	const yaml_node_pair_t *q;
	char what[160];

	for (q = node->data.mapping.pairs.start; key && q < p; q++) {
		prev = scalar(yaml_document_get_node(ld->doc, q->key));
		if (!prev || strcmp(prev, key))
			continue;
		snprintf(what, sizeof(what), "duplicate key '%.100s'", key);
		return load_fail(ld, k, what);
	}
	return 0;
}

static int parse_rule(struct loader *ld, const yaml_node_t *node,
		      struct rule **out)
{
	struct rule *r = rule_new();
	yaml_node_pair_t *p;
	int has_group = 0, rc = 0;

	ld->rule_id = "?";
	if (!r)
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	r->window = RULE_DEFAULT_WINDOW;
	r->requires_window = RULE_DEFAULT_REQUIRES_WINDOW;
	r->severity = SEVERITY_HIGH;
	r->origin_line = (size_t)node->start_mark.line + 1;
	if (node->type != YAML_MAPPING_NODE) {
		rc = load_fail(ld, node, "a rule must be a mapping");
		goto done;
	}
	/* Find the id first so that every later message can name the rule. */
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(ld->doc, p->key));
		const char *v = scalar(yaml_document_get_node(ld->doc, p->value));
		if (k && v && !strcmp(k, "id"))
			ld->rule_id = v;
	}
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		if (!scalar(k)) {
			rc = load_fail(ld, k, "keys must be strings");
			goto done;
		}
		if ((rc = check_key_once(ld, node, p)) ||
		    (rc = set_field(ld, r, scalar(k), v, &has_group)))
			goto done;
	}
	if ((rc = compile_rule(ld, r, node, has_group)))
		goto done;
	if (!(r->origin = strdup(ld->filename)))
		rc = lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
done:
	if (rc) {
		rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- rule sets -------------------------------------------------------- */

static int set_append(struct rule_set *rs, struct rule *r)
{
	if (r->captures > rs->max_captures)
		rs->max_captures = r->captures;
	if (rs->n == rs->alloc) {
		size_t alloc = rs->alloc ? rs->alloc * 2 : 64;
		struct rule **grown = realloc(rs->rules, alloc * sizeof(*grown));
		if (!grown)
			return LG_ERR_NOMEM;
		rs->rules = grown;
		rs->alloc = alloc;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

/* Adds r, or puts it in place of the rule with its id. */
static int set_add(struct rule_set *rs, struct rule *r)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!strcmp(rs->rules[i]->id, r->id)) {
			if (r->captures > rs->max_captures)
				rs->max_captures = r->captures;
			rule_free(rs->rules[i]);
			rs->rules[i] = r;
			return 0;
		}
	}
	return set_append(rs, r);
}

static int check_unique(struct loader *ld, struct rule **rules, size_t n,
			const yaml_node_t *node)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (strcmp(rules[i]->id, rules[j]->id))
				continue;
			ld->rule_id = rules[j]->id;
			return load_fail(ld, node, "duplicate id in this file");
		}
	}
	return 0;
}

static const yaml_node_t *rules_node(struct loader *ld)
{
	yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	yaml_node_pair_t *p;

	if (!root || root->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(ld->doc, p->key));
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		if (k && !strcmp(k, "rules") && v->type == YAML_SEQUENCE_NODE)
			return v;
	}
	return NULL;
}

static int parse_document(struct loader *ld, struct rule_set *rs)
{
	const yaml_node_t *seq = rules_node(ld);
	struct rule **parsed = NULL;
	yaml_node_item_t *it;
	size_t n = 0, i;
	int rc = 0;

	if (!seq)
		return lg_error_set(ld->err, LG_ERR_PARSE,
				    "%s: expected a top-level 'rules:' list",
				    ld->filename);
	parsed = calloc((size_t)(seq->data.sequence.items.top -
				 seq->data.sequence.items.start) + 1,
			sizeof(*parsed));
	if (!parsed)
		return lg_error_set(ld->err, LG_ERR_NOMEM, "out of memory");
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		if ((rc = parse_rule(ld, yaml_document_get_node(ld->doc, *it),
				     &parsed[n])))
			goto done;
		n++;
	}
	if ((rc = check_unique(ld, parsed, n, seq)))
		goto done;
	for (i = 0; i < n; i++) {
		if ((rc = set_add(rs, parsed[i]))) {
			lg_error_set(ld->err, rc, "out of memory");
			goto done;
		}
		parsed[i] = NULL;
	}
done:
	for (i = 0; i < n; i++)
		rule_free(parsed[i]);
	free(parsed);
	return rc;
}

/*
 * Refuses collections nested deeper than RULES_MAX_DEPTH: libyaml's
 * scanner takes time quadratic in the depth (200,000 '[' take minutes).
 * Events come one at a time, so the check stops early on a deep file; a
 * syntax error is left for the load to report.
 */
static int check_depth(const char *text, size_t len, const char *filename,
		       struct lg_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !rc && yaml_parser_parse(&parser, &ev)) {
		done = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			 ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (depth > RULES_MAX_DEPTH)
			rc = lg_error_set(err, LG_ERR_PARSE, "%s:%zu: nested "
					  "deeper than %d levels", filename,
					  (size_t)ev.start_mark.line + 1,
					  RULES_MAX_DEPTH);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int rules_load_yaml(struct rule_set *rs, const char *text, size_t len,
		    const char *filename, struct lg_error *err)
{
	struct loader ld = { NULL, filename, "?", err };
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	if ((rc = check_depth(text, len, filename, err)))
		return rc;
	if (!yaml_parser_initialize(&parser))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = lg_error_set(err, LG_ERR_PARSE, "%s:%zu:%zu: YAML error: %s",
				  filename, (size_t)parser.problem_mark.line + 1,
				  (size_t)parser.problem_mark.column + 1,
				  parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return rc;
	}
	ld.doc = &doc;
	rc = parse_document(&ld, rs);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int rules_load_file(struct rule_set *rs, const char *path,
		    struct lg_error *err)
{
	struct buf text = BUF_INIT;
	int rc;

	rc = buf_read_file(&text, path, RULE_FILE_MAX, err);
	if (!rc)
		rc = rules_load_yaml(rs, text.ptr ? text.ptr : "", text.len, path,
				     err);
	buf_release(&text);
	return rc;
}

/* Moves file's rules into rs; an id two built-in files use is an error. */
static int take_file_rules(struct rule_set *rs, struct rule_set *file,
			   struct lg_error *err)
{
	const struct rule *twin;
	size_t i;
	int rc = 0;

	for (i = 0; i < file->n && !rc; i++) {
		if ((twin = rules_find(rs, file->rules[i]->id)))
			rc = lg_error_set(err, LG_ERR_PARSE,
					  "%s: rule '%s' is also in %s",
					  file->rules[i]->origin,
					  file->rules[i]->id, twin->origin);
		else if ((rc = set_append(rs, file->rules[i])))
			lg_error_set(err, rc, "out of memory");
		else
			file->rules[i] = NULL;
	}
	for (i = 0; i < file->n; i++)
		rule_free(file->rules[i]);
	file->n = 0;
	return rc;
}

int rules_load_builtin_files(struct rule_set *rs, struct lg_error *err)
{
	struct rule_set file = RULE_SET_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < builtin_rule_files_count && !rc; i++) {
		const struct builtin_rule_file *f = &builtin_rule_files[i];
		if (!(rc = rules_load_yaml(&file, f->text, f->len, f->name, err)))
			rc = take_file_rules(rs, &file, err);
	}
	rules_release(&file);
	return rc;
}

/* ---- built-in rules, parsed by the build ------------------------------ */

/*
 * A rule over a stored one: its text stays in the binary (borrowed), only
 * what is compiled or resolved at run time is the rule's own.
 */
static void borrow_rule(struct rule *r, const struct rule *b)
{
	struct rule_lazy *lazy = r->lazy;

	*r = *b;
	r->lazy = lazy;
	r->borrowed = 1;
}

static int load_stored(struct rule_set *rs, const struct rule *b, int fresh,
		       struct lg_error *err)
{
	struct rule *r = rule_new();

	if (r)
		borrow_rule(r, b);
	if (!r || (fresh ? set_append(rs, r) : set_add(rs, r))) {
		rule_free(r);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	/* The build resolved these names with this same code. */
	if (r->parser_name)
		r->parser = credstore_lookup(r->parser_name);
	if (r->validate_name)
		r->validate = validate_lookup(r->validate_name);
	if (r->classify_name)
		r->classify = plain_lookup(r->classify_name);
	if ((r->parser_name && !r->parser) || (r->validate_name && !r->validate) ||
	    (r->classify_name && !r->classify))
		return lg_error_set(err, LG_ERR_PARSE,
				    "%s: rule '%s': unknown parser, validator or classify",
				    r->origin, r->id);
	return 0;
}

int rules_load_builtin(struct rule_set *rs, struct lg_error *err)
{
	/* Built-in ids are unique (the build loaded them with set_add()). */
	int fresh = !rs->n;
	size_t i;
	int rc;

	for (i = 0; i < builtin_rules_count; i++)
		if ((rc = load_stored(rs, &builtin_rules[i], fresh, err)))
			return rc;
	return 0;
}

/* Resolves one rule's `requires`; the caller holds no thread yet. */
static int link_rule(const struct rule_set *rs, const struct rule *r,
		     int strict, struct lg_error *err)
{
	struct rule_lazy *l = r->lazy;
	size_t i;

	l->n_companions = 0;
	for (i = 0; i < r->requires.n; i++) {
		const struct rule *c = rules_find(rs, r->requires.items[i]);
		if (!c && !strict)
			continue;
		/* A part is looked for anywhere in a window: a plain pattern. */
		if (!c || c == r || c->parser || c->anchored)
			return lg_error_set(err, LG_ERR_PARSE,
					    "%s:%zu: rule '%s' requires '%s': %s",
					    r->origin, r->origin_line, r->id,
					    r->requires.items[i],
					    !c ? "no such rule"
					    : c == r ? "itself"
					    : "a parser or anchored rule");
		l->companions[l->n_companions++] = c;
	}
	return 0;
}

int rules_link(const struct rule_set *rs, int strict, struct lg_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < rs->n; i++)
		if ((rc = link_rule(rs, rs->rules[i], strict, err)))
			return rc;
	return 0;
}

const struct rule *const *rules_companions(const struct rule *r, size_t *n)
{
	*n = r->lazy->n_companions;
	return r->lazy->companions;
}

const struct rule *rules_find(const struct rule_set *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i]->id, id))
			return rs->rules[i];
	return NULL;
}

int rules_remove(struct rule_set *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i]->id, id))
			continue;
		rule_free(rs->rules[i]);
		memmove(rs->rules + i, rs->rules + i + 1,
			(rs->n - i - 1) * sizeof(*rs->rules));
		rs->n--;
		return 0;
	}
	return -1;
}

void rules_drop_verify(struct rule_set *rs, const char *origin)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->rules[i]->origin && !strcmp(rs->rules[i]->origin, origin))
			string_list_release(&rs->rules[i]->verify);
}

void rules_release(struct rule_set *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	rs->rules = NULL;
	rs->n = rs->alloc = 0;
	rs->max_captures = 0;
}
