#ifndef LEAKGATE_OUTPUT_H
#define LEAKGATE_OUTPUT_H

#include <stdio.h>

struct lg_error;

/*
 * A report destination.  With a path that is a regular file or nothing
 * yet, the report goes to a temporary file beside it that output_commit()
 * renames into place, so a reader never sees half a report; any other
 * path (a device, a FIFO, a symlink) is written in place, never replaced;
 * without a path, to stdout.
 */
struct output {
	FILE *fp;
	char *path;
	char *tmp_path;
};

#define OUTPUT_INIT { NULL, NULL, NULL }

int output_open(struct output *o, const char *path, struct lg_error *err);
/*
 * Checks, before a long scan, that a report can be written to path: its
 * directory exists and is writable and path is not a directory.  NULL
 * and "-" (stdout) pass.
 */
int output_check(const char *path, struct lg_error *err);
/* Flushes and, for a file, renames it into place.  Returns 0 or an error. */
int output_commit(struct output *o, struct lg_error *err);
/* Drops a temporary file that was not committed; safe to call twice. */
void output_release(struct output *o);

#endif
