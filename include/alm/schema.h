#ifndef ALM_SCHEMA_H
#define ALM_SCHEMA_H
/*
 * A validator for the subset of JSON Schema (draft 2020-12) that the project's
 * own schemas use: type (a name or a list), enum, const, properties, required,
 * additionalProperties (false or a schema), items, minItems, maxItems,
 * uniqueItems, minimum, maximum, minLength, maxLength (in bytes), and local "$ref": "#/$defs/NAME".
 * Other keywords (title, description, $schema, $id, examples) are ignored.
 *
 * It reports the first problem with its JSON path, in words a person can act on:
 *   "$.impact: expected one of \"critical\", \"high\", \"non-critical\""
 */
#include <cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Validates `value` against `schema`. Returns 0, or ALM_EINVALID with
 * alm_error_last() set to "NAME: PATH: problem" (NAME names the input). */
int alm_schema_validate(const cJSON *schema, const cJSON *value, const char *name);

#ifdef __cplusplus
}
#endif

#endif
