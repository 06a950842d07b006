/*
 * The Power Platform probe against a real HTTP server on 127.0.0.1
 * (tests/pp_server.py, one per test with its faults): the facts read from the
 * stand-in tenant, the requests made (one token a scope, paging, only the
 * environments that matter), every fault and the message it gives, the
 * degraded status, and that no secret or token shows up in any output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "pp_int.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/json.h"
#include "alm/pp_probe.h"
#include "alm/schema.h"
#include "support.h"

#define TENANT "5b1f3c8e-2d4a-4c71-9a0e-7e6d3b2f9c10"
#define CLIENT "0a1b2c3d-0000-4000-8000-00000000c11e"
#define SECRET "pp-test-secret~Zq8+/=&x"
#define SECRET_ESCAPED "pp-test-secret~Zq8%2B%2F%3D%26x"
#define ASSERTION "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvbnRvc28ifQ.sig"
#define STATIC_TOKEN "pp-prefetched-admin-token-4Yk2"
#define SINCE_2025 1735689600 /* 2025-01-01T00:00:00Z */

static char *workdir, *log_path;
static int live_pid; /* the running stand-in, stopped after each test even when it failed */

typedef struct {
	int pid, port;
	char admin[64], authority[64];
	alm_gather_options o;
	const char *envs[4];
	alm_facts *facts;
	int rc;
	char error[2048];
	alm_http_stats stats;
} run;

static int group_setup(void **state)
{
	(void)state;
	workdir = test_mkdtemp();
	log_path = test_join(workdir, "requests.log");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_remove_dir(workdir);
	free(log_path);
	return 0;
}

/* A server with `args` (faults and sizes), and options pointing at it with
 * client credentials and a repository that deploys ContosoInvoices to test
 * and production. */
static void start(run *r, const char *const *args)
{
	test_truncate(log_path);
	memset(r, 0, sizeof *r);
	r->port = test_server_start(&r->pid, "tests/pp_server.py", log_path, args);
	live_pid = r->pid;
	if (r->port <= 0)
		fail_msg("the stand-in (tests/pp_server.py) did not start");
	snprintf(r->admin, sizeof r->admin, "http://127.0.0.1:%d", r->port);
	snprintf(r->authority, sizeof r->authority, "http://127.0.0.1:%d/", r->port);
	r->o.version = ALM_GATHER_OPTIONS_VERSION;
	r->o.power_platform = 1;
	r->o.pp_admin_url = r->admin;
	r->o.timeout = 20;
	r->o.since = SINCE_2025;
	r->o.env.azure_tenant_id = TENANT;
	r->o.env.azure_client_id = CLIENT;
	r->o.env.azure_client_secret = SECRET;
	r->o.env.azure_authority_host = r->authority;
	assert_int_equal(alm_facts_new(&r->facts), 0);
	assert_int_equal(alm_facts_set(r->facts, "repo.power_platform.solutions",
				       cJSON_Parse("[{\"path\": \"solutions/ContosoInvoices\", \"unique_name\": \"ContosoInvoices\"}]"),
				       ALM_SOURCE_REPO, "test"), 0);
	assert_int_equal(alm_facts_set(r->facts, "repo.deployment_settings.environments",
				       cJSON_Parse("[\"test\", \"production\"]"), ALM_SOURCE_REPO, "test"), 0);
}

static void probe(run *r, const alm_pp_tuning *tuning)
{
	alm_pp_tuning t = { 0 };
	if (tuning)
		t = *tuning;
	t.stats = &r->stats;
	r->rc = alm_pp_run_tuned(r->facts, &r->o, &t);
	snprintf(r->error, sizeof r->error, "%s", r->rc ? alm_error_last() : "");
}

/* Probes and expects it to fail with `code`. */
static void probe_fails(run *r, int code)
{
	probe(r, NULL);
	assert_int_equal(r->rc, code);
}

/* Probes and expects success, showing the error otherwise. */
static void probe_ok(run *r)
{
	probe(r, NULL);
	if (r->rc != 0)
		fail_msg("%s", r->error);
}

static int stop_live(void **state)
{
	(void)state;
	test_server_stop(&live_pid);
	return 0;
}

static void finish(run *r)
{
	test_server_stop(&r->pid);
	live_pid = 0;
	alm_facts_free(r->facts);
	r->facts = NULL;
}

/* ---- facts ---- */

static void fact_json(alm_facts *f, const char *path, const char *want)
{
	char *got = test_show(alm_facts_get(f, path));
	if (strcmp(got, want) != 0)
		fail_msg("%s: expected %s, got %s", path, want, got);
	free(got);
	if (strcmp(want, "(absent)") != 0 && !alm_facts_evidence(f, path))
		fail_msg("%s has no evidence", path);
}

static void status_is(alm_facts *f, const char *want)
{
	const cJSON *p = cJSON_GetObjectItem(alm_facts_probes(f), "pp");
	const cJSON *s = cJSON_GetObjectItem(p, "status");
	if (!cJSON_IsString(s) || strcmp(s->valuestring, want) != 0)
		fail_msg("probe status: expected %s, got %s", want, test_show(p));
}

