/* Hostile inputs to the loaders: each case here is one a fuzzer or a review
 * found slow or wrong, kept so that it stays fixed. Each must end quickly
 * with a message naming the place, never hang, crash or run out of memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "alm/answers.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/facts.h"
#include "alm/json.h"
#include "alm/repo_locate.h"
#include "alm/rules.h"
#include "alm/schema.h"
#include "support.h"

static void assert_message_has(const char *expect)
{
	if (!strstr(alm_error_last(), expect))
		fail_msg("message \"%s\" lacks \"%s\"", alm_error_last(), expect);
}

/* A growable string for building big inputs. */
typedef struct {
	char *s;
	size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (b->s && (size_t)n < b->cap - b->len)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	b->len += (size_t)n;
}

/* Deeper than cJSON's limit: refused as such, wherever the text stops. */
static void test_nesting_beyond_the_limit(void **state)
{
	buf b = {0};
	cJSON *doc = NULL;
	int i;
	(void)state;
	for (i = 0; i < 1001; i++)
		put(&b, "[");
	for (i = 0; i < 1001; i++)
		put(&b, "]");
	assert_int_equal(alm_json_parse(&doc, b.s, b.len, "deep.json"), ALM_EINVALID);
	assert_null(doc);
	assert_message_has("deep.json:1:");
	assert_message_has("nested deeper than 1000 arrays and objects");
	/* Unclosed, it is still the depth that is wrong, not the end. */
	assert_int_equal(alm_json_parse(&doc, b.s, 1001, "open.json"), ALM_EINVALID);
	assert_message_has("nested deeper than 1000");
	/* Brackets inside strings do not count. */
	free(b.s);
	memset(&b, 0, sizeof b);
	put(&b, "[\"");
	for (i = 0; i < 2000; i++)
		put(&b, "[");
	put(&b, "\"]");
	assert_int_equal(alm_json_parse(&doc, b.s, b.len, "string.json"), 0);
	cJSON_Delete(doc);
	/* At the limit itself the text is fine. */
	free(b.s);
	memset(&b, 0, sizeof b);
	for (i = 0; i < 1000; i++)
		put(&b, "[");
	for (i = 0; i < 1000; i++)
		put(&b, "]");
	assert_int_equal(alm_json_parse(&doc, b.s, b.len, "limit.json"), 0);
	cJSON_Delete(doc);
	free(b.s);
}

/* uniqueItems over a long list was pairwise: 40,000 environments in an
 * answers file took 10 s, 400,000 would have taken a quarter of an hour. */
static void test_long_unique_list_is_quick(void **state)
{
	buf b = {0};
	alm_facts *facts;
	double t0;
	int i;
	(void)state;
	put(&b, "{\"schema\": \"alm-advisor/answers@1\", \"prerequisites\": {\"environments\": [");
	for (i = 0; i < 200000; i++)
		put(&b, "%s\"env-%d\"", i ? ", " : "", i);
	put(&b, "]}}");
	assert_int_equal(alm_facts_new(&facts), 0);
	t0 = test_now();
	assert_int_equal(alm_answers_load_text(facts, b.s, b.len, "many.json"), 0);
	assert_true(test_now() - t0 < 5.0);
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(facts, "answers.prerequisites.environments")), 200000);
	alm_facts_free(facts);
	free(b.s);
}

/* The sorted check names the same item the pairwise one did: the earliest
 * later copy, whatever order the copies come in. */
static void test_duplicate_is_the_earliest_later_copy(void **state)
{
	static const struct {
		const char *list, *path;
	} cases[] = {
		{"[\"b\", \"a\", \"c\", \"a\", \"b\"]", "$[3]"},
		{"[\"b\", \"a\", \"b\", \"a\"]", "$[2]"},
		{"[1, 2, 3, 1.0]", "$[3]"},
		{"[true, false, null, \"x\", null]", "$[4]"},
		{"[[1], {\"a\": 1}, [1]]", "$[2]"},
		{"[\"z\", \"z\", \"z\"]", "$[1]"},
	};
	cJSON *schema = cJSON_Parse("{\"type\": \"array\", \"uniqueItems\": true}");
	size_t i;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *v = cJSON_Parse(cases[i].list);
		char want[64];
		assert_non_null(v);
		assert_int_equal(alm_schema_validate(schema, v, "list"), ALM_EINVALID);
		snprintf(want, sizeof want, "list: %s: appears more than once", cases[i].path);
		assert_message_has(want);
		cJSON_Delete(v);
	}
	{
		cJSON *v = cJSON_Parse("[\"a\", \"A\", 1, \"1\", true, 2, [1], [2]]");
		assert_int_equal(alm_schema_validate(schema, v, "list"), 0);
		cJSON_Delete(v);
	}
	cJSON_Delete(schema);
}

