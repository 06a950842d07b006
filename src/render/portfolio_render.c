#include "alm/portfolio.h"
#include "alm/json.h"
#include "escape.h"
#include "strbuf.h"
#include "alm/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str
#define get alm_json_get

int alm_portfolio_format_parse(const char *name)
{
	static const char *const names[] = {"text", "json", "csv", "markdown", "html"};
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* How many repositories the portfolio counts; 0 when it does not say. */
static int repositories(const cJSON *doc)
{
	const cJSON *n = get(doc, "repositories");
	return cJSON_IsNumber(n) ? n->valueint : 0;
}

/* "300 -> 400", "300", "-" */
static void maturity_text(char *buf, size_t n, const cJSON *row)
{
	const cJSON *m = get(row, "maturity"), *c = get(m, "current"), *t = get(m, "target");
	if (cJSON_IsNumber(c) && cJSON_IsNumber(t) && c->valueint != t->valueint)
		snprintf(buf, n, "%d -> %d", c->valueint, t->valueint);
	else if (cJSON_IsNumber(c))
		snprintf(buf, n, "%d", c->valueint);
	else if (cJSON_IsNumber(t))
		snprintf(buf, n, "? -> %d", t->valueint);
	else
		snprintf(buf, n, "-");
}

static void confidence_text(char *buf, size_t n, const cJSON *row)
{
	const cJSON *c = get(row, "confidence");
	if (cJSON_IsNumber(c))
		snprintf(buf, n, "%.2f", c->valuedouble);
	else
		snprintf(buf, n, "-");
}

static const char *verdict_or_failed(const cJSON *row)
{
	return str(row, "verdict") ? str(row, "verdict") : "failed";
}

static const char *gap_or_error(const cJSON *row)
{
	if (str(row, "error"))
		return str(row, "error");
	if (str(get(row, "top_gap"), "text"))
		return str(get(row, "top_gap"), "text");
	return "";
}

static void render_text(FILE *fp, const cJSON *doc)
{
	const cJSON *t, *row;
	int first = 1;
	fprintf(fp, "Portfolio: %d repositories\n ", repositories(doc));
	cJSON_ArrayForEach(t, get(doc, "totals")) {
		fprintf(fp, "%s %s: %d", first ? "" : ",", t->string, t->valueint);
		first = 0;
	}
	fprintf(fp, "\n\n%-24s %-36s %-12s %-10s %-5s %s\n", "NAME", "VERDICT", "TIER", "MATURITY", "CONF",
		"TOP GAP / ERROR");
	cJSON_ArrayForEach(row, get(doc, "rows")) {
		char m[32], c[16];
		maturity_text(m, sizeof m, row);
		confidence_text(c, sizeof c, row);
		fprintf(fp, "%-24s %-36s %-12s %-10s %-5s %s\n", alm_json_str_or(row, "name", ""), verdict_or_failed(row),
			str(row, "tier") ? str(row, "tier") : "-", m, c, gap_or_error(row));
		if (str(row, "evidence") && *str(row, "evidence"))
			fprintf(fp, "%-24s %s\n", "", str(row, "evidence"));
	}
}

/* RFC 4180, every field quoted; no cell a spreadsheet would run. */
static void csv_field(FILE *fp, const char *text, int last)
{
	alm_esc_csv_cell(fp, text);
	fputs(last ? "\r\n" : ",", fp);
}

static void render_csv(FILE *fp, const cJSON *doc)
{
	const cJSON *row;
	fputs("name,path,status,verdict,tier,maturity_current,maturity_target,confidence,top_gap,action,evidence,error\r\n", fp);
	cJSON_ArrayForEach(row, get(doc, "rows")) {
		const cJSON *m = get(row, "maturity");
		char cur[16] = "", tgt[16] = "", conf[16] = "";
		if (cJSON_IsNumber(get(m, "current")))
			snprintf(cur, sizeof cur, "%d", get(m, "current")->valueint);
		if (cJSON_IsNumber(get(m, "target")))
			snprintf(tgt, sizeof tgt, "%d", get(m, "target")->valueint);
		if (cJSON_IsNumber(get(row, "confidence")))
			snprintf(conf, sizeof conf, "%.2f", get(row, "confidence")->valuedouble);
		csv_field(fp, str(row, "name"), 0);
		csv_field(fp, str(row, "path"), 0);
		csv_field(fp, str(row, "status"), 0);
		csv_field(fp, str(row, "verdict"), 0);
		csv_field(fp, str(row, "tier"), 0);
		csv_field(fp, cur, 0);
		csv_field(fp, tgt, 0);
		csv_field(fp, conf, 0);
		csv_field(fp, str(get(row, "top_gap"), "text"), 0);
		csv_field(fp, str(get(row, "top_gap"), "action"), 0);
		csv_field(fp, str(row, "evidence"), 0);
		csv_field(fp, str(row, "error"), 1);
	}
}

/* A Markdown table cell: text from a repository (its name, its answers) is
 * escaped as in the assessment's own Markdown, so it never becomes markup. */
static void md_cell(FILE *fp, const char *text)
{
	fputc(' ', fp);
	alm_esc_md_cell(fp, text);
	fputs(" |", fp);
}

static void render_markdown(FILE *fp, const cJSON *doc)
{
	const cJSON *t, *row;
	fprintf(fp, "# ALM portfolio: %d repositories\n\n| verdict | count |\n|---|---:|\n",
		repositories(doc));
	cJSON_ArrayForEach(t, get(doc, "totals")) {
		fputc('|', fp);
		md_cell(fp, t->string);
		fprintf(fp, " %d |\n", t->valueint);
	}
	fputs("\n| name | verdict | tier | maturity | confidence | top gap | evidence |\n"
	      "|---|---|---|---|---:|---|---|\n|", fp);
	cJSON_ArrayForEach(row, get(doc, "rows")) {
		char m[32], c[16];
		maturity_text(m, sizeof m, row);
		confidence_text(c, sizeof c, row);
		md_cell(fp, str(row, "name"));
		md_cell(fp, verdict_or_failed(row));
		md_cell(fp, str(row, "tier") ? str(row, "tier") : "-");
		md_cell(fp, m);
		md_cell(fp, c);
		md_cell(fp, gap_or_error(row));
		md_cell(fp, str(row, "evidence"));
		fputs(row->next ? "\n|" : "\n", fp);
	}
	fputs("\nMicrosoft has deprecated the ALM Accelerator for Power Platform; each report names the "
	      "supported path (Pipelines for Power Platform) that gives the same outcome.\n", fp);
}

#define html_text alm_esc_html

static void render_html(FILE *fp, const cJSON *doc)
{
	const cJSON *t, *row;
	int total = repositories(doc);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>ALM portfolio</title>\n<style>\n"
	      "body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:72rem}\n"
	      "table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
	      "th{background:#eee}.bar{display:flex;align-items:center;gap:.5rem;margin:.2rem 0}\n"
	      ".bar span.fill{display:inline-block;height:1rem;background:#2e6b30}\n"
	      ".bar span.label{min-width:22rem}\n@media print{body{margin:0}}\n"
	      "</style>\n</head>\n<body>\n<main>\n", fp);
	fprintf(fp, "<h1>ALM portfolio: %d repositories</h1>\n<h2>Verdicts</h2>\n", total);
	cJSON_ArrayForEach(t, get(doc, "totals")) {
		int width = total ? t->valueint * 100 / total : 0;
		fputs("<div class=\"bar\"><span class=\"label\">", fp);
		html_text(fp, t->string);
		fprintf(fp, ": %d</span><span class=\"fill\" style=\"width:%d%%\" role=\"img\" aria-label=\"%d of %d\"></span></div>\n",
			t->valueint, width, t->valueint, total);
	}
	fputs("<h2>Repositories</h2>\n<table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Verdict</th>"
	      "<th scope=\"col\">Tier</th><th scope=\"col\">Maturity</th><th scope=\"col\">Confidence</th>"
	      "<th scope=\"col\">Top gap or error</th><th scope=\"col\">Evidence</th></tr></thead>\n<tbody>\n", fp);
	cJSON_ArrayForEach(row, get(doc, "rows")) {
		char m[32], c[16];
		maturity_text(m, sizeof m, row);
		confidence_text(c, sizeof c, row);
		fputs("<tr><th scope=\"row\">", fp);
		html_text(fp, str(row, "name"));
		fputs("</th><td>", fp);
		html_text(fp, verdict_or_failed(row));
		fputs("</td><td>", fp);
		html_text(fp, str(row, "tier") ? str(row, "tier") : "-");
		fputs("</td><td>", fp);
		html_text(fp, m);
		fputs("</td><td>", fp);
		html_text(fp, c);
		fputs("</td><td>", fp);
		html_text(fp, gap_or_error(row));
		fputs("</td><td>", fp);
		html_text(fp, str(row, "evidence"));
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody>\n</table>\n<p>Microsoft has deprecated the ALM Accelerator for Power Platform; each "
	      "repository's report names the supported path (Pipelines for Power Platform) that gives the same "
	      "outcome.</p>\n</main>\n</body>\n</html>\n", fp);
}

