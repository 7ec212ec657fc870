#include <criterion/criterion.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "helpers.h"
#include "pack_entry.h"
#include "pack_read.h"

/*
 * pack_read against libgit2 on real packs that git wrote: every object of
 * a history full of deltas must read back byte for byte, with offset
 * deltas and with ref deltas, with a cache and with none.
 */

static char *dir;
static git_odb *odb;	/* libgit2's view, to compare with */

static void setup(void)
{
	git_libgit2_init();
	dir = th_tmpdir();
}

static void teardown(void)
{
	git_odb_free(odb);
	odb = NULL;
	th_rmtree(dir);
	git_libgit2_shutdown();
}

/* A file edited in 40 commits (a long delta chain) and a few others. */
static void build_history(const char *repack_flags)
{
	int i;

	th_git_init(dir);
	th_shf(dir, "seq 1 3000 | sed 's/^/line /' > long.txt && "
		    "head -c 3000 /dev/urandom | od -An -tx1 > noise.txt");
	th_git_commit(dir, "first");
	for (i = 0; i < 40; i++) {
		th_shf(dir, "sed -i 's/^line %d$/edit %d/' long.txt && "
			    "echo %d >> small.txt", i * 70 + 5, i, i);
		th_git_commit(dir, "edit");
	}
	th_shf(dir, "git repack -q -a -d -f --depth=60 --window=60 %s",
	       repack_flags);
	th_shf(dir, "git verify-pack -v .git/objects/pack/*.idx | "
		    "grep -q 'chain length = [1-9]'");
}

static char *object_ids(void)
{
	struct run_result r = th_sh(dir, "git cat-file --batch-all-objects "
					 "--batch-check='%(objectname)'");

	cr_assert_eq(r.status, 0, "%s", r.err);
	free(r.err);
	return r.out;
}

static void open_reader(struct pack_order *po, struct pack_reader *r,
			size_t cache)
{
	struct lg_error err = LG_ERROR_INIT;
	struct buf path = BUF_INIT;

	buf_addf(&path, "%s/.git/objects", dir);
	cr_assert_eq(pack_order_open(po, path.ptr, &err), 0, "%s", err.msg);
	cr_assert_eq(po->n, 1, "one pack mapped");
	cr_assert_eq(git_odb_open(&odb, path.ptr), 0);
	buf_reset(&path);
	buf_addf(&path, "%s/.git", dir);
	cr_assert_eq(pack_reader_init(r, po, path.ptr, cache, &err), 0, "%s",
		     err.msg);
	buf_release(&path);
}

/*
 * Reads every object but skip (a hex id, or NULL) both ways; returns how
 * many were compared.
 */
static size_t compare_all(struct pack_reader *r, const char *ids,
			  const char *skip)
{
	const char *line;
	size_t n = 0;

	for (line = ids; *line; line = strchr(line, '\n') + 1) {
		struct lg_error err = LG_ERROR_INIT;
		struct pack_object *obj = NULL;
		git_odb_object *want = NULL;
		git_oid id;
		if (skip && !strncmp(line, skip, GIT_OID_HEXSZ))
			continue;
		cr_assert_eq(git_oid_fromstrn(&id, line, GIT_OID_HEXSZ), 0);
		cr_assert_eq(git_odb_read(&want, odb, &id), 0);
		cr_assert_eq(pack_reader_read(r, id.id, &obj, &err), 0,
			     "%.40s: %s", line, err.msg);
		cr_expect_eq(obj->type, git_odb_object_type(want), "%.40s", line);
		cr_assert_eq(obj->len, git_odb_object_size(want), "%.40s", line);
		cr_expect(!memcmp(obj->data, git_odb_object_data(want), obj->len),
			  "%.40s differs", line);
		cr_expect_eq(obj->data[obj->len], '\0');
		pack_object_put(obj);
		git_odb_object_free(want);
		n++;
	}
	return n;
}

