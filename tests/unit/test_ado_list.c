/*
 * Listing the repositories of an Azure DevOps project or organization against
 * the local stand-in (tests/ado_server.py): the addresses a scan takes, the
 * projects list and its paging (continuation tokens, $skip), the repositories
 * of each project, failures of one project beside the others, failures of the
 * listing as a whole, and the token kept out of every message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "ado_common.h"
#include "ado_list_int.h"
#include "ado_parse.h"
#include "ado_url.h"
#include "alm/ado_list.h"
#include "alm/error.h"
#include "support.h"

#define TOKEN "alm-list-pat-3Vn8Rt6Yq1Zs"

static char *workdir, *log_path;
static int server_pid;
static int port;

/* ---- the server ---- */

static int spawn_server(void)
{
	const char *args[] = { "--lifetime", "120", NULL };
	port = test_server_start(&server_pid, "tests/ado_server.py", log_path, args);
	return port > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	(void)state;
	workdir = test_mkdtemp();
	log_path = test_join(workdir, "requests.log");
	if (spawn_server() != 0) {
		fprintf(stderr, "the test server (tests/ado_server.py) did not start\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_server_stop(&server_pid);
	test_remove_dir(workdir);
	free(log_path);
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	test_truncate(log_path); /* each test reads its own requests */
	setenv("AZURE_DEVOPS_EXT_PAT", TOKEN, 1);
	unsetenv("SYSTEM_ACCESSTOKEN");
	return 0;
}

/* ---- listing ---- */

typedef struct {
	alm_ado_listing *listing;
	int rc;
	char error[1024];
	double elapsed;
	alm_http_stats stats;
} run;

/* Lists http://127.0.0.1:PORT/PATH with pages of `page_size` (0: the default). */
static void list_tuned(run *r, const char *path, int page_size, double timeout, int as_server)
{
	alm_ado_list_options o = ALM_ADO_LIST_OPTIONS_INIT;
	alm_ado_tuning t;
	char url[512];
	double start = test_now();

	memset(r, 0, sizeof *r);
	memset(&t, 0, sizeof t);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", port, path);
	o.url = url;
	o.timeout = timeout > 0 ? timeout : 15;
	t.page_size = page_size;
	t.as_server = as_server;
	t.stats = &r->stats;
	r->rc = alm_ado_list_tuned(&r->listing, &o, &t);
	snprintf(r->error, sizeof r->error, "%s", alm_error_last());
	r->elapsed = test_now() - start;
	if (r->rc == 0)
		assert_non_null(r->listing);
	else
		assert_null(r->listing);
	/* Whatever happened, the token is in no message. */
	assert_null(strstr(r->error, TOKEN));
}

static void list_path(run *r, const char *path)
{
	list_tuned(r, path, 0, 0, 0);
}

static void run_free(run *r)
{
	alm_ado_listing_free(r->listing);
	r->listing = NULL;
}

/* "PROJECT/REPO" of every item ("PROJECT/!error" for a project that failed), joined by ", ". */
static char *summary(const alm_ado_listing *l)
{
	size_t i, n = 1;
	char *s;
	for (i = 0; i < l->count; i++)
		n += strlen(l->items[i].project) + (l->items[i].name ? strlen(l->items[i].name) : 6) + 4;
	s = calloc(1, n);
	for (i = 0; i < l->count; i++)
		sprintf(s + strlen(s), "%s%s/%s", i ? ", " : "", l->items[i].project,
			l->items[i].name ? l->items[i].name : "!error");
	return s;
}

static void expect_items(const run *r, const char *want)
{
	char *got;
	if (r->rc != 0)
		fail_msg("listing failed (%d): %s", r->rc, r->error);
	got = summary(r->listing);
	if (strcmp(got, want) != 0)
		fail_msg("items: expected\n  %s\ngot\n  %s", want, got);
	free(got);
}

static const alm_ado_listed *item(const run *r, const char *project, const char *name)
{
	size_t i;
	for (i = 0; i < r->listing->count; i++) {
		const alm_ado_listed *it = &r->listing->items[i];
		if (strcmp(it->project, project) == 0 &&
		    (name ? it->name && strcmp(it->name, name) == 0 : it->name == NULL))
			return it;
	}
	fail_msg("no item %s/%s", project, name ? name : "(project)");
	return NULL;
}

static void expect_error(const run *r, int code, const char *fragment)
{
	if (r->rc != code)
		fail_msg("expected %d, got %d: %s", code, r->rc, r->error);
	if (!strstr(r->error, fragment))
		fail_msg("the message lacks '%s': %s", fragment, r->error);
	assert_null(strchr(r->error, '\n'));
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

/* Requests whose path ends with `suffix`, in arrival order (borrowed). */
static int ending(const cJSON *log, const char *suffix, const cJSON **out, int max)
{
	const cJSON *e;
	size_t m = strlen(suffix);
	int n = 0;
	cJSON_ArrayForEach(e, log) {
		const char *path = test_log_str(e, "path");
		size_t len = strlen(path);
		if (len >= m && strcmp(path + len - m, suffix) == 0) {
			if (n < max)
				out[n] = e;
			n++;
		}
	}
	return n;
}

/* ---- addresses ---- */

static void scope(const char *url, const char *project_collection, const char *project,
		  const char *collection, const char *organization)
{
	alm_ado_target p, c;
	int rc = alm_ado_url_parse_scope(&p, &c, url);
	if (rc != 0)
		fail_msg("%s: %s", url, alm_error_last());
	if (project_collection) {
		assert_non_null(p.collection);
		assert_string_equal(p.collection, project_collection);
		assert_string_equal(p.project, project);
	} else if (p.collection) {
		fail_msg("%s: read as project %s of %s", url, p.project, p.collection);
	}
	if (collection) {
		if (!c.collection)
			fail_msg("%s: not read as a collection", url);
		assert_string_equal(c.collection, collection);
		assert_string_equal(c.organization, organization);
		assert_null(c.project);
	} else if (c.collection) {
		fail_msg("%s: read as collection %s", url, c.collection);
	}
	alm_ado_target_dispose(&p);
	alm_ado_target_dispose(&c);
}

static void test_scope_addresses(void **state)
{
	alm_ado_target p, c;
	(void)state;
	scope("https://dev.azure.com/contoso", NULL, NULL, "https://dev.azure.com/contoso", "contoso");
	scope("https://dev.azure.com/contoso/", NULL, NULL, "https://dev.azure.com/contoso", "contoso");
	scope("https://dev.azure.com/contoso/_settings/projects", NULL, NULL, "https://dev.azure.com/contoso", "contoso");
	scope("https://dev.azure.com/contoso/ALM%20Project", "https://dev.azure.com/contoso", "ALM Project", NULL, NULL);
	scope("https://dev.azure.com/contoso/ALM%20Project/_git/Tools", "https://dev.azure.com/contoso", "ALM Project",
	      NULL, NULL);
	scope("https://contoso.visualstudio.com", NULL, NULL, "https://contoso.visualstudio.com", "contoso");
	scope("https://contoso.visualstudio.com/DefaultCollection", NULL, NULL,
	      "https://contoso.visualstudio.com/DefaultCollection", "contoso");
	scope("https://contoso.visualstudio.com/Web", "https://contoso.visualstudio.com", "Web", NULL, NULL);
	scope("https://tfs.example:8080/tfs/DefaultCollection", NULL, NULL, "https://tfs.example:8080/tfs/DefaultCollection",
	      "DefaultCollection");
	scope("https://tfs.example/Fabrikam", NULL, NULL, "https://tfs.example/Fabrikam", "Fabrikam");
	/* Only the server can tell these two readings apart. */
	scope("https://tfs.example/tfs/DefaultCollection/Web", "https://tfs.example/tfs/DefaultCollection", "Web",
	      "https://tfs.example/tfs/DefaultCollection/Web", "Web");
	scope("http://127.0.0.1:8/contoso/ALM%20Project", "http://127.0.0.1:8/contoso", "ALM Project",
	      "http://127.0.0.1:8/contoso/ALM%20Project", "ALM Project");
	scope("https://tfs.example/Coll/Web/_git/Site", "https://tfs.example/Coll", "Web", NULL, NULL);

	assert_int_equal(alm_ado_url_parse_scope(&p, &c, "https://dev.azure.com/"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "ORG[/PROJECT]"));
	assert_null(p.collection);
	assert_null(c.collection);
	assert_int_equal(alm_ado_url_parse_scope(&p, &c, "ftp://dev.azure.com/contoso"), ALM_EINVALID);
	assert_int_equal(alm_ado_url_parse_scope(&p, &c, "not a url"), ALM_EINVALID);
	assert_int_equal(alm_ado_url_parse_scope(&p, &c, ""), ALM_EINVALID);
	assert_int_equal(alm_ado_url_parse_scope(&p, &c, "https://tfs.example/"), ALM_EINVALID);
}

/* ---- parsers ---- */

static char *fixture_body(const char *name)
{
	char rel[256], *path, *text, *body;
	cJSON *doc;
	snprintf(rel, sizeof rel, "tests/fixtures/ado/%s", name);
	path = test_source_path(rel);
	text = test_read_file(path);
	assert_non_null(text);
	doc = cJSON_Parse(text);
	body = cJSON_PrintUnformatted(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "responses"), "200"), "body"));
	cJSON_Delete(doc);
	free(text);
	free(path);
	return body;
}

