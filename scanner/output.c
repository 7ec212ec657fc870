#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

int output_open(struct output *o, const char *path, struct lg_error *err)
{
	struct buf tmp = BUF_INIT;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	buf_addf(&tmp, "%s.tmp-XXXXXX", path);
	if (!(o->tmp_path = buf_detach(&tmp)) || !(o->path = strdup(path)))
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

int output_commit(struct output *o, struct lg_error *err)
{
	int rc = 0;

	if (!o->tmp_path)
		return fflush(o->fp) ? lg_error_errno(err, errno, "<stdout>") : 0;
	if (fflush(o->fp) || fsync(fileno(o->fp)))
		rc = lg_error_errno(err, errno, "%s", o->path);
	if (fclose(o->fp) && !rc)
		rc = lg_error_errno(err, errno, "%s", o->path);
	o->fp = NULL;
	if (!rc && rename(o->tmp_path, o->path))
		rc = lg_error_errno(err, errno, "%s", o->path);
	if (!rc) {
		free(o->tmp_path);
		o->tmp_path = NULL;
	}
	return rc;
}

void output_release(struct output *o)
{
	if (o->tmp_path) {
		if (o->fp)
			fclose(o->fp);
		unlink(o->tmp_path);
		free(o->tmp_path);
	}
	free(o->path);
	memset(o, 0, sizeof(*o));
}
