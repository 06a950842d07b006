/* Rules: the built-in tree loads, and every kind of broken rules is refused with
 * a message naming where. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/error.h"
#include "alm/graph.h"
#include "alm/json.h"
#include "alm/rules.h"
#include "support.h"

/* Loads `doc` (taking it) and asserts it is refused with `expect` in the message. */
static void assert_refused(cJSON *doc, const char *expect)
{
	alm_rules *rules = NULL;
	int rc = alm_rules_from_json(&rules, doc, "r.json");
	assert_int_equal(rc, ALM_EINVALID);
	assert_null(rules);
	if (!strstr(alm_error_last(), expect))
		fail_msg("message \"%s\" lacks \"%s\"", alm_error_last(), expect);
}

static cJSON *node(cJSON *doc, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tree"), "nodes"), i);
}

static void test_default_rules_load_and_cover_the_seed(void **state)
{
	alm_rules *rules = NULL;
	const cJSON *q;
	int parts = 0, n = 0;
	(void)state;
	assert_int_equal(alm_rules_load_default(&rules), 0);
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(alm_rules_json(rules), "questions")) {
		n++;
		assert_int_equal(cJSON_GetObjectItem(q, "number")->valueint, n);
		parts += cJSON_GetArraySize(cJSON_GetObjectItem(q, "parts"));
	}
	assert_int_equal(n, 12);
	assert_true(parts >= 24);
	assert_non_null(alm_rules_tier(rules, "critical"));
	assert_non_null(alm_rules_tier(rules, "high"));
	assert_non_null(alm_rules_tier(rules, "non-critical"));
	assert_non_null(alm_rules_verdict(rules, "makers-path"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(alm_rules_json(rules), "follow_up")), 11);
	alm_rules_free(rules);
}

static void test_unknown_key_is_refused_with_path(void **state)
{
	cJSON *doc = test_default_rules_doc();
	(void)state;
	cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 2), "colour", "red");
	assert_refused(doc, "$.questions[2]: unknown key \"colour\"");
}

static void test_missing_branch_target(void **state)
{
	cJSON *doc = test_default_rules_doc();
	(void)state;
	cJSON_ReplaceItemInObject(node(doc, 0), "no", cJSON_CreateString("nowhere"));
	assert_refused(doc, "$.tree.nodes[0]: a branch leads to \"nowhere\"");
}

static void test_cycle_is_refused(void **state)
{
	cJSON *doc = test_default_rules_doc();
	(void)state;
	/* impact-or-persona's "yes" goes back to the maturity gate. */
	cJSON_ReplaceItemInObject(node(doc, 1), "yes", cJSON_CreateString("maturity-gate"));
	assert_refused(doc, "cycle");
}

static void test_unknown_operator_is_refused(void **state)
{
	cJSON *doc = test_default_rules_doc();
	cJSON *part = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 0), "parts"), 0);
	cJSON *bad = NULL;
	(void)state;
	assert_int_equal(alm_json_parse(&bad, "{\"frobnicate\": [1, 2]}", 22, "x"), 0);
	cJSON_ReplaceItemInObject(part, "condition", bad);
	assert_refused(doc, "frobnicate");
	assert_non_null(strstr(alm_error_last(), "$.questions[0].parts[0].condition"));
}

static void test_wrong_type_and_enum(void **state)
{
	cJSON *doc = test_default_rules_doc();
	(void)state;
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 0), "combine",
				  cJSON_CreateString("most"));
	assert_refused(doc, "$.questions[0].combine: expected one of \"all\", \"any\"");

	doc = test_default_rules_doc();
	cJSON_ReplaceItemInObject(doc, "questions", cJSON_CreateString("none"));
	assert_refused(doc, "$.questions: expected an array, found string");
}

static void test_duplicate_part_id(void **state)
{
	cJSON *doc = test_default_rules_doc();
	cJSON *parts = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 4), "parts");
	(void)state;
	cJSON_AddItemToArray(parts, cJSON_Duplicate(cJSON_GetArrayItem(parts, 0), 1));
	assert_refused(doc, "is used more than once");
}

static void test_unknown_part_reference(void **state)
{
	cJSON *doc = test_default_rules_doc();
	(void)state;
	cJSON_ReplaceItemInObject(node(doc, 0), "part", cJSON_CreateString("maturity.level_900"));
	assert_refused(doc, "maturity.level_900");
}

static void test_fact_outside_namespaces(void **state)
{
	cJSON *doc = test_default_rules_doc();
	cJSON *part = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questions"), 0), "parts"), 0);
	(void)state;
	cJSON_AddItemToArray(cJSON_GetObjectItem(part, "needs"), cJSON_CreateString("impact"));
	assert_refused(doc, "outside the namespaces");
}

static void test_parse_error_has_line_and_column(void **state)
{
	char *dir = test_mkdtemp(), path[4200];
	alm_rules *rules = NULL;
	(void)state;
	snprintf(path, sizeof path, "%s/broken.json", dir);
	assert_int_equal(test_write_file(path, "{\n  \"schema\": \"alm-advisor/rules@1\",\n  \"version\" \"1\"\n}\n"), 0);
	assert_int_equal(alm_rules_load_file(&rules, path), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "broken.json:3:"));
	snprintf(path, sizeof path, "%s/missing.json", dir);
	assert_int_equal(alm_rules_load_file(&rules, path), ALM_ENOTFOUND);
	assert_non_null(strstr(alm_error_last(), "missing.json"));
	test_rmtree(dir);
	free(dir);
}

