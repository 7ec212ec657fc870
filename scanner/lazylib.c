#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>

#include "banned.h"

static void load(struct lazylib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h) {
		snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s",
			 lib->soname, dlerror());
		lib->state = -1;
		return;
	}
	for (i = 0; i < lib->n_symbols; i++) {
		/* POSIX: a function's address comes back as a void pointer. */
		void **slot = (void **)((char *)lib->table + lib->symbols[i].offset);
		if (!(*slot = dlsym(h, lib->symbols[i].name))) {
			snprintf(lib->error, sizeof(lib->error), "%s has no %s",
				 lib->soname, lib->symbols[i].name);
			dlclose(h);
			lib->state = -1;
			return;
		}
	}
	lib->state = 1;		/* the handle stays open until exit */
}

int lazylib_open(struct lazylib *lib, struct lg_error *err)
{
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);

	if (!state) {
		pthread_mutex_lock(&lib->lock);
		if (!lib->state)
			load(lib);
		state = lib->state;
		pthread_mutex_unlock(&lib->lock);
	}
	return state > 0 ? 0 : lg_error_set(err, LG_ERR_IO, "%s", lib->error);
}
