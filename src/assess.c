#include "alm/assess.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Three-valued truth: a decision may be known true, known false, or unknown. */
typedef enum { TV_FALSE = 0, TV_TRUE = 1, TV_UNKNOWN = 2 } truth;

typedef struct {
	const alm_rules *rules;
	const alm_facts *facts;
	cJSON *parts; /* part id -> {"status","source","evidence"} */
} engine;

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str
#define get alm_json_get

static int present(const alm_facts *facts, const char *path)
{
	const cJSON *v = alm_facts_get(facts, path);
	return v && !cJSON_IsNull(v);
}

static const char *status_name(truth t)
{
	return t == TV_TRUE ? "met" : t == TV_FALSE ? "gap" : "unknown";
}

static const char *branch_name(truth t)
{
	return t == TV_TRUE ? "yes" : t == TV_FALSE ? "no" : "unknown";
}

static truth truth_of_status(const char *status)
{
	if (status && strcmp(status, "met") == 0)
		return TV_TRUE;
	if (status && strcmp(status, "gap") == 0)
		return TV_FALSE;
	return TV_UNKNOWN;
}

/* Evidence of the facts a decision reads: one entry per present fact, in the
 * order of `needs`, so the first entry names the source that decided. */
static cJSON *evidence_of(const alm_facts *facts, const cJSON *needs, const char **source)
{
	cJSON *list = cJSON_CreateArray();
	const cJSON *n;
	*source = NULL;
	if (!list)
		return NULL;
	cJSON_ArrayForEach(n, needs) {
		const cJSON *ev, *value;
		cJSON *entry;
		if (!present(facts, n->valuestring))
			continue;
		ev = alm_facts_evidence(facts, n->valuestring);
		value = alm_facts_get(facts, n->valuestring);
		entry = cJSON_CreateObject();
		if (!entry) {
			alm_json_add(list, NULL, NULL); /* counted: the report will say so */
			break;
		}
		alm_json_add_string(entry, "source", ev && str(ev, "source") ? str(ev, "source") : "default");
		alm_json_add_string(entry, "fact", n->valuestring);
		if (ev && str(ev, "detail")) {
			alm_json_add_string(entry, "detail", str(ev, "detail"));
		} else {
			char *text = cJSON_PrintUnformatted(value);
			char line[600];
			snprintf(line, sizeof line, "%s = %.500s", n->valuestring, text ? text : "?");
			cJSON_free(text);
			alm_json_add_string(entry, "detail", line);
		}
		if (alm_json_add(list, NULL, entry) && !*source)
			*source = str(entry, "source");
	}
	return list;
}

/* Decides `condition` over the facts, three-valued: unknown when none of `needs`
 * is present or the condition yields null. */
static int decide(truth *out, const engine *e, const cJSON *needs, const cJSON *condition, const char *where)
{
	const cJSON *n;
	cJSON *result = NULL;
	int any = 0, error;

	*out = TV_UNKNOWN;
	cJSON_ArrayForEach(n, needs)
		any |= present(e->facts, n->valuestring);
	if (!any)
		return 0;
	if ((error = alm_jsonlogic_apply(&result, condition, alm_facts_data(e->facts))) < 0)
		return alm_error_prefix(error, "rules: %s", where);
	if (!cJSON_IsNull(result))
		*out = alm_jsonlogic_truthy(result) ? TV_TRUE : TV_FALSE;
	cJSON_Delete(result);
	return 0;
}

/* Counts of a list's three values, combined without a bound on its length. */
typedef struct {
	int n, t, f, u;
} tally;

static void count(tally *c, truth v)
{
	c->n++;
	c->t += v == TV_TRUE;
	c->f += v == TV_FALSE;
	c->u += v == TV_UNKNOWN;
}

