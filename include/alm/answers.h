#ifndef ALM_ANSWERS_H
#define ALM_ANSWERS_H
/*
 * The answers file: what no evidence can show (maturity, impact, audience,
 * creators, licences...), as JSON, version 1 ("schema": "alm-advisor/answers@1").
 * Comments (// and slash-star) are allowed, so a team can annotate its answers, and a
 * null value means "not answered", so the template can list every key.
 */
#include "alm/facts.h"
#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The conventional place of a team's answers, relative to the repository's top. */
#define ALM_ANSWERS_CONVENTIONAL_PATH ".alm-advisor/answers.json"

/*
 * Reads, validates and records an answers file as answers.* facts (source
 * "answers", evidence "answers file FILE: impact = \"critical\""). ALM_EINVALID
 * with the file, the key and the allowed values on a wrong type, value or key;
 * ALM_ENOTFOUND/ALM_EIO when it cannot be read. On error `facts` is unchanged.
 */
int alm_answers_load_file(alm_facts *facts, const char *path);

/* Same, from text already in memory; `name` names it in messages. */
int alm_answers_load_text(alm_facts *facts, const char *text, size_t len, const char *name);

/*
 * A commented template listing every key of the answers file, each preceded by
 * the questions of `rules` it answers and its allowed values, every value null.
 * *out is a NUL-terminated string the caller frees.
 */
int alm_answers_template(char **out, const alm_rules *rules);

#ifdef __cplusplus
}
#endif

#endif
