/*
 * The HTML report: one self-contained page. Nothing is fetched when it is
 * viewed (inline CSS, inline SVG) and nothing needs a script, so it can be
 * mailed, attached to a pipeline run, archived or printed. It is built to be
 * read by everyone: real headings, table headers, a text alternative for the
 * drawing, and statuses spelt out so colour is never the only signal.
 *
 * The decision tree is laid out here from the rules' nodes (layered, like a
 * flowchart): each node sits one layer below the deepest node that leads to it,
 * edges that skip layers pass through reserved slots so they never cross a
 * box, and the first branch of a decision (its "yes") stays straight below it,
 * so the tree reads as a spine of decisions with the exits to the right.
 *
 * The sections are walked by report_walk.c; this file gives their HTML, the
 * page around them, the drawing, and what only the page shows its own way
 * (the header, the path step by step, the maturity scale, questions' parts).
 */
#include "alm/report.h"
#include "alm/error.h"
#include "strbuf.h"
#include "escape.h"
#include "alm/json.h"
#include "report_int.h"
#include "report_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the report readers every function here uses. */
#define str alm_json_str
#define str_or alm_json_str_or
#define get alm_json_get

/* Drawing limits: rules far larger than the default tree are refused with
 * ALM_ELIMIT rather than drawn badly. */
#define MAX_REAL 128
#define MAX_VNODES 1024
#define MAX_EDGES 384
#define MAX_CHAIN 64
#define MAX_LINES 24

/* Geometry, in SVG user units (pixels at 100%). */
#define BOX_W 236.0
#define GAP_X 30.0
#define DUMMY_GAP 18.0
#define GAP_Y 64.0
#define MARGIN 16.0
#define LINE_H 15.0
#define PAD 9.0
/* Characters per line for 12px text in a box BOX_W wide: DejaVu Sans, the
 * widest of the usual fallbacks, averages about 7px a character. */
#define WRAP 30

static const char *const branch_names[] = {"yes", "no", "unknown"};

/* ---- escaping --------------------------------------------------------- */

/* Every piece of text, in content and in attributes alike. */
#define esc alm_esc_html

/* ---- statuses --------------------------------------------------------- */

/* The class (for colour) and the words (the signal that does not need colour). */
static const char *status_class(const char *status)
{
	if (!status)
		return "unknown";
	if (strcmp(status, "met") == 0 || strcmp(status, "yes") == 0)
		return "good";
	if (strcmp(status, "gap") == 0 || strcmp(status, "no") == 0)
		return "bad";
	if (strcmp(status, "not-applicable") == 0)
		return "na";
	return "unknown";
}

static void status_badge(FILE *fp, const char *status)
{
	const char *cls = status_class(status);
	const char *mark = strcmp(cls, "good") == 0 ? "\xE2\x9C\x93 " : strcmp(cls, "bad") == 0 ? "\xE2\x9C\x97 "
			   : strcmp(cls, "na") == 0 ? "\xE2\x80\x93 " : "? ";
	fprintf(fp, "<span class=\"status s-%s\"><span aria-hidden=\"true\">%s</span>", cls, mark);
	esc(fp, status && strcmp(status, "not-applicable") == 0 ? "not applicable" : status ? status : "unknown");
	fputs("</span>", fp);
}

/* ---- the tree's layout ------------------------------------------------ */

typedef struct {
	char *text;
	int cls; /* 0 label, 1 the answer, 2 evidence, 3 step */
} line;

typedef struct {
	int real;   /* index of the rules' node, -1 for a slot of an edge */
	int layer;
	int order;
	double key;
	double x;   /* centre */
	double w, h;
} vnode;

typedef struct {
	int from, to;  /* real nodes */
	int branch;    /* index into branch_names */
	int taken;
	int possible; /* taken by a what-if outcome, not by the path */
	int chain[MAX_CHAIN]; /* the slots it passes through, top to bottom */
	int nchain;
} edge;

typedef struct {
	const cJSON *report;
	const alm_rules *rules;
	const cJSON *real[MAX_REAL];
	int nreal, start;
	line lines[MAX_REAL][MAX_LINES];
	int nlines[MAX_REAL];
	vnode v[MAX_VNODES];
	int nv;
	edge e[MAX_EDGES];
	int ne;
	int nlayers;
	double layer_top[MAX_VNODES], layer_h[MAX_VNODES];
	double width, height;
} layout;

static const char *path_value(const cJSON *report, const char *id, const cJSON **step_out)
{
	const cJSON *step;
	if (step_out)
		*step_out = NULL;
	cJSON_ArrayForEach(step, get(report, "path")) {
		if (id && str(step, "node") && strcmp(str(step, "node"), id) == 0) {
			if (step_out)
				*step_out = step;
			return str(step, "value");
		}
	}
	return NULL;
}

static int verdict_reached(const cJSON *report, const char *id)
{
	return id && str(report, "verdict") && strcmp(str(report, "verdict"), id) == 0;
}