static truth combine(const char *how, const tally *c)
{
	if (how && strcmp(how, "any") == 0)
		return c->t ? TV_TRUE : c->u ? TV_UNKNOWN : c->n ? TV_FALSE : TV_UNKNOWN;
	return c->f ? TV_FALSE : c->u ? TV_UNKNOWN : c->n ? TV_TRUE : TV_UNKNOWN;
}

/* Evaluates every question part once; the tree and the report read the results. */
static int evaluate_parts(engine *e)
{
	const cJSON *q, *part;
	cJSON_ArrayForEach(q, get(alm_rules_json(e->rules), "questions")) {
		cJSON_ArrayForEach(part, get(q, "parts")) {
			const char *id = str(part, "id"), *source;
			cJSON *state, *evidence;
			char where[300];
			truth t;
			int error;
			snprintf(where, sizeof where, "question part \"%s\"", id);
			if ((error = decide(&t, e, get(part, "needs"), get(part, "condition"), where)) < 0)
				return error;
			evidence = evidence_of(e->facts, get(part, "needs"), &source);
			state = cJSON_CreateObject();
			if (!state || !evidence) {
				cJSON_Delete(state);
				cJSON_Delete(evidence);
				return alm_error_set(ALM_ENOMEM, "out of memory");
			}
			alm_json_add_string(state, "status", status_name(t));
			if (source && t != TV_UNKNOWN)
				alm_json_add_string(state, "source", source);
			else
				alm_json_add_null(state, "source");
			alm_json_add(state, "evidence", evidence);
			alm_json_add(e->parts, id, state);
		}
	}
	return 0;
}

static truth part_truth(const engine *e, const char *id)
{
	return truth_of_status(str(get(e->parts, id), "status"));
}

static truth parts_truth(const engine *e, const cJSON *ids, const char *how)
{
	tally c = {0, 0, 0, 0};
	const cJSON *id;
	cJSON_ArrayForEach(id, ids)
		count(&c, part_truth(e, id->valuestring));
	return combine(how, &c);
}

/* Appends the evidence of the given parts to `into`, the parts that agree with
 * the decision `t` first, so the first entry (and *source) names what decided. */
static void add_parts_evidence(const engine *e, cJSON *into, const cJSON *ids, truth t, const char **source)
{
	const cJSON *id, *ev;
	int agreeing;
	for (agreeing = 1; agreeing >= 0; agreeing--) {
		cJSON_ArrayForEach(id, ids) {
			const cJSON *state = get(e->parts, id->valuestring);
			if ((part_truth(e, id->valuestring) == t) != agreeing)
				continue;
			if (!*source && str(state, "source"))
				*source = str(state, "source");
			cJSON_ArrayForEach(ev, get(state, "evidence"))
				alm_json_add(into, NULL, cJSON_Duplicate(ev, 1));
		}
	}
}

