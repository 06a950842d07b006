/* JsonLogic: a conformance suite of [logic, data, expected] cases read from
 * jsonlogic_conformance.json, then errors, limits and the helper functions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alm/error.h"
#include "alm/jsonlogic.h"
#include "support.h"

/* Deep equality where numbers may differ in the last bits (0.1 + 0.2). */
static int same(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
		double scale = fmax(1, fmax(fabs(a->valuedouble), fabs(b->valuedouble)));
		return fabs(a->valuedouble - b->valuedouble) <= 1e-9 * scale;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!same(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		cJSON_ArrayForEach(x, a) {
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !same(x, y))
				return 0;
		}
		return 1;
	}
	return cJSON_Compare(a, b, 1);
}

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	if (!v)
		fail_msg("test JSON does not parse: %s", text);
	return v;
}

/* Applies logic to data (JSON texts) and returns the result's compact text. */
static char *apply_text(const char *logic_text, const char *data_text)
{
	cJSON *logic = parse(logic_text), *data = data_text ? parse(data_text) : NULL, *out = NULL;
	char *text;
	int rc = alm_jsonlogic_apply(&out, logic, data);
	if (rc != 0)
		fail_msg("%s failed: %d %s", logic_text, rc, alm_error_last());
	text = cJSON_PrintUnformatted(out);
	cJSON_Delete(logic);
	cJSON_Delete(data);
	cJSON_Delete(out);
	return text;
}

/* Asserts that applying logic fails with `code` and a message holding `expect`. */
static void assert_apply_fails(const cJSON *logic, const cJSON *data, int code, const char *expect)
{
	cJSON *out = (cJSON *)1;
	int rc = alm_jsonlogic_apply(&out, logic, data);
	assert_int_equal(rc, code);
	assert_null(out);
	if (!strstr(alm_error_last(), expect))
		fail_msg("message \"%s\" lacks \"%s\"", alm_error_last(), expect);
}

static void assert_text_fails(const char *logic_text, int code, const char *expect)
{
	cJSON *logic = parse(logic_text);
	assert_apply_fails(logic, NULL, code, expect);
	cJSON_Delete(logic);
}

static void assert_check_fails(const char *logic_text, const char *where, int code, const char *expect)
{
	cJSON *logic = parse(logic_text);
	assert_int_equal(alm_jsonlogic_check(logic, where), code);
	if (!strstr(alm_error_last(), expect))
		fail_msg("check of %s: message \"%s\" lacks \"%s\"", logic_text, alm_error_last(), expect);
	cJSON_Delete(logic);
}

static void test_comparison_can_fail(void **state)
{
	cJSON *one = parse("1"), *two = parse("2"), *s = parse("\"1\""), *t = parse("true");
	cJSON *a = parse("[1,2]"), *b = parse("[1]"), *o = parse("{\"a\":1}"), *p = parse("{\"a\":1,\"b\":2}");
	cJSON *near = parse("0.30000000000000004"), *third = parse("0.3");
	(void)state;
	assert_false(same(one, two));
	assert_false(same(one, s));
	assert_false(same(one, t));
	assert_false(same(a, b));
	assert_false(same(b, a));
	assert_false(same(o, p));
	assert_false(same(a, o));
	assert_true(same(near, third));
	assert_true(same(a, a));
	cJSON_Delete(one), cJSON_Delete(two), cJSON_Delete(s), cJSON_Delete(t), cJSON_Delete(a);
	cJSON_Delete(b), cJSON_Delete(o), cJSON_Delete(p), cJSON_Delete(near), cJSON_Delete(third);
}

