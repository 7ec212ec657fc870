#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

/*
 * A path that is not a regular file (a device, a FIFO, a symlink) is
 * written in place, as a shell's `>` would: renaming over it would replace
 * /dev/full or a named pipe with a plain file.
 */
static int open_in_place(struct output *o, const char *path,
			 struct lg_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC,
		      0666);

	if (fd < 0)
		return lg_error_errno(err, errno, "%s", path);
	if (!(o->fp = fdopen(fd, "w"))) {
		close(fd);
		return lg_error_errno(err, errno, "%s", path);
	}
	return 0;
}

/* A temporary file beside path, renamed over it by output_commit(). */
static int open_replacement(struct output *o, const char *path,
			    struct lg_error *err)
{
	struct buf tmp = BUF_INIT;
	int fd;

	buf_addf(&tmp, "%s.tmp-XXXXXX", path);
	if (!(o->tmp_path = buf_detach(&tmp)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	fd = mkstemp(o->tmp_path);
	if (fd < 0) {
		free(o->tmp_path);
		o->tmp_path = NULL;
		return lg_error_errno(err, errno, "%s", path);
	}
	if (!(o->fp = fdopen(fd, "w"))) {
		close(fd);
		return lg_error_errno(err, errno, "%s", path);
	}
	return 0;
}

int output_check(const char *path, struct lg_error *err)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct buf dir = BUF_INIT;
	struct stat st;
	int rc = 0;

	if (!path || !strcmp(path, "-"))
		return 0;
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return lg_error_set(err, LG_ERR_USAGE, "%s: a directory, "
				    "not a file", path);
	/* A device or FIFO is written in place: its directory does not matter. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return access(path, W_OK) ? lg_error_errno(err, errno, "%s",
							   path) : 0;
	if (slash)
		buf_add(&dir, path, (size_t)(slash - path) + (slash == path));
	else
		buf_adds(&dir, ".");
	if (!dir.ptr)
		rc = lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	else if (stat(dir.ptr, &st) || !S_ISDIR(st.st_mode))
		rc = lg_error_set(err, LG_ERR_USAGE, "%s: no directory %s",
				  path, dir.ptr);
	else if (access(dir.ptr, W_OK))
		rc = lg_error_errno(err, errno, "%s: cannot write in %s",
				    path, dir.ptr);
	buf_release(&dir);
	return rc;
}

int output_open(struct output *o, const char *path, struct lg_error *err)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	if (!(o->path = strdup(path)))
		return lg_error_set(err, LG_ERR_NOMEM, "out of memory");
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_in_place(o, path, err);
	return open_replacement(o, path, err);
}

/* Flushes and closes a file written in place or a temporary file. */
static int close_file(struct output *o, struct lg_error *err)
{
	int rc = 0;

	if (fflush(o->fp) || (o->tmp_path && fsync(fileno(o->fp))))
		rc = lg_error_errno(err, errno, "%s", o->path);
	if (fclose(o->fp) && !rc)
		rc = lg_error_errno(err, errno, "%s", o->path);
	o->fp = NULL;
	return rc;
}

int output_commit(struct output *o, struct lg_error *err)
{
	int rc;

	if (!o->path)
		return fflush(o->fp) ? lg_error_errno(err, errno, "<stdout>") : 0;
	rc = close_file(o, err);
	if (!rc && o->tmp_path && rename(o->tmp_path, o->path))
		rc = lg_error_errno(err, errno, "%s", o->path);
	if (!rc) {
		free(o->tmp_path);
		o->tmp_path = NULL;
	}
	return rc;
}

void output_release(struct output *o)
{
	if (o->path && o->fp)
		fclose(o->fp);
	if (o->tmp_path) {
		unlink(o->tmp_path);
		free(o->tmp_path);
	}
	free(o->path);
	memset(o, 0, sizeof(*o));
}
