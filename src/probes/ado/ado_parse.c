#include "ado_parse.h"
#include "alm/error.h"
#include "alm/json.h"
#include "json_list.h"

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

/* Lists come as {"count": N, "value": [...]}; a bare array is accepted too
 * (the pipelines swagger documents one). */
#define ADO_LIST(name, fill, dispose) { (name), "value", "a list {\"count\": N, \"value\": [...]}", 1, 0, (fill), (dispose) }

static void copy_cut(char *out, size_t n, const char *s, size_t len);

/* Skips a JSON string starting at s[i] == '"'; returns the index after it,
 * or len when it does not end. */
static size_t skip_string(const char *s, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

static size_t skip_blank(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* Where the list's array starts: the body itself, or the "value" member of
 * the wrapping object (at its top level). Returns 0, or -1 when not found. */
static int find_array(const char *s, size_t len, size_t *at)
{
	size_t i = skip_blank(s, 0, len);
	int depth = 0;
	if (i < len && s[i] == '[') {
		*at = i;
		return 0;
	}
	if (i >= len || s[i] != '{')
		return -1;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			size_t end = skip_string(s, i, len), j;
			if (depth == 1 && end - i == 7 && memcmp(s + i, "\"value\"", 7) == 0) {
				j = skip_blank(s, end, len);
				if (j < len && s[j] == ':') {
					j = skip_blank(s, j + 1, len);
					if (j < len && s[j] == '[') {
						*at = j;
						return 0;
					}
				}
			}
			i = end;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		i++;
	}
	return -1;
}

/* The end of the JSON value starting at s[i]: the index of the ',' '}' or
 * ']' that follows it at its own level, or len when there is none. */
static size_t value_end(const char *s, size_t i, size_t len)
{
	int depth = 0;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			i = skip_string(s, i, len);
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;
			depth--;
		} else if (c == ',' && depth == 0)
			return i;
		i++;
	}
	return len;
}

static int kept(const char *key, size_t n, const char *const *keep)
{
	for (; *keep; keep++)
		if (strlen(*keep) == n && memcmp(*keep, key, n) == 0)
			return 1;
	return 0;
}

/*
 * Parses one item of a list. With `keep`, an object's members whose values
 * are objects or arrays are left out unless named in `keep` (NULL-terminated):
 * a build is 3.5 KB of JSON of which the facts need six scalars, and the
 * nested links, identities and definitions are most of the bytes and of
 * cJSON's work. `buf` is scratch space (at least len + 2 bytes). Anything
 * not shaped as expected is parsed whole.
 */
static cJSON *parse_item(const char *s, size_t len, const char *const *keep, char *buf)
{
	size_t i = 1, o = 1;
	if (!keep || len < 2 || s[0] != '{')
		return cJSON_ParseWithLength(s, len);
	buf[0] = '{';
	for (;;) {
		size_t key, key_end, value, end;
		i = skip_blank(s, i, len);
		if (i < len && s[i] == '}' && o == 1)
			break;
		if (i >= len || s[i] != '"')
			return cJSON_ParseWithLength(s, len);
		key = i;
		key_end = skip_string(s, i, len);
		i = skip_blank(s, key_end, len);
		if (i >= len || s[i] != ':')
			return cJSON_ParseWithLength(s, len);
		value = skip_blank(s, i + 1, len);
		end = value_end(s, value, len);
		if (end >= len)
			return cJSON_ParseWithLength(s, len);
		if ((s[value] != '{' && s[value] != '[') || kept(s + key + 1, key_end - key - 2, keep)) {
			if (o > 1)
				buf[o++] = ',';
			memcpy(buf + o, s + key, end - key);
			o += end - key;
		}
		if (s[end] == '}')
			break;
		if (s[end] != ',')
			return cJSON_ParseWithLength(s, len);
		i = end + 1;
	}
	buf[o++] = '}';
	return cJSON_ParseWithLength(buf, o);
}

/*
 * Calls fn for each item of a list body, parsing one item at a time: cJSON
 * has no streaming mode, and a page of a million definitions parsed whole
 * would hold hundreds of megabytes of nodes for a few fields each. Only the
 * array's item boundaries are found here (strings and nesting respected);
 * cJSON parses each item. Anything unexpected falls back to parsing the
 * whole body, which gives the usual NAME:LINE:COL message. *count receives
 * the number of items (objects or not).
 */
