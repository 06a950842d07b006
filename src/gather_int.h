#ifndef ALM_GATHER_INT_H
#define ALM_GATHER_INT_H
/* alm_gather over a table of the caller's: for the tests, whose probes show
 * how the gathering orders, runs and concludes them. */
#include "alm/probe.h"

int alm_gather_with(alm_facts **out, cJSON **warnings, const alm_gather_options *opts,
		    const alm_probe *const *table, size_t n);

#endif
