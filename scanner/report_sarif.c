#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report_json.h"
#include "banned.h"

/*
 * SARIF 2.1.0 as GitHub code scanning reads it: one run whose driver lists
 * every rule that has a result (with the descriptions and help GitHub
 * requires), results with a region, the fingerprint as partialFingerprints
 * (so alerts follow a secret across line moves) and the provenance as
 * properties.
 */

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define FINGERPRINT_KEY "leakgate/v1"

/* The rules that have results, in order of first appearance. */
struct sarif_rules {
	const struct rule **items;
	size_t n;
};

static const char *sarif_level(enum severity s)
{
	if (s >= SEVERITY_HIGH)
		return "error";
	return s == SEVERITY_MEDIUM ? "warning" : "note";
}

/* GitHub's scale: 9.0+ critical, 7.0+ high, 4.0+ medium, else low. */
static const char *security_severity(enum severity s)
{
	static const char *const scores[] = { "2.0", "5.5", "8.0", "9.5" };

	return scores[s];
}

static json_t *text_object(const char *text)
{
	return json_pack("{s:o}", "text",
			 report_json_string(text, strlen(text)));
}

/* "github-pat-classic" -> "GithubPatClassic", the form SARIF names take. */
static json_t *pascal_name(const char *id)
{
	struct buf b = BUF_INIT;
	int upper = 1;
	json_t *j;

	for (; *id; id++) {
		if (*id == '-' || *id == '_' || *id == '.' || *id == ' ') {
			upper = 1;
			continue;
		}
		if (upper && *id >= 'a' && *id <= 'z')
			buf_addch(&b, (char)(*id - 'a' + 'A'));
		else
			buf_addch(&b, *id);
		upper = 0;
	}
	j = report_json_string(b.ptr ? b.ptr : "", b.len);
	buf_release(&b);
	return j;
}

/* The rule's remediation (or one line naming the fix) and its references. */
static json_t *sarif_help(const struct rule *r)
{
	struct buf text = BUF_INIT, md = BUF_INIT;
	size_t i;
	json_t *j;

	if (r->remediation)
		buf_adds(&text, r->remediation);
	else
		buf_addf(&text, "Revoke the %s at its issuer, then remove it "
			 "from the code.", r->name);
	buf_add(&md, text.ptr, text.len);
	for (i = 0; i < r->references.n; i++)
		buf_addf(&md, "%s- <%s>", i ? "\n" : "\n\n",
			 r->references.items[i]);
	j = json_pack("{s:o, s:o}", "text",
		      report_json_string(text.ptr, text.len), "markdown",
		      report_json_string(md.ptr, md.len));
	buf_release(&text);
	buf_release(&md);
	return j;
}

static json_t *sarif_rule(const struct rule *r)
{
	json_t *j;

	j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:s}, s:{s:[s,s,s], s:s}}",
		      "id", r->id, "name", pascal_name(r->id),
		      "shortDescription", text_object(r->name),
		      "fullDescription", text_object(r->name),
		      "help", sarif_help(r),
		      "defaultConfiguration", "level", sarif_level(r->severity),
		      "properties", "tags", "security", "secret",
		      "external/cwe/cwe-798",
		      "security-severity", security_severity(r->severity));
	/* helpUri must be an absolute URI: a reference that is not is text. */
	if (j && r->references.n &&
	    (!strncmp(r->references.items[0], "https://", 8) ||
	     !strncmp(r->references.items[0], "http://", 7)))
		json_object_set_new(j, "helpUri",
				    json_string(r->references.items[0]));
	return j;
}

/* The index of r in the rules list, adding it when new; -1: no memory. */
static long rules_index(struct sarif_rules *rs, const struct rule *r)
{
	const struct rule **grown;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->items[i] == r)
			return (long)i;
	grown = realloc((void *)rs->items, (rs->n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	rs->items = grown;
	rs->items[rs->n] = r;
	return (long)rs->n++;
}

/* RFC 3986: every byte but the unreserved ones and '/' is %-escaped. */
static void uri_escape(struct buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)path;

	while (!strncmp((const char *)p, "./", 2))
		p += 2;
	if (*p == '/')
		buf_adds(b, "file://");
	for (; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			buf_addch(b, (char)*p);
			continue;
		}
		buf_addch(b, '%');
		buf_addch(b, hex[*p >> 4]);
		buf_addch(b, hex[*p & 15]);
	}
}

/* The region a secret of len bytes spans when it starts at l. */
static json_t *sarif_region(const struct location *l, const char *secret,
			    size_t len)
{
	const char *last_nl = memrchr(secret, '\n', len);
	size_t lines = 0, i, end_column;

	for (i = 0; i < len; i++)
		lines += secret[i] == '\n';
	end_column = last_nl ? len - (size_t)(last_nl - secret)
			     : l->column + len;
	return json_pack("{s:I, s:I, s:I, s:I}",
			 "startLine", (json_int_t)l->line,
			 "startColumn", (json_int_t)(l->column ? l->column : 1),
			 "endLine", (json_int_t)(l->line + lines),
			 "endColumn", (json_int_t)end_column);
}

static json_t *sarif_location(const struct location *l, const char *secret,
			      size_t len)
{
	struct buf uri = BUF_INIT;
	json_t *j;

	uri_escape(&uri, l->path);
	j = json_pack("{s:{s:{s:s}, s:o}}", "physicalLocation",
		      "artifactLocation", "uri", uri.ptr ? uri.ptr : "",
		      "region", sarif_region(l, secret, len));
	buf_release(&uri);
	return j;
}

