/*
 * The Power Platform body parsers on the example bodies (tests/fixtures/pp/)
 * and on the shapes around them: both spellings of the next link, missing and
 * mistyped fields, the error bodies and challenges, cutting on a character;
 * and the readings of names as stages and of paths as solution names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/error.h"
#include "pp_int.h"
#include "pp_parse.h"
#include "support.h"

static char *fixture(const char *name, size_t *len)
{
	char rel[128], *path, *text;
	snprintf(rel, sizeof rel, "tests/fixtures/pp/%s", name);
	path = test_source_path(rel);
	text = test_read_file(path);
	free(path);
	assert_non_null(text);
	*len = strlen(text);
	return text;
}

static void test_environments(void **state)
{
	alm_pp_environments e;
	size_t len;
	char *body = fixture("environments.json", &len);
	(void)state;
	assert_int_equal(alm_pp_parse_environments(&e, body, len), 0);
	assert_int_equal(e.count, 4);
	assert_null(e.next);
	assert_true(e.items[0].is_default);
	assert_string_equal(e.items[0].sku, "Default");
	assert_string_equal(e.items[1].display_name, "Invoices - Dev (Ana)");
	assert_false(e.items[1].managed);
	assert_null(e.items[1].group);
	assert_true(e.items[2].managed);
	assert_string_equal(e.items[2].group, "e7a1c3d5-9b2f-4e68-a0c4-6d8f1b3e5a70");
	assert_string_equal(e.items[3].url, "https://invoices-prod.crm4.dynamics.com/");
	assert_true(e.items[3].dataverse);
	alm_pp_environments_dispose(&e);
	free(body);

	/* The next link, an item without an id, one without Dataverse. */
	body = "{\"value\": [{\"properties\": {}}, 3, {\"name\": \"x\", \"properties\": {\"databaseType\": \"None\","
	       " \"environmentSku\": 7}}], \"nextLink\": \"https://api.bap.microsoft.com/next\"}";
	assert_int_equal(alm_pp_parse_environments(&e, body, strlen(body)), 0);
	assert_int_equal(e.count, 1);
	assert_false(e.items[0].dataverse);
	assert_null(e.items[0].url);
	assert_string_equal(e.items[0].sku, "");
	assert_string_equal(e.next, "https://api.bap.microsoft.com/next");
	alm_pp_environments_dispose(&e);
	assert_int_equal(alm_pp_parse_environments(&e, "[1]", 3), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "expected a list"));
	assert_int_equal(alm_pp_parse_environments(&e, "{\"value\": [", 11), ALM_EINVALID);
}

static void test_policies(void **state)
{
	alm_pp_policies p;
	size_t len;
	char *body = fixture("dlp_policies.json", &len);
	(void)state;
	assert_int_equal(alm_pp_parse_policies(&p, body, len), 0);
	assert_int_equal(p.count, 2);
	assert_int_equal(p.items[0].scope, ALM_PP_DLP_ALL);
	assert_int_equal(p.items[1].scope, ALM_PP_DLP_EXCEPT);
	assert_int_equal(p.items[1].nenv, 1);
	assert_string_equal(p.items[1].environments[0], "3f1d7a9c-6b2e-4d58-8e07-1c9a5b3d2e61");
	alm_pp_policies_dispose(&p);
	free(body);
	body = "{\"value\": [{\"policyDefinition\": {\"environmentType\": \"SomethingNew\"}}]}";
	assert_int_equal(alm_pp_parse_policies(&p, body, strlen(body)), 0);
	assert_int_equal(p.items[0].scope, ALM_PP_DLP_UNKNOWN);
	alm_pp_policies_dispose(&p);
}

static void test_solutions_and_rows(void **state)
{
	alm_pp_solutions s;
	alm_pp_rows r;
	size_t len;
	char *body = fixture("solutions_test.json", &len);
	const char *rows = "{\"value\": [{\"deploymentstageid\": \"s2\", \"name\": \"Production\", "
			   "\"_deploymentpipelineid_value\": \"p1\", \"_previousdeploymentstageid_value\": \"s1\", "
			   "\"_targetdeploymentenvironmentid_value\": \"e2\"}, {\"name\": \"no id\"}], "
			   "\"@odata.nextLink\": \"https://x.crm.dynamics.com/api/data/v9.2/deploymentstages?$skiptoken=1\"}";
	(void)state;
	assert_int_equal(alm_pp_parse_solutions(&s, body, len), 0);
	assert_int_equal(s.count, 3);
	assert_string_equal(s.items[0].unique_name, "ContosoInvoices");
	assert_string_equal(s.items[0].version, "1.4.2.17");
	assert_int_equal(s.items[0].managed, 1);
	assert_string_equal(s.items[0].installed_on, "2025-10-02T13:05:44Z");
	assert_int_equal(s.items[2].managed, 0);
	alm_pp_solutions_dispose(&s);
	free(body);
	assert_int_equal(alm_pp_parse_rows(&r, ALM_PP_ROW_STAGE, rows, strlen(rows)), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.items[0].parent, "p1");
	assert_string_equal(r.items[0].previous, "s1");
	assert_string_equal(r.items[0].target, "e2");
	assert_non_null(strstr(r.next, "$skiptoken=1"));
	alm_pp_rows_dispose(&r);
	rows = "{\"value\": [{\"deploymentstagerunid\": \"r1\", \"artifactname\": \"A\", \"stagerunstatus\": 200000003}]}";
	assert_int_equal(alm_pp_parse_rows(&r, ALM_PP_ROW_STAGE_RUN, rows, strlen(rows)), 0);
	assert_int_equal(r.items[0].number, ALM_PP_RUN_FAILED);
	assert_null(r.items[0].parent);
	alm_pp_rows_dispose(&r);
}

