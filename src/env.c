/* The one place the library's inputs are read from the process environment:
 * everything else takes an alm_env, so a caller (or a test) decides what the
 * probes see. */
#include "alm/probe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An empty variable counts as absent, as the shells' ${VAR:-} does. */
static const char *present(alm_env_lookup_fn lookup, const char *name)
{
	const char *v = name ? lookup(name) : NULL;
	return v && *v ? v : NULL;
}

static int is_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

void alm_env_from_lookup(alm_env *env, alm_env_lookup_fn lookup, const char *token_variable)
{
	memset(env, 0, sizeof *env);
	if (!lookup)
		return;
	env->ado_pat = present(lookup, ALM_ENV_ADO_PAT);
	env->system_access_token = present(lookup, ALM_ENV_SYSTEM_ACCESSTOKEN);
	env->in_azure_pipelines = is_true(present(lookup, "TF_BUILD"));
	env->system_collection_uri = present(lookup, "SYSTEM_COLLECTIONURI");
	env->system_team_project = present(lookup, "SYSTEM_TEAMPROJECT");
	env->build_repository_name = present(lookup, "BUILD_REPOSITORY_NAME");
	env->build_repository_provider = present(lookup, "BUILD_REPOSITORY_PROVIDER");
	env->agent_temp_directory = present(lookup, "AGENT_TEMPDIRECTORY");
	env->in_github_actions = is_true(present(lookup, "GITHUB_ACTIONS"));
	env->github_step_summary = present(lookup, "GITHUB_STEP_SUMMARY");
	env->azure_tenant_id = present(lookup, "AZURE_TENANT_ID");
	env->azure_client_id = present(lookup, "AZURE_CLIENT_ID");
	env->azure_client_secret = present(lookup, "AZURE_CLIENT_SECRET");
	env->azure_federated_token_file = present(lookup, "AZURE_FEDERATED_TOKEN_FILE");
	env->azure_authority_host = present(lookup, "AZURE_AUTHORITY_HOST");
	env->power_platform_token = present(lookup, token_variable);
}

static const char *process_lookup(const char *name)
{
	return getenv(name);
}

void alm_env_from_process(alm_env *env, const char *token_variable)
{
	alm_env_from_lookup(env, process_lookup, token_variable);
}
