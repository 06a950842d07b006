/*
 * The Azure DevOps probe against a real HTTP server on 127.0.0.1
 * (tests/ado_server.py): the facts, the requests it makes (paging, headers,
 * retries and their spacing, pacing), the failures and their messages, and
 * that the token shows up nowhere but in the Authorization header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "ado_probe_int.h"
#include "rate_governor.h"
#include "alm/ado_probe.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "support.h"

#define TOKEN "alm-test-pat-7Qz9Xw2Kp4Lm"
#define SINCE_2024 1704067200 /* 2024-01-01T00:00:00Z */

typedef struct {
	int pid;
	int port;
} server;

static char *workdir, *log_path;
static server main_server;

/* ---- the server ---- */

static int spawn_server(server *s, const char *const *extra)
{
	const char *args[24];
	int n = 0, i;
	args[n++] = "--lifetime";
	args[n++] = "240";
	for (i = 0; extra && extra[i] && n < 23; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	s->port = test_server_start(&s->pid, "tests/ado_server.py", log_path, args);
	return s->port > 0 ? 0 : -1;
}

static void stop_server(server *s)
{
	test_server_stop(&s->pid);
}

static int group_setup(void **state)
{
	(void)state;
	workdir = test_mkdtemp();
	log_path = test_join(workdir, "requests.log");
	if (spawn_server(&main_server, NULL) != 0) {
		fprintf(stderr, "the test server (tests/ado_server.py) did not start\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	stop_server(&main_server);
	test_remove_dir(workdir);
	free(log_path);
	return 0;
}

static void clear_log(void)
{
	test_truncate(log_path);
}

static int test_setup(void **state)
{
	(void)state;
	clear_log(); /* each test reads its own requests */
	alm_rate_reset(0); /* no test inherits another's throttling */
	setenv("AZURE_DEVOPS_EXT_PAT", TOKEN, 1);
	unsetenv("SYSTEM_ACCESSTOKEN");
	unsetenv("TF_BUILD");
	unsetenv("SYSTEM_COLLECTIONURI");
	unsetenv("SYSTEM_TEAMPROJECT");
	unsetenv("BUILD_REPOSITORY_NAME");
	unsetenv("BUILD_REPOSITORY_PROVIDER");
	return 0;
}

/* ---- running the probe ---- */

typedef struct {
	alm_facts *facts;
	int rc;
	char error[1024];
	double elapsed;
	alm_http_stats stats;
} run;

static void probe_opts(run *r, alm_ado_probe_options *o, alm_ado_tuning *t)
{
	double start = test_now();
	alm_ado_tuning local = { 0 };
	if (!t)
		t = &local;
	if (o->timeout == 0)
		o->timeout = 15; /* every test bounds its own time */
	t->stats = &r->stats;
	assert_int_equal(alm_facts_new(&r->facts), 0);
	r->rc = alm_ado_probe_tuned(r->facts, o, t);
	snprintf(r->error, sizeof r->error, "%s", alm_error_last());
	r->elapsed = test_now() - start;
}

/* Probes http://127.0.0.1:PORT/PATH (PATH = [fault/SPEC/]ORG/PROJECT). */
static void probe_at(run *r, int port, const char *path, const char *repository, double timeout, int64_t since)
{
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", port, path);
	o.url = url;
	o.repository = repository;
	o.timeout = timeout;
	o.all_history = since == 0;
	o.since = since;
	probe_opts(r, &o, NULL);
}

static void probe_path(run *r, const char *path, const char *repository)
{
	probe_at(r, main_server.port, path, repository, 15, 0);
}

/* Options for the ALM Project repository of contoso on the main server;
 * `url` (256 bytes) holds the address. */
static void at_contoso(alm_ado_probe_options *o, char *url)
{
	snprintf(url, 256, "http://127.0.0.1:%d/contoso/ALM%%20Project", main_server.port);
	o->url = url;
	o->repository = "ALM Project";
}

/* The probe succeeded, or the test fails with its error. */
static void expect_ok(const run *r)
{
	if (r->rc != 0)
		fail_msg("%s", r->error);
}

static void run_free(run *r)
{
	alm_facts_free(r->facts);
	r->facts = NULL;
}

/* ---- facts ---- */

static void fact_number(alm_facts *f, const char *path, double want)
{
	const cJSON *v = alm_facts_get(f, path);
	if (!cJSON_IsNumber(v) || v->valuedouble != want)
		fail_msg("%s: expected %g, got %s", path, want, test_show(v));
	if (!alm_facts_evidence(f, path))
		fail_msg("%s has no evidence", path);
}

static void fact_bool(alm_facts *f, const char *path, int want)
{
	const cJSON *v = alm_facts_get(f, path);
	if (!cJSON_IsBool(v) || cJSON_IsTrue(v) != want)
		fail_msg("%s: expected %s, got %s", path, want ? "true" : "false", test_show(v));
}

static void fact_string(alm_facts *f, const char *path, const char *want)
{
	const cJSON *v = alm_facts_get(f, path);
	if (want ? !cJSON_IsString(v) || strcmp(v->valuestring, want) != 0 : !cJSON_IsNull(v))
		fail_msg("%s: expected %s, got %s", path, want ? want : "null", test_show(v));
}

static void fact_json(alm_facts *f, const char *path, const char *want)
{
	const cJSON *v = alm_facts_get(f, path);
	char *got = test_show(v);
	if (strcmp(got, want) != 0)
		fail_msg("%s: expected %s, got %s", path, want, got);
	free(got);
}

static void fact_absent(alm_facts *f, const char *path)
{
	const cJSON *v = alm_facts_get(f, path);
	if (v)
		fail_msg("%s: expected no value, got %s", path, test_show(v));
}

static void fact_evidence(alm_facts *f, const char *path, const char *fragment)
{
	const cJSON *e = alm_facts_evidence(f, path);
	const cJSON *d = cJSON_GetObjectItem(e, "detail");
	if (!cJSON_IsString(d) || !strstr(d->valuestring, fragment))
		fail_msg("evidence of %s: expected '%s', got %s", path, fragment, test_show(d));
	assert_string_equal(cJSON_GetObjectItem(e, "source")->valuestring, "ado");
}

static void probe_status(alm_facts *f, const char *status)
{
	const cJSON *p = cJSON_GetObjectItem(alm_facts_probes(f), "ado");
	const cJSON *s = cJSON_GetObjectItem(p, "status");
	if (!cJSON_IsString(s) || strcmp(s->valuestring, status) != 0)
		fail_msg("probe status: expected %s, got %s", status, test_show(p));
}

/* The probe returned `rc` and says `status`. */
static void expect_outcome(const run *r, int rc, const char *status)
{
	assert_int_equal(r->rc, rc);
	probe_status(r->facts, status);
}

/* ---- the server's log ---- */

static cJSON *read_log(void)
{
	return test_read_json_lines(log_path);
}

static const char *param(const cJSON *e, const char *key)
{
	return test_log_field(e, "params", key);
}

static const char *header(const cJSON *e, const char *key)
{
	return test_log_field(e, "headers", key);
}

/* Entries whose path contains `fragment`, in arrival order (borrowed). */
static int matching(const cJSON *log, const char *fragment, const cJSON **out, int max)
{
	const cJSON *e;
	int n = 0;
	cJSON_ArrayForEach(e, log) {
		char full[2048];
		snprintf(full, sizeof full, "%s?%s", test_log_str(e, "path"), test_log_str(e, "query"));
		if (strstr(full, fragment)) {
			if (n < max)
				out[n] = e;
			n++;
		}
	}
	return n;
}

/* How many requests so far have a path containing `fragment`. */
static int requested(const char *fragment)
{
	cJSON *log = read_log();
	int n = matching(log, fragment, NULL, 0);
	cJSON_Delete(log);
	return n;
}

static double entry_time(const cJSON *e)
{
	return cJSON_GetObjectItem(e, "t")->valuedouble;
}

/* The definitions= lists of the builds requests, sorted and joined by ' '
 * (the lists run concurrently: their order of arrival varies). */
static void expect_batches(const cJSON *const *m, int n, const char *want)
{
	char got[256] = "", *items[16];
	int i, j;
	for (i = 0; i < n && i < 16; i++)
		items[i] = (char *)param(m[i], "definitions");
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(items[j], items[i]) < 0) {
				char *t = items[i];
				items[i] = items[j];
				items[j] = t;
			}
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "", items[i]);
	assert_string_equal(got, want);
}

/* Every distinct URL requested so far exactly once: nothing was retried. */
static void expect_no_repeats(void)
{
	cJSON *log = read_log();
	const cJSON *a, *b;
	cJSON_ArrayForEach(a, log) {
		int n = 0;
		cJSON_ArrayForEach(b, log)
			n += strcmp(test_log_str(a, "path"), test_log_str(b, "path")) == 0 &&
			     strcmp(test_log_str(a, "query"), test_log_str(b, "query")) == 0;
		if (n != 1)
			fail_msg("%s?%s was requested %d times", test_log_str(a, "path"), test_log_str(a, "query"), n);
	}
	cJSON_Delete(log);
}

static void base64(char *out, const char *in)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), i, o = 0;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
}

