#ifndef ALM_PORTFOLIO_H
#define ALM_PORTFOLIO_H
/*
 * A portfolio: the assessments of many solutions, one row each, sorted by
 * verdict (in the rules' order) then confidence, with totals per verdict.
 * ("schema": "alm-advisor/portfolio@1"; each row carries its full report.)
 */
#include <cJSON.h>
#include <stddef.h>

#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One row from a report (taken: the row owns it). `name` and `path` name the
 * solution's repository. */
cJSON *alm_portfolio_row(const char *name, const char *path, cJSON *report);

/* A row for a repository that could not be assessed, with the reason. */
cJSON *alm_portfolio_failed_row(const char *name, const char *path, const char *reason);

/*
 * Builds the portfolio document from `rows` (an array, taken). Rows are sorted
 * by verdict in the order of `rules`' verdicts, failed rows last, then by
 * confidence (highest first), then name and path, so the same rows always give
 * the same document, whatever order they came in. Call it from one thread at a
 * time: C11's qsort takes no context, so the order is kept in a static.
 */
int alm_portfolio_build(cJSON **out, cJSON *rows, const alm_rules *rules);

/* Joins portfolio documents (borrowed) into one, as one scan of all their
 * repositories would have produced. ALM_EINVALID names a document that is not
 * a portfolio. */
int alm_portfolio_merge(cJSON **out, const cJSON *const *docs, size_t n, const alm_rules *rules);

typedef enum {
	ALM_PORTFOLIO_TEXT,
	ALM_PORTFOLIO_JSON,
	ALM_PORTFOLIO_CSV,
	ALM_PORTFOLIO_MARKDOWN,
	ALM_PORTFOLIO_HTML
} alm_portfolio_format;

int alm_portfolio_format_parse(const char *name); /* -1 when unknown */

/* Renders the portfolio; *out is a NUL-terminated string the caller frees. */
int alm_portfolio_render(char **out, size_t *len, const cJSON *portfolio, alm_portfolio_format format);

/* The shard (0-based, of n) a repository name belongs to: a stable FNV-1a
 * hash of the name, so every job of a matrix agrees without talking. */
unsigned alm_portfolio_shard(const char *name, unsigned n);

#ifdef __cplusplus
}
#endif

#endif
