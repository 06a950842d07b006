/* Derived facts and what-if outcomes, with no answers, over the fact documents
 * the probes give for each kind of repository: an ALM Accelerator solution
 * repository deploying to Validation, Test and Prod; code components; plug-ins;
 * canvas apps and flows alone; nothing of the Power Platform; a dormant one.
 * Also: answers win, a lower bound never refutes, inferred weighs less, every
 * format marks inferred values and lists the outcomes, and `rules validate`
 * names what is wrong in a team's derived section. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/derive.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/graph.h"
#include "alm/json.h"
#include "alm/report.h"
#include "alm/rules.h"
#include "alm/schema.h"
#include "report_fixture.h"

/* A fact document as the probes would set it: {"repo": {...}, "ado": {...}, "pp": {...}}. */
static alm_facts *facts_from(const char *json, const char *answers)
{
	alm_facts *facts;
	cJSON *doc = cJSON_Parse(json);
	const cJSON *ns, *fact;
	char path[256];
	assert_non_null(doc);
	assert_int_equal(alm_facts_new(&facts), 0);
	cJSON_ArrayForEach(ns, doc) {
		alm_source source = strcmp(ns->string, "ado") == 0 ? ALM_SOURCE_ADO
				    : strcmp(ns->string, "repo") == 0 ? ALM_SOURCE_REPO : ALM_SOURCE_DEFAULT;
		cJSON_ArrayForEach(fact, ns) {
			snprintf(path, sizeof path, "%s.%s", ns->string, fact->string);
			assert_int_equal(alm_facts_set(facts, path, cJSON_Duplicate(fact, 1), source, "probe read %s", path), 0);
		}
	}
	cJSON_Delete(doc);
	if (answers)
		assert_int_equal(alm_answers_load_text(facts, answers, strlen(answers), "answers.json"), 0);
	return facts;
}

static cJSON *assess(const char *json, const char *answers)
{
	alm_facts *facts = facts_from(json, answers);
	cJSON *report = NULL;
	assert_int_equal(alm_assess(&report, fixture_rules, facts, "test"), 0);
	alm_facts_free(facts);
	return report;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static const char *sget(const cJSON *obj, const char *key)
{
	const cJSON *v = get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *derived(const cJSON *report, const char *fact)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, get(report, "derived"))
		if (strcmp(sget(d, "fact"), fact) == 0)
			return d;
	return NULL;
}

static const cJSON *part(const cJSON *report, const char *id)
{
	const cJSON *q, *p;
	cJSON_ArrayForEach(q, get(report, "questions"))
		cJSON_ArrayForEach(p, get(q, "parts"))
			if (strcmp(sget(p, "id"), id) == 0)
				return p;
	return NULL;
}

static const cJSON *step(const cJSON *report, const char *node)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, get(report, "path"))
		if (strcmp(sget(s, "node"), node) == 0)
			return s;
	return NULL;
}

/* The verdict of the outcome whose decisions are exactly `n` (node, value) pairs. */
static const char *outcome(const cJSON *report, const char *node1, const char *v1, const char *node2, const char *v2)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, get(report, "outcomes")) {
		const cJSON *d = get(o, "decisions");
		const cJSON *a = cJSON_GetArrayItem(d, 0), *b = cJSON_GetArrayItem(d, 1);
		if (strcmp(sget(a, "node"), node1) != 0 || strcmp(sget(a, "value"), v1) != 0)
			continue;
		if (node2 ? (b && strcmp(sget(b, "node"), node2) == 0 && strcmp(sget(b, "value"), v2) == 0) : !b)
			return sget(o, "verdict");
	}
	return NULL;
}

static int has_string(const cJSON *list, const char *s)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, list)
		if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
			return 1;
	return 0;
}

static int has_notice(const cJSON *report, const char *id, const cJSON **out)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, get(report, "notices")) {
		if (strcmp(sget(n, "id"), id) == 0) {
			if (out)
				*out = n;
			return 1;
		}
	}
	return 0;
}