/* The probe's status detail contains `fragment`. */
static void detail_says(alm_facts *f, const char *fragment)
{
	const cJSON *d = cJSON_GetObjectItem(cJSON_GetObjectItem(alm_facts_probes(f), "pp"), "detail");
	if (!cJSON_IsString(d) || !strstr(d->valuestring, fragment))
		fail_msg("probe detail: expected it to contain '%s', got %s", fragment, test_show(d));
}

/* Neither the secret nor any token the stand-in issued (nor the pre-fetched
 * one, nor the assertion), raw or percent-encoded, is in the facts, the
 * evidence, the status or the error. */
static void no_secrets(const run *r)
{
	cJSON *doc = alm_facts_to_json(r->facts);
	char *text = cJSON_PrintUnformatted(doc);
	const char *needles[] = { SECRET, SECRET_ESCAPED, "ppt-", STATIC_TOKEN, ASSERTION, "Zq8", NULL };
	int i;
	for (i = 0; needles[i]; i++) {
		if (strstr(text, needles[i]))
			fail_msg("'%s' is in the facts document: %s", needles[i], text);
		if (strstr(r->error, needles[i]))
			fail_msg("'%s' is in the error: %s", needles[i], r->error);
	}
	free(text);
	cJSON_Delete(doc);
}

/* ---- the log ---- */

/* Requests whose "METHOD host/path?query" contains `fragment`. */
static int count(const cJSON *log, const char *fragment)
{
	const cJSON *e;
	int n = 0;
	cJSON_ArrayForEach(e, log) {
		char full[4096];
		snprintf(full, sizeof full, "%s %s%s?%s", test_log_str(e, "method"), test_log_str(e, "host"),
			 test_log_str(e, "path"), test_log_str(e, "query"));
		n += strstr(full, fragment) != NULL;
	}
	return n;
}

/* Requests in the log so far whose "METHOD host/path?query" contains `fragment`. */
static int logged(const char *fragment)
{
	cJSON *log = test_read_json_lines(log_path);
	int n = count(log, fragment);
	cJSON_Delete(log);
	return n;
}

static const char *form(const cJSON *e, const char *key)
{
	return test_log_field(e, "form", key);
}

/* ---- tests ---- */

static void test_tenant_facts(void **state)
{
	run r;
	const cJSON *found, *item;
	int test_found = 0, prod_found = 0;
	(void)state;
	start(&r, NULL);
	probe_ok(&r);
	fact_json(r.facts, "pp.reachable", "true");
	fact_json(r.facts, "pp.error", "null");
	fact_json(r.facts, "pp.environments.count", "5");
	fact_json(r.facts, "pp.environments.managed", "2");
	fact_json(r.facts, "pp.environments.by_sku", "{\"Default\":1,\"Developer\":1,\"Sandbox\":1,\"Production\":2}");
	fact_json(r.facts, "pp.environments.stages", "[\"development\",\"test\",\"production\"]");
	fact_json(r.facts, "pp.environments.list_truncated", "false");
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.environments.list")), 5);
	item = cJSON_GetArrayItem(alm_facts_get(r.facts, "pp.environments.list"), 2);
	assert_string_equal(cJSON_GetObjectItem(item, "display_name")->valuestring, "Invoices - Test");
	assert_string_equal(cJSON_GetObjectItem(item, "sku")->valuestring, "Sandbox");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(item, "managed")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(item, "dataverse")));
	assert_string_equal(cJSON_GetObjectItem(item, "group")->valuestring, "e7a1c3d5-9b2f-4e68-a0c4-6d8f1b3e5a70");
	fact_json(r.facts, "pp.dlp_policies.count", "2");
	fact_json(r.facts, "pp.dlp_policies.covered_environments", "5");

	found = alm_facts_get(r.facts, "pp.solutions.found");
	assert_int_equal(cJSON_GetArraySize(found), 2);
	cJSON_ArrayForEach(item, found) {
		const char *env = cJSON_GetObjectItem(item, "environment")->valuestring;
		const char *version = cJSON_GetObjectItem(item, "version")->valuestring;
		assert_string_equal(cJSON_GetObjectItem(item, "unique_name")->valuestring, "ContosoInvoices");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(item, "managed")));
		if (strcmp(env, "Invoices - Test") == 0 && strcmp(version, "1.4.2.17") == 0)
			test_found = 1;
		if (strcmp(env, "Invoices - Production") == 0 && strcmp(version, "1.4.1.12") == 0)
			prod_found = 1;
	}
	assert_true(test_found && prod_found);
	fact_json(r.facts, "pp.coe_starter_kit", "true");
	/* The accelerator is only in the default environment, which is not looked in. */
	fact_json(r.facts, "pp.alm_accelerator", "false");
	fact_json(r.facts, "pp.pipelines.host", "true");
	fact_json(r.facts, "pp.pipelines.stages", "[\"Test\",\"Production\"]");
	/* Since 2025: five succeeded, one failed; the 2023 run and the one still running do not count. */
	fact_json(r.facts, "pp.pipelines.deployments.succeeded", "5");
	fact_json(r.facts, "pp.pipelines.deployments.failed", "1");
	fact_json(r.facts, "pp.pipelines.list",
		  "[{\"name\":\"Invoices to production\",\"stages\":[\"Test\",\"Production\"],"
		  "\"environments\":[\"Invoices - Test\",\"Invoices - Production\"],\"deployments\":6},"
		  "{\"name\":\"HR apps\",\"stages\":[\"UAT\"],\"environments\":[\"Invoices - Test\"],\"deployments\":0}]");
	status_is(r.facts, "ok");
	assert_string_equal(cJSON_GetObjectItem(alm_facts_evidence(r.facts, "pp.environments.count"), "source")->valuestring,
			    "pp");
	{
		/* The document is what facts.schema.json says the pp namespace holds. */
		char *path = test_source_path("rules/facts.schema.json");
		cJSON *schema = NULL, *doc = alm_facts_to_json(r.facts);
		assert_int_equal(alm_json_read_file(&schema, path), 0);
		if (alm_schema_validate(schema, doc, "facts") < 0)
			fail_msg("%s", alm_error_last());
		cJSON_Delete(schema);
		cJSON_Delete(doc);
		free(path);
	}
	no_secrets(&r);
	finish(&r);
}

