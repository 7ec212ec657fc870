/* The decode stage in process: views, places, caps and memory bounds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "archive_fixture.h"
#include "buf.h"
#include "decode.h"
#include "error.h"

struct seen {
	size_t views, bytes;
	struct buf paths;	/* "level path\n" per view */
	struct buf notes;
	struct decode_place place;	/* of "NEEDLE" in the last decoded view */
	int placed;
};

static int on_view(const struct decode_view *v, void *payload)
{
	struct seen *s = payload;
	const char *hit = memmem(v->data, v->len, "NEEDLE", 6);

	s->views++;
	s->bytes += v->len;
	buf_addf(&s->paths, "%u %s\n", v->level, v->path);
	if (hit && v->level) {
		decode_place(v, (size_t)(hit - v->data), &s->place);
		s->placed = 1;
	}
	return 0;
}

static void on_note(const char *msg, void *payload)
{
	struct seen *s = payload;

	buf_addf(&s->notes, "%s\n", msg);
}

static void run(const struct decode_options *o, const char *data, size_t len,
		const char *path, struct seen *s)
{
	struct decode_sink sink = { on_view, on_note, s };
	struct decode_worker *dw = NULL;
	struct lg_error err = LG_ERROR_INIT;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(decode_worker_new(&dw, o, &err), 0);
	cr_assert_eq(decode_blob(dw, data, len, path, &sink), 0);
	decode_worker_free(dw);
}

static void seen_release(struct seen *s)
{
	buf_release(&s->paths);
	buf_release(&s->notes);
}

/* A match in nested decoded text maps to the outer run's line and column. */
Test(decode, place_of_nested_run)
{
	/* base64 of "k=\"x\\nNEEDLE-and-more-text\"" (escape inside base64) */
	const char *text = "line one\nline two\n  v: "
			   "az0ieFxuTkVFRExFLWFuZC1tb3JlLXRleHQi\n";
	struct decode_options o;
	struct seen s;

	decode_options_init(&o);
	run(&o, text, strlen(text), "f.yaml", &s);
	cr_assert(s.placed, "%s", s.paths.ptr);
	cr_expect_eq(s.place.line, 3);
	cr_expect_eq(s.place.column, 6);
	cr_expect_eq(s.place.n_chain, 2);
	cr_expect_eq(s.place.chain[0], DECODE_BASE64);
	cr_expect_eq(s.place.chain[1], DECODE_ESCAPE);
	cr_expect_str_eq(s.paths.ptr, "0 f.yaml\n1 f.yaml\n2 f.yaml\n");
	seen_release(&s);
	o.max_depth = 1;
	run(&o, text, strlen(text), "f.yaml", &s);
	cr_expect_str_eq(s.paths.ptr, "0 f.yaml\n1 f.yaml\n");
	seen_release(&s);
}

/* The decoded-text cap: noted once, what fits is still decoded. */
Test(decode, decoded_cap_is_noted_once)
{
	struct buf in = BUF_INIT;
	struct decode_options o;
	struct seen s;
	size_t i;

	for (i = 0; i < 1000; i++)
		buf_adds(&in, "dG9rZW49c2VjcmV0LXZhbHVlLTEyMzQ1Ng==\n");
	decode_options_init(&o);
	o.max_decoded = 1000;
	run(&o, in.ptr, in.len, "big.txt", &s);
	cr_expect_eq(strcmp(s.notes.ptr ? s.notes.ptr : "",
			    "big.txt: decoded-text cap reached, rest not decoded\n"), 0,
		     "%s", s.notes.ptr);
	cr_expect_gt(s.views, 1);
	seen_release(&s);
	buf_release(&in);
}

/* A tar of many empty members: each one costs, the cap stops it. */
Test(decode, many_empty_members_hit_the_cap)
{
	struct af_member *m = calloc(5000, sizeof(*m));
	char (*names)[16] = calloc(5000, sizeof(*names));
	struct decode_options o;
	struct seen s;
	size_t i, len;
	char *tar;

	for (i = 0; i < 5000; i++) {
		snprintf(names[i], sizeof(names[i]), "e%zu", i);
		m[i].name = names[i];
		m[i].data = "";
	}
	tar = af_archive("ustar", "gzip", NULL, NULL, m, 5000, &len);
	decode_options_init(&o);
	o.max_expanded = 1 << 20;
	o.max_ratio = 0;
	run(&o, tar, len, "empty.tgz", &s);
	cr_expect_eq(s.views, 0);
	cr_expect_neq(strstr(s.notes.ptr ? s.notes.ptr : "",
			     "empty.tgz: archive expansion cap reached"), NULL);
	seen_release(&s);
	free(tar);
	free(names);
	free(m);
}

/*
 * 10 GiB expanding: read only to the cap, and in bounded memory (the
 * peak RSS of this process stays far below what the cap would hold).
 */
Test(decode, bomb_in_bounded_memory)
{
	struct decode_options o;
	struct rusage ru;
	struct seen s;
	size_t len;
	char *bomb = af_gzip_fill('x', (size_t)64 << 20, 160, &len);

	decode_options_init(&o);
	o.max_member = (size_t)10 << 20;
	run(&o, bomb, len, "bomb.gz", &s);
	cr_expect_eq(s.views, 0);
	cr_expect_neq(strstr(s.notes.ptr, "bomb.gz: archive member over the size cap, not scanned (bomb)"), NULL,
		      "%s", s.notes.ptr);
	cr_expect_neq(strstr(s.notes.ptr, "archive expansion cap reached"), NULL,
		      "%s", s.notes.ptr);
	cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	cr_expect_lt(ru.ru_maxrss, 128 * 1024, "peak RSS %ld KiB", ru.ru_maxrss);
	seen_release(&s);
	free(bomb);
}

Test(decode, archive_sniffing_is_by_magic)
{
	struct decode_options o;

	decode_options_init(&o);
	cr_expect(decode_is_archive(&o, "PK\3\4rest", 8));
	cr_expect(decode_is_archive(&o, "\x1f\x8b\x08rest", 7));
	cr_expect(decode_is_archive(&o, "BZh9rest", 8));
	cr_expect_not(decode_is_archive(&o, "BZhxrest", 8));
	cr_expect_not(decode_is_archive(&o, "PK", 2));
	cr_expect_not(decode_is_archive(&o, "plain text", 10));
	o.max_archive_depth = 0;
	cr_expect_not(decode_is_archive(&o, "PK\3\4rest", 8));
}