#define ACCELERATOR_REPO                                                                                              \
	"{\"repo\": {\"host\": \"azure-devops\", \"commits\": 40,"                                                     \
	"  \"power_platform\": {\"present\": true,"                                                                    \
	"    \"solutions\": [{\"path\": \"Invoices\", \"unique_name\": \"Invoices\", \"version\": \"1.0.0.0\","        \
	"                     \"publisher\": \"contoso\", \"managed\": false}],"                                       \
	"    \"canvas_apps\": [{\"name\": \"InvoiceApp\", \"path\": \"Invoices/CanvasApps/InvoiceApp\", \"form\": \"sources\"}]," \
	"    \"code_components\": [], \"plugin_projects\": [], \"custom_connectors\": []},"                          \
	"  \"deployments\": {\"environments\": [\"development\", \"validation\", \"test\", \"production\"],"           \
	"    \"tools\": [\"alm-accelerator\", \"build-tools\"],"                                                       \
	"    \"pipelines\": [{\"path\": \"Pipelines/deploy-validation.yml\", \"environment\": \"validation\", \"tool\": \"alm-accelerator\"}," \
	"                  {\"path\": \"Pipelines/deploy-test.yml\", \"environment\": \"test\", \"tool\": \"alm-accelerator\"}," \
	"                  {\"path\": \"Pipelines/deploy-prod.yml\", \"environment\": \"production\", \"tool\": \"alm-accelerator\"}]}," \
	"  \"deployment_settings\": {\"environments\": [\"validation\", \"test\", \"production\"]},"                   \
	"  \"pipelines\": {\"azure_yaml\": true, \"as_code\": true}}}"

static void test_accelerator_repo_advises_from_evidence(void **state)
{
	cJSON *report = assess(ACCELERATOR_REPO, NULL);
	const cJSON *floor = derived(report, "derived.maturity.current_floor"), *gate = step(report, "maturity-gate");
	const cJSON *creators = derived(report, "derived.creators"), *env = derived(report, "derived.prerequisites.environments");
	const cJSON *ev = cJSON_GetArrayItem(get(gate, "evidence"), 0);
	(void)state;
	/* Level 300 from pipelines to validation, test and production, cited to seed 001. */
	assert_non_null(floor);
	assert_int_equal(get(floor, "value")->valueint, 300);
	assert_true(cJSON_IsTrue(get(floor, "stands_in")));
	assert_string_equal(sget(floor, "answers"), "maturity.current");
	assert_non_null(strstr(sget(floor, "evidence"), "at least level 300"));
	assert_non_null(strstr(sget(floor, "evidence"), "validation, test, production"));
	assert_non_null(strstr(sget(floor, "evidence"), "alm-accelerator, build-tools"));
	assert_string_equal(sget(get(floor, "seed"), "id"), "001");
	assert_non_null(strstr(sget(get(floor, "seed"), "quote"), "solutions are used to move apps and flows between environments"));
	/* The gate is passed, from evidence, and says so. */
	assert_string_equal(sget(gate, "value"), "yes");
	assert_string_equal(sget(gate, "source"), "derived");
	assert_true(cJSON_IsTrue(get(gate, "inferred")));
	assert_true(cJSON_IsTrue(get(ev, "inferred")));
	assert_non_null(strstr(sget(ev, "detail"), "inferred from evidence: at least level 300"));
	assert_int_equal(get(get(report, "maturity"), "current_at_least")->valueint, 300);
	assert_true(cJSON_IsNull(get(get(report, "maturity"), "current")));
	/* Operations (pipelines as code) and makers (a canvas app) build it. */
	assert_true(has_string(get(creators, "value"), "operations"));
	assert_true(has_string(get(creators, "value"), "maker"));
	assert_false(has_string(get(creators, "value"), "developer"));
	assert_string_equal(sget(step(report, "impact-or-persona"), "value"), "yes");
	assert_string_equal(sget(step(report, "impact-or-persona"), "source"), "derived");
	/* Development, validation, test and production are all evidenced. */
	assert_int_equal(cJSON_GetArraySize(get(env, "value")), 4);
	assert_null(derived(report, "derived.prerequisites.environments_missing"));
	assert_string_equal(sget(part(report, "prerequisites.environments"), "status"), "met");
	assert_true(cJSON_IsTrue(get(part(report, "prerequisites.environments"), "inferred")));
	/* The remote alone says Azure DevOps: the derived value is read, but did not decide. */
	assert_string_equal(sget(part(report, "prerequisites.azure_devops"), "status"), "met");
	assert_string_equal(sget(part(report, "prerequisites.azure_devops"), "source"), "repo");
	assert_false(cJSON_IsTrue(get(part(report, "prerequisites.azure_devops"), "inferred")));
	assert_true(cJSON_IsTrue(get(derived(report, "derived.prerequisites.azure_devops"), "stands_in")));
	assert_false(cJSON_IsTrue(get(derived(report, "derived.prerequisites.azure_devops"), "decided")));
	assert_true(cJSON_IsTrue(get(floor, "decided")));
	/* Licences cannot be seen without Azure DevOps: the walk stops there and
	 * says what each answer gives. */
	assert_string_equal(sget(report, "verdict"), "insufficient-information");
	assert_int_equal(cJSON_GetArraySize(get(report, "outcomes")), 2);
	assert_string_equal(outcome(report, "prerequisites-installed", "yes", NULL, NULL), "alm-accelerator");
	assert_string_equal(outcome(report, "prerequisites-installed", "no", NULL, NULL), "alm-accelerator-after-prerequisites");
	assert_true(has_string(get(cJSON_GetArrayItem(get(report, "outcomes"), 0), "answers"),
			       "prerequisites.licenses.power_apps_premium"));
	assert_string_equal(sget(cJSON_GetArrayItem(get(report, "outcomes"), 0), "when"), "if the prerequisites are in place");
	cJSON_Delete(report);
}

