/* The probe table: the probes in the order they run. A new probe is its own
 * folder below src/probes/ and one line here. */
#include "alm/probe.h"

#include <string.h>

/* The probes, in the order they run; each is defined in its own folder
 * (src/probes/NAME/). Adding one is one line here. */
#define ALM_PROBES(X)              \
	X(alm_repo_probe_entry)    \
	X(alm_ado_probe_entry)     \
	X(alm_pp_probe)

#define DECLARE(entry) extern const alm_probe entry;
#define POINT_AT(entry) &entry,
ALM_PROBES(DECLARE)

static const alm_probe *const table[] = {ALM_PROBES(POINT_AT)};

const alm_probe *const *alm_probe_table(size_t *count)
{
	*count = sizeof table / sizeof table[0];
	return table;
}

const alm_probe *alm_probe_find(const char *ns)
{
	size_t i;
	for (i = 0; ns && i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i]->ns, ns) == 0)
			return table[i];
	return NULL;
}

int alm_source_known(const char *name)
{
	return name && (alm_probe_find(name) || strcmp(name, ALM_SOURCE_ANSWERS) == 0 ||
			strcmp(name, ALM_SOURCE_DERIVED) == 0 || strcmp(name, ALM_SOURCE_DEFAULT) == 0);
}

const char *alm_probe_status_name(alm_probe_status status)
{
	switch (status) {
	case ALM_PROBE_OK: return "ok";
	case ALM_PROBE_DEGRADED: return "degraded";
	case ALM_PROBE_SKIPPED: return "skipped";
	case ALM_PROBE_FAILED: return "failed";
	}
	return "failed";
}