static void test_graph_draws_every_node(void **state)
{
	alm_rules *rules = NULL;
	char *dot = NULL, *mermaid = NULL;
	(void)state;
	assert_int_equal(alm_rules_load_default(&rules), 0);
	assert_int_equal(alm_graph_render(&dot, rules, ALM_GRAPH_DOT, NULL), 0);
	assert_int_equal(alm_graph_render(&mermaid, rules, ALM_GRAPH_MERMAID, NULL), 0);
	assert_non_null(strstr(dot, "digraph"));
	assert_non_null(strstr(dot, "\"maturity-gate\" -> \"impact-or-persona\" [label=\"yes\""));
	assert_non_null(strstr(dot, "Environments created"));
	assert_non_null(strstr(mermaid, "flowchart TD"));
	assert_non_null(strstr(mermaid, "n0 -->|yes| n1"));
	assert_null(strstr(mermaid, "classDef visited")); /* no report, no path */
	free(dot);
	free(mermaid);
	alm_rules_free(rules);
}

/* A rules file's labels are text from outside: in either drawing a control
 * character in one is spelt (as escape.h shows it), never written as it is,
 * so a Markdown report carrying the Mermaid chart runs no escape sequence on
 * a terminal; DOT gets the backslash doubled, as it reads one as an escape. */
static void test_graph_spells_control_characters(void **state)
{
	alm_rules *rules = NULL;
	cJSON *doc, *report;
	cJSON *node, *step;
	char *dot = NULL, *mermaid = NULL;
	(void)state;
	assert_int_equal(alm_rules_load_default(&rules), 0);
	doc = cJSON_Duplicate(alm_rules_json(rules), 1);
	alm_rules_free(rules);
	node = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tree"), "nodes"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(node, "label", cJSON_CreateString("Level \x1b[2J300\x07?\xc2\x9b"));
	cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tree"), "nodes")) {
		step = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(node, "steps"), 0);
		if (step)
			cJSON_ReplaceItemInObjectCaseSensitive(step, "label", cJSON_CreateString("step\x1b]0;t\x07"));
	}
	assert_int_equal(alm_rules_from_json(&rules, doc, "odd.json"), 0);
	assert_int_equal(alm_graph_render(&dot, rules, ALM_GRAPH_DOT, NULL), 0);
	assert_int_equal(alm_graph_render(&mermaid, rules, ALM_GRAPH_MERMAID, NULL), 0);
	assert_null(strchr(mermaid, '\x1b'));
	assert_null(strchr(mermaid, '\x07'));
	assert_null(strstr(mermaid, "\xc2\x9b"));
	assert_non_null(strstr(mermaid, "n0{\"Level \\e[2J300\\x07?\\u009b\"}"));
	assert_non_null(strstr(mermaid, "step\\e]0;t\\x07"));
	assert_null(strchr(dot, '\x1b'));
	assert_null(strchr(dot, '\x07'));
	assert_null(strstr(dot, "\xc2\x9b"));
	assert_non_null(strstr(dot, "\"Level \\\\e[2J300\\\\x07?\\\\u009b\""));
	assert_non_null(strstr(dot, "step\\\\e]0;t\\\\x07"));
	free(dot);
	free(mermaid);
	/* A report's value beside a label is text from outside too. */
	report = cJSON_Parse("{\"path\": [{\"node\": \"maturity-gate\", \"value\": \"y\\u001b[2J\"}]}");
	assert_non_null(report);
	assert_int_equal(alm_graph_render(&dot, rules, ALM_GRAPH_DOT, report), 0);
	assert_int_equal(alm_graph_render(&mermaid, rules, ALM_GRAPH_MERMAID, report), 0);
	assert_null(strchr(dot, '\x1b'));
	assert_null(strchr(mermaid, '\x1b'));
	assert_non_null(strstr(dot, "\\n(y\\\\e[2J)"));
	assert_non_null(strstr(mermaid, " (y\\e[2J)"));
	free(dot);
	free(mermaid);
	cJSON_Delete(report);
	alm_rules_free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rules_load_and_cover_the_seed),
		cmocka_unit_test(test_unknown_key_is_refused_with_path),
		cmocka_unit_test(test_missing_branch_target),
		cmocka_unit_test(test_cycle_is_refused),
		cmocka_unit_test(test_unknown_operator_is_refused),
		cmocka_unit_test(test_wrong_type_and_enum),
		cmocka_unit_test(test_duplicate_part_id),
		cmocka_unit_test(test_unknown_part_reference),
		cmocka_unit_test(test_fact_outside_namespaces),
		cmocka_unit_test(test_parse_error_has_line_and_column),
		cmocka_unit_test(test_graph_draws_every_node),
		cmocka_unit_test(test_graph_spells_control_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