static void test_approvals_and_policies_give_400(void **state)
{
	const char *ado = "{\"ado\": {\"reachable\": true, \"environments\": {\"names\": [\"Validation\", \"Test\", \"Prod\"],"
			  " \"approval_required\": [\"Prod\"]}, \"policies\": {\"minimum_approvers\": 2, \"build_validation\": true},"
			  " \"licenses\": {\"available\": true, \"checked\": 12, \"basic_or_above\": 9, \"stakeholder\": 3}}}";
	char both[8192];
	cJSON *report, *repo = cJSON_Parse(ACCELERATOR_REPO), *extra = cJSON_Parse(ado);
	const cJSON *floor, *lic;
	char *text;
	(void)state;
	cJSON_AddItemToObject(repo, "ado", cJSON_DetachItemFromObject(extra, "ado"));
	text = cJSON_PrintUnformatted(repo);
	snprintf(both, sizeof both, "%s", text);
	free(text);
	cJSON_Delete(repo);
	cJSON_Delete(extra);
	report = assess(both, NULL);
	floor = derived(report, "derived.maturity.current_floor");
	assert_int_equal(get(floor, "value")->valueint, 400);
	assert_non_null(strstr(sget(floor, "evidence"), "production deployments need an approval (Prod)"));
	assert_string_equal(sget(get(derived(report, "derived.maturity.approved_production"), "seed"), "section"),
			    "Level 400 \xE2\x80\x93 Capable");
	lic = derived(report, "derived.prerequisites.licenses.azure_devops_basic");
	assert_true(cJSON_IsTrue(get(lic, "value")));
	assert_non_null(strstr(sget(lic, "evidence"), "of 12 users checked, 9 have Basic or above and 3 Stakeholder"));
	/* Only the Power Apps licence is left: one answer decides. */
	assert_int_equal(cJSON_GetArraySize(get(report, "decide_with")), 1);
	assert_string_equal(cJSON_GetArrayItem(get(report, "decide_with"), 0)->valuestring,
			    "prerequisites.licenses.power_apps_premium");
	assert_string_equal(outcome(report, "prerequisites-installed", "yes", NULL, NULL), "alm-accelerator");
	cJSON_Delete(report);
}

