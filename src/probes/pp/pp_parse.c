#include "pp_parse.h"
#include "ado_parse.h" /* alm_ado_one_line: one folding of server text into a line */
#include "alm/error.h"
#include "alm/json.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- field readers ---- */

static const char *str_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static const cJSON *obj_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
}

static int64_t int_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < -9e15 || v->valuedouble > 9e15)
		return -1;
	return (int64_t)v->valuedouble;
}

/* A copy of s, or of "" (or NULL when `keep_null`) when absent; *failed on ENOMEM. */
static char *copy(const char *s, int keep_null, int *failed)
{
	char *d;
	if (!s && keep_null)
		return NULL;
	if (!(d = strdup(s ? s : "")))
		*failed = 1;
	return d;
}

/*
 * Parses a list body: the items array (borrowed from *root, which the caller
 * deletes) and the next page's URL (a copy, or NULL). Both spellings of the
 * link are read: the admin API's "nextLink" and OData's "@odata.nextLink".
 */
static int list_items(cJSON **root, const cJSON **items, char **next, const char *body, size_t len,
		      const char *name)
{
	const cJSON *v;
	const char *link;
	int error;

	*next = NULL;
	if ((error = alm_json_parse(root, body, len, name)) < 0)
		return error;
	v = cJSON_GetObjectItemCaseSensitive(*root, "value");
	if (!cJSON_IsObject(*root) || !cJSON_IsArray(v)) {
		cJSON_Delete(*root);
		*root = NULL;
		return alm_error_set(ALM_EINVALID, "%s: expected a list {\"value\": [...]}", name);
	}
	*items = v;
	link = str_of(*root, "@odata.nextLink");
	if (!link)
		link = str_of(*root, "nextLink");
	if (link && *link && !(*next = strdup(link))) {
		cJSON_Delete(*root);
		*root = NULL;
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	return 0;
}

static void *alloc_items(const cJSON *items, size_t size)
{
	int n = cJSON_GetArraySize(items);
	return calloc(n > 0 ? (size_t)n : 1, size);
}

/* ---- environments ---- */

void alm_pp_environment_dispose(alm_pp_environment *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->display_name);
	free(e->sku);
	free(e->group);
	free(e->url);
	memset(e, 0, sizeof *e);
}

static int environment_of(alm_pp_environment *e, const cJSON *item)
{
	const cJSON *props = obj_of(item, "properties");
	const cJSON *linked = props ? obj_of(props, "linkedEnvironmentMetadata") : NULL;
	const cJSON *gov = props ? obj_of(props, "governanceConfiguration") : NULL;
	const cJSON *group = props ? obj_of(props, "parentEnvironmentGroup") : NULL;
	const cJSON *def = props ? cJSON_GetObjectItemCaseSensitive(props, "isDefault") : NULL;
	const char *db = props ? str_of(props, "databaseType") : NULL;
	const char *level = gov ? str_of(gov, "protectionLevel") : NULL;
	const char *url = linked ? str_of(linked, "instanceUrl") : NULL;
	const char *gid = group ? str_of(group, "id") : NULL;
	int failed = 0;

	memset(e, 0, sizeof *e);
	e->name = copy(str_of(item, "name"), 0, &failed);
	e->display_name = copy(props ? str_of(props, "displayName") : NULL, 0, &failed);
	e->sku = copy(props ? str_of(props, "environmentSku") : NULL, 0, &failed);
	e->url = url && *url ? copy(url, 1, &failed) : NULL;
	e->group = gid && *gid ? copy(gid, 1, &failed) : NULL;
	e->dataverse = (db && strcasecmp(db, "CommonDataService") == 0) || e->url != NULL;
	e->managed = level && strcasecmp(level, "Standard") == 0;
	e->is_default = cJSON_IsTrue(def) || (e->sku && strcasecmp(e->sku, "Default") == 0);
	if (failed) {
		alm_pp_environment_dispose(e);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	return 0;
}

void alm_pp_environments_dispose(alm_pp_environments *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->count; i++)
		alm_pp_environment_dispose(&e->items[i]);
	free(e->items);
	free(e->next);
	memset(e, 0, sizeof *e);
}

