/* The utility layer: the string builder (one check at the end, a hard cap),
 * the growable array, the JSON readers and checked additions (an allocation
 * failure counted, never a partial document), the escapers of each output and
 * the repair of ill-formed UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/error.h"
#include "alm/json.h"
#include "escape.h"
#include "strbuf.h"
#include "vec.h"

/* ---- an allocator that fails after a budget, for cJSON ---------------- */

static long alloc_budget = -1;

static void *limited_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

static void limit_cjson(long budget)
{
	cJSON_Hooks hooks = {limited_malloc, free};
	alloc_budget = budget;
	cJSON_InitHooks(budget < 0 ? NULL : &hooks);
}

/* Writes through a memory stream and returns what was written. */
static char *written(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL, *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	assert_non_null(fp);
	fn(fp, s);
	assert_int_equal(alm_memstream_finish(fp, &buf, &n, &out, NULL), 0);
	return out;
}

static void expect_written(void (*fn)(FILE *, const char *), const char *in, const char *want)
{
	char *got = written(fn, in);
	assert_string_equal(got, want);
	free(got);
}

/* ---- string builder --------------------------------------------------- */

static void test_strbuf_builds_and_checks_once(void **state)
{
	alm_strbuf b = ALM_STRBUF_INIT;
	char *out;
	size_t len;
	int i;
	(void)state;
	for (i = 0; i < 1000; i++)
		alm_strbuf_printf(&b, "%d,", i);
	alm_strbuf_puts(&b, NULL);
	alm_strbuf_putc(&b, 'x');
	assert_int_equal(alm_strbuf_finish(&b, &out, &len, "a list"), 0);
	assert_int_equal(len, strlen(out));
	assert_true(strncmp(out, "0,1,2,", 6) == 0);
	assert_string_equal(out + len - 5, "999,x");
	free(out);
	/* An empty builder gives "", not NULL. */
	assert_int_equal(alm_strbuf_finish(&b, &out, &len, "nothing"), 0);
	assert_string_equal(out, "");
	assert_int_equal(len, 0);
	free(out);
}

static void test_strbuf_cap_sticks_until_finish(void **state)
{
	alm_strbuf b;
	char *out = (char *)"unchanged";
	(void)state;
	alm_strbuf_init(&b, 10);
	assert_int_equal(alm_strbuf_puts(&b, "123456789"), 0);
	assert_int_equal(alm_strbuf_puts(&b, "ab"), ALM_ELIMIT);
	/* After the first failure nothing more is added, even what would fit. */
	assert_int_equal(alm_strbuf_putc(&b, 'z'), ALM_ELIMIT);
	assert_string_equal(alm_strbuf_str(&b), "123456789");
	assert_int_equal(alm_strbuf_finish(&b, &out, NULL, "the body"), ALM_ELIMIT);
	assert_null(out);
	assert_string_equal(alm_error_last(), "the body would exceed 10 bytes");
	alm_strbuf_init(&b, 10);
	assert_int_equal(alm_strbuf_puts(&b, "0123456789"), 0); /* exactly the cap */
	assert_int_equal(alm_strbuf_finish(&b, &out, NULL, "the body"), 0);
	assert_string_equal(out, "0123456789");
	free(out);
}

static void test_strbuf_room_for_writing_in_place(void **state)
{
	alm_strbuf b;
	size_t avail;
	char *at, *out;
	(void)state;
	alm_strbuf_init(&b, 6);
	at = alm_strbuf_room(&b, 4, &avail);
	assert_non_null(at);
	assert_int_equal(avail, 6); /* the cap, not the allocation, bounds it */
	memcpy(at, "abcd", 4);
	alm_strbuf_wrote(&b, 4);
	assert_string_equal(alm_strbuf_str(&b), "abcd");
	assert_null(alm_strbuf_room(&b, 3, &avail)); /* past the cap */
	assert_int_equal(alm_strbuf_finish(&b, &out, NULL, "x"), ALM_ELIMIT);
}

/* ---- vector ----------------------------------------------------------- */

static void test_vec_grows_and_keeps_items(void **state)
{
	int *items = NULL;
	size_t n = 0, cap = 0, i;
	(void)state;
	for (i = 0; i < 10000; i++) {
		assert_int_equal(alm_vec_reserve(&items, &cap, n + 1), 0);
		items[n++] = (int)i * 3;
	}
	assert_true(cap >= n);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i], (int)i * 3);
	/* A size that cannot be counted is refused, and the array kept. */
	assert_int_equal(alm_vec_reserve(&items, &cap, SIZE_MAX / 2), ALM_ENOMEM);
	assert_int_equal(items[9999], 9999 * 3);
	free(items);
}

