/* The Markdown report: a pull-request comment, a wiki page, a pipeline summary.
 * GitHub and Azure DevOps both render GFM tables and Mermaid fences, so the
 * tree is drawn by alm_graph_render and the rest are tables. The sections are
 * walked by report_walk.c; this file gives their Markdown and what only the
 * Markdown report shows its own way (the verdict's lines, the path, maturity). */
#include "alm/report.h"
#include "alm/error.h"
#include "strbuf.h"
#include "escape.h"
#include "alm/json.h"
#include "alm/graph.h"
#include "report_int.h"
#include "report_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the report readers every function here uses. */
#define str alm_json_str
#define str_or alm_json_str_or
#define get alm_json_get

/*
 * Text from the report (evidence quotes branch names, paths and answers a team
 * wrote) must not turn into markup: Markdown's punctuation is escaped with a
 * backslash, which CommonMark allows before any ASCII punctuation and renders
 * as the character itself, and '<' cannot open raw HTML. In a table cell a
 * newline would end the row, so it becomes <br>; elsewhere, a space. Code
 * spans are fenced instead, since a backslash is literal inside them.
 */
#define md_text alm_esc_md_text
#define md_cell alm_esc_md_cell
#define md_code alm_esc_md_code

/* Statuses are words first; the mark only helps the eye. */
static const char *status_words(const char *status)
{
	if (!status)
		return "unknown";
	if (strcmp(status, "met") == 0 || strcmp(status, "yes") == 0)
		return strcmp(status, "met") == 0 ? "\xE2\x9C\x85 met" : "\xE2\x9C\x85 yes";
	if (strcmp(status, "gap") == 0)
		return "\xE2\x9D\x8C gap";
	if (strcmp(status, "no") == 0)
		return "\xE2\x9D\x8C no";
	if (strcmp(status, "unknown") == 0)
		return "\xE2\x9D\x94 unknown";
	if (strcmp(status, "not-applicable") == 0)
		return "\xE2\x9E\x96 not applicable";
	return status;
}

static void status_cell(FILE *fp, const char *status)
{
	md_cell(fp, status_words(status));
}

static void verdict_section(alm_rpt_walker *w)
{
	FILE *fp = w->fp;
	const cJSON *r = w->report, *c = get(r, "confidence");
	fputs("# ", fp);
	md_text(fp, str_or(r, "title", str_or(r, "verdict", "No verdict")));
	fputs("\n\n**Verdict:** ", fp);
	md_code(fp, str_or(r, "verdict", "?"));
	fprintf(fp, " \xC2\xB7 **Confidence:** %.2f\n\n", cJSON_IsNumber(c) ? c->valuedouble : 0.0);
	fputs("**Why:** ", fp);
	md_text(fp, str_or(r, "why", ""));
	fputs("\n\n**Today:** ", fp);
	md_text(fp, str_or(r, "supported_path", ""));
	fputs("\n", fp);
}

/* Whether `detail` already appears among the first `upto` evidence entries. */
static int seen_before(const cJSON *list, const cJSON *upto, const char *detail)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		if (e == upto)
			break;
		if (str(e, "detail") && strcmp(str(e, "detail"), detail) == 0)
			return 1;
	}
	return 0;
}

/* The evidence's sentences in one cell, a line each; `distinct`: each once,
 * and only those that say something. */
static void evidence_cell(FILE *fp, const cJSON *list, int distinct)
{
	const cJSON *ev;
	int first = 1;
	cJSON_ArrayForEach(ev, list) {
		const char *detail = str(ev, "detail");
		if (distinct && (!detail || seen_before(list, ev, detail)))
			continue;
		if (!first)
			fputs("<br>", fp);
		md_cell(fp, detail ? detail : "");
		first = 0;
	}
	if (first)
		fputs("none", fp);
}