static void test_code_component_repo(void **state)
{
	cJSON *report = assess("{\"repo\": {\"host\": \"github\", \"power_platform\": {\"present\": true,"
			       " \"code_components\": [{\"name\": \"CurrencyInput\", \"path\": \"PCF/CurrencyInput\", \"packaged\": false}]}}}",
			       NULL);
	const cJSON *creators = derived(report, "derived.creators");
	(void)state;
	assert_int_equal(cJSON_GetArraySize(get(creators, "value")), 1);
	assert_true(has_string(get(creators, "value"), "developer"));
	assert_non_null(strstr(sget(creators, "evidence"), "code components: CurrencyInput"));
	/* Nothing shows the maturity: it stays unknown, never low. */
	assert_null(derived(report, "derived.maturity.current_floor"));
	assert_string_equal(sget(step(report, "maturity-gate"), "value"), "unknown");
	assert_string_equal(sget(report, "verdict"), "insufficient-information");
	/* At 300 the developers lead to the full path, where the prerequisites decide. */
	assert_string_equal(outcome(report, "maturity-gate", "yes", "prerequisites-installed", "yes"), "alm-accelerator");
	assert_string_equal(outcome(report, "maturity-gate", "yes", "prerequisites-installed", "no"),
			    "alm-accelerator-after-prerequisites");
	assert_string_equal(outcome(report, "maturity-gate", "no", NULL, NULL), "grow-maturity-first");
	assert_int_equal(cJSON_GetArraySize(get(report, "outcomes")), 3);
	cJSON_Delete(report);
}

static void test_plugin_repo(void **state)
{
	cJSON *report = assess("{\"repo\": {\"power_platform\": {\"present\": true,"
			       " \"plugin_projects\": [{\"name\": \"Contoso.Plugins\", \"path\": \"Plugins/Contoso.Plugins.csproj\"}],"
			       " \"custom_connectors\": [{\"name\": \"erp\", \"path\": \"Connectors/erp\", \"has_code\": true}]}}}",
			       "{\"maturity\": {\"target\": 300}}");
	const cJSON *creators = derived(report, "derived.creators");
	(void)state;
	assert_true(has_string(get(creators, "value"), "developer"));
	assert_non_null(strstr(sget(creators, "evidence"), "plug-in projects: Contoso.Plugins"));
	/* The stated target passes the gate; the persona branch reads the plug-in
	 * projects themselves, so it is decided by evidence, not inferred. */
	assert_string_equal(sget(step(report, "maturity-gate"), "source"), "answers");
	assert_string_equal(sget(step(report, "impact-or-persona"), "value"), "yes");
	assert_false(cJSON_IsTrue(get(step(report, "impact-or-persona"), "inferred")));
	cJSON_Delete(report);
}

static void test_maker_only_canvas_repo(void **state)
{
	const char *repo = "{\"repo\": {\"power_platform\": {\"present\": true,"
			   " \"canvas_apps\": [{\"name\": \"Leave\", \"path\": \"apps/Leave.msapp\", \"form\": \"msapp\"}],"
			   " \"cloud_flows\": [{\"name\": \"Approve\", \"path\": \"flows/Approve.json\"}],"
			   " \"code_components\": [], \"plugin_projects\": [], \"custom_connectors\": []},"
			   " \"pipelines\": {\"azure_yaml\": false, \"as_code\": false}}}";
	cJSON *report = assess(repo, NULL);
	const cJSON *creators = derived(report, "derived.creators");
	(void)state;
	assert_int_equal(cJSON_GetArraySize(get(creators, "value")), 1);
	assert_true(has_string(get(creators, "value"), "maker"));
	/* Makers alone: the impact decides between the makers' path and the full one. */
	assert_string_equal(outcome(report, "maturity-gate", "yes", "impact-or-persona", "no"), "makers-path");
	assert_string_equal(outcome(report, "maturity-gate", "no", NULL, NULL), "grow-maturity-first");
	cJSON_Delete(report);
	/* With impact and target stated, the inferred creators give the makers' path. */
	report = assess(repo, "{\"impact\": \"non-critical\", \"maturity\": {\"target\": 300}}");
	assert_string_equal(sget(report, "verdict"), "makers-path");
	assert_true(cJSON_IsTrue(get(step(report, "impact-or-persona"), "inferred")));
	assert_int_equal(cJSON_GetArraySize(get(report, "outcomes")), 0);
	cJSON_Delete(report);
}

