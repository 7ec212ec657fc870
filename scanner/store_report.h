#ifndef LEAKGATE_STORE_REPORT_H
#define LEAKGATE_STORE_REPORT_H

#include <git2.h>

#include "engine.h"
#include "finding.h"
#include "store.h"

struct lg_error;

/*
 * What the store knows, as findings a reporter can print: one per distinct
 * secret and blob, its first place (oldest author date) and the others,
 * each with its lifecycle in the repository as it is now.
 */

/* First-parent commits walked back from HEAD looking for a removal. */
#define STORE_REPORT_WALK 100000

/*
 * Fills out from s.  rules names the findings' rules (a rule no longer in
 * the set is skipped with a warning on stderr).  f->secret is the stored
 * redacted form: the store never holds a secret whole.
 */
int store_report_load(struct finding_list *out, struct store *s,
		      const struct rule_set *rules, struct lg_error *err);

/*
 * Sets f->lifecycle for every finding of l from repo (may be NULL: then
 * only what the store knows): introduced (commit, author, date), whether
 * the secret's blob is still at its path at HEAD, the first-parent commit
 * that removed it, the refs whose tips still hold it, and "reachable":
 * "false" when no ref reaches a commit that held it any more (history
 * rewritten, a branch deleted).
 */
void store_report_lifecycle(struct finding_list *l, git_repository *repo);

/*
 * `--purge-plan OUT`: reads the chosen secrets (fingerprints; none: all)
 * again from their blobs, writes a `git filter-repo --replace-text` file
 * at out (mode 0600: the only file leakgate writes a secret into) and
 * prints to stdout the refs and commits a rewrite will change.
 */
int store_report_purge_plan(const struct finding_list *l, git_repository *repo,
			    const struct engine *e, const char *out,
			    char *const *fingerprints, size_t n,
			    struct lg_error *err);

#endif