int alm_pp_parse_environments(alm_pp_environments *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, &out->next, body, len, "environments")) < 0)
		return error;
	if (!(out->items = alloc_items(items, sizeof *out->items))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		if (!cJSON_IsObject(item) || !str_of(item, "name"))
			continue; /* without its id an environment cannot be named or read */
		if ((error = environment_of(&out->items[out->count], item)) < 0)
			goto done;
		out->count++;
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_pp_environments_dispose(out);
	return error;
}

int alm_pp_parse_environment(alm_pp_environment *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	int error;
	memset(out, 0, sizeof *out);
	if ((error = alm_json_parse(&root, body, len, "environment")) < 0)
		return error;
	if (!cJSON_IsObject(root) || !str_of(root, "name"))
		error = alm_error_set(ALM_EINVALID, "environment: expected an object with a \"name\"");
	else
		error = environment_of(out, root);
	cJSON_Delete(root);
	return error;
}

/* ---- data policies ---- */

void alm_pp_policies_dispose(alm_pp_policies *p)
{
	size_t i, j;
	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		for (j = 0; j < p->items[i].nenv; j++)
			free(p->items[i].environments[j]);
		free(p->items[i].environments);
		free(p->items[i].name);
	}
	free(p->items);
	free(p->next);
	memset(p, 0, sizeof *p);
}

static alm_pp_dlp_scope scope_of(const char *type)
{
	if (!type)
		return ALM_PP_DLP_UNKNOWN;
	if (strcasecmp(type, "AllEnvironments") == 0)
		return ALM_PP_DLP_ALL;
	if (strcasecmp(type, "ExceptEnvironments") == 0)
		return ALM_PP_DLP_EXCEPT;
	if (strcasecmp(type, "OnlyEnvironments") == 0)
		return ALM_PP_DLP_ONLY;
	return ALM_PP_DLP_UNKNOWN;
}

int alm_pp_parse_policies(alm_pp_policies *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item, *env;
	int error, failed = 0;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, &out->next, body, len, "data policies")) < 0)
		return error;
	if (!(out->items = alloc_items(items, sizeof *out->items))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		/* v2 wraps each policy in policyDefinition; older answers do not. */
		const cJSON *def = cJSON_IsObject(item) ? obj_of(item, "policyDefinition") : NULL;
		const cJSON *envs;
		alm_pp_policy *p;
		if (!def)
			def = cJSON_IsObject(item) ? item : NULL;
		if (!def)
			continue;
		p = &out->items[out->count++];
		p->name = copy(str_of(def, "name"), 0, &failed);
		p->scope = scope_of(str_of(def, "environmentType"));
		envs = cJSON_GetObjectItemCaseSensitive(def, "environments");
		if (cJSON_IsArray(envs)) {
			p->environments = alloc_items(envs, sizeof *p->environments);
			if (!p->environments)
				failed = 1;
			cJSON_ArrayForEach(env, envs) {
				const char *id = cJSON_IsObject(env) ? str_of(env, "name") : NULL;
				if (failed)
					break;
				if (id && *id)
					p->environments[p->nenv++] = copy(id, 0, &failed);
			}
		}
		if (failed) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_pp_policies_dispose(out);
	return error;
}

/* ---- solutions ---- */

void alm_pp_solutions_dispose(alm_pp_solutions *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->count; i++) {
		free(s->items[i].unique_name);
		free(s->items[i].version);
		free(s->items[i].installed_on);
	}
	free(s->items);
	free(s->next);
	memset(s, 0, sizeof *s);
}

