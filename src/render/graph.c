#include "alm/graph.h"
#include "alm/json.h"
#include "alm/error.h"
#include "escape.h"
#include "strbuf.h"
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str

/* The value a report's path recorded at a node, or NULL when not visited. */
static const char *visited_value(const cJSON *report, const char *id)
{
	const cJSON *step;
	cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(report, "path"))
		if (alm_json_str_is(step, "node", id))
			return str(step, "value");
	return NULL;
}

static int is_verdict_reached(const cJSON *report, const char *id)
{
	const char *v = report ? str(report, "verdict") : NULL;
	return v && strcmp(v, id) == 0;
}

static const char *node_label(const alm_rules *rules, const cJSON *node)
{
	const cJSON *verdict;
	if (strcmp(str(node, "kind"), "decision") == 0)
		return str(node, "label") ? str(node, "label") : str(node, "id");
	verdict = alm_rules_verdict(rules, str(node, "id"));
	return str(verdict, "title") ? str(verdict, "title") : str(node, "id");
}

/* Writes `text` escaped for a double-quoted DOT string or a Mermaid label
 * (escape.h: control characters are spelt in either). */
static void put_escaped(FILE *fp, const char *text, alm_graph_format format)
{
	if (format == ALM_GRAPH_DOT)
		alm_esc_dot(fp, text);
	else
		alm_esc_mermaid(fp, text);
}

/* A value from the report after a label: "(yes)", on a line of its own in DOT. */
static void put_note(FILE *fp, const char *text, alm_graph_format format)
{
	fputs(format == ALM_GRAPH_DOT ? "\\n(" : " (", fp);
	put_escaped(fp, text, format);
	fputc(')', fp);
}

/* A DOT node id: the rules' id (and a step's, after a slash), quoted and
 * escaped, since rules files may use any characters in ids. */
static void put_dot_id(FILE *fp, const char *id, const char *step)
{
	fputc('"', fp);
	put_escaped(fp, id, ALM_GRAPH_DOT);
	if (step) {
		fputc('/', fp);
		put_escaped(fp, step, ALM_GRAPH_DOT);
	}
	fputc('"', fp);
}

/* The status of a verdict's prerequisite step in the report, or NULL. */
static const char *step_status(const cJSON *report, const char *id)
{
	const cJSON *p, *list = report ? cJSON_GetObjectItemCaseSensitive(report, "prerequisites") : NULL;
	cJSON_ArrayForEach(p, list) {
		const char *pid = str(p, "id");
		if (pid && id && strcmp(pid, id) == 0)
			return str(p, "status");
	}
	return NULL;
}

static void render_dot(FILE *fp, const alm_rules *rules, const cJSON *report)
{
	static const char *const branches[] = {"yes", "no", "unknown"};
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "tree"), "nodes");
	const cJSON *node, *step;
	size_t i;

	fputs("digraph alm_decision_tree {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=10];\n", fp);
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		int decision = strcmp(str(node, "kind"), "decision") == 0;
		const char *value = report ? visited_value(report, id) : NULL;
		int on_path = value || is_verdict_reached(report, id);
		fputs("  ", fp);
		put_dot_id(fp, id, NULL);
		fprintf(fp, " [shape=%s, label=\"", decision ? "diamond" : "box");
		put_escaped(fp, node_label(rules, node), ALM_GRAPH_DOT);
		if (value)
			put_note(fp, value, ALM_GRAPH_DOT);
		fprintf(fp, "\", style=\"%s%s\"", decision ? "" : "rounded", on_path ? (decision ? "filled" : ",filled") : "");
		if (on_path)
			fputs(", fillcolor=\"#d8f0d8\", penwidth=3", fp);
		else if (report && alm_rpt_outcome_reaches(report, id))
			fputs(", style=\"rounded,filled,dashed\", fillcolor=\"#fff3cd\", color=\"#b45309\"", fp);
		fputs("];\n", fp);
	}
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		const char *value = report ? visited_value(report, id) : NULL;
		const char *prev_step = NULL;
		for (i = 0; i < 3; i++) {
			const char *target = str(node, branches[i]);
			if (!target)
				continue;
			fputs("  ", fp);
			put_dot_id(fp, id, NULL);
			fputs(" -> ", fp);
			put_dot_id(fp, target, NULL);
			fprintf(fp, " [label=\"%s\"%s];\n", branches[i],
				value && strcmp(value, branches[i]) == 0 ? ", penwidth=3"
				: report && alm_rpt_outcome_takes(report, id, branches[i]) ? ", style=dashed, color=\"#b45309\", penwidth=2"
				: ", style=dashed");
		}
		/* A verdict's steps hang from it as a chain, in the tree's order. */
		cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(node, "steps")) {
			const char *status = is_verdict_reached(report, id) ? step_status(report, str(step, "id")) : NULL;
			fputs("  ", fp);
			put_dot_id(fp, id, str(step, "id"));
			fputs(" [shape=box, label=\"", fp);
			put_escaped(fp, str(step, "label"), ALM_GRAPH_DOT);
			if (status)
				put_note(fp, status, ALM_GRAPH_DOT);
			fputs("\"];\n", fp);
			fputs("  ", fp);
			put_dot_id(fp, id, prev_step);
			fputs(" -> ", fp);
			put_dot_id(fp, id, str(step, "id"));
			fputs(prev_step ? ";\n" : " [label=\"steps\", style=dotted];\n", fp);
			prev_step = str(step, "id");
		}
	}
	fputs("}\n", fp);
}

