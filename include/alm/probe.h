#ifndef ALM_PROBE_H
#define ALM_PROBE_H
/*
 * Probes behind one interface. A probe is one entry in the library's probe
 * table: its namespace, the facts it declares (name, JSON type, meaning), when
 * it is wanted, and how it runs. alm_gather() runs the wanted probes for one
 * repository and returns one facts document.
 *
 * The environment is read once, at the edge (the command-line program, or any
 * other caller), into alm_env; the library never calls getenv. Credentials
 * live only in alm_env and in the requests made with them: no probe copies a
 * secret into a fact, an evidence sentence, a status or an error message.
 */
#include "alm/facts.h"

#include <stddef.h>
#include <stdint.h>

#include "alm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One fact a probe (or the answers schema, or the rules' derived section) may
 * produce. `name` is the full dotted path ("repo.pull_requests.merged"). A
 * fact of type "object" declares its whole subtree: a rule may read any path
 * below it (pp.environments.by_sku.Production). */
typedef struct {
	const char *name;
	const char *type;    /* "boolean", "number", "integer", "string", "object", "array" */
	const char *meaning; /* one line, for people writing rules */
} alm_fact_decl;

/* The variables that hold an Azure DevOps token, spelt once: for reading
 * them (alm_env_from_process) and for naming them in messages. */
#define ALM_ENV_ADO_PAT "AZURE_DEVOPS_EXT_PAT"
#define ALM_ENV_SYSTEM_ACCESSTOKEN "SYSTEM_ACCESSTOKEN"

/* What the environment supplies, read once by the caller. Every string may be
 * NULL (absent); an empty string counts as absent. */
typedef struct {
	/* Azure DevOps: AZURE_DEVOPS_EXT_PAT, else SYSTEM_ACCESSTOKEN. */
	const char *ado_pat;
	const char *system_access_token;
	/* Azure Pipelines: TF_BUILD=True, SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT,
	 * BUILD_REPOSITORY_NAME. */
	int in_azure_pipelines;
	const char *system_collection_uri;
	const char *system_team_project;
	const char *build_repository_name;
	const char *build_repository_provider; /* BUILD_REPOSITORY_PROVIDER: "TfsGit", "GitHub", ... */
	const char *agent_temp_directory;      /* AGENT_TEMPDIRECTORY: where a pipeline summary goes */
	/* GitHub Actions: GITHUB_ACTIONS=true, GITHUB_STEP_SUMMARY. */
	int in_github_actions;
	const char *github_step_summary;
	/* Azure identity, by Azure's SDK conventions: AZURE_TENANT_ID,
	 * AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE,
	 * AZURE_AUTHORITY_HOST; or a token fetched elsewhere, from the variable the
	 * user named (the caller reads it). */
	const char *azure_tenant_id;
	const char *azure_client_id;
	const char *azure_client_secret;
	const char *azure_federated_token_file;
	const char *azure_authority_host;
	const char *power_platform_token;
} alm_env;

/* Reads alm_env from the process environment: for callers at the edge (the
 * CLI); `token_variable` names the variable holding a pre-fetched Power
 * Platform token (NULL: none). The strings are borrowed from environ. */
void alm_env_from_process(alm_env *env, const char *token_variable);

/* The same, through `lookup` (a name -> value function: getenv, or a table
 * in tests). The strings are borrowed from what `lookup` returns. */
typedef const char *(*alm_env_lookup_fn)(const char *name);
void alm_env_from_lookup(alm_env *env, alm_env_lookup_fn lookup, const char *token_variable);

/* Progress: called from the gathering thread before each probe runs. */
typedef void (*alm_progress_fn)(void *ctx, const char *label);