int alm_pp_parse_solutions(alm_pp_solutions *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error, failed = 0;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, &out->next, body, len, "solutions")) < 0)
		return error;
	if (!(out->items = alloc_items(items, sizeof *out->items))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		const cJSON *m;
		alm_pp_solution *s;
		if (!cJSON_IsObject(item) || !str_of(item, "uniquename"))
			continue;
		s = &out->items[out->count++];
		m = cJSON_GetObjectItemCaseSensitive(item, "ismanaged");
		s->managed = cJSON_IsBool(m) ? cJSON_IsTrue(m) : -1;
		s->unique_name = copy(str_of(item, "uniquename"), 0, &failed);
		s->version = copy(str_of(item, "version"), 0, &failed);
		s->installed_on = copy(str_of(item, "installedon"), 0, &failed);
		if (failed) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_pp_solutions_dispose(out);
	return error;
}

/* ---- Pipelines for Power Platform ---- */

void alm_pp_rows_dispose(alm_pp_rows *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->count; i++) {
		free(r->items[i].id);
		free(r->items[i].name);
		free(r->items[i].parent);
		free(r->items[i].previous);
		free(r->items[i].target);
	}
	free(r->items);
	free(r->next);
	memset(r, 0, sizeof *r);
}

/* The columns of each table, in the order of alm_pp_row's fields. */
static const struct {
	const char *what, *id, *name, *parent, *previous, *target, *number;
} columns[] = {
	[ALM_PP_ROW_PIPELINE] = { "deployment pipelines", "deploymentpipelineid", "name", NULL, NULL, NULL, NULL },
	[ALM_PP_ROW_STAGE] = { "deployment stages", "deploymentstageid", "name", "_deploymentpipelineid_value",
			       "_previousdeploymentstageid_value", "_targetdeploymentenvironmentid_value", NULL },
	[ALM_PP_ROW_ENVIRONMENT] = { "deployment environments", "deploymentenvironmentid", "name", NULL, NULL,
				     "environmentid", "environmenttype" },
	[ALM_PP_ROW_STAGE_RUN] = { "deployment stage runs", "deploymentstagerunid", "artifactname",
				   "_deploymentstageid_value", NULL, "artifactversion", "stagerunstatus" },
};