static void test_no_power_platform(void **state)
{
	cJSON *report = assess("{\"repo\": {\"host\": \"github\", \"commits\": 12, \"power_platform\": {\"present\": false,"
			       " \"solutions\": [], \"canvas_apps\": [], \"code_components\": []}}}",
			       NULL);
	const cJSON *notice = NULL;
	(void)state;
	assert_true(has_notice(report, "no-power-platform", &notice));
	assert_string_equal(sget(notice, "text"),
			    "Nothing here is a Power Platform solution: the report covers source-control practice only.");
	assert_null(derived(report, "derived.creators"));
	assert_null(derived(report, "derived.prerequisites.azure_devops"));
	cJSON_Delete(report);
	/* Unknown is not absent: without the fact, no such notice. */
	report = assess("{\"repo\": {\"commits\": 12}}", NULL);
	assert_false(has_notice(report, "no-power-platform", NULL));
	cJSON_Delete(report);
}

static void test_dormant_repo(void **state)
{
	cJSON *report = assess("{\"repo\": {\"commits\": 0, \"since\": \"2026-09-01T00:00:00Z\","
			       " \"last_commit_at\": \"2025-03-14T09:30:00Z\", \"history\": {\"window_empty\": true}}}",
			       NULL);
	const cJSON *notice = NULL;
	(void)state;
	assert_true(has_notice(report, "history-window-empty", &notice));
	assert_non_null(strstr(sget(notice, "text"), "the last commit is of 2025-03-14."));
	assert_non_null(strstr(sget(notice, "text"), "--since all"));
	assert_string_equal(get(derived(report, "derived.history.last_commit_date"), "value")->valuestring, "2025-03-14");
	cJSON_Delete(report);
	report = assess("{\"repo\": {\"commits\": 3, \"history\": {\"window_empty\": false}}}", NULL);
	assert_false(has_notice(report, "history-window-empty", NULL));
	cJSON_Delete(report);
}

static void test_answers_win(void **state)
{
	cJSON *report = assess(ACCELERATOR_REPO, "{\"maturity\": {\"current\": 100, \"target\": 200}}");
	const cJSON *floor = derived(report, "derived.maturity.current_floor");
	(void)state;
	assert_true(cJSON_IsTrue(get(floor, "overridden")));
	assert_false(cJSON_IsTrue(get(floor, "stands_in")));
	assert_string_equal(sget(report, "verdict"), "grow-maturity-first");
	assert_string_equal(sget(step(report, "maturity-gate"), "source"), "answers");
	assert_false(cJSON_IsTrue(get(step(report, "maturity-gate"), "inferred")));
	/* The answers namespace holds only what was stated. */
	assert_int_equal(get(get(get(get(report, "facts"), "answers"), "maturity"), "current")->valueint, 100);
	assert_null(get(get(get(report, "facts"), "answers"), "creators"));
	assert_non_null(get(get(get(report, "facts"), "derived"), "creators"));
	cJSON_Delete(report);
}

static void test_lower_bound_never_refutes(void **state)
{
	cJSON *report = assess("{\"pp\": {\"reachable\": true, \"dlp_policies\": {\"count\": 2}, \"environments\": {\"count\": 1}}}",
			       NULL);
	const cJSON *floor = derived(report, "derived.maturity.current_floor");
	(void)state;
	assert_int_equal(get(floor, "value")->valueint, 200);
	assert_string_equal(sget(get(floor, "seed"), "section"), "Level 300 \xE2\x80\x93 Defined");
	assert_non_null(strstr(sget(floor, "evidence"), "the tenant has 2 DLP policies"));
	assert_null(strstr(sget(floor, "evidence"), "1 environments"));
	/* At least 200 confirms level 200 and says nothing of 300. */
	assert_string_equal(sget(part(report, "maturity.level_200"), "status"), "met");
	assert_string_equal(sget(part(report, "maturity.level_300_capabilities"), "status"), "unknown");
	assert_string_equal(sget(part(report, "maturity.level_300"), "status"), "unknown");
	assert_string_equal(sget(report, "verdict"), "insufficient-information");
	assert_true(has_string(get(report, "decide_with"), "maturity.current"));
	cJSON_Delete(report);
}

