/*
 * The rules loader and validator: JSON text parsed as alm_rules_load_file
 * does, then validated. Rules that pass are used as the CLI would use them:
 * an assessment over no facts and over the facts of one answers file, the
 * answers template, and the text and JSON reports.
 */
#include "fuzz.h"

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/json.h"
#include "alm/report.h"
#include "alm/rules.h"

#include <stdlib.h>
#include <string.h>

static const char answers[] =
	"{\"schema\": \"alm-advisor/answers@1\", \"maturity\": {\"current\": 300, \"target\": 400},"
	" \"impact\": \"high\", \"creators\": [\"pro-developers\"]}";

static void assess_with(const alm_rules *rules, int with_answers)
{
	alm_facts *facts = NULL;
	cJSON *report = NULL;
	char *text = NULL;
	size_t len;

	if (alm_facts_new(&facts) < 0)
		return;
	if (with_answers)
		if (alm_answers_load_text(facts, answers, strlen(answers), "fuzz-answers") < 0) {
			/* refused answers: assess from no answers at all */
		}
	if (alm_assess(&report, rules, facts, "0.0.0-fuzz") == 0) {
		(void)alm_report_verdict(report);
		(void)alm_report_confidence(report);
		if (alm_report_render_text(&text, &len, report, 0) == 0)
			free(text);
		text = NULL;
		if (alm_report_render(&text, &len, report, ALM_FORMAT_JSON, 0) == 0)
			free(text);
		cJSON_Delete(report);
	}
	alm_facts_free(facts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = NULL;
	alm_rules *rules = NULL;
	char *text = NULL;

	if (alm_json_parse(&doc, (const char *)data, size, "fuzz") < 0)
		return 0;
	if (alm_rules_from_json(&rules, doc, "fuzz") < 0) /* takes doc */
		return 0;
	assess_with(rules, 0);
	assess_with(rules, 1);
	if (alm_answers_template(&text, rules) == 0)
		free(text);
	alm_rules_free(rules);
	return 0;
}
