/* JSON reading with positions, atomic files, the facts document and the schema
 * validator's messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alm/error.h"
#include "alm/facts.h"
#include "alm/json.h"
#include "alm/schema.h"
#include "support.h"

static void test_parse_errors_name_line_and_column(void **state)
{
	cJSON *v = NULL;
	const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	(void)state;
	assert_int_equal(alm_json_parse(&v, text, strlen(text), "x.json"), ALM_EINVALID);
	assert_null(v);
	assert_non_null(strstr(alm_error_last(), "x.json:3:"));
	assert_int_equal(alm_json_parse(&v, "{\"a\": 1} x", 10, "t"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "t:1:10: unexpected text after the JSON value"));
	assert_int_equal(alm_json_parse(&v, "[1, 2", 5, "t"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "unexpected end of input"));
	assert_int_equal(alm_json_parse(&v, "[1,\0 2]", 7, "t"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "NUL"));
}

static void test_parse_skips_byte_order_mark(void **state)
{
	cJSON *v = NULL;
	const char *text = "\xEF\xBB\xBF{\"ok\": true}\n";
	(void)state;
	assert_int_equal(alm_json_parse(&v, text, strlen(text), "bom"), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "ok")));
	cJSON_Delete(v);
}

static void test_atomic_and_exclusive_writes(void **state)
{
	char *dir = test_mkdtemp(), path[4200], *text, *listing;
	int st;
	(void)state;
	snprintf(path, sizeof path, "%s/out.txt", dir);
	assert_int_equal(alm_file_write_atomic(path, "one\n", 4), 0);
	assert_int_equal(alm_file_write_atomic(path, "two\n", 4), 0);
	text = test_read_file(path);
	assert_string_equal(text, "two\n");
	free(text);
	assert_int_equal(alm_file_write_new(path, "three\n", 6), ALM_EIO);
	assert_non_null(strstr(alm_error_last(), "already exists"));
	text = test_read_file(path);
	assert_string_equal(text, "two\n");
	free(text);
	/* No temporary file is left behind, in success or failure. */
	listing = test_sh_output(&st, "ls -A '%s'", dir);
	assert_string_equal(listing, "out.txt\n");
	free(listing);
	snprintf(path, sizeof path, "%s/missing/out.txt", dir);
	assert_int_equal(alm_file_write_atomic(path, "x", 1), ALM_EIO);
	test_rmtree(dir);
	free(dir);
}

static void test_facts_paths_and_evidence(void **state)
{
	alm_facts *f;
	cJSON *doc;
	(void)state;
	assert_int_equal(alm_facts_new(&f), 0);
	assert_int_equal(alm_facts_set_number(f, "repo.pull_requests.total", 7, ALM_SOURCE_REPO, "7 pull requests"), 0);
	assert_int_equal(alm_facts_set_bool(f, "repo.shallow", 0, ALM_SOURCE_REPO, NULL), 0);
	assert_int_equal(alm_facts_set(f, "ado.pipelines.count", cJSON_CreateNumber(3), ALM_SOURCE_ADO, "%d pipelines", 3), 0);
	assert_int_equal(alm_facts_get(f, "repo.pull_requests.total")->valueint, 7);
	assert_true(cJSON_IsFalse(alm_facts_get(f, "repo.shallow")));
	assert_null(alm_facts_get(f, "repo.pull_requests.none"));
	assert_null(alm_facts_get(f, "repo.shallow.deeper"));
	assert_string_equal(cJSON_GetObjectItem(alm_facts_evidence(f, "ado.pipelines.count"), "detail")->valuestring, "3 pipelines");
	assert_string_equal(cJSON_GetObjectItem(alm_facts_evidence(f, "ado.pipelines.count"), "source")->valuestring, "ado");
	/* Setting again replaces the value and its evidence. */
	assert_int_equal(alm_facts_set_number(f, "repo.pull_requests.total", 8, ALM_SOURCE_REPO, "8"), 0);
	assert_int_equal(alm_facts_get(f, "repo.pull_requests.total")->valueint, 8);
	assert_int_equal(alm_facts_set_string(f, "bad.", "x", ALM_SOURCE_REPO, NULL), ALM_EINVALID);
	assert_int_equal(alm_facts_set_probe(f, "repo", "degraded", "shallow clone"), 0);
	doc = alm_facts_to_json(f);
	assert_string_equal(cJSON_GetObjectItem(doc, "schema")->valuestring, "alm-advisor/facts@1");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "probes"), "repo"), "status")->valuestring,
			    "degraded");
	cJSON_Delete(doc);
	alm_facts_free(f);
	alm_facts_free(NULL);
}

