/*
 * gen-repo: writes a git fast-import stream of a deterministic repository,
 * so that bench/bench.sh runs where no public repository is at hand.  The
 * same arguments give the same stream, hence the same commit ids.
 *
 *   gen-repo COMMITS FILES   a first commit of FILES source-like files,
 *                            then COMMITS-1 commits that each edit a few
 *                            lines of a few files; a tag every 500 commits
 *
 * About one line in 2,000 holds a made-up token (GitHub, npm, fine-grained
 * GitHub, AWS key id, URL password) whose checksum, where the format has
 * one, is valid: the scanners get findings to report.  The tokens exist
 * only in the generated repository; none is stored in this source.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
#include "banned.h"

#define EPOCH 1700000000L
#define TOKEN_ODDS 2003u
#define TAG_EVERY 500u

static const char alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The files of the repository, each a list of line versions. */
struct gen {
	size_t files;
	unsigned *lines;   /* number of lines of each file */
	uint16_t **ver;    /* per file, per line: times the line was edited */
	uint32_t rng;      /* xorshift state for the edits */
	unsigned long time;
};

static void die(const char *what)
{
	fprintf(stderr, "gen-repo: %s\n", what);
	exit(2);
}

static uint32_t mix(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = a * 0x9e3779b1u ^ b * 0x85ebca77u ^ c * 0xc2b2ae3du;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	h *= 0x297a2d39u;
	return h ^ (h >> 15);
}

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Writes n characters of alphabet drawn from seed x. */
static void put_random(FILE *o, uint32_t x, const char *alphabet, size_t n)
{
	size_t len = strlen(alphabet);

	x |= 1;
	while (n--)
		fputc(alphabet[next(&x) % len], o);
}

/* A 30-character body and its CRC-32 check, as GitHub and npm mint them. */
static void put_checked(FILE *o, const char *prefix, uint32_t x)
{
	char body[37];
	size_t i;

	x |= 1;
	for (i = 0; i < 30; i++)
		body[i] = alnum[next(&x) % 62];
	validate_crc32_base62(body, 30, body + 30);
	fprintf(o, "%s%.36s", prefix, body);
}

static void put_token(FILE *o, uint32_t h)
{
	switch ((h >> 20) % 5) {
	case 0:
		fputs("\tconst char *token = \"", o);
		put_checked(o, "ghp_", h);
		fputs("\";\n", o);
		break;
	case 1:
		fputs("//registry.npmjs.org/:_authToken=", o);
		put_checked(o, "npm_", h);
		fputc('\n', o);
		break;
	case 2:
		fputs("GITHUB_TOKEN=github_pat_", o);
		put_random(o, h, alnum, 22);
		fputc('_', o);
		put_random(o, h ^ 0x5bd1e995u, alnum, 59);
		fputc('\n', o);
		break;
	case 3:
		fputs("aws_access_key_id = AKIA", o);
		put_random(o, h, base32, 16);
		fputc('\n', o);
		break;
	default:
		fputs("url = https://deploy:", o);
		put_random(o, h, alnum, 18);
		fputs("@git.example.com/app.git\n", o);
	}
}

/* Line k of file f at version v: code-like text, now and then a token. */
static void put_line(FILE *o, uint32_t f, uint32_t k, uint32_t v)
{
	uint32_t h = mix(f + 1, k + 1, v + 1);

	if (h % TOKEN_ODDS == 0) {
		put_token(o, h);
		return;
	}
	switch (h % 6) {
	case 0:
		fprintf(o, "static int step_%x(struct ctx *c, size_t n)\n", h);
		break;
	case 1:
		fprintf(o, "\tif (c->count_%u > %u)\n\t\treturn -1;\n",
			h >> 24, (h >> 8) & 0xffff);
		break;
	case 2:
		fprintf(o, "\t/* pass %u of %u: keep the cache warm */\n",
			h >> 16, h & 0xff);
		break;
	case 3:
		fprintf(o, "\tn = lookup(c, \"key-%08x\", %u);\n", h, h >> 28);
		break;
	case 4:
		fputs("}\n\n", o);
		break;
	default:
		fprintf(o, "\tfor (i = 0; i < %u; i++)\n"
			"\t\tsum += v[i] * %u;\n", h >> 20, h & 0xfff);
	}
}

