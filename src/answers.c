#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/schema.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Blanks out // and slash-star comments outside strings, keeping every newline so that
 * parse errors still point at the right line and column. */
static void blank_comments(char *text, size_t len)
{
	size_t i = 0;
	int in_string = 0;
	while (i < len) {
		char c = text[i];
		if (in_string) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				in_string = 0;
			i++;
		} else if (c == '"') {
			in_string = 1;
			i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				text[i++] = ' ';
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			text[i++] = ' ';
			text[i++] = ' ';
			while (i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/')) {
				if (text[i] != '\n')
					text[i] = ' ';
				i++;
			}
			if (i < len)
				text[i++] = ' ';
			if (i < len)
				text[i++] = ' ';
		} else {
			i++;
		}
	}
}

/* Removes null members (unanswered) from objects, recursively. */
static void drop_nulls(cJSON *value)
{
	cJSON *item = value ? value->child : NULL;
	while (item) {
		cJSON *next = item->next;
		if (cJSON_IsNull(item) && cJSON_IsObject(value))
			cJSON_Delete(cJSON_DetachItemViaPointer(value, item));
		else if (cJSON_IsObject(item))
			drop_nulls(item);
		item = next;
	}
}

static int record(alm_facts *facts, const cJSON *value, const char *path, const char *name)
{
	const cJSON *item;
	char sub[512];
	int error;

	if (cJSON_IsObject(value)) {
		cJSON_ArrayForEach(item, value) {
			if (strcmp(path, "answers") == 0 && strcmp(item->string, "schema") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s.%s", path, item->string);
			if ((error = record(facts, item, sub, name)) < 0)
				return error;
		}
		return 0;
	}
	{
		char *text = cJSON_PrintUnformatted(value);
		if (!text)
			return alm_error_set(ALM_ENOMEM, "out of memory");
		error = alm_facts_set(facts, path, cJSON_Duplicate(value, 1), ALM_SOURCE_ANSWERS,
				      "answers file %s: %s = %s", name, path + strlen("answers."), text);
		cJSON_free(text);
	}
	return error;
}

int alm_answers_load_text(alm_facts *facts, const char *text, size_t len, const char *name)
{
	char *copy = malloc(len + 1);
	cJSON *doc = NULL, *schema = NULL;
	int error;

	if (!copy)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	blank_comments(copy, len);
	if ((error = alm_json_parse(&doc, copy, len, name)) < 0)
		goto done;
	if (!cJSON_IsObject(doc)) {
		error = alm_error_set(ALM_EINVALID, "%s: $: expected an object of answers", name);
		goto done;
	}
	drop_nulls(doc);
	{
		size_t slen;
		const char *stext = alm_rules_answers_schema_text(&slen);
		if ((error = alm_json_parse(&schema, stext, slen, "answers.schema.json")) < 0)
			goto done;
	}
	if ((error = alm_schema_validate(schema, doc, name)) < 0)
		goto done;
	error = record(facts, doc, "answers", name);
done:
	cJSON_Delete(doc);
	cJSON_Delete(schema);
	free(copy);
	return error;
}

int alm_answers_load_file(alm_facts *facts, const char *path)
{
	char *text;
	size_t len;
	int error;
	if ((error = alm_file_read(&text, &len, path, ALM_JSON_MAX_FILE)) < 0)
		return error;
	error = alm_answers_load_text(facts, text, len, path);
	free(text);
	return error;
}

/* --- the template ------------------------------------------------------- */

#define resolve_ref alm_schema_resolve

/* Writes the questions whose "ask" is `key` as comment lines. */
static void comment_questions(FILE *fp, const alm_rules *rules, const char *key, int indent)
{
	const cJSON *q, *part, *ask;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "questions")) {
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(q, "parts")) {
			ask = cJSON_GetObjectItemCaseSensitive(part, "ask");
			if (cJSON_IsString(ask) && strcmp(ask->valuestring, key) == 0)
				fprintf(fp, "%*s// %d. %s\n", indent, "", cJSON_GetObjectItemCaseSensitive(q, "number")->valueint,
					cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring);
		}
	}
}

