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
	OPT_REPOS, OPT_VERSION, OPT_CONFIG, OPT_NO_CONFIG, OPT_RESPECT_GITIGNORE,
	OPT_VERIFY, OPT_ONLY_VERIFIED, OPT_ACCESS_MAP, OPT_YES, OPT_RULE,
	OPT_STORE, OPT_STATUS, OPT_REASON, OPT_EXPORT, OPT_IMPORT,
	OPT_PURGE_PLAN, OPT_GITHUB_URL, OPT_CA_FILE, OPT_VERIFY_TIMEOUT,
	OPT_MIN_CONFIDENCE, OPT_DECODE_DEPTH, OPT_ARCHIVE_DEPTH,
};

/* The commands, as bits of an option's `commands` mask. */
enum cli_command {
	C_SCAN = 1 << 0, C_HISTORY = 1 << 1, C_STAGED = 1 << 2,
	C_RANGE = 1 << 3, C_AUDIT = 1 << 4, C_RULES = 1 << 5,
	C_HOOK = 1 << 6, C_CONFIG = 1 << 7, C_VERIFY = 1 << 8,
	C_REVOKE = 1 << 9, C_REPORT = 1 << 10, C_TRIAGE = 1 << 11,
	C_STORE = 1 << 12,
};

#define C_GIT (C_HISTORY | C_STAGED | C_RANGE)
#define C_SCANS (C_SCAN | C_GIT)
/* Commands that write a report of findings. */
#define C_REPORTS (C_SCANS | C_AUDIT | C_REPORT)
/* Commands that load the rules and the project's config. */
#define C_RULESETS (C_REPORTS | C_VERIFY | C_STORE)
#define C_STORES (C_HISTORY | C_RANGE | C_REPORT | C_TRIAGE | C_STORE)
#define C_ALL 0xffffu

struct cli_command_info {
	const char *name;
	unsigned bit;
	const char *synopsis;
	const char *summary;
};

static const struct cli_command_info command_info[] = {
	{ "scan", C_SCAN, "scan [options] [PATH...]",
	  "files and directories (default .), - for stdin" },
	{ "history", C_HISTORY, "history [options]",
	  "every blob of every ref, each scanned once" },
	{ "staged", C_STAGED, "staged [options]",
	  "what is staged (for pre-commit)" },
	{ "range", C_RANGE, "range [options] A..B|C|-",
	  "commits in a range (-: ids on stdin), added lines only" },
	{ "audit", C_AUDIT, "audit [options]",
	  "plain-text credentials git and tools keep here" },
	{ "rules", C_RULES,
	  "rules list|show ID|check [FILE...]|import-gitleaks FILE",
	  "list rules by family, show one, prove examples, convert gitleaks rules" },
	{ "hook", C_HOOK, "hook install|uninstall|show [NAME]",
	  "git hooks that run leakgate" },
	{ "config", C_CONFIG, "config check [FILE]",
	  "validate .leakgate.yaml (or FILE)" },
	{ "verify", C_VERIFY, "verify [options] < SECRET",
	  "is the secret on stdin live? (exit 1 live, 0 invalid, 2 unknown)" },
	{ "revoke", C_REVOKE, "revoke [options] [REPORT.json [FINGERPRINT...]]",
	  "revoke leaked GitHub, GitLab and Slack tokens (stdin: one a line)" },
	{ "report", C_REPORT, "report --store[=FILE] [options] [FINGERPRINT...]",
	  "every secret a findings store knows, with its lifecycle" },
	{ "triage", C_TRIAGE, "triage FINGERPRINT --status STATUS [--reason TEXT]",
	  "record a decision about a secret in the findings store" },
	{ "store", C_STORE, "store stats|check|vacuum",
	  "look after a findings store" },
};

enum option_flags {
	OPT_IN_CONFIG = 1 << 0,	/* a config file's `defaults:` may set it */
};

struct cli_option {
	const char *name;
	int key;		/* getopt's value: a short letter or OPT_* */
	int has_arg;
	const char *arg;	/* the argument's name in help */
	unsigned commands;
	unsigned flags;
	const char *help;
};