static void test_parsers(void **state)
{
	char *body = fixture_body("list_projects.json");
	alm_ado_projects projects;
	alm_ado_project one;
	alm_ado_repositories repos;
	static const char odd[] = "\xEF\xBB\xBF{\"value\": [{\"id\": \"x\"}, 7, {\"name\": \"Named\"}, {\"name\": \"\"}]}";
	(void)state;

	assert_int_equal(alm_ado_parse_projects(&projects, body, strlen(body)), 0);
	assert_int_equal(projects.count, 3);
	assert_string_equal(projects.items[1].name, "Fabrikam-Fiber-Git");
	assert_string_equal(projects.items[1].id, "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c");
	alm_ado_projects_dispose(&projects);
	free(body);

	/* Items without a name cannot be addressed and are skipped; a BOM is fine. */
	assert_int_equal(alm_ado_parse_projects(&projects, odd, strlen(odd)), 0);
	assert_int_equal(projects.count, 1);
	assert_string_equal(projects.items[0].name, "Named");
	assert_string_equal(projects.items[0].id, "");
	alm_ado_projects_dispose(&projects);
	assert_int_equal(alm_ado_parse_projects(&projects, "{\"value\": 3}", 12), ALM_EINVALID);
	assert_int_equal(alm_ado_parse_projects(&projects, "[", 1), ALM_EINVALID);

	assert_int_equal(alm_ado_parse_project_record(&one, "{\"id\": \"i\", \"name\": \"N\"}", 24), 0);
	assert_string_equal(one.name, "N");
	assert_string_equal(one.id, "i");
	alm_ado_project_dispose(&one);
	assert_int_equal(alm_ado_parse_project_record(&one, "{\"id\": \"i\"}", 11), ALM_EINVALID);
	assert_null(one.name);

	body = fixture_body("list_repositories.json");
	assert_int_equal(alm_ado_parse_repositories(&repos, body, strlen(body)), 0);
	assert_int_equal(repos.count, 3);
	assert_string_equal(repos.items[2].project_name, "TestGit");
	assert_string_equal(repos.items[2].project_id, "281f9a5b-af0d-49b4-a1df-fe6f5e5f84d0");
	assert_null(repos.items[2].web_url); /* the spec's example predates webUrl */
	alm_ado_repositories_dispose(&repos);
	free(body);
	body = strdup("{\"value\": [{\"name\": \"R\", \"webUrl\": \"https://x/_git/R\"}]}");
	assert_int_equal(alm_ado_parse_repositories(&repos, body, strlen(body)), 0);
	assert_string_equal(repos.items[0].web_url, "https://x/_git/R");
	assert_null(repos.items[0].project_id);
	assert_null(repos.items[0].project_name);
	alm_ado_repositories_dispose(&repos);
	free(body);
}

