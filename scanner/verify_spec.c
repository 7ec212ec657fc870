#include "verify_spec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "verify.h"
#include "banned.h"

static const char *const spec_keys[] = { "method", "url", "headers", "body",
					 "basic-user", "basic-password",
					 "live", "invalid", "live-body",
					 "fields" };

/* The value of item "key=value" when its key is key, else NULL. */
static const char *item_value(const char *item, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(item, key, n) && item[n] == '=' ? item + n + 1 : NULL;
}

static const char *spec_get(const struct string_list *spec, const char *key)
{
	const char *v;
	size_t i;

	for (i = 0; i < spec->n; i++)
		if ((v = item_value(spec->items[i], key)))
			return v;
	return NULL;
}

static int known_key(const char *item)
{
	size_t i;

	for (i = 0; i < sizeof(spec_keys) / sizeof(spec_keys[0]); i++)
		if (item_value(item, spec_keys[i]))
			return 1;
	return 0;
}

static int valid_status(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return !*end && v >= 100 && v <= 599;
}

int verify_spec_check(const struct string_list *spec, struct lg_error *err)
{
	const char *url = spec_get(spec, "url"), *v;
	size_t i;

	for (i = 0; i < spec->n; i++) {
		if (!known_key(spec->items[i]))
			return lg_error_set(err, LG_ERR_PARSE,
					    "verify: unknown key in '%.60s' (keys: %s)",
					    spec->items[i], VERIFY_SPEC_KEYS);
		if (((v = item_value(spec->items[i], "live")) ||
		     (v = item_value(spec->items[i], "invalid"))) &&
		    !valid_status(v))
			return lg_error_set(err, LG_ERR_PARSE,
					    "verify: '%.20s' is not an HTTP status", v);
	}
	if (!url || strncmp(url, "https://", 8))
		return lg_error_set(err, LG_ERR_PARSE,
				    "verify: needs an https 'url'");
	if (!spec_get(spec, "live"))
		return lg_error_set(err, LG_ERR_PARSE,
				    "verify: needs 'live' statuses");
	return 0;
}

/* ---- templates --------------------------------------------------------- */

/* Base64 of user:password (secret: with password NULL). */
static int add_basic(struct buf *b, const char *user, const char *password)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf raw = BUF_INIT;
	size_t i;
	unsigned v;
	int rc = 0;

	if (buf_adds(&raw, user) || buf_addch(&raw, ':') ||
	    (password && buf_adds(&raw, password)))
		rc = -1;
	for (i = 0; !rc && i < raw.len; i += 3) {
		const unsigned char *p = (const unsigned char *)raw.ptr + i;
		size_t left = raw.len - i;
		v = (unsigned)p[0] << 16 | (left > 1 ? (unsigned)p[1] << 8 : 0) |
		    (left > 2 ? p[2] : 0);
		rc |= buf_addch(b, digits[v >> 18 & 63]);
		rc |= buf_addch(b, digits[v >> 12 & 63]);
		rc |= buf_addch(b, left > 1 ? digits[v >> 6 & 63] : '=');
		rc |= buf_addch(b, left > 2 ? digits[v & 63] : '=');
	}
	buf_release(&raw);
	return rc ? -1 : 0;
}

static int add_percent(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			rc = buf_addch(b, (char)c);
		else
			rc = buf_addch(b, '%') || buf_addch(b, hex[c >> 4]) ||
			     buf_addch(b, hex[c & 15]);
	}
	return rc ? -1 : 0;
}

/* The secret of f's part found by rule id (id_len bytes), or "". */
static const char *part_of(const struct finding *f, const char *id,
			   size_t id_len)
{
	size_t i;

	for (i = 0; i < f->n_parts; i++)
		if (strlen(f->parts[i].rule->id) == id_len &&
		    !strncmp(f->parts[i].rule->id, id, id_len))
			return f->parts[i].secret;
	return "";
}

static int add_value(struct buf *b, const char *v, int in_url)
{
	return in_url ? add_percent(b, v) : buf_adds(b, v);
}

/* tmpl with {secret}, {part:ID}, {secret_basic} filled in; NULL: out of memory. */
static char *expand(const char *tmpl, const struct finding *f, int in_url)
{
	struct buf b = BUF_INIT;
	const char *p = tmpl, *end;
	int rc = 0;

	while (*p && !rc) {
		if (!strncmp(p, "{secret}", 8)) {
			rc = add_value(&b, f->secret, in_url);
			p += 8;
		} else if (!strncmp(p, "{part:", 6) && (end = strchr(p, '}'))) {
			rc = add_value(&b, part_of(f, p + 6, (size_t)(end - p - 6)),
				       in_url);
			p = end + 1;
		} else if (!strncmp(p, "{secret_basic}", 14)) {
			rc = add_basic(&b, f->secret, NULL);
			p += 14;
		} else {
			rc = buf_addch(&b, *p++);
		}
	}
	if (rc || buf_addch(&b, '\0')) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* ---- the exchange ------------------------------------------------------ */

static int status_listed(const struct string_list *spec, const char *key,
			 long status)
{
	const char *v;
	size_t i;

	for (i = 0; i < spec->n; i++)
		if ((v = item_value(spec->items[i], key)) && atol(v) == status)
			return 1;
	return 0;
}

/* "a, b, c" of an array's strings (GitLab's scopes), cut to len. */
static void join_strings(json_t *arr, char *out, size_t len)
{
	size_t i, used = 0;
	json_t *s;

	out[0] = '\0';
	json_array_foreach(arr, i, s) {
		if (!json_is_string(s) || used >= len)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 used ? ", " : "", json_string_value(s));
	}
}

