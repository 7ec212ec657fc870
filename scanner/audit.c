#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "error.h"
#include "gitconfig.h"
#include "banned.h"

/* git stops following include.path at this depth too. */
#define INCLUDE_DEPTH_MAX 10
/* How deep --repos looks for repositories. */
#define REPOS_DEPTH_MAX 8
#define VALUE_MAX 4096

#define RULE_HELPER "credential-helper-store"
#define RULE_MODE "credential-file-permissions"
#define RULE_GIT_CONFIG "git-config-credentials"
#define RULE_GIT_STORE "git-credential-store"

#define KEYCHAIN_ADVICE "credential.helper manager, osxkeychain or libsecret" \
	" (or gh auth setup-git)"

struct audit {
	const struct audit_options *o;
	const struct rule_set *rules;
	struct engine_worker *w;
	struct finding_list *out;
	struct audit_result *res;
	struct string_list seen;	/* real paths already read */
	const char *path;		/* the file being scanned, as named */
	const char *advice;		/* what to do about its credentials */
	int rc;				/* the first error (out of memory) */
};

/* ---- audit's own rules --------------------------------------------------- */

struct own_rule {
	const char *id, *name;
	enum severity severity;
};

/*
 * What audit finds by looking at configuration and file modes rather than
 * content: these rules match nothing, they name findings.
 */
static const struct own_rule own_rules[] = {
	{ RULE_HELPER,
	  "Git credential helper that stores passwords in plain text",
	  SEVERITY_MEDIUM },
	{ RULE_MODE, "Credential file readable by other users", SEVERITY_HIGH },
};

static int own_rules_init(struct rule_set *rs)
{
	size_t i, n = sizeof(own_rules) / sizeof(own_rules[0]);

	if (!(rs->rules = calloc(n, sizeof(*rs->rules))))
		return LG_ERR_NOMEM;
	rs->alloc = n;
	for (i = 0; i < n; i++) {
		struct rule *r = calloc(1, sizeof(*r));

		if (!r)
			return LG_ERR_NOMEM;
		rs->rules[rs->n++] = r;
		r->severity = own_rules[i].severity;
		r->id = strdup(own_rules[i].id);
		r->name = strdup(own_rules[i].name);
		r->origin = strdup("audit");
		if (!r->id || !r->name || !r->origin)
			return LG_ERR_NOMEM;
	}
	return 0;
}

/* ---- advice -------------------------------------------------------------- */

struct store_kind {
	const char *rule_id;
	const char *advice;
};

static const struct store_kind store_kinds[] = {
	{ RULE_GIT_STORE, "revoke it at the host and make a new one, delete "
	  "the file, and keep credentials in a keychain: " KEYCHAIN_ADVICE },
	{ "netrc-credentials", "change the password or revoke the token, and "
	  "keep it in a keychain or credential helper instead of .netrc" },
	{ "npmrc-credentials", "revoke the token (npm token revoke) and read "
	  "the new one from the environment: _authToken=${NPM_TOKEN}" },
	{ "pypirc-credentials", "revoke the token on the index, and use "
	  "keyring or trusted publishing instead of a password in .pypirc" },
	{ "docker-config-credentials", "docker logout, revoke the password or "
	  "token at the registry, and set \"credsStore\" (desktop, "
	  "osxkeychain, wincred, pass or secretservice)" },
	{ "gh-cli-hosts-token", "gh auth logout, then gh auth login: gh keeps "
	  "the new token in the system keyring" },
	{ "s3cfg-credentials", "deactivate and delete this access key in "
	  "IAM, and use short-lived credentials (aws sso login, "
	  "credential_process)" },
	{ "aws-credentials-file", "deactivate and delete this access key in "
	  "IAM, and use short-lived credentials (aws sso login, "
	  "credential_process)" },
	{ RULE_GIT_CONFIG, "revoke it, take it out of the config (git remote "
	  "set-url with the plain URL) and let a credential helper supply it: "
	  KEYCHAIN_ADVICE },
};

