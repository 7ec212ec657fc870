/*
 * Encoded secrets and archives end to end: `scan` and `history` through
 * the real binary, on files and repositories built here.  Tokens are fake
 * (valid checksums made at run time); archives and bombs are generated.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_fixture.h"
#include "buf.h"
#include "helpers.h"

TH_DIR_SUITE(e2e_decode, dir, .timeout = 120);

#define LG(...) th_leakgate(dir, NULL, (const char *const[]){ __VA_ARGS__, NULL })

static const char *ghp(unsigned seed, int slot)
{
	return th_fake_token("ghp_", 30, seed, slot);
}

/* base64 of s into out (URL-safe alphabet when url), without padding if !pad. */
static void b64(struct buf *out, const char *s, int url, int pad)
{
	const char *abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		v |= i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
		buf_addch(out, abc[v >> 18 & 63]);
		buf_addch(out, abc[v >> 12 & 63]);
		if (i + 1 < n)
			buf_addch(out, abc[v >> 6 & 63]);
		else if (pad)
			buf_addch(out, '=');
		if (i + 2 < n)
			buf_addch(out, abc[v & 63]);
		else if (pad)
			buf_addch(out, '=');
	}
}

static json_t *parse(const struct run_result *r)
{
	json_error_t jerr;
	json_t *j = json_loads(r->out, 0, &jerr);

	cr_assert_not_null(j, "not JSON (%s): %s %s", jerr.text, r->out, r->err);
	cr_assert(json_is_array(j));
	return j;
}

static const char *field(json_t *f, const char *key)
{
	json_t *v = json_object_get(f, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static long num(json_t *f, const char *key)
{
	return (long)json_integer_value(json_object_get(f, key));
}

/* The GitHub token finding at path, or NULL. */
static json_t *at_path(json_t *all, const char *path)
{
	size_t i;

	for (i = 0; i < json_array_size(all); i++) {
		json_t *f = json_array_get(all, i);
		if (!strcmp(field(f, "path"), path) &&
		    !strcmp(field(f, "rule"), "github-pat-classic"))
			return f;
	}
	return NULL;
}

/* How many GitHub token findings there are. */
static size_t tokens(json_t *all)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(all); i++)
		n += !strcmp(field(json_array_get(all, i), "rule"),
			     "github-pat-classic");
	return n;
}

/* The decoding chain of f joined with '+', "" for none. */
static const char *chain(json_t *f, char *out, size_t outlen)
{
	json_t *d = json_object_get(f, "decoded");
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < json_array_size(d) && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? "+" : "",
					 json_string_value(json_array_get(d, i)));
	return out;
}

/* Expects exactly one finding at path, of the token, at line:column. */
static void expect_one(json_t *all, const char *path, const char *want_chain,
		       long line, long column)
{
	json_t *f = at_path(all, path);
	char c[64];

	cr_assert_not_null(f, "no finding at %s", path);
	cr_expect_str_eq(field(f, "rule"), "github-pat-classic", "%s", path);
	cr_expect_str_eq(chain(f, c, sizeof(c)), want_chain, "%s", path);
	if (line)
		cr_expect_eq(num(f, "line"), line, "%s: line %ld", path, num(f, "line"));
	if (column)
		cr_expect_eq(num(f, "column"), column, "%s: column %ld", path,
			     num(f, "column"));
}