static void test_requests(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e;
	int tokens = 0, admin_scope = 0;
	(void)state;
	start(&r, NULL);
	probe(&r, NULL);
	assert_int_equal(r.rc, 0);
	log = test_read_json_lines(log_path);
	/* Five environments at two a page: three pages by nextLink. */
	assert_int_equal(count(log, "GET 127.0.0.1"), 3 + 1);
	assert_int_equal(count(log, "/scopes/admin/environments?api-version=2023-06-01&$skiptoken=4"), 1);
	/* One token a scope: the admin API, then each environment looked in. */
	cJSON_ArrayForEach(e, log) {
		if (strcmp(test_log_str(e, "method"), "POST") != 0)
			continue;
		tokens++;
		assert_string_equal(test_log_str(e, "path"), "/" TENANT "/oauth2/v2.0/token");
		assert_string_equal(form(e, "grant_type"), "client_credentials");
		assert_string_equal(form(e, "client_secret"), SECRET);
		assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"), "Authorization"));
		admin_scope += strcmp(form(e, "scope"), "https://service.powerapps.com/.default") == 0;
	}
	assert_int_equal(admin_scope, 1);
	/* Test and production (the repository's stages) and the pipelines host; not
	 * the developer's environment nor the default one. */
	assert_int_equal(tokens, 4);
	assert_int_equal(count(log, "invoices-test.localhost"), 1);
	assert_int_equal(count(log, "invoices-prod.localhost"), 1);
	assert_true(count(log, "contoso-pipelines.localhost") >= 5);
	assert_int_equal(count(log, "invoices-dev-ana.localhost"), 0);
	assert_int_equal(count(log, "orgc0ntoso.localhost"), 0);
	/* Dataverse pages by @odata.nextLink (the stand-in pages by two): seven runs
	 * of ContosoInvoices since 2025. */
	assert_int_equal(count(log, "deploymentstageruns"), 4);
	cJSON_ArrayForEach(e, log) {
		const cJSON *h = cJSON_GetObjectItem(e, "headers");
		if (!strstr(test_log_str(e, "host"), ".localhost"))
			continue;
		assert_string_equal(cJSON_GetObjectItem(h, "Prefer")->valuestring, "odata.maxpagesize=500");
		assert_non_null(strstr(cJSON_GetObjectItem(h, "Authorization")->valuestring, "Bearer ppt-"));
	}
	cJSON_Delete(log);
	finish(&r);
}

