#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "error.h"
#include "version.h"
#include "banned.h"

/*
 * PRAGMA application_id: marks a database as a leakgate store, so that a
 * foreign SQLite file given as --store is refused, never written to.
 */
#define STORE_APP_ID 0x4c4b4754	/* "LKGT" */

/*
 * Schema migrations, applied in order inside one transaction; the
 * database's PRAGMA user_version counts those applied.  A store from a
 * newer leakgate (user_version past the list) is refused.
 */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE scanned(oid BLOB NOT NULL, ruleset TEXT NOT NULL,"
	" PRIMARY KEY(oid, ruleset)) WITHOUT ROWID;"
	"CREATE TABLE secrets(fingerprint TEXT PRIMARY KEY,"
	" rule TEXT NOT NULL, redacted TEXT NOT NULL, confidence INTEGER NOT NULL,"
	" first_scan INTEGER NOT NULL, last_scan INTEGER NOT NULL);"
	"CREATE TABLE places(fingerprint TEXT NOT NULL,"
	" blob BLOB, commit_id TEXT NOT NULL DEFAULT '', path TEXT NOT NULL,"
	" line INTEGER NOT NULL, col INTEGER NOT NULL, author TEXT, email TEXT,"
	" time INTEGER, PRIMARY KEY(fingerprint, commit_id, path, line, col));"
	"CREATE TABLE triage(fingerprint TEXT PRIMARY KEY,"
	" status TEXT NOT NULL, reason TEXT NOT NULL, who TEXT NOT NULL,"
	" at INTEGER NOT NULL);",
	/* 2: purge plans and lifecycles look places up by blob */
	"CREATE INDEX places_by_blob ON places(blob);",
	/* 3: commits walked, so that a rescan walks only the new ones */
	"CREATE TABLE walked(commit_id BLOB NOT NULL, ruleset TEXT NOT NULL,"
	" PRIMARY KEY(commit_id, ruleset)) WITHOUT ROWID;",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *const triage_names[] = { "open", "false-positive",
					    "accepted-risk", "revoked" };

const char *triage_status_name(enum triage_status s)
{
	return (unsigned)s < 4 ? triage_names[s] : "open";
}

int triage_status_parse(const char *s, enum triage_status *out)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, triage_names[i])) {
			*out = (enum triage_status)i;
			return 0;
		}
	return -1;
}

struct sqlite3 *store_db(const struct store *s)
{
	return s->db;
}

int store_fail(const struct store *s, const char *what, struct lg_error *err)
{
	return lg_error_set(err, LG_ERR_IO, "%s: %s: %s", s->path, what,
			    s->db ? sqlite3_errmsg(s->db) : "cannot open");
}

/* ---- the rule set's identity ------------------------------------------ */

static void hash_str(XXH3_state_t *h, const char *s)
{
	XXH3_64bits_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void hash_list(XXH3_state_t *h, const struct string_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		hash_str(h, l->items[i]);
	XXH3_64bits_update(h, &l->n, sizeof(l->n));
}

void store_ruleset_hash(const struct rule_set *rs, unsigned decode_depth,
			unsigned archive_depth, char out[17])
{
	XXH3_state_t *h = XXH3_createState();
	unsigned depths[2] = { decode_depth, archive_depth };
	size_t i;

	XXH3_64bits_reset(h);
	hash_str(h, LEAKGATE_VERSION);
	XXH3_64bits_update(h, depths, sizeof(depths));
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];
		int flags[6] = { (int)r->secret_group, r->generic, r->anchored,
				 (int)r->window, r->named, r->keep_runs };
		hash_str(h, r->id);
		hash_str(h, r->pattern);
		hash_str(h, r->parser_name);
		hash_str(h, r->validate_name);
		hash_str(h, r->path_src);
		hash_list(h, &r->keywords);
		hash_list(h, &r->allow_src);
		XXH3_64bits_update(h, &r->min_entropy, sizeof(r->min_entropy));
		XXH3_64bits_update(h, flags, sizeof(flags));
	}
	snprintf(out, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
	XXH3_freeState(h);
}

