/* SARIF 2.1.0, so that a pipeline's code-scanning view (GitHub code scanning,
 * the Azure DevOps SARIF SAST Scans tab) lists the gaps beside other findings.
 * Each gap is a result; its rule is the tree's question part, described by the
 * question's text and helped by the gap's action. */
#include "alm/report.h"
#include "alm/error.h"
#include "strbuf.h"
#include "alm/json.h"
#include "report_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the report readers every function here uses. */
#define str alm_json_str
#define str_or alm_json_str_or
#define get alm_json_get

#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"

/* "prerequisites.licenses.azure_devops_basic" -> "PrerequisitesLicensesAzureDevopsBasic":
 * SARIF asks rule names to be UpperCamelCase identifiers. */
static void camel_name(char *buf, size_t n, const char *id)
{
	size_t used = 0;
	int upper = 1;
	for (; *id && used + 1 < n; id++) {
		if (!isalnum((unsigned char)*id)) {
			upper = 1;
			continue;
		}
		buf[used++] = upper ? (char)toupper((unsigned char)*id) : *id;
		upper = 0;
	}
	buf[used] = '\0';
}

static cJSON *text_object(const char *text)
{
	cJSON *o = cJSON_CreateObject();
	if (o)
		alm_json_add_string(o, "text", text ? text : "");
	return o;
}

static cJSON *make_rule(const cJSON *gap)
{
	const char *part = str_or(gap, "part", "?"), *section = str(gap, "section");
	const char *text = str_or(gap, "text", part), *action = str_or(gap, "action", "");
	cJSON *rule = cJSON_CreateObject(), *help, *props, *tags;
	char name[256], *full = NULL, *markdown = NULL;
	size_t n;

	if (!rule)
		return NULL;
	camel_name(name, sizeof name, part);
	alm_json_add_string(rule, "id", part);
	alm_json_add_string(rule, "name", name);
	alm_json_add(rule, "shortDescription", text_object(text));
	/* The full description is the seed's question and the part asked of it. */
	n = strlen(text) + (section ? strlen(section) : 0) + 4;
	if ((full = malloc(n)) != NULL) {
		snprintf(full, n, "%s%s%s", section ? section : "", section ? " " : "", text);
		alm_json_add(rule, "fullDescription", text_object(full));
	}
	help = text_object(action);
	n = strlen(action) + 16;
	if (help && (markdown = malloc(n)) != NULL) {
		snprintf(markdown, n, "**Action:** %s", action);
		alm_json_add_string(help, "markdown", markdown);
	}
	alm_json_add(rule, "help", help);
	alm_json_add_string(alm_json_add_object(rule, "defaultConfiguration"), "level", "warning");
	props = alm_json_add_object(rule, "properties");
	tags = alm_json_add_array(props, "tags");
	alm_json_add(tags, NULL, cJSON_CreateString("alm"));
	alm_json_add(tags, NULL, cJSON_CreateString("power-platform"));
	if (str(gap, "question"))
		alm_json_add_string(props, "question", str(gap, "question"));
	free(full);
	free(markdown);
	return rule;
}

/* The evidence of the gap's part, as one message: "TEXT No: DETAIL; DETAIL." */
static char *gap_message(const cJSON *report, const cJSON *gap)
{
	const cJSON *part = alm_rpt_part(report, str(gap, "part"), NULL), *ev;
	char *buf = NULL;
	size_t n = 0;
	char *message;
	FILE *fp = open_memstream(&buf, &n);
	int first = 1;
	if (!fp)
		return NULL;
	fprintf(fp, "%s No", str_or(gap, "text", str_or(gap, "part", "")));
	if (str(part, "source"))
		fprintf(fp, ", %s", alm_rpt_source_phrase(str(part, "source")));
	cJSON_ArrayForEach(ev, get(part, "evidence")) {
		if (!str(ev, "detail"))
			continue;
		fprintf(fp, "%s%s", first ? ": " : "; ", str(ev, "detail"));
		first = 0;
	}
	fputc('.', fp);
	return alm_memstream_finish(fp, &buf, &n, &message, NULL) < 0 ? NULL : message;
}

static int rule_index(const cJSON *rules, const char *id)
{
	const cJSON *r;
	int i = 0;
	cJSON_ArrayForEach(r, rules) {
		if (strcmp(str_or(r, "id", ""), id) == 0)
			return i;
		i++;
	}
	return -1;
}

/* A gap decided by a derived value says so, with what the value rests on. */
static void mark_inferred(cJSON *props, const cJSON *part)
{
	const cJSON *ev;
	if (!cJSON_IsTrue(get(part, "inferred")))
		return;
	alm_json_add_bool(props, "inferred", 1);
	cJSON_ArrayForEach(ev, get(part, "evidence")) {
		if (cJSON_IsTrue(get(ev, "inferred")) && str(ev, "detail")) {
			alm_json_add_string(props, "inferredFrom", str(ev, "detail"));
			break;
		}
	}
}