/* Pipelines for Power Platform deploying the solution is level 300 too; Azure
 * DevOps licences with no Basic user are a gap, inferred. */
static void test_tenant_pipelines_and_licences(void **state)
{
	cJSON *report = assess("{\"pp\": {\"reachable\": true, \"pipelines\": {\"host\": true, \"stages\": [\"Test\", \"Production\"],"
			       " \"deployments\": {\"succeeded\": 3, \"failed\": 1}}},"
			       " \"ado\": {\"reachable\": true, \"licenses\": {\"available\": true, \"checked\": 4,"
			       " \"basic_or_above\": 0, \"stakeholder\": 4}}}",
			       NULL);
	const cJSON *floor = derived(report, "derived.maturity.current_floor");
	const cJSON *lic = derived(report, "derived.prerequisites.licenses.azure_devops_basic");
	(void)state;
	assert_int_equal(get(floor, "value")->valueint, 300);
	assert_non_null(strstr(sget(floor, "evidence"), "Pipelines for Power Platform deployed the repository's solutions 3 times"));
	assert_true(cJSON_IsFalse(get(lic, "value")));
	assert_string_equal(sget(part(report, "prerequisites.licenses.azure_devops_basic"), "status"), "gap");
	assert_true(cJSON_IsTrue(get(part(report, "prerequisites.licenses.azure_devops_basic"), "inferred")));
	cJSON_Delete(report);
	/* Licences that could not be read infer nothing. */
	report = assess("{\"ado\": {\"reachable\": true, \"licenses\": {\"available\": false}}}", NULL);
	assert_null(derived(report, "derived.prerequisites.licenses.azure_devops_basic"));
	assert_string_equal(sget(part(report, "prerequisites.licenses.azure_devops_basic"), "status"), "unknown");
	cJSON_Delete(report);
}

static void test_inferred_weighs_less(void **state)
{
	cJSON *inferred = assess(ACCELERATOR_REPO, NULL);
	cJSON *stated = assess(ACCELERATOR_REPO, "{\"maturity\": {\"current\": 300}, \"creators\": [\"operations\", \"maker\"],"
				  " \"prerequisites\": {\"environments\": [\"development\", \"validation\", \"test\", \"production\"],"
				  " \"azure_devops\": true}}");
	(void)state;
	assert_string_equal(sget(inferred, "verdict"), sget(stated, "verdict"));
	assert_true(alm_report_confidence(inferred) < alm_report_confidence(stated));
	assert_true(alm_report_confidence(inferred) > 0.12);
	cJSON_Delete(inferred);
	cJSON_Delete(stated);
}

