/*
 * The repository probe against real repositories made with the git command
 * line: every pull-request convention, windows, refs that must not count,
 * shallow, detached, bare, empty and broken repositories, Power Platform and
 * accelerator layouts, and a cross-check against git's own counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alm/error.h"
#include "alm/facts.h"
#include "alm/repo_probe.h"
#include "support.h"

/* Shell functions for the fixtures: dated commits and merges. */
#define PRELUDE                                                                               \
	"set -e; "                                                                            \
	"ci() { t=$1; shift; GIT_AUTHOR_DATE=\"@$t +0000\" GIT_COMMITTER_DATE=\"@$t +0000\" "   \
	"git commit -q --allow-empty \"$@\"; }; "                                             \
	"mg() { t=$1; shift; GIT_AUTHOR_DATE=\"@$t +0000\" GIT_COMMITTER_DATE=\"@$t +0000\" "   \
	"git merge -q --no-ff \"$@\"; }; "                                                   \
	"ct() { t=$1; shift; GIT_AUTHOR_DATE=\"@$t +0000\" GIT_COMMITTER_DATE=\"@$t +0000\" "   \
	"git commit-tree \"$@\"; }; "

static void run(const char *dir, const char *script)
{
	int rc = test_sh("cd '%s' && { " PRELUDE "%s\n} >/dev/null 2>&1", dir, script);
	if (rc != 0)
		fail_msg("fixture script failed (%d) in %s:\n%s", rc, dir, script);
}

static char *output(const char *dir, const char *cmd)
{
	int st;
	char *out = test_sh_output(&st, "cd '%s' && %s", dir, cmd);
	if (st != 0)
		fail_msg("command failed in %s: %s", dir, cmd);
	return out;
}

static long number_of(const char *dir, const char *cmd)
{
	char *out = output(dir, cmd);
	long n = strtol(out, NULL, 10);
	free(out);
	return n;
}

static alm_facts *probe_at(const char *path, const alm_repo_probe_options *opts)
{
	alm_facts *facts = NULL;
	int rc;
	assert_int_equal(alm_facts_new(&facts), 0);
	rc = alm_repo_probe(facts, path, opts);
	if (rc != 0)
		fail_msg("alm_repo_probe(%s) = %d: %s", path, rc, alm_error_last());
	return facts;
}

/* Fails the test, naming the fact, what it should be and what it is. */
static void fail_got(const char *path, const char *want, const cJSON *j)
{
	char *got = j ? cJSON_PrintUnformatted(j) : NULL;
	fail_msg("%s: expected %s, got %s", path, want, got ? got : "(missing)");
}

static void want_number(const alm_facts *f, const char *path, double v)
{
	const cJSON *j = alm_facts_get(f, path);
	char want[64];
	snprintf(want, sizeof want, "%g", v);
	if (!cJSON_IsNumber(j) || j->valuedouble != v)
		fail_got(path, want, j);
}

/* The fact is the number that the git command line `cmd` prints in `dir`. */
static void want_as_git(const alm_facts *f, const char *path, const char *dir, const char *cmd)
{
	want_number(f, path, (double)number_of(dir, cmd));
}

/* repo.commits and repo.merges are what git counts on the branches and
 * remote branches, within `window` (rev-list options, or ""). */
static void want_history_as_git(const alm_facts *f, const char *dir, const char *window)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "git rev-list --count %s --branches --remotes", window);
	want_as_git(f, "repo.commits", dir, cmd);
	snprintf(cmd, sizeof cmd, "git rev-list --count --merges %s --branches --remotes", window);
	want_as_git(f, "repo.merges", dir, cmd);
}

static void want_string(const alm_facts *f, const char *path, const char *v)
{
	const cJSON *j = alm_facts_get(f, path);
	char want[4096];
	snprintf(want, sizeof want, "\"%s\"", v);
	if (!cJSON_IsString(j) || strcmp(j->valuestring, v) != 0)
		fail_got(path, want, j);
}

static void want_null(const alm_facts *f, const char *path)
{
	const cJSON *j = alm_facts_get(f, path);
	if (!cJSON_IsNull(j))
		fail_got(path, "null", j);
}

static void want_bool(const alm_facts *f, const char *path, int v)
{
	const cJSON *j = alm_facts_get(f, path);
	if (!cJSON_IsBool(j) || cJSON_IsTrue(j) != !!v)
		fail_msg("%s: expected %s", path, v ? "true" : "false");
}

