#include "alm/rules.h"
#include "alm/catalogue.h"
#include "alm/derive.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"
#include "alm/probe.h"
#include "alm/schema.h"
#include "embedded.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alm_rules {
	cJSON *doc;
};

#define PATH_LEN 512

/* Beyond the schema: ids unique and resolvable, the tree acyclic and complete,
 * every condition valid JsonLogic. Each check names the JSON path it objects to. */
typedef struct {
	const cJSON *doc;
	const char *name;
	cJSON *ids; /* id -> kind, for uniqueness across parts, questions and nodes */
	alm_catalogue *facts; /* what a rule may read */
} checker;

static int bad(const checker *ck, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const checker *ck, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return alm_error_set(ALM_EINVALID, "%s: %s: %s", ck->name, path, msg);
}

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str

static const cJSON *find_by_id(const cJSON *list, const char *id)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		const char *have = str(item, "id");
		if (have && strcmp(have, id) == 0)
			return item;
	}
	return NULL;
}

static int unique_id(checker *ck, const char *kind, const char *id, const char *path)
{
	char key[256]; /* ids are at most 200 bytes (rules.schema.json) */
	snprintf(key, sizeof key, "%s:%s", kind, id);
	if (cJSON_GetObjectItemCaseSensitive(ck->ids, key))
		return bad(ck, path, "the id \"%s\" is used more than once", id);
	if (!alm_json_add_bool(ck->ids, key, 1))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/* A fact's namespace is a probe's, the answers' or the rules' own derived
 * facts': defaults are what the evaluation fills in, never read by name. */
static int known_namespace(const char *fact)
{
	const char *dot = strchr(fact, '.');
	char ns[64];
	if (!dot || (size_t)(dot - fact) >= sizeof ns)
		return 0;
	memcpy(ns, fact, (size_t)(dot - fact));
	ns[dot - fact] = '\0';
	return strcmp(ns, ALM_SOURCE_DEFAULT) != 0 && alm_source_known(ns);
}

static void namespace_list(char *buf, size_t n)
{
	const alm_probe *const *table;
	size_t i, count, used = 0;
	table = alm_probe_table(&count);
	for (i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s., ", table[i]->ns);
	if (used < n)
		snprintf(buf + used, n - used, "%s. and %s.", ALM_SOURCE_ANSWERS, ALM_SOURCE_DERIVED);
}

/* A fact a rule reads must be declared: a misspelt name would otherwise
 * stay unknown for ever, and quietly turn its decision into a question. */
static int check_declared(const checker *ck, const char *fact, const char *path)
{
	const char *near;
	if (alm_catalogue_declares(ck->facts, fact))
		return 0;
	near = alm_catalogue_nearest(ck->facts, fact);
	return alm_error_set(ALM_EINVALID, "%s: %s reads '%s': no such fact%s%s%s", ck->name, path, fact,
			     near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int check_needs(const checker *ck, const cJSON *needs, const char *path)
{
	const cJSON *n;
	char list[256];
	int error;
	cJSON_ArrayForEach(n, needs) {
		const char *p = n->valuestring;
		if (!known_namespace(p)) {
			namespace_list(list, sizeof list);
			return bad(ck, path, "the fact \"%s\" is outside the namespaces %s", p, list);
		}
		if ((error = check_declared(ck, p, path)) < 0)
			return error;
	}
	return 0;
}

static int check_logic(const checker *ck, const cJSON *logic, const char *path)
{
	char where[PATH_LEN + 64];
	const cJSON *v;
	cJSON *vars;
	int error;
	if (!logic)
		return 0;
	snprintf(where, sizeof where, "%s", path);
	if ((error = alm_jsonlogic_check(logic, where)) < 0)
		return alm_error_prefix(error, "%s", ck->name);
	if (!(vars = cJSON_CreateArray()))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	error = alm_jsonlogic_vars(vars, logic);
	cJSON_ArrayForEach(v, vars) {
		if (error < 0)
			break;
		if (cJSON_IsString(v) && *v->valuestring)
			error = check_declared(ck, v->valuestring, path);
	}
	cJSON_Delete(vars);
	return error;
}

static int check_questions(checker *ck)
{
	const cJSON *questions = cJSON_GetObjectItemCaseSensitive(ck->doc, "questions");
	const cJSON *verdicts = cJSON_GetObjectItemCaseSensitive(ck->doc, "verdicts");
	const cJSON *q, *part, *v;
	char qpath[PATH_LEN / 4], ppath[PATH_LEN / 2], sub[PATH_LEN];
	int qi = 0, pi, error;

	cJSON_ArrayForEach(q, questions) {
		snprintf(qpath, sizeof qpath, "$.questions[%d]", qi++);
		if ((error = unique_id(ck, "question", str(q, "id"), qpath)) < 0)
			return error;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(q, "applies_to")) {
			if (!find_by_id(verdicts, v->valuestring))
				return bad(ck, qpath, "applies_to names \"%s\", which is not a verdict", v->valuestring);
		}
		pi = 0;
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(q, "parts")) {
			snprintf(ppath, sizeof ppath, "%s.parts[%d]", qpath, pi++);
			if ((error = unique_id(ck, "part", str(part, "id"), ppath)) < 0)
				return error;
			snprintf(sub, sizeof sub, "%s.needs", ppath);
			if ((error = check_needs(ck, cJSON_GetObjectItemCaseSensitive(part, "needs"), sub)) < 0)
				return error;
			snprintf(sub, sizeof sub, "%s.condition", ppath);
			if ((error = check_logic(ck, cJSON_GetObjectItemCaseSensitive(part, "condition"), sub)) < 0)
				return error;
		}
	}
	return 0;
}

static const cJSON *part_by_id(const cJSON *doc, const char *id, const cJSON **question)
{
	const cJSON *q, *part;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(doc, "questions")) {
		part = find_by_id(cJSON_GetObjectItemCaseSensitive(q, "parts"), id);
		if (part) {
			if (question)
				*question = q;
			return part;
		}
	}
	return NULL;
}

static int check_part_refs(const checker *ck, const cJSON *list, const char *path)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, list) {
		if (!part_by_id(ck->doc, p->valuestring, NULL))
			return bad(ck, path, "names the question part \"%s\", which does not exist", p->valuestring);
	}
	return 0;
}