static void test_every_format_marks_inferred_and_outcomes(void **state)
{
	cJSON *report = assess(ACCELERATOR_REPO, NULL);
	char *text = NULL, *md = NULL, *html = NULL, *sarif = NULL, *dot = NULL, *path = test_source_path("rules/report.schema.json");
	cJSON *schema = NULL, *doc;
	const cJSON *props;
	(void)state;
	assert_int_equal(alm_json_read_file(&schema, path), 0);
	assert_int_equal(alm_schema_validate(schema, report, "report"), 0);
	assert_int_equal(alm_report_render_text(&text, NULL, report, 0), 0);
	/* The outcomes come first, each with the answers that decide it. */
	assert_true(strstr(text, "Outcomes, by the answers that decide them:") < strstr(text, "Path through the decision tree"));
	assert_non_null(strstr(text, "  - if the prerequisites are in place: Adopt the ALM Accelerator for Power"));
	assert_non_null(strstr(text, "  1. yes     Level 300, 400 or 500?\n"));
	assert_non_null(strstr(text, "inferred from evidence: at least level 300"));
	assert_non_null(strstr(text, "current at least 300 (inferred from evidence)"));
	assert_non_null(strstr(text, "  -> Verdict reached: Insufficient information to walk the tree"));
	assert_non_null(strstr(text, "maturity.current at least 300, inferred from evidence"));
	assert_int_equal(alm_report_render_markdown(&md, NULL, report, fixture_rules), 0);
	assert_non_null(strstr(md, "## Outcomes, by the answers that decide them\n\n- if the prerequisites are in place: "
				   "**Adopt the ALM Accelerator for Power Platform** (`alm-accelerator`)"));
	assert_non_null(strstr(md, "| inferred from evidence | inferred from evidence: at least level 300"));
	assert_non_null(strstr(md, "## Inferred from evidence"));
	assert_non_null(strstr(md, "| `maturity.current` | at least `300` (inferred) |"));
	assert_non_null(strstr(md, "classDef possible"));
	assert_int_equal(alm_report_render_html(&html, NULL, report, fixture_rules), 0);
	assert_non_null(strstr(html, "<h2 id=\"h-outcomes\">Outcomes, by the answers that decide them</h2>"));
	assert_non_null(strstr(html, "<li>if the prerequisites are in place: <strong>Adopt the ALM Accelerator for Power "
				     "Platform</strong> (<code>alm-accelerator</code>)"));
	assert_non_null(strstr(html, ">Answer: yes, inferred from</tspan><tspan class=\"t-answer\""));
	assert_non_null(strstr(html, "<strong>Level 300, 400 or 500?</strong> <span class=\"status s-good\"><span aria-hidden=\"true\">\xE2\x9C\x93 </span>yes</span> inferred from evidence"));
	assert_non_null(strstr(html, "class=\"node verdict possible\" id=\"node-alm-accelerator\""));
	assert_non_null(strstr(html, "class=\"node verdict possible\" id=\"node-alm-accelerator-after-prerequisites\""));
	assert_int_equal(strstr(html, "<path class=\"edge possible\"") != NULL, 1);
	assert_non_null(strstr(html, "at least 300 <span class=\"inferred\">(inferred from evidence)</span>"));
	assert_non_null(strstr(html, "<h2 id=\"h-inferred\">Inferred from evidence</h2>"));
	/* DOT draws the outcomes' branches too: prerequisites yes and no. */
	assert_int_equal(alm_graph_render(&dot, fixture_rules, ALM_GRAPH_DOT, report), 0);
	assert_non_null(strstr(dot, "\"prerequisites-installed\" -> \"alm-accelerator\" [label=\"yes\", style=dashed, color=\"#b45309\""));
	assert_non_null(strstr(dot, "\"prerequisites-installed\" -> \"alm-accelerator-after-prerequisites\" [label=\"no\", style=dashed, color="));
	assert_null(strstr(dot, "\"impact-or-persona\" -> \"makers-path\" [label=\"no\", style=dashed, color="));
	free(dot);
	assert_int_equal(alm_report_render_sarif(&sarif, NULL, report, "."), 0);
	doc = cJSON_Parse(sarif);
	props = get(cJSON_GetArrayItem(get(doc, "runs"), 0), "properties");
	assert_int_equal(cJSON_GetArraySize(get(props, "outcomes")), 2);
	assert_int_equal(cJSON_GetArraySize(get(props, "inferred")), 3);
	assert_string_equal(sget(cJSON_GetArrayItem(get(props, "inferred"), 0), "answers"), "maturity.current");
	cJSON_Delete(doc);
	free(text);
	free(md);
	free(html);
	free(sarif);
	free(path);
	cJSON_Delete(schema);
	cJSON_Delete(report);
}

/* A team's rules file whose first derived entry has `key` set to `value_json`
 * (and its fact renamed, when `fact` is given). */
static int load_edited(const char *key, const char *value_json, const char *fact)
{
	cJSON *doc = test_default_rules_doc(), *entry, *value = cJSON_Parse(value_json);
	alm_rules *r = NULL;
	int error;
	assert_non_null(value);
	entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "derived"), 0);
	if (!cJSON_ReplaceItemInObjectCaseSensitive(entry, key, value))
		cJSON_AddItemToObject(entry, key, value);
	if (fact)
		cJSON_ReplaceItemInObjectCaseSensitive(entry, "fact", cJSON_CreateString(fact));
	error = alm_rules_from_json(&r, doc, "team.json");
	alm_rules_free(r);
	return error;
}