typedef struct {
	unsigned int version;
	const char *repo;        /* path to the repository; NULL: "." */
	int no_repo;             /* do not read the repository */
	const char *answers;     /* answers file; NULL: the repository's conventional one */
	int no_answers;          /* read no answers at all (signals) */
	int64_t since;           /* history window start, epoch seconds */
	int all_history;         /* ignore `since` */
	double timeout;          /* seconds for each remote probe; 0: its default */
	const char *ca_file;     /* extra CA bundle for remote probes */
	int strict;              /* a failed remote probe fails the gathering */

	/* Azure DevOps */
	const char *ado_url;     /* --ado URL; NULL: derived (pipeline, remote) when a token is set */
	const char *ado_repo;    /* --ado-repo NAME */
	/* A scan's shared Azure DevOps project data (alm_ado_project_cache_new):
	 * each project is read once for all its repositories. NULL: none. */
	struct alm_ado_project_cache *ado_cache;

	/* Power Platform */
	int power_platform;      /* --power-platform given */
	const char *pp_admin_url;   /* NULL: the cloud's admin API host */
	const char *pp_cloud;       /* "public" (default), "usgov", "usgovhigh", "dod", "china" */
	const char *const *pp_environments; /* extra environments to look in (ids or URLs) */
	size_t pp_environments_count;
	/* A scan's shared tenant (alm_pp_tenant_cache_new, alm/pp_probe.h): the
	 * environments, data policies and tokens read once for all its
	 * repositories. NULL: each probe reads the tenant itself. */
	struct alm_pp_tenant_cache *pp_cache;

	alm_env env;

	alm_progress_fn progress;
	void *progress_ctx;
} alm_gather_options;

#define ALM_GATHER_OPTIONS_VERSION 1
#define ALM_GATHER_OPTIONS_INIT { .version = ALM_GATHER_OPTIONS_VERSION, .all_history = 1 }

/* The outcome of one probe, recorded in the facts' "probes" object. */
typedef enum {
	ALM_PROBE_OK,
	ALM_PROBE_DEGRADED,
	ALM_PROBE_SKIPPED,
	ALM_PROBE_FAILED
} alm_probe_status;

const char *alm_probe_status_name(alm_probe_status status); /* "ok", ... */

typedef struct alm_probe {
	const char *ns;                 /* the facts namespace: "repo", "ado", "pp" */
	const char *label;              /* progress label: "reading the repository" */
	const alm_fact_decl *facts;     /* what it may produce */
	size_t nfacts;
	/* 1 when the probe should run, given the options and the facts gathered
	 * so far (probes run in table order; a probe may read earlier facts: a
	 * remote probe sees the local probes' facts and the answers, never
	 * another remote probe's, since they may run at once). When 0, *why
	 * (static text) says how to turn it on; it is recorded as "skipped". */
	int (*wanted)(const alm_gather_options *opts, const alm_facts *facts, const char **why);
	/* Runs the probe; sets its facts and its status (alm_facts_set_probe).
	 * Returns 0, ALM_EINVALID for input the user must fix (a bad URL, missing
	 * credentials for a probe asked for by name), or ALM_EREMOTE (and others)
	 * for a failure that degrades the report unless strict. */
	int (*run)(alm_facts *facts, const alm_gather_options *opts);
	/* For messages: "Azure DevOps" ("Azure DevOps evidence is missing: ...").
	 * NULL: the namespace. */
	const char *title;
	/* Reads the repository: runs before the answers are read, on the calling
	 * thread. Remote probes (0) run after the answers, and several of them
	 * may run at once, each on a thread of its own. */
	int local;
} alm_probe;

/* The probe table, in the order the probes run. */
const alm_probe *const *alm_probe_table(size_t *count);

/* The probe of namespace `ns`, or NULL. */
const alm_probe *alm_probe_find(const char *ns);

/* 1 when `name` is an evidence source: a probe's namespace, or one of
 * ALM_SOURCE_ANSWERS, ALM_SOURCE_DERIVED and ALM_SOURCE_DEFAULT (alm/facts.h). */
int alm_source_known(const char *name) ALM_MUST_CHECK;

/* Gathers the facts for one repository: the repository, the answers, then
 * every wanted remote probe. Returns 0 and *out (free with alm_facts_free), or
 * a negative code with alm_error_last() set and *out NULL:
 *   ALM_EINVALID / ALM_ENOTFOUND  bad input (not a repository, bad answers,
 *                                 a probe named but impossible to run)
 *   ALM_EREMOTE                   a remote probe failed and opts->strict
 * Without strict, a failing remote probe is recorded (status and reason) and
 * the gathering succeeds; *warnings (when not NULL) receives a new array of
 * one-line warnings for the caller to print, or NULL when there are none. */
int alm_gather(alm_facts **out, cJSON **warnings, const alm_gather_options *opts) ALM_MUST_CHECK;

#ifdef __cplusplus
}
#endif

#endif
