#ifndef ALM_ADO_URL_H
#define ALM_ADO_URL_H
/*
 * Azure DevOps project addresses: parsing the URL a user gives, deriving it
 * from a git remote or from the Azure Pipelines variables, and building
 * request URLs below it. Pure string work (libcurl's URL parser only): no
 * network, no environment unless a lookup function is passed in.
 */
#include "alm/probe.h"

#include <stddef.h>

typedef struct {
	char *collection;   /* scheme://host[:port]/path of the organization or collection, no trailing '/' */
	char *organization; /* the organization, or the collection's name on Azure DevOps Server */
	char *project;      /* decoded */
	char *repository;   /* decoded; NULL when the address names none */
	int server;         /* Azure DevOps Server (on-premises): highest api-version 7.0 */
	int loopback;       /* host is 127.0.0.0/8, ::1 or localhost: plain http allowed */
	int plain_http;     /* scheme is http */
} alm_ado_target;

/* Frees the strings and zeroes the struct; NULL and zeroed structs are fine. */
void alm_ado_target_dispose(alm_ado_target *target);

/*
 * A project URL: https://dev.azure.com/ORG/PROJECT, https://ORG.visualstudio.com/PROJECT,
 * https://server[:port]/[tfs/]COLLECTION/PROJECT, http://127.0.0.1:PORT/ORG/PROJECT,
 * each optionally followed by /_git/REPO or other UI paths, a query or a fragment.
 * Returns 0, or ALM_EINVALID with a message naming what is wrong.
 */
int alm_ado_url_parse(alm_ado_target *out, const char *url);

/*
 * A git remote on Azure DevOps (https://[ORG@]dev.azure.com/ORG/PROJECT/_git/REPO,
 * https://ORG.visualstudio.com/PROJECT/_git/REPO, git@ssh.dev.azure.com:v3/ORG/PROJECT/REPO,
 * ORG@vs-ssh.visualstudio.com:v3/ORG/PROJECT/REPO, ssh:// forms, Server remotes with /_git/).
 * Returns 0, ALM_ENOTFOUND when the remote is not on Azure DevOps, or ALM_EINVALID.
 */
int alm_ado_url_from_remote(alm_ado_target *out, const char *remote);

/*
 * The address of what a scan covers: an organization (https://dev.azure.com/ORG,
 * https://ORG.visualstudio.com, a Server collection https://server[:port]/[tfs/]COLLECTION)
 * or one project (anything alm_ado_url_parse takes). Fills `project` when the
 * URL reads as a project, `collection` (project NULL) when it reads as an
 * organization or collection, and both when only the server can tell: on
 * Azure DevOps Server (and the loopback test server) .../A/B is either
 * project B of collection A or the collection A/B. Returns 0, or ALM_EINVALID
 * naming what is wrong; on error both are zeroed.
 */
int alm_ado_url_parse_scope(alm_ado_target *project, alm_ado_target *collection, const char *url);

/* SYSTEM_COLLECTIONURI (trailing '/' or not) plus SYSTEM_TEAMPROJECT. */
int alm_ado_url_from_collection(alm_ado_target *out, const char *collection_uri,
				const char *project);

/* Looks up an environment variable: a table in tests. */
typedef alm_env_lookup_fn alm_ado_env_fn;

/* How the target was found, for evidence: "the --ado URL", "SYSTEM_COLLECTIONURI and
 * SYSTEM_TEAMPROJECT", "the git remote". */
typedef enum { ALM_ADO_FROM_URL, ALM_ADO_FROM_PIPELINE, ALM_ADO_FROM_REMOTE } alm_ado_origin;

/*
 * Picks the project: `url` when given, else the pipeline variables when
 * TF_BUILD is true, else `remote`. Picks the repository: `repository`, else the
 * one the URL or the remote names (the remote only when it is in the same
 * project), else BUILD_REPOSITORY_NAME inside a pipeline building an Azure
 * Repos repository. Returns 0, ALM_ENOTFOUND when there is nothing to probe,
 * or ALM_EINVALID when a given address is malformed.
 */
int alm_ado_resolve_env(alm_ado_target *out, alm_ado_origin *origin, const char *url,
			const char *repository, const char *remote, const alm_env *env);

/* The same, with the environment read through `env` (NULL: none). */
int alm_ado_resolve(alm_ado_target *out, alm_ado_origin *origin, const char *url,
		    const char *repository, const char *remote, alm_ado_env_fn env);

/* 1 when `host` (as in a URL, IPv6 possibly in brackets) is a loopback address. */
int alm_ado_host_is_loopback(const char *host);

/* Percent-encodes one path segment or query value (RFC 3986 unreserved kept). Caller frees. */
char *alm_ado_escape(const char *text);

/* Decodes %XX escapes in place; returns -1 on a malformed escape or a decoded NUL. */
int alm_ado_unescape(char *text);

#endif