static void check_every_object(size_t cache)
{
	struct pack_order po = PACK_ORDER_INIT;
	struct pack_reader r;
	char *ids = object_ids();

	open_reader(&po, &r, cache);
	cr_expect_geq(compare_all(&r, ids, NULL), 120);
	/* Twice: the second round is served from the cache where it fits. */
	cr_expect_geq(compare_all(&r, ids, NULL), 120);
	pack_reader_release(&r);
	pack_order_release(&po);
	free(ids);
}

TestSuite(pack_read, .init = setup, .fini = teardown);

Test(pack_read, offset_deltas_read_like_libgit2)
{
	build_history("");
	check_every_object((size_t)8 << 20);
}

Test(pack_read, ref_deltas_read_like_libgit2)
{
	build_history("");
	th_shf(dir, "git -c repack.usedeltabaseoffset=false repack -q -a -d -f "
		    "--depth=60 --window=60");
	check_every_object((size_t)8 << 20);
}

Test(pack_read, without_a_cache_chains_are_resolved_from_the_pack)
{
	build_history("");
	check_every_object(0);
}

Test(pack_read, loose_objects_come_through_libgit2)
{
	struct pack_order po = PACK_ORDER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct pack_object *obj = NULL;
	struct pack_reader r;
	struct run_result h;
	git_oid id;

	build_history("");
	h = th_sh(dir, "echo 'loose and new' | git hash-object -w --stdin");
	cr_assert_eq(h.status, 0);
	cr_assert_eq(git_oid_fromstrn(&id, h.out, GIT_OID_HEXSZ), 0);
	open_reader(&po, &r, 1 << 20);
	cr_assert_eq(pack_reader_read(&r, id.id, &obj, &err), 0, "%s", err.msg);
	cr_expect_eq(obj->type, GIT_OBJECT_BLOB);
	cr_expect_str_eq((const char *)obj->data, "loose and new\n");
	pack_object_put(obj);
	memset(id.id, 0xab, sizeof(id.id));
	cr_expect_neq(pack_reader_read(&r, id.id, &obj, &err), 0, "missing");
	pack_reader_release(&r);
	pack_order_release(&po);
	th_run_release(&h);
}

/* Damages noise.txt's compressed bytes inside the pack. */
static void damage_noise_blob(char *blob_hex)
{
	struct run_result v;
	unsigned long long off;
	char *line;

	th_shf(dir, "git rev-parse HEAD:noise.txt > blob.id && "
		    "git verify-pack -v .git/objects/pack/*.idx > packed.txt");
	v = th_sh(dir, "cat blob.id");
	memcpy(blob_hex, v.out, GIT_OID_HEXSZ);
	blob_hex[GIT_OID_HEXSZ] = '\0';
	th_run_release(&v);
	v = th_sh(dir, "grep \"^$(cat blob.id) blob\" packed.txt");
	cr_assert_eq(v.status, 0, "noise.txt is a whole object: %s", v.out);
	line = v.out;
	cr_assert_eq(sscanf(line, "%*s %*s %*u %*u %llu", &off), 1);
	th_shf(dir, "chmod u+w .git/objects/pack/*.pack && "
		    "printf 'XXXXXXXX' | dd of=$(ls .git/objects/pack/*.pack) "
		    "bs=1 seek=%llu conv=notrunc 2>/dev/null", off + 40);
	th_run_release(&v);
}

/* Streamed, the damaged blob opens but cannot be read to its end. */
static void expect_damaged_stream(struct pack_order *po, struct pack_reader *r,
				  const git_oid *id)
{
	struct lg_error err = LG_ERROR_INIT;
	struct pack_stream *s = NULL;
	unsigned char *all;
	size_t len = 0;

	cr_assert_eq(pack_reader_stream(r, pack_order_key(po, id->id), id->id,
					&s, &len, &err), 0, "%s", err.msg);
	all = malloc(len);
	cr_assert_eq(pack_stream_read(s, all, len, &err), LG_ERR_IO);
	cr_expect(strstr(err.msg, "damaged compressed data"), "%s", err.msg);
	free(all);
	pack_stream_free(s);
}