static void write_fmt(const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_fmt(const char *rel, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	th_write(dir, rel, b.ptr);
	buf_release(&b);
}

/* The examples, in one scan: each found once, at its place. */
Test(e2e_decode, encoded_tokens_in_text_files)
{
	const char *tok = ghp(1, 0);
	struct buf enc = BUF_INIT, url = BUF_INIT, nested = BUF_INIT, inner = BUF_INIT;
	struct run_result r;
	json_t *all, *plain;
	size_t i;

	b64(&enc, tok, 0, 1);
	write_fmt("values.yaml", "image: app\ntoken: %s\n", enc.ptr);
	b64(&url, tok, 1, 0);
	write_fmt("url-safe.txt", "x %s\n", url.ptr);
	write_fmt("query.txt", "GET https://api.example.com/x?u=token%%3D%s&v=1\n", tok);
	write_fmt("msg.json", "{\"log\": \"starting\\nghp=\\n%s\\tdone\"}\n", tok);
	write_fmt("t.json", "{\"a\":\"\\u0022%s\\u0022\"}\n", tok);
	buf_reset(&url);
	for (i = 0; tok[i]; i++)
		buf_addf(&url, "%02x", (unsigned char)tok[i]);
	write_fmt("dump.txt", "secret_hex=%s\n", url.ptr);
	/* A Kubernetes Secret's data: value. */
	buf_reset(&enc);
	b64(&enc, tok, 0, 1);
	write_fmt("secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n"
		  "  GITHUB_TOKEN: %s\n", enc.ptr);
	/* A .dockerconfigjson whose "auth" is base64 again: two levels. */
	buf_addf(&inner, "{\"auths\":{\"r\":{\"auth\":\"");
	b64(&inner, tok, 0, 1);
	buf_adds(&inner, "\"}}}");
	b64(&nested, inner.ptr, 0, 1);
	write_fmt("docker.yaml", "data:\n  .dockerconfigjson: %s\n", nested.ptr);
	write_fmt("plain.env", "T=%s\n", tok);

	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "values.yaml", "base64", 2, 8);
	expect_one(all, "url-safe.txt", "base64", 1, 3);
	expect_one(all, "query.txt", "percent", 1, 0);
	expect_one(all, "msg.json", "escape", 1, 0);
	expect_one(all, "t.json", "escape", 1, 0);
	expect_one(all, "dump.txt", "hex", 1, 12);
	expect_one(all, "secret.yaml", "base64", 4, 17);
	expect_one(all, "docker.yaml", "base64+base64", 2, 22);
	plain = at_path(all, "plain.env");
	cr_assert_not_null(plain);
	/* One secret however it is written: the decoded one's fingerprint. */
	for (i = 0; i < json_array_size(all); i++)
		cr_expect_str_eq(field(json_array_get(all, i), "fingerprint"),
				 field(plain, "fingerprint"));
	cr_expect_eq(json_array_size(all), 9, "%s", r.out);
	cr_expect_null(strstr(r.out, tok), "secret not redacted");
	json_decref(all);
	th_run_release(&r);

	/* One level: the nested one is missed; none: only the plain one. */
	r = LG("scan", ".", "-f", "json", "--no-progress", "--max-decode-depth", "1");
	all = parse(&r);
	cr_expect_eq(tokens(all), 8, "%s", r.out);
	cr_expect_null(at_path(all, "docker.yaml"));
	json_decref(all);
	th_run_release(&r);
	r = LG("scan", ".", "-f", "json", "--no-progress", "--max-decode-depth", "0");
	all = parse(&r);
	cr_expect_eq(tokens(all), 1, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	buf_release(&enc);
	buf_release(&url);
	buf_release(&nested);
	buf_release(&inner);
}

/* Writes an archive of members to dir/rel. */
static void write_archive(const char *rel, const char *format,
			  const char *filter, const struct af_member *m, size_t n)
{
	size_t len;
	char *bytes = af_archive(format, filter, NULL, NULL, m, n, &len);

	th_writen(dir, rel, bytes, len);
	free(bytes);
}

static char *env_of(const char *tok)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "APP=1\nGITHUB_TOKEN=%s\n", tok);
	return buf_detach(&b);
}

/* Every format of the issue: a .env inside, found as "archive!member". */
Test(e2e_decode, env_inside_archives)
{
	static const char *const formats[][3] = {
		{ "dist/bundle.zip", "zip", "none" },
		{ "dist/app.jar", "zip", "none" },
		{ "dist/bundle.tar", "ustar", "none" },
		{ "dist/bundle.tgz", "ustar", "gzip" },
		{ "dist/bundle.tar.bz2", "ustar", "bzip2" },
		{ "dist/bundle.tar.xz", "ustar", "xz" },
		{ "dist/bundle.tar.zst", "ustar", "zstd" },
		{ "dist/bundle.7z", "7zip", "none" },
		{ "dist/renamed.txt", "zip", "none" },	/* magic, not name */
	};
	char *env = env_of(ghp(2, 0));
	struct af_member m[] = { { "README", "hello\n", 0 }, { "app/.env", env, 0 } };
	struct buf want = BUF_INIT;
	struct run_result r;
	json_t *all;
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		write_archive(formats[i][0], formats[i][1], formats[i][2], m, 2);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		buf_reset(&want);
		buf_addf(&want, "%s!app/.env", formats[i][0]);
		expect_one(all, want.ptr, "", 2, 14);
	}
	cr_expect_eq(tokens(all), sizeof(formats) / sizeof(formats[0]), "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	buf_release(&want);
	free(env);
}

