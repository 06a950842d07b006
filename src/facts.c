#include "alm/facts.h"
#include "facts_int.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alm_facts {
	cJSON *data;     /* {"repo":{},"ado":{},...,"answers":{}}: the table's namespaces, then the answers */
	cJSON *evidence; /* path -> {"source","detail"} */
	cJSON *probes;   /* probe -> {"status","detail"} */
};

const char *alm_source_name(alm_source source)
{
	return source ? source : ALM_SOURCE_DEFAULT;
}

int alm_facts_new(alm_facts **out)
{
	alm_facts *f = calloc(1, sizeof *f);
	const alm_probe *const *table;
	size_t i, n;
	*out = NULL;
	if (!f)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	f->data = cJSON_CreateObject();
	f->evidence = cJSON_CreateObject();
	f->probes = cJSON_CreateObject();
	if (!f->data || !f->evidence || !f->probes)
		goto nomem;
	table = alm_probe_table(&n);
	for (i = 0; i < n; i++)
		if (!alm_json_add_object(f->data, table[i]->ns))
			goto nomem;
	if (!alm_json_add_object(f->data, ALM_SOURCE_ANSWERS))
		goto nomem;
	*out = f;
	return 0;
nomem:
	alm_facts_free(f);
	return alm_error_set(ALM_ENOMEM, "out of memory");
}

void alm_facts_free(alm_facts *facts)
{
	if (!facts)
		return;
	cJSON_Delete(facts->data);
	cJSON_Delete(facts->evidence);
	cJSON_Delete(facts->probes);
	free(facts);
}

/* Walks `path` below `root`, creating objects on the way; returns the parent
 * object of the last segment and points *leaf at that segment's name inside
 * `buf` (a writable copy of the path). */
static cJSON *parent_of(cJSON *root, char *buf, char **leaf)
{
	cJSON *node = root;
	char *seg = buf, *dot;
	while ((dot = strchr(seg, '.')) != NULL) {
		cJSON *child;
		*dot = '\0';
		child = cJSON_GetObjectItemCaseSensitive(node, seg);
		if (!child) {
			child = alm_json_add_object(node, seg);
		} else if (!cJSON_IsObject(child)) {
			/* A scalar fact is being refined into an object: replace it. */
			cJSON *obj = cJSON_CreateObject();
			if (!obj || !cJSON_ReplaceItemInObjectCaseSensitive(node, seg, obj)) {
				cJSON_Delete(obj);
				return NULL;
			}
			child = obj;
		}
		if (!child)
			return NULL;
		node = child;
		seg = dot + 1;
	}
	*leaf = seg;
	return node;
}

