/* The facts catalogue: the probes' declarations agree with facts.schema.json,
 * the default rules read only declared facts, and a rules file that reads an
 * undeclared one is refused with the nearest declared name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/catalogue.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"
#include "alm/probe.h"
#include "alm/rules.h"

#include "support.h"

static cJSON *read_schema(void)
{
	char *path = test_source_path("rules/facts.schema.json");
	cJSON *schema = NULL;
	assert_int_equal(alm_json_read_file(&schema, path), 0);
	free(path);
	return schema;
}

static int type_allows(const cJSON *type, const char *want)
{
	const cJSON *t;
	if (cJSON_IsString(type))
		return strcmp(type->valuestring, want) == 0;
	cJSON_ArrayForEach(t, type)
		if (cJSON_IsString(t) && strcmp(t->valuestring, want) == 0)
			return 1;
	return 0;
}

/* The schema of the fact `name` below facts.properties, or NULL. */
static const cJSON *schema_of(const cJSON *facts, const char *name)
{
	char buf[256], *seg, *save = NULL;
	const cJSON *node = facts;
	snprintf(buf, sizeof buf, "%s", name);
	for (seg = strtok_r(buf, ".", &save); seg && node; seg = strtok_r(NULL, ".", &save))
		node = cJSON_GetObjectItem(cJSON_GetObjectItem(node, "properties"), seg);
	return node;
}

/* Every leaf the schema lists for a probe's namespace is declared. */
static void leaves_declared(const alm_catalogue *cat, const cJSON *node, const char *prefix)
{
	const cJSON *p;
	char name[256];
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(node, "properties")) {
		snprintf(name, sizeof name, "%s.%s", prefix, p->string);
		if (cJSON_GetObjectItem(p, "properties"))
			leaves_declared(cat, p, name);
		else if (!alm_catalogue_find(cat, name))
			fail_msg("facts.schema.json lists %s, which no probe declares", name);
	}
}

static void test_declarations_agree_with_the_facts_schema(void **state)
{
	cJSON *schema = read_schema();
	const cJSON *facts = cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "properties"), "facts");
	const cJSON *sources = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
			cJSON_GetObjectItem(schema, "properties"), "evidence"), "additionalProperties"), "properties"),
			"source"), "enum");
	const alm_probe *const *table;
	alm_catalogue *cat = NULL;
	size_t i, j, n;
	(void)state;
	assert_int_equal(alm_catalogue_new(&cat, NULL), 0);
	table = alm_probe_table(&n);
	assert_true(n >= 2);
	assert_string_equal(table[0]->ns, "repo");
	for (i = 0; i < n; i++) {
		const cJSON *ns = schema_of(facts, table[i]->ns);
		int listed = 0;
		const cJSON *s;
		if (!ns)
			fail_msg("facts.schema.json has no facts.%s", table[i]->ns);
		cJSON_ArrayForEach(s, sources)
			listed += strcmp(s->valuestring, table[i]->ns) == 0;
		assert_int_equal(listed, 1);
		assert_true(table[i]->nfacts > 0);
		for (j = 0; j < table[i]->nfacts; j++) {
			const alm_fact_decl *d = &table[i]->facts[j];
			const cJSON *s2 = schema_of(facts, d->name);
			assert_int_equal(strncmp(d->name, table[i]->ns, strlen(table[i]->ns)), 0);
			assert_true(d->meaning && *d->meaning);
			if (!s2)
				fail_msg("%s is declared but not in facts.schema.json", d->name);
			if (!type_allows(cJSON_GetObjectItem(s2, "type"), d->type))
				fail_msg("%s: declared %s, facts.schema.json says otherwise", d->name, d->type);
		}
		leaves_declared(cat, ns, table[i]->ns);
	}
	/* The evidence sources: the table's, and the three that are no probe's. */
	assert_int_equal((size_t)cJSON_GetArraySize(sources), n + 3);
	assert_true(alm_source_known("answers") && alm_source_known("derived") && alm_source_known("default"));
	assert_false(alm_source_known("guess"));
	alm_catalogue_free(cat);
	cJSON_Delete(schema);
}

