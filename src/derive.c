/* Derived facts: the rules' `derived` section evaluated over the facts, before
 * the tree is walked, and the stand-ins it gives for missing answers. */
#include "alm/derive.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct alm_derivation {
	cJSON *data;   /* the facts' data, "derived", and the stand-ins */
	cJSON *stated; /* the facts' data alone: no derived facts, no stand-ins */
	cJSON *list; /* one record per derived value */
};

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int present(const cJSON *v)
{
	return v && !cJSON_IsNull(v);
}

/* Sets `value` at a dotted path below `root`, creating (or replacing with)
 * objects on the way. Takes `value`. */
static int set_path(cJSON *root, const char *path, cJSON *value)
{
	char buf[512], *seg = buf, *dot;
	cJSON *node = root, *old;
	if (!value)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		cJSON_Delete(value);
		return alm_error_set(ALM_ELIMIT, "the fact name \"%.60s...\" is longer than %zu bytes", path, sizeof buf);
	}
	while ((dot = strchr(seg, '.')) != NULL) {
		cJSON *child;
		*dot = '\0';
		child = cJSON_GetObjectItemCaseSensitive(node, seg);
		if (!cJSON_IsObject(child)) {
			cJSON_DeleteItemFromObjectCaseSensitive(node, seg);
			child = alm_json_add_object(node, seg);
		}
		if (!child) {
			cJSON_Delete(value);
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		node = child;
		seg = dot + 1;
	}
	if ((old = cJSON_GetObjectItemCaseSensitive(node, seg)) != NULL)
		cJSON_ReplaceItemViaPointer(node, old, value);
	else
		alm_json_add(node, seg, value);
	return 0;
}

static int type_matches(const char *type, const cJSON *v)
{
	if (strcmp(type, "number") == 0)
		return cJSON_IsNumber(v);
	if (strcmp(type, "boolean") == 0)
		return cJSON_IsBool(v);
	if (strcmp(type, "string") == 0)
		return cJSON_IsString(v);
	if (strcmp(type, "array") == 0)
		return cJSON_IsArray(v);
	return cJSON_IsObject(v);
}

static const char *type_of(const cJSON *v)
{
	return cJSON_IsNumber(v) ? "a number" : cJSON_IsBool(v) ? "a boolean" : cJSON_IsString(v) ? "a string"
		: cJSON_IsArray(v) ? "a list" : "an object";
}

/* ---- templates ---------------------------------------------------------- */

/* One value as words: lists joined by `sep`, objects in lists by their name
 * or path. */
static void put_value(FILE *fp, const cJSON *v, const char *sep)
{
	const cJSON *item;
	int first = 1;
	if (cJSON_IsString(v)) {
		fputs(v->valuestring, fp);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "yes" : "no", fp);
	} else if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15) {
		fprintf(fp, "%.0f", v->valuedouble);
	} else if (cJSON_IsNumber(v)) {
		fprintf(fp, "%g", v->valuedouble);
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(item, v) {
			const char *name = cJSON_IsString(item) ? item->valuestring
					   : str(item, "name") ? str(item, "name") : str(item, "path");
			if (!first)
				fputs(sep, fp);
			if (name)
				fputs(name, fp);
			else
				put_value(fp, item, sep);
			first = 0;
		}
	} else if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(item, v) {
			fprintf(fp, "%s%s", first ? "" : ", ", item->string);
			first = 0;
		}
	}
}

/* Expands one string: {{path}}, {{path|fallback}}, {{?path}}, and {{>path}}
 * for a list in order (stages: joined by " -> " rather than ", "). Returns 0 when
 * a placeholder without a fallback is missing and `missing` is NULL (the
 * string is to be left out); otherwise `missing` is printed in its place. */
