#ifndef LEAKGATE_VERIFY_AWS_H
#define LEAKGATE_VERIFY_AWS_H

#include "finding.h"
#include "verify_http.h"

/*
 * AWS keys: an access key id is only checkable with its secret access
 * key (a credential in parts).  One read-only call, STS GetCallerIdentity,
 * signed with SigV4 by libcurl, says whose key it is.
 */

#define AWS_STS_URL "https://sts.amazonaws.com/"

/* Fills v for the pair key_id / secret (v->facts owned by the caller). */
void verify_aws(struct verification *v, const char *key_id,
		const char *secret, const struct http_options *o);

#endif
