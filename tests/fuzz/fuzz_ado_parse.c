/*
 * Every Azure DevOps response parser on the same raw HTTP body, as the probe
 * would receive it: definitions, builds, repositories, pull requests,
 * reviewers, policies (and whether each applies), environments and their
 * check configurations, a user entitlement, the project,
 * the error message, and the body as a timestamp. The parsers share the
 * wrapper and field readers, so one corpus of bodies exercises them all.
 */
#include "fuzz.h"

#include "ado_parse.h"

#include <stdlib.h>
#include <string.h>

static void times(double epoch)
{
	char buf[32];
	alm_ado_format_time(buf, sizeof buf, epoch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	alm_ado_definitions defs;
	alm_ado_builds builds;
	alm_ado_repositories repos;
	alm_ado_pull_requests prs;
	alm_ado_policies policies;
	alm_ado_environments envs;
	char *name = NULL, *text, message[256], tiny[8];
	double t;
	int approved = 0;
	size_t i, j;

	memset(&defs, 0, sizeof defs);
	if (alm_ado_parse_definitions(&defs, body, size) == 0)
		for (i = 0; i < defs.count; i++)
			times(defs.items[i].latest_queued);
	alm_ado_definitions_dispose(&defs);

	memset(&builds, 0, sizeof builds);
	if (alm_ado_parse_builds(&builds, body, size) == 0)
		for (i = 0; i < builds.count; i++)
			times(builds.items[i].started);
	alm_ado_builds_dispose(&builds);

	memset(&repos, 0, sizeof repos);
	(void)alm_ado_parse_repositories(&repos, body, size);
	memset(&policies, 0, sizeof policies);
	if (alm_ado_parse_policies(&policies, body, size) == 0) {
		for (i = 0; i < policies.count; i++) {
			(void)alm_ado_policy_applies(&policies.items[i], "", "refs/heads/main");
			for (j = 0; j < repos.count; j++)
				(void)alm_ado_policy_applies(&policies.items[i], repos.items[j].id,
							     repos.items[j].default_branch ? repos.items[j].default_branch
											   : "refs/heads/main");
		}
	}
	alm_ado_policies_dispose(&policies);
	alm_ado_repositories_dispose(&repos);

	memset(&prs, 0, sizeof prs);
	if (alm_ado_parse_pull_requests(&prs, body, size) == 0)
		for (i = 0; i < prs.count && i < 4; i++)
			(void)alm_ado_parse_reviewers(&approved, prs.items[i].creator_id, body, size);
	alm_ado_pull_requests_dispose(&prs);
	(void)alm_ado_parse_reviewers(&approved, "", body, size);

	memset(&envs, 0, sizeof envs);
	(void)alm_ado_parse_environments(&envs, body, size);
	alm_ado_environments_dispose(&envs);
	{
		alm_ado_checks checks;
		alm_ado_license license;
		char display[16];
		(void)alm_ado_parse_checks(&checks, body, size);
		(void)alm_ado_parse_entitlement(&license, display, sizeof display, body, size);
	}

	if (alm_ado_parse_project(&name, body, size) == 0)
		free(name);

	(void)alm_ado_parse_error_message(message, sizeof message, body, size);
	(void)alm_ado_parse_error_message(tiny, sizeof tiny, body, size);

	/* The text forms: a timestamp, and a line folded in place. */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (alm_ado_parse_time(text, &t) == 0)
			times(t);
		alm_ado_one_line(text);
		free(text);
	}
	return 0;
}