static int expand_one(FILE *fp, const char *s, const cJSON *data, const char *missing)
{
	while (*s) {
		const char *open = strstr(s, "{{"), *close = open ? strstr(open + 2, "}}") : NULL, *bar;
		char path[256];
		const cJSON *v;
		int silent, seq, have;
		size_t n;
		if (!open || !close) {
			fputs(s, fp); /* alm_derive_check refuses an unclosed one */
			return 1;
		}
		fwrite(s, 1, (size_t)(open - s), fp);
		silent = open[2] == '?';
		seq = open[2 + silent] == '>';
		n = (size_t)(close - open - 2 - silent - seq);
		bar = memchr(open + 2 + silent + seq, '|', n);
		snprintf(path, sizeof path, "%.*s", (int)(bar ? (size_t)(bar - open - 2 - silent - seq) : n),
			 open + 2 + silent + seq);
		v = alm_json_get_path(data, path);
		have = alm_jsonlogic_truthy(v) || (cJSON_IsNumber(v) && !silent);
		if (have && !silent)
			put_value(fp, v, seq ? " -> " : ", ");
		else if (!have && bar)
			fwrite(bar + 1, 1, (size_t)(close - bar - 1), fp);
		else if (!have && !missing)
			return 0;
		else if (!have)
			fputs(missing, fp);
		s = close + 2;
	}
	return 1;
}

int alm_derive_interpolate(char **out, const char *text, const cJSON *data)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	*out = NULL;
	if (!fp)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	expand_one(fp, text ? text : "", data, "unknown");
	if (fclose(fp) != 0 || !buf) {
		free(buf);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = buf;
	return 0;
}

/* A template is one string or a list of them: the i-th string, or NULL. */
static const char *template_part(const cJSON *tmpl, int i)
{
	const cJSON *item = cJSON_IsString(tmpl) ? (i == 0 ? tmpl : NULL) : cJSON_GetArrayItem(tmpl, i);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static int template_count(const cJSON *tmpl)
{
	return cJSON_IsString(tmpl) ? 1 : cJSON_IsArray(tmpl) ? cJSON_GetArraySize(tmpl) : 0;
}

int alm_derive_expand(char **out, const cJSON *tmpl, const cJSON *data)
{
	char *buf = NULL, *one = NULL;
	size_t n = 0, n1 = 0;
	FILE *fp = open_memstream(&buf, &n);
	int i, first = 1;

	*out = NULL;
	if (!fp)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; i < template_count(tmpl); i++) {
		const char *part = template_part(tmpl, i);
		FILE *f1;
		if (!part || !(f1 = open_memstream(&one, &n1)))
			continue;
		if (expand_one(f1, part, data, NULL) && fflush(f1) == 0 && n1) {
			fputs(first ? "" : "; ", fp);
			fputs(one, fp);
			first = 0;
		}
		fclose(f1);
		free(one);
		one = NULL;
	}
	if (fclose(fp) != 0 || !buf) {
		free(buf);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = buf;
	return 0;
}

/* ---- evaluation --------------------------------------------------------- */

static int evaluate_entry(alm_derivation *d, const cJSON *entry, int index)
{
	const char *fact = str(entry, "fact"), *type = str(entry, "type");
	cJSON *value = NULL, *record;
	int error;

	if ((error = alm_jsonlogic_apply(&value, cJSON_GetObjectItemCaseSensitive(entry, "logic"), d->data)) < 0) {
		/* Copied first: alm_error_set writes the buffer alm_error_last reads. */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", alm_error_last());
		return alm_error_set(error, "rules: $.derived[%d] (%s): %s", index, fact, msg);
	}
	if (cJSON_IsNull(value) || (cJSON_IsArray(value) && cJSON_GetArraySize(value) == 0)) {
		cJSON_Delete(value);
		return 0;
	}
	if (!type_matches(type, value)) {
		const char *got = type_of(value);
		cJSON_Delete(value);
		return alm_error_set(ALM_EINVALID, "rules: $.derived[%d] (%s): the logic yields %s, not the declared %s",
				     index, fact, got, type);
	}
	record = cJSON_CreateObject();
	if (!record || !alm_json_add_string(record, "fact", fact) ||
	    !alm_json_add(record, "value", cJSON_Duplicate(value, 1))) {
		cJSON_Delete(record);
		cJSON_Delete(value);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	alm_json_add(d->list, NULL, record);
	return set_path(d->data, fact, value);
}

/* Completes each record once every entry is known: its evidence sentence
 * (which may quote later entries), its seed, and whether it stands in. */
static int complete_records(alm_derivation *d, const cJSON *entries, const alm_facts *facts)
{
	cJSON *record;
	cJSON_ArrayForEach(record, d->list) {
		const cJSON *entry = NULL, *e;
		const char *answers;
		char *sentence = NULL, path[300];
		int error, stands_in = 0, overridden = 0;
		cJSON_ArrayForEach(e, entries)
			if (strcmp(str(e, "fact"), str(record, "fact")) == 0)
				entry = e;
		if ((error = alm_derive_expand(&sentence, cJSON_GetObjectItemCaseSensitive(entry, "evidence"), d->data)) < 0)
			return error;
		alm_json_add_string(record, "evidence", sentence);
		free(sentence);
		alm_json_add(record, "seed", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(entry, "seed"), 1));
		answers = str(entry, "answers");
		if (answers) {
			alm_json_add_string(record, "answers", answers);
			snprintf(path, sizeof path, "answers.%s", answers);
			overridden = present(alm_facts_get(facts, path));
			stands_in = !overridden;
		} else {
			alm_json_add_null(record, "answers");
		}
		alm_json_add_string(record, "bound", str(entry, "bound") ? str(entry, "bound") : "exact");
		alm_json_add_bool(record, "stands_in", stands_in);
		alm_json_add_bool(record, "overridden", overridden);
		if (stands_in && (error = set_path(d->data, path, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(record, "value"), 1))) < 0)
			return error;
	}
	return 0;
}

