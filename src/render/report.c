#include "alm/report.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/graph.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	alm_format format;
} formats[] = {
	{"text", ALM_FORMAT_TEXT},
	{"json", ALM_FORMAT_JSON},
	{"markdown", ALM_FORMAT_MARKDOWN},
	{"html", ALM_FORMAT_HTML},
	{"sarif", ALM_FORMAT_SARIF},
	{"dot", ALM_FORMAT_DOT},
	{"mermaid", ALM_FORMAT_MERMAID},
};

int alm_format_parse(const char *name)
{
	size_t i;
	if (!name)
		return -1;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(name, formats[i].name) == 0)
			return (int)formats[i].format;
	/* The file extension people type as often as the word. */
	if (strcmp(name, "md") == 0)
		return ALM_FORMAT_MARKDOWN;
	return -1;
}

const char *alm_format_name(alm_format format)
{
	size_t i;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "";
}

const char *alm_format_names(void)
{
	return "text, json, markdown, html, sarif, dot or mermaid";
}

#define json_render alm_json_print_line

static int graph_render(char **out, size_t *len, const cJSON *report, const alm_rules *rules, alm_graph_format gf)
{
	int error = alm_graph_render(out, rules, gf, report);
	if (error == 0 && len)
		*len = strlen(*out);
	return error;
}

int alm_report_render_opts(char **out, size_t *len, const cJSON *report, alm_format format,
			   const alm_render_options *opts)
{
	const alm_rules *rules = opts ? opts->rules : NULL;
	unsigned flags = opts ? opts->flags : 0;

	*out = NULL;
	if (len)
		*len = 0;
	if (!report)
		return alm_error_set(ALM_EINVALID, "no report to render");
	if (!rules && (format == ALM_FORMAT_MARKDOWN || format == ALM_FORMAT_HTML || format == ALM_FORMAT_DOT ||
		       format == ALM_FORMAT_MERMAID))
		return alm_error_set(ALM_EINVALID, "the %s report draws the decision tree and needs the rules",
				     alm_format_name(format));
	switch (format) {
	case ALM_FORMAT_TEXT:
		return alm_report_render_text(out, len, report, flags);
	case ALM_FORMAT_JSON:
		return json_render(out, len, report);
	case ALM_FORMAT_MARKDOWN:
		return alm_report_render_markdown(out, len, report, rules);
	case ALM_FORMAT_HTML:
		return alm_report_render_html(out, len, report, rules);
	case ALM_FORMAT_SARIF:
		return alm_report_render_sarif(out, len, report, opts ? opts->artifact_uri : NULL);
	case ALM_FORMAT_DOT:
		return graph_render(out, len, report, rules, ALM_GRAPH_DOT);
	case ALM_FORMAT_MERMAID:
		return graph_render(out, len, report, rules, ALM_GRAPH_MERMAID);
	}
	return alm_error_set(ALM_EINVALID, "unknown report format %d", (int)format);
}

int alm_report_render(char **out, size_t *len, const cJSON *report, alm_format format, unsigned flags)
{
	alm_render_options opts = ALM_RENDER_OPTIONS_INIT;
	opts.flags = flags;
	return alm_report_render_opts(out, len, report, format, &opts);
}