int alm_pp_parse_rows(alm_pp_rows *out, alm_pp_row_kind kind, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error, failed = 0;

	memset(out, 0, sizeof *out);
	if ((unsigned)kind > ALM_PP_ROW_STAGE_RUN)
		return alm_error_set(ALM_EINVALID, "rows: unknown table");
	if ((error = list_items(&root, &items, &out->next, body, len, columns[kind].what)) < 0)
		return error;
	if (!(out->items = alloc_items(items, sizeof *out->items))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_pp_row *r;
		if (!cJSON_IsObject(item) || !str_of(item, columns[kind].id))
			continue;
		r = &out->items[out->count++];
		r->id = copy(str_of(item, columns[kind].id), 0, &failed);
		r->name = copy(str_of(item, columns[kind].name), 0, &failed);
		r->parent = columns[kind].parent ? copy(str_of(item, columns[kind].parent), 1, &failed) : NULL;
		r->previous = columns[kind].previous ? copy(str_of(item, columns[kind].previous), 1, &failed) : NULL;
		r->target = columns[kind].target ? copy(str_of(item, columns[kind].target), 1, &failed) : NULL;
		r->number = columns[kind].number ? int_of(item, columns[kind].number) : -1;
		if (failed) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_pp_rows_dispose(out);
	return error;
}

/* ---- the token endpoint and error bodies ---- */

int alm_pp_parse_token(char **token, double *expires_in, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *exp;
	const char *t;
	int error;

	*token = NULL;
	*expires_in = 0;
	if ((error = alm_json_parse(&root, body, len, "token")) < 0)
		return error;
	t = cJSON_IsObject(root) ? str_of(root, "access_token") : NULL;
	if (!t || !*t) {
		error = alm_error_set(ALM_EINVALID, "token: the answer has no access_token");
	} else if (!(*token = strdup(t))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
	} else {
		exp = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
		/* Some endpoints send the number as a string. */
		if (cJSON_IsNumber(exp) && isfinite(exp->valuedouble))
			*expires_in = exp->valuedouble;
		else if (cJSON_IsString(exp) && exp->valuestring)
			*expires_in = atof(exp->valuestring);
	}
	/* The parsed copy of the token goes with the tree: wipe it first. */
	if (t)
		explicit_bzero((char *)t, strlen(t));
	cJSON_Delete(root);
	return error;
}

/* Writes "a: b" (either may be NULL) into out as one line, cut on a UTF-8
 * boundary. Returns 0 when anything was written. */
static int one_line(char *out, size_t n, const char *a, const char *b)
{
	size_t len, i, want;
	unsigned char lead;
	if (!n)
		return -1;
	snprintf(out, n, "%s%s%s", a ? a : "", a && b ? ": " : "", b ? b : "");
	len = strlen(out);
	if (len > 0 && len == n - 1) {
		/* Possibly cut inside a character: drop an incomplete last one. */
		i = len - 1;
		while (i > 0 && ((unsigned char)out[i] & 0xC0) == 0x80)
			i--;
		lead = (unsigned char)out[i];
		want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (i + want > len)
			out[i] = '\0';
	}
	alm_ado_one_line(out);
	return out[0] ? 0 : -1;
}

int alm_pp_parse_token_error(char *out, size_t n, const char *body, size_t len)
{
	cJSON *root = NULL;
	int rc = -1;
	if (n)
		out[0] = '\0';
	if (!body || !len || alm_json_parse(&root, body, len, "token error") < 0)
		return -1;
	if (cJSON_IsObject(root) && (str_of(root, "error") || str_of(root, "error_description")))
		rc = one_line(out, n, str_of(root, "error"), str_of(root, "error_description"));
	cJSON_Delete(root);
	return rc;
}

int alm_pp_parse_error(char *out, size_t n, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *err;
	char code[80];
	int rc = -1;

	if (n)
		out[0] = '\0';
	if (!body || !len || alm_json_parse(&root, body, len, "error") < 0 || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -1;
	}
	err = obj_of(root, "error");
	if (err && str_of(err, "message")) {
		const char *c = str_of(err, "code");
		snprintf(code, sizeof code, "%.60s", c ? c : "");
		rc = one_line(out, n, str_of(err, "message"), NULL);
		if (rc == 0 && *code && strlen(out) + strlen(code) + 4 < n)
			snprintf(out + strlen(out), n - strlen(out), " (%s)", code);
	} else if (str_of(root, "message")) {
		rc = one_line(out, n, str_of(root, "message"), NULL);
	} else if (str_of(root, "error")) {
		rc = one_line(out, n, str_of(root, "error"), str_of(root, "error_description"));
	}
	cJSON_Delete(root);
	if (rc == 0)
		alm_ado_one_line(out);
	return rc;
}

/* The quoted value of `key="..."` in a challenge, into buf. */
static const char *challenge_param(char *buf, size_t n, const char *header, const char *key)
{
	size_t klen = strlen(key);
	const char *p = header;
	while ((p = strstr(p, key)) != NULL) {
		int boundary = p == header || p[-1] == ' ' || p[-1] == ',';
		if (boundary && p[klen] == '=' && p[klen + 1] == '"') {
			const char *v = p + klen + 2, *end = strchr(v, '"');
			if (!end)
				return NULL;
			snprintf(buf, n, "%.*s", (int)(end - v) < 400 ? (int)(end - v) : 400, v);
			return buf;
		}
		p += klen;
	}
	return NULL;
}

int alm_pp_parse_challenge(char *out, size_t n, const char *header)
{
	char e[420], d[420];
	const char *err, *desc;
	if (n)
		out[0] = '\0';
	if (!header)
		return -1;
	err = challenge_param(e, sizeof e, header, "error");
	desc = challenge_param(d, sizeof d, header, "error_description");
	if (!err && !desc)
		return -1;
	return one_line(out, n, err, desc);
}
