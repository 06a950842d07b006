/* alm_gather: a repository built here, the answers' precedence, probes that
 * are not wanted, the environment taken from the options, and the facts
 * every probe sets being the ones it declares. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/catalogue.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/probe.h"
#include "alm/rules.h"
#include "alm/schema.h"

#include "gather_int.h"
#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define GIT "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com " \
	    "GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.com git"

static char *dir;
static char repo[4200], bare[4200], answers_file[4200], plain[4200];

/* A work tree with its own answers (impact critical), a bare clone of it, a
 * separate answers file (impact high, no compliance) and a plain directory. */
static int group_setup(void **state)
{
	(void)state;
	dir = test_mkdtemp();
	snprintf(repo, sizeof repo, "%s/team", dir);
	snprintf(bare, sizeof bare, "%s/team.git", dir);
	snprintf(answers_file, sizeof answers_file, "%s/other-answers.json", dir);
	snprintf(plain, sizeof plain, "%s/plain", dir);
	if (test_sh("mkdir -p '%s' '%s' && cd '%s' && " GIT " init -q -b main && "
		    "mkdir .alm-advisor && printf '%%s' '{\"impact\": \"critical\", \"compliance\": true}' "
		    "> .alm-advisor/answers.json && " GIT " add -A && " GIT " commit -q -m first && "
		    GIT " remote add origin https://dev.azure.com/contoso/Team/_git/team && "
		    GIT " clone -q --bare '%s' '%s' >/dev/null 2>&1",
		    repo, plain, repo, repo, bare) != 0)
		return -1;
	test_write_file(answers_file, "{\"impact\": \"high\"}");
	unsetenv("AZURE_DEVOPS_EXT_PAT");
	unsetenv("SYSTEM_ACCESSTOKEN");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_rmtree(dir);
	free(dir);
	return 0;
}

static const char *str_at(const alm_facts *f, const char *path)
{
	const cJSON *v = alm_facts_get(f, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *probe_field(const alm_facts *f, const char *probe, const char *field)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(alm_facts_probes(f), probe), field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static alm_facts *gather_ok(const alm_gather_options *o)
{
	alm_facts *f = NULL;
	cJSON *warnings = NULL;
	if (alm_gather(&f, &warnings, o) != 0)
		fail_msg("alm_gather: %s", alm_error_last());
	assert_null(warnings);
	return f;
}

static void test_repository_and_its_answers(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f;
	(void)state;
	o.repo = repo;
	f = gather_ok(&o);
	assert_int_equal((int)cJSON_GetNumberValue(alm_facts_get(f, "repo.commits")), 1);
	assert_string_equal(str_at(f, "repo.host"), "azure-devops");
	assert_string_equal(probe_field(f, "repo", "status"), "ok");
	/* The work tree's conventional answers. */
	assert_string_equal(str_at(f, "answers.impact"), "critical");
	assert_true(cJSON_IsTrue(alm_facts_get(f, "answers.compliance")));
	/* A remote on Azure DevOps but no token: not asked, and it says how. */
	assert_string_equal(probe_field(f, "ado", "status"), "skipped");
	assert_non_null(strstr(probe_field(f, "ado", "detail"), "--ado URL"));
	alm_facts_free(f);
}

static void test_named_answers_replace_the_conventional_ones(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f;
	(void)state;
	o.repo = repo;
	o.answers = answers_file;
	f = gather_ok(&o);
	assert_string_equal(str_at(f, "answers.impact"), "high");
	assert_null(alm_facts_get(f, "answers.compliance"));
	alm_facts_free(f);

	/* Without answers at all, even the repository's are left out. */
	o.answers = NULL;
	o.no_answers = 1;
	f = gather_ok(&o);
	assert_null(alm_facts_get(f, "answers.impact"));
	alm_facts_free(f);
}

static void test_bare_repository_answers_at_head(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f;
	const cJSON *ev;
	(void)state;
	o.repo = bare;
	f = gather_ok(&o);
	assert_true(cJSON_IsTrue(alm_facts_get(f, "repo.bare")));
	assert_string_equal(str_at(f, "answers.impact"), "critical");
	ev = alm_facts_evidence(f, "answers.impact");
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "detail")), "@HEAD:.alm-advisor/answers.json"));
	alm_facts_free(f);
}

