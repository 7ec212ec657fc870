#include "verify_aws.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "verify.h"
#include "banned.h"

/* The text of <name>...</name> in an STS answer into out, if there. */
static void xml_fact(struct verification *v, const struct buf *body,
		     const char *name, const char *key)
{
	char open[64], close[64], value[512];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close, sizeof(close), "</%s>", name);
	if (!body->ptr || !(a = memmem(body->ptr, body->len, open, strlen(open))))
		return;
	a += strlen(open);
	if (!(b = memmem(a, body->len - (size_t)(a - body->ptr), close, strlen(close))))
		return;
	snprintf(value, sizeof(value), "%.*s", (int)(b - a), a);
	verify_fact(&v->facts, key, value);
}

void verify_aws(struct verification *v, const char *key_id,
		const char *secret, const struct http_options *o)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct buf userpwd = BUF_INIT;
	char type[] = "Content-Type: application/x-www-form-urlencoded";
	char *items[] = { type };
	struct string_list headers = { items, 1 };
	struct http_auth auth = { "aws:amz:us-east-1:sts", NULL };

	if (buf_addf(&userpwd, "%s:%s", key_id, secret) || buf_addch(&userpwd, '\0')) {
		v->state = VERIFY_ERROR;
		goto done;
	}
	auth.userpwd = userpwd.ptr;
	if (http_request_auth(&res, "POST", AWS_STS_URL, &headers,
			      "Action=GetCallerIdentity&Version=2011-06-15",
			      &auth, o, &err)) {
		v->state = VERIFY_ERROR;
		verify_fact(&v->facts, "error", err.msg);
	} else if (res.status == 200) {
		v->state = VERIFY_LIVE;
		xml_fact(v, &res.body, "Arn", "arn");
		xml_fact(v, &res.body, "Account", "account");
	} else if (res.status == 403) {
		v->state = VERIFY_INVALID;
	} else {
		verify_unexpected(v, res.status);
	}
done:
	/* The pair sat in this buffer whole. */
	if (userpwd.ptr)
		explicit_bzero(userpwd.ptr, userpwd.len);
	buf_release(&userpwd);
	http_response_release(&res);
}