static void test_federated(void **state)
{
	run r;
	char path[600];
	cJSON *log;
	const cJSON *e;
	(void)state;
	snprintf(path, sizeof path, "%s/federated.jwt", workdir);
	test_write_file(path, ASSERTION "\n");
	start(&r, NULL);
	r.o.env.azure_client_secret = NULL;
	r.o.env.azure_federated_token_file = path;
	probe_ok(&r);
	fact_json(r.facts, "pp.pipelines.host", "true");
	log = test_read_json_lines(log_path);
	cJSON_ArrayForEach(e, log) {
		if (strcmp(test_log_str(e, "method"), "POST") != 0)
			continue;
		assert_string_equal(form(e, "client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		assert_string_equal(form(e, "client_assertion"), ASSERTION);
		assert_null(form(e, "client_secret"));
	}
	cJSON_Delete(log);
	no_secrets(&r);
	finish(&r);
}

static void test_prefetched_token(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	r.o.env.azure_client_secret = NULL;
	r.o.env.power_platform_token = STATIC_TOKEN "\n";
	probe_ok(&r);
	fact_json(r.facts, "pp.environments.count", "5");
	fact_json(r.facts, "pp.dlp_policies.count", "2");
	/* One token, one audience: no Dataverse table was read, and it says so. */
	fact_json(r.facts, "pp.solutions.found", "(absent)");
	fact_json(r.facts, "pp.pipelines.host", "(absent)");
	status_is(r.facts, "degraded");
	detail_says(r.facts, "admin API only");
	assert_int_equal(logged("POST"), 0);
	assert_int_equal(logged(".localhost"), 0);
	no_secrets(&r);
	finish(&r);
}

static void test_wrong_audience(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	r.o.env.azure_client_secret = NULL;
	r.o.env.power_platform_token = "a-token-for-another-audience";
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "HTTP 401", "The audience is invalid", "another audience", NULL);
	status_is(r.facts, "failed");
	assert_null(strstr(r.error, "a-token-for-another-audience"));
	finish(&r);
}

static void test_no_credentials(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	memset(&r.o.env, 0, sizeof r.o.env);
	probe_fails(&r, ALM_EINVALID);
	assert_non_null(strstr(r.error, "AZURE_TENANT_ID"));
	assert_non_null(strstr(r.error, "AZURE_CLIENT_SECRET"));
	assert_non_null(strstr(r.error, "AZURE_FEDERATED_TOKEN_FILE"));
	fact_json(r.facts, "pp.reachable", "false");
	status_is(r.facts, "failed");
	/* Half a credential names what is missing. */
	r.o.env.azure_client_secret = SECRET;
	probe_fails(&r, ALM_EINVALID);
	assert_non_null(strstr(r.error, "AZURE_TENANT_ID"));
	no_secrets(&r);
	finish(&r);
}

static void test_secret_refused(void **state)
{
	const char *args[] = { "--fault", "token-echo", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	/* The AADSTS code is shown; the secret the server quoted back is not. */
	test_fact_says(r.facts, "pp.error", "AADSTS7000215", "AZURE_CLIENT_SECRET", NULL);
	assert_non_null(strstr(r.error, "invalid_client"));
	fact_json(r.facts, "pp.reachable", "false");
	fact_json(r.facts, "pp.environments.count", "(absent)");
	status_is(r.facts, "failed");
	no_secrets(&r);
	finish(&r);
}

static void test_token_echoed_by_api(void **state)
{
	const char *args[] = { "--fault", "echo@/v2/policies", NULL };
	const char *dv[] = { "--fault", "echo@invoices-prod.localhost", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	test_fact_contains(r.facts, "pp.error", "***");
	fact_json(r.facts, "pp.environments.count", "5");
	fact_json(r.facts, "pp.dlp_policies.count", "(absent)");
	status_is(r.facts, "degraded");
	no_secrets(&r);
	finish(&r);
	/* A Dataverse environment quoting its own token back. */
	start(&r, dv);
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "Dataverse in Invoices - Production", "The token *** is not valid", NULL);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.solutions.found")), 1);
	no_secrets(&r);
	finish(&r);
}

static void test_403_management_app(void **state)
{
	const char *args[] = { "--fault", "403@GET 127.0.0.1", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "HTTP 403", "not a Power Platform administrator", "management application",
		       "pac admin application register --application-id " CLIENT, "New-PowerAppManagementApp", NULL);
	fact_json(r.facts, "pp.reachable", "false");
	status_is(r.facts, "failed");
	no_secrets(&r);
	finish(&r);
}

static void test_401_expired(void **state)
{
	const char *args[] = { "--fault", "401@/scopes/admin/environments", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "HTTP 401", "invalid_token: The token is expired",
		       "https://service.powerapps.com/.default", NULL);
	fact_json(r.facts, "pp.environments.count", "(absent)");
	/* The data policies still answered: degraded, not failed. */
	fact_json(r.facts, "pp.dlp_policies.count", "2");
	status_is(r.facts, "degraded");
	finish(&r);
}

static void test_429_retry_after(void **state)
{
	const char *args[] = { "--fault", "429@invoices-test.localhost:x1", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_ok(&r);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.solutions.found")), 2);
	/* Retried after Retry-After, and counted as a retry. */
	assert_int_equal(logged("invoices-test.localhost"), 2);
	assert_true(r.stats.retries >= 1);
	status_is(r.facts, "ok");
	finish(&r);
}

static void test_429_until_deadline(void **state)
{
	const char *args[] = { "--fault", "429@invoices-prod.localhost:", NULL };
	run r;
	(void)state;
	start(&r, args);
	r.o.timeout = 2.5;
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "HTTP 429", "service protection limits", "Invoices - Production", NULL);
	/* The other environments were read. */
	fact_json(r.facts, "pp.pipelines.host", "true");
	status_is(r.facts, "degraded");
	finish(&r);
}

static void test_deleted_environment(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	r.envs[0] = "9f9f9f9f-0000-4000-8000-00000000dead";
	r.o.pp_environments = r.envs;
	r.o.pp_environments_count = 1;
	probe_fails(&r, ALM_EREMOTE);
	test_fact_says(r.facts, "pp.error", "9f9f9f9f-0000-4000-8000-00000000dead was not found in the tenant (HTTP 404)",
		       "deleted", NULL);
	fact_json(r.facts, "pp.environments.count", "5");
	status_is(r.facts, "degraded");
	finish(&r);
}

static void test_asked_environments(void **state)
{
	run r;
	char url[128];
	(void)state;
	start(&r, NULL);
	/* The developer's environment by id, the default one by its URL. */
	snprintf(url, sizeof url, "http://orgc0ntoso.localhost:%d/", r.port);
	r.envs[0] = "3f1d7a9c-6b2e-4d58-8e07-1c9a5b3d2e61";
	r.envs[1] = url;
	r.o.pp_environments = r.envs;
	r.o.pp_environments_count = 2;
	probe_ok(&r);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.solutions.found")), 3);
	fact_json(r.facts, "pp.alm_accelerator", "true");
	assert_int_equal(logged("invoices-dev-ana.localhost"), 1);
	assert_int_equal(logged("orgc0ntoso.localhost"), 1);
	finish(&r);
}

static void test_no_dataverse(void **state)
{
	const char *args[] = { "--fault", "nodataverse@nothing", NULL };
	run r;
	(void)state;
	start(&r, args);
	r.envs[0] = "8c2e4b6a-1f3d-4a97-b5c8-2d7e9f0a1b43";
	r.o.pp_environments = r.envs;
	r.o.pp_environments_count = 1;
	probe_ok(&r);
	fact_json(r.facts, "pp.environments.count", "5");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(alm_facts_get(r.facts, "pp.environments.list"), 2),
						     "dataverse")));
	/* Nothing to look in: unknown, not false. */
	fact_json(r.facts, "pp.solutions.found", "(absent)");
	fact_json(r.facts, "pp.pipelines.host", "(absent)");
	status_is(r.facts, "ok");
	detail_says(r.facts, "Invoices - Test has no Dataverse");
	assert_int_equal(logged(".localhost"), 0);
	finish(&r);
}

