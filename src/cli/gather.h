#ifndef ALM_CLI_GATHER_H
#define ALM_CLI_GATHER_H
/* Gathering facts for assess and signals: the repository, the answers, Azure
 * DevOps. Probes that fail degrade the facts (their status says why) unless
 * --strict; input that is wrong is an error. */
#include "cli.h"
#include "alm/facts.h"

#include <stddef.h>

#define CLI_MAX_PP_ENVIRONMENTS 16

typedef struct {
	const char *repo;      /* REPO, default "." */
	int no_repo;
	const char *answers;   /* --answers FILE; NULL: the repository's conventional file */
	int no_answers;        /* signals: answers are not facts of the repository */
	const char *ado_url;
	const char *ado_repo;
	const char *ca_file;
	const char *timeout;
	const char *since;     /* NULL: 365 days */
	int strict;
	/* Power Platform (--power-platform [URL], --cloud, --pp-environment, --pp-token-env) */
	int power_platform;
	const char *pp_admin_url;  /* NULL: the cloud's admin API */
	const char *pp_cloud;
	const char *pp_environments[CLI_MAX_PP_ENVIRONMENTS];
	size_t pp_environments_count;
	const char *pp_token_env;  /* the variable holding a pre-fetched admin token */
	int quiet;             /* print no error or warning (scan collects them) */
	char *message;         /* when not NULL, receives the error message */
	size_t message_size;
} gather_options;

/* The Power Platform options, the same on assess, signals, scan and questions:
 * their table entries (at the given option indexes) ... */
#define CLI_PP_OPTIONS(PP, CLOUD, ENV, TOKEN)                                                                        \
	[PP] = {"power-platform", 0, "URL", "read the Power Platform tenant (credentials from AZURE_TENANT_ID, "          \
					    "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET); URL: another admin API", 1},              \
	[CLOUD] = {"cloud", 0, "NAME", "the tenant's cloud: public (default), usgov, usgovhigh, dod or china"},           \
	[ENV] = {"pp-environment", 0, "ID|URL", "also look in this environment (repeatable; 'all': every one)"},          \
	[TOKEN] = {"pp-token-env", 0, "VAR", "a pre-fetched admin API token is in the environment variable VAR"}

/* ... and reading them into `g`. Returns 0, or prints the error and returns
 * EXIT_USAGE. */
int cli_pp_options(gather_options *g, const cli_args *a, int pp, int cloud, int env, int token);

/* Fills *out (caller frees with alm_facts_free). Returns an exit code; on any
 * non-zero code the error has been printed and *out is NULL. */
int cli_gather(alm_facts **out, const gather_options *o);

#endif