static void test_probes_not_wanted_are_skipped_with_the_reason(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f;
	(void)state;
	o.no_repo = 1;
	o.answers = answers_file;
	f = gather_ok(&o);
	assert_string_equal(probe_field(f, "repo", "status"), "skipped");
	assert_string_equal(probe_field(f, "repo", "detail"), "--no-repo: the repository was not read");
	assert_string_equal(probe_field(f, "ado", "status"), "skipped");
	assert_null(alm_facts_get(f, "repo.commits"));
	assert_string_equal(str_at(f, "answers.impact"), "high");
	alm_facts_free(f);
}

static void test_bad_input(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f = (alm_facts *)&o;
	cJSON *warnings = NULL;
	char bad[4300];
	(void)state;
	o.repo = plain;
	assert_int_equal(alm_gather(&f, &warnings, &o), ALM_ENOTFOUND);
	assert_null(f);
	assert_non_null(strstr(alm_error_last(), "not a git repository"));

	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	test_write_file(bad, "{\"impact\": \"urgent\"}");
	o.repo = repo;
	o.answers = bad;
	assert_int_equal(alm_gather(&f, &warnings, &o), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "impact"));

	/* Named, but no token to ask with: the user's to fix. */
	o.answers = NULL;
	o.ado_url = "http://127.0.0.1:9/contoso/Team";
	assert_int_equal(alm_gather(&f, &warnings, &o), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "AZURE_DEVOPS_EXT_PAT"));
	assert_null(warnings);

	o.version = 99;
	assert_int_equal(alm_gather(&f, NULL, &o), ALM_EINVALID);
}

/* The token comes from the options' environment, not the process's: with
 * it, the probe gets as far as the (closed) port. */
static void test_environment_from_the_options(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f = NULL;
	cJSON *warnings = NULL;
	(void)state;
	o.no_repo = 1;
	o.no_answers = 1;
	o.ado_url = "http://127.0.0.1:9/contoso/Team";
	o.timeout = 5;
	o.env.ado_pat = "alm-test-token-0a1b2c";
	assert_int_equal(alm_gather(&f, &warnings, &o), 0);
	assert_non_null(f);
	assert_int_equal(cJSON_GetArraySize(warnings), 1);
	assert_non_null(strstr(cJSON_GetArrayItem(warnings, 0)->valuestring, "Azure DevOps evidence is missing: "));
	assert_null(strstr(cJSON_GetArrayItem(warnings, 0)->valuestring, "AZURE_DEVOPS_EXT_PAT"));
	assert_string_equal(probe_field(f, "ado", "status"), "failed");
	assert_false(cJSON_IsTrue(alm_facts_get(f, "ado.reachable")));
	cJSON_Delete(warnings);
	alm_facts_free(f);

	o.strict = 1;
	assert_int_equal(alm_gather(&f, &warnings, &o), ALM_EREMOTE);
	assert_null(f);
	assert_null(warnings);
	assert_int_equal(strncmp(alm_error_last(), "Azure DevOps: ", 14), 0);

	/* Inside a pipeline, a token and the pipeline's variables make the probe
	 * wanted unasked, and name the project (over the repository's remote). */
	o.strict = 0;
	o.ado_url = NULL;
	o.no_repo = 0;
	o.repo = repo;
	o.env.in_azure_pipelines = 1;
	o.env.system_collection_uri = "http://127.0.0.1:9/contoso/";
	o.env.system_team_project = "Pipeline Project";
	assert_int_equal(alm_gather(&f, &warnings, &o), 0);
	assert_string_equal(probe_field(f, "ado", "status"), "failed");
	assert_string_equal(str_at(f, "ado.project"), "Pipeline Project");
	assert_int_equal(cJSON_GetArraySize(warnings), 1);
	cJSON_Delete(warnings);
	alm_facts_free(f);

	/* Without the token the same pipeline is not asked. */
	o.env.ado_pat = NULL;
	f = gather_ok(&o);
	assert_string_equal(probe_field(f, "ado", "status"), "skipped");
	alm_facts_free(f);
}

