#include "report_walk.h"
#include "report_int.h"
#include "alm/error.h"
#include "alm/json.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Short names for the report readers every function here uses. */
#define str alm_json_str
#define str_or alm_json_str_or
#define get alm_json_get

void alm_rpt_table_begin(alm_rpt_walker *w, const alm_rpt_table *t)
{
	w->table = t;
	w->column = -1;
	w->m->table_open(w->fp, t);
}

void alm_rpt_row(alm_rpt_walker *w)
{
	w->column = -1;
	fputs(w->m->row_open, w->fp);
}

void alm_rpt_row_numbered(alm_rpt_walker *w, int number)
{
	alm_rpt_row(w);
	alm_rpt_cell(w);
	fprintf(w->fp, "%d", number);
}

void alm_rpt_cell(alm_rpt_walker *w)
{
	if (w->column >= 0)
		w->m->cell_close(w->fp, w->table, w->column);
	w->m->cell_open(w->fp, w->table, ++w->column);
}

void alm_rpt_row_end(alm_rpt_walker *w)
{
	if (w->column >= 0)
		w->m->cell_close(w->fp, w->table, w->column);
	w->column = -1;
	w->m->row_close(w->fp, w->table);
}

void alm_rpt_table_end(alm_rpt_walker *w)
{
	fputs(w->m->table_close, w->fp);
	w->table = NULL;
}

void alm_rpt_tool(alm_rpt_walker *w)
{
	const cJSON *tool = get(w->report, "tool");
	w->m->text(w->fp, str_or(tool, "name", "alm-advisor"));
	fputc(' ', w->fp);
	w->m->text(w->fp, str_or(tool, "version", ""));
}

void alm_rpt_level_current(alm_rpt_walker *w)
{
	const cJSON *m = get(w->report, "maturity"), *current = get(m, "current"), *bound = get(m, "current_at_least");
	if (cJSON_IsNumber(current))
		fprintf(w->fp, "%d", current->valueint);
	else if (cJSON_IsNumber(bound))
		fprintf(w->fp, "at least %d%s", bound->valueint, w->m->inferred_text);
	else
		fputs("unknown", w->fp);
}

void alm_rpt_level_target(alm_rpt_walker *w)
{
	const cJSON *target = get(get(w->report, "maturity"), "target");
	if (cJSON_IsNumber(target))
		fprintf(w->fp, "%d", target->valueint);
	else
		fputs("unknown", w->fp);
}

int alm_rpt_level_gate(const cJSON *report)
{
	const cJSON *gate = get(get(report, "maturity"), "gate");
	return cJSON_IsNumber(gate) ? gate->valueint : 300;
}

/* A paragraph of the walker's own words. */
static void para(const alm_rpt_walker *w, const char *words)
{
	fprintf(w->fp, "%s%s%s", w->m->para.open, words, w->m->para.close);
}

static void strong(const alm_rpt_walker *w, const char *text)
{
	fputs(w->m->strong.open, w->fp);
	w->m->text(w->fp, text);
	fputs(w->m->strong.close, w->fp);
}

/* A cell for each of `n` texts from the report. */
static void text_cells(alm_rpt_walker *w, const char *const *texts, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		alm_rpt_cell(w);
		w->m->cell(w->fp, texts[i]);
	}
}

/* A section titled with a count: "Gaps and actions (3)". */
static void section_counted(const alm_rpt_walker *w, const char *id, const char *title, int n)
{
	char line[128];
	snprintf(line, sizeof line, "%s (%d)", title, n);
	w->m->section_open(w->fp, id, line);
}

/* `lead`, then each string of `list` as code, a comma between (other values
 * are skipped); whether there was one. */
static int code_list(const alm_rpt_walker *w, const cJSON *list, const char *lead)
{
	const cJSON *k;
	int first = 1;
	cJSON_ArrayForEach(k, list) {
		if (!cJSON_IsString(k))
			continue;
		fputs(first ? lead : ", ", w->fp);
		w->m->code(w->fp, k->valuestring);
		first = 0;
	}
	return !first;
}

