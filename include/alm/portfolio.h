#ifndef ALM_PORTFOLIO_H
#define ALM_PORTFOLIO_H
/*
 * A portfolio: the assessments of many solutions, one row each, sorted by
 * verdict (in the rules' order) then confidence, with totals per verdict.
 * ("schema": "alm-advisor/portfolio@1"; each row carries its full report.)
 */
#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "alm/error.h"
#include "alm/probe.h"

#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per row as it is made, from the thread that made it, one call
 * at a time; `done` of `total` rows are made. The row is borrowed. */
typedef void (*alm_portfolio_row_fn)(void *ctx, const cJSON *row, size_t done, size_t total);

/* Repositories assessed from Azure DevOps at once (see portfolio_scan.c). */
#define ALM_PORTFOLIO_ADO_JOBS 4

typedef struct {
	unsigned int version;
	const char *const *paths;   /* repositories named one by one */
	size_t npaths;
	const char *under;          /* also every repository found below this directory; NULL: none */
	const char *ado_url;        /* also every repository of this Azure DevOps organization or project */
	/* name -> answers file (borrowed), paths relative to answers_map_path's
	 * directory; NULL: each repository's own .alm-advisor/answers.json. */
	const cJSON *answers_map;
	const char *answers_map_path;
	unsigned shard, shards;     /* assess only shard `shard` (0-based) of `shards`; 0 shards: all */
	size_t jobs;                /* local repositories assessed at once; 0: the cores */
	int jobs_given;             /* `jobs` was asked for: it also bounds the Azure DevOps ones */
	int64_t since;              /* history window, as alm_gather_options */
	int all_history;
	double timeout;             /* the listing's and each Azure DevOps repository's; 0: default */
	const char *ca_file;
	/* The Power Platform tenant, for every repository (as alm_gather_options). */
	int power_platform;
	const char *pp_admin_url;
	const char *pp_cloud;
	const char *const *pp_environments;
	size_t pp_environments_count;
	alm_env env;
	alm_portfolio_row_fn on_row;
	void *on_row_ctx;
	const char *tool_version;   /* recorded in each report (alm_assess); NULL: alm_version() */
} alm_portfolio_scan_options;

#define ALM_PORTFOLIO_SCAN_OPTIONS_VERSION 1
#define ALM_PORTFOLIO_SCAN_OPTIONS_INIT { .version = ALM_PORTFOLIO_SCAN_OPTIONS_VERSION, .all_history = 1 }

/*
 * Finds the repositories (the paths, those below `under` without descending
 * into a repository or following symlinks, those Azure DevOps lists), joins a
 * local clone to the Azure DevOps repository of its name, assesses each row
 * on a pool of threads with `rules`, and builds the portfolio
 * (alm_portfolio_build). A repository that cannot be assessed is a failed
 * row. Returns 0 and *out, with *notes (when not NULL) a new array of
 * one-line notes for the user or NULL; or ALM_EINVALID (`under` not a
 * directory; a bad Azure DevOps URL or no token), ALM_EREMOTE (Azure DevOps
 * could not list anything; the message starts "Azure DevOps: "), ALM_ENOMEM.
 * Call it from one thread at a time (alm_portfolio_build's order).
 */
int alm_portfolio_scan(cJSON **out, cJSON **notes, const alm_rules *rules, const alm_portfolio_scan_options *opts) ALM_MUST_CHECK;

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
int alm_portfolio_build(cJSON **out, cJSON *rows, const alm_rules *rules) ALM_MUST_CHECK;

/* Joins portfolio documents (borrowed) into one, as one scan of all their
 * repositories would have produced. ALM_EINVALID names a document that is not
 * a portfolio. */
int alm_portfolio_merge(cJSON **out, const cJSON *const *docs, size_t n, const alm_rules *rules) ALM_MUST_CHECK;

typedef enum {
	ALM_PORTFOLIO_TEXT,
	ALM_PORTFOLIO_JSON,
	ALM_PORTFOLIO_CSV,
	ALM_PORTFOLIO_MARKDOWN,
	ALM_PORTFOLIO_HTML
} alm_portfolio_format;

int alm_portfolio_format_parse(const char *name) ALM_MUST_CHECK; /* -1 when unknown */

/* Renders the portfolio; *out is a NUL-terminated string the caller frees. */
int alm_portfolio_render(char **out, size_t *len, const cJSON *portfolio, alm_portfolio_format format) ALM_MUST_CHECK;

/* The shard (0-based, of n) a repository name belongs to: a stable FNV-1a
 * hash of the name, so every job of a matrix agrees without talking. */
unsigned alm_portfolio_shard(const char *name, unsigned n);

#ifdef __cplusplus
}
#endif

#endif