/* Whatever the probes set is in the catalogue with their namespace as its
 * source, and the document is what facts.schema.json describes. */
static void test_probes_set_only_declared_facts(void **state)
{
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_catalogue *cat = NULL;
	alm_facts *f;
	cJSON *doc, *schema = NULL;
	const cJSON *ev;
	char *path = test_source_path("rules/facts.schema.json");
	int n = 0;
	(void)state;
	o.repo = repo;
	f = gather_ok(&o);
	assert_int_equal(alm_catalogue_new(&cat, NULL), 0);
	doc = alm_facts_to_json(f);
	cJSON_ArrayForEach(ev, cJSON_GetObjectItem(doc, "evidence")) {
		const alm_catalogue_entry *e = alm_catalogue_find(cat, ev->string);
		if (!e)
			fail_msg("%s is set but not declared", ev->string);
		assert_string_equal(e->source, cJSON_GetStringValue(cJSON_GetObjectItem(ev, "source")));
		n++;
	}
	assert_true(n > 30);
	assert_int_equal(alm_json_read_file(&schema, path), 0);
	if (alm_schema_validate(schema, doc, "facts") < 0)
		fail_msg("%s", alm_error_last());
	cJSON_Delete(schema);
	cJSON_Delete(doc);
	alm_catalogue_free(cat);
	alm_facts_free(f);
	free(path);
}

static void count_row(void *ctx, const cJSON *row, size_t done, size_t total)
{
	size_t *seen = ctx;
	assert_non_null(cJSON_GetObjectItem(row, "name"));
	assert_true(done <= total);
	(*seen)++;
}

/* The portfolio scan: every repository below a directory, each a row. */
static void test_portfolio_scan(void **state)
{
	alm_portfolio_scan_options so = ALM_PORTFOLIO_SCAN_OPTIONS_INIT;
	alm_rules *rules = NULL;
	cJSON *portfolio = NULL, *notes = NULL;
	const cJSON *row;
	size_t seen = 0;
	int names = 0;
	(void)state;
	assert_int_equal(alm_rules_load_default(&rules), 0);
	so.under = dir;
	so.jobs = 2;
	so.on_row = count_row;
	so.on_row_ctx = &seen;
	so.tool_version = "9.9.9";
	assert_int_equal(alm_portfolio_scan(&portfolio, &notes, rules, &so), 0);
	assert_int_equal(seen, 2);
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(portfolio, "rows")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(row, "name"));
		names += strcmp(name, "team") == 0 || strcmp(name, "team.git") == 0;
	}
	assert_int_equal(names, 2);
	assert_null(notes);
	cJSON_Delete(portfolio);

	so.under = answers_file;
	assert_int_equal(alm_portfolio_scan(&portfolio, &notes, rules, &so), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "not a directory"));
	assert_null(portfolio);
	alm_rules_free(rules);
}

/* ---- a table of the test's own: two remote probes that meet ---- */

static pthread_mutex_t meet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t meet_cond = PTHREAD_COND_INITIALIZER;
static int arrived;

/* Waits (10 s at most) until both probes are running: only probes that run
 * at once both see the other. */
static int meet_the_other(void)
{
	struct timespec until;
	int met;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&meet_lock);
	arrived++;
	pthread_cond_broadcast(&meet_cond);
	while (arrived < 2)
		if (pthread_cond_timedwait(&meet_cond, &meet_lock, &until) == ETIMEDOUT)
			break;
	met = arrived >= 2;
	pthread_mutex_unlock(&meet_lock);
	return met;
}

static int always(const alm_gather_options *o, const alm_facts *f, const char **why)
{
	(void)o;
	(void)f;
	*why = NULL;
	return 1;
}

static int never(const alm_gather_options *o, const alm_facts *f, const char **why)
{
	(void)o;
	(void)f;
	*why = "not this time";
	return 0;
}