static void test_silent_server(void **state)
{
	const char *args[] = { "--fault", "hang@/scopes/admin/environments", NULL };
	run r;
	(void)state;
	start(&r, args);
	r.o.timeout = 1.5;
	probe_fails(&r, ALM_EREMOTE);
	test_fact_contains(r.facts, "pp.error", "deadline");
	fact_json(r.facts, "pp.environments.count", "(absent)");
	finish(&r);
}

static void test_oversized_body(void **state)
{
	const char *args[] = { "--fault", "oversize@/v2/policies", NULL };
	alm_pp_tuning t = { 0 };
	run r;
	(void)state;
	start(&r, args);
	t.max_body = 1024 * 1024;
	probe(&r, &t);
	assert_int_equal(r.rc, ALM_EREMOTE);
	test_fact_contains(r.facts, "pp.error", "larger than the 1048576-byte limit");
	fact_json(r.facts, "pp.dlp_policies.count", "(absent)");
	fact_json(r.facts, "pp.environments.count", "5");
	finish(&r);
}

static void test_truncated_and_html(void **state)
{
	const char *args[] = { "--fault", "truncated@/v2/policies", "--fault", "html200@invoices-test", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	/* The sign-in page outranks the broken body. */
	test_fact_says(r.facts, "pp.error", "text/html instead of JSON", "Dataverse in Invoices - Test", NULL);
	fact_json(r.facts, "pp.dlp_policies.count", "(absent)");
	fact_json(r.facts, "pp.environments.count", "5");
	status_is(r.facts, "degraded");
	finish(&r);
}

static void test_server_errors_and_redirects(void **state)
{
	const char *args[] = { "--fault", "500@/v2/policies", "--fault", "redirect@contoso-pipelines", NULL };
	alm_pp_tuning t = { 0 };
	run r;
	(void)state;
	start(&r, args);
	t.backoff_base = 0.05;
	probe(&r, &t);
	assert_int_equal(r.rc, ALM_EREMOTE);
	/* A redirect is not followed (the token stays here) and outranks the 500. */
	test_fact_contains(r.facts, "pp.error", "redirected the request for the solutions (HTTP 302)");
	fact_json(r.facts, "pp.pipelines.host", "(absent)");
	fact_json(r.facts, "pp.dlp_policies.count", "(absent)");
	assert_int_equal(logged("/v2/policies"), 5); /* retried: 5xx is transient */
	assert_int_equal(logged("login.microsoftonline.com"), 0);
	finish(&r);
}

static void test_large_tenant(void **state)
{
	const char *args[] = { "--environments", "3000", "--page-size", "500", NULL };
	run r;
	cJSON *log;
	const cJSON *e;
	int hosts = 0;
	(void)state;
	start(&r, args);
	probe_ok(&r);
	fact_json(r.facts, "pp.environments.count", "3005");
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.environments.list")), 1000);
	fact_json(r.facts, "pp.environments.list_truncated", "true");
	fact_json(r.facts, "pp.pipelines.host", "true");
	/* Never every environment: tokens for the few that matter only. */
	log = test_read_json_lines(log_path);
	cJSON_ArrayForEach(e, log)
		hosts += strcmp(test_log_str(e, "method"), "POST") == 0;
	assert_true(hosts <= 1 + 4 * 3 + 3 + 2);
	assert_int_equal(count(log, "/scopes/admin/environments?"), 7);
	cJSON_Delete(log);
	finish(&r);
}

static void test_next_link_elsewhere(void **state)
{
	const char *args[] = { "--fault", "offhost@/scopes/admin/environments", NULL };
	run r;
	(void)state;
	start(&r, args);
	probe_fails(&r, ALM_EREMOTE);
	test_fact_contains(r.facts, "pp.error", "another host");
	assert_int_equal(logged("elsewhere"), 0);
	finish(&r);
}

static void test_bad_input(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	r.o.pp_admin_url = "http://api.bap.example.com";
	probe_fails(&r, ALM_EINVALID);
	assert_non_null(strstr(r.error, "refusing plain http"));
	r.o.pp_admin_url = r.admin;
	r.o.pp_cloud = "mars";
	probe_fails(&r, ALM_EINVALID);
	assert_non_null(strstr(r.error, "public, usgov, usgovhigh, dod, china"));
	r.o.pp_cloud = NULL;
	r.o.env.azure_authority_host = "http://login.example.com";
	probe_fails(&r, ALM_EINVALID);
	assert_non_null(strstr(r.error, "AZURE_AUTHORITY_HOST"));
	finish(&r);
}

static void test_solution_paths_fallback(void **state)
{
	run r;
	(void)state;
	start(&r, NULL);
	alm_facts_free(r.facts);
	assert_int_equal(alm_facts_new(&r.facts), 0);
	/* Only the older path list: the names come from the .cdsproj and the folder. */
	assert_int_equal(alm_facts_set(r.facts, "repo.files.power_platform.solutions",
		      cJSON_Parse("[\"solutions/ContosoInvoices/ContosoInvoices.cdsproj\", \"HRApps/Other/Solution.xml\","
				  " \"x/src/Other/Solution.xml\"]"), ALM_SOURCE_REPO, "test"), 0);
	assert_int_equal(alm_facts_set(r.facts, "repo.environments", cJSON_Parse("[\"Prod\"]"), ALM_SOURCE_REPO, "test"), 0);
	probe_ok(&r);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(r.facts, "pp.solutions.found")), 1);
	/* HRApps counts too: its run to UAT; ContosoInvoices' five and one. */
	fact_json(r.facts, "pp.pipelines.deployments.succeeded", "6");
	assert_int_equal(logged("invoices-test.localhost"), 0);
	assert_int_equal(logged("invoices-prod.localhost"), 1);
	finish(&r);
}

