#ifndef LEAKGATE_STORE_H
#define LEAKGATE_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "dedup.h"
#include "finding.h"
#include "oid_list.h"
#include "rules.h"
#include "scan.h"

struct lg_error;
struct sqlite3;
struct sqlite3_stmt;

/*
 * The findings store (--store FILE): a SQLite database that remembers
 * which objects were scanned under which rule set, every finding with its
 * places, and what a person decided about each secret (triage).  A rescan
 * with the same rules reads only objects the store has not seen.
 *
 * It never holds a secret whole: a finding is kept by fingerprint, rule,
 * a redacted form and its places (blob, commit, path, line); the few
 * commands that need the secret read it again from the blob.
 */
/* How long a scan waits for another one writing the same store. */
#define STORE_BUSY_MS 60000
/* Objects looked up one by one before the store loads every id it holds. */
#define STORE_LOOKUPS 4096

struct store {
	struct sqlite3 *db;
	char *path;
	char ruleset[17];		/* hex of the rule set's hash */
	/*
	 * Objects scanned under this rule set: looked up one by one while a
	 * run meets few new ones (a rescan), loaded whole past
	 * STORE_LOOKUPS of them (a first scan, new rules).
	 */
	struct sqlite3_stmt *lookup;
	size_t lookups;
	int all_known;
	struct dedup known;
	struct dedup fresh;		/* scanned by this run */
	struct oid_list fresh_ids;	/* the same, in order, for writing */
	/*
	 * Commits whose trees a run walked under this rule set, with all
	 * their ancestors, and annotated tags it followed: a history rescan
	 * walks only the others.
	 */
	struct dedup walked;
	struct oid_list walked_ids;	/* walked by this run */
	int lost;			/* out of memory: some ids not kept */
	uint64_t skipped;		/* objects this run did not read again */
};

/* What a person decided about a secret. */
enum triage_status {
	TRIAGE_OPEN = 0,
	TRIAGE_FALSE_POSITIVE,
	TRIAGE_ACCEPTED_RISK,
	TRIAGE_REVOKED,
};

const char *triage_status_name(enum triage_status s);
/* Parses "open", "false-positive", "accepted-risk", "revoked"; 0 or -1. */
int triage_status_parse(const char *s, enum triage_status *out);

/*
 * Hex of a hash over every field of every rule that changes what a scan
 * finds, the engine's version and how deep it decodes (decode_depth,
 * archive_depth): equal hashes, equal findings.
 */
void store_ruleset_hash(const struct rule_set *rs, unsigned decode_depth,
			unsigned archive_depth, char out[17]);

/*
 * Opens (creating, mode 0600) the database at path in WAL mode and
 * loads the ids scanned and the commits walked under ruleset (NULL: none,
 * for commands that only read findings).  Errors name the file.
 */
int store_open(struct store *s, const char *path, const char *ruleset,
	       struct lg_error *err);
void store_close(struct store *s);

/*
 * For scan_options.admit: 0 (skip) for an object the store has scanned
 * under this rule set, else 1, remembering the object as scanned by this
 * run (only whole objects: an item limited to some lines is not).
 */
int store_admit(const struct scan_item *item, void *payload);

/*
 * For scan_options.walk_done: remembers commit id as walked by this run.
 * Returns 0 (out of memory only costs a later walk of the commit).
 */
int store_walked(const unsigned char id[20], void *payload);

/*
 * Writes this run's scanned objects, the commits it walked and its
 * findings (all of them, before any filter) in one transaction, so that
 * a commit is never marked walked without its objects.  Returns 0 or an
 * error naming the file.
 */
int store_record(struct store *s, const struct finding_list *l,
		 struct lg_error *err);

/*
 * The triage status of fingerprint (TRIAGE_OPEN when none), with its
 * reason into reason (may be NULL).
 */
enum triage_status store_triage_get(struct store *s, const char *fingerprint,
				    char *reason, size_t reason_len);
/* Records a decision (who: git's user or $USER, when: now). */
int store_triage_set(struct store *s, const char *fingerprint,
		     enum triage_status st, const char *reason, const char *who,
		     struct lg_error *err);

/*
 * Applies the recorded decisions to l: false positives and accepted risks
 * leave the list (counted like ignored findings), a revoked secret stays
 * with f->triage = "revoked" and no longer fails a gate.
 */
void store_apply_triage(struct store *s, struct finding_list *l);

/*
 * Triage as a reviewable text file, one decision a line:
 * "FINGERPRINT<TAB>STATUS<TAB>WHO<TAB>YYYY-MM-DD<TAB>REASON".  Export
 * writes every decision; import records each line (errors name file:line).
 */
int store_triage_export(struct store *s, FILE *out, struct lg_error *err);
int store_triage_import(struct store *s, const char *text, size_t len,
			const char *filename, struct lg_error *err);

/* "store stats": counts per table, printed to out. */
int store_stats(struct store *s, FILE *out, struct lg_error *err);
/* "store check": SQLite's integrity check; 0 when it says ok. */
int store_check(struct store *s, struct lg_error *err);
/* "store vacuum": drops scanned and walked rows of other rule sets, then VACUUM. */
int store_vacuum(struct store *s, struct lg_error *err);

/* The database handle, for the store's other modules. */
struct sqlite3 *store_db(const struct store *s);
/* Sets err from the database's last message, naming the file; returns LG_ERR_IO. */
int store_fail(const struct store *s, const char *what, struct lg_error *err);

#endif