/* The run's what-if outcomes and the values inferred in place of answers. */
static void add_run_inferences(cJSON *props, const cJSON *report)
{
	const cJSON *o, *d;
	cJSON *outcomes = alm_json_add_array(props, "outcomes"), *inferred = alm_json_add_array(props, "inferred");
	cJSON_ArrayForEach(o, get(report, "outcomes")) {
		cJSON *entry = cJSON_CreateObject();
		alm_json_add_string(entry, "when", str_or(o, "when", ""));
		alm_json_add_string(entry, "verdict", str_or(o, "verdict", ""));
		alm_json_add_copy(entry, "answers", get(o, "answers"));
		alm_json_add(outcomes, NULL, entry);
	}
	cJSON_ArrayForEach(d, get(report, "derived")) {
		cJSON *entry;
		if (!alm_rpt_decided_stand_in(d))
			continue;
		entry = cJSON_CreateObject();
		alm_json_add_string(entry, "answers", str_or(d, "answers", ""));
		alm_json_add_copy(entry, "value", get(d, "value"));
		alm_json_add_string(entry, "bound", str_or(d, "bound", "exact"));
		alm_json_add_string(entry, "evidence", str_or(d, "evidence", ""));
		alm_json_add(inferred, NULL, entry);
	}
}

static cJSON *make_result(const cJSON *report, const cJSON *gap, int index, const char *uri)
{
	cJSON *result = cJSON_CreateObject(), *loc, *phys, *art, *fp, *props;
	char *message = gap_message(report, gap);
	if (!result || !message) {
		cJSON_Delete(result);
		free(message);
		return NULL;
	}
	alm_json_add_string(result, "ruleId", str_or(gap, "part", "?"));
	alm_json_add_number(result, "ruleIndex", index);
	alm_json_add_string(result, "level", "warning");
	alm_json_add(result, "message", text_object(message));
	free(message);
	/* No line holds a gap: the finding is about the repository as a whole. */
	loc = cJSON_CreateObject();
	phys = alm_json_add_object(loc, "physicalLocation");
	art = alm_json_add_object(phys, "artifactLocation");
	alm_json_add_string(art, "uri", uri);
	alm_json_add(alm_json_add_array(result, "locations"), NULL, loc);
	/* Without a line to hash, code scanning matches results across runs by these. */
	fp = alm_json_add_object(result, "partialFingerprints");
	alm_json_add_string(fp, "almAdvisorPart/v1", str_or(gap, "part", "?"));
	props = alm_json_add_object(result, "properties");
	if (str(gap, "section"))
		alm_json_add_string(props, "section", str(gap, "section"));
	if (str(gap, "action"))
		alm_json_add_string(props, "action", str(gap, "action"));
	mark_inferred(props, alm_rpt_part(report, str(gap, "part"), NULL));
	return result;
}

int alm_report_render_sarif(char **out, size_t *len, const cJSON *report, const char *artifact_uri)
{
	const cJSON *tool = get(report, "tool"), *gap, *c = get(report, "confidence");
	const char *version = str_or(tool, "version", "");
	cJSON *doc = cJSON_CreateObject(), *run, *driver, *rules, *results, *props, *inv;
	unsigned long failures = alm_json_add_failures();
	int error = 0;

	*out = NULL;
	if (!doc) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	alm_json_add_string(doc, "$schema", SARIF_SCHEMA_URI);
	alm_json_add_string(doc, "version", "2.1.0");
	run = cJSON_CreateObject();
	if (!alm_json_add(alm_json_add_array(doc, "runs"), NULL, run)) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	driver = alm_json_add_object(alm_json_add_object(run, "tool"), "driver");
	alm_json_add_string(driver, "name", str_or(tool, "name", "alm-advisor"));
	if (*version) {
		alm_json_add_string(driver, "version", version);
		alm_json_add_string(driver, "semanticVersion", version);
	}
	rules = alm_json_add_array(driver, "rules");
	results = alm_json_add_array(run, "results");
	cJSON_ArrayForEach(gap, get(report, "gaps")) {
		const char *part = str_or(gap, "part", "?");
		int index = rule_index(rules, part);
		cJSON *result;
		if (index < 0) {
			alm_json_add(rules, NULL, make_rule(gap));
			index = cJSON_GetArraySize(rules) - 1;
		}
		if (!(result = make_result(report, gap, index, artifact_uri && *artifact_uri ? artifact_uri : "."))) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		alm_json_add(results, NULL, result);
	}
	inv = cJSON_CreateObject();
	alm_json_add_bool(inv, "executionSuccessful", 1);
	alm_json_add(alm_json_add_array(run, "invocations"), NULL, inv);
	/* The verdict rides along, so a reader of the SARIF alone knows the outcome. */
	props = alm_json_add_object(run, "properties");
	alm_json_add_string(props, "verdict", str_or(report, "verdict", ""));
	alm_json_add_string(props, "title", str_or(report, "title", ""));
	alm_json_add_number(props, "confidence", cJSON_IsNumber(c) ? c->valuedouble : 0);
	alm_json_add_string(props, "rulesVersion", str_or(tool, "rules_version", ""));
	add_run_inferences(props, report);

	if ((error = alm_json_add_check(failures, "the SARIF log")) < 0)
		goto done;
	error = alm_json_print_line(out, len, doc);
done:
	cJSON_Delete(doc);
	return error;
}
