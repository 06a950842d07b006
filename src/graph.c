#include "alm/graph.h"
#include "alm/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The value a report's path recorded at a node, or NULL when not visited. */
static const char *visited_value(const cJSON *report, const char *id)
{
	const cJSON *step;
	cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(report, "path"))
		if (strcmp(str(step, "node"), id) == 0)
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

/* Writes `text` escaped for a double-quoted DOT string or a Mermaid label. */
static void put_escaped(FILE *fp, const char *text, alm_graph_format format)
{
	for (; *text; text++) {
		if (*text == '"')
			fputs(format == ALM_GRAPH_DOT ? "\\\"" : "#quot;", fp);
		else if (*text == '\\' && format == ALM_GRAPH_DOT)
			fputs("\\\\", fp);
		else if (*text == '\n')
			fputs(format == ALM_GRAPH_DOT ? "\\n" : "<br/>", fp);
		else
			fputc(*text, fp);
	}
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
		fprintf(fp, "  \"%s\" [shape=%s, label=\"", id, decision ? "diamond" : "box");
		put_escaped(fp, node_label(rules, node), ALM_GRAPH_DOT);
		if (value)
			fprintf(fp, "\\n(%s)", value);
		fprintf(fp, "\", style=\"%s%s\"", decision ? "" : "rounded", on_path ? (decision ? "filled" : ",filled") : "");
		if (on_path)
			fputs(", fillcolor=\"#d8f0d8\", penwidth=3", fp);
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
			fprintf(fp, "  \"%s\" -> \"%s\" [label=\"%s\"%s];\n", id, target, branches[i],
				value && strcmp(value, branches[i]) == 0 ? ", penwidth=3" : ", style=dashed");
		}
		/* A verdict's steps hang from it as a chain, in the tree's order. */
		cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(node, "steps")) {
			fprintf(fp, "  \"%s/%s\" [shape=box, label=\"", id, str(step, "id"));
			put_escaped(fp, str(step, "label"), ALM_GRAPH_DOT);
			fputs("\"];\n", fp);
			if (prev_step)
				fprintf(fp, "  \"%s/%s\" -> \"%s/%s\";\n", id, prev_step, id, str(step, "id"));
			else
				fprintf(fp, "  \"%s\" -> \"%s/%s\" [label=\"steps\", style=dotted];\n", id, id, str(step, "id"));
			prev_step = str(step, "id");
		}
	}
	fputs("}\n", fp);
}

static void render_mermaid(FILE *fp, const alm_rules *rules, const cJSON *report)
{
	static const char *const branches[] = {"yes", "no", "unknown"};
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "tree"), "nodes");
	const cJSON *node;
	int index = 0, first_visited = 1;
	size_t i;

	fputs("flowchart TD\n", fp);
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		int decision = strcmp(str(node, "kind"), "decision") == 0;
		const char *value = report ? visited_value(report, id) : NULL;
		fprintf(fp, "  n%d%s\"", index++, decision ? "{" : "(");
		put_escaped(fp, node_label(rules, node), ALM_GRAPH_MERMAID);
		if (value)
			fprintf(fp, " (%s)", value);
		fprintf(fp, "\"%s\n", decision ? "}" : ")");
	}
	cJSON_ArrayForEach(node, nodes) {
		int from = 0, to;
		const cJSON *n2;
		cJSON_ArrayForEach(n2, nodes) {
			if (n2 == node)
				break;
			from++;
		}
		for (i = 0; i < 3; i++) {
			const char *target = str(node, branches[i]);
			if (!target)
				continue;
			to = 0;
			cJSON_ArrayForEach(n2, nodes) {
				if (strcmp(str(n2, "id"), target) == 0)
					break;
				to++;
			}
			fprintf(fp, "  n%d -->|%s| n%d\n", from, branches[i], to);
		}
	}
	if (!report)
		return;
	fputs("  classDef visited fill:#d8f0d8,stroke:#1b5e20,stroke-width:3px\n", fp);
	index = 0;
	cJSON_ArrayForEach(node, nodes) {
		const char *id = str(node, "id");
		if (visited_value(report, id) || is_verdict_reached(report, id)) {
			fprintf(fp, "%sn%d", first_visited ? "  class " : ",", index);
			first_visited = 0;
		}
		index++;
	}
	if (!first_visited)
		fputs(" visited\n", fp);
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
	if (fclose(fp) != 0 || !buf) {
		free(buf);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = buf;
	return 0;
}