/* ---- one project ---- */

/* The map that keeps a listing's projects (and the probe's people and
 * environments) unique: case-insensitive, the first value kept, and linear
 * in the number of keys (a hundred thousand projects stay cheap). */
static void test_strmap(void **state)
{
	alm_ado_strmap m = { 0 };
	char key[64];
	size_t i, found = 0;
	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "Project-%06zu", i);
		assert_int_equal(alm_ado_strmap_put(&m, key, i, NULL), 1);
	}
	assert_int_equal(m.used, 100000);
	for (i = 0; i < 100000; i += 997) {
		snprintf(key, sizeof key, "PROJECT-%06zu", i);
		assert_int_equal(alm_ado_strmap_put(&m, key, 7, &found), 0);
		assert_int_equal(found, i);
	}
	assert_int_equal(alm_ado_strmap_put(&m, "project-x", 5, &found), 1);
	assert_int_equal(m.used, 100001);
	alm_ado_strmap_dispose(&m);
	assert_null(m.keys);
	alm_ado_strmap_dispose(&m); /* a zeroed map is fine */
}

static void test_one_project(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e[4];
	char want[256];
	const alm_ado_listed *it;
	(void)state;

	list_path(&r, "contoso/ALM%20Project");
	expect_items(&r, "ALM Project/ALM Project, ALM Project/Tools");
	assert_int_equal(r.listing->projects, 1);
	assert_false(r.listing->whole_organization);
	it = item(&r, "ALM Project", "Tools");
	assert_string_equal(it->organization, "contoso");
	snprintf(want, sizeof want, "http://127.0.0.1:%d/contoso/ALM%%20Project", port);
	assert_string_equal(it->project_url, want);
	assert_null(it->web_url);
	assert_null(it->error);
	assert_false(it->disabled);

	/* The project (its name as the service spells it), then its repositories. */
	log = read_log();
	assert_int_equal(cJSON_GetArraySize(log), 2);
	assert_int_equal(ending(log, "/contoso/_apis/projects/ALM%20Project", e, 4), 1);
	assert_string_equal(param(e[0], "api-version"), "7.1");
	assert_int_equal(ending(log, "/contoso/ALM%20Project/_apis/git/repositories", e, 4), 1);
	assert_string_equal(param(e[0], "api-version"), "7.1");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e[0], "headers"), "X-TFS-FedAuthRedirect")->valuestring,
			    "Suppress");
	cJSON_Delete(log);
	run_free(&r);

	/* The project's name in other letters: the service's spelling wins. */
	list_path(&r, "contoso/alm%20project");
	expect_items(&r, "ALM Project/ALM Project, ALM Project/Tools");
	run_free(&r);

	/* A repository's address lists that repository alone. */
	list_path(&r, "contoso/ALM%20Project/_git/tools");
	expect_items(&r, "ALM Project/Tools");
	run_free(&r);
	list_path(&r, "contoso/ALM%20Project/_git/Nowhere");
	expect_error(&r, ALM_EREMOTE, "repository Nowhere is not in project ALM Project");

	/* Azure DevOps Server 2022 speaks 7.0. */
	test_setup(NULL);
	list_tuned(&r, "contoso/ALM%20Project", 0, 0, 1);
	expect_items(&r, "ALM Project/ALM Project, ALM Project/Tools");
	log = read_log();
	assert_int_equal(ending(log, "/_apis/git/repositories", e, 4), 1);
	assert_string_equal(param(e[0], "api-version"), "7.0");
	cJSON_Delete(log);
	run_free(&r);
}