/*
 * The token appears in no fact, evidence, probe detail or error message, and
 * the server saw it only in the Authorization header (as Basic, empty user).
 */
static void expect_token_kept(const run *r, int basic)
{
	cJSON *doc = alm_facts_to_json(r->facts), *log = read_log(), *e;
	char *text = cJSON_PrintUnformatted(doc), b64[128], auth[160];
	base64(b64, ":" TOKEN);
	assert_null(strstr(text, TOKEN));
	assert_null(strstr(text, b64));
	assert_null(strstr(r->error, TOKEN));
	snprintf(auth, sizeof auth, basic ? "Basic %s" : "Bearer %s", basic ? b64 : TOKEN);
	cJSON_ArrayForEach(e, log) {
		cJSON *h;
		char *copy;
		assert_string_equal(header(e, "Authorization"), auth);
		cJSON_ArrayForEach(h, cJSON_GetObjectItem(e, "headers")) {
			if (strcmp(h->string, "Authorization") == 0)
				continue;
			assert_null(strstr(h->valuestring, TOKEN));
			assert_null(strstr(h->valuestring, b64));
		}
		copy = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "params"));
		assert_null(strstr(copy, TOKEN));
		assert_null(strstr(test_log_str(e, "path"), TOKEN));
		free(copy);
	}
	cJSON_Delete(log);
	cJSON_Delete(doc);
	free(text);
}

/* ---- a healthy project ---- */

static void test_contoso_facts(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "contoso/ALM%20Project", "ALM Project");
	if (r.rc != 0)
		fail_msg("probe failed: %s", r.error);
	probe_status(r.facts, "ok");
	fact_string(r.facts, "ado.organization", "contoso");
	fact_string(r.facts, "ado.project", "ALM Project");
	fact_string(r.facts, "ado.repository", "ALM Project");
	fact_bool(r.facts, "ado.reachable", 1);
	fact_string(r.facts, "ado.error", NULL);
	fact_number(r.facts, "ado.pipelines.count", 7);
	fact_number(r.facts, "ado.pipelines.yaml", 6);
	fact_evidence(r.facts, "ado.pipelines.yaml", "6 of 7 pipelines are defined in YAML");
	fact_json(r.facts, "ado.accelerator.pipelines",
		    "[\"deploy-validation-CoreSolution\",\"deploy-test-CoreSolution\",\"deploy-prod-CoreSolution\","
		    "\"export-solution-to-git\",\"import-unmanaged-to-dev-environment\",\"Deploy-Prod-Other\"]");
	fact_bool(r.facts, "ado.accelerator.present", 1);
	fact_number(r.facts, "ado.builds.succeeded", 6);
	fact_number(r.facts, "ado.builds.failed", 2);
	fact_number(r.facts, "ado.builds.partially_succeeded", 1);
	fact_number(r.facts, "ado.builds.canceled", 1);
	fact_number(r.facts, "ado.builds.in_progress", 2);
	fact_number(r.facts, "ado.builds.pull_request", 2);
	fact_evidence(r.facts, "ado.builds.succeeded", "6 of 12 builds in all history succeeded");
	fact_string(r.facts, "ado.builds.last_run_at", "2024-06-01T12:05:00Z");
	fact_number(r.facts, "ado.repositories", 2);
	fact_number(r.facts, "ado.pull_requests.active", 2);
	fact_number(r.facts, "ado.pull_requests.completed", 6);
	fact_number(r.facts, "ado.pull_requests.abandoned", 1);
	fact_number(r.facts, "ado.pull_requests.approved_by_other", 4);
	fact_evidence(r.facts, "ado.pull_requests.approved_by_other",
			"4 of 6 completed pull requests had an approving vote from someone other than their author");
	fact_number(r.facts, "ado.policies.minimum_approvers", 2);
	fact_evidence(r.facts, "ado.policies.minimum_approvers", "an optional policy asks for 3");
	fact_bool(r.facts, "ado.policies.build_validation", 1);
	fact_bool(r.facts, "ado.policies.blocking", 1);
	fact_json(r.facts, "ado.policies.build_validation_names", "[\"PR validation\",\"deploy-validation-CoreSolution\"]");
	fact_json(r.facts, "ado.environments.names", "[\"validation\",\"test\",\"prod\"]");
	/* Independent requests overlapped, within the bound. */
	assert_true(r.stats.max_in_flight > 1);
	assert_true(r.stats.max_in_flight <= ALM_ADO_DEFAULT_IN_FLIGHT);
	expect_token_kept(&r, 1);
	run_free(&r);
}

