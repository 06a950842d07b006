/* The Azure DevOps response parsers, on the real bodies of the REST spec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "ado_parse.h"
#include "alm/error.h"
#include "support.h"

/* The HTTP body of a fixture: the spec's wrapper's .responses["200"].body. */
static char *fixture_body(const char *name)
{
	char rel[256], *path, *text, *body;
	cJSON *doc, *b;
	snprintf(rel, sizeof rel, "tests/fixtures/ado/%s", name);
	path = test_source_path(rel);
	text = test_read_file(path);
	if (!text)
		fail_msg("cannot read %s", path);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	b = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "responses"), "200"), "body");
	assert_non_null(b);
	body = cJSON_PrintUnformatted(b);
	cJSON_Delete(doc);
	free(text);
	free(path);
	return body;
}

static void test_time(void **state)
{
	double t;
	char buf[32];
	(void)state;
	assert_int_equal(alm_ado_parse_time("2015-07-16T19:52:42.7771198Z", &t), 0);
	assert_true(fabs(t - 1437076362.7771198) < 1e-6);
	assert_int_equal(alm_ado_parse_time("2015-07-16T19:52:38.65Z", &t), 0);
	assert_true(fabs(t - 1437076358.65) < 1e-6);
	assert_int_equal(alm_ado_parse_time("2024-02-29T00:00:00Z", &t), 0);
	assert_true(t == 1709164800.0);
	assert_int_equal(alm_ado_parse_time("2024-02-29T02:00:00+02:00", &t), 0);
	assert_true(t == 1709164800.0);
	assert_int_equal(alm_ado_parse_time("2024-02-28T19:00:00-05:00", &t), 0);
	assert_true(t == 1709164800.0);
	assert_int_equal(alm_ado_parse_time("1970-01-01T00:00", &t), 0);
	assert_true(t == 0);
	assert_int_equal(alm_ado_parse_time("0001-01-01T00:00:00", &t), 0); /* the service's "no date" */
	assert_int_equal(alm_ado_parse_time("2015-13-01T00:00:00Z", &t), -1);
	assert_int_equal(alm_ado_parse_time("2015-07-16", &t), -1);
	assert_int_equal(alm_ado_parse_time("2015-07-16T19:52:42.Z", &t), -1);
	assert_int_equal(alm_ado_parse_time("2015-07-16T19:52:42Zjunk", &t), -1);
	assert_int_equal(alm_ado_parse_time("", &t), -1);
	assert_int_equal(alm_ado_parse_time(NULL, &t), -1);
	alm_ado_format_time(buf, sizeof buf, 1437076362.7771198);
	assert_string_equal(buf, "2015-07-16T19:52:42Z");
}

static void test_definitions(void **state)
{
	char *body = fixture_body("list_build_definitions.json");
	alm_ado_definitions d;
	static const int64_t ids[] = { 7, 25, 29, 2, 3 };
	static const int yaml[] = { -1, -1, -1, 0, 0 }; /* build (not said), xaml */
	size_t i;
	(void)state;
	assert_int_equal(alm_ado_parse_definitions(&d, body, strlen(body)), 0);
	assert_int_equal(d.count, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(d.items[i].id, ids[i]);
		assert_int_equal(d.items[i].yaml, yaml[i]);
		assert_true(d.items[i].latest_queued == 0);
	}
	assert_string_equal(d.items[1].name, "VsoBuildApi");
	alm_ado_definitions_dispose(&d);
	free(body);
}

