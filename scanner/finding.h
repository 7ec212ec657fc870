#ifndef LEAKGATE_FINDING_H
#define LEAKGATE_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Where a finding was seen.  Strings are owned by the location. */
struct location {
	char *path;
	size_t line;
	size_t column;
	char *commit;		/* hex id; NULL outside git history */
	char *author_name;
	char *author_email;
	int64_t author_time;	/* seconds since the epoch */
	int author_tz;		/* minutes east of UTC */
	char *subject;		/* the commit's subject line, or NULL */
};

enum finding_status {
	FINDING_NEW = 0,
	FINDING_BASELINE,	/* known from --baseline */
};

#define FINGERPRINT_HEX 32
/* The longest chain of decodings a finding names. */
#define FINDING_MAX_DECODED 8

/* What a live check (--verify) said of a finding's secret. */
enum verify_state {
	VERIFY_UNCHECKED = 0,	/* no check was asked for */
	VERIFY_LIVE,		/* the provider accepted it */
	VERIFY_INVALID,		/* revoked, expired or never valid */
	VERIFY_ERROR,		/* no answer, or one that says neither */
	VERIFY_UNSUPPORTED,	/* leakgate has no check for this rule */
};

/* "live", "invalid", "error", "not-supported"; NULL when unchecked. */
const char *verify_state_name(enum verify_state s);

struct verification {
	enum verify_state state;
	/* What the provider told, "key=value" lines, or NULL; owned. */
	char *facts;
};

/* A further part of a credential that comes in parts (rule->requires). */
struct finding_part {
	const struct rule *rule;	/* the companion rule, borrowed */
	char *secret;			/* owned, NUL-terminated */
	size_t secret_len;
	size_t line, column;		/* in the same file as the finding */
	size_t offset;
};

/*
 * Places of one blob kept in a report (range's changes, history
 * --all-locations); further ones are only counted (more_count).
 */
#define FINDING_PLACES_MAX 100

struct finding {
	const struct rule *rule;	/* borrowed from the rule set */
	char *secret;			/* owned, NUL-terminated */
	size_t secret_len;
	enum confidence confidence;
	char fingerprint[FINGERPRINT_HEX + 1];
	char *detail;			/* extra words (user, host), or NULL */
	struct location where;		/* the first place, by provenance */
	struct location *more;		/* further places (--all-locations) */
	size_t n_more;
	size_t more_count;		/* how many further places exist */
	enum finding_status status;
	size_t origin;			/* source-defined, for provenance */
	size_t offset;			/* of the secret in the scanned bytes */
	unsigned char blob[20];		/* git blob id, when has_blob */
	int has_blob;
	int git_ignored;		/* scan: in a file git ignores */
	char *context;			/* the line, secret redacted, or NULL */
	int at_head;			/* history: -1 unknown, 0 gone, 1 still at HEAD */
	struct verification verified;
	const char *triage;		/* static: a decision that keeps it reported ("revoked"), or NULL */
	char *lifecycle;		/* from the store: "key=value" lines, owned, or NULL */
	struct finding_part *parts;	/* the companions found with it */
	size_t n_parts;
	/*
	 * The decodings that revealed the secret, outermost first ("base64",
	 * "percent"...: static strings); none for a secret as stored.
	 */
	const char *decoded[FINDING_MAX_DECODED];
	unsigned n_decoded;
	size_t member_at;		/* where "!member" starts in the path, or 0 */
};

struct finding_list {
	struct finding **items;
	size_t n, alloc;
};

#define FINDING_LIST_INIT { NULL, 0, 0 }

/*
 * Hex of xxh3-128 over "rule_id NUL secret": names the secret, not the
 * place, so it survives line moves, renames and rebases.
 */
void finding_fingerprint(const char *rule_id, const char *secret, size_t len,
			 char out[FINGERPRINT_HEX + 1]);

/* Whether fingerprint fp is among names[0..n) (none named: every one is). */
int finding_fingerprint_chosen(const char *fp, char *const *names, size_t n);

/*
 * A new finding for match m at path (copied); NULL when out of memory.
 * A match with parts gets a fingerprint over every part: the pair is
 * what leaked, and one of its parts alone is another finding.
 */
struct finding *finding_new(const struct engine_match *m, const char *path);
void finding_free(struct finding *f);

/* Deep-copies src into dst (dst uninitialised); returns 0 or LG_ERR_NOMEM. */
int location_copy(struct location *dst, const struct location *src);
/*
 * Findings l->items[from..] show text around their own secret, redacted:
 * their line (context) and their commit's subject.  This redacts there
 * the secrets of the other findings of the same file (a line with two
 * tokens) and of the same commit (a token in the commit message).
 */
int finding_list_redact_siblings(struct finding_list *l, size_t from);
void location_release(struct location *l);

/*
 * Writes a recognisable but unusable form of the secret into out (size
 * outlen): a short prefix and asterisks.  A form it made itself (ending in
 * five asterisks) comes out unchanged.
 */
void finding_redact(const char *secret, size_t len, char *out, size_t outlen);

int finding_list_add(struct finding_list *l, struct finding *f);
/* Moves every finding of src to the end of dst; src ends empty. */
int finding_list_take(struct finding_list *dst, struct finding_list *src);
/* Sorts by path, line, column, rule id, commit: a total, thread-free order. */
void finding_list_sort(struct finding_list *l);
void finding_list_release(struct finding_list *l);

#endif
