/* The assessment: each verdict from its sample answers, three-valued evaluation,
 * evidence from repository facts, gaps, unknowns, confidence and notices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/json.h"
#include "alm/schema.h"
#include "alm/rules.h"
#include "report_fixture.h"

static const cJSON *find(const cJSON *list, const char *key, const char *value)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return item;
	}
	return NULL;
}

static const char *part_status(const cJSON *report, const char *part_id)
{
	const cJSON *q, *p;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(report, "questions")) {
		p = find(cJSON_GetObjectItemCaseSensitive(q, "parts"), "id", part_id);
		if (p)
			return cJSON_GetObjectItemCaseSensitive(p, "status")->valuestring;
	}
	fail_msg("no part %s", part_id);
	return NULL;
}

static void test_each_sample_reaches_its_verdict(void **state)
{
	static const char *const verdicts[] = {"alm-accelerator", "alm-accelerator-after-prerequisites", "makers-path",
					       "grow-maturity-first", "insufficient-information"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
		cJSON *report = fixture_assess_sample(fixture_rules, verdicts[i]);
		assert_string_equal(alm_report_verdict(report), verdicts[i]);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(report, "schema")->valuestring, "alm-advisor/report@1");
		cJSON_Delete(report);
	}
}

static void test_path_records_values_and_sources(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(report, "path");
	const cJSON *first = cJSON_GetArrayItem(path, 0);
	(void)state;
	assert_int_equal(cJSON_GetArraySize(path), 3);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "node")->valuestring, "maturity-gate");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "value")->valuestring, "yes");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "source")->valuestring, "answers");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(path, 2), "node")->valuestring,
			    "prerequisites-installed");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "gaps")), 1); /* no plug-ins */
	assert_true(alm_report_confidence(report) >= 0.99);
	cJSON_Delete(report);
}

static void test_impact_tier_and_sla(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator");
	const cJSON *impact = cJSON_GetObjectItemCaseSensitive(report, "impact");
	const cJSON *sla = cJSON_GetObjectItemCaseSensitive(impact, "sla");
	(void)state;
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(impact, "tier")->valuestring, "critical");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(sla, "initial_response")->valuestring, "less than 60 minutes");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(sla, "initial_response_max_minutes")->valueint, 60);
	cJSON_Delete(report);

	report = fixture_assess_text(fixture_rules, "{\"impact\": \"non-critical\"}");
	impact = cJSON_GetObjectItemCaseSensitive(report, "impact");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(impact, "tier")->valuestring, "non-critical");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(impact, "sla"),
								  "initial_response_max_minutes")));
	cJSON_Delete(report);
}

static void test_missing_prerequisites_listed_in_tree_order(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	const cJSON *pre = cJSON_GetObjectItemCaseSensitive(report, "prerequisites");
	(void)state;
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 0), "id")->valuestring, "environments-created");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 0), "status")->valuestring, "gap");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 1), "id")->valuestring, "azure-devops-created");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 1), "status")->valuestring, "gap");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 3), "id")->valuestring, "technical-concepts");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pre, 3), "status")->valuestring, "gap");
	assert_non_null(find(cJSON_GetObjectItemCaseSensitive(report, "gaps"), "part", "prerequisites.azure_devops"));
	assert_non_null(find(cJSON_GetObjectItemCaseSensitive(report, "gaps"), "part", "source_control.pull_requests"));
	cJSON_Delete(report);
}

static void test_unknown_is_never_false(void **state)
{
	/* Nothing known: the first decision is unknown, not "no". */
	cJSON *report = fixture_assess_text(fixture_rules, NULL);
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(report, "path");
	(void)state;
	assert_string_equal(alm_report_verdict(report), "insufficient-information");
	assert_int_equal(cJSON_GetArraySize(path), 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(path, 0), "value")->valuestring, "unknown");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "gaps")), 0);
	assert_string_equal(part_status(report, "source_control.pull_requests"), "unknown");
	assert_true(alm_report_confidence(report) < 0.05);
	assert_non_null(find(cJSON_GetObjectItemCaseSensitive(report, "unknowns"), "ask", "maturity.target"));
	cJSON_Delete(report);
}

static void test_decide_with_names_the_deciding_answers(void **state)
{
	cJSON *report = fixture_assess_text(fixture_rules, "{\"maturity\": {\"current\": 300}}");
	const cJSON *decide = cJSON_GetObjectItemCaseSensitive(report, "decide_with"), *k;
	int has_impact = 0;
	(void)state;
	assert_string_equal(alm_report_verdict(report), "insufficient-information");
	cJSON_ArrayForEach(k, decide)
		has_impact |= strcmp(k->valuestring, "impact") == 0;
	assert_true(has_impact);
	cJSON_Delete(report);
}

static void test_decide_with_names_answers_no_part_asks(void **state)
{
	/* Non-critical impact: whether the creators include advanced makers decides. */
	cJSON *report = fixture_assess_text(fixture_rules,
					     "{\"maturity\": {\"current\": 300}, \"impact\": \"non-critical\"}");
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "decide_with"), 0);
	(void)state;
	assert_string_equal(alm_report_verdict(report), "insufficient-information");
	assert_non_null(first);
	assert_string_equal(first->valuestring, "creators");
	cJSON_Delete(report);
}

