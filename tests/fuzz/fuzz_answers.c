/*
 * The answers loader (comments, nulls, schema validation, facts). Answers that
 * load are assessed with the built-in rules, as `assess --answers` does.
 */
#include "fuzz.h"

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/rules.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Loaded once: the rules are read-only, so inputs cannot affect each other. */
	static alm_rules *rules;
	alm_facts *facts = NULL;
	cJSON *json = NULL, *report = NULL;

	if (!rules && alm_rules_load_default(&rules) < 0)
		abort();
	if (alm_facts_new(&facts) < 0)
		return 0;
	if (alm_answers_load_text(facts, (const char *)data, size, "fuzz") == 0) {
		json = alm_facts_to_json(facts);
		cJSON_Delete(json);
		if (alm_assess(&report, rules, facts, "0.0.0-fuzz") == 0)
			cJSON_Delete(report);
	}
	alm_facts_free(facts);
	return 0;
}
