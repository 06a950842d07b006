#ifndef ALM_PP_PARSE_H
#define ALM_PP_PARSE_H
/*
 * Parsers of Power Platform response bodies (the admin API, Dataverse's Web
 * API, the Entra ID token endpoint) into plain C records that keep only the
 * fields the probe reads, so that memory follows one page, not the tenant.
 * Pure: bytes in, records out; they are fuzzed. Lists come as {"value": [...]}
 * with the next page's URL in "nextLink" (admin API) or "@odata.nextLink"
 * (Dataverse); items that are not objects are skipped, and a missing or
 * mistyped field counts as "not said". Each returns 0, ALM_EINVALID with
 * "NAME:LINE:COL: ..." when the body is not the JSON expected, or ALM_ENOMEM.
 * Each *_dispose frees what a parser filled in (a zeroed struct is fine).
 */
#include <stddef.h>
#include <stdint.h>

/* --- environments (admin API) --- */
typedef struct {
	char *name;         /* the environment id: a GUID, or "Default-<tenant>" */
	char *display_name; /* "" when absent */
	char *sku;          /* environmentSku: Default, Production, Sandbox, Developer, Trial, Teams; "" when absent */
	int dataverse;      /* databaseType CommonDataService, or an instance URL */
	int managed;        /* governanceConfiguration.protectionLevel "Standard" */
	int is_default;
	char *group;        /* parentEnvironmentGroup.id; NULL when in none */
	char *url;          /* linkedEnvironmentMetadata.instanceUrl; NULL without Dataverse */
} alm_pp_environment;

typedef struct {
	alm_pp_environment *items;
	size_t count;
	char *next; /* nextLink; NULL on the last page */
} alm_pp_environments;

int alm_pp_parse_environments(alm_pp_environments *out, const char *body, size_t len);
void alm_pp_environments_dispose(alm_pp_environments *e);

/* One environment (.../environments/{id}): the same record. */
int alm_pp_parse_environment(alm_pp_environment *out, const char *body, size_t len);
void alm_pp_environment_dispose(alm_pp_environment *e);

/* --- data (DLP) policies --- */
typedef enum {
	ALM_PP_DLP_ALL,    /* AllEnvironments */
	ALM_PP_DLP_EXCEPT, /* ExceptEnvironments: all but those listed */
	ALM_PP_DLP_ONLY,   /* OnlyEnvironments */
	ALM_PP_DLP_UNKNOWN /* any other value: a scope this reading does not know */
} alm_pp_dlp_scope;

typedef struct {
	char *name;
	alm_pp_dlp_scope scope;
	char **environments; /* environment ids (the "name" of each entry) */
	size_t nenv;
} alm_pp_policy;

typedef struct {
	alm_pp_policy *items;
	size_t count;
	char *next;
} alm_pp_policies;

int alm_pp_parse_policies(alm_pp_policies *out, const char *body, size_t len);
void alm_pp_policies_dispose(alm_pp_policies *p);

/* --- Dataverse rows --- */
typedef struct {
	char *unique_name;
	char *version;      /* "" when absent */
	char *installed_on; /* "" when absent */
	int managed;        /* -1 when not said */
} alm_pp_solution;

typedef struct {
	alm_pp_solution *items;
	size_t count;
	char *next; /* @odata.nextLink */
} alm_pp_solutions;

int alm_pp_parse_solutions(alm_pp_solutions *out, const char *body, size_t len);
void alm_pp_solutions_dispose(alm_pp_solutions *s);

/*
 * Pipelines for Power Platform (learn.microsoft.com, "Pipeline table
 * reference"): one record shape for the four tables read, with the columns of
 * each named below. Lookups arrive as _<column>_value.
 */
typedef enum {
	ALM_PP_ROW_PIPELINE,    /* deploymentpipelines: deploymentpipelineid, name */
	ALM_PP_ROW_STAGE,       /* deploymentstages: deploymentstageid, name, _deploymentpipelineid_value,
				 * _previousdeploymentstageid_value, _targetdeploymentenvironmentid_value */
	ALM_PP_ROW_ENVIRONMENT, /* deploymentenvironments: deploymentenvironmentid, name, environmentid, environmenttype */
	ALM_PP_ROW_STAGE_RUN    /* deploymentstageruns: deploymentstagerunid, artifactname, artifactversion,
				 * _deploymentstageid_value, stagerunstatus, starttime */
} alm_pp_row_kind;

/* DeploymentStageRun.StageRunStatus. */
#define ALM_PP_RUN_NOT_STARTED 200000000
#define ALM_PP_RUN_STARTED 200000001
#define ALM_PP_RUN_SUCCEEDED 200000002
#define ALM_PP_RUN_FAILED 200000003

typedef struct {
	char *id;
	char *name;   /* the name column; artifactname for a stage run */
	char *parent; /* stage: the pipeline; stage run: the stage */
	char *previous; /* stage: the previous stage; NULL when first or absent */
	char *target;   /* stage: its deployment environment; environment: its Power Platform
			 * environment id; stage run: the artifact version */
	int64_t number; /* environment: environmenttype; stage run: stagerunstatus; -1 when absent */
} alm_pp_row;

typedef struct {
	alm_pp_row *items;
	size_t count;
	char *next;
} alm_pp_rows;

int alm_pp_parse_rows(alm_pp_rows *out, alm_pp_row_kind kind, const char *body, size_t len);
void alm_pp_rows_dispose(alm_pp_rows *r);

/* --- the token endpoint --- */

/* {"access_token": ...}: *token is a new string (the caller wipes and frees it). */
int alm_pp_parse_token(char **token, double *expires_in, const char *body, size_t len);

/*
 * Entra ID's error body as one line, "invalid_client: AADSTS7000215: Invalid
 * client secret provided. ..." (error, then error_description), into out.
 * Returns 0 when the body said anything, -1 otherwise.
 */
int alm_pp_parse_token_error(char *out, size_t n, const char *body, size_t len);

/*
 * The message of an error body: {"error": {"code", "message"}} (the admin
 * API and Dataverse), {"message"}, or {"error", "error_description"}, as one
 * line "message (code)". Returns 0 when found, -1 otherwise.
 */
int alm_pp_parse_error(char *out, size_t n, const char *body, size_t len);

/* The error="..." and error_description="..." of a WWW-Authenticate Bearer
 * challenge, as one line ("invalid_token: The token is expired"); -1 when
 * the header has neither. */
int alm_pp_parse_challenge(char *out, size_t n, const char *header);

#endif
