/*
 * The Power Platform probe: the tenant as evidence. The requests form one
 * chain with a few branches, all on one HTTP engine:
 *
 *   token (admin scope) -> environments (pages) -> for each environment that matters:
 *                                                   token (its scope) -> solutions
 *                                                     -> on a pipelines host: pipelines, stages,
 *                                                        deployment environments, stage runs (pages)
 *                       -> data policies (pages)
 *                       -> environments asked for by id and not listed (one each)
 *
 * "Environments that matter" are bounded: those whose type and name match a
 * stage the repository deploys to (the best few a stage), those named like a
 * pipelines host or the CoE's, and those asked for with --pp-environment; every
 * Dataverse environment only with --pp-environment all. Environment pages are
 * folded into counts and a capped list as they arrive, so memory follows a
 * page and the chosen few, not the tenant (in a scan, also the tenant's
 * Dataverse environments, for each repository to choose from). Every failure is recorded and the
 * facts it prevents are left unset (unknown), never guessed.
 *
 * The requests run in up to three rounds, each on an engine of its own with
 * what is left of the one deadline: the tenant (admin token,
 * environments, data policies, environments asked for by id), then the
 * Dataverse tokens and what they read, then what waited for a token another
 * probe of the scan was asking for. In a scan (opts->pp_cache) the first
 * probe reads the tenant and keeps its Dataverse environments; every probe
 * then chooses its own few from them, and shares the Dataverse tokens.
 */
#include "pp_int.h"
#include "pp_parse.h"
#include "ado_common.h" /* alm_ado_format */
#include "ado_parse.h"  /* alm_ado_parse_time, alm_ado_format_time, alm_ado_one_line */
#include "ado_url.h"    /* alm_ado_escape */
#include "alm/error.h"
#include "alm/pp_probe.h"
#include "vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENV_API "api-version=2023-06-01"
#define MAX_LIST 1000       /* pp.environments.list entries */
#define MAX_PAGES 1000      /* a server that never stops paging is cut off */
#define PER_STAGE 3         /* environments looked in for each stage */
#define MAX_HOST_CANDIDATES 3
#define MAX_COE_CANDIDATES 2
#define MAX_SOLUTIONS 100   /* repository solutions asked for by name */
#define DEFAULT_PAGE 500

#define COE_CORE "CenterofExcellenceCoreComponents"
#define ALM_ACCELERATOR "CenterofExcellenceALMAccelerator"
#define PIPELINES_ANCHOR "msdyn_AppDeploymentAnchor" /* the Power Platform Pipelines application */

enum { S_DEV = ALM_PP_STAGE_DEV, S_COUNT = ALM_PP_STAGE_COUNT };

/* Why an environment is looked in. */
enum { WHY_STAGE = 1, WHY_HOST = 2, WHY_COE = 4, WHY_ASKED = 8 };

typedef enum { API_TOKEN, API_ADMIN, API_DATAVERSE } api;
enum { RANK_OTHER = 1, RANK_NETWORK = 2, RANK_FORBIDDEN = 3, RANK_AUTH = 4 };

typedef struct probe probe;

/* An environment worth reading in Dataverse. */
typedef struct {
	char *name;    /* the environment id */
	char *display;
	char *url;     /* the instance URL */
	int score;
	int why;
} candidate;

typedef struct {
	char *stage_id;
	int succeeded, failed;
} stage_count;

/* One Dataverse environment being read. */
typedef struct dv_env {
	probe *p;
	candidate c;
	char *origin;     /* scheme://host[:port] of the instance */
	char *scope;      /* its token's scope */
	char *token;      /* its own token; wiped */
	int claimed;      /* this probe asks the scan's cache for the token */
	int answered;     /* ... and has handed the answer in */
	int waiting;      /* another probe of the scan asks for it */
	int solutions_ok; /* its solutions were read */
	int host;         /* the Pipelines application is installed */
	int tables_failed;
	alm_pp_rows pipelines, stages, denvs; /* accumulated pages */
	stage_count *runs;
	size_t nruns;
	int runs_read;
} dv_env;

typedef enum { L_ENVIRONMENTS, L_POLICIES, L_SOLUTIONS, L_PIPELINES, L_STAGES, L_DENVS, L_RUNS } list_kind;

/* One paged list. */
typedef struct {
	probe *p;
	list_kind kind;
	dv_env *env;    /* NULL for the admin API */
	char *origin;   /* next links must stay here: the token goes nowhere else */
	char *url;      /* the page being read */
	int pages;
} chain;

struct probe {
	alm_facts *facts;
	const alm_gather_options *opts;
	const alm_pp_cloud *cloud;
	alm_http *http;
	alm_http_options hopts;   /* each round's engine is made from these */
	alm_http_stats total;     /* the rounds before this engine's */
	double started;           /* when the probe's deadline began */
	alm_pp_credential cred;
	char *admin_origin;
	int admin_loopback;
	char *admin_token; /* wiped; borrowed from cred when pre-fetched */
	int page_size;
	double timeout;

	int reachable;
	int failures;
	int error_rank;
	char error[1024];
	int last_rank;   /* the latest failure, whatever its rank: a token's, for the cache */
	char last[1024];

	/* the scan's shared tenant */
	struct alm_pp_tenant_cache *cache; /* NULL: nothing shared */
	int keep;                /* keep the Dataverse environments to choose from after the tenant is read */
	alm_pp_environment *kept;
	size_t nkept, capkept;
	int tenant_done;         /* the environments were read (or failed): Dataverse may follow */
	int dlp_borrowed;        /* dlp_pages belong to the cache */
	char *limits; /* what a pre-fetched token could not read */

	/* the repository's side */
	char **solutions; /* unique names */
	size_t nsolutions;
	int want_stage[S_COUNT];
	char **solution_words; /* lower-case words of the solution names, to score environment names */
	size_t nwords;

	/* environments, folded page by page */
	int envs_ok, envs_failed;
	size_t env_count, env_managed, env_dataverse;
	cJSON *by_sku;
	cJSON *list;
	int list_truncated;
	int stage_seen[S_COUNT];
	candidate per_stage[S_COUNT][PER_STAGE];
	size_t nper_stage[S_COUNT];
	candidate hosts[MAX_HOST_CANDIDATES];
	size_t nhosts;
	candidate coe[MAX_COE_CANDIDATES];
	size_t ncoe;
	candidate *asked; /* matched --pp-environment values, or every Dataverse one with "all" */
	size_t nasked, capasked;
	int ask_all;
	int *asked_found; /* per opts->pp_environments entry */

	/* data policies */
	int dlp_ok, dlp_failed;
	alm_pp_policies *dlp_pages;
	size_t ndlp_pages;

	/* Dataverse */
	dv_env **dv;
	size_t ndv;
	int dataverse_skipped; /* no way to get Dataverse tokens */
	cJSON *found;          /* pp.solutions.found */
	int coe_found, accelerator_found;
	char notes[600];       /* environments without Dataverse that were asked for */
};