/* The spec's example answer carries a repository of another project: it is not this project's. */
static void test_other_projects_repositories_left_out(void **state)
{
	run r;
	(void)state;
	list_path(&r, "fabrikam/Fabrikam-Fiber-Git");
	expect_items(&r, "Fabrikam-Fiber-Git/AnotherRepository, Fabrikam-Fiber-Git/Fabrikam-Fiber-Git");
	run_free(&r);
	list_path(&r, "fabrikam");
	expect_items(&r, "Fabrikam-Fiber-Git/AnotherRepository, Fabrikam-Fiber-Git/Fabrikam-Fiber-Git");
	assert_true(r.listing->whole_organization);
	run_free(&r);
}

/* ---- an organization ---- */

#define CONTOSO_ALL                                                                                        \
	"ALM Project/ALM Project, ALM Project/Tools, Contoso Web/Legacy Portal, Contoso Web/Shared-Lib, " \
	"Contoso Web/Web Portal, Data Platform/Scratch, Data Platform/Warehouse"

static void test_organization(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e[8];
	const alm_ado_listed *it;
	char want[256];
	(void)state;

	list_path(&r, "contoso");
	expect_items(&r, CONTOSO_ALL);
	assert_int_equal(r.listing->projects, 4); /* Archive has no repository */
	assert_true(r.listing->whole_organization);
	it = item(&r, "Contoso Web", "Web Portal");
	assert_string_equal(it->web_url, "https://dev.azure.com/contoso/Contoso%20Web/_git/Web%20Portal");
	snprintf(want, sizeof want, "http://127.0.0.1:%d/contoso/Contoso%%20Web", port);
	assert_string_equal(it->project_url, want);
	assert_true(item(&r, "Contoso Web", "Legacy Portal")->disabled);
	assert_false(item(&r, "Data Platform", "Scratch")->disabled);

	/* Three projects a page: the token of the first is sent back, unchanged
	 * apart from its escaping; the second page has none and ends the list. */
	log = read_log();
	assert_int_equal(ending(log, "/contoso/_apis/projects", e, 8), 2);
	assert_string_equal(param(e[0], "$top"), "100");
	assert_null(param(e[0], "continuationToken"));
	assert_non_null(param(e[1], "continuationToken"));
	assert_non_null(strstr(param(e[1], "continuationToken"), " +/&="));
	assert_string_equal(param(e[1], "$top"), "100");
	assert_null(param(e[1], "$skip"));
	assert_int_equal(ending(log, "/_apis/git/repositories", e, 8), 4);
	/* One request per project, and nothing else. */
	assert_int_equal(cJSON_GetArraySize(log), 6);
	cJSON_Delete(log);
	run_free(&r);

	/* Smaller pages: the same projects. */
	test_setup(NULL);
	list_tuned(&r, "contoso", 1, 0, 0);
	expect_items(&r, CONTOSO_ALL);
	assert_int_equal(r.listing->projects, 4);
	log = read_log();
	assert_true(ending(log, "/contoso/_apis/projects", e, 8) >= 4);
	assert_string_equal(param(e[0], "$top"), "1");
	cJSON_Delete(log);
	run_free(&r);
}

