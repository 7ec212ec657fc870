#ifndef LEAKGATE_CONFIDENCE_H
#define LEAKGATE_CONFIDENCE_H

/*
 * How sure a finding is, in increasing order, so levels compare with <.
 * A provider's pattern is high, a broad rule medium; the plaintext
 * detector grades each value (plain.h); a right checksum beats them all.
 */
enum confidence {
	CONFIDENCE_LOW = 0,	/* sample paths, dictionary words, user == password */
	CONFIDENCE_MEDIUM,	/* a broad rule, or a value of a weak shape */
	CONFIDENCE_HIGH,	/* name, value shape and file kind agree */
	CONFIDENCE_CHECKSUM,	/* the token's own checksum is right */
};

/* "low", "medium", "high", "checksum". */
const char *confidence_name(enum confidence c);
/* Parses one of those names; returns 0 or -1 when unknown. */
int confidence_parse(const char *name, enum confidence *out);

#endif
