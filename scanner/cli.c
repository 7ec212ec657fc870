#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "version.h"
#include "banned.h"


enum long_only {
	OPT_RULES = 256, OPT_NO_BUILTIN, OPT_SHOW_SECRETS, OPT_COLOR,
	OPT_NO_COLOR, OPT_EXIT_CODE, OPT_FAIL_ON, OPT_NO_PROGRESS, OPT_BASELINE,
	OPT_NEW_ONLY, OPT_IGNORE_FILE, OPT_STALE, OPT_GROUP, OPT_MAX_SIZE,
	OPT_NO_IGNORE, OPT_REPO, OPT_REF, OPT_SINCE, OPT_ALL_LOCATIONS,
	OPT_UNREACHABLE, OPT_PRE_COMMIT, OPT_PRE_PUSH, OPT_FORCE, OPT_HOME,
	OPT_REPOS, OPT_VERSION, OPT_DECODE_DEPTH, OPT_ARCHIVE_DEPTH,
};

static const struct option long_options[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "show-secrets", no_argument, NULL, OPT_SHOW_SECRETS },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "exit-code", required_argument, NULL, OPT_EXIT_CODE },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "new-only", no_argument, NULL, OPT_NEW_ONLY },
	{ "ignore-file", required_argument, NULL, OPT_IGNORE_FILE },
	{ "report-stale-ignores", no_argument, NULL, OPT_STALE },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "threads", required_argument, NULL, 'j' },
	{ "max-file-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "no-ignore", no_argument, NULL, OPT_NO_IGNORE },
	{ "max-decode-depth", required_argument, NULL, OPT_DECODE_DEPTH },
	{ "max-archive-depth", required_argument, NULL, OPT_ARCHIVE_DEPTH },
	{ "repo", required_argument, NULL, OPT_REPO },
	{ "ref", required_argument, NULL, OPT_REF },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "all-locations", no_argument, NULL, OPT_ALL_LOCATIONS },
	{ "unreachable", no_argument, NULL, OPT_UNREACHABLE },
	{ "pre-commit", no_argument, NULL, OPT_PRE_COMMIT },
	{ "pre-push", no_argument, NULL, OPT_PRE_PUSH },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "home", required_argument, NULL, OPT_HOME },
	{ "repos", required_argument, NULL, OPT_REPOS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *out)
{
	fputs("usage: leakgate <command> [options] [arguments]\n"
	      "\n"
	      "commands:\n"
	      "  scan [PATH...]        files and directories (default .), - for stdin\n"
	      "  history               every blob of every ref, each scanned once\n"
	      "  staged                what is staged (for pre-commit)\n"
	      "  range A..B|C|-        commits in a range (-: ids on stdin), added lines only\n"
	      "  audit                 plain-text credentials git and tools keep here\n"
	      "  rules list|check      list built-in rules, or prove their examples\n"
	      "  hook install|uninstall|show  git hooks that run leakgate\n"
	      "  version\n"
	      "\n"
	      "options (see README.md for which command reads which):\n"
	      "  --rules FILE  --no-builtin-rules  -f, --format FMT  -o, --output FILE\n"
	      "  --show-secrets  --color[=always|never|auto]  --no-color  -q, --quiet\n"
	      "  --exit-code N  --fail-on SEVERITY  --baseline FILE  --new-only\n"
	      "  --ignore-file FILE  --report-stale-ignores  --group\n"
	      "  -j, --threads N  --max-file-size SIZE  --no-ignore  --no-progress\n"
	      "  --max-decode-depth N  --max-archive-depth N\n"
	      "  --repo DIR  --ref REF  --since DATE  --all-locations  --unreachable\n"
	      "  --pre-commit  --pre-push  --force  --home DIR  --repos DIR\n"
	      "\n"
	      "exit status: 0 nothing found, 1 findings, 2 error\n",
	      out);
}

/* Prints "leakgate: <option> takes <what>, not '<arg>'"; returns -1. */
static int fail(const char *option, const char *what, const char *arg)
{
	fprintf(stderr, "leakgate: %s takes %s, not '%s'\n", option, what, arg);
	return -1;
}

