/* `leakgate rules import-gitleaks FILE [-o OUT]`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "config.h"
#include "error.h"
#include "gitleaks.h"
#include "run.h"
#include "toml.h"
#include "banned.h"

#define GITLEAKS_FILE_MAX (16u << 20)
#define DEFAULT_OUT "gitleaks-rules.yaml"

/* Both outputs are new files: an import never overwrites a config. */
static int check_new(const char *path, struct lg_error *err)
{
	struct stat st;

	if (!lstat(path, &st))
		return lg_error_set(err, LG_ERR_USAGE, "%s exists: not "
				    "overwritten (-o names another place)",
				    path);
	return 0;
}

static int write_new(const char *path, const struct buf *b,
		     struct lg_error *err)
{
	FILE *fp = fopen(path, "wx");
	int rc = 0;

	if (!fp)
		return lg_error_errno(err, errno, "%s", path);
	if (fwrite(b->ptr, 1, b->len, fp) != b->len)
		rc = lg_error_errno(err, errno, "%s", path);
	if (fclose(fp) && !rc)
		rc = lg_error_errno(err, errno, "%s", path);
	return rc;
}

/* The import's own check: the files load as a scan will load them. */
static int check_output(const struct gitleaks_import *gi, struct rule_set *rs,
			const char *out, const char *cfg_path,
			struct lg_error *err)
{
	struct config cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = rules_load_yaml(rs, gi->rules.ptr, gi->rules.len, out, err);
	if (!rc)
		rc = config_parse(&cfg, gi->config.ptr, gi->config.len,
				  cfg_path, err);
	if (!rc)
		rc = config_edit_rules(&cfg, rs, err);
	config_release(&cfg);
	return rc;
}

static int import(const char *in, const char *out, struct lg_error *err)
{
	struct gitleaks_import gi = GITLEAKS_IMPORT_INIT;
	struct rule_set known = RULE_SET_INIT;
	struct toml_value *doc = NULL;
	struct buf text = BUF_INIT, cfg_path = BUF_INIT;
	const char *slash = strrchr(out, '/');
	int rc;

	buf_addf(&cfg_path, "%.*s.leakgate.yaml",
		 slash ? (int)(slash - out + 1) : 0, out);
	rc = buf_read_file(&text, in, GITLEAKS_FILE_MAX, err);
	if (!rc)
		rc = toml_parse(&doc, text.ptr ? text.ptr : "", text.len, in, err);
	if (!rc && !(rc = check_new(out, err)))
		rc = check_new(cfg_path.ptr, err);
	if (!rc)
		rc = rules_load_builtin(&known, err);
	if (!rc)
		rc = gitleaks_import(&gi, doc, in, slash ? slash + 1 : out,
				     &known, err);
	if (!rc && (rc = check_output(&gi, &known, out, cfg_path.ptr, err)))
		lg_error_prefix(err, "the converted files do not load");
	if (!rc && !(rc = write_new(out, &gi.rules, err)))
		rc = write_new(cfg_path.ptr, &gi.config, err);
	if (!rc)
		fprintf(stderr, "leakgate: %zu rules written to %s, the config to "
			"%s; %zu things not converted%s\n%s", gi.n_rules, out,
			cfg_path.ptr, gi.n_notes, gi.n_notes ? ":" : "",
			gi.notes.ptr ? gi.notes.ptr : "");
	gitleaks_import_release(&gi);
	rules_release(&known);
	toml_free(doc);
	buf_release(&text);
	buf_release(&cfg_path);
	return rc;
}

int cmd_rules_import(const struct cli *c)
{
	struct lg_error err = LG_ERROR_INIT;

	if (c->n_args != 2) {
		run_error("usage: leakgate rules import-gitleaks FILE [-o OUT]");
		return EXIT_ERROR;
	}
	if (import(c->args[1], c->output ? c->output : DEFAULT_OUT, &err)) {
		run_error(err.msg);
		return EXIT_ERROR;
	}
	return EXIT_CLEAN;
}