/* ---- JSON readers ----------------------------------------------------- */

static void test_json_getters_null_when_absent_or_wrong_type(void **state)
{
	cJSON *doc = cJSON_Parse("{\"s\":\"x\",\"n\":2.5,\"o\":{},\"a\":[1],\"z\":null}");
	(void)state;
	assert_string_equal(alm_json_str(doc, "s"), "x");
	assert_null(alm_json_str(doc, "n"));
	assert_null(alm_json_str(doc, "missing"));
	assert_null(alm_json_str(NULL, "s"));
	assert_null(alm_json_str(alm_json_get(doc, "a"), "s")); /* an array has no members */
	assert_string_equal(alm_json_str_or(doc, "z", "dflt"), "dflt");
	assert_true(alm_json_num_or(doc, "n", 0) == 2.5);
	assert_true(alm_json_num_or(doc, "s", -1) == -1);
	assert_non_null(alm_json_obj(doc, "o"));
	assert_null(alm_json_obj(doc, "a"));
	assert_non_null(alm_json_arr(doc, "a"));
	assert_null(alm_json_arr(doc, "o"));
	assert_non_null(alm_json_get(doc, "z"));
	assert_null(alm_json_get(doc, NULL));
	cJSON_Delete(doc);
}

/* ---- checked additions ------------------------------------------------ */

static void test_json_add_counts_failures(void **state)
{
	unsigned long mark = alm_json_add_failures();
	cJSON *doc = cJSON_CreateObject(), *list;
	(void)state;
	assert_non_null(alm_json_add_string(doc, "a", "x"));
	assert_null(alm_json_add_string(doc, "b", NULL)); /* nothing to add, no failure */
	list = alm_json_add_array(doc, "l");
	assert_non_null(alm_json_add_number(list, NULL, 1));
	assert_non_null(alm_json_add_bool(list, NULL, 1));
	assert_non_null(alm_json_add_null(list, NULL));
	assert_non_null(alm_json_set(doc, "a", cJSON_CreateString("y")));
	assert_int_equal(alm_json_add_check(mark, "a test"), 0);
	/* Adding to nothing (a parent that could not be made) or without a key
	 * to an object is a failure, never a crash. */
	assert_null(alm_json_add_string(NULL, "a", "x"));
	assert_null(alm_json_add(doc, NULL, cJSON_CreateTrue()));
	assert_int_equal(alm_json_add_check(mark, "a test"), ALM_ENOMEM);
	assert_string_equal(alm_error_last(), "out of memory building a test");
	{
		char *text = cJSON_PrintUnformatted(doc);
		assert_string_equal(text, "{\"a\":\"y\",\"l\":[1,true,null]}");
		free(text);
	}
	cJSON_Delete(doc);
}

static void test_json_add_under_failing_allocator(void **state)
{
	long budget;
	(void)state;
	/* Every possible point of failure while building a small document ends
	 * in a counted failure, and no leak (the ASan build checks that). */
	for (budget = 0; budget < 40; budget++) {
		unsigned long mark = alm_json_add_failures();
		cJSON *doc, *o;
		int complete;
		limit_cjson(budget);
		doc = cJSON_CreateObject();
		o = alm_json_add_object(doc, "facts");
		alm_json_add_string(o, "name", "invoices");
		alm_json_add_number(o, "count", 3);
		alm_json_add_string(alm_json_add_array(doc, "list"), NULL, "one");
		limit_cjson(-1);
		complete = doc && cJSON_GetArraySize(alm_json_get(doc, "list")) == 1 &&
			   alm_json_str(alm_json_get(doc, "facts"), "name");
		if (!doc)
			alm_json_add(NULL, "x", NULL); /* the root itself failed: count it as a builder does */
		assert_int_equal(alm_json_add_check(mark, "doc") == 0, complete);
		cJSON_Delete(doc);
	}
}

static void test_json_print_line_repairs_utf8(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *back;
	char *line;
	size_t len;
	(void)state;
	cJSON_AddStringToObject(doc, "name", "bad \xC3\x28 \xFF end");
	cJSON_AddStringToObject(doc, "\xE2\x82", "key");
	assert_int_equal(alm_json_print_line(&line, &len, doc), 0);
	assert_int_equal(len, strlen(line));
	assert_int_equal(line[len - 1], '\n');
	assert_true(alm_utf8_valid(line, len));
	back = cJSON_Parse(line);
	assert_non_null(back);
	assert_string_equal(alm_json_str(back, "name"), "bad \xEF\xBF\xBD( \xEF\xBF\xBD end");
	assert_non_null(alm_json_get(back, "\xEF\xBF\xBD\xEF\xBF\xBD"));
	cJSON_Delete(back);
	cJSON_Delete(doc);
	free(line);
}