/* `expected` is a NULL-terminated list of the exact array, in order. */
static void want_array(const alm_facts *f, const char *path, const char *const *expected)
{
	const cJSON *j = alm_facts_get(f, path), *item;
	char *got = j ? cJSON_PrintUnformatted(j) : NULL;
	size_t i = 0;

	if (!cJSON_IsArray(j))
		fail_msg("%s: expected an array, got %s", path, got ? got : "(missing)");
	cJSON_ArrayForEach(item, j) {
		if (!expected[i] || !cJSON_IsString(item) || strcmp(item->valuestring, expected[i]) != 0)
			fail_msg("%s: got %s, differs at %zu", path, got, i);
		i++;
	}
	if (expected[i])
		fail_msg("%s: got %s, missing %s", path, got, expected[i]);
	free(got);
}

static void want_status(const alm_facts *f, const char *status, const char *detail_part)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(alm_facts_probes(f), "repo");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "status");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");
	if (!cJSON_IsString(s) || strcmp(s->valuestring, status) != 0)
		fail_msg("probe status: expected %s, got %s (%s)", status,
			 cJSON_IsString(s) ? s->valuestring : "?",
			 cJSON_IsString(d) ? d->valuestring : "");
	if (detail_part && (!cJSON_IsString(d) || !strstr(d->valuestring, detail_part)))
		fail_msg("probe detail lacks \"%s\": %s", detail_part,
			 cJSON_IsString(d) ? d->valuestring : "(none)");
}

/* Every repo.* value carries an evidence sentence. */
static void want_evidence_everywhere(const alm_facts *f, const cJSON *node, const char *prefix)
{
	const cJSON *child;
	if (cJSON_IsObject(node)) {
		cJSON_ArrayForEach(child, node) {
			char path[256];
			snprintf(path, sizeof path, "%s.%s", prefix, child->string);
			if (cJSON_IsObject(child)) {
				want_evidence_everywhere(f, child, path);
			} else {
				const cJSON *e = alm_facts_evidence(f, path);
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "detail");
				if (!cJSON_IsString(d) || !*d->valuestring)
					fail_msg("%s has no evidence sentence", path);
			}
		}
	}
}

/* Clones `scheme` + `src` into `dst` (replacing it) with git clone's `flags`. */
static void clone(const char *dst, const char *flags, const char *scheme, const char *src)
{
	test_sh("rm -rf '%s'", dst);
	if (test_sh("git clone -q %s '%s%s' '%s' >/dev/null 2>&1", flags, scheme, src, dst) != 0)
		fail_msg("git clone %s failed", flags);
}

/* ---- pull-request conventions, refs, authors -------------------------- */

static const char conventions_script[] =
	"ci 1000 -m 'Initial commit'\n"
	"git checkout -q -b f1; ci 1100 -m 'feature one'; git checkout -q main\n"
	"mg 1200 -m 'Merged PR 12: Add one' f1\n"
	"ci 1300 -m 'Merged PR 13: Squashed two'\n"
	"git checkout -q -b f2; ci 1400 -m 'feature two'; git checkout -q main\n"
	"mg 1500 -m 'Merge pull request #14 from org/f2' -m 'Feature two' f2\n"
	"ci 1600 -m 'Add three (#15)'\n"
	"git checkout -q -b f3; ci 1700 -m 'feature three'; git checkout -q main\n"
	"mg 1800 -m \"Merge branch 'f3' into 'main'\" -m 'Three' -m 'See merge request grp/proj!16' f3\n"
	"git checkout -q -b f4; ci 1900 -m 'feature four'; git checkout -q main\n"
	"mg 2000 -m 'Merged in f4 (pull request #17)' f4\n"
	"git checkout -q -b f5; ci 2100 -m 'feature five'; git checkout -q main\n"
	"mg 2200 -m \"Merge branch 'f5'\" f5\n"
	"git checkout -q -b f6; ci 2300 -m 'feature six'; git checkout -q main\n"
	"mg 2400 -m 'Release (#19)' f6\n"
	"ci 2500 -m 'Merge pull request #20 from org/x' --author='Bob <Bob@Example.COM>'\n"
	"ci 2600 -m 'Fix typo' --author='Bob <bob@example.com>'\n"
	"git tag v1 HEAD~3\n"
	"GIT_COMMITTER_DATE='@2650 +0000' git tag -a v2 -m release HEAD\n"
	"git update-ref refs/remotes/origin/main HEAD\n"
	"git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main\n"
	"git symbolic-ref refs/remotes/upstream/HEAD refs/remotes/upstream/gone\n"
	"r=$(ct 2700 'HEAD^{tree}' -p HEAD -m 'remote work'); git update-ref refs/remotes/origin/feature $r\n"
	"p=$(ct 2800 'HEAD^{tree}' -p HEAD -m 'Merged PR 99: not on a branch'); git update-ref refs/pull/21/head $p\n"
	"git remote add upstream git@github.com:org/repo.git\n"
	"git remote add origin https://user:secret@dev.azure.com/org/proj/_git/repo\n";

