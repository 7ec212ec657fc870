#include "error.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Room for two PATH_MAX paths and their reason before fitting. */
#define FORMAT_ROOM 16384

void lg_error_vfit(char *dst, size_t len, const char *fmt, va_list ap)
{
	char full[FORMAT_ROOM];
	size_t n, head;

	if (vsnprintf(full, sizeof(full), fmt, ap) < 0)
		full[0] = '\0';
	n = strlen(full);
	if (n < len) {
		memcpy(dst, full, n + 1);
		return;
	}
	/* A third for the start, the rest for the end, where the reason is. */
	head = (len - 4) / 3;
	memcpy(dst, full, head);
	memcpy(dst + head, "...", 3);
	memcpy(dst + head + 3, full + n - (len - 4 - head), len - 4 - head);
	dst[len - 1] = '\0';
}

int lg_error_set(struct lg_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	lg_error_vfit(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int lg_error_prefix(struct lg_error *err, const char *fmt, ...)
{
	char prefix[FORMAT_ROOM];
	char old[LG_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return LG_ERR_USAGE;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	return lg_error_set(err, err->code, "%s: %s", prefix, old);
}

static const char *errno_text(int errnum, char *buf, size_t len)
{
	/* GNU strerror_r may return a static string instead of filling buf. */
	return strerror_r(errnum, buf, len);
}

int lg_error_errno(struct lg_error *err, int errnum, const char *fmt, ...)
{
	char context[FORMAT_ROOM];
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	return lg_error_set(err, LG_ERR_IO, "%s: %s", context,
			    errno_text(errnum, reason, sizeof(reason)));
}

int lg_error_git(struct lg_error *err, const char *fmt, ...)
{
	char context[FORMAT_ROOM];
	const git_error *gerr = git_error_last();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	return lg_error_set(err, LG_ERR_GIT, "%s: %s", context,
			    gerr && gerr->message ? gerr->message : "unknown libgit2 error");
}

void lg_error_clear(struct lg_error *err)
{
	err->code = LG_OK;
	err->msg[0] = '\0';
}
