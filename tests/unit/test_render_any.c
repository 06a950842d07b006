/* Every renderer renders any report object without crashing: {} , the full
 * report, the full report with each top-level key removed, and with each key
 * (and each element or member one level below it) given a value of another
 * type, in every format. The portfolio formats likewise with a portfolio. Each
 * output is checked for what must always hold: JSON parses back, the text is
 * UTF-8. (The ASan build of this test is the crash and leak check.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/report.h"
#include "escape.h"
#include "report_fixture.h"


static const alm_format formats[] = {ALM_FORMAT_TEXT, ALM_FORMAT_JSON, ALM_FORMAT_MARKDOWN, ALM_FORMAT_HTML,
				     ALM_FORMAT_SARIF, ALM_FORMAT_DOT, ALM_FORMAT_MERMAID};
static const alm_portfolio_format portfolio_formats[] = {ALM_PORTFOLIO_TEXT, ALM_PORTFOLIO_JSON, ALM_PORTFOLIO_CSV,
							 ALM_PORTFOLIO_MARKDOWN, ALM_PORTFOLIO_HTML};

/* What every output must be, whatever went in. */
static void check_output(const char *text, size_t len, int is_json)
{
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	assert_true(alm_utf8_valid(text, len));
	if (is_json) {
		cJSON *back = cJSON_Parse(text);
		assert_non_null(back);
		cJSON_Delete(back);
	}
}

static int renders(const cJSON *report)
{
	size_t i;
	int rendered = 0;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		alm_render_options o = ALM_RENDER_OPTIONS_INIT;
		char *out = NULL;
		size_t len = 0;
		o.rules = fixture_rules;
		o.flags = i % 2 ? ALM_RENDER_COLOR : 0;
		assert_int_equal(alm_report_render_opts(&out, &len, report, formats[i], &o), 0);
		check_output(out, len, formats[i] == ALM_FORMAT_JSON || formats[i] == ALM_FORMAT_SARIF);
		free(out);
		rendered++;
	}
	return rendered;
}

static int portfolio_renders(const cJSON *doc)
{
	size_t i;
	int rendered = 0;
	for (i = 0; i < sizeof portfolio_formats / sizeof portfolio_formats[0]; i++) {
		char *out = NULL;
		size_t len = 0;
		assert_int_equal(alm_portfolio_render(&out, &len, doc, portfolio_formats[i]), 0);
		check_output(out, len, portfolio_formats[i] == ALM_PORTFOLIO_JSON);
		free(out);
		rendered++;
	}
	return rendered;
}

/* The values a key is given in place of its own: each of another type. */
static cJSON *wrong_value(int k)
{
	switch (k) {
	case 0: return cJSON_CreateNumber(7);
	case 1: return cJSON_CreateString("x");
	case 2: return cJSON_CreateArray();
	case 3: return cJSON_CreateObject();
	case 4: return cJSON_CreateNull();
	default: return cJSON_Parse("[1, \"s\", null, [2], {\"a\": 3}]");
	}
}
#define NWRONG 6

typedef int (*render_fn)(const cJSON *);

/* Renders `full` and every variant of it; returns how many documents. */
static int variants(const cJSON *full, render_fn render)
{
	const cJSON *key;
	cJSON *empty = cJSON_CreateObject();
	int documents = 0, k;

	render(empty);
	cJSON_Delete(empty);
	render(full);
	documents += 2;
	cJSON_ArrayForEach(key, full) {
		cJSON *doc = cJSON_Duplicate(full, 1), *child;
		cJSON_DeleteItemFromObjectCaseSensitive(doc, key->string);
		render(doc);
		cJSON_Delete(doc);
		documents++;
		for (k = 0; k < NWRONG; k++) {
			doc = cJSON_Duplicate(full, 1);
			cJSON_ReplaceItemInObjectCaseSensitive(doc, key->string, wrong_value(k));
			render(doc);
			cJSON_Delete(doc);
			documents++;
		}
		/* One level down: each element of a list, each member of an object,
		 * of another type (a path step that is a number, a tool that is []). */
		for (k = 0; k < NWRONG; k++) {
			doc = cJSON_Duplicate(full, 1);
			cJSON_ArrayForEach(child, cJSON_GetObjectItemCaseSensitive(doc, key->string)) {
				cJSON *v = wrong_value(k);
				if (child->string)
					cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, key->string),
									       child->string, v);
				else
					cJSON_ReplaceItemViaPointer(cJSON_GetObjectItemCaseSensitive(doc, key->string), child, v);
				child = v;
			}
			render(doc);
			cJSON_Delete(doc);
			documents++;
		}
	}
	return documents;
}

static void test_every_format_renders_any_report(void **state)
{
	size_t v;
	(void)state;
	for (v = 0; v < FIXTURE_NVERDICTS; v++) {
		cJSON *report = fixture_assess_sample(fixture_rules, fixture_verdicts[v]);
		int n = variants(report, renders);
		/* Every top-level key was removed and replaced: no key was skipped. */
		assert_int_equal(n, 2 + cJSON_GetArraySize(report) * (1 + 2 * NWRONG));
		cJSON_Delete(report);
	}
}

static void test_nothing_but_wrong_types_at_the_top(void **state)
{
	int k;
	(void)state;
	/* Not even an object: the renderers are given what they are given. */
	for (k = 0; k < NWRONG; k++) {
		cJSON *v = wrong_value(k);
		renders(v);
		portfolio_renders(v);
		cJSON_Delete(v);
	}
}

static cJSON *portfolio_fixture(void)
{
	cJSON *rows = cJSON_CreateArray(), *doc = NULL;
	size_t v;
	for (v = 0; v < FIXTURE_NVERDICTS; v++)
		cJSON_AddItemToArray(rows, alm_portfolio_row(fixture_verdicts[v], "/srv/git/x",
							   fixture_assess_sample(fixture_rules, fixture_verdicts[v])));
	cJSON_AddItemToArray(rows, alm_portfolio_failed_row("broken", "/srv/git/broken", "not a repository"));
	assert_int_equal(alm_portfolio_build(&doc, rows, fixture_rules), 0);
	return doc;
}

static void test_every_portfolio_format_renders_any_portfolio(void **state)
{
	cJSON *doc = portfolio_fixture();
	int n;
	(void)state;
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "rows")), FIXTURE_NVERDICTS + 1);
	n = variants(doc, portfolio_renders);
	assert_int_equal(n, 2 + cJSON_GetArraySize(doc) * (1 + 2 * NWRONG));
	/* And each row with its keys removed or of the wrong type. */
	{
		cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "rows"), 0);
		const cJSON *key;
		int k;
		cJSON_ArrayForEach(key, row) {
			for (k = -1; k < NWRONG; k++) {
				cJSON *copy = cJSON_Duplicate(doc, 1);
				cJSON *crow = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(copy, "rows"), 0);
				if (k < 0)
					cJSON_DeleteItemFromObjectCaseSensitive(crow, key->string);
				else
					cJSON_ReplaceItemInObjectCaseSensitive(crow, key->string, wrong_value(k));
				portfolio_renders(copy);
				cJSON_Delete(copy);
			}
		}
	}
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_format_renders_any_report),
		cmocka_unit_test(test_nothing_but_wrong_types_at_the_top),
		cmocka_unit_test(test_every_portfolio_format_renders_any_portfolio),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
