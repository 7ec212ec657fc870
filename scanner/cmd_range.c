#include <string.h>

#include "buf.h"
#include "commands.h"
#include "error.h"
#include "run.h"
#include "source_range.h"
#include "banned.h"

/* "-": revisions on standard input, one per line (git rev-list output). */
static int add_commits(struct source_range *src, const char *arg,
		       struct lg_error *err)
{
	struct buf in = BUF_INIT;
	int rc;

	if (strcmp(arg, "-"))
		return source_range_add_spec(src, arg, err);
	rc = buf_read_file(&in, "-", 0, err);
	if (!rc)
		rc = source_range_add_list(src, in.ptr ? in.ptr : "", in.len,
					   err);
	buf_release(&in);
	return rc;
}

int cmd_range(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct source_range src;
	struct run r;
	int status = EXIT_ERROR;

	if (c->n_args != 1) {
		run_error("range takes one argument: A..B, a commit, or - "
			  "(commits on standard input, one per line)");
		return EXIT_ERROR;
	}
	if (source_range_open(&src, c->repo, &err) ||
	    add_commits(&src, c->args[0], &err)) {
		run_error(err.msg);
		goto done;
	}
	if (run_init(&r, c))
		goto done;
	r.git_dir = git_repository_path(src.repo);
	status = run_scan(&r, &src.base, "changed files");
	run_release(&r);
done:
	source_range_release(&src);
	return status;
}
