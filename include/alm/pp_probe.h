#ifndef ALM_PP_PROBE_H
#define ALM_PP_PROBE_H
/*
 * The Power Platform probe's entry in the probe table: the tenant as pp.*
 * facts (environments, data policies, the repository's solutions in the
 * environments that matter, the CoE Starter Kit and the ALM Accelerator,
 * Pipelines for Power Platform). Wanted when opts->power_platform is set.
 *
 * Credentials come from opts->env by Azure's SDK conventions
 * (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or
 * AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST), or a pre-fetched admin
 * token (power_platform_token). run() returns 0; ALM_EINVALID when it cannot
 * start (no credentials, a bad URL or cloud, plain http to a host that is not
 * loopback); ALM_EREMOTE when a request failed (the facts read are set, the
 * status is "degraded" or "failed" and pp.error says why). No secret or token
 * appears in any fact, evidence, status or message.
 */
#include "alm/probe.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const alm_probe alm_pp_probe;

/*
 * What the repositories of one scan share of the tenant: the environments
 * (every page, folded into the counts, the list and the Dataverse
 * environments to choose from), the data policies, the environments asked for
 * by id, the failure reading them if any, and the Dataverse tokens (one a
 * scope). The first probe that needs the tenant reads it; every other waits
 * for it and takes it, so a failure reading the tenant is the same for every
 * repository. A repository's own solutions, pipelines and stage runs are
 * still read per repository. Create one per scan, pass it to every probe of
 * the scan as alm_gather_options.pp_cache (any thread), free it after the
 * last; a probe whose admin API, cloud, credential or environments asked for
 * differ from the first one's reads its own tenant. Tokens stay in memory and
 * are wiped when the cache is freed.
 */
typedef struct alm_pp_tenant_cache alm_pp_tenant_cache;

int alm_pp_tenant_cache_new(alm_pp_tenant_cache **out);
void alm_pp_tenant_cache_free(alm_pp_tenant_cache *cache); /* NULL is a no-op */

/* How often the tenant was read (0 or 1), how many probes took it from the
 * cache instead, and how many Dataverse token requests went through it (for
 * tests and benchmarks). Any out-parameter may be NULL. */
void alm_pp_tenant_cache_stats(const alm_pp_tenant_cache *cache, size_t *reads, size_t *served, size_t *tokens);

#ifdef __cplusplus
}
#endif

#endif