/* ---- open and close ----------------------------------------------------- */

/* Creates the file 0600 first: it holds where secrets are, if not them. */
static int create_private(const char *path, struct lg_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return lg_error_errno(err, errno, "%s", path);
	close(fd);
	return 0;
}

/* The ids sql selects for this rule set, into set. */
static int load_ids(struct store *s, const char *sql, struct dedup *set,
		    struct lg_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "reading", err);
	sqlite3_bind_text(st, 1, s->ruleset, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 20)
			continue;
		if (dedup_add(set, sqlite3_column_blob(st, 0)) < 0) {
			rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(s, "reading", err);
	sqlite3_finalize(st);
	return rc;
}

static int pragma_int(struct store *s, const char *sql, int *out)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		*out = sqlite3_column_int(q, 0);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

/* Ours, or empty (a new file): anything else is refused untouched. */
static int check_identity(struct store *s, struct lg_error *err)
{
	int app = 0, tables = 0;

	if (pragma_int(s, "PRAGMA application_id", &app) ||
	    pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables))
		return lg_error_set(err, LG_ERR_IO, "%s: not a leakgate store "
				    "(not an SQLite database)", s->path);
	if (app != STORE_APP_ID && tables)
		return lg_error_set(err, LG_ERR_IO, "%s: not a leakgate store "
				    "(another program's database)", s->path);
	return 0;
}

static int migrate(struct store *s, struct lg_error *err)
{
	struct buf sql = BUF_INIT;
	int version = 0, i, rc = 0;

	if (pragma_int(s, "PRAGMA user_version", &version))
		return store_fail(s, "reading", err);
	if (version > STORE_SCHEMA_VERSION)
		return lg_error_set(err, LG_ERR_IO, "%s: made by a newer leakgate "
				    "(schema %d, this one knows %d)", s->path,
				    version, STORE_SCHEMA_VERSION);
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	buf_addf(&sql, "PRAGMA application_id=%d;", STORE_APP_ID);
	for (i = version; i < STORE_SCHEMA_VERSION; i++)
		buf_adds(&sql, migrations[i]);
	buf_addf(&sql, "PRAGMA user_version=%d;", STORE_SCHEMA_VERSION);
	if (!sql.ptr || sqlite3_exec(s->db, sql.ptr, NULL, NULL, NULL) != SQLITE_OK)
		rc = store_fail(s, "upgrading", err);
	buf_release(&sql);
	return rc;
}

int store_open(struct store *s, const char *path, const char *ruleset,
	       struct lg_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (!(s->path = strdup(path)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if ((rc = create_private(path, err)))
		return rc;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK)
		return store_fail(s, "cannot open", err);
	/* Another scan of the same store holds the write lock only briefly. */
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/*
	 * Under the write lock: a second scan creating the same store waits
	 * here instead of seeing it half made.
	 */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "opening", err);
	if ((rc = check_identity(s, err)) || (rc = migrate(s, err))) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "opening", err);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "opening", err);
	if (!ruleset)
		return 0;
	memcpy(s->ruleset, ruleset, sizeof(s->ruleset));
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM scanned WHERE oid = ?"
			       " AND ruleset = ?", -1, &s->lookup, NULL) != SQLITE_OK)
		return store_fail(s, "reading", err);
	sqlite3_bind_text(s->lookup, 2, s->ruleset, -1, SQLITE_STATIC);
	return load_ids(s, "SELECT commit_id FROM walked WHERE ruleset = ?",
			&s->walked, err);
}

void store_close(struct store *s)
{
	sqlite3_finalize(s->lookup);
	if (s->db)
		sqlite3_close(s->db);
	free(s->path);
	oid_list_release(&s->fresh_ids);
	oid_list_release(&s->walked_ids);
	dedup_release(&s->known);
	dedup_release(&s->fresh);
	dedup_release(&s->walked);
	memset(s, 0, sizeof(*s));
}

/* ---- the scan's side ---------------------------------------------------- */

/*
 * Out of memory only costs a later rescan of the object, but then no
 * commit may be marked walked: `lost` says so.
 */