static void test_definitions_yaml(void **state)
{
	/* Build definitions with all properties, and the pipelines API (a bare array in its swagger). */
	static const char defs[] =
		"{\"count\":3,\"value\":[{\"id\":1,\"name\":\"deploy-test-x\",\"process\":{\"type\":2,\"yamlFilename\":\"a.yml\"},"
		"\"latestBuild\":{\"id\":9,\"queueTime\":\"2024-05-01T00:00:00Z\"}},"
		"{\"id\":2,\"name\":\"classic\",\"process\":{\"type\":1}},{\"id\":3,\"process\":\"odd\"}]}";
	static const char pipelines[] =
		"\xEF\xBB\xBF[{\"id\":4,\"name\":\"p\",\"configuration\":{\"type\":\"yaml\",\"path\":\"/a.yml\"}},"
		"{\"id\":5,\"name\":\"q\",\"configuration\":{\"type\":\"designerJson\"}},7,\"x\",null]";
	alm_ado_definitions d;
	(void)state;
	assert_int_equal(alm_ado_parse_definitions(&d, defs, strlen(defs)), 0);
	assert_int_equal(d.count, 3);
	assert_int_equal(d.items[0].yaml, 1);
	assert_true(d.items[0].latest_queued == 1714521600.0);
	assert_int_equal(d.items[1].yaml, 0);
	assert_int_equal(d.items[2].yaml, -1);
	assert_string_equal(d.items[2].name, "");
	alm_ado_definitions_dispose(&d);
	assert_int_equal(alm_ado_parse_definitions(&d, pipelines, strlen(pipelines)), 0);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.items[0].yaml, 1);
	assert_int_equal(d.items[1].yaml, 0);
	alm_ado_definitions_dispose(&d);
}

static void test_builds(void **state)
{
	char *body = fixture_body("list_builds_tagFilters.json");
	alm_ado_builds b;
	int counts[ALM_ADO_BUILD_IN_PROGRESS + 1] = { 0 };
	size_t i;
	double last = 0;
	(void)state;
	assert_int_equal(alm_ado_parse_builds(&b, body, strlen(body)), 0);
	assert_int_equal(b.count, 21);
	for (i = 0; i < b.count; i++) {
		counts[b.items[i].state]++;
		assert_int_equal(b.items[i].pull_request, 0);
		if (b.items[i].started > last)
			last = b.items[i].started;
	}
	assert_int_equal(counts[ALM_ADO_BUILD_SUCCEEDED], 1);
	assert_int_equal(counts[ALM_ADO_BUILD_FAILED], 20);
	assert_true(fabs(last - 1437076362.7771198) < 1e-6);
	alm_ado_builds_dispose(&b);
	free(body);
}