/* The tree as a Mermaid flowchart, then each step of the path with its evidence. */
static int path_steps(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {
		{"Step", 1}, {"Decision", 0}, {"Answer", 0}, {"Decided by", 0}, {"Evidence", 0}};
	static const alm_rpt_table table = {columns, 5, NULL, 1, 0};
	const cJSON *step;
	char *graph = NULL;
	int i = 1, error;

	if ((error = alm_graph_render(&graph, w->rules, ALM_GRAPH_MERMAID, w->report)) < 0)
		return error;
	fprintf(w->fp, "```mermaid\n%s```\n\n", graph);
	free(graph);
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(step, get(w->report, "path")) {
		alm_rpt_row_numbered(w, i++);
		alm_rpt_cell(w);
		md_cell(w->fp, str_or(step, "label", str_or(step, "node", "")));
		alm_rpt_cell(w);
		status_cell(w->fp, str(step, "value"));
		alm_rpt_cell(w);
		md_cell(w->fp, str(step, "source") ? alm_rpt_source_words(str(step, "source")) : "nothing yet");
		alm_rpt_cell(w);
		evidence_cell(w->fp, get(step, "evidence"), 0);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	return 0;
}

static void maturity_levels(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {{"Level", 1}, {"Name", 0}, {"Adds", 0}, {"State", 0}};
	static const alm_rpt_table table = {columns, 4, NULL, 1, 0};
	const cJSON *m = get(w->report, "maturity"), *level;
	const cJSON *current = get(m, "current"), *target = get(m, "target");

	fputs("Current level: **", w->fp);
	alm_rpt_level_current(w);
	fputs("**, target: **", w->fp);
	alm_rpt_level_target(w);
	fprintf(w->fp, "**; the accelerator fits from level %d.\n\n", alm_rpt_level_gate(w->report));
	if (cJSON_GetArraySize(get(m, "levels")) == 0)
		return;
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(level, get(m, "levels")) {
		const cJSON *l = get(level, "level"), *add;
		int first = 1, n = cJSON_IsNumber(l) ? l->valueint : 0;
		alm_rpt_row_numbered(w, n);
		alm_rpt_cell(w);
		md_cell(w->fp, str_or(level, "name", ""));
		alm_rpt_cell(w);
		cJSON_ArrayForEach(add, get(level, "adds")) {
			if (!cJSON_IsString(add))
				continue;
			if (!first)
				fputs(", ", w->fp);
			md_cell(w->fp, add->valuestring);
			first = 0;
		}
		if (first)
			fputs("\xE2\x80\x94", w->fp);
		alm_rpt_cell(w);
		md_cell(w->fp, str_or(level, "state", "unknown"));
		if (cJSON_IsNumber(current) && current->valueint == n)
			fputs(" (current)", w->fp);
		if (cJSON_IsNumber(target) && target->valueint == n)
			fputs(" (target)", w->fp);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
}

static void question_evidence(alm_rpt_walker *w, const cJSON *q)
{
	evidence_cell(w->fp, get(q, "evidence"), 1);
}

/* ---- the markup the walk writes through ------------------------------- */

static void section_open(FILE *fp, const char *id, const char *title)
{
	(void)id;
	fprintf(fp, "\n## %s\n\n", title);
}

/* The heading row and the rule under it, which right-aligns numbers. */
static void table_open(FILE *fp, const alm_rpt_table *t)
{
	int i;
	for (i = 0; i < t->ncolumns; i++)
		fprintf(fp, "| %s ", t->columns[i].title);
	fputs("|\n", fp);
	for (i = 0; i < t->ncolumns; i++)
		fputs(t->columns[i].numeric ? "|---:" : "|---", fp);
	fputs("|\n", fp);
}

static void row_close(FILE *fp, const alm_rpt_table *t)
{
	(void)t;
	fputs(" |\n", fp);
}

static void cell_open(FILE *fp, const alm_rpt_table *t, int column)
{
	(void)t;
	fputs(column ? " | " : "| ", fp);
}

static void cell_close(FILE *fp, const alm_rpt_table *t, int column)
{
	(void)fp;
	(void)t;
	(void)column;
}

static const alm_rpt_markup markdown = {
	.text = md_text,
	.cell = md_cell,
	.code = md_code,
	.code_cell = alm_esc_md_code_cell,
	.status = status_cell,
	.section_open = section_open,
	.section_close = "",
	.para = {"", "\n"},
	.block_gap = "\n",
	.strong = {"**", "**"},
	.quote = {"\"", "\""},
	.list = {"", ""},
	.item = {"- ", "\n"},
	.notice_open = {"- ", "- "},
	.notice_text_close = "",
	.notice_source = {" *(", ")*"},
	.notice_close = "\n",
	.table_open = table_open,
	.table_close = "",
	.row_open = "",
	.row_close = row_close,
	.cell_open = cell_open,
	.cell_close = cell_close,
	.inferred_text = " (inferred from evidence)",
	.inferred_cell = " (inferred)",
	.drawing_note = "The drawing below marks the branches these outcomes take with dashed amber lines.\n",
	.path_title = "Path through the decision tree",
	.questions_title = "Quick-start questions",
	.questions_evidence = "Evidence",
	.foot_open = "\n---\n\n<sub>",
	.foot_rules = ", rules ",
	.foot_close = "</sub>\n",
	.begin = verdict_section,
	.path = path_steps,
	.maturity = maturity_levels,
	.question_evidence = question_evidence,
};

int alm_report_render_markdown(char **out, size_t *len, const cJSON *report, const alm_rules *rules)
{
	*out = NULL;
	if (!rules)
		return alm_error_set(ALM_EINVALID, "the markdown report draws the decision tree and needs the rules");
	return alm_rpt_walk(out, len, report, rules, &markdown);
}
