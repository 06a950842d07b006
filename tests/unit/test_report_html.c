/* The HTML renderer against the assessment: the verdict as the page's heading,
 * one gap row per gap with its action, the tree drawn from the rules with the
 * path marked in words as well as colour, every text escaped, and nothing that
 * would be fetched or run when the page is viewed. (tests/e2e/reports.sh loads
 * the page in a real browser.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "alm/error.h"
#include "alm/report.h"
#include "report_fixture.h"

static char *render(const cJSON *report)
{
	char *html = NULL;
	size_t len = 0;
	assert_int_equal(alm_report_render_html(&html, &len, report, fixture_rules), 0);
	assert_int_equal(len, strlen(html));
	return html;
}

/* `text` escaped as the renderer escapes it. */
static char *escaped(const char *text)
{
	char *out = malloc(strlen(text) * 6 + 1), *p = out;
	assert_non_null(out);
	for (; *text; text++) {
		switch (*text) {
		case '&': p += sprintf(p, "&amp;"); break;
		case '<': p += sprintf(p, "&lt;"); break;
		case '>': p += sprintf(p, "&gt;"); break;
		case '"': p += sprintf(p, "&quot;"); break;
		case '\'': p += sprintf(p, "&#39;"); break;
		default: *p++ = *text;
		}
	}
	*p = '\0';
	return out;
}

static char *between(const char *html, const char *from, const char *to)
{
	const char *a = strstr(html, from), *b;
	char *out;
	assert_non_null(a);
	b = strstr(a, to);
	assert_non_null(b);
	out = strndup(a, (size_t)(b - a));
	assert_non_null(out);
	return out;
}

static void test_verdict_gaps_and_actions(void **state)
{
	size_t v;
	(void)state;
	for (v = 0; v < FIXTURE_NVERDICTS; v++) {
		cJSON *report = fixture_assess_sample(fixture_rules, fixture_verdicts[v]);
		const cJSON *gap, *gaps = cJSON_GetObjectItemCaseSensitive(report, "gaps");
		char *html = render(report), *title, *h1, *gaps_html;
		title = escaped(cJSON_GetObjectItemCaseSensitive(report, "title")->valuestring);
		h1 = malloc(strlen(title) + 16);
		sprintf(h1, "<h1>%s</h1>", title);
		assert_non_null(strstr(html, h1));
		gaps_html = between(html, "<h2 id=\"h-gaps\">", "</section>");
		if (cJSON_GetArraySize(gaps) > 0)
			assert_int_equal(fixture_count(gaps_html, "<tr><th scope=\"row\">"), cJSON_GetArraySize(gaps));
		cJSON_ArrayForEach(gap, gaps) {
			char *action = escaped(cJSON_GetObjectItemCaseSensitive(gap, "action")->valuestring);
			assert_non_null(strstr(gaps_html, action));
			free(action);
		}
		free(gaps_html);
		free(h1);
		free(title);
		free(html);
		cJSON_Delete(report);
	}
}

/* Every tree node is drawn; the path's are marked, and say their answer. */
static void test_tree_drawn_with_the_path(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(alm_rules_json(fixture_rules), "tree"), "nodes");
	char *html = render(report), *svg = between(html, "<svg", "</svg>");
	(void)state;
	assert_int_equal(fixture_count(svg, "<g class=\"node "), cJSON_GetArraySize(nodes));
	/* Three decisions and the verdict. */
	assert_int_equal(fixture_count(svg, " on-path\""), 4);
	assert_non_null(strstr(svg, "class=\"node verdict on-path\" id=\"node-alm-accelerator-after-prerequisites\""));
	assert_non_null(strstr(svg, ">Answer: no, from the answers</tspan>"));
	assert_non_null(strstr(svg, "Verdict reached</tspan>"));
	/* Taken edges are solid and thick by their class, and labelled in words. */
	assert_int_equal(fixture_count(svg, "<path class=\"edge taken\""), 3);
	assert_int_equal(fixture_count(svg, "<path class=\"edge\""), 9 - 3);
	assert_non_null(strstr(svg, "role=\"img\" aria-labelledby=\"tree-title tree-desc\""));
	assert_non_null(strstr(svg, "<desc id=\"tree-desc\">The path taken: Level 300, 400 or 500? yes;"));
	free(svg);
	free(html);
	cJSON_Delete(report);
}

