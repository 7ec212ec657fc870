#include "entropy.h"

#include <math.h>

#include "banned.h"

double entropy_shannon(const char *s, size_t len)
{
	size_t counts[256] = { 0 };
	double h = 0.0;
	size_t i;

	if (!len)
		return 0.0;
	for (i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		double p;
		if (!counts[i])
			continue;
		p = (double)counts[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}