static void test_build_states(void **state)
{
	static const char body[] =
		"{\"count\":7,\"value\":["
		"{\"id\":1,\"status\":\"inProgress\",\"queueTime\":\"2024-06-01T12:00:00Z\",\"startTime\":\"2024-06-01T12:00:30Z\",\"reason\":\"pullRequest\"},"
		"{\"id\":2,\"status\":\"notStarted\",\"queueTime\":\"2024-06-01T12:05:00Z\"},"
		"{\"id\":3,\"status\":\"completed\",\"result\":\"partiallySucceeded\"},"
		"{\"id\":4,\"status\":\"completed\",\"result\":\"canceled\"},"
		"{\"id\":5,\"result\":\"succeeded\"},"
		"{\"id\":6,\"status\":\"completed\",\"result\":\"none\"},"
		"{\"id\":7}]}";
	static const alm_ado_build_state want[] = {
		ALM_ADO_BUILD_IN_PROGRESS, ALM_ADO_BUILD_IN_PROGRESS, ALM_ADO_BUILD_PARTIALLY_SUCCEEDED,
		ALM_ADO_BUILD_CANCELED, ALM_ADO_BUILD_SUCCEEDED, ALM_ADO_BUILD_OTHER, ALM_ADO_BUILD_IN_PROGRESS,
	};
	alm_ado_builds b;
	size_t i;
	(void)state;
	assert_int_equal(alm_ado_parse_builds(&b, body, strlen(body)), 0);
	assert_int_equal(b.count, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(b.items[i].state, want[i]);
	assert_int_equal(b.items[0].pull_request, 1);
	assert_true(b.items[0].started == 1717243230.0);
	assert_true(b.items[1].started == b.items[1].queued); /* not started: the queue time */
	assert_true(b.items[2].started == 0);
	alm_ado_builds_dispose(&b);
}

static void test_repositories(void **state)
{
	char *body = fixture_body("list_repositories.json");
	alm_ado_repositories r;
	(void)state;
	assert_int_equal(alm_ado_parse_repositories(&r, body, strlen(body)), 0);
	assert_int_equal(r.count, 3);
	assert_string_equal(r.items[0].name, "AnotherRepository");
	assert_null(r.items[0].default_branch); /* an empty repository has none */
	assert_string_equal(r.items[1].id, "278d5cd2-584d-4b63-824a-2ba458937249");
	assert_string_equal(r.items[1].default_branch, "refs/heads/master");
	assert_int_equal(r.items[1].disabled, 0);
	alm_ado_repositories_dispose(&r);
	free(body);
}

static void test_pull_requests(void **state)
{
	char *active = fixture_body("list_pull_requests_repo_default_active.json");
	char *completed = fixture_body("list_pull_requests_status-completed.json");
	alm_ado_pull_requests p;
	(void)state;
	assert_int_equal(alm_ado_parse_pull_requests(&p, active, strlen(active)), 0);
	assert_int_equal(p.count, 3);
	assert_int_equal(p.items[0].id, 22);
	assert_int_equal(p.items[0].status, ALM_ADO_PR_ACTIVE);
	assert_string_equal(p.items[0].creator_id, "d6245f20-2af8-44f4-9451-8107cb2767db");
	assert_string_equal(p.items[0].repository_id, "3411ebc1-d5aa-464f-9615-0b527bc66719");
	assert_int_equal(p.items[2].reviewers_known, 1);
	assert_int_equal(p.items[2].approved_by_other, 0);
	alm_ado_pull_requests_dispose(&p);

	/* The one completed pull request was approved by its own author only. */
	assert_int_equal(alm_ado_parse_pull_requests(&p, completed, strlen(completed)), 0);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.items[0].status, ALM_ADO_PR_COMPLETED);
	assert_int_equal(p.items[0].reviewers_known, 1);
	assert_int_equal(p.items[0].approved_by_other, 0);
	assert_true(fabs(p.items[0].created - 1478017688.8900118) < 1e-6);
	alm_ado_pull_requests_dispose(&p);
	free(active);
	free(completed);
}

static void test_pull_request_votes(void **state)
{
	static const char body[] =
		"{\"value\":["
		"{\"pullRequestId\":1,\"status\":\"completed\",\"createdBy\":{\"id\":\"A\"},\"reviewers\":[{\"id\":\"B\",\"vote\":5}]},"
		"{\"pullRequestId\":2,\"status\":\"completed\",\"createdBy\":{\"id\":\"A\"},\"reviewers\":[{\"id\":\"a\",\"vote\":10},{\"id\":\"B\",\"vote\":-5}]},"
		"{\"pullRequestId\":3,\"status\":\"completed\",\"createdBy\":{\"id\":\"A\"},\"reviewers\":[{\"id\":\"G\",\"vote\":10,\"isContainer\":true}]},"
		"{\"pullRequestId\":4,\"status\":\"completed\",\"createdBy\":{\"id\":\"A\"}},"
		"{\"pullRequestId\":5,\"status\":\"abandoned\",\"reviewers\":[{\"id\":\"B\",\"vote\":10}]},"
		"{\"pullRequestId\":6,\"status\":\"notSet\",\"reviewers\":\"x\"}]}";
	static const char one_vote[] = "{\"value\":[{\"id\":\"B\",\"vote\":10}]}";
	alm_ado_pull_requests p;
	int approved = -1;
	char *reviewers = fixture_body("list_pull_request_reviewers.json");
	(void)state;
	assert_int_equal(alm_ado_parse_pull_requests(&p, body, strlen(body)), 0);
	assert_int_equal(p.count, 6);
	assert_int_equal(p.items[0].approved_by_other, 1);
	assert_int_equal(p.items[1].approved_by_other, 0); /* the author's own vote, any case */
	assert_int_equal(p.items[2].approved_by_other, 0); /* a group's vote */
	assert_int_equal(p.items[3].reviewers_known, 0);  /* to be fetched */
	assert_int_equal(p.items[4].status, ALM_ADO_PR_ABANDONED);
	assert_int_equal(p.items[4].approved_by_other, 1);
	assert_int_equal(p.items[5].status, ALM_ADO_PR_OTHER);
	assert_int_equal(p.items[5].reviewers_known, 0);
	alm_ado_pull_requests_dispose(&p);

	assert_int_equal(alm_ado_parse_reviewers(&approved, "d6245f20-2af8-44f4-9451-8107cb2767db", reviewers,
						 strlen(reviewers)), 0);
	assert_int_equal(approved, 0);
	assert_int_equal(alm_ado_parse_reviewers(&approved, "A", one_vote, strlen(one_vote)), 0);
	assert_int_equal(approved, 1);
	assert_int_equal(alm_ado_parse_reviewers(&approved, "B", one_vote, strlen(one_vote)), 0);
	assert_int_equal(approved, 0);
	free(reviewers);
}