static void test_table_entry(void **state)
{
	alm_gather_options o;
	const char *why = NULL;
	size_t i;
	(void)state;
	memset(&o, 0, sizeof o);
	assert_string_equal(alm_pp_probe.ns, "pp");
	assert_int_equal(alm_pp_probe.wanted(&o, NULL, &why), 0);
	assert_non_null(strstr(why, "--power-platform"));
	o.power_platform = 1;
	assert_int_equal(alm_pp_probe.wanted(&o, NULL, &why), 1);
	for (i = 0; i < alm_pp_probe.nfacts; i++)
		assert_int_equal(strncmp(alm_pp_probe.facts[i].name, "pp.", 3), 0);
	assert_true(alm_pp_probe.nfacts >= 17);
}

/* ---- a scan: three repositories, one tenant cache ---- */

typedef struct {
	alm_facts *facts;
	const alm_gather_options *o;
	int rc;
} scan_job;

static void *scan_thread(void *data)
{
	scan_job *j = data;
	j->rc = alm_pp_run_tuned(j->facts, j->o, NULL);
	return NULL;
}

/* Repositories beside the one of start(): the second deploys ContosoInvoices
 * to production only, the third a solution installed nowhere, to no stage. */
static alm_facts *repository(const char *solutions, const char *stages)
{
	alm_facts *f = NULL;
	assert_int_equal(alm_facts_new(&f), 0);
	assert_int_equal(alm_facts_set(f, "repo.power_platform.solutions", cJSON_Parse(solutions), ALM_SOURCE_REPO, "test"), 0);
	assert_int_equal(alm_facts_set(f, "repo.deployment_settings.environments", cJSON_Parse(stages), ALM_SOURCE_REPO, "test"),
			 0);
	return f;
}

/* The cache read the tenant `reads` times, served it `served` times from
 * memory and holds `tokens` tokens. */
static void cache_served(alm_pp_tenant_cache *cache, size_t reads, size_t served, size_t tokens)
{
	size_t r, s, t;
	alm_pp_tenant_cache_stats(cache, &r, &s, &t);
	assert_int_equal(r, reads);
	assert_int_equal(s, served);
	assert_int_equal(t, tokens);
}