static const char *advice_for(const char *rule_id)
{
	size_t i;

	for (i = 0; i < sizeof(store_kinds) / sizeof(store_kinds[0]); i++)
		if (!strcmp(store_kinds[i].rule_id, rule_id))
			return store_kinds[i].advice;
	return "revoke it and keep it in a credential manager instead";
}

/* The plain-text stores of one account, by kind. */
struct home_file {
	const char *rel;
	int under_xdg;		/* relative to $XDG_CONFIG_HOME, not $HOME */
	const char *rule_id;
};

static const struct home_file home_files[] = {
	{ ".git-credentials", 0, RULE_GIT_STORE },
	{ "git/credentials", 1, RULE_GIT_STORE },
	{ ".netrc", 0, "netrc-credentials" },
	{ "_netrc", 0, "netrc-credentials" },
	{ "gh/hosts.yml", 1, "gh-cli-hosts-token" },
	{ ".npmrc", 0, "npmrc-credentials" },
	{ ".pypirc", 0, "pypirc-credentials" },
	{ ".docker/config.json", 0, "docker-config-credentials" },
	{ ".aws/credentials", 0, "aws-credentials-file" },
	{ ".aws/config", 0, "aws-credentials-file" },
	{ ".s3cfg", 0, "s3cfg-credentials" },
};

/* ---- notes and findings -------------------------------------------------- */

static void note(struct audit *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct audit *a, const char *fmt, ...)
{
	struct audit_result *res = a->res;
	struct buf b = BUF_INIT;
	char **grown;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(&b, fmt, ap);
	va_end(ap);
	grown = rc ? NULL : realloc(res->notes, (res->n_notes + 1) *
					   sizeof(*grown));
	if (!grown) {
		buf_release(&b);
		a->rc = LG_ERR_NOMEM;
		return;
	}
	res->notes = grown;
	res->notes[res->n_notes++] = buf_detach(&b);
}

/*
 * Adds a finding of audit's own rule id at path:line.  Its fingerprint is
 * over key (what the finding names), not over the secret field.
 */
static void add_own_finding(struct audit *a, const char *id, const char *path,
			    size_t line, const char *secret, const char *detail,
			    const struct buf *key)
{
	struct engine_match m;
	struct finding *f;

	memset(&m, 0, sizeof(m));
	m.rule = rules_find(&a->res->rules, id);
	m.secret = secret;
	m.secret_len = strlen(secret);
	m.line = line;
	m.column = 1;
	m.detail = detail;
	f = finding_new(&m, path);
	if (!f || finding_list_add(a->out, f)) {
		finding_free(f);
		a->rc = LG_ERR_NOMEM;
		return;
	}
	finding_fingerprint(id, key->ptr, key->len, f->fingerprint);
}

/* A credential a store rule found: its detail gets the kind's advice. */
static int on_store_match(const struct engine_match *m, void *payload)
{
	struct audit *a = payload;
	struct finding *f = finding_new(m, a->path);
	struct buf detail = BUF_INIT;

	if (!f || buf_addf(&detail, "%s; %s",
			   m->detail ? m->detail : m->rule->name, a->advice))
		goto fail;
	free(f->detail);
	f->detail = buf_detach(&detail);
	if (finding_list_add(a->out, f))
		goto fail;
	return 0;
fail:
	finding_free(f);
	buf_release(&detail);
	return LG_ERR_NOMEM;
}

/* ---- files --------------------------------------------------------------- */

/* 1 when real was read before; else keeps it (taking it) and returns 0. */
static int seen_before(struct audit *a, char *real)
{
	char **grown;
	size_t i;

	for (i = 0; i < a->seen.n; i++) {
		if (!strcmp(a->seen.items[i], real)) {
			free(real);
			return 1;
		}
	}
	grown = realloc(a->seen.items, (a->seen.n + 1) * sizeof(*grown));
	if (!grown) {
		free(real);
		a->rc = LG_ERR_NOMEM;
		return 1;
	}
	a->seen.items = grown;
	a->seen.items[a->seen.n++] = real;
	return 0;
}

