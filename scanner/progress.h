#ifndef LEAKGATE_PROGRESS_H
#define LEAKGATE_PROGRESS_H

#include "buf.h"
#include "scan.h"

/*
 * The progress line's text for s, without escape sequences or newline:
 * items scanned (what names them: "files", "blobs"), MiB and rate, and,
 * when the producer knows its total, a bar, the percentage and an ETA
 * ("[#####-----] 50% 500/1000 commits, ETA 0:12").  Returns 0 or
 * LG_ERR_NOMEM.
 */
int progress_format(struct buf *out, const struct scan_stats *s,
		    const char *what);

#endif