static int check_decision(const checker *ck, const cJSON *nodes, const cJSON *node, const char *path)
{
	static const char *const branches[] = {"yes", "no", "unknown"};
	const cJSON *part = cJSON_GetObjectItemCaseSensitive(node, "part");
	const cJSON *parts = cJSON_GetObjectItemCaseSensitive(node, "parts");
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(node, "condition");
	const char *question = str(node, "question");
	char sub[PATH_LEN];
	size_t i;
	int error;

	if ((part != NULL) + (parts != NULL) + (cond != NULL) != 1)
		return bad(ck, path, "a decision needs exactly one of \"part\", \"parts\" or \"condition\"");
	if (cond && !cJSON_GetObjectItemCaseSensitive(node, "needs"))
		return bad(ck, path, "a decision with a condition needs the list \"needs\" of the facts it reads");
	for (i = 0; i < 3; i++) {
		const char *target = str(node, branches[i]);
		if (!target)
			return bad(ck, path, "a decision needs the branch \"%s\"", branches[i]);
		if (!find_by_id(nodes, target))
			return bad(ck, path, "a branch leads to \"%s\", which is not a node", target);
	}
	if (question && !find_by_id(cJSON_GetObjectItemCaseSensitive(ck->doc, "questions"), question))
		return bad(ck, path, "names the question \"%s\", which does not exist", question);
	if (part && !part_by_id(ck->doc, part->valuestring, NULL))
		return bad(ck, path, "names the question part \"%s\", which does not exist", part->valuestring);
	if (parts && (error = check_part_refs(ck, parts, path)) < 0)
		return error;
	snprintf(sub, sizeof sub, "%s.needs", path);
	if ((error = check_needs(ck, cJSON_GetObjectItemCaseSensitive(node, "needs"), sub)) < 0)
		return error;
	snprintf(sub, sizeof sub, "%s.condition", path);
	return check_logic(ck, cond, sub);
}

