#include "report_int.h"
#include "alm/json.h"
#include "alm/probe.h"

#include <stdio.h>
#include <string.h>

const cJSON *alm_rpt_part(const cJSON *report, const char *id, const cJSON **question)
{
	const cJSON *q, *p;
	if (question)
		*question = NULL;
	if (!id)
		return NULL;
	cJSON_ArrayForEach(q, alm_json_get(report, "questions")) {
		cJSON_ArrayForEach(p, alm_json_get(q, "parts")) {
			const char *pid = alm_json_str(p, "id");
			if (pid && strcmp(pid, id) == 0) {
				if (question)
					*question = q;
				return p;
			}
		}
	}
	return NULL;
}

const cJSON *alm_rpt_fact(const cJSON *report, const char *path)
{
	return alm_json_get_path(alm_json_get(report, "facts"), path);
}

void alm_rpt_evidence_short(char *buf, size_t n, const cJSON *report, const cJSON *evidence)
{
	const char *fact = alm_json_str(evidence, "fact");
	const cJSON *value = fact ? alm_rpt_fact(report, fact) : NULL;
	const char *name = fact ? strchr(fact, '.') : NULL;
	char *text = NULL;
	int wrote;

	if (!n)
		return;
	buf[0] = '\0';
	if (!fact) {
		snprintf(buf, n, "%s", alm_json_str_or(evidence, "detail", ""));
		return;
	}
	/* Lists of files are long and say little here: their size says enough. */
	if (cJSON_IsArray(value) && cJSON_GetArraySize(value) > 3) {
		snprintf(buf, n, "%s: %d entries", name ? name + 1 : fact, cJSON_GetArraySize(value));
		return;
	}
	text = value ? cJSON_PrintUnformatted(value) : NULL;
	if (text)
		wrote = snprintf(buf, n, "%s = %s", name ? name + 1 : fact, text);
	else
		wrote = snprintf(buf, n, "%s", alm_json_str_or(evidence, "detail", fact));
	cJSON_free(text);
	/* Cut on a character boundary, with an ellipsis, when it did not fit. */
	if (wrote >= (int)n && n > 8) {
		size_t end = n - 4;
		while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
			end--;
		memcpy(buf + end, "...", 4);
	}
}

const char *alm_rpt_source_words(const char *source)
{
	const alm_probe *probe = alm_probe_find(source);
	if (!source)
		return "nothing";
	if (probe && probe->title)
		return probe->title;
	if (strcmp(source, ALM_SOURCE_ANSWERS) == 0)
		return "the answers";
	if (strcmp(source, ALM_SOURCE_DERIVED) == 0)
		return "inferred from evidence";
	if (strcmp(source, ALM_SOURCE_DEFAULT) == 0)
		return "a default";
	if (strcmp(source, "derived") == 0)
		return "inferred from evidence";
	if (strcmp(source, "pp") == 0)
		return "the Power Platform tenant";
	return source;
}

int alm_rpt_decided_stand_in(const cJSON *record)
{
	return cJSON_IsTrue(alm_json_get(record, "stands_in")) && cJSON_IsTrue(alm_json_get(record, "decided"));
}

int alm_rpt_stand_ins(const cJSON *report)
{
	const cJSON *d;
	int n = 0;
	cJSON_ArrayForEach(d, alm_json_get(report, "derived"))
		n += alm_rpt_decided_stand_in(d);
	return n;
}

const char *alm_rpt_source_phrase(const char *source)
{
	static const char *const from[] = {"repo", "from the repository", "ado", "from Azure DevOps", "answers",
					   "from the answers", "default", "from a default", "pp",
					   "from the Power Platform tenant"};
	size_t i;
	if (source && strcmp(source, "derived") == 0)
		return "inferred from evidence";
	for (i = 0; source && i < sizeof from / sizeof from[0]; i += 2)
		if (strcmp(source, from[i]) == 0)
			return from[i + 1];
	return "from elsewhere";
}

/* The value the report's own path took at `node`, or NULL. */
static const char *path_took(const cJSON *report, const char *node)
{
	const cJSON *step;
	cJSON_ArrayForEach(step, alm_json_get(report, "path"))
		if (alm_json_str(step, "node") && strcmp(alm_json_str(step, "node"), node) == 0)
			return alm_json_str(step, "value");
	return NULL;
}

int alm_rpt_outcome_takes(const cJSON *report, const char *node, const char *branch)
{
	const cJSON *o, *step;
	const char *took;
	if (!node || !branch)
		return 0;
	took = path_took(report, node);
	if (took && strcmp(took, branch) == 0)
		return 0;
	cJSON_ArrayForEach(o, alm_json_get(report, "outcomes")) {
		cJSON_ArrayForEach(step, alm_json_get(o, "path")) {
			const char *n = alm_json_str(step, "node"), *v = alm_json_str(step, "value");
			if (n && v && strcmp(n, node) == 0 && strcmp(v, branch) == 0)
				return 1;
		}
	}
	return 0;
}

int alm_rpt_outcome_reaches(const cJSON *report, const char *verdict)
{
	const cJSON *o;
	const char *reached = alm_json_str(report, "verdict");
	if (!verdict || (reached && strcmp(reached, verdict) == 0))
		return 0;
	cJSON_ArrayForEach(o, alm_json_get(report, "outcomes"))
		if (alm_json_str(o, "verdict") && strcmp(alm_json_str(o, "verdict"), verdict) == 0)
			return 1;
	return 0;
}