static void test_facts_output_matches_its_schema(void **state)
{
	char *path = test_source_path("rules/facts.schema.json");
	cJSON *schema = NULL, *doc;
	alm_facts *f;
	(void)state;
	assert_int_equal(alm_json_read_file(&schema, path), 0);
	assert_int_equal(alm_facts_new(&f), 0);
	assert_int_equal(alm_facts_set_number(f, "repo.commits", 3, ALM_SOURCE_REPO, "3 commits"), 0);
	assert_int_equal(alm_facts_set_probe(f, "ado", "skipped", NULL), 0);
	doc = alm_facts_to_json(f);
	if (alm_schema_validate(schema, doc, "facts") < 0)
		fail_msg("%s", alm_error_last());
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "evidence"), "repo.commits"), "source",
				  cJSON_CreateString("guess"));
	assert_int_equal(alm_schema_validate(schema, doc, "facts"), ALM_EINVALID);
	assert_non_null(strstr(alm_error_last(), "$.evidence.repo.commits.source"));
	cJSON_Delete(doc);
	cJSON_Delete(schema);
	alm_facts_free(f);
	free(path);
}

/* Validates `text` against `schema`: accepted when `expect` is NULL, else refused
 * with `expect` in the message. */
static void check(const cJSON *schema, const char *text, const char *expect)
{
	cJSON *v = NULL;
	assert_int_equal(alm_json_parse(&v, text, strlen(text), "v"), 0);
	if (expect) {
		assert_int_equal(alm_schema_validate(schema, v, "v"), ALM_EINVALID);
		if (!strstr(alm_error_last(), expect))
			fail_msg("\"%s\" lacks \"%s\"", alm_error_last(), expect);
	} else {
		assert_int_equal(alm_schema_validate(schema, v, "v"), 0);
	}
	cJSON_Delete(v);
}

static void test_schema_keywords(void **state)
{
	cJSON *schema = NULL;
	const char *s = "{\"type\": \"object\", \"required\": [\"n\"], \"properties\": {"
			"\"n\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 9},"
			"\"s\": {\"type\": \"string\", \"minLength\": 2},"
			"\"l\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 2, \"items\": {\"$ref\": \"#/$defs/x\"}}},"
			"\"$defs\": {\"x\": {\"type\": [\"boolean\", \"null\"]}}}";
	(void)state;
	assert_int_equal(alm_json_parse(&schema, s, strlen(s), "schema"), 0);
	check(schema, "{\"n\": 3, \"s\": \"ab\", \"l\": [true, null]}", NULL);
	check(schema, "{}", "$: missing the required key \"n\"");
	check(schema, "{\"n\": 2.5}", "$.n: expected an integer, found number");
	check(schema, "{\"n\": 0}", "$.n: expected a number of at least 1");
	check(schema, "{\"n\": 10}", "$.n: expected a number of at most 9");
	check(schema, "{\"n\": 1, \"s\": \"a\"}", "$.s: expected a string of at least 2 characters");
	check(schema, "{\"n\": 1, \"l\": []}", "$.l: expected at least 1 item");
	check(schema, "{\"n\": 1, \"l\": [true, true, true]}", "$.l: expected at most 2 items");
	check(schema, "{\"n\": 1, \"l\": [1]}", "$.l[0]: expected one of the types \"boolean\", \"null\", found integer");
	cJSON_Delete(schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors_name_line_and_column),
		cmocka_unit_test(test_parse_skips_byte_order_mark),
		cmocka_unit_test(test_atomic_and_exclusive_writes),
		cmocka_unit_test(test_facts_paths_and_evidence),
		cmocka_unit_test(test_facts_output_matches_its_schema),
		cmocka_unit_test(test_schema_keywords),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