static int list_each(const char *body, size_t len, const alm_json_list *list, const char *const *keep,
		     alm_json_list_item_fn fn, void *ctx, size_t *count)
{
	const char *s = body;
	size_t i, n = 0, whole_len = len, cap = 0;
	char *buf = NULL;
	int error = 0;

	*count = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (memchr(s, '\0', len) || find_array(s, len, &i) < 0)
		goto whole;
	i = skip_blank(s, i + 1, len);
	if (i < len && s[i] == ']') {
		return 0;
	}
	while (i < len) {
		size_t start = i;
		cJSON *item;
		i = value_end(s, i, len);
		if (i >= len)
			goto whole; /* cut short: let the whole parse say where */
		if (keep && i - start + 2 > cap) {
			char *grown = realloc(buf, i - start + 2);
			if (!grown) {
				free(buf);
				return alm_error_set(ALM_ENOMEM, "out of memory");
			}
			buf = grown;
			cap = i - start + 2;
		}
		item = parse_item(s + start, i - start, keep, buf);
		if (!item)
			goto whole;
		n++;
		error = fn(ctx, item);
		cJSON_Delete(item);
		if (error < 0) {
			free(buf);
			return error;
		}
		if (s[i] == ']')
			break;
		i = skip_blank(s, i + 1, len);
	}
	free(buf);
	*count = n;
	return 0;

whole:
	free(buf);
	{
		cJSON *root = NULL;
		if (n > 0) {
			/* Items were handed out already: only the message is wanted. */
			error = alm_json_parse(&root, body, whole_len, list->name);
			cJSON_Delete(root);
			return error < 0 ? error
					 : alm_error_set(ALM_EINVALID, "%s: item %zu is not valid JSON", list->name, n + 1);
		}
		return alm_json_list_each_body(count, body, whole_len, list, fn, ctx);
	}
}

/* ---- definitions ---- */

static void definition_dispose(void *record)
{
	free(((alm_ado_definition *)record)->name);
}

