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
	{"repo.last_commit_at", "string", "when the newest commit on any branch was made, inside the window or before it (ISO 8601; null: none)"},
	{"repo.history_complete", "boolean", "the whole window's history was read (not shallow, not cut off)"},
	{"repo.host", "string", "where the remote is: azure-devops, github, gitlab, bitbucket, other or none"},
	{"repo.remote_url", "string", "the remote's URL, credentials removed (null: no remote)"},
	{"repo.files.pipelines.azure", "array", "Azure Pipelines YAML files at HEAD"},
	{"repo.files.pipelines.github", "array", "GitHub Actions workflow files at HEAD"},
	{"repo.files.power_platform.solutions", "array", "solution folders, each once (paths of repo.power_platform.solutions)"},
	{"repo.files.power_platform.canvas_apps", "array", "canvas apps, each once (paths of repo.power_platform.canvas_apps)"},
	{"repo.files.power_platform.pcf_components", "array", "code components, one per manifest (paths of repo.power_platform.code_components)"},
	{"repo.files.power_platform.plugins", "array", "Dataverse plug-in projects (paths of repo.power_platform.plugin_projects)"},
	{"repo.files.power_platform.custom_connectors", "array", "custom connectors, each once (paths of repo.power_platform.custom_connectors)"},
	{"repo.files.power_platform.power_pages", "array", "Power Pages sites"},
	{"repo.files.power_platform.configuration_data", "array", "configuration data (Configuration Migration tool)"},
	{"repo.files.alm_accelerator.solution_pipelines", "array", "pipelines using the ALM Accelerator's templates"},
	{"repo.files.alm_accelerator.deployment_settings", "array", "the accelerator's deployment settings files"},
	{"repo.files.alm_accelerator.pipeline_templates", "boolean", "the accelerator's template pipelines are at HEAD"},
	{"repo.files.alm_accelerator.variable_group", "boolean", "a pipeline uses the accelerator's variable group"},
	{"repo.files.codeowners", "string", "the CODEOWNERS file at HEAD (null: none)"},
	{"repo.environments", "array", "deployment environments named at HEAD (settings, pipelines), lower case"},
	{"repo.power_platform.present", "boolean", "the tree at HEAD holds any Power Platform source"},
	{"repo.power_platform.solutions", "array", "solutions, one per folder: [{path, unique_name, version, publisher, managed}]"},
	{"repo.power_platform.solutions_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.code_components", "array", "code components, one per manifest: [{name, path, packaged}]"},
	{"repo.power_platform.code_components_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.canvas_apps", "array", "canvas apps: [{name, path, form: msapp|sources|both}]"},
	{"repo.power_platform.canvas_apps_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.custom_connectors", "array", "custom connectors: [{name, path, has_code}]"},
	{"repo.power_platform.custom_connectors_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.plugin_projects", "array", "Dataverse plug-in projects (class libraries referencing the plug-in SDK): [{name, path}]"},
	{"repo.power_platform.plugin_projects_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.test_projects", "array", "unit-test projects: [{name, path}]"},
	{"repo.power_platform.test_projects_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.dataverse_clients", "array", "programs using the Dataverse client (console, web, library): [{name, path}]"},
	{"repo.power_platform.dataverse_clients_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.package_deployer_projects", "array", "Package Deployer projects: [{name, path}]"},
	{"repo.power_platform.package_deployer_projects_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.cloud_flows", "array", "cloud flows (Workflows/*.json): [{name, path}]"},
	{"repo.power_platform.cloud_flows_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.environment_variables", "array", "environment variable definitions: [{name, path}]"},
	{"repo.power_platform.environment_variables_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.connection_references", "array", "connection references (Customizations.xml): [{name, path}]"},
	{"repo.power_platform.connection_references_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.power_pages_sites", "array", "Power Pages sites: [{name, path}]"},
	{"repo.power_platform.power_pages_sites_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.copilot_agents", "array", "Copilot Studio agents (bots/*/bot.xml): [{name, path}]"},
	{"repo.power_platform.copilot_agents_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.power_platform.configuration_data", "array", "configuration migration data: [{name, path}]"},
	{"repo.power_platform.configuration_data_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.deployments.environments", "array", "stages the pipelines deploy solutions to or export from: development, validation, test, production (in order)"},
	{"repo.deployments.tools", "array", "how they deploy: alm-accelerator, build-tools, github-actions, pac-cli, pac-pipeline"},
	{"repo.deployments.pipelines", "array", "deploying pipeline steps: [{path, environment (null: unnamed), tool}]"},
	{"repo.deployments.pipelines_truncated", "boolean", "the list above was cut at 1,000 entries (absent when not)"},
	{"repo.deployment_settings.environments", "array", "stages a deploymentSettings/customDeploymentSettings file exists for"},
	{"repo.pipelines.azure_yaml", "boolean", "Azure Pipelines YAML is in the repository"},
	{"repo.pipelines.as_code", "boolean", "a pipeline is kept as code (Azure Pipelines or GitHub Actions)"},
	{"repo.history.window_empty", "boolean", "the window holds no commit but older history exists (repo.last_commit_at dates it)"},
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
