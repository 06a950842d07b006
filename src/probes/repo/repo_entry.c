/* The repository probe's entry in the probe table: the repo.* facts it
 * declares, and how alm_gather runs it. */
#include "alm/error.h"
#include "alm/probe.h"
#include "alm/repo_probe.h"

static const alm_fact_decl declared[] = {
	{"repo.bare", "boolean", "the repository has no work tree"},
	{"repo.shallow", "boolean", "the clone is shallow: history before its boundary is missing"},
	{"repo.detached", "boolean", "HEAD is detached (as in most CI checkouts)"},
	{"repo.empty", "boolean", "the repository has no commit"},
	{"repo.head", "string", "the commit id at HEAD (null when there is none)"},
	{"repo.default_branch", "string", "the default branch's name (null when it cannot be told)"},
	{"repo.branches.local", "integer", "local branches"},
	{"repo.branches.remote", "integer", "remote-tracking branches"},
	{"repo.branches.active", "integer", "branches with a commit inside the history window"},
	{"repo.tags", "integer", "tags"},
	{"repo.since", "string", "start of the history window (ISO 8601; null: all history)"},
	{"repo.commits", "integer", "commits in the window, reachable from any branch"},
	{"repo.merges", "integer", "merge commits in the window"},
	{"repo.pull_requests.azure_devops", "integer", "commits marking Azure DevOps pull-request completions"},
	{"repo.pull_requests.github_merge", "integer", "commits marking GitHub merged pull requests"},
	{"repo.pull_requests.github_squash", "integer", "commits marking GitHub squashed pull requests"},
	{"repo.pull_requests.gitlab", "integer", "commits marking GitLab merge requests"},
	{"repo.pull_requests.bitbucket", "integer", "commits marking Bitbucket pull requests"},
	{"repo.pull_requests.total", "integer", "commits marking completed pull requests of any host (a lower bound)"},
	{"repo.first_parent.commits", "integer", "commits on the default branch's first-parent line in the window"},
	{"repo.first_parent.merges", "integer", "merges on the default branch's first-parent line"},
	{"repo.first_parent.pull_requests", "integer", "first-parent commits that completed pull requests"},
	{"repo.first_parent.direct_commits", "integer", "first-parent commits that were neither pull requests nor merges"},
	{"repo.first_parent.pr_share", "number", "share (0..1) of first-parent commits that are pull-request completions"},
	{"repo.authors", "integer", "distinct commit authors in the window"},
	{"repo.last_commit_at", "string", "when the newest commit was made (ISO 8601; null: none)"},
	{"repo.history_complete", "boolean", "the whole window's history was read (not shallow, not cut off)"},
	{"repo.host", "string", "where the remote is: azure-devops, github, gitlab, bitbucket, other or none"},
	{"repo.remote_url", "string", "the remote's URL, credentials removed (null: no remote)"},
	{"repo.files.pipelines.azure", "array", "Azure Pipelines YAML files at HEAD"},
	{"repo.files.pipelines.github", "array", "GitHub Actions workflow files at HEAD"},
	{"repo.files.power_platform.solutions", "array", "Power Platform solution projects and unpacked solutions"},
	{"repo.files.power_platform.canvas_apps", "array", "unpacked canvas apps"},
	{"repo.files.power_platform.pcf_components", "array", "Power Apps component framework controls"},
	{"repo.files.power_platform.plugins", "array", "Dataverse plug-in projects"},
	{"repo.files.power_platform.custom_connectors", "array", "custom connector definitions"},
	{"repo.files.power_platform.power_pages", "array", "Power Pages sites"},
	{"repo.files.power_platform.configuration_data", "array", "configuration data (Configuration Migration tool)"},
	{"repo.files.alm_accelerator.solution_pipelines", "array", "pipelines using the ALM Accelerator's templates"},
	{"repo.files.alm_accelerator.deployment_settings", "array", "the accelerator's deployment settings files"},
	{"repo.files.alm_accelerator.pipeline_templates", "boolean", "the accelerator's template pipelines are at HEAD"},
	{"repo.files.alm_accelerator.variable_group", "boolean", "a pipeline uses the accelerator's variable group"},
	{"repo.files.codeowners", "string", "the CODEOWNERS file at HEAD (null: none)"},
	{"repo.environments", "array", "deployment environments named at HEAD (settings, pipelines), lower case"},
};

static int wanted(const alm_gather_options *opts, const alm_facts *so_far, const char **why)
{
	(void)so_far;
	*why = "--no-repo: the repository was not read";
	return !opts->no_repo;
}

/* Not a repository (or one that cannot be opened) is the user's input to fix;
 * any other failure is recorded and the gathering goes on without it. */
static int run(alm_facts *facts, const alm_gather_options *opts)
{
	alm_repo_probe_options ro = ALM_REPO_PROBE_OPTIONS_INIT;
	int rc;
	ro.since = opts->since;
	ro.all_history = opts->all_history;
	rc = alm_repo_probe(facts, opts->repo ? opts->repo : ".", &ro);
	if (rc == ALM_ENOTFOUND || rc == ALM_EINVALID || rc == 0)
		return rc;
	return alm_facts_set_probe(facts, ALM_SOURCE_REPO, "failed", alm_error_last());
}

const alm_probe alm_repo_probe_entry = {
	.ns = ALM_SOURCE_REPO,
	.label = "reading the repository",
	.facts = declared,
	.nfacts = sizeof declared / sizeof declared[0],
	.wanted = wanted,
	.run = run,
	.title = "the repository",
	.local = 1,
};
