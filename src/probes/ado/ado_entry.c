/* The Azure DevOps probe's entry in the probe table: the ado.* facts it
 * declares, when it is wanted, and how alm_gather runs it. */
#include "alm/ado_probe.h"
#include "alm/error.h"
#include "alm/probe.h"

#include <string.h>

static const alm_fact_decl declared[] = {
	{"ado.organization", "string", "the organization (or Server collection) probed"},
	{"ado.project", "string", "the project probed"},
	{"ado.repository", "string", "the repository whose policies and pull requests were read (null: none matched)"},
	{"ado.reachable", "boolean", "every request to Azure DevOps succeeded"},
	{"ado.error", "string", "the first failure reading the project (null: none)"},
	{"ado.pipelines.count", "integer", "pipeline definitions in the project"},
	{"ado.pipelines.yaml", "integer", "YAML pipeline definitions"},
	{"ado.accelerator.pipelines", "array", "pipelines named like the ALM Accelerator's"},
	{"ado.accelerator.present", "boolean", "the project has the ALM Accelerator's pipelines"},
	{"ado.builds.succeeded", "integer", "builds in the window that succeeded"},
	{"ado.builds.failed", "integer", "builds in the window that failed"},
	{"ado.builds.partially_succeeded", "integer", "builds in the window that partially succeeded"},
	{"ado.builds.canceled", "integer", "builds in the window that were canceled"},
	{"ado.builds.in_progress", "integer", "builds still queued or running"},
	{"ado.builds.pull_request", "integer", "builds in the window triggered by a pull request"},
	{"ado.builds.last_run_at", "string", "when the newest build started (ISO 8601; null: none)"},
	{"ado.repositories", "integer", "Git repositories in the project"},
	{"ado.pull_requests.active", "integer", "active pull requests"},
	{"ado.pull_requests.completed", "integer", "pull requests completed in the window"},
	{"ado.pull_requests.abandoned", "integer", "pull requests abandoned in the window"},
	{"ado.pull_requests.approved_by_other", "integer", "completed pull requests approved by someone other than their author"},
	{"ado.policies.minimum_approvers", "integer", "approvers a blocking policy on the default branch requires"},
	{"ado.policies.build_validation", "boolean", "the default branch has a build validation policy"},
	{"ado.policies.blocking", "boolean", "a build validation blocks completion when the build fails"},
	{"ado.policies.build_validation_names", "array", "the build validation policies' names"},
	{"ado.environments.names", "array", "pipeline environments of the project"},
	{"ado.environments.checks", "object", "environment name (lower case) -> its checks: approval, branch_control, business_hours"},
	{"ado.environments.approval_required", "array", "the environments whose checks include an approval"},
	{"ado.licenses.checked", "integer", "pull-request authors whose access level was looked up"},
	{"ado.licenses.basic_or_above", "integer", "of those, people with Basic or a higher access level"},
	{"ado.licenses.stakeholder", "integer", "of those, people with Stakeholder access only"},
	{"ado.licenses.available", "boolean", "every person looked up has Basic or above (null: unknown)"},
};

/* Asked only when the user named it, or inside a pipeline, or when a token is
 * set and the remote is Azure DevOps: never by surprise. */
static int wanted(const alm_gather_options *opts, const alm_facts *so_far, const char **why)
{
	const cJSON *host = alm_facts_get(so_far, "repo.host");
	int token = opts->env.ado_pat || opts->env.system_access_token;
	*why = "not asked: pass --ado URL with " ALM_ENV_ADO_PAT " set to add Azure DevOps evidence";
	if (opts->ado_url)
		return 1;
	if (opts->env.in_azure_pipelines && opts->env.system_collection_uri && token)
		return 1;
	return token && cJSON_IsString(host) && strcmp(host->valuestring, "azure-devops") == 0;
}

static int run(alm_facts *facts, const alm_gather_options *opts)
{
	alm_ado_probe_options ao = ALM_ADO_PROBE_OPTIONS_INIT;
	const cJSON *remote = alm_facts_get(facts, "repo.remote_url");
	int rc;
	ao.url = opts->ado_url;
	ao.repository = opts->ado_repo;
	ao.remote_url = cJSON_IsString(remote) ? remote->valuestring : NULL;
	ao.ca_file = opts->ca_file;
	ao.since = opts->since;
	ao.all_history = opts->all_history;
	ao.timeout = opts->timeout;
	ao.env = &opts->env;
	ao.cache = opts->ado_cache;
	rc = alm_ado_probe(facts, &ao);
	/* Impossible to even try (no token, a bad or plain-http URL) is the
	 * user's input to fix only when they named Azure DevOps; found by
	 * itself, it degrades the report like any other failure. */
	if (rc == ALM_EINVALID && !opts->ado_url)
		return ALM_EREMOTE;
	return rc;
}

const alm_probe alm_ado_probe_entry = {
	.ns = ALM_SOURCE_ADO,
	.label = "asking Azure DevOps",
	.facts = declared,
	.nfacts = sizeof declared / sizeof declared[0],
	.wanted = wanted,
	.run = run,
	.title = "Azure DevOps",
	.local = 0,
};
