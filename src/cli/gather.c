#include "gather.h"
#include "cli.h"
#include "progress.h"

#include "alm/ado_probe.h"
#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/repo_locate.h"
#include "alm/repo_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Prints the error unless the caller (a scan) collects it instead; the message
 * stays in *o->message either way. */
static void report(const gather_options *o, const char *prefix, const char *msg)
{
	if (o->message)
		snprintf(o->message, o->message_size, "%s%s", prefix, msg);
	if (!o->quiet)
		cli_error("%s%s", prefix, msg);
}

/* Azure DevOps is asked only when the user named it, or inside a pipeline, or
 * when a token is set and the remote is Azure DevOps: never by surprise. */
static int ado_wanted(const gather_options *o, const alm_facts *facts)
{
	const cJSON *host = alm_facts_get(facts, "repo.host");
	const char *tf = getenv("TF_BUILD");
	int token = (getenv("AZURE_DEVOPS_EXT_PAT") && *getenv("AZURE_DEVOPS_EXT_PAT")) ||
		    (getenv("SYSTEM_ACCESSTOKEN") && *getenv("SYSTEM_ACCESSTOKEN"));
	if (o->ado_url)
		return 1;
	if (tf && strcasecmp(tf, "True") == 0 && getenv("SYSTEM_COLLECTIONURI") && token)
		return 1;
	return token && cJSON_IsString(host) && strcmp(host->valuestring, "azure-devops") == 0;
}

int cli_gather(alm_facts **out, const gather_options *o)
{
	alm_facts *facts = NULL;
	const char *repo = o->repo ? o->repo : ".";
	char *workdir = NULL;
	long long since = 0;
	int all = 0, code = EXIT_ASSESSED, rc;

	*out = NULL;
	if (cli_parse_since(o->since ? o->since : "365", &since, &all, (long long)time(NULL)) < 0) {
		cli_error("--since '%s': expected a number of days, a date YYYY-MM-DD, or 'all'", o->since);
		return EXIT_USAGE;
	}
	if (alm_facts_new(&facts) < 0) {
		report(o, "", alm_error_last());
		return EXIT_BAD_INPUT;
	}

	if (o->no_repo) {
		alm_facts_set_probe(facts, "repo", "skipped", "--no-repo: the repository was not read");
	} else {
		alm_repo_probe_options ro = ALM_REPO_PROBE_OPTIONS_INIT;
		if ((rc = alm_repo_locate(&workdir, repo)) < 0) {
			report(o, "", alm_error_last());
			code = EXIT_BAD_INPUT;
			goto done;
		}
		ro.since = since;
		ro.all_history = all;
		cli_progress_label("reading the repository");
		if ((rc = alm_repo_probe(facts, repo, &ro)) < 0) {
			if (rc == ALM_ENOTFOUND || rc == ALM_EINVALID) {
				report(o, "", alm_error_last());
				code = EXIT_BAD_INPUT;
				goto done;
			}
			alm_facts_set_probe(facts, "repo", "failed", alm_error_last());
		}
	}

	if (o->answers) {
		if (alm_answers_load_file(facts, o->answers) < 0) {
			report(o, "", alm_error_last());
			code = EXIT_BAD_INPUT;
			goto done;
		}
	} else if (!workdir && !o->no_repo && !o->no_answers) {
		/* A bare repository: its answers are in the tree at HEAD. */
		char *text = NULL, name[4200];
		size_t len = 0;
		int rc2 = alm_repo_read_head_file(&text, &len, repo, ALM_ANSWERS_CONVENTIONAL_PATH, ALM_JSON_MAX_FILE);
		snprintf(name, sizeof name, "%s@HEAD:%s", repo, ALM_ANSWERS_CONVENTIONAL_PATH);
		if (rc2 == 0)
			rc2 = alm_answers_load_text(facts, text, len, name);
		free(text);
		if (rc2 < 0 && rc2 != ALM_ENOTFOUND) {
			report(o, "", alm_error_last());
			code = EXIT_BAD_INPUT;
			goto done;
		}
	} else if (workdir && !o->no_answers) {
		if ((rc = alm_answers_load_conventional(facts, workdir)) < 0 && rc != ALM_ENOTFOUND) {
			report(o, "", alm_error_last());
			code = EXIT_BAD_INPUT;
			goto done;
		}
	}

	if (ado_wanted(o, facts)) {
		alm_ado_probe_options ao = ALM_ADO_PROBE_OPTIONS_INIT;
		const cJSON *remote = alm_facts_get(facts, "repo.remote_url");
		ao.url = o->ado_url;
		ao.repository = o->ado_repo;
		ao.remote_url = cJSON_IsString(remote) ? remote->valuestring : NULL;
		ao.ca_file = o->ca_file;
		ao.since = since;
		ao.all_history = all;
		ao.timeout = o->timeout ? atof(o->timeout) : 0;
		cli_progress_label("asking Azure DevOps");
		if ((rc = alm_ado_probe(facts, &ao)) < 0) {
			/* Asked for by name but impossible to even try (no token, a bad or
			 * plain-http URL): that is the user's input to fix, not a degraded run. */
			if (rc == ALM_EINVALID && o->ado_url) {
				report(o, "", alm_error_last());
				code = EXIT_BAD_INPUT;
				goto done;
			}
			if (o->strict) {
				report(o, "Azure DevOps: ", alm_error_last());
				code = EXIT_REMOTE;
				goto done;
			}
			if (!o->quiet)
				fprintf(stderr, "alm-advisor: warning: Azure DevOps evidence is missing: %s\n",
					alm_error_last());
		}
	} else {
		alm_facts_set_probe(facts, "ado", "skipped",
				    "not asked: pass --ado URL with AZURE_DEVOPS_EXT_PAT set to add Azure DevOps evidence");
	}
done:
	free(workdir);
	if (code != EXIT_ASSESSED) {
		alm_facts_free(facts);
		return code;
	}
	*out = facts;
	return EXIT_ASSESSED;
}
