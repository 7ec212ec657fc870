#ifndef LEAKGATE_SOURCE_FS_H
#define LEAKGATE_SOURCE_FS_H

#include <pthread.h>

#include "scan.h"

/*
 * Files under paths ("-" is standard input).  Directories are walked
 * without following symbolic links and `.git` directories are skipped.
 * Inside a git work tree, paths that git would ignore (.gitignore files,
 * .git/info/exclude, core.excludesFile) are scanned too and their
 * findings marked git_ignored; respect_gitignore skips them instead, and
 * no_ignore reads no ignore rules at all.  A file that several of the
 * paths reach (or a hard link to one already read) is read once.
 */
struct source_fs {
	struct scan_source base;	/* first: the pipeline sees this */
	const char *const *paths;
	size_t n_paths;
	int no_ignore;
	int respect_gitignore;	/* skip what git ignores, do not mark it */
	size_t max_file_size;	/* larger files are skipped (0: no cap) */
	/* A pause point for tests ($LEAKGATE_TEST_PAUSE); see source_fs.c. */
	const char *pause;
	pthread_mutex_t pause_lock;
	int loaded;
};

/* Fills src; paths are borrowed and must outlive the scan. */
void source_fs_init(struct source_fs *src, const char *const *paths,
		    size_t n_paths, int no_ignore, size_t max_file_size);

#endif
