#include "ado_parse.h"
#include "alm/error.h"
#include "alm/json.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define POLICY_MIN_APPROVERS "fa4e907d-c16b-4a4c-9dfa-4906e5d171dd"
#define POLICY_BUILD "0609b952-1397-4640-95ec-e00a01b2c241"

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int alm_ado_parse_time(const char *t, double *epoch)
{
	int y, mo, d, h, mi, s = 0, oh = 0, om = 0;
	double frac = 0, scale = 0.1;
	const char *p;

	if (!t || strlen(t) < 16 || digits(t, 4, &y) || t[4] != '-' || digits(t + 5, 2, &mo) ||
	    t[7] != '-' || digits(t + 8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
	    digits(t + 11, 2, &h) || t[13] != ':' || digits(t + 14, 2, &mi))
		return -1;
	p = t + 16;
	if (*p == ':') {
		if (digits(p + 1, 2, &s))
			return -1;
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9') {
				frac += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh))
			return -1;
		p += 3;
		if (*p == ':')
			p++;
		if (digits(p, 2, &om))
			return -1;
		p += 2;
		oh *= sign;
		om *= sign;
	} /* no zone: the service means UTC */
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	*epoch = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + s + frac -
		 (oh * 3600.0 + om * 60.0);
	return 0;
}

void alm_ado_format_time(char *buf, size_t n, double epoch)
{
	time_t t = (time_t)floor(epoch);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		if (n)
			buf[0] = '\0';
	}
}

/* ---- JSON helpers ---- */

#define str_of alm_json_str

static int64_t int_of(const cJSON *obj, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < -9e15 ||
	    v->valuedouble > 9e15)
		return dflt;
	return (int64_t)v->valuedouble;
}

