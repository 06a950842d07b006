#ifndef ALM_REPORT_H
#define ALM_REPORT_H
/*
 * Rendering an assessment (the report document of alm_assess) for people and
 * machines. Renderers only format: every decision is already in the report.
 *
 * Every renderer returns a new NUL-terminated buffer in *out (the caller frees
 * it with free()) and its length in *len (may be NULL), or a negative code with
 * alm_error_last() set and *out NULL.
 */
#include <cJSON.h>
#include <stddef.h>

#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ALM_FORMAT_TEXT,     /* for a person on a terminal */
	ALM_FORMAT_JSON,     /* the report document itself (rules/report.schema.json) */
	ALM_FORMAT_MARKDOWN, /* a pull-request comment, a wiki page, a pipeline summary */
	ALM_FORMAT_HTML,     /* one self-contained, printable page */
	ALM_FORMAT_SARIF,    /* SARIF 2.1.0: each gap a result, for code scanning */
	ALM_FORMAT_DOT,      /* the tree with this assessment's path, Graphviz */
	ALM_FORMAT_MERMAID   /* the same as a Mermaid flowchart */
} alm_format;

#define ALM_RENDER_COLOR 1u /* ANSI colour (text only); the caller decides when */

typedef struct {
	unsigned int version;
	unsigned int flags;       /* ALM_RENDER_* */
	/* The rules the report was assessed with. Markdown, HTML, DOT and Mermaid
	 * draw the tree from them (the report holds the path, not the tree), and
	 * fail with ALM_EINVALID when this is NULL. Borrowed. */
	const alm_rules *rules;
	/* SARIF: the artifact every result points at, relative to the repository
	 * root; NULL means "." (the repository itself). */
	const char *artifact_uri;
} alm_render_options;

#define ALM_RENDER_OPTIONS_VERSION 1
#define ALM_RENDER_OPTIONS_INIT { ALM_RENDER_OPTIONS_VERSION, 0, NULL, NULL }

/* Parses a format name ("text", "json", "markdown", "html", "sarif", "dot",
 * "mermaid"); -1 when unknown. "md" is accepted for markdown. */
int alm_format_parse(const char *name);

/* The canonical name of a format ("markdown"); "" for a value out of range. */
const char *alm_format_name(alm_format format);

/* The names alm_format_parse accepts, for messages: "text, json, ... or mermaid". */
const char *alm_format_names(void);

/* Renders `report` in `format`. `opts` may be NULL (no colour, no rules). */
int alm_report_render_opts(char **out, size_t *len, const cJSON *report, alm_format format,
			   const alm_render_options *opts);

/* The same without rules: text, json and sarif only (the others need the tree). */
int alm_report_render(char **out, size_t *len, const cJSON *report, alm_format format, unsigned flags);

/* The text renderer, for a person on a terminal. */
int alm_report_render_text(char **out, size_t *len, const cJSON *report, unsigned flags);

/* Markdown: verdict and why, the path as a Mermaid flowchart, the tier and SLA,
 * tables of questions, gaps, unknowns and prerequisites, the notices. Table
 * cells escape '|' and newlines; text escapes Markdown's punctuation and HTML. */
int alm_report_render_markdown(char **out, size_t *len, const cJSON *report, const alm_rules *rules);

/* HTML: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * with the tree laid out from `rules` and the report's path drawn over it. */
int alm_report_render_html(char **out, size_t *len, const cJSON *report, const alm_rules *rules);

/* SARIF 2.1.0: one result per gap (ruleId: the question part), level warning,
 * located at `artifact_uri` (NULL: "."). */
int alm_report_render_sarif(char **out, size_t *len, const cJSON *report, const char *artifact_uri);

#ifdef __cplusplus
}
#endif

#endif