static void test_conformance(void **state)
{
	char *path = test_source_path("tests/unit/jsonlogic_conformance.json");
	char *text = test_read_file(path);
	cJSON *cases, *c, *out, *names;
	char *logic_text, *got_text;
	int n = 0, failures = 0, rc;
	(void)state;

	if (!text)
		fail_msg("cannot read %s", path);
	if (!(cases = cJSON_Parse(text)))
		fail_msg("%s is not JSON", path);
	cJSON_ArrayForEach(c, cases) {
		const cJSON *logic = cJSON_GetArrayItem(c, 0), *data = cJSON_GetArrayItem(c, 1);
		const cJSON *expected = cJSON_GetArrayItem(c, 2);
		if (cJSON_GetArraySize(c) != 3)
			fail_msg("case %d is not a [logic, data, expected] triple", n);
		out = NULL;
		rc = alm_jsonlogic_apply(&out, logic, data);
		if (rc != 0 || !out || !same(out, expected)) {
			logic_text = cJSON_PrintUnformatted(logic);
			got_text = out ? cJSON_PrintUnformatted(out) : NULL;
			print_error("case %d: %s: got %s (%s)\n", n, logic_text, got_text ? got_text : "nothing",
				    rc ? alm_error_last() : "ok");
			free(logic_text);
			free(got_text);
			failures++;
		}
		cJSON_Delete(out);
		/* every rule also goes through the static walkers without harm */
		names = cJSON_CreateArray();
		assert_int_equal(alm_jsonlogic_vars(names, logic), 0);
		cJSON_Delete(names);
		n++;
	}
	assert_int_equal(failures, 0);
	assert_true(n >= 150);
	cJSON_Delete(cases);
	free(text);
	free(path);
}

static void test_truthiness_table(void **state)
{
	const char *falsy[] = {"0", "-0", "\"\"", "[]", "null", "false"};
	const char *truthy[] = {"1", "-1", "0.5", "\"0\"", "\" \"", "\"false\"", "{}", "[0]", "[[]]", "true", "[null]"};
	size_t i;
	cJSON *v;
	(void)state;
	for (i = 0; i < sizeof falsy / sizeof falsy[0]; i++) {
		v = parse(falsy[i]);
		if (alm_jsonlogic_truthy(v))
			fail_msg("%s should be falsy", falsy[i]);
		cJSON_Delete(v);
	}
	for (i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
		v = parse(truthy[i]);
		if (!alm_jsonlogic_truthy(v))
			fail_msg("%s should be truthy", truthy[i]);
		cJSON_Delete(v);
	}
	assert_false(alm_jsonlogic_truthy(NULL));
}

static void test_unknown_operator_names_place(void **state)
{
	(void)state;
	assert_text_fails("{\"and\": [true, {\"foo\": 1}]}", ALM_EINVALID, "unknown operator \"foo\" at $.and[1]");
	assert_text_fails("{\"if\": [{\"==\": [1, 1]}, {\"map\": [[1], {\"nope\": []}]}]}", ALM_EINVALID,
			  "unknown operator \"nope\" at $.if[1].map[1]");
	assert_text_fails("{\"!\": {\"bogus op\": 1}}", ALM_EINVALID, "unknown operator \"bogus op\" at $[\"!\"]");
	assert_text_fails("{\"method\": [\"abc\", \"toUpperCase\"]}", ALM_EINVALID, "unknown operator \"method\" at $");
}

static void test_object_with_several_keys_is_refused(void **state)
{
	(void)state;
	assert_text_fails("{\"var\": \"a\", \"x\": 1}", ALM_EINVALID, "an object with 2 keys is not an operation (an operation has exactly one key) at $");
	assert_text_fails("[1, {\"a\": 1, \"b\": 2, \"c\": 3}]", ALM_EINVALID, "an object with 3 keys is not an operation (an operation has exactly one key) at $[1]");
	assert_text_fails("{\"if\": [true, {\"a\": 1, \"b\": 2}]}", ALM_EINVALID, "at $.if[1]");
}

static void test_malformed_input(void **state)
{
	cJSON *out = (cJSON *)1;
	(void)state;
	assert_int_equal(alm_jsonlogic_apply(&out, NULL, NULL), ALM_EINVALID);
	assert_null(out);
	assert_non_null(strstr(alm_error_last(), "no logic"));
	assert_text_fails("{\"*\": []}", ALM_EINVALID, "\"*\" needs at least one argument at $[\"*\"]");
	assert_text_fails("{\"map\": [[1, 2], {\"+\": [1, {\"x\": 1}]}]}", ALM_EINVALID,
			  "unknown operator \"x\" at $.map[1][\"+\"][1]");
	/* text that is not JSON never reaches the evaluator */
	assert_null(cJSON_Parse("{\"var\": }"));
}

/* {"!": {"!": ... true}} `levels` deep, or [[[...]]] */
static cJSON *nest(int levels, int arrays)
{
	cJSON *v = cJSON_CreateTrue(), *outer;
	int i;
	for (i = 0; i < levels; i++) {
		outer = arrays ? cJSON_CreateArray() : cJSON_CreateObject();
		assert_non_null(outer);
		if (arrays)
			cJSON_AddItemToArray(outer, v);
		else
			cJSON_AddItemToObject(outer, "!", v);
		v = outer;
	}
	return v;
}

