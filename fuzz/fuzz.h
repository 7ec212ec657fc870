#ifndef LEAKGATE_FUZZ_H
#define LEAKGATE_FUZZ_H

/*
 * Shared by the libFuzzer targets in fuzz/ (built by `make fuzz`).  A
 * target states the properties it checks with FUZZ_CHECK, which aborts
 * even when NDEBUG is set, so libFuzzer keeps the input as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