/*
 * Reads path into b and its mode into st, following symlinks (dotfile
 * managers link these files).  Returns 0 when the file is absent, not a
 * regular file, read already, or unreadable (then with a note).
 */
static int read_once(struct audit *a, const char *path, struct buf *b,
		     struct stat *st)
{
	struct lg_error err = LG_ERROR_INIT;
	char *real = realpath(path, NULL);

	if (!real) {
		if (errno != ENOENT && errno != ENOTDIR) {
			lg_error_errno(&err, errno, "%s", path);
			note(a, "skipping %s", err.msg);
		}
		return 0;
	}
	if (stat(real, st) || !S_ISREG(st->st_mode)) {
		free(real);
		return 0;
	}
	if (seen_before(a, real))
		return 0;
	if (buf_read_file(b, real, a->o->max_file_size, &err)) {
		note(a, "skipping %s", err.msg);
		return 0;
	}
	a->res->files++;
	return 1;
}

/* A file that holds a credential must be private to its owner. */
static void check_mode(struct audit *a, const char *path, const struct stat *st)
{
	struct buf key = BUF_INIT;
	char mode[8], detail[160];

	if (!(st->st_mode & (S_IRGRP | S_IROTH)))
		return;
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	snprintf(detail, sizeof(detail), "mode %s: %s can read the credentials "
		 "in it; chmod 600 it, and rotate them if others use this "
		 "machine", mode,
		 st->st_mode & S_IROTH ? "every user" : "its group");
	if (buf_adds(&key, path))
		a->rc = LG_ERR_NOMEM;
	else
		add_own_finding(a, RULE_MODE, path, 1, mode, detail, &key);
	buf_release(&key);
}

/* Runs rule r over the file path read into b. */
static void scan_with(struct audit *a, const struct rule *r, const char *path,
		      const struct buf *b, const struct stat *st)
{
	struct engine_callbacks cb = { on_store_match, NULL, a };
	size_t before = a->out->n;

	a->path = path;
	a->advice = advice_for(r->id);
	if (engine_scan_rule(a->w, r, b->ptr ? b->ptr : "", b->len, &cb) < 0)
		a->rc = LG_ERR_NOMEM;
	if (a->out->n > before)
		check_mode(a, path, st);
}

/* Reads the store at path with the parser rule rule_id, when it exists. */
static void audit_store(struct audit *a, const char *path, const char *rule_id)
{
	const struct rule *r = rules_find(a->rules, rule_id);
	struct buf b = BUF_INIT;
	struct stat st;

	if (r && read_once(a, path, &b, &st))
		scan_with(a, r, path, &b, &st);
	buf_release(&b);
}

/*
 * Writes value as a path to out: "~/x" under the audited home, a relative
 * path next to the file `base` (NULL: as it is).
 */
static int expand_path(const struct audit *a, const char *value,
		       const char *base, struct buf *out)
{
	const char *slash = base ? strrchr(base, '/') : NULL;

	if (!strcmp(value, "~") || !strncmp(value, "~/", 2))
		return buf_addf(out, "%s%s", a->o->home, value + 1);
	if (value[0] == '/' || !slash)
		return buf_adds(out, value);
	return buf_addf(out, "%.*s/%s", (int)(slash - base), base, value);
}

/* ---- credential helpers -------------------------------------------------- */

enum helper_kind {
	HELPER_STORE,
	HELPER_KEYCHAIN,
	HELPER_MEMORY,
	HELPER_ON_DEMAND,
	HELPER_OTHER,
};

struct helper {
	enum helper_kind kind;
	char name[VALUE_MAX];
	char file[VALUE_MAX];	/* --file of a store helper, or "" */
};

static const char *const keychain_helpers[] = {
	"osxkeychain", "manager", "manager-core", "libsecret", "wincred",
	"gnome-keyring", NULL,
};