static int bool_of(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

static double time_of(const cJSON *obj, const char *key)
{
	double t;
	const char *s = str_of(obj, key);
	return s && alm_ado_parse_time(s, &t) == 0 ? t : 0;
}

static char *dup_str(const char *s)
{
	return strdup(s ? s : "");
}

/*
 * Parses a list body and returns the array of items (borrowed from *root,
 * which the caller deletes). Lists come as {"count": N, "value": [...]}; a bare
 * array is accepted too (the pipelines swagger documents one).
 */
static int list_items(cJSON **root, const cJSON **items, const char *body, size_t len,
		      const char *name)
{
	const cJSON *v;
	int error = alm_json_parse(root, body, len, name);
	if (error < 0)
		return error;
	if (cJSON_IsArray(*root)) {
		*items = *root;
		return 0;
	}
	v = cJSON_GetObjectItemCaseSensitive(*root, "value");
	if (cJSON_IsObject(*root) && cJSON_IsArray(v)) {
		*items = v;
		return 0;
	}
	cJSON_Delete(*root);
	*root = NULL;
	return alm_error_set(ALM_EINVALID, "%s: expected a list {\"count\": N, \"value\": [...]}", name);
}

/* calloc for `n` items of `size`, with room for at least one. */
static void *alloc_items(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* ---- definitions ---- */

void alm_ado_definitions_dispose(alm_ado_definitions *d)
{
	size_t i;
	if (!d)
		return;
	for (i = 0; i < d->count; i++)
		free(d->items[i].name);
	free(d->items);
	d->items = NULL;
	d->count = 0;
}

static int yaml_of(const cJSON *item)
{
	const cJSON *process = cJSON_GetObjectItemCaseSensitive(item, "process");
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(item, "configuration");
	const char *type;
	if (cJSON_IsObject(process)) {
		/* Build definitions: process.type 1 is the designer, 2 is YAML. */
		int64_t t = int_of(process, "type", -1);
		if (t == 2)
			return 1;
		if (t >= 0)
			return 0;
	}
	if (cJSON_IsObject(config) && (type = str_of(config, "type")) != NULL)
		return strcmp(type, "yaml") == 0 ? 1 : 0;
	type = str_of(item, "type");
	if (type && strcmp(type, "xaml") == 0)
		return 0;
	return -1;
}

int alm_ado_parse_definitions(alm_ado_definitions *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	size_t n = 0;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "build definitions")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_definition *d = &out->items[n];
		const cJSON *latest = cJSON_GetObjectItemCaseSensitive(item, "latestBuild");
		if (!cJSON_IsObject(item))
			continue;
		d->id = int_of(item, "id", -1);
		d->yaml = yaml_of(item);
		d->latest_queued = cJSON_IsObject(latest) ? time_of(latest, "queueTime") : 0;
		if (!(d->name = dup_str(str_of(item, "name")))) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		out->count = ++n;
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_definitions_dispose(out);
	return error;
}

/* ---- builds ---- */

void alm_ado_builds_dispose(alm_ado_builds *b)
{
	if (!b)
		return;
	free(b->items);
	b->items = NULL;
	b->count = 0;
}

static alm_ado_build_state build_state(const cJSON *item)
{
	const char *status = str_of(item, "status");
	const char *result = str_of(item, "result");
	/* In-progress builds carry no result key at all. */
	if ((status && strcmp(status, "completed") != 0) || (!status && !result))
		return ALM_ADO_BUILD_IN_PROGRESS;
	if (!result)
		return ALM_ADO_BUILD_OTHER;
	if (strcmp(result, "succeeded") == 0)
		return ALM_ADO_BUILD_SUCCEEDED;
	if (strcmp(result, "failed") == 0)
		return ALM_ADO_BUILD_FAILED;
	if (strcmp(result, "partiallySucceeded") == 0)
		return ALM_ADO_BUILD_PARTIALLY_SUCCEEDED;
	if (strcmp(result, "canceled") == 0)
		return ALM_ADO_BUILD_CANCELED;
	return ALM_ADO_BUILD_OTHER;
}

int alm_ado_parse_builds(alm_ado_builds *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "builds")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		cJSON_Delete(root);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_build *b = &out->items[out->count];
		const char *reason = str_of(item, "reason");
		if (!cJSON_IsObject(item))
			continue;
		b->id = int_of(item, "id", -1);
		b->state = build_state(item);
		b->pull_request = reason && strcmp(reason, "pullRequest") == 0;
		b->queued = time_of(item, "queueTime");
		b->started = time_of(item, "startTime");
		if (b->started == 0)
			b->started = b->queued;
		out->count++;
	}
	cJSON_Delete(root);
	return 0;
}

/* ---- repositories ---- */

void alm_ado_repositories_dispose(alm_ado_repositories *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->count; i++) {
		free(r->items[i].id);
		free(r->items[i].name);
		free(r->items[i].default_branch);
		free(r->items[i].web_url);
		free(r->items[i].project_id);
		free(r->items[i].project_name);
	}
	free(r->items);
	r->items = NULL;
	r->count = 0;
}

int alm_ado_parse_repositories(alm_ado_repositories *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "repositories")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_repository *r = &out->items[out->count];
		const char *branch = str_of(item, "defaultBranch");
		const cJSON *project = cJSON_GetObjectItemCaseSensitive(item, "project");
		const char *web = str_of(item, "webUrl");
		const char *pid = cJSON_IsObject(project) ? str_of(project, "id") : NULL;
		const char *pname = cJSON_IsObject(project) ? str_of(project, "name") : NULL;
		if (!cJSON_IsObject(item))
			continue;
		r->id = dup_str(str_of(item, "id"));
		r->name = dup_str(str_of(item, "name"));
		r->default_branch = branch ? strdup(branch) : NULL;
		r->disabled = bool_of(item, "isDisabled", 0);
		r->web_url = web ? strdup(web) : NULL;
		r->project_id = pid ? strdup(pid) : NULL;
		r->project_name = pname ? strdup(pname) : NULL;
		out->count++;
		if (!r->id || !r->name || (branch && !r->default_branch) || (web && !r->web_url) ||
		    (pid && !r->project_id) || (pname && !r->project_name)) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_repositories_dispose(out);
	return error;
}

/* ---- pull requests and reviewers ---- */