int alm_derive(alm_derivation **out, const alm_rules *rules, const alm_facts *facts)
{
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "derived"), *entry;
	alm_derivation *d = calloc(1, sizeof *d);
	int i = 0, error = 0;

	*out = NULL;
	if (!d)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	d->data = cJSON_Duplicate(alm_facts_data(facts), 1);
	d->list = cJSON_CreateArray();
	if (!d->data || !d->list) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	/* The namespace is the rules' alone: whatever a fact document holds there is replaced. */
	cJSON_DeleteItemFromObjectCaseSensitive(d->data, "derived");
	if (!(d->stated = cJSON_Duplicate(d->data, 1)) || !alm_json_add_object(d->data, "derived")) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(entry, entries) {
		if ((error = evaluate_entry(d, entry, i++)) < 0)
			goto done;
	}
	if ((error = complete_records(d, entries, facts)) < 0)
		goto done;
	*out = d;
	d = NULL;
done:
	alm_derivation_free(d);
	return error;
}

void alm_derivation_free(alm_derivation *d)
{
	if (!d)
		return;
	cJSON_Delete(d->data);
	cJSON_Delete(d->stated);
	cJSON_Delete(d->list);
	free(d);
}

const cJSON *alm_derivation_data(const alm_derivation *d)
{
	return d->data;
}

const cJSON *alm_derivation_stated(const alm_derivation *d)
{
	return d->stated;
}

const cJSON *alm_derivation_namespace(const alm_derivation *d)
{
	return cJSON_GetObjectItemCaseSensitive(d->data, "derived");
}

const cJSON *alm_derivation_list(const alm_derivation *d)
{
	return d->list;
}