static void test_policies(void **state)
{
	char *body = fixture_body("list_policy_configurations.json");
	alm_ado_policies p;
	(void)state;
	assert_int_equal(alm_ado_parse_policies(&p, body, strlen(body)), 0);
	assert_int_equal(p.count, 3);
	assert_int_equal(p.items[0].type, ALM_ADO_POLICY_OTHER); /* required reviewers */
	assert_int_equal(p.items[0].scope_count, 3);
	assert_int_equal(p.items[0].scopes[1].kind, ALM_ADO_SCOPE_PREFIX);
	assert_string_equal(p.items[0].scopes[2].repository_id, "49c1d4d0-be28-4f20-9e0a-4ecfafc39257");
	assert_int_equal(p.items[1].type, ALM_ADO_POLICY_MIN_APPROVERS);
	assert_int_equal(p.items[1].min_approvers, 1);
	assert_int_equal(p.items[1].blocking, 0);
	assert_int_equal(p.items[1].enabled, 1);
	assert_int_equal(p.items[2].type, ALM_ADO_POLICY_BUILD);
	assert_int_equal(p.items[2].build_definition, 5);
	assert_null(p.items[2].display_name);

	assert_true(alm_ado_policy_applies(&p.items[1], "278d5cd2-584d-4b63-824a-2ba458937249", "refs/heads/master"));
	assert_false(alm_ado_policy_applies(&p.items[1], "278d5cd2-584d-4b63-824a-2ba458937249", "refs/heads/main"));
	assert_false(alm_ado_policy_applies(&p.items[2], "278d5cd2", "refs/heads/master"));
	assert_true(alm_ado_policy_applies(&p.items[2], "278d5cd2", "refs/heads/features/x"));
	/* A scope bound to one repository applies to that one only. */
	assert_true(alm_ado_policy_applies(&p.items[0], "49C1D4D0-BE28-4F20-9E0A-4ECFAFC39257", "refs/heads/adventureworks"));
	assert_false(alm_ado_policy_applies(&p.items[0], "278d5cd2", "refs/heads/adventureworks"));
	p.items[1].enabled = 0;
	assert_false(alm_ado_policy_applies(&p.items[1], "278d5cd2", "refs/heads/master"));
	alm_ado_policies_dispose(&p);
	free(body);
}