static const struct cli_option options[] = {
	{ "config", OPT_CONFIG, required_argument, "FILE", C_RULESETS, 0,
	  "read FILE instead of .leakgate.yaml at the repository root" },
	{ "no-config", OPT_NO_CONFIG, no_argument, NULL, C_RULESETS, 0,
	  "read no .leakgate.yaml" },
	{ "rules", OPT_RULES, required_argument, "FILE", C_RULESETS | C_RULES, 0,
	  "add rules from a YAML file (same id: replaces the built-in)" },
	{ "no-builtin-rules", OPT_NO_BUILTIN, no_argument, NULL,
	  C_RULESETS | C_RULES, OPT_IN_CONFIG, "drop the built-in rules" },
	{ "format", 'f', required_argument, "FMT", C_REPORTS | C_VERIFY | C_RULES,
	  OPT_IN_CONFIG, "text, json, jsonl, sarif, csv or junit" },
	{ "output", 'o', required_argument, "FILE", C_REPORTS | C_VERIFY | C_RULES, 0,
	  "write the report (rules import-gitleaks: the rules) to FILE" },
	{ "show-secrets", OPT_SHOW_SECRETS, no_argument, NULL, C_REPORTS | C_VERIFY, 0,
	  "print secrets unredacted" },
	{ "color", OPT_COLOR, optional_argument, "WHEN", C_REPORTS | C_VERIFY,
	  OPT_IN_CONFIG, "always, never or auto (default)" },
	{ "no-color", OPT_NO_COLOR, no_argument, NULL, C_REPORTS | C_VERIFY, 0,
	  "same as --color=never" },
	{ "exit-code", OPT_EXIT_CODE, required_argument, "N", C_REPORTS,
	  OPT_IN_CONFIG, "exit status when there are findings (default 1)" },
	{ "fail-on", OPT_FAIL_ON, required_argument, "SEVERITY", C_REPORTS,
	  OPT_IN_CONFIG, "only findings this severe or worse fail" },
	{ "min-confidence", OPT_MIN_CONFIDENCE, required_argument, "LEVEL",
	  C_REPORTS, OPT_IN_CONFIG,
	  "drop findings below low, medium, high or checksum" },
	{ "quiet", 'q', no_argument, NULL, C_REPORTS | C_VERIFY | C_RULES, 0,
	  "no summary line" },
	{ "no-progress", OPT_NO_PROGRESS, no_argument, NULL, C_SCANS,
	  OPT_IN_CONFIG, "no progress line on a terminal" },
	{ "baseline", OPT_BASELINE, required_argument, "FILE", C_REPORTS, 0,
	  "findings of this earlier JSON report are not new" },
	{ "new-only", OPT_NEW_ONLY, no_argument, NULL, C_REPORTS,
	  OPT_IN_CONFIG, "report only findings not in the baseline" },
	{ "ignore-file", OPT_IGNORE_FILE, required_argument, "FILE", C_REPORTS,
	  0, "read FILE instead of .leakgateignore" },
	{ "report-stale-ignores", OPT_STALE, no_argument, NULL, C_REPORTS, 0,
	  "warn about ignore entries that suppressed nothing" },
	{ "group", OPT_GROUP, no_argument, NULL, C_REPORTS, OPT_IN_CONFIG,
	  "one finding per secret, with all its places" },
	{ "threads", 'j', required_argument, "N", C_SCANS, OPT_IN_CONFIG,
	  "scanning threads (default: all cores)" },
	{ "max-file-size", OPT_MAX_SIZE, required_argument, "SIZE",
	  C_SCANS | C_AUDIT, OPT_IN_CONFIG,
	  "skip files larger than SIZE (default 10M)" },
	{ "no-ignore", OPT_NO_IGNORE, no_argument, NULL, C_SCAN, OPT_IN_CONFIG,
	  "scan files git ignores (the default)" },
	{ "respect-gitignore", OPT_RESPECT_GITIGNORE, no_argument, NULL, C_SCAN,
	  OPT_IN_CONFIG, "skip files git ignores" },
	{ "max-decode-depth", OPT_DECODE_DEPTH, required_argument, "N", C_SCANS,
	  OPT_IN_CONFIG, "levels of base64/hex/percent/escaped text decoded "
	  "(default 2, 0: off)" },
	{ "max-archive-depth", OPT_ARCHIVE_DEPTH, required_argument, "N", C_SCANS,
	  OPT_IN_CONFIG, "archives within archives opened (default 3, 0: off)" },
	{ "repo", OPT_REPO, required_argument, "DIR", C_GIT | C_HOOK | C_STORES, 0,
	  "the repository (default: the current directory's)" },
	{ "ref", OPT_REF, required_argument, "REF", C_HISTORY, 0,
	  "scan only what REF reaches (repeatable; default: all refs)" },
	{ "since", OPT_SINCE, required_argument, "DATE", C_HISTORY, 0,
	  "only commits since DATE" },
	{ "all-locations", OPT_ALL_LOCATIONS, no_argument, NULL, C_HISTORY,
	  OPT_IN_CONFIG, "list every place a secret appears" },
	{ "unreachable", OPT_UNREACHABLE, no_argument, NULL, C_HISTORY, 0,
	  "also scan objects no ref reaches" },
	{ "pre-commit", OPT_PRE_COMMIT, no_argument, NULL, C_HOOK, 0,
	  "install the pre-commit hook" },
	{ "pre-push", OPT_PRE_PUSH, no_argument, NULL, C_HOOK, 0,
	  "install the pre-push hook" },
	{ "force", OPT_FORCE, no_argument, NULL, C_HOOK, 0,
	  "replace another hook (kept as NAME.leakgate-backup)" },
	{ "home", OPT_HOME, required_argument, "DIR", C_AUDIT, 0,
	  "the home directory to audit" },
	{ "repos", OPT_REPOS, required_argument, "DIR", C_AUDIT, 0,
	  "also audit the repositories under DIR" },
	{ "verify", OPT_VERIFY, no_argument, NULL, C_SCANS, 0,
	  "ask each secret's provider whether it is live (network)" },
	{ "only-verified", OPT_ONLY_VERIFIED, no_argument, NULL, C_SCANS, 0,
	  "report only secrets verified live (implies --verify)" },
	{ "access-map", OPT_ACCESS_MAP, no_argument, NULL, C_SCANS | C_VERIFY, 0,
	  "also list what each live secret can reach (implies --verify)" },
	{ "github-url", OPT_GITHUB_URL, required_argument, "URL",
	  C_SCANS | C_VERIFY | C_REVOKE, 0,	/* never from a repository's config */
	  "GitHub Enterprise's API (https://HOST/api/v3) for GitHub tokens" },
	{ "ca-file", OPT_CA_FILE, required_argument, "FILE",
	  C_SCANS | C_VERIFY | C_REVOKE, 0,
	  "trust this CA bundle for verification (default: the system's)" },
	{ "verify-timeout", OPT_VERIFY_TIMEOUT, required_argument, "SECONDS",
	  C_SCANS | C_VERIFY | C_REVOKE, OPT_IN_CONFIG,
	  "give up on a provider's answer after SECONDS (default 10)" },
	{ "rule", OPT_RULE, required_argument, "ID", C_VERIFY, 0,
	  "the secret is this rule's (default: the rule that matches it)" },
	{ "yes", OPT_YES, no_argument, NULL, C_REVOKE, 0,
	  "revoke without asking" },
	{ "store", OPT_STORE, optional_argument, "FILE", C_STORES, 0,
	  "the findings store (default: leakgate.db in the git directory)" },
	{ "status", OPT_STATUS, required_argument, "STATUS", C_TRIAGE, 0,
	  "open, false-positive, accepted-risk or revoked" },
	{ "reason", OPT_REASON, required_argument, "TEXT", C_TRIAGE, 0,
	  "why (kept with who and when)" },
	{ "export", OPT_EXPORT, required_argument, "FILE", C_TRIAGE, 0,
	  "write every decision to FILE (- for stdout)" },
	{ "import", OPT_IMPORT, required_argument, "FILE", C_TRIAGE, 0,
	  "record the decisions of an exported FILE" },
	{ "purge-plan", OPT_PURGE_PLAN, required_argument, "OUT", C_REPORT, 0,
	  "write a git filter-repo replace-text file for the secrets" },
	{ "help", 'h', no_argument, NULL, C_ALL, 0, "this help" },
	{ "version", OPT_VERSION, no_argument, NULL, C_ALL, 0,
	  "print the version" },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))