const cJSON *alm_derivation_record(const alm_derivation *d, const char *path)
{
	const cJSON *record;
	if (!d || !path)
		return NULL;
	cJSON_ArrayForEach(record, d->list) {
		if (strcmp(str(record, "fact"), path) == 0)
			return record;
		if (strncmp(path, "answers.", 8) == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(record, "stands_in")) &&
		    str(record, "answers") && strcmp(str(record, "answers"), path + 8) == 0)
			return record;
	}
	return NULL;
}

/* ---- validation --------------------------------------------------------- */

static int bad(const char *name, const char *path, const char *msg, const char *arg)
{
	return alm_error_set(ALM_EINVALID, "%s: %s: %s%s%s", name, path, msg, arg ? " " : "", arg ? arg : "");
}

static int check_template(const cJSON *tmpl, const char *name, const char *path)
{
	int i;
	for (i = 0; i < template_count(tmpl); i++) {
		const char *part = template_part(tmpl, i), *s = part;
		while (s && (s = strstr(s, "{{")) != NULL) {
			const char *close = strstr(s + 2, "}}"), *next = strstr(s + 2, "{{");
			if (!close || (next && next < close))
				return bad(name, path, "a placeholder {{...}} is not closed in", part);
			if (close == s + 2 || (close == s + 3 && s[2] == '?'))
				return bad(name, path, "a placeholder names no fact in", part);
			s = close + 2;
		}
	}
	return 0;
}

int alm_derive_check(const cJSON *rules_doc, const char *name)
{
	static const char *const namespaces[] = {"repo.", "ado.", "pp.", "answers."};
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(rules_doc, "derived"), *entry, *other;
	char path[128], msg[1200];
	int i = 0, error;
	size_t k;

	if (cJSON_GetArraySize(entries) > ALM_RULES_MAX_ITEMS)
		return alm_error_set(ALM_ELIMIT, "%s: $.derived: more than %d entries (ALM_RULES_MAX_ITEMS)", name,
				     ALM_RULES_MAX_ITEMS);
	cJSON_ArrayForEach(entry, entries) {
		const char *fact = str(entry, "fact"), *answers = str(entry, "answers");
		snprintf(path, sizeof path, "$.derived[%d].fact", i);
		for (k = 0; fact && k < sizeof namespaces / sizeof namespaces[0]; k++) {
			if (strncmp(fact, namespaces[k], strlen(namespaces[k])) == 0) {
				snprintf(msg, sizeof msg, "\"%s\" shadows the namespace \"%.*s\": a derived fact is named derived.*",
					 fact, (int)strlen(namespaces[k]) - 1, namespaces[k]);
				return bad(name, path, msg, NULL);
			}
		}
		if (!fact || strncmp(fact, "derived.", 8) != 0 || !fact[8] || fact[strlen(fact) - 1] == '.')
			return bad(name, path, "a derived fact is named derived.NAME, not", fact ? fact : "(none)");
		cJSON_ArrayForEach(other, entries) {
			if (other == entry)
				break;
			if (str(other, "fact") && strcmp(str(other, "fact"), fact) == 0)
				return bad(name, path, "the fact is derived more than once:", fact);
		}
		snprintf(path, sizeof path, "$.derived[%d].logic", i);
		if ((error = alm_jsonlogic_check(cJSON_GetObjectItemCaseSensitive(entry, "logic"), path)) < 0) {
			snprintf(msg, sizeof msg, "%s", alm_error_last());
			return alm_error_set(error, "%s: %s", name, msg);
		}
		snprintf(path, sizeof path, "$.derived[%d].evidence", i);
		if ((error = check_template(cJSON_GetObjectItemCaseSensitive(entry, "evidence"), name, path)) < 0)
			return error;
		snprintf(path, sizeof path, "$.derived[%d].answers", i);
		if (answers && strchr(answers, '.') == answers)
			return bad(name, path, "an answers key has no leading dot:", answers);
		if (answers && strncmp(answers, "answers.", 8) == 0)
			return bad(name, path, "an answers key is written without \"answers.\":", answers);
		i++;
	}
	return 0;
}