static void test_decide_with_skips_answers_already_given(void **state)
{
	/* The gate reads current and target; only the missing one is asked. */
	cJSON *report = fixture_assess_text(fixture_rules, "{\"maturity\": {\"target\": 200}}");
	const cJSON *decide = cJSON_GetObjectItemCaseSensitive(report, "decide_with");
	(void)state;
	assert_int_equal(cJSON_GetArraySize(decide), 1);
	assert_string_equal(cJSON_GetArrayItem(decide, 0)->valuestring, "maturity.current");
	cJSON_Delete(report);
}

static void test_one_unknown_of_target_stays_unknown(void **state)
{
	/* current 200 with no target: the gate is not decided either way. */
	cJSON *report = fixture_assess_text(fixture_rules,
					     "{\"maturity\": {\"current\": 200}, \"impact\": \"critical\"}");
	(void)state;
	assert_string_equal(alm_report_verdict(report), "insufficient-information");
	assert_string_equal(part_status(report, "maturity.level_300"), "unknown");
	assert_string_equal(part_status(report, "maturity.level_200"), "met");
	cJSON_Delete(report);
}

static void test_persona_routes_to_full_path(void **state)
{
	cJSON *report = fixture_assess_text(fixture_rules,
					     "{\"maturity\": {\"current\": 400}, \"impact\": \"non-critical\","
					     " \"creators\": [\"maker\", \"operations\"]}");
	(void)state;
	/* Operations among the creators leads to the prerequisites, which are unknown. */
	assert_string_equal(alm_report_verdict(report), "insufficient-information");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "path"), 1),
							     "value")->valuestring, "yes");
	cJSON_Delete(report);
}

static void test_repository_evidence_decides_questions(void **state)
{
	alm_facts *facts;
	cJSON *report = NULL, *list = cJSON_CreateArray();
	const cJSON *q, *p, *ev;
	(void)state;
	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_facts_set_number(facts, "repo.merges", 12, ALM_SOURCE_REPO, "12 merges"), 0);
	assert_int_equal(alm_facts_set_number(facts, "repo.commits", 40, ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set_number(facts, "repo.pull_requests.total", 9, ALM_SOURCE_REPO,
				     "9 commits arrived through Azure DevOps pull requests"), 0);
	cJSON_AddItemToArray(list, cJSON_CreateString("Pipelines/deploy-test.yml"));
	assert_int_equal(alm_facts_set(facts, "repo.files.pipelines.azure", list, ALM_SOURCE_REPO, "1 Azure Pipelines file"), 0);
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.code_components", cJSON_CreateArray(), ALM_SOURCE_REPO, NULL), 0);
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, cJSON_Parse("{\"path\": \"Sol\", \"unique_name\": \"Sol\"}"));
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.solutions", list, ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set_string(facts, "repo.host", "azure-devops", ALM_SOURCE_REPO, "origin is on dev.azure.com"), 0);
	assert_int_equal(alm_assess(&report, fixture_rules, facts, "test"), 0);

	assert_string_equal(part_status(report, "source_control.branching"), "met");
	assert_string_equal(part_status(report, "source_control.pull_requests"), "met");
	assert_string_equal(part_status(report, "source_control.build_pipelines"), "met");
	assert_string_equal(part_status(report, "pcf.components"), "gap"); /* solution sources, no PCF */
	assert_string_equal(part_status(report, "fusion_teams.engaged"), "unknown");
	/* The evidence sentence travels with the status. */
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(report, "questions")) {
		p = find(cJSON_GetObjectItemCaseSensitive(q, "parts"), "id", "source_control.pull_requests");
		if (!p)
			continue;
		ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(p, "evidence"), 0);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev, "source")->valuestring, "repo");
		assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(ev, "detail")->valuestring, "pull requests"));
	}
	cJSON_Delete(report);
	alm_facts_free(facts);
}

/* A code component packaged in a solution answers the code-components
 * question; test projects and Dataverse clients do not answer the plug-in one. */
static void test_component_entries_decide_questions(void **state)
{
	alm_facts *facts;
	cJSON *report = NULL;
	(void)state;
	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.solutions",
		      cJSON_Parse("[{\"path\": \"Sol/SolutionPackage\", \"unique_name\": \"Sol\"}]"),
		      ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.code_components",
		      cJSON_Parse("[{\"name\": \"Contoso.Gauge\", \"path\": \"Sol/src/Controls/Contoso.Gauge\", \"packaged\": true}]"),
		      ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.plugin_projects", cJSON_CreateArray(), ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set(facts, "repo.power_platform.test_projects",
		      cJSON_Parse("[{\"name\": \"Tests\", \"path\": \"Tests/Tests.csproj\"}]"),
		      ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_assess(&report, fixture_rules, facts, "test"), 0);
	assert_string_equal(part_status(report, "pcf.components"), "met");
	assert_string_equal(part_status(report, "plugins.dataverse"), "gap");
	cJSON_Delete(report);
	alm_facts_free(facts);
}

