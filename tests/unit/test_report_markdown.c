/* The Markdown renderer against the assessment: one gap row per gap with its
 * action, the path as a Mermaid flowchart with the visited nodes and taken
 * links highlighted, tables whose cells cannot be broken by '|' or newlines,
 * and text that cannot turn into markup. */
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
	char *md = NULL;
	size_t len = 0;
	assert_int_equal(alm_report_render_markdown(&md, &len, report, fixture_rules), 0);
	assert_non_null(md);
	assert_int_equal(len, strlen(md));
	return md;
}

/* The lines of the section headed `heading` ("## Gaps and actions"), up to the next heading. */
static char *section(const char *md, const char *heading)
{
	const char *start = strstr(md, heading), *end;
	char *out;
	assert_non_null(start);
	end = strstr(start + strlen(heading), "\n## ");
	if (!end)
		end = start + strlen(start);
	out = strndup(start, (size_t)(end - start));
	assert_non_null(out);
	return out;
}

/* Rows of the first table in `text`: lines starting with '|', less the header and rule. */
static int table_rows(const char *text)
{
	const char *line = text;
	int rows = 0;
	while (line && *line) {
		if (*line == '|')
			rows++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return rows >= 2 ? rows - 2 : 0;
}

/* `text` as the renderer escapes it, for searching the output. */
static char *escaped(const char *text)
{
	char *out = malloc(strlen(text) * 2 + 1), *p = out;
	assert_non_null(out);
	for (; *text; text++) {
		if (strchr("\\`*_[]<>|&~#", *text))
			*p++ = '\\';
		*p++ = *text;
	}
	*p = '\0';
	return out;
}

static void test_gap_table_matches_the_report(void **state)
{
	size_t v;
	(void)state;
	for (v = 0; v < FIXTURE_NVERDICTS; v++) {
		cJSON *report = fixture_assess_sample(fixture_rules, fixture_verdicts[v]);
		const cJSON *gap, *gaps = cJSON_GetObjectItemCaseSensitive(report, "gaps");
		char *md = render(report), *gaps_md = section(md, "## Gaps and actions"), heading[64];
		snprintf(heading, sizeof heading, "## Gaps and actions (%d)", cJSON_GetArraySize(gaps));
		assert_non_null(strstr(md, heading));
		if (cJSON_GetArraySize(gaps) > 0)
			assert_int_equal(table_rows(gaps_md), cJSON_GetArraySize(gaps));
		else
			assert_non_null(strstr(gaps_md, "None found."));
		cJSON_ArrayForEach(gap, gaps) {
			char *action = escaped(cJSON_GetObjectItemCaseSensitive(gap, "action")->valuestring);
			assert_non_null(strstr(gaps_md, action));
			free(action);
		}
		free(gaps_md);
		free(md);
		cJSON_Delete(report);
	}
}

static void test_verdict_and_why_come_first(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "makers-path");
	char *md = render(report), *title = escaped(cJSON_GetObjectItemCaseSensitive(report, "title")->valuestring);
	(void)state;
	assert_int_equal(strncmp(md, "# ", 2), 0);
	assert_int_equal(strncmp(md + 2, title, strlen(title)), 0);
	assert_non_null(strstr(md, "**Verdict:** `makers-path`"));
	assert_true(strstr(md, "**Why:**") < strstr(md, "## Path through the decision tree"));
	free(title);
	free(md);
	cJSON_Delete(report);
}

/* The flowchart is alm_graph_render's, with this report: each node on the path
 * in the "visited" class, and one styled link per decision made. */
static void test_path_is_a_mermaid_flowchart(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	char *md = render(report), *chart = section(md, "```mermaid\n");
	(void)state;
	assert_non_null(strstr(chart, "flowchart TD"));
	/* maturity-gate, impact-or-persona, prerequisites-installed and the verdict. */
	assert_non_null(strstr(chart, "class n0,n1,n2,n4 visited"));
	assert_non_null(strstr(chart, "linkStyle 0,3,7 "));
	assert_non_null(strstr(chart, "Environments created (gap)"));
	/* The path table has one row per step. */
	assert_int_equal(table_rows(strstr(md, "| Step |")) >= 3, 1);
	free(chart);
	free(md);
	cJSON_Delete(report);
}