static void test_contoso_requests(void **state)
{
	run r;
	cJSON *log, *e;
	const cJSON *m[16], *first;
	char *ports[64];
	int n, i, nports = 0;
	(void)state;
	probe_path(&r, "contoso/ALM%20Project", "ALM Project");
	assert_int_equal(r.rc, 0);
	log = read_log();
	expect_no_repeats();

	cJSON_ArrayForEach(e, log) {
		const char *v = param(e, "api-version");
		char port[16];
		assert_string_equal(header(e, "X-TFS-FedAuthRedirect"), "Suppress");
		assert_string_equal(header(e, "Accept"), "application/json");
		assert_string_equal(test_log_str(e, "method"), "GET");
		assert_non_null(v);
		/* Environments and their checks never left preview. */
		assert_string_equal(v, strstr(test_log_str(e, "path"), "distributedtask") ||
					       strstr(test_log_str(e, "path"), "pipelines/checks") ? "7.1-preview.1" : "7.1");
		snprintf(port, sizeof port, "%d", cJSON_GetObjectItem(e, "client_port")->valueint);
		for (i = 0; i < nports && strcmp(ports[i], port) != 0; i++)
			;
		if (i == nports && nports < 64)
			ports[nports++] = strdup(port);
	}
	/* Connections are reused: fewer than requests, never more than the bound. */
	assert_true(nports <= ALM_ADO_DEFAULT_IN_FLIGHT);
	assert_true(nports < cJSON_GetArraySize(log));
	for (i = 0; i < nports; i++)
		free(ports[i]);

	/* Definitions: three pages (the server's pages hold 3), the token passed
	 * back escaped, every other parameter identical. */
	n = matching(log, "/_apis/build/definitions", m, 16);
	assert_int_equal(n, 3);
	first = m[0];
	assert_null(param(first, "continuationToken"));
	assert_string_equal(param(first, "includeAllProperties"), "true");
	for (i = 1; i < n; i++) {
		cJSON *p1 = cJSON_Duplicate(cJSON_GetObjectItem(first, "params"), 1);
		cJSON *pi = cJSON_Duplicate(cJSON_GetObjectItem(m[i], "params"), 1);
		assert_non_null(strstr(param(m[i], "continuationToken"), " +/&="));
		cJSON_DeleteItemFromObject(pi, "continuationToken");
		assert_true(cJSON_Compare(p1, pi, 1));
		cJSON_Delete(p1);
		cJSON_Delete(pi);
	}
	/* Builds: one list across the definitions of each page of definitions,
	 * not one per definition (pages of builds hold 1000). */
	assert_int_equal(matching(log, "/_apis/build/builds", m, 16), 3);
	expect_batches(m, 3, "1,2,3 4,5,6 7");
	assert_string_equal(param(m[0], "queryOrder"), "queueTimeDescending");
	assert_null(param(m[0], "minTime"));
	/* The checks of each of the three environments. */
	assert_int_equal(matching(log, "/_apis/pipelines/checks/configurations", m, 16), 3);
	assert_string_equal(param(m[0], "resourceType"), "environment");
	assert_string_equal(param(m[0], "$expand"), "settings");
	/* The repository's commits, one page of at most 1000 (all history: no
	 * fromDate). */
	assert_int_equal(matching(log, "/_apis/git/repositories/ALM%20Project/commits", m, 16), 1);
	assert_string_equal(param(m[0], "searchCriteria.$top"), "1000");
	assert_null(param(m[0], "searchCriteria.fromDate"));
	/* The licences of the three authors of pull requests and the three more
	 * of commits, once each: by id, or by mail for whoever the commits named
	 * first (the two lists arrive in either order). */
	assert_int_equal(matching(log, "/_vsaex/contoso/_apis/userentitlements", m, 16), 6);
	assert_true(matching(log, "/_vsaex/contoso/_apis/userentitlements?", m, 16) >= 3);
	/* Pull requests: $top/$skip until an empty page, all statuses at once. */
	n = matching(log, "/pullrequests", m, 16);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		char skip[8];
		snprintf(skip, sizeof skip, "%d", i * 3);
		assert_string_equal(param(m[i], "$skip"), skip);
		assert_string_equal(param(m[i], "$top"), param(m[0], "$top"));
		assert_string_equal(param(m[i], "searchCriteria.status"), "all");
	}
	/* Reviewers fetched only for the one completed pull request listed without them. */
	n = matching(log, "/reviewers", m, 16);
	assert_int_equal(n, 1);
	assert_non_null(strstr(test_log_str(m[0], "path"), "/pullRequests/106/reviewers"));
	assert_int_equal(matching(log, "/_apis/projects/ALM%20Project", m, 16), 1);
	/* In all: project 1, definitions 3, builds 3, repositories 1, pull
	 * requests 4, reviewers 1, policies 4 (10 in pages of 3), environments 1,
	 * checks 3, commits 1, licences 6 (3 more: the authors of commits who
	 * opened no pull request). */
	assert_int_equal(cJSON_GetArraySize(log), 28);
	assert_int_equal(r.stats.requests, 28);
	cJSON_Delete(log);
	run_free(&r);
}

static void test_window(void **state)
{
	run r;
	cJSON *log;
	const cJSON *m[16];
	int n, i;
	(void)state;
	probe_at(&r, main_server.port, "contoso/ALM%20Project", "ALM Project", 15, SINCE_2024);
	assert_int_equal(r.rc, 0);
	fact_number(r.facts, "ado.builds.succeeded", 5);
	fact_number(r.facts, "ado.builds.failed", 2);
	fact_number(r.facts, "ado.builds.in_progress", 2);
	fact_evidence(r.facts, "ado.builds.succeeded", "5 of 11 builds since 2024-01-01 succeeded");
	fact_evidence(r.facts, "ado.builds.succeeded", "1 pipelines had no build since then");
	fact_number(r.facts, "ado.pull_requests.completed", 5);
	fact_number(r.facts, "ado.pull_requests.approved_by_other", 3);
	fact_number(r.facts, "ado.pipelines.count", 7);
	log = read_log();
	/* The classic pipeline's latest build is from 2015: its builds are not asked for. */
	n = matching(log, "/_apis/build/builds", m, 16);
	assert_int_equal(n, 3);
	expect_batches(m, 3, "1,2,3 4,5 7");
	for (i = 0; i < n && i < 16; i++)
		assert_string_equal(param(m[i], "minTime"), "2024-01-01T00:00:00Z");
	n = matching(log, "/pullrequests", m, 16);
	assert_true(n >= 2);
	assert_string_equal(param(m[0], "searchCriteria.minTime"), "2024-01-01T00:00:00Z");
	assert_string_equal(param(m[0], "searchCriteria.queryTimeRangeType"), "created");
	cJSON_Delete(log);
	run_free(&r);
}

/* The authors of the repository's commits since the window began have their
 * licences counted too, each mail looked up once whatever its case, and none
 * for a pull request author's; a refused commits list costs only the count. */