/* Collects what every condition, `when` and `needs` of `node` reads. */
static void collect_reads(cJSON *names, const cJSON *node)
{
	const cJSON *child, *n;
	cJSON_ArrayForEach(child, node) {
		if (child->string && (strcmp(child->string, "condition") == 0 || strcmp(child->string, "when") == 0))
			assert_int_equal(alm_jsonlogic_vars(names, child), 0);
		else if (child->string && strcmp(child->string, "needs") == 0)
			cJSON_ArrayForEach(n, child)
				cJSON_AddItemToArray(names, cJSON_CreateString(n->valuestring));
		else if (cJSON_IsObject(child) || cJSON_IsArray(child))
			collect_reads(names, child);
	}
}

static void test_default_rules_read_declared_facts(void **state)
{
	cJSON *doc = test_default_rules_doc(), *names = cJSON_CreateArray();
	const cJSON *item;
	alm_catalogue *cat = NULL;
	int checked = 0;
	(void)state;
	assert_int_equal(alm_catalogue_new(&cat, doc), 0);
	collect_reads(names, doc);
	cJSON_ArrayForEach(item, names) {
		const alm_catalogue_entry *e;
		char ns[32];
		if (!cJSON_IsString(item) || !*item->valuestring)
			continue; /* {"var": ""}: the element inside some/all/none */
		e = alm_catalogue_find(cat, item->valuestring);
		if (!e)
			fail_msg("the default rules read %s, which is not in the catalogue", item->valuestring);
		snprintf(ns, sizeof ns, "%.*s", (int)strcspn(item->valuestring, "."), item->valuestring);
		assert_string_equal(e->source, ns);
		checked++;
	}
	assert_true(checked > 40);
	alm_catalogue_free(cat);
	cJSON_Delete(names);
	cJSON_Delete(doc);
}

/* Loads the default rules' text with each pair {from, to} of `edits` (NULL
 * ends them) applied to the first occurrence; *message gets the error. */
static int load_edited(const char *const *edits, char **message)
{
	cJSON *doc = test_default_rules_doc(), *edited = NULL;
	alm_rules *rules = NULL;
	char *text = cJSON_PrintUnformatted(doc);
	int rc;
	for (; edits[0]; edits += 2) {
		char *at = strstr(text, edits[0]), *out;
		size_t n = strlen(text) - strlen(edits[0]) + strlen(edits[1]) + 1;
		if (!at)
			fail_msg("the default rules have no %s", edits[0]);
		out = malloc(n);
		snprintf(out, n, "%.*s%s%s", (int)(at - text), text, edits[1], at + strlen(edits[0]));
		free(text);
		text = out;
	}
	assert_int_equal(alm_json_parse(&edited, text, strlen(text), "r.json"), 0);
	rc = alm_rules_from_json(&rules, edited, "r.json");
	*message = strdup(alm_error_last());
	alm_rules_free(rules);
	free(text);
	cJSON_Delete(doc);
	return rc;
}

static int load_with(const char *from, const char *to, char **message)
{
	const char *edits[] = {from, to, NULL};
	return load_edited(edits, message);
}

static void test_misspelt_facts_are_refused(void **state)
{
	static const char *const cases[][3] = {
		{"repo.pull_requests.total", "repo.pull_request.total", "repo.pull_requests.total"},
		{"answers.impact", "answers.impcat", "answers.impact"},
		{"ado.pipelines.count", "ado.pipeline.count", "ado.pipelines.count"},
		{"answers.maturity.current", "answers.maturity.curent", "answers.maturity.current"},
		{"repo.files.codeowners", "repo.file.codeowners", "repo.files.codeowners"},
		{"answers.creators", "answers.creator", "answers.creators"},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char from[128], to[128], want[512], *msg = NULL;
		snprintf(from, sizeof from, "{\"var\":\"%s\"}", cases[i][0]);
		snprintf(to, sizeof to, "{\"var\":\"%s\"}", cases[i][1]);
		assert_int_equal(load_with(from, to, &msg), ALM_EINVALID);
		snprintf(want, sizeof want, " reads '%s': no such fact (did you mean '%s'?)", cases[i][1], cases[i][2]);
		if (!strstr(msg, want) || strncmp(msg, "r.json: $.", 10) != 0 || strchr(msg, '\n'))
			fail_msg("%s: got \"%s\"", cases[i][1], msg);
		free(msg);
	}
}