/* A server that pages by $skip alone (no continuation token). */
static void test_skip_paging(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e[8];
	(void)state;

	list_tuned(&r, "fault/skip@projects/contoso", 2, 0, 0);
	expect_items(&r, CONTOSO_ALL);
	log = read_log();
	assert_int_equal(ending(log, "/contoso/_apis/projects", e, 8), 3);
	assert_null(param(e[0], "$skip"));
	assert_string_equal(param(e[1], "$skip"), "2");
	assert_string_equal(param(e[2], "$skip"), "4"); /* empty: the end */
	assert_null(param(e[1], "continuationToken"));
	cJSON_Delete(log);
	run_free(&r);

	/* A server that repeats the first page forever: cut off at the repeat. */
	test_setup(NULL);
	list_tuned(&r, "fault/repeat@projects/contoso", 2, 0, 0);
	expect_items(&r, "ALM Project/ALM Project, ALM Project/Tools");
	log = read_log();
	assert_int_equal(ending(log, "/contoso/_apis/projects", e, 8), 2);
	cJSON_Delete(log);
	run_free(&r);
}

/* An address that may be a project or a collection: the server decides. */
static void test_project_or_collection(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e[4];
	(void)state;

	/* .../fault/SPEC/contoso reads as project "contoso" of collection
	 * .../fault/SPEC first; there is none, so it is the organization. */
	list_path(&r, "fault/404text@nothing/contoso");
	expect_items(&r, CONTOSO_ALL);
	log = read_log();
	assert_int_equal(ending(log, "/_apis/projects/contoso", e, 4), 1);
	assert_int_equal(ending(log, "/contoso/_apis/projects", e, 4), 2);
	cJSON_Delete(log);
	run_free(&r);

	list_path(&r, "contoso/Nope");
	expect_error(&r, ALM_EREMOTE, "project Nope not found (HTTP 404)");
	assert_non_null(strstr(r.error, "TF200016"));
	assert_non_null(strstr(r.error, "/contoso/Nope a collection"));
}

