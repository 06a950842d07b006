#ifndef ALM_EMBEDDED_H
#define ALM_EMBEDDED_H
/* The JSON files of rules/, compiled in by cmake/embed.cmake. NUL-terminated. */
#include <stddef.h>

extern const char alm_embedded_default_json[];
extern const size_t alm_embedded_default_json_len;
extern const char alm_embedded_answers_schema_json[];
extern const size_t alm_embedded_answers_schema_json_len;
extern const char alm_embedded_rules_schema_json[];
extern const size_t alm_embedded_rules_schema_json_len;

#endif
