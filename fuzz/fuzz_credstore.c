/*
 * libFuzzer target: every credential-store parser from credstore_names()
 * and credstore_url_parse() over arbitrary bytes.  Every credential must
 * lie inside the input and carry a detail; a negative value from the
 * callback must stop the parser and come back as its result.
 */
#include <string.h>

#include "credstore.h"
#include "fuzz.h"
#include "banned.h"

struct input {
	size_t len;
	size_t calls;
	size_t stop_at;		/* the call that returns STOP, 0: none */
	unsigned reported;	/* bit i: whether call i says "reported" */
};

#define STOP (-7)

static int emit(const struct credstore_cred *c, void *payload)
{
	struct input *in = payload;

	FUZZ_CHECK(c->offset <= in->len && c->len <= in->len - c->offset);
	FUZZ_CHECK(c->detail != NULL);
	FUZZ_CHECK(strlen(c->detail) < 4096);
	in->calls++;
	if (in->calls == in->stop_at)
		return STOP;
	return (int)((in->reported >> (in->calls % 32)) & 1);
}

static void check_url(const char *s, size_t len)
{
	struct credstore_url u;

	if (!credstore_url_parse(s, len, &u))
		return;
	FUZZ_CHECK(u.user <= len && u.user_len <= len - u.user);
	FUZZ_CHECK(u.password <= len && u.password_len <= len - u.password);
	FUZZ_CHECK(u.password_len > 0);
	FUZZ_CHECK(u.host <= len && u.host_len <= len - u.host);
	FUZZ_CHECK(u.path <= len && u.path_len <= len - u.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *names = credstore_names();
	const char *s = (const char *)data;
	size_t i;

	for (i = 0; names[i]; i++) {
		credstore_fn fn = credstore_lookup(names[i]);
		struct input in = { size, 0, 0, 0xa5a5a5a5u };
		int rc;

		FUZZ_CHECK(fn != NULL);
		FUZZ_CHECK(fn(s, size, emit, &in) == 0);
		if (!in.calls)
			continue;
		/* Again, stopping at the last credential seen. */
		in.stop_at = in.calls;
		in.calls = 0;
		rc = fn(s, size, emit, &in);
		FUZZ_CHECK(rc == STOP && in.calls == in.stop_at);
	}
	check_url(s, size);
	return 0;
}
