/*
 * Runs the Azure DevOps probe once for the benchmark and prints one line:
 *   seconds requests retries max_in_flight builds_succeeded
 * Usage: ado_bench_driver URL [IN_FLIGHT [TIMEOUT]]   (token in AZURE_DEVOPS_EXT_PAT)
 * IN_FLIGHT 1 makes the same requests one after another; 0 is the default.
 * With a TIMEOUT the probe's error (if any) goes to stderr as one line.
 */
#include "ado_probe_int.h"
#include "alm/error.h"
#include "alm/facts.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	alm_ado_probe_options opts = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_ado_tuning tuning = { 0 };
	alm_http_stats stats = { 0 };
	alm_facts *facts = NULL;
	const cJSON *ok;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: ado_bench_driver URL [IN_FLIGHT]\n");
		return 2;
	}
	opts.url = argv[1];
	opts.timeout = argc > 3 ? atof(argv[3]) : 300;
	tuning.max_in_flight = argc > 2 ? atoi(argv[2]) : 0;
	tuning.stats = &stats;
	if (alm_facts_new(&facts) < 0)
		return 3;
	rc = alm_ado_probe_tuned(facts, &opts, &tuning);
	if (rc < 0)
		fprintf(stderr, "ado_bench_driver: %s\n", alm_error_last());
	if (rc < 0 && argc > 3) {
		const cJSON *why = alm_facts_get(facts, "ado.error");
		fprintf(stderr, "ado.error: %s\n", cJSON_IsString(why) ? why->valuestring : "(none)");
	}
	ok = alm_facts_get(facts, "ado.builds.succeeded");
	printf("%.3f %d %d %d %d\n", stats.elapsed, stats.requests, stats.retries, stats.max_in_flight,
	       cJSON_IsNumber(ok) ? ok->valueint : -1);
	alm_facts_free(facts);
	return rc < 0 ? 4 : 0;
}
