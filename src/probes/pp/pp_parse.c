#include "pp_parse.h"
#include "ado_parse.h" /* alm_ado_one_line: one folding of server text into a line */
#include "alm/error.h"
#include "alm/json.h"
#include "json_list.h"

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

#define PP_LIST(name, fill, dispose) { (name), "value", "a list {\"value\": [...]}", 0, 0, (fill), (dispose) }

/*
 * Reads a list body into `size`-byte records at *itemsp, and the next page's
 * URL into *next (a copy, or NULL). Both spellings of the link are read: the
 * admin API's "nextLink" and OData's "@odata.nextLink".
 */
static int read_page_(void *itemsp, size_t *count, size_t size, char **next, const char *body, size_t len,
		      const alm_json_list *list, void *ctx)
{
	cJSON *root = NULL;
	const cJSON *items;
	const char *link;
	int error;

	*next = NULL;
	if ((error = alm_json_list_parse(&root, &items, body, len, list)) < 0)
		return error;
	link = str_of(root, "@odata.nextLink");
	if (!link)
		link = str_of(root, "nextLink");
	if (link && *link && !(*next = strdup(link)))
		error = alm_error_set(ALM_ENOMEM, "out of memory");
	else if ((error = alm_json_list_read_(itemsp, count, size, root, list, ctx)) < 0) {
		free(*next);
		*next = NULL;
	}
	cJSON_Delete(root);
	return error;
}

/* A page of records into `out` (items, count, next), which starts zeroed. */
#define read_page(out, body, len, list, ctx)                                                                       \
	(memset((out), 0, sizeof *(out)),                                                                          \
	 read_page_(&(out)->items, &(out)->count, sizeof *(out)->items, &(out)->next, (body), (len), (list), (ctx)))

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

static void environment_record_dispose(void *record)
{
	alm_pp_environment_dispose(record);
}

void alm_pp_environments_dispose(alm_pp_environments *e)
{
	if (!e)
		return;
	alm_json_list_free(&e->items, &e->count, environment_record_dispose);
	free(e->next);
	memset(e, 0, sizeof *e);
}

static int environment_fill(void *record, const cJSON *item, void *ctx)
{
	(void)ctx;
	if (!str_of(item, "name"))
		return ALM_JSON_LIST_SKIP; /* without its id an environment cannot be named or read */
	return environment_of(record, item);
}

