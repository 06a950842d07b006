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

/* Whether a derived record was read in place of a missing answer and decided
 * something; how many of the report's did. */
int alm_rpt_decided_stand_in(const cJSON *record);
int alm_rpt_stand_ins(const cJSON *report);

/* "from the repository", or "inferred from evidence" for a derived value. */
const char *alm_rpt_source_phrase(const char *source);

/* Whether a what-if outcome of the report takes `branch` at the decision
 * `node` where the path itself does not, and whether one reaches `verdict`
 * while the path does not: the branches the drawings mark as possible. */
int alm_rpt_outcome_takes(const cJSON *report, const char *node, const char *branch);
int alm_rpt_outcome_reaches(const cJSON *report, const char *verdict);

#endif
