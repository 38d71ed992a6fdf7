// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Reads a quoted string at p into buf; returns the position after it or NULL. */
static const char *read_string(const char *p, char *buf, size_t len, char *err, size_t err_len)
{
	size_t n = 0;
	if (*p != '"') {
		snprintf(err, err_len, "expected a string");
		return NULL;
	}
	p++;
	while (*p && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			char e = *p++;
			switch (e) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			default:
				/* \uXXXX never occurs in what the agent sends (paths, addresses, names). */
				snprintf(err, err_len, "unsupported escape \\%c in a string", e ? e : '0');
				return NULL;
			}
		}
		if (n + 1 >= len) {
			snprintf(err, err_len, "string longer than %zu bytes", len - 1);
			return NULL;
		}
		buf[n++] = c;
	}
	if (*p != '"') {
		snprintf(err, err_len, "unterminated string");
		return NULL;
	}
	buf[n] = '\0';
	return p + 1;
}

int json_parse_object(const char *line, struct json_object *out, char *err, size_t err_len)
{
	const char *p = skip_ws(line);
	out->count = 0;
	if (*p != '{') {
		snprintf(err, err_len, "expected a JSON object");
		return -1;
	}
	p = skip_ws(p + 1);
	if (*p == '}')
		return *skip_ws(p + 1) ? (snprintf(err, err_len, "text after the object"), -1) : 0;
	for (;;) {
		if (out->count == JSON_MAX_FIELDS) {
			snprintf(err, err_len, "more than %d fields", JSON_MAX_FIELDS);
			return -1;
		}
		struct json_field *f = &out->fields[out->count];
		p = read_string(p, f->key, sizeof(f->key), err, err_len);
		if (!p)
			return -1;
		p = skip_ws(p);
		if (*p != ':') {
			snprintf(err, err_len, "expected ':' after \"%s\"", f->key);
			return -1;
		}
		p = skip_ws(p + 1);
		if (*p == '"') {
			f->type = JSON_STRING;
			p = read_string(p, f->text, sizeof(f->text), err, err_len);
			if (!p)
				return -1;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			f->type = JSON_BOOL;
			size_t n = *p == 't' ? 4 : 5;
			memcpy(f->text, p, n);
			f->text[n] = '\0';
			p += n;
		} else if (!strncmp(p, "null", 4)) {
			f->type = JSON_NULL;
			f->text[0] = '\0';
			p += 4;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			size_t n = 0;
			f->type = JSON_NUMBER;
			while ((*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' || isdigit((unsigned char)*p)) &&
			       n + 1 < sizeof(f->text))
				f->text[n++] = *p++;
			f->text[n] = '\0';
		} else {
			snprintf(err, err_len, "value of \"%s\" must be a string, number, boolean or null (nested values are not used)",
				 f->key);
			return -1;
		}
		out->count++;
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == '}') {
			if (*skip_ws(p + 1)) {
				snprintf(err, err_len, "text after the object");
				return -1;
			}
			return 0;
		}
		snprintf(err, err_len, "expected ',' or '}' after \"%s\"", f->key);
		return -1;
	}
}

static const struct json_field *find(const struct json_object *o, const char *key)
{
	for (int i = 0; i < o->count; i++)
		if (!strcmp(o->fields[i].key, key))
			return &o->fields[i];
	return NULL;
}

const char *json_string(const struct json_object *o, const char *key)
{
	const struct json_field *f = find(o, key);
	return f && f->type == JSON_STRING ? f->text : NULL;
}

int json_u64(const struct json_object *o, const char *key, uint64_t *out)
{
	const struct json_field *f = find(o, key);
	if (!f || f->type == JSON_NULL)
		return -1;
	if (f->type != JSON_NUMBER || f->text[0] == '-')
		return -2;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(f->text, &end, 10);
	if (errno || *end)
		return -2;
	*out = v;
	return 0;
}

int json_bool(const struct json_object *o, const char *key, bool *out)
{
	const struct json_field *f = find(o, key);
	if (!f || f->type == JSON_NULL)
		return -1;
	if (f->type != JSON_BOOL)
		return -2;
	*out = f->text[0] == 't';
	return 0;
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