/* Walks the tree from its start; fills `path` and returns the verdict node id. */
static int walk(const char **verdict, const engine *e, cJSON *path, int *decided, int *decisions)
{
	const cJSON *tree = get(alm_rules_json(e->rules), "tree");
	const char *at = str(tree, "start");
	int steps = 0;

	*verdict = NULL;
	*decided = *decisions = 0;
	while (at) {
		const cJSON *node = alm_rules_node(e->rules, at);
		const char *source = NULL;
		cJSON *entry, *evidence;
		truth t;
		if (!node || ++steps > 1000)
			return alm_error_set(ALM_EINVALID, "rules: the tree cannot be walked at \"%s\"", at);
		if (strcmp(str(node, "kind"), "verdict") == 0) {
			*verdict = at;
			return 0;
		}
		evidence = cJSON_CreateArray();
		if (get(node, "part")) {
			cJSON *one = cJSON_CreateArray();
			alm_json_add(one, NULL, cJSON_CreateString(str(node, "part")));
			t = part_truth(e, str(node, "part"));
			add_parts_evidence(e, evidence, one, t, &source);
			cJSON_Delete(one);
		} else if (get(node, "parts")) {
			t = parts_truth(e, get(node, "parts"), str(node, "combine"));
			add_parts_evidence(e, evidence, get(node, "parts"), t, &source);
		} else {
			char where[300];
			const cJSON *ev;
			cJSON *list;
			int error;
			snprintf(where, sizeof where, "tree node \"%s\"", at);
			if ((error = decide(&t, e, get(node, "needs"), get(node, "condition"), where)) < 0) {
				cJSON_Delete(evidence);
				return error;
			}
			list = evidence_of(e->facts, get(node, "needs"), &source);
			cJSON_ArrayForEach(ev, list)
				alm_json_add(evidence, NULL, cJSON_Duplicate(ev, 1));
			cJSON_Delete(list);
			/* `source` pointed into `list`; take it again from the copy. */
			source = str(cJSON_GetArrayItem(evidence, 0), "source");
		}
		entry = cJSON_CreateObject();
		alm_json_add_string(entry, "node", at);
		alm_json_add_string(entry, "label", str(node, "label") ? str(node, "label") : at);
		alm_json_add_string(entry, "value", branch_name(t));
		if (source && t != TV_UNKNOWN)
			alm_json_add_string(entry, "source", source);
		else
			alm_json_add_null(entry, "source");
		alm_json_add(entry, "evidence", evidence);
		alm_json_add(path, NULL, entry);
		(*decisions)++;
		*decided += t != TV_UNKNOWN;
		at = str(node, branch_name(t));
	}
	return alm_error_set(ALM_EINVALID, "rules: the tree ends without a verdict");
}

static int applies(const cJSON *question, const char *verdict)
{
	const cJSON *list = get(question, "applies_to"), *v;
	if (!list)
		return 1;
	cJSON_ArrayForEach(v, list)
		if (strcmp(v->valuestring, verdict) == 0)
			return 1;
	return 0;
}

static double part_weight(const cJSON *part)
{
	const cJSON *w = get(part, "weight");
	return cJSON_IsNumber(w) ? w->valuedouble : 1.0;
}

/* A question's status from its applicable parts' statuses. */
static truth question_truth(const engine *e, const cJSON *q)
{
	tally c = {0, 0, 0, 0};
	const cJSON *part;
	cJSON_ArrayForEach(part, get(q, "parts"))
		count(&c, part_truth(e, str(part, "id")));
	return combine(str(q, "combine"), &c);
}

static void add_gap(cJSON *gaps, const cJSON *q, const cJSON *part)
{
	cJSON *gap = cJSON_CreateObject();
	alm_json_add_string(gap, "question", str(q, "id"));
	alm_json_add_string(gap, "part", str(part, "id"));
	alm_json_add_string(gap, "section", str(q, "section"));
	alm_json_add_string(gap, "text", str(part, "text"));
	alm_json_add_string(gap, "action", str(part, "action"));
	alm_json_add(gaps, NULL, gap);
}

static void add_unknown(cJSON *unknowns, const cJSON *q, const cJSON *part)
{
	cJSON *u = cJSON_CreateObject();
	alm_json_add_string(u, "question", str(q, "id"));
	alm_json_add_string(u, "part", str(part, "id"));
	alm_json_add_string(u, "text", str(part, "text"));
	if (str(part, "ask"))
		alm_json_add_string(u, "ask", str(part, "ask"));
	else
		alm_json_add_null(u, "ask");
	alm_json_add(unknowns, NULL, u);
}

/* The questions with their parts' statuses, and the gaps and unknowns they
 * yield. An "any" question already met by one part needs no more answers, so
 * its unknown parts are neither asked nor held against the confidence. */