/* Statuses are words in the tables, never only a colour. */
static void test_statuses_spelt_out_and_tables_have_headers(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "insufficient-information");
	char *html = render(report);
	(void)state;
	assert_non_null(strstr(html, "<span class=\"status s-unknown\"><span aria-hidden=\"true\">? </span>unknown</span>"));
	assert_non_null(strstr(html, "<html lang=\"en\">"));
	assert_int_equal(fixture_count(html, "<table"), fixture_count(html, "<thead>"));
	assert_non_null(strstr(html, "<th scope=\"col\">Answers key</th>"));
	assert_non_null(strstr(html, "aria-label=\"Maturity levels 100 to 500\""));
	free(html);
	cJSON_Delete(report);
}

static void test_everything_escaped(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	cJSON *gap = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "gaps"), 0);
	char *html;
	(void)state;
	fixture_set(gap, "text", "<script>alert('x')</script> & \"quoted\"");
	fixture_set(gap, "action", "Use <b>bold</b> & 'single'");
	fixture_set(report, "title", "A <title> & \"more\"");
	html = render(report);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>bold"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"));
	assert_non_null(strstr(html, "Use &lt;b&gt;bold&lt;/b&gt; &amp; &#39;single&#39;"));
	assert_non_null(strstr(html, "<h1>A &lt;title&gt; &amp; &quot;more&quot;</h1>"));
	free(html);
	cJSON_Delete(report);
}

/* Stopped at an unknown, the page lists the outcomes first and draws the
 * branches each takes, dashed and amber, to the verdicts they reach. */
static void test_outcomes_listed_and_drawn(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "insufficient-information");
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "outcomes"), 0);
	char *html, *svg, *list;
	(void)state;
	fixture_set(first, "when", "if <b>bold</b> & more");
	html = render(report);
	svg = between(html, "<svg", "</svg>");
	list = between(html, "<h2 id=\"h-outcomes\">", "</section>");
	assert_true(strstr(html, "id=\"h-outcomes\"") < strstr(html, "id=\"h-tree\""));
	assert_int_equal(fixture_count(list, "<li>"), cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "outcomes")));
	assert_non_null(strstr(list, "<li>if &lt;b&gt;bold&lt;/b&gt; &amp; more: <strong>Adopt the ALM Accelerator for Power "
				     "Platform</strong> (<code>alm-accelerator</code>); answer <code>maturity.target</code>"));
	assert_non_null(strstr(list, "(<code>grow-maturity-first</code>)"));
	/* Gate yes and no, impact yes, prerequisites yes and no: five branches the path did not take. */
	assert_int_equal(fixture_count(svg, "<path class=\"edge possible\""), 5);
	assert_int_equal(fixture_count(svg, "<path class=\"edge taken\""), 1);
	assert_int_equal(fixture_count(svg, "class=\"node verdict possible\""), 3);
	assert_non_null(strstr(svg, "class=\"node verdict possible\" id=\"node-grow-maturity-first\""));
	assert_null(strstr(svg, "class=\"node verdict possible\" id=\"node-makers-path\""));
	assert_non_null(strstr(svg, ">A possible outcome</tspan>"));
	/* The path's end names the verdict reached. */
	assert_non_null(strstr(html, "<p>Verdict reached: <strong>Insufficient information to walk the tree</strong> "
				     "(<code>insufficient-information</code>)</p>"));
	free(list);
	free(svg);
	free(html);
	cJSON_Delete(report);
}

/* Self-contained: no script, no external style sheet, image or font. */
static void test_self_contained(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "makers-path");
	char *html = render(report), *p;
	(void)state;
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "href="));
	/* The only URL is the SVG namespace, which is a name, not a fetch. */
	for (p = strstr(html, "http"); p; p = strstr(p + 4, "http"))
		assert_int_equal(strncmp(p, "http://www.w3.org/2000/svg", 26), 0);
	free(html);
	cJSON_Delete(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_gaps_and_actions),
		cmocka_unit_test(test_tree_drawn_with_the_path),
		cmocka_unit_test(test_statuses_spelt_out_and_tables_have_headers),
		cmocka_unit_test(test_everything_escaped),
		cmocka_unit_test(test_outcomes_listed_and_drawn),
		cmocka_unit_test(test_self_contained),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