static void test_answers_override_evidence(void **state)
{
	alm_facts *facts;
	cJSON *report = NULL;
	const char *answers = "{\"source_control\": {\"pull_requests\": false}}";
	(void)state;
	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_facts_set_number(facts, "repo.pull_requests.total", 3, ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_answers_load_text(facts, answers, strlen(answers), "t"), 0);
	assert_int_equal(alm_assess(&report, fixture_rules, facts, "test"), 0);
	assert_string_equal(part_status(report, "source_control.pull_requests"), "gap");
	cJSON_Delete(report);
	alm_facts_free(facts);
}

static void test_deprecation_notice_on_every_verdict(void **state)
{
	static const char *const samples[] = {"alm-accelerator", "makers-path", "grow-maturity-first", "insufficient-information"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		cJSON *report = fixture_assess_sample(fixture_rules, samples[i]);
		const cJSON *n = find(cJSON_GetObjectItemCaseSensitive(report, "notices"), "id", "alm-accelerator-deprecated");
		assert_non_null(n);
		assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(report, "supported_path")->valuestring, "Pipelines"));
		/* The history notice needs history facts; answers alone do not show it. */
		assert_null(find(cJSON_GetObjectItemCaseSensitive(report, "notices"), "id", "history-lower-bound"));
		cJSON_Delete(report);
	}
}

static void test_not_applicable_outside_full_path(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "makers-path");
	const cJSON *q = find(cJSON_GetObjectItemCaseSensitive(report, "questions"), "id", "prerequisites");
	(void)state;
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(q, "status")->valuestring, "not-applicable");
	assert_null(find(cJSON_GetObjectItemCaseSensitive(report, "unknowns"), "question", "prerequisites"));
	cJSON_Delete(report);
}

static void test_maturity_gaps_on_grow_first(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "grow-maturity-first");
	const cJSON *gaps = cJSON_GetObjectItemCaseSensitive(report, "gaps");
	(void)state;
	assert_non_null(find(gaps, "part", "maturity.level_200"));
	assert_non_null(find(gaps, "part", "maturity.level_300_capabilities"));
	/* Route questions (impact) never appear as gaps. */
	assert_null(find(gaps, "question", "impact"));
	cJSON_Delete(report);
}

static void test_confidence_grows_with_answers(void **state)
{
	cJSON *few = fixture_assess_sample(fixture_rules, "insufficient-information");
	cJSON *many = fixture_assess_sample(fixture_rules, "alm-accelerator");
	(void)state;
	assert_true(alm_report_confidence(few) < alm_report_confidence(many));
	assert_true(alm_report_confidence(few) >= 0 && alm_report_confidence(many) <= 1);
	cJSON_Delete(few);
	cJSON_Delete(many);
}

static void test_reports_match_the_published_schema(void **state)
{
	static const char *const samples[] = {"alm-accelerator", "alm-accelerator-after-prerequisites", "makers-path",
					      "grow-maturity-first", "insufficient-information", "sample-team"};
	char *path = test_source_path("rules/report.schema.json");
	cJSON *schema = NULL;
	size_t i;
	(void)state;
	assert_int_equal(alm_json_read_file(&schema, path), 0);
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		cJSON *report = fixture_assess_sample(fixture_rules, samples[i]);
		if (alm_schema_validate(schema, report, samples[i]) < 0)
			fail_msg("%s", alm_error_last());
		/* And the schema can fail: a confidence above 1 is refused. */
		cJSON_ReplaceItemInObject(report, "confidence", cJSON_CreateNumber(1.5));
		assert_int_equal(alm_schema_validate(schema, report, samples[i]), ALM_EINVALID);
		cJSON_Delete(report);
	}
	cJSON_Delete(schema);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_sample_reaches_its_verdict),
		cmocka_unit_test(test_path_records_values_and_sources),
		cmocka_unit_test(test_impact_tier_and_sla),
		cmocka_unit_test(test_missing_prerequisites_listed_in_tree_order),
		cmocka_unit_test(test_unknown_is_never_false),
		cmocka_unit_test(test_decide_with_names_the_deciding_answers),
		cmocka_unit_test(test_decide_with_names_answers_no_part_asks),
		cmocka_unit_test(test_decide_with_skips_answers_already_given),
		cmocka_unit_test(test_one_unknown_of_target_stays_unknown),
		cmocka_unit_test(test_persona_routes_to_full_path),
		cmocka_unit_test(test_repository_evidence_decides_questions),
		cmocka_unit_test(test_component_entries_decide_questions),
		cmocka_unit_test(test_answers_override_evidence),
		cmocka_unit_test(test_deprecation_notice_on_every_verdict),
		cmocka_unit_test(test_not_applicable_outside_full_path),
		cmocka_unit_test(test_maturity_gaps_on_grow_first),
		cmocka_unit_test(test_confidence_grows_with_answers),
		cmocka_unit_test(test_reports_match_the_published_schema),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