static void test_policy_scopes(void **state)
{
	static const char body[] =
		"{\"value\":[{\"id\":1,\"isEnabled\":true,\"type\":{\"id\":\"0609B952-1397-4640-95EC-E00A01B2C241\"},"
		"\"settings\":{\"displayName\":\"PR build\",\"buildDefinitionId\":4,\"scope\":[{\"matchKind\":\"DefaultBranch\",\"repositoryId\":null}]}},"
		"{\"id\":2,\"isEnabled\":true,\"isDeleted\":true,\"settings\":{}},"
		"{\"id\":3,\"isEnabled\":true,\"settings\":{\"minimumApproverCount\":-3}}]}";
	alm_ado_policies p;
	(void)state;
	assert_int_equal(alm_ado_parse_policies(&p, body, strlen(body)), 0);
	assert_int_equal(p.items[0].type, ALM_ADO_POLICY_BUILD);
	assert_string_equal(p.items[0].display_name, "PR build");
	assert_int_equal(p.items[0].scopes[0].kind, ALM_ADO_SCOPE_DEFAULT_BRANCH);
	assert_true(alm_ado_policy_applies(&p.items[0], "r", "refs/heads/main"));
	assert_false(alm_ado_policy_applies(&p.items[1], "r", "refs/heads/main")); /* deleted */
	assert_true(alm_ado_policy_applies(&p.items[2], "r", "refs/heads/main"));  /* no scope: everywhere */
	assert_int_equal(p.items[2].min_approvers, 0);
	alm_ado_policies_dispose(&p);
}

static void test_environments_and_project(void **state)
{
	static const char envs[] = "{\"count\":2,\"value\":[{\"id\":1,\"name\":\"Prod\"},{\"id\":2}]}";
	char *projects = fixture_body("list_projects.json");
	cJSON *list = cJSON_Parse(projects);
	char *one = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "value"), 1));
	alm_ado_environments e;
	char *name = NULL;
	(void)state;
	assert_int_equal(alm_ado_parse_environments(&e, envs, strlen(envs)), 0);
	assert_int_equal(e.count, 2);
	assert_string_equal(e.items[0].name, "Prod");
	assert_string_equal(e.items[1].name, "");
	alm_ado_environments_dispose(&e);
	assert_int_equal(alm_ado_parse_project(&name, one, strlen(one)), 0);
	assert_string_equal(name, "Fabrikam-Fiber-Git");
	free(name);
	assert_int_equal(alm_ado_parse_project(&name, "{}", 2), ALM_EINVALID);
	assert_null(name);
	free(one);
	cJSON_Delete(list);
	free(projects);
}

static void test_malformed(void **state)
{
	char *body = fixture_body("list_builds_statusFilter-completed_continuationToken.json");
	alm_ado_builds b;
	alm_ado_repositories r;
	char bom[8192];
	(void)state;
	assert_int_equal(alm_ado_parse_builds(&b, body, strlen(body) / 2), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "builds:1:"));
	assert_null(b.items);
	assert_int_equal(alm_ado_parse_builds(&b, "{\"count\":1}", 11), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "expected a list"));
	assert_int_equal(alm_ado_parse_builds(&b, "", 0), ALM_EINVALID);
	assert_int_equal(alm_ado_parse_repositories(&r, "{\"value\":[1]}\0x", 15), ALM_EINVALID);
	/* A byte-order mark is not an error. */
	snprintf(bom, sizeof bom, "\xEF\xBB\xBF%s", body);
	assert_int_equal(alm_ado_parse_builds(&b, bom, strlen(bom)), 0);
	assert_int_equal(b.count, 1);
	assert_int_equal(b.items[0].id, 391);
	alm_ado_builds_dispose(&b);
	free(body);
}