static void test_tier_sla_unknowns_and_notices(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "insufficient-information");
	char *md = render(report), *unknowns = section(md, "## Unknown: questions to answer");
	const cJSON *u;
	(void)state;
	assert_non_null(strstr(md, "## Business impact and SLA"));
	assert_non_null(strstr(md, "**Warning:** Microsoft has deprecated the ALM Accelerator"));
	assert_int_equal(table_rows(strstr(unknowns, "| Question |")),
			 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "unknowns")));
	assert_non_null(strstr(unknowns, "To decide the verdict, answer first: `maturity.target`"));
	cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(report, "unknowns")) {
		const cJSON *ask = cJSON_GetObjectItemCaseSensitive(u, "ask");
		char code[256];
		if (!cJSON_IsString(ask))
			continue;
		snprintf(code, sizeof code, "| `%s` |", ask->valuestring);
		assert_non_null(strstr(unknowns, code));
	}
	free(unknowns);
	free(md);
	cJSON_Delete(report);

	report = fixture_assess_sample(fixture_rules, "alm-accelerator");
	md = render(report);
	assert_non_null(strstr(md, "| Critical | less than 60 minutes | 24x7, every day |"));
	free(md);
	cJSON_Delete(report);
}

/* A gap whose text holds a '|' and a newline still makes one row of four
 * cells, and nothing in it becomes a link, emphasis or HTML. */
static void test_cells_escape_pipes_newlines_and_markup(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "alm-accelerator-after-prerequisites");
	cJSON *gap = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "gaps"), 0);
	char *md, *gaps_md, *row, *end;
	int pipes = 0;
	(void)state;
	fixture_set(gap, "text", "Dev | Test\nProd <script>alert(1)</script> [x](http://e) *b*");
	fixture_set(gap, "action", "Do A | B\r\nthen C");
	md = render(report);
	gaps_md = section(md, "## Gaps and actions");
	assert_int_equal(table_rows(gaps_md), cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "gaps")));
	row = strstr(gaps_md, "\n| 1 |");
	assert_non_null(row);
	end = strchr(row + 1, '\n');
	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(row, "Dev \\| Test<br>Prod \\<script\\>alert(1)\\</script\\> \\[x\\](http://e) \\*b\\*"));
	assert_non_null(strstr(row, "Do A \\| B<br>then C"));
	/* Cells are split by unescaped pipes only: five of them for four cells. */
	for (char *p = row + 1; *p; p++)
		pipes += *p == '|' && p[-1] != '\\';
	assert_int_equal(pipes, 5);
	assert_null(strstr(md, "<script>"));
	free(gaps_md);
	free(md);
	cJSON_Delete(report);
}

/* Code spans too show a control character in its visible form: a report
 * printed on a terminal runs no escape sequence from an answers file. */
static void test_code_spans_show_control_characters(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "insufficient-information");
	cJSON *unknown = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "unknowns"), 0);
	char *md;
	(void)state;
	fixture_set(report, "verdict", "x\x1b]8;;http://e\x07y");
	fixture_set(unknown, "ask", "k\x1b[2J|z");
	md = render(report);
	assert_null(strchr(md, '\x1b'));
	assert_null(strchr(md, '\x07'));
	assert_non_null(strstr(md, "**Verdict:** `x\\e]8;;http://e\\x07y`"));
	assert_non_null(strstr(md, "| `k\\e[2J\\|z` |"));
	free(md);
	cJSON_Delete(report);
}

static void test_needs_the_rules(void **state)
{
	cJSON *report = fixture_assess_sample(fixture_rules, "makers-path");
	char *out = (char *)"untouched";
	alm_render_options opts = ALM_RENDER_OPTIONS_INIT;
	(void)state;
	assert_int_equal(alm_report_render_opts(&out, NULL, report, ALM_FORMAT_MARKDOWN, &opts), ALM_EINVALID);
	assert_null(out);
	assert_non_null(strstr(alm_error_last(), "needs the rules"));
	opts.rules = fixture_rules;
	assert_int_equal(alm_report_render_opts(&out, NULL, report, ALM_FORMAT_MARKDOWN, &opts), 0);
	free(out);
	assert_int_equal(alm_format_parse("markdown"), ALM_FORMAT_MARKDOWN);
	assert_int_equal(alm_format_parse("md"), ALM_FORMAT_MARKDOWN);
	assert_int_equal(alm_format_parse("yaml"), -1);
	cJSON_Delete(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_table_matches_the_report),
		cmocka_unit_test(test_verdict_and_why_come_first),
		cmocka_unit_test(test_path_is_a_mermaid_flowchart),
		cmocka_unit_test(test_tier_sla_unknowns_and_notices),
		cmocka_unit_test(test_cells_escape_pipes_newlines_and_markup),
		cmocka_unit_test(test_code_spans_show_control_characters),
		cmocka_unit_test(test_needs_the_rules),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