static int run_one(alm_facts *f, const alm_gather_options *o)
{
	(void)o;
	int error = alm_facts_set_bool(f, "one.met_the_other", meet_the_other(), "one",
				       "the other probe ran at the same time");
	return error < 0 ? error : alm_facts_set_probe(f, "one", "ok", NULL);
}

static int run_two(alm_facts *f, const alm_gather_options *o)
{
	(void)o;
	int error = alm_facts_set_bool(f, "two.met_the_other", meet_the_other(), "two",
				       "the other probe ran at the same time");
	if (error == 0)
		error = alm_facts_set_probe(f, "two", "degraded", "half of it");
	return error < 0 ? error : alm_error_set(ALM_EREMOTE, "the service said 503");
}

static int run_invalid(alm_facts *f, const alm_gather_options *o)
{
	(void)o;
	(void)f;
	return alm_error_set(ALM_EINVALID, "three: a bad address");
}

static const alm_probe probe_one = {.ns = "one", .label = "one", .wanted = always, .run = run_one, .title = "One"};
static const alm_probe probe_two = {.ns = "two", .label = "two", .wanted = always, .run = run_two, .title = "Two"};
static const alm_probe probe_off = {.ns = "off", .label = "off", .wanted = never, .run = run_invalid};
static const alm_probe probe_bad = {.ns = "bad", .label = "bad", .wanted = always, .run = run_invalid};

static void test_remote_probes_run_together(void **state)
{
	const alm_probe *table[] = {&probe_one, &probe_off, &probe_two};
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f = NULL;
	cJSON *warnings = NULL;
	(void)state;
	o.no_repo = 1;
	arrived = 0;
	assert_int_equal(alm_gather_with(&f, &warnings, &o, table, 3), 0);
	assert_true(cJSON_IsTrue(alm_facts_get(f, "one.met_the_other")));
	assert_true(cJSON_IsTrue(alm_facts_get(f, "two.met_the_other")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(alm_facts_evidence(f, "two.met_the_other"), "source")),
			    "two");
	assert_string_equal(probe_field(f, "one", "status"), "ok");
	assert_string_equal(probe_field(f, "two", "status"), "degraded");
	assert_string_equal(probe_field(f, "off", "status"), "skipped");
	assert_string_equal(probe_field(f, "off", "detail"), "not this time");
	assert_int_equal(cJSON_GetArraySize(warnings), 1);
	assert_string_equal(cJSON_GetArrayItem(warnings, 0)->valuestring, "Two evidence is missing: the service said 503");
	cJSON_Delete(warnings);
	alm_facts_free(f);

	/* Strict: the failing one fails the gathering, named by its title. */
	o.strict = 1;
	arrived = 0;
	assert_int_equal(alm_gather_with(&f, &warnings, &o, table, 3), ALM_EREMOTE);
	assert_string_equal(alm_error_last(), "Two: the service said 503");
	assert_null(f);
	assert_null(warnings);
}

static void test_input_errors_win_in_table_order(void **state)
{
	const alm_probe *table[] = {&probe_bad, &probe_two};
	alm_gather_options o = ALM_GATHER_OPTIONS_INIT;
	alm_facts *f = NULL;
	cJSON *warnings = NULL;
	(void)state;
	o.no_repo = 1;
	arrived = 1; /* the second probe finds the first already there */
	assert_int_equal(alm_gather_with(&f, &warnings, &o, table, 2), ALM_EINVALID);
	assert_string_equal(alm_error_last(), "three: a bad address");
	assert_null(f);
	assert_null(warnings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repository_and_its_answers),
		cmocka_unit_test(test_named_answers_replace_the_conventional_ones),
		cmocka_unit_test(test_bare_repository_answers_at_head),
		cmocka_unit_test(test_probes_not_wanted_are_skipped_with_the_reason),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_environment_from_the_options),
		cmocka_unit_test(test_probes_set_only_declared_facts),
		cmocka_unit_test(test_portfolio_scan),
		cmocka_unit_test(test_remote_probes_run_together),
		cmocka_unit_test(test_input_errors_win_in_table_order),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