static void test_error_messages(void **state)
{
	char out[64], big[600];
	static const char bom_json[] = "\xEF\xBB\xBF{\"$id\":\"1\",\"message\":\"TF400898: An Internal Error Occurred.\",\"typeKey\":\"X\"}";
	(void)state;
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, bom_json, strlen(bom_json)), 0);
	assert_string_equal(out, "TF400898: An Internal Error Occurred.");
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "Page not found.\r\nMore", 22), 0);
	assert_string_equal(out, "Page not found.");
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "<html><body>Sign in</body></html>", 33), -1);
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "", 0), -1);
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "{\"typeKey\":\"X\"}", 15), -1);
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "{broken", 7), -1);
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, "{\"message\":\"a\\n\\tb   c\\u0007d\"}", 31), 0);
	assert_string_equal(out, "a b c d");
	/* Long messages are cut on a character boundary. */
	memset(big, 0, sizeof big);
	strcpy(big, "{\"message\":\"");
	while (strlen(big) < 500)
		strcat(big, "\xC3\xA9");
	strcat(big, "\"}");
	assert_int_equal(alm_ado_parse_error_message(out, sizeof out, big, strlen(big)), 0);
	assert_int_equal(strlen(out), 62);
}

/* Truncations and byte flips of every body through every parser: no crash,
 * no leak, an error or a result (run under ASan in the Asan build). */
static void parse_all(const char *buf, size_t len)
{
	alm_ado_definitions d;
	alm_ado_builds b;
	alm_ado_repositories r;
	alm_ado_pull_requests p;
	alm_ado_policies pol;
	alm_ado_environments e;
	char *name = NULL, msg[128];
	int approved;
	if (alm_ado_parse_definitions(&d, buf, len) == 0)
		alm_ado_definitions_dispose(&d);
	if (alm_ado_parse_builds(&b, buf, len) == 0)
		alm_ado_builds_dispose(&b);
	if (alm_ado_parse_repositories(&r, buf, len) == 0)
		alm_ado_repositories_dispose(&r);
	if (alm_ado_parse_pull_requests(&p, buf, len) == 0)
		alm_ado_pull_requests_dispose(&p);
	if (alm_ado_parse_policies(&pol, buf, len) == 0) {
		size_t i;
		for (i = 0; i < pol.count; i++)
			alm_ado_policy_applies(&pol.items[i], "x", "refs/heads/main");
		alm_ado_policies_dispose(&pol);
	}
	if (alm_ado_parse_environments(&e, buf, len) == 0)
		alm_ado_environments_dispose(&e);
	alm_ado_parse_reviewers(&approved, "x", buf, len);
	if (alm_ado_parse_project(&name, buf, len) == 0)
		free(name);
	alm_ado_parse_error_message(msg, sizeof msg, buf, len);
}

static void test_robustness(void **state)
{
	static const char *const names[] = {
		"list_build_definitions.json", "list_builds_statusFilter-completed_continuationToken.json",
		"list_repositories.json", "list_pull_requests_repo_default_active.json",
		"list_pull_request_reviewers.json", "list_policy_configurations.json", "list_projects.json",
	};
	static const char flips[] = "{}[]\",:0-9a\\\x80\xff";
	size_t i, k;
	unsigned seed = 12345;
	(void)state;
	for (i = 0; i < sizeof names / sizeof *names; i++) {
		char *body = fixture_body(names[i]);
		size_t len = strlen(body);
		char *copy = malloc(len);
		for (k = 0; k <= 60; k++) {
			/* An exact-size heap copy, not NUL-terminated, so that ASan
			 * catches any read past the end. */
			size_t cut = len * k / 60;
			char *part = malloc(cut ? cut : 1);
			memcpy(part, body, cut);
			parse_all(part, cut);
			free(part);
		}
		for (k = 0; k < 150; k++) {
			size_t at;
			memcpy(copy, body, len);
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % len;
			copy[at] = flips[(seed >> 4) % (sizeof flips - 1)];
			parse_all(copy, len);
		}
		free(copy);
		free(body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_definitions_yaml),
		cmocka_unit_test(test_builds),
		cmocka_unit_test(test_build_states),
		cmocka_unit_test(test_repositories),
		cmocka_unit_test(test_pull_requests),
		cmocka_unit_test(test_pull_request_votes),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_policy_scopes),
		cmocka_unit_test(test_environments_and_project),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_robustness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
