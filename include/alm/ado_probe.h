#ifndef ALM_ADO_PROBE_H
#define ALM_ADO_PROBE_H
/*
 * The Azure DevOps probe: reads a project over REST with libcurl and records
 * ado.* facts (with evidence) in an alm_facts document. The token comes from
 * the caller's alm_env (AZURE_DEVOPS_EXT_PAT, else SYSTEM_ACCESSTOKEN) and
 * never appears in any message this module produces.
 */
#include "alm/facts.h"
#include "alm/probe.h"

#include <stddef.h>
#include <stdint.h>

#include "alm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What the repositories of one scan share: each project's data (pipelines,
 * builds, repositories, pull requests, policies, environments and their
 * checks, the authors' licences) is read once, by the first probe that needs
 * it, and every other repository's probe takes its share from here. Create one
 * per scan, pass it to every alm_ado_probe of the scan (any thread), free it
 * after the last. The data lives as long as the cache.
 */
typedef struct alm_ado_project_cache alm_ado_project_cache;

int alm_ado_project_cache_new(alm_ado_project_cache **out);
void alm_ado_project_cache_free(alm_ado_project_cache *cache); /* NULL is a no-op */

/* How many projects the cache read, and how many probes it served (for
 * tests and benchmarks). */
void alm_ado_project_cache_stats(const alm_ado_project_cache *cache, size_t *projects, size_t *served);

typedef struct {
	unsigned int version;
	const char *url;       /* project URL; NULL: derived from the environment or the remote */
	const char *repository; /* --ado-repo; NULL: matched from the remote or BUILD_REPOSITORY_NAME */
	const char *remote_url; /* the git remote, to derive url/repository; may be NULL */
	const char *ca_file;   /* extra CA bundle; may be NULL */
	int64_t since;         /* window start (epoch seconds); ignored when all_history */
	int all_history;
	double timeout;        /* seconds for the whole probe; 0: the default (60) */
	/* The token and the pipeline variables. NULL: read from the process
	 * (alm_env_from_process), for callers that run the probe on its own;
	 * alm_gather always passes its options' env. */
	const alm_env *env;
	alm_ado_project_cache *cache; /* a scan's shared project data; NULL: read everything for this probe */
	/* The User Entitlements API (licences): https://vsaex.dev.azure.com/ORG.
	 * NULL: derived from the URL (dev.azure.com and *.visualstudio.com; none
	 * on Azure DevOps Server). */
	const char *entitlements_url;
} alm_ado_probe_options;

#define ALM_ADO_PROBE_OPTIONS_VERSION 1
#define ALM_ADO_PROBE_OPTIONS_INIT { ALM_ADO_PROBE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 1, 0, NULL, NULL, NULL }

/*
 * Probes the project and sets ado.* facts and the "ado" probe status: the
 * pipelines and their builds, the repository's pull requests and branch
 * policies, the environments and their checks (ado.environments.checks,
 * ado.environments.approval_required), and the licences of the pull
 * requests' authors (ado.licenses.*; null with the reason in the evidence
 * when the token lacks vso.memberentitlementmanagement or on Azure DevOps
 * Server, which has no such API).
 * Returns 0 when every request succeeded, or when nothing names a project
 * (status "skipped"). When anything failed, the facts that could be read are
 * still set, ado.reachable/ado.error say what failed, the status is "degraded"
 * or "failed", and the return is ALM_EREMOTE (ALM_EINVALID for a bad URL, a
 * missing token, or plain http to a non-loopback host), so that a --strict
 * caller can exit 4 while any other caller records the failure and carries on.
 */
int alm_ado_probe(alm_facts *facts, const alm_ado_probe_options *opts) ALM_MUST_CHECK;

#ifdef __cplusplus
}
#endif

#endif