static void build_questions(const engine *e, cJSON *report, const char *verdict, double *known_w, double *total_w)
{
	cJSON *questions = alm_json_add_array(report, "questions");
	cJSON *gaps = alm_json_add_array(report, "gaps");
	cJSON *unknowns = alm_json_add_array(report, "unknowns");
	const cJSON *q, *part;

	*known_w = *total_w = 0;
	cJSON_ArrayForEach(q, get(alm_rules_json(e->rules), "questions")) {
		int applicable = applies(q, verdict);
		truth status = question_truth(e, q);
		int settled = status == TV_TRUE && str(q, "combine") && strcmp(str(q, "combine"), "any") == 0;
		cJSON *entry = cJSON_CreateObject(), *parts = cJSON_CreateArray(), *evidence = cJSON_CreateArray();

		alm_json_add_string(entry, "id", str(q, "id"));
		alm_json_add_number(entry, "number", get(q, "number")->valuedouble);
		alm_json_add_string(entry, "section", str(q, "section"));
		alm_json_add_string(entry, "text", str(q, "text"));
		alm_json_add_string(entry, "role", str(q, "role") ? str(q, "role") : "readiness");
		alm_json_add_string(entry, "status", applicable ? status_name(status) : "not-applicable");
		cJSON_ArrayForEach(part, get(q, "parts")) {
			const char *id = str(part, "id");
			const cJSON *state = get(e->parts, id), *ev;
			const char *pstatus = applicable ? str(state, "status") : "not-applicable";
			cJSON *pe = cJSON_CreateObject();
			alm_json_add_string(pe, "id", id);
			alm_json_add_string(pe, "text", str(part, "text"));
			alm_json_add_string(pe, "status", pstatus);
			alm_json_add_copy(pe, "source", get(state, "source"));
			alm_json_add_copy(pe, "evidence", get(state, "evidence"));
			if (str(part, "ask"))
				alm_json_add_string(pe, "ask", str(part, "ask"));
			alm_json_add(parts, NULL, pe);
			cJSON_ArrayForEach(ev, get(state, "evidence"))
				alm_json_add(evidence, NULL, cJSON_Duplicate(ev, 1));
			if (!applicable)
				continue;
			*total_w += part_weight(part);
			if (strcmp(pstatus, "unknown") != 0 || settled)
				*known_w += part_weight(part);
			if (strcmp(pstatus, "gap") == 0 && str(part, "action"))
				add_gap(gaps, q, part);
			else if (strcmp(pstatus, "unknown") == 0 && !settled)
				add_unknown(unknowns, q, part);
		}
		alm_json_add(entry, "evidence", evidence);
		alm_json_add(entry, "parts", parts);
		alm_json_add(questions, NULL, entry);
	}
}

/* The prerequisite steps of the tree, in its order, with their status. */
static void build_prerequisites(const engine *e, cJSON *report)
{
	cJSON *list = alm_json_add_array(report, "prerequisites");
	const cJSON *node, *step;
	cJSON_ArrayForEach(node, get(get(alm_rules_json(e->rules), "tree"), "nodes")) {
		cJSON_ArrayForEach(step, get(node, "steps")) {
			cJSON *entry = cJSON_CreateObject();
			alm_json_add_string(entry, "id", str(step, "id"));
			alm_json_add_string(entry, "text", str(step, "label"));
			alm_json_add_string(entry, "status", status_name(parts_truth(e, get(step, "parts"), "all")));
			alm_json_add_copy(entry, "parts", get(step, "parts"));
			alm_json_add(list, NULL, entry);
		}
	}
}

static void build_impact(const engine *e, cJSON *report)
{
	cJSON *impact = alm_json_add_object(report, "impact");
	const cJSON *tier_fact = alm_facts_get(e->facts, "answers.impact");
	const cJSON *tier = cJSON_IsString(tier_fact) ? alm_rules_tier(e->rules, tier_fact->valuestring) : NULL;
	if (!tier) {
		alm_json_add_null(impact, "tier");
		alm_json_add_null(impact, "title");
		alm_json_add_null(impact, "meaning");
		alm_json_add_null(impact, "sla");
		alm_json_add_null(impact, "source");
		return;
	}
	alm_json_add_string(impact, "tier", str(tier, "id"));
	alm_json_add_string(impact, "title", str(tier, "title"));
	alm_json_add_string(impact, "meaning", str(tier, "meaning"));
	alm_json_add_copy(impact, "sla", get(tier, "sla"));
	alm_json_add_string(impact, "source", "answers");
}