static void keep_id(struct store *s, struct oid_list *l,
		    const unsigned char id[20])
{
	git_oid oid;

	memcpy(oid.id, id, sizeof(oid.id));
	if (oid_list_add(l, &oid))
		s->lost = 1;
}

/*
 * Whether the store scanned oid under this rule set.  A failed read
 * answers no: the object is only scanned again.
 */
static int known(struct store *s, const unsigned char oid[20])
{
	struct lg_error ignored = LG_ERROR_INIT;
	int found;

	if (!s->all_known && ++s->lookups > STORE_LOOKUPS) {
		s->all_known = 1;
		load_ids(s, "SELECT oid FROM scanned WHERE ruleset = ?", &s->known,
			 &ignored);
	}
	if (s->all_known)
		return dedup_has(&s->known, oid);
	sqlite3_bind_blob(s->lookup, 1, oid, 20, SQLITE_STATIC);
	found = sqlite3_step(s->lookup) == SQLITE_ROW;
	sqlite3_reset(s->lookup);
	return found;
}

int store_admit(const struct scan_item *item, void *payload)
{
	struct store *s = payload;
	int rc;

	if (!item->has_oid)
		return 1;
	if (known(s, item->oid)) {
		s->skipped++;
		return 0;
	}
	if (item->only_lines)
		return 1;
	rc = dedup_add(&s->fresh, item->oid);
	if (rc < 0)
		s->lost = 1;
	else if (rc)
		keep_id(s, &s->fresh_ids, item->oid);
	return 1;
}

int store_walked(const unsigned char id[20], void *payload)
{
	struct store *s = payload;

	keep_id(s, &s->walked_ids, id);
	return 0;
}

static int exec(struct store *s, const char *sql, struct lg_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "writing", err);
	return 0;
}

static int compare_oids(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(git_oid));
}

/*
 * Writes each id of l with this rule set by sql (an INSERT of two
 * values), in key order: hundreds of thousands of ids (a first scan)
 * then fill the table's pages one after the other, not at random.
 */
static int record_ids(struct store *s, const char *sql, struct oid_list *l,
		      struct lg_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (l->n)
		qsort(l->ids, l->n, sizeof(*l->ids), compare_oids);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "writing", err);
	for (i = 0; !rc && i < l->n; i++) {
		sqlite3_bind_blob(st, 1, l->ids[i].id, 20, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->ruleset, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(s, "writing", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static void bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

static int record_place(sqlite3_stmt *st,
			const struct finding *f, const struct location *l)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, f->fingerprint, -1, SQLITE_TRANSIENT);
	if (f->has_blob)
		sqlite3_bind_blob(st, 2, f->blob, 20, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, l->commit ? l->commit : "", -1, SQLITE_TRANSIENT);
	bind_text(st, 4, l->path);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)l->line);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)l->column);
	bind_text(st, 7, l->author_name);
	bind_text(st, 8, l->author_email);
	sqlite3_bind_int64(st, 9, l->author_time);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int record_secret(sqlite3_stmt *st,
			 const struct finding *f, sqlite3_int64 now)
{
	char shown[64];

	finding_redact(f->secret, f->secret_len, shown, sizeof(shown));
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, f->fingerprint, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->rule->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, shown, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int(st, 5, (int)f->confidence);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int record_findings(struct store *s, const struct finding_list *l,
			   struct lg_error *err)
{
	sqlite3_stmt *sec = NULL, *pl = NULL;
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	size_t i, j;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO secrets VALUES(?1, ?2, ?3, ?5, ?4, ?4)"
			       " ON CONFLICT(fingerprint) DO UPDATE SET last_scan = ?4",
			       -1, &sec, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO places VALUES"
			       "(?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &pl, NULL) != SQLITE_OK) {
		rc = store_fail(s, "writing", err);
		goto done;
	}
	for (i = 0; !rc && i < l->n; i++) {
		const struct finding *f = l->items[i];
		if (record_secret(sec, f, now) || record_place(pl, f, &f->where))
			rc = store_fail(s, "writing", err);
		for (j = 0; !rc && j < f->n_more; j++)
			if (record_place(pl, f, &f->more[j]))
				rc = store_fail(s, "writing", err);
	}
done:
	sqlite3_finalize(sec);
	sqlite3_finalize(pl);
	return rc;
}