static void test_rules_validate_names_the_derived_path(void **state)
{
	(void)state;
	assert_int_equal(load_edited("logic", "{\"frobnicate\": [1]}", NULL), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.derived[0].logic"));
	assert_non_null(strstr(alm_error_last(), "frobnicate"));
	assert_int_equal(load_edited("type", "\"integer\"", NULL), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "team.json"));
	assert_non_null(strstr(alm_error_last(), "$.derived[0].type"));
	assert_int_equal(load_edited("logic", "true", "repo.deployments.environments"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.derived[0].fact"));
	assert_non_null(strstr(alm_error_last(), "shadows the namespace \"repo\""));
	assert_int_equal(load_edited("logic", "true", "pp.environments.count"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "shadows the namespace \"pp\""));
	assert_int_equal(load_edited("evidence", "\"pipelines deploy to {{repo.deployments.environments}\"", NULL),
			 ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.derived[0].evidence"));
	assert_int_equal(load_edited("answers", "\"answers.maturity.current\"", NULL), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.derived[0].answers"));
	/* A change that is right loads, and its logic is what the assessment runs. */
	assert_int_equal(load_edited("logic", "[\"validation\", \"test\"]", NULL), 0);
}

/* The logic yields a type other than the one declared: the assessment says which entry. */
static void test_wrong_type_at_evaluation(void **state)
{
	cJSON *doc = test_default_rules_doc(), *entry;
	alm_rules *r = NULL;
	alm_facts *facts = facts_from("{\"repo\": {\"commits\": 1}}", NULL);
	cJSON *report = NULL;
	(void)state;
	entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "derived"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(entry, "logic", cJSON_CreateString("not a list"));
	assert_int_equal(alm_rules_from_json(&r, doc, "team.json"), 0);
	assert_int_equal(alm_assess(&report, r, facts, "test"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.derived[0] (derived.deployments.stages)"));
	assert_non_null(strstr(alm_error_last(), "yields a string, not the declared array"));
	assert_null(report);
	alm_rules_free(r);
	alm_facts_free(facts);
}

static void test_expand_templates(void **state)
{
	cJSON *data = cJSON_Parse("{\"a\": [\"x\", \"y\"], \"n\": 0, \"t\": true, \"f\": false,"
				  " \"o\": [{\"name\": \"one\"}, {\"path\": \"p/two\"}], \"big\": 1234567}");
	cJSON *tmpl = cJSON_Parse("[\"list {{a}}\", \"zero {{n}}\", \"{{?t}}shown\", \"{{?f}}hidden\", \"gone {{missing}}\","
				  " \"objs {{o}}\", \"or {{missing|none}}\", \"big {{big}}\"]");
	char *out = NULL;
	(void)state;
	assert_int_equal(alm_derive_expand(&out, tmpl, data), 0);
	assert_string_equal(out, "list x, y; zero 0; shown; objs one, p/two; or none; big 1234567");
	free(out);
	assert_int_equal(alm_derive_expand(&out, cJSON_GetArrayItem(tmpl, 4), data), 0);
	assert_string_equal(out, "");
	free(out);
	/* A notice's text is never left out: a missing fact reads "unknown". */
	assert_int_equal(alm_derive_interpolate(&out, "last {{missing}}, {{missing|never}}, {{a}}", data), 0);
	assert_string_equal(out, "last unknown, never, x, y");
	free(out);
	cJSON_Delete(tmpl);
	cJSON_Delete(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accelerator_repo_advises_from_evidence),
		cmocka_unit_test(test_approvals_and_policies_give_400),
		cmocka_unit_test(test_code_component_repo),
		cmocka_unit_test(test_plugin_repo),
		cmocka_unit_test(test_maker_only_canvas_repo),
		cmocka_unit_test(test_no_power_platform),
		cmocka_unit_test(test_dormant_repo),
		cmocka_unit_test(test_answers_win),
		cmocka_unit_test(test_lower_bound_never_refutes),
		cmocka_unit_test(test_tenant_pipelines_and_licences),
		cmocka_unit_test(test_inferred_weighs_less),
		cmocka_unit_test(test_every_format_marks_inferred_and_outcomes),
		cmocka_unit_test(test_rules_validate_names_the_derived_path),
		cmocka_unit_test(test_wrong_type_at_evaluation),
		cmocka_unit_test(test_expand_templates),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
