#include "alm/report.h"
#include "alm/json.h"
#include "escape.h"
#include "strbuf.h"
#include "alm/error.h"
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 78

typedef struct {
	FILE *fp;
	int color;
} out;

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str
#define get alm_json_get
#define str_or alm_json_str_or

static void style(const out *o, const char *code)
{
	if (o->color)
		fprintf(o->fp, "\033[%sm", code);
}

/* Writes `text` wrapped at WIDTH; the first line continues the current one
 * (which is `first_col` wide), later lines start with `indent` spaces. */
static void wrap(const out *o, const char *text, int first_col, int indent)
{
	int col = first_col;
	const char *p = text ? text : "";
	while (*p) {
		const char *end = p;
		int len;
		while (*end && *end != ' ')
			end++;
		len = (int)(end - p);
		if (col > indent && col + 1 + len > WIDTH) {
			fprintf(o->fp, "\n%*s", indent, "");
			col = indent;
		} else if (col > first_col || (col > indent && p != text)) {
			fputc(' ', o->fp);
			col++;
		}
		fwrite(p, 1, (size_t)len, o->fp);
		col += len;
		p = end;
		while (*p == ' ')
			p++;
	}
	fputc('\n', o->fp);
}

static void heading(const out *o, const char *title)
{
	fputc('\n', o->fp);
	style(o, "1");
	fputs(title, o->fp);
	style(o, "0");
	fputc('\n', o->fp);
}

/* Status words are spelt out, so colour is never the only signal; a space
 * always follows, however long the word. Returns the columns written. */
static int status_tag(const out *o, const char *status)
{
	const char *code;
	if (!status)
		status = "unknown";
	code = strcmp(status, "met") == 0 || strcmp(status, "yes") == 0 ? "32"
			   : strcmp(status, "gap") == 0 || strcmp(status, "no") == 0 ? "31"
			   : strcmp(status, "unknown") == 0 ? "33" : "2";
	int width;
	style(o, code);
	width = fprintf(o->fp, "%-7s", status);
	style(o, "0");
	fputc(' ', o->fp);
	return width + 1;
}

static void verdict_block(const out *o, const cJSON *r)
{
	char line[512];
	style(o, "1");
	fprintf(o->fp, "Verdict: %s", str_or(r, "title", str_or(r, "verdict", "none")));
	style(o, "0");
	fprintf(o->fp, " [%s]\n", str_or(r, "verdict", "?"));
	fprintf(o->fp, "Confidence: %.2f\n", alm_json_num_or(r, "confidence", 0));
	fputs("Why: ", o->fp);
	wrap(o, str(r, "why"), 5, 5);
	snprintf(line, sizeof line, "%s", "Today: ");
	fputs(line, o->fp);
	wrap(o, str(r, "supported_path"), 7, 7);
}

/* The path's last line names the verdict it reached, and the tree's leaf. */
static void reached_line(const out *o, const cJSON *r)
{
	const char *leaf = str(r, "leaf"), *title = str_or(r, "title", "?"), *verdict = str_or(r, "verdict", "?");
	char line[1024];
	if (leaf && strcmp(leaf, title) != 0)
		snprintf(line, sizeof line, "%s [%s] (the tree's leaf: %s)", title, verdict, leaf);
	else
		snprintf(line, sizeof line, "%s [%s]", title, verdict);
	fputs("  -> Verdict reached: ", o->fp);
	wrap(o, line, 21, 7);
}

/* The current level: stated, or unstated and bounded by the evidence. */
static void maturity_inferred(char *buf, size_t n, const cJSON *m)
{
	if (cJSON_IsNumber(get(m, "current")))
		snprintf(buf, n, "%d", get(m, "current")->valueint);
	else if (cJSON_IsNumber(get(m, "current_at_least")))
		snprintf(buf, n, "at least %d (inferred from evidence)", get(m, "current_at_least")->valueint);
	else
		snprintf(buf, n, "unknown");
}

