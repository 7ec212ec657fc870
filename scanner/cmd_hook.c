#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "commands.h"
#include "error.h"
#include "run.h"
#include "source_diff.h"
#include "banned.h"

/*
 * The hook scripts live here and only here: `leakgate hook install` writes
 * them, `leakgate hook show NAME` prints them, and the files in hooks/ run
 * what `show` prints, so a copied hook always matches the binary.  They
 * call leakgate from PATH (or $LEAKGATE), not this binary's path: a path
 * baked in at install time breaks on every upgrade or move, and on every
 * other machine when core.hooksPath points into the repository.
 */
#define MARKER "leakgate-hook:"
#define MARKER_LINE "# " MARKER " written by `leakgate hook install`; " \
		    "`leakgate hook uninstall` removes it.\n"
/* Only the start of a hook is read to find the marker. */
#define MARKER_WINDOW 512

static const char PRE_COMMIT[] =
	"#!/bin/sh\n"
	MARKER_LINE
	"# Blocks a commit whose staged changes add a secret.\n"
	"# Skip it once: git commit --no-verify\n"
	"lg=${LEAKGATE:-leakgate}\n"
	"if ! command -v \"$lg\" >/dev/null 2>&1; then\n"
	"\techo \"leakgate: '$lg' is not on PATH: install it or set"
	" LEAKGATE to its path (skip this check once: git commit"
	" --no-verify)\" >&2\n"
	"\texit 1\n"
	"fi\n"
	"exec \"$lg\" staged\n";

static const char PRE_PUSH[] =
	"#!/bin/sh\n"
	MARKER_LINE
	"# Blocks a push whose new commits add a secret.\n"
	"# Skip it once: git push --no-verify\n"
	"lg=${LEAKGATE:-leakgate}\n"
	"if ! command -v \"$lg\" >/dev/null 2>&1; then\n"
	"\techo \"leakgate: '$lg' is not on PATH: install it or set"
	" LEAKGATE to its path (skip this check once: git push"
	" --no-verify)\" >&2\n"
	"\texit 1\n"
	"fi\n"
	"commits=$(mktemp \"${TMPDIR:-/tmp}/leakgate-push.XXXXXX\") ||"
	" exit 1\n"
	"trap 'rm -f \"$commits\"' EXIT\n"
	"# git writes \"<local ref> <local sha> <remote ref> <remote"
	" sha>\" lines.\n"
	"while read -r _ local_sha _ remote_sha; do\n"
	"\tcase $local_sha in *[!0]*) ;; *) continue ;; esac\t# a"
	" deleted ref\n"
	"\tcase $remote_sha in *[!0]*)\n"
	"\t\tif git cat-file -e \"$remote_sha^{commit}\" 2>/dev/null;"
	" then\n"
	"\t\t\tgit rev-list \"$local_sha\" \"^$remote_sha\" >>\"$commits\" ||"
	" exit 1\n"
	"\t\t\tcontinue\n"
	"\t\tfi ;;\n"
	"\tesac\n"
	"\t# A new branch, or a remote tip this clone lacks: what no"
	" remote ref has.\n"
	"\tgit rev-list \"$local_sha\" --not --remotes >>\"$commits\" ||"
	" exit 1\n"
	"done\n"
	"# The report goes where git push writes its own messages.\n"
	"\"$lg\" range - <\"$commits\" >&2\n"
	"status=$?\n"
	"if [ \"$status\" -eq 1 ]; then\n"
	"\techo \"leakgate: push blocked: the commits above add"
	" secrets. Take them out of those commits (git rebase -i,"
	" git commit --amend) and rotate any real credential; a"
	" false positive: leakgate:allow on the line, or its"
	" fingerprint in .leakgateignore; skip this check once: git"
	" push --no-verify\" >&2\n"
	"fi\n"
	"exit \"$status\"\n";

