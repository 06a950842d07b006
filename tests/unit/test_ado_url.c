/* Azure DevOps addresses: project URLs, git remotes, pipeline variables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ado_url.h"
#include "alm/error.h"

static void expect_target(const char *input, int remote, const char *collection, const char *org,
			  const char *project, const char *repository, int server, int loopback)
{
	alm_ado_target t;
	int rc = remote ? alm_ado_url_from_remote(&t, input) : alm_ado_url_parse(&t, input);
	if (rc != 0)
		fail_msg("%s: %s", input, alm_error_last());
	assert_string_equal(t.collection, collection);
	assert_string_equal(t.organization, org);
	assert_string_equal(t.project, project);
	if (repository)
		assert_string_equal(t.repository, repository);
	else
		assert_null(t.repository);
	assert_int_equal(t.server, server);
	assert_int_equal(t.loopback, loopback);
	alm_ado_target_dispose(&t);
}

static void test_project_urls(void **state)
{
	(void)state;
	expect_target("https://dev.azure.com/fabrikam/Fabrikam-Fiber-Git", 0, "https://dev.azure.com/fabrikam",
		      "fabrikam", "Fabrikam-Fiber-Git", NULL, 0, 0);
	expect_target("https://dev.azure.com/fabrikam/Fabrikam-Fiber-Git/", 0, "https://dev.azure.com/fabrikam",
		      "fabrikam", "Fabrikam-Fiber-Git", NULL, 0, 0);
	/* UI addresses pasted from a browser: query, fragment and pages after the project. */
	expect_target("https://dev.azure.com/contoso/ALM%20Project/_build?definitionId=4#x", 0,
		      "https://dev.azure.com/contoso", "contoso", "ALM Project", NULL, 0, 0);
	expect_target("https://dev.azure.com/contoso/ALM Project", 0, "https://dev.azure.com/contoso", "contoso",
		      "ALM Project", NULL, 0, 0);
	expect_target("https://dev.azure.com/contoso/ALM%20Project/_git/Core%20App", 0,
		      "https://dev.azure.com/contoso", "contoso", "ALM Project", "Core App", 0, 0);
	expect_target("https://fabrikam.visualstudio.com/Fabrikam-Fiber-Git", 0, "https://fabrikam.visualstudio.com",
		      "fabrikam", "Fabrikam-Fiber-Git", NULL, 0, 0);
	expect_target("https://fabrikam.visualstudio.com/DefaultCollection/Fabrikam-Fiber-Git", 0,
		      "https://fabrikam.visualstudio.com/DefaultCollection", "fabrikam", "Fabrikam-Fiber-Git", NULL, 0, 0);
	/* Azure DevOps Server: a collection URL plus the project. */
	expect_target("https://tfs.contoso.local/tfs/DefaultCollection/Payroll", 0,
		      "https://tfs.contoso.local/tfs/DefaultCollection", "DefaultCollection", "Payroll", NULL, 1, 0);
	expect_target("https://tfs.contoso.local:8080/tfs/Main/Payroll/_git/api", 0,
		      "https://tfs.contoso.local:8080/tfs/Main", "Main", "Payroll", "api", 1, 0);
	expect_target("https://ado.contoso.local/Main/Payroll", 0, "https://ado.contoso.local/Main", "Main",
		      "Payroll", NULL, 1, 0);
	/* A repository named like its project has the short address. */
	expect_target("https://tfs.contoso.local/tfs/Main/_git/Payroll", 0, "https://tfs.contoso.local/tfs/Main",
		      "Main", "Payroll", "Payroll", 1, 0);
	expect_target("https://dev.azure.com/fabrikam/_git/Fabrikam-Fiber-Git", 0, "https://dev.azure.com/fabrikam",
		      "fabrikam", "Fabrikam-Fiber-Git", "Fabrikam-Fiber-Git", 0, 0);
	/* The loopback stand-in used by the tests. */
	expect_target("http://127.0.0.1:8123/contoso/ALM%20Project", 0, "http://127.0.0.1:8123/contoso", "contoso",
		      "ALM Project", NULL, 0, 1);
	expect_target("http://localhost:8123/fault/500x1%40build/contoso/P", 0,
		      "http://localhost:8123/fault/500x1%40build/contoso", "contoso", "P", NULL, 0, 1);
	expect_target("http://[::1]:8123/o/p", 0, "http://[::1]:8123/o", "o", "p", NULL, 0, 1);
}

static void expect_bad_url(const char *url, const char *fragment)
{
	alm_ado_target t;
	int rc = alm_ado_url_parse(&t, url);
	assert_int_equal(rc, ALM_EINVALID);
	if (!strstr(alm_error_last(), fragment))
		fail_msg("%s: message '%s' lacks '%s'", url, alm_error_last(), fragment);
	assert_null(strchr(alm_error_last(), '\n'));
	assert_null(t.collection);
}

