#ifndef LEAKGATE_VERIFY_H
#define LEAKGATE_VERIFY_H

#include "finding.h"
#include "verify_http.h"

struct lg_error;

/*
 * Live verification (opt-in): asks each secret's provider whether it is
 * valid, with read-only calls, once per distinct fingerprint.  GitHub
 * tokens are known by their prefix; other rules declare the exchange in a
 * `verify:` block (verify_spec.h).
 */

struct verify_options {
	struct http_options http;
	int access_map;		/* also ask what the secret can reach */
	unsigned parallel;	/* requests in flight; 0: 8 */
};

/*
 * Fills o from the command line: github_url (GitHub Enterprise's API base,
 * or NULL), ca_file (or NULL), timeout in seconds (0: the default), and
 * the URL map of $LEAKGATE_VERIFY_URL_MAP after it.  o->http.url_map is
 * owned by o: release it with verify_options_release().  0 or -1 (memory).
 */
int verify_options_init(struct verify_options *o, const char *github_url,
			const char *ca_file, long timeout, int access_map);
void verify_options_release(struct verify_options *o);

/*
 * Checks the secret of finding f (with its parts, for a credential that
 * comes in parts) and fills out (out->facts owned by the
 * caller afterwards).  Never fails as a whole: a network failure is
 * VERIFY_ERROR with the reason among the facts.  Returns 0 or LG_ERR_NOMEM.
 */
int verify_secret(struct verification *out, const struct finding *f,
		  const struct verify_options *o);

/* Non-zero when leakgate has a check for secrets of rule r shaped like secret. */
int verify_supported(const struct rule *r, const char *secret);

/*
 * Verifies every finding of l, each distinct fingerprint once, with
 * o->parallel threads; sets f->verified on all of them.  Returns 0 or a
 * negative error.
 */
int verify_findings(struct finding_list *l, const struct verify_options *o,
		    struct lg_error *err);

/* An answer that says neither live nor invalid: VERIFY_ERROR, with its status. */
void verify_unexpected(struct verification *v, long status);

/* Appends "key=value\n" to *facts (a heap string, may be NULL); 0 or -1. */
int verify_fact(char **facts, const char *key, const char *value);

#endif
