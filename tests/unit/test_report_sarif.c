/* The SARIF renderer against the assessment and against SARIF 2.1.0: one
 * result per gap with the part as ruleId, the rule described by the seed's
 * question and helped by the action, the evidence as message, level warning,
 * located at the repository; the document valid against a faithful subset of
 * the SARIF 2.1.0 schema (tests/fixtures/sarif-2.1.0-subset.schema.json: a
 * subset, written out because the tests run without a network). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alm/error.h"
#include "alm/json.h"
#include "alm/report.h"
#include "alm/schema.h"
#include "report_fixture.h"

static cJSON *sarif_schema;

static int setup(void **state)
{
	char *path = test_source_path("tests/fixtures/sarif-2.1.0-subset.schema.json");
	int error = alm_json_read_file(&sarif_schema, path);
	free(path);
	return error < 0 ? error : fixture_setup(state);
}

static int teardown(void **state)
{
	cJSON_Delete(sarif_schema);
	return fixture_teardown(state);
}

static cJSON *render(const cJSON *report, const char *uri)
{
	char *text = NULL;
	size_t len = 0;
	cJSON *doc = NULL;
	assert_int_equal(alm_report_render_sarif(&text, &len, report, uri), 0);
	assert_int_equal(len, strlen(text));
	assert_int_equal(alm_json_parse(&doc, text, len, "sarif"), 0);
	free(text);
	return doc;
}

static const cJSON *at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	assert_non_null(v);
	return v;
}

static const char *text_at(const cJSON *obj, const char *key)
{
	const cJSON *v = at(obj, key);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_valid_sarif_for_every_verdict(void **state)
{
	size_t v;
	(void)state;
	for (v = 0; v < FIXTURE_NVERDICTS; v++) {
		cJSON *report = fixture_assess_sample(fixture_rules, fixture_verdicts[v]);
		cJSON *doc = render(report, NULL);
		if (alm_schema_validate(sarif_schema, doc, fixture_verdicts[v]) < 0)
			fail_msg("%s", alm_error_last());
		assert_string_equal(text_at(doc, "version"), "2.1.0");
		assert_string_equal(text_at(at(at(cJSON_GetArrayItem(at(doc, "runs"), 0), "tool"), "driver"), "name"),
				    "alm-advisor");
		cJSON_Delete(doc);
		cJSON_Delete(report);
	}
}

/* The subset schema is not a rubber stamp: it refuses what SARIF refuses. */
static void test_schema_refuses_invalid_sarif(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	cJSON *doc = render(report, NULL), *result;
	(void)state;
	result = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(at(doc, "runs"), 0), "results"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(result, "level", cJSON_CreateString("warn"));
	assert_int_equal(alm_schema_validate(sarif_schema, doc, "bad"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.runs[0].results[0].level"));
	cJSON_ReplaceItemInObjectCaseSensitive(result, "level", cJSON_CreateString("warning"));
	cJSON_DeleteItemFromObjectCaseSensitive(result, "message");
	assert_int_equal(alm_schema_validate(sarif_schema, doc, "bad"), ALM_EINVALID);
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "version", cJSON_CreateString("2.0.0"));
	assert_int_equal(alm_schema_validate(sarif_schema, doc, "bad"), ALM_EINVALID);
	cJSON_Delete(doc);
	cJSON_Delete(report);
}

static void test_one_result_per_gap(void **state)
{
	size_t v;
	(void)state;
	for (v = 0; v < FIXTURE_NVERDICTS; v++) {
		cJSON *report = fixture_assess_sample(fixture_rules, fixture_verdicts[v]);
		cJSON *doc = render(report, NULL);
		const cJSON *run = cJSON_GetArrayItem(at(doc, "runs"), 0);
		const cJSON *results = at(run, "results"), *rules_list = at(at(at(run, "tool"), "driver"), "rules");
		const cJSON *gaps = cJSON_GetObjectItemCaseSensitive(report, "gaps"), *gap;
		int i = 0;
		assert_int_equal(cJSON_GetArraySize(results), cJSON_GetArraySize(gaps));
		cJSON_ArrayForEach(gap, gaps) {
			const cJSON *result = cJSON_GetArrayItem(results, i++), *rule, *ev;
			const cJSON *part = NULL, *q, *p;
			const char *part_id = cJSON_GetObjectItemCaseSensitive(gap, "part")->valuestring;
			assert_string_equal(text_at(result, "ruleId"), part_id);
			assert_string_equal(text_at(result, "level"), "warning");
			rule = cJSON_GetArrayItem(rules_list, at(result, "ruleIndex")->valueint);
			assert_string_equal(text_at(rule, "id"), part_id);
			assert_string_equal(text_at(at(rule, "help"), "text"),
					    cJSON_GetObjectItemCaseSensitive(gap, "action")->valuestring);
			assert_non_null(strstr(text_at(at(rule, "fullDescription"), "text"),
					       cJSON_GetObjectItemCaseSensitive(gap, "section")->valuestring));
			assert_non_null(strstr(text_at(at(rule, "fullDescription"), "text"),
					       cJSON_GetObjectItemCaseSensitive(gap, "text")->valuestring));
			assert_string_equal(text_at(at(at(cJSON_GetArrayItem(at(result, "locations"), 0), "physicalLocation"),
						      "artifactLocation"),
						   "uri"),
					    ".");
			/* The message carries the evidence of the part. */
			cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(report, "questions"))
				cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(q, "parts"))
					if (strcmp(cJSON_GetObjectItemCaseSensitive(p, "id")->valuestring, part_id) == 0)
						part = p;
			assert_non_null(part);
			cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(part, "evidence"))
				assert_non_null(strstr(text_at(at(result, "message"), "text"),
						       cJSON_GetObjectItemCaseSensitive(ev, "detail")->valuestring));
		}
		assert_string_equal(text_at(at(run, "properties"), "verdict"), fixture_verdicts[v]);
		cJSON_Delete(doc);
		cJSON_Delete(report);
	}
}

/* Each rule once, however many results use it, and the artifact the caller names. */
static void test_rules_unique_and_location_chosen(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	cJSON *gaps = cJSON_GetObjectItemCaseSensitive(report, "gaps");
	cJSON *doc;
	const cJSON *run, *results;
	(void)state;
	cJSON_AddItemToArray(gaps, cJSON_Duplicate(cJSON_GetArrayItem(gaps, 0), 1));
	doc = render(report, ".alm-advisor/answers.json");
	run = cJSON_GetArrayItem(at(doc, "runs"), 0);
	results = at(run, "results");
	assert_int_equal(cJSON_GetArraySize(results), cJSON_GetArraySize(gaps));
	assert_int_equal(cJSON_GetArraySize(at(at(at(run, "tool"), "driver"), "rules")), cJSON_GetArraySize(gaps) - 1);
	assert_int_equal(at(cJSON_GetArrayItem(results, cJSON_GetArraySize(results) - 1), "ruleIndex")->valueint, 0);
	assert_string_equal(text_at(at(at(cJSON_GetArrayItem(at(cJSON_GetArrayItem(results, 0), "locations"), 0),
					  "physicalLocation"),
				       "artifactLocation"),
			       "uri"),
			    ".alm-advisor/answers.json");
	if (alm_schema_validate(sarif_schema, doc, "dup") < 0)
		fail_msg("%s", alm_error_last());
	cJSON_Delete(doc);
	cJSON_Delete(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_sarif_for_every_verdict),
		cmocka_unit_test(test_schema_refuses_invalid_sarif),
		cmocka_unit_test(test_one_result_per_gap),
		cmocka_unit_test(test_rules_unique_and_location_chosen),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