static void comment_allowed(FILE *fp, const cJSON *root, const cJSON *schema, int indent)
{
	const cJSON *type, *list, *desc;
	schema = resolve_ref(root, schema);
	type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	list = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	desc = cJSON_GetObjectItemCaseSensitive(schema, "description");
	if (cJSON_IsString(desc))
		fprintf(fp, "%*s// %s\n", indent, "", desc->valuestring);
	if (cJSON_IsArray(list)) {
		char *text = cJSON_PrintUnformatted(list);
		fprintf(fp, "%*s// one of %s\n", indent, "", text ? text : "");
		cJSON_free(text);
	} else if (cJSON_IsString(type) && strcmp(type->valuestring, "array") == 0) {
		const cJSON *items = resolve_ref(root, cJSON_GetObjectItemCaseSensitive(schema, "items"));
		const cJSON *ilist = cJSON_GetObjectItemCaseSensitive(items, "enum");
		char *text = ilist ? cJSON_PrintUnformatted(ilist) : NULL;
		fprintf(fp, "%*s// a list%s%s\n", indent, "", text ? " of " : " of strings", text ? text : "");
		cJSON_free(text);
	} else if (cJSON_IsString(type)) {
		fprintf(fp, "%*s// %s\n", indent, "",
			strcmp(type->valuestring, "boolean") == 0 ? "true or false" : "a string");
	}
}

static void template_object(FILE *fp, const alm_rules *rules, const cJSON *root, const cJSON *schema,
			    const char *prefix, int indent)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(resolve_ref(root, schema), "properties");
	const cJSON *prop;
	char key[256];

	fputs("{\n", fp);
	cJSON_ArrayForEach(prop, props) {
		const cJSON *sub = resolve_ref(root, prop);
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(sub, "type");
		int last = prop->next == NULL;
		if (strcmp(prop->string, "schema") == 0) {
			fprintf(fp, "%*s\"schema\": \"alm-advisor/answers@1\"%s\n", indent + 2, "", last ? "" : ",");
			continue;
		}
		snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", prop->string);
		if (cJSON_IsString(type) && strcmp(type->valuestring, "object") == 0) {
			fputc('\n', fp);
			fprintf(fp, "%*s\"%s\": ", indent + 2, "", prop->string);
			template_object(fp, rules, root, sub, key, indent + 2);
			fprintf(fp, "%s\n", last ? "" : ",");
			continue;
		}
		comment_questions(fp, rules, key, indent + 2);
		comment_allowed(fp, root, sub, indent + 2);
		fprintf(fp, "%*s\"%s\": null%s\n", indent + 2, "", prop->string, last ? "" : ",");
	}
	fprintf(fp, "%*s}", indent, "");
}

int alm_answers_template(char **out, const alm_rules *rules)
{
	cJSON *schema = NULL;
	size_t slen, len = 0;
	const char *stext = alm_rules_answers_schema_text(&slen);
	char *buf = NULL;
	FILE *fp;
	int error;

	*out = NULL;
	if ((error = alm_json_parse(&schema, stext, slen, "answers.schema.json")) < 0)
		return error;
	fp = open_memstream(&buf, &len);
	if (!fp) {
		cJSON_Delete(schema);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	fputs("// alm-advisor answers: what no evidence in the repository or Azure DevOps can show.\n"
	      "// Fill in what you know and leave the rest null (not answered): an unanswered\n"
	      "// question stays unknown in the report. Comments are allowed. Keep this file at\n"
	      "// " ALM_ANSWERS_CONVENTIONAL_PATH " in the repository, or pass it with --answers.\n",
	      fp);
	template_object(fp, rules, schema, schema, "", 0);
	fputc('\n', fp);
	cJSON_Delete(schema);
	return alm_memstream_finish(fp, &buf, &len, out, NULL);
}
