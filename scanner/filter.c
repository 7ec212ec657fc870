#include "filter.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "worktree.h"
#include "banned.h"

#define IGNORE_FILE_NAME ".leakgateignore"
#define IGNORE_FILE_MAX (16u << 20)
#define BASELINE_FILE_MAX (1024u << 20)

/* ---- the ignore root ---- */

int filter_ignore_root(char **out, const char *start, struct lg_error *err)
{
	struct worktree wt = WORKTREE_INIT;
	struct stat st;
	char *abs = realpath(start, NULL);
	int rc;

	*out = NULL;
	if (!abs)
		return lg_error_errno(err, errno, "%s", start);
	if (!stat(abs, &st) && !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(abs, '/');
		slash[slash == abs] = '\0';	/* "/f" keeps its "/" */
	}
	rc = worktree_find(&wt, abs, err);
	if (rc > 0) {
		free(abs);
		abs = wt.root;
		wt.root = NULL;
	}
	worktree_release(&wt);
	if (rc < 0) {
		free(abs);
		return rc;
	}
	*out = abs;
	return 0;
}

/* ---- parsing ---- */

static int is_fingerprint(const char *s, size_t len)
{
	return len == FINGERPRINT_HEX &&
	       strspn(s, "0123456789abcdefABCDEF") == FINGERPRINT_HEX;
}

static void fingerprint_copy(char out[FINGERPRINT_HEX + 1], const char *s)
{
	size_t i;

	for (i = 0; i < FINGERPRINT_HEX; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a'
							     : s[i]);
	out[FINGERPRINT_HEX] = '\0';
}

static int days_in_month(int year, int month)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
}

/* Checks "YYYY-MM-DD" (a real calendar date) and copies it to out. */
static int parse_date(const char *s, char out[11])
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
	    strspn(s + 8, "0123456789") != 2)
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	memcpy(out, s, 11);
	return 0;
}

/* Skips blanks; cuts the next blank-separated word out of *p, or NULL. */
static char *next_word(char **p)
{
	char *w = *p + strspn(*p, " \t");
	size_t n = strcspn(w, " \t");

	*p = w + n;
	if (!n)
		return NULL;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

static char *trimmed_copy(const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n ? strndup(s, n) : NULL;
}

/* The words after the fingerprint: a glob, expires=DATE, "# reason". */
static int parse_options(struct ignore_entry *e, char *p, struct lg_error *err)
{
	char *w;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '#') {
			e->reason = trimmed_copy(p + 1);
			return 0;
		}
		if (!(w = next_word(&p)))
			return 0;
		if (!strncmp(w, "expires=", 8)) {
			if (e->expires[0] || parse_date(w + 8, e->expires))
				return lg_error_set(err, LG_ERR_PARSE,
					"expires= takes one date, YYYY-MM-DD");
		} else if (e->glob) {
			return lg_error_set(err, LG_ERR_PARSE, "more than one "
					    "path glob (write a space as '?')");
		} else if (!(e->glob = strdup(w))) {
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		}
	}
}

static void entry_release(struct ignore_entry *e)
{
	free(e->glob);
	free(e->reason);
}

static int entries_add(struct filter *f, const struct ignore_entry *e)
{
	struct ignore_entry *grown;

	grown = realloc(f->entries, (f->n_entries + 1) * sizeof(*grown));
	if (!grown)
		return LG_ERR_NOMEM;
	f->entries = grown;
	f->entries[f->n_entries++] = *e;
	return 0;
}