/* A dotted path ("team.name") into a JSON object, as text. */
static void add_field(struct verification *out, json_t *root, const char *path)
{
	char part[128], text[256];
	const char *p = path, *dot;
	json_t *j = root;

	while (j && *p) {
		dot = strchr(p, '.');
		snprintf(part, sizeof(part), "%.*s",
			 (int)(dot ? (size_t)(dot - p) : strlen(p)), p);
		j = json_is_object(j) ? json_object_get(j, part) : NULL;
		p = dot ? dot + 1 : "";
	}
	if (json_is_string(j))
		snprintf(text, sizeof(text), "%s", json_string_value(j));
	else if (json_is_integer(j))
		snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(j));
	else if (json_is_boolean(j))
		snprintf(text, sizeof(text), "%s", json_is_true(j) ? "true" : "false");
	else if (json_is_array(j))
		join_strings(j, text, sizeof(text));
	else
		return;
	verify_fact(&out->facts, path, text);
}

static void judge(struct verification *out, const struct string_list *spec,
		  const struct http_response *res)
{
	const char *must = spec_get(spec, "live-body");
	json_t *root;
	size_t i;
	const char *v;

	if (status_listed(spec, "live", res->status) &&
	    (!must || (res->body.ptr && memmem(res->body.ptr, res->body.len,
					       must, strlen(must))))) {
		out->state = VERIFY_LIVE;
		root = json_loadb(res->body.ptr ? res->body.ptr : "",
				  res->body.len, 0, NULL);
		for (i = 0; root && i < spec->n; i++)
			if ((v = item_value(spec->items[i], "fields")))
				add_field(out, root, v);
		json_decref(root);
	} else if (status_listed(spec, "invalid", res->status) ||
		   status_listed(spec, "live", res->status)) {
		out->state = VERIFY_INVALID;
	} else {
		verify_unexpected(out, res->status);
	}
}

/* "Authorization: Basic ..." from basic-user / basic-password, or NULL. */
static char *basic_header(const struct string_list *spec,
			  const struct finding *f, int *failed)
{
	const char *u = spec_get(spec, "basic-user");
	const char *pw = spec_get(spec, "basic-password");
	char *user = NULL, *password = NULL;
	struct buf b = BUF_INIT;

	if (!u)
		return NULL;
	user = expand(u, f, 0);
	password = expand(pw ? pw : "", f, 0);
	if (!user || !password || buf_adds(&b, "Authorization: Basic ") ||
	    add_basic(&b, user, password) || buf_addch(&b, '\0')) {
		buf_release(&b);
		*failed = 1;
	}
	free(user);
	free(password);
	return b.ptr ? buf_detach(&b) : NULL;
}

int verify_spec_run(struct verification *out, const struct finding *f,
		    const struct http_options *o)
{
	const struct rule *r = f->rule;
	int failed = 0;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct string_list headers = { NULL, 0 };
	struct lg_error err = LG_ERROR_INIT;
	const char *method = spec_get(&r->verify, "method"), *v;
	char *url = expand(spec_get(&r->verify, "url"), f, 1), *body = NULL;
	size_t i;
	int rc = 0;

	headers.items = calloc(r->verify.n + 2, sizeof(char *));
	if ((v = spec_get(&r->verify, "body")))
		body = expand(v, f, 0);
	if (!url || !headers.items || (v && !body)) {
		rc = LG_ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < r->verify.n; i++)
		if ((v = item_value(r->verify.items[i], "headers")) &&
		    !(headers.items[headers.n++] = expand(v, f, 0))) {
			rc = LG_ERR_NOMEM;
			goto done;
		}
	if ((headers.items[headers.n] = basic_header(&r->verify, f, &failed)))
		headers.n++;
	if (failed) {
		rc = LG_ERR_NOMEM;
		goto done;
	}
	if (http_request(&res, method ? method : "GET", url, &headers, body,
			 o, &err)) {
		out->state = VERIFY_ERROR;
		verify_fact(&out->facts, "error", err.msg);
	} else {
		judge(out, &r->verify, &res);
	}
done:
	for (i = 0; i < headers.n; i++)
		free(headers.items[i]);
	free(headers.items);
	free(url);
	free(body);
	http_response_release(&res);
	return rc;
}