void alm_ado_pull_requests_dispose(alm_ado_pull_requests *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		free(p->items[i].creator_id);
		free(p->items[i].repository_id);
	}
	free(p->items);
	p->items = NULL;
	p->count = 0;
}

/* Approved (10) or approved with suggestions (5) by someone other than the
 * author. Groups are skipped: a group's vote is a member's, who is listed too,
 * and may be the author's own. */
static int approved_by_other(const cJSON *reviewers, const char *creator)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, reviewers) {
		const char *id = str_of(r, "id");
		if (!cJSON_IsObject(r) || bool_of(r, "isContainer", 0))
			continue;
		if (int_of(r, "vote", 0) >= 5 && id && (!creator || !*creator || strcasecmp(id, creator) != 0))
			return 1;
	}
	return 0;
}

static alm_ado_pr_status pr_status(const char *s)
{
	if (!s)
		return ALM_ADO_PR_OTHER;
	if (strcmp(s, "active") == 0)
		return ALM_ADO_PR_ACTIVE;
	if (strcmp(s, "completed") == 0)
		return ALM_ADO_PR_COMPLETED;
	if (strcmp(s, "abandoned") == 0)
		return ALM_ADO_PR_ABANDONED;
	return ALM_ADO_PR_OTHER;
}

int alm_ado_parse_pull_requests(alm_ado_pull_requests *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "pull requests")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_pull_request *p = &out->items[out->count];
		const cJSON *by = cJSON_GetObjectItemCaseSensitive(item, "createdBy");
		const cJSON *repo = cJSON_GetObjectItemCaseSensitive(item, "repository");
		const cJSON *reviewers = cJSON_GetObjectItemCaseSensitive(item, "reviewers");
		if (!cJSON_IsObject(item))
			continue;
		p->id = int_of(item, "pullRequestId", -1);
		p->status = pr_status(str_of(item, "status"));
		p->created = time_of(item, "creationDate");
		p->creator_id = dup_str(cJSON_IsObject(by) ? str_of(by, "id") : NULL);
		p->repository_id = dup_str(cJSON_IsObject(repo) ? str_of(repo, "id") : NULL);
		out->count++;
		if (!p->creator_id || !p->repository_id) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		p->reviewers_known = cJSON_IsArray(reviewers);
		p->approved_by_other = p->reviewers_known && approved_by_other(reviewers, p->creator_id);
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_pull_requests_dispose(out);
	return error;
}

int alm_ado_parse_reviewers(int *approved, const char *creator_id, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items = NULL;
	int error;

	*approved = 0;
	if ((error = list_items(&root, &items, body, len, "pull request reviewers")) < 0)
		return error;
	*approved = approved_by_other(items, creator_id);
	cJSON_Delete(root);
	return 0;
}

/* ---- policies ---- */

void alm_ado_policies_dispose(alm_ado_policies *p)
{
	size_t i, j;
	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		for (j = 0; j < p->items[i].scope_count; j++) {
			free(p->items[i].scopes[j].repository_id);
			free(p->items[i].scopes[j].ref_name);
		}
		free(p->items[i].scopes);
		free(p->items[i].display_name);
	}
	free(p->items);
	p->items = NULL;
	p->count = 0;
}

static int parse_scopes(alm_ado_policy *p, const cJSON *scopes)
{
	const cJSON *s;
	p->scopes = alloc_items((size_t)cJSON_GetArraySize(scopes), sizeof *p->scopes);
	if (!p->scopes)
		return -1;
	cJSON_ArrayForEach(s, scopes) {
		alm_ado_scope *sc = &p->scopes[p->scope_count];
		const char *repo = str_of(s, "repositoryId");
		const char *ref = str_of(s, "refName");
		const char *kind = str_of(s, "matchKind");
		if (!cJSON_IsObject(s))
			continue;
		if (kind && strcasecmp(kind, "DefaultBranch") == 0)
			sc->kind = ALM_ADO_SCOPE_DEFAULT_BRANCH;
		else if (!ref)
			sc->kind = ALM_ADO_SCOPE_ANY_BRANCH;
		else if (kind && strcasecmp(kind, "Prefix") == 0)
			sc->kind = ALM_ADO_SCOPE_PREFIX;
		else
			sc->kind = ALM_ADO_SCOPE_EXACT;
		sc->repository_id = repo ? strdup(repo) : NULL;
		sc->ref_name = ref && (sc->kind == ALM_ADO_SCOPE_EXACT || sc->kind == ALM_ADO_SCOPE_PREFIX)
				       ? strdup(ref) : NULL;
		p->scope_count++;
		if ((repo && !sc->repository_id) ||
		    (ref && (sc->kind == ALM_ADO_SCOPE_EXACT || sc->kind == ALM_ADO_SCOPE_PREFIX) && !sc->ref_name))
			return -1;
	}
	return 0;
}