/* Rules with thousands of questions made the id and reference checks, which
 * walk lists, take seconds and then minutes: the lists are bounded. */
static void test_rules_lists_are_bounded(void **state)
{
	cJSON *doc = test_default_rules_doc(), *questions, *nodes;
	alm_rules *rules = NULL;
	double t0;
	int i;
	(void)state;

	questions = cJSON_GetObjectItem(doc, "questions");
	for (i = 0; i < ALM_RULES_MAX_ITEMS; i++) {
		cJSON *q = cJSON_Duplicate(cJSON_GetArrayItem(questions, 0), 1);
		char id[32];
		snprintf(id, sizeof id, "extra-%d", i);
		cJSON_ReplaceItemInObject(q, "id", cJSON_CreateString(id));
		snprintf(id, sizeof id, "extra-%d.part", i);
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(q, "parts"), 0), "id",
					  cJSON_CreateString(id));
		cJSON_AddItemToArray(questions, q);
	}
	t0 = test_now();
	assert_int_equal(alm_rules_from_json(&rules, doc, "many.json"), ALM_ELIMIT);
	assert_true(test_now() - t0 < 2.0);
	assert_message_has("many.json: $.questions: more than 1000 entries");

	doc = test_default_rules_doc();
	nodes = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tree"), "nodes");
	for (i = 0; i < ALM_RULES_MAX_ITEMS; i++)
		cJSON_AddItemToArray(nodes, cJSON_Duplicate(cJSON_GetArrayItem(nodes, 0), 1));
	assert_int_equal(alm_rules_from_json(&rules, doc, "nodes.json"), ALM_ELIMIT);
	assert_message_has("nodes.json: $.tree.nodes: more than 1000 entries");
	assert_null(rules);
}

/* The default rules with one question part's condition replaced. */
static cJSON *rules_with_condition(const char *part_id, const char *needs, const char *logic)
{
	cJSON *doc = test_default_rules_doc(), *q, *part;
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(doc, "questions")) {
		cJSON_ArrayForEach(part, cJSON_GetObjectItem(q, "parts")) {
			if (strcmp(cJSON_GetObjectItem(part, "id")->valuestring, part_id) != 0)
				continue;
			cJSON_ReplaceItemInObject(part, "condition", cJSON_Parse(logic));
			if (needs) {
				cJSON *list = cJSON_CreateArray();
				cJSON_AddItemToArray(list, cJSON_CreateString(needs));
				cJSON_ReplaceItemInObject(part, "needs", list);
			}
			return doc;
		}
	}
	fail_msg("no part %s", part_id);
	return NULL;
}

/* A message built on the checker's own message used to pass alm_error_last()
 * to alm_error_set, which writes the same buffer: the text came out mangled
 * ("rules.json: rules.json:  $.questions..."). */
