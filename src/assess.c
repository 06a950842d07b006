#include "alm/assess.h"
#include "alm/derive.h"
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
	const alm_derivation *derived;
	const cJSON *data;   /* what conditions read: the facts, derived facts, stand-ins */
	double inferred_w;   /* what a decision from a derived value counts in the confidence */
	const cJSON *forced; /* what-if: node id -> "yes"|"no", taken without deciding */
	cJSON *parts;        /* part id -> {"status","source","evidence"} */
} engine;

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str
#define get alm_json_get

/* Known to the conditions: stated, read by a probe, or derived. */
static int present(const engine *e, const char *path)
{
	const cJSON *v = alm_json_get_path(e->data, path);
	return v && !cJSON_IsNull(v);
}

/* In the facts themselves: an answer a derived value stands in for is not. */
static int stated(const engine *e, const char *path)
{
	const cJSON *v = alm_facts_get(e->facts, path);
	return v && !cJSON_IsNull(v);
}

/* The evidence entry of a value read from a derivation: what it rests on. */
static cJSON *inferred_evidence(const cJSON *record)
{
	cJSON *entry = cJSON_CreateObject();
	char line[1200];
	if (!entry)
		return NULL;
	snprintf(line, sizeof line, "inferred from evidence: %s", str(record, "evidence"));
	alm_json_add_string(entry, "source", "derived");
	alm_json_add_string(entry, "fact", str(record, "fact"));
	if (str(record, "answers"))
		alm_json_add_string(entry, "answers", str(record, "answers"));
	alm_json_add_string(entry, "detail", line);
	alm_json_add_bool(entry, "inferred", 1);
	return entry;
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
static cJSON *evidence_of(const engine *e, const cJSON *needs, const char **source)
{
	const alm_facts *facts = e->facts;
	cJSON *list = cJSON_CreateArray();
	const cJSON *n;
	*source = NULL;
	if (!list)
		return NULL;
	cJSON_ArrayForEach(n, needs) {
		const cJSON *ev, *value;
		const cJSON *record = alm_derivation_record(e->derived, n->valuestring);
		cJSON *entry;
		if (!present(e, n->valuestring))
			continue;
		if (record) {
			if (!(entry = inferred_evidence(record)))
				break;
			if (!*source)
				*source = str(entry, "source");
			alm_json_add(list, NULL, entry);
			continue;
		}
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

/* Evaluates `condition` over `data`, three-valued: unknown when none of
 * `needs` is present there or the condition yields null. */
static int evaluate(truth *out, const cJSON *data, const cJSON *needs, const cJSON *condition, const char *where)
{
	const cJSON *n, *v;
	cJSON *result = NULL;
	int any = 0, error;

	*out = TV_UNKNOWN;
	cJSON_ArrayForEach(n, needs) {
		v = alm_json_get_path(data, n->valuestring);
		any |= v && !cJSON_IsNull(v);
	}
	if (!any)
		return 0;
	if ((error = alm_jsonlogic_apply(&result, condition, data)) < 0)
		return alm_error_prefix(error, "rules: %s", where);
	if (!cJSON_IsNull(result))
		*out = alm_jsonlogic_truthy(result) ? TV_TRUE : TV_FALSE;
	cJSON_Delete(result);
	return 0;
}

/* Decides `condition` over the facts and the derived values standing in for
 * missing answers. *inferred says whether those values decided it: without
 * them the condition would not come out the same. */
static int decide(truth *out, int *inferred, const engine *e, const cJSON *needs, const cJSON *condition,
		  const char *where)
{
	const cJSON *n;
	int derived = 0, lower = 0, error;
	truth without;

	*inferred = 0;
	if ((error = evaluate(out, e->data, needs, condition, where)) < 0)
		return error;
	cJSON_ArrayForEach(n, needs) {
		const cJSON *record = alm_derivation_record(e->derived, n->valuestring);
		derived |= record != NULL;
		lower |= record && strcmp(str(record, "bound"), "lower") == 0;
	}
	if (!derived || *out == TV_UNKNOWN)
		return 0;
	if ((error = evaluate(&without, alm_derivation_stated(e->derived), needs, condition, where)) < 0)
		return error;
	*inferred = without != *out;
	/* A lower bound may confirm a condition but never refute it: "at least
	 * 200" does not say the level is below 300. */
	if (*inferred && lower && *out == TV_FALSE) {
		*out = TV_UNKNOWN;
		*inferred = 0;
	}
	return 0;
}

/* A derived value that did not decide (the facts decide the same without
 * it) is not evidence of the decision: the facts themselves are. */
static void drop_undeciding(cJSON *evidence, int inferred)
{
	cJSON *ev = evidence ? evidence->child : NULL, *next;
	for (; ev && !inferred; ev = next) {
		next = ev->next;
		if (cJSON_IsTrue(get(ev, "inferred")))
			cJSON_Delete(cJSON_DetachItemViaPointer(evidence, ev));
	}
}

/* Marks each derived record with whether it decided a decision or a part. */
static void mark_deciding(cJSON *records, const cJSON *report)
{
	cJSON *record;
	const cJSON *q, *p, *step, *ev;
	cJSON_ArrayForEach(record, records) {
		int decided = 0;
		const char *fact = str(record, "fact");
		cJSON_ArrayForEach(step, get(report, "path"))
			cJSON_ArrayForEach(ev, get(step, "evidence"))
				decided |= cJSON_IsTrue(get(ev, "inferred")) && strcmp(str(ev, "fact"), fact) == 0;
		cJSON_ArrayForEach(q, get(report, "questions"))
			cJSON_ArrayForEach(p, get(q, "parts"))
				cJSON_ArrayForEach(ev, get(p, "evidence"))
					decided |= cJSON_IsTrue(get(ev, "inferred")) && strcmp(str(ev, "fact"), fact) == 0;
		alm_json_add_bool(record, "decided", decided);
	}
}

/* The source a decision names: "derived" when inferred, else the first
 * evidence that is not a derived value's. Borrowed from `evidence`. */
static const char *decided_by(const cJSON *evidence, int inferred)
{
	const cJSON *ev;
	if (inferred)
		return "derived";
	cJSON_ArrayForEach(ev, evidence)
		if (!cJSON_IsTrue(get(ev, "inferred")))
			return str(ev, "source");
	return NULL;
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
			int error, inferred;
			snprintf(where, sizeof where, "question part \"%s\"", id);
			if ((error = decide(&t, &inferred, e, get(part, "needs"), get(part, "condition"), where)) < 0)
				return error;
			evidence = evidence_of(e, get(part, "needs"), &source);
			drop_undeciding(evidence, inferred);
			source = decided_by(evidence, inferred);
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
			alm_json_add_bool(state, "inferred", inferred && t != TV_UNKNOWN);
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

/* The source of a decision by parts. The parts that agree with it decided it;
 * it is inferred when every one that could decide it alone was inferred (for
 * "all" met, or "any" gap, each part counts, so one inferred part is enough). */
static const char *parts_source(const engine *e, const cJSON *ids, const char *how, truth t)
{
	int every = (how && strcmp(how, "any") == 0) ? t == TV_FALSE : t == TV_TRUE;
	int any_inferred = 0, all_inferred = 1;
	const char *first_stated = NULL;
	const cJSON *id;
	if (t == TV_UNKNOWN)
		return NULL;
	cJSON_ArrayForEach(id, ids) {
		const cJSON *state = get(e->parts, id->valuestring);
		int inferred = cJSON_IsTrue(get(state, "inferred"));
		if (part_truth(e, id->valuestring) != t)
			continue;
		any_inferred |= inferred;
		all_inferred &= inferred;
		if (!inferred && !first_stated)
			first_stated = str(state, "source");
	}
	return (every ? any_inferred : all_inferred) ? "derived" : first_stated;
}

/* What a decision from `source` counts in the confidence. */
static double decided_weight(const engine *e, const char *source, truth t)
{
	if (t == TV_UNKNOWN)
		return 0;
	return source && strcmp(source, "derived") == 0 ? e->inferred_w : 1;
}

/* Walks the tree from its start; fills `path` and returns the verdict node id.
 * A node in e->forced takes the forced branch (a what-if) without deciding. */
static int walk(const char **verdict, const engine *e, cJSON *path, double *decided, int *decisions)
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
		if (str(e->forced, at)) {
			t = truth_of_status(strcmp(str(e->forced, at), "yes") == 0 ? "met" : "gap");
			source = "what-if";
		} else if (get(node, "part")) {
			cJSON *one = cJSON_CreateArray();
			alm_json_add(one, NULL, cJSON_CreateString(str(node, "part")));
			t = part_truth(e, str(node, "part"));
			add_parts_evidence(e, evidence, one, t, &source);
			source = parts_source(e, one, "all", t);
			cJSON_Delete(one);
		} else if (get(node, "parts")) {
			t = parts_truth(e, get(node, "parts"), str(node, "combine"));
			add_parts_evidence(e, evidence, get(node, "parts"), t, &source);
			source = parts_source(e, get(node, "parts"), str(node, "combine"), t);
		} else {
			char where[300];
			const cJSON *ev;
			cJSON *list;
			int error, inferred;
			snprintf(where, sizeof where, "tree node \"%s\"", at);
			if ((error = decide(&t, &inferred, e, get(node, "needs"), get(node, "condition"), where)) < 0) {
				cJSON_Delete(evidence);
				return error;
			}
			list = evidence_of(e, get(node, "needs"), &source);
			drop_undeciding(list, inferred);
			cJSON_ArrayForEach(ev, list)
				alm_json_add(evidence, NULL, cJSON_Duplicate(ev, 1));
			cJSON_Delete(list);
			/* `source` pointed into `list`; take it again from the copy. */
			source = decided_by(evidence, inferred);
		}
		/* Counted first: `source` may point into `evidence`, which the entry
		 * takes (and frees, when out of memory). */
		(*decisions)++;
		*decided += decided_weight(e, source, t);
		entry = cJSON_CreateObject();
		alm_json_add_string(entry, "node", at);
		alm_json_add_string(entry, "label", str(node, "label") ? str(node, "label") : at);
		alm_json_add_string(entry, "value", branch_name(t));
		if (source && t != TV_UNKNOWN)
			alm_json_add_string(entry, "source", source);
		else
			alm_json_add_null(entry, "source");
		alm_json_add_bool(entry, "inferred", source && t != TV_UNKNOWN && strcmp(source, "derived") == 0);
		alm_json_add(entry, "evidence", evidence);
		alm_json_add(path, NULL, entry);
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
			alm_json_add_bool(pe, "inferred", applicable && cJSON_IsTrue(get(state, "inferred")));
			alm_json_add_copy(pe, "evidence", get(state, "evidence"));
			if (str(part, "ask"))
				alm_json_add_string(pe, "ask", str(part, "ask"));
			alm_json_add(parts, NULL, pe);
			cJSON_ArrayForEach(ev, get(state, "evidence"))
				alm_json_add(evidence, NULL, cJSON_Duplicate(ev, 1));
			if (!applicable)
				continue;
			*total_w += part_weight(part);
			if (settled && strcmp(pstatus, "unknown") == 0)
				*known_w += part_weight(part);
			else
				*known_w += part_weight(part) * decided_weight(e, str(state, "source"), truth_of_status(pstatus));
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
	const cJSON *record = alm_derivation_record(e->derived, "answers.maturity.current");
	const cJSON *floor = record ? get(record, "value") : NULL;
	alm_json_add(maturity, "current", cJSON_IsNumber(current) ? cJSON_Duplicate(current, 0) : cJSON_CreateNull());
	alm_json_add(maturity, "target", cJSON_IsNumber(target) ? cJSON_Duplicate(target, 0) : cJSON_CreateNull());
	/* Unstated, the current level may be inferred as a lower bound. */
	if (!cJSON_IsNumber(current) && cJSON_IsNumber(floor)) {
		alm_json_add_number(maturity, "current_at_least", floor->valuedouble);
		alm_json_add_bool(maturity, "inferred", 1);
		alm_json_add_string(maturity, "evidence", str(record, "evidence"));
		current = floor;
	}
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
			int error = alm_jsonlogic_apply(&result, get(n, "when"), e->data);
			if (error < 0)
				return alm_error_prefix(error, "rules: notice \"%s\"", str(n, "id"));
			match = alm_jsonlogic_truthy(result);
			cJSON_Delete(result);
		}
		if (match) {
			cJSON *entry = cJSON_Duplicate(n, 1);
			char *text = NULL;
			int error;
			cJSON_DeleteItemFromObjectCaseSensitive(entry, "when");
			cJSON_DeleteItemFromObjectCaseSensitive(entry, "applies_to");
			/* A notice may quote facts ({{derived.history.last_commit_date}}). */
			if ((error = alm_derive_interpolate(&text, str(n, "text"), e->data)) < 0) {
				cJSON_Delete(entry);
				return error;
			}
			if (*text) {
				cJSON_ReplaceItemInObjectCaseSensitive(entry, "text", cJSON_CreateString(text));
				alm_json_add(notices, NULL, entry);
			} else {
				cJSON_Delete(entry);
			}
			free(text);
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
			used += (size_t)snprintf(why + used, sizeof why - used, " %s %s (%s%s).", str(step, "label"),
						 str(step, "value"), strcmp(source, "derived") == 0 ? "" : "from ",
						 strcmp(source, "derived") == 0 ? "inferred from evidence" : source);
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
		if (strncmp(n->valuestring, "answers.", 8) == 0 && !stated(e, n->valuestring)) {
			add_unique(list, n->valuestring + 8);
			added = 1;
		}
	}
	if (!added)
		add_unique(list, ask);
}

/* The answers keys, not yet stated, that would decide `node`. */
static void node_decide_with(const engine *e, cJSON *list, const cJSON *report, const cJSON *node)
{
	const cJSON *n, *u;
	/* A condition names what it reads in `needs`, most deciding first; some of
	 * those answers no question part asks for (the creators, say). */
	cJSON_ArrayForEach(n, get(node, "needs")) {
		if (strncmp(n->valuestring, "answers.", 8) == 0 && !stated(e, n->valuestring))
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

/* The answers keys that would decide the node where the walk stopped on an unknown. */
static void build_decide_with(const engine *e, cJSON *report, const cJSON *path)
{
	cJSON *list = alm_json_add_array(report, "decide_with");
	const cJSON *last = cJSON_GetArrayItem(path, cJSON_GetArraySize(path) - 1);
	if (last && strcmp(str(last, "value"), "unknown") == 0)
		node_decide_with(e, list, report, alm_rules_node(e->rules, str(last, "node")));
}

/* ---- what-if outcomes --------------------------------------------------- */

/* Where a path stopped on an unknown: that step, or NULL. */
static const cJSON *stopped_at(const cJSON *path)
{
	const cJSON *last = cJSON_GetArrayItem(path, cJSON_GetArraySize(path) - 1);
	return last && strcmp(str(last, "value"), "unknown") == 0 ? last : NULL;
}

/* One clause of an outcome: the node's own words for the branch, or its label and the branch. */
static void put_clause(FILE *fp, const cJSON *node, const char *value)
{
	const char *words = str(node, strcmp(value, "yes") == 0 ? "if_yes" : "if_no");
	if (words)
		fputs(words, fp);
	else
		fprintf(fp, "\"%s\" is %s", str(node, "label") ? str(node, "label") : str(node, "id"), value);
}

/* At most three answers that decide an outcome, taken from its decisions in
 * turn (the first of each, then the second...), so each decision is named. */
static void pick_answers(cJSON *answers, const cJSON *decisions)
{
	int rank, more = 1;
	for (rank = 0; more && cJSON_GetArraySize(answers) < 3; rank++) {
		const cJSON *d;
		more = 0;
		cJSON_ArrayForEach(d, decisions) {
			const cJSON *k = cJSON_GetArrayItem(get(d, "answers"), rank);
			if (!k)
				continue;
			more = 1;
			if (cJSON_GetArraySize(answers) < 3)
				add_unique(answers, k->valuestring);
		}
	}
}

/* An outcome: the forced answers, in the order they were forced, and where the walk then ends. */
static int add_outcome(const engine *e, cJSON *outcomes, const cJSON *report, const char *const *nodes,
		       const char *const *values, int n, const char *verdict, const cJSON *path)
{
	cJSON *o = cJSON_CreateObject(), *decisions, *answers, *steps;
	const cJSON *step;
	char *when = NULL;
	size_t len = 0;
	FILE *fp;
	int i;

	if (!o || !(fp = open_memstream(&when, &len))) {
		cJSON_Delete(o);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	decisions = alm_json_add_array(o, "decisions");
	answers = cJSON_CreateArray();
	fputs("if ", fp);
	for (i = 0; i < n; i++) {
		const cJSON *node = alm_rules_node(e->rules, nodes[i]);
		cJSON *d = cJSON_CreateObject(), *keys = cJSON_CreateArray();
		if (i)
			fputs(", and ", fp);
		put_clause(fp, node, values[i]);
		node_decide_with(e, keys, report, node);
		alm_json_add_string(d, "node", nodes[i]);
		alm_json_add_string(d, "label", str(node, "label") ? str(node, "label") : nodes[i]);
		alm_json_add_string(d, "value", values[i]);
		alm_json_add(d, "answers", keys);
		alm_json_add(decisions, NULL, d);
	}
	pick_answers(answers, decisions);
	if (fclose(fp) != 0 || !when) {
		free(when);
		cJSON_Delete(answers);
		cJSON_Delete(o);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	alm_json_add_string(o, "when", when);
	free(when);
	alm_json_add_string(o, "verdict", verdict);
	alm_json_add_string(o, "title", str(alm_rules_verdict(e->rules, verdict), "title"));
	alm_json_add(o, "answers", answers);
	steps = alm_json_add_array(o, "path");
	cJSON_ArrayForEach(step, path) {
		cJSON *s = cJSON_CreateObject();
		alm_json_add_string(s, "node", str(step, "node"));
		alm_json_add_string(s, "value", str(step, "value"));
		alm_json_add(steps, NULL, s);
	}
	alm_json_add(outcomes, NULL, o);
	return 0;
}

/* Walks again with `n` nodes forced; a walk that stops on a further unknown
 * is forced there too, once, so two decisions deep at the most. */
static int explore(engine *e, cJSON *outcomes, const cJSON *report, const char **nodes, const char **values, int n)
{
	static const char *const branches[] = {"yes", "no"};
	cJSON *forced = cJSON_CreateObject(), *path = cJSON_CreateArray();
	const cJSON *stop;
	const char *verdict;
	double decided;
	int decisions, i, error;

	if (!forced || !path) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		alm_json_add_string(forced, nodes[i], values[i]);
	e->forced = forced;
	error = walk(&verdict, e, path, &decided, &decisions);
	e->forced = NULL;
	if (error < 0)
		goto done;
	stop = stopped_at(path);
	if (stop && n < 2) {
		nodes[n] = str(stop, "node");
		for (i = 0; i < 2; i++) {
			values[n] = branches[i];
			if ((error = explore(e, outcomes, report, nodes, values, n + 1)) < 0)
				goto done;
		}
	} else {
		error = add_outcome(e, outcomes, report, nodes, values, n, verdict, path);
	}
done:
	cJSON_Delete(forced);
	cJSON_Delete(path);
	return error;
}

/* For each answer of the decision the walk stopped at (and of the next, when
 * it too is unknown): the verdict the walk reaches with what is known. */
static int build_outcomes(engine *e, cJSON *report, const cJSON *path)
{
	static const char *const branches[] = {"yes", "no"};
	cJSON *outcomes = alm_json_add_array(report, "outcomes");
	const cJSON *stop = stopped_at(path);
	const char *nodes[2], *values[2];
	int i, error;
	if (!outcomes)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (!stop)
		return 0;
	nodes[0] = str(stop, "node");
	for (i = 0; i < 2; i++) {
		values[0] = branches[i];
		if ((error = explore(e, outcomes, report, nodes, values, 1)) < 0)
			return error;
	}
	return 0;
}

int alm_assess(cJSON **out, const alm_rules *rules, const alm_facts *facts, const char *tool_version)
{
	engine e;
	cJSON *report = NULL, *path, *tool;
	const cJSON *verdict_rule, *weights = get(alm_rules_json(rules), "confidence");
	const char *verdict;
	double known_w, total_w, pw = 0.5, qw = 0.5, confidence, decided;
	alm_derivation *derived = NULL;
	cJSON *facts_copy, *records;
	int decisions, error;
	unsigned long failures = alm_json_add_failures();

	*out = NULL;
	memset(&e, 0, sizeof e);
	e.rules = rules;
	e.facts = facts;
	e.inferred_w = 0.5;
	if (cJSON_IsNumber(get(weights, "inferred_weight")))
		e.inferred_w = get(weights, "inferred_weight")->valuedouble;
	e.parts = cJSON_CreateObject();
	report = cJSON_CreateObject();
	if (!e.parts || !report) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = alm_derive(&derived, rules, facts)) < 0)
		goto done;
	e.derived = derived;
	e.data = alm_derivation_data(derived);
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
	if ((error = build_outcomes(&e, report, path)) < 0)
		goto done;
	records = cJSON_Duplicate(alm_derivation_list(derived), 1);
	mark_deciding(records, report);
	alm_json_add(report, "derived", records);

	if (cJSON_IsNumber(get(weights, "path_weight")))
		pw = get(weights, "path_weight")->valuedouble;
	if (cJSON_IsNumber(get(weights, "questions_weight")))
		qw = get(weights, "questions_weight")->valuedouble;
	confidence = pw + qw > 0 ? (pw * (decisions ? decided / decisions : 0) +
				    qw * (total_w > 0 ? known_w / total_w : 0)) / (pw + qw)
				 : 0;
	alm_json_add_number(report, "confidence", round(confidence * 100) / 100);
	if ((error = build_notices(&e, report, verdict)) < 0)
		goto done;
	alm_json_add_copy(report, "follow_up", get(alm_rules_json(rules), "follow_up"));
	alm_json_add_copy(report, "probes", alm_facts_probes(facts));
	/* The facts as gathered, and the derived ones beside them; the answers
	 * namespace holds only what was stated. */
	facts_copy = cJSON_Duplicate(alm_facts_data(facts), 1);
	cJSON_DeleteItemFromObjectCaseSensitive(facts_copy, "derived");
	alm_json_add_copy(facts_copy, "derived", alm_derivation_namespace(derived));
	alm_json_add(report, "facts", facts_copy);
	/* Never a partial report: an addition that failed fails the assessment. */
	if ((error = alm_json_add_check(failures, "the report")) < 0)
		goto done;
	*out = report;
	report = NULL;
done:
	alm_derivation_free(derived);
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