static void test_depth_bombs_end_with_a_limit(void **state)
{
	cJSON *bomb, *names, *ok, *out = NULL;
	int arrays;
	(void)state;
	for (arrays = 0; arrays <= 1; arrays++) {
		bomb = nest(10000, arrays);
		assert_apply_fails(bomb, NULL, ALM_ELIMIT, "nested deeper than 256 levels");
		assert_int_equal(alm_jsonlogic_check(bomb, "$.rule"), ALM_ELIMIT);
		assert_non_null(strstr(alm_error_last(), "$.rule"));
		names = cJSON_CreateArray();
		assert_int_equal(alm_jsonlogic_vars(names, bomb), ALM_ELIMIT);
		cJSON_Delete(names);
		cJSON_Delete(bomb);
	}
	/* well inside the limit, nesting is fine: an even number of ! is true */
	ok = nest(200, 0);
	assert_int_equal(alm_jsonlogic_apply(&out, ok, NULL), 0);
	assert_true(cJSON_IsTrue(out));
	assert_int_equal(alm_jsonlogic_check(ok, NULL), 0);
	cJSON_Delete(out);
	cJSON_Delete(ok);
}

static cJSON *long_list_data(int n)
{
	cJSON *data = cJSON_CreateObject(), *list = cJSON_CreateArray();
	int i;
	assert_non_null(data);
	assert_non_null(list);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateNumber(i % 7));
	cJSON_AddItemToObject(data, "list", list);
	return data;
}

static void test_step_budget_stops_long_loops(void **state)
{
	cJSON *data = long_list_data(2000000), *logic, *small, *out = NULL;
	(void)state;

	logic = parse("{\"reduce\": [{\"var\": \"list\"}, {\"+\": [{\"var\": \"current\"}, {\"var\": \"accumulator\"}]}, 0]}");
	assert_apply_fails(logic, data, ALM_ELIMIT, "evaluation exceeded 1000000 steps");
	assert_non_null(strstr(alm_error_last(), "at $.reduce[1]"));
	cJSON_Delete(logic);

	logic = parse("{\"map\": [{\"var\": \"list\"}, {\"var\": \"\"}]}");
	assert_apply_fails(logic, data, ALM_ELIMIT, "steps");
	cJSON_Delete(logic);

	/* Quadratic work over a short list: each merge copies the accumulator,
	 * and copies are charged. */
	small = long_list_data(20000);
	logic = parse("{\"reduce\": [{\"var\": \"list\"}, {\"merge\": [{\"var\": \"accumulator\"}, [{\"var\": \"current\"}]]}, []]}");
	assert_apply_fails(logic, small, ALM_ELIMIT, "steps");
	cJSON_Delete(logic);

	/* the same data through work that fits the budget */
	logic = parse("{\"reduce\": [{\"var\": \"list\"}, {\"+\": [{\"var\": \"current\"}, {\"var\": \"accumulator\"}]}, 0]}");
	assert_int_equal(alm_jsonlogic_apply(&out, logic, small), 0);
	assert_true(cJSON_IsNumber(out));
	assert_true(out->valuedouble == 59997.0); /* 2857 runs of 0..6, then a 0 */
	cJSON_Delete(out);
	cJSON_Delete(logic);

	/* var hands back a long array whole: copying the answer out is not work */
	logic = parse("{\"var\": \"list\"}");
	assert_int_equal(alm_jsonlogic_apply(&out, logic, data), 0);
	assert_int_equal(cJSON_GetArraySize(out), 2000000);
	cJSON_Delete(out);
	cJSON_Delete(logic);

	cJSON_Delete(small);
	cJSON_Delete(data);
}

static void test_string_results_are_capped(void **state)
{
	cJSON *logic;
	char text[2048];
	(void)state;
	/* doubling a 1 KiB string 15 times would pass 16 MiB */
	snprintf(text, sizeof text,
		 "{\"reduce\": [[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],"
		 " {\"cat\": [{\"var\": \"accumulator\"}, {\"var\": \"accumulator\"}]}, \"%01024d\"]}", 0);
	logic = parse(text);
	assert_apply_fails(logic, NULL, ALM_ELIMIT, "would exceed 16777216 bytes");
	assert_non_null(strstr(alm_error_last(), "at $.reduce[1].cat"));
	cJSON_Delete(logic);
}

