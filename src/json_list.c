#include "json_list.h"
#include "alm/error.h"
#include "alm/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int alm_json_list_items(const cJSON **items, const cJSON *root, const alm_json_list *list)
{
	const cJSON *array = NULL;
	size_t n;

	*items = NULL;
	if (list->bare && cJSON_IsArray(root))
		array = root;
	else if (list->key)
		array = alm_json_arr(root, list->key);
	if (!array)
		return alm_error_set(ALM_EINVALID, "%s: expected %s", list->name, list->expected);
	n = (size_t)cJSON_GetArraySize(array);
	if (list->max_items && n > list->max_items)
		return alm_error_set(ALM_EINVALID, "%s: %zu items; expected at most %zu", list->name, n,
				     list->max_items);
	*items = array;
	return 0;
}

int alm_json_list_parse(cJSON **root, const cJSON **items, const char *body, size_t len,
			const alm_json_list *list)
{
	int error;

	*items = NULL;
	if ((error = alm_json_parse(root, body, len, list->name)) < 0)
		return error;
	if ((error = alm_json_list_items(items, *root, list)) < 0) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	return error;
}

/* Calls fn with each item of `items` until it stops or fails. */
static int walk(size_t *visited, const cJSON *items, alm_json_list_item_fn fn, void *ctx)
{
	const cJSON *item;
	size_t n = 0;
	int error = 0;

	cJSON_ArrayForEach(item, items) {
		n++;
		if ((error = fn(ctx, item)) < 0 || error == ALM_JSON_LIST_STOP)
			break;
	}
	if (visited)
		*visited = n;
	return error < 0 ? error : 0;
}

int alm_json_list_each(size_t *visited, const cJSON *root, const alm_json_list *list, alm_json_list_item_fn fn,
		       void *ctx)
{
	const cJSON *items;
	int error;

	if (visited)
		*visited = 0;
	if ((error = alm_json_list_items(&items, root, list)) < 0)
		return error;
	return walk(visited, items, fn, ctx);
}

int alm_json_list_each_body(size_t *visited, const char *body, size_t len, const alm_json_list *list,
			    alm_json_list_item_fn fn, void *ctx)
{
	cJSON *root = NULL;
	const cJSON *items;
	int error;

	if (visited)
		*visited = 0;
	if ((error = alm_json_list_parse(&root, &items, body, len, list)) < 0)
		return error;
	error = walk(visited, items, fn, ctx);
	cJSON_Delete(root);
	return error;
}

/* The array being filled, as alm_json_list_each hands it from item to item. */
typedef struct {
	const alm_json_list *list;
	void *ctx;
	unsigned char *records;
	size_t size, count;
} filling;

static int fill_one(void *ctx, const cJSON *item)
{
	filling *f = ctx;
	int got;
	if (!cJSON_IsObject(item))
		return 0;
	got = f->list->fill(f->records + f->count * f->size, item, f->ctx);
	if (got < 0) {
		f->count++; /* the half-filled record is disposed with the others */
		return got;
	}
	if (got != ALM_JSON_LIST_SKIP)
		f->count++;
	return 0;
}

/* The array pointer is read and written as bytes: it may be any T *. */
static unsigned char *records_at(const void *itemsp)
{
	unsigned char *records;
	memcpy(&records, itemsp, sizeof records);
	return records;
}

static void set_records(void *itemsp, unsigned char *records)
{
	memcpy(itemsp, &records, sizeof records);
}

void alm_json_list_free_(void *itemsp, size_t *count, size_t size, alm_json_list_dispose_fn dispose)
{
	unsigned char *records = records_at(itemsp);
	size_t i;

	if (dispose && records)
		for (i = 0; i < *count; i++)
			dispose(records + i * size);
	free(records);
	set_records(itemsp, NULL);
	*count = 0;
}

int alm_json_list_read_(void *itemsp, size_t *count, size_t size, const cJSON *root, const alm_json_list *list,
			void *ctx)
{
	const cJSON *items;
	filling f;
	size_t n;
	int error;

	set_records(itemsp, NULL);
	*count = 0;
	if ((error = alm_json_list_items(&items, root, list)) < 0)
		return error;
	n = (size_t)cJSON_GetArraySize(items);
	/* Every item may be a record: one allocation, zeroed, for the lot. */
	f.list = list;
	f.ctx = ctx;
	f.size = size;
	f.count = 0;
	if (!n)
		n = 1; /* an empty list has an array too, as callers expect */
	if (!size || n > SIZE_MAX / size || !(f.records = calloc(n, size)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	error = walk(NULL, items, fill_one, &f);
	set_records(itemsp, f.records);
	*count = f.count;
	if (error < 0)
		alm_json_list_free_(itemsp, count, size, list->dispose);
	return error;
}

int alm_json_list_read_body_(void *itemsp, size_t *count, size_t size, const char *body, size_t len,
			     const alm_json_list *list, void *ctx)
{
	cJSON *root = NULL;
	const cJSON *items;
	int error;

	set_records(itemsp, NULL);
	*count = 0;
	if ((error = alm_json_list_parse(&root, &items, body, len, list)) < 0)
		return error;
	error = alm_json_list_read_(itemsp, count, size, root, list, ctx);
	cJSON_Delete(root);
	return error;
}
