#ifndef ALM_JSONLOGIC_H
#define ALM_JSONLOGIC_H
/*
 * A JsonLogic evaluator over cJSON values, following the operation semantics
 * and truthiness table published at jsonlogic.com, as the reference
 * JavaScript implementation (json-logic-js) behaves, coercions included.
 *
 * Where JSON cannot say what JavaScript would answer, or the reference's
 * answer is an accident of JavaScript:
 * - NaN and the infinities (1/0, "abc" + 1, max of nothing) are null in the
 *   result; within a rule they stay numbers ({">": [{"/": [1, 0]}, 1]} is true).
 * - An object with more than one key is an error, not a literal; {} is a literal.
 * - An unknown operator is an error when it is evaluated (an untaken "if"
 *   branch is not); alm_jsonlogic_check finds every one beforehand.
 * - "var" reads what JavaScript would find in data: object members, array
 *   elements, a string's characters (by UTF-16 index) and the "length" of
 *   arrays and strings; not functions such as "toString".
 * - "missing" and "missing_some" read their keys as data: a key that is an
 *   object is a name ("[object Object]"), never run as an operation (the
 *   reference would run a one-key object coming from the data).
 * - reduce's third argument is logic, evaluated against the data (the
 *   reference takes it as a literal; the two agree on literals).
 * - "log" writes its argument as one line of JSON to stderr, never stdout.
 *
 * Limits (inputs beyond them fail with ALM_ELIMIT and a message, never a crash):
 * nesting depth ALM_JSONLOGIC_MAX_DEPTH, and a budget of evaluation steps per
 * call, ALM_JSONLOGIC_MAX_STEPS, which bounds map/filter/reduce over long arrays
 * (copies, long strings and array scans are charged by their size too).
 * Strings a rule builds are capped at ALM_JSONLOGIC_MAX_STRING bytes.
 */
#include <cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ALM_JSONLOGIC_MAX_DEPTH 256
#define ALM_JSONLOGIC_MAX_STEPS 1000000
#define ALM_JSONLOGIC_MAX_STRING (16 * 1024 * 1024)

/*
 * Applies `logic` to `data` (either may be any JSON value; data may be NULL,
 * meaning null). On success *out is a new value the caller owns (never NULL:
 * a null result is a cJSON null), sharing nothing with logic or data. On
 * failure returns ALM_EINVALID (unknown operator, malformed rule), ALM_ELIMIT
 * or ALM_ENOMEM, sets alm_error_last() (naming the place, e.g.
 * "unknown operator \"foo\" at $.and[1]"), *out = NULL.
 */
int alm_jsonlogic_apply(cJSON **out, const cJSON *logic, const cJSON *data);

/* JsonLogic truthiness: false for 0, "", [], null, false (and NaN); true
 * otherwise (so "0", [0] and {} are true). NULL counts as null. */
int alm_jsonlogic_truthy(const cJSON *value);

/*
 * Checks a rule without data: every operator is known, every operation is an
 * object with one key, every operator's argument count is acceptable, and
 * arguments that cannot work whatever the data (var's name a boolean or an
 * array, missing_some's keys not an array) are refused. Returns 0, or
 * ALM_EINVALID (ALM_ELIMIT when nested too deep) with a message naming the
 * operator and its JSON path below `where` (e.g. "$.questions[2].condition";
 * NULL means "$").
 */
int alm_jsonlogic_check(const cJSON *logic, const char *where);

/* Collects the distinct variable names a rule reads with "var" (literal names
 * only) and lists with "missing"/"missing_some" (literal keys, also inside a
 * merge given to missing) into `names` (a cJSON array the caller owns and
 * passes in; names already there are not added again). The logic that
 * map, filter, reduce, all, some and none apply to each element is skipped:
 * its names are the element's, not the data's. Used to validate that rules
 * name known facts. Returns 0, ALM_EINVALID (names not an array), ALM_ELIMIT
 * or ALM_ENOMEM. */
int alm_jsonlogic_vars(cJSON *names, const cJSON *logic);

#ifdef __cplusplus
}
#endif

#endif