static void test_bad_urls(void **state)
{
	(void)state;
	expect_bad_url("", "empty");
	expect_bad_url("dev.azure.com/org/proj", "not a URL");
	expect_bad_url("ftp://dev.azure.com/org/proj", "https://");
	expect_bad_url("https://dev.azure.com/", "no organization");
	expect_bad_url("https://dev.azure.com/org", "no project");
	expect_bad_url("https://dev.azure.com/org/_apis/projects", "no project");
	expect_bad_url("https://server.local/OnlyCollection", "no collection");
	expect_bad_url("https://dev.azure.com/org/bad%2", "malformed");
	expect_bad_url("https://dev.azure.com/org/a%00b", "malformed");
	expect_bad_url("https://dev.azure.com/org/a%2Fb", "single path segment");
}

static void test_remotes(void **state)
{
	(void)state;
	expect_target("https://dev.azure.com/contoso/ALM%20Project/_git/Core%20App", 1,
		      "https://dev.azure.com/contoso", "contoso", "ALM Project", "Core App", 0, 0);
	expect_target("https://contoso@dev.azure.com/contoso/ALM%20Project/_git/Core", 1,
		      "https://dev.azure.com/contoso", "contoso", "ALM Project", "Core", 0, 0);
	expect_target("https://contoso.visualstudio.com/ALM%20Project/_git/Core", 1,
		      "https://contoso.visualstudio.com", "contoso", "ALM Project", "Core", 0, 0);
	expect_target("https://contoso.visualstudio.com/DefaultCollection/ALM%20Project/_git/Core", 1,
		      "https://contoso.visualstudio.com/DefaultCollection", "contoso", "ALM Project", "Core", 0, 0);
	expect_target("git@ssh.dev.azure.com:v3/contoso/ALM%20Project/Core%20App", 1,
		      "https://dev.azure.com/contoso", "contoso", "ALM Project", "Core App", 0, 0);
	expect_target("ssh://git@ssh.dev.azure.com/v3/contoso/Payroll/api", 1, "https://dev.azure.com/contoso",
		      "contoso", "Payroll", "api", 0, 0);
	expect_target("contoso@vs-ssh.visualstudio.com:v3/contoso/Payroll/api", 1,
		      "https://contoso.visualstudio.com", "contoso", "Payroll", "api", 0, 0);
	expect_target("https://tfs.contoso.local/tfs/Main/Payroll/_git/api", 1,
		      "https://tfs.contoso.local/tfs/Main", "Main", "Payroll", "api", 1, 0);
	expect_target("http://127.0.0.1:9/contoso/ALM%20Project/_git/ALM%20Project", 1,
		      "http://127.0.0.1:9/contoso", "contoso", "ALM Project", "ALM Project", 0, 1);
}

static void test_foreign_remotes(void **state)
{
	static const char *const others[] = {
		"https://github.com/contoso/app.git", "git@github.com:contoso/app.git",
		"ssh://git@gitlab.com/contoso/app.git", "/srv/git/app.git", "../app", "file:///srv/app",
		"https://bitbucket.org/contoso/app",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof others / sizeof *others; i++) {
		alm_ado_target t;
		int rc = alm_ado_url_from_remote(&t, others[i]);
		if (rc != ALM_ENOTFOUND)
			fail_msg("%s: %d %s", others[i], rc, alm_error_last());
	}
	{
		alm_ado_target t;
		/* On Azure DevOps but not a repository address. */
		assert_int_equal(alm_ado_url_from_remote(&t, "git@ssh.dev.azure.com:v3/contoso/onlyproject"), ALM_EINVALID);
		assert_int_equal(alm_ado_url_from_remote(&t, "https://dev.azure.com/contoso/Payroll"), ALM_EINVALID);
	}
}

/* A fake environment for alm_ado_resolve. */
static const char *const *fake_env;

static const char *lookup(const char *name)
{
	size_t i;
	for (i = 0; fake_env && fake_env[i]; i += 2)
		if (strcmp(fake_env[i], name) == 0)
			return fake_env[i + 1];
	return NULL;
}