/* The three repositories probed at once (threads) with one cache. */
static void scan_three(run *r, alm_pp_tenant_cache *cache, alm_facts *facts[3])
{
	scan_job jobs[3];
	pthread_t threads[3];
	int i;
	facts[0] = r->facts;
	facts[1] = repository("[{\"unique_name\": \"ContosoInvoices\"}]", "[\"production\"]");
	facts[2] = repository("[{\"unique_name\": \"FabrikamExpenses\"}]", "[]");
	r->o.pp_cache = cache;
	for (i = 0; i < 3; i++) {
		jobs[i].facts = facts[i];
		jobs[i].o = &r->o;
		jobs[i].rc = -100;
		assert_int_equal(pthread_create(&threads[i], NULL, scan_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		r->rc = i ? r->rc : jobs[i].rc;
		if (jobs[i].rc != jobs[0].rc)
			fail_msg("repository %d returned %d, the first %d", i, jobs[i].rc, jobs[0].rc);
	}
}

static void test_scan_reads_tenant_once(void **state)
{
	static const char *const hosts[] = { "invoices-test", "invoices-prod", "contoso-pipelines" };
	run r;
	alm_pp_tenant_cache *cache = NULL;
	alm_facts *facts[3];
	int i;
	(void)state;
	start(&r, NULL);
	assert_int_equal(alm_pp_tenant_cache_new(&cache), 0);
	scan_three(&r, cache, facts);
	assert_int_equal(r.rc, 0);
	/* The tenant once: three environment pages, the data policies, one admin token. */
	assert_int_equal(logged("/scopes/admin/environments"), 3);
	assert_int_equal(logged("/v2/policies"), 1);
	/* One token a scope for the whole scan: the admin API, then the test,
	 * production and pipelines host environments (the union of what the
	 * three repositories look in). */
	assert_int_equal(logged("POST "), 4);
	/* Each repository's own solutions, in its own environments: the test
	 * environment for the first, production for two, the host for all. */
	for (i = 0; i < 3; i++) {
		char fragment[128];
		snprintf(fragment, sizeof fragment, "%s.localhost:%d/api/data/v9.2/solutions", hosts[i], r.port);
		assert_int_equal(logged(fragment), i + 1);
	}
	cache_served(cache, 1, 2, 3);
	for (i = 0; i < 3; i++) {
		status_is(facts[i], "ok");
		fact_json(facts[i], "pp.environments.count", "5");
		fact_json(facts[i], "pp.dlp_policies.covered_environments", "5");
		fact_json(facts[i], "pp.environments.by_sku", "{\"Default\":1,\"Developer\":1,\"Sandbox\":1,\"Production\":2}");
		fact_json(facts[i], "pp.pipelines.host", "true");
	}
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(facts[0], "pp.solutions.found")), 2);
	fact_json(facts[0], "pp.pipelines.deployments.succeeded", "5");
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(facts[1], "pp.solutions.found")), 1);
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetArrayItem(alm_facts_get(facts[1], "pp.solutions.found"), 0), "environment")->valuestring,
		"Invoices - Production");
	fact_json(facts[2], "pp.solutions.found", "[]");
	fact_json(facts[2], "pp.pipelines.deployments.succeeded", "0");
	alm_facts_free(facts[1]);
	alm_facts_free(facts[2]);
	alm_pp_tenant_cache_free(cache);
	no_secrets(&r);
	finish(&r);
}

static void test_scan_tenant_failure_alike(void **state)
{
	static const char *const args[] = { "--fault", "403@GET 127.0.0.1", NULL };
	run r;
	alm_pp_tenant_cache *cache = NULL;
	alm_facts *facts[3];
	char *first;
	int i;
	(void)state;
	start(&r, args);
	assert_int_equal(alm_pp_tenant_cache_new(&cache), 0);
	scan_three(&r, cache, facts);
	assert_int_equal(r.rc, ALM_EREMOTE);
	/* Asked once, refused once: the other repositories take the refusal. */
	assert_int_equal(logged("/scopes/admin/environments"), 1);
	assert_int_equal(logged("POST "), 1);
	first = test_show(alm_facts_get(facts[0], "pp.error"));
	assert_non_null(strstr(first, "New-PowerAppManagementApp"));
	for (i = 0; i < 3; i++) {
		char *error = test_show(alm_facts_get(facts[i], "pp.error"));
		status_is(facts[i], "failed");
		fact_json(facts[i], "pp.reachable", "false");
		fact_json(facts[i], "pp.environments.count", "(absent)");
		assert_string_equal(error, first);
		free(error);
	}
	free(first);
	alm_facts_free(facts[1]);
	alm_facts_free(facts[2]);
	alm_pp_tenant_cache_free(cache);
	finish(&r);
}

/* A probe whose options name other environments reads its own tenant and
 * shares no token: the cache is the first probe's tenant and credential. */
