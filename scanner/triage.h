#ifndef LEAKGATE_TRIAGE_H
#define LEAKGATE_TRIAGE_H

#include <git2.h>

#include "finding.h"
#include "forge.h"

struct lg_error;

/*
 * What a person triaging a history finding wants from the repository
 * itself: the forge its `origin` remote points at (for links), and
 * whether each secret is still in the file at HEAD.
 */

/* Fills f from the origin remote's URL; no origin leaves it empty. */
int triage_forge(struct forge *f, git_repository *repo, struct lg_error *err);

/*
 * Sets at_head on every finding of l: 1 when HEAD's version of its path
 * still holds the secret, 0 when not (or the path is gone).  No HEAD (an
 * unborn branch), or a different blob there too large to read whole
 * (over 1 GiB), leaves them unknown.  payload is the git_repository.
 */
int triage_at_head(struct finding_list *l, void *payload, struct lg_error *err);

#endif
