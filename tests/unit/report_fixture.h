#ifndef ALM_TEST_REPORT_FIXTURE_H
#define ALM_TEST_REPORT_FIXTURE_H
/* Shared by the tests of the assessment and its renderers: the default rules,
 * loaded once per group, and real reports assessed with them from the sample
 * answers, so each renderer is checked against what the assessment says.
 * Include after cmocka.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/facts.h"
#include "alm/rules.h"
#include "support.h"

/* The default rules, loaded once per group: cmocka_run_group_tests(tests,
 * fixture_setup, fixture_teardown). */
static alm_rules *fixture_rules;

static inline int fixture_setup(void **state)
{
	(void)state;
	return alm_rules_load_default(&fixture_rules);
}

static inline int fixture_teardown(void **state)
{
	(void)state;
	alm_rules_free(fixture_rules);
	return 0;
}

/* Every verdict has a sample answers file named after it. */
static const char *const fixture_verdicts[] = {"alm-accelerator", "alm-accelerator-after-prerequisites", "makers-path",
					       "grow-maturity-first", "insufficient-information"};
#define FIXTURE_NVERDICTS (sizeof fixture_verdicts / sizeof fixture_verdicts[0])

static inline cJSON *fixture_assess_text(const alm_rules *rules, const char *answers)
{
	alm_facts *facts;
	cJSON *report = NULL;
	assert_int_equal(alm_facts_new(&facts), 0);
	if (answers)
		assert_int_equal(alm_answers_load_text(facts, answers, strlen(answers), "test"), 0);
	assert_int_equal(alm_assess(&report, rules, facts, "9.9.9"), 0);
	alm_facts_free(facts);
	return report;
}

static inline cJSON *fixture_assess_sample(const alm_rules *rules, const char *name)
{
	char rel[256], *path, *text;
	cJSON *report;
	snprintf(rel, sizeof rel, "samples/answers/%s.json", name);
	path = test_source_path(rel);
	text = test_read_file(path);
	assert_non_null(text);
	report = fixture_assess_text(rules, text);
	free(text);
	free(path);
	return report;
}

/* Replaces a string member (the report is the caller's to change). */
static inline void fixture_set(cJSON *obj, const char *key, const char *value)
{
	assert_non_null(cJSON_GetObjectItemCaseSensitive(obj, key));
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(value));
}

/* Counts the occurrences of `needle` in `hay`. */
static inline int fixture_count(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	for (hay = strstr(hay, needle); hay; hay = strstr(hay + len, needle))
		n++;
	return n;
}

#endif
