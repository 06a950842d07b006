/* The answers file: accepted shapes, comments and nulls, and every kind of wrong
 * answer refused with the file, the key and the allowed values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/answers.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/rules.h"
#include "support.h"

static int load(alm_facts **facts, const char *text)
{
	assert_int_equal(alm_facts_new(facts), 0);
	return alm_answers_load_text(*facts, text, strlen(text), "team.json");
}

static void assert_refused(const char *text, const char *expect)
{
	alm_facts *facts;
	assert_int_equal(load(&facts, text), ALM_EINVALID);
	if (!strstr(alm_error_last(), expect))
		fail_msg("message \"%s\" lacks \"%s\"", alm_error_last(), expect);
	/* Nothing of a refused file becomes a fact. */
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(alm_facts_data(facts), "answers"), "impact"));
	alm_facts_free(facts);
}

static void test_answers_become_facts_with_evidence(void **state)
{
	alm_facts *facts;
	const cJSON *ev;
	(void)state;
	assert_int_equal(load(&facts, "{\"schema\": \"alm-advisor/answers@1\", \"impact\": \"high\","
				      " \"maturity\": {\"current\": 300}, \"creators\": [\"maker\", \"developer\"]}"), 0);
	assert_string_equal(alm_facts_get(facts, "answers.impact")->valuestring, "high");
	assert_int_equal(alm_facts_get(facts, "answers.maturity.current")->valueint, 300);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(facts, "answers.creators")), 2);
	assert_null(alm_facts_get(facts, "answers.schema"));
	ev = alm_facts_evidence(facts, "answers.impact");
	assert_string_equal(cJSON_GetObjectItem(ev, "source")->valuestring, "answers");
	assert_non_null(strstr(cJSON_GetObjectItem(ev, "detail")->valuestring, "team.json: impact = \"high\""));
	alm_facts_free(facts);
}

static void test_comments_and_nulls_are_accepted(void **state)
{
	alm_facts *facts;
	(void)state;
	assert_int_equal(load(&facts, "// a team's answers\n{\n  /* not yet */ \"impact\": null,\n"
				      "  \"support\": {\"owner\": \"a // b\"} // trailing\n}\n"), 0);
	assert_null(alm_facts_get(facts, "answers.impact"));
	assert_string_equal(alm_facts_get(facts, "answers.support.owner")->valuestring, "a // b");
	alm_facts_free(facts);
}

static void test_wrong_answers_are_refused(void **state)
{
	(void)state;
	assert_refused("{\"impact\": \"medium\"}",
		       "team.json: $.impact: expected one of \"critical\", \"high\", \"non-critical\"");
	assert_refused("{\"impact\": \"high\", \"maturity\": {\"current\": 250}}",
		       "$.maturity.current: expected one of 100, 200, 300, 400, 500");
	assert_refused("{\"impact\": \"high\", \"compliance\": \"yes\"}", "$.compliance: expected a boolean, found string");
	assert_refused("{\"impact\": \"high\", \"complience\": true}", "$: unknown key \"complience\"; expected one of schema,");
	assert_refused("{\"impact\": \"high\", \"creators\": [\"maker\", \"wizard\"]}",
		       "$.creators[1]: expected one of \"maker\", \"advanced-maker\"");
	assert_refused("{\"impact\": \"high\", \"creators\": [\"maker\", \"maker\"]}", "$.creators[1]: appears more than once");
	assert_refused("{\"impact\": \"high\", \"schema\": \"alm-advisor/answers@2\"}", "$.schema: expected \"alm-advisor/answers@1\"");
	assert_refused("[1, 2]", "team.json: $: expected an object");
	assert_refused("{\"impact\": \"high\",}", "team.json:1:");
}

static void test_template_lists_every_key_and_loads(void **state)
{
	alm_rules *rules = NULL;
	alm_facts *facts;
	char *text = NULL;
	(void)state;
	assert_int_equal(alm_rules_load_default(&rules), 0);
	assert_int_equal(alm_answers_template(&text, rules), 0);
	assert_non_null(strstr(text, "\"impact\": null"));
	assert_non_null(strstr(text, "\"power_apps_premium\": null"));
	assert_non_null(strstr(text, "one of [\"critical\",\"high\",\"non-critical\"]"));
	assert_non_null(strstr(text, "// 1. Are the applications classified as critical or high business impact?"));
	/* The template itself is a valid, empty answers file. */
	assert_int_equal(load(&facts, text), 0);
	assert_null(cJSON_GetObjectItem(alm_facts_data(facts), "answers")->child);
	alm_facts_free(facts);
	free(text);
	alm_rules_free(rules);
}

static void test_unreadable_file(void **state)
{
	alm_facts *facts;
	(void)state;
	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_answers_load_file(facts, "/nonexistent/answers.json"), ALM_ENOTFOUND);
	assert_non_null(strstr(alm_error_last(), "/nonexistent/answers.json"));
	alm_facts_free(facts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_become_facts_with_evidence),
		cmocka_unit_test(test_comments_and_nulls_are_accepted),
		cmocka_unit_test(test_wrong_answers_are_refused),
		cmocka_unit_test(test_template_lists_every_key_and_loads),
		cmocka_unit_test(test_unreadable_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