int alm_ado_parse_policies(alm_ado_policies *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "policy configurations")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_policy *p = &out->items[out->count];
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
		const cJSON *settings = cJSON_GetObjectItemCaseSensitive(item, "settings");
		const cJSON *scopes = cJSON_IsObject(settings) ? cJSON_GetObjectItemCaseSensitive(settings, "scope") : NULL;
		const char *type_id = cJSON_IsObject(type) ? str_of(type, "id") : NULL;
		const char *display = cJSON_IsObject(settings) ? str_of(settings, "displayName") : NULL;
		if (!cJSON_IsObject(item))
			continue;
		out->count++;
		p->id = int_of(item, "id", -1);
		p->type = !type_id ? ALM_ADO_POLICY_OTHER
			  : strcasecmp(type_id, POLICY_MIN_APPROVERS) == 0 ? ALM_ADO_POLICY_MIN_APPROVERS
			  : strcasecmp(type_id, POLICY_BUILD) == 0 ? ALM_ADO_POLICY_BUILD
			  : ALM_ADO_POLICY_OTHER;
		p->enabled = bool_of(item, "isEnabled", 0);
		p->blocking = bool_of(item, "isBlocking", 0);
		p->deleted = bool_of(item, "isDeleted", 0);
		p->min_approvers = cJSON_IsObject(settings) ? (int)int_of(settings, "minimumApproverCount", 0) : 0;
		if (p->min_approvers < 0 || p->min_approvers > 1000)
			p->min_approvers = 0;
		p->build_definition = cJSON_IsObject(settings) ? int_of(settings, "buildDefinitionId", -1) : -1;
		if (display && *display && !(p->display_name = strdup(display))) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		if (cJSON_IsArray(scopes) && parse_scopes(p, scopes) < 0) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_policies_dispose(out);
	return error;
}

int alm_ado_policy_applies(const alm_ado_policy *p, const char *repository_id, const char *ref)
{
	size_t i;
	if (!p->enabled || p->deleted)
		return 0;
	if (p->scope_count == 0)
		return 1;
	for (i = 0; i < p->scope_count; i++) {
		const alm_ado_scope *s = &p->scopes[i];
		if (s->repository_id && (!repository_id || strcasecmp(s->repository_id, repository_id) != 0))
			continue;
		switch (s->kind) {
		case ALM_ADO_SCOPE_ANY_BRANCH:
		case ALM_ADO_SCOPE_DEFAULT_BRANCH:
			return 1;
		case ALM_ADO_SCOPE_EXACT:
			if (ref && strcmp(s->ref_name, ref) == 0)
				return 1;
			break;
		case ALM_ADO_SCOPE_PREFIX:
			if (ref && strncmp(s->ref_name, ref, strlen(s->ref_name)) == 0)
				return 1;
			break;
		}
	}
	return 0;
}

/* ---- environments, project ---- */

void alm_ado_environments_dispose(alm_ado_environments *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->count; i++)
		free(e->items[i].name);
	free(e->items);
	e->items = NULL;
	e->count = 0;
}

int alm_ado_parse_environments(alm_ado_environments *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "environments")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		alm_ado_environment *e = &out->items[out->count];
		if (!cJSON_IsObject(item))
			continue;
		e->id = int_of(item, "id", -1);
		if (!(e->name = dup_str(str_of(item, "name")))) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		out->count++;
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_environments_dispose(out);
	return error;
}