/* Bare compressed streams: "x.gz" holds "x". */
Test(e2e_decode, env_in_compressed_streams)
{
	static const char *const filters[][2] = {
		{ "gzip", "app.env.gz" }, { "bzip2", "app.env.bz2" },
		{ "xz", "app.env.xz" }, { "zstd", "app.env.zst" },
	};
	char *env = env_of(ghp(3, 0));
	struct af_member m[] = { { "app.env", env, 0 } };
	struct run_result r;
	json_t *all;
	size_t i;

	for (i = 0; i < 4; i++)
		write_archive(filters[i][1], "raw", filters[i][0], m, 1);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "app.env.gz!app.env", "", 2, 14);
	expect_one(all, "app.env.bz2!app.env", "", 2, 14);
	expect_one(all, "app.env.xz!app.env", "", 2, 14);
	expect_one(all, "app.env.zst!app.env", "", 2, 14);
	json_decref(all);
	th_run_release(&r);
	free(env);
}

/* a.zip!b.tar.gz!c/.env, and --max-archive-depth stops the descent. */
Test(e2e_decode, nested_archives)
{
	char *env = env_of(ghp(4, 0));
	struct af_member leaf[] = { { "c/.env", env, 0 } };
	size_t len;
	char *tgz = af_archive("ustar", "gzip", NULL, NULL, leaf, 1, &len);
	struct af_member outer[] = { { "b.tar.gz", tgz, len } };
	struct run_result r;
	json_t *all;

	write_archive("a.zip", "zip", "none", outer, 1);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "a.zip!b.tar.gz!c/.env", "", 2, 14);
	json_decref(all);
	th_run_release(&r);
	r = LG("scan", ".", "-f", "json", "--no-progress", "--max-archive-depth", "1");
	cr_expect_eq(r.status, 0, "%s %s", r.out, r.err);
	th_run_release(&r);
	r = LG("scan", ".", "-f", "json", "--no-progress", "--max-archive-depth", "0");
	cr_expect_eq(r.status, 0, "%s %s", r.out, r.err);
	th_run_release(&r);
	free(tgz);
	free(env);
}

/*
 * Hostile members: traversal and absolute names are only text in the
 * report, a symbolic link is not followed, and nothing is written.
 */
Test(e2e_decode, hostile_member_names)
{
	char *env = env_of(ghp(5, 0));
	struct af_member m[] = {
		{ "../../../../tmp/evil.env", env, 0 },
		{ "/etc/cron.d/evil.env", env, 0 },
		{ "link-to-passwd", NULL, 0 },
		{ "name\nwith\033[31mcontrol", env, 0 },
	};
	struct run_result r, ls;
	json_t *all;

	write_archive("h.tar", "ustar", "none", m, 4);
	write_archive("h.zip", "zip", "none", m, 4);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "h.tar!../../../../tmp/evil.env", "", 2, 14);
	expect_one(all, "h.zip!/etc/cron.d/evil.env", "", 2, 14);
	expect_one(all, "h.zip!name\nwith\033[31mcontrol", "", 2, 14);
	cr_expect_eq(tokens(all), 6, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	/* Text output escapes the control characters of a member name. */
	r = LG("scan", "h.zip", "--no-progress");
	cr_expect_null(strchr(r.out, '\033'), "%s", r.out);
	th_run_release(&r);
	ls = th_sh(dir, "ls -A | tr '\\n' ' '");
	cr_expect_str_eq(ls.out, "h.tar h.zip ");
	th_run_release(&ls);
	free(env);
}

/* Encrypted or corrupt: a note, the rest scanned, never an error status. */
Test(e2e_decode, encrypted_and_corrupt_archives_are_notes)
{
	char *env = env_of(ghp(6, 0));
	struct af_member m[] = { { "app/.env", env, 0 } };
	size_t len;
	char *zip = af_archive("zip", "none", "zip:encryption=zipcrypt", "pw", m, 1,
			       &len);
	struct run_result r;

	th_writen(dir, "locked.zip", zip, len);
	th_writen(dir, "truncated.zip", zip, len / 2 > 40 ? 40 : len / 2);
	th_writen(dir, "broken.tgz", "\x1f\x8b\x08\0\0\0\0\0\0\3garbage-garbage",
		  25);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_expect_eq(r.status, 0, "%s %s", r.out, r.err);
	cr_expect_eq(th_count(r.err, "locked.zip"), 1, "%s", r.err);
	cr_expect_neq(strstr(r.err, "encrypted"), NULL, "%s", r.err);
	cr_expect_eq(th_count(r.err, "truncated.zip"), 1, "%s", r.err);
	cr_expect_eq(th_count(r.err, "broken.tgz"), 1, "%s", r.err);
	th_run_release(&r);
	free(zip);
	free(env);
}