/* Helpers that get a token from a tool that already holds the login. */
static const char *const on_demand_helpers[] = {
	"gh", "oauth", "gcloud.sh", "aws", NULL,
};

static int is_one_of(const char *name, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* Copies the next shell word of *s (quotes removed) to out; 0 at the end. */
static int next_word(const char **s, char *out, size_t outlen)
{
	const char *p = *s;
	size_t n = 0;
	char q = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	for (; *p && (q || (*p != ' ' && *p != '\t')); p++) {
		if (!q && (*p == '"' || *p == '\'')) {
			q = *p;
			continue;
		}
		if (q && *p == q) {
			q = 0;
			continue;
		}
		if (*p == '\\' && q != '\'' && p[1])
			p++;
		if (n + 1 < outlen)
			out[n++] = *p;
	}
	out[n] = '\0';
	*s = p;
	return 1;
}

static const char *strip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? s : s + n;
}

/*
 * The helper's name as git resolves it: "store" for store,
 * git-credential-store, /usr/lib/git-core/git-credential-store and
 * "!git credential-store"; *s is left after the words used.
 */
static void helper_name(const char **s, char *out, size_t outlen)
{
	char word[VALUE_MAX];
	const char *name = word, *slash;

	if (!next_word(s, word, sizeof(word)))
		word[0] = '\0';
	if (name[0] == '!' && !*++name && next_word(s, word, sizeof(word)))
		name = word;
	if (!strcmp(name, "git") && next_word(s, word, sizeof(word)))
		name = word;
	if ((slash = strrchr(name, '/')))
		name = slash + 1;
	name = strip_prefix(strip_prefix(name, "git-"), "credential-");
	snprintf(out, outlen, "%s", name);
}

static void helper_parse(const char *value, struct helper *h)
{
	char word[VALUE_MAX];
	const char *s = value;

	memset(h, 0, sizeof(*h));
	helper_name(&s, h->name, sizeof(h->name));
	h->kind = HELPER_OTHER;
	if (is_one_of(h->name, keychain_helpers))
		h->kind = HELPER_KEYCHAIN;
	else if (is_one_of(h->name, on_demand_helpers))
		h->kind = HELPER_ON_DEMAND;
	else if (!strcmp(h->name, "cache"))
		h->kind = HELPER_MEMORY;
	if (strcmp(h->name, "store"))
		return;
	h->kind = HELPER_STORE;
	while (next_word(&s, word, sizeof(word))) {
		if (!strncmp(word, "--file=", 7))
			snprintf(h->file, sizeof(h->file), "%s", word + 7);
		else if (!strcmp(word, "--file") &&
			 !next_word(&s, h->file, sizeof(h->file)))
			h->file[0] = '\0';
	}
}

struct config_ctx {
	struct audit *a;
	const char *path;	/* the config file, as named */
	int depth;		/* of includes */
};

static void on_store_helper(struct config_ctx *c,
			    const struct gitconfig_entry *e, const char *value,
			    const struct helper *h)
{
	struct buf file = BUF_INIT, key = BUF_INIT, detail = BUF_INIT;
	struct audit *a = c->a;

	if ((*h->file ? expand_path(a, h->file, NULL, &file)
		      : buf_adds(&file, "~/.git-credentials")) ||
	    buf_add(&key, c->path, strlen(c->path) + 1) ||
	    buf_adds(&key, value) ||
	    buf_addf(&detail, "git writes every password it is given to %s in "
		     "plain text; revoke what is in it, switch to "
		     KEYCHAIN_ADVICE ", then delete the file", file.ptr))
		a->rc = LG_ERR_NOMEM;
	else
		add_own_finding(a, RULE_HELPER, c->path, e->line, value,
				detail.ptr, &key);
	if (*h->file && !a->rc)
		audit_store(a, file.ptr, RULE_GIT_STORE);
	buf_release(&file);
	buf_release(&key);
	buf_release(&detail);
}