_Static_assert(sizeof(options) / sizeof(options[0]) <= 64,
	       "struct cli's `given` has a bit per option");
#define N_COMMANDS (sizeof(command_info) / sizeof(command_info[0]))

static const struct cli_command_info *command_lookup(const char *name)
{
	size_t i;

	for (i = 0; name && i < N_COMMANDS; i++)
		if (!strcmp(command_info[i].name, name))
			return &command_info[i];
	return NULL;
}

static void usage_options(FILE *out, unsigned bit)
{
	char left[64], shortname[8] = "    ";
	size_t i;

	for (i = 0; i < N_OPTIONS; i++) {
		const struct cli_option *o = &options[i];
		int opt_arg = o->has_arg == optional_argument;

		if (!(o->commands & bit))
			continue;
		if (o->key < 256)
			snprintf(shortname, sizeof(shortname), "-%c, ", o->key);
		else
			memcpy(shortname, "    ", 5);
		snprintf(left, sizeof(left), "%s--%s%s%s%s", shortname, o->name,
			 !o->arg ? "" : opt_arg ? "[=" : " ",
			 o->arg ? o->arg : "", opt_arg ? "]" : "");
		fprintf(out, "  %-30s %s\n", left, o->help);
	}
}

static void usage_command(FILE *out, const struct cli_command_info *ci)
{
	fprintf(out, "usage: leakgate %s\n\n%s\n\noptions:\n", ci->synopsis,
		ci->summary);
	usage_options(out, ci->bit);
	fputs("\nexit status: 0 nothing found, 1 findings, 2 error\n", out);
}

