#ifndef ALM_FACTS_H
#define ALM_FACTS_H
/*
 * The facts document: everything the probes and the answers know, as one JSON
 * value with the namespaces "repo", "ado" and "answers", so that rules address
 * any fact with a JsonLogic {"var": "repo.pull_requests.total"}.
 *
 * Beside the values, each fact may carry its evidence: where it came from and a
 * one-line sentence for the report. Each probe also records its own status
 * ("ok", "degraded", "failed", "skipped") and why, so a report can say what is
 * missing and for what reason.
 *
 * Serialised (alm_facts_to_json):
 *   {"schema": "alm-advisor/facts@1",
 *    "facts": {"repo": {...}, "ado": {...}, "answers": {...}},
 *    "evidence": {"repo.commits": {"source": "repo", "detail": "..."}, ...},
 *    "probes": {"repo": {"status": "ok", "detail": "..."}, ...}}
 */
#include <cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ALM_SOURCE_REPO,
	ALM_SOURCE_ADO,
	ALM_SOURCE_ANSWERS,
	ALM_SOURCE_DEFAULT
} alm_source;

typedef struct alm_facts alm_facts;

/* The name used in JSON ("repo", "ado", "answers", "default"). */
const char *alm_source_name(alm_source source);

/* Creates an empty document. Free with alm_facts_free. */
int alm_facts_new(alm_facts **out);
void alm_facts_free(alm_facts *facts); /* NULL is a no-op */

/*
 * Sets the fact at a dotted path ("repo.pull_requests.total"), creating the
 * objects on the way. Takes ownership of `value` in every case (it is freed on
 * error). `detail` (printf-style, may be NULL) is the evidence sentence; the
 * source is recorded with it.
 */
int alm_facts_set(alm_facts *facts, const char *path, cJSON *value,
		  alm_source source, const char *detail, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Convenience setters; same ownership and evidence rules. */
int alm_facts_set_number(alm_facts *facts, const char *path, double value,
			 alm_source source, const char *detail);
int alm_facts_set_bool(alm_facts *facts, const char *path, int value,
		       alm_source source, const char *detail);
int alm_facts_set_string(alm_facts *facts, const char *path, const char *value,
			 alm_source source, const char *detail);

/* The value at a dotted path, or NULL when absent. Borrowed. */
const cJSON *alm_facts_get(const alm_facts *facts, const char *path);

/* The evidence entry {"source","detail"} of a path, or NULL. Borrowed. */
const cJSON *alm_facts_evidence(const alm_facts *facts, const char *path);

/* {"repo": ..., "ado": ..., "answers": ...}: the data the rules see. Borrowed. */
const cJSON *alm_facts_data(const alm_facts *facts);

/* Records a probe's status ("ok", "degraded", "failed", "skipped") and why. */
int alm_facts_set_probe(alm_facts *facts, const char *probe, const char *status,
			const char *detail);
/* {"repo": {"status","detail"}, ...}. Borrowed. */
const cJSON *alm_facts_probes(const alm_facts *facts);

/* A new JSON document as described above; the caller owns it. NULL on ENOMEM. */
cJSON *alm_facts_to_json(const alm_facts *facts);

#ifdef __cplusplus
}
#endif

#endif
