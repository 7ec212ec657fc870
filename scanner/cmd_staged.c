#include <stdio.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "source_staged.h"
#include "banned.h"

static void print_ways_out(void)
{
	fputs("leakgate: commit blocked: the staged changes add the secrets "
	      "listed above.\n"
	      "  - remove the secret, `git add` the file again, and rotate the "
	      "credential if it is real;\n"
	      "  - a false positive: put `leakgate:allow` in a comment on that "
	      "line;\n"
	      "  - or add the finding's fingerprint to .leakgateignore "
	      "(`leakgate staged --format json` shows it);\n"
	      "  - or skip this check once: git commit --no-verify\n",
	      stderr);
}

/*
 * A thread per changed file at most: a commit is a handful of files, and
 * a worker that never gets one still sets up its engine scratch (about
 * 0.3 ms of CPU each, measured: 64 idle workers add 18 ms).
 */
static unsigned thread_count(size_t files)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		cores = 1;
	if (files < 1)
		files = 1;
	return (unsigned)(files < (size_t)cores ? files : (size_t)cores);
}

int cmd_staged(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct source_staged src;
	struct cli opts = *c;
	struct run r;
	int status = EXIT_ERROR;

	if (c->n_args) {
		run_error("staged takes no arguments (--repo DIR names the "
			  "repository)");
		return EXIT_ERROR;
	}
	if (source_staged_open(&src, c->repo, &err)) {
		run_error(err.msg);
		goto done;
	}
	if (!opts.threads)
		opts.threads = thread_count(source_staged_files(&src));
	if (run_init(&r, &opts))
		goto done;
	status = run_scan(&r, &src.base, "staged files");
	if (status != EXIT_CLEAN && status == c->exit_code && !c->quiet)
		print_ways_out();
	run_release(&r);
done:
	source_staged_release(&src);
	return status;
}
