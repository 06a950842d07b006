/* The Markdown report: a pull-request comment, a wiki page, a pipeline summary.
 * GitHub and Azure DevOps both render GFM tables and Mermaid fences, so the
 * tree is drawn by alm_graph_render and the rest are tables. */
#include "alm/report.h"
#include "alm/error.h"
#include "strbuf.h"
#include "escape.h"
#include "alm/json.h"
#include "alm/graph.h"
#include "report_int.h"

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
 * newline would end the row, so it becomes <br>; elsewhere, a space.
 */
#define md_text alm_esc_md_text
#define md_cell alm_esc_md_cell

/* An inline code span, fenced with more backticks than any run inside it. In a
 * table '|' splits cells even inside code (GFM splits rows first), so it is
 * escaped there; newlines become spaces, which code spans allow. */
static void md_code(FILE *fp, const char *s, int cell)
{
	int run = 0, longest = 0, i;
	const char *p;
	for (p = s; p && *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
	if (s && (s[0] == '`' || (*s && s[strlen(s) - 1] == '`')))
		fputc(' ', fp);
	for (p = s; p && *p; p++) {
		if (*p == '|' && cell)
			fputs("\\|", fp);
		else if (*p == '\n' || *p == '\r')
			fputc(' ', fp);
		else
			fputc(*p, fp);
	}
	if (s && (s[0] == '`' || (*s && s[strlen(s) - 1] == '`')))
		fputc(' ', fp);
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
}

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

static void verdict_section(FILE *fp, const cJSON *r)
{
	const cJSON *c = get(r, "confidence");
	fputs("# ", fp);
	md_text(fp, str_or(r, "title", str_or(r, "verdict", "No verdict")));
	fputs("\n\n**Verdict:** ", fp);
	md_code(fp, str_or(r, "verdict", "?"), 0);
	fprintf(fp, " \xC2\xB7 **Confidence:** %.2f\n\n", cJSON_IsNumber(c) ? c->valuedouble : 0.0);
	fputs("**Why:** ", fp);
	md_text(fp, str_or(r, "why", ""));
	fputs("\n\n**Today:** ", fp);
	md_text(fp, str_or(r, "supported_path", ""));
	fputs("\n", fp);
}

/* The path's end: the verdict reached, and the tree's leaf when it says more. */
static void reached_line(FILE *fp, const cJSON *r)
{
	const char *leaf = str(r, "leaf"), *title = str_or(r, "title", "?");
	fputs("\nVerdict reached: **", fp);
	md_text(fp, title);
	fputs("** (", fp);
	md_code(fp, str_or(r, "verdict", "?"), 0);
	if (leaf && strcmp(leaf, title) != 0) {
		fputs("; the tree's leaf: ", fp);
		md_text(fp, leaf);
	}
	fputs(")\n", fp);
}

/* For each answer of the decision the walk stopped at, the verdict it leads to. */
static void outcomes_section(FILE *fp, const cJSON *r)
{
	const cJSON *o, *k;
	if (cJSON_GetArraySize(get(r, "outcomes")) == 0)
		return;
	fputs("\n## Outcomes, by the answers that decide them\n\n", fp);
	cJSON_ArrayForEach(o, get(r, "outcomes")) {
		int first = 1;
		fputs("- ", fp);
		md_text(fp, str_or(o, "when", ""));
		fputs(": **", fp);
		md_text(fp, str_or(o, "title", ""));
		fputs("** (", fp);
		md_code(fp, str_or(o, "verdict", "?"), 0);
		fputs(")", fp);
		cJSON_ArrayForEach(k, get(o, "answers")) {
			if (!cJSON_IsString(k))
				continue;
			fputs(first ? "; answer " : ", ", fp);
			md_code(fp, k->valuestring, 0);
			first = 0;
		}
		fputc('\n', fp);
	}
	fputs("\nThe drawing below marks the branches these outcomes take with dashed amber lines.\n", fp);
}

/* The derived values read in place of missing answers, with what each rests on. */
static void inferred_section(FILE *fp, const cJSON *r)
{
	const cJSON *d;
	if (alm_rpt_stand_ins(r) == 0)
		return;
	fputs("\n## Inferred from evidence\n\nThese stand in for answers not given; an answer wins over each.\n\n"
	      "| Answers key | Inferred value | Evidence | Seed |\n|---|---|---|---|\n", fp);
	cJSON_ArrayForEach(d, get(r, "derived")) {
		const cJSON *seed = get(d, "seed");
		char *value;
		if (!alm_rpt_decided_stand_in(d))
			continue;
		value = cJSON_PrintUnformatted(get(d, "value"));
		fputs("| ", fp);
		md_code(fp, str_or(d, "answers", "?"), 1);
		fputs(" | ", fp);
		if (strcmp(str_or(d, "bound", "exact"), "lower") == 0)
			fputs("at least ", fp);
		md_code(fp, value ? value : "?", 1);
		cJSON_free(value);
		fputs(" (inferred) | ", fp);
		md_cell(fp, str_or(d, "evidence", ""));
		fputs(" | ", fp);
		md_cell(fp, str_or(seed, "id", "?"));
		if (str(seed, "section")) {
			fputs(", ", fp);
			md_cell(fp, str(seed, "section"));
		}
		fputs(": \"", fp);
		md_cell(fp, str_or(seed, "quote", ""));
		fputs("\" |\n", fp);
	}
}

static int path_section(FILE *fp, const cJSON *r, const alm_rules *rules)
{
	const cJSON *step, *ev;
	char *graph = NULL;
	int i = 1, error;

	fputs("\n## Path through the decision tree\n\n", fp);
	if ((error = alm_graph_render(&graph, rules, ALM_GRAPH_MERMAID, r)) < 0)
		return error;
	fprintf(fp, "```mermaid\n%s```\n\n", graph);
	free(graph);
	fputs("| Step | Decision | Answer | Decided by | Evidence |\n|---:|---|---|---|---|\n", fp);
	cJSON_ArrayForEach(step, get(r, "path")) {
		int first = 1;
		fprintf(fp, "| %d | ", i++);
		md_cell(fp, str_or(step, "label", str_or(step, "node", "")));
		fputs(" | ", fp);
		md_cell(fp, status_words(str(step, "value")));
		fputs(" | ", fp);
		md_cell(fp, str(step, "source") ? alm_rpt_source_words(str(step, "source")) : "nothing yet");
		fputs(" | ", fp);
		cJSON_ArrayForEach(ev, get(step, "evidence")) {
			if (!first)
				fputs("<br>", fp);
			md_cell(fp, str_or(ev, "detail", ""));
			first = 0;
		}
		if (first)
			fputs("none", fp);
		fputs(" |\n", fp);
	}
	reached_line(fp, r);
	return 0;
}

static void impact_section(FILE *fp, const cJSON *r)
{
	const cJSON *impact = get(r, "impact"), *sla = get(impact, "sla"), *m = get(r, "maturity"), *level;
	const cJSON *current = get(m, "current"), *target = get(m, "target"), *gate = get(m, "gate");

	fputs("\n## Business impact and SLA\n\n", fp);
	if (str(impact, "tier")) {
		fputs("| Tier | Initial response | Support access | Meaning |\n|---|---|---|---|\n| ", fp);
		md_cell(fp, str_or(impact, "title", str(impact, "tier")));
		fputs(" | ", fp);
		md_cell(fp, str_or(sla, "initial_response", "not stated"));
		fputs(" | ", fp);
		md_cell(fp, str_or(sla, "access", "not stated"));
		fputs(" | ", fp);
		md_cell(fp, str_or(impact, "meaning", ""));
		fputs(" |\n", fp);
	} else {
		fputs("Not stated: answer `impact` (critical, high or non-critical) to set the tier and its SLA.\n", fp);
	}

	fputs("\n## Maturity\n\nCurrent level: **", fp);
	if (cJSON_IsNumber(current))
		fprintf(fp, "%d", current->valueint);
	else if (cJSON_IsNumber(get(m, "current_at_least")))
		fprintf(fp, "at least %d (inferred from evidence)", get(m, "current_at_least")->valueint);
	else
		fputs("unknown", fp);
	fputs("**, target: **", fp);
	if (cJSON_IsNumber(target))
		fprintf(fp, "%d", target->valueint);
	else
		fputs("unknown", fp);
	fprintf(fp, "**; the accelerator fits from level %d.\n\n", cJSON_IsNumber(gate) ? gate->valueint : 300);
	if (cJSON_GetArraySize(get(m, "levels")) == 0)
		return;
	fputs("| Level | Name | Adds | State |\n|---:|---|---|---|\n", fp);
	cJSON_ArrayForEach(level, get(m, "levels")) {
		const cJSON *l = get(level, "level"), *add;
		int first = 1, n = cJSON_IsNumber(l) ? l->valueint : 0;
		fprintf(fp, "| %d | ", n);
		md_cell(fp, str_or(level, "name", ""));
		fputs(" | ", fp);
		cJSON_ArrayForEach(add, get(level, "adds")) {
			if (cJSON_IsString(add)) {
				if (!first)
					fputs(", ", fp);
				md_cell(fp, add->valuestring);
				first = 0;
			}
		}
		if (first)
			fputs("\xE2\x80\x94", fp);
		fputs(" | ", fp);
		md_cell(fp, str_or(level, "state", "unknown"));
		if (cJSON_IsNumber(current) && current->valueint == n)
			fputs(" (current)", fp);
		if (cJSON_IsNumber(target) && target->valueint == n)
			fputs(" (target)", fp);
		fputs(" |\n", fp);
	}
}

static void gaps_section(FILE *fp, const cJSON *r)
{
	const cJSON *gap;
	int n = cJSON_GetArraySize(get(r, "gaps")), i = 1;
	fprintf(fp, "\n## Gaps and actions (%d)\n\n", n);
	if (!n) {
		fputs("None found.\n", fp);
		return;
	}
	fputs("| # | Question | Gap | Action |\n|---:|---|---|---|\n", fp);
	cJSON_ArrayForEach(gap, get(r, "gaps")) {
		fprintf(fp, "| %d | ", i++);
		md_cell(fp, str_or(gap, "section", str_or(gap, "question", "")));
		fputs(" | ", fp);
		md_cell(fp, str_or(gap, "text", ""));
		fputs(" | ", fp);
		md_cell(fp, str_or(gap, "action", ""));
		fputs(" |\n", fp);
	}
}

static void unknowns_section(FILE *fp, const cJSON *r)
{
	const cJSON *u, *k;
	int n = cJSON_GetArraySize(get(r, "unknowns")), first = 1;
	fprintf(fp, "\n## Unknown: questions to answer (%d)\n\n", n);
	if (!n) {
		fputs("None.\n", fp);
		return;
	}
	cJSON_ArrayForEach(k, get(r, "decide_with")) {
		if (!cJSON_IsString(k))
			continue;
		fputs(first ? "To decide the verdict, answer first: " : ", ", fp);
		md_code(fp, k->valuestring, 0);
		first = 0;
	}
	if (!first)
		fputs(".\n\n", fp);
	fputs("| Question | Answers key |\n|---|---|\n", fp);
	cJSON_ArrayForEach(u, get(r, "unknowns")) {
		fputs("| ", fp);
		md_cell(fp, str_or(u, "text", ""));
		fputs(" | ", fp);
		if (str(u, "ask"))
			md_code(fp, str(u, "ask"), 1);
		else
			fputs("none: evidence only", fp);
		fputs(" |\n", fp);
	}
}

static void prerequisites_section(FILE *fp, const cJSON *r)
{
	const cJSON *p;
	int i = 1;
	if (cJSON_GetArraySize(get(r, "prerequisites")) == 0)
		return;
	fputs("\n## Prerequisites, in the tree's order\n\n| # | Step | Status |\n|---:|---|---|\n", fp);
	cJSON_ArrayForEach(p, get(r, "prerequisites")) {
		fprintf(fp, "| %d | ", i++);
		md_cell(fp, str_or(p, "text", str_or(p, "id", "")));
		fputs(" | ", fp);
		md_cell(fp, status_words(str(p, "status")));
		fputs(" |\n", fp);
	}
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

static void questions_section(FILE *fp, const cJSON *r)
{
	const cJSON *q, *ev;
	fputs("\n## Quick-start questions\n\n| # | Question | Status | Evidence |\n|---:|---|---|---|\n", fp);
	cJSON_ArrayForEach(q, get(r, "questions")) {
		const cJSON *num = get(q, "number");
		int first = 1;
		fprintf(fp, "| %d | ", cJSON_IsNumber(num) ? num->valueint : 0);
		md_cell(fp, str_or(q, "text", str_or(q, "id", "")));
		fputs(" | ", fp);
		md_cell(fp, status_words(str(q, "status")));
		fputs(" | ", fp);
		cJSON_ArrayForEach(ev, get(q, "evidence")) {
			const char *detail = str(ev, "detail");
			if (!detail || seen_before(get(q, "evidence"), ev, detail))
				continue;
			if (!first)
				fputs("<br>", fp);
			md_cell(fp, detail);
			first = 0;
		}
		if (first)
			fputs("none", fp);
		fputs(" |\n", fp);
	}
}

static void notices_section(FILE *fp, const cJSON *r)
{
	const cJSON *n, *probe;
	fputs("\n## Notices\n\n", fp);
	cJSON_ArrayForEach(n, get(r, "notices")) {
		const char *severity = str_or(n, "severity", "info");
		fputs(strcmp(severity, "warning") == 0 ? "- **Warning:** " : "- **Note:** ", fp);
		md_text(fp, str_or(n, "text", ""));
		if (str(n, "source")) {
			fputs(" *(", fp);
			md_text(fp, str(n, "source"));
			fputs(")*", fp);
		}
		fputc('\n', fp);
	}
	cJSON_ArrayForEach(probe, get(r, "probes")) {
		const char *status = str_or(probe, "status", "unknown");
		if (strcmp(status, "ok") == 0)
			continue;
		fputs("- **Evidence from ", fp);
		md_text(fp, probe->string ? probe->string : "?");
		fputs(":** ", fp);
		md_text(fp, status);
		if (str(probe, "detail")) {
			fputs(": ", fp);
			md_text(fp, str(probe, "detail"));
		}
		fputc('\n', fp);
	}
}

int alm_report_render_markdown(char **out, size_t *len, const cJSON *report, const alm_rules *rules)
{
	const cJSON *tool = get(report, "tool");
	char *buf = NULL;
	size_t n = 0;
	FILE *fp;
	int error;

	*out = NULL;
	if (!rules)
		return alm_error_set(ALM_EINVALID, "the markdown report draws the decision tree and needs the rules");
	if (!(fp = open_memstream(&buf, &n)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	verdict_section(fp, report);
	outcomes_section(fp, report);
	if ((error = path_section(fp, report, rules)) < 0) {
		fclose(fp);
		free(buf);
		return error;
	}
	inferred_section(fp, report);
	impact_section(fp, report);
	gaps_section(fp, report);
	unknowns_section(fp, report);
	prerequisites_section(fp, report);
	questions_section(fp, report);
	notices_section(fp, report);
	fputs("\n---\n\n<sub>", fp);
	md_text(fp, str_or(tool, "name", "alm-advisor"));
	fputc(' ', fp);
	md_text(fp, str_or(tool, "version", ""));
	fputs(", rules ", fp);
	md_text(fp, str_or(tool, "rules_version", "?"));
	fputs("</sub>\n", fp);
	return alm_memstream_finish(fp, &buf, &n, out, len);
}