/*
 * A gzip that expands to 10 GiB (160 members of 64 MiB of one letter,
 * ~10 MB on disk): scanned to the expansion cap, noted once, and the file next
 * to it still scanned.
 */
Test(e2e_decode, ten_gib_bomb_is_capped)
{
	size_t len;
	char *bomb = af_gzip_fill('x', (size_t)64 << 20, 160, &len);
	struct run_result r;
	json_t *all;

	th_writen(dir, "bomb.gz", bomb, len);
	write_fmt("app.env", "GITHUB_TOKEN=%s\n", ghp(7, 0));
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "app.env", "", 1, 14);
	cr_expect_eq(th_count(r.err, "expansion cap reached"), 1, "%s", r.err);
	cr_expect_eq(th_count(r.err, "bomb.gz"), 2, "%s", r.err);	/* + size cap */
	json_decref(all);
	th_run_release(&r);
	free(bomb);
}

/* Many copies of a small bomb in a zip: the expansion ratio stops it. */
Test(e2e_decode, nested_bomb_hits_the_ratio_cap)
{
	size_t len, i;
	char *gz = af_gzip_fill('x', (size_t)32 << 20, 1, &len);
	struct af_member m[12];
	char names[12][16];
	struct run_result r;

	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "z%zu.gz", i);
		m[i].name = names[i];
		m[i].data = gz;
		m[i].len = len;
	}
	write_archive("nest.zip", "zip", "none", m, 12);
	r = LG("scan", ".", "-f", "json", "--no-progress");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_eq(th_count(r.err, "expansion ratio cap reached"), 1, "%s", r.err);
	th_run_release(&r);
	free(gz);
}

/* history: the same tokens in git blobs, encoded and archived. */
Test(e2e_decode, history_finds_encoded_and_archived_tokens)
{
	const char *tok = ghp(8, 0);
	char *env = env_of(tok);
	struct af_member m[] = { { "app/.env", env, 0 } };
	struct buf enc = BUF_INIT;
	struct run_result r;
	json_t *all, *f;

	th_git_init(dir);
	b64(&enc, tok, 0, 1);
	write_fmt("values.yaml", "token: %s\n", enc.ptr);
	write_archive("dist/bundle.zip", "zip", "none", m, 1);
	th_git_commit(dir, "add");
	th_shf(dir, "cp dist/bundle.zip copy.zip && git add copy.zip && "
		    "git commit -qm copy");
	th_shf(dir, "git rm -q values.yaml dist/bundle.zip copy.zip && "
		    "git commit -qm rm");
	r = LG("history", "-f", "json", "--no-progress", "--all-locations");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "values.yaml", "base64", 1, 8);
	expect_one(all, "dist/bundle.zip!app/.env", "", 2, 14);
	f = at_path(all, "dist/bundle.zip!app/.env");
	cr_expect_eq(strlen(field(f, "commit")), 40);
	/* The same blob elsewhere: the same member there. */
	cr_expect_eq(th_count(r.out, "\"copy.zip!app/.env\""), 1, "%s", r.out);
	cr_expect_eq(th_count(r.out, "zip\""), 0, "%s", r.out);
	cr_expect_eq(tokens(all), 2, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	/* Off: neither token (the base64 text may still look generic). */
	r = LG("history", "-f", "json", "--no-progress", "--max-decode-depth", "0",
	       "--max-archive-depth", "0");
	all = parse(&r);
	cr_expect_eq(tokens(all), 0, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	buf_release(&enc);
	free(env);
}

/* staged: an encoded token on an added line is found; on an old line not. */
Test(e2e_decode, staged_finds_an_added_encoded_token)
{
	struct buf old = BUF_INIT, added = BUF_INIT;
	struct run_result r;
	json_t *all;

	th_git_init(dir);
	b64(&old, ghp(9, 0), 0, 1);
	write_fmt("app.yaml", "token: %s\n", old.ptr);
	th_git_commit(dir, "old");
	b64(&added, ghp(10, 1), 0, 1);
	write_fmt("app.yaml", "token: %s\nsecond: %s\n", old.ptr, added.ptr);
	th_shf(dir, "git add -A");
	r = LG("staged", "-f", "json", "--no-progress");
	cr_assert_eq(r.status, 1, "%s", r.err);
	all = parse(&r);
	expect_one(all, "app.yaml", "base64", 2, 9);
	cr_expect_eq(tokens(all), 1, "%s", r.out);
	json_decref(all);
	th_run_release(&r);
	buf_release(&old);
	buf_release(&added);
}
