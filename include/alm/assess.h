#ifndef ALM_ASSESS_H
#define ALM_ASSESS_H
/*
 * The assessment: walks the decision tree of `rules` over `facts` and builds
 * the report document ("schema": "alm-advisor/report@1"). Evaluation is
 * three-valued: a part whose facts are all missing, or whose condition yields
 * null, is "unknown", never silently false. Renderers only format this
 * document; every decision is made here.
 */
#include "alm/facts.h"
#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Confidence is a number in 0..1, rounded to two decimals. */

/*
 * Builds the report. *out is a new JSON document the caller owns. Fails only on
 * out-of-memory or an evaluation error in the rules (ALM_EINVALID, naming the
 * question or node).
 */
int alm_assess(cJSON **out, const alm_rules *rules, const alm_facts *facts, const char *tool_version);

/* The verdict id of a report ("alm-accelerator", ...). Borrowed; NULL if none. */
const char *alm_report_verdict(const cJSON *report);

/* The confidence of a report, 0..1. */
double alm_report_confidence(const cJSON *report);

#ifdef __cplusplus
}
#endif

#endif