static int set_evidence(alm_facts *facts, const char *path, alm_source source,
			const char *detail)
{
	cJSON *entry = cJSON_CreateObject();
	if (!entry || !alm_json_add_string(entry, "source", alm_source_name(source)) ||
	    (detail && !alm_json_add_string(entry, "detail", detail))) {
		cJSON_Delete(entry);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(facts->evidence, path);
	if (!alm_json_add(facts->evidence, path, entry))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

static int set_fact(alm_facts *facts, const char *path, cJSON *value,
		    alm_source source, const char *detail)
{
	char *buf = NULL, *leaf;
	cJSON *parent;
	int error = 0;

	if (!value)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (!path || !*path || path[strlen(path) - 1] == '.') {
		cJSON_Delete(value);
		return alm_error_set(ALM_EINVALID, "fact path '%s' is empty or ends with a dot",
				     path ? path : "");
	}
	buf = strdup(path);
	if (!buf) {
		cJSON_Delete(value);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	parent = parent_of(facts->data, buf, &leaf);
	if (!parent) {
		cJSON_Delete(value);
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	if (!alm_json_set(parent, leaf, value)) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	error = set_evidence(facts, path, source, detail);
done:
	free(buf);
	return error;
}

int alm_facts_set(alm_facts *facts, const char *path, cJSON *value,
		  alm_source source, const char *detail, ...)
{
	char line[1024];
	if (detail) {
		va_list ap;
		va_start(ap, detail);
		vsnprintf(line, sizeof line, detail, ap);
		va_end(ap);
	}
	return set_fact(facts, path, value, source, detail ? line : NULL);
}

int alm_facts_set_number(alm_facts *facts, const char *path, double value,
			 alm_source source, const char *detail)
{
	return set_fact(facts, path, cJSON_CreateNumber(value), source, detail);
}

int alm_facts_set_bool(alm_facts *facts, const char *path, int value,
		       alm_source source, const char *detail)
{
	return set_fact(facts, path, cJSON_CreateBool(value), source, detail);
}

int alm_facts_set_string(alm_facts *facts, const char *path, const char *value,
			 alm_source source, const char *detail)
{
	return set_fact(facts, path, value ? cJSON_CreateString(value) : cJSON_CreateNull(),
			source, detail);
}

const cJSON *alm_facts_get(const alm_facts *facts, const char *path)
{
	return alm_json_get_path(facts->data, path);
}

const cJSON *alm_facts_evidence(const alm_facts *facts, const char *path)
{
	return cJSON_GetObjectItemCaseSensitive(facts->evidence, path);
}

const cJSON *alm_facts_data(const alm_facts *facts)
{
	return facts->data;
}

int alm_facts_set_probe(alm_facts *facts, const char *probe, const char *status,
			const char *detail)
{
	cJSON *entry = cJSON_CreateObject();
	if (!entry || !alm_json_add_string(entry, "status", status) ||
	    !(detail ? alm_json_add_string(entry, "detail", detail)
		     : alm_json_add_null(entry, "detail"))) {
		cJSON_Delete(entry);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(facts->probes, probe);
	if (!alm_json_add(facts->probes, probe, entry))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

const cJSON *alm_facts_probes(const alm_facts *facts)
{
	return facts->probes;
}

cJSON *alm_facts_to_json(const alm_facts *facts)
{
	cJSON *doc = cJSON_CreateObject();
	if (!doc || !alm_json_add_string(doc, "schema", "alm-advisor/facts@1") ||
	    !alm_json_add(doc, "facts", cJSON_Duplicate(facts->data, 1)) ||
	    !alm_json_add(doc, "evidence", cJSON_Duplicate(facts->evidence, 1)) ||
	    !alm_json_add(doc, "probes", cJSON_Duplicate(facts->probes, 1))) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

int alm_facts_copy(alm_facts **out, const alm_facts *src)
{
	alm_facts *f = calloc(1, sizeof *f);
	*out = NULL;
	if (!f)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	f->data = cJSON_Duplicate(src->data, 1);
	f->evidence = cJSON_Duplicate(src->evidence, 1);
	f->probes = cJSON_Duplicate(src->probes, 1);
	if (!f->data || !f->evidence || !f->probes) {
		alm_facts_free(f);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = f;
	return 0;
}

/* Moves `key` of `from` into `to`, in the place of what `to` had there (so
 * the namespaces keep their order). -1 when out of memory: the item stays in
 * `from`, so nothing is lost from view, but the caller must fail. */
static int move_item(cJSON *to, cJSON *from, const char *key)
{
	char *name = strdup(key); /* `key` may be the moved item's own name */
	cJSON *item;
	if (!name)
		return -1;
	if ((item = cJSON_DetachItemFromObjectCaseSensitive(from, name)))
		alm_json_set(to, name, item); /* a failure is counted: alm_gather checks */
	free(name);
	return 0;
}

int alm_facts_adopt(alm_facts *dst, alm_facts *src, const char *ns)
{
	size_t n = strlen(ns);
	cJSON *ev = src->evidence->child, *next;
	int failed = move_item(dst->data, src->data, ns) < 0;
	failed |= move_item(dst->probes, src->probes, ns) < 0;
	for (; ev; ev = next) {
		next = ev->next;
		if (strncmp(ev->string, ns, n) == 0 && ev->string[n] == '.')
			failed |= move_item(dst->evidence, src->evidence, ev->string) < 0;
	}
	return failed ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
}