static void test_token_bodies(void **state)
{
	char *token = NULL, line[400], tiny[12];
	double expires = 0;
	size_t len;
	char *body = fixture("token.json", &len);
	(void)state;
	assert_int_equal(alm_pp_parse_token(&token, &expires, body, len), 0);
	assert_string_equal(token, "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.example-payload.example-signature");
	assert_true(expires == 3599);
	free(token);
	free(body);
	assert_int_equal(alm_pp_parse_token(&token, &expires, "{\"token_type\": \"Bearer\"}", 24), ALM_EINVALID);
	assert_null(token);
	body = fixture("token_error.json", &len);
	assert_int_equal(alm_pp_parse_token_error(line, sizeof line, body, len), 0);
	assert_int_equal(strncmp(line, "invalid_client: AADSTS7000215: Invalid client secret provided.", 62), 0);
	assert_int_equal(alm_pp_parse_token_error(tiny, sizeof tiny, body, len), 0);
	assert_string_equal(tiny, "invalid_cli");
	free(body);
}

static void test_errors_and_challenges(void **state)
{
	char line[200], cut[8];
	const char *dv = "{\"error\": {\"code\": \"0x80060888\", \"message\": \"Resource not found\\n\\tfor the segment.\"}}";
	(void)state;
	assert_int_equal(alm_pp_parse_error(line, sizeof line, dv, strlen(dv)), 0);
	assert_string_equal(line, "Resource not found for the segment. (0x80060888)");
	assert_int_equal(alm_pp_parse_error(line, sizeof line, "<html>", 6), -1);
	assert_int_equal(alm_pp_parse_error(line, sizeof line, "{\"message\": \"plain\"}", 20), 0);
	assert_string_equal(line, "plain");
	/* Cut on a character: "ééé" is six bytes; seven fit with the NUL. */
	assert_int_equal(alm_pp_parse_error(cut, sizeof cut, "{\"message\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", 23), 0);
	assert_string_equal(cut, "\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_int_equal(alm_pp_parse_challenge(line, sizeof line,
						"Bearer authorization_uri=\"https://login\", error=\"invalid_token\", "
						"error_description=\"The token is expired\""), 0);
	assert_string_equal(line, "invalid_token: The token is expired");
	assert_int_equal(alm_pp_parse_challenge(line, sizeof line, "Bearer realm=\"x\""), -1);
	assert_int_equal(alm_pp_parse_challenge(line, sizeof line, NULL), -1);
}

static void test_stages(void **state)
{
	int by_name = 0;
	char *name;
	(void)state;
	assert_int_equal(alm_pp_stage_by_name("Invoices - Dev (Ana)"), ALM_PP_STAGE_DEV);
	assert_int_equal(alm_pp_stage_by_name("HR UAT"), ALM_PP_STAGE_TEST);
	assert_int_equal(alm_pp_stage_by_name("Finance Pre-Production"), ALM_PP_STAGE_TEST);
	assert_int_equal(alm_pp_stage_by_name("Contoso PROD"), ALM_PP_STAGE_PROD);
	assert_int_equal(alm_pp_stage_by_name("Build validation"), ALM_PP_STAGE_VALIDATION);
	/* Whole words only: "Devices" and "Protest" say nothing. */
	assert_int_equal(alm_pp_stage_by_name("Devices Protest"), -1);
	assert_int_equal(alm_pp_stage_canonical("production"), ALM_PP_STAGE_PROD);
	assert_int_equal(alm_pp_stage_canonical("Validation"), ALM_PP_STAGE_VALIDATION);
	assert_int_equal(alm_pp_stage_of("Personal", "Developer", 0, &by_name), ALM_PP_STAGE_DEV);
	assert_false(by_name);
	assert_int_equal(alm_pp_stage_of("Contoso", "Production", 0, &by_name), ALM_PP_STAGE_PROD);
	assert_int_equal(alm_pp_stage_of("Contoso (default)", "Default", 1, &by_name), -1);
	assert_int_equal(alm_pp_stage_of("Pipelines Host", "Production", 0, &by_name), -1);
	assert_int_equal(alm_pp_stage_of("Invoices Test", "Production", 0, &by_name), ALM_PP_STAGE_TEST);
	assert_true(by_name);
	assert_string_equal(alm_pp_stage_name(ALM_PP_STAGE_TEST), "test");
	assert_string_equal(alm_pp_stage_name(9), "");
	name = alm_pp_solution_from_path("solutions/ContosoInvoices/ContosoInvoices.cdsproj");
	assert_string_equal(name, "ContosoInvoices");
	free(name);
	name = alm_pp_solution_from_path("HRApps/Other/Solution.xml");
	assert_string_equal(name, "HRApps");
	free(name);
	assert_null(alm_pp_solution_from_path("x/src/Other/Solution.xml"));
	assert_null(alm_pp_solution_from_path("Other/Solution.xml"));
	assert_null(alm_pp_solution_from_path(".cdsproj"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_environments),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_solutions_and_rows),
		cmocka_unit_test(test_token_bodies),
		cmocka_unit_test(test_errors_and_challenges),
		cmocka_unit_test(test_stages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
