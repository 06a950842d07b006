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

#ifdef __cplusplus
extern "C" {
#endif

extern const alm_probe alm_pp_probe;

#ifdef __cplusplus
}
#endif

#endif
