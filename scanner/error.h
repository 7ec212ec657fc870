#ifndef LEAKGATE_ERROR_H
#define LEAKGATE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Errors travel up as a negative return code plus a struct lg_error that
 * the failing function fills.  Callers may prepend context with
 * lg_error_prefix(); they never overwrite the message.
 */
enum lg_error_code {
	LG_OK = 0,
	LG_ERR_IO = -1,	  /* a file or object could not be read */
	LG_ERR_PARSE = -2,  /* input (rule file, ignore file, report) is malformed */
	LG_ERR_USAGE = -3,  /* bad option or argument */
	LG_ERR_NOMEM = -4,
	LG_ERR_GIT = -5,	  /* libgit2 reported an error */
	LG_ERR_LIMIT = -6,  /* a size or match limit was hit */
};

#define LG_ERROR_MSG_MAX 1024

struct lg_error {
	int code;
	char msg[LG_ERROR_MSG_MAX];
};

#define LG_ERROR_INIT { LG_OK, { 0 } }

/*
 * Formats into dst[0..len): whole when it fits, else its start, "..." and
 * its end, so the reason at the end of a message outlives a long path in
 * its middle.  Every message setter below fits this way.
 */
void lg_error_vfit(char *dst, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Sets code and a printf-style message; returns code for `return lg_error_set(...)`. */
int lg_error_set(struct lg_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of the existing message; returns err->code. */
int lg_error_prefix(struct lg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets the message from errno (via strerror_r) with a printf-style context. */
int lg_error_errno(struct lg_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies libgit2's last error, prefixed with a printf-style context. */
int lg_error_git(struct lg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void lg_error_clear(struct lg_error *err);

#endif