static void build_maturity(const engine *e, cJSON *report)
{
	cJSON *maturity = alm_json_add_object(report, "maturity");
	const cJSON *current = alm_facts_get(e->facts, "answers.maturity.current");
	const cJSON *target = alm_facts_get(e->facts, "answers.maturity.target");
	cJSON *levels;
	const cJSON *level;
	alm_json_add(maturity, "current", cJSON_IsNumber(current) ? cJSON_Duplicate(current, 0) : cJSON_CreateNull());
	alm_json_add(maturity, "target", cJSON_IsNumber(target) ? cJSON_Duplicate(target, 0) : cJSON_CreateNull());
	alm_json_add_number(maturity, "gate", 300);
	levels = alm_json_add_array(maturity, "levels");
	cJSON_ArrayForEach(level, get(alm_rules_json(e->rules), "maturity")) {
		cJSON *entry = cJSON_Duplicate(level, 1);
		double l = get(level, "level")->valuedouble;
		const char *state = "unknown";
		if (cJSON_IsNumber(current))
			state = l <= current->valuedouble ? "reached"
				: (cJSON_IsNumber(target) && l <= target->valuedouble) ? "planned" : "beyond";
		alm_json_add_string(entry, "state", state);
		alm_json_add(levels, NULL, entry);
	}
}

/* Appends one fact's value as words: a string as it is, a number as an
 * integer when it is one, an array's items joined by " -> " (stages in order). */
static void put_value(FILE *fp, const cJSON *v)
{
	const cJSON *item;
	int first = 1;
	if (cJSON_IsString(v))
		fputs(v->valuestring, fp);
	else if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
		fprintf(fp, "%.0f", v->valuedouble);
	else if (cJSON_IsNumber(v))
		fprintf(fp, "%g", v->valuedouble);
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "yes" : "no", fp);
	else if (cJSON_IsArray(v))
		cJSON_ArrayForEach(item, v) {
			fputs(first ? "" : " -> ", fp);
			put_value(fp, item);
			first = 0;
		}
}

/*
 * A notice's text with each {{fact.path}} replaced by the fact's value, or by
 * the text after '|' ({{fact.path|fallback}}) when the fact is absent or null.
 * A new string (caller frees); NULL when out of memory.
 */
