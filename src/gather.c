/* Gathering the facts of one repository: the local probes (the repository),
 * the answers, then every wanted remote probe, in the table's order. */
#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/probe.h"
#include "alm/repo_locate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

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
	if (!(path = malloc(strlen(workdir) + sizeof ALM_ANSWERS_CONVENTIONAL_PATH)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	strcpy(path, workdir);
	strcat(path, ALM_ANSWERS_CONVENTIONAL_PATH);
	if (file_exists(path))
		rc = alm_answers_load_file(facts, path);
	free(path);
	return rc;
}

static int add_warning(cJSON **warnings, const char *title, const char *why)
{
	char line[1280];
	if (!warnings)
		return 0;
	if (!*warnings && !(*warnings = cJSON_CreateArray()))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	snprintf(line, sizeof line, "%s evidence is missing: %s", title, why);
	if (!cJSON_AddItemToArray(*warnings, cJSON_CreateString(line)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/* Runs one probe, or records why it was not wanted. A failure the user must
 * fix is returned as it is; a failing remote probe is the caller's error
 * only when strict, and otherwise a warning. */
static int run_probe(const alm_probe *p, alm_facts *facts, cJSON **warnings, const alm_gather_options *opts)
{
	const char *why = NULL, *title = p->title ? p->title : p->ns;
	char msg[1024];
	int rc;

	if (!p->wanted(opts, facts, &why))
		return alm_facts_set_probe(facts, p->ns, alm_probe_status_name(ALM_PROBE_SKIPPED), why);
	if (opts->progress)
		opts->progress(opts->progress_ctx, p->label);
	if ((rc = p->run(facts, opts)) >= 0)
		return 0;
	if (rc == ALM_EINVALID || rc == ALM_ENOTFOUND || rc == ALM_ENOMEM)
		return rc;
	snprintf(msg, sizeof msg, "%s", alm_error_last());
	if (opts->strict)
		return alm_error_set(ALM_EREMOTE, "%s: %s", title, msg);
	return add_warning(warnings, title, msg);
}

int alm_gather(alm_facts **out, cJSON **warnings, const alm_gather_options *opts)
{
	const alm_probe *const *table;
	alm_facts *facts = NULL;
	char *workdir = NULL;
	size_t i, n;
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
	table = alm_probe_table(&n);
	for (i = 0; i < n; i++)
		if (table[i]->local && (error = run_probe(table[i], facts, warnings, opts)) < 0)
			goto done;
	if ((error = read_answers(facts, opts, workdir)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if (!table[i]->local && (error = run_probe(table[i], facts, warnings, opts)) < 0)
			goto done;
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
