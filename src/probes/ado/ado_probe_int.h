#ifndef ALM_ADO_PROBE_INT_H
#define ALM_ADO_PROBE_INT_H
/*
 * Knobs of the Azure DevOps probe that are not part of the public API, for the
 * tests (small limits, small pages, a fake environment) and the benchmark
 * (one request at a time versus concurrent).
 */
#include "alm/ado_probe.h"
#include "ado_url.h"
#include "http.h"

typedef struct {
	int max_in_flight;   /* 0: the default */
	size_t max_body;     /* 0: the default */
	double backoff_base; /* 0: the default */
	int page_size;       /* $top of every list; 0: each list's default */
	alm_ado_env_fn env;  /* NULL: the options' env */
	int as_server;       /* treat the host as Azure DevOps Server (api-version 7.0) */
	alm_http_stats *stats; /* filled in when not NULL */
} alm_ado_tuning;

#define ALM_ADO_DEFAULT_IN_FLIGHT 16

int alm_ado_probe_tuned(alm_facts *facts, const alm_ado_probe_options *opts,
			const alm_ado_tuning *tuning);

#endif
