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
		return "an inference from the evidence";
	if (strcmp(source, ALM_SOURCE_DEFAULT) == 0)
		return "a default";
	return source;
}