static void gen_add_file(struct gen *g, size_t f, unsigned lines)
{
	g->lines[f] = lines;
	g->ver[f] = calloc(lines, sizeof(**g->ver));
	if (!g->ver[f])
		die("out of memory");
}

static void gen_init(struct gen *g, size_t files, unsigned min, unsigned span)
{
	size_t f;

	memset(g, 0, sizeof(*g));
	g->files = files;
	g->rng = 2463534242u;
	g->time = EPOCH;
	g->lines = calloc(files, sizeof(*g->lines));
	g->ver = calloc(files, sizeof(*g->ver));
	if (!g->lines || !g->ver)
		die("out of memory");
	for (f = 0; f < files; f++)
		gen_add_file(g, f, min + next(&g->rng) % span);
}

static void gen_release(struct gen *g)
{
	size_t f;

	for (f = 0; f < g->files; f++)
		free(g->ver[f]);
	free(g->ver);
	free(g->lines);
}

/* Writes a fast-import `data` block. */
static void put_data(const char *data, size_t len)
{
	printf("data %zu\n", len);
	fwrite(data, 1, len, stdout);
	putchar('\n');
}

/* Writes file f inline at path. */
static void put_file(const struct gen *g, size_t f, const char *path)
{
	char *text = NULL;
	size_t len = 0, k;
	FILE *o = open_memstream(&text, &len);

	if (!o)
		die("out of memory");
	for (k = 0; k < g->lines[f]; k++)
		put_line(o, (uint32_t)f, (uint32_t)k, g->ver[f][k]);
	if (fclose(o))
		die("out of memory");
	printf("M 100644 inline %s\n", path);
	put_data(text, len);
	free(text);
}

static void put_commit(struct gen *g, const char *ref, const char *msg)
{
	g->time += 3600;
	printf("commit %s\n", ref);
	printf("author Bench Author <author@example.com> %lu +0000\n", g->time);
	printf("committer Bench Author <author@example.com> %lu +0000\n",
	       g->time);
	put_data(msg, strlen(msg));
}

/* Edits a few lines of file f, now and then growing it. */
static void gen_edit(struct gen *g, size_t f)
{
	unsigned n = 1 + next(&g->rng) % 6, i;

	if (next(&g->rng) % 8 == 0) {
		unsigned grow = 1 + next(&g->rng) % 20;
		uint16_t *v = realloc(g->ver[f], (g->lines[f] + grow) *
					      sizeof(*v));
		if (!v)
			die("out of memory");
		memset(v + g->lines[f], 0, grow * sizeof(*v));
		g->ver[f] = v;
		g->lines[f] += grow;
	}
	for (i = 0; i < n; i++)
		g->ver[f][next(&g->rng) % g->lines[f]]++;
}

static void history_file(const struct gen *g, size_t f)
{
	char path[64];

	snprintf(path, sizeof(path), "src/d%02zu/f%05zu.c", f / 100, f);
	put_file(g, f, path);
}

static void gen_history(struct gen *g, unsigned long commits)
{
	char msg[128];
	unsigned long c;
	size_t f;

	put_commit(g, "refs/heads/master", "Initial import\n");
	for (f = 0; f < g->files; f++)
		history_file(g, f);
	for (c = 1; c < commits; c++) {
		unsigned n = 1 + next(&g->rng) % 4, i;

		snprintf(msg, sizeof(msg), "Change %lu: tune the steps\n", c);
		put_commit(g, "refs/heads/master", msg);
		for (i = 0; i < n; i++) {
			f = next(&g->rng) % g->files;
			gen_edit(g, f);
			history_file(g, f);
		}
		if (c % TAG_EVERY == 0)
			printf("reset refs/tags/v%lu\n"
			       "from refs/heads/master\n\n", c / TAG_EVERY);
	}
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || !n)
		die("arguments must be positive integers");
	return n;
}

int main(int argc, char **argv)
{
	struct gen g;

	if (argc != 3)
		die("usage: gen-repo COMMITS FILES");
	gen_init(&g, number(argv[2]), 50, 400);
	gen_history(&g, number(argv[1]));
	gen_release(&g);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write the stream");
	return 0;
}