/* What the walk would reach for each answer of the decision it stopped at. */
static void outcomes_block(const out *o, const cJSON *r)
{
	const cJSON *oc, *k;
	if (cJSON_GetArraySize(get(r, "outcomes")) == 0)
		return;
	fputs("\nOutcomes, by the answers that decide them:\n", o->fp);
	cJSON_ArrayForEach(oc, get(r, "outcomes")) {
		char line[2048];
		size_t used;
		int first = 1;
		used = (size_t)snprintf(line, sizeof line, "%s: %s [%s]", str_or(oc, "when", "?"), str_or(oc, "title", "?"),
					str_or(oc, "verdict", "?"));
		cJSON_ArrayForEach(k, get(oc, "answers")) {
			if (used >= sizeof line)
				break;
			if (!cJSON_IsString(k))
				continue;
			used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", first ? "; answer: " : ", ", k->valuestring);
			first = 0;
		}
		fputs("  - ", o->fp);
		wrap(o, line, 4, 4);
	}
}

/* The derived values read in place of missing answers, and what each rests on. */
static void inferred_block(const out *o, const cJSON *r)
{
	const cJSON *d;
	if (alm_rpt_stand_ins(r) == 0)
		return;
	heading(o, "Inferred from evidence (answers win over these)");
	cJSON_ArrayForEach(d, get(r, "derived")) {
		const cJSON *seed = get(d, "seed");
		char *value;
		char line[2048];
		if (!alm_rpt_decided_stand_in(d))
			continue;
		value = cJSON_PrintUnformatted(get(d, "value"));
		snprintf(line, sizeof line, "%s %s %s, inferred from evidence: %s. Seed %s%s%s: \"%s\"", str_or(d, "answers", "?"),
			 alm_json_str_is(d, "bound", "lower") ? "at least" : "=", value ? value : "?", str_or(d, "evidence", ""),
			 str(seed, "id") ? str(seed, "id") : "?", str(seed, "section") ? ", " : "",
			 str(seed, "section") ? str(seed, "section") : "", str(seed, "quote") ? str(seed, "quote") : "");
		cJSON_free(value);
		fputs("  - ", o->fp);
		wrap(o, line, 4, 4);
	}
}

static void path_block(const out *o, const cJSON *r)
{
	const cJSON *step, *ev;
	int i = 1;
	heading(o, "Path through the decision tree");
	cJSON_ArrayForEach(step, get(r, "path")) {
		int col = fprintf(o->fp, "  %d. ", i++);
		col += status_tag(o, str(step, "value"));
		wrap(o, str(step, "label"), col, col);
		ev = cJSON_GetArrayItem(get(step, "evidence"), 0);
		if (ev && str(step, "source")) {
			fprintf(o->fp, "%*s", col, "");
			wrap(o, str(ev, "detail"), col, col + 2);
		}
	}
	reached_line(o, r);
}

static void impact_block(const out *o, const cJSON *r)
{
	const cJSON *impact = get(r, "impact"), *m = get(r, "maturity");
	const cJSON *sla = get(impact, "sla");
	heading(o, "Business impact and maturity");
	if (str(impact, "tier")) {
		char line[512];
		snprintf(line, sizeof line, "%s. SLA: initial response %s; %s.", str_or(impact, "title", str(impact, "tier")),
			 str_or(sla, "initial_response", "not stated"), str_or(sla, "access", "access not stated"));
		fputs("  Impact: ", o->fp);
		wrap(o, line, 10, 10);
	} else {
		fputs("  Impact: not stated (answer \"impact\": critical, high or non-critical).\n", o->fp);
	}
	{
		char line[256], current[64], target[32];
		maturity_inferred(current, sizeof current, m);
		if (cJSON_IsNumber(get(m, "target")))
			snprintf(target, sizeof target, "%d", get(m, "target")->valueint);
		else
			snprintf(target, sizeof target, "unknown");
		snprintf(line, sizeof line, "current %s, target %s (the accelerator fits from level 300).", current, target);
		fputs("  Maturity: ", o->fp);
		wrap(o, line, 12, 12);
	}
}

