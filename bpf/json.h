/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader's side of the NDJSON protocol needs only flat objects: string, number,
 * boolean and null values, no nesting. Numbers keep their text, so a 64-bit cgroup id
 * is read exactly.
 */
#ifndef SHISA_JSON_H
#define SHISA_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_FIELDS 16
#define JSON_MAX_KEY 32
#define JSON_MAX_VALUE 4096

enum json_type { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL };

struct json_field {
	char key[JSON_MAX_KEY];
	enum json_type type;
	char text[JSON_MAX_VALUE]; /* the string's contents, or the number's / boolean's text */
};

struct json_object {
	int count;
	struct json_field fields[JSON_MAX_FIELDS];
};

/* Parses one line. On failure returns -1 with a message in err. */
int json_parse_object(const char *line, struct json_object *out, char *err, size_t err_len);

/* NULL when the key is missing or not a string. */
const char *json_string(const struct json_object *o, const char *key);
/* 0 on success; -1 missing; -2 present but not a non-negative integer. */
int json_u64(const struct json_object *o, const char *key, uint64_t *out);
/* 0 on success; -1 missing; -2 present but not a boolean. */
int json_bool(const struct json_object *o, const char *key, bool *out);

/* Writes s as a quoted JSON string. */
void json_write_string(FILE *f, const char *s);

#endif /* SHISA_JSON_H */
