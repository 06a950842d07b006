/* Gathering the facts of one repository: the local probes (the repository),
 * the answers, then every wanted remote probe, in the table's order. */
#include "gather_int.h"
#include "facts_int.h"

#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/probe.h"
#include "alm/repo_locate.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The team's answers: the file named, else the conventional file of the work
 * tree, else (a bare repository) the conventional file in the tree at HEAD. */
static int read_answers(alm_facts *facts, const alm_gather_options *opts, const char *workdir)
{
	const char *repo = opts->repo ? opts->repo : ".";
	char *path = NULL;
	int rc = 0;

	if (opts->answers)
		return alm_answers_load_file(facts, opts->answers);
	if (opts->no_answers || opts->no_repo)
		return 0;
	if (!workdir) {
		char *text = NULL;
		size_t len = 0, n = strlen(repo) + sizeof "@HEAD:" + sizeof ALM_ANSWERS_CONVENTIONAL_PATH;
		rc = alm_repo_read_head_file(&text, &len, repo, ALM_ANSWERS_CONVENTIONAL_PATH, ALM_JSON_MAX_FILE);
		if (rc == 0) {
			if (!(path = malloc(n)))
				rc = alm_error_set(ALM_ENOMEM, "out of memory");
			else {
				snprintf(path, n, "%s@HEAD:%s", repo, ALM_ANSWERS_CONVENTIONAL_PATH);
				rc = alm_answers_load_text(facts, text, len, path);
			}
		}
		free(text);
		free(path);
		return rc == ALM_ENOTFOUND ? 0 : rc;
	}
	/* Only when it resolves inside the work tree: never a link out of it. */
	rc = alm_answers_load_conventional(facts, workdir);
	return rc == ALM_ENOTFOUND ? 0 : rc;
}