/* For each answer of the decision the walk stopped at, the verdict it leads to. */
static void outcomes(const alm_rpt_walker *w)
{
	const cJSON *o;
	if (cJSON_GetArraySize(get(w->report, "outcomes")) == 0)
		return;
	w->m->section_open(w->fp, "outcomes", "Outcomes, by the answers that decide them");
	fputs(w->m->list.open, w->fp);
	cJSON_ArrayForEach(o, get(w->report, "outcomes")) {
		fputs(w->m->item.open, w->fp);
		w->m->text(w->fp, str_or(o, "when", ""));
		fputs(": ", w->fp);
		strong(w, str_or(o, "title", ""));
		fputs(" (", w->fp);
		w->m->code(w->fp, str_or(o, "verdict", "?"));
		fputs(")", w->fp);
		code_list(w, get(o, "answers"), "; answer ");
		fputs(w->m->item.close, w->fp);
	}
	fprintf(w->fp, "%s%s%s", w->m->list.close, w->m->block_gap, w->m->drawing_note);
	fputs(w->m->section_close, w->fp);
}

/* The path's end: the verdict reached, and the tree's leaf when it says more. */
static void reached(const alm_rpt_walker *w)
{
	const char *leaf = str(w->report, "leaf"), *title = str_or(w->report, "title", "?");
	fprintf(w->fp, "%s%sVerdict reached: ", w->m->block_gap, w->m->para.open);
	strong(w, title);
	fputs(" (", w->fp);
	w->m->code(w->fp, str_or(w->report, "verdict", "?"));
	if (leaf && strcmp(leaf, title) != 0) {
		fputs("; the tree's leaf: ", w->fp);
		w->m->text(w->fp, leaf);
	}
	fprintf(w->fp, ")%s", w->m->para.close);
}

static int path(alm_rpt_walker *w)
{
	int error;
	w->m->section_open(w->fp, "tree", w->m->path_title);
	if ((error = w->m->path(w)) < 0)
		return error;
	reached(w);
	fputs(w->m->section_close, w->fp);
	return 0;
}