int alm_ado_parse_project(char **name, const char *body, size_t len)
{
	cJSON *root = NULL;
	const char *n;
	int error;

	*name = NULL;
	if ((error = alm_json_parse(&root, body, len, "project")) < 0)
		return error;
	n = cJSON_IsObject(root) ? str_of(root, "name") : NULL;
	if (!n || !*n) {
		cJSON_Delete(root);
		return alm_error_set(ALM_EINVALID, "project: expected an object with a \"name\"");
	}
	*name = strdup(n);
	cJSON_Delete(root);
	return *name ? 0 : alm_error_set(ALM_ENOMEM, "out of memory");
}

/* ---- projects of an organization ---- */

void alm_ado_project_dispose(alm_ado_project *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->name);
	p->id = p->name = NULL;
}

void alm_ado_projects_dispose(alm_ado_projects *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->count; i++)
		alm_ado_project_dispose(&p->items[i]);
	free(p->items);
	p->items = NULL;
	p->count = 0;
}

/* A project without a name cannot be addressed: "not said" means skipped. */
static int project_of(alm_ado_project *out, const cJSON *item)
{
	const char *name = cJSON_IsObject(item) ? str_of(item, "name") : NULL;
	if (!name || !*name)
		return 0;
	out->id = dup_str(str_of(item, "id"));
	out->name = strdup(name);
	if (!out->id || !out->name) {
		alm_ado_project_dispose(out);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	return 1;
}

int alm_ado_parse_projects(alm_ado_projects *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	const cJSON *items, *item;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = list_items(&root, &items, body, len, "projects")) < 0)
		return error;
	out->items = alloc_items((size_t)cJSON_GetArraySize(items), sizeof *out->items);
	if (!out->items) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	cJSON_ArrayForEach(item, items) {
		int got = project_of(&out->items[out->count], item);
		if (got < 0) {
			error = got;
			goto done;
		}
		out->count += (size_t)got;
	}
done:
	cJSON_Delete(root);
	if (error < 0)
		alm_ado_projects_dispose(out);
	return error;
}

int alm_ado_parse_project_record(alm_ado_project *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = alm_json_parse(&root, body, len, "project")) < 0)
		return error;
	error = project_of(out, root);
	cJSON_Delete(root);
	if (error == 0)
		return alm_error_set(ALM_EINVALID, "project: expected an object with a \"name\"");
	return error < 0 ? error : 0;
}

/* ---- error bodies ---- */

void alm_ado_one_line(char *text)
{
	char *r = text, *w = text;
	int space = 1; /* drop leading blanks */
	for (; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = (char)c;
			space = 0;
		}
	}
	while (w > text && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* Copies at most n-1 bytes without splitting a UTF-8 sequence. */
static void copy_cut(char *out, size_t n, const char *s, size_t len)
{
	if (len > n - 1) {
		len = n - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

int alm_ado_parse_error_message(char *out, size_t n, const char *body, size_t len)
{
	cJSON *root = NULL;
	const char *msg;
	size_t i;

	if (!n)
		return -1;
	out[0] = '\0';
	if (!body || !len)
		return -1;
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
		body += 3;
		len -= 3;
	}
	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'); i++)
		;
	if (i == len || body[i] == '<')
		return -1; /* empty, or an HTML page: nothing to show */
	if (body[i] == '{' || body[i] == '[') {
		if (alm_json_parse(&root, body, len, "error") < 0)
			return -1;
		msg = cJSON_IsObject(root) ? str_of(root, "message") : NULL;
		if (msg)
			copy_cut(out, n, msg, strlen(msg));
		cJSON_Delete(root);
	} else {
		size_t j = i;
		while (j < len && body[j] != '\r' && body[j] != '\n' && body[j] != '\0')
			j++;
		copy_cut(out, n, body + i, j - i);
	}
	alm_ado_one_line(out);
	return out[0] ? 0 : -1;
}