void cli_usage(FILE *out, const char *command)
{
	const struct cli_command_info *ci = command_lookup(command);
	size_t i;

	if (ci) {
		usage_command(out, ci);
		return;
	}
	fputs("usage: leakgate <command> [options] [arguments]\n\ncommands:\n",
	      out);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", command_info[i].name,
			command_info[i].summary);
	fputs("  version\n\n`leakgate COMMAND --help` lists the command's "
	      "options; man leakgate has them all.\n\n"
	      "exit status: 0 nothing found, 1 findings, 2 error\n", out);
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

static int parse_color(struct cli *c, const char *arg, const char *shown)
{
	if (!arg || !strcmp(arg, "always"))
		c->color = 1;
	else if (!strcmp(arg, "never"))
		c->color = 0;
	else if (!strcmp(arg, "auto"))
		c->color = -1;
	else
		return fail(shown, "always, never or auto", arg);
	return 0;
}

static int take_format(struct cli *c, const char *arg, const char *shown)
{
	if (!report_lookup(arg)) {
		fprintf(stderr, "leakgate: %s: unknown format '%s' (formats: %s)\n",
			shown, arg, report_format_names());
		return -1;
	}
	c->format = arg;
	return 0;
}

/*
 * Handles one option (shown names it in messages: "--threads", or a
 * config file's place and key); returns 0, 1 (version printed) or -1.
 */
