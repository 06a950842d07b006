/* The facts catalogue, built from the probes' declarations, the answers
 * schema and a rules file's derived section. */
#include "alm/catalogue.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/probe.h"
#include "alm/rules.h"
#include "alm/schema.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alm_catalogue {
	alm_catalogue_entry *items;
	size_t n, cap;
	cJSON *strings; /* owns the names and meanings made here (answers, derived) */
};

static const char *keep(alm_catalogue *c, const char *text)
{
	cJSON *s = cJSON_CreateString(text);
	if (!s || !cJSON_AddItemToArray(c->strings, s)) {
		cJSON_Delete(s);
		return NULL;
	}
	return s->valuestring;
}

static int add(alm_catalogue *c, const char *name, const char *type, const char *source, const char *meaning)
{
	if (!name || !type || !meaning)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (alm_vec_reserve(&c->items, &c->cap, c->n + 1) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	c->items[c->n].name = name;
	c->items[c->n].type = type;
	c->items[c->n].source = source;
	c->items[c->n].meaning = meaning;
	c->n++;
	return 0;
}

/* The JSON type a schema admits, its $ref followed. */
static const char *schema_type(const cJSON *schema, const cJSON *root)
{
	const cJSON *type, *options;
	schema = alm_schema_resolve(root, schema);
	type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	options = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	if (cJSON_IsString(type))
		return type->valuestring;
	if (cJSON_IsArray(options) && cJSON_GetArraySize(options) > 0)
		return cJSON_IsNumber(cJSON_GetArrayItem(options, 0)) ? "integer" : "string";
	return "any";
}

/* The text of the first question part of `rules` that asks `key`, or NULL. */
static const char *question_asking(const cJSON *rules, const char *key)
{
	const cJSON *q, *part;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(rules, "questions")) {
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(q, "parts")) {
			const cJSON *ask = cJSON_GetObjectItemCaseSensitive(part, "ask");
			const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
			if (cJSON_IsString(ask) && strcmp(ask->valuestring, key) == 0 && cJSON_IsString(text))
				return text->valuestring;
		}
	}
	return NULL;
}

/* One line for an answer: the question that asks it (or the schema's
 * description), then the values it takes. */
static void answer_meaning(char *buf, size_t n, const cJSON *schema, const cJSON *root, const char *question)
{
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(schema, "description");
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
	const cJSON *options, *v;
	size_t used;
	schema = alm_schema_resolve(root, schema);
	options = cJSON_GetObjectItemCaseSensitive(items ? items : schema, "enum");
	used = (size_t)snprintf(buf, n, "%s", question ? question
					: cJSON_IsString(desc) ? desc->valuestring : "answered by the team");
	if (!cJSON_IsArray(options) || used >= n)
		return;
	used += (size_t)snprintf(buf + used, n - used, " (%s", items ? "any of" : "one of");
	cJSON_ArrayForEach(v, options) {
		if (used >= n)
			break;
		if (cJSON_IsString(v))
			used += (size_t)snprintf(buf + used, n - used, " %s", v->valuestring);
		else if (cJSON_IsNumber(v))
			used += (size_t)snprintf(buf + used, n - used, " %g", v->valuedouble);
	}
	if (used < n)
		snprintf(buf + used, n - used, ")");
}

/* Every leaf of the answers schema: an object with properties is a branch,
 * anything else (arrays, scalars) one fact. */
static int add_answers(alm_catalogue *c, const cJSON *props, const char *prefix, const cJSON *root,
		       const cJSON *rules)
{
	const cJSON *p;
	char name[256], meaning[512];
	int error;
	cJSON_ArrayForEach(p, props) {
		const cJSON *sub = cJSON_GetObjectItemCaseSensitive(p, "properties");
		if (strcmp(prefix, ALM_SOURCE_ANSWERS) == 0 && strcmp(p->string, "schema") == 0)
			continue; /* the file's version, not an answer */
		snprintf(name, sizeof name, "%s.%s", prefix, p->string);
		if (cJSON_IsObject(sub)) {
			if ((error = add_answers(c, sub, name, root, rules)) < 0)
				return error;
			continue;
		}
		answer_meaning(meaning, sizeof meaning, p, root,
			       question_asking(rules, name + sizeof ALM_SOURCE_ANSWERS)); /* past "answers." */
		if ((error = add(c, keep(c, name), keep(c, schema_type(p, root)), ALM_SOURCE_ANSWERS, keep(c, meaning))) < 0)
			return error;
	}
	return 0;
}

/* The rules' own derived facts: names only (what they compute is the
 * rules' business). */