static void test_commit_author_licenses(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_ado_tuning t = { 0 };
	char url[256];
	cJSON *log;
	const cJSON *m[16];
	(void)state;
	probe_at(&r, main_server.port, "contoso/ALM%20Project", "ALM Project", 15, SINCE_2024);
	expect_outcome(&r, 0, "ok");
	/* Pull requests since 2024: the Basic author, Carol (Stakeholder) and Dana
	 * (gone); commits add Erin (Stakeholder) and Frank (Basic); Bob's commit
	 * is from 2015. */
	fact_number(r.facts, "ado.licenses.checked", 4);
	fact_number(r.facts, "ado.licenses.basic_or_above", 2);
	fact_number(r.facts, "ado.licenses.stakeholder", 2);
	fact_bool(r.facts, "ado.licenses.available", 0);
	fact_evidence(r.facts, "ado.licenses.checked", "of 3 authors of pull requests and 2 more authors of commits since 2024-01-01");
	fact_evidence(r.facts, "ado.licenses.checked", "; 6 commits read");
	log = read_log();
	assert_int_equal(matching(log, "/_apis/git/repositories/ALM%20Project/commits", m, 16), 1);
	assert_string_equal(param(m[0], "searchCriteria.fromDate"), "2024-01-01T00:00:00Z");
	assert_string_equal(param(m[0], "searchCriteria.$top"), "1000");
	/* Five people, one look-up each: Erin committed twice (her mail in two
	 * cases) and is searched for once; the PR author's two commits (also in
	 * two cases) and Carol's add none. */
	assert_int_equal(matching(log, "userentitlements", m, 16), 5);
	assert_int_equal(matching(log, "erin.committer%40contoso.com", m, 16), 1);
	assert_int_equal(matching(log, "frank.builder%40contoso.com", m, 16), 1);
	expect_no_repeats();
	cJSON_Delete(log);
	run_free(&r);

	/* The commits refused: the pull requests' authors still counted, the
	 * evidence says why the commits' are not, the probe not degraded. */
	clear_log();
	probe_at(&r, main_server.port, "fault/403@git.repositories.ALM%20Project.commits/contoso/ALM%20Project",
		 "ALM Project", 15, SINCE_2024);
	expect_outcome(&r, 0, "ok");
	fact_number(r.facts, "ado.licenses.checked", 2);
	fact_number(r.facts, "ado.licenses.stakeholder", 1);
	fact_evidence(r.facts, "ado.licenses.checked", "of 3 authors of pull requests and 0 more authors of commits");
	fact_evidence(r.facts, "ado.licenses.checked", "the authors of commits are not counted");
	fact_evidence(r.facts, "ado.licenses.checked", "HTTP 403");
	assert_int_equal(requested("userentitlements?"), 0);
	run_free(&r);

	/* A full page of commits (pages of 3 here): the evidence says older
	 * commits' authors were not seen. */
	at_contoso(&o, url);
	o.since = SINCE_2024;
	t.page_size = 3;
	probe_opts(&r, &o, &t);
	assert_int_equal(r.rc, 0);
	fact_evidence(r.facts, "ado.licenses.checked", "3 commits read, a full page");
	fact_evidence(r.facts, "ado.licenses.checked", "and 2 more authors of commits");
	run_free(&r);
}

static void test_server_api_version(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_ado_tuning t = { 0 };
	cJSON *log, *e;
	char url[256];
	(void)state;
	/* Azure DevOps Server 2022 speaks 7.0, and its pull request search has
	 * no time criteria: the window is applied to what comes back. */
	at_contoso(&o, url);
	o.all_history = 0;
	o.since = SINCE_2024;
	t.as_server = 1;
	probe_opts(&r, &o, &t);
	expect_ok(&r);
	fact_number(r.facts, "ado.pull_requests.completed", 5);
	fact_number(r.facts, "ado.pull_requests.approved_by_other", 3);
	fact_number(r.facts, "ado.builds.succeeded", 5);
	log = read_log();
	cJSON_ArrayForEach(e, log) {
		assert_string_equal(param(e, "api-version"),
				    strstr(test_log_str(e, "path"), "distributedtask") ||
				    strstr(test_log_str(e, "path"), "pipelines/checks") ? "7.0-preview.1" : "7.0");
		assert_null(param(e, "searchCriteria.minTime"));
	}
	cJSON_Delete(log);
	run_free(&r);
}

static void test_fabrikam_reference_bodies(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_outcome(&r, 0, "ok");
	fact_number(r.facts, "ado.pipelines.count", 5);
	fact_number(r.facts, "ado.pipelines.yaml", 0);
	fact_evidence(r.facts, "ado.pipelines.yaml", "3 did not say how they are defined");
	fact_json(r.facts, "ado.accelerator.pipelines", "[]");
	fact_bool(r.facts, "ado.accelerator.present", 0);
	fact_number(r.facts, "ado.builds.succeeded", 1);
	fact_number(r.facts, "ado.builds.failed", 20);
	fact_number(r.facts, "ado.builds.in_progress", 0);
	fact_number(r.facts, "ado.builds.pull_request", 0);
	fact_string(r.facts, "ado.builds.last_run_at", "2015-07-16T19:52:42Z");
	fact_number(r.facts, "ado.repositories", 3);
	fact_string(r.facts, "ado.repository", NULL);
	fact_number(r.facts, "ado.pull_requests.active", 3);
	fact_number(r.facts, "ado.pull_requests.completed", 1);
	fact_number(r.facts, "ado.pull_requests.abandoned", 0);
	fact_number(r.facts, "ado.pull_requests.approved_by_other", 0);
	fact_evidence(r.facts, "ado.pull_requests.active", "no single repository matched");
	/* Without a repository there is no default branch to read policies of. */
	fact_absent(r.facts, "ado.policies");
	fact_json(r.facts, "ado.environments.names", "[]");
	/* Four pull requests, pages of three, and the empty page that ends the list. */
	assert_int_equal(requested("/_apis/git/pullrequests?"), 3);
	run_free(&r);

	probe_path(&r, "fabrikam/Fabrikam-Fiber-Git", "Fabrikam-Fiber-Git");
	assert_int_equal(r.rc, 0);
	fact_string(r.facts, "ado.repository", "Fabrikam-Fiber-Git");
	/* The minimum-approvers policy on master is optional (not blocking). */
	fact_number(r.facts, "ado.policies.minimum_approvers", 0);
	fact_evidence(r.facts, "ado.policies.minimum_approvers", "an optional policy asks for 1");
	fact_bool(r.facts, "ado.policies.build_validation", 0);
	fact_bool(r.facts, "ado.policies.blocking", 0);
	fact_json(r.facts, "ado.policies.build_validation_names", "[]");
	run_free(&r);
}

/* ---- approvals on environments, licences ---- */