static int is_decision(const cJSON *node)
{
	return str(node, "kind") && strcmp(str(node, "kind"), "decision") == 0;
}

static int real_index(const layout *l, const char *id)
{
	int i;
	for (i = 0; id && i < l->nreal; i++)
		if (str(l->real[i], "id") && strcmp(str(l->real[i], "id"), id) == 0)
			return i;
	return -1;
}

static int add_line(layout *l, int node, const char *text, size_t len, int cls)
{
	char *copy;
	if (l->nlines[node] >= MAX_LINES)
		return 0; /* a box this full says enough; the lists below say the rest */
	if (!(copy = malloc(len + 1)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	l->lines[node][l->nlines[node]].text = copy;
	l->lines[node][l->nlines[node]].cls = cls;
	l->nlines[node]++;
	return 0;
}

/* Breaks `text` into lines of at most `width` characters at spaces (a word
 * longer than a line is cut), at most `max` lines; when text remains for the
 * last line allowed, it is cut to fit and ends in "...". */
static int add_wrapped(layout *l, int node, const char *text, int cls, size_t width, int max)
{
	const char *p = text;
	int n = 0, error;
	while (p && *p && n < max) {
		const char *end = p, *brk = NULL;
		size_t chars = 0;
		while (*end && chars < width) {
			if (*end == ' ')
				brk = end;
			end++;
			while (((unsigned char)*end & 0xC0) == 0x80)
				end++;
			chars++;
		}
		if (n == max - 1 && *end) {
			/* The last line allowed and more to say: as much as fits, then "...". */
			char buf[512];
			size_t len = 0, kept = 0;
			while (p[len] && kept < width - 3 && len < sizeof buf - 8) {
				len++;
				while (((unsigned char)p[len] & 0xC0) == 0x80)
					len++;
				kept++;
			}
			memcpy(buf, p, len);
			memcpy(buf + len, "...", 4);
			return add_line(l, node, buf, strlen(buf), cls);
		}
		if (*end && *end != ' ' && brk)
			end = brk;
		if ((error = add_line(l, node, p, (size_t)(end - p), cls)) < 0)
			return error;
		n++;
		p = end;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static const char *step_status(const cJSON *report, const char *id)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, get(report, "prerequisites"))
		if (id && str(p, "id") && strcmp(str(p, "id"), id) == 0)
			return str(p, "status");
	return NULL;
}

/* What a box says: its question (or verdict), and on the path the value that
 * decided it and the evidence behind that value. */
static int fill_box(layout *l, int i)
{
	const cJSON *node = l->real[i], *step = NULL, *s;
	const char *id = str(node, "id");
	char buf[512];
	int error, k = 1;

	if (is_decision(node)) {
		const char *value = path_value(l->report, id, &step);
		if ((error = add_wrapped(l, i, str_or(node, "label", id ? id : "?"), 0, WRAP, 6)) < 0)
			return error;
		if (value) {
			const cJSON *ev = cJSON_GetArrayItem(get(step, "evidence"), 0);
			snprintf(buf, sizeof buf, "Answer: %s%s%s", value, str(step, "source") ? ", " : "",
				 str(step, "source") ? alm_rpt_source_phrase(str(step, "source")) : "");
			if ((error = add_wrapped(l, i, buf, 1, WRAP, 2)) < 0)
				return error;
			if (ev) {
				/* Two facts fit; the list below the drawing has them all. */
				int shown = 0, total = cJSON_GetArraySize(get(step, "evidence"));
				cJSON_ArrayForEach(ev, get(step, "evidence")) {
					if (shown == 2)
						break;
					alm_rpt_evidence_short(buf, sizeof buf, l->report, ev);
					if ((error = add_wrapped(l, i, buf, 2, WRAP + 4, total == 1 ? 2 : 1)) < 0)
						return error;
					shown++;
				}
				if (total > shown) {
					snprintf(buf, sizeof buf, "and %d more", total - shown);
					if ((error = add_wrapped(l, i, buf, 2, WRAP + 4, 1)) < 0)
						return error;
				}
			} else if (strcmp(value, "unknown") == 0) {
				if ((error = add_wrapped(l, i, "no evidence and no answer", 2, WRAP + 2, 1)) < 0)
					return error;
			}
		}
		return 0;
	}
	{
		const cJSON *verdict = alm_rules_verdict(l->rules, id);
		if ((error = add_wrapped(l, i, str_or(verdict, "title", id ? id : "?"), 0, WRAP, 6)) < 0)
			return error;
		if (verdict_reached(l->report, id) && (error = add_wrapped(l, i, "\xE2\x9C\x93 Verdict reached", 1, WRAP, 1)) < 0)
			return error;
		if (alm_rpt_outcome_reaches(l->report, id) &&
		    (error = add_wrapped(l, i, "A possible outcome", 1, WRAP, 1)) < 0)
			return error;
	}
	cJSON_ArrayForEach(s, get(node, "steps")) {
		const char *status = verdict_reached(l->report, id) ? step_status(l->report, str(s, "id")) : NULL;
		snprintf(buf, sizeof buf, "%d. %s%s%s", k++, str_or(s, "label", str_or(s, "id", "")), status ? ": " : "",
			 status ? status : "");
		if ((error = add_wrapped(l, i, buf, 3, WRAP + 2, 3)) < 0)
			return error;
	}
	return 0;
}

static int add_vnode(layout *l, int real, int layer)
{
	vnode *v;
	if (l->nv >= MAX_VNODES)
		return alm_error_set(ALM_ELIMIT, "the decision tree is too large to draw (more than %d boxes and slots)",
				     MAX_VNODES);
	v = &l->v[l->nv];
	memset(v, 0, sizeof *v);
	v->real = real;
	v->layer = layer;
	v->w = real >= 0 ? BOX_W : 0;
	return l->nv++;
}

/* Layers: a node sits one below the deepest node leading to it, so every edge
 * goes down. Nodes the start cannot reach go in one more layer at the bottom. */
static void assign_layers(layout *l, int *layer)
{
	int i, round, b, max = 0, changed = 1;
	for (i = 0; i < l->nreal; i++)
		layer[i] = -1;
	if (l->start >= 0)
		layer[l->start] = 0;
	/* Longest path by relaxation; the bound on rounds also stops a cycle
	 * (which validated rules cannot have) from looping. */
	for (round = 0; round < l->nreal && changed; round++) {
		changed = 0;
		for (i = 0; i < l->nreal; i++) {
			if (layer[i] < 0 || !is_decision(l->real[i]))
				continue;
			for (b = 0; b < 3; b++) {
				int t = real_index(l, str(l->real[i], branch_names[b]));
				if (t >= 0 && t != i && layer[t] < layer[i] + 1 && layer[i] + 1 < l->nreal) {
					layer[t] = layer[i] + 1;
					changed = 1;
				}
			}
		}
	}
	for (i = 0; i < l->nreal; i++)
		if (layer[i] > max)
			max = layer[i];
	for (i = 0; i < l->nreal; i++)
		if (layer[i] < 0)
			layer[i] = max + 1;
}

static int build_graph(layout *l)
{
	int layer[MAX_REAL], i, b, error;
	for (i = 0; i < l->nreal; i++)
		if ((error = fill_box(l, i)) < 0)
			return error;
	assign_layers(l, layer);
	l->nlayers = 0;
	for (i = 0; i < l->nreal; i++) {
		if ((error = add_vnode(l, i, layer[i])) < 0)
			return error;
		l->v[i].h = 2 * PAD + LINE_H * l->nlines[i];
		if (layer[i] + 1 > l->nlayers)
			l->nlayers = layer[i] + 1;
	}
	for (i = 0; i < l->nreal; i++) {
		const char *value = path_value(l->report, str(l->real[i], "id"), NULL);
		if (!is_decision(l->real[i]))
			continue;
		for (b = 0; b < 3; b++) {
			int t = real_index(l, str(l->real[i], branch_names[b])), L;
			edge *e;
			if (t < 0 || layer[t] <= layer[i])
				continue; /* only an unreachable node can point up; it is not drawn */
			if (l->ne >= MAX_EDGES)
				return alm_error_set(ALM_ELIMIT, "the decision tree is too large to draw (more than %d edges)",
						     MAX_EDGES);
			e = &l->e[l->ne++];
			memset(e, 0, sizeof *e);
			e->from = i;
			e->to = t;
			e->branch = b;
			e->taken = value && strcmp(value, branch_names[b]) == 0;
			e->possible = !e->taken && alm_rpt_outcome_takes(l->report, str(l->real[i], "id"), branch_names[b]);
			for (L = layer[i] + 1; L < layer[t]; L++) {
				int d;
				if (e->nchain >= MAX_CHAIN)
					return alm_error_set(ALM_ELIMIT, "the decision tree is too deep to draw");
				if ((d = add_vnode(l, -1, L)) < 0)
					return d;
				e->chain[e->nchain++] = d;
			}
		}
	}
	return 0;
}

/* The node just above `v` on each edge through it, with the branch it came by. */
static void parents_of(const layout *l, int v, int *parents, int *branches, int *n, int max)
{
	int i, k;
	*n = 0;
	for (i = 0; i < l->ne; i++) {
		const edge *e = &l->e[i];
		int prev = e->from;
		for (k = 0; k <= e->nchain; k++) {
			int cur = k < e->nchain ? e->chain[k] : e->to;
			if (cur == v && *n < max) {
				parents[*n] = prev;
				branches[*n] = e->branch;
				(*n)++;
			}
			prev = cur;
		}
	}
}

/*
 * Order within each layer by where the parents are (and by branch, yes before
 * no before unknown), then place left to right: each node as far left as its
 * parents' centre allows without overlapping its left neighbour. The first
 * branch of a decision thus stays straight below it.
 */
static void place(layout *l)
{
	int L, i, j;
	int members[MAX_VNODES];
	double min_x = 0, max_x = 0, y = MARGIN;

	for (L = 0; L < l->nlayers; L++) {
		int n = 0;
		double right = 0;
		int have_right = 0;
		for (i = 0; i < l->nv; i++) {
			int parents[64], branches[64], np, k;
			double key = 0, px = 0;
			if (l->v[i].layer != L)
				continue;
			parents_of(l, i, parents, branches, &np, 64);
			for (k = 0; k < np; k++) {
				key += l->v[parents[k]].order * 4.0 + branches[k];
				px += l->v[parents[k]].x;
			}
			l->v[i].key = np ? key / np : (double)i;
			l->v[i].x = np ? px / np : -1e9; /* the desired centre until placed */
			members[n++] = i;
		}
		/* Insertion sort: layers are short, and it is stable. */
		for (i = 1; i < n; i++) {
			int m = members[i];
			for (j = i; j > 0 && l->v[members[j - 1]].key > l->v[m].key; j--)
				members[j] = members[j - 1];
			members[j] = m;
		}
		l->layer_top[L] = y;
		l->layer_h[L] = 0;
		for (i = 0; i < n; i++) {
			vnode *v = &l->v[members[i]];
			double gap = (v->real < 0 || (i > 0 && l->v[members[i - 1]].real < 0)) ? DUMMY_GAP : GAP_X;
			double least = have_right ? right + gap + v->w / 2 : v->x;
			v->order = i;
			if (v->x < least)
				v->x = least;
			if (!have_right && v->x < -1e8)
				v->x = 0;
			right = v->x + v->w / 2;
			have_right = 1;
			if (v->h > l->layer_h[L])
				l->layer_h[L] = v->h;
			if (v->x - v->w / 2 < min_x)
				min_x = v->x - v->w / 2;
			if (right > max_x)
				max_x = right;
		}
		y += l->layer_h[L] + GAP_Y;
	}
	for (i = 0; i < l->nv; i++)
		l->v[i].x += MARGIN - min_x;
	l->width = max_x - min_x + 2 * MARGIN;
	l->height = y - GAP_Y + MARGIN;
}

static const char *edge_class(const edge *e)
{
	return e->taken ? " taken" : e->possible ? " possible" : "";
}

static void draw_edge(FILE *fp, const layout *l, const edge *e)
{
	const vnode *from = &l->v[e->from], *to = &l->v[e->to];
	double x0 = from->x, y0 = l->layer_top[from->layer] + from->h;
	double x1, y1, lx, ly, label_width;
	int k;

	/* The first leg ends where the edge enters the next layer. */
	if (e->nchain) {
		x1 = l->v[e->chain[0]].x;
		y1 = l->layer_top[from->layer + 1];
	} else {
		x1 = to->x;
		y1 = l->layer_top[to->layer];
	}
	fprintf(fp, "<path class=\"edge%s\" d=\"M%.1f %.1f", edge_class(e), x0, y0);
	for (k = 0; k < e->nchain; k++) {
		const vnode *d = &l->v[e->chain[k]];
		fprintf(fp, " L%.1f %.1f L%.1f %.1f", d->x, l->layer_top[d->layer], d->x,
			l->layer_top[d->layer] + l->layer_h[d->layer]);
	}
	fprintf(fp, " L%.1f %.1f\" marker-end=\"url(#%s)\"/>\n", to->x, l->layer_top[to->layer] - 2,
		e->taken ? "arrow-taken" : "arrow");
	/* The label sits on the first leg, a little past its middle, where the
	 * legs leaving one node have spread apart. */
	lx = x0 + (x1 - x0) * 0.6;
	ly = y0 + (y1 - y0) * 0.6;
	/* About 7 units a character at the label's size, plus padding. */
	label_width = (double)strlen(branch_names[e->branch]) * 7.0 + 8;
	fprintf(fp, "<g class=\"elabel%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" rx=\"3\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\">%s</text></g>\n",
		edge_class(e), lx - label_width / 2, ly - 8, label_width, lx, ly + 4,
		branch_names[e->branch]);
}

static void draw_node(FILE *fp, const layout *l, int i)
{
	const vnode *v = &l->v[i];
	const cJSON *node = l->real[i];
	const char *id = str(node, "id");
	int decision = is_decision(node), k;
	int on_path = decision ? path_value(l->report, id, NULL) != NULL : verdict_reached(l->report, id);
	double top = l->layer_top[v->layer], y;

	fputs("<g class=\"node ", fp);
	fputs(decision ? "decision" : "verdict", fp);
	if (on_path)
		fputs(" on-path", fp);
	else if (!decision && alm_rpt_outcome_reaches(l->report, id))
		fputs(" possible", fp);
	fputs("\" id=\"node-", fp);
	esc(fp, id);
	fprintf(fp, "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%d\"/>\n", v->x - v->w / 2, top,
		v->w, v->h, decision ? 3 : 14);
	y = top + PAD + LINE_H - 3;
	fputs("<text>", fp);
	for (k = 0; k < l->nlines[i]; k++) {
		static const char *const cls[] = {"t-label", "t-answer", "t-evidence", "t-step"};
		fprintf(fp, "<tspan class=\"%s\" x=\"%.1f\" y=\"%.1f\">", cls[l->lines[i][k].cls], v->x, y);
		esc(fp, l->lines[i][k].text);
		fputs("</tspan>", fp);
		y += LINE_H;
	}
	fputs("</text></g>\n", fp);
}

/* A sentence of the path for the drawing's text alternative. */
static void path_sentence(FILE *fp, const cJSON *report)
{
	const cJSON *step;
	fputs("The path taken: ", fp);
	cJSON_ArrayForEach(step, get(report, "path")) {
		esc(fp, str_or(step, "label", str_or(step, "node", "")));
		fputs(" ", fp);
		esc(fp, str_or(step, "value", "unknown"));
		fputs("; ", fp);
	}
	fputs("verdict: ", fp);
	esc(fp, str_or(report, "title", str_or(report, "verdict", "")));
	fputs(".", fp);
}

static int draw_tree(FILE *fp, const cJSON *report, const alm_rules *rules)
{
	const cJSON *tree = get(alm_rules_json(rules), "tree"), *node;
	layout *l = calloc(1, sizeof *l);
	int i, error = 0;

	if (!l)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	l->report = report;
	l->rules = rules;
	cJSON_ArrayForEach(node, get(tree, "nodes")) {
		if (l->nreal >= MAX_REAL) {
			error = alm_error_set(ALM_ELIMIT, "the decision tree is too large to draw (more than %d nodes)", MAX_REAL);
			goto done;
		}
		l->real[l->nreal++] = node;
	}
	l->start = real_index(l, str(tree, "start"));
	if ((error = build_graph(l)) < 0)
		goto done;
	place(l);

	fprintf(fp, "<svg class=\"tree\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
		    "height=\"%.0f\" role=\"img\" aria-labelledby=\"tree-title tree-desc\">\n",
		l->width, l->height, l->width, l->height);
	fputs("<title id=\"tree-title\">The decision tree of the CoE ALM maturity model, with the path this assessment "
	      "took</title>\n<desc id=\"tree-desc\">", fp);
	path_sentence(fp, report);
	fputs("</desc>\n<defs>"
	      "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" "
	      "markerWidth=\"9\" markerHeight=\"9\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#6b6b6b\"/></marker>"
	      "<marker id=\"arrow-taken\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" "
	      "markerWidth=\"13\" markerHeight=\"13\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#1b5e20\"/>"
	      "</marker></defs>\n",
	      fp);
	/* Edges not taken first, then the outcomes', so the path is drawn over them. */
	for (i = 0; i < l->ne; i++)
		if (!l->e[i].taken && !l->e[i].possible)
			draw_edge(fp, l, &l->e[i]);
	for (i = 0; i < l->ne; i++)
		if (l->e[i].possible)
			draw_edge(fp, l, &l->e[i]);
	for (i = 0; i < l->ne; i++)
		if (l->e[i].taken)
			draw_edge(fp, l, &l->e[i]);
	for (i = 0; i < l->nreal; i++)
		draw_node(fp, l, i);
	fputs("</svg>\n", fp);
done:
	for (i = 0; i < l->nreal; i++) {
		int k;
		for (k = 0; k < l->nlines[i]; k++)
			free(l->lines[i][k].text);
	}
	free(l);
	return error;
}

/* ---- the page --------------------------------------------------------- */

/* The page's style, one rule (or a few) a line: C limits how long one string may be. */
static const char *const css[] = {
	":root{--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--good:#1b5e20;--good-bg:#e3f2e1;--bad:#a11212;"
	"--bad-bg:#fbe5e5;--unk:#6d4c00;--unk-bg:#fff3cd;--na:#555;--na-bg:#eee;--accent:#0b4f8a}\n",
	"*{box-sizing:border-box}\n",
	"body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 \"Segoe UI\",Arial,\"Liberation Sans\","
	"\"DejaVu Sans\",sans-serif}\n",
	"header,main,footer{max-width:1180px;margin:0 auto;padding:0 24px}\n",
	"header{padding-top:24px;border-bottom:4px solid var(--accent);padding-bottom:12px}\n",
	".kicker{margin:0;color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.06em}\n",
	"h1{font-size:26px;line-height:1.25;margin:6px 0 8px}\n",
	"h2{font-size:20px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}\n",
	"h3{font-size:16px;margin:18px 0 6px}\n",
	".facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:8px 0 0;padding:0;list-style:none}\n",
	".facts li{margin:0}\n",
	".bar{display:inline-block;vertical-align:middle;width:140px;height:10px;border:1px solid var(--ink);"
	"margin-left:6px;background:#fff}\n",
	".bar span{display:block;height:100%;background:var(--accent)}\n",
	"code{font-family:\"DejaVu Sans Mono\",Consolas,monospace;font-size:.92em;background:#f3f3f3;padding:0 3px;"
	"border-radius:3px}\n",
	"table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}\n",
	"caption{text-align:left;color:var(--muted);padding:4px 0}\n",
	"th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}\n",
	"thead th{background:#f1f4f8}\n",
	"tbody th{font-weight:normal}\n",
	"td ul,li ul{margin:2px 0;padding-left:18px}\n",
	".status{display:inline-block;white-space:nowrap;font-weight:600;padding:0 6px;border-radius:3px;"
	"border:1px solid currentColor}\n",
	".s-good{color:var(--good);background:var(--good-bg)}.s-bad{color:var(--bad);background:var(--bad-bg)}\n",
	".s-unknown{color:var(--unk);background:var(--unk-bg)}.s-na{color:var(--na);background:var(--na-bg)}\n",
	".notice{border-left:5px solid var(--accent);background:#eef4fa;padding:8px 12px;margin:8px 0}\n",
	".notice.warning{border-color:#b45309;background:#fff7e6}\n",
	".muted{color:var(--muted)}\n",
	"figure{margin:8px 0}\n",
	".tree-wrap{overflow-x:auto;border:1px solid var(--line);padding:8px;background:#fcfcfc}\n",
	"svg.tree{display:block;margin:0 auto;max-width:100%;height:auto;font-family:\"Segoe UI\",Arial,\"Liberation Sans\","
	"\"DejaVu Sans\",sans-serif}\n",
	"svg.tree .node rect{fill:#fff;stroke:#8a8a8a;stroke-width:1.2}\n",
	"svg.tree .node.verdict rect{stroke-dasharray:5 3}\n",
	"svg.tree .node.on-path rect{fill:var(--good-bg);stroke:var(--good);stroke-width:3;stroke-dasharray:none}\n",
	"svg.tree text{font-size:12px;fill:#222;text-anchor:middle}\n",
	"svg.tree .t-answer{font-weight:700;fill:var(--good)}\n",
	"svg.tree .t-evidence{font-size:11px;fill:#333}\n",
	"svg.tree .t-step{font-size:11px}\n",
	"svg.tree .edge{fill:none;stroke:#8a8a8a;stroke-width:1.4;stroke-dasharray:6 4}\n",
	"svg.tree .edge.taken{stroke:var(--good);stroke-width:3.5;stroke-dasharray:none}\n",
	"svg.tree .elabel rect{fill:#fff;stroke:#bbb}\n",
	"svg.tree .elabel.taken rect{stroke:var(--good);stroke-width:1.5}\n",
	"svg.tree .elabel text{font-size:11px}\n",
	"svg.tree .edge.possible{stroke:#b45309;stroke-width:2.5;stroke-dasharray:3 3}\n",
	"svg.tree .elabel.possible rect{stroke:#b45309}\n",
	"svg.tree .node.possible rect{fill:var(--unk-bg);stroke:#b45309;stroke-width:2;stroke-dasharray:3 3}\n",
	".inferred{font-style:italic;color:var(--unk)}\n",
	"svg.tree .elabel.taken text{font-weight:700;fill:var(--good)}\n",
	".scale{display:flex;list-style:none;padding:0;margin:8px 0;gap:0}\n",
	".scale li{flex:1;border:1px solid var(--line);padding:8px;margin-left:-1px;min-width:0;background:#fafafa}\n",
	".scale li.reached{background:var(--good-bg)}\n",
	".scale li.planned{background:var(--unk-bg)}\n",
	".scale .lvl{font-size:20px;font-weight:700;display:block}\n",
	".scale .marks{display:block;font-weight:600}\n",
	".scale .gate{border-left:4px solid var(--accent)}\n",
	"footer{color:var(--muted);font-size:13px;padding-top:16px;padding-bottom:32px;border-top:1px solid "
	"var(--line);margin-top:32px}\n",
	"@media print{body{font-size:11pt}header,main,footer{max-width:none;padding:0}"
	".tree-wrap{overflow:visible;border:none}tr,li,figure,.notice{break-inside:avoid}"
	"h2,h3{break-after:avoid}.status,.scale li,.bar span{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n",
	"@page{margin:14mm}\n",
};

static void header_block(FILE *fp, const cJSON *r)
{
	const cJSON *c = get(r, "confidence"), *tool = get(r, "tool");
	double conf = cJSON_IsNumber(c) ? c->valuedouble : 0;
	fputs("<header>\n<p class=\"kicker\">ALM Accelerator readiness: alm-advisor report</p>\n<h1>", fp);
	esc(fp, str_or(r, "title", str_or(r, "verdict", "No verdict")));
	fputs("</h1>\n<ul class=\"facts\">\n<li>Verdict: <code>", fp);
	esc(fp, str_or(r, "verdict", "?"));
	fprintf(fp, "</code></li>\n<li>Confidence: <strong>%.2f</strong> of 1 <span class=\"bar\" aria-hidden=\"true\">"
		    "<span style=\"width:%.0f%%\"></span></span></li>\n",
		conf, conf < 0 ? 0 : conf > 1 ? 100 : conf * 100);
	fputs("<li>Rules: ", fp);
	esc(fp, str_or(tool, "rules_version", "?"));
	fputs("</li>\n</ul>\n</header>\n", fp);
}

static void why_block(FILE *fp, const cJSON *r)
{
	fputs("<section aria-labelledby=\"h-why\">\n<h2 id=\"h-why\">Why</h2>\n<p>", fp);
	esc(fp, str_or(r, "why", ""));
	fputs("</p>\n<p><strong>Today:</strong> ", fp);
	esc(fp, str_or(r, "supported_path", ""));
	fputs("</p>\n</section>\n", fp);
}

/* The page's head with its style, the header with the verdict, and why. */
static void page_begin(alm_rpt_walker *w)
{
	FILE *fp = w->fp;
	size_t i;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"",
	      fp);
	alm_rpt_tool(w);
	fputs("\">\n<title>ALM assessment: ", fp);
	esc(fp, str_or(w->report, "title", str_or(w->report, "verdict", "")));
	fputs("</title>\n<style>\n", fp);
	for (i = 0; i < sizeof css / sizeof css[0]; i++)
		fputs(css[i], fp);
	fputs("</style>\n</head>\n<body>\n", fp);
	header_block(fp, w->report);
	fputs("<main>\n", fp);
	why_block(fp, w->report);
}

static void evidence_list(FILE *fp, const cJSON *list)
{
	const cJSON *ev;
	if (cJSON_GetArraySize(list) == 0)
		return;
	fputs("<ul>", fp);
	cJSON_ArrayForEach(ev, list) {
		fputs("<li>", fp);
		esc(fp, str_or(ev, "detail", ""));
		fputs("</li>", fp);
	}
	fputs("</ul>", fp);
}

/* The drawing, then the path in words, step by step. */
static int path_steps(alm_rpt_walker *w)
{
	FILE *fp = w->fp;
	const cJSON *step;
	int error;
	fputs("<figure>\n<div class=\"tree-wrap\">\n", fp);
	if ((error = draw_tree(fp, w->report, w->rules)) < 0)
		return error;
	fputs("</div>\n<figcaption class=\"muted\">The path taken is drawn with thick solid lines and shaded boxes that "
	      "state the answer at each decision and the evidence behind it; dashed lines are branches not taken.</figcaption>\n"
	      "</figure>\n<h3>The path, step by step</h3>\n<ol>\n",
	      fp);
	cJSON_ArrayForEach(step, get(w->report, "path")) {
		fputs("<li><strong>", fp);
		esc(fp, str_or(step, "label", str_or(step, "node", "")));
		fputs("</strong> ", fp);
		status_badge(fp, str(step, "value"));
		if (str(step, "source")) {
			fputc(' ', fp);
			esc(fp, alm_rpt_source_phrase(str(step, "source")));
		}
		evidence_list(fp, get(step, "evidence"));
		fputs("</li>\n", fp);
	}
	fputs("</ol>\n", fp);
	return 0;
}

/* The levels as a scale, the current, the target and the gate marked in words. */
static void maturity_scale(alm_rpt_walker *w)
{
	FILE *fp = w->fp;
	const cJSON *m = get(w->report, "maturity"), *level, *add;
	const cJSON *current = get(m, "current"), *target = get(m, "target");
	int gate = alm_rpt_level_gate(w->report);
	fputs("<p>Current level: <strong>", fp);
	alm_rpt_level_current(w);
	fputs("</strong>; target: <strong>", fp);
	alm_rpt_level_target(w);
	fprintf(fp, "</strong>. The accelerator fits from level %d.</p>\n", gate);
	if (cJSON_GetArraySize(get(m, "levels")) == 0)
		return;
	fputs("<ol class=\"scale\" aria-label=\"Maturity levels 100 to 500\">\n", fp);
	cJSON_ArrayForEach(level, get(m, "levels")) {
		const cJSON *l = get(level, "level");
		const char *state = str_or(level, "state", "unknown");
		int n = cJSON_IsNumber(l) ? l->valueint : 0, first = 1;
		fputs("<li class=\"", fp);
		esc(fp, state);
		if (n == gate)
			fputs(" gate", fp);
		fprintf(fp, "\"><span class=\"lvl\">%d</span>", n);
		esc(fp, str_or(level, "name", ""));
		fputs("<span class=\"marks\">", fp);
		esc(fp, state);
		if (cJSON_IsNumber(current) && current->valueint == n)
			fputs(", current", fp);
		if (cJSON_IsNumber(target) && target->valueint == n)
			fputs(", target", fp);
		if (n == gate)
			fputs(", the accelerator's gate", fp);
		fputs("</span><span class=\"muted\">", fp);
		cJSON_ArrayForEach(add, get(level, "adds")) {
			if (!cJSON_IsString(add))
				continue;
			fputs(first ? "Adds: " : ", ", fp);
			esc(fp, add->valuestring);
			first = 0;
		}
		fputs("</span></li>\n", fp);
	}
	fputs("</ol>\n", fp);
}

/* Each part of a question with its status and evidence. */
static void question_parts(alm_rpt_walker *w, const cJSON *q)
{
	FILE *fp = w->fp;
	const cJSON *part;
	fputs("<ul>", fp);
	cJSON_ArrayForEach(part, get(q, "parts")) {
		fputs("<li>", fp);
		status_badge(fp, str(part, "status"));
		fputc(' ', fp);
		esc(fp, str_or(part, "text", str_or(part, "id", "")));
		evidence_list(fp, get(part, "evidence"));
		fputs("</li>", fp);
	}
	fputs("</ul>", fp);
}

/* ---- the markup the walk writes through ------------------------------- */

static void code(FILE *fp, const char *s)
{
	fputs("<code>", fp);
	esc(fp, s);
	fputs("</code>", fp);
}

static void section_open(FILE *fp, const char *id, const char *title)
{
	fprintf(fp, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">%s</h2>\n", id, id, title);
}

static void table_open(FILE *fp, const alm_rpt_table *t)
{
	int i;
	fputs(t->cls ? "<table class=\"" : "<table", fp);
	if (t->cls)
		fprintf(fp, "%s\"", t->cls);
	fputs(">\n<thead><tr>", fp);
	for (i = 0; i < t->ncolumns; i++)
		fprintf(fp, "<th scope=\"col\">%s</th>", t->columns[i].title);
	fputs(t->one_row ? "</tr></thead>\n<tbody>" : "</tr></thead>\n<tbody>\n", fp);
}

static void row_close(FILE *fp, const alm_rpt_table *t)
{
	fputs(t->one_row ? "</tr>" : "</tr>\n", fp);
}

static void cell_open(FILE *fp, const alm_rpt_table *t, int column)
{
	fputs(column == 0 && t->row_header ? "<th scope=\"row\">" : "<td>", fp);
}

static void cell_close(FILE *fp, const alm_rpt_table *t, int column)
{
	fputs(column == 0 && t->row_header ? "</th>" : "</td>", fp);
}

static const alm_rpt_markup html = {
	.text = esc,
	.cell = esc,
	.code = code,
	.code_cell = code,
	.status = status_badge,
	.section_open = section_open,
	.section_close = "</section>\n",
	.para = {"<p>", "</p>\n"},
	.block_gap = "",
	.strong = {"<strong>", "</strong>"},
	.quote = {"<q>", "</q>"},
	.list = {"<ul class=\"outcomes\">\n", "</ul>\n"},
	.item = {"<li>", "</li>\n"},
	.notice_open = {"<div class=\"notice\"><p>", "<div class=\"notice warning\"><p>"},
	.notice_text_close = "</p>",
	.notice_source = {"<p class=\"muted\">Source: ", "</p>"},
	.notice_close = "</div>\n",
	.table_open = table_open,
	.table_close = "</tbody>\n</table>\n",
	.row_open = "<tr>",
	.row_close = row_close,
	.cell_open = cell_open,
	.cell_close = cell_close,
	.inferred_text = " <span class=\"inferred\">(inferred from evidence)</span>",
	.inferred_cell = " <span class=\"inferred\">(inferred from evidence)</span>",
	.drawing_note = "<p class=\"muted\">The drawing marks the branches these outcomes take with dashed amber lines.</p>\n",
	.path_title = "The decision tree and the path taken",
	.questions_title = "Quick-start questions and their evidence",
	.questions_evidence = "Parts and evidence",
	.foot_open = "</main>\n<footer>\n<p>Produced by ",
	.foot_rules = " with rules ",
	.foot_close = ". The verdict follows the CoE ALM maturity model's decision tree; every decision is in the report, "
		      "this page only shows it.</p>\n</footer>\n</body>\n</html>\n",
	.begin = page_begin,
	.path = path_steps,
	.maturity = maturity_scale,
	.question_evidence = question_parts,
};

int alm_report_render_html(char **out, size_t *len, const cJSON *report, const alm_rules *rules)
{
	*out = NULL;
	if (!rules)
		return alm_error_set(ALM_EINVALID, "the html report draws the decision tree and needs the rules");
	return alm_rpt_walk(out, len, report, rules, &html);
}