static int take_option(struct cli *c, int opt, const char *arg,
		       const char *shown)
{
	long n;

	switch (opt) {
	case OPT_CONFIG: c->config_file = arg; return 0;
	case OPT_NO_CONFIG: c->no_config = 1; return 0;
	case OPT_RULES: return push(&c->rule_files, &c->n_rule_files, arg);
	case OPT_NO_BUILTIN: c->no_builtin_rules = 1; return 0;
	case 'f': return take_format(c, arg, shown);
	case 'o': c->output = arg; return 0;
	case OPT_SHOW_SECRETS: c->show_secrets = 1; return 0;
	case OPT_COLOR: return parse_color(c, arg, shown);
	case OPT_NO_COLOR: c->color = 0; return 0;
	case OPT_EXIT_CODE:
		if (parse_int(arg, 0, 255, &n))
			return fail(shown, "0 to 255", arg);
		c->exit_code = (int)n;
		return 0;
	case OPT_FAIL_ON:
		if (!strcmp(arg, "live")) {
			c->fail_on_live = c->verify = 1;
			return 0;
		}
		if (severity_parse(arg, &c->fail_on))
			return fail(shown, "critical, high, medium, low or live", arg);
		c->fail_on_set = 1;
		return 0;
	case OPT_MIN_CONFIDENCE:
		if (confidence_parse(arg, &c->min_confidence))
			return fail(shown, "low, medium, high or checksum", arg);
		return 0;
	case OPT_VERIFY: c->verify = 1; return 0;
	case OPT_ONLY_VERIFIED: c->only_verified = c->verify = 1; return 0;
	case OPT_ACCESS_MAP: c->access_map = c->verify = 1; return 0;
	case OPT_YES: c->yes = 1; return 0;
	case OPT_RULE: c->rule_id = arg; return 0;
	case OPT_GITHUB_URL:
		if (strncmp(arg, "https://", 8))
			return fail(shown, "an https URL", arg);
		c->github_url = arg;
		return 0;
	case OPT_CA_FILE: c->ca_file = arg; return 0;
	case OPT_VERIFY_TIMEOUT:
		if (parse_int(arg, 1, 600, &n))
			return fail(shown, "1 to 600 seconds", arg);
		c->verify_timeout = n;
		return 0;
	case OPT_STORE: c->store = arg ? arg : ""; return 0;
	case OPT_STATUS: c->status = arg; return 0;
	case OPT_REASON: c->reason = arg; return 0;
	case OPT_EXPORT: c->export_file = arg; return 0;
	case OPT_IMPORT: c->import_file = arg; return 0;
	case OPT_PURGE_PLAN: c->purge_plan = arg; return 0;
	case 'q': c->quiet = 1; return 0;
	case OPT_NO_PROGRESS: c->no_progress = 1; return 0;
	case OPT_BASELINE: c->baseline = arg; return 0;
	case OPT_NEW_ONLY: c->new_only = 1; return 0;
	case OPT_IGNORE_FILE: c->ignore_file = arg; return 0;
	case OPT_STALE: c->report_stale_ignores = 1; return 0;
	case OPT_GROUP: c->group = 1; return 0;
	case 'j':
		if (parse_int(arg, 1, 1024, &n))
			return fail(shown, "1 to 1024", arg);
		c->threads = (unsigned)n;
		return 0;
	case OPT_MAX_SIZE:
		if (parse_size(arg, &c->max_file_size))
			return fail(shown, "a size such as 10M", arg);
		return 0;
	case OPT_NO_IGNORE: c->no_ignore = 1; return 0;
	case OPT_RESPECT_GITIGNORE: c->respect_gitignore = 1; return 0;
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
	case 'h': c->help = 1; return 0;
	case OPT_VERSION: printf("leakgate %s\n", LEAKGATE_VERSION); return 1;
	default: return -1;	/* getopt already printed the reason */
	}
}

static size_t option_index(int key)
{
	size_t i;

	for (i = 0; i < N_OPTIONS; i++)
		if (options[i].key == key)
			break;
	return i;
}