static void test_checks_and_licenses(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_ado_tuning t = { 0 };
	char url[256], vsaex[256];
	(void)state;
	probe_path(&r, "contoso/ALM%20Project", "ALM Project");
	expect_outcome(&r, 0, "ok");
	fact_json(r.facts, "ado.environments.checks",
		  "{\"validation\":{\"approval\":false,\"branch_control\":false,\"business_hours\":false},"
		  "\"test\":{\"approval\":false,\"branch_control\":false,\"business_hours\":true},"
		  "\"prod\":{\"approval\":true,\"branch_control\":true,\"business_hours\":false}}");
	fact_json(r.facts, "ado.environments.approval_required", "[\"prod\"]");
	fact_evidence(r.facts, "ado.environments.approval_required", "1 environments need an approval before a deployment: prod");
	/* Three authors of pull requests: Basic, Stakeholder, and one no longer
	 * in the organization; three more of commits: Basic, Stakeholder and a
	 * Visual Studio subscriber. */
	fact_number(r.facts, "ado.licenses.checked", 5);
	fact_number(r.facts, "ado.licenses.basic_or_above", 3);
	fact_number(r.facts, "ado.licenses.stakeholder", 2);
	fact_bool(r.facts, "ado.licenses.available", 0);
	fact_evidence(r.facts, "ado.licenses.checked", "not members");
	fact_evidence(r.facts, "ado.licenses.checked", "of 3 authors of pull requests and 3 more authors of commits");
	run_free(&r);

	/* A token without the entitlements scope: the licences are unknown, the
	 * evidence names the scope, and the probe is not degraded by it. */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/contoso/ALM%%20Project", main_server.port);
	snprintf(vsaex, sizeof vsaex, "http://127.0.0.1:%d/fault/403/_vsaex/contoso", main_server.port);
	o.url = url;
	o.repository = "ALM Project";
	o.entitlements_url = vsaex;
	probe_opts(&r, &o, NULL);
	expect_outcome(&r, 0, "ok");
	fact_string(r.facts, "ado.licenses.checked", NULL);
	fact_string(r.facts, "ado.licenses.available", NULL);
	fact_evidence(r.facts, "ado.licenses.available", "vso.memberentitlementmanagement");
	fact_evidence(r.facts, "ado.licenses.available", "HTTP 403");
	fact_number(r.facts, "ado.pull_requests.completed", 6);
	expect_token_kept(&r, 1);
	run_free(&r);

	/* Azure DevOps Server has no such API: unknown, said plainly, nothing asked. */
	clear_log();
	o.entitlements_url = NULL;
	t.as_server = 1;
	probe_opts(&r, &o, &t);
	assert_int_equal(r.rc, 0);
	fact_string(r.facts, "ado.licenses.stakeholder", NULL);
	fact_evidence(r.facts, "ado.licenses.stakeholder", "Azure DevOps Server has no User Entitlements API");
	assert_int_equal(requested("userentitlements"), 0);
	run_free(&r);

	/* The checks refused: unknown, not "no approvals". */
	probe_path(&r, "fault/403@pipelines.checks.configurations/contoso/ALM%20Project", "ALM Project");
	assert_int_equal(r.rc, 0);
	fact_string(r.facts, "ado.environments.checks", NULL);
	fact_string(r.facts, "ado.environments.approval_required", NULL);
	fact_evidence(r.facts, "ado.environments.approval_required", "HTTP 403");
	fact_json(r.facts, "ado.environments.names", "[\"validation\",\"test\",\"prod\"]");
	run_free(&r);
}

/* ---- a scan: projects shared, one governor ---- */

static void test_project_cache(void **state)
{
	alm_ado_project_cache *cache = NULL;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	const char *names[] = { "ALM Project", "Tools", "ALM Project" };
	char url[256];
	int requests[3], i;
	size_t projects, served;
	run r;
	(void)state;
	assert_int_equal(alm_ado_project_cache_new(&cache), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/contoso/ALM%%20Project", main_server.port);
	o.url = url;
	o.cache = cache;
	for (i = 0; i < 3; i++) {
		o.repository = names[i];
		probe_opts(&r, &o, NULL);
		if (r.rc != 0)
			fail_msg("%s: %s", names[i], r.error);
		requests[i] = r.stats.requests;
		fact_string(r.facts, "ado.repository", names[i]);
		fact_number(r.facts, "ado.pipelines.count", 7);
		fact_number(r.facts, "ado.pull_requests.completed", i == 1 ? 0 : 6);
		if (i != 1)
			fact_number(r.facts, "ado.licenses.checked", 2);
		run_free(&r);
	}
	/* The first read the project, with its pull requests project-wide; the
	 * others asked for nothing. */
	assert_true(requests[0] > 10);
	assert_int_equal(requests[1], 0);
	assert_int_equal(requests[2], 0);
	{
		cJSON *log = read_log();
		const cJSON *m[8];
		assert_int_equal(cJSON_GetArraySize(log), requests[0]);
		assert_int_equal(matching(log, "/_apis/git/pullrequests?", m, 8), 4);
		assert_int_equal(matching(log, "/_apis/git/repositories/", m, 8), 1); /* the reviewers of 106 */
		cJSON_Delete(log);
	}
	alm_ado_project_cache_stats(cache, &projects, &served);
	assert_int_equal(projects, 1);
	assert_int_equal(served, 3);
	alm_ado_project_cache_free(cache);
}

typedef struct {
	const char *path;
	double delay;
	run r;
} worker_job;

static void *probe_worker(void *arg)
{
	worker_job *j = arg;
	if (j->delay > 0)
		usleep((useconds_t)(j->delay * 1e6));
	probe_path(&j->r, j->path, NULL);
	return NULL;
}

static void test_governor_shared(void **state)
{
	worker_job jobs[2] = { { "fault/429x1@build.definitions:Fabrikam-Fiber-Git/fabrikam/Fabrikam-Fiber-Git", 0, { 0 } },
			       { "contoso/ALM%20Project", 0.3, { 0 } } };
	pthread_t threads[2];
	cJSON *log, *e;
	const cJSON *m[8];
	double refused_at, first_other = -1;
	int i;
	(void)state;
	/* Two workers of one process: one is refused with Retry-After: 1, and
	 * the other, starting while that wait lasts, waits too. */
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, probe_worker, &jobs[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < 2; i++) {
		if (jobs[i].r.rc != 0)
			fail_msg("%s: %s", jobs[i].path, jobs[i].r.error);
		run_free(&jobs[i].r);
	}
	log = read_log();
	assert_true(matching(log, "/fabrikam/Fabrikam-Fiber-Git/_apis/build/definitions", m, 8) >= 2);
	refused_at = entry_time(m[0]);
	cJSON_ArrayForEach(e, log) {
		if (strstr(test_log_str(e, "path"), "/contoso/") && (first_other < 0 || entry_time(e) < first_other))
			first_other = entry_time(e);
	}
	if (first_other - refused_at < 0.9)
		fail_msg("the other worker asked %.3f s after the 429, within its Retry-After", first_other - refused_at);
	cJSON_Delete(log);
}

static void test_governor_bounds_hosts(void **state)
{
	worker_job jobs[3] = { { "contoso/ALM%20Project", 0, { 0 } }, { "fabrikam/Fabrikam-Fiber-Git", 0, { 0 } },
			       { "contoso/Contoso%20Web", 0, { 0 } } };
	pthread_t threads[3];
	char host[64];
	int i;
	(void)state;
	/* Three probes of up to 16 requests each, but at most 4 to the host at once. */
	alm_rate_reset(4);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, probe_worker, &jobs[i]), 0);
	for (i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < 3; i++) {
		if (jobs[i].r.rc != 0)
			fail_msg("%s: %s", jobs[i].path, jobs[i].r.error);
		run_free(&jobs[i].r);
	}
	snprintf(host, sizeof host, "http://127.0.0.1:%d", main_server.port);
	assert_true(alm_rate_max_in_flight(host) <= 4);
	assert_true(alm_rate_max_in_flight(host) >= 2);
	alm_rate_reset(0);
}