static int node_index(const cJSON *nodes, const char *id)
{
	const cJSON *n;
	int i = 0;
	cJSON_ArrayForEach(n, nodes) {
		if (id && str(n, "id") && strcmp(str(n, "id"), id) == 0)
			return i;
		i++;
	}
	return -1;
}

/* The branches and verdicts the what-if outcomes reach, dashed and amber, so
 * the drawing shows where each answer would lead. */
static void mermaid_possible(FILE *fp, const cJSON *nodes, const cJSON *report, const int *links, int n)
{
	const cJSON *node;
	int i, index = 0, first = 1;
	if (!n)
		return;
	fputs("  classDef possible fill:#fff3cd,stroke:#b45309,stroke-width:2px,stroke-dasharray:4 3\n", fp);
	cJSON_ArrayForEach(node, nodes) {
		if (alm_rpt_outcome_reaches(report, str(node, "id"))) {
			fprintf(fp, "%sn%d", first ? "  class " : ",", index);
			first = 0;
		}
		index++;
	}
	if (!first)
		fputs(" possible\n", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%d", i ? "," : "  linkStyle ", links[i]);
	fputs(" stroke:#b45309,stroke-width:2px,stroke-dasharray:4 3\n", fp);
}

/*
 * Mermaid numbers links in the order they are written, and linkStyle refers to
 * those numbers: the links the path took are counted as they are written, then
 * styled thicker (and labelled, so the colour is not the only sign).
 */
static void render_mermaid(FILE *fp, const alm_rules *rules, const cJSON *report)
{
	static const char *const branches[] = {"yes", "no", "unknown"};
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "tree"), "nodes");
	const cJSON *node, *step;
	int index = 0, link = 0, first = 1;
	int taken[64], ntaken = 0, possible[64], npossible = 0;
	size_t i;

	fputs("flowchart TD\n", fp);
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		int decision = strcmp(str(node, "kind"), "decision") == 0;
		const char *value = report ? visited_value(report, id) : NULL;
		fprintf(fp, "  n%d%s\"", index++, decision ? "{" : "(");
		put_escaped(fp, node_label(rules, node), ALM_GRAPH_MERMAID);
		if (value)
			put_note(fp, value, ALM_GRAPH_MERMAID);
		else if (is_verdict_reached(report, id))
			fputs(" (verdict)", fp);
		else if (report && alm_rpt_outcome_reaches(report, id))
			fputs(" (possible outcome)", fp);
		fprintf(fp, "\"%s\n", decision ? "}" : ")");
	}
	index = 0;
	cJSON_ArrayForEach(node, nodes) {
		const char *value = report ? visited_value(report, str(node, "id")) : NULL;
		int j = 0;
		for (i = 0; i < 3; i++) {
			const char *target = str(node, branches[i]);
			int to = node_index(nodes, target);
			if (!target || to < 0)
				continue;
			fprintf(fp, "  n%d -->|%s| n%d\n", index, branches[i], to);
			if (value && strcmp(value, branches[i]) == 0 && ntaken < 64)
				taken[ntaken++] = link;
			else if (report && alm_rpt_outcome_takes(report, str(node, "id"), branches[i]) && npossible < 64)
				possible[npossible++] = link;
			link++;
		}
		/* A verdict's steps hang from it as a chain, in the tree's order, each
		 * with its status when this verdict was reached. */
		cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(node, "steps")) {
			const char *status = is_verdict_reached(report, str(node, "id")) ? step_status(report, str(step, "id")) : NULL;
			fprintf(fp, "  n%ds%d[\"", index, j);
			put_escaped(fp, str(step, "label"), ALM_GRAPH_MERMAID);
			if (status)
				put_note(fp, status, ALM_GRAPH_MERMAID);
			fputs("\"]\n", fp);
			if (j == 0)
				fprintf(fp, "  n%d -.->|steps| n%ds0\n", index, index);
			else
				fprintf(fp, "  n%ds%d --> n%ds%d\n", index, j - 1, index, j);
			link++;
			j++;
		}
		index++;
	}
	if (!report)
		return;
	fputs("  classDef visited fill:#d8f0d8,stroke:#1b5e20,stroke-width:3px\n", fp);
	index = 0;
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		if (visited_value(report, id) || is_verdict_reached(report, id)) {
			fprintf(fp, "%sn%d", first ? "  class " : ",", index);
			first = 0;
		}
		index++;
	}
	if (!first)
		fputs(" visited\n", fp);
	for (i = 0; i < (size_t)ntaken; i++)
		fprintf(fp, "%s%d", i ? "," : "  linkStyle ", taken[i]);
	if (ntaken)
		fputs(" stroke:#1b5e20,stroke-width:3px\n", fp);
	mermaid_possible(fp, nodes, report, possible, npossible);
}

int alm_graph_render(char **out, const alm_rules *rules, alm_graph_format format, const cJSON *report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	*out = NULL;
	if (!fp)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (format == ALM_GRAPH_DOT)
		render_dot(fp, rules, report);
	else
		render_mermaid(fp, rules, report);
	return alm_memstream_finish(fp, &buf, &len, out, NULL);
}