Test(pack_read, a_damaged_object_is_reported_and_the_rest_still_reads)
{
	struct pack_order po = PACK_ORDER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct pack_object *obj = NULL;
	struct pack_reader r;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	char *ids;

	build_history("");
	damage_noise_blob(hex);
	open_reader(&po, &r, 1 << 20);
	cr_assert_eq(git_oid_fromstr(&id, hex), 0);
	cr_assert_eq(pack_reader_read(&r, id.id, &obj, &err), LG_ERR_IO);
	cr_expect(strstr(err.msg, ".pack: object at offset "), "%s", err.msg);
	cr_expect(strstr(err.msg, "damaged compressed data"), "%s", err.msg);
	expect_damaged_stream(&po, &r, &id);
	/* Everything else still reads, and reads right. */
	ids = object_ids();
	cr_expect_geq(compare_all(&r, ids, hex), 120);
	free(ids);
	pack_reader_release(&r);
	pack_order_release(&po);
}

/*
 * Streams id in pieces of 1, 2, 3... 7 bytes and compares with libgit2.
 * Returns 0, or the error opening the stream (a delta).
 */
static int stream_compare(struct pack_order *po, struct pack_reader *r,
			  const git_oid *id, struct lg_error *err)
{
	struct pack_stream *s = NULL;
	git_odb_object *want = NULL;
	unsigned char piece[7];
	size_t len = 0, at = 0, n = 1;
	int rc = pack_reader_stream(r, pack_order_key(po, id->id), id->id, &s,
				    &len, err);

	if (rc)
		return rc;
	cr_assert_eq(git_odb_read(&want, odb, id), 0);
	cr_assert_eq(len, git_odb_object_size(want));
	for (; at < len; at += n, n = n % 7 + 1) {
		if (n > len - at)
			n = len - at;
		cr_assert_eq(pack_stream_read(s, piece, n, err), 0, "%s",
			     err->msg);
		cr_assert(!memcmp(piece, (const char *)git_odb_object_data(want) +
						 at, n), "differs at %zu", at);
	}
	cr_expect_neq(pack_stream_read(s, piece, 1, err), 0, "past the end");
	git_odb_object_free(want);
	pack_stream_free(s);
	return 0;
}

/*
 * Blobs too large to hold are streamed: whole packed blobs and loose ones
 * read back byte for byte in small pieces; a delta cannot be streamed.
 */
Test(pack_read, whole_and_loose_blobs_stream_in_pieces)
{
	struct pack_order po = PACK_ORDER_INIT;
	struct lg_error err = LG_ERROR_INIT;
	struct pack_reader r;
	struct run_result h;
	const char *line;
	size_t whole = 0, deltas = 0;
	git_oid id;

	build_history("");
	h = th_sh(dir, "git rev-list --objects --all | cut -c1-40 | "
		       "git cat-file --batch-check='%(objectname) "
		       "%(objecttype)' | sed -n 's/ blob$//p'; "
		       "seq 1 500 | git hash-object -w --stdin");
	cr_assert_eq(h.status, 0, "%s", h.err);
	open_reader(&po, &r, 1 << 20);
	for (line = h.out; *line; line = strchr(line, '\n') + 1) {
		cr_assert_eq(git_oid_fromstrn(&id, line, GIT_OID_HEXSZ), 0);
		lg_error_clear(&err);
		if (!stream_compare(&po, &r, &id, &err)) {
			whole++;
			continue;
		}
		cr_expect(strstr(err.msg, "deltified blob over 1 GiB is not "
				 "streamed"), "%s", err.msg);
		deltas++;
	}
	cr_expect_geq(whole, 3, "long.txt, noise.txt and the loose blob");
	cr_expect_geq(deltas, 30);
	pack_reader_release(&r);
	pack_order_release(&po);
	th_run_release(&h);
}

