#ifndef ALM_REPORT_INT_H
#define ALM_REPORT_INT_H
/*
 * What the renderers share: reading the report document defensively (a report
 * assessed with --rules may lack what the default rules always give, and a
 * renderer must never crash on it, so members are read with alm_json_str and
 * alm_json_get of alm/json.h) and summarising evidence in a few words.
 */
#include <cJSON.h>
#include <stddef.h>

/* The question part `id` among report.questions[].parts[], or NULL; *question
 * (may be NULL) gets the question it belongs to. */
const cJSON *alm_rpt_part(const cJSON *report, const char *id, const cJSON **question);

/* The value at a dotted path below report.facts ("answers.maturity.target"), or NULL. */
const cJSON *alm_rpt_fact(const cJSON *report, const char *path);

/*
 * A short form of one evidence entry, for places too small for its sentence:
 * "maturity.target = 300" (the fact without its namespace, and its value from
 * report.facts, cut to about `n` bytes). Writes into buf (size n).
 */
void alm_rpt_evidence_short(char *buf, size_t n, const cJSON *report, const cJSON *evidence);

/* Human words for a source name: "repo" -> "the repository". */
const char *alm_rpt_source_words(const char *source);

#endif