/* ---- a huge page of definitions ---- */

static void test_huge_page_bounded(void **state)
{
	server big = { 0, 0 };
	const char *extra[] = { "--bench-huge-definitions", "20000", "--latency", "100", "--cache", NULL };
	cJSON *log;
	const cJSON *m[1];
	run r;
	int builds;
	(void)state;
	assert_int_equal(spawn_server(&big, extra), 0);
	probe_at(&r, big.port, "huge/Huge", NULL, 20, 0);
	expect_ok(&r);
	fact_number(r.facts, "ado.pipelines.count", 20000);
	fact_number(r.facts, "ado.builds.succeeded", 0);
	log = read_log();
	builds = matching(log, "/huge/Huge/_apis/build/builds", m, 1);
	/* Lists across definitions, each URL under 2,000 characters: about 270
	 * of these ids a list, not one list per definition... */
	assert_true(builds >= 20000 / 330);
	assert_true(builds <= 20000 / 200);
	cJSON_Delete(log);
	/* ...and never more than a few waiting at once: the work is queued in
	 * bounded batches, not all at the first page. */
	assert_true(r.stats.max_queued <= 16);
	assert_true(r.stats.requests == builds + 7 || r.stats.requests == builds + 6);
	run_free(&r);

	/* The deadline comes while the builds are read: the probe stops there and
	 * says what was slow and how far it got. */
	probe_at(&r, big.port, "huge/Huge", NULL, 1.0, 0);
	assert_int_equal(r.rc, ALM_EREMOTE);
	test_fact_says(r.facts, "ado.error", "for the builds within the probe's 1 s deadline",
		       "read by then: 1 pages of build definitions", "(20000 definitions)",
		       "definitions waiting for a list", NULL);
	fact_absent(r.facts, "ado.builds");
	stop_server(&big);
	run_free(&r);
}

/* ---- credentials refused ---- */

static void test_401(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/401/contoso/ALM%20Project", "ALM Project");
	expect_outcome(&r, ALM_EREMOTE, "failed");
	fact_bool(r.facts, "ado.reachable", 0);
	test_fact_says(r.facts, "ado.error", "HTTP 401", "AZURE_DEVOPS_EXT_PAT", "(Read)", NULL);
	fact_string(r.facts, "ado.organization", "contoso");
	fact_absent(r.facts, "ado.pipelines");
	assert_non_null(strstr(r.error, "HTTP 401"));
	expect_no_repeats(); /* a 4xx is never retried */
	assert_true(r.elapsed < 3);
	expect_token_kept(&r, 1);
	run_free(&r);
}

static void test_403(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/403/fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_outcome(&r, ALM_EREMOTE, "failed");
	test_fact_contains(r.facts, "ado.error", "HTTP 403");
	test_fact_contains(r.facts, "ado.error", "TF400813: The user"); /* the server's message */
	test_fact_contains(r.facts, "ado.error", "needs");
	expect_no_repeats();
	run_free(&r);
}

static void test_sign_in_page(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/203/contoso/ALM%20Project", NULL);
	expect_outcome(&r, ALM_EREMOTE, "failed");
	fact_bool(r.facts, "ado.reachable", 0);
	test_fact_says(r.facts, "ado.error", "sign-in page (HTTP 203, text/html", "was not accepted", NULL);
	run_free(&r);

	/* Any success that is not JSON is the same thing. */
	probe_path(&r, "fault/html200/contoso/ALM%20Project", NULL);
	assert_int_equal(r.rc, ALM_EREMOTE);
	test_fact_contains(r.facts, "ado.error", "sign-in page (HTTP 200, text/html");
	run_free(&r);
}

static void test_redirect(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/redirect/contoso/ALM%20Project", NULL);
	expect_outcome(&r, ALM_EREMOTE, "failed");
	test_fact_says(r.facts, "ado.error", "redirected", "(HTTP 302)",
		       "https://spsprodweu5.vssps.visualstudio.com/_signin ", NULL);
	expect_no_repeats(); /* not followed, not retried */
	run_free(&r);
}

static void test_token_not_echoed(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/echo@build.definitions/contoso/ALM%20Project", NULL);
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	test_fact_says(r.facts, "ado.error", "VS800001: The credential *** is not valid", "HTTP 400", NULL);
	expect_token_kept(&r, 1);
	run_free(&r);
}

static void test_missing_token(void **state)
{
	run r;
	cJSON *log;
	(void)state;
	unsetenv("AZURE_DEVOPS_EXT_PAT");
	setenv("SYSTEM_ACCESSTOKEN", "", 1);
	probe_path(&r, "contoso/ALM%20Project", NULL);
	expect_outcome(&r, ALM_EINVALID, "failed");
	fact_bool(r.facts, "ado.reachable", 0);
	test_fact_contains(r.facts, "ado.error", "AZURE_DEVOPS_EXT_PAT");
	fact_string(r.facts, "ado.project", "ALM Project");
	assert_non_null(strstr(r.error, "AZURE_DEVOPS_EXT_PAT"));
	log = read_log();
	assert_int_equal(cJSON_GetArraySize(log), 0);
	cJSON_Delete(log);
	run_free(&r);
}

static void test_bearer(void **state)
{
	run r;
	(void)state;
	unsetenv("AZURE_DEVOPS_EXT_PAT");
	setenv("SYSTEM_ACCESSTOKEN", TOKEN "\n", 1);
	probe_path(&r, "fabrikam/Fabrikam-Fiber-Git", NULL);
	assert_int_equal(r.rc, 0);
	expect_token_kept(&r, 0);
	run_free(&r);
	probe_path(&r, "fault/401/fabrikam/Fabrikam-Fiber-Git", NULL);
	test_fact_contains(r.facts, "ado.error", "SYSTEM_ACCESSTOKEN");
	run_free(&r);
}

static void test_plain_http_refused(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	(void)state;
	o.url = "http://dev.azure.com/contoso/ALM%20Project";
	probe_opts(&r, &o, NULL);
	expect_outcome(&r, ALM_EINVALID, "failed");
	test_fact_contains(r.facts, "ado.error", "refusing plain http to dev.azure.com");
	assert_true(r.elapsed < 1);
	run_free(&r);
}

/* ---- the service failing, slow, or throttling ---- */

