#ifndef ALM_RULES_H
#define ALM_RULES_H
/*
 * The decision tree as data: loading, validating and looking up rules.
 * The default rules (rules/default.json) are compiled into the library.
 */
#include <cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct alm_rules alm_rules;

/* Most entries in each list of a rules document (questions, question parts
 * in all, tree nodes, verdicts, tiers, maturity levels, follow-ups, notices):
 * a hundred times what the decision tree needs, and small enough that
 * checking ids and references, which compares entries pairwise, stays quick.
 * Beyond it loading fails with ALM_ELIMIT. */
#define ALM_RULES_MAX_ITEMS 1000

/* Loads the compiled-in default rules. Free with alm_rules_free. */
int alm_rules_load_default(alm_rules **out);

/* Loads and validates a rules file. ALM_EINVALID with "FILE:LINE:COL: ..." when
 * it does not parse, or "FILE: $.json.path: problem" when it is not valid rules. */
int alm_rules_load_file(alm_rules **out, const char *path);

/* Validates a parsed document and wraps it; takes ownership of `doc` in every
 * case. `name` names the input in messages. */
int alm_rules_from_json(alm_rules **out, cJSON *doc, const char *name);

void alm_rules_free(alm_rules *rules); /* NULL is a no-op */

/* The whole document. Borrowed. */
const cJSON *alm_rules_json(const alm_rules *rules);

/* Look-ups by id; NULL when absent. Borrowed. */
const cJSON *alm_rules_node(const alm_rules *rules, const char *id);
const cJSON *alm_rules_verdict(const alm_rules *rules, const char *id);
const cJSON *alm_rules_tier(const alm_rules *rules, const char *id);
/* A question part by id; *question (may be NULL) gets its question. */
const cJSON *alm_rules_part(const alm_rules *rules, const char *id, const cJSON **question);

/* The text of the compiled-in default rules and of the answers schema. */
const char *alm_rules_default_text(size_t *len);
const char *alm_rules_answers_schema_text(size_t *len);
const char *alm_rules_schema_text(size_t *len);

#ifdef __cplusplus
}
#endif

#endif
