/* A program outside the project that uses the installed library: it finds the
 * headers and the library through pkg-config alone, and evaluates JsonLogic and
 * the built-in rules. Compiled as C and as C++ (the headers are extern "C"). */
#include <alm/alm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	alm_rules *rules = NULL;
	cJSON *logic = cJSON_Parse("{\"<\": [{\"var\": \"a\"}, 3]}");
	cJSON *data = cJSON_Parse("{\"a\": 2}");
	cJSON *result = NULL;
	int ok;

	if (strcmp(alm_version(), ALM_VERSION_STRING) != 0) {
		fprintf(stderr, "version: header %s, library %s\n", ALM_VERSION_STRING, alm_version());
		return 1;
	}
	if (alm_jsonlogic_apply(&result, logic, data) < 0 || !cJSON_IsTrue(result)) {
		fprintf(stderr, "jsonlogic: %s\n", alm_error_last());
		return 1;
	}
	if (alm_rules_load_default(&rules) < 0) {
		fprintf(stderr, "rules: %s\n", alm_error_last());
		return 1;
	}
	ok = rules != NULL;
	printf("alm %s: JsonLogic and the default rules work\n", alm_version());
	alm_rules_free(rules);
	cJSON_Delete(result);
	cJSON_Delete(logic);
	cJSON_Delete(data);
	return ok ? 0 : 1;
}
