/*
 * libFuzzer target: the byte parsers history runs over untrusted
 * repositories without libgit2 - a pack entry's header, a delta's header
 * and instructions, a raw commit.  The input is read as a pack (an entry
 * at offset 12), as a delta over a base cut from its own bytes, and as a
 * commit.  Checked: nothing is read or written outside the buffers
 * (ASan), what is parsed stays inside the input, and a delta that applies
 * fills its result exactly.
 */
#include <string.h>

#include "commit_raw.h"
#include "fuzz.h"
#include "pack_entry.h"
#include "banned.h"

#define RESULT_MAX (1u << 20)

static void fuzz_entry(const uint8_t *data, size_t size)
{
	struct pack_entry e;

	if (pack_entry_parse(data, size, 12, &e))
		return;
	FUZZ_CHECK(e.data <= size);
	FUZZ_CHECK(e.size <= PACK_OBJECT_MAX);
	FUZZ_CHECK(e.type != PACK_OFS_DELTA || e.base < 12);
	FUZZ_CHECK(e.type != PACK_REF_DELTA || e.base_id + 20 <= size);
}

/* The first byte says how much of the rest is the base. */
static void fuzz_delta(const uint8_t *data, size_t size)
{
	size_t base_len, delta_len, want_base, len, ops;
	const uint8_t *delta;
	unsigned char *out;

	if (size < 1)
		return;
	base_len = (size - 1) * data[0] / 255;
	delta = data + 1 + base_len;
	delta_len = size - 1 - base_len;
	if (pack_delta_sizes(delta, delta_len, &want_base, &len, &ops) ||
	    want_base != base_len || len > RESULT_MAX)
		return;
	FUZZ_CHECK(ops <= delta_len);
	out = malloc(len + 1);
	FUZZ_CHECK(out != NULL);
	pack_delta_apply(data + 1, base_len, delta, delta_len, ops, out, len);
	free(out);
}

static void fuzz_commit(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct commit_raw c;
	git_oid parent;
	size_t i;

	if (commit_raw_parse(&c, s, size))
		return;
	FUZZ_CHECK(c.message >= s && c.message + c.message_len == s + size);
	FUZZ_CHECK(c.parents >= s && c.parents <= c.message);
	for (i = 0; i < c.n_parents; i++)
		commit_raw_parent(&c, i, &parent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_entry(data, size);
	fuzz_delta(data, size);
	fuzz_commit(data, size);
	return 0;
}