/* Depth-first search for a cycle; `state` maps node id -> 1 visiting, 2 done. */
static int find_cycle(const checker *ck, const cJSON *nodes, const char *id, cJSON *state, int depth)
{
	static const char *const branches[] = {"yes", "no", "unknown"};
	const cJSON *node = find_by_id(nodes, id);
	const cJSON *mark = cJSON_GetObjectItemCaseSensitive(state, id);
	size_t i;
	int error;

	if (mark)
		return mark->valueint == 1 ? bad(ck, "$.tree.nodes", "the tree has a cycle through \"%s\"", id) : 0;
	if (depth > 1000)
		return bad(ck, "$.tree.nodes", "the tree is deeper than 1000 nodes at \"%s\"", id);
	if (!alm_json_add_number(state, id, 1))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; node && i < 3; i++) {
		const char *next = str(node, branches[i]);
		if (next && (error = find_cycle(ck, nodes, next, state, depth + 1)) < 0)
			return error;
	}
	if (!alm_json_set(state, id, cJSON_CreateNumber(2)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

static int check_tree(checker *ck)
{
	const cJSON *tree = cJSON_GetObjectItemCaseSensitive(ck->doc, "tree");
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(tree, "nodes");
	const cJSON *verdicts = cJSON_GetObjectItemCaseSensitive(ck->doc, "verdicts");
	const char *start = str(tree, "start");
	const cJSON *node, *v, *step;
	char path[PATH_LEN / 2], sub[PATH_LEN];
	cJSON *state;
	int i = 0, si, error = 0;

	if (!find_by_id(nodes, start))
		return bad(ck, "$.tree.start", "names \"%s\", which is not a node", start);
	cJSON_ArrayForEach(node, nodes) {
		const char *kind = str(node, "kind");
		snprintf(path, sizeof path, "$.tree.nodes[%d]", i++);
		if ((error = unique_id(ck, "node", str(node, "id"), path)) < 0)
			return error;
		if (strcmp(kind, "decision") == 0) {
			if ((error = check_decision(ck, nodes, node, path)) < 0)
				return error;
		} else if (!find_by_id(verdicts, str(node, "id"))) {
			return bad(ck, path, "the verdict node \"%s\" has no entry in $.verdicts", str(node, "id"));
		}
		si = 0;
		cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(node, "steps")) {
			snprintf(sub, sizeof sub, "%s.steps[%d]", path, si++);
			if ((error = check_part_refs(ck, cJSON_GetObjectItemCaseSensitive(step, "parts"), sub)) < 0)
				return error;
		}
	}
	i = 0;
	cJSON_ArrayForEach(v, verdicts) {
		snprintf(path, sizeof path, "$.verdicts[%d]", i++);
		if ((error = unique_id(ck, "verdict", str(v, "id"), path)) < 0)
			return error;
		node = find_by_id(nodes, str(v, "id"));
		if (!node || strcmp(str(node, "kind"), "verdict") != 0)
			return bad(ck, path, "the verdict \"%s\" is not a verdict node of the tree", str(v, "id"));
	}
	if (!find_by_id(verdicts, "insufficient-information"))
		return bad(ck, "$.verdicts", "the verdict \"%s\" is required: it is where unknowns lead",
			   "insufficient-information");
	state = cJSON_CreateObject();
	if (!state)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	error = find_cycle(ck, nodes, start, state, 0);
	cJSON_Delete(state);
	return error;
}

/* Ids are looked up by walking lists, so the checks below are quadratic in
 * the lists' lengths: bound those first (ALM_RULES_MAX_ITEMS). */
static int check_sizes(const checker *ck)
{
	static const char *const lists[] = {"tiers", "maturity", "questions", "follow_up", "verdicts", "notices"};
	const cJSON *q;
	char path[PATH_LEN];
	size_t i;
	int parts = 0;

	for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ck->doc, lists[i])) > ALM_RULES_MAX_ITEMS) {
			snprintf(path, sizeof path, "$.%s", lists[i]);
			return alm_error_set(ALM_ELIMIT, "%s: %s: more than %d entries (ALM_RULES_MAX_ITEMS)",
					     ck->name, path, ALM_RULES_MAX_ITEMS);
		}
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ck->doc, "tree"),
								 "nodes")) > ALM_RULES_MAX_ITEMS)
		return alm_error_set(ALM_ELIMIT, "%s: $.tree.nodes: more than %d entries (ALM_RULES_MAX_ITEMS)",
				     ck->name, ALM_RULES_MAX_ITEMS);
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(ck->doc, "questions")) {
		parts += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(q, "parts"));
		if (parts > ALM_RULES_MAX_ITEMS)
			return alm_error_set(ALM_ELIMIT, "%s: $.questions: more than %d parts in all (ALM_RULES_MAX_ITEMS)",
					     ck->name, ALM_RULES_MAX_ITEMS);
	}
	return 0;
}