static const char PRE_RECEIVE_SCAN[] =
	"#!/bin/sh\n"
	MARKER_LINE
	"# Server side: rejects a push whose new objects add a secret.\n"
	"# LEAKGATE_TIMEOUT=SECONDS bounds the scan (default: none); with\n"
	"# LEAKGATE_FAIL_OPEN=1 a push whose scan runs out of time is accepted\n"
	"# (only then: a scan that fails or is killed rejects the push).\n"
	"# The server repository's git config:\n"
	"#   leakgate.trustPushedIgnores=true: honour the .leakgateignore of each\n"
	"#     pushed tip (off by default: whoever can push could allow a leak).\n"
	"#   leakgate.allowBypass=true (and receive.advertisePushOptions=true):\n"
	"#     `git push -o leakgate.bypass=\"REASON\"` lets findings through, written\n"
	"#     to leakgate.bypassLog (default: leakgate-bypass.log in the repository).\n"
	"lg=${LEAKGATE:-leakgate}\n"
	"if ! command -v \"$lg\" >/dev/null 2>&1; then\n"
	"\techo \"leakgate: '$lg' is not on the server's PATH: push rejected\" >&2\n"
	"\texit 1\n"
	"fi\n"
	"budget=${LEAKGATE_TIMEOUT:-0}\n"
	"case $budget in *[!0-9]*|'')\n"
	"\techo \"leakgate: LEAKGATE_TIMEOUT takes whole seconds, not '$budget'\" >&2\n"
	"\texit 1 ;;\n"
	"esac\n"
	"objects=$(mktemp \"${TMPDIR:-/tmp}/leakgate-receive.XXXXXX\") || exit 1\n"
	"ignores=$(mktemp \"${TMPDIR:-/tmp}/leakgate-ignore.XXXXXX\") || exit 1\n"
	"trap 'rm -f \"$objects\" \"$ignores\"' EXIT\n"
	"trust=$(git config --type=bool leakgate.trustPushedIgnores)\n"
	"refs=\n"
	"# git writes \"<old sha> <new sha> <ref>\" lines; the pushed objects are in\n"
	"# quarantine, which git's environment lets git and leakgate see.\n"
	"while read -r _ new ref; do\n"
	"\tcase $new in *[!0]*) ;; *) continue ;; esac\t# a deleted ref\n"
	"\trefs=\"$refs${refs:+,}$ref\"\n"
	"\t# Every object no ref reaches yet, whatever it hangs from: commits,\n"
	"\t# annotated tags, and trees and blobs a ref or tag names.\n"
	"\tgit rev-list --objects --no-object-names \"$new\" --not --all >>\"$objects\" ||\n"
	"\t\texit 1\n"
	"\tif [ \"$trust\" = true ] &&\n"
	"\t   git cat-file blob \"$new^{commit}:.leakgateignore\" >>\"$ignores\" 2>/dev/null; then\n"
	"\t\techo >>\"$ignores\"\n"
	"\tfi\n"
	"done\n"
	"set -- --no-progress\n"
	"if [ -s \"$ignores\" ]; then\n"
	"\tset -- \"$@\" --ignore-file \"$ignores\"\n"
	"fi\n"
	"# Only timeout's own 124 (137 when it had to kill) means the budget ran out:\n"
	"# the shell between says how the scan itself ended, and a scan killed by\n"
	"# a signal (the OOM killer) is a failure, never a timeout.\n"
	"timed_out=0\n"
	"if [ \"$budget\" -gt 0 ]; then\n"
	"\ttimeout -k 5 \"$budget\" /bin/sh -c 'lg=$1; shift; \"$lg\" range \"$@\" - ||\n"
	"\t\t{ s=$?; [ \"$s\" -gt 128 ] && exit 3; exit \"$s\"; }' sh \"$lg\" \"$@\" <\"$objects\"\n"
	"\tstatus=$?\n"
	"\tcase $status in 124|137) timed_out=1 ;; esac\n"
	"else\n"
	"\t\"$lg\" range \"$@\" - <\"$objects\"\n"
	"\tstatus=$?\n"
	"fi\n"
	;