/* ---- small utilities ---- */

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void wipe(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static void url_path(char *out, size_t n, const char *url)
{
	snprintf(out, n, "%.*s", (int)strcspn(url, "?#"), url);
}

static void fail(probe *p, int rank, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Records a failure; the message kept (pp.error) is the first of the highest
 * rank: a refused credential explains everything after it. */
static void fail(probe *p, int rank, const char *fmt, ...)
{
	char line[sizeof p->error];
	va_list ap;
	size_t i;
	p->failures++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	alm_ado_one_line(line);
	alm_pp_redact(&p->cred, p->admin_token, line);
	for (i = 0; i < p->ndv; i++)
		alm_pp_redact(NULL, p->dv[i]->token, line);
	memcpy(p->last, line, sizeof line);
	p->last_rank = rank;
	if (rank <= p->error_rank)
		return;
	memcpy(p->error, line, sizeof line);
	p->error_rank = rank;
}

static const char *env_label(const dv_env *e)
{
	return e->c.display && *e->c.display ? e->c.display : e->c.name ? e->c.name : e->origin;
}

/* ---- what a finished request means ---- */

static int is_json(const char *content_type)
{
	return content_type && strncasecmp(content_type, "application/json", 16) == 0;
}

/*
 * Returns 1 when `res` is a 2xx JSON answer; otherwise records the failure
 * (one line, naming what was read, from where, and what to do) and returns 0.
 */
static int accept_response(probe *p, api a, const dv_env *env, const char *what, const alm_http_response *res)
{
	char where[512], msg[400], extra[420], host[300];
	const char *service = a == API_TOKEN ? "Entra ID" : a == API_ADMIN ? "the Power Platform admin API" : "Dataverse";

	url_path(where, sizeof where, res->url);
	if (a == API_DATAVERSE)
		snprintf(host, sizeof host, "Dataverse in %s", env_label(env));
	else
		snprintf(host, sizeof host, "%s", service);
	switch (res->outcome) {
	case ALM_HTTP_TIMEOUT:
		if (res->status == 429)
			fail(p, RANK_NETWORK, "%s throttled the requests for %s (HTTP 429: service protection limits) "
			     "and the probe's %g s deadline came before it allowed more", host, what, p->timeout);
		else
			fail(p, RANK_NETWORK, "no answer from %s for %s within the probe's %g s deadline (%s)", host, what,
			     p->timeout, where);
		return 0;
	case ALM_HTTP_TOO_LARGE:
		fail(p, RANK_NETWORK, "refused the answer of %s for %s: %s (%s)", host, what, res->error, where);
		return 0;
	case ALM_HTTP_FAILED:
		fail(p, RANK_NETWORK, "could not read %s from %s: %s", what, where, res->error);
		return 0;
	case ALM_HTTP_DONE:
		break;
	}
	if (res->status >= 200 && res->status < 300 && is_json(res->content_type))
		return 1;

	extra[0] = '\0';
	/* A 401's challenge says why (error="invalid_token", "The token is expired"). */
	if ((res->status == 401 && alm_pp_parse_challenge(msg, sizeof msg, res->www_authenticate) == 0) ||
	    (a == API_TOKEN ? alm_pp_parse_token_error(msg, sizeof msg, res->body, res->len)
			    : alm_pp_parse_error(msg, sizeof msg, res->body, res->len)) == 0)
		snprintf(extra, sizeof extra, ": %s", msg);

	if (a == API_TOKEN) {
		fail(p, RANK_AUTH, "Entra ID refused the token request for %s (HTTP %ld)%s; check AZURE_TENANT_ID, "
		     "AZURE_CLIENT_ID and %s", what, res->status, extra,
		     p->cred.kind == ALM_PP_CRED_FEDERATED ? "the federated credential of AZURE_FEDERATED_TOKEN_FILE"
							   : "AZURE_CLIENT_SECRET");
	} else if (res->status == 401) {
		fail(p, RANK_AUTH, "%s refused the token (HTTP 401) for %s%s: it is expired, or was issued for another "
		     "audience (%s needs a token for %s)", host, what, extra, host,
		     a == API_ADMIN ? p->cloud->admin_scope : "the environment's own https://<instance>/.default");
	} else if (res->status == 403 && a == API_ADMIN) {
		fail(p, RANK_FORBIDDEN, "the Power Platform admin API denied access (HTTP 403) to %s%s: the principal "
		     "is not a Power Platform administrator, or the service principal %s is not registered as a "
		     "management application; an administrator registers it once with 'pac admin application register "
		     "--application-id %s' (PowerShell: New-PowerAppManagementApp -ApplicationId %s)", what, extra,
		     p->cred.client_id ? p->cred.client_id : "(AZURE_CLIENT_ID)",
		     p->cred.client_id ? p->cred.client_id : "<client id>", p->cred.client_id ? p->cred.client_id : "<client id>");
	} else if (res->status == 403) {
		fail(p, RANK_FORBIDDEN, "%s denied access (HTTP 403) to %s%s: the application needs an application "
		     "user with a security role that reads solutions in that environment", host, what, extra);
	} else if (res->status == 404) {
		fail(p, RANK_OTHER, "%s not found (HTTP 404) at %s%s%s", what, where, extra,
		     a == API_DATAVERSE ? ": the environment may have been deleted" : "");
	} else if (res->status == 429) {
		fail(p, RANK_NETWORK, "%s throttled the requests for %s (HTTP 429: service protection limits)%s", host,
		     what, extra);
	} else if (res->status >= 300 && res->status < 400) {
		fail(p, RANK_AUTH, "%s redirected the request for %s (HTTP %ld) instead of answering: check the URL "
		     "and the credential", host, what, res->status);
	} else if (res->status >= 200 && res->status < 300) {
		fail(p, RANK_AUTH, "%s answered %s with %s instead of JSON (HTTP %ld): a sign-in page, or not the API",
		     host, what, res->content_type ? res->content_type : "no content type", res->status);
	} else {
		fail(p, RANK_NETWORK, "%s failed %s (HTTP %ld after %d attempt%s)%s", host, what, res->status,
		     res->attempts, res->attempts == 1 ? "" : "s", extra);
	}
	return 0;
}

static void parse_failed(probe *p, const char *what, const alm_http_response *res)
{
	char where[512], why[600];
	url_path(where, sizeof where, res->url);
	snprintf(why, sizeof why, "%s", alm_error_last());
	fail(p, RANK_OTHER, "the answer for %s is not the JSON expected (%s) from %s", what, why, where);
}

/* ---- requests ---- */

static int send_request(probe *p, const char *url, const char *bearer, int dataverse, int flags,
			alm_http_callback cb, void *data)
{
	char prefer[64];
	const char *headers[4] = { NULL, NULL, NULL, NULL };
	alm_http_request req;
	if (dataverse) {
		snprintf(prefer, sizeof prefer, "Prefer: odata.maxpagesize=%d", p->page_size);
		headers[0] = prefer;
		headers[1] = "OData-MaxVersion: 4.0";
		headers[2] = "OData-Version: 4.0";
	}
	req.url = url;
	req.bearer = bearer;
	req.form = NULL;
	req.headers = headers;
	return alm_http_send(p->http, &req, flags, cb, data);
}

typedef struct {
	probe *p;
	dv_env *env; /* NULL: the admin scope */
} token_ctx;

static void on_token(alm_http *http, const alm_http_response *res, void *data);

static int request_token(probe *p, dv_env *env, const char *scope)
{
	token_ctx *t = calloc(1, sizeof *t);
	char *form = t ? alm_pp_token_form(&p->cred, scope) : NULL;
	alm_http_request req = { p->cred.token_url, NULL, NULL, NULL };
	int error;
	if (!form) {
		free(t);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	t->p = p;
	t->env = env;
	req.form = form;
	error = alm_http_send(p->http, &req, ALM_HTTP_URGENT, on_token, t);
	explicit_bzero(form, strlen(form));
	free(form);
	if (error < 0)
		free(t);
	return error;
}

static void on_page(alm_http *http, const alm_http_response *res, void *data);

static void chain_free(chain *c)
{
	if (!c)
		return;
	free(c->origin);
	free(c->url);
	free(c);
}

static const char *list_what(list_kind k)
{
	switch (k) {
	case L_ENVIRONMENTS: return "the environments";
	case L_POLICIES: return "the data policies";
	case L_SOLUTIONS: return "the solutions";
	case L_PIPELINES: return "the deployment pipelines";
	case L_STAGES: return "the deployment stages";
	case L_DENVS: return "the deployment environments";
	case L_RUNS: return "the deployment stage runs";
	}
	return "a list";
}

static void list_failed(probe *p, chain *c);

static int chain_start(probe *p, list_kind kind, dv_env *env, char *url)
{
	chain *c = url ? calloc(1, sizeof *c) : NULL;
	char *host = NULL;
	int https;
	if (!c) {
		free(url);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	c->p = p;
	c->kind = kind;
	c->env = env;
	c->url = url;
	if (alm_pp_url_origin(url, &c->origin, &host, &https) < 0 ||
	    send_request(p, url, env ? env->token : p->admin_token, env != NULL, 0, on_page, c) < 0) {
		free(host);
		list_failed(p, c);
		chain_free(c);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	free(host);
	return 0;
}

/* Queues the next page (1), or says the list ended (0) or failed (-1). */
static int chain_next(chain *c, const char *next)
{
	probe *p = c->p;
	char *origin = NULL, *host = NULL;
	int https = 0, same;
	if (!next || !*next)
		return 0;
	if (strcmp(next, c->url) == 0)
		return 0; /* the server sent the same page again: no progress */
	if (++c->pages >= MAX_PAGES) {
		fail(p, RANK_OTHER, "gave up on %s after %d pages", list_what(c->kind), c->pages);
		return -1;
	}
	if (alm_pp_url_origin(next, &origin, &host, &https) < 0) {
		fail(p, RANK_OTHER, "the next page of %s is not a URL", list_what(c->kind));
		return -1;
	}
	same = strcmp(origin, c->origin) == 0;
	free(origin);
	free(host);
	if (!same) {
		/* The token is the origin's: it must not follow a link elsewhere. */
		fail(p, RANK_OTHER, "the next page of %s points to another host; not followed", list_what(c->kind));
		return -1;
	}
	free(c->url);
	if (!(c->url = strdup(next)) ||
	    send_request(p, c->url, c->env ? c->env->token : p->admin_token, c->env != NULL, ALM_HTTP_URGENT, on_page,
			 c) < 0) {
		fail(p, RANK_OTHER, "out of memory while reading %s", list_what(c->kind));
		return -1;
	}
	return 1;
}

/* ---- the repository's side ---- */

static int add_string(char ***list, size_t *n, const char *s)
{
	char **grown;
	size_t i;
	for (i = 0; i < *n; i++)
		if (strcasecmp((*list)[i], s) == 0)
			return 0;
	if (!(grown = realloc(*list, (*n + 1) * sizeof *grown)))
		return -1;
	*list = grown;
	if (!(grown[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* Lower-case words of at least four letters of a solution name, split at
 * case changes, digits and punctuation: "ContosoInvoices" -> contoso, invoices. */
static int add_words(probe *p, const char *name)
{
	char word[64];
	size_t n = 0, i;
	for (i = 0;; i++) {
		char ch = name[i];
		int boundary = !ch || !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) ||
			       (ch >= 'A' && ch <= 'Z' && i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z');
		if (boundary && n) {
			word[n] = '\0';
			if (n >= 4 && add_string(&p->solution_words, &p->nwords, word) < 0)
				return -1;
			n = 0;
		}
		if (!ch)
			break;
		if (((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) && n < sizeof word - 1)
			word[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	return 0;
}

/* Iterating a fact that should be an array but is not must see nothing. */
static const cJSON *array_or_null(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

static int read_repository(probe *p)
{
	const cJSON *sols = alm_facts_get(p->facts, "repo.power_platform.solutions"), *s;
	static const char *const stage_facts[] = { "repo.deployment_settings.environments",
						   "repo.deployments.environments", "repo.environments", NULL };
	const cJSON *pipes = alm_facts_get(p->facts, "repo.deployments.pipelines");
	size_t i;

	if (cJSON_IsArray(sols)) {
		cJSON_ArrayForEach(s, sols) {
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(s, "unique_name");
			if (cJSON_IsString(u) && *u->valuestring && p->nsolutions < MAX_SOLUTIONS &&
			    add_string(&p->solutions, &p->nsolutions, u->valuestring) < 0)
				return -1;
		}
	} else {
		sols = alm_facts_get(p->facts, "repo.files.power_platform.solutions");
		cJSON_ArrayForEach(s, array_or_null(sols)) {
			const char *path = cJSON_IsString(s) ? s->valuestring : NULL;
			char *name;
			if (!path && cJSON_IsObject(s)) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, "path");
				path = cJSON_IsString(v) ? v->valuestring : NULL;
			}
			if (!path || !(name = alm_pp_solution_from_path(path)))
				continue;
			if (p->nsolutions < MAX_SOLUTIONS && add_string(&p->solutions, &p->nsolutions, name) < 0) {
				free(name);
				return -1;
			}
			free(name);
		}
	}
	for (i = 0; i < p->nsolutions; i++)
		if (add_words(p, p->solutions[i]) < 0)
			return -1;
	for (i = 0; stage_facts[i]; i++) {
		const cJSON *arr = alm_facts_get(p->facts, stage_facts[i]);
		cJSON_ArrayForEach(s, array_or_null(arr)) {
			int st = cJSON_IsString(s) ? alm_pp_stage_canonical(s->valuestring) : -1;
			if (st >= 0)
				p->want_stage[st] = 1;
		}
	}
	cJSON_ArrayForEach(s, array_or_null(pipes)) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "environment");
		int st = cJSON_IsString(e) ? alm_pp_stage_canonical(e->valuestring) : -1;
		if (st >= 0)
			p->want_stage[st] = 1;
	}
	return 0;
}

/* ---- environments: stages, candidates, facts ---- */

static int score_of(const probe *p, const alm_pp_environment *e, int by_name)
{
	char low[256];
	size_t i;
	int score = (e->managed ? 2 : 0) + (e->group ? 1 : 0) + by_name;
	alm_pp_lower(low, sizeof low, e->display_name);
	for (i = 0; i < p->nwords; i++)
		if (strstr(low, p->solution_words[i])) {
			score += 4;
			break;
		}
	return score;
}

static void candidate_dispose(candidate *c)
{
	free(c->name);
	free(c->display);
	free(c->url);
	memset(c, 0, sizeof *c);
}

static int candidate_set(candidate *c, const alm_pp_environment *e, int score, int why)
{
	candidate_dispose(c);
	c->name = dup(e->name);
	c->display = dup(e->display_name);
	c->url = dup(e->url);
	c->score = score;
	c->why = why;
	return c->name && c->display && c->url ? 0 : -1;
}

/* Keeps the best `cap` candidates in `set` (ties: the first seen). */
static int keep_best(candidate *set, size_t *n, size_t cap, const alm_pp_environment *e, int score, int why)
{
	size_t i, worst = 0;
	if (*n < cap)
		return candidate_set(&set[(*n)++], e, score, why);
	for (i = 1; i < *n; i++)
		if (set[i].score < set[worst].score)
			worst = i;
	if (score <= set[worst].score)
		return 0;
	/* Keep the order of arrival among the rest. */
	candidate_dispose(&set[worst]);
	memmove(&set[worst], &set[worst + 1], (*n - worst - 1) * sizeof *set);
	memset(&set[*n - 1], 0, sizeof *set);
	return candidate_set(&set[*n - 1], e, score, why);
}

static int asked_index(const probe *p, const alm_pp_environment *e)
{
	size_t i;
	for (i = 0; i < p->opts->pp_environments_count; i++) {
		const char *v = p->opts->pp_environments[i];
		if (strstr(v, "://")) {
			char *o1 = NULL, *h1 = NULL, *o2 = NULL, *h2 = NULL;
			int s1, s2, same = 0;
			if (e->url && alm_pp_url_origin(v, &o1, &h1, &s1) == 0 && alm_pp_url_origin(e->url, &o2, &h2, &s2) == 0)
				same = strcmp(h1, h2) == 0;
			free(o1);
			free(h1);
			free(o2);
			free(h2);
			if (same)
				return (int)i;
		} else if (strcasecmp(v, e->name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int add_asked(probe *p, const alm_pp_environment *e)
{
	if (p->nasked == p->capasked) {
		size_t cap = p->capasked ? p->capasked * 2 : 8;
		candidate *grown = realloc(p->asked, cap * sizeof *grown);
		if (!grown)
			return -1;
		memset(grown + p->capasked, 0, (cap - p->capasked) * sizeof *grown);
		p->asked = grown;
		p->capasked = cap;
	}
	return candidate_set(&p->asked[p->nasked++], e, 0, WHY_ASKED);
}

static void note(probe *p, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void note(probe *p, const char *fmt, ...)
{
	size_t used = strlen(p->notes);
	va_list ap;
	if (used + 4 >= sizeof p->notes)
		return;
	if (used)
		used += (size_t)snprintf(p->notes + used, sizeof p->notes - used, "; ");
	if (used >= sizeof p->notes)
		return;
	va_start(ap, fmt);
	vsnprintf(p->notes + used, sizeof p->notes - used, fmt, ap);
	va_end(ap);
}

/* Whether the repository looks in `e`: the best few for each stage it
 * deploys to, the likely pipelines hosts and the CoE's. */
static int choose_environment(probe *p, const alm_pp_environment *e)
{
	int by_name = 0, st = alm_pp_stage_of(e->display_name, e->sku, e->is_default, &by_name);
	char low[256];

	alm_pp_lower(low, sizeof low, e->display_name);
	if ((strstr(low, "pipeline")) && keep_best(p->hosts, &p->nhosts, MAX_HOST_CANDIDATES, e, score_of(p, e, 0),
						  WHY_HOST) < 0)
		return -1;
	if ((alm_pp_has_word(low, "coe") || strstr(low, "center of excellence") || strstr(low, "centre of excellence")) &&
	    keep_best(p->coe, &p->ncoe, MAX_COE_CANDIDATES, e, score_of(p, e, 0), WHY_COE) < 0)
		return -1;
	if (st >= 0 && p->want_stage[st] &&
	    keep_best(p->per_stage[st], &p->nper_stage[st], PER_STAGE, e, score_of(p, e, by_name), WHY_STAGE) < 0)
		return -1;
	return 0;
}

/* A copy of a Dataverse environment, for each repository of the scan to choose from. */
static int keep_environment(probe *p, const alm_pp_environment *e)
{
	alm_pp_environment *k;
	if (alm_vec_reserve(&p->kept, &p->capkept, p->nkept + 1) < 0)
		return -1;
	k = &p->kept[p->nkept];
	*k = *e;
	k->name = dup(e->name);
	k->display_name = dup(e->display_name);
	k->sku = dup(e->sku);
	k->group = dup(e->group);
	k->url = dup(e->url);
	if (!k->name || !k->display_name || !k->sku || !k->url || (e->group && !k->group)) {
		alm_pp_environment_dispose(k);
		return -1;
	}
	p->nkept++;
	return 0;
}

/* Folds one environment into the counts, the list and the candidates. */
static int fold_environment(probe *p, const alm_pp_environment *e)
{
	cJSON *count, *item;
	int by_name = 0, st = alm_pp_stage_of(e->display_name, e->sku, e->is_default, &by_name), ai;

	p->env_count++;
	p->env_managed += (size_t)e->managed;
	p->env_dataverse += (size_t)e->dataverse;
	count = cJSON_GetObjectItemCaseSensitive(p->by_sku, *e->sku ? e->sku : "unknown");
	if (count)
		cJSON_SetNumberValue(count, count->valuedouble + 1);
	else if (!cJSON_AddNumberToObject(p->by_sku, *e->sku ? e->sku : "unknown", 1))
		return -1;
	if (st >= 0)
		p->stage_seen[st] = 1;
	if (cJSON_GetArraySize(p->list) < MAX_LIST) {
		if (!(item = cJSON_CreateObject()) || !cJSON_AddItemToArray(p->list, item) ||
		    !cJSON_AddStringToObject(item, "name", e->name) ||
		    !cJSON_AddStringToObject(item, "display_name", e->display_name) ||
		    !cJSON_AddStringToObject(item, "sku", e->sku) ||
		    !cJSON_AddBoolToObject(item, "dataverse", e->dataverse) ||
		    !cJSON_AddBoolToObject(item, "managed", e->managed) ||
		    !(e->group ? cJSON_AddStringToObject(item, "group", e->group) : cJSON_AddNullToObject(item, "group")) ||
		    !(e->url ? cJSON_AddStringToObject(item, "url", e->url) : cJSON_AddNullToObject(item, "url")))
			return -1;
	} else {
		p->list_truncated = 1;
	}

	if ((ai = asked_index(p, e)) >= 0) {
		p->asked_found[ai] = 1;
		if (!e->url) {
			note(p, "%s has no Dataverse", e->display_name);
			return 0;
		}
		return add_asked(p, e);
	}
	if (!e->url)
		return 0; /* no Dataverse: no solutions to look for */
	if (p->ask_all)
		return add_asked(p, e);
	return p->keep ? keep_environment(p, e) : choose_environment(p, e);
}

/* ---- Dataverse ---- */

static int start_solutions(probe *p, dv_env *env);

static void on_token(alm_http *http, const alm_http_response *res, void *data)
{
	token_ctx *t = data;
	probe *p = t->p;
	dv_env *env = t->env;
	char what[400];
	char *token = NULL;
	double expires = 0;
	(void)http;

	if (env)
		snprintf(what, sizeof what, "Dataverse in %s (%s)", env_label(env), env->origin);
	else
		snprintf(what, sizeof what, "%s", p->cloud->admin_scope);
	if (!accept_response(p, API_TOKEN, env, what, res)) {
		if (!env)
			p->envs_failed = p->dlp_failed = 1;
		goto done;
	}
	if (alm_pp_parse_token(&token, &expires, res->body, res->len) < 0) {
		parse_failed(p, "the token", res);
		if (!env)
			p->envs_failed = p->dlp_failed = 1;
		goto done;
	}
	if (env && env->claimed) {
		alm_pp_cache_token_set(p->cache, env->scope, token, expires, 0, NULL);
		env->answered = 1;
	}
	if (!env) {
		p->admin_token = token;
		token = NULL;
		if (chain_start(p, L_ENVIRONMENTS, NULL,
				alm_ado_format("%s/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?%s",
					       p->admin_origin, ENV_API)) < 0)
			p->envs_failed = 1;
		if (chain_start(p, L_POLICIES, NULL,
				alm_ado_format("%s/providers/PowerPlatform.Governance/v2/policies", p->admin_origin)) < 0)
			p->dlp_failed = 1;
	} else {
		env->token = token;
		token = NULL;
		if (start_solutions(p, env) < 0)
			fail(p, RANK_OTHER, "out of memory while reading the solutions");
	}
done:
	if (env && env->claimed && !env->answered) {
		/* The other repositories of the scan take the same failure. */
		alm_pp_cache_token_set(p->cache, env->scope, NULL, 0, p->last_rank, p->last);
		env->answered = 1;
	}
	wipe(&token);
	free(t);
}

/* "(column eq 'A' or column eq 'B' ...)" over `names` then `extra`, quotes
 * doubled as OData wants; percent-encoded for a query. NULL when out of memory. */
static char *odata_any(const char *column, char *const *names, size_t n, const char *const *extra, size_t nextra)
{
	size_t i, len = 0, cap = 256;
	char *filter = malloc(cap), *esc;
	if (!filter)
		return NULL;
	filter[len++] = '(';
	for (i = 0; i < n + nextra; i++) {
		const char *name = i < n ? names[i] : extra[i - n];
		size_t need = strlen(column) + strlen(name) * 2 + 16;
		const char *c;
		if (len + need >= cap) {
			char *grown;
			while (len + need >= cap)
				cap *= 2;
			if (!(grown = realloc(filter, cap))) {
				free(filter);
				return NULL;
			}
			filter = grown;
		}
		len += (size_t)snprintf(filter + len, cap - len, "%s%s eq '", i ? " or " : "", column);
		for (c = name; *c; c++) {
			if (*c == '\'')
				filter[len++] = '\'';
			filter[len++] = *c;
		}
		filter[len++] = '\'';
	}
	filter[len++] = ')';
	filter[len] = '\0';
	esc = alm_ado_escape(filter);
	free(filter);
	return esc;
}

/* The repository's solutions and those whose presence is evidence. */
static char *solutions_url(probe *p, const dv_env *env)
{
	static const char *const always[] = { COE_CORE, ALM_ACCELERATOR, PIPELINES_ANCHOR };
	char *filter = odata_any("uniquename", p->solutions, p->nsolutions, always, 3), *url;
	url = filter ? alm_ado_format("%s/api/data/v9.2/solutions?$select=uniquename,friendlyname,version,ismanaged,"
				      "installedon&$filter=%s", env->origin, filter)
		     : NULL;
	free(filter);
	return url;
}

static int start_solutions(probe *p, dv_env *env)
{
	return chain_start(p, L_SOLUTIONS, env, solutions_url(p, env));
}

static int is_repo_solution(const probe *p, const char *name)
{
	size_t i;
	for (i = 0; i < p->nsolutions; i++)
		if (strcasecmp(p->solutions[i], name) == 0)
			return 1;
	return 0;
}

static void start_pipelines(probe *p, dv_env *env)
{
	char *runs = NULL;
	int error = 0;
	error |= chain_start(p, L_PIPELINES, env,
			     alm_ado_format("%s/api/data/v9.2/deploymentpipelines?$select=deploymentpipelineid,name",
					    env->origin));
	error |= chain_start(p, L_STAGES, env,
			     alm_ado_format("%s/api/data/v9.2/deploymentstages?$select=deploymentstageid,name,"
					    "_deploymentpipelineid_value,_previousdeploymentstageid_value,"
					    "_targetdeploymentenvironmentid_value", env->origin));
	error |= chain_start(p, L_DENVS, env,
			     alm_ado_format("%s/api/data/v9.2/deploymentenvironments?$select=deploymentenvironmentid,"
					    "name,environmentid,environmenttype", env->origin));
	if (p->nsolutions) {
		/* The runs of the repository's solutions, in the history window. */
		char *filter = odata_any("artifactname", p->solutions, p->nsolutions, NULL, 0), window[64] = "";
		if (!p->opts->all_history) {
			char iso[32];
			alm_ado_format_time(iso, sizeof iso, (double)p->opts->since);
			snprintf(window, sizeof window, "%%20and%%20starttime%%20ge%%20%s", iso);
		}
		runs = filter ? alm_ado_format("%s/api/data/v9.2/deploymentstageruns?$select=deploymentstagerunid,"
					       "artifactname,artifactversion,stagerunstatus,starttime,_deploymentstageid_value"
					       "&$filter=%s%s", env->origin, filter, window)
			      : NULL;
		free(filter);
		error |= chain_start(p, L_RUNS, env, runs);
	}
	if (error)
		fail(p, RANK_OTHER, "out of memory while reading the pipelines of %s", env_label(env));
}

static int append_rows(alm_pp_rows *into, alm_pp_rows *page)
{
	alm_pp_row *grown;
	if (!page->count)
		return 0;
	if (!(grown = realloc(into->items, (into->count + page->count) * sizeof *grown)))
		return -1;
	into->items = grown;
	memcpy(into->items + into->count, page->items, page->count * sizeof *grown);
	into->count += page->count;
	page->count = 0; /* the strings moved */
	return 0;
}

static int count_runs(dv_env *env, const probe *p, const alm_pp_rows *page)
{
	size_t i, j;
	for (i = 0; i < page->count; i++) {
		const alm_pp_row *r = &page->items[i];
		stage_count *sc = NULL;
		if (!is_repo_solution(p, r->name) || !r->parent)
			continue;
		for (j = 0; j < env->nruns; j++)
			if (strcmp(env->runs[j].stage_id, r->parent) == 0)
				sc = &env->runs[j];
		if (!sc) {
			stage_count *grown = realloc(env->runs, (env->nruns + 1) * sizeof *grown);
			if (!grown)
				return -1;
			env->runs = grown;
			sc = &env->runs[env->nruns];
			memset(sc, 0, sizeof *sc);
			if (!(sc->stage_id = strdup(r->parent)))
				return -1;
			env->nruns++;
		}
		sc->succeeded += r->number == ALM_PP_RUN_SUCCEEDED;
		sc->failed += r->number == ALM_PP_RUN_FAILED;
	}
	return 0;
}

static int record_solutions(probe *p, dv_env *env, const alm_pp_solutions *s)
{
	size_t i;
	for (i = 0; i < s->count; i++) {
		const alm_pp_solution *sol = &s->items[i];
		if (strcasecmp(sol->unique_name, COE_CORE) == 0)
			p->coe_found = 1;
		else if (strcasecmp(sol->unique_name, ALM_ACCELERATOR) == 0)
			p->accelerator_found = 1;
		else if (strcasecmp(sol->unique_name, PIPELINES_ANCHOR) == 0)
			env->host = 1;
		if (is_repo_solution(p, sol->unique_name)) {
			cJSON *item = cJSON_CreateObject();
			if (!item || !cJSON_AddItemToArray(p->found, item) ||
			    !cJSON_AddStringToObject(item, "unique_name", sol->unique_name) ||
			    !cJSON_AddStringToObject(item, "version", sol->version) ||
			    !(sol->managed < 0 ? cJSON_AddNullToObject(item, "managed")
					       : cJSON_AddBoolToObject(item, "managed", sol->managed)) ||
			    !cJSON_AddStringToObject(item, "environment", env_label(env)) ||
			    !cJSON_AddStringToObject(item, "environment_id", env->c.name ? env->c.name : "") ||
			    !(*sol->installed_on ? cJSON_AddStringToObject(item, "installed_on", sol->installed_on)
						 : cJSON_AddNullToObject(item, "installed_on")))
				return -1;
		}
	}
	return 0;
}

/* ---- pages ---- */

static void environments_done(probe *p);
static void policies_page(probe *p, chain *c, const alm_http_response *res, int *more);

static void list_failed(probe *p, chain *c)
{
	switch (c->kind) {
	case L_ENVIRONMENTS:
		p->envs_failed = 1;
		environments_done(p);
		break;
	case L_POLICIES:
		p->dlp_failed = 1;
		break;
	case L_SOLUTIONS:
		break;
	case L_RUNS:
	case L_PIPELINES:
	case L_STAGES:
	case L_DENVS:
		c->env->tables_failed = 1;
		break;
	}
}

static void list_ended(probe *p, chain *c)
{
	switch (c->kind) {
	case L_ENVIRONMENTS:
		p->envs_ok = !p->envs_failed;
		environments_done(p);
		break;
	case L_POLICIES:
		p->dlp_ok = !p->dlp_failed;
		break;
	case L_SOLUTIONS:
		c->env->solutions_ok = 1;
		if (c->env->host)
			start_pipelines(p, c->env);
		break;
	case L_RUNS:
		c->env->runs_read = 1;
		break;
	case L_PIPELINES:
	case L_STAGES:
	case L_DENVS:
		break;
	}
}

static void on_page(alm_http *http, const alm_http_response *res, void *data)
{
	chain *c = data;
	probe *p = c->p;
	const char *what = list_what(c->kind);
	const char *next = NULL;
	int more = 0, bad = 0;
	(void)http;

	if (!accept_response(p, c->env ? API_DATAVERSE : API_ADMIN, c->env, what, res)) {
		list_failed(p, c);
		chain_free(c);
		return;
	}
	p->reachable = 1;
	switch (c->kind) {
	case L_ENVIRONMENTS: {
		alm_pp_environments page;
		size_t i;
		if (alm_pp_parse_environments(&page, res->body, res->len) < 0) {
			bad = 1;
			break;
		}
		for (i = 0; i < page.count; i++)
			if (fold_environment(p, &page.items[i]) < 0) {
				fail(p, RANK_OTHER, "out of memory while reading the environments");
				p->envs_failed = 1;
			}
		more = chain_next(c, page.next);
		alm_pp_environments_dispose(&page);
		break;
	}
	case L_POLICIES:
		policies_page(p, c, res, &more);
		bad = more == -2;
		break;
	case L_SOLUTIONS: {
		alm_pp_solutions page;
		if (alm_pp_parse_solutions(&page, res->body, res->len) < 0) {
			bad = 1;
			break;
		}
		if (record_solutions(p, c->env, &page) < 0)
			fail(p, RANK_OTHER, "out of memory while reading the solutions");
		more = chain_next(c, page.next);
		alm_pp_solutions_dispose(&page);
		break;
	}
	default: {
		static const alm_pp_row_kind kinds[] = { [L_PIPELINES] = ALM_PP_ROW_PIPELINE, [L_STAGES] = ALM_PP_ROW_STAGE,
							 [L_DENVS] = ALM_PP_ROW_ENVIRONMENT, [L_RUNS] = ALM_PP_ROW_STAGE_RUN };
		alm_pp_rows page;
		alm_pp_rows *into = c->kind == L_PIPELINES ? &c->env->pipelines
				    : c->kind == L_STAGES ? &c->env->stages
				    : c->kind == L_DENVS ? &c->env->denvs : NULL;
		int error;
		if (alm_pp_parse_rows(&page, kinds[c->kind], res->body, res->len) < 0) {
			bad = 1;
			break;
		}
		error = into ? append_rows(into, &page) : count_runs(c->env, p, &page);
		if (error < 0)
			fail(p, RANK_OTHER, "out of memory while reading %s", what);
		next = page.next;
		more = chain_next(c, next);
		alm_pp_rows_dispose(&page);
		break;
	}
	}
	if (bad) {
		parse_failed(p, what, res);
		list_failed(p, c);
		chain_free(c);
		return;
	}
	if (more == 1)
		return;
	if (more < 0)
		list_failed(p, c);
	else
		list_ended(p, c);
	chain_free(c);
}

static void policies_page(probe *p, chain *c, const alm_http_response *res, int *more)
{
	alm_pp_policies page, *grown;
	if (alm_pp_parse_policies(&page, res->body, res->len) < 0) {
		*more = -2;
		return;
	}
	grown = realloc(p->dlp_pages, (p->ndlp_pages + 1) * sizeof *grown);
	if (!grown) {
		alm_pp_policies_dispose(&page);
		fail(p, RANK_OTHER, "out of memory while reading the data policies");
		*more = -1;
		return;
	}
	p->dlp_pages = grown;
	*more = chain_next(c, page.next);
	free(page.next);
	page.next = NULL;
	p->dlp_pages[p->ndlp_pages++] = page;
}

/* ---- environments asked for by id and not listed ---- */

typedef struct {
	probe *p;
	size_t index;
} single_ctx;

static void on_single(alm_http *http, const alm_http_response *res, void *data)
{
	single_ctx *s = data;
	probe *p = s->p;
	const char *id = p->opts->pp_environments[s->index];
	char what[300];
	alm_pp_environment e;
	(void)http;

	snprintf(what, sizeof what, "environment %s", id);
	if (res->outcome == ALM_HTTP_DONE && res->status == 404) {
		fail(p, RANK_OTHER, "environment %s was not found in the tenant (HTTP 404): it may have been deleted, or "
		     "the id is wrong", id);
	} else if (accept_response(p, API_ADMIN, NULL, what, res)) {
		if (alm_pp_parse_environment(&e, res->body, res->len) < 0) {
			parse_failed(p, what, res);
		} else {
			if (!e.url)
				note(p, "%s has no Dataverse", *e.display_name ? e.display_name : id);
			else if (add_asked(p, &e) < 0)
				fail(p, RANK_OTHER, "out of memory");
			alm_pp_environment_dispose(&e);
		}
	}
	free(s);
}

/* After the list: the ids asked for that it did not hold are asked for one
 * by one (a deleted environment answers 404); URLs are read as given. */
static void environments_done(probe *p)
{
	size_t i;
	p->tenant_done = 1;
	for (i = 0; i < p->opts->pp_environments_count; i++) {
		const char *v = p->opts->pp_environments[i];
		if (p->asked_found[i] || strcasecmp(v, "all") == 0)
			continue;
		if (strstr(v, "://")) {
			alm_pp_environment e;
			memset(&e, 0, sizeof e);
			e.name = (char *)"";
			e.display_name = (char *)v;
			e.url = (char *)v;
			if (add_asked(p, &e) < 0)
				fail(p, RANK_OTHER, "out of memory");
		} else if (!p->envs_failed) {
			single_ctx *s = calloc(1, sizeof *s);
			char *esc = alm_ado_escape(v);
			char *url = esc ? alm_ado_format("%s/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/%s?%s",
							 p->admin_origin, esc, ENV_API)
					: NULL;
			free(esc);
			if (s) {
				s->p = p;
				s->index = i;
			}
			if (!s || !url || send_request(p, url, p->admin_token, 0, 0, on_single, s) < 0) {
				free(s);
				fail(p, RANK_OTHER, "out of memory");
			}
			free(url);
		}
	}
}

/* Whether `host` may receive a Dataverse token: the cloud's Dataverse domain,
 * or loopback when the admin API itself is (the stand-in). */
static int dataverse_host_ok(const probe *p, const char *host, int https)
{
	size_t n = strlen(host), d = strlen(p->cloud->dataverse_domain);
	if (alm_pp_host_is_loopback(host))
		return p->admin_loopback;
	return https && n > d + 1 && host[n - d - 1] == '.' && strcasecmp(host + n - d, p->cloud->dataverse_domain) == 0;
}

static int add_dv(probe *p, const candidate *c, int why)
{
	char *origin = NULL, *host = NULL;
	int https = 0;
	dv_env *env, **grown;
	size_t i;

	if (alm_pp_url_origin(c->url, &origin, &host, &https) < 0) {
		fail(p, RANK_OTHER, "the instance URL of %s is not a URL", c->display);
		return 0;
	}
	for (i = 0; i < p->ndv; i++)
		if (strcmp(p->dv[i]->origin, origin) == 0) {
			p->dv[i]->c.why |= why;
			free(origin);
			free(host);
			return 0;
		}
	if (!dataverse_host_ok(p, host, https)) {
		fail(p, RANK_OTHER, "not sending a token to %s (the instance URL of %s): it is not a %s Dataverse host "
		     "(*.%s over https)", host, c->display, p->cloud->name, p->cloud->dataverse_domain);
		free(origin);
		free(host);
		return 0;
	}
	free(host);
	env = calloc(1, sizeof *env);
	grown = env ? realloc(p->dv, (p->ndv + 1) * sizeof *grown) : NULL;
	if (!grown) {
		free(env);
		free(origin);
		return -1;
	}
	p->dv = grown;
	env->p = p;
	env->origin = origin;
	env->c.name = dup(c->name);
	env->c.display = dup(c->display);
	env->c.url = dup(c->url);
	env->c.why = why;
	p->dv[p->ndv++] = env;
	return env->c.name && env->c.display && env->c.url ? 0 : -1;
}

/* A token another probe of the scan asked for (or its failure, recorded as
 * that probe recorded it). Returns 1 when the solutions were queued. */
static int take_token(probe *p, dv_env *e, char *token, int rank, char *why)
{
	int queued = 0;
	if (token) {
		e->token = token;
		if (start_solutions(p, e) < 0)
			fail(p, RANK_OTHER, "out of memory while reading the solutions");
		else
			queued = 1;
	} else {
		fail(p, rank ? rank : RANK_OTHER, "%s", why ? why : "the token request failed");
	}
	free(why);
	return queued;
}

/* Chooses the Dataverse environments and asks each for its token. */
static void start_dataverse(probe *p)
{
	size_t i, s;
	int error = 0;

	for (i = 0; i < p->nasked && !error; i++)
		error = add_dv(p, &p->asked[i], WHY_ASKED);
	for (s = 0; s < S_COUNT && !error; s++)
		for (i = 0; i < p->nper_stage[s] && !error; i++)
			error = add_dv(p, &p->per_stage[s][i], WHY_STAGE);
	for (i = 0; i < p->nhosts && !error; i++)
		error = add_dv(p, &p->hosts[i], WHY_HOST);
	for (i = 0; i < p->ncoe && !error; i++)
		error = add_dv(p, &p->coe[i], WHY_COE);
	if (error) {
		fail(p, RANK_OTHER, "out of memory while choosing the environments");
		return;
	}
	if (p->ndv && p->cred.kind == ALM_PP_CRED_TOKEN) {
		/* One token, one audience: a pre-fetched admin token reads no Dataverse. */
		p->dataverse_skipped = 1;
		p->limits = alm_ado_format(
			"the pre-fetched token is for the admin API only, so the solutions and pipelines of %zu Dataverse "
			"environment%s were not read: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or "
			"AZURE_FEDERATED_TOKEN_FILE) to read them",
			p->ndv, p->ndv == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < p->ndv; i++) {
		dv_env *e = p->dv[i];
		if (!(e->scope = alm_pp_dataverse_scope(e->origin))) {
			fail(p, RANK_OTHER, "out of memory while asking for a token");
			continue;
		}
		if (p->cache) {
			char *token, *why;
			int rank;
			switch (alm_pp_cache_token_claim(p->cache, e->scope, &token, &rank, &why)) {
			case ALM_PP_TOKEN_READY:
				take_token(p, e, token, rank, why);
				continue;
			case ALM_PP_TOKEN_ELSEWHERE:
				e->waiting = 1;
				continue;
			default:
				e->claimed = 1;
				break;
			}
		}
		if (request_token(p, e, e->scope) < 0)
			fail(p, RANK_OTHER, "out of memory while asking for a token");
	}
}

/* Hands in every token this probe claimed and has no answer for: other
 * probes may be waiting for it. */
static void answer_claims(probe *p)
{
	size_t i;
	for (i = 0; i < p->ndv; i++) {
		dv_env *e = p->dv[i];
		if (e->claimed && !e->answered) {
			alm_pp_cache_token_set(p->cache, e->scope, NULL, 0, RANK_NETWORK, "the token request was not answered");
			e->answered = 1;
		}
	}
}

static int any_waiting(const probe *p)
{
	size_t i;
	for (i = 0; i < p->ndv; i++)
		if (p->dv[i]->waiting)
			return 1;
	return 0;
}

/* After this probe's own token requests: the tokens other probes of the
 * scan asked for. Returns 1 when requests were queued with them. */
static int take_waited_tokens(probe *p)
{
	size_t i;
	int queued = 0;
	answer_claims(p);
	for (i = 0; i < p->ndv; i++) {
		dv_env *e = p->dv[i];
		char *token = NULL, *why = NULL;
		int rank = 0;
		if (!e->waiting)
			continue;
		e->waiting = 0;
		if (alm_pp_cache_token_wait(p->cache, e->scope, &token, &rank, &why) < 0) {
			fail(p, RANK_OTHER, "out of memory while taking the token of %s", env_label(e));
			continue;
		}
		queued |= take_token(p, e, token, rank, why);
	}
	return queued;
}

/* ---- facts ---- */

static int set_environment_facts(probe *p)
{
	alm_facts *f = p->facts;
	cJSON *stages = cJSON_CreateArray();
	char list[200] = "";
	size_t used = 0;
	int error, s;

	if (!stages)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (s = 0; s < S_COUNT; s++)
		if (p->stage_seen[s]) {
			cJSON_AddItemToArray(stages, cJSON_CreateString(alm_pp_stage_name(s)));
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", alm_pp_stage_name(s));
		}
	error = alm_facts_set(f, "pp.environments.count", cJSON_CreateNumber((double)p->env_count), ALM_SOURCE_PP,
			      "%zu environments in the tenant, %zu with Dataverse", p->env_count, p->env_dataverse);
	if (!error)
		error = alm_facts_set(f, "pp.environments.managed", cJSON_CreateNumber((double)p->env_managed),
				      ALM_SOURCE_PP, "%zu of %zu environments are Managed Environments", p->env_managed,
				      p->env_count);
	if (!error) {
		error = alm_facts_set(f, "pp.environments.by_sku", p->by_sku, ALM_SOURCE_PP,
				      "environments by type (environmentSku)");
		p->by_sku = NULL;
	}
	if (!error) {
		error = alm_facts_set(f, "pp.environments.list", p->list, ALM_SOURCE_PP,
				      p->list_truncated ? "the first %d of %zu environments" : "%d environments",
				      cJSON_GetArraySize(p->list), p->env_count);
		p->list = NULL;
	}
	if (!error)
		error = alm_facts_set_bool(f, "pp.environments.list_truncated", p->list_truncated, ALM_SOURCE_PP,
					   p->list_truncated ? "the list holds the first 1000 environments"
							     : "the list holds every environment");
	if (!error)
		error = alm_facts_set(f, "pp.environments.stages", stages, ALM_SOURCE_PP,
				      used ? "environments named or typed for: %s" : "no environment is named or typed for a stage%s",
				      list);
	else
		cJSON_Delete(stages);
	return error;
}

static int in_list(char **ids, size_t n, const char *id)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcasecmp(ids[i], id) == 0)
			return 1;
	return 0;
}

static int set_dlp_facts(probe *p)
{
	size_t i, j, k, total = 0, unknown = 0, only_union = 0, uncovered = 0;
	int all = 0, any_except = 0, error;
	double covered;
	char **only = NULL, **seen = NULL;
	size_t nonly = 0, nseen = 0;

	for (i = 0; i < p->ndlp_pages; i++)
		for (j = 0; j < p->dlp_pages[i].count; j++) {
			const alm_pp_policy *pol = &p->dlp_pages[i].items[j];
			total++;
			all |= pol->scope == ALM_PP_DLP_ALL;
			any_except |= pol->scope == ALM_PP_DLP_EXCEPT;
			unknown += pol->scope == ALM_PP_DLP_UNKNOWN;
			if (pol->scope == ALM_PP_DLP_ONLY)
				for (k = 0; k < pol->nenv; k++)
					if (add_string(&only, &nonly, pol->environments[k]) < 0)
						goto nomem;
		}
	only_union = nonly;
	if (!all && any_except) {
		/* Not covered: excluded by every Except policy and named by no Only one. */
		for (i = 0; i < p->ndlp_pages; i++)
			for (j = 0; j < p->dlp_pages[i].count; j++) {
				const alm_pp_policy *pol = &p->dlp_pages[i].items[j];
				if (pol->scope != ALM_PP_DLP_EXCEPT)
					continue;
				for (k = 0; k < pol->nenv; k++) {
					const char *id = pol->environments[k];
					size_t a, b;
					int everywhere = 1;
					if (in_list(only, nonly, id) || in_list(seen, nseen, id))
						continue;
					for (a = 0; a < p->ndlp_pages && everywhere; a++)
						for (b = 0; b < p->dlp_pages[a].count && everywhere; b++) {
							const alm_pp_policy *q = &p->dlp_pages[a].items[b];
							if (q->scope == ALM_PP_DLP_EXCEPT && !in_list(q->environments, q->nenv, id))
								everywhere = 0;
						}
					if (add_string(&seen, &nseen, id) < 0)
						goto nomem;
					uncovered += (size_t)everywhere;
				}
			}
	}
	error = alm_facts_set(p->facts, "pp.dlp_policies.count", cJSON_CreateNumber((double)total), ALM_SOURCE_PP,
			      "%zu data (DLP) policies%s", total,
			      unknown ? ", some with an environment scope this reading does not know" : "");
	if (!error && p->envs_ok) {
		covered = all ? (double)p->env_count
			  : any_except ? (double)(p->env_count > uncovered ? p->env_count - uncovered : 0)
				       : (double)(only_union < p->env_count ? only_union : p->env_count);
		error = alm_facts_set(p->facts, "pp.dlp_policies.covered_environments", cJSON_CreateNumber(covered),
				      ALM_SOURCE_PP, "%.0f of %zu environments are under at least one data policy%s", covered,
				      p->env_count, all ? " (a policy covers all environments)" : "");
	}
	for (i = 0; i < nonly; i++)
		free(only[i]);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(only);
	free(seen);
	return error;
nomem:
	for (i = 0; i < nonly; i++)
		free(only[i]);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(only);
	free(seen);
	return alm_error_set(ALM_ENOMEM, "out of memory");
}

static const alm_pp_row *row_by_id(const alm_pp_rows *rows, const char *id)
{
	size_t i;
	for (i = 0; id && i < rows->count; i++)
		if (strcasecmp(rows->items[i].id, id) == 0)
			return &rows->items[i];
	return NULL;
}

/* The stages of `pipeline` in order: the first has no previous stage, each
 * next names the one before it. Appends names (and target environment names)
 * to the arrays. */
static void pipeline_stages(const dv_env *env, const char *pipeline, cJSON *names, cJSON *targets)
{
	const char *prev = NULL;
	size_t guard, i;
	for (guard = 0; guard <= env->stages.count; guard++) {
		const alm_pp_row *next = NULL;
		for (i = 0; i < env->stages.count && !next; i++) {
			const alm_pp_row *s = &env->stages.items[i];
			if (!s->parent || strcasecmp(s->parent, pipeline) != 0)
				continue;
			if (prev ? (s->previous && strcasecmp(s->previous, prev) == 0) : !s->previous)
				next = s;
		}
		if (!next)
			break;
		cJSON_AddItemToArray(names, cJSON_CreateString(next->name));
		if (targets) {
			const alm_pp_row *t = row_by_id(&env->denvs, next->target);
			cJSON_AddItemToArray(targets, t ? cJSON_CreateString(t->name) : cJSON_CreateNull());
		}
		prev = next->id;
	}
}

static int set_pipeline_facts(probe *p)
{
	alm_facts *f = p->facts;
	dv_env *host = NULL;
	size_t i, j, read = 0, failed_any = 0;
	int error;

	for (i = 0; i < p->ndv; i++) {
		read += (size_t)p->dv[i]->solutions_ok;
		failed_any |= (size_t)!p->dv[i]->solutions_ok;
		if (p->dv[i]->host && !host)
			host = p->dv[i];
	}
	if (!host) {
		if (!read || failed_any)
			return 0; /* not every place was read: unknown */
		return alm_facts_set(f, "pp.pipelines.host", cJSON_CreateFalse(), ALM_SOURCE_PP,
				     "the Power Platform Pipelines application is in none of the %zu environments looked in",
				     read);
	}
	error = alm_facts_set(f, "pp.pipelines.host", cJSON_CreateTrue(), ALM_SOURCE_PP,
			      "%s is a pipelines host: the Power Platform Pipelines application (%s) is installed",
			      env_label(host), PIPELINES_ANCHOR);
	if (error || host->tables_failed)
		return error;
	{
		cJSON *list = cJSON_CreateArray(), *best = NULL;
		const char *best_id = NULL;
		int best_runs = -1, succeeded = 0, failed = 0;
		for (i = 0; i < host->pipelines.count; i++) {
			const alm_pp_row *pl = &host->pipelines.items[i];
			cJSON *item = cJSON_CreateObject(), *names = cJSON_CreateArray(), *targets = cJSON_CreateArray();
			int runs = 0;
			pipeline_stages(host, pl->id, names, targets);
			for (j = 0; j < host->nruns; j++) {
				const alm_pp_row *st = row_by_id(&host->stages, host->runs[j].stage_id);
				if (st && st->parent && strcasecmp(st->parent, pl->id) == 0)
					runs += host->runs[j].succeeded + host->runs[j].failed;
			}
			cJSON_AddStringToObject(item, "name", pl->name);
			cJSON_AddItemToObject(item, "stages", names);
			cJSON_AddItemToObject(item, "environments", targets);
			cJSON_AddNumberToObject(item, "deployments", runs);
			cJSON_AddItemToArray(list, item);
			/* The pipeline that carried the repository's solution most, else the first. */
			if (runs > best_runs) {
				best_runs = runs;
				best = names;
				best_id = pl->id;
			}
		}
		for (j = 0; j < host->nruns; j++) {
			succeeded += host->runs[j].succeeded;
			failed += host->runs[j].failed;
		}
		error = alm_facts_set(f, "pp.pipelines.list", list, ALM_SOURCE_PP, "%zu pipelines in %s",
				      host->pipelines.count, env_label(host));
		if (!error) {
			cJSON *stages = best ? cJSON_Duplicate(best, 1) : cJSON_CreateArray();
			char text[300] = "";
			size_t used = 0;
			const cJSON *s;
			cJSON_ArrayForEach(s, stages)
				if (used < sizeof text)
					used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", used ? " -> " : "",
								 s->valuestring);
			error = alm_facts_set(f, "pp.pipelines.stages", stages, ALM_SOURCE_PP,
					      best ? "the stages of pipeline %s: %s" : "no pipeline in %s%s",
					      best ? row_by_id(&host->pipelines, best_id)->name : env_label(host), text);
		}
		if (!error && host->runs_read) {
			char window[48] = "";
			if (!p->opts->all_history) {
				char iso[32];
				alm_ado_format_time(iso, sizeof iso, (double)p->opts->since);
				snprintf(window, sizeof window, " since %.10s", iso);
			}
			error = alm_facts_set(f, "pp.pipelines.deployments.succeeded", cJSON_CreateNumber(succeeded),
					      ALM_SOURCE_PP, "%d stage runs of the repository's solutions succeeded%s",
					      succeeded, window);
			if (!error)
				error = alm_facts_set(f, "pp.pipelines.deployments.failed", cJSON_CreateNumber(failed),
						      ALM_SOURCE_PP, "%d stage runs of the repository's solutions failed%s",
						      failed, window);
		}
	}
	return error;
}

static int set_dataverse_facts(probe *p)
{
	alm_facts *f = p->facts;
	char names[400] = "";
	size_t i, used = 0, read = 0;
	int error = 0;

	for (i = 0; i < p->ndv; i++)
		if (p->dv[i]->solutions_ok) {
			read++;
			if (used < sizeof names)
				used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
							 env_label(p->dv[i]));
		}
	if (!read)
		return 0;
	if (p->nsolutions)
		error = alm_facts_set(f, "pp.solutions.found", p->found, ALM_SOURCE_PP,
				      "%d installations of the repository's %zu solutions in: %s",
				      cJSON_GetArraySize(p->found), p->nsolutions, names);
	else
		error = alm_facts_set(f, "pp.solutions.found", p->found, ALM_SOURCE_PP,
				      "the repository names no solution to look for (looked in: %s)", names);
	p->found = NULL;
	if (!error)
		error = alm_facts_set_bool(f, "pp.coe_starter_kit", p->coe_found, ALM_SOURCE_PP,
					   p->coe_found ? "the CoE Starter Kit (" COE_CORE ") is installed"
							: "the CoE Starter Kit (" COE_CORE ") is in none of the environments looked in");
	if (!error)
		error = alm_facts_set_bool(f, "pp.alm_accelerator", p->accelerator_found, ALM_SOURCE_PP,
					   p->accelerator_found ? "the ALM Accelerator (" ALM_ACCELERATOR ") is installed"
								: "the ALM Accelerator (" ALM_ACCELERATOR ") is in none of the environments looked in");
	if (!error)
		error = set_pipeline_facts(p);
	return error;
}

static int conclude(probe *p)
{
	alm_facts *f = p->facts;
	char detail[1400];
	int error;

	error = alm_facts_set_bool(f, "pp.reachable", p->reachable, ALM_SOURCE_PP,
				   p->reachable ? "the Power Platform admin API answered" : "no request to the Power Platform succeeded");
	if (!error)
		error = alm_facts_set(f, "pp.error", p->failures ? cJSON_CreateString(p->error) : cJSON_CreateNull(),
				      ALM_SOURCE_PP, p->failures ? "the first failure reading the tenant" : "every request succeeded");
	if (!error && p->envs_ok)
		error = set_environment_facts(p);
	if (!error && p->dlp_ok)
		error = set_dlp_facts(p);
	if (!error)
		error = set_dataverse_facts(p);
	if (error < 0)
		return error;

	if (!p->failures) {
		size_t i, read = 0;
		for (i = 0; i < p->ndv; i++)
			read += (size_t)p->dv[i]->solutions_ok;
		snprintf(detail, sizeof detail, "read %zu environments and their data policies; solutions in %zu Dataverse "
			 "environment%s%s%s%s", p->env_count, read, read == 1 ? "" : "s", *p->notes ? " (" : "", p->notes,
			 *p->notes ? ")" : "");
		if (p->limits) {
			/* Not a failure: what this credential can read was read. */
			snprintf(detail, sizeof detail, "read %zu environments and their data policies; %s", p->env_count,
				 p->limits);
			return alm_facts_set_probe(f, "pp", "degraded", detail);
		}
		return alm_facts_set_probe(f, "pp", "ok", detail);
	}
	if ((error = alm_facts_set_probe(f, "pp", p->reachable ? "degraded" : "failed", p->error)) < 0)
		return error;
	return alm_error_set(ALM_EREMOTE, "%s", p->error);
}

/* Records a failure before any request and returns `code`. */
static int fail_early(alm_facts *facts, int code, const char *why)
{
	char line[1024];
	snprintf(line, sizeof line, "%s", why);
	if (alm_facts_set_bool(facts, "pp.reachable", 0, ALM_SOURCE_PP, "the probe could not start") < 0 ||
	    alm_facts_set_string(facts, "pp.error", line, ALM_SOURCE_PP, "why the probe could not start") < 0 ||
	    alm_facts_set_probe(facts, "pp", "failed", line) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return alm_error_set(code, "%s", line);
}

static void probe_dispose(probe *p)
{
	size_t i, s;
	for (s = 0; s < S_COUNT; s++)
		for (i = 0; i < p->nper_stage[s]; i++)
			candidate_dispose(&p->per_stage[s][i]);
	for (i = 0; i < p->nhosts; i++)
		candidate_dispose(&p->hosts[i]);
	for (i = 0; i < p->ncoe; i++)
		candidate_dispose(&p->coe[i]);
	for (i = 0; i < p->nasked; i++)
		candidate_dispose(&p->asked[i]);
	free(p->asked);
	free(p->asked_found);
	for (i = 0; i < p->ndv; i++) {
		dv_env *e = p->dv[i];
		size_t j;
		wipe(&e->token);
		free(e->scope);
		free(e->origin);
		candidate_dispose(&e->c);
		alm_pp_rows_dispose(&e->pipelines);
		alm_pp_rows_dispose(&e->stages);
		alm_pp_rows_dispose(&e->denvs);
		for (j = 0; j < e->nruns; j++)
			free(e->runs[j].stage_id);
		free(e->runs);
		free(e);
	}
	free(p->dv);
	if (!p->dlp_borrowed) {
		for (i = 0; i < p->ndlp_pages; i++)
			alm_pp_policies_dispose(&p->dlp_pages[i]);
		free(p->dlp_pages);
	}
	for (i = 0; i < p->nkept; i++)
		alm_pp_environment_dispose(&p->kept[i]);
	free(p->kept);
	for (i = 0; i < p->nsolutions; i++)
		free(p->solutions[i]);
	free(p->solutions);
	for (i = 0; i < p->nwords; i++)
		free(p->solution_words[i]);
	free(p->solution_words);
	cJSON_Delete(p->by_sku);
	cJSON_Delete(p->list);
	cJSON_Delete(p->found);
	free(p->limits);
	if (p->cred.kind != ALM_PP_CRED_TOKEN)
		wipe(&p->admin_token);
	alm_pp_credential_dispose(&p->cred);
	free(p->admin_origin);
}

/* ---- the tenant, read once for a scan ---- */

/* The tenant's plain fields, named alike in the probe and the tenant. */
#define TENANT_SCALARS(X)                                                                                              \
	X(reachable) X(failures) X(error_rank) X(tenant_done) X(envs_ok) X(envs_failed) X(dlp_ok) X(dlp_failed)        \
	X(env_count) X(env_managed) X(env_dataverse) X(list_truncated)

/* What every repository of a scan takes from the first probe's reading. */
typedef struct {
	int reachable, failures, error_rank, tenant_done;
	char error[1024];
	int envs_ok, envs_failed, dlp_ok, dlp_failed;
	size_t env_count, env_managed, env_dataverse;
	cJSON *by_sku, *list;
	int list_truncated;
	int stage_seen[S_COUNT];
	candidate *asked;
	size_t nasked;
	alm_pp_environment *kept; /* the Dataverse environments, each probe's to choose from */
	size_t nkept;
	alm_pp_policies *dlp_pages;
	size_t ndlp_pages;
	char notes[600];
} tenant;

static void tenant_dispose(void *data)
{
	tenant *t = data;
	size_t i;
	if (!t)
		return;
	cJSON_Delete(t->by_sku);
	cJSON_Delete(t->list);
	for (i = 0; i < t->nasked; i++)
		candidate_dispose(&t->asked[i]);
	free(t->asked);
	for (i = 0; i < t->nkept; i++)
		alm_pp_environment_dispose(&t->kept[i]);
	free(t->kept);
	for (i = 0; i < t->ndlp_pages; i++)
		alm_pp_policies_dispose(&t->dlp_pages[i]);
	free(t->dlp_pages);
	free(t);
}

/* Moves the tenant's part of what `p` read into a new tenant. */
static tenant *tenant_take(probe *p)
{
	tenant *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
#define TAKE(field) t->field = p->field;
	TENANT_SCALARS(TAKE)
#undef TAKE
	memcpy(t->error, p->error, sizeof t->error);
	memcpy(t->stage_seen, p->stage_seen, sizeof t->stage_seen);
	memcpy(t->notes, p->notes, sizeof t->notes);
	t->by_sku = p->by_sku;
	t->list = p->list;
	t->asked = p->asked;
	t->nasked = p->nasked;
	t->kept = p->kept;
	t->nkept = p->nkept;
	t->dlp_pages = p->dlp_pages;
	t->ndlp_pages = p->ndlp_pages;
	p->by_sku = p->list = NULL;
	p->asked = NULL;
	p->nasked = p->capasked = 0;
	p->kept = NULL;
	p->nkept = p->capkept = 0;
	p->dlp_pages = NULL;
	p->ndlp_pages = 0;
	return t;
}

/* Sets up `p` as if it had read `t` itself, then chooses its environments. */
static int tenant_adopt(probe *p, const tenant *t)
{
	size_t i;
#define ADOPT(field) p->field = t->field;
	TENANT_SCALARS(ADOPT)
#undef ADOPT
	memcpy(p->error, t->error, sizeof p->error);
	memcpy(p->stage_seen, t->stage_seen, sizeof p->stage_seen);
	memcpy(p->notes, t->notes, sizeof p->notes);
	cJSON_Delete(p->by_sku);
	cJSON_Delete(p->list);
	p->by_sku = t->by_sku ? cJSON_Duplicate(t->by_sku, 1) : cJSON_CreateObject();
	p->list = t->list ? cJSON_Duplicate(t->list, 1) : cJSON_CreateArray();
	p->dlp_pages = t->dlp_pages;
	p->ndlp_pages = t->ndlp_pages;
	p->dlp_borrowed = 1;
	if (!p->by_sku || !p->list)
		return -1;
	for (i = 0; i < t->nasked; i++) {
		const candidate *c = &t->asked[i];
		alm_pp_environment e;
		memset(&e, 0, sizeof e);
		e.name = c->name;
		e.display_name = c->display;
		e.url = c->url;
		if (add_asked(p, &e) < 0)
			return -1;
	}
	for (i = 0; i < t->nkept; i++)
		if (choose_environment(p, &t->kept[i]) < 0)
			return -1;
	return 0;
}

/* Whose tenant a reading is: probes share it only when all of these agree. */
static char *tenant_key(const probe *p)
{
	size_t i;
	char *key = alm_ado_format("%s\n%s\n%d\n%s\n%s\n%zu", p->admin_origin, p->cloud->name, (int)p->cred.kind,
				   p->cred.tenant ? p->cred.tenant : "", p->cred.client_id ? p->cred.client_id : "",
				   p->opts->pp_environments_count);
	for (i = 0; key && i < p->opts->pp_environments_count; i++) {
		char *longer = alm_ado_format("%s\n%s", key, p->opts->pp_environments[i]);
		free(key);
		key = longer;
	}
	return key;
}

/* The first round: the admin token, the environments, the data policies. */
static int read_tenant(probe *p)
{
	if (p->cred.kind == ALM_PP_CRED_TOKEN) {
		p->admin_token = p->cred.token;
		if (chain_start(p, L_ENVIRONMENTS, NULL,
				alm_ado_format("%s/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?%s",
					       p->admin_origin, ENV_API)) < 0 ||
		    chain_start(p, L_POLICIES, NULL,
				alm_ado_format("%s/providers/PowerPlatform.Governance/v2/policies", p->admin_origin)) < 0)
			return alm_error_set(ALM_ENOMEM, "out of memory");
	} else {
		int error = request_token(p, NULL, p->cloud->admin_scope);
		if (error < 0)
			return error;
	}
	return alm_http_run(p->http);
}

/* The tenant: read here, or taken from the scan's cache (read there by the
 * first probe that needed it, which every other waits for). */
static int obtain_tenant(probe *p)
{
	const void *shared = NULL;
	char *key;
	int claim, error;
	tenant *t;

	if (!p->cache)
		return read_tenant(p);
	key = tenant_key(p);
	claim = key ? alm_pp_cache_tenant_claim(p->cache, key, &shared) : -1;
	free(key);
	if (claim < 0) {
		p->cache = NULL; /* another tenant or credential: share nothing with it */
		return read_tenant(p);
	}
	if (claim == 0 && shared) {
		/* The deadline is for this probe's own requests, not the wait. */
		p->started = alm_http_now();
		return tenant_adopt(p, shared) < 0 ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
	}
	if (claim == 0)
		return read_tenant(p);
	p->keep = 1;
	error = read_tenant(p);
	t = error < 0 ? NULL : tenant_take(p);
	/* Published whatever happened: the other probes are waiting for it. */
	alm_pp_cache_tenant_publish(p->cache, t, tenant_dispose);
	if (error < 0)
		return error;
	if (!t)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return tenant_adopt(p, t) < 0 ? alm_error_set(ALM_ENOMEM, "out of memory") : 0;
}

static void add_stats(alm_http_stats *into, const alm_http *http)
{
	alm_http_stats s;
	memset(&s, 0, sizeof s);
	alm_http_get_stats(http, &s);
	into->requests += s.requests;
	into->retries += s.retries;
	into->elapsed += s.elapsed;
	if (s.max_in_flight > into->max_in_flight)
		into->max_in_flight = s.max_in_flight;
	if (s.max_queued > into->max_queued)
		into->max_queued = s.max_queued;
}

/* A fresh engine for the next round with what is left of the probe's
 * deadline (each alm_http_run allows its engine's whole timeout). Returns 0,
 * 1 when no time is left (recorded), or a negative code. */
static int next_round(probe *p)
{
	double left = p->timeout - (alm_http_now() - p->started);
	add_stats(&p->total, p->http);
	alm_http_free(p->http);
	p->http = NULL;
	if (left < 0.1) {
		fail(p, RANK_NETWORK, "no time left within the probe's %g s deadline to read Dataverse", p->timeout);
		return 1;
	}
	p->hopts.timeout = left;
	if (p->hopts.connect_timeout > left)
		p->hopts.connect_timeout = left;
	return alm_http_new(&p->http, &p->hopts);
}

/* The Dataverse rounds: this probe's own tokens and what they read, then
 * what waited for tokens other probes of the scan asked for. */
static int read_dataverse(probe *p)
{
	int error = next_round(p);
	if (error)
		return error < 0 ? error : 0;
	start_dataverse(p);
	if ((error = alm_http_run(p->http)) < 0 || !p->cache)
		return error;
	answer_claims(p);
	if (!any_waiting(p))
		return 0;
	if ((error = next_round(p)) != 0)
		return error < 0 ? error : 0;
	return take_waited_tokens(p) ? alm_http_run(p->http) : 0;
}

int alm_pp_run_tuned(alm_facts *facts, const alm_gather_options *opts, const alm_pp_tuning *tuning)
{
	alm_http_options hopts = ALM_HTTP_OPTIONS_INIT;
	probe p;
	char why[1024], *host = NULL;
	int error = 0, https = 0;
	size_t i;

	memset(&p, 0, sizeof p);
	if (!facts || !opts)
		return alm_error_set(ALM_EINVALID, "the Power Platform probe needs facts and options");
	p.facts = facts;
	p.opts = opts;
	if (!(p.cloud = alm_pp_cloud_find(opts->pp_cloud))) {
		snprintf(why, sizeof why, "--cloud '%.100s': expected one of %s", opts->pp_cloud, alm_pp_cloud_names());
		return fail_early(facts, ALM_EINVALID, why);
	}
	{
		const char *admin = opts->pp_admin_url && *opts->pp_admin_url ? opts->pp_admin_url : p.cloud->admin_url;
		if (alm_pp_url_origin(admin, &p.admin_origin, &host, &https) < 0) {
			snprintf(why, sizeof why, "--power-platform '%.300s': expected the admin API's https:// URL", admin);
			return fail_early(facts, ALM_EINVALID, why);
		}
		p.admin_loopback = alm_pp_host_is_loopback(host);
		if (!https && !p.admin_loopback) {
			snprintf(why, sizeof why, "refusing plain http to %s: the Power Platform is reached over https:// only "
				 "(http is allowed to a loopback address, for tests)", host);
			free(host);
			free(p.admin_origin);
			return fail_early(facts, ALM_EINVALID, why);
		}
		free(host);
	}
	for (i = 0; i < opts->pp_environments_count; i++) {
		const char *v = opts->pp_environments[i];
		char *o = NULL, *h = NULL;
		int s = 0;
		if (strcasecmp(v, "all") == 0) {
			p.ask_all = 1;
		} else if (strstr(v, "://") && alm_pp_url_origin(v, &o, &h, &s) < 0) {
			snprintf(why, sizeof why, "--pp-environment '%.300s': expected an environment id or its https:// URL", v);
			free(p.admin_origin);
			return fail_early(facts, ALM_EINVALID, why);
		}
		free(o);
		free(h);
	}
	if ((error = alm_pp_credential_read(&p.cred, &opts->env, p.cloud)) < 0) {
		snprintf(why, sizeof why, "%s", alm_error_last());
		free(p.admin_origin);
		return error == ALM_ENOMEM ? error : fail_early(facts, error, why);
	}
	p.timeout = opts->timeout > 0 ? opts->timeout : 60.0;
	p.page_size = tuning && tuning->page_size > 0 ? tuning->page_size : DEFAULT_PAGE;
	p.by_sku = cJSON_CreateObject();
	p.list = cJSON_CreateArray();
	p.found = cJSON_CreateArray();
	p.asked_found = calloc(opts->pp_environments_count ? opts->pp_environments_count : 1, sizeof *p.asked_found);
	if (!p.by_sku || !p.list || !p.found || !p.asked_found || read_repository(&p) < 0) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	hopts.user_agent = "alm-advisor (Power Platform probe)";
	hopts.ca_file = opts->ca_file;
	hopts.allow_http = p.admin_loopback || p.cred.token_url_loopback;
	hopts.no_proxy = p.admin_loopback;
	hopts.timeout = p.timeout;
	hopts.connect_timeout = p.timeout < 10 ? p.timeout : 10;
	hopts.stall_seconds = 20;
	hopts.max_in_flight = tuning && tuning->max_in_flight > 0 ? tuning->max_in_flight : ALM_PP_DEFAULT_IN_FLIGHT;
	if (tuning && tuning->max_body)
		hopts.max_body = tuning->max_body;
	if (tuning && tuning->backoff_base > 0)
		hopts.backoff_base = tuning->backoff_base;
	p.hopts = hopts;
	p.started = alm_http_now();
	if ((error = alm_http_new(&p.http, &hopts)) < 0)
		goto done;

	p.cache = opts->pp_cache;
	if ((error = obtain_tenant(&p)) < 0)
		goto done;
	if (p.tenant_done && (error = read_dataverse(&p)) < 0)
		goto done;
	if (p.http)
		add_stats(&p.total, p.http);
	if (tuning && tuning->stats)
		*tuning->stats = p.total;
	error = conclude(&p);
done:
	if (p.cache)
		answer_claims(&p);
	alm_http_free(p.http);
	probe_dispose(&p);
	return error;
}

/* ---- the table entry ---- */

static int pp_wanted(const alm_gather_options *opts, const alm_facts *facts, const char **why)
{
	(void)facts;
	if (opts->power_platform)
		return 1;
	*why = "not asked: pass --power-platform (with AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET set) "
	       "to add the tenant's evidence";
	return 0;
}

static int pp_run(alm_facts *facts, const alm_gather_options *opts)
{
	return alm_pp_run_tuned(facts, opts, NULL);
}

static const alm_fact_decl pp_facts[] = {
	{ "pp.reachable", "boolean", "the Power Platform admin API answered" },
	{ "pp.error", "string", "the first failure reading the tenant (null when none)" },
	{ "pp.environments.count", "integer", "environments in the tenant" },
	{ "pp.environments.managed", "integer", "Managed Environments (governanceConfiguration.protectionLevel Standard)" },
	{ "pp.environments.by_sku", "object", "environment type (Default, Production, Sandbox, Developer, Trial, Teams) -> count" },
	{ "pp.environments.list", "array", "[{name, display_name, sku, dataverse, managed, group, url}], the first 1000" },
	{ "pp.environments.list_truncated", "boolean", "the tenant has more environments than the list holds" },
	{ "pp.environments.stages", "array", "stages (development, validation, test, production) the environments' types and names evidence" },
	{ "pp.dlp_policies.count", "integer", "data (DLP) policies" },
	{ "pp.dlp_policies.covered_environments", "integer", "environments under at least one data policy" },
	{ "pp.solutions.found", "array", "[{unique_name, version, managed, environment, environment_id, installed_on}] of the repository's solutions in the environments looked in" },
	{ "pp.coe_starter_kit", "boolean", "the CoE Starter Kit's core solution is installed in an environment looked in" },
	{ "pp.alm_accelerator", "boolean", "the ALM Accelerator's solution is installed in an environment looked in" },
	{ "pp.pipelines.host", "boolean", "an environment looked in is a Pipelines for Power Platform host" },
	{ "pp.pipelines.stages", "array", "stage names in order of the host's pipeline that deploys the repository's solution (else its first)" },
	{ "pp.pipelines.list", "array", "[{name, stages, environments, deployments}] the host's pipelines" },
	{ "pp.pipelines.deployments.succeeded", "integer", "stage runs of the repository's solutions that succeeded, in the history window" },
	{ "pp.pipelines.deployments.failed", "integer", "stage runs of the repository's solutions that failed, in the history window" },
};

const alm_probe alm_pp_probe = {
	.ns = ALM_SOURCE_PP,
	.title = "Power Platform",
	.label = "asking the Power Platform",
	.facts = pp_facts,
	.nfacts = sizeof pp_facts / sizeof pp_facts[0],
	.wanted = pp_wanted,
	.run = pp_run,
};
