#ifndef ALM_DERIVE_H
#define ALM_DERIVE_H
/*
 * Derived facts: the rules' `derived` section turns evidence into what the
 * decision tree asks (a maturity lower bound, the creators, the environments
 * that exist), each entry JsonLogic over the facts with an evidence sentence
 * and the seed text it rests on. Entries are evaluated in order, so one may
 * read the entries before it as {"var": "derived.NAME"}.
 *
 * An entry with "answers" stands in for that answer when the answers are
 * silent: the assessment then reads the derived value where the answer would
 * be, marks what it decided as inferred, and weighs it less. A stated answer
 * always wins. A null result, or an empty list, derives nothing.
 */
#include "alm/facts.h"
#include "alm/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct alm_derivation alm_derivation;

/*
 * Evaluates the derived section of `rules` over `facts`. Fails with
 * ALM_EINVALID naming the entry ("rules: $.derived[2] (derived.creators): ...")
 * when its logic fails or yields a value of another type than declared.
 * Free with alm_derivation_free.
 */
int alm_derive(alm_derivation **out, const alm_rules *rules, const alm_facts *facts);

void alm_derivation_free(alm_derivation *d); /* NULL is a no-op */

/* The facts the tree reads: the facts' data, the "derived" namespace, and each
 * stand-in value at its answers path. Borrowed. */
const cJSON *alm_derivation_data(const alm_derivation *d);

/* The facts' data alone, without derived facts or stand-ins: what a
 * condition reads when nothing is inferred. Borrowed. */
const cJSON *alm_derivation_stated(const alm_derivation *d);

/* The "derived" namespace alone ({"maturity": {"current_floor": 300}, ...}). Borrowed. */
const cJSON *alm_derivation_namespace(const alm_derivation *d);

/*
 * One record per derived value, in the rules' order:
 *   {"fact", "value", "evidence" (the sentence, expanded), "seed" ({"id",
 *    "section", "quote"}), "answers" (key or null), "bound" ("exact"|"lower"),
 *    "stands_in" (bool: the answer was missing, so this value is read in its
 *    place), "overridden" (bool: the answer was given and wins)}
 * Borrowed.
 */
const cJSON *alm_derivation_list(const alm_derivation *d);

/* The record that a path is read from when that path is a stand-in
 * ("answers.maturity.current") or a derived fact ("derived.creators"); NULL
 * for any other path. Borrowed. */
const cJSON *alm_derivation_record(const alm_derivation *d, const char *path);

/*
 * Expands an evidence template over `data`. `tmpl` is a string, or an array
 * of strings whose expansions are joined with "; ". In a string, {{path}} is
 * the value at that dotted path (a list is joined with ", ", a list of objects
 * by their "name" or "path"; true is "yes"), {{path|fallback}} the fallback
 * text when the value is missing, and {{?path}} prints nothing but requires
 * the value. Missing is absent, null, false, "" or an empty list (a number,
 * 0 included, is present). A string with a missing placeholder that has no
 * fallback is left out. *out is a new string the caller frees ("" when
 * nothing is left).
 */
int alm_derive_expand(char **out, const cJSON *tmpl, const cJSON *data);

/* The same placeholders in one text, a notice's: a missing one without a
 * fallback reads "unknown" and nothing is left out. */
int alm_derive_interpolate(char **out, const char *text, const cJSON *data);

/*
 * Checks a rules document's derived section beyond its schema: each fact
 * named derived.* (not in a probe's or the answers' namespace) and declared
 * once, valid JsonLogic, templates with balanced braces, answers keys
 * without a namespace. ALM_EINVALID "NAME: $.derived[i].field: problem".
 */
int alm_derive_check(const cJSON *rules_doc, const char *name);

#ifdef __cplusplus
}
#endif

#endif