static void gaps_block(const out *o, const cJSON *r)
{
	const cJSON *gap;
	char title[64];
	int n = cJSON_GetArraySize(get(r, "gaps"));
	snprintf(title, sizeof title, "Gaps and actions (%d)", n);
	heading(o, title);
	if (!n)
		fputs("  None found.\n", o->fp);
	cJSON_ArrayForEach(gap, get(r, "gaps")) {
		fputs("  - ", o->fp);
		wrap(o, str(gap, "text"), 4, 4);
		fputs("    Action: ", o->fp);
		wrap(o, str(gap, "action"), 12, 12);
	}
}

static void unknowns_block(const out *o, const cJSON *r)
{
	const cJSON *u;
	char title[64];
	int n = cJSON_GetArraySize(get(r, "unknowns"));
	snprintf(title, sizeof title, "Unknown: questions to answer (%d)", n);
	heading(o, title);
	if (!n) {
		fputs("  None.\n", o->fp);
		return;
	}
	if (cJSON_GetArraySize(get(r, "decide_with")) > 0) {
		const cJSON *k;
		fputs("  To decide the verdict, answer first:", o->fp);
		cJSON_ArrayForEach(k, get(r, "decide_with"))
			if (cJSON_IsString(k))
				fprintf(o->fp, " %s", k->valuestring);
		fputc('\n', o->fp);
	}
	cJSON_ArrayForEach(u, get(r, "unknowns")) {
		fputs("  - ", o->fp);
		wrap(o, str(u, "text"), 4, 4);
		if (str(u, "ask"))
			fprintf(o->fp, "    answers key: %s\n", str(u, "ask"));
	}
}

static void prerequisites_block(const out *o, const cJSON *r)
{
	const cJSON *p;
	heading(o, "Prerequisites, in the tree's order");
	cJSON_ArrayForEach(p, get(r, "prerequisites")) {
		fputs("  ", o->fp);
		status_tag(o, str(p, "status"));
		fprintf(o->fp, "%s\n", str_or(p, "text", ""));
	}
}

static void questions_block(const out *o, const cJSON *r)
{
	const cJSON *q;
	heading(o, "Quick-start questions");
	cJSON_ArrayForEach(q, get(r, "questions")) {
		fprintf(o->fp, "  %2d. ", (int)alm_json_num_or(q, "number", 0));
		status_tag(o, str(q, "status"));
		wrap(o, str(q, "text"), 14, 14);
	}
}

static void notices_block(const out *o, const cJSON *r)
{
	const cJSON *n, *probe;
	heading(o, "Notices");
	cJSON_ArrayForEach(n, get(r, "notices")) {
		fprintf(o->fp, "  %s ", strcmp(str_or(n, "severity", ""), "warning") == 0 ? "!" : "i");
		wrap(o, str(n, "text"), 4, 4);
	}
	cJSON_ArrayForEach(probe, get(r, "probes")) {
		if (strcmp(str_or(probe, "status", "ok"), "ok") == 0)
			continue;
		fprintf(o->fp, "  i Evidence from %s: %s", probe->string ? probe->string : "?", str(probe, "status"));
		if (str(probe, "detail")) {
			fputs(": ", o->fp);
			wrap(o, str(probe, "detail"), 24, 4);
		} else {
			fputc('\n', o->fp);
		}
	}
}

int alm_report_render_text(char **outp, size_t *len, const cJSON *report, unsigned flags)
{
	char *buf = NULL;
	size_t n = 0;
	cJSON *safe;
	out o;

	*outp = NULL;
	/* What the report quotes from outside (names, answers, messages) reaches
	 * a terminal: a copy with its control characters made visible is shown. */
	if (!(report = safe = alm_esc_json_copy(report, ALM_ESC_UTF8 | ALM_ESC_TERMINAL)))
		return ALM_ENOMEM;
	o.fp = open_memstream(&buf, &n);
	o.color = (flags & ALM_RENDER_COLOR) != 0;
	if (!o.fp) {
		cJSON_Delete(safe);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	verdict_block(&o, report);
	outcomes_block(&o, report);
	path_block(&o, report);
	inferred_block(&o, report);
	impact_block(&o, report);
	gaps_block(&o, report);
	unknowns_block(&o, report);
	prerequisites_block(&o, report);
	questions_block(&o, report);
	notices_block(&o, report);
	cJSON_Delete(safe);
	return alm_memstream_finish(o.fp, &buf, &n, outp, len);
}