/* Parses "10M", "512K", "1G" or a plain byte count. */
static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	/* strtoull would take " 5" and wrap "-5" round to a huge size. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || end == s || *end || *out < lo || *out > hi) ? -1 : 0;
}

static int push(const char ***list, size_t *n, const char *item)
{
	const char **grown = realloc((void *)*list, (*n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	grown[(*n)++] = item;
	*list = grown;
	return 0;
}

static int parse_color(struct cli *c, const char *arg)
{
	if (!arg || !strcmp(arg, "always"))
		c->color = 1;
	else if (!strcmp(arg, "never"))
		c->color = 0;
	else if (!strcmp(arg, "auto"))
		c->color = -1;
	else
		return fail("--color", "always, never or auto", arg);
	return 0;
}

/* Handles one option; returns 0, 1 (help/version printed) or -1. */
static int take_option(struct cli *c, int opt, const char *arg)
{
	long n;

	switch (opt) {
	case OPT_RULES: return push(&c->rule_files, &c->n_rule_files, arg);
	case OPT_NO_BUILTIN: c->no_builtin_rules = 1; return 0;
	case 'f':
		if (!report_lookup(arg)) {
			fprintf(stderr, "leakgate: unknown format '%s' (formats: %s)\n",
				arg, report_format_names());
			return -1;
		}
		c->format = arg;
		return 0;
	case 'o': c->output = arg; return 0;
	case OPT_SHOW_SECRETS: c->show_secrets = 1; return 0;
	case OPT_COLOR: return parse_color(c, arg);
	case OPT_NO_COLOR: c->color = 0; return 0;
	case OPT_EXIT_CODE:
		if (parse_int(arg, 0, 255, &n))
			return fail("--exit-code", "0 to 255", arg);
		c->exit_code = (int)n;
		return 0;
	case OPT_FAIL_ON:
		if (severity_parse(arg, &c->fail_on))
			return fail("--fail-on", "critical, high, medium or low", arg);
		c->fail_on_set = 1;
		return 0;
	case 'q': c->quiet = 1; return 0;
	case OPT_NO_PROGRESS: c->no_progress = 1; return 0;
	case OPT_BASELINE: c->baseline = arg; return 0;
	case OPT_NEW_ONLY: c->new_only = 1; return 0;
	case OPT_IGNORE_FILE: c->ignore_file = arg; return 0;
	case OPT_STALE: c->report_stale_ignores = 1; return 0;
	case OPT_GROUP: c->group = 1; return 0;
	case 'j':
		if (parse_int(arg, 1, 1024, &n))
			return fail("--threads", "1 to 1024", arg);
		c->threads = (unsigned)n;
		return 0;
	case OPT_MAX_SIZE:
		if (parse_size(arg, &c->max_file_size))
			return fail("--max-file-size", "a size such as 10M", arg);
		return 0;
	case OPT_NO_IGNORE: c->no_ignore = 1; return 0;
	case OPT_DECODE_DEPTH:
		if (parse_int(arg, 0, DECODE_MAX_DEPTH, &n))
			return fail("--max-decode-depth", "0 to 8", arg);
		c->max_decode_depth = (unsigned)n;
		return 0;
	case OPT_ARCHIVE_DEPTH:
		if (parse_int(arg, 0, DECODE_MAX_ARCHIVE_DEPTH, &n))
			return fail("--max-archive-depth", "0 to 8", arg);
		c->max_archive_depth = (unsigned)n;
		return 0;
	case OPT_REPO: c->repo = arg; return 0;
	case OPT_REF: return push(&c->refs, &c->n_refs, arg);
	case OPT_SINCE: c->since = arg; return 0;
	case OPT_ALL_LOCATIONS: c->all_locations = 1; return 0;
	case OPT_UNREACHABLE: c->unreachable = 1; return 0;
	case OPT_PRE_COMMIT: c->pre_commit = 1; return 0;
	case OPT_PRE_PUSH: c->pre_push = 1; return 0;
	case OPT_FORCE: c->force = 1; return 0;
	case OPT_HOME: c->home = arg; return 0;
	case OPT_REPOS: c->repos = arg; return 0;
	case 'h': cli_usage(stdout); return 1;
	case OPT_VERSION: printf("leakgate %s\n", LEAKGATE_VERSION); return 1;
	default: return -1;	/* getopt already printed the reason */
	}
}

int cli_parse(struct cli *c, int argc, char **argv)
{
	int opt, rc;

	memset(c, 0, sizeof(*c));
	c->format = "text";
	c->color = -1;
	c->exit_code = EXIT_FOUND;
	c->max_file_size = 10u << 20;
	c->max_decode_depth = DECODE_DEFAULT_DEPTH;
	c->max_archive_depth = DECODE_DEFAULT_ARCHIVE_DEPTH;
	opterr = 1;
	optind = 1;
	/* getopt's messages start with argv[0]: "leakgate:", not a full path. */
	if (argc > 0)
		argv[0] = (char *)"leakgate";
	while ((opt = getopt_long(argc, argv, "f:o:qj:h", long_options, NULL)) != -1) {
		if ((rc = take_option(c, opt, optarg)))
			return rc;
	}
	if (optind >= argc) {
		cli_usage(stderr);
		return -1;
	}
	c->command = argv[optind];
	c->args = argv + optind + 1;
	c->n_args = (size_t)(argc - optind - 1);
	if (!strcmp(c->command, "version")) {
		printf("leakgate %s\n", LEAKGATE_VERSION);
		return 1;
	}
	if (!strcmp(c->command, "help")) {
		cli_usage(stdout);
		return 1;
	}
	return 0;
}

void cli_release(struct cli *c)
{
	free((void *)c->rule_files);
	free((void *)c->refs);
	memset(c, 0, sizeof(*c));
}
