#ifndef ALM_JSONLOGIC_JS_H
#define ALM_JSONLOGIC_JS_H
/*
 * The JavaScript value semantics JsonLogic inherits from its reference
 * implementation, over cJSON values: ToBoolean, Number(), parseFloat(),
 * String(), ==, ===, the relational comparison behind <, Number's toString()
 * and String.prototype.substr(). A NULL value, or a node of type
 * cJSON_Invalid (which parsed JSON never holds), stands for JavaScript's
 * undefined.
 *
 * Arrays and objects compare by identity, as in JavaScript: two values are the
 * same array only when they are the same cJSON node.
 *
 * Functions that walk strings add the bytes they read or build to *work, so
 * that the evaluator can charge them to its step budget.
 */
#include <stddef.h>

#include <cJSON.h>

#include "strbuf.h"

typedef enum {
	ALM_JS_UNDEFINED,
	ALM_JS_NULL,
	ALM_JS_BOOLEAN,
	ALM_JS_NUMBER,
	ALM_JS_STRING,
	ALM_JS_ARRAY,
	ALM_JS_OBJECT
} alm_js_type;

alm_js_type alm_js_type_of(const cJSON *v);

/* JavaScript's ToBoolean (!!v): an empty array is true here, unlike JsonLogic. */
int alm_js_to_boolean(const cJSON *v);

/* Number(v) and parseFloat(v). Neither allocates. */
double alm_js_number(const cJSON *v);
double alm_js_parse_float(const cJSON *v);

/* Number.prototype.toString(): "1", "1.5", "0.30000000000000004", "1e+21",
 * "NaN". `out` holds at least ALM_JS_NUMBER_SIZE bytes; returns the length. */
#define ALM_JS_NUMBER_SIZE 32
size_t alm_js_format_number(char *out, double d);

/* A growable NUL-terminated string (the shared string builder), capped at
 * ALM_JSONLOGIC_MAX_STRING bytes: alm_js_buf_put fails with ALM_ELIMIT beyond,
 * ALM_ENOMEM when memory runs out, each with its message. */
typedef alm_strbuf alm_js_buf;
#define ALM_JS_BUF_INIT ALM_STRBUF_INIT

int alm_js_buf_put(alm_js_buf *b, const char *s, size_t n);
#define alm_js_buf_str alm_strbuf_str /* "" while empty */
#define alm_js_buf_free alm_strbuf_free

/* Appends String(v) ("undefined", "null", "1,2" for [1,2], "[object Object]"). */
int alm_js_string(alm_js_buf *b, const cJSON *v);

/* Appends v as Array.prototype.join converts an element: null and undefined
 * become "", everything else String(v). */
int alm_js_join_item(alm_js_buf *b, const cJSON *v);

/* a === b. */
int alm_js_strict_equal(const cJSON *a, const cJSON *b, size_t *work);

/* a == b, with JavaScript's coercions. Fails only when turning an array into
 * a string does (ALM_ENOMEM, ALM_ELIMIT). */
int alm_js_loose_equal(int *eq, const cJSON *a, const cJSON *b, size_t *work);

/* The abstract relational comparison of a and b: *order is -1, 0 or 1, or
 * ALM_JS_UNORDERED when a number involved is NaN (every comparison false).
 * Strings compare by UTF-16 code units, as JavaScript does. */
#define ALM_JS_UNORDERED 2
int alm_js_compare(int *order, const cJSON *a, const cJSON *b, size_t *work);

/* The length of a UTF-8 string in UTF-16 code units (JavaScript's .length). */
size_t alm_js_utf16_length(const char *s);

/* Appends s.substr(start, length) (length INFINITY when not given), counting
 * positions in UTF-16 code units. A position that falls between the two
 * halves of a surrogate pair drops that character: UTF-8 cannot hold half. */
int alm_js_substr(alm_js_buf *b, const char *s, double start, double length);

#endif