int store_record(struct store *s, const struct finding_list *l,
		 struct lg_error *err)
{
	int rc;

	if ((rc = exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	rc = record_ids(s, "INSERT OR IGNORE INTO scanned VALUES(?, ?)",
			&s->fresh_ids, err);
	if (!rc && !s->lost)
		rc = record_ids(s, "INSERT OR IGNORE INTO walked VALUES(?, ?)",
				&s->walked_ids, err);
	if (!rc)
		rc = record_findings(s, l, err);
	/* Tests only: die as the OOM killer would, mid-transaction. */
	if (!rc && getenv("LEAKGATE_TEST_KILL_IN_STORE"))
		raise(SIGKILL);
	if (!rc)
		return exec(s, "COMMIT", err);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- triage ------------------------------------------------------------- */

enum triage_status store_triage_get(struct store *s, const char *fingerprint,
				    char *reason, size_t reason_len)
{
	enum triage_status st = TRIAGE_OPEN;
	sqlite3_stmt *q = NULL;

	if (reason && reason_len)
		reason[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT status, reason FROM triage WHERE"
			       " fingerprint = ?", -1, &q, NULL) != SQLITE_OK)
		return st;
	sqlite3_bind_text(q, 1, fingerprint, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		triage_status_parse((const char *)sqlite3_column_text(q, 0), &st);
		if (reason && reason_len)
			snprintf(reason, reason_len, "%s",
				 (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	return st;
}

int store_triage_set(struct store *s, const char *fingerprint,
		     enum triage_status st, const char *reason, const char *who,
		     struct lg_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO triage VALUES"
			       "(?, ?, ?, ?, ?)", -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "writing", err);
	sqlite3_bind_text(q, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, triage_status_name(st), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, reason ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_fail(s, "writing", err);
	sqlite3_finalize(q);
	return rc;
}

/* ---- maintenance -------------------------------------------------------- */

static long long count(struct store *s, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

int store_stats(struct store *s, FILE *out, struct lg_error *err)
{
	static const char *const rows[][2] = {
		{ "scanned objects", "SELECT count(*) FROM scanned" },
		{ "rule sets", "SELECT count(DISTINCT ruleset) FROM scanned" },
		{ "walked commits", "SELECT count(*) FROM walked" },
		{ "secrets", "SELECT count(*) FROM secrets" },
		{ "places", "SELECT count(*) FROM places" },
		{ "triaged", "SELECT count(*) FROM triage WHERE status != 'open'" },
	};
	size_t i;
	long long n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((n = count(s, rows[i][1])) < 0)
			return store_fail(s, "reading", err);
		fprintf(out, "%-16s %lld\n", rows[i][0], n);
	}
	return 0;
}

int store_check(struct store *s, struct lg_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK)
		return store_fail(s, "checking", err);
	if (sqlite3_step(q) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(q, 0), "ok"))
		rc = lg_error_set(err, LG_ERR_IO, "%s: damaged: %s", s->path,
				  sqlite3_column_text(q, 0) ?
				  (const char *)sqlite3_column_text(q, 0) : "?");
	sqlite3_finalize(q);
	return rc;
}

int store_vacuum(struct store *s, struct lg_error *err)
{
	static const char *const drops[] = {
		"DELETE FROM scanned WHERE ruleset != ?",
		"DELETE FROM walked WHERE ruleset != ?",
	};
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < sizeof(drops) / sizeof(drops[0]); i++) {
		if (sqlite3_prepare_v2(s->db, drops[i], -1, &q, NULL) != SQLITE_OK)
			return store_fail(s, "writing", err);
		sqlite3_bind_text(q, 1, s->ruleset, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = store_fail(s, "writing", err);
		sqlite3_finalize(q);
	}
	return rc ? rc : exec(s, "VACUUM", err);
}