static int check_notices(checker *ck)
{
	const cJSON *notice;
	char path[PATH_LEN];
	int i = 0, error;
	cJSON_ArrayForEach(notice, cJSON_GetObjectItemCaseSensitive(ck->doc, "notices")) {
		snprintf(path, sizeof path, "$.notices[%d].when", i++);
		if ((error = check_logic(ck, cJSON_GetObjectItemCaseSensitive(notice, "when"), path)) < 0)
			return error;
	}
	return 0;
}

/* A derivation reads facts too: only declared ones (its own section's
 * earlier and later entries included, which the catalogue declares). */
static int check_derived(checker *ck)
{
	const cJSON *entry;
	char path[PATH_LEN];
	int i = 0, error;
	cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(ck->doc, "derived")) {
		snprintf(path, sizeof path, "$.derived[%d].logic", i++);
		if ((error = check_logic(ck, cJSON_GetObjectItemCaseSensitive(entry, "logic"), path)) < 0)
			return error;
	}
	return 0;
}

int alm_rules_from_json(alm_rules **out, cJSON *doc, const char *name)
{
	cJSON *schema = NULL;
	checker ck;
	alm_rules *rules = NULL;
	int error;

	*out = NULL;
	memset(&ck, 0, sizeof ck);
	if ((error = alm_json_parse(&schema, alm_embedded_rules_schema_json,
				    alm_embedded_rules_schema_json_len, "rules.schema.json")) < 0)
		goto done;
	if ((error = alm_schema_validate(schema, doc, name)) < 0)
		goto done;
	ck.doc = doc;
	ck.name = name;
	ck.ids = cJSON_CreateObject();
	if (!ck.ids) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = alm_catalogue_new(&ck.facts, doc)) < 0)
		goto done;
	if ((error = check_sizes(&ck)) < 0 || (error = check_questions(&ck)) < 0 || (error = check_tree(&ck)) < 0 ||
	    (error = check_notices(&ck)) < 0 || (error = alm_derive_check(doc, name)) < 0 ||
	    (error = check_derived(&ck)) < 0)
		goto done;
	rules = calloc(1, sizeof *rules);
	if (!rules) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	rules->doc = doc;
	doc = NULL;
	*out = rules;
done:
	alm_catalogue_free(ck.facts);
	cJSON_Delete(ck.ids);
	cJSON_Delete(schema);
	cJSON_Delete(doc);
	return error;
}

int alm_rules_load_default(alm_rules **out)
{
	cJSON *doc;
	int error;
	*out = NULL;
	if ((error = alm_json_parse(&doc, alm_embedded_default_json, alm_embedded_default_json_len,
				    "default rules")) < 0)
		return error;
	return alm_rules_from_json(out, doc, "default rules");
}

int alm_rules_load_file(alm_rules **out, const char *path)
{
	cJSON *doc;
	int error;
	*out = NULL;
	if ((error = alm_json_read_file(&doc, path)) < 0)
		return error;
	return alm_rules_from_json(out, doc, path);
}

void alm_rules_free(alm_rules *rules)
{
	if (!rules)
		return;
	cJSON_Delete(rules->doc);
	free(rules);
}

const cJSON *alm_rules_json(const alm_rules *rules)
{
	return rules->doc;
}

const cJSON *alm_rules_node(const alm_rules *rules, const char *id)
{
	return find_by_id(cJSON_GetObjectItemCaseSensitive(
				  cJSON_GetObjectItemCaseSensitive(rules->doc, "tree"), "nodes"), id);
}

const cJSON *alm_rules_verdict(const alm_rules *rules, const char *id)
{
	return find_by_id(cJSON_GetObjectItemCaseSensitive(rules->doc, "verdicts"), id);
}

const cJSON *alm_rules_tier(const alm_rules *rules, const char *id)
{
	return find_by_id(cJSON_GetObjectItemCaseSensitive(rules->doc, "tiers"), id);
}

const cJSON *alm_rules_part(const alm_rules *rules, const char *id, const cJSON **question)
{
	return part_by_id(rules->doc, id, question);
}

const char *alm_rules_default_text(size_t *len)
{
	if (len)
		*len = alm_embedded_default_json_len;
	return alm_embedded_default_json;
}

const char *alm_rules_answers_schema_text(size_t *len)
{
	if (len)
		*len = alm_embedded_answers_schema_json_len;
	return alm_embedded_answers_schema_json;
}

const char *alm_rules_schema_text(size_t *len)
{
	if (len)
		*len = alm_embedded_rules_schema_json_len;
	return alm_embedded_rules_schema_json;
}
