/* SARIF 2.1.0, so that a pipeline's code-scanning view (GitHub code scanning,
 * the Azure DevOps SARIF SAST Scans tab) lists the gaps beside other findings.
 * Each gap is a result; its rule is the tree's question part, described by the
 * question's text and helped by the gap's action. */
#include "alm/report.h"
#include "alm/error.h"
#include "report_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the report readers every function here uses. */
#define str alm_rpt_str
#define str_or alm_rpt_str_or
#define get alm_rpt_get

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
		cJSON_AddStringToObject(o, "text", text ? text : "");
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
	cJSON_AddStringToObject(rule, "id", part);
	cJSON_AddStringToObject(rule, "name", name);
	cJSON_AddItemToObject(rule, "shortDescription", text_object(text));
	/* The full description is the seed's question and the part asked of it. */
	n = strlen(text) + (section ? strlen(section) : 0) + 4;
	if ((full = malloc(n)) != NULL) {
		snprintf(full, n, "%s%s%s", section ? section : "", section ? " " : "", text);
		cJSON_AddItemToObject(rule, "fullDescription", text_object(full));
	}
	help = text_object(action);
	n = strlen(action) + 16;
	if (help && (markdown = malloc(n)) != NULL) {
		snprintf(markdown, n, "**Action:** %s", action);
		cJSON_AddStringToObject(help, "markdown", markdown);
	}
	cJSON_AddItemToObject(rule, "help", help);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "defaultConfiguration"), "level", "warning");
	props = cJSON_AddObjectToObject(rule, "properties");
	tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("alm"));
	cJSON_AddItemToArray(tags, cJSON_CreateString("power-platform"));
	if (str(gap, "question"))
		cJSON_AddStringToObject(props, "question", str(gap, "question"));
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
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
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
	cJSON_AddTrueToObject(props, "inferred");
	cJSON_ArrayForEach(ev, get(part, "evidence")) {
		if (cJSON_IsTrue(get(ev, "inferred")) && str(ev, "detail")) {
			cJSON_AddStringToObject(props, "inferredFrom", str(ev, "detail"));
			break;
		}
	}
}

/* The run's what-if outcomes and the values inferred in place of answers. */
static void add_run_inferences(cJSON *props, const cJSON *report)
{
	const cJSON *o, *d;
	cJSON *outcomes = cJSON_AddArrayToObject(props, "outcomes"), *inferred = cJSON_AddArrayToObject(props, "inferred");
	cJSON_ArrayForEach(o, get(report, "outcomes")) {
		cJSON *entry = cJSON_CreateObject();
		cJSON_AddStringToObject(entry, "when", str_or(o, "when", ""));
		cJSON_AddStringToObject(entry, "verdict", str_or(o, "verdict", ""));
		cJSON_AddItemToObject(entry, "answers", cJSON_Duplicate(get(o, "answers"), 1));
		cJSON_AddItemToArray(outcomes, entry);
	}
	cJSON_ArrayForEach(d, get(report, "derived")) {
		cJSON *entry;
		if (!alm_rpt_decided_stand_in(d))
			continue;
		entry = cJSON_CreateObject();
		cJSON_AddStringToObject(entry, "answers", str_or(d, "answers", ""));
		cJSON_AddItemToObject(entry, "value", cJSON_Duplicate(get(d, "value"), 1));
		cJSON_AddStringToObject(entry, "bound", str_or(d, "bound", "exact"));
		cJSON_AddStringToObject(entry, "evidence", str_or(d, "evidence", ""));
		cJSON_AddItemToArray(inferred, entry);
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
	cJSON_AddStringToObject(result, "ruleId", str_or(gap, "part", "?"));
	cJSON_AddNumberToObject(result, "ruleIndex", index);
	cJSON_AddStringToObject(result, "level", "warning");
	cJSON_AddItemToObject(result, "message", text_object(message));
	free(message);
	/* No line holds a gap: the finding is about the repository as a whole. */
	loc = cJSON_CreateObject();
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	art = cJSON_AddObjectToObject(phys, "artifactLocation");
	cJSON_AddStringToObject(art, "uri", uri);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(result, "locations"), loc);
	/* Without a line to hash, code scanning matches results across runs by these. */
	fp = cJSON_AddObjectToObject(result, "partialFingerprints");
	cJSON_AddStringToObject(fp, "almAdvisorPart/v1", str_or(gap, "part", "?"));
	props = cJSON_AddObjectToObject(result, "properties");
	if (str(gap, "section"))
		cJSON_AddStringToObject(props, "section", str(gap, "section"));
	if (str(gap, "action"))
		cJSON_AddStringToObject(props, "action", str(gap, "action"));
	mark_inferred(props, alm_rpt_part(report, str(gap, "part"), NULL));
	return result;
}

int alm_report_render_sarif(char **out, size_t *len, const cJSON *report, const char *artifact_uri)
{
	const cJSON *tool = get(report, "tool"), *gap, *c = get(report, "confidence");
	const char *version = str_or(tool, "version", "");
	cJSON *doc = cJSON_CreateObject(), *run, *driver, *rules, *results, *props, *inv;
	char *text = NULL;
	size_t n;
	int error = 0;

	*out = NULL;
	if (!doc) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_AddStringToObject(doc, "$schema", SARIF_SCHEMA_URI);
	cJSON_AddStringToObject(doc, "version", "2.1.0");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "runs"), run);
	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", str_or(tool, "name", "alm-advisor"));
	if (*version) {
		cJSON_AddStringToObject(driver, "version", version);
		cJSON_AddStringToObject(driver, "semanticVersion", version);
	}
	rules = cJSON_AddArrayToObject(driver, "rules");
	results = cJSON_AddArrayToObject(run, "results");
	cJSON_ArrayForEach(gap, get(report, "gaps")) {
		const char *part = str_or(gap, "part", "?");
		int index = rule_index(rules, part);
		cJSON *result;
		if (index < 0) {
			cJSON_AddItemToArray(rules, make_rule(gap));
			index = cJSON_GetArraySize(rules) - 1;
		}
		if (!(result = make_result(report, gap, index, artifact_uri && *artifact_uri ? artifact_uri : "."))) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		cJSON_AddItemToArray(results, result);
	}
	inv = cJSON_CreateObject();
	cJSON_AddBoolToObject(inv, "executionSuccessful", 1);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
	/* The verdict rides along, so a reader of the SARIF alone knows the outcome. */
	props = cJSON_AddObjectToObject(run, "properties");
	cJSON_AddStringToObject(props, "verdict", str_or(report, "verdict", ""));
	cJSON_AddStringToObject(props, "title", str_or(report, "title", ""));
	cJSON_AddNumberToObject(props, "confidence", cJSON_IsNumber(c) ? c->valuedouble : 0);
	cJSON_AddStringToObject(props, "rulesVersion", str_or(tool, "rules_version", ""));
	add_run_inferences(props, report);

	if (!(text = cJSON_Print(doc))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	n = strlen(text);
	if (!(*out = malloc(n + 2))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(*out, text, n);
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	if (len)
		*len = n + 1;
done:
	cJSON_free(text);
	cJSON_Delete(doc);
	return error;
}