/* What the text table shows, safe for a terminal: the portfolio without each
 * row's full report (a scan of many repositories carries much), its controls
 * made visible. NULL with ALM_ENOMEM set when out of memory. */
static cJSON *text_view(const cJSON *portfolio)
{
	unsigned long failures = alm_json_add_failures();
	const cJSON *member, *row, *field;
	cJSON *view, *rows;
	if (!cJSON_IsObject(portfolio))
		return alm_esc_json_copy(portfolio, ALM_ESC_UTF8 | ALM_ESC_TERMINAL);
	view = cJSON_CreateObject();
	cJSON_ArrayForEach(member, portfolio) {
		if (strcmp(member->string, "rows") != 0)
			alm_json_add_copy(view, member->string, member);
	}
	rows = alm_json_add_array(view, "rows");
	cJSON_ArrayForEach(row, get(portfolio, "rows")) {
		cJSON *copy;
		if (!cJSON_IsObject(row)) {
			alm_json_add_copy(rows, NULL, row);
			continue;
		}
		copy = alm_json_add_object(rows, NULL);
		cJSON_ArrayForEach(field, row)
			if (strcmp(field->string, "report") != 0)
				alm_json_add_copy(copy, field->string, field);
	}
	if (alm_json_add_check(failures, "the portfolio") < 0 ||
	    alm_esc_json_tree(view, ALM_ESC_UTF8 | ALM_ESC_TERMINAL) < 0) {
		cJSON_Delete(view);
		return NULL;
	}
	return view;
}