/* One C string may hold at most 4095 characters: the rest. */
static const char PRE_RECEIVE_VERDICT[] =
	"bypass= i=0\n"
	"while [ \"$i\" -lt \"${GIT_PUSH_OPTION_COUNT:-0}\" ]; do\n"
	"\teval \"opt=\\${GIT_PUSH_OPTION_$i}\"\n"
	"\tcase $opt in leakgate.bypass=*) bypass=${opt#leakgate.bypass=} ;; esac\n"
	"\ti=$((i + 1))\n"
	"done\n"
	"clean() { printf '%s' \"$1\" | tr -d '\\000-\\037\\177'; }\n"
	"if [ \"$status\" = 1 ] && [ -n \"$bypass\" ]; then\n"
	"\tif [ \"$(git config --type=bool leakgate.allowBypass)\" != true ]; then\n"
	"\t\techo \"leakgate: this server does not allow leakgate.bypass (git config leakgate.allowBypass true)\" >&2\n"
	"\t\texit 1\n"
	"\tfi\n"
	"\tlog=$(git config leakgate.bypassLog) ||\n"
	"\t\tlog=\"$(git rev-parse --absolute-git-dir)/leakgate-bypass.log\"\n"
	"\tprints=$(\"$lg\" range -q --format jsonl \"$@\" - <\"$objects\" |\n"
	"\t\tgrep -o '\"fingerprint\":\"[0-9a-f]*\"' | cut -d'\"' -f4 | sort -u | tr '\\n' ' ')\n"
	"\twho=${GL_USERNAME:-${REMOTE_USER:-${USER:-$(id -un 2>/dev/null)}}}\n"
	"\tif ! printf '%s\\tuser=%s\\trefs=%s\\tfingerprints=%s\\treason=%s\\n' \\\n"
	"\t     \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" \"$(clean \"$who\")\" \"$(clean \"$refs\")\" \\\n"
	"\t     \"${prints% }\" \"$(clean \"$bypass\")\" >>\"$log\"; then\n"
	"\t\techo \"leakgate: cannot write the bypass to $log: push rejected\" >&2\n"
	"\t\texit 1\n"
	"\tfi\n"
	"\techo \"leakgate: push accepted past the findings above: leakgate.bypass recorded in the server's audit log\" >&2\n"
	"\texit 0\n"
	"fi\n"
	"case $status in\n"
	"0) exit 0 ;;\n"
	"1) echo \"leakgate: push rejected: the objects above (files, commit or tag messages) add secrets. Take them out of history (git rebase -i), rotate any real credential, and push again.\" >&2\n"
	"\texit 1 ;;\n"
	"esac\n"
	"if [ \"$timed_out\" = 0 ]; then\n"
	"\techo \"leakgate: the scan failed (status $status): push rejected\" >&2\n"
	"elif [ \"${LEAKGATE_FAIL_OPEN:-0}\" = 1 ]; then\n"
	"\techo \"leakgate: the scan ran out of its ${budget}s budget: push accepted unscanned (LEAKGATE_FAIL_OPEN=1)\" >&2\n"
	"\texit 0\n"
	"else\n"
	"\techo \"leakgate: the scan ran out of its ${budget}s budget: push rejected (LEAKGATE_FAIL_OPEN=1 accepts pushes when that happens)\" >&2\n"
	"fi\n"
	"exit 1\n";

enum hook_flags {
	HOOK_PRE_COMMIT = 1 << 0,
	HOOK_PRE_PUSH = 1 << 1,
	HOOK_PRE_RECEIVE = 1 << 2,
};

#define HOOK_PARTS 2

struct hook {
	const char *name;
	const char *text[HOOK_PARTS];	/* written one after the other */
	enum hook_flags flag;
};

static const struct hook hooks[] = {
	{ "pre-commit", { PRE_COMMIT, "" }, HOOK_PRE_COMMIT },
	{ "pre-push", { PRE_PUSH, "" }, HOOK_PRE_PUSH },
	{ "pre-receive", { PRE_RECEIVE_SCAN, PRE_RECEIVE_VERDICT },
	  HOOK_PRE_RECEIVE },
};

#define N_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

/* Makes dir and its missing parents. */
static int make_dirs(const char *dir, struct lg_error *err)
{
	char *path = strdup(dir), *p;
	int rc = 0;

	if (!path)
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	for (p = path + (*path != '\0'); !rc; p++) {
		char c = *p;
		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			rc = lg_error_errno(err, errno, "%s", path);
		*p = c;
		if (!c)
			break;
	}
	free(path);
	return rc;
}

