/*
 * Runs the Power Platform probe once against the stand-in and prints one
 * line: "SECONDS REQUESTS MAX_IN_FLIGHT ENVIRONMENTS HOST": the wall time of
 * the probe alone, the requests it made, and two facts to check the run.
 * With REPOSITORIES, the probe runs that many times one after another, as a
 * scan's repositories do, each reading the tenant itself ("each": as before
 * the scan shared its tenant) or all with one tenant cache ("shared"); the
 * line then sums the time and the requests.
 *
 *   pp_bench_driver ADMIN_URL [MAX_IN_FLIGHT [REPOSITORIES each|shared]]
 */
#include "pp_int.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/pp_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	alm_gather_options o;
	alm_pp_tuning t;
	alm_http_stats stats;
	alm_facts *facts = NULL;
	const cJSON *count, *host;
	char authority[256];
	double t0, t1, elapsed = 0;
	int rc = 0, repositories, i, requests = 0, max_in_flight = 0;
	alm_pp_tenant_cache *cache = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: pp_bench_driver ADMIN_URL [MAX_IN_FLIGHT [REPOSITORIES each|shared]]\n");
		return 2;
	}
	memset(&o, 0, sizeof o);
	memset(&t, 0, sizeof t);
	memset(&stats, 0, sizeof stats);
	snprintf(authority, sizeof authority, "%s/", argv[1]);
	o.version = ALM_GATHER_OPTIONS_VERSION;
	o.power_platform = 1;
	o.pp_admin_url = argv[1];
	o.all_history = 1;
	o.timeout = 60;
	o.env.azure_tenant_id = "5b1f3c8e-2d4a-4c71-9a0e-7e6d3b2f9c10";
	o.env.azure_client_id = "0a1b2c3d-0000-4000-8000-00000000c11e";
	o.env.azure_client_secret = "pp-test-secret~Zq8+/=&x";
	o.env.azure_authority_host = authority;
	t.max_in_flight = argc > 2 ? atoi(argv[2]) : 0;
	t.stats = &stats;
	repositories = argc > 3 ? atoi(argv[3]) : 1;
	if (argc > 4 && strcmp(argv[4], "shared") == 0 && alm_pp_tenant_cache_new(&cache) < 0)
		return 1;
	for (i = 0; i < repositories && rc >= 0; i++) {
		alm_facts_free(facts);
		facts = NULL;
		if (alm_facts_new(&facts) < 0 ||
		    alm_facts_set(facts, "repo.power_platform.solutions",
				  cJSON_Parse("[{\"unique_name\": \"ContosoInvoices\"}]"), ALM_SOURCE_REPO, "bench") < 0 ||
		    alm_facts_set(facts, "repo.deployment_settings.environments",
				  cJSON_Parse("[\"test\", \"production\"]"), ALM_SOURCE_REPO, "bench") < 0) {
			alm_facts_free(facts);
			return 1;
		}
		o.pp_cache = cache;
		memset(&stats, 0, sizeof stats);
		t0 = now();
		rc = alm_pp_run_tuned(facts, &o, &t);
		t1 = now();
		elapsed += t1 - t0;
		requests += stats.requests;
		if (stats.max_in_flight > max_in_flight)
			max_in_flight = stats.max_in_flight;
	}
	alm_pp_tenant_cache_free(cache);
	if (rc < 0) {
		fprintf(stderr, "pp_bench_driver: %s\n", alm_error_last());
		alm_facts_free(facts);
		return 1;
	}
	count = alm_facts_get(facts, "pp.environments.count");
	host = alm_facts_get(facts, "pp.pipelines.host");
	printf("%.4f %d %d %.0f %s\n", elapsed, requests, max_in_flight,
	       cJSON_IsNumber(count) ? count->valuedouble : -1, cJSON_IsTrue(host) ? "host" : "nohost");
	alm_facts_free(facts);
	return 0;
}
