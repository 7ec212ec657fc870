#include "report_json.h"

#include <string.h>

#include "error.h"
#include "forge.h"
#include "banned.h"

json_t *report_json_string(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	json_t *j;

	report_utf8(&b, s, len);
	j = json_stringn(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? report_json_string(s, strlen(s)) : json_null();
}

/* The forge's pages of l's commit and line, when the remote is known. */
static void forge_json(json_t *j, const struct location *l,
		       const struct report_options *o)
{
	struct buf url = BUF_INIT;

	if (!o->forge)
		return;
	if (!forge_commit_url(&url, o->forge, l->commit))
		json_object_set_new(j, "commit_url", json_stringn(url.ptr, url.len));
	buf_reset(&url);
	if (!forge_line_url(&url, o->forge, l->commit, l->path, l->line))
		json_object_set_new(j, "url", json_stringn(url.ptr, url.len));
	buf_release(&url);
}

static json_t *location_json(const struct location *l,
			     const struct report_options *o)
{
	json_t *j = json_object();
	char when[32];

	json_object_set_new(j, "path", report_json_string(l->path, strlen(l->path)));
	json_object_set_new(j, "line", json_integer((json_int_t)l->line));
	json_object_set_new(j, "column", json_integer((json_int_t)l->column));
	if (!l->commit)
		return j;
	report_time(when, sizeof(when), (long long)l->author_time);
	json_object_set_new(j, "commit", str_or_null(l->commit));
	json_object_set_new(j, "author", str_or_null(l->author_name));
	json_object_set_new(j, "email", str_or_null(l->author_email));
	json_object_set_new(j, "date", json_string(when));
	if (l->subject)
		json_object_set_new(j, "commit_subject", str_or_null(l->subject));
	forge_json(j, l, o);
	return j;
}

/* "key=value" lines as an object of strings. */
static json_t *facts_json(const char *facts)
{
	json_t *j = json_object();
	const char *p = facts, *eol, *eq;
	char key[128];

	for (; p && *p; p = eol + 1) {
		if (!(eol = strchr(p, '\n')))
			break;
		if (!(eq = memchr(p, '=', (size_t)(eol - p))))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		json_object_set_new(j, key, report_json_string(eq + 1,
							       (size_t)(eol - eq - 1)));
	}
	return j;
}

/* The further parts of a credential in parts, each where it was found. */
static json_t *parts_json(const struct finding *f,
			  const struct report_options *o)
{
	json_t *arr = json_array();
	struct buf secret = BUF_INIT;
	size_t i;

	for (i = 0; arr && i < f->n_parts; i++) {
		const struct finding_part *p = &f->parts[i];
		buf_reset(&secret);
		report_secret_bytes(&secret, p->secret, p->secret_len, o);
		json_array_append_new(arr, json_pack(
			"{s:s, s:o, s:I, s:I}", "rule", p->rule->id,
			"secret", report_json_string(secret.ptr ? secret.ptr : "",
						     secret.len),
			"line", (json_int_t)p->line,
			"column", (json_int_t)p->column));
	}
	buf_release(&secret);
	return arr;
}

/* The rule's remediation line and reference pages, when it has them. */
static void guidance_json(json_t *j, const struct rule *r)
{
	json_t *refs;
	size_t i;

	if (r->remediation)
		json_object_set_new(j, "remediation", str_or_null(r->remediation));
	if (!r->references.n)
		return;
	refs = json_array();
	for (i = 0; i < r->references.n; i++)
		json_array_append_new(refs, str_or_null(r->references.items[i]));
	json_object_set_new(j, "references", refs);
}

json_t *report_json_finding(const struct finding *f,
			    const struct report_options *o)
{
	json_t *j = json_object(), *loc, *more;
	struct buf secret = BUF_INIT;
	size_t i;

	if (!j)
		return NULL;
	report_secret(&secret, f, o);
	json_object_set_new(j, "rule", json_string(f->rule->id));
	json_object_set_new(j, "name", report_json_string(f->rule->name,
							  strlen(f->rule->name)));
	json_object_set_new(j, "severity", json_string(severity_name(f->rule->severity)));
	json_object_set_new(j, "confidence", json_string(confidence_name(f->confidence)));
	json_object_set_new(j, "secret", report_json_string(secret.ptr, secret.len));
	json_object_set_new(j, "redacted", json_boolean(!o->show_secrets));
	json_object_set_new(j, "fingerprint", json_string(f->fingerprint));
	if (f->detail)
		json_object_set_new(j, "detail", str_or_null(f->detail));
	if (f->n_parts)
		json_object_set_new(j, "companions", parts_json(f, o));
	if (f->n_decoded) {
		json_t *chain = json_array();
		for (i = 0; i < f->n_decoded; i++)
			json_array_append_new(chain, json_string(f->decoded[i]));
		json_object_set_new(j, "decoded", chain);
	}
	loc = location_json(&f->where, o);
	json_object_update(j, loc);
	json_decref(loc);
	if (f->status == FINDING_BASELINE)
		json_object_set_new(j, "baseline", json_true());
	if (f->git_ignored)
		json_object_set_new(j, "git_ignored", json_true());
	if (f->context)
		json_object_set_new(j, "line_context", str_or_null(f->context));
	if (f->at_head >= 0)
		json_object_set_new(j, "at_head", json_boolean(f->at_head));
	if (f->triage)
		json_object_set_new(j, "triage", json_string(f->triage));
	if (f->lifecycle)
		json_object_set_new(j, "lifecycle", facts_json(f->lifecycle));
	if (f->verified.state != VERIFY_UNCHECKED) {
		json_object_set_new(j, "verification",
				    json_string(verify_state_name(f->verified.state)));
		json_object_set_new(j, "verification_details",
				    facts_json(f->verified.facts));
	}
	if (f->more_count)
		json_object_set_new(j, "more_locations", json_integer((json_int_t)f->more_count));
	if (f->n_more) {
		more = json_array();
		for (i = 0; i < f->n_more; i++)
			json_array_append_new(more, location_json(&f->more[i], o));
		json_object_set_new(j, "locations", more);
	}
	guidance_json(j, f->rule);
	buf_release(&secret);
	return j;
}

static int dump(FILE *out, json_t *j, size_t flags, struct lg_error *err)
{
	if (!j)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (json_dumpf(j, out, flags) || fputc('\n', out) == EOF)
		return report_write_failed(err);
	return 0;
}

int report_json(FILE *out, const struct finding_list *l,
		const struct report_options *o, struct lg_error *err)
{
	json_t *arr = json_array();
	size_t i;
	int rc;

	for (i = 0; arr && i < l->n; i++)
		json_array_append_new(arr, report_json_finding(l->items[i], o));
	rc = dump(out, arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
	json_decref(arr);
	return rc;
}

int report_jsonl(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && !rc; i++) {
		json_t *j = report_json_finding(l->items[i], o);
		rc = dump(out, j, JSON_COMPACT | JSON_PRESERVE_ORDER, err);
		json_decref(j);
	}
	return rc;
}