void alm_ado_definitions_dispose(alm_ado_definitions *d)
{
	if (d)
		alm_json_list_free(&d->items, &d->count, definition_dispose);
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

typedef struct {
	alm_ado_definition_fn fn;
	void *ctx;
} definition_walk;

static int definition_item(void *ctx, const cJSON *item)
{
	definition_walk *w = ctx;
	const cJSON *latest = cJSON_GetObjectItemCaseSensitive(item, "latestBuild");
	const char *name = str_of(item, "name");
	alm_ado_definition d;
	if (!cJSON_IsObject(item))
		return 0;
	d.id = int_of(item, "id", -1);
	d.yaml = yaml_of(item);
	d.latest_queued = cJSON_IsObject(latest) ? time_of(latest, "queueTime") : 0;
	d.name = (char *)(name ? name : "");
	return w->fn(w->ctx, &d);
}

int alm_ado_parse_definitions_each(const char *body, size_t len, alm_ado_definition_fn fn, void *ctx,
				   size_t *items)
{
	definition_walk w;
	w.fn = fn;
	w.ctx = ctx;
	static const char *const keep[] = { "process", "configuration", "latestBuild", NULL };
	static const alm_json_list list = ADO_LIST("build definitions", NULL, NULL);
	return list_each(body, len, &list, keep, definition_item, &w, items);
}

/* The array with room for item `count`: it doubles at counts 0, 1, 2, 4...
 * NULL when out of memory (the old array is still the caller's). */
static void *make_room(void *items, size_t count, size_t size)
{
	if (count & (count - 1))
		return items;
	return realloc(items, (count ? count * 2 : 1) * size);
}

static int keep_definition(void *ctx, const alm_ado_definition *d)
{
	alm_ado_definitions *out = ctx;
	alm_ado_definition *grown = make_room(out->items, out->count, sizeof *out->items);
	if (!grown)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	out->items = grown;
	grown[out->count] = *d;
	if (!(grown[out->count].name = strdup(d->name)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	out->count++;
	return 0;
}

int alm_ado_parse_definitions(alm_ado_definitions *out, const char *body, size_t len)
{
	size_t items;
	int error;
	memset(out, 0, sizeof *out);
	if ((error = alm_ado_parse_definitions_each(body, len, keep_definition, out, &items)) < 0)
		alm_ado_definitions_dispose(out);
	return error;
}

/* ---- builds ---- */

void alm_ado_builds_dispose(alm_ado_builds *b)
{
	if (b)
		alm_json_list_free(&b->items, &b->count, NULL);
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

typedef struct {
	alm_ado_build_fn fn;
	void *ctx;
} build_walk;

static int build_item(void *ctx, const cJSON *item)
{
	build_walk *w = ctx;
	const char *reason = str_of(item, "reason");
	alm_ado_build b;
	if (!cJSON_IsObject(item))
		return 0;
	b.id = int_of(item, "id", -1);
	b.state = build_state(item);
	b.pull_request = reason && strcmp(reason, "pullRequest") == 0;
	b.queued = time_of(item, "queueTime");
	b.started = time_of(item, "startTime");
	if (b.started == 0)
		b.started = b.queued;
	return w->fn(w->ctx, &b);
}

int alm_ado_parse_builds_each(const char *body, size_t len, alm_ado_build_fn fn, void *ctx, size_t *items)
{
	build_walk w;
	w.fn = fn;
	w.ctx = ctx;
	static const char *const keep[] = { NULL }; /* scalars only */
	static const alm_json_list list = ADO_LIST("builds", NULL, NULL);
	return list_each(body, len, &list, keep, build_item, &w, items);
}

static int keep_build(void *ctx, const alm_ado_build *b)
{
	alm_ado_builds *out = ctx;
	alm_ado_build *grown = make_room(out->items, out->count, sizeof *out->items);
	if (!grown)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	out->items = grown;
	grown[out->count++] = *b;
	return 0;
}

int alm_ado_parse_builds(alm_ado_builds *out, const char *body, size_t len)
{
	size_t items;
	int error;
	memset(out, 0, sizeof *out);
	if ((error = alm_ado_parse_builds_each(body, len, keep_build, out, &items)) < 0)
		alm_ado_builds_dispose(out);
	return error;
}

/* ---- repositories ---- */

static void repository_dispose(void *record)
{
	alm_ado_repository *r = record;
	free(r->id);
	free(r->name);
	free(r->default_branch);
	free(r->web_url);
	free(r->project_id);
	free(r->project_name);
}

void alm_ado_repositories_dispose(alm_ado_repositories *r)
{
	if (r)
		alm_json_list_free(&r->items, &r->count, repository_dispose);
}

static int repository_fill(void *record, const cJSON *item, void *ctx)
{
	alm_ado_repository *r = record;
	const char *branch = str_of(item, "defaultBranch");
	const cJSON *project = alm_json_obj(item, "project");
	const char *web = str_of(item, "webUrl");
	const char *pid = str_of(project, "id");
	const char *pname = str_of(project, "name");
	(void)ctx;
	r->id = dup_str(str_of(item, "id"));
	r->name = dup_str(str_of(item, "name"));
	r->default_branch = branch ? strdup(branch) : NULL;
	r->disabled = bool_of(item, "isDisabled", 0);
	r->web_url = web ? strdup(web) : NULL;
	r->project_id = pid ? strdup(pid) : NULL;
	r->project_name = pname ? strdup(pname) : NULL;
	if (!r->id || !r->name || (branch && !r->default_branch) || (web && !r->web_url) ||
	    (pid && !r->project_id) || (pname && !r->project_name))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

int alm_ado_parse_repositories(alm_ado_repositories *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("repositories", repository_fill, repository_dispose);
	return alm_json_list_read_body(&out->items, &out->count, body, len, &list, NULL);
}

/* ---- pull requests and reviewers ---- */

static void pull_request_dispose(void *record)
{
	alm_ado_pull_request *p = record;
	free(p->creator_id);
	free(p->creator_mail);
	free(p->repository_id);
}

void alm_ado_pull_requests_dispose(alm_ado_pull_requests *p)
{
	if (p)
		alm_json_list_free(&p->items, &p->count, pull_request_dispose);
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

static int pull_request_fill(void *record, const cJSON *item, void *ctx)
{
	alm_ado_pull_request *p = record;
	const cJSON *by = alm_json_obj(item, "createdBy");
	const cJSON *repo = alm_json_obj(item, "repository");
	const cJSON *reviewers = cJSON_GetObjectItemCaseSensitive(item, "reviewers");
	(void)ctx;
	p->id = int_of(item, "pullRequestId", -1);
	p->status = pr_status(str_of(item, "status"));
	p->created = time_of(item, "creationDate");
	p->creator_id = dup_str(str_of(by, "id"));
	p->creator_mail = dup_str(str_of(by, "uniqueName"));
	p->repository_id = dup_str(str_of(repo, "id"));
	if (!p->creator_id || !p->creator_mail || !p->repository_id)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	p->reviewers_known = cJSON_IsArray(reviewers);
	p->approved_by_other = p->reviewers_known && approved_by_other(reviewers, p->creator_id);
	return 0;
}

int alm_ado_parse_pull_requests(alm_ado_pull_requests *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("pull requests", pull_request_fill, pull_request_dispose);
	return alm_json_list_read_body(&out->items, &out->count, body, len, &list, NULL);
}

int alm_ado_parse_reviewers(int *approved, const char *creator_id, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("pull request reviewers", NULL, NULL);
	cJSON *root = NULL;
	const cJSON *items = NULL;
	int error;

	*approved = 0;
	if ((error = alm_json_list_parse(&root, &items, body, len, &list)) < 0)
		return error;
	*approved = approved_by_other(items, creator_id);
	cJSON_Delete(root);
	return 0;
}

/* ---- policies ---- */

static void scope_dispose(void *record)
{
	alm_ado_scope *sc = record;
	free(sc->repository_id);
	free(sc->ref_name);
}

static void policy_dispose(void *record)
{
	alm_ado_policy *p = record;
	alm_json_list_free(&p->scopes, &p->scope_count, scope_dispose);
	free(p->display_name);
}

void alm_ado_policies_dispose(alm_ado_policies *p)
{
	if (p)
		alm_json_list_free(&p->items, &p->count, policy_dispose);
}

static int scope_fill(void *record, const cJSON *s, void *ctx)
{
	alm_ado_scope *sc = record;
	const char *repo = str_of(s, "repositoryId");
	const char *ref = str_of(s, "refName");
	const char *kind = str_of(s, "matchKind");
	(void)ctx;
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
	if ((repo && !sc->repository_id) ||
	    (ref && (sc->kind == ALM_ADO_SCOPE_EXACT || sc->kind == ALM_ADO_SCOPE_PREFIX) && !sc->ref_name))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

static int policy_fill(void *record, const cJSON *item, void *ctx)
{
	/* settings.scope, an array where there is one */
	static const alm_json_list scope_list = { "policy scopes", NULL, "an array", 1, 0, scope_fill, scope_dispose };
	alm_ado_policy *p = record;
	const cJSON *type = alm_json_obj(item, "type");
	const cJSON *settings = alm_json_obj(item, "settings");
	const cJSON *scopes = alm_json_arr(settings, "scope");
	const char *type_id = str_of(type, "id");
	const char *display = str_of(settings, "displayName");
	(void)ctx;
	p->id = int_of(item, "id", -1);
	p->type = !type_id ? ALM_ADO_POLICY_OTHER
		  : strcasecmp(type_id, POLICY_MIN_APPROVERS) == 0 ? ALM_ADO_POLICY_MIN_APPROVERS
		  : strcasecmp(type_id, POLICY_BUILD) == 0 ? ALM_ADO_POLICY_BUILD
		  : ALM_ADO_POLICY_OTHER;
	p->enabled = bool_of(item, "isEnabled", 0);
	p->blocking = bool_of(item, "isBlocking", 0);
	p->deleted = bool_of(item, "isDeleted", 0);
	p->min_approvers = settings ? (int)int_of(settings, "minimumApproverCount", 0) : 0;
	if (p->min_approvers < 0 || p->min_approvers > 1000)
		p->min_approvers = 0;
	p->build_definition = settings ? int_of(settings, "buildDefinitionId", -1) : -1;
	if (display && *display && !(p->display_name = strdup(display)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return scopes ? alm_json_list_read(&p->scopes, &p->scope_count, scopes, &scope_list, NULL) : 0;
}

int alm_ado_parse_policies(alm_ado_policies *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("policy configurations", policy_fill, policy_dispose);
	return alm_json_list_read_body(&out->items, &out->count, body, len, &list, NULL);
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

static void environment_dispose(void *record)
{
	free(((alm_ado_environment *)record)->name);
}

void alm_ado_environments_dispose(alm_ado_environments *e)
{
	if (e)
		alm_json_list_free(&e->items, &e->count, environment_dispose);
}

static int environment_fill(void *record, const cJSON *item, void *ctx)
{
	alm_ado_environment *e = record;
	(void)ctx;
	e->id = int_of(item, "id", -1);
	if (!(e->name = dup_str(str_of(item, "name"))))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

int alm_ado_parse_environments(alm_ado_environments *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("environments", environment_fill, environment_dispose);
	return alm_json_list_read_body(&out->items, &out->count, body, len, &list, NULL);
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

static void project_record_dispose(void *record)
{
	alm_ado_project_dispose(record);
}

void alm_ado_projects_dispose(alm_ado_projects *p)
{
	if (p)
		alm_json_list_free(&p->items, &p->count, project_record_dispose);
}

/* A project without a name cannot be addressed: "not said" means skipped. */
static int project_fill(void *record, const cJSON *item, void *ctx)
{
	alm_ado_project *out = record;
	const char *name = str_of(item, "name");
	(void)ctx;
	if (!name || !*name)
		return ALM_JSON_LIST_SKIP;
	out->id = dup_str(str_of(item, "id"));
	out->name = strdup(name);
	if (!out->id || !out->name) {
		alm_ado_project_dispose(out);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	return 0;
}

int alm_ado_parse_projects(alm_ado_projects *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("projects", project_fill, project_record_dispose);
	return alm_json_list_read_body(&out->items, &out->count, body, len, &list, NULL);
}

int alm_ado_parse_project_record(alm_ado_project *out, const char *body, size_t len)
{
	cJSON *root = NULL;
	int error;

	memset(out, 0, sizeof *out);
	if ((error = alm_json_parse(&root, body, len, "project")) < 0)
		return error;
	error = project_fill(out, root, NULL);
	cJSON_Delete(root);
	if (error == ALM_JSON_LIST_SKIP)
		return alm_error_set(ALM_EINVALID, "project: expected an object with a \"name\"");
	return error;
}

/* ---- check configurations of an environment ---- */

#define CHECK_APPROVAL "8c6f20a7-a545-4486-9777-f762fafe0d4d"
#define TASK_BRANCH_CONTROL "86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b"
#define TASK_BUSINESS_HOURS "445fde2f-6c39-441c-807f-8a59ff2e075f"

static int has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (; *text; text++)
		if (strncasecmp(text, word, n) == 0)
			return 1;
	return 0;
}

static int check_item(void *ctx, const cJSON *item)
{
	alm_ado_checks *out = ctx;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
	const cJSON *settings = cJSON_GetObjectItemCaseSensitive(item, "settings");
	const cJSON *ref = cJSON_IsObject(settings) ? cJSON_GetObjectItemCaseSensitive(settings, "definitionRef") : NULL;
	const char *type_id = cJSON_IsObject(type) ? str_of(type, "id") : NULL;
	const char *type_name = cJSON_IsObject(type) ? str_of(type, "name") : NULL;
	const char *ref_id = cJSON_IsObject(ref) ? str_of(ref, "id") : NULL;
	const char *ref_name = cJSON_IsObject(ref) ? str_of(ref, "name") : NULL;
	if (!cJSON_IsObject(item))
		return 0;
	out->count++;
	/* Pre- and post-check approvals are approvals too. */
	if ((type_id && strcasecmp(type_id, CHECK_APPROVAL) == 0) || (type_name && has_word(type_name, "approval")))
		out->approval = 1;
	/* Branch control and business hours are task checks, told apart by the task. */
	if ((ref_id && strcasecmp(ref_id, TASK_BRANCH_CONTROL) == 0) ||
	    (ref_name && strcasecmp(ref_name, "evaluatebranchProtection") == 0))
		out->branch_control = 1;
	if ((ref_id && strcasecmp(ref_id, TASK_BUSINESS_HOURS) == 0) ||
	    (ref_name && strcasecmp(ref_name, "evaluatebusinessHours") == 0))
		out->business_hours = 1;
	return 0;
}

int alm_ado_parse_checks(alm_ado_checks *out, const char *body, size_t len)
{
	static const alm_json_list list = ADO_LIST("check configurations", NULL, NULL);
	size_t items;
	memset(out, 0, sizeof *out);
	return list_each(body, len, &list, NULL, check_item, out, &items);
}

/* ---- a user entitlement ---- */

/* The access level of one user entitlement object; -1 when it has none. */
static int license_of(alm_ado_license *out, char *display, size_t n, const cJSON *entitlement)
{
	const cJSON *level = cJSON_IsObject(entitlement) ? cJSON_GetObjectItemCaseSensitive(entitlement, "accessLevel") : NULL;
	const char *account, *source, *msdn, *name;

	*out = ALM_ADO_LICENSE_NONE;
	if (n)
		display[0] = '\0';
	if (!cJSON_IsObject(level))
		return -1;
	account = str_of(level, "accountLicenseType");
	source = str_of(level, "licensingSource");
	msdn = str_of(level, "msdnLicenseType");
	name = str_of(level, "licenseDisplayName");
	if (name && n)
		copy_cut(display, n, name, strlen(name));
	if ((account && strcasecmp(account, "stakeholder") == 0) ||
	    (!account && name && strcasecmp(name, "Stakeholder") == 0))
		*out = ALM_ADO_LICENSE_STAKEHOLDER;
	else if (account && (strcasecmp(account, "express") == 0 || strcasecmp(account, "professional") == 0 ||
			     strcasecmp(account, "advanced") == 0 || strcasecmp(account, "earlyAdopter") == 0))
		*out = ALM_ADO_LICENSE_BASIC_OR_ABOVE;
	/* A Visual Studio subscription carries Basic (or more) with it. */
	else if (source && strcasecmp(source, "msdn") == 0 && msdn && strcasecmp(msdn, "none") != 0)
		*out = ALM_ADO_LICENSE_BASIC_OR_ABOVE;
	else if (!account && name && *name)
		*out = ALM_ADO_LICENSE_BASIC_OR_ABOVE; /* older answers name the level only */
	return 0;
}

int alm_ado_parse_entitlement(alm_ado_license *out, char *display, size_t n, const char *body, size_t len)
{
	cJSON *root = NULL;
	int error;

	if ((error = alm_json_parse(&root, body, len, "user entitlement")) < 0) {
		*out = ALM_ADO_LICENSE_NONE;
		if (n)
			display[0] = '\0';
		return error;
	}
	error = license_of(out, display, n, root);
	cJSON_Delete(root);
	return error < 0 ? alm_error_set(ALM_EINVALID, "user entitlement: expected an object with \"accessLevel\"") : 0;
}

typedef struct {
	const char *mail;
	int *found;
	alm_ado_license *license;
	char *display;
	size_t n;
} member_search;

/* The name filter also matches display names: only the mail counts. */
static int member_item(void *ctx, const cJSON *m)
{
	member_search *search = ctx;
	const cJSON *user = alm_json_obj(m, "user");
	const char *address = str_of(user, "mailAddress");
	const char *principal = str_of(user, "principalName");
	if ((!address || strcasecmp(address, search->mail) != 0) && (!principal || strcasecmp(principal, search->mail) != 0))
		return 0;
	if (license_of(search->license, search->display, search->n, m) < 0)
		return alm_error_set(ALM_EINVALID, "user entitlements: a member without \"accessLevel\"");
	*search->found = 1;
	return ALM_JSON_LIST_STOP;
}

int alm_ado_parse_entitlement_search(int *found, alm_ado_license *out, char *display, size_t n, const char *mail,
				     const char *body, size_t len)
{
	static const alm_json_list list = { "user entitlements", "members", "an object with a \"members\" array", 0, 0,
					    NULL, NULL };
	member_search search = { mail, found, out, display, n };

	*found = 0;
	*out = ALM_ADO_LICENSE_NONE;
	if (n)
		display[0] = '\0';
	return alm_json_list_each_body(NULL, body, len, &list, member_item, &search);
}

/* ---- commits (_apis/git/repositories/{id}/commits) ---- */

typedef struct {
	alm_ado_author_fn fn;
	void *ctx;
} author_walk;

static int author_item(void *ctx, const cJSON *commit)
{
	author_walk *w = ctx;
	const char *mail = str_of(alm_json_obj(commit, "author"), "email");
	int error = mail && *mail ? w->fn(w->ctx, mail) : 0;
	return error < 0 ? error : 0; /* only a failure stops the walk */
}

int alm_ado_parse_commit_authors(const char *body, size_t len, alm_ado_author_fn fn, void *ctx, size_t *commits)
{
	static const alm_json_list list = { "commits", "value", "an object with a \"value\" array", 0, 0, NULL, NULL };
	author_walk w = { fn, ctx };
	return alm_json_list_each_body(commits, body, len, &list, author_item, &w);
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
