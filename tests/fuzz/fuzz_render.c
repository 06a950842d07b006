/*
 * The renderers on any report: the input, parsed as JSON, is rendered as a
 * report in every format (with the built-in rules, with and without colour)
 * and as a portfolio in every format. Whatever the JSON, each render succeeds
 * (or runs out of memory), its length is the text's, the text is valid UTF-8,
 * the JSON and SARIF outputs parse, and the text, Markdown, HTML, DOT and
 * Mermaid outputs carry no terminal control character (no ESC, no C0 but
 * tab, line feed and carriage return, no DEL): names from outside are shown,
 * never run. Colour is the one ESC a renderer may write itself.
 */
#include "fuzz.h"

#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/report.h"
#include "alm/rules.h"
#include "escape.h"

#include <stdlib.h>
#include <string.h>

static const alm_format formats[] = {ALM_FORMAT_TEXT, ALM_FORMAT_JSON, ALM_FORMAT_MARKDOWN, ALM_FORMAT_HTML,
				     ALM_FORMAT_SARIF, ALM_FORMAT_DOT, ALM_FORMAT_MERMAID};
static const alm_portfolio_format portfolio_formats[] = {ALM_PORTFOLIO_TEXT, ALM_PORTFOLIO_JSON, ALM_PORTFOLIO_CSV,
							 ALM_PORTFOLIO_MARKDOWN, ALM_PORTFOLIO_HTML};

static int inert(const char *text, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return 0;
	}
	return 1;
}

static void check(int rc, char *text, size_t len, int is_json, int must_be_inert)
{
	if (rc < 0) {
		if (rc != ALM_ENOMEM)
			abort(); /* any report renders */
		return;
	}
	if (!text || len != strlen(text) || !alm_utf8_valid(text, len))
		abort();
	if (is_json) {
		cJSON *back = cJSON_ParseWithLength(text, len);
		if (!back)
			abort();
		cJSON_Delete(back);
	}
	if (must_be_inert && !inert(text, len))
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static alm_rules *rules;
	cJSON *doc = NULL;
	size_t i;

	if (!rules && alm_rules_load_default(&rules) < 0)
		abort();
	if (alm_json_parse(&doc, (const char *)data, size, "fuzz") < 0)
		return 0;
	for (i = 0; i < sizeof formats / sizeof *formats; i++) {
		alm_render_options o = ALM_RENDER_OPTIONS_INIT;
		char *text = NULL;
		size_t len = 0;
		int rc;
		alm_format f = formats[i];
		o.rules = rules;
		rc = alm_report_render_opts(&text, &len, doc, f, &o);
		check(rc, text, len, f == ALM_FORMAT_JSON || f == ALM_FORMAT_SARIF,
		      f != ALM_FORMAT_JSON && f != ALM_FORMAT_SARIF);
		if (f == ALM_FORMAT_TEXT) {
			o.flags = ALM_RENDER_COLOR;
			text = NULL;
			rc = alm_report_render_opts(&text, &len, doc, f, &o);
			check(rc, text, len, 0, 0);
		}
	}
	for (i = 0; i < sizeof portfolio_formats / sizeof *portfolio_formats; i++) {
		char *text = NULL;
		size_t len = 0;
		alm_portfolio_format f = portfolio_formats[i];
		int rc = alm_portfolio_render(&text, &len, doc, f);
		check(rc, text, len, f == ALM_PORTFOLIO_JSON, f != ALM_PORTFOLIO_JSON);
	}
	cJSON_Delete(doc);
	return 0;
}
