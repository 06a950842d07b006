#include "alm/json.h"
#include "alm/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void position_of(const char *text, size_t offset, int *line, int *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	for (i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++; /* count characters, not UTF-8 continuation bytes */
		}
	}
}

/* Whether the text stops before its brackets close (or inside a string): then the
 * error is "unexpected end", wherever cJSON noticed it. */
static int truncated(const char *text, size_t len)
{
	size_t i;
	long depth = 0;
	int in_string = 0;
	for (i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return in_string || depth > 0;
}

/* Whether the text opens more than cJSON's CJSON_NESTING_LIMIT arrays and
 * objects before `at`, where cJSON stopped: then that, not the bracket cJSON
 * stopped at, is what is wrong with it. */
static int too_deep(const char *text, size_t at)
{
	size_t i;
	long depth = 0;
	int in_string = 0;
	for (i = 0; i < at; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > CJSON_NESTING_LIMIT)
				return 1;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

int alm_json_parse(cJSON **out, const char *text, size_t len, const char *name)
{
	const char *end = NULL;
	const char *start = text;
	cJSON *value;
	int line, col;

	*out = NULL;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		start += 3;
		len -= 3;
	}
	if (memchr(start, '\0', len))
		return alm_error_set(ALM_EINVALID, "%s: contains a NUL byte; expected JSON text", name);

	value = cJSON_ParseWithLengthOpts(start, len, &end, 0);
	if (!value) {
		size_t at = end ? (size_t)(end - start) : 0;
		if (at > len)
			at = len;
		position_of(start, at, &line, &col);
		if (too_deep(start, at < len ? at + 1 : len))
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: nested deeper than %d arrays and objects",
					     name, line, col, CJSON_NESTING_LIMIT);
		if (at >= len || truncated(start, len)) {
			position_of(start, len, &line, &col);
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: unexpected end of input; expected a complete JSON value",
					     name, line, col);
		}
		{
			/* Quote what follows the error, up to the end of its line. */
			size_t n = 0;
			while (n < 12 && at + n < len && start[at + n] != '\n' && start[at + n] != '\r')
				n++;
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: invalid JSON near '%.*s'", name, line, col,
					     (int)n, start + at);
		}
	}
	while (end && (size_t)(end - start) < len &&
	       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end && (size_t)(end - start) < len) {
		position_of(start, (size_t)(end - start), &line, &col);
		cJSON_Delete(value);
		return alm_error_set(ALM_EINVALID, "%s:%d:%d: unexpected text after the JSON value", name, line, col);
	}
	*out = value;
	return 0;
}

int alm_json_read_file(cJSON **out, const char *path)
{
	char *text;
	size_t len;
	int error;

	*out = NULL;
	if ((error = alm_file_read(&text, &len, path, ALM_JSON_MAX_FILE)) < 0)
		return error;
	error = alm_json_parse(out, text, len, path);
	free(text);
	return error;
}

void alm_json_path_key(char *buf, size_t n, const char *base, const char *key)
{
	snprintf(buf, n, "%s.%s", base, key);
}

void alm_json_path_index(char *buf, size_t n, const char *base, int index)
{
	snprintf(buf, n, "%s[%d]", base, index);
}

const cJSON *alm_json_get_path(const cJSON *root, const char *dotted)
{
	const cJSON *node = root;
	char name[256];
	while (node && dotted && *dotted) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len >= sizeof name || !cJSON_IsObject(node))
			return NULL;
		memcpy(name, dotted, len);
		name[len] = '\0';
		node = cJSON_GetObjectItemCaseSensitive(node, name);
		dotted = dot ? dot + 1 : dotted + len;
	}
	return node;
}
