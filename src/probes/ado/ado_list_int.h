#ifndef ALM_ADO_LIST_INT_H
#define ALM_ADO_LIST_INT_H
/* The listing with the probe's test knobs (small pages, a fake environment,
 * the request statistics). */
#include "alm/ado_list.h"
#include "ado_probe_int.h"

int alm_ado_list_tuned(alm_ado_listing **out, const alm_ado_list_options *opts, const alm_ado_tuning *tuning);

#endif