static char *interpolate(const char *text, const cJSON *data)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	const char *p = text;
	if (!fp)
		return NULL;
	while (*p) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
		char path[256];
		const char *bar;
		const cJSON *v;
		size_t n;
		if (!open || !close) {
			fputs(p, fp);
			break;
		}
		fwrite(p, 1, (size_t)(open - p), fp);
		n = (size_t)(close - open - 2);
		bar = memchr(open + 2, '|', n);
		snprintf(path, sizeof path, "%.*s", (int)(bar ? (size_t)(bar - open - 2) : n), open + 2);
		v = alm_json_get_path(data, path);
		if (v && !cJSON_IsNull(v))
			put_value(fp, v);
		else if (bar)
			fwrite(bar + 1, 1, (size_t)(close - bar - 1), fp);
		else
			fputs("unknown", fp);
		p = close + 2;
	}
	if (fclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int build_notices(const engine *e, cJSON *report, const char *verdict)
{
	cJSON *notices = alm_json_add_array(report, "notices");
	const cJSON *n, *v;
	cJSON_ArrayForEach(n, get(alm_rules_json(e->rules), "notices")) {
		int match = !get(n, "applies_to");
		cJSON_ArrayForEach(v, get(n, "applies_to"))
			match |= strcmp(v->valuestring, "*") == 0 || strcmp(v->valuestring, verdict) == 0;
		if (match && get(n, "when")) {
			cJSON *result = NULL;
			int error = alm_jsonlogic_apply(&result, get(n, "when"), alm_facts_data(e->facts));
			if (error < 0)
				return alm_error_prefix(error, "rules: notice \"%s\"", str(n, "id"));
			match = alm_jsonlogic_truthy(result);
			cJSON_Delete(result);
		}
		if (match) {
			cJSON *entry = cJSON_Duplicate(n, 1);
			const char *text = str(n, "text");
			cJSON_DeleteItemFromObjectCaseSensitive(entry, "when");
			cJSON_DeleteItemFromObjectCaseSensitive(entry, "applies_to");
			if (text && strstr(text, "{{")) {
				char *filled = interpolate(text, alm_facts_data(e->facts));
				if (!filled || !cJSON_ReplaceItemInObjectCaseSensitive(entry, "text", cJSON_CreateString(filled))) {
					free(filled);
					cJSON_Delete(entry);
					return alm_error_set(ALM_ENOMEM, "out of memory");
				}
				free(filled);
			}
			alm_json_add(notices, NULL, entry);
		}
	}
	return 0;
}

/* One sentence of why: the verdict's summary and, for an unknown, what decides it. */
static void build_why(cJSON *report, const cJSON *verdict, const cJSON *path)
{
	char why[2048];
	const cJSON *step;
	size_t used = (size_t)snprintf(why, sizeof why, "%s", str(verdict, "summary"));
	cJSON_ArrayForEach(step, path) {
		const char *source = str(step, "source");
		if (used >= sizeof why)
			break;
		if (source)
			used += (size_t)snprintf(why + used, sizeof why - used, " %s %s (from %s).", str(step, "label"),
						 str(step, "value"), source);
		else
			used += (size_t)snprintf(why + used, sizeof why - used, " %s %s.", str(step, "label"),
						 str(step, "value"));
	}
	alm_json_add_string(report, "why", why);
}

static void add_unique(cJSON *list, const char *key)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, list)
		if (strcmp(n->valuestring, key) == 0)
			return;
	alm_json_add(list, NULL, cJSON_CreateString(key));
}

/* The answers a part reads that are still missing (its `ask` may name one that
 * is given while another is not); its `ask` when it reads none. */
static void add_missing_answers(const engine *e, cJSON *list, const char *part_id, const char *ask)
{
	const cJSON *part = alm_rules_part(e->rules, part_id, NULL), *n;
	int added = 0;
	cJSON_ArrayForEach(n, get(part, "needs")) {
		if (strncmp(n->valuestring, "answers.", 8) == 0 && !present(e->facts, n->valuestring)) {
			add_unique(list, n->valuestring + 8);
			added = 1;
		}
	}
	if (!added)
		add_unique(list, ask);
}

/* The answers keys that would decide the node where the walk stopped on an unknown. */
static void build_decide_with(const engine *e, cJSON *report, const cJSON *path)
{
	cJSON *list = alm_json_add_array(report, "decide_with");
	const cJSON *last = cJSON_GetArrayItem(path, cJSON_GetArraySize(path) - 1), *node, *n, *u;
	if (!last || strcmp(str(last, "value"), "unknown") != 0)
		return;
	node = alm_rules_node(e->rules, str(last, "node"));
	/* A condition names what it reads in `needs`, most deciding first; some of
	 * those answers no question part asks for (the creators, say). */
	cJSON_ArrayForEach(n, get(node, "needs")) {
		if (strncmp(n->valuestring, "answers.", 8) == 0 && !present(e->facts, n->valuestring))
			add_unique(list, n->valuestring + 8);
	}
	/* A node decided by question parts: the answers keys of its unknown parts. */
	cJSON_ArrayForEach(u, get(report, "unknowns")) {
		const char *part = str(u, "part"), *ask = str(u, "ask");
		int related = 0;
		if (!ask)
			continue;
		if (str(node, "part"))
			related = strcmp(str(node, "part"), part) == 0;
		cJSON_ArrayForEach(n, get(node, "parts"))
			related |= strcmp(n->valuestring, part) == 0;
		if (related)
			add_missing_answers(e, list, part, ask);
	}
}