/* One NUL-terminated line, without its end of line. */
static int parse_ignore_line(struct filter *f, char *line, size_t lineno,
			     const char *today, struct lg_error *err)
{
	struct ignore_entry e;
	char *p = line, *w;
	int rc;

	memset(&e, 0, sizeof(e));
	p += strspn(p, " \t");
	if (!*p || *p == '#')
		return 0;
	w = next_word(&p);
	if (!is_fingerprint(w, strlen(w)))
		return lg_error_set(err, LG_ERR_PARSE,
			"the first word must be a fingerprint (32 hex digits)");
	fingerprint_copy(e.fingerprint, w);
	e.line = lineno;
	rc = parse_options(&e, p, err);
	e.expired = e.expires[0] && strcmp(today, e.expires) >= 0;
	if (!rc && entries_add(f, &e))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (rc)
		entry_release(&e);
	return rc;
}

int filter_parse_ignores(struct filter *f, const char *path, const char *text,
			 size_t len, const char *today, struct lg_error *err)
{
	struct buf line = BUF_INIT;
	size_t pos = 0, lineno = 0;
	int rc = 0;

	free(f->ignore_path);
	if (!(f->ignore_path = strdup(path)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;	/* a byte order mark some editors write */
	while (pos < len && !rc) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;

		lineno++;
		buf_reset(&line);
		buf_add(&line, text + pos,
			n && text[pos + n - 1] == '\r' ? n - 1 : n);
		pos += n + 1;
		if (memchr(line.ptr, '\0', line.len))
			rc = lg_error_set(err, LG_ERR_PARSE, "a NUL byte");
		else
			rc = parse_ignore_line(f, line.ptr, lineno, today, err);
	}
	if (rc)
		lg_error_prefix(err, "%s:%zu", path, lineno);
	buf_release(&line);
	return rc;
}

static void today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int filter_load_ignores(struct filter *f, const char *root, const char *path,
			struct lg_error *err)
{
	struct buf text = BUF_INIT, def = BUF_INIT;
	struct stat st;
	char today[11];
	int rc;

	free(f->root);
	if (!(f->root = strdup(root)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!path) {
		buf_addf(&def, "%s/%s", root, IGNORE_FILE_NAME);
		path = def.ptr;
		if (stat(path, &st) && errno == ENOENT) {
			buf_release(&def);
			return 0;
		}
	}
	today_utc(today);
	rc = buf_read_file(&text, path, IGNORE_FILE_MAX, err);
	if (!rc)
		rc = filter_parse_ignores(f, path, text.ptr ? text.ptr : "",
					  text.len, today, err);
	buf_release(&text);
	buf_release(&def);
	return rc;
}

/* ---- the baseline ---- */

static int baseline_add(struct filter *f, json_t *finding, const char *path,
			size_t lineno, struct lg_error *err)
{
	json_t *v = json_object_get(finding, "fingerprint");
	const char *fp = json_string_value(v);
	char (*grown)[FINGERPRINT_HEX + 1];

	if (!fp || !is_fingerprint(fp, strlen(fp))) {
		if (lineno)
			return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: a "
					    "finding without a fingerprint",
					    path, lineno);
		return lg_error_set(err, LG_ERR_PARSE, "%s: a finding without "
				    "a fingerprint (not a leakgate JSON "
				    "report)", path);
	}
	grown = realloc(f->baseline, (f->n_baseline + 1) * sizeof(*grown));
	if (!grown)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	f->baseline = grown;
	fingerprint_copy(f->baseline[f->n_baseline++], fp);
	return 0;
}

/* A whole document: an array of findings, or one finding. */
static int baseline_add_doc(struct filter *f, json_t *doc, const char *path,
			    size_t lineno, struct lg_error *err)
{
	size_t i;
	int rc = 0;

	if (!json_is_array(doc))
		return baseline_add(f, doc, path, lineno, err);
	for (i = 0; i < json_array_size(doc) && !rc; i++)
		rc = baseline_add(f, json_array_get(doc, i), path, lineno, err);
	return rc;
}

static int is_blank(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++, n--;
	return !n;
}

static int baseline_parse_lines(struct filter *f, const char *path,
				const char *text, size_t len,
				struct lg_error *err)
{
	size_t pos = 0, lineno = 0;
	int rc = 0;

	while (pos < len && !rc) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		json_error_t je;
		json_t *doc;

		lineno++;
		if (is_blank(text + pos, n)) {
			pos += n + 1;
			continue;
		}
		doc = json_loadb(text + pos, n, 0, &je);
		if (!doc)
			return lg_error_set(err, LG_ERR_PARSE, "%s:%zu: not a "
					    "JSON report (bad JSON, column %d)",
					    path, lineno, je.column);
		rc = baseline_add_doc(f, doc, path, lineno, err);
		json_decref(doc);
		pos += n + 1;
	}
	return rc;
}