/* An option the command does not read is an error, not a silent no-op. */
static int check_applies(const struct cli *c)
{
	const struct cli_command_info *ci = command_lookup(c->command);
	size_t i;

	if (!ci)
		return 0;	/* main.c names the unknown command */
	for (i = 0; i < N_OPTIONS; i++) {
		if (!(c->given & (UINT64_C(1) << i)) ||
		    (options[i].commands & ci->bit))
			continue;
		fprintf(stderr, "leakgate: %s does not take --%s (leakgate %s "
			"--help lists its options)\n", c->command,
			options[i].name, c->command);
		return -1;
	}
	return 0;
}

/*
 * `--store FILE`: an optional argument must be attached (--store=FILE), so
 * a following word that names a database is taken as the file too.
 */
static void take_store_file(struct cli *c, int argc, char **argv)
{
	const char *next = optind < argc ? argv[optind] : NULL;
	size_t n = next ? strlen(next) : 0;

	if (n > 3 && next[0] != '-' &&
	    (!strcmp(next + n - 3, ".db") ||
	     (n > 7 && !strcmp(next + n - 7, ".sqlite")))) {
		c->store = next;
		optind++;
	}
}

static int parse_options(struct cli *c, int argc, char **argv)
{
	struct option longs[N_OPTIONS + 1];
	size_t i;
	int opt, rc;

	memset(longs, 0, sizeof(longs));
	for (i = 0; i < N_OPTIONS; i++) {
		longs[i].name = options[i].name;
		longs[i].has_arg = options[i].has_arg;
		longs[i].val = options[i].key;
	}
	while ((opt = getopt_long(argc, argv, "f:o:qj:h", longs, NULL)) != -1) {
		char shown[40];

		i = option_index(opt);
		snprintf(shown, sizeof(shown), "--%s",
			 i < N_OPTIONS ? options[i].name : "?");
		if ((rc = take_option(c, opt, optarg, shown)))
			return rc;
		if (opt == OPT_STORE && !optarg)
			take_store_file(c, argc, argv);
		c->given |= UINT64_C(1) << i;
	}
	return 0;
}

int cli_parse(struct cli *c, int argc, char **argv)
{
	int rc;

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
	if ((rc = parse_options(c, argc, argv)))
		return rc;
	if (optind < argc) {
		c->command = argv[optind];
		c->args = argv + optind + 1;
		c->n_args = (size_t)(argc - optind - 1);
	}
	if (c->help || (c->command && !strcmp(c->command, "help"))) {
		cli_usage(stdout, c->help ? c->command
			  : c->n_args ? c->args[0] : NULL);
		return 1;
	}
	if (!c->command) {
		cli_usage(stderr, NULL);
		return -1;
	}
	if (!strcmp(c->command, "version")) {
		printf("leakgate %s\n", LEAKGATE_VERSION);
		return 1;
	}
	return check_applies(c);
}

int cli_set_default(struct cli *c, const char *name, const char *value,
		    const char *where)
{
	const struct cli_command_info *ci = command_lookup(c->command);
	struct cli scratch;
	char shown[512];
	size_t i;
	int rc;

	for (i = 0; i < N_OPTIONS; i++)
		if (!strcmp(options[i].name, name))
			break;
	if (i == N_OPTIONS || !(options[i].flags & OPT_IN_CONFIG)) {
		fprintf(stderr, "leakgate: %s: defaults: unknown key '%s'\n",
			where, name);
		return -1;
	}
	snprintf(shown, sizeof(shown), "%s: %s", where, name);
	if (options[i].has_arg == no_argument) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return fail(shown, "true or false", value);
		if (!strcmp(value, "false"))
			return 0;
		value = NULL;
	}
	/* Given on the command line, or not this command's: checked only. */
	if ((c->given & (UINT64_C(1) << i)) ||
	    (ci && !(options[i].commands & ci->bit))) {
		memset(&scratch, 0, sizeof(scratch));
		rc = take_option(&scratch, options[i].key, value, shown);
		cli_release(&scratch);
		return rc;
	}
	return take_option(c, options[i].key, value, shown);
}

void cli_release(struct cli *c)
{
	free((void *)c->rule_files);
	free((void *)c->refs);
	memset(c, 0, sizeof(*c));
}
