#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "run.h"
#include "source_fs.h"
#include "banned.h"

/* A path named on the command line must exist: a typo is not a clean scan. */
static int check_paths(const char *const *paths, size_t n)
{
	struct stat st;
	char reason[128];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(paths[i], "-") || !lstat(paths[i], &st))
			continue;
		struct buf msg = BUF_INIT;
		buf_addf(&msg, "%s: %s", paths[i],
			 strerror_r(errno, reason, sizeof(reason)));
		run_error(msg.ptr);
		buf_release(&msg);
		return -1;
	}
	return 0;
}

int cmd_scan(const struct cli *c)
{
	static const char *const here[] = { "." };
	const char *const *paths = c->n_args ? (const char *const *)c->args : here;
	size_t n = c->n_args ? c->n_args : 1;
	struct source_fs src;
	struct run r;
	int status;

	if (check_paths(paths, n) || run_init(&r, c))
		return EXIT_ERROR;
	source_fs_init(&src, paths, n, c->no_ignore, c->max_file_size);
	src.respect_gitignore = c->respect_gitignore;
	status = run_scan(&r, &src.base, "files");
	run_release(&r);
	return status;
}