static int cmp_fingerprint(const void *a, const void *b)
{
	return memcmp(a, b, FINGERPRINT_HEX);
}

int filter_parse_baseline(struct filter *f, const char *path, const char *text,
			  size_t len, struct lg_error *err)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je);
	int rc;

	if (doc)
		rc = baseline_add_doc(f, doc, path, 0, err);
	else
		rc = baseline_parse_lines(f, path, text, len, err);
	json_decref(doc);
	if (!rc && f->n_baseline)
		qsort(f->baseline, f->n_baseline, sizeof(*f->baseline),
		      cmp_fingerprint);
	return rc;
}

int filter_load_baseline(struct filter *f, const char *path,
			 struct lg_error *err)
{
	struct buf text = BUF_INIT;
	int rc = buf_read_file(&text, path, BASELINE_FILE_MAX, err);

	if (!rc)
		rc = filter_parse_baseline(f, path, text.ptr ? text.ptr : "",
					   text.len, err);
	buf_release(&text);
	return rc;
}

/* ---- applying ---- */

/*
 * The path an ignore glob sees: relative to the ignore root for a file on
 * disk under it; otherwise as reported (git sources report paths relative
 * to the work tree already), without a leading "./".
 */
static void glob_path(const struct filter *f, const struct location *l,
		      struct buf *out)
{
	const char *p = l->path;
	char *abs = NULL;
	size_t n = f->root ? strlen(f->root) : 0;

	if (f->root && !l->commit)
		abs = realpath(l->path, NULL);
	if (abs && !strncmp(abs, f->root, n) && abs[n] == '/')
		p = abs + n + 1;
	else
		while (!strncmp(p, "./", 2))
			p += 2;
	buf_reset(out);
	buf_adds(out, p);
	free(abs);
}

/* Whether a place of fd is dropped, and a count of those dropped. */
struct place_test {
	int (*covers)(const struct filter *f, const struct finding *fd,
		      const struct location *l, void *payload,
		      struct buf *scratch);
	void *payload;
	size_t dropped;
};

static int entry_covers(const struct filter *f, const struct finding *fd,
			const struct location *l, void *payload,
			struct buf *scratch)
{
	const struct ignore_entry *e = payload;

	(void)fd;
	if (!e->glob)
		return 1;
	glob_path(f, l, scratch);
	return scratch->ptr && !fnmatch(e->glob, scratch->ptr, 0);
}

static int config_covers(const struct filter *f, const struct finding *fd,
			 const struct location *l, void *payload,
			 struct buf *scratch)
{
	(void)payload;
	glob_path(f, l, scratch);
	return scratch->ptr && config_allows_place(f->config, fd->rule->id,
						   scratch->ptr, l->commit);
}

/* Drops the listed further places of fd that t covers. */
static void drop_more(const struct filter *f, struct place_test *t,
		      struct finding *fd, struct buf *scratch)
{
	size_t i, kept = 0;

	for (i = 0; i < fd->n_more; i++) {
		if (!t->covers(f, fd, &fd->more[i], t->payload, scratch)) {
			fd->more[kept++] = fd->more[i];
			continue;
		}
		location_release(&fd->more[i]);
		t->dropped++;
		if (fd->more_count)
			fd->more_count--;
	}
	fd->n_more = kept;
}