/* ---- the byte parsers, on hand-made input ------------------------------- */

Test(pack_entry, a_delta_copies_and_inserts)
{
	/* Base 11 bytes, result 9: copy "hello", insert " you". */
	static const unsigned char base[] = "hello world";
	static const unsigned char delta[] = {
		11, 9,			/* sizes */
		0x90, 5,		/* copy offset 0, length 5 */
		4, ' ', 'y', 'o', 'u',	/* insert 4 bytes */
	};
	unsigned char out[9];
	size_t base_len, len, ops;

	cr_assert_null(pack_delta_sizes(delta, sizeof(delta), &base_len, &len, &ops));
	cr_expect_eq(base_len, 11);
	cr_assert_eq(len, 9);
	cr_assert_null(pack_delta_apply(base, 11, delta, sizeof(delta), ops, out, len));
	cr_expect(!memcmp(out, "hello you", 9));
}

Test(pack_entry, deltas_that_do_not_fit_are_refused)
{
	static const unsigned char base[] = "hello world";
	static const unsigned char past_base[] = { 11, 5, 0x91, 8, 5 };
	static const unsigned char short_result[] = { 11, 6, 0x90, 5 };
	static const unsigned char zero_op[] = { 11, 1, 0 };
	static const unsigned char truncated_insert[] = { 11, 4, 4, 'a' };
	unsigned char out[16];
	size_t b, len, ops;

	cr_assert_null(pack_delta_sizes(past_base, 5, &b, &len, &ops));
	cr_expect_str_eq(pack_delta_apply(base, 11, past_base, 5, ops, out, len),
			 "bad delta instructions");
	cr_assert_null(pack_delta_sizes(short_result, 4, &b, &len, &ops));
	cr_expect_str_eq(pack_delta_apply(base, 11, short_result, 4, ops, out, len),
			 "delta shorter than its result");
	cr_assert_null(pack_delta_sizes(zero_op, 3, &b, &len, &ops));
	cr_expect_not_null(pack_delta_apply(base, 11, zero_op, 3, ops, out, len));
	cr_assert_null(pack_delta_sizes(truncated_insert, 4, &b, &len, &ops));
	cr_expect_not_null(pack_delta_apply(base, 11, truncated_insert, 4, ops,
					    out, len));
	cr_expect_not_null(pack_delta_sizes((const unsigned char *)"\x80", 1, &b,
					    &len, &ops));
}

Test(pack_entry, entry_headers)
{
	/* "PACK" v2 1 object, then: a blob of 300 bytes; an offset delta. */
	unsigned char pack[64] = "PACK\0\0\0\2\0\0\0\1";
	struct pack_entry e;

	pack[12] = 0x80 | (3 << 4) | (300 & 15);	/* blob, size 300 */
	pack[13] = 300 >> 4;
	cr_assert_null(pack_entry_parse(pack, 40, 12, &e));
	cr_expect_eq(e.type, 3);
	cr_expect_eq(e.size, 300);
	cr_expect_eq(e.data, 14);
	pack[20] = (PACK_OFS_DELTA << 4) | 5;		/* delta, base 8 back */
	pack[21] = 8;
	cr_assert_null(pack_entry_parse(pack, 40, 20, &e));
	cr_expect_eq(e.base, 12);
	pack[21] = 30;					/* before the pack */
	cr_expect_str_eq(pack_entry_parse(pack, 40, 20, &e), "bad delta base");
	pack[20] = 0x05;				/* type 0 */
	cr_expect_str_eq(pack_entry_parse(pack, 40, 20, &e), "unknown object type");
	cr_expect_str_eq(pack_entry_parse(pack, 40, 40, &e),
			 "offset outside the pack");
	memset(pack + 12, 0xff, 20);			/* a size that never ends */
	cr_expect_not_null(pack_entry_parse(pack, 32, 12, &e));
}