int alm_portfolio_render(char **out, size_t *len, const cJSON *portfolio, alm_portfolio_format format)
{
	char *buf = NULL;
	size_t n = 0;
	cJSON *safe = NULL;
	FILE *fp;

	*out = NULL;
	if (format == ALM_PORTFOLIO_JSON)
		return alm_json_print_line(out, len, portfolio);
	/* On a terminal a name is shown as it is spelt, escape sequences and all,
	 * never run: the text table formats a copy with its controls made visible. */
	if (format != ALM_PORTFOLIO_CSV && format != ALM_PORTFOLIO_MARKDOWN && format != ALM_PORTFOLIO_HTML &&
	    !(safe = text_view(portfolio)))
		return ALM_ENOMEM;
	fp = open_memstream(&buf, &n);
	if (!fp) {
		cJSON_Delete(safe);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	switch (format) {
	case ALM_PORTFOLIO_CSV: render_csv(fp, portfolio); break;
	case ALM_PORTFOLIO_MARKDOWN: render_markdown(fp, portfolio); break;
	case ALM_PORTFOLIO_HTML: render_html(fp, portfolio); break;
	default: render_text(fp, safe); break;
	}
	cJSON_Delete(safe);
	return alm_memstream_finish(fp, &buf, &n, out, len);
}