/* Drops the places of fd that t covers; returns 1 when none is left. */
static int drop_places(const struct filter *f, struct place_test *t,
		       struct finding *fd, struct buf *scratch)
{
	drop_more(f, t, fd, scratch);
	if (!t->covers(f, fd, &fd->where, t->payload, scratch))
		return 0;
	t->dropped++;
	if (!fd->n_more)
		return 1;
	location_release(&fd->where);
	fd->where = fd->more[0];
	memmove(fd->more, fd->more + 1, --fd->n_more * sizeof(*fd->more));
	if (fd->more_count)
		fd->more_count--;
	return 0;
}

static int ignore_finding(struct filter *f, struct finding *fd,
			  struct buf *scratch)
{
	size_t i;
	int gone;

	for (i = 0; i < f->n_entries; i++) {
		struct ignore_entry *e = &f->entries[i];
		struct place_test t = { entry_covers, e, 0 };

		if (e->expired || memcmp(e->fingerprint, fd->fingerprint,
					 FINGERPRINT_HEX))
			continue;
		gone = drop_places(f, &t, fd, scratch);
		e->used += t.dropped;
		if (gone)
			return 1;
	}
	return 0;
}

/* The config's allowlists: the secret, then each place. */
static int config_drops(struct filter *f, struct finding *fd,
			struct buf *scratch)
{
	struct place_test t = { config_covers, NULL, 0 };

	if (!f->config)
		return 0;
	if (config_allows_secret(f->config, fd->rule->id, fd->secret,
				 fd->secret_len))
		return 1;
	return drop_places(f, &t, fd, scratch);
}

/* 1 when fd goes: allowlisted, ignored, or known with new_only. */
static int drops(struct filter *f, struct finding *fd, int new_only,
		 struct buf *scratch)
{
	if (config_drops(f, fd, scratch) || ignore_finding(f, fd, scratch))
		return 1;
	if (f->n_baseline &&
	    bsearch(fd->fingerprint, f->baseline, f->n_baseline,
		    sizeof(*f->baseline), cmp_fingerprint))
		fd->status = FINDING_BASELINE;
	return new_only && fd->status == FINDING_BASELINE;
}

void filter_apply(struct filter *f, struct finding_list *l, int new_only)
{
	struct buf scratch = BUF_INIT;
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		struct finding *fd = l->items[i];
		size_t places = 1 + fd->more_count;

		if (drops(f, fd, new_only, &scratch)) {
			f->dropped += places;
			finding_free(fd);
			continue;
		}
		f->dropped += places - (1 + fd->more_count);
		l->items[kept++] = fd;
	}
	l->n = kept;
	buf_release(&scratch);
}

/* ---- grouping ---- */

/* 0 when a and b belong in one group: the same secret (and path). */
static int group_key_cmp(const struct finding *a, const struct finding *b,
			 int by_path)
{
	int c = memcmp(a->fingerprint, b->fingerprint, FINGERPRINT_HEX);

	return c || !by_path ? c : strcmp(a->where.path, b->where.path);
}

struct group_sort {
	const struct finding_list *l;
	int by_path;	/* filter_fold: the oldest commit first in a group */
};

/* Orders list positions by group, then (folding) age, then position. */
static int cmp_by_group(const void *a, const void *b, void *payload)
{
	const struct group_sort *gs = payload;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct finding *x = gs->l->items[i], *y = gs->l->items[j];
	int c = group_key_cmp(x, y, gs->by_path);

	if (!c && gs->by_path)
		c = (x->where.author_time > y->where.author_time) -
		    (x->where.author_time < y->where.author_time);
	return c ? c : (i > j) - (i < j);
}

/* The end of the run of order[] in order[first]'s group. */
static size_t group_end(const struct finding_list *l, const size_t *order,
			size_t first, int by_path)
{
	const struct finding *f = l->items[order[first]];
	size_t end = first + 1;

	while (end < l->n && !group_key_cmp(l->items[order[end]], f, by_path))
		end++;
	return end;
}