static void test_non_finite_numbers_become_null(void **state)
{
	char *t;
	(void)state;
	t = apply_text("{\"/\": [1, 0]}", NULL);
	assert_string_equal(t, "null");
	free(t);
	t = apply_text("[{\"-\": [\"x\"]}, {\"max\": []}, {\"*\": [1e300, 1e300]}, 1]", NULL);
	assert_string_equal(t, "[null,null,null,1]");
	free(t);
	/* ...but only in the answer: within a rule, Infinity is still a number */
	t = apply_text("{\">\": [{\"/\": [1, 0]}, 1e308]}", NULL);
	assert_string_equal(t, "true");
	free(t);
}

static void test_result_is_independent_of_inputs(void **state)
{
	cJSON *logic = parse("{\"if\": [true, {\"var\": \"a.b\"}, 0]}");
	cJSON *data = parse("{\"a\": {\"b\": {\"deep\": [1, \"two\"]}}}");
	cJSON *out = NULL;
	char *t;
	(void)state;
	assert_int_equal(alm_jsonlogic_apply(&out, logic, data), 0);
	cJSON_Delete(logic);
	cJSON_Delete(data);
	assert_null(out->string); /* a copy, without the key it had in the data */
	t = cJSON_PrintUnformatted(out);
	assert_string_equal(t, "{\"deep\":[1,\"two\"]}");
	free(t);
	cJSON_Delete(out);

	/* data may be NULL, meaning null */
	t = apply_text("{\"var\": [\"a\", \"fallback\"]}", NULL);
	assert_string_equal(t, "\"fallback\"");
	free(t);
}

static void collect_log(const char *json, void *data)
{
	char *buf = data;
	strncat(buf, json, 255 - strlen(buf));
	strncat(buf, "\n", 255 - strlen(buf));
}

/* "log" writes nothing itself (the library prints nothing): without a sink the
 * value goes nowhere, with one the sink gets it as one line of JSON. */
static void test_log_goes_to_its_sink_only(void **state)
{
	char *dir = test_mkdtemp(), out_path[4200], err_path[4200], *t, logged[256] = "";
	int saved_out, saved_err, fd;
	cJSON *logic = parse("{\"log\": {\"merge\": [[1], \"x\"]}}"), *out = NULL;
	(void)state;

	snprintf(out_path, sizeof out_path, "%s/stdout", dir);
	snprintf(err_path, sizeof err_path, "%s/stderr", dir);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 1);
	close(fd);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	alm_jsonlogic_set_log(NULL, NULL);
	assert_int_equal(alm_jsonlogic_apply(&out, logic, NULL), 0);
	cJSON_Delete(out);
	alm_jsonlogic_set_log(collect_log, logged);
	assert_int_equal(alm_jsonlogic_apply(&out, logic, NULL), 0);
	alm_jsonlogic_set_log(NULL, NULL);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);

	t = test_read_file(out_path);
	assert_string_equal(t, "");
	free(t);
	t = test_read_file(err_path);
	assert_string_equal(t, "");
	free(t);
	assert_string_equal(logged, "[1,\"x\"]\n");
	t = cJSON_PrintUnformatted(out);
	assert_string_equal(t, "[1,\"x\"]");
	free(t);
	cJSON_Delete(out);
	cJSON_Delete(logic);
	test_rmtree(dir);
	free(dir);
}