int alm_pp_parse_environments(alm_pp_environments *out, const char *body, size_t len)
{
	static const alm_json_list list = PP_LIST("environments", environment_fill, environment_record_dispose);
	return read_page(out, body, len, &list, NULL);
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

static void string_dispose(void *record)
{
	free(*(char **)record);
}

static void policy_dispose(void *record)
{
	alm_pp_policy *p = record;
	alm_json_list_free(&p->environments, &p->nenv, string_dispose);
	free(p->name);
}

void alm_pp_policies_dispose(alm_pp_policies *p)
{
	if (!p)
		return;
	alm_json_list_free(&p->items, &p->count, policy_dispose);
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

/* An entry of a policy's environments: its "name" is the environment id. */
static int policy_environment_fill(void *record, const cJSON *env, void *ctx)
{
	const char *id = str_of(env, "name");
	(void)ctx;
	if (!id || !*id)
		return ALM_JSON_LIST_SKIP;
	if (!(*(char **)record = strdup(id)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

static int policy_fill(void *record, const cJSON *item, void *ctx)
{
	static const alm_json_list environments = { "data policy environments", NULL, "an array", 1, 0,
						    policy_environment_fill, string_dispose };
	alm_pp_policy *p = record;
	/* v2 wraps each policy in policyDefinition; older answers do not. */
	const cJSON *def = obj_of(item, "policyDefinition");
	const cJSON *envs;
	int failed = 0;
	(void)ctx;
	if (!def)
		def = item;
	p->name = copy(str_of(def, "name"), 0, &failed);
	p->scope = scope_of(str_of(def, "environmentType"));
	if (failed)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	envs = cJSON_GetObjectItemCaseSensitive(def, "environments");
	return cJSON_IsArray(envs) ? alm_json_list_read(&p->environments, &p->nenv, envs, &environments, NULL) : 0;
}

int alm_pp_parse_policies(alm_pp_policies *out, const char *body, size_t len)
{
	static const alm_json_list list = PP_LIST("data policies", policy_fill, policy_dispose);
	return read_page(out, body, len, &list, NULL);
}

/* ---- solutions ---- */

static void solution_dispose(void *record)
{
	alm_pp_solution *s = record;
	free(s->unique_name);
	free(s->version);
	free(s->installed_on);
}

void alm_pp_solutions_dispose(alm_pp_solutions *s)
{
	if (!s)
		return;
	alm_json_list_free(&s->items, &s->count, solution_dispose);
	free(s->next);
	memset(s, 0, sizeof *s);
}

static int solution_fill(void *record, const cJSON *item, void *ctx)
{
	alm_pp_solution *s = record;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(item, "ismanaged");
	int failed = 0;
	(void)ctx;
	if (!str_of(item, "uniquename"))
		return ALM_JSON_LIST_SKIP;
	s->managed = cJSON_IsBool(m) ? cJSON_IsTrue(m) : -1;
	s->unique_name = copy(str_of(item, "uniquename"), 0, &failed);
	s->version = copy(str_of(item, "version"), 0, &failed);
	s->installed_on = copy(str_of(item, "installedon"), 0, &failed);
	return failed ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
}

int alm_pp_parse_solutions(alm_pp_solutions *out, const char *body, size_t len)
{
	static const alm_json_list list = PP_LIST("solutions", solution_fill, solution_dispose);
	return read_page(out, body, len, &list, NULL);
}

/* ---- Pipelines for Power Platform ---- */

static void row_dispose(void *record)
{
	alm_pp_row *r = record;
	free(r->id);
	free(r->name);
	free(r->parent);
	free(r->previous);
	free(r->target);
}

void alm_pp_rows_dispose(alm_pp_rows *r)
{
	if (!r)
		return;
	alm_json_list_free(&r->items, &r->count, row_dispose);
	free(r->next);
	memset(r, 0, sizeof *r);
}

/* The columns of each table, in the order of alm_pp_row's fields. */
typedef struct {
	const char *what, *id, *name, *parent, *previous, *target, *number;
} table_columns;

static const table_columns columns[] = {
	[ALM_PP_ROW_PIPELINE] = { "deployment pipelines", "deploymentpipelineid", "name", NULL, NULL, NULL, NULL },
	[ALM_PP_ROW_STAGE] = { "deployment stages", "deploymentstageid", "name", "_deploymentpipelineid_value",
			       "_previousdeploymentstageid_value", "_targetdeploymentenvironmentid_value", NULL },
	[ALM_PP_ROW_ENVIRONMENT] = { "deployment environments", "deploymentenvironmentid", "name", NULL, NULL,
				     "environmentid", "environmenttype" },
	[ALM_PP_ROW_STAGE_RUN] = { "deployment stage runs", "deploymentstagerunid", "artifactname",
				   "_deploymentstageid_value", NULL, "artifactversion", "stagerunstatus" },
};

static int row_fill(void *record, const cJSON *item, void *ctx)
{
	const table_columns *c = ctx;
	alm_pp_row *r = record;
	int failed = 0;
	if (!str_of(item, c->id))
		return ALM_JSON_LIST_SKIP;
	r->id = copy(str_of(item, c->id), 0, &failed);
	r->name = copy(str_of(item, c->name), 0, &failed);
	r->parent = c->parent ? copy(str_of(item, c->parent), 1, &failed) : NULL;
	r->previous = c->previous ? copy(str_of(item, c->previous), 1, &failed) : NULL;
	r->target = c->target ? copy(str_of(item, c->target), 1, &failed) : NULL;
	r->number = c->number ? int_of(item, c->number) : -1;
	return failed ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
}

int alm_pp_parse_rows(alm_pp_rows *out, alm_pp_row_kind kind, const char *body, size_t len)
{
	alm_json_list list = PP_LIST(NULL, row_fill, row_dispose);
	memset(out, 0, sizeof *out);
	if ((unsigned)kind > ALM_PP_ROW_STAGE_RUN)
		return alm_error_set(ALM_EINVALID, "rows: unknown table");
	list.name = columns[kind].what;
	return read_page(out, body, len, &list, (void *)&columns[kind]);
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
