#ifndef LEAKGATE_COMMANDS_H
#define LEAKGATE_COMMANDS_H

#include "cli.h"

/* Each command returns the process exit status (0, 1 or 2). */
int cmd_scan(const struct cli *c);
int cmd_rules(const struct cli *c);
int cmd_history(const struct cli *c);
int cmd_staged(const struct cli *c);
int cmd_range(const struct cli *c);
int cmd_hook(const struct cli *c);
int cmd_audit(const struct cli *c);
int cmd_config(const struct cli *c);
/* `rules import-gitleaks`, reached through cmd_rules. */
int cmd_rules_import(const struct cli *c);
int cmd_verify(const struct cli *c);
int cmd_revoke(const struct cli *c);
int cmd_report(const struct cli *c);
int cmd_triage(const struct cli *c);
int cmd_store(const struct cli *c);

#endif
