#include "confidence.h"

#include <string.h>

#include "banned.h"

static const char *const names[] = { "low", "medium", "high", "checksum" };

const char *confidence_name(enum confidence c)
{
	return (size_t)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

int confidence_parse(const char *name, enum confidence *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum confidence)i;
			return 0;
		}
	return -1;
}
