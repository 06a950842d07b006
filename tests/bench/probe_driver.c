/*
 * A minimal front end to alm_repo_probe for the benchmark: prints the facts
 * document as JSON. Usage: probe_driver [--since EPOCH|all] REPO
 */
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/repo_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	alm_repo_probe_options opts = ALM_REPO_PROBE_OPTIONS_INIT;
	alm_facts *facts = NULL;
	const char *repo = ".";
	cJSON *doc;
	char *text;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "all") != 0) {
				opts.all_history = 0;
				opts.since = strtoll(argv[i], NULL, 10);
			}
		} else {
			repo = argv[i];
		}
	}
	if (alm_facts_new(&facts) < 0)
		return 3;
	rc = alm_repo_probe(facts, repo, &opts);
	if (rc < 0)
		fprintf(stderr, "probe_driver: %s\n", alm_error_last());
	doc = alm_facts_to_json(facts);
	text = doc ? cJSON_Print(doc) : NULL;
	if (text)
		puts(text);
	free(text);
	cJSON_Delete(doc);
	alm_facts_free(facts);
	return rc < 0 ? 3 : 0;
}
