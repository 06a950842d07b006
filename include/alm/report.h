#ifndef ALM_REPORT_H
#define ALM_REPORT_H
/*
 * Rendering an assessment (the report document of alm_assess) for people and
 * machines. Renderers only format: every decision is already in the report.
 */
#include <cJSON.h>
#include <stddef.h>

typedef enum {
	ALM_FORMAT_TEXT,
	ALM_FORMAT_JSON
} alm_format;

#define ALM_RENDER_COLOR 1u /* ANSI colour (text only); the caller decides when */

/* Parses a format name ("text", "json"); -1 when unknown. */
int alm_format_parse(const char *name);

/* Renders `report` into a new NUL-terminated buffer (*out, caller frees). */
int alm_report_render(char **out, size_t *len, const cJSON *report, alm_format format, unsigned flags);

/* The text renderer, for a person on a terminal. */
int alm_report_render_text(char **out, size_t *len, const cJSON *report, unsigned flags);

#endif