static void test_conventions(void **state)
{
	char *dir = test_git_init(), head[64];
	alm_facts *f;
	char *out;
	(void)state;

	run(dir, conventions_script);
	f = probe_at(dir, NULL);

	want_number(f, "repo.commits", 18);
	want_as_git(f, "repo.commits", dir, "git rev-list --count --branches --remotes");
	want_number(f, "repo.merges", 6);
	want_as_git(f, "repo.merges", dir, "git rev-list --count --merges --branches --remotes");
	want_number(f, "repo.pull_requests.azure_devops", 2);
	want_number(f, "repo.pull_requests.github_merge", 1);
	want_number(f, "repo.pull_requests.github_squash", 1);
	want_number(f, "repo.pull_requests.gitlab", 1);
	want_number(f, "repo.pull_requests.bitbucket", 1);
	want_number(f, "repo.pull_requests.total", 6);
	want_string(f, "repo.default_branch", "main");
	want_number(f, "repo.first_parent.commits", 11);
	want_as_git(f, "repo.first_parent.commits", dir, "git rev-list --count --first-parent main");
	want_number(f, "repo.first_parent.merges", 6);
	want_number(f, "repo.first_parent.pull_requests", 6);
	want_number(f, "repo.first_parent.direct_commits", 3);
	want_number(f, "repo.first_parent.pr_share", 6.0 / 11.0);
	want_number(f, "repo.branches.local", 7);
	want_number(f, "repo.branches.remote", 2);
	want_number(f, "repo.branches.active", 9);
	want_number(f, "repo.tags", 2);
	want_number(f, "repo.authors", 2);
	want_string(f, "repo.last_commit_at", "1970-01-01T00:45:00Z");
	out = output(dir, "git rev-parse HEAD");
	snprintf(head, sizeof head, "%.40s", out);
	free(out);
	want_string(f, "repo.head", head);
	want_bool(f, "repo.shallow", 0);
	want_bool(f, "repo.bare", 0);
	want_bool(f, "repo.detached", 0);
	want_bool(f, "repo.empty", 0);
	want_bool(f, "repo.history_complete", 1);
	want_null(f, "repo.since");
	want_string(f, "repo.host", "azure-devops");
	want_string(f, "repo.remote_url", "https://dev.azure.com/org/proj/_git/repo");
	want_status(f, "ok", NULL);
	{
		static const char *const none[] = { NULL };
		want_array(f, "repo.files.pipelines.azure", none);
		want_array(f, "repo.environments", none);
		want_null(f, "repo.files.codeowners");
	}
	/* The lower-bound caveat is part of every pull-request sentence. */
	{
		const cJSON *e = alm_facts_evidence(f, "repo.first_parent.pull_requests");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "detail");
		assert_true(cJSON_IsString(d));
		assert_non_null(strstr(d->valuestring, "6 of 11 commits on main"));
		assert_non_null(strstr(d->valuestring, "lower bound"));
	}
	want_evidence_everywhere(f, alm_facts_get(f, "repo"), "repo");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_window(void **state)
{
	char *dir = test_git_init();
	alm_repo_probe_options o = ALM_REPO_PROBE_OPTIONS_INIT;
	alm_facts *f;
	(void)state;

	run(dir, conventions_script);
	o.all_history = 0;
	o.since = 1650;
	f = probe_at(dir, &o);
	want_number(f, "repo.commits", 11);
	want_history_as_git(f, dir, "--max-age=1650");
	want_number(f, "repo.first_parent.commits", 6);
	want_as_git(f, "repo.first_parent.commits", dir, "git rev-list --count --first-parent --max-age=1650 main");
	want_number(f, "repo.pull_requests.gitlab", 1);
	want_number(f, "repo.pull_requests.bitbucket", 1);
	want_number(f, "repo.pull_requests.azure_devops", 0);
	want_number(f, "repo.pull_requests.total", 2);
	want_number(f, "repo.branches.active", 7);
	want_string(f, "repo.since", "1970-01-01T00:27:30Z");
	want_bool(f, "repo.history.window_empty", 0);
	alm_facts_free(f);

	/* A window after every commit: nothing in it, but the branches exist,
	 * and the newest commit before the window dates the last activity. */
	o.since = 100000;
	f = probe_at(dir, &o);
	want_number(f, "repo.commits", 0);
	want_number(f, "repo.first_parent.commits", 0);
	want_null(f, "repo.first_parent.pr_share");
	want_string(f, "repo.last_commit_at", "1970-01-01T00:45:00Z");
	want_bool(f, "repo.history.window_empty", 1);
	want_number(f, "repo.branches.active", 0);
	want_number(f, "repo.branches.local", 7);
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* ---- checkouts as CI makes them --------------------------------------- */

static void test_shallow_clone(void **state)
{
	char *src = test_git_init(), *dst = test_mkdtemp();
	alm_facts *f;
	(void)state;

	run(src, conventions_script);
	run(src, "true");
	clone(dst, "--depth 1", "file://", src);
	f = probe_at(dst, NULL);
	want_bool(f, "repo.shallow", 1);
	want_bool(f, "repo.history_complete", 0);
	want_status(f, "degraded", "git fetch --unshallow");
	want_status(f, "degraded", "fetchDepth: 0");
	want_status(f, "degraded", "fetch-depth: 0");
	want_history_as_git(f, dst, "");
	want_number(f, "repo.first_parent.commits", 1);
	want_string(f, "repo.host", "other");
	alm_facts_free(f);
	test_remove_dir(src);
	test_remove_dir(dst);
}

static void test_detached_head(void **state)
{
	char *src = test_git_init(), *dst = test_mkdtemp();
	alm_facts *f;
	(void)state;

	run(src, conventions_script);
	clone(dst, "", "file://", src);
	/* As Azure Pipelines leaves it: a commit checked out, no local branch. */
	run(dst, "git checkout -q --detach HEAD~1 && git branch -q -D main");
	f = probe_at(dst, NULL);
	want_bool(f, "repo.detached", 1);
	want_bool(f, "repo.history_complete", 0);
	want_string(f, "repo.default_branch", "main");
	want_status(f, "degraded", "detached HEAD");
	want_number(f, "repo.branches.local", 0);
	want_number(f, "repo.first_parent.commits", 11);
	want_as_git(f, "repo.commits", dst, "git rev-list --count --branches --remotes");
	alm_facts_free(f);

	/* No origin/HEAD: main or master is taken when it exists. */
	run(src, "git checkout -q --detach HEAD~2 && git symbolic-ref -d refs/remotes/origin/HEAD");
	f = probe_at(src, NULL);
	want_bool(f, "repo.detached", 1);
	want_string(f, "repo.default_branch", "main");
	want_number(f, "repo.first_parent.commits", 11);
	alm_facts_free(f);

	/* Neither: the default branch and the first-parent facts are unknown. */
	run(src, "git branch -q -m main trunk && git update-ref -d refs/remotes/origin/main");
	f = probe_at(src, NULL);
	want_null(f, "repo.default_branch");
	want_null(f, "repo.first_parent.commits");
	want_null(f, "repo.first_parent.pr_share");
	alm_facts_free(f);
	test_remove_dir(src);
	test_remove_dir(dst);
}

static void test_bare_and_subdirectory(void **state)
{
	char *src = test_git_init(), *bare = test_mkdtemp(), sub[4096];
	alm_facts *f;
	(void)state;

	run(src, "mkdir -p a/b && echo x > a/b/file && git add a && ci 1000 -m one && ci 1100 -m two");
	snprintf(sub, sizeof sub, "%s/a/b", src);
	f = probe_at(sub, NULL);
	want_number(f, "repo.commits", 2);
	want_bool(f, "repo.bare", 0);
	alm_facts_free(f);

	clone(bare, "--bare", "", src);
	f = probe_at(bare, NULL);
	want_bool(f, "repo.bare", 1);
	want_number(f, "repo.commits", 2);
	want_string(f, "repo.default_branch", "main");
	want_string(f, "repo.host", "other");
	want_status(f, "ok", NULL);
	alm_facts_free(f);
	test_remove_dir(src);
	test_remove_dir(bare);
}

static void test_empty_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	static const char *const none[] = { NULL };
	(void)state;

	f = probe_at(dir, NULL);
	want_bool(f, "repo.empty", 1);
	want_number(f, "repo.commits", 0);
	want_number(f, "repo.merges", 0);
	want_number(f, "repo.pull_requests.total", 0);
	want_number(f, "repo.authors", 0);
	want_number(f, "repo.branches.local", 0);
	want_number(f, "repo.tags", 0);
	want_null(f, "repo.head");
	want_null(f, "repo.last_commit_at");
	want_string(f, "repo.default_branch", "main");
	want_number(f, "repo.first_parent.commits", 0);
	want_null(f, "repo.first_parent.pr_share");
	want_string(f, "repo.host", "none");
	want_null(f, "repo.remote_url");
	want_array(f, "repo.files.pipelines.github", none);
	want_bool(f, "repo.history_complete", 1);
	want_status(f, "ok", NULL);
	want_evidence_everywhere(f, alm_facts_get(f, "repo"), "repo");
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_not_a_repository(void **state)
{
	char *dir = test_mkdtemp(), expect[4200], missing[4200];
	alm_facts *f = NULL;
	(void)state;

	assert_int_equal(alm_facts_new(&f), 0);
	assert_int_equal(alm_repo_probe(f, dir, NULL), ALM_ENOTFOUND);
	snprintf(expect, sizeof expect, "%s: not a git repository", dir);
	assert_string_equal(alm_error_last(), expect);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	assert_int_equal(alm_repo_probe(f, missing, NULL), ALM_ENOTFOUND);
	assert_non_null(strstr(alm_error_last(), missing));
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_owned_by_another_user(void **state)
{
	char *dir;
	alm_facts *f = NULL;
	int rc;
	(void)state;

	if (geteuid() != 0)
		skip(); /* only root can give a repository to another user */
	dir = test_git_init();
	run(dir, "ci 1000 -m one && chown -R 4242:4242 .");
	assert_int_equal(alm_facts_new(&f), 0);
	rc = alm_repo_probe(f, dir, NULL);
	assert_int_equal(rc, ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "git config --global --add safe.directory"));
	assert_non_null(strstr(alm_error_last(), dir));
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_corrupt_objects(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	/* Commits stay loose; break the middle one's object file. */
	run(dir, "ci 1000 -m one && ci 1100 -m two && ci 1200 -m three && "
		 "o=$(git rev-parse HEAD~1) && f=.git/objects/$(echo $o | cut -c1-2)/$(echo $o | cut -c3-) && "
		 "chmod u+w $f && printf 'garbage' > $f");
	f = probe_at(dir, NULL);
	want_status(f, "degraded", "could not be read");
	want_bool(f, "repo.history_complete", 0);
	want_number(f, "repo.commits", 1);
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_broken_commit_graph(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	run(dir, conventions_script);
	/* A truncated graph, then one with a bad signature: both are ignored. */
	run(dir, "git commit-graph write --reachable && g=.git/objects/info/commit-graph && "
		 "chmod u+w $g && head -c 1500 $g > $g.tmp && mv $g.tmp $g");
	f = probe_at(dir, NULL);
	want_number(f, "repo.commits", 18);
	want_number(f, "repo.merges", 6);
	want_status(f, "ok", NULL);
	alm_facts_free(f);
	run(dir, "printf 'CGPH\\001\\001\\003\\000garbage' > .git/objects/info/commit-graph");
	f = probe_at(dir, NULL);
	want_number(f, "repo.commits", 18);
	want_number(f, "repo.first_parent.commits", 11);
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* ---- files at HEAD ------------------------------------------------------ */

static const char validation_pipeline[] =
	"trigger: none\n"
	"resources:\n"
	"  repositories:\n"
	"  - repository: PipelineRepo\n"
	"    type: git\n"
	"    name: alm-accelerator-templates\n"
	"variables:\n"
	"- group: alm-accelerator-variable-group\n"
	"stages:\n"
	"- template: Pipelines\\Templates\\build-deploy-Solution-To-Environment.yml@PipelineRepo\n"
	"  parameters:\n"
	"    serviceConnection: 'Validation'\n";

static const char prod_pipeline[] =
	"trigger:\n"
	"  branches:\n"
	"    include: [main]\n"
	"pool:\n"
	"  vmImage: windows-latest\n"
	"stages:\n"
	"- stage: Deploy\n"
	"  jobs:\n"
	"  - deployment: DeployProd\n"
	"    environment: 'Production'   # the real one\n"
	"    strategy:\n"
	"      runOnce:\n"
	"        deploy:\n"
	"          steps:\n"
	"          - task: PowerPlatformToolInstaller@2\n"
	"  - deployment: DeployTest\n"
	"    environment:\n"
	"      name: Test\n";

static const char template_pipeline[] =
	"parameters:\n"
	"- name: serviceConnection\n"
	"  type: string\n"
	"stages:\n"
	"- stage: Build\n"
	"  jobs:\n"
	"  - deployment: Deploy\n"
	"    environment:\n"
	"      name: $(EnvironmentName)\n"
	"    strategy:\n"
	"      runOnce:\n"
	"        deploy:\n"
	"          steps:\n"
	"          - script: echo build\n";

static const char workflow[] =
	"name: ci\n"
	"on: [push]\n"
	"jobs:\n"
	"  build:\n"
	"    runs-on: ubuntu-latest\n"
	"    environment: staging\n"
	"    steps:\n"
	"    - uses: actions/checkout@v4\n"
	"    - uses: actions/github-script@v7\n"
	"      with:\n"
	"        script: console.log(1)\n";

static const char gitlab_ci[] =
	"stages:\n  - build\nbuild:\n  stage: build\n  script:\n    - make\n";

static const char compose[] =
	"services:\n  web:\n    image: x\n    environment:\n      - FOO=bar\n";

static const char plain_azure[] =
	"\xEF\xBB\xBFpool:\n  vmImage: ubuntu-latest\nsteps:\n- script: echo hi\n";

static const char plugin_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n"
	"    <PackageReference Include=\"Microsoft.CrmSdk.CoreAssemblies\" Version=\"9.0.2\" />\n"
	"  </ItemGroup>\n</Project>\n";

static void write_in(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (test_write_file(path, text) != 0)
		fail_msg("cannot write %s", path);
}

static void test_power_platform_layout(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	write_in(dir, "MySolution/SolutionPackage/MySolution.cdsproj", "<Project/>\n");
	write_in(dir, "MySolution/SolutionPackage/src/Other/Solution.xml", "<ImportExportXml/>\n");
	write_in(dir, "MySolution/SolutionPackage/src/Other/Customizations.xml", "<x/>\n");
	write_in(dir, "MySolution/CanvasApps/app_DocumentUri.msapp", "zip\n");
	write_in(dir, "MySolution/CanvasApps/src/app/CanvasManifest.json", "{}\n");
	write_in(dir, "MySolution/PCF/ctl/ctl.pcfproj", "<Project/>\n");
	write_in(dir, "MySolution/PCF/ctl/ControlManifest.Input.xml", "<manifest/>\n");
	write_in(dir, "MySolution/Plugins/Plugins.csproj", plugin_csproj);
	write_in(dir, "Tools/Tool.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"/>\n");
	write_in(dir, "Connectors/myconn.xml", "<x/>\n");
	write_in(dir, "conn/x_openapidefinition.json", "{}\n");
	write_in(dir, "paconn/apiDefinition.swagger.json", "{}\n");
	write_in(dir, "site/.portalconfig/site.json", "{}\n");
	write_in(dir, "portal/website.yml", "adx_name: Site\n");
	write_in(dir, "portal/web-pages/home/Home.webpage.yml", "adx_name: Home\n");
	write_in(dir, "notes/website.yml", "title: not a site\n");
	write_in(dir, "data/data_schema.xml", "<entities/>\n");
	write_in(dir, "data/data.xml", "<entities/>\n");
	write_in(dir, "lone/data_schema.xml", "<entities/>\n");
	write_in(dir, "ConfigurationMigrationData.zip", "zip\n");
	write_in(dir, "MySolution/config/Test/deploymentSettings.json", "{}\n");
	write_in(dir, "MySolution/config/Prod/customDeploymentSettings.json", "{}\n");
	write_in(dir, "MySolution/config/deploymentSettings-UAT.json", "{}\n");
	write_in(dir, "MySolution/config/deploymentSettings.json", "{}\n");
	write_in(dir, "Pipelines/build-deploy-validation-MySolution.yml", validation_pipeline);
	write_in(dir, "Pipelines/deploy-prod-MySolution.yml", prod_pipeline);
	write_in(dir, "Pipelines/Templates/build-deploy-Solution-To-Environment.yml", template_pipeline);
	write_in(dir, "build/azure-pipelines.yml", plain_azure);
	write_in(dir, ".github/workflows/ci.yml", workflow);
	write_in(dir, ".github/workflows/nested/other.yml", workflow);
	write_in(dir, ".gitlab-ci.yml", gitlab_ci);
	write_in(dir, "docker-compose.yml", compose);
	write_in(dir, ".github/CODEOWNERS", "* @team\n");
	write_in(dir, "docs/CODEOWNERS", "* @docs\n");
	run(dir, "git add -A && ci 1000 -m layout");
	/* The work tree is not HEAD: none of this may show. */
	write_in(dir, "Pipelines/untracked-deploy-dev-X.yml", prod_pipeline);
	write_in(dir, "Other/Solution.xml", "<ImportExportXml/>\n");
	run(dir, "rm MySolution/PCF/ctl/ctl.pcfproj && git add Other/Solution.xml");

	f = probe_at(dir, NULL);
	{
		static const char *const azure[] = {
			"Pipelines/Templates/build-deploy-Solution-To-Environment.yml",
			"Pipelines/build-deploy-validation-MySolution.yml",
			"Pipelines/deploy-prod-MySolution.yml", "build/azure-pipelines.yml", NULL
		};
		static const char *const github[] = { ".github/workflows/ci.yml", NULL };
		/* One path per component: a solution's project and manifest, a canvas
		 * app's package and sources, a code component's project and manifest
		 * are one each. */
		static const char *const solutions[] = { "MySolution/SolutionPackage", NULL };
		static const char *const canvas[] = { "MySolution/CanvasApps/app_DocumentUri.msapp", NULL };
		static const char *const pcf[] = { "MySolution/PCF/ctl", NULL };
		static const char *const plugins[] = { "MySolution/Plugins/Plugins.csproj", NULL };
		static const char *const connectors[] = {
			"Connectors/myconn.xml", "conn/x_openapidefinition.json",
			"paconn/apiDefinition.swagger.json", NULL
		};
		static const char *const pages[] = { "portal/website.yml", "site/.portalconfig", NULL };
		static const char *const config[] = {
			"ConfigurationMigrationData.zip", "data/data_schema.xml", NULL
		};
		static const char *const solution_pipelines[] = {
			"Pipelines/build-deploy-validation-MySolution.yml", NULL
		};
		static const char *const settings[] = {
			"MySolution/config/Prod/customDeploymentSettings.json",
			"MySolution/config/Test/deploymentSettings.json",
			"MySolution/config/deploymentSettings-UAT.json",
			"MySolution/config/deploymentSettings.json", NULL
		};
		static const char *const envs[] = {
			"prod", "production", "staging", "test", "uat", "validation", NULL
		};
		want_array(f, "repo.files.pipelines.azure", azure);
		want_array(f, "repo.files.pipelines.github", github);
		want_array(f, "repo.files.power_platform.solutions", solutions);
		want_array(f, "repo.files.power_platform.canvas_apps", canvas);
		want_array(f, "repo.files.power_platform.pcf_components", pcf);
		want_array(f, "repo.files.power_platform.plugins", plugins);
		want_array(f, "repo.files.power_platform.custom_connectors", connectors);
		want_array(f, "repo.files.power_platform.power_pages", pages);
		want_array(f, "repo.files.power_platform.configuration_data", config);
		want_array(f, "repo.files.alm_accelerator.solution_pipelines", solution_pipelines);
		want_array(f, "repo.files.alm_accelerator.deployment_settings", settings);
		want_array(f, "repo.environments", envs);
	}
	want_bool(f, "repo.files.alm_accelerator.pipeline_templates", 1);
	want_bool(f, "repo.files.alm_accelerator.variable_group", 1);
	want_string(f, "repo.files.codeowners", ".github/CODEOWNERS");
	want_status(f, "ok", NULL);
	want_evidence_everywhere(f, alm_facts_get(f, "repo"), "repo");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_listing_is_bounded(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	const cJSON *arr, *ev;
	(void)state;

	run(dir, "mkdir -p .github/workflows && i=0 && while [ $i -lt 120 ]; do "
		 "printf 'on: push\\njobs: {}\\n' > .github/workflows/w$(printf %03d $i).yml; i=$((i+1)); done && "
		 "git add -A && ci 1000 -m many");
	f = probe_at(dir, NULL);
	arr = alm_facts_get(f, "repo.files.pipelines.github");
	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 100);
	assert_string_equal(cJSON_GetArrayItem(arr, 0)->valuestring, ".github/workflows/w000.yml");
	ev = cJSON_GetObjectItemCaseSensitive(alm_facts_evidence(f, "repo.files.pipelines.github"),
					      "detail");
	assert_non_null(strstr(ev->valuestring, "120"));
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* ---- the probe writes nothing ----------------------------------------- */

static char *snapshot(const char *dir)
{
	return output(dir, "GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=all && "
			   "find . -path ./.git -prune -o -print | sort && "
			   "find .git -printf '%p %s %T@ %m\\n' | sort");
}

static void test_repository_unchanged(void **state)
{
	char *dir = test_git_init(), *before, *after;
	alm_facts *f;
	(void)state;

	run(dir, conventions_script);
	write_in(dir, "Pipelines/deploy-test-X.yml", prod_pipeline);
	run(dir, "git add -A && ci 3000 -m files && echo change >> Pipelines/deploy-test-X.yml && "
		 "echo new > untracked.txt && git status >/dev/null");
	before = snapshot(dir);
	f = probe_at(dir, NULL);
	after = snapshot(dir);
	assert_string_equal(before, after);
	assert_int_equal(test_sh("test ! -e '%s/.git/index.lock'", dir), 0);
	alm_facts_free(f);
	free(before);
	free(after);
	test_remove_dir(dir);
}

/* ---- cross-check against git on generated histories ------------------- */

static void crosscheck(const char *dir, const char *label)
{
	char *counts = output(dir, "git log --branches --remotes "
				   "--format='%x1e%P%x1f%ae%x1f%s%x1f%n%B' | LC_ALL=C awk -f \"$COUNT_AWK\"");
	char *fp = output(dir, "git log --first-parent main "
			       "--format='%x1e%P%x1f%ae%x1f%s%x1f%n%B' | LC_ALL=C awk -f \"$COUNT_AWK\"");
	double c[9], p[9];
	alm_facts *f = probe_at(dir, NULL);
	static const char *const names[] = {
		"repo.commits", "repo.merges", "repo.pull_requests.azure_devops",
		"repo.pull_requests.github_merge", "repo.pull_requests.github_squash",
		"repo.pull_requests.gitlab", "repo.pull_requests.bitbucket",
		"repo.pull_requests.total", "repo.authors"
	};
	size_t i;

	if (sscanf(counts, "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &c[0], &c[1], &c[2], &c[3],
		   &c[4], &c[5], &c[6], &c[7], &c[8]) != 9 ||
	    sscanf(fp, "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &p[0], &p[1], &p[2], &p[3], &p[4],
		   &p[5], &p[6], &p[7], &p[8]) != 9)
		fail_msg("%s: unexpected git output: %s / %s", label, counts, fp);
	for (i = 0; i < 9; i++) {
		const cJSON *j = alm_facts_get(f, names[i]);
		if (!cJSON_IsNumber(j) || j->valuedouble != c[i])
			fail_msg("%s: %s is %g, git says %g", label, names[i],
				 cJSON_IsNumber(j) ? j->valuedouble : -1, c[i]);
	}
	want_history_as_git(f, dir, "");
	want_number(f, "repo.first_parent.commits", p[0]);
	want_number(f, "repo.first_parent.merges", p[1]);
	want_number(f, "repo.first_parent.pull_requests", p[7]);
	alm_facts_free(f);
	free(counts);
	free(fp);
}

static void test_crosscheck_generated(void **state)
{
	char *dir = test_git_init(), *gen = test_source_path("tests/bench/gen_history.awk");
	char *count = test_source_path("tests/bench/count_history.awk");
	char script[8192];
	unsigned int seed = (unsigned int)getpid();
	(void)state;

	setenv("COUNT_AWK", count, 1);
	/* A random seed each run, printed so a failure can be replayed. */
	printf("# generated history seed %u\n", seed);
	snprintf(script, sizeof script,
		 "LC_ALL=C awk -v commits=1500 -v seed=%u -f '%s' | git fast-import --quiet && "
		 "git update-ref -d refs/heads/tmp && "
		 "git update-ref refs/remotes/origin/side main~7 && "
		 "r=$(ct 5 'main^{tree}' -p main~3 -p main~9 -p main~12 -m 'Octopus') && "
		 "git update-ref refs/heads/octopus $r",
		 seed, gen);
	run(dir, script);
	crosscheck(dir, "as fast-import left it");

	run(dir, "git repack -adq && git commit-graph write --reachable");
	crosscheck(dir, "packed, with a commit-graph");

	/* New commits after the graph was written, then a split chain on top. */
	snprintf(script, sizeof script,
		 "git reset -q --hard main && ci 1700000000 -m 'Merged PR 900001: after the graph' && "
		 "git checkout -q -b late && ci 1700000100 -m 'late work' && git checkout -q main && "
		 "mg 1700000200 -m 'Merge pull request #900002 from org/late' late");
	run(dir, script);
	crosscheck(dir, "commits newer than the graph");
	run(dir, "ci 1700000300 -m 'Add more (#900003)' && "
		 "git commit-graph write --reachable --split=no-merge && "
		 "test -f .git/objects/info/commit-graphs/commit-graph-chain");
	crosscheck(dir, "split commit-graph chain");

	{
		alm_repo_probe_options o = ALM_REPO_PROBE_OPTIONS_INIT;
		alm_facts *f;
		o.all_history = 0;
		o.since = 1600000000 + 60 * 700;
		f = probe_at(dir, &o);
		want_history_as_git(f, dir, "--max-age=1600042000");
		want_as_git(f, "repo.first_parent.commits", dir,
		    "git rev-list --count --first-parent --max-age=1600042000 main");
		alm_facts_free(f);
	}
	test_remove_dir(dir);
	free(gen);
	free(count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conventions),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_shallow_clone),
		cmocka_unit_test(test_detached_head),
		cmocka_unit_test(test_bare_and_subdirectory),
		cmocka_unit_test(test_empty_repository),
		cmocka_unit_test(test_not_a_repository),
		cmocka_unit_test(test_owned_by_another_user),
		cmocka_unit_test(test_corrupt_objects),
		cmocka_unit_test(test_broken_commit_graph),
		cmocka_unit_test(test_power_platform_layout),
		cmocka_unit_test(test_listing_is_bounded),
		cmocka_unit_test(test_repository_unchanged),
		cmocka_unit_test(test_crosscheck_generated),
	};
	return cmocka_run_group_tests(tests, test_git_setup, test_git_teardown);
}
