#ifndef ALM_JSON_H
#define ALM_JSON_H
/*
 * Reading JSON from text and files with errors a person can act on:
 * "rules.json:12:5: expected ',' or '}'". A UTF-8 byte-order mark is skipped.
 */
#include <cJSON.h>
#include <stddef.h>

#include "alm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest file read as JSON: rules, answers and facts are small. */
#define ALM_JSON_MAX_FILE (64 * 1024 * 1024)

/* Parses `len` bytes of `text`; `name` names the input in errors. The whole
 * text must be one JSON value (trailing non-space is an error). *out is owned
 * by the caller. Returns 0, or ALM_EINVALID with "NAME:LINE:COL: ...".
 * Arrays and objects nested deeper than cJSON's CJSON_NESTING_LIMIT (1000)
 * are refused ("nested deeper than 1000 arrays and objects"), so no reader
 * of a parsed value recurses further than that. */
int alm_json_parse(cJSON **out, const char *text, size_t len, const char *name) ALM_MUST_CHECK;

/* Reads and parses a file. ALM_ENOTFOUND/ALM_EIO when it cannot be read. */
int alm_json_read_file(cJSON **out, const char *path) ALM_MUST_CHECK;

/* Reads a whole file into a NUL-terminated buffer (caller frees), at most
 * `max` bytes (ALM_ELIMIT beyond). */
int alm_file_read(char **out, size_t *len, const char *path, size_t max) ALM_MUST_CHECK;

/*
 * Writes `len` bytes to `path` atomically: a temporary file in the same
 * directory, flushed, then renamed over `path`. On any failure the temporary
 * file is removed and a previous `path` is left as it was. SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT are held in the calling thread while the temporary file
 * exists and delivered after, so an interrupted run leaves no partial file.
 */
int alm_file_write_atomic(const char *path, const char *data, size_t len) ALM_MUST_CHECK;

/* Like alm_file_write_atomic, but refuses (ALM_EIO, "FILE: already exists")
 * to replace an existing file: the new file appears whole or not at all. */
int alm_file_write_new(const char *path, const char *data, size_t len) ALM_MUST_CHECK;

/* The value at a dotted path of object members ("repo.pull_requests.total")
 * below `root`, or NULL when any segment is missing or not an object. Borrowed. */
const cJSON *alm_json_get_path(const cJSON *root, const char *dotted);

/* Appends a JSON path segment: alm_json_path_key("$.a", "b") -> "$.a.b";
 * alm_json_path_index("$.a", 3) -> "$.a[3]". Writes into buf (size n). */
void alm_json_path_key(char *buf, size_t n, const char *base, const char *key);
void alm_json_path_index(char *buf, size_t n, const char *base, int index);

/* ---- reading members: one meaning everywhere ----------------------------
 * Each is NULL (or the fallback) when `obj` is NULL or not an object, the
 * member is absent, or it is of another type. Borrowed. */
const cJSON *alm_json_get(const cJSON *obj, const char *key);
const char *alm_json_str(const cJSON *obj, const char *key);
const char *alm_json_str_or(const cJSON *obj, const char *key, const char *fallback);
const cJSON *alm_json_obj(const cJSON *obj, const char *key);
const cJSON *alm_json_arr(const cJSON *obj, const char *key);
double alm_json_num_or(const cJSON *obj, const char *key, double fallback);
/* Whether member `key` is the string `want`. */
int alm_json_str_is(const cJSON *obj, const char *key, const char *want) ALM_MUST_CHECK;

/* ---- building: checked additions -----------------------------------------
 * Each adds to `parent` (an object under `key`, or an array when key is NULL)
 * and returns the added item. A failure (parent NULL, an item that could not
 * be made, cJSON refusing) deletes the item, counts one failure on this
 * thread and returns NULL, so a builder adds freely and checks once:
 *
 *	unsigned long failures = alm_json_add_failures();
 *	... alm_json_add_string(report, "verdict", v); ...
 *	if (alm_json_add_failures() != failures)
 *		return alm_error_set(ALM_ENOMEM, "out of memory building the report");
 *
 * alm_json_add takes ownership of `item` whatever happens. A NULL string to
 * alm_json_add_string adds nothing and is no failure (cJSON's behaviour). */
cJSON *alm_json_add(cJSON *parent, const char *key, cJSON *item);
cJSON *alm_json_add_string(cJSON *parent, const char *key, const char *s);
cJSON *alm_json_add_number(cJSON *parent, const char *key, double n);
cJSON *alm_json_add_bool(cJSON *parent, const char *key, int b);
cJSON *alm_json_add_null(cJSON *parent, const char *key);
cJSON *alm_json_add_object(cJSON *parent, const char *key);
cJSON *alm_json_add_array(cJSON *parent, const char *key);
/* Adds a deep copy of `value`; a NULL value (absent where it was read) adds
 * nothing and is no failure, like a NULL string. */
cJSON *alm_json_add_copy(cJSON *parent, const char *key, const cJSON *value);
/* Replaces member `key` of `parent` with `item` (added when absent). */
cJSON *alm_json_set(cJSON *parent, const char *key, cJSON *item);

/* How many additions have failed on this thread since it started. */
unsigned long alm_json_add_failures(void);

/* ALM_ENOMEM "out of memory building WHAT" when failures have been counted
 * since `mark` (an earlier alm_json_add_failures()); 0 otherwise. */
int alm_json_add_check(unsigned long mark, const char *what) ALM_MUST_CHECK;

/* ---- printing -------------------------------------------------------------- */

/* `value` as indented JSON and a newline, in a buffer the caller frees with
 * free() (*len may be NULL). Strings with ill-formed UTF-8 carry U+FFFD
 * instead, so the text always parses. Returns 0 or ALM_ENOMEM. */
int alm_json_print_line(char **out, size_t *len, const cJSON *value) ALM_MUST_CHECK;

/* The same on one line, unindented. */
int alm_json_print_compact_line(char **out, size_t *len, const cJSON *value) ALM_MUST_CHECK;
#ifdef __cplusplus
}
#endif

#endif
