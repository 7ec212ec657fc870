#include <stdio.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "source_history.h"
#include "banned.h"

int cmd_history(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct source_history src;
	struct run r;
	int status;

	if (c->n_args) {
		run_error("history takes no arguments (use --repo DIR, --ref REF)");
		return EXIT_ERROR;
	}
	if (source_history_open(&src, c->repo ? c->repo : ".", &err)) {
		run_error(err.msg);
		source_history_release(&src);
		return EXIT_ERROR;
	}
	src.refs = c->refs;
	src.n_refs = c->n_refs;
	src.unreachable = c->unreachable;
	src.all_locations = c->all_locations;
	src.threads = c->threads;
	src.max_size = c->max_file_size;
	if (c->since && source_history_parse_date(c->since, &src.since)) {
		fprintf(stderr, "leakgate: --since takes YYYY-MM-DD, an ISO-8601 "
			"time or epoch seconds, not '%s'\n", c->since);
		source_history_release(&src);
		return EXIT_ERROR;
	}
	if (src.shallow && !c->quiet)
		run_error("note: this is a shallow clone; only the history it "
			  "holds is scanned (git fetch --unshallow for all of it)");
	if (run_init(&r, c)) {
		source_history_release(&src);
		return EXIT_ERROR;
	}
	r.git_dir = git_repository_path(src.repo);
	status = run_scan(&r, &src.base, "blobs");
	run_release(&r);
	source_history_release(&src);
	return status;
}