/* ---- failures ---- */

static void test_one_project_fails(void **state)
{
	run r;
	const alm_ado_listed *it;
	char want[256];
	(void)state;

	list_path(&r, "fault/401:Contoso%20Web/contoso");
	expect_items(&r, "ALM Project/ALM Project, ALM Project/Tools, Contoso Web/!error, "
			 "Data Platform/Scratch, Data Platform/Warehouse");
	it = item(&r, "Contoso Web", NULL);
	assert_non_null(it->error);
	assert_non_null(strstr(it->error, "HTTP 401"));
	assert_non_null(strstr(it->error, "the repositories of project Contoso Web"));
	assert_non_null(strstr(it->error, "AZURE_DEVOPS_EXT_PAT"));
	assert_non_null(strstr(it->error, "Code (Read)"));
	snprintf(want, sizeof want, "http://127.0.0.1:%d/fault/401%%3AContoso%%20Web/contoso/Contoso%%20Web", port);
	assert_string_equal(it->project_url, want);
	run_free(&r);

	/* Any failure of one project's repositories fails it alone. */
	list_path(&r, "fault/404text@git.repositories:Data%20Platform/contoso");
	assert_int_equal(r.rc, 0);
	it = item(&r, "Data Platform", NULL);
	assert_non_null(strstr(it->error, "the repositories of project Data Platform not found (HTTP 404)"));
	assert_non_null(strstr(it->error, "Page not found."));
	assert_int_equal(r.listing->count, 6);
	run_free(&r);
}

static void test_listing_fails(void **state)
{
	run r;
	(void)state;

	list_path(&r, "fault/401@projects/contoso");
	expect_error(&r, ALM_EREMOTE, "refused the token (HTTP 401) for the projects of organization contoso");
	assert_non_null(strstr(r.error, "Project and Team (Read)"));

	list_path(&r, "fault/401/contoso/ALM%20Project");
	expect_error(&r, ALM_EREMOTE, "HTTP 401");

	/* The only project's repositories: nothing is left to list. */
	list_path(&r, "fault/403@git.repositories/contoso/ALM%20Project");
	expect_error(&r, ALM_EREMOTE, "denied access (HTTP 403) to the repositories of project ALM Project");

	/* Every project's repositories. */
	list_path(&r, "fault/403@git.repositories/contoso");
	expect_error(&r, ALM_EREMOTE, "the repositories of none of the 4 projects could be listed");

	/* A page of projects failing midway fails the list: a partial one would
	 * leave projects out silently. */
	list_tuned(&r, "fault/html200@projects/contoso", 0, 0, 0);
	expect_error(&r, ALM_EREMOTE, "sign-in page");

	list_path(&r, "nowhere");
	expect_error(&r, ALM_EREMOTE, "organization nowhere not found (HTTP 404)");

	/* A server that quotes the credential back. */
	list_path(&r, "fault/echo@projects/contoso");
	expect_error(&r, ALM_EREMOTE, "VS800001");
	assert_null(strstr(r.error, TOKEN));
}