static int add_warning(cJSON **warnings, const char *title, const char *why)
{
	char line[1280];
	if (!warnings)
		return 0;
	if (!*warnings && !(*warnings = cJSON_CreateArray()))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	snprintf(line, sizeof line, "%s evidence is missing: %s", title, why);
	if (!alm_json_add(*warnings, NULL, cJSON_CreateString(line)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/* What a probe's return means: a failure the user must fix is the
 * gathering's error; a failing remote probe is the caller's error only when
 * strict, and otherwise a warning. `msg` is the probe's message. */
static int conclude(const alm_probe *p, int rc, const char *msg, cJSON **warnings, const alm_gather_options *opts)
{
	const char *title = p->title ? p->title : p->ns;
	if (rc >= 0)
		return 0;
	if (rc == ALM_EINVALID || rc == ALM_ENOTFOUND || rc == ALM_ENOMEM)
		return alm_error_set(rc, "%s", msg);
	if (opts->strict)
		return alm_error_set(ALM_EREMOTE, "%s: %s", title, msg);
	return add_warning(warnings, title, msg);
}

/* 1 when the probe is to run; else records it as skipped, with why. */
static int want(const alm_probe *p, alm_facts *facts, const alm_gather_options *opts, int *error)
{
	const char *why = NULL;
	*error = 0;
	if (p->wanted(opts, facts, &why))
		return 1;
	*error = alm_facts_set_probe(facts, p->ns, alm_probe_status_name(ALM_PROBE_SKIPPED), why);
	return 0;
}

static int run_here(const alm_probe *p, alm_facts *facts, cJSON **warnings, const alm_gather_options *opts)
{
	char msg[1024];
	int rc;
	if (opts->progress)
		opts->progress(opts->progress_ctx, p->label);
	rc = p->run(facts, opts);
	snprintf(msg, sizeof msg, "%s", alm_error_last());
	return conclude(p, rc, msg, warnings, opts);
}

/* One remote probe on a thread of its own, writing in its own copy of the
 * facts gathered so far (a document is for one thread at a time). */
typedef struct {
	const alm_probe *probe;
	const alm_gather_options *opts;
	alm_facts *facts;
	int rc, started;
	char msg[1024];
	pthread_t thread;
} remote_run;

static void *remote_thread(void *arg)
{
	remote_run *r = arg;
	r->rc = r->probe->run(r->facts, r->opts);
	snprintf(r->msg, sizeof r->msg, "%s", alm_error_last()); /* the message is per thread */
	return NULL;
}

/* Runs the wanted remote probes at once, then takes each one's namespace
 * back and concludes in table order, so the outcome is the one a run in
 * that order would give. */
static int run_together(remote_run *runs, size_t k, alm_facts *facts, cJSON **warnings,
			const alm_gather_options *opts)
{
	size_t i;
	int error = 0;
	/* libcurl before 7.84 does not set itself up thread-safely: held here,
	 * each probe's own set-up is a reference count. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return alm_error_set(ALM_ERROR, "libcurl could not be initialised");
	for (i = 0; i < k && error == 0; i++) {
		if ((error = alm_facts_copy(&runs[i].facts, facts)) < 0)
			break;
		if (opts->progress)
			opts->progress(opts->progress_ctx, runs[i].probe->label);
		runs[i].started = pthread_create(&runs[i].thread, NULL, remote_thread, &runs[i]) == 0;
		if (!runs[i].started)
			remote_thread(&runs[i]); /* no thread to be had: here, then */
	}
	for (i = 0; i < k; i++)
		if (runs[i].started)
			pthread_join(runs[i].thread, NULL);
	for (i = 0; i < k; i++) {
		if (runs[i].facts && error == 0) {
			unsigned long failures = alm_json_add_failures();
			/* A probe's facts are adopted whole, or the gathering fails. */
			if ((error = alm_facts_adopt(facts, runs[i].facts, runs[i].probe->ns)) == 0 &&
			    (error = alm_json_add_check(failures, "the facts")) == 0)
				error = conclude(runs[i].probe, runs[i].rc, runs[i].msg, warnings, opts);
		}
		alm_facts_free(runs[i].facts);
	}
	curl_global_cleanup();
	return error;
}

static int run_remote(const alm_probe *const *table, size_t n, alm_facts *facts, cJSON **warnings,
		      const alm_gather_options *opts)
{
	remote_run *runs = calloc(n ? n : 1, sizeof *runs);
	size_t i, k = 0;
	int error = 0;
	if (!runs)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	/* Each decides on the facts before any remote probe: they are independent. */
	for (i = 0; i < n && error == 0; i++) {
		if (table[i]->local || !want(table[i], facts, opts, &error))
			continue;
		runs[k].probe = table[i];
		runs[k].opts = opts;
		k++;
	}
	if (error == 0 && k == 1)
		error = run_here(runs[0].probe, facts, warnings, opts);
	else if (error == 0 && k > 1)
		error = run_together(runs, k, facts, warnings, opts);
	free(runs);
	return error;
}

int alm_gather_with(alm_facts **out, cJSON **warnings, const alm_gather_options *opts,
		    const alm_probe *const *table, size_t n)
{
	alm_facts *facts = NULL;
	char *workdir = NULL;
	size_t i;
	int error;

	*out = NULL;
	if (warnings)
		*warnings = NULL;
	if (!opts || opts->version != ALM_GATHER_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_gather: options missing or of version %u, not %d",
				     opts ? opts->version : 0, ALM_GATHER_OPTIONS_VERSION);
	if ((error = alm_facts_new(&facts)) < 0)
		return error;
	/* Where the answers are depends on the work tree: found first, so that
	 * "not a repository" is said before any probe runs. */
	if (!opts->no_repo && (error = alm_repo_locate(&workdir, opts->repo ? opts->repo : ".")) < 0)
		goto done;
	for (i = 0; i < n && error == 0; i++)
		if (table[i]->local && want(table[i], facts, opts, &error))
			error = run_here(table[i], facts, warnings, opts);
	if (error == 0)
		error = read_answers(facts, opts, workdir);
	if (error == 0)
		error = run_remote(table, n, facts, warnings, opts);
done:
	free(workdir);
	if (error < 0) {
		alm_facts_free(facts);
		if (warnings) {
			cJSON_Delete(*warnings);
			*warnings = NULL;
		}
		return error;
	}
	*out = facts;
	return 0;
}

int alm_gather(alm_facts **out, cJSON **warnings, const alm_gather_options *opts)
{
	size_t n;
	const alm_probe *const *table = alm_probe_table(&n);
	return alm_gather_with(out, warnings, opts, table, n);
}
