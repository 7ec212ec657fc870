#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "run.h"
#include "banned.h"

/*
 * `config check [FILE]`: reads the config as a scan would (FILE, else
 * .leakgate.yaml at the repository root) and builds the rule set it
 * describes, so that a bad key, value, regex, rule file or rule id fails
 * here, with its file and line, and not in CI.
 */
int cmd_config(const struct cli *c)
{
	struct cli opts = *c;
	struct config cfg;
	struct run r;
	int status = EXIT_ERROR;

	if (c->n_args < 1 || c->n_args > 2 || strcmp(c->args[0], "check")) {
		run_error("usage: leakgate config check [FILE]");
		return EXIT_ERROR;
	}
	if (c->n_args == 2)
		opts.config_file = c->args[1];
	if (run_config_load(&opts, &cfg))
		goto done;
	if (!cfg.path) {
		run_error("no .leakgate.yaml at the repository root "
			  "(leakgate config check FILE names one)");
		goto done;
	}
	if (run_init(&r, &opts))
		goto done;
	printf("%s: ok (%zu rules)\n", cfg.path, r.rules.n);
	run_release(&r);
	status = EXIT_CLEAN;
done:
	config_release(&cfg);
	return status;
}