/* ---- errors ----------------------------------------------------------- */

static void test_error_prefix_adds_context(void **state)
{
	(void)state;
	alm_error_set(ALM_EINVALID, "unexpected end");
	assert_int_equal(alm_error_prefix(ALM_EINVALID, "reading %s", "a.json"), ALM_EINVALID);
	assert_string_equal(alm_error_last(), "reading a.json: unexpected end");
	alm_error_clear();
	alm_error_prefix(ALM_ERROR, "reading %s", "b.json");
	assert_string_equal(alm_error_last(), "reading b.json");
	{
		char big[2000];
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		alm_error_set(ALM_ERROR, "%s", big);
		alm_error_prefix(ALM_ERROR, "ctx");
		assert_true(strncmp(alm_error_last(), "ctx: xxx", 8) == 0);
		assert_int_equal(strlen(alm_error_last()), 1023);
	}
}

/* ---- UTF-8 ------------------------------------------------------------ */

static void test_utf8_validation_and_repair(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"plain", "plain"},
		{"caf\xC3\xA9", "caf\xC3\xA9"},
		{"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},                 /* U+1F600 */
		{"a\xFF" "b", "a\xEF\xBF\xBD" "b"},                       /* never in UTF-8 */
		{"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* overlong '/' */
		{"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* a surrogate */
		{"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* past U+10FFFF */
		{"cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},         /* truncated at the end */
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *buf = strdup(cases[i].in);
		size_t len = strlen(buf);
		assert_int_equal(alm_utf8_valid(buf, len), strcmp(cases[i].in, cases[i].want) == 0);
		assert_int_equal(alm_utf8_repair(&buf, &len), 0);
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(len, strlen(cases[i].want));
		free(buf);
	}
}

/* ---- escapers --------------------------------------------------------- */

static void test_html_escaper(void **state)
{
	(void)state;
	expect_written(alm_esc_html, "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;");
	expect_written(alm_esc_html, "a\" onmouseover='x' &amp;", "a&quot; onmouseover=&#39;x&#39; &amp;amp;");
	expect_written(alm_esc_html, "</script><script>", "&lt;/script&gt;&lt;script&gt;");
	expect_written(alm_esc_html, NULL, "");
	expect_written(alm_esc_html, "\x1b[31mred\xC2\x9B", "\\e[31mred\\u009b");
}

static void test_markdown_escapers(void **state)
{
	(void)state;
	expect_written(alm_esc_md_text, "[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))");
	expect_written(alm_esc_md_text, "<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>");
	expect_written(alm_esc_md_text, "two\nlines", "two lines");
	expect_written(alm_esc_md_text, "*bold* _em_ `code` # h ~s~ &amp;", "\\*bold\\* \\_em\\_ \\`code\\` \\# h \\~s\\~ \\&amp;");
	expect_written(alm_esc_md_cell, "a | b\nc\r", "a \\| b<br>c");
	expect_written(alm_esc_md_cell, "x](javascript:y)", "x\\](javascript:y)");
	expect_written(alm_esc_md_text, "\x1b]8;;http://x\x07link", "\\e\\]8;;http://x\\x07link");
}

static void test_markdown_code_spans(void **state)
{
	(void)state;
	expect_written(alm_esc_md_code, "feature/*_x", "`feature/*_x`");
	/* The fence outruns every backtick run inside; a backtick at an end gets a space. */
	expect_written(alm_esc_md_code, "a``b`c", "```a``b`c```");
	expect_written(alm_esc_md_code, "`x", "`` `x ``");
	expect_written(alm_esc_md_code, "two\nlines\r", "`two lines `");
	expect_written(alm_esc_md_code, "a|b", "`a|b`");
	expect_written(alm_esc_md_code_cell, "a|b\nc", "`a\\|b c`");
	expect_written(alm_esc_md_code, NULL, "``");
	/* A backslash is literal in a code span, so a control character's visible form reads as it is. */
	expect_written(alm_esc_md_code, "x\x1b[2Jy\xC2\x9B", "`x\\e[2Jy\\u009b`");
	expect_written(alm_esc_md_code_cell, "\x07", "`\\x07`");
}

static void test_csv_cells_quoted_and_no_formulas(void **state)
{
	(void)state;
	expect_written(alm_esc_csv_cell, "plain", "\"plain\"");
	expect_written(alm_esc_csv_cell, "say \"hi\", twice", "\"say \"\"hi\"\", twice\"");
	expect_written(alm_esc_csv_cell, "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	expect_written(alm_esc_csv_cell, "+1+1", "\"'+1+1\"");
	expect_written(alm_esc_csv_cell, "-2+3", "\"'-2+3\"");
	expect_written(alm_esc_csv_cell, "@SUM(A1)", "\"'@SUM(A1)\"");
	expect_written(alm_esc_csv_cell, "\tx", "\"'\tx\"");
	expect_written(alm_esc_csv_cell, "\rx", "\"'\rx\"");
	expect_written(alm_esc_csv_cell, "a=b", "\"a=b\"");
	expect_written(alm_esc_csv_cell, "", "\"\"");
	expect_written(alm_esc_csv_cell, NULL, "\"\"");
	expect_written(alm_esc_csv_cell, "a\x1b[2Jb\nc", "\"a\\e[2Jb\nc\"");
}

static void test_terminal_writer_shows_controls(void **state)
{
	char *t;
	(void)state;
	expect_written(alm_esc_terminal, "\x1b[31mred\x1b[0m", "\\e[31mred\\e[0m");
	expect_written(alm_esc_terminal, "\x1b]0;title\x07", "\\e]0;title\\x07");   /* OSC */
	expect_written(alm_esc_terminal, "\xC2\x9B" "2J", "\\u009b2J");              /* C1 CSI */
	expect_written(alm_esc_terminal, "a\nb\tc\rd\x7f", "a\\nb\\tc\\rd\\x7f");
	expect_written(alm_esc_terminal, "caf\xC3\xA9 \xE2\x9C\x85", "caf\xC3\xA9 \xE2\x9C\x85");
	t = alm_esc_terminal_dup("x\x1b" "c");
	assert_string_equal(t, "x\\ec");
	free(t);
	assert_null(alm_esc_terminal_dup(NULL));
}

static void test_json_tree_rewrites_keys_and_values(void **state)
{
	cJSON *doc = cJSON_Parse("{\"rows\":[{\"name\":\"\\u001b[31mx\"}],\"a\\u001bb\":\"\\u0007\"}"), *copy;
	char *text;
	(void)state;
	assert_non_null(doc);
	cJSON_AddStringToObject(cJSON_GetArrayItem(alm_json_get(doc, "rows"), 0), "bad", "\xFF");
	copy = alm_esc_json_copy(doc, ALM_ESC_UTF8 | ALM_ESC_TERMINAL);
	assert_non_null(copy);
	text = cJSON_PrintUnformatted(copy);
	assert_string_equal(text, "{\"rows\":[{\"name\":\"\\\\e[31mx\",\"bad\":\"\xEF\xBF\xBD\"}],\"a\\\\eb\":\"\\\\x07\"}");
	free(text);
	/* The original is untouched. */
	assert_string_equal(alm_json_str(cJSON_GetArrayItem(alm_json_get(doc, "rows"), 0), "name"), "\x1b[31mx");
	cJSON_Delete(copy);
	cJSON_Delete(doc);
}

static void test_memstream_finish_repairs_utf8(void **state)
{
	char *buf = NULL, *out;
	size_t n = 0, len;
	FILE *fp = open_memstream(&buf, &n);
	(void)state;
	assert_non_null(fp);
	fputs("name: \xFE\n", fp);
	assert_int_equal(alm_memstream_finish(fp, &buf, &n, &out, &len), 0);
	assert_null(buf);
	assert_string_equal(out, "name: \xEF\xBF\xBD\n");
	assert_int_equal(len, strlen(out));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_builds_and_checks_once),
		cmocka_unit_test(test_strbuf_cap_sticks_until_finish),
		cmocka_unit_test(test_strbuf_room_for_writing_in_place),
		cmocka_unit_test(test_vec_grows_and_keeps_items),
		cmocka_unit_test(test_json_getters_null_when_absent_or_wrong_type),
		cmocka_unit_test(test_json_add_counts_failures),
		cmocka_unit_test(test_json_add_under_failing_allocator),
		cmocka_unit_test(test_json_print_line_repairs_utf8),
		cmocka_unit_test(test_error_prefix_adds_context),
		cmocka_unit_test(test_utf8_validation_and_repair),
		cmocka_unit_test(test_html_escaper),
		cmocka_unit_test(test_markdown_escapers),
		cmocka_unit_test(test_csv_cells_quoted_and_no_formulas),
		cmocka_unit_test(test_markdown_code_spans),
		cmocka_unit_test(test_terminal_writer_shows_controls),
		cmocka_unit_test(test_json_tree_rewrites_keys_and_values),
		cmocka_unit_test(test_memstream_finish_repairs_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