static void test_resolve(void **state)
{
	static const char *const pipeline[] = {
		"TF_BUILD", "True", "SYSTEM_COLLECTIONURI", "https://dev.azure.com/contoso/",
		"SYSTEM_TEAMPROJECT", "ALM Project", "BUILD_REPOSITORY_NAME", "Core App",
		"BUILD_REPOSITORY_PROVIDER", "TfsGit", NULL,
	};
	static const char *const github_pipeline[] = {
		"TF_BUILD", "True", "SYSTEM_COLLECTIONURI", "https://dev.azure.com/contoso/",
		"SYSTEM_TEAMPROJECT", "ALM Project", "BUILD_REPOSITORY_NAME", "contoso/app",
		"BUILD_REPOSITORY_PROVIDER", "GitHub", NULL,
	};
	static const char *const server_pipeline[] = {
		"TF_BUILD", "true", "SYSTEM_COLLECTIONURI", "https://tfs.contoso.local/tfs/Main/",
		"SYSTEM_TEAMPROJECT", "Payroll", NULL,
	};
	alm_ado_target t;
	alm_ado_origin origin;
	(void)state;

	/* An explicit URL wins, and its repository. */
	fake_env = pipeline;
	assert_int_equal(alm_ado_resolve(&t, &origin, "https://dev.azure.com/o/p/_git/r", NULL,
					 "git@ssh.dev.azure.com:v3/x/y/z", lookup), 0);
	assert_int_equal(origin, ALM_ADO_FROM_URL);
	assert_string_equal(t.project, "p");
	assert_string_equal(t.repository, "r");
	alm_ado_target_dispose(&t);

	/* --ado-repo wins over everything. */
	assert_int_equal(alm_ado_resolve(&t, &origin, "https://dev.azure.com/o/p/_git/r", "other", NULL, lookup), 0);
	assert_string_equal(t.repository, "other");
	alm_ado_target_dispose(&t);

	/* Inside Azure Pipelines. */
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, NULL, lookup), 0);
	assert_int_equal(origin, ALM_ADO_FROM_PIPELINE);
	assert_string_equal(t.collection, "https://dev.azure.com/contoso");
	assert_string_equal(t.project, "ALM Project");
	assert_string_equal(t.repository, "Core App");
	alm_ado_target_dispose(&t);

	/* The checkout's remote names the repository when it is the same project. */
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL,
					 "https://contoso@dev.azure.com/contoso/ALM%20Project/_git/Web", lookup), 0);
	assert_string_equal(t.repository, "Web");
	alm_ado_target_dispose(&t);
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, "git@ssh.dev.azure.com:v3/other/P/Web", lookup), 0);
	assert_string_equal(t.repository, "Core App");
	alm_ado_target_dispose(&t);

	/* A pipeline building a GitHub repository: its name is not an Azure Repos one. */
	fake_env = github_pipeline;
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, NULL, lookup), 0);
	assert_null(t.repository);
	alm_ado_target_dispose(&t);

	fake_env = server_pipeline;
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, NULL, lookup), 0);
	assert_string_equal(t.collection, "https://tfs.contoso.local/tfs/Main");
	assert_int_equal(t.server, 1);
	alm_ado_target_dispose(&t);

	/* Outside a pipeline: the remote, or nothing. */
	fake_env = NULL;
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, "git@ssh.dev.azure.com:v3/c/P/R", lookup), 0);
	assert_int_equal(origin, ALM_ADO_FROM_REMOTE);
	assert_string_equal(t.organization, "c");
	assert_string_equal(t.repository, "R");
	alm_ado_target_dispose(&t);
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, "git@github.com:c/r.git", lookup), ALM_ENOTFOUND);
	assert_int_equal(alm_ado_resolve(&t, &origin, NULL, NULL, NULL, lookup), ALM_ENOTFOUND);
	assert_int_equal(alm_ado_resolve(&t, &origin, "https://dev.azure.com/", NULL, NULL, lookup), ALM_EINVALID);
}

static void test_loopback_and_escape(void **state)
{
	char *s;
	char buf[32];
	(void)state;
	assert_true(alm_ado_host_is_loopback("127.0.0.1"));
	assert_true(alm_ado_host_is_loopback("127.255.3.4"));
	assert_true(alm_ado_host_is_loopback("localhost"));
	assert_true(alm_ado_host_is_loopback("LOCALHOST"));
	assert_true(alm_ado_host_is_loopback("[::1]"));
	assert_true(alm_ado_host_is_loopback("::1"));
	assert_true(alm_ado_host_is_loopback("[::ffff:127.0.0.1]"));
	assert_false(alm_ado_host_is_loopback("128.0.0.1"));
	assert_false(alm_ado_host_is_loopback("127.0.0.1.nip.io"));
	assert_false(alm_ado_host_is_loopback("localhost.contoso.com"));
	assert_false(alm_ado_host_is_loopback("dev.azure.com"));
	assert_false(alm_ado_host_is_loopback("[::2]"));
	assert_false(alm_ado_host_is_loopback(NULL));

	s = alm_ado_escape("3|a0 +/&=~-._Zé");
	assert_string_equal(s, "3%7Ca0%20%2B%2F%26%3D~-._Z%C3%A9");
	free(s);
	strcpy(buf, "ALM%20Project%2b");
	assert_int_equal(alm_ado_unescape(buf), 0);
	assert_string_equal(buf, "ALM Project+");
	strcpy(buf, "bad%zz");
	assert_int_equal(alm_ado_unescape(buf), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_urls),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_remotes),
		cmocka_unit_test(test_foreign_remotes),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_loopback_and_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
