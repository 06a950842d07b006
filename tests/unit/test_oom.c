/* Out of memory is an error, never a partial result: with cJSON's allocator
 * failing at one allocation after another, assessing, loading answers,
 * building a portfolio and rendering each either give exactly what they give
 * with memory to spare, or fail with ALM_ENOMEM and give nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/report.h"
#include "report_fixture.h"
#include "support.h"

static char *printed(const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	assert_non_null(text);
	return text;
}

static char *sample_text(const char *name)
{
	char rel[256], *path, *text;
	snprintf(rel, sizeof rel, "samples/answers/%s.json", name);
	path = test_source_path(rel);
	text = test_read_file(path);
	assert_non_null(text);
	free(path);
	return text;
}

/* Steps through the budgets from 0 to past what the work needs: every one for
 * the first 400, then every seventh, so each kind of allocation fails once. */
static long next_budget(long b)
{
	return b < 400 ? b + 1 : b + 7;
}

static void test_assess_is_whole_or_enomem(void **state)
{
	char *answers = sample_text("sample-team");
	alm_facts *facts;
	cJSON *report = NULL;
	char *want;
	long b, needed, failed = 0;
	(void)state;

	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_answers_load_text(facts, answers, strlen(answers), "team.json"), 0);
	test_fail_after(-1);
	assert_int_equal(alm_assess(&report, fixture_rules, facts, "9.9.9"), 0);
	needed = test_allocations();
	test_allocate_freely();
	want = printed(report);
	cJSON_Delete(report);
	for (b = 0; b <= needed; b = next_budget(b)) {
		int error;
		report = NULL;
		test_fail_after(b);
		error = alm_assess(&report, fixture_rules, facts, "9.9.9");
		test_allocate_freely();
		if (error == 0) {
			char *got = printed(report);
			assert_string_equal(got, want);
			free(got);
		} else {
			assert_int_equal(error, ALM_ENOMEM);
			assert_null(report);
			failed++;
		}
		cJSON_Delete(report);
	}
	assert_true(failed > 0);
	free(want);
	alm_facts_free(facts);
	free(answers);
}

static void test_answers_are_whole_or_enomem(void **state)
{
	char *answers = sample_text("sample-team"), *want;
	alm_facts *facts;
	cJSON *doc;
	long b, needed, failed = 0;
	(void)state;

	assert_int_equal(alm_facts_new(&facts), 0);
	test_fail_after(-1);
	assert_int_equal(alm_answers_load_text(facts, answers, strlen(answers), "team.json"), 0);
	needed = test_allocations();
	test_allocate_freely();
	doc = alm_facts_to_json(facts);
	want = printed(doc);
	cJSON_Delete(doc);
	alm_facts_free(facts);
	for (b = 0; b <= needed; b = next_budget(b)) {
		int error;
		assert_int_equal(alm_facts_new(&facts), 0);
		test_fail_after(b);
		error = alm_answers_load_text(facts, answers, strlen(answers), "team.json");
		test_allocate_freely();
		if (error == 0) {
			char *got;
			doc = alm_facts_to_json(facts);
			got = printed(doc);
			assert_string_equal(got, want);
			free(got);
			cJSON_Delete(doc);
		} else {
			/* The team's answers are never dropped in silence. */
			assert_int_equal(error, ALM_ENOMEM);
			failed++;
		}
		alm_facts_free(facts);
	}
	assert_true(failed > 0);
	free(want);
	free(answers);
}

static void test_renderers_are_whole_or_enomem(void **state)
{
	static const alm_format formats[] = {ALM_FORMAT_TEXT, ALM_FORMAT_JSON, ALM_FORMAT_SARIF, ALM_FORMAT_MARKDOWN};
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	size_t f;
	(void)state;
	for (f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		alm_render_options o = ALM_RENDER_OPTIONS_INIT;
		char *want = NULL, *got;
		long b, needed;
		o.rules = fixture_rules;
		test_fail_after(-1);
		assert_int_equal(alm_report_render_opts(&want, NULL, report, formats[f], &o), 0);
		needed = test_allocations();
		test_allocate_freely();
		for (b = 0; b <= needed; b = next_budget(b)) {
			int error;
			got = NULL;
			test_fail_after(b);
			error = alm_report_render_opts(&got, NULL, report, formats[f], &o);
			test_allocate_freely();
			if (error == 0)
				assert_string_equal(got, want);
			else
				assert_int_equal(error, ALM_ENOMEM);
			free(got);
		}
		free(want);
	}
	cJSON_Delete(report);
}

static void test_portfolio_is_whole_or_enomem(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "makers-path"), *rows, *doc = NULL;
	char *want;
	long b, needed, failed = 0;
	(void)state;

	test_fail_after(-1);
	rows = cJSON_CreateArray();
	cJSON_AddItemToArray(rows, alm_portfolio_row("a", "/a", cJSON_Duplicate(report, 1)));
	cJSON_AddItemToArray(rows, alm_portfolio_failed_row("b", "/b", "not a repository"));
	assert_int_equal(alm_portfolio_build(&doc, rows, fixture_rules), 0);
	needed = test_allocations();
	test_allocate_freely();
	want = printed(doc);
	cJSON_Delete(doc);
	for (b = 0; b <= needed; b = next_budget(b)) {
		cJSON *copy = cJSON_Duplicate(report, 1), *row_a, *row_b;
		int error;
		doc = NULL;
		test_fail_after(b);
		rows = cJSON_CreateArray();
		row_a = alm_portfolio_row("a", "/a", copy);
		row_b = alm_portfolio_failed_row("b", "/b", "not a repository");
		if (!rows || !row_a || !row_b || !cJSON_AddItemToArray(rows, row_a)) {
			/* A row that could not be made is NULL, and what it took is freed. */
			test_allocate_freely();
			cJSON_Delete(rows);
			if (!rows || !cJSON_IsArray(rows) || !row_a || !cJSON_GetArraySize(rows))
				cJSON_Delete(row_a);
			cJSON_Delete(row_b);
			failed++;
			continue;
		}
		if (!cJSON_AddItemToArray(rows, row_b)) {
			test_allocate_freely();
			cJSON_Delete(row_b);
			cJSON_Delete(rows);
			failed++;
			continue;
		}
		error = alm_portfolio_build(&doc, rows, fixture_rules);
		test_allocate_freely();
		if (error == 0) {
			char *got = printed(doc);
			assert_string_equal(got, want);
			free(got);
		} else {
			assert_int_equal(error, ALM_ENOMEM);
			assert_null(doc);
			failed++;
		}
		cJSON_Delete(doc);
	}
	assert_true(failed > 0);
	free(want);
	cJSON_Delete(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assess_is_whole_or_enomem),
		cmocka_unit_test(test_answers_are_whole_or_enomem),
		cmocka_unit_test(test_renderers_are_whole_or_enomem),
		cmocka_unit_test(test_portfolio_is_whole_or_enomem),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
