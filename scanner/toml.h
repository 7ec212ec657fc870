#ifndef LEAKGATE_TOML_H
#define LEAKGATE_TOML_H

#include <stddef.h>

struct lg_error;

/*
 * A small, strict TOML reader for the subset configuration files such as
 * gitleaks' use: tables, arrays of tables, dotted keys, inline tables,
 * basic and literal strings (one-line and multi-line), integers, floats,
 * booleans and arrays.  Dates and times are rejected.  Every error names
 * the file and the line: "path:line: what is wrong".
 */
enum toml_type {
	TOML_STRING = 0,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_value {
	enum toml_type type;
	size_t line;			/* 1-based, where the value starts */
	char *str;			/* TOML_STRING: NUL-terminated */
	size_t len;
	long long integer;		/* TOML_INTEGER, TOML_BOOL (0 or 1) */
	double real;			/* TOML_FLOAT */
	struct toml_value **items;	/* TOML_ARRAY items, TOML_TABLE values */
	char **keys;			/* TOML_TABLE: items[i]'s key */
	size_t n;
	unsigned flags;			/* the parser's bookkeeping */
};

/* Parses text; *out (a TOML_TABLE) is owned by the caller. */
int toml_parse(struct toml_value **out, const char *text, size_t len,
	       const char *path, struct lg_error *err);

/* The value of key in table t, borrowed from t, or NULL. */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);

/* "string", "integer", "float", "boolean", "array", "table". */
const char *toml_type_name(enum toml_type type);

void toml_free(struct toml_value *v);

#endif