static void test_scan_cache_other_options(void **state)
{
	static const char *const all[] = { "all" };
	run r;
	alm_pp_tenant_cache *cache = NULL;
	alm_facts *other;
	(void)state;
	start(&r, NULL);
	assert_int_equal(alm_pp_tenant_cache_new(&cache), 0);
	r.o.pp_cache = cache;
	probe(&r, NULL);
	assert_int_equal(r.rc, 0);
	other = repository("[{\"unique_name\": \"ContosoInvoices\"}]", "[\"production\"]");
	r.o.pp_environments = all;
	r.o.pp_environments_count = 1;
	assert_int_equal(alm_pp_run_tuned(other, &r.o, NULL), 0);
	assert_int_equal(logged("/scopes/admin/environments"), 6);
	cache_served(cache, 1, 0, 3);
	/* Every Dataverse environment, with its own tokens: the accelerator is in the default one. */
	fact_json(other, "pp.alm_accelerator", "true");
	fact_json(r.facts, "pp.alm_accelerator", "false");
	alm_facts_free(other);
	alm_pp_tenant_cache_free(cache);
	finish(&r);
}

/* A shared token about to expire is asked for again; the tenant is not. */
static void test_scan_token_expiry(void **state)
{
	static const char *const args[] = { "--token-expires-in", "60", NULL };
	run r;
	alm_pp_tenant_cache *cache = NULL;
	alm_facts *second;
	(void)state;
	start(&r, args);
	assert_int_equal(alm_pp_tenant_cache_new(&cache), 0);
	r.o.pp_cache = cache;
	probe(&r, NULL);
	assert_int_equal(r.rc, 0);
	second = repository("[{\"unique_name\": \"ContosoInvoices\"}]", "[\"test\", \"production\"]");
	assert_int_equal(alm_pp_run_tuned(second, &r.o, NULL), 0);
	assert_int_equal(logged("/scopes/admin/environments"), 3);
	/* The admin token once; the three Dataverse tokens twice. */
	assert_int_equal(logged("POST "), 1 + 3 + 3);
	cache_served(cache, 1, 1, 6);
	status_is(second, "ok");
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(second, "pp.solutions.found")), 2);
	alm_facts_free(second);
	alm_pp_tenant_cache_free(cache);
	finish(&r);
}

static void test_clouds(void **state)
{
	(void)state;
	assert_string_equal(alm_pp_cloud_find(NULL)->admin_url, "https://api.bap.microsoft.com");
	assert_string_equal(alm_pp_cloud_find("usgovhigh")->authority, "https://login.microsoftonline.us");
	assert_string_equal(alm_pp_cloud_find("china")->admin_url, "https://api.bap.partner.microsoftonline.cn");
	assert_string_equal(alm_pp_cloud_find("dod")->dataverse_domain, "appsplatform.us");
	assert_null(alm_pp_cloud_find("mars"));
	assert_true(alm_pp_host_is_loopback("invoices-test.localhost"));
	assert_true(alm_pp_host_is_loopback("127.0.0.1"));
	assert_false(alm_pp_host_is_loopback("localhost.example.com"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tenant_facts, stop_live),
		cmocka_unit_test_teardown(test_requests, stop_live),
		cmocka_unit_test_teardown(test_federated, stop_live),
		cmocka_unit_test_teardown(test_prefetched_token, stop_live),
		cmocka_unit_test_teardown(test_wrong_audience, stop_live),
		cmocka_unit_test_teardown(test_no_credentials, stop_live),
		cmocka_unit_test_teardown(test_secret_refused, stop_live),
		cmocka_unit_test_teardown(test_token_echoed_by_api, stop_live),
		cmocka_unit_test_teardown(test_403_management_app, stop_live),
		cmocka_unit_test_teardown(test_401_expired, stop_live),
		cmocka_unit_test_teardown(test_429_retry_after, stop_live),
		cmocka_unit_test_teardown(test_429_until_deadline, stop_live),
		cmocka_unit_test_teardown(test_deleted_environment, stop_live),
		cmocka_unit_test_teardown(test_asked_environments, stop_live),
		cmocka_unit_test_teardown(test_no_dataverse, stop_live),
		cmocka_unit_test_teardown(test_silent_server, stop_live),
		cmocka_unit_test_teardown(test_oversized_body, stop_live),
		cmocka_unit_test_teardown(test_truncated_and_html, stop_live),
		cmocka_unit_test_teardown(test_server_errors_and_redirects, stop_live),
		cmocka_unit_test_teardown(test_large_tenant, stop_live),
		cmocka_unit_test_teardown(test_next_link_elsewhere, stop_live),
		cmocka_unit_test_teardown(test_bad_input, stop_live),
		cmocka_unit_test_teardown(test_solution_paths_fallback, stop_live),
		cmocka_unit_test_teardown(test_table_entry, stop_live),
		cmocka_unit_test_teardown(test_scan_reads_tenant_once, stop_live),
		cmocka_unit_test_teardown(test_scan_tenant_failure_alike, stop_live),
		cmocka_unit_test_teardown(test_scan_cache_other_options, stop_live),
		cmocka_unit_test_teardown(test_scan_token_expiry, stop_live),
		cmocka_unit_test_teardown(test_clouds, stop_live),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
