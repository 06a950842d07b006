#include "alm/schema.h"
#include "alm/error.h"
#include "alm/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 512
#define MAX_REF_DEPTH 64

typedef struct {
	const cJSON *root; /* the schema document, for $ref */
	const char *name;
} validator;

static const char *type_of(const cJSON *v)
{
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsBool(v)) return "boolean";
	if (cJSON_IsNumber(v)) return (v->valuedouble == floor(v->valuedouble) && isfinite(v->valuedouble)) ? "integer" : "number";
	if (cJSON_IsString(v)) return "string";
	if (cJSON_IsArray(v)) return "array";
	return "object";
}

static int type_matches(const char *want, const cJSON *v)
{
	const char *have = type_of(v);
	if (strcmp(want, have) == 0)
		return 1;
	return strcmp(want, "number") == 0 && strcmp(have, "integer") == 0;
}

/* Appends `item` to the list of allowed values in `buf` for messages. */
static void describe_values(char *buf, size_t n, const cJSON *list)
{
	const cJSON *item;
	size_t used = 0;
	buf[0] = '\0';
	cJSON_ArrayForEach(item, list) {
		char *text = cJSON_PrintUnformatted(item);
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", text ? text : "?");
		cJSON_free(text);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

static void describe_keys(char *buf, size_t n, const cJSON *props)
{
	const cJSON *item;
	size_t used = 0;
	buf[0] = '\0';
	cJSON_ArrayForEach(item, props) {
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", item->string);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

static int fail(const validator *vd, const char *path, const char *msg)
{
	return alm_error_set(ALM_EINVALID, "%s: %s: %s", vd->name, path, msg);
}

const cJSON *alm_schema_resolve(const cJSON *root, const cJSON *schema)
{
	int depth = 0;
	const cJSON *ref;
	while (schema && (ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref")) && cJSON_IsString(ref)) {
		const char *prefix = "#/$defs/";
		if (++depth > MAX_REF_DEPTH || strncmp(ref->valuestring, prefix, strlen(prefix)) != 0)
			return NULL;
		schema = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "$defs"),
							  ref->valuestring + strlen(prefix));
	}
	return schema;
}

static int validate(const validator *vd, const cJSON *schema, const cJSON *v, const char *path);

static int check_type(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	char msg[600], list[400];
	if (!type)
		return 0;
	if (cJSON_IsString(type)) {
		if (type_matches(type->valuestring, v))
			return 0;
		snprintf(msg, sizeof msg, "expected %s %s, found %s",
			 strchr("aeiou", type->valuestring[0]) ? "an" : "a", type->valuestring, type_of(v));
		return fail(vd, path, msg);
	}
	if (cJSON_IsArray(type)) {
		const cJSON *t;
		cJSON_ArrayForEach(t, type)
			if (cJSON_IsString(t) && type_matches(t->valuestring, v))
				return 0;
		describe_values(list, sizeof list, type);
		snprintf(msg, sizeof msg, "expected one of the types %s, found %s", list, type_of(v));
		return fail(vd, path, msg);
	}
	return 0;
}

static int check_enum(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	const cJSON *konst = cJSON_GetObjectItemCaseSensitive(schema, "const");
	const cJSON *item;
	char msg[600], values[500];
	if (konst && !cJSON_Compare(konst, v, 1)) {
		char *text = cJSON_PrintUnformatted(konst);
		snprintf(msg, sizeof msg, "expected %s", text ? text : "a constant");
		cJSON_free(text);
		return fail(vd, path, msg);
	}
	if (!cJSON_IsArray(list))
		return 0;
	cJSON_ArrayForEach(item, list)
		if (cJSON_Compare(item, v, 1))
			return 0;
	describe_values(values, sizeof values, list);
	snprintf(msg, sizeof msg, "expected one of %s", values);
	return fail(vd, path, msg);
}

static int check_number(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(schema, "minimum");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(schema, "maximum");
	char msg[128];
	if (!cJSON_IsNumber(v))
		return 0;
	if (cJSON_IsNumber(min) && v->valuedouble < min->valuedouble) {
		snprintf(msg, sizeof msg, "expected a number of at least %g", min->valuedouble);
		return fail(vd, path, msg);
	}
	if (cJSON_IsNumber(max) && v->valuedouble > max->valuedouble) {
		snprintf(msg, sizeof msg, "expected a number of at most %g", max->valuedouble);
		return fail(vd, path, msg);
	}
	return 0;
}

static int check_string(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(schema, "minLength");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
	char msg[128];
	if (cJSON_IsString(v) && cJSON_IsNumber(min) && (double)strlen(v->valuestring) < min->valuedouble) {
		snprintf(msg, sizeof msg, "expected a string of at least %d characters", min->valueint);
		return fail(vd, path, msg);
	}
	/* Counted in bytes, not characters: a bound on size, which is what it is for. */
	if (cJSON_IsString(v) && cJSON_IsNumber(max) && (double)strlen(v->valuestring) > max->valuedouble) {
		snprintf(msg, sizeof msg, "expected a string of at most %d bytes", max->valueint);
		return fail(vd, path, msg);
	}
	return 0;
}

static int check_object(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
	const cJSON *required = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *item;
	char sub[PATH_MAX_LEN], msg[900], keys[700];
	int error;

	if (!cJSON_IsObject(v))
		return 0;
	cJSON_ArrayForEach(item, required) {
		if (cJSON_IsString(item) && !cJSON_GetObjectItemCaseSensitive(v, item->valuestring)) {
			snprintf(msg, sizeof msg, "missing the required key \"%s\"", item->valuestring);
			return fail(vd, path, msg);
		}
	}
	cJSON_ArrayForEach(item, v) {
		const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, item->string) : NULL;
		alm_json_path_key(sub, sizeof sub, path, item->string);
		if (ps) {
			if ((error = validate(vd, ps, item, sub)) < 0)
				return error;
		} else if (cJSON_IsFalse(extra)) {
			describe_keys(keys, sizeof keys, props);
			snprintf(msg, sizeof msg, "unknown key \"%s\"; expected one of %s", item->string, keys);
			return fail(vd, path, msg);
		} else if (cJSON_IsObject(extra)) {
			if ((error = validate(vd, extra, item, sub)) < 0)
				return error;
		}
	}
	return 0;
}

static int is_scalar(const cJSON *v)
{
	return !cJSON_IsArray(v) && !cJSON_IsObject(v);
}

typedef struct {
	const cJSON *value;
	int at; /* position in the array */
} indexed;

/* A total order on scalars that puts the values cJSON_Compare calls equal
 * next to each other, equal values in the order of the array. */
static int scalar_order(const void *a, const void *b)
{
	const indexed *p = a, *q = b;
	const cJSON *x = p->value, *y = q->value;
	int tx = x->type & 0xFF, ty = y->type & 0xFF, c = 0;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (cJSON_IsString(x))
		c = strcmp(x->valuestring, y->valuestring);
	else if (cJSON_IsNumber(x) && !cJSON_Compare(x, y, 1))
		c = x->valuedouble < y->valuedouble ? -1 : 1;
	return c ? c : (p->at > q->at) - (p->at < q->at);
}

/*
 * The index of the first item equal to an earlier one, or -1; -2 when out of
 * memory. Pairwise comparison is quadratic, which a long list in an answers
 * file would turn into minutes, so lists of scalars (every uniqueItems list in
 * the project's schemas) are sorted instead.
 */
static int first_duplicate(const cJSON *v, int n)
{
	const cJSON *item, *other;
	indexed *sorted;
	int i, first = -1;

	cJSON_ArrayForEach(item, v) {
		if (!is_scalar(item)) {
			/* Arrays and objects: rare enough for the plain way. */
			for (i = 0, item = v->child; item; item = item->next, i++)
				for (other = v->child; other != item; other = other->next)
					if (cJSON_Compare(item, other, 1))
						return i;
			return -1;
		}
	}
	if (n < 2)
		return -1;
	if (!(sorted = malloc((size_t)n * sizeof *sorted)))
		return -2;
	i = 0;
	cJSON_ArrayForEach(item, v) {
		sorted[i].value = item;
		sorted[i].at = i;
		i++;
	}
	qsort(sorted, (size_t)n, sizeof *sorted, scalar_order);
	/* The second item of each run of equal values is that value's first
	 * later copy; the earliest of those is the answer. */
	for (i = 1; i < n; i++)
		if (cJSON_Compare(sorted[i].value, sorted[i - 1].value, 1) &&
		    (i < 2 || !cJSON_Compare(sorted[i - 1].value, sorted[i - 2].value, 1)) &&
		    (first < 0 || sorted[i].at < first))
			first = sorted[i].at;
	free(sorted);
	return first;
}

static int check_array(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(schema, "minItems");
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(schema, "maxItems");
	const cJSON *unique = cJSON_GetObjectItemCaseSensitive(schema, "uniqueItems");
	const cJSON *item;
	char sub[PATH_MAX_LEN], msg[160];
	int i = 0, n, dup = -1, error;

	if (!cJSON_IsArray(v))
		return 0;
	n = cJSON_GetArraySize(v);
	if (cJSON_IsNumber(min) && n < min->valueint) {
		snprintf(msg, sizeof msg, "expected at least %d item%s", min->valueint, min->valueint == 1 ? "" : "s");
		return fail(vd, path, msg);
	}
	if (cJSON_IsNumber(max) && n > max->valueint) {
		snprintf(msg, sizeof msg, "expected at most %d items", max->valueint);
		return fail(vd, path, msg);
	}
	if (cJSON_IsTrue(unique) && (dup = first_duplicate(v, n)) == -2)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	cJSON_ArrayForEach(item, v) {
		alm_json_path_index(sub, sizeof sub, path, i);
		if (cJSON_IsObject(items) && (error = validate(vd, items, item, sub)) < 0)
			return error;
		/* Name the later copy: that is the one to remove. */
		if (i == dup)
			return fail(vd, sub, "appears more than once; expected unique items");
		i++;
	}
	return 0;
}

static int validate(const validator *vd, const cJSON *schema, const cJSON *v, const char *path)
{
	int error;
	schema = alm_schema_resolve(vd->root, schema);
	if (!schema)
		return fail(vd, path, "the schema has a $ref that cannot be resolved");
	if ((error = check_type(vd, schema, v, path)) < 0 ||
	    (error = check_enum(vd, schema, v, path)) < 0 ||
	    (error = check_number(vd, schema, v, path)) < 0 ||
	    (error = check_string(vd, schema, v, path)) < 0 ||
	    (error = check_object(vd, schema, v, path)) < 0 ||
	    (error = check_array(vd, schema, v, path)) < 0)
		return error;
	return 0;
}

int alm_schema_validate(const cJSON *schema, const cJSON *value, const char *name)
{
	validator vd;
	vd.root = schema;
	vd.name = name;
	return validate(&vd, schema, value, "$");
}
