#ifndef ALM_ADO_PROBE_H
#define ALM_ADO_PROBE_H
/*
 * The Azure DevOps probe: reads a project over REST with libcurl and records
 * ado.* facts (with evidence) in an alm_facts document. The token is read from
 * the environment (AZURE_DEVOPS_EXT_PAT, else SYSTEM_ACCESSTOKEN) and never
 * appears in any message this module produces.
 */
#include "alm/facts.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned int version;
	const char *url;       /* project URL; NULL: derived from the environment or the remote */
	const char *repository; /* --ado-repo; NULL: matched from the remote or BUILD_REPOSITORY_NAME */
	const char *remote_url; /* the git remote, to derive url/repository; may be NULL */
	const char *ca_file;   /* extra CA bundle; may be NULL */
	int64_t since;         /* window start (epoch seconds); ignored when all_history */
	int all_history;
	double timeout;        /* seconds for the whole probe; 0: the default (60) */
} alm_ado_probe_options;

#define ALM_ADO_PROBE_OPTIONS_VERSION 1
#define ALM_ADO_PROBE_OPTIONS_INIT { ALM_ADO_PROBE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 1, 0 }

/*
 * Probes the project and sets ado.* facts and the "ado" probe status.
 * Returns 0 when every request succeeded, or when nothing names a project
 * (status "skipped"). When anything failed, the facts that could be read are
 * still set, ado.reachable/ado.error say what failed, the status is "degraded"
 * or "failed", and the return is ALM_EREMOTE (ALM_EINVALID for a bad URL, a
 * missing token, or plain http to a non-loopback host), so that a --strict
 * caller can exit 4 while any other caller records the failure and carries on.
 */
int alm_ado_probe(alm_facts *facts, const alm_ado_probe_options *opts);

#ifdef __cplusplus
}
#endif

#endif
