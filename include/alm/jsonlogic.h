#ifndef ALM_JSONLOGIC_H
#define ALM_JSONLOGIC_H
/*
 * A JsonLogic evaluator over cJSON values, following the operation semantics
 * and truthiness table published at jsonlogic.com.
 *
 * Limits (inputs beyond them fail with ALM_ELIMIT and a message, never a crash):
 * nesting depth ALM_JSONLOGIC_MAX_DEPTH, and a budget of evaluation steps per
 * call, ALM_JSONLOGIC_MAX_STEPS, which bounds map/filter/reduce over long arrays.
 */
#include <cJSON.h>

#define ALM_JSONLOGIC_MAX_DEPTH 256
#define ALM_JSONLOGIC_MAX_STEPS 1000000
#define ALM_JSONLOGIC_MAX_STRING (16 * 1024 * 1024)

/*
 * Applies `logic` to `data` (either may be any JSON value; data may be NULL,
 * meaning null). On success *out is a new value the caller owns (never NULL:
 * a null result is a cJSON null). On failure returns ALM_EINVALID (unknown
 * operator, malformed rule) or ALM_ELIMIT, sets alm_error_last(), *out = NULL.
 */
int alm_jsonlogic_apply(cJSON **out, const cJSON *logic, const cJSON *data);

/* JsonLogic truthiness: false for 0, "", [], null, false; true otherwise
 * (so "0" and {} are true). NULL counts as null. */
int alm_jsonlogic_truthy(const cJSON *value);

/*
 * Checks a rule without data: every operator is known and every operator's
 * argument count is acceptable. Returns 0 or ALM_EINVALID with a message naming
 * the operator and its JSON path below `where` (e.g. "$.questions[2].condition").
 */
int alm_jsonlogic_check(const cJSON *logic, const char *where);

/* Collects the distinct variable names a rule reads with "var" (literal names
 * only) and lists with "missing"/"missing_some" into `names` (a cJSON array the
 * caller owns and passes in). Used to validate that rules name known facts. */
int alm_jsonlogic_vars(cJSON *names, const cJSON *logic);

#endif
