#ifndef ALM_ADO_LIST_H
#define ALM_ADO_LIST_H
/*
 * Listing the Git repositories of one Azure DevOps project, or of every
 * project of an organization (a collection on Azure DevOps Server), so that a
 * portfolio scan can assess each one from the service's evidence alone, with
 * alm_ado_probe per repository. The token, the transport and the wording of
 * failures are the probe's (alm/ado_probe.h): the token comes from
 * AZURE_DEVOPS_EXT_PAT or SYSTEM_ACCESSTOKEN and appears in no message.
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned int version;
	/* https://dev.azure.com/ORG (every project), https://dev.azure.com/ORG/PROJECT,
	 * https://ORG.visualstudio.com[/PROJECT], https://server/[tfs/]COLLECTION[/PROJECT];
	 * a repository's address (.../_git/REPO) lists that repository alone. */
	const char *url;
	const char *ca_file; /* extra CA bundle; may be NULL */
	double timeout;      /* seconds for the whole listing; 0: the default (60) */
} alm_ado_list_options;

#define ALM_ADO_LIST_OPTIONS_VERSION 1
#define ALM_ADO_LIST_OPTIONS_INIT { ALM_ADO_LIST_OPTIONS_VERSION, NULL, NULL, 0 }

/* One repository, or one project whose repositories could not be listed. */
typedef struct {
	char *organization; /* as the URL names it */
	char *project;      /* as Azure DevOps names it */
	char *project_url;  /* the project's address: what alm_ado_probe_options.url takes */
	char *name;         /* the repository; NULL for a project that could not be listed */
	char *web_url;      /* the repository's web page as the service gives it; NULL when it gives none */
	int disabled;       /* disabled in Azure DevOps: its contents cannot be read */
	char *error;        /* NULL, or (with name NULL) why the project's repositories could not be listed */
} alm_ado_listed;

typedef struct {
	alm_ado_listed *items; /* sorted by project, then repository, case-insensitively */
	size_t count;
	size_t projects;        /* how many projects were listed */
	int whole_organization; /* the URL named an organization or collection, not one project */
} alm_ado_listing;

/*
 * Lists the repositories. Returns 0 with *out set (free it with
 * alm_ado_listing_free) when the projects could be listed and, if there were
 * any, the repositories of at least one of them; a project whose repositories
 * could not be read is an item with `error` set. Otherwise *out is NULL and the
 * return is ALM_EINVALID (a malformed URL, no token, plain http to a host that
 * is not loopback: the user's input to fix) or ALM_EREMOTE (unreachable, the
 * token refused, the organization or project not found, every project
 * failing), with a one-line message.
 */
int alm_ado_list(alm_ado_listing **out, const alm_ado_list_options *opts);

/* NULL is a no-op. */
void alm_ado_listing_free(alm_ado_listing *listing);

/*
 * Holds libcurl's global state from one thread, before others start probing:
 * libcurl older than 7.84 does not set it up thread-safely, and holding it
 * keeps each probe's own set-up and clean-up down to a reference count.
 * Returns 0 or ALM_ERROR; each successful call is paired with a shutdown.
 */
int alm_ado_global_init(void);
void alm_ado_global_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