/* Makes room in keep->more for the places of order[first+1 .. end). */
static int group_reserve(const struct finding_list *l, const size_t *order,
			 size_t first, size_t end)
{
	struct finding *keep = l->items[order[first]];
	struct location *grown;
	size_t i, need = keep->n_more;

	for (i = first + 1; i < end; i++)
		need += 1 + l->items[order[i]]->n_more;
	if (need == keep->n_more)
		return 0;
	grown = realloc(keep->more, need * sizeof(*grown));
	if (!grown)
		return LG_ERR_NOMEM;
	keep->more = grown;
	return 0;
}

/* Moves every place of `from` into keep (room reserved) and frees it. */
static void group_move(struct finding *keep, struct finding *from)
{
	keep->more[keep->n_more++] = from->where;
	if (from->n_more)
		memcpy(keep->more + keep->n_more, from->more,
		       from->n_more * sizeof(*from->more));
	keep->n_more += from->n_more;
	keep->more_count += 1 + from->more_count;
	memset(&from->where, 0, sizeof(from->where));
	from->n_more = 0;
	finding_free(from);
}

/* Folds `from` into keep, counting its places; frees it. */
static void fold_move(struct finding *keep, struct finding *from)
{
	keep->more_count += 1 + from->more_count;
	finding_free(from);
}

/* Sorted positions of l, by group; NULL when out of memory. */
static size_t *group_order(const struct finding_list *l, int by_path)
{
	struct group_sort gs = { l, by_path };
	size_t *order = malloc((l->n ? l->n : 1) * sizeof(*order));
	size_t i;

	if (!order)
		return NULL;
	for (i = 0; i < l->n; i++)
		order[i] = i;
	qsort_r(order, l->n, sizeof(*order), cmp_by_group, &gs);
	return order;
}

/* Merges each group into its first finding; keeps list order otherwise. */
static void group_merge(struct finding_list *l, const size_t *order,
			int by_path)
{
	size_t i, j, end, kept = 0;

	for (i = 0; i < l->n; i = end) {
		end = group_end(l, order, i, by_path);
		for (j = i + 1; j < end; j++) {
			if (by_path)
				fold_move(l->items[order[i]], l->items[order[j]]);
			else
				group_move(l->items[order[i]], l->items[order[j]]);
			l->items[order[j]] = NULL;
		}
	}
	for (i = 0; i < l->n; i++)
		if (l->items[i])
			l->items[kept++] = l->items[i];
	l->n = kept;
}

int filter_group(struct finding_list *l, struct lg_error *err)
{
	size_t *order = group_order(l, 0);
	size_t i, end;

	if (!order)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	/* Reserve every group's room first, so that failing changes nothing. */
	for (i = 0; i < l->n; i = end) {
		end = group_end(l, order, i, 0);
		if (group_reserve(l, order, i, end)) {
			free(order);
			return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		}
	}
	group_merge(l, order, 0);
	free(order);
	return 0;
}

int filter_fold(struct finding_list *l, struct lg_error *err)
{
	size_t *order = group_order(l, 1);

	if (!order)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	group_merge(l, order, 1);
	free(order);
	return 0;
}

void filter_release(struct filter *f)
{
	size_t i;

	for (i = 0; i < f->n_entries; i++)
		entry_release(&f->entries[i]);
	free(f->entries);
	free(f->ignore_path);
	free(f->root);
	free(f->baseline);
	memset(f, 0, sizeof(*f));
}

void filter_min_confidence(struct finding_list *l, enum confidence min)
{
	size_t i, kept = 0;

	for (i = 0; i < l->n; i++) {
		if (l->items[i]->confidence < min)
			finding_free(l->items[i]);
		else
			l->items[kept++] = l->items[i];
	}
	l->n = kept;
}
