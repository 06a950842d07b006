#include "alm/json.h"
#include "alm/error.h"
#include "escape.h"
#include "strbuf.h"

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

/* The arrays and objects of the first `len` bytes, strings skipped: how many
 * are still open at the end, the most open at once, and whether the text ends
 * inside a string. */
typedef struct {
	long open, deepest;
	int in_string;
} bracket_depth;

static bracket_depth brackets(const char *text, size_t len)
{
	bracket_depth d = {0, 0, 0};
	size_t i;
	for (i = 0; i < len; i++) {
		char c = text[i];
		if (d.in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				d.in_string = 0;
		} else if (c == '"') {
			d.in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++d.open > d.deepest)
				d.deepest = d.open;
		} else if (c == ']' || c == '}') {
			d.open--;
		}
	}
	return d;
}

/* Whether the text stops before its brackets close (or inside a string): then the
 * error is "unexpected end", wherever cJSON noticed it. */
static int truncated(const char *text, size_t len)
{
	bracket_depth d = brackets(text, len);
	return d.in_string || d.open > 0;
}

/* Whether the text opens more than cJSON's CJSON_NESTING_LIMIT arrays and
 * objects before `at`, where cJSON stopped: then that, not the bracket cJSON
 * stopped at, is what is wrong with it. */
static int too_deep(const char *text, size_t at)
{
	return brackets(text, at).deepest > CJSON_NESTING_LIMIT;
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
		/* cJSON says the same when an allocation failed as when the text is
		 * wrong: when not even a small value can be made, memory ran out, and
		 * the input is not to be blamed. */
		cJSON *probe = cJSON_CreateNull();
		if (!probe)
			return alm_error_set(ALM_ENOMEM, "%s: out of memory while parsing", name);
		cJSON_Delete(probe);
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

/* ---- reading members ------------------------------------------------------ */

const cJSON *alm_json_get(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) && key ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

const char *alm_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *alm_json_str_or(const cJSON *obj, const char *key, const char *fallback)
{
	const char *s = alm_json_str(obj, key);
	return s ? s : fallback;
}

const cJSON *alm_json_obj(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *alm_json_arr(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsArray(v) ? v : NULL;
}

double alm_json_num_or(const cJSON *obj, const char *key, double fallback)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

int alm_json_str_is(const cJSON *obj, const char *key, const char *want)
{
	const char *s = alm_json_str(obj, key);
	return s && want && strcmp(s, want) == 0;
}

/* ---- building ------------------------------------------------------------- */

static _Thread_local unsigned long add_failures;

unsigned long alm_json_add_failures(void)
{
	return add_failures;
}

int alm_json_add_check(unsigned long mark, const char *what)
{
	if (add_failures == mark)
		return 0;
	return alm_error_set(ALM_ENOMEM, "out of memory building %s", what ? what : "a JSON document");
}

cJSON *alm_json_add(cJSON *parent, const char *key, cJSON *item)
{
	cJSON_bool added = 0;
	if (item && parent) {
		if (key && cJSON_IsObject(parent))
			added = cJSON_AddItemToObject(parent, key, item);
		else if (!key && cJSON_IsArray(parent))
			added = cJSON_AddItemToArray(parent, item);
	}
	if (!added) {
		cJSON_Delete(item);
		add_failures++;
		return NULL;
	}
	return item;
}

cJSON *alm_json_add_string(cJSON *parent, const char *key, const char *s)
{
	return s ? alm_json_add(parent, key, cJSON_CreateString(s)) : NULL;
}

cJSON *alm_json_add_number(cJSON *parent, const char *key, double n)
{
	return alm_json_add(parent, key, cJSON_CreateNumber(n));
}

cJSON *alm_json_add_bool(cJSON *parent, const char *key, int b)
{
	return alm_json_add(parent, key, cJSON_CreateBool(b));
}

cJSON *alm_json_add_null(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateNull());
}

cJSON *alm_json_add_object(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateObject());
}

cJSON *alm_json_add_array(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateArray());
}

cJSON *alm_json_add_copy(cJSON *parent, const char *key, const cJSON *value)
{
	return value ? alm_json_add(parent, key, cJSON_Duplicate(value, 1)) : NULL;
}

cJSON *alm_json_set(cJSON *parent, const char *key, cJSON *item)
{
	if (item && cJSON_IsObject(parent) && key && cJSON_GetObjectItemCaseSensitive(parent, key)) {
		if (cJSON_ReplaceItemInObjectCaseSensitive(parent, key, item))
			return item;
		cJSON_Delete(item);
		add_failures++;
		return NULL;
	}
	return alm_json_add(parent, key, item);
}

/* ---- printing ------------------------------------------------------------- */

static int print_line(char **out, size_t *len, char *text)
{
	char *line;
	size_t n;
	*out = NULL;
	if (len)
		*len = 0;
	if (!text)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	n = strlen(text);
	line = malloc(n + 2);
	if (!line) {
		cJSON_free(text);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	memcpy(line, text, n);
	cJSON_free(text);
	/* A trailing newline, as every line-oriented tool expects. */
	line[n] = '\n';
	line[n + 1] = '\0';
	n++;
	/* cJSON passes bytes of strings through as they are: a name that is
	 * not UTF-8 would make the document unparseable. */
	if (alm_utf8_repair(&line, &n) < 0) {
		free(line);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = line;
	if (len)
		*len = n;
	return 0;
}

int alm_json_print_line(char **out, size_t *len, const cJSON *value)
{
	return print_line(out, len, cJSON_Print(value));
}

int alm_json_print_compact_line(char **out, size_t *len, const cJSON *value)
{
	return print_line(out, len, cJSON_PrintUnformatted(value));
}
