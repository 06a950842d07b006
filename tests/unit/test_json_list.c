/*
 * The bounded list reader (src/json_list.c) on its own: the shapes it refuses
 * and their messages, the bound, items that are not objects, records a reader
 * skips, a reader's failure (every record built so far freed), the early stop
 * of a walk, and out of memory wherever it strikes: the whole list or
 * ALM_ENOMEM and nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "alm/error.h"
#include "alm/json.h"
#include "json_list.h"
#include "support.h"

/* ---- the record: a name, and how many records hold memory ---- */

typedef struct {
	char *name;
	double size;
} thing;

static long live_names; /* names allocated and not yet freed */
static int disposed;    /* dispose calls */

static void thing_dispose(void *record)
{
	thing *t = record;
	disposed++;
	if (t->name)
		live_names--;
	free(t->name);
	t->name = NULL;
}

/* Skips items without a "name"; fails (ENOMEM) when its copy cannot be made,
 * or (EINVALID, after copying the name) on a "size" below zero. */
static int thing_fill(void *record, const cJSON *item, void *ctx)
{
	thing *t = record;
	const char *name = alm_json_str(item, "name");
	size_t n;
	(void)ctx;
	if (!name)
		return ALM_JSON_LIST_SKIP;
	n = strlen(name) + 1;
	if (!(t->name = test_failing_malloc(n)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	memcpy(t->name, name, n);
	live_names++;
	t->size = alm_json_num_or(item, "size", 0);
	if (t->size < 0)
		return alm_error_set(ALM_EINVALID, "things: a size below zero");
	return 0;
}

static const alm_json_list things = {
	"things", "value", "a list {\"value\": [...]}", 0, 0, thing_fill, thing_dispose,
};

static int reset(void **state)
{
	(void)state;
	test_allocate_freely();
	live_names = 0;
	disposed = 0;
	alm_error_clear();
	return 0;
}

/* Reads `body` as a list of things; asserts the failure leaves nothing. */
static int read_things(thing **items, size_t *count, const char *body, const alm_json_list *list)
{
	int error;
	*items = (thing *)(uintptr_t)1; /* overwritten whatever happens */
	*count = 99;
	error = alm_json_list_read_body(items, count, body, strlen(body), list, NULL);
	if (error < 0) {
		assert_null(*items);
		assert_int_equal(*count, 0);
		assert_int_equal(live_names, 0);
	}
	return error;
}

static void assert_refused(const char *body, const alm_json_list *list, const char *message)
{
	thing *items;
	size_t count;
	assert_int_equal(read_things(&items, &count, body, list), ALM_EINVALID);
	assert_string_equal(alm_error_last(), message);
}

/* ---- shapes ---- */

static void test_wrong_shapes_are_refused_by_name(void **state)
{
	(void)state;
	assert_refused("42", &things, "things: expected a list {\"value\": [...]}");
	assert_refused("\"value\"", &things, "things: expected a list {\"value\": [...]}");
	assert_refused("{\"count\": 0}", &things, "things: expected a list {\"value\": [...]}");
	assert_refused("{\"value\": {\"name\": \"a\"}}", &things, "things: expected a list {\"value\": [...]}");
	assert_refused("{\"value\": null}", &things, "things: expected a list {\"value\": [...]}");
	assert_refused("{\"Value\": []}", &things, "things: expected a list {\"value\": [...]}");
	/* Without `bare`, the array alone is not the list. */
	assert_refused("[{\"name\": \"a\"}]", &things, "things: expected a list {\"value\": [...]}");
	/* Not JSON: the parser's message, under the list's name. */
	assert_refused("{\"value\": [", &things, "things:1:12: unexpected end of input; expected a complete JSON value");
}

static void test_a_bare_array_is_the_list_when_allowed(void **state)
{
	alm_json_list bare = things;
	thing *items;
	size_t count;
	(void)state;
	bare.bare = 1;
	assert_int_equal(read_things(&items, &count, "[{\"name\": \"a\"}, {\"name\": \"b\"}]", &bare), 0);
	assert_int_equal(count, 2);
	assert_string_equal(items[1].name, "b");
	alm_json_list_free(&items, &count, thing_dispose);
	/* The wrapper still works beside it; with no key, only the bare array does. */
	assert_int_equal(read_things(&items, &count, "{\"value\": [{\"name\": \"c\"}]}", &bare), 0);
	assert_int_equal(count, 1);
	alm_json_list_free(&items, &count, thing_dispose);
	bare.key = NULL;
	assert_refused("{\"value\": [{\"name\": \"c\"}]}", &bare, "things: expected a list {\"value\": [...]}");
	assert_int_equal(live_names, 0);
}

/* ---- items ---- */

static void test_items_not_objects_and_skipped_records_are_left_out(void **state)
{
	thing *items;
	size_t count;
	(void)state;
	assert_int_equal(read_things(&items, &count,
				     "{\"value\": [1, {\"name\": \"a\", \"size\": 3}, \"b\", [], null, {\"size\": 4},"
				     " {\"name\": \"c\"}]}",
				     &things),
			 0);
	assert_int_equal(count, 2);
	assert_string_equal(items[0].name, "a");
	assert_true(items[0].size == 3);
	assert_string_equal(items[1].name, "c");
	assert_true(items[1].size == 0);
	alm_json_list_free(&items, &count, thing_dispose);
	assert_null(items);
	assert_int_equal(count, 0);
	assert_int_equal(live_names, 0);
}

static void test_an_empty_list_has_an_array_and_no_records(void **state)
{
	thing *items;
	size_t count;
	(void)state;
	assert_int_equal(read_things(&items, &count, "{\"value\": []}", &things), 0);
	assert_int_equal(count, 0);
	assert_non_null(items); /* room for one, like every list read */
	alm_json_list_free(&items, &count, thing_dispose);
	assert_int_equal(disposed, 0);
}

static void test_the_bound_counts_every_item(void **state)
{
	alm_json_list bounded = things;
	thing *items;
	size_t count;
	(void)state;
	bounded.max_items = 3;
	assert_int_equal(read_things(&items, &count, "{\"value\": [{\"name\": \"a\"}, 2, {\"name\": \"c\"}]}", &bounded),
			 0);
	assert_int_equal(count, 2);
	alm_json_list_free(&items, &count, thing_dispose);
	/* Items that are not objects count toward it too: they are bytes the server sent. */
	assert_refused("{\"value\": [{\"name\": \"a\"}, 2, 3, {\"name\": \"d\"}]}", &bounded,
		       "things: 4 items; expected at most 3");
	assert_int_equal(disposed, 2); /* the first list only: the long one was not read */
}

static void test_a_readers_failure_frees_every_record(void **state)
{
	thing *items;
	size_t count;
	(void)state;
	/* The third record fails after taking its name: it is freed with the two before. */
	assert_int_equal(read_things(&items, &count,
				     "{\"value\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\", \"size\": -1},"
				     " {\"name\": \"d\"}]}",
				     &things),
			 ALM_EINVALID);
	assert_string_equal(alm_error_last(), "things: a size below zero");
	assert_int_equal(disposed, 3);
	assert_int_equal(live_names, 0);
}

/* ---- walking ---- */

typedef struct {
	int seen;
	int stop_at, fail_at;
} walk_log;

static int log_item(void *ctx, const cJSON *item)
{
	walk_log *w = ctx;
	(void)item;
	w->seen++;
	if (w->seen == w->fail_at)
		return alm_error_set(ALM_EINVALID, "things: item %d refused", w->seen);
	return w->seen == w->stop_at ? ALM_JSON_LIST_STOP : 0;
}

static void test_a_walk_sees_every_item_stops_and_fails(void **state)
{
	const char *body = "{\"value\": [1, {\"name\": \"a\"}, \"x\", {}]}";
	walk_log w = {0, 0, 0};
	size_t visited = 99;
	(void)state;
	assert_int_equal(alm_json_list_each_body(&visited, body, strlen(body), &things, log_item, &w), 0);
	assert_int_equal(w.seen, 4);
	assert_int_equal(visited, 4);

	w = (walk_log){0, 2, 0};
	assert_int_equal(alm_json_list_each_body(&visited, body, strlen(body), &things, log_item, &w), 0);
	assert_int_equal(w.seen, 2);
	assert_int_equal(visited, 2);

	w = (walk_log){0, 0, 3};
	assert_int_equal(alm_json_list_each_body(&visited, body, strlen(body), &things, log_item, &w), ALM_EINVALID);
	assert_string_equal(alm_error_last(), "things: item 3 refused");
	assert_int_equal(visited, 3);

	w = (walk_log){0, 0, 0};
	assert_int_equal(alm_json_list_each_body(&visited, "[]", 2, &things, log_item, &w), ALM_EINVALID);
	assert_string_equal(alm_error_last(), "things: expected a list {\"value\": [...]}");
	assert_int_equal(visited, 0);
	assert_int_equal(w.seen, 0);
}

static void test_a_parsed_root_reads_like_a_body(void **state)
{
	cJSON *root = NULL;
	const cJSON *items;
	thing *records;
	size_t count;
	const char *body = "{\"value\": [{\"name\": \"a\"}], \"next\": \"n\"}";
	(void)state;
	assert_int_equal(alm_json_list_parse(&root, &items, body, strlen(body), &things), 0);
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(alm_json_str(root, "next"), "n");
	assert_int_equal(alm_json_list_read(&records, &count, root, &things, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(records[0].name, "a");
	alm_json_list_free(&records, &count, thing_dispose);
	cJSON_Delete(root);
	/* A refused shape leaves no tree behind. */
	root = (cJSON *)(uintptr_t)1;
	assert_int_equal(alm_json_list_parse(&root, &items, "{}", 2, &things), ALM_EINVALID);
	assert_null(root);
	assert_null(items);
}

/* ---- out of memory ---- */

static void test_records_too_large_for_memory_are_enomem(void **state)
{
	cJSON *root = NULL;
	unsigned char *records = (unsigned char *)(uintptr_t)1;
	size_t count = 99;
	const char *body = "{\"value\": [{}, {}, {}, {}]}";
	(void)state;
	assert_int_equal(alm_json_parse(&root, body, strlen(body), "t"), 0);
	/* Four records of half the address space each cannot be had. */
	assert_int_equal(alm_json_list_read_(&records, &count, SIZE_MAX / 2, root, &things, NULL), ALM_ENOMEM);
	assert_string_equal(alm_error_last(), "out of memory");
	assert_null(records);
	assert_int_equal(count, 0);
	cJSON_Delete(root);
}

static void test_out_of_memory_anywhere_gives_all_or_nothing(void **state)
{
	const char *body = "{\"value\": [{\"name\": \"alpha\", \"size\": 1}, 7, {\"name\": \"beta\"}, {\"size\": 2},"
			   " {\"name\": \"gamma\", \"size\": 3}]}";
	thing *items;
	size_t count;
	long b, needed, failed = 0;
	(void)state;
	test_fail_after(-1);
	assert_int_equal(read_things(&items, &count, body, &things), 0);
	needed = test_allocations();
	assert_int_equal(count, 3);
	alm_json_list_free(&items, &count, thing_dispose);
	for (b = 0; b <= needed; b++) {
		int error;
		test_fail_after(b);
		error = read_things(&items, &count, body, &things);
		test_allocate_freely();
		if (error < 0) {
			assert_int_equal(error, ALM_ENOMEM);
			failed++;
			continue;
		}
		assert_int_equal(count, 3);
		assert_string_equal(items[0].name, "alpha");
		assert_string_equal(items[1].name, "beta");
		assert_string_equal(items[2].name, "gamma");
		assert_true(items[2].size == 3);
		alm_json_list_free(&items, &count, thing_dispose);
	}
	assert_int_equal(failed, needed); /* every budget short of the need fails, and says so */
	assert_int_equal(live_names, 0);
}

static void test_freeing_nothing_is_harmless(void **state)
{
	thing *items = NULL;
	size_t count = 0;
	(void)state;
	alm_json_list_free(&items, &count, thing_dispose);
	alm_json_list_free(&items, &count, NULL);
	assert_null(items);
	assert_int_equal(disposed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_wrong_shapes_are_refused_by_name, reset),
		cmocka_unit_test_setup(test_a_bare_array_is_the_list_when_allowed, reset),
		cmocka_unit_test_setup(test_items_not_objects_and_skipped_records_are_left_out, reset),
		cmocka_unit_test_setup(test_an_empty_list_has_an_array_and_no_records, reset),
		cmocka_unit_test_setup(test_the_bound_counts_every_item, reset),
		cmocka_unit_test_setup(test_a_readers_failure_frees_every_record, reset),
		cmocka_unit_test_setup(test_a_walk_sees_every_item_stops_and_fails, reset),
		cmocka_unit_test_setup(test_a_parsed_root_reads_like_a_body, reset),
		cmocka_unit_test_setup(test_records_too_large_for_memory_are_enomem, reset),
		cmocka_unit_test_setup(test_out_of_memory_anywhere_gives_all_or_nothing, reset),
		cmocka_unit_test_setup(test_freeing_nothing_is_harmless, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