int alm_assess(cJSON **out, const alm_rules *rules, const alm_facts *facts, const char *tool_version)
{
	engine e;
	cJSON *report = NULL, *path, *tool;
	const cJSON *verdict_rule, *weights = get(alm_rules_json(rules), "confidence");
	const char *verdict;
	double known_w, total_w, pw = 0.5, qw = 0.5, confidence;
	int decided, decisions, error;
	unsigned long failures = alm_json_add_failures();

	*out = NULL;
	e.rules = rules;
	e.facts = facts;
	e.parts = cJSON_CreateObject();
	report = cJSON_CreateObject();
	if (!e.parts || !report) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = evaluate_parts(&e)) < 0)
		goto done;
	alm_json_add_string(report, "schema", "alm-advisor/report@1");
	tool = alm_json_add_object(report, "tool");
	alm_json_add_string(tool, "name", "alm-advisor");
	alm_json_add_string(tool, "version", tool_version ? tool_version : "");
	alm_json_add_string(tool, "rules_version", str(alm_rules_json(rules), "version"));
	path = cJSON_CreateArray();
	if ((error = walk(&verdict, &e, path, &decided, &decisions)) < 0) {
		cJSON_Delete(path);
		goto done;
	}
	verdict_rule = alm_rules_verdict(rules, verdict);
	alm_json_add_string(report, "verdict", verdict);
	alm_json_add_string(report, "title", str(verdict_rule, "title"));
	alm_json_add_copy(report, "leaf", get(verdict_rule, "leaf"));
	alm_json_add_string(report, "supported_path", str(verdict_rule, "supported_path"));
	build_why(report, verdict_rule, path);
	if (!alm_json_add(report, "path", path)) {
		error = alm_error_set(ALM_ENOMEM, "out of memory building the report");
		goto done;
	}
	build_impact(&e, report);
	build_maturity(&e, report);
	build_questions(&e, report, verdict, &known_w, &total_w);
	build_prerequisites(&e, report);
	build_decide_with(&e, report, path);

	if (cJSON_IsNumber(get(weights, "path_weight")))
		pw = get(weights, "path_weight")->valuedouble;
	if (cJSON_IsNumber(get(weights, "questions_weight")))
		qw = get(weights, "questions_weight")->valuedouble;
	confidence = pw + qw > 0 ? (pw * (decisions ? (double)decided / decisions : 0) +
				    qw * (total_w > 0 ? known_w / total_w : 0)) / (pw + qw)
				 : 0;
	alm_json_add_number(report, "confidence", round(confidence * 100) / 100);
	if ((error = build_notices(&e, report, verdict)) < 0)
		goto done;
	alm_json_add_copy(report, "follow_up", get(alm_rules_json(rules), "follow_up"));
	alm_json_add_copy(report, "probes", alm_facts_probes(facts));
	alm_json_add_copy(report, "facts", alm_facts_data(facts));
	/* Never a partial report: an addition that failed fails the assessment. */
	if ((error = alm_json_add_check(failures, "the report")) < 0)
		goto done;
	*out = report;
	report = NULL;
done:
	cJSON_Delete(e.parts);
	cJSON_Delete(report);
	return error;
}

const char *alm_report_verdict(const cJSON *report)
{
	return str(report, "verdict");
}

double alm_report_confidence(const cJSON *report)
{
	const cJSON *c = get(report, "confidence");
	return cJSON_IsNumber(c) ? c->valuedouble : 0;
}