static void test_unreachable_and_deadline(void **state)
{
	run r;
	alm_ado_list_options o = ALM_ADO_LIST_OPTIONS_INIT;
	alm_ado_listing *l = (alm_ado_listing *)&o; /* must come back NULL */
	(void)state;

	o.url = "http://127.0.0.1:9/contoso";
	o.timeout = 5;
	assert_int_equal(alm_ado_list(&l, &o), ALM_EREMOTE);
	assert_null(l);
	assert_non_null(strstr(alm_error_last(), "could not read the projects of organization contoso from 127.0.0.1:9"));

	list_tuned(&r, "fault/hang@projects/contoso", 0, 1, 0);
	expect_error(&r, ALM_EREMOTE, "deadline");
	assert_true(r.elapsed < 5);
}

static void test_input_errors(void **state)
{
	run r;
	cJSON *log;
	alm_ado_list_options o = ALM_ADO_LIST_OPTIONS_INIT;
	alm_ado_listing *l = NULL;
	(void)state;

	unsetenv("AZURE_DEVOPS_EXT_PAT");
	list_path(&r, "contoso");
	expect_error(&r, ALM_EINVALID, "AZURE_DEVOPS_EXT_PAT");
	setenv("AZURE_DEVOPS_EXT_PAT", "two\nlines", 1);
	list_path(&r, "contoso");
	expect_error(&r, ALM_EINVALID, "control characters");
	setenv("AZURE_DEVOPS_EXT_PAT", TOKEN, 1);

	o.url = "http://dev.azure.com/contoso";
	assert_int_equal(alm_ado_list(&l, &o), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "refusing plain http to dev.azure.com"));
	o.url = "https://dev.azure.com";
	assert_int_equal(alm_ado_list(&l, &o), ALM_EINVALID);
	o.version = 99;
	assert_int_equal(alm_ado_list(&l, &o), ALM_EINVALID);
	assert_int_equal(alm_ado_list(&l, NULL), ALM_EINVALID);
	assert_null(l);

	/* None of these asked the server anything. */
	log = read_log();
	assert_int_equal(cJSON_GetArraySize(log), 0);
	cJSON_Delete(log);
	alm_ado_listing_free(NULL);
}

static void test_credentials(void **state)
{
	run r;
	cJSON *log;
	const cJSON *e;
	int n = 0;
	(void)state;

	/* A PAT goes as Basic with an empty user; a pipeline token as Bearer. */
	list_path(&r, "contoso/ALM%20Project");
	assert_int_equal(r.rc, 0);
	run_free(&r);
	unsetenv("AZURE_DEVOPS_EXT_PAT");
	setenv("SYSTEM_ACCESSTOKEN", TOKEN "\n", 1);
	list_path(&r, "contoso/ALM%20Project");
	assert_int_equal(r.rc, 0);
	run_free(&r);
	list_path(&r, "fault/401@projects/contoso");
	expect_error(&r, ALM_EREMOTE, "SYSTEM_ACCESSTOKEN");

	log = read_log();
	cJSON_ArrayForEach(e, log) {
		const char *auth = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "headers"), "Authorization")->valuestring;
		if (n < 2)
			assert_string_equal(auth, "Basic OmFsbS1saXN0LXBhdC0zVm44UnQ2WXExWnM="); /* ":" TOKEN */
		else
			assert_string_equal(auth, "Bearer " TOKEN);
		n++;
	}
	assert_int_equal(n, 6); /* the last address is tried as a project first */
	cJSON_Delete(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_addresses),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test_setup(test_one_project, test_setup),
		cmocka_unit_test_setup(test_other_projects_repositories_left_out, test_setup),
		cmocka_unit_test_setup(test_organization, test_setup),
		cmocka_unit_test_setup(test_skip_paging, test_setup),
		cmocka_unit_test_setup(test_project_or_collection, test_setup),
		cmocka_unit_test_setup(test_one_project_fails, test_setup),
		cmocka_unit_test_setup(test_listing_fails, test_setup),
		cmocka_unit_test_setup(test_unreachable_and_deadline, test_setup),
		cmocka_unit_test_setup(test_input_errors, test_setup),
		cmocka_unit_test_setup(test_credentials, test_setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