static void test_needs_are_checked_too(void **state)
{
	char *msg = NULL;
	(void)state;
	assert_int_equal(load_with("\"needs\":[\"answers.impact\"", "\"needs\":[\"answers.impacts\"", &msg), ALM_EINVALID);
	assert_non_null(strstr(msg, ".needs reads 'answers.impacts': no such fact (did you mean 'answers.impact'?)"));
	free(msg);
	assert_int_equal(load_with("\"needs\":[\"answers.impact\"", "\"needs\":[\"guess.impact\"", &msg), ALM_EINVALID);
	assert_non_null(strstr(msg, "outside the namespaces repo., ado., pp., answers. and derived."));
	free(msg);
}

/* Branches above declared facts, derived facts the rules declare, and any
 * path below a derived fact of type object are readable. */
static void test_derived_and_branches(void **state)
{
	/* Two entries put before the default rules' own derived facts. */
	static const char section[] =
		"\"derived\":[{\"fact\":\"derived.maturity_floor\",\"type\":\"number\",\"logic\":{\"var\":\"repo.commits\"},"
		"\"evidence\":\"a test\",\"seed\":{\"id\":\"001\",\"section\":\"a test\",\"quote\":\"a test\"}},"
		"{\"fact\":\"derived.environments\",\"type\":\"object\",\"logic\":{\"var\":\"repo.branches\"},"
		"\"evidence\":\"a test\",\"seed\":{\"id\":\"001\",\"section\":\"a test\",\"quote\":\"a test\"}},";
	static const char *const reads[] = {"{\"var\":\"derived.maturity_floor\"}",
					    "{\"var\":\"derived.environments.prod\"}"};
	alm_catalogue *cat = NULL;
	cJSON *doc = test_default_rules_doc();
	char *msg = NULL;
	size_t k;
	(void)state;
	assert_int_equal(load_with("{\"var\":\"repo.pull_requests.total\"}", "{\"var\":\"repo.pull_requests\"}", &msg), 0);
	free(msg);
	assert_int_equal(load_with("{\"var\":\"answers.impact\"}", reads[0], &msg), ALM_EINVALID);
	assert_non_null(strstr(msg, "reads 'derived.maturity_floor': no such fact"));
	free(msg);
	for (k = 0; k < 2; k++) {
		const char *edits[] = {"\"derived\":[", section, "{\"var\":\"answers.impact\"}", reads[k], NULL};
		if (load_edited(edits, &msg) != 0)
			fail_msg("%s: %s", reads[k], msg);
		free(msg);
	}
	{
		const char *edits[] = {"\"derived\":[", section, "{\"var\":\"answers.impact\"}",
				       "{\"var\":\"derived.maturity_flor\"}", NULL};
		assert_int_equal(load_edited(edits, &msg), ALM_EINVALID);
		assert_non_null(strstr(msg, "(did you mean 'derived.maturity_floor'?)"));
		free(msg);
	}

	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(doc, "derived"),
			     cJSON_Parse("{\"fact\":\"derived.maturity_floor\"}"));
	assert_int_equal(alm_catalogue_new(&cat, doc), 0);
	assert_string_equal(alm_catalogue_find(cat, "derived.maturity_floor")->source, "derived");
	assert_true(alm_catalogue_declares(cat, "derived.maturity_floor"));
	assert_false(alm_catalogue_declares(cat, "derived.maturity_floor.x"));
	assert_false(alm_catalogue_declares(cat, "repo.pull_requests.totals"));
	assert_true(alm_catalogue_declares(cat, "repo"));
	alm_catalogue_free(cat);
	cJSON_Delete(doc);
}

static void test_nearest_and_json(void **state)
{
	alm_catalogue *cat = NULL;
	cJSON *list;
	(void)state;
	assert_int_equal(alm_catalogue_new(&cat, NULL), 0);
	assert_string_equal(alm_catalogue_nearest(cat, "ado.reachble"), "ado.reachable");
	list = alm_catalogue_to_json(cat);
	assert_int_equal((size_t)cJSON_GetArraySize(list), alm_catalogue_count(cat));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "source")->valuestring, "repo");
	cJSON_Delete(list);
	alm_catalogue_free(cat);
	alm_catalogue_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declarations_agree_with_the_facts_schema),
		cmocka_unit_test(test_default_rules_read_declared_facts),
		cmocka_unit_test(test_misspelt_facts_are_refused),
		cmocka_unit_test(test_needs_are_checked_too),
		cmocka_unit_test(test_derived_and_branches),
		cmocka_unit_test(test_nearest_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