static void test_check_reports_path_below_where(void **state)
{
	cJSON *logic;
	(void)state;
	assert_check_fails("{\"and\": [true, {\"foo\": 1}]}", "$.questions[2].condition", ALM_EINVALID,
			   "unknown operator \"foo\" at $.questions[2].condition.and[1]");
	assert_check_fails("{\"or\": [{\"==\": [1, 2, 3]}]}", "$", ALM_EINVALID, "\"==\" takes 2 arguments, not 3 at $.or[0]");
	assert_check_fails("{\"!\": [1, 2]}", "$", ALM_EINVALID, "\"!\" takes 1 argument, not 2");
	assert_check_fails("{\"<\": [1]}", "$", ALM_EINVALID, "\"<\" takes 2 to 3 arguments, not 1");
	assert_check_fails("{\"*\": []}", "$", ALM_EINVALID, "\"*\" takes at least 1 argument, not 0");
	assert_check_fails("{\"reduce\": [[1], {\"x\": 1}, 0]}", "$.r", ALM_EINVALID, "unknown operator \"x\" at $.r.reduce[1]");
	assert_check_fails("{\"if\": [true, {\"a\": 1, \"b\": 2}]}", "$", ALM_EINVALID, "exactly one key) at $.if[1]");
	assert_check_fails("{\"var\": true}", "$", ALM_EINVALID, "\"var\" takes a name (a string or a number), not a boolean at $.var");
	assert_check_fails("{\"var\": [[\"a\"]]}", "$", ALM_EINVALID, "not an array at $.var[0]");
	assert_check_fails("{\"missing_some\": [1, \"a\"]}", "$", ALM_EINVALID, "an array of keys second, not a string at $.missing_some[1]");
	assert_check_fails("{\"missing_some\": [\"one\", [\"a\"]]}", "$", ALM_EINVALID, "a count first");

	/* the shapes the operators accept pass */
	logic = parse("{\"and\": [{\"var\": \"a.b\"}, {\"var\": [1, 0]}, {\"var\": {\"cat\": [\"a\", \"b\"]}},"
		      " {\"missing_some\": [1, {\"merge\": [[\"a\"], \"b\"]}]}, {\"<\": [1, 2, 3]},"
		      " {\"if\": [true, 1, false, 2, 3]}, {\"map\": [[1], {\"var\": \"\"}]}, {\"var\": []}, {}]}");
	assert_int_equal(alm_jsonlogic_check(logic, "$"), 0);
	cJSON_Delete(logic);
	assert_int_equal(alm_jsonlogic_check(NULL, "$.x"), ALM_EINVALID);
}

static void test_vars_collects_names(void **state)
{
	cJSON *logic = parse(
		"{\"and\": [{\"==\": [{\"var\": \"repo.branches\"}, 2]}, {\"var\": [\"ado.url\", \"none\"]},"
		" {\"var\": \"repo.branches\"}, {\"var\": 1}, {\"var\": \"\"}, {\"var\": {\"cat\": [\"x\", \"y\"]}},"
		" {\"missing\": [\"answers.a\", \"answers.b\"]}, {\"missing\": [[\"answers.c\"]]},"
		" {\"missing\": {\"merge\": [\"answers.d\", [\"answers.e\"]]}},"
		" {\"missing_some\": [1, [\"answers.f\", \"answers.a\"]]},"
		" {\"map\": [{\"var\": \"repo.items\"}, {\"var\": \"item_field\"}]},"
		" {\"reduce\": [{\"var\": \"repo.list\"}, {\"var\": \"current\"}, {\"var\": \"repo.start\"}]}]}");
	cJSON *names = cJSON_CreateArray();
	char *t;
	(void)state;
	assert_int_equal(alm_jsonlogic_vars(names, logic), 0);
	t = cJSON_PrintUnformatted(names);
	assert_string_equal(t, "[\"repo.branches\",\"ado.url\",\"answers.a\",\"answers.b\",\"answers.c\",\"answers.d\","
			       "\"answers.e\",\"answers.f\",\"repo.items\",\"repo.list\",\"repo.start\"]");
	free(t);
	/* collecting again adds nothing */
	assert_int_equal(alm_jsonlogic_vars(names, logic), 0);
	assert_int_equal(cJSON_GetArraySize(names), 11);
	cJSON_Delete(names);

	names = cJSON_CreateObject();
	assert_int_equal(alm_jsonlogic_vars(names, logic), ALM_EINVALID);
	cJSON_Delete(names);
	cJSON_Delete(logic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comparison_can_fail),
		cmocka_unit_test(test_conformance),
		cmocka_unit_test(test_truthiness_table),
		cmocka_unit_test(test_unknown_operator_names_place),
		cmocka_unit_test(test_object_with_several_keys_is_refused),
		cmocka_unit_test(test_malformed_input),
		cmocka_unit_test(test_depth_bombs_end_with_a_limit),
		cmocka_unit_test(test_step_budget_stops_long_loops),
		cmocka_unit_test(test_string_results_are_capped),
		cmocka_unit_test(test_non_finite_numbers_become_null),
		cmocka_unit_test(test_result_is_independent_of_inputs),
		cmocka_unit_test(test_log_goes_to_its_sink_only),
		cmocka_unit_test(test_check_reports_path_below_where),
		cmocka_unit_test(test_vars_collects_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
