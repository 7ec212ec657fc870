#include <stdio.h>

#include "commands.h"
#include "error.h"
#include "run.h"
#include "source_history.h"
#include "triage.h"
#include "banned.h"

int cmd_history(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	struct source_history src;
	struct forge forge = FORGE_INIT;
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
	if (triage_forge(&forge, src.repo, &err))
		run_error(err.msg);
	if (err.code || run_init(&r, c)) {
		forge_release(&forge);
		source_history_release(&src);
		return EXIT_ERROR;
	}
	/* One entry per secret and file, unless every place is asked for. */
	r.by_secret = !c->all_locations;
	r.forge = &forge;
	r.triage = triage_at_head;
	r.triage_payload = src.repo;
	r.git_dir = git_repository_path(src.repo);
	status = run_scan(&r, &src.base, "blobs");
	run_release(&r);
	forge_release(&forge);
	source_history_release(&src);
	return status;
}