static void test_429_retry_after(void **state)
{
	run r;
	cJSON *log;
	const cJSON *m[8];
	int n;
	(void)state;
	probe_path(&r, "fault/429x1@build.definitions/fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_ok(&r);
	probe_status(r.facts, "ok");
	fact_number(r.facts, "ado.pipelines.count", 5);
	log = read_log();
	n = matching(log, "/_apis/build/definitions", m, 8);
	assert_int_equal(n, 4); /* two pages, each refused once */
	assert_string_equal(test_log_str(m[0], "query"), test_log_str(m[1], "query"));
	/* Retry-After: 1 was honoured (loosely: the clocks differ by scheduling). */
	assert_true(entry_time(m[1]) - entry_time(m[0]) >= 0.9);
	assert_true(entry_time(m[3]) - entry_time(m[2]) >= 0.9);
	assert_true(r.stats.retries >= 2);
	cJSON_Delete(log);
	run_free(&r);

	/* A wait that would pass the deadline is not waited for: the probe ends
	 * at its deadline and says why. */
	probe_at(&r, main_server.port, "fault/429@build.definitions/fabrikam/Fabrikam-Fiber-Git", NULL, 0.8, 0);
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	test_fact_says(r.facts, "ado.error", "throttled the requests (HTTP 429)", "TF400733", NULL);
	assert_true(r.elapsed < 1.2);
	run_free(&r);
}

static void test_503_bom_degrades(void **state)
{
	run r;
	cJSON *log;
	const cJSON *m[8];
	int n, i;
	(void)state;
	probe_path(&r, "fault/503@build.definitions/fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	fact_bool(r.facts, "ado.reachable", 1);
	/* The error body starts with a byte-order mark; its message is shown. */
	test_fact_says(r.facts, "ado.error", "HTTP 503 after 5 attempts", ": TF400898: An Internal Error Occurred.",
		       NULL);
	fact_absent(r.facts, "ado.pipelines");
	fact_absent(r.facts, "ado.builds");
	fact_number(r.facts, "ado.repositories", 3);
	fact_number(r.facts, "ado.pull_requests.active", 3);
	log = read_log();
	n = matching(log, "/_apis/build/definitions", m, 8);
	assert_int_equal(n, 5);
	for (i = 1; i < n; i++)
		assert_true(entry_time(m[i]) - entry_time(m[i - 1]) >= 0.9);
	cJSON_Delete(log);
	run_free(&r);
}

static void test_500_then_success(void **state)
{
	run r;
	cJSON *log;
	const cJSON *m[8];
	(void)state;
	probe_path(&r, "fault/500x1@git.repositories/fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_ok(&r);
	fact_number(r.facts, "ado.repositories", 3);
	log = read_log();
	assert_int_equal(matching(log, "/_apis/git/repositories?", m, 8), 2);
	/* Backoff with equal jitter: at least half the first step (0.5 s). */
	assert_true(entry_time(m[1]) - entry_time(m[0]) >= 0.2);
	cJSON_Delete(log);
	run_free(&r);
}

static void test_truncated_json(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/truncated@policy.configurations/contoso/ALM%20Project", "ALM Project");
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	test_fact_contains(r.facts, "ado.error", "the branch policies is not the JSON expected (policy configurations:1:");
	fact_absent(r.facts, "ado.policies");
	fact_number(r.facts, "ado.pipelines.count", 7);
	run_free(&r);
}

static void test_short_body_retried(void **state)
{
	run r;
	(void)state;
	probe_path(&r, "fault/shortx1@distributedtask.environments/contoso/ALM%20Project", NULL);
	expect_ok(&r);
	fact_json(r.facts, "ado.environments.names", "[\"validation\",\"test\",\"prod\"]");
	assert_int_equal(requested("/distributedtask/environments"), 2);
	run_free(&r);
}

static void test_oversized(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_ado_tuning t = { 0 };
	char url[256];
	(void)state;
	/* Announced by Content-Length: refused before reading it. */
	probe_path(&r, "fault/oversize@distributedtask.environments/contoso/ALM%20Project", NULL);
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	test_fact_contains(r.facts, "ado.error", "larger than the 33554432-byte limit");
	fact_absent(r.facts, "ado.environments");
	run_free(&r);

	/* Streamed without a length: cut off at the cap. */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/fault/oversize-stream@distributedtask.environments/contoso/ALM%%20Project",
		 main_server.port);
	o.url = url;
	t.max_body = 1024 * 1024;
	probe_opts(&r, &o, &t);
	assert_int_equal(r.rc, ALM_EREMOTE);
	test_fact_contains(r.facts, "ado.error", "larger than the 1048576-byte limit");
	run_free(&r);
}

static void test_never_answers(void **state)
{
	run r;
	(void)state;
	probe_at(&r, main_server.port, "fault/hang/contoso/ALM%20Project", NULL, 2, 0);
	expect_outcome(&r, ALM_EREMOTE, "failed");
	fact_bool(r.facts, "ado.reachable", 0);
	test_fact_contains(r.facts, "ado.error", "within the probe's 2 s deadline");
	assert_true(r.elapsed >= 1.9);
	assert_true(r.elapsed < 4);
	run_free(&r);
}

static void test_connection_refused(void **state)
{
	run r;
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	(void)state;
	/* A port that was free a moment ago, with nothing listening. */
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	probe_at(&r, port, "contoso/ALM%20Project", NULL, 10, 0);
	expect_outcome(&r, ALM_EREMOTE, "failed");
	fact_bool(r.facts, "ado.reachable", 0);
	test_fact_says(r.facts, "ado.error", "could not read", "Couldn't connect to server", NULL);
	assert_true(r.elapsed < 2);
	run_free(&r);
}

static void test_repeated_pages(void **state)
{
	run r;
	(void)state;
	/* The same continuation token again: the list ends there. */
	probe_path(&r, "fault/repeat@build.definitions/contoso/ALM%20Project", NULL);
	assert_int_equal(r.rc, 0);
	fact_number(r.facts, "ado.pipelines.count", 3);
	assert_int_equal(requested("/_apis/build/definitions"), 2);
	run_free(&r);

	/* New tokens but the same items: the list ends too. */
	clear_log();
	probe_path(&r, "fault/loop@distributedtask.environments/contoso/ALM%20Project", NULL);
	assert_int_equal(r.rc, 0);
	fact_json(r.facts, "ado.environments.names", "[\"validation\",\"test\",\"prod\"]");
	assert_int_equal(requested("/distributedtask/environments"), 2);
	run_free(&r);

	/* A byte-order mark on a success body is skipped. */
	probe_path(&r, "fault/bom@build.definitions/contoso/ALM%20Project", NULL);
	assert_int_equal(r.rc, 0);
	fact_number(r.facts, "ado.pipelines.count", 7);
	run_free(&r);
}

static void test_rate_limit_pacing(void **state)
{
	run r;
	cJSON *log;
	int n, i;
	(void)state;
	/* Every answer says 4 of 200 units are left until the reset in 1 s. */
	probe_path(&r, "fault/ratelimit/fabrikam/Fabrikam-Fiber-Git", NULL);
	expect_ok(&r);
	fact_number(r.facts, "ado.builds.failed", 20);
	log = read_log();
	n = cJSON_GetArraySize(log);
	assert_true(n > 10);
	/* The first six start together; after the first answer, one at a time
	 * and spread out (1 s / 5 = 0.2 s apart). The times are the stand-in's,
	 * when each request arrived: on a loaded machine one may arrive late and
	 * the next on time, so each gap is only checked for a burst, and the
	 * spacing itself over the whole paced run. */
	for (i = 6; i < n; i++) {
		double gap = entry_time(cJSON_GetArrayItem(log, i)) - entry_time(cJSON_GetArrayItem(log, i - 1));
		if (gap < 0.05)
			fail_msg("requests %d and %d were %.3f s apart: a burst, not paced", i - 1, i, gap);
	}
	{
		double span = entry_time(cJSON_GetArrayItem(log, n - 1)) - entry_time(cJSON_GetArrayItem(log, 5));
		if (span < 0.18 * (n - 6))
			fail_msg("requests 5 to %d took %.3f s: less than 0.18 s apart on average", n - 1, span);
	}
	assert_true(r.stats.max_in_flight <= 6);
	cJSON_Delete(log);
	run_free(&r);
}

/* ---- finding the project ---- */

static void test_pipeline_variables(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	char uri[128];
	(void)state;
	snprintf(uri, sizeof uri, "http://127.0.0.1:%d/contoso/", main_server.port);
	setenv("TF_BUILD", "True", 1);
	setenv("SYSTEM_COLLECTIONURI", uri, 1);
	setenv("SYSTEM_TEAMPROJECT", "ALM Project", 1);
	setenv("BUILD_REPOSITORY_NAME", "ALM Project", 1);
	setenv("BUILD_REPOSITORY_PROVIDER", "TfsGit", 1);
	probe_opts(&r, &o, NULL);
	expect_ok(&r);
	fact_string(r.facts, "ado.repository", "ALM Project");
	fact_evidence(r.facts, "ado.organization", "SYSTEM_COLLECTIONURI");
	fact_number(r.facts, "ado.policies.minimum_approvers", 2);
	run_free(&r);
}

static void test_remote_and_repository(void **state)
{
	run r;
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	char remote[160];
	(void)state;
	snprintf(remote, sizeof remote, "http://127.0.0.1:%d/contoso/ALM%%20Project/_git/ALM%%20Project",
		 main_server.port);
	o.remote_url = remote;
	probe_opts(&r, &o, NULL);
	expect_ok(&r);
	fact_string(r.facts, "ado.repository", "ALM Project");
	fact_evidence(r.facts, "ado.project", "ALM Project");
	fact_number(r.facts, "ado.pull_requests.completed", 6);
	run_free(&r);

	/* A repository that is not there: the rest is still read. */
	probe_path(&r, "contoso/ALM%20Project", "Nope");
	expect_outcome(&r, ALM_EREMOTE, "degraded");
	test_fact_contains(r.facts, "ado.error", "Nope");
	fact_absent(r.facts, "ado.pull_requests");
	fact_absent(r.facts, "ado.policies");
	fact_number(r.facts, "ado.pipelines.count", 7);
	run_free(&r);

	/* Nothing names a project: skipped, not failed. */
	o.remote_url = "git@github.com:contoso/app.git";
	probe_opts(&r, &o, NULL);
	expect_outcome(&r, 0, "skipped");
	fact_absent(r.facts, "ado.reachable");
	run_free(&r);
}

static void test_https_verification(void **state)
{
	server tls = { 0, 0 };
	char cert[512], key[512], url[256];
	const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
	alm_ado_probe_options o = ALM_ADO_PROBE_OPTIONS_INIT;
	run r;
	(void)state;
	snprintf(cert, sizeof cert, "%s/cert.pem", workdir);
	snprintf(key, sizeof key, "%s/key.pem", workdir);
	if (test_sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 1 -subj /CN=127.0.0.1 "
		    "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1", key, cert) != 0)
		skip();
	assert_int_equal(spawn_server(&tls, extra), 0);
	snprintf(url, sizeof url, "https://127.0.0.1:%d/fabrikam/Fabrikam-Fiber-Git", tls.port);
	o.url = url;
	o.timeout = 20;
	/* Verified even on loopback: a self-signed certificate is refused... */
	probe_opts(&r, &o, NULL);
	assert_int_equal(r.rc, ALM_EREMOTE);
	test_fact_contains(r.facts, "ado.error", "certificate");
	run_free(&r);
	/* ...unless its CA is given. */
	o.ca_file = cert;
	probe_opts(&r, &o, NULL);
	stop_server(&tls);
	expect_ok(&r);
	fact_number(r.facts, "ado.pipelines.count", 5);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_contoso_facts, test_setup),
		cmocka_unit_test_setup(test_contoso_requests, test_setup),
		cmocka_unit_test_setup(test_window, test_setup),
		cmocka_unit_test_setup(test_server_api_version, test_setup),
		cmocka_unit_test_setup(test_fabrikam_reference_bodies, test_setup),
		cmocka_unit_test_setup(test_checks_and_licenses, test_setup),
		cmocka_unit_test_setup(test_commit_author_licenses, test_setup),
		cmocka_unit_test_setup(test_project_cache, test_setup),
		cmocka_unit_test_setup(test_governor_shared, test_setup),
		cmocka_unit_test_setup(test_governor_bounds_hosts, test_setup),
		cmocka_unit_test_setup(test_huge_page_bounded, test_setup),
		cmocka_unit_test_setup(test_401, test_setup),
		cmocka_unit_test_setup(test_403, test_setup),
		cmocka_unit_test_setup(test_sign_in_page, test_setup),
		cmocka_unit_test_setup(test_redirect, test_setup),
		cmocka_unit_test_setup(test_token_not_echoed, test_setup),
		cmocka_unit_test_setup(test_missing_token, test_setup),
		cmocka_unit_test_setup(test_bearer, test_setup),
		cmocka_unit_test_setup(test_plain_http_refused, test_setup),
		cmocka_unit_test_setup(test_429_retry_after, test_setup),
		cmocka_unit_test_setup(test_503_bom_degrades, test_setup),
		cmocka_unit_test_setup(test_500_then_success, test_setup),
		cmocka_unit_test_setup(test_truncated_json, test_setup),
		cmocka_unit_test_setup(test_short_body_retried, test_setup),
		cmocka_unit_test_setup(test_oversized, test_setup),
		cmocka_unit_test_setup(test_never_answers, test_setup),
		cmocka_unit_test_setup(test_connection_refused, test_setup),
		cmocka_unit_test_setup(test_repeated_pages, test_setup),
		cmocka_unit_test_setup(test_rate_limit_pacing, test_setup),
		cmocka_unit_test_setup(test_pipeline_variables, test_setup),
		cmocka_unit_test_setup(test_remote_and_repository, test_setup),
		cmocka_unit_test_setup(test_https_verification, test_setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