/*
 * Where git runs hooks from: core.hooksPath (relative to the work tree,
 * or to the git directory of a bare repository) or <git dir>/hooks.
 */
static int hooks_dir(struct buf *out, git_repository *repo,
		     struct lg_error *err)
{
	git_config *cfg = NULL;
	git_buf path = { NULL, 0, 0 };
	const char *base = "";
	int rc = 0;

	if (git_repository_config_snapshot(&cfg, repo))
		return lg_error_git(err, "%s: config",
				    git_repository_path(repo));
	if (!git_config_get_path(&path, cfg, "core.hooksPath")) {
		if (path.ptr[0] != '/')
			base = git_repository_is_bare(repo)
				       ? git_repository_path(repo)
				       : git_repository_workdir(repo);
	} else if (git_repository_item_path(&path, repo,
					    GIT_REPOSITORY_ITEM_HOOKS)) {
		rc = lg_error_git(err, "%s: hooks", git_repository_path(repo));
	}
	if (!rc && (buf_adds(out, base) || buf_adds(out, path.ptr)))
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	while (!rc && out->len > 1 && out->ptr[out->len - 1] == '/')
		out->ptr[--out->len] = '\0';
	git_buf_dispose(&path);
	git_config_free(cfg);
	return rc;
}

/* 1: path exists and leakgate wrote it; 0: someone else did; -1: none. */
static int hook_owner(const char *path)
{
	char head[MARKER_WINDOW + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	n = read(fd, head, MARKER_WINDOW);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	return strstr(head, MARKER) != NULL;
}

/* Writes h's text to path, executable, replacing it atomically. */
static int write_hook(const char *path, const struct hook *h,
		      struct lg_error *err)
{
	struct buf tmp = BUF_INIT, text = BUF_INIT;
	int fd = -1, rc = 0;
	size_t i;

	for (i = 0; i < HOOK_PARTS; i++)
		rc = rc || buf_adds(&text, h->text[i]);
	if (rc || buf_addf(&tmp, "%s.leakgate-XXXXXX", path)) {
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
		goto done;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		rc = lg_error_errno(err, errno, "%s", path);
		goto done;
	}
	if (write(fd, text.ptr, text.len) != (ssize_t)text.len ||
	    fchmod(fd, 0755))
		rc = lg_error_errno(err, errno, "%s", tmp.ptr);
	if (close(fd) && !rc)
		rc = lg_error_errno(err, errno, "%s", tmp.ptr);
	if (!rc && rename(tmp.ptr, path))
		rc = lg_error_errno(err, errno, "%s", path);
	if (rc)
		unlink(tmp.ptr);
done:
	buf_release(&tmp);
	buf_release(&text);
	return rc;
}

/*
 * Moves a hook leakgate did not write to path.leakgate-backup (never over
 * an earlier backup), so that --force loses nothing.
 */
static int backup_hook(const char *path, struct buf *backup,
		       struct lg_error *err)
{
	struct stat st;

	if (buf_addf(backup, "%s.leakgate-backup", path))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (!lstat(backup->ptr, &st))
		return lg_error_set(err, LG_ERR_USAGE, "%s exists: move it away "
				    "before replacing %s again", backup->ptr,
				    path);
	if (rename(path, backup->ptr))
		return lg_error_errno(err, errno, "%s", backup->ptr);
	return 0;
}

static int install_one(const char *dir, const struct hook *h, int force,
		       struct lg_error *err)
{
	struct buf path = BUF_INIT, backup = BUF_INIT;
	int owner, rc = 0;

	if (buf_addf(&path, "%s/%s", dir, h->name))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	owner = hook_owner(path.ptr);
	if (owner == 0 && !force)
		rc = lg_error_set(err, LG_ERR_USAGE,
				  "%s exists and leakgate did not write it: "
				  "merge it by hand, or replace it with "
				  "--force (it is kept as %s.leakgate-backup)",
				  path.ptr, h->name);
	else if (owner == 0)
		rc = backup_hook(path.ptr, &backup, err);
	if (!rc && (rc = write_hook(path.ptr, h, err)) && backup.ptr)
		rename(backup.ptr, path.ptr);	/* put the user's hook back */
	if (!rc && owner == 0)
		printf("leakgate: replaced the %s hook: %s (the old one is "
		       "kept as %s)\n", h->name, path.ptr, backup.ptr);
	else if (!rc)
		printf("leakgate: installed the %s hook: %s\n", h->name,
		       path.ptr);
	buf_release(&path);
	buf_release(&backup);
	return rc;
}

/* Removes the hook when leakgate wrote it; says why not otherwise. */
static int uninstall_one(const char *dir, const struct hook *h, int named,
			 struct lg_error *err)
{
	struct buf path = BUF_INIT;
	int owner, rc = 0;

	if (buf_addf(&path, "%s/%s", dir, h->name))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	owner = hook_owner(path.ptr);
	if (owner == 1 && unlink(path.ptr))
		rc = lg_error_errno(err, errno, "%s", path.ptr);
	else if (owner == 1)
		printf("leakgate: removed the %s hook: %s\n", h->name,
		       path.ptr);
	else if (owner == 0)
		printf("leakgate: left %s alone: leakgate did not write it\n",
		       path.ptr);
	else if (named)
		printf("leakgate: no %s hook in %s\n", h->name, dir);
	buf_release(&path);
	return rc;
}

/*
 * The hooks the options name; by default the one that suits the
 * repository (pre-commit, or pre-receive on a bare server repository), or
 * for uninstall every hook leakgate may have written.
 */
static unsigned chosen(const struct cli *c, int bare, int uninstall)
{
	unsigned set = (c->pre_commit ? HOOK_PRE_COMMIT : 0) |
		       (c->pre_push ? HOOK_PRE_PUSH : 0);

	if (set)
		return set;
	if (uninstall)
		return HOOK_PRE_COMMIT | HOOK_PRE_PUSH | HOOK_PRE_RECEIVE;
	return bare ? HOOK_PRE_RECEIVE : HOOK_PRE_COMMIT;
}

static int install_or_uninstall(const struct cli *c, int uninstall,
				struct lg_error *err)
{
	git_repository *repo = NULL;
	struct buf dir = BUF_INIT;
	unsigned set;
	size_t i;
	int rc;

	rc = source_diff_open_repo(&repo, c->repo, err);
	if (!rc)
		rc = hooks_dir(&dir, repo, err);
	if (!rc && !uninstall)
		rc = make_dirs(dir.ptr, err);
	set = repo ? chosen(c, git_repository_is_bare(repo), uninstall) : 0;
	for (i = 0; i < N_HOOKS && !rc; i++) {
		if (!(set & hooks[i].flag))
			continue;
		if (uninstall)
			rc = uninstall_one(dir.ptr, &hooks[i],
					   c->pre_commit || c->pre_push, err);
		else
			rc = install_one(dir.ptr, &hooks[i], c->force, err);
	}
	buf_release(&dir);
	git_repository_free(repo);
	return rc;
}

static int show(const char *name)
{
	size_t i;

	for (i = 0; i < N_HOOKS; i++)
		if (name && !strcmp(hooks[i].name, name)) {
			fputs(hooks[i].text[0], stdout);
			fputs(hooks[i].text[1], stdout);
			return EXIT_CLEAN;
		}
	run_error("hook show takes pre-commit, pre-push or pre-receive");
	return EXIT_ERROR;
}

int cmd_hook(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;
	const char *verb = c->n_args ? c->args[0] : "";
	int uninstall = !strcmp(verb, "uninstall");

	if (!strcmp(verb, "show"))
		return show(c->n_args == 2 ? c->args[1] : NULL);
	if ((!uninstall && strcmp(verb, "install")) || c->n_args != 1) {
		run_error("usage: leakgate hook install|uninstall "
			  "[--pre-commit] [--pre-push] [--repo DIR] [--force], "
			  "or leakgate hook show NAME");
		return EXIT_ERROR;
	}
	if (install_or_uninstall(c, uninstall, &err)) {
		run_error(err.msg);
		return EXIT_ERROR;
	}
	return EXIT_CLEAN;
}
