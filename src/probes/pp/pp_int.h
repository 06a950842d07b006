#ifndef ALM_PP_INT_H
#define ALM_PP_INT_H
/*
 * The Power Platform probe's private parts: the clouds and their hosts, the
 * credential (read from alm_env, never from the command line) and the token
 * requests made with it, and the knobs the tests and the benchmark turn.
 */
#include "alm/facts.h"
#include "alm/probe.h"
#include "http.h"

#include <stddef.h>

/* ---- clouds (pp_cloud.c) ---- */
typedef struct {
	const char *name;             /* "public", "usgov", "usgovhigh", "dod", "china" */
	const char *admin_url;        /* https://api.bap.microsoft.com */
	const char *admin_scope;      /* the admin API's token scope */
	const char *authority;        /* https://login.microsoftonline.com */
	const char *dataverse_domain; /* instance hosts end with ".<this>" */
} alm_pp_cloud;

/* The cloud called `name` (NULL or "": public); NULL when unknown. */
const alm_pp_cloud *alm_pp_cloud_find(const char *name);

/* "public, usgov, usgovhigh, dod, china", for messages. */
const char *alm_pp_cloud_names(void);

/* Splits an absolute URL: *origin gets "scheme://host[:port]" (caller frees),
 * *host the host alone (caller frees), *https whether the scheme is https.
 * Returns 0, or ALM_EINVALID naming the URL. */
int alm_pp_url_origin(const char *url, char **origin, char **host, int *https);

/* 1 for a loopback host: 127.0.0.0/8, ::1, localhost and *.localhost (the
 * stand-in gives each test environment a host of its own that way). */
int alm_pp_host_is_loopback(const char *host);

/* ---- the credential and tokens (pp_token.c) ---- */
typedef enum {
	ALM_PP_CRED_SECRET,    /* AZURE_CLIENT_SECRET: client credentials */
	ALM_PP_CRED_FEDERATED, /* AZURE_FEDERATED_TOKEN_FILE: a client assertion */
	ALM_PP_CRED_TOKEN      /* a token fetched elsewhere: the admin API only */
} alm_pp_cred_kind;

typedef struct {
	alm_pp_cred_kind kind;
	char *tenant;
	char *client_id;
	char *secret;    /* the client secret, or the federated assertion; wiped */
	char *token;     /* the pre-fetched token; wiped */
	char *token_url; /* {authority}/{tenant}/oauth2/v2.0/token */
	int token_url_loopback;
} alm_pp_credential;

/*
 * Reads the credential from `env`: client credentials (AZURE_TENANT_ID,
 * AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), else workload identity (the same with
 * AZURE_FEDERATED_TOKEN_FILE, whose content is read now), else the pre-fetched
 * token. AZURE_AUTHORITY_HOST replaces the cloud's authority. Returns 0, or
 * ALM_EINVALID naming the variables to set (nothing is set, some are missing,
 * the token file cannot be read, plain http to a host that is not loopback).
 */
int alm_pp_credential_read(alm_pp_credential *out, const alm_env *env, const alm_pp_cloud *cloud);

/* Wipes and frees; a zeroed struct is fine. */
void alm_pp_credential_dispose(alm_pp_credential *c);

/* The form body of a token request for `scope` (client credentials, or the
 * assertion). Holds the secret: the caller wipes and frees it. */
char *alm_pp_token_form(const alm_pp_credential *c, const char *scope);

/* Replaces each secret of `c` and `extra` (raw and percent-encoded) in
 * `text` with "***", in place. */
void alm_pp_redact(const alm_pp_credential *c, const char *extra, char *text);

/* "https://<host>/.default": a Dataverse environment's token scope. */
char *alm_pp_dataverse_scope(const char *origin);

/* ---- stages (pp_stage.c) ---- */
enum { ALM_PP_STAGE_DEV, ALM_PP_STAGE_VALIDATION, ALM_PP_STAGE_TEST, ALM_PP_STAGE_PROD, ALM_PP_STAGE_COUNT };

/* "development", "validation", "test", "production"; "" for anything else. */
const char *alm_pp_stage_name(int stage);

/* The stage a name says by its words ("Invoices - UAT": test; "Pre-Prod":
 * test; "Contoso Prod": production); -1 when none. */
int alm_pp_stage_by_name(const char *name);

/* A stage's own name, else as alm_pp_stage_by_name. */
int alm_pp_stage_canonical(const char *name);

/* The stage an environment evidences: its name first (*by_name 1), else its
 * type: Developer is development, Production (not the default) production;
 * an environment named for a pipelines host or the CoE is none. -1: none. */
int alm_pp_stage_of(const char *display_name, const char *sku, int is_default, int *by_name);

/* Whether the lower-case `text` holds `word` as a whole word. */
int alm_pp_has_word(const char *text, const char *word);

/* `s` in lower case (ASCII), into out (size n). */
void alm_pp_lower(char *out, size_t n, const char *s);

/* A solution's unique name from a path of repo.files.power_platform.solutions
 * (the .cdsproj file's name, or the folder above Other/Solution.xml unless it
 * is generic: src, solution, package...); NULL when neither says it. Caller frees. */
char *alm_pp_solution_from_path(const char *path);

/* ---- the scan's tenant cache (pp_cache.c; public in alm/pp_probe.h) ---- */
struct alm_pp_tenant_cache;

/* 1: this probe reads the tenant and must publish it; 0: *tenant is the one
 * read (borrowed from the cache; NULL when that reading ran out of memory);
 * -1: not shared (another tenant's key, or out of memory). Waits while
 * another probe reads. */
int alm_pp_cache_tenant_claim(struct alm_pp_tenant_cache *c, const char *key, const void **tenant);

/* Hands in the tenant read (NULL: none) and wakes the waiting probes; the
 * cache frees it with `dispose`. */
void alm_pp_cache_tenant_publish(struct alm_pp_tenant_cache *c, void *tenant, void (*dispose)(void *));

enum { ALM_PP_TOKEN_READY, ALM_PP_TOKEN_MINE, ALM_PP_TOKEN_ELSEWHERE };

/* The token of `scope`: READY with a copy in *token (the caller wipes it), or
 * with *token NULL and the failure's *rank and *error (caller frees) when its
 * request failed; MINE: this probe asks and hands the answer in with
 * alm_pp_cache_token_set; ELSEWHERE: another probe is asking (wait for it
 * with alm_pp_cache_token_wait once this probe handed in its own). */
int alm_pp_cache_token_claim(struct alm_pp_tenant_cache *c, const char *scope, char **token, int *rank, char **error);
void alm_pp_cache_token_set(struct alm_pp_tenant_cache *c, const char *scope, const char *token, double expires_in,
			    int rank, const char *error);
int alm_pp_cache_token_wait(struct alm_pp_tenant_cache *c, const char *scope, char **token, int *rank, char **error);

/* ---- the probe (pp_probe.c) ---- */
typedef struct {
	int max_in_flight;     /* 0: the default */
	size_t max_body;       /* 0: the default */
	double backoff_base;   /* 0: the default */
	int page_size;         /* Prefer: odata.maxpagesize; 0: the default */
	alm_http_stats *stats; /* filled in when not NULL */
} alm_pp_tuning;

#define ALM_PP_DEFAULT_IN_FLIGHT 8

int alm_pp_run_tuned(alm_facts *facts, const alm_gather_options *opts, const alm_pp_tuning *tuning);

#endif
