#ifndef ALM_JSON_LIST_H
#define ALM_JSON_LIST_H
/*
 * Lists of a REST answer read into arrays of plain records: the array found
 * in its wrapper ({"value": [...]}, or the body itself), its size bounded,
 * each object item filled by a reader of one record, and on any failure
 * every record built so far freed. The readers of Azure DevOps and Power
 * Platform answers differ only in the record; this is the rest, once.
 *
 *	static const alm_json_list repositories = {
 *		"repositories", "value", "a list {\"value\": [...]}", 0, 0,
 *		repository_fill, repository_dispose,
 *	};
 *	error = alm_json_list_read_body(&out->items, &out->count, body, len, &repositories, NULL);
 */
#include <cJSON.h>
#include <stddef.h>

/* What a reader of one record returns besides 0 (go on) and a negative
 * alm_error_code (stop, and fail with it). */
enum {
	ALM_JSON_LIST_SKIP = 1, /* fill: this item is not a record; its slot is left as it was */
	ALM_JSON_LIST_STOP = 2  /* each: the walk is over; the list was read */
};

/* Fills the zeroed record at `record` from `item` (always an object). On an
 * error the record may be half filled: the list's dispose frees it. */
typedef int (*alm_json_list_fill_fn)(void *record, const cJSON *item, void *ctx);

/* Frees what one record holds (not the record itself). */
typedef void (*alm_json_list_dispose_fn)(void *record);

/* Called with each item of the array, objects or not. */
typedef int (*alm_json_list_item_fn)(void *ctx, const cJSON *item);

typedef struct {
	const char *name;     /* the list in errors: "repositories" */
	const char *key;      /* the wrapper's member holding the array; NULL: none */
	const char *expected; /* what a wrong shape is told it should be: "a list {\"value\": [...]}" */
	int bare;             /* whether the array itself (no wrapper) is the list too */
	size_t max_items;     /* most items a list may have; 0: no bound */
	alm_json_list_fill_fn fill;       /* for alm_json_list_read */
	alm_json_list_dispose_fn dispose; /* NULL: a record holds nothing to free */
} alm_json_list;

/* The list's array in `root` (borrowed). ALM_EINVALID "NAME: expected
 * EXPECTED" when root is not of that shape, or "NAME: N items; expected at
 * most MAX" when it is too long. */
int alm_json_list_items(const cJSON **items, const cJSON *root, const alm_json_list *list);

/* Parses `len` bytes of `body` (errors "NAME:LINE:COL: ...", as
 * alm_json_parse) and finds its array as above. *root is the caller's to
 * delete; NULL on failure. */
int alm_json_list_parse(cJSON **root, const cJSON **items, const char *body, size_t len,
			const alm_json_list *list);

/* Calls fn with each item of the list in `root` until it returns
 * ALM_JSON_LIST_STOP or an error (returned). *visited (may be NULL) receives
 * how many items fn was called with. */
int alm_json_list_each(size_t *visited, const cJSON *root, const alm_json_list *list, alm_json_list_item_fn fn,
		       void *ctx);

/* The same on the list parsed from `body` (as alm_json_list_parse). */
int alm_json_list_each_body(size_t *visited, const char *body, size_t len, const alm_json_list *list,
			    alm_json_list_item_fn fn, void *ctx);

/* The records of the list in `root`: an array of `size`-byte records at
 * *itemsp (the address of a T *, room for one at least) and their number in
 * *count, one for each object item the fill did not skip (items that are not
 * objects are). Returns 0, or an error with *itemsp NULL and *count 0. */
int alm_json_list_read_(void *itemsp, size_t *count, size_t size, const cJSON *root, const alm_json_list *list,
			void *ctx);

/* The same, parsing the list from `body` first. */
int alm_json_list_read_body_(void *itemsp, size_t *count, size_t size, const char *body, size_t len,
			     const alm_json_list *list, void *ctx);

#define alm_json_list_read(itemsp, count, root, list, ctx) \
	alm_json_list_read_((itemsp), (count), sizeof **(itemsp), (root), (list), (ctx))
#define alm_json_list_read_body(itemsp, count, body, len, list, ctx) \
	alm_json_list_read_body_((itemsp), (count), sizeof **(itemsp), (body), (len), (list), (ctx))

/* Disposes `count` records of `size` bytes at *itemsp and frees the array;
 * *itemsp becomes NULL and *count 0. */
void alm_json_list_free_(void *itemsp, size_t *count, size_t size, alm_json_list_dispose_fn dispose);

#define alm_json_list_free(itemsp, count, dispose) alm_json_list_free_((itemsp), (count), sizeof **(itemsp), (dispose))

#endif