/* " (commit abc123456789 by Name on 2024-01-01T00:00:00Z)", raw bytes. */
static void provenance_text(struct buf *b, const struct location *l)
{
	char when[32];

	if (!l->commit)
		return;
	report_time(when, sizeof(when), (long long)l->author_time);
	buf_addf(b, " (commit %.12s by %s on %s)", l->commit,
		 l->author_name ? l->author_name : "?", when);
}

/* Appends loc to arr with the next id and msg as its message. */
static void related_add(json_t *arr, json_t *loc, const struct buf *msg)
{
	json_object_set_new(loc, "id",
			    json_integer((json_int_t)json_array_size(arr) + 1));
	json_object_set_new(loc, "message", json_pack("{s:o}", "text",
			    report_json_string(msg->ptr, msg->len)));
	json_array_append_new(arr, loc);
}

/*
 * Further places of the same secret, each saying where it came from, and
 * the companions of a credential in parts.
 */
static json_t *sarif_related(const struct finding *f)
{
	json_t *arr = json_array();
	struct buf msg = BUF_INIT;
	size_t i;

	for (i = 0; arr && i < f->n_more; i++) {
		json_t *loc = sarif_location(&f->more[i], f->secret,
					     f->secret_len);
		buf_reset(&msg);
		buf_adds(&msg, "The same secret");
		provenance_text(&msg, &f->more[i]);
		related_add(arr, loc, &msg);
	}
	for (i = 0; arr && i < f->n_parts; i++) {
		const struct finding_part *p = &f->parts[i];
		struct location at = f->where;
		at.line = p->line;
		at.column = p->column;
		buf_reset(&msg);
		buf_addf(&msg, "Its companion (%s)", p->rule->id);
		related_add(arr, sarif_location(&at, p->secret, p->secret_len),
			    &msg);
	}
	buf_release(&msg);
	return arr;
}

/* Rule, severity, confidence and provenance, as the JSON report has them. */
static json_t *sarif_properties(const struct finding *f,
				const struct report_options *o)
{
	static const char *const keys[] = {
		"severity", "confidence", "detail", "commit", "author", "email",
		"date", "more_locations", "baseline", "git_ignored",
		"commit_subject", "commit_url", "url", "line_context", "at_head",
		"verification", "verification_details", "triage", "lifecycle",
		"decoded",
	};
	json_t *all = report_json_finding(f, o), *props = json_object();
	size_t i;

	for (i = 0; all && props && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(all, keys[i]);
		if (v)
			json_object_set(props, keys[i], v);
	}
	json_decref(all);
	return props;
}

static json_t *sarif_message(const struct finding *f,
			     const struct report_options *o)
{
	struct buf msg = BUF_INIT;
	json_t *j;

	buf_addf(&msg, "%s: ", f->rule->name);
	report_secret(&msg, f, o);
	provenance_text(&msg, &f->where);
	if (f->more_count)
		buf_addf(&msg, "; %zu more places", f->more_count);
	if (f->status == FINDING_BASELINE)
		buf_adds(&msg, "; known from the baseline");
	j = json_pack("{s:o}", "text", report_json_string(msg.ptr, msg.len));
	buf_release(&msg);
	return j;
}

static json_t *sarif_result(const struct finding *f, long rule_index,
			    const struct report_options *o, int baseline)
{
	json_t *j = json_pack("{s:s, s:i, s:s, s:o, s:[o], s:{s:s}}",
			      "ruleId", f->rule->id,
			      "ruleIndex", (int)rule_index,
			      "level", sarif_level(f->rule->severity),
			      "message", sarif_message(f, o),
			      "locations", sarif_location(&f->where, f->secret,
							   f->secret_len),
			      "partialFingerprints",
			      FINGERPRINT_KEY, f->fingerprint);

	if (j && (f->n_more || f->n_parts))
		json_object_set_new(j, "relatedLocations", sarif_related(f));
	if (j && baseline)
		json_object_set_new(j, "baselineState", json_string(
			f->status == FINDING_BASELINE ? "unchanged" : "new"));
	if (j)
		json_object_set_new(j, "properties", sarif_properties(f, o));
	return j;
}

/* baselineState is given for every result, or (without a baseline) none. */
static int any_baseline(const struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i]->status == FINDING_BASELINE)
			return 1;
	return 0;
}

static json_t *sarif_log(json_t *rules, json_t *results,
			 const struct report_options *o)
{
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:o}]}",
			 "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
			 "tool", "driver", "name", "leakgate",
			 "version", o->version, "rules", rules, "results", results);
}

int report_sarif(FILE *out, const struct finding_list *l,
		 const struct report_options *o, struct lg_error *err)
{
	struct sarif_rules rs = { NULL, 0 };
	json_t *results = json_array(), *rules = json_array(), *log;
	int baseline = any_baseline(l), ok = results && rules;
	size_t i;

	for (i = 0; ok && i < l->n; i++) {
		long idx = rules_index(&rs, l->items[i]->rule);
		json_t *res = idx < 0 ? NULL : sarif_result(l->items[i], idx, o,
							    baseline);
		ok = res && !json_array_append_new(results, res);
	}
	for (i = 0; ok && i < rs.n; i++)
		ok = !json_array_append_new(rules, sarif_rule(rs.items[i]));
	free((void *)rs.items);
	log = sarif_log(rules, results, o);
	if (!ok || !log) {
		json_decref(log);
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	}
	ok = !json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) &&
	     fputc('\n', out) != EOF;
	json_decref(log);
	return ok ? 0 : report_write_failed(err);
}
