#ifndef ALM_JSON_H
#define ALM_JSON_H
/*
 * Reading JSON from text and files with errors a person can act on:
 * "rules.json:12:5: expected ',' or '}'". A UTF-8 byte-order mark is skipped.
 */
#include <cJSON.h>
#include <stddef.h>

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
int alm_json_parse(cJSON **out, const char *text, size_t len, const char *name);

/* Reads and parses a file. ALM_ENOTFOUND/ALM_EIO when it cannot be read. */
int alm_json_read_file(cJSON **out, const char *path);

/* Reads a whole file into a NUL-terminated buffer (caller frees), at most
 * `max` bytes (ALM_ELIMIT beyond). */
int alm_file_read(char **out, size_t *len, const char *path, size_t max);

/*
 * Writes `len` bytes to `path` atomically: a temporary file in the same
 * directory, flushed, then renamed over `path`. On any failure the temporary
 * file is removed and a previous `path` is left as it was. SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT are held in the calling thread while the temporary file
 * exists and delivered after, so an interrupted run leaves no partial file.
 */
int alm_file_write_atomic(const char *path, const char *data, size_t len);

/* Like alm_file_write_atomic, but refuses (ALM_EIO, "FILE: already exists")
 * to replace an existing file: the new file appears whole or not at all. */
int alm_file_write_new(const char *path, const char *data, size_t len);

/* The value at a dotted path of object members ("repo.pull_requests.total")
 * below `root`, or NULL when any segment is missing or not an object. Borrowed. */
const cJSON *alm_json_get_path(const cJSON *root, const char *dotted);

/* Appends a JSON path segment: alm_json_path_key("$.a", "b") -> "$.a.b";
 * alm_json_path_index("$.a", 3) -> "$.a[3]". Writes into buf (size n). */
void alm_json_path_key(char *buf, size_t n, const char *base, const char *key);
void alm_json_path_index(char *buf, size_t n, const char *base, int index);

#ifdef __cplusplus
}
#endif

#endif
