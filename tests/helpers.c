#include "helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "validate.h"

char *th_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	struct buf b = BUF_INIT;
	char *dir;

	buf_addf(&b, "%s/leakgate-test-XXXXXX", base && *base ? base : "/tmp");
	dir = buf_detach(&b);
	cr_assert(mkdtemp(dir), "mkdtemp failed: %s", strerror(errno));
	return dir;
}

void th_rmtree(char *dir)
{
	struct buf cmd = BUF_INIT;

	if (!dir)
		return;
	buf_addf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.ptr) != 0)
		cr_log_warn("could not remove %s", dir);
	buf_release(&cmd);
	free(dir);
}

static void mkdirs_for(const char *path)
{
	char *copy = strdup(path), *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
	free(copy);
}

void th_writen(const char *dir, const char *rel, const char *data, size_t len)
{
	struct buf path = BUF_INIT;
	FILE *f;

	buf_addf(&path, "%s/%s", dir, rel);
	mkdirs_for(path.ptr);
	f = fopen(path.ptr, "wb");
	cr_assert(f, "cannot write %s", path.ptr);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	buf_release(&path);
}

void th_write(const char *dir, const char *rel, const char *data)
{
	th_writen(dir, rel, data, strlen(data));
}

static char *slurp_fd(int fd)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	return buf_detach(&b);
}

/* Runs argv with stdin from input; stdout/stderr captured via temp files. */
static struct run_result run_argv(const char *cwd, const char *input,
				  char *const *argv)
{
	struct run_result r = { -1, NULL, NULL, 0 };
	struct rusage usage;
	char out_path[] = "/tmp/lg-out-XXXXXX", err_path[] = "/tmp/lg-err-XXXXXX";
	char in_path[] = "/tmp/lg-in-XXXXXX";
	int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
	int in_fd = mkstemp(in_path), wstatus;
	pid_t pid;

	cr_assert(out_fd >= 0 && err_fd >= 0 && in_fd >= 0);
	if (input && write(in_fd, input, strlen(input)) < 0)
		cr_assert_fail("cannot write stdin file");
	lseek(in_fd, 0, SEEK_SET);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (cwd && chdir(cwd))
			_exit(127);
		dup2(in_fd, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	wait4(pid, &wstatus, 0, &usage);
	r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
				      : 128 + WTERMSIG(wstatus);
	r.cpu = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
		(double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
	lseek(out_fd, 0, SEEK_SET);
	lseek(err_fd, 0, SEEK_SET);
	r.out = slurp_fd(out_fd);
	r.err = slurp_fd(err_fd);
	close(in_fd);
	unlink(out_path);
	unlink(err_path);
	unlink(in_path);
	return r;
}

struct run_result th_leakgate(const char *cwd, const char *input,
			      const char *const *argv)
{
	const char *bin = getenv("LEAKGATE_BIN");
	char *args[64];
	size_t i;

	cr_assert(bin, "LEAKGATE_BIN is not set (run through make check)");
	args[0] = (char *)bin;
	for (i = 0; argv[i] && i < 62; i++)
		args[i + 1] = (char *)argv[i];
	args[i + 1] = NULL;
	return run_argv(cwd, input, args);
}

struct run_result th_sh(const char *cwd, const char *cmdline)
{
	struct buf script = BUF_INIT;
	struct run_result r;
	char *args[4];

	buf_addf(&script,
		 "export GIT_AUTHOR_NAME='Test Author' GIT_AUTHOR_EMAIL=author@example.com "
		 "GIT_COMMITTER_NAME='Test Committer' GIT_COMMITTER_EMAIL=committer@example.com "
		 "GIT_AUTHOR_DATE=\"${TH_DATE:-2024-01-01T00:00:00Z}\" "
		 "GIT_COMMITTER_DATE=\"${TH_DATE:-2024-01-01T00:00:00Z}\" "
		 "GIT_CONFIG_NOSYSTEM=1 HOME=\"${TH_HOME:-/nonexistent}\"; %s",
		 cmdline);
	args[0] = (char *)"/bin/sh";
	args[1] = (char *)"-c";
	args[2] = script.ptr;
	args[3] = NULL;
	r = run_argv(cwd, NULL, args);
	buf_release(&script);
	return r;
}

void th_shf(const char *cwd, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	r = th_sh(cwd, cmd.ptr);
	cr_assert_eq(r.status, 0, "%s failed: %s", cmd.ptr, r.err);
	th_run_release(&r);
	buf_release(&cmd);
}

void th_run_release(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

void th_git_init(const char *dir)
{
	struct run_result r = th_sh(dir, "git init -q -b main --template= . && "
				    "git config user.name 'Test Author' && "
				    "git config user.email author@example.com && "
				    "git config commit.gpgsign false");
	cr_assert_eq(r.status, 0, "git init failed: %s", r.err);
	th_run_release(&r);
}

void th_git_commit(const char *dir, const char *message)
{
	struct buf cmd = BUF_INIT;
	struct run_result r;

	buf_addf(&cmd, "git add -A && git commit -q --allow-empty -m '%s'", message);
	r = th_sh(dir, cmd.ptr);
	cr_assert_eq(r.status, 0, "git commit failed: %s", r.err);
	th_run_release(&r);
	buf_release(&cmd);
}

const char *th_commit_token(const char *dir, const char *rel, unsigned seed,
			    int slot, const char *message)
{
	const char *t = th_fake_token("ghp_", 30, seed, slot);
	struct buf b = BUF_INIT;

	buf_addf(&b, "key = %s\n", t);
	th_write(dir, rel, b.ptr);
	th_git_commit(dir, message);
	buf_release(&b);
	return t;
}

static const char alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static char token_slots[8][160];

const char *th_fake_token(const char *prefix, size_t body_len, unsigned seed,
			  int slot)
{
	char *out = token_slots[slot & 7];
	size_t plen = strlen(prefix), i;
	unsigned x = seed * 2654435761u + 12345u;
	char check[7];

	cr_assert(plen + body_len + 7 <= sizeof(token_slots[0]));
	memcpy(out, prefix, plen);
	for (i = 0; i < body_len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[plen + i] = alnum[x % 62];
	}
	validate_crc32_base62(out + plen, body_len, check);
	memcpy(out + plen + body_len, check, 7);
	return out;
}

const char *th_fake_token_bad(const char *prefix, size_t body_len,
			      unsigned seed, int slot)
{
	char *out = (char *)th_fake_token(prefix, body_len, seed, slot);
	size_t last = strlen(out) - 1;

	out[last] = out[last] == 'A' ? 'B' : 'A';
	return out;
}

size_t th_count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = hay;

	if (!hay || !len)
		return 0;
	while ((p = strstr(p, needle))) {
		n++;
		p += len;
	}
	return n;
}
