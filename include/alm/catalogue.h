#ifndef ALM_CATALOGUE_H
#define ALM_CATALOGUE_H
/*
 * The facts catalogue: every fact a rules file may read. It is the union of
 * what the probes of the table declare (alm/probe.h), the properties of the
 * answers schema (rules/answers.schema.json, compiled in), and the facts a
 * rules file declares in its own "derived" section. A name is declared when
 * it is in the catalogue, lies below a declared fact of type "object", or is
 * a branch above declared facts ("repo.pull_requests", "answers").
 */
#include <cJSON.h>
#include <stddef.h>

#include "alm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	const char *name;    /* "repo.pull_requests.total" */
	const char *type;    /* "boolean", "number", "integer", "string", "object", "array", "any" */
	const char *source;  /* the namespace it comes from: a probe's, "answers" or "derived" */
	const char *meaning; /* one line */
} alm_catalogue_entry;

typedef struct alm_catalogue alm_catalogue;

/* Builds the catalogue; `rules` (a rules document, borrowed, may be NULL)
 * adds the facts of its "derived" section. Free with alm_catalogue_free. */
int alm_catalogue_new(alm_catalogue **out, const cJSON *rules) ALM_MUST_CHECK;
void alm_catalogue_free(alm_catalogue *catalogue); /* NULL is a no-op */

size_t alm_catalogue_count(const alm_catalogue *catalogue);
const alm_catalogue_entry *alm_catalogue_entry_at(const alm_catalogue *catalogue, size_t i);

/* 1 when a rule may read `name` (see above). */
int alm_catalogue_declares(const alm_catalogue *catalogue, const char *name) ALM_MUST_CHECK;

/* The entry named exactly `name`, or NULL. */
const alm_catalogue_entry *alm_catalogue_find(const alm_catalogue *catalogue, const char *name);

/* The declared name nearest to `name` by edit distance (NULL when empty). */
const char *alm_catalogue_nearest(const alm_catalogue *catalogue, const char *name);

/* [{"name","type","source","meaning"}, ...] in catalogue order; NULL on ENOMEM. */
cJSON *alm_catalogue_to_json(const alm_catalogue *catalogue);

#ifdef __cplusplus
}
#endif

#endif