static void on_helper(struct config_ctx *c, const struct gitconfig_entry *e,
		      const char *value)
{
	static const char *const fine[] = {
		[HELPER_KEYCHAIN] = "keeps credentials in the OS keychain: "
				    "fine",
		[HELPER_MEMORY] = "keeps credentials in memory for a while: "
				  "fine",
		[HELPER_ON_DEMAND] = "asks a tool that holds the login for a "
				     "token: fine (its own files are audited)",
	};
	struct helper h;

	/* An empty value only clears the helpers configured before it. */
	if (!*value)
		return;
	helper_parse(value, &h);
	if (h.kind == HELPER_STORE)
		on_store_helper(c, e, value, &h);
	else if (h.kind == HELPER_OTHER)
		note(c->a, "%s:%zu: credential.helper %s: not a helper "
		     "leakgate knows; check where it keeps credentials",
		     c->path, e->line, h.name);
	else
		note(c->a, "%s:%zu: credential.helper %s %s", c->path, e->line,
		     h.name, fine[h.kind]);
}

/* ---- git config ---------------------------------------------------------- */

static void audit_config(struct audit *a, const char *path, int depth);

static void on_include(struct config_ctx *c, const char *value)
{
	struct buf path = BUF_INIT;

	if (c->depth >= INCLUDE_DEPTH_MAX || !*value)
		return;
	if (expand_path(c->a, value, c->path, &path))
		c->a->rc = LG_ERR_NOMEM;
	else
		audit_config(c->a, path.ptr, c->depth + 1);
	buf_release(&path);
}

static int on_config_entry(const struct gitconfig_entry *e, void *payload)
{
	struct config_ctx *c = payload;
	char value[VALUE_MAX];

	if (gitconfig_value(e, value, sizeof(value)) < 0)
		return 0;
	if (gitconfig_is(e, "credential", "helper"))
		on_helper(c, e, value);
	else if (gitconfig_is(e, "include", "path") ||
		 gitconfig_is(e, "includeif", "path"))
		on_include(c, value);
	return c->a->rc;
}

/*
 * One git config file: its helpers, the files it includes (every
 * includeIf, whatever its condition: any of them may apply), and URLs or
 * headers with credentials in it.
 */
static void audit_config(struct audit *a, const char *path, int depth)
{
	const struct rule *r = rules_find(a->rules, RULE_GIT_CONFIG);
	struct config_ctx c = { a, path, depth };
	struct buf b = BUF_INIT;
	struct stat st;

	if (read_once(a, path, &b, &st)) {
		gitconfig_parse(b.ptr ? b.ptr : "", b.len, on_config_entry, &c);
		if (r && !a->rc)
			scan_with(a, r, path, &b, &st);
	}
	buf_release(&b);
}

/* ---- repositories -------------------------------------------------------- */

/* Its config, and the worktree's own config when there is one. */
static void audit_repo(struct audit *a, const char *dir, unsigned flags)
{
	git_repository *repo = NULL;
	struct buf path = BUF_INIT;

	if (git_repository_open_ext(&repo, dir, flags, NULL))
		return;
	a->res->repos++;
	if (buf_addf(&path, "%sconfig", git_repository_commondir(repo)))
		a->rc = LG_ERR_NOMEM;
	else
		audit_config(a, path.ptr, 0);
	buf_reset(&path);
	if (buf_addf(&path, "%sconfig.worktree", git_repository_path(repo)))
		a->rc = LG_ERR_NOMEM;
	else
		audit_config(a, path.ptr, 0);
	buf_release(&path);
	git_repository_free(repo);
}

static int has(const char *dir, const char *name, int want_dir)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int yes;

	yes = !buf_addf(&path, "%s/%s", dir, name) && !lstat(path.ptr, &st) &&
	      (!want_dir || S_ISDIR(st.st_mode));
	buf_release(&path);
	return yes;
}

/* A work tree (with .git) or a bare repository (HEAD and objects/). */
static int looks_like_repo(const char *dir)
{
	return has(dir, ".git", 0) || (has(dir, "HEAD", 0) &&
					has(dir, "objects", 1));
}

