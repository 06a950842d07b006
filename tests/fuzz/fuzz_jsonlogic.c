/*
 * The JsonLogic evaluator. The input is JSON text: a two-element (or longer)
 * array [RULE, DATA] applies RULE to DATA, as the conformance cases are
 * written; anything else is a rule applied to null data. Every rule is also
 * checked and its variables collected. (Check and apply need not agree: a
 * rule can compute a malformed argument from the data.)
 */
#include "fuzz.h"

#include "alm/error.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = NULL, *result = NULL, *names = NULL;
	const cJSON *rule, *input = NULL;

	if (alm_json_parse(&doc, (const char *)data, size, "fuzz") < 0)
		return 0;
	rule = doc;
	if (cJSON_IsArray(doc) && cJSON_GetArraySize(doc) >= 2) {
		rule = cJSON_GetArrayItem(doc, 0);
		input = cJSON_GetArrayItem(doc, 1);
	}
	if (alm_jsonlogic_check(rule, "$.fuzz") < 0) {
		/* refusing a rule is an answer too; only crashes are found here */
	}
	if (alm_jsonlogic_apply(&result, rule, input) == 0) {
		if (!result)
			abort(); /* success always gives a value */
		if (alm_jsonlogic_truthy(result) < 0)
			abort(); /* truthiness is 0 or 1 */
		cJSON_Delete(result);
	} else if (result) {
		abort(); /* failure leaves *out NULL */
	}
	names = cJSON_CreateArray();
	if (names) {
		if (alm_jsonlogic_vars(names, rule) < 0) {
			/* a rule refused: nothing more to look at */
		}
		cJSON_Delete(names);
	}
	cJSON_Delete(doc);
	return 0;
}