static int add_derived(alm_catalogue *c, const cJSON *rules)
{
	const cJSON *d;
	int error;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(rules, "derived")) {
		const cJSON *fact = cJSON_GetObjectItemCaseSensitive(d, "fact");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
		const cJSON *meaning = cJSON_GetObjectItemCaseSensitive(d, "meaning");
		if (!cJSON_IsString(meaning))
			meaning = cJSON_GetObjectItemCaseSensitive(d, "description");
		if (!cJSON_IsString(fact) || !*fact->valuestring)
			continue;
		if ((error = add(c, keep(c, fact->valuestring), keep(c, cJSON_IsString(type) ? type->valuestring : "any"),
				 ALM_SOURCE_DERIVED,
				 keep(c, cJSON_IsString(meaning) ? meaning->valuestring : "derived by the rules"))) < 0)
			return error;
	}
	return 0;
}

int alm_catalogue_new(alm_catalogue **out, const cJSON *rules)
{
	const alm_probe *const *table;
	alm_catalogue *c;
	cJSON *schema = NULL;
	size_t i, j, n, len;
	const char *text;
	int error = 0;

	*out = NULL;
	if (!(c = calloc(1, sizeof *c)) || !(c->strings = cJSON_CreateArray())) {
		free(c);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	table = alm_probe_table(&n);
	for (i = 0; i < n && error == 0; i++)
		for (j = 0; j < table[i]->nfacts && error == 0; j++)
			error = add(c, table[i]->facts[j].name, table[i]->facts[j].type, table[i]->ns,
				    table[i]->facts[j].meaning);
	text = alm_rules_answers_schema_text(&len);
	if (error == 0 && (error = alm_json_parse(&schema, text, len, "answers.schema.json")) == 0)
		error = add_answers(c, cJSON_GetObjectItemCaseSensitive(schema, "properties"), ALM_SOURCE_ANSWERS, schema,
				    rules);
	if (error == 0 && rules)
		error = add_derived(c, rules);
	cJSON_Delete(schema);
	if (error < 0) {
		alm_catalogue_free(c);
		return error;
	}
	*out = c;
	return 0;
}

void alm_catalogue_free(alm_catalogue *catalogue)
{
	if (!catalogue)
		return;
	free(catalogue->items);
	cJSON_Delete(catalogue->strings);
	free(catalogue);
}

size_t alm_catalogue_count(const alm_catalogue *catalogue)
{
	return catalogue->n;
}

const alm_catalogue_entry *alm_catalogue_entry_at(const alm_catalogue *catalogue, size_t i)
{
	return i < catalogue->n ? &catalogue->items[i] : NULL;
}

const alm_catalogue_entry *alm_catalogue_find(const alm_catalogue *catalogue, const char *name)
{
	size_t i;
	for (i = 0; i < catalogue->n; i++)
		if (strcmp(catalogue->items[i].name, name) == 0)
			return &catalogue->items[i];
	return NULL;
}

/* 1 when `prefix` is `name` cut at a dot. */
static int dotted_prefix(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);
	return strncmp(prefix, name, n) == 0 && name[n] == '.';
}

int alm_catalogue_declares(const alm_catalogue *catalogue, const char *name)
{
	size_t i;
	for (i = 0; i < catalogue->n; i++) {
		const alm_catalogue_entry *e = &catalogue->items[i];
		if (strcmp(e->name, name) == 0 || dotted_prefix(name, e->name) ||
		    (strcmp(e->type, "object") == 0 && dotted_prefix(e->name, name)))
			return 1;
	}
	return 0;
}

/* Levenshtein distance, two rows; names are short (the rules schema bounds
 * them at 200 bytes), longer ones are cut. */
static size_t distance(const char *a, const char *b)
{
	size_t prev[257], cur[257], la = strlen(a), lb = strlen(b), i, j;
	if (la > 256)
		la = 256;
	if (lb > 256)
		lb = 256;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1, sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			cur[j] = del < ins ? (del < sub ? del : sub) : (ins < sub ? ins : sub);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

const char *alm_catalogue_nearest(const alm_catalogue *catalogue, const char *name)
{
	const char *best = NULL;
	size_t i, best_d = (size_t)-1;
	for (i = 0; i < catalogue->n; i++) {
		size_t d = distance(name, catalogue->items[i].name);
		if (d < best_d) {
			best_d = d;
			best = catalogue->items[i].name;
		}
	}
	return best;
}

cJSON *alm_catalogue_to_json(const alm_catalogue *catalogue)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;
	for (i = 0; list && i < catalogue->n; i++) {
		const alm_catalogue_entry *e = &catalogue->items[i];
		cJSON *item = cJSON_CreateObject();
		/* Added first: from then on the list owns it, whatever fails. */
		if (!item || !cJSON_AddItemToArray(list, item)) {
			cJSON_Delete(item);
			cJSON_Delete(list);
			return NULL;
		}
		if (!cJSON_AddStringToObject(item, "name", e->name) || !cJSON_AddStringToObject(item, "type", e->type) ||
		    !cJSON_AddStringToObject(item, "source", e->source) ||
		    !cJSON_AddStringToObject(item, "meaning", e->meaning)) {
			cJSON_Delete(list);
			return NULL;
		}
	}
	return list;
}