/* Every repository under dir; a repository's own tree is not searched. */
static void walk_repos(struct audit *a, const char *dir, int depth)
{
	struct dirent **names = NULL;
	struct buf sub = BUF_INIT;
	int n, i;

	if (looks_like_repo(dir)) {
		audit_repo(a, dir, GIT_REPOSITORY_OPEN_NO_SEARCH);
		return;
	}
	if (depth >= REPOS_DEPTH_MAX ||
	    (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		buf_reset(&sub);
		if (strcmp(name, ".") && strcmp(name, "..") && !a->rc) {
			if (buf_addf(&sub, "%s/%s", dir, name))
				a->rc = LG_ERR_NOMEM;
			else if (has(dir, name, 1))
				walk_repos(a, sub.ptr, depth + 1);
		}
		free(names[i]);
	}
	free(names);
	buf_release(&sub);
}

/* ---- the audit ----------------------------------------------------------- */

static void audit_configs(struct audit *a)
{
	const struct audit_options *o = a->o;
	struct buf path = BUF_INIT;

	if (o->system_config)
		audit_config(a, o->system_config, 0);
	if (buf_addf(&path, "%s/.gitconfig", o->home))
		a->rc = LG_ERR_NOMEM;
	else
		audit_config(a, path.ptr, 0);
	buf_reset(&path);
	if (buf_addf(&path, "%s/git/config", o->xdg_config))
		a->rc = LG_ERR_NOMEM;
	else
		audit_config(a, path.ptr, 0);
	buf_release(&path);
	if (o->git_config_global)
		audit_config(a, o->git_config_global, 0);
	if (o->repos)
		walk_repos(a, o->repos, 0);
	else if (o->cwd)
		audit_repo(a, o->cwd, 0);
}

/* The store rel in the directory dir (rel NULL: dir is the file). */
static void audit_env_store(struct audit *a, const char *dir,
			    const char *rel, const char *rule_id)
{
	struct buf path = BUF_INIT;

	if (!dir)
		return;
	if (rel ? buf_addf(&path, "%s/%s", dir, rel) : buf_adds(&path, dir))
		a->rc = LG_ERR_NOMEM;
	else
		audit_store(a, path.ptr, rule_id);
	buf_release(&path);
}

static void audit_home(struct audit *a)
{
	struct buf path = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(home_files) / sizeof(home_files[0]); i++) {
		const struct home_file *h = &home_files[i];

		buf_reset(&path);
		if (buf_addf(&path, "%s/%s",
			     h->under_xdg ? a->o->xdg_config : a->o->home,
			     h->rel))
			a->rc = LG_ERR_NOMEM;
		else
			audit_store(a, path.ptr, h->rule_id);
	}
	buf_release(&path);
	audit_env_store(a, a->o->docker_config, "config.json",
			"docker-config-credentials");
	audit_env_store(a, a->o->gh_config_dir, "hosts.yml",
			"gh-cli-hosts-token");
	audit_env_store(a, a->o->aws_credentials, NULL,
			"aws-credentials-file");
}

int audit_run(const struct audit_options *o, const struct engine *e,
	      const struct rule_set *rules, struct finding_list *out,
	      struct audit_result *res, struct lg_error *err)
{
	struct audit a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.rules = rules;
	a.out = out;
	a.res = res;
	if (own_rules_init(&res->rules))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (engine_worker_new(&a.w, e, err))
		return err->code;
	audit_configs(&a);
	if (!a.rc)
		audit_home(&a);
	engine_worker_free(a.w);
	for (i = 0; i < a.seen.n; i++)
		free(a.seen.items[i]);
	free(a.seen.items);
	return a.rc ? lg_error_set(err, a.rc, "out of memory") : 0;
}

void audit_result_release(struct audit_result *res)
{
	size_t i;

	rules_release(&res->rules);
	for (i = 0; i < res->n_notes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof(*res));
}
