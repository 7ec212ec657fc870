#ifndef LEAKGATE_LAZYLIB_H
#define LEAKGATE_LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

#include "error.h"

/*
 * A shared library opened (dlopen) the first time it is needed rather
 * than linked: libcurl and libarchive with what they bring (TLS,
 * Kerberos, LDAP, libxml2, ICU...) took longer to load than a whole
 * `staged` run, for work most runs never do.  The library's functions land
 * in a struct of pointers that its user declares, as the prototypes in
 * the library's own header say.
 */

struct lazylib_symbol {
	const char *name;
	size_t offset;		/* of its pointer in the table */
};

struct lazylib {
	const char *soname;	/* "libcurl.so.4": the ABI compiled against */
	const struct lazylib_symbol *symbols;
	size_t n_symbols;
	void *table;
	pthread_mutex_t lock;
	int state;		/* 0: not tried, 1: loaded, -1: failed */
	char error[256];
};

#define LAZYLIB_INIT(soname, symbols, table)                                 \
	{ soname, symbols, sizeof(symbols) / sizeof((symbols)[0]), table,    \
	  PTHREAD_MUTEX_INITIALIZER, 0, "" }

/*
 * Opens the library once (any thread may ask) and fills its table.
 * Returns 0, or LG_ERR_IO naming the library and what failed, every time
 * after a failure.
 */
int lazylib_open(struct lazylib *lib, struct lg_error *err);

#endif