static void test_logic_errors_keep_their_message(void **state)
{
	alm_rules *rules = NULL;
	alm_facts *facts;
	cJSON *report = NULL;
	buf b = {0};
	int i;
	(void)state;

	assert_int_equal(alm_rules_from_json(&rules, rules_with_condition("impact.tier", NULL, "{\"frobnicate\": [1]}"),
					     "team-rules.json"),
			 ALM_EINVALID);
	assert_string_equal(alm_error_last(),
			    "team-rules.json: unknown operator \"frobnicate\" at $.questions[0].parts[0].condition");

	/* Evaluation errors (here too much work for the data: each environment
	 * times a literal list of 1000) are located too. */
	put(&b, "{\"map\": [{\"var\": \"answers.prerequisites.environments\"}, {\"map\": [[");
	for (i = 0; i < 1000; i++)
		put(&b, "%s%d", i ? ", " : "", i);
	put(&b, "], {\"var\": \"\"}]}]}");
	assert_int_equal(alm_rules_from_json(&rules, rules_with_condition("maturity.level_300",
			 "answers.prerequisites.environments", b.s), "slow.json"), 0);
	b.len = 0;
	put(&b, "{\"prerequisites\": {\"environments\": [");
	for (i = 0; i < 1500; i++)
		put(&b, "%s\"e%d\"", i ? ", " : "", i);
	put(&b, "]}}");
	assert_int_equal(alm_facts_new(&facts), 0);
	assert_int_equal(alm_answers_load_text(facts, b.s, b.len, "envs.json"), 0);
	assert_int_equal(alm_assess(&report, rules, facts, "test"), ALM_ELIMIT);
	assert_null(report);
	assert_message_has("rules: question part \"maturity.level_300\": evaluation exceeded 1000000 steps");
	assert_message_has("at $.map[1]");
	alm_facts_free(facts);
	alm_rules_free(rules);
	free(b.s);
}

/* libgit2 1.5 reports a repository that fails its ownership check as "not
 * found" when no safe.directory is set: the user was told there was no
 * repository at all, instead of how to trust it. */
static void test_another_users_repository_is_named_as_such(void **state)
{
	char *dir, *sub, *workdir = NULL;
	size_t n;
	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a repository to another user */
	dir = test_mkdtemp();
	assert_int_equal(test_sh("cd '%s' && git init -q && mkdir sub && chown -R 4242:4242 .", dir), 0);
	n = strlen(dir) + 8;
	sub = malloc(n);
	assert_non_null(sub);
	snprintf(sub, n, "%s/sub", dir);
	assert_int_equal(alm_repo_locate(&workdir, sub), ALM_EINVALID);
	assert_null(workdir);
	assert_message_has("the repository is owned by another user");
	/* git's safe.directory wants the work tree's top, not the subdirectory. */
	{
		char want[4200];
		snprintf(want, sizeof want, "safe.directory %s'", dir);
		assert_message_has(want);
	}
	/* A directory that is in no repository is still "not a repository". */
	assert_int_equal(test_sh("rm -rf '%s/.git'", dir), 0);
	assert_int_equal(alm_repo_locate(&workdir, sub), ALM_ENOTFOUND);
	assert_message_has("not a git repository");
	test_rmtree(dir);
	free(sub);
	free(dir);
}

/* Writing a report holds SIGINT and friends while its temporary file exists;
 * afterwards the caller's mask is back as it was, on success and failure. */
static void test_writes_restore_the_signal_mask(void **state)
{
	char *dir = test_mkdtemp(), path[4200], bad[4200];
	sigset_t before, after, with_term;
	(void)state;
	snprintf(path, sizeof path, "%s/report.json", dir);
	snprintf(bad, sizeof bad, "%s/report.json/x", dir);

	sigemptyset(&with_term);
	sigaddset(&with_term, SIGTERM); /* one the caller holds itself stays held */
	assert_int_equal(sigprocmask(SIG_BLOCK, &with_term, &before), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &before), 0);
	assert_int_equal(alm_file_write_atomic(path, "{}\n", 3), 0);
	assert_int_equal(alm_file_write_atomic(bad, "{}\n", 3), ALM_EIO);
	assert_int_equal(alm_file_write_new(path, "{}\n", 3), ALM_EIO);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &after), 0);
	assert_false(sigismember(&after, SIGINT));
	assert_true(sigismember(&after, SIGTERM));
	assert_false(sigismember(&after, SIGHUP));
	assert_int_equal(sigprocmask(SIG_UNBLOCK, &with_term, NULL), 0);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_beyond_the_limit),
		cmocka_unit_test(test_long_unique_list_is_quick),
		cmocka_unit_test(test_duplicate_is_the_earliest_later_copy),
		cmocka_unit_test(test_rules_lists_are_bounded),
		cmocka_unit_test(test_logic_errors_keep_their_message),
		cmocka_unit_test(test_another_users_repository_is_named_as_such),
		cmocka_unit_test(test_writes_restore_the_signal_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