/* The derived values read in place of missing answers, with what each rests on. */
static void inferred(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {{"Answers key", 0}, {"Inferred value", 0}, {"Evidence", 0}, {"Seed", 0}};
	static const alm_rpt_table table = {columns, 4, "inferred-values", 1, 0};
	const alm_rpt_markup *m = w->m;
	const cJSON *d;
	if (alm_rpt_stand_ins(w->report) == 0)
		return;
	m->section_open(w->fp, "inferred", "Inferred from evidence");
	para(w, "These stand in for answers not given; an answer wins over each.");
	fputs(m->block_gap, w->fp);
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(d, get(w->report, "derived")) {
		const cJSON *seed = get(d, "seed");
		char *value;
		if (!alm_rpt_decided_stand_in(d))
			continue;
		alm_rpt_row(w);
		alm_rpt_cell(w);
		m->code_cell(w->fp, str_or(d, "answers", "?"));
		alm_rpt_cell(w);
		if (alm_json_str_is(d, "bound", "lower"))
			fputs("at least ", w->fp);
		value = cJSON_PrintUnformatted(get(d, "value"));
		m->code_cell(w->fp, value ? value : "?");
		cJSON_free(value);
		fputs(m->inferred_cell, w->fp);
		alm_rpt_cell(w);
		m->cell(w->fp, str_or(d, "evidence", ""));
		alm_rpt_cell(w);
		m->cell(w->fp, str_or(seed, "id", "?"));
		if (str(seed, "section")) {
			fputs(", ", w->fp);
			m->cell(w->fp, str(seed, "section"));
		}
		fprintf(w->fp, ": %s", m->quote.open);
		m->cell(w->fp, str_or(seed, "quote", ""));
		fputs(m->quote.close, w->fp);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	fputs(m->section_close, w->fp);
}

static void impact(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {
		{"Tier", 0}, {"Initial response", 0}, {"Support access", 0}, {"Meaning", 0}};
	static const alm_rpt_table table = {columns, 4, NULL, 1, 1};
	const cJSON *impact = get(w->report, "impact"), *sla = get(impact, "sla");
	w->m->section_open(w->fp, "impact", "Business impact and SLA");
	if (str(impact, "tier")) {
		const char *cells[] = {str_or(impact, "title", str(impact, "tier")),
				       str_or(sla, "initial_response", "not stated"), str_or(sla, "access", "not stated"),
				       str_or(impact, "meaning", "")};
		alm_rpt_table_begin(w, &table);
		alm_rpt_row(w);
		text_cells(w, cells, 4);
		alm_rpt_row_end(w);
		alm_rpt_table_end(w);
	} else {
		fprintf(w->fp, "%sNot stated: answer ", w->m->para.open);
		w->m->code(w->fp, "impact");
		fprintf(w->fp, " (critical, high or non-critical) to set the tier and its SLA.%s", w->m->para.close);
	}
	fputs(w->m->section_close, w->fp);
}

static void maturity(alm_rpt_walker *w)
{
	w->m->section_open(w->fp, "maturity", "Maturity");
	w->m->maturity(w);
	fputs(w->m->section_close, w->fp);
}

static void gaps(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {{"#", 1}, {"Question", 0}, {"Gap", 0}, {"Action", 0}};
	static const alm_rpt_table table = {columns, 4, "gaps", 1, 0};
	const cJSON *gap;
	int n = cJSON_GetArraySize(get(w->report, "gaps")), i = 1;
	section_counted(w, "gaps", "Gaps and actions", n);
	if (!n) {
		para(w, "None found.");
		fputs(w->m->section_close, w->fp);
		return;
	}
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(gap, get(w->report, "gaps")) {
		const char *cells[] = {str_or(gap, "section", str_or(gap, "question", "")), str_or(gap, "text", ""),
				       str_or(gap, "action", "")};
		alm_rpt_row_numbered(w, i++);
		text_cells(w, cells, 3);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	fputs(w->m->section_close, w->fp);
}

static void unknowns(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {{"Question", 0}, {"Answers key", 0}};
	static const alm_rpt_table table = {columns, 2, NULL, 0, 0};
	const cJSON *u;
	int n = cJSON_GetArraySize(get(w->report, "unknowns"));
	char lead[128];
	section_counted(w, "unknowns", "Unknown: questions to answer", n);
	if (!n) {
		para(w, "None.");
		fputs(w->m->section_close, w->fp);
		return;
	}
	snprintf(lead, sizeof lead, "%sTo decide the verdict, answer first: ", w->m->para.open);
	if (code_list(w, get(w->report, "decide_with"), lead))
		fprintf(w->fp, ".%s%s", w->m->para.close, w->m->block_gap);
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(u, get(w->report, "unknowns")) {
		alm_rpt_row(w);
		alm_rpt_cell(w);
		w->m->cell(w->fp, str_or(u, "text", ""));
		alm_rpt_cell(w);
		if (str(u, "ask"))
			w->m->code_cell(w->fp, str(u, "ask"));
		else
			fputs("none: evidence only", w->fp);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	fputs(w->m->section_close, w->fp);
}

static void prerequisites(alm_rpt_walker *w)
{
	static const alm_rpt_column columns[] = {{"#", 1}, {"Step", 0}, {"Status", 0}};
	static const alm_rpt_table table = {columns, 3, NULL, 1, 0};
	const cJSON *p;
	int i = 1;
	if (cJSON_GetArraySize(get(w->report, "prerequisites")) == 0)
		return;
	w->m->section_open(w->fp, "prereq", "Prerequisites, in the tree's order");
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(p, get(w->report, "prerequisites")) {
		alm_rpt_row_numbered(w, i++);
		alm_rpt_cell(w);
		w->m->cell(w->fp, str_or(p, "text", str_or(p, "id", "")));
		alm_rpt_cell(w);
		w->m->status(w->fp, str(p, "status"));
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	fputs(w->m->section_close, w->fp);
}

static void questions(alm_rpt_walker *w)
{
	const alm_rpt_column columns[] = {{"#", 1}, {"Question", 0}, {"Status", 0}, {w->m->questions_evidence, 0}};
	const alm_rpt_table table = {columns, 4, NULL, 1, 0};
	const cJSON *q;
	w->m->section_open(w->fp, "questions", w->m->questions_title);
	alm_rpt_table_begin(w, &table);
	cJSON_ArrayForEach(q, get(w->report, "questions")) {
		const cJSON *num = get(q, "number");
		alm_rpt_row_numbered(w, cJSON_IsNumber(num) ? num->valueint : 0);
		alm_rpt_cell(w);
		w->m->cell(w->fp, str_or(q, "text", str_or(q, "id", "")));
		alm_rpt_cell(w);
		w->m->status(w->fp, str(q, "status"));
		alm_rpt_cell(w);
		w->m->question_evidence(w, q);
		alm_rpt_row_end(w);
	}
	alm_rpt_table_end(w);
	fputs(w->m->section_close, w->fp);
}

/* The rules' notices, then each source of evidence that did not answer. */
static void notices(const alm_rpt_walker *w)
{
	const alm_rpt_markup *m = w->m;
	const cJSON *n, *probe;
	m->section_open(w->fp, "notices", "Notices");
	cJSON_ArrayForEach(n, get(w->report, "notices")) {
		int warning = strcmp(str_or(n, "severity", "info"), "warning") == 0;
		fprintf(w->fp, "%s%s%s%s ", m->notice_open[warning], m->strong.open, warning ? "Warning:" : "Note:",
			m->strong.close);
		m->text(w->fp, str_or(n, "text", ""));
		fputs(m->notice_text_close, w->fp);
		if (str(n, "source")) {
			fputs(m->notice_source.open, w->fp);
			m->text(w->fp, str(n, "source"));
			fputs(m->notice_source.close, w->fp);
		}
		fputs(m->notice_close, w->fp);
	}
	cJSON_ArrayForEach(probe, get(w->report, "probes")) {
		const char *status = str_or(probe, "status", "unknown");
		if (strcmp(status, "ok") == 0)
			continue;
		fprintf(w->fp, "%s%sEvidence from ", m->notice_open[0], m->strong.open);
		m->text(w->fp, probe->string ? probe->string : "?");
		fprintf(w->fp, ":%s ", m->strong.close);
		m->text(w->fp, status);
		if (str(probe, "detail")) {
			fputs(": ", w->fp);
			m->text(w->fp, str(probe, "detail"));
		}
		fprintf(w->fp, "%s%s", m->notice_text_close, m->notice_close);
	}
	fputs(m->section_close, w->fp);
}

static void foot(alm_rpt_walker *w)
{
	fputs(w->m->foot_open, w->fp);
	alm_rpt_tool(w);
	fputs(w->m->foot_rules, w->fp);
	w->m->text(w->fp, str_or(get(w->report, "tool"), "rules_version", "?"));
	fputs(w->m->foot_close, w->fp);
}

int alm_rpt_walk(char **out, size_t *len, const cJSON *report, const alm_rules *rules, const alm_rpt_markup *m)
{
	alm_rpt_walker w = {NULL, report, rules, m, NULL, -1};
	char *buf = NULL;
	size_t n = 0;
	int error;

	*out = NULL;
	if (len)
		*len = 0;
	if (!(w.fp = open_memstream(&buf, &n)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	m->begin(&w);
	outcomes(&w);
	if ((error = path(&w)) < 0) {
		fclose(w.fp);
		free(buf);
		return error;
	}
	inferred(&w);
	impact(&w);
	maturity(&w);
	gaps(&w);
	unknowns(&w);
	prerequisites(&w);
	questions(&w);
	notices(&w);
	foot(&w);
	return alm_memstream_finish(w.fp, &buf, &n, out, len);
}
