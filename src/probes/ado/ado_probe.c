/*
 * The Azure DevOps probe: which requests to make, in what order, and what the
 * answers mean as facts. The requests form a few independent chains, all
 * started at once and run concurrently by the HTTP engine:
 *
 *   project
 *   build definitions (pages) -> builds of each definition (pages)
 *   repositories
 *   pull requests (pages) -> reviewers of completed ones lacking them
 *   policy configurations (pages)
 *   environments (pages)
 *
 * so the wall time is about that of the longest chain. Every failure is
 * recorded and the facts it prevents are left unset (unknown), never guessed.
 */
#include "ado_probe_int.h"
#include "ado_common.h"
#include "ado_parse.h"
#include "alm/error.h"
#include "redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGES 1000 /* per list: a server that never stops paging is cut off */

typedef enum {
	G_PROJECT,
	G_DEFINITIONS,
	G_BUILDS,
	G_REPOSITORIES,
	G_PULL_REQUESTS,
	G_REVIEWERS,
	G_POLICIES,
	G_ENVIRONMENTS,
	G_COUNT
} group;

/* What each group reads, and the token scope it needs. */
static const struct {
	const char *what;
	const char *scope;
	int page_size;
} groups[G_COUNT] = {
	{ "the project", "Project and Team (Read)", 0 },
	/* Definitions with all properties (for process.type) can be large. */
	{ "the build definitions", "Build (Read)", 100 },
	{ "the builds", "Build (Read)", 1000 },
	{ "the repositories", "Code (Read)", 0 },
	{ "the pull requests", "Code (Read)", 500 },
	{ "the pull request reviewers", "Code (Read)", 0 },
	{ "the branch policies", "Code (Read)", 1000 },
	{ "the environments", "Environment (Read & manage)", 1000 },
};

/* A set of item ids seen in one list, to stop on a page that repeats. */
typedef struct {
	int64_t *slots; /* open addressing; INT64_MIN marks empty */
	size_t cap, used;
} idset;

typedef struct {
	int64_t id;
	char *name;
	int yaml;
} definition;

typedef struct probe probe;

/* One paged list: its URL without the paging parameter, and what it saw. */
typedef struct {
	probe *p;
	group g;
	char *url;
	int pages;
	int64_t skip;  /* $skip paging (pull requests) */
	char **tokens; /* continuation tokens already followed */
	int ntokens;
	idset ids;
} chain;

typedef struct {
	probe *p;
	char *creator;
} reviewers_ctx;

struct probe {
	alm_facts *facts;
	alm_http *http;
	alm_ado_target target;
	alm_ado_origin origin;
	const char *api;     /* 7.1 on the service, 7.0 on Server 2022 */
	const char *env_api; /* environments only exist as a preview API */
	char *project_url;   /* collection/PROJECT, escaped */
	const char *token;   /* the credential, to redact it from server messages */
	const char *token_var;
	int page_size;
	int all_history;
	double since;
	double timeout;
	char since_text[32];

	int started[G_COUNT];
	int failed[G_COUNT];
	int reachable;
	int failures;
	int error_rank;
	char error[768];

	char *project_name;
	definition *defs;
	size_t ndefs, capdefs;
	int defs_skipped; /* no build since the window began: not asked for builds */

	int builds[ALM_ADO_BUILD_IN_PROGRESS + 1];
	int builds_total, builds_pr;
	double last_run;

	alm_ado_repositories repos;
	int repos_loaded;

	int prs_active, prs_completed, prs_abandoned, prs_approved;

	alm_ado_policies *policy_pages;
	size_t npolicy_pages;

	char **env_names;
	size_t nenv;
};

/* ---- small utilities ---- */

static int idset_add(idset *s, int64_t id)
{
	size_t i, mask;
	if (id == INT64_MIN)
		return 1;
	if ((s->used + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64, j;
		int64_t *slots = malloc(cap * sizeof *slots);
		if (!slots)
			return -1;
		for (j = 0; j < cap; j++)
			slots[j] = INT64_MIN;
		for (j = 0; j < s->cap; j++) {
			if (s->slots[j] == INT64_MIN)
				continue;
			i = (size_t)((uint64_t)s->slots[j] * 0x9E3779B97F4A7C15ULL) & (cap - 1);
			while (slots[i] != INT64_MIN)
				i = (i + 1) & (cap - 1);
			slots[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	mask = s->cap - 1;
	i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL) & mask;
	while (s->slots[i] != INT64_MIN) {
		if (s->slots[i] == id)
			return 0;
		i = (i + 1) & mask;
	}
	s->slots[i] = id;
	s->used++;
	return 1;
}


/* The URL without its query, for messages. */
static void url_path(char *out, size_t n, const char *url)
{
	size_t len = strcspn(url, "?#");
	snprintf(out, n, "%.*s", (int)len, url);
}

static const char *host_of(const probe *p, char *buf, size_t n)
{
	return alm_ado_host_of(p->target.collection, buf, n);
}

enum {
	RANK_OTHER = ALM_ADO_RANK_OTHER,
	RANK_NETWORK = ALM_ADO_RANK_NETWORK,
	RANK_FORBIDDEN = ALM_ADO_RANK_FORBIDDEN,
	RANK_AUTH = ALM_ADO_RANK_AUTH
};

/*
 * Records a failure of group `g`. The message shown (ado.error) is the first
 * of the highest rank: a refused credential explains everything after it.
 */
static void fail(probe *p, group g, int rank, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void fail(probe *p, group g, int rank, const char *fmt, ...)
{
	char line[sizeof p->error];
	va_list ap;
	p->failed[g] = 1;
	p->failures++;
	/* The project's own answer (say, a 404) is the clearest of its rank. */
	rank = rank * 2 + (g == G_PROJECT);
	if (rank <= p->error_rank)
		return;
	va_start(ap, fmt);
	alm_redact_vformat(line, sizeof line, p->token, fmt, ap);
	va_end(ap);
	alm_ado_one_line(line);
	memcpy(p->error, line, sizeof line);
	p->error_rank = rank;
}

/*
 * Turns a finished request into either a JSON body to parse (returns 1) or a
 * recorded failure (returns 0). The other requests go on: a token may lack one
 * scope only, and a chain whose first request failed makes no more.
 */
static int accept_response(probe *p, group g, const alm_http_response *res)
{
	char why[sizeof p->error], host[256];
	alm_ado_request_info info;
	int rank = RANK_OTHER;

	info.what = groups[g].what;
	info.scope = groups[g].scope;
	info.token_var = p->token_var;
	info.token = p->token;
	info.host = host_of(p, host, sizeof host);
	info.timeout = p->timeout;
	if (!alm_ado_response_check(res, &info, why, sizeof why, &rank)) {
		fail(p, g, rank, "%s", why);
		return 0;
	}
	p->reachable = 1;
	return 1;
}

static void parse_failed(probe *p, group g, const alm_http_response *res)
{
	char where[512];
	url_path(where, sizeof where, res->url);
	fail(p, g, RANK_OTHER, "the answer for %s is not the JSON expected (%s) from GET %s", groups[g].what,
	     alm_error_last(), where);
}

/* ---- chains of pages ---- */

static void on_page(alm_http *http, const alm_http_response *res, void *data);

static void chain_free(chain *c)
{
	int i;
	if (!c)
		return;
	for (i = 0; i < c->ntokens; i++)
		free(c->tokens[i]);
	free(c->tokens);
	free(c->ids.slots);
	free(c->url);
	free(c);
}

/* Starts a list at `url` (which has every parameter but the paging one;
 * taken over). */
static int chain_start(probe *p, group g, char *url)
{
	chain *c = url ? calloc(1, sizeof *c) : NULL;
	char *first = NULL;
	int error = 0;

	p->started[g] = 1;
	if (!c) {
		free(url);
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	c->p = p;
	c->g = g;
	c->url = url;
	/* Pull requests page by $skip; the first page says $skip=0 so that every
	 * page carries the same parameters. */
	first = g == G_PULL_REQUESTS ? alm_ado_format("%s&$skip=0", url) : strdup(url);
	if (!first || alm_http_get(p->http, first, 0, on_page, c) < 0) {
		chain_free(c);
		error = alm_error_set(ALM_ENOMEM, "out of memory");
	}
done:
	if (error < 0)
		p->failed[g] = 1;
	free(first);
	return error;
}

/* The URL of the page after this one, "" at the end of the list, NULL when
 * out of memory. `fresh` is how many items of this page had not been seen:
 * a page of only repeats ends the list. */
static char *next_page_url(chain *c, const alm_http_response *res, size_t items, size_t fresh)
{
	if (items > 0 && fresh == 0)
		return strdup(""); /* the server repeated a page */
	if (c->g == G_PULL_REQUESTS) {
		/* A page shorter than $top is not proof of the end (the service may
		 * cap $top); only an empty page is. */
		if (items == 0)
			return strdup("");
		c->skip += (int64_t)items;
		return alm_ado_format("%s&$skip=%lld", c->url, (long long)c->skip);
	}
	if (!res->continuation || !*res->continuation)
		return strdup("");
	/* The same token again means no progress: the helper answers "". */
	return alm_ado_follow_token(&c->tokens, &c->ntokens, c->url, res->continuation);
}

/* Queues the next page, or ends the chain (freeing it). */
static void chain_next(chain *c, const alm_http_response *res, size_t items, size_t fresh)
{
	char *url;

	c->pages++;
	url = next_page_url(c, res, items, fresh);
	if (url && *url && c->pages >= MAX_PAGES) {
		/* A server that never stops paging: the counts would be partial. */
		fail(c->p, c->g, RANK_OTHER, "gave up on %s after %d pages", groups[c->g].what, c->pages);
	} else if (url && *url && alm_http_get(c->p->http, url, ALM_HTTP_URGENT, on_page, c) == 0) {
		free(url);
		return;
	} else if (!url || *url) {
		fail(c->p, c->g, RANK_OTHER, "out of memory while reading %s", groups[c->g].what);
	}
	free(url);
	chain_free(c);
}

/* ---- what each page means ---- */

static int add_definition(probe *p, const alm_ado_definition *d)
{
	if (p->ndefs == p->capdefs) {
		size_t cap = p->capdefs ? p->capdefs * 2 : 64;
		definition *defs = realloc(p->defs, cap * sizeof *defs);
		if (!defs)
			return -1;
		p->defs = defs;
		p->capdefs = cap;
	}
	p->defs[p->ndefs].id = d->id;
	p->defs[p->ndefs].yaml = d->yaml;
	if (!(p->defs[p->ndefs].name = strdup(d->name)))
		return -1;
	p->ndefs++;
	return 0;
}

static char *builds_url(probe *p, int64_t definition_id)
{
	int top = p->page_size ? p->page_size : groups[G_BUILDS].page_size;
	char *esc_since = NULL, *url;
	if (!p->all_history) {
		char iso[32];
		alm_ado_format_time(iso, sizeof iso, p->since);
		esc_since = alm_ado_escape(iso);
		if (!esc_since)
			return NULL;
	}
	url = alm_ado_format("%s/_apis/build/builds?api-version=%s&definitions=%lld&queryOrder=queueTimeDescending%s%s&$top=%d",
		     p->project_url, p->api, (long long)definition_id, esc_since ? "&minTime=" : "",
		     esc_since ? esc_since : "", top);
	free(esc_since);
	return url;
}

static void definitions_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	alm_ado_definitions defs;
	size_t i, fresh = 0;

	if (alm_ado_parse_definitions(&defs, res->body, res->len) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	for (i = 0; i < defs.count; i++) {
		const alm_ado_definition *d = &defs.items[i];
		int added = d->id >= 0 ? idset_add(&c->ids, d->id) : 1;
		if (added == 0)
			continue;
		fresh++;
		if (added < 0 || add_definition(p, d) < 0) {
			fail(p, G_DEFINITIONS, RANK_OTHER, "out of memory while reading %s", groups[G_DEFINITIONS].what);
			continue;
		}
		if (d->id < 0)
			continue;
		/* A definition whose latest build predates the window has none in it. */
		if (!p->all_history && d->latest_queued > 0 && d->latest_queued < p->since) {
			p->defs_skipped++;
			continue;
		}
		if (chain_start(p, G_BUILDS, builds_url(p, d->id)) < 0)
			fail(p, G_BUILDS, RANK_OTHER, "out of memory while reading %s", groups[G_BUILDS].what);
	}
	chain_next(c, res, defs.count, fresh);
	alm_ado_definitions_dispose(&defs);
}

static void builds_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	alm_ado_builds builds;
	size_t i, fresh = 0;

	if (alm_ado_parse_builds(&builds, res->body, res->len) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	for (i = 0; i < builds.count; i++) {
		const alm_ado_build *b = &builds.items[i];
		int added = b->id >= 0 ? idset_add(&c->ids, b->id) : 1;
		if (added == 0)
			continue;
		fresh++;
		/* minTime already filters on the server; this keeps the window
		 * exact when a server ignores it. */
		if (!p->all_history && b->queued > 0 && b->queued < p->since)
			continue;
		p->builds[b->state]++;
		p->builds_total++;
		p->builds_pr += b->pull_request;
		if (b->started > p->last_run)
			p->last_run = b->started;
	}
	chain_next(c, res, builds.count, fresh);
	alm_ado_builds_dispose(&builds);
}

static void on_reviewers(alm_http *http, const alm_http_response *res, void *data)
{
	reviewers_ctx *r = data;
	int approved = 0;
	(void)http;
	if (accept_response(r->p, G_REVIEWERS, res)) {
		if (alm_ado_parse_reviewers(&approved, r->creator, res->body, res->len) < 0)
			parse_failed(r->p, G_REVIEWERS, res);
		else
			r->p->prs_approved += approved;
	}
	free(r->creator);
	free(r);
}

static void fetch_reviewers(probe *p, const alm_ado_pull_request *pr)
{
	reviewers_ctx *r = calloc(1, sizeof *r);
	char *repo = alm_ado_escape(*pr->repository_id ? pr->repository_id
				    : p->target.repository ? p->target.repository : "");
	char *url = repo ? alm_ado_format("%s/_apis/git/repositories/%s/pullRequests/%lld/reviewers?api-version=%s",
				  p->project_url, repo, (long long)pr->id, p->api) : NULL;
	p->started[G_REVIEWERS] = 1;
	if (r)
		r->p = p;
	if (!r || !url || !(r->creator = strdup(pr->creator_id)) ||
	    alm_http_get(p->http, url, 0, on_reviewers, r) < 0) {
		if (r)
			free(r->creator);
		free(r);
		fail(p, G_REVIEWERS, RANK_OTHER, "out of memory while reading %s", groups[G_REVIEWERS].what);
	}
	free(repo);
	free(url);
}

static void pull_requests_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	alm_ado_pull_requests prs;
	size_t i, fresh = 0;

	if (alm_ado_parse_pull_requests(&prs, res->body, res->len) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	for (i = 0; i < prs.count; i++) {
		const alm_ado_pull_request *pr = &prs.items[i];
		int added = pr->id >= 0 ? idset_add(&c->ids, pr->id) : 1;
		if (added == 0)
			continue;
		fresh++;
		if (!p->all_history && pr->created > 0 && pr->created < p->since)
			continue;
		switch (pr->status) {
		case ALM_ADO_PR_ACTIVE:
			p->prs_active++;
			break;
		case ALM_ADO_PR_ABANDONED:
			p->prs_abandoned++;
			break;
		case ALM_ADO_PR_COMPLETED:
			p->prs_completed++;
			/* The list carries the reviewers; ask for them only when it does not. */
			if (pr->reviewers_known)
				p->prs_approved += pr->approved_by_other;
			else if (pr->id >= 0)
				fetch_reviewers(p, pr);
			else
				p->failed[G_REVIEWERS] = 1;
			break;
		case ALM_ADO_PR_OTHER:
			break;
		}
	}
	chain_next(c, res, prs.count, fresh);
	alm_ado_pull_requests_dispose(&prs);
}

static void policies_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	alm_ado_policies page, *pages;
	size_t i, fresh = 0;

	if (alm_ado_parse_policies(&page, res->body, res->len) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	for (i = 0; i < page.count; i++) {
		int added = page.items[i].id >= 0 ? idset_add(&c->ids, page.items[i].id) : 1;
		if (added == 0)
			page.items[i].deleted = 1; /* a repeat: keep it out of the evaluation */
		else
			fresh++;
	}
	pages = realloc(p->policy_pages, (p->npolicy_pages + 1) * sizeof *pages);
	if (!pages) {
		alm_ado_policies_dispose(&page);
		fail(p, G_POLICIES, RANK_OTHER, "out of memory while reading %s", groups[G_POLICIES].what);
		chain_free(c);
		return;
	}
	p->policy_pages = pages;
	p->policy_pages[p->npolicy_pages++] = page;
	chain_next(c, res, page.count, fresh);
}

/* Adds a name lower-cased (Azure DevOps compares them case-insensitively),
 * once. Returns 0, or -1 when out of memory. */
static int add_environment(probe *p, const char *raw)
{
	char *name = strdup(raw), **names, *s;
	size_t j;
	if (!name)
		return -1;
	for (s = name; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	for (j = 0; j < p->nenv; j++) {
		if (strcmp(p->env_names[j], name) == 0) {
			free(name);
			return 0;
		}
	}
	names = realloc(p->env_names, (p->nenv + 1) * sizeof *names);
	if (!names) {
		free(name);
		return -1;
	}
	p->env_names = names;
	p->env_names[p->nenv++] = name;
	return 0;
}

static void environments_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	alm_ado_environments envs;
	size_t i, fresh = 0;

	if (alm_ado_parse_environments(&envs, res->body, res->len) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	for (i = 0; i < envs.count; i++) {
		int added = envs.items[i].id >= 0 ? idset_add(&c->ids, envs.items[i].id) : 1;
		if (added == 0)
			continue;
		fresh++;
		if (added < 0 || add_environment(p, envs.items[i].name) < 0)
			fail(p, G_ENVIRONMENTS, RANK_OTHER, "out of memory while reading %s", groups[G_ENVIRONMENTS].what);
	}
	chain_next(c, res, envs.count, fresh);
	alm_ado_environments_dispose(&envs);
}

static void on_page(alm_http *http, const alm_http_response *res, void *data)
{
	chain *c = data;
	probe *p = c->p;
	(void)http;

	if (!accept_response(p, c->g, res)) {
		chain_free(c);
		return;
	}
	switch (c->g) {
	case G_DEFINITIONS:
		definitions_page(c, res);
		break;
	case G_BUILDS:
		builds_page(c, res);
		break;
	case G_PULL_REQUESTS:
		pull_requests_page(c, res);
		break;
	case G_POLICIES:
		policies_page(c, res);
		break;
	case G_ENVIRONMENTS:
		environments_page(c, res);
		break;
	default:
		chain_free(c);
		break;
	}
}

static void on_single(alm_http *http, const alm_http_response *res, void *data)
{
	chain *c = data;
	probe *p = c->p;
	(void)http;

	if (accept_response(p, c->g, res)) {
		if (c->g == G_PROJECT) {
			if (alm_ado_parse_project(&p->project_name, res->body, res->len) < 0)
				parse_failed(p, c->g, res);
		} else if (c->g == G_REPOSITORIES) {
			if (alm_ado_parse_repositories(&p->repos, res->body, res->len) < 0)
				parse_failed(p, c->g, res);
			else
				p->repos_loaded = 1;
		}
	}
	chain_free(c);
}

/* A request that is not paged. */
static int single_start(probe *p, group g, char *url)
{
	chain *c = url ? calloc(1, sizeof *c) : NULL;
	p->started[g] = 1;
	if (!c) {
		free(url);
		p->failed[g] = 1;
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	c->p = p;
	c->g = g;
	c->url = url;
	if (alm_http_get(p->http, url, 0, on_single, c) < 0) {
		chain_free(c);
		p->failed[g] = 1;
		return -1;
	}
	return 0;
}

/* ---- setting the facts ---- */

static int ok(const probe *p, group g)
{
	return p->started[g] && !p->failed[g];
}

static const char *window_text(const probe *p)
{
	return p->all_history ? "in all history" : p->since_text;
}

static int is_accelerator_name(const char *name)
{
	static const char *const prefixes[] = { "deploy-validation-", "deploy-test-", "deploy-prod-" };
	static const char *const exact[] = { "export-solution-to-git", "import-unmanaged-to-dev-environment" };
	size_t i;
	for (i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0 && name[strlen(prefixes[i])])
			return 1;
	for (i = 0; i < sizeof exact / sizeof *exact; i++)
		if (strcasecmp(name, exact[i]) == 0)
			return 1;
	return 0;
}

/* "a, b, c and 4 more" into buf. */
static void list_names(char *buf, size_t n, char *const *names, size_t count, size_t shown)
{
	size_t i, o = 0;
	buf[0] = '\0';
	for (i = 0; i < count && i < shown && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", names[i]);
	if (count > shown && o < n)
		snprintf(buf + o, n - o, " and %zu more", count - shown);
}

static const alm_ado_repository *selected_repository(const probe *p)
{
	size_t i;
	if (!p->repos_loaded)
		return NULL;
	if (p->target.repository) {
		for (i = 0; i < p->repos.count; i++)
			if (strcasecmp(p->repos.items[i].name, p->target.repository) == 0 ||
			    strcasecmp(p->repos.items[i].id, p->target.repository) == 0)
				return &p->repos.items[i];
		return NULL;
	}
	return p->repos.count == 1 ? &p->repos.items[0] : NULL;
}

static const char *definition_name(const probe *p, int64_t id)
{
	size_t i;
	for (i = 0; i < p->ndefs; i++)
		if (p->defs[i].id == id)
			return p->defs[i].name;
	return NULL;
}

static int set_pipeline_facts(probe *p)
{
	alm_facts *f = p->facts;
	cJSON *names = cJSON_CreateArray();
	char **matched = calloc(p->ndefs ? p->ndefs : 1, sizeof *matched);
	char list[600];
	size_t i, nm = 0;
	int yaml = 0, unknown = 0, error = 0;

	if (!names || !matched) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->ndefs; i++) {
		yaml += p->defs[i].yaml == 1;
		unknown += p->defs[i].yaml < 0;
		if (is_accelerator_name(p->defs[i].name)) {
			matched[nm++] = p->defs[i].name;
			cJSON_AddItemToArray(names, cJSON_CreateString(p->defs[i].name));
		}
	}
	if ((error = alm_facts_set(f, "ado.pipelines.count", cJSON_CreateNumber((double)p->ndefs), ALM_SOURCE_ADO,
				   "%zu pipelines (build definitions) in project %s", p->ndefs, p->target.project)) < 0)
		goto done;
	if (unknown)
		error = alm_facts_set(f, "ado.pipelines.yaml", cJSON_CreateNumber(yaml), ALM_SOURCE_ADO,
				      "%d of %zu pipelines are defined in YAML (%d did not say how they are defined)",
				      yaml, p->ndefs, unknown);
	else
		error = alm_facts_set(f, "ado.pipelines.yaml", cJSON_CreateNumber(yaml), ALM_SOURCE_ADO,
				      "%d of %zu pipelines are defined in YAML", yaml, p->ndefs);
	if (error < 0)
		goto done;
	list_names(list, sizeof list, matched, nm, 5);
	error = alm_facts_set(f, "ado.accelerator.pipelines", names, ALM_SOURCE_ADO,
			      nm ? "%zu pipelines named like the ALM Accelerator's: %s"
				 : "%zu pipelines named like the ALM Accelerator's (deploy-validation-*, deploy-test-*, "
				   "deploy-prod-*, export-solution-to-git, import-unmanaged-to-dev-environment)%s",
			      nm, list);
	names = NULL;
	if (error < 0)
		goto done;
	error = alm_facts_set_bool(f, "ado.accelerator.present", nm > 0, ALM_SOURCE_ADO,
				   nm ? "the ALM Accelerator's pipelines are in the project"
				      : "no pipeline of the ALM Accelerator is in the project");
done:
	cJSON_Delete(names);
	free(matched);
	return error;
}

static int set_build_facts(probe *p)
{
	static const struct {
		const char *path;
		alm_ado_build_state state;
		const char *verb;
	} rows[] = {
		{ "ado.builds.succeeded", ALM_ADO_BUILD_SUCCEEDED, "succeeded" },
		{ "ado.builds.failed", ALM_ADO_BUILD_FAILED, "failed" },
		{ "ado.builds.partially_succeeded", ALM_ADO_BUILD_PARTIALLY_SUCCEEDED, "partially succeeded" },
		{ "ado.builds.canceled", ALM_ADO_BUILD_CANCELED, "were canceled" },
		{ "ado.builds.in_progress", ALM_ADO_BUILD_IN_PROGRESS, "were still queued or running" },
	};
	alm_facts *f = p->facts;
	char skipped[96] = "";
	size_t i;
	int error = 0;

	if (p->defs_skipped)
		snprintf(skipped, sizeof skipped, "; %d pipelines had no build since then", p->defs_skipped);
	for (i = 0; i < sizeof rows / sizeof *rows && error == 0; i++)
		error = alm_facts_set(f, rows[i].path, cJSON_CreateNumber(p->builds[rows[i].state]), ALM_SOURCE_ADO,
				      "%d of %d builds %s %s%s", p->builds[rows[i].state], p->builds_total,
				      window_text(p), rows[i].verb, skipped);
	if (error == 0)
		error = alm_facts_set(f, "ado.builds.pull_request", cJSON_CreateNumber(p->builds_pr), ALM_SOURCE_ADO,
				      "%d of %d builds %s were triggered by a pull request", p->builds_pr,
				      p->builds_total, window_text(p));
	if (error == 0) {
		if (p->builds_total > 0 && p->last_run > 0) {
			char iso[32];
			alm_ado_format_time(iso, sizeof iso, p->last_run);
			error = alm_facts_set(f, "ado.builds.last_run_at", cJSON_CreateString(iso), ALM_SOURCE_ADO,
					      "the most recent of %d builds %s started at %s", p->builds_total,
					      window_text(p), iso);
		} else {
			error = alm_facts_set(f, "ado.builds.last_run_at", cJSON_CreateNull(), ALM_SOURCE_ADO,
					      "no build ran %s", window_text(p));
		}
	}
	return error;
}

static int set_pull_request_facts(probe *p, const char *repo_name)
{
	alm_facts *f = p->facts;
	char where[300];
	int error;

	if (repo_name)
		snprintf(where, sizeof where, "in repository %s", repo_name);
	else
		snprintf(where, sizeof where, "in project %s (no single repository matched)", p->target.project);
	error = alm_facts_set(f, "ado.pull_requests.active", cJSON_CreateNumber(p->prs_active), ALM_SOURCE_ADO,
			      "%d active pull requests %s created %s", p->prs_active, where, window_text(p));
	if (error == 0)
		error = alm_facts_set(f, "ado.pull_requests.completed", cJSON_CreateNumber(p->prs_completed),
				      ALM_SOURCE_ADO, "%d completed pull requests %s created %s", p->prs_completed,
				      where, window_text(p));
	if (error == 0)
		error = alm_facts_set(f, "ado.pull_requests.abandoned", cJSON_CreateNumber(p->prs_abandoned),
				      ALM_SOURCE_ADO, "%d abandoned pull requests %s created %s", p->prs_abandoned,
				      where, window_text(p));
	if (error == 0 && !p->failed[G_REVIEWERS])
		error = alm_facts_set(f, "ado.pull_requests.approved_by_other", cJSON_CreateNumber(p->prs_approved),
				      ALM_SOURCE_ADO,
				      "%d of %d completed pull requests had an approving vote from someone other than their author",
				      p->prs_approved, p->prs_completed);
	return error;
}

static int set_policy_facts(probe *p, const alm_ado_repository *repo)
{
	alm_facts *f = p->facts;
	cJSON *names = cJSON_CreateArray();
	const char *ref = repo->default_branch;
	int min_blocking = 0, min_optional = 0, build = 0, blocking = 0, error;
	char optional[96] = "";
	size_t i, j;

	if (!names)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; i < p->npolicy_pages; i++) {
		for (j = 0; j < p->policy_pages[i].count; j++) {
			const alm_ado_policy *pol = &p->policy_pages[i].items[j];
			if (!alm_ado_policy_applies(pol, repo->id, ref))
				continue;
			if (pol->type == ALM_ADO_POLICY_MIN_APPROVERS) {
				/* An optional (non-blocking) policy does not hold a merge back. */
				int *slot = pol->blocking ? &min_blocking : &min_optional;
				if (pol->min_approvers > *slot)
					*slot = pol->min_approvers;
			} else if (pol->type == ALM_ADO_POLICY_BUILD) {
				const char *name = pol->display_name ? pol->display_name
						   : definition_name(p, pol->build_definition);
				char fallback[48];
				build = 1;
				blocking |= pol->blocking;
				if (!name) {
					snprintf(fallback, sizeof fallback, "build definition %lld",
						 (long long)pol->build_definition);
					name = fallback;
				}
				cJSON_AddItemToArray(names, cJSON_CreateString(name));
			}
		}
	}
	if (min_optional > min_blocking)
		snprintf(optional, sizeof optional, " (an optional policy asks for %d)", min_optional);
	if (min_blocking)
		error = alm_facts_set(f, "ado.policies.minimum_approvers", cJSON_CreateNumber(min_blocking),
				      ALM_SOURCE_ADO, "a policy on %s of %s requires %d approver(s)%s", ref, repo->name,
				      min_blocking, optional);
	else
		error = alm_facts_set(f, "ado.policies.minimum_approvers", cJSON_CreateNumber(0), ALM_SOURCE_ADO,
				      "no policy on %s of %s requires approvers%s", ref, repo->name, optional);
	if (error == 0)
		error = alm_facts_set(f, "ado.policies.build_validation", cJSON_CreateBool(build), ALM_SOURCE_ADO,
				      build ? "%s of %s has a build validation policy"
					    : "%s of %s has no build validation policy",
				      ref, repo->name);
	if (error == 0)
		error = alm_facts_set(f, "ado.policies.blocking", cJSON_CreateBool(blocking), ALM_SOURCE_ADO,
				      blocking ? "a build validation on %s of %s blocks completion when the build fails"
					       : "no build validation on %s of %s blocks completion",
				      ref, repo->name);
	if (error == 0) {
		int n = cJSON_GetArraySize(names);
		error = alm_facts_set(f, "ado.policies.build_validation_names", names, ALM_SOURCE_ADO,
				      "%d build validation policies on %s of %s", n, ref, repo->name);
		names = NULL;
	}
	cJSON_Delete(names);
	return error;
}

static int set_environment_facts(probe *p)
{
	cJSON *names = cJSON_CreateArray();
	char list[600];
	size_t i;
	if (!names)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; i < p->nenv; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(p->env_names[i]));
	list_names(list, sizeof list, p->env_names, p->nenv, 8);
	return alm_facts_set(p->facts, "ado.environments.names", names, ALM_SOURCE_ADO,
			     "%zu pipeline environments%s%s", p->nenv, p->nenv ? ": " : "", list);
}

static const char *origin_text(alm_ado_origin o)
{
	switch (o) {
	case ALM_ADO_FROM_URL: return "the given URL";
	case ALM_ADO_FROM_PIPELINE: return "SYSTEM_COLLECTIONURI and SYSTEM_TEAMPROJECT";
	case ALM_ADO_FROM_REMOTE: return "the git remote";
	}
	return "the given URL";
}

static int set_identity_facts(probe *p)
{
	alm_facts *f = p->facts;
	int error = alm_facts_set(f, "ado.organization", cJSON_CreateString(p->target.organization), ALM_SOURCE_ADO,
				  "%s %s, from %s", p->target.server ? "collection" : "organization",
				  p->target.collection, origin_text(p->origin));
	if (error == 0 && p->project_name)
		error = alm_facts_set(f, "ado.project", cJSON_CreateString(p->project_name), ALM_SOURCE_ADO,
				      "project %s, as Azure DevOps names it", p->project_name);
	else if (error == 0)
		error = alm_facts_set(f, "ado.project", cJSON_CreateString(p->target.project), ALM_SOURCE_ADO,
				      "project %s, from %s", p->target.project, origin_text(p->origin));
	return error;
}

/* Sets every fact the answers support, the status, and returns the probe's result. */
static int conclude(probe *p, const alm_http_stats *stats)
{
	alm_facts *f = p->facts;
	const alm_ado_repository *repo = selected_repository(p);
	const char *repo_name = repo ? repo->name : NULL;
	char detail[1024];
	int error;

	if (p->target.repository && p->repos_loaded && !repo) {
		char *names[8];
		char list[400];
		size_t i;
		for (i = 0; i < p->repos.count && i < 8; i++)
			names[i] = p->repos.items[i].name;
		list_names(list, sizeof list, names, p->repos.count < 8 ? p->repos.count : 8, 8);
		fail(p, G_PULL_REQUESTS, RANK_OTHER, "repository %s is not in project %s (it has: %s)",
		     p->target.repository, p->target.project, p->repos.count ? list : "no repositories");
	}
	if (!repo_name && p->target.repository && !p->failed[G_PULL_REQUESTS])
		repo_name = p->target.repository;

	if ((error = set_identity_facts(p)) < 0)
		return error;
	error = alm_facts_set(f, "ado.repository", repo_name ? cJSON_CreateString(repo_name) : cJSON_CreateNull(),
			      ALM_SOURCE_ADO, repo_name ? "repository %s of project %s" : "no single repository of project %s%s",
			      repo_name ? repo_name : p->target.project, repo_name ? p->target.project : " was matched");
	if (error == 0)
		error = alm_facts_set_bool(f, "ado.reachable", p->reachable, ALM_SOURCE_ADO,
					   p->reachable ? "Azure DevOps answered with the project's data"
							: "no request to Azure DevOps succeeded");
	if (error == 0)
		error = alm_facts_set(f, "ado.error", p->failures ? cJSON_CreateString(p->error) : cJSON_CreateNull(),
				      ALM_SOURCE_ADO, p->failures ? "the first failure reading the project"
								  : "every request succeeded");
	if (error == 0 && ok(p, G_DEFINITIONS))
		error = set_pipeline_facts(p);
	if (error == 0 && ok(p, G_DEFINITIONS) && !p->failed[G_BUILDS])
		error = set_build_facts(p);
	if (error == 0 && ok(p, G_REPOSITORIES))
		error = alm_facts_set(f, "ado.repositories", cJSON_CreateNumber((double)p->repos.count), ALM_SOURCE_ADO,
				      "%zu Git repositories in project %s", p->repos.count, p->target.project);
	if (error == 0 && ok(p, G_PULL_REQUESTS))
		error = set_pull_request_facts(p, repo_name);
	if (error == 0 && ok(p, G_POLICIES) && repo && repo->default_branch)
		error = set_policy_facts(p, repo);
	if (error == 0 && ok(p, G_ENVIRONMENTS))
		error = set_environment_facts(p);
	if (error < 0)
		return error;

	if (!p->failures) {
		/* No timings or request counts here: they vary from run to run, and the
		 * same evidence must give the same report (shards merge to one scan). */
		snprintf(detail, sizeof detail, "read %s/%s: %zu pipelines, %d builds, %zu repositories",
			 p->target.organization, p->target.project, p->ndefs, p->builds_total, p->repos.count);
		return alm_facts_set_probe(f, "ado", "ok", detail);
	}
	if ((error = alm_facts_set_probe(f, "ado", p->reachable ? "degraded" : "failed", p->error)) < 0)
		return error;
	return alm_error_set(ALM_EREMOTE, "%s", p->error);
}

/* Records a failure before any request: the target, unreachable, and why. */
static int fail_early(alm_facts *facts, const alm_ado_target *t, int code, const char *why)
{
	char line[768];
	snprintf(line, sizeof line, "%s", why);
	if (t && t->organization) {
		alm_facts_set_string(facts, "ado.organization", t->organization, ALM_SOURCE_ADO, "from the project address");
		alm_facts_set_string(facts, "ado.project", t->project, ALM_SOURCE_ADO, "from the project address");
	}
	alm_facts_set_bool(facts, "ado.reachable", 0, ALM_SOURCE_ADO, "the probe could not start");
	alm_facts_set_string(facts, "ado.error", line, ALM_SOURCE_ADO, "why the probe could not start");
	alm_facts_set_probe(facts, "ado", "failed", line);
	return alm_error_set(code, "%s", line);
}


static void probe_dispose(probe *p)
{
	size_t i;
	for (i = 0; i < p->ndefs; i++)
		free(p->defs[i].name);
	free(p->defs);
	alm_ado_repositories_dispose(&p->repos);
	for (i = 0; i < p->npolicy_pages; i++)
		alm_ado_policies_dispose(&p->policy_pages[i]);
	free(p->policy_pages);
	for (i = 0; i < p->nenv; i++)
		free(p->env_names[i]);
	free(p->env_names);
	free(p->project_name);
	free(p->project_url);
	alm_ado_target_dispose(&p->target);
}

static int start_requests(probe *p)
{
	int top_def = p->page_size ? p->page_size : groups[G_DEFINITIONS].page_size;
	int top_pr = p->page_size ? p->page_size : groups[G_PULL_REQUESTS].page_size;
	int top_pol = p->page_size ? p->page_size : groups[G_POLICIES].page_size;
	int top_env = p->page_size ? p->page_size : groups[G_ENVIRONMENTS].page_size;
	char *esc_project = alm_ado_escape(p->target.project);
	char *window = NULL, *repo = NULL;
	int error = 0;

	if (!esc_project)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (!p->all_history && !p->target.server) {
		/* searchCriteria.minTime arrived in 7.1; Server filters here only. */
		char iso[32], *esc;
		alm_ado_format_time(iso, sizeof iso, p->since);
		esc = alm_ado_escape(iso);
		window = esc ? alm_ado_format("&searchCriteria.minTime=%s&searchCriteria.queryTimeRangeType=created", esc) : NULL;
		free(esc);
		if (!window) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (p->target.repository && !(repo = alm_ado_escape(p->target.repository))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}

	/* Longest chains first: they bound the wall time. */
	if ((error = chain_start(p, G_DEFINITIONS,
				 alm_ado_format("%s/_apis/build/definitions?api-version=%s&includeAllProperties=true"
					"&includeLatestBuilds=true&$top=%d", p->project_url, p->api, top_def))) < 0)
		goto done;
	/* The repository's name works in place of its id, so pull requests need
	 * not wait for the repository list. */
	if (repo)
		error = chain_start(p, G_PULL_REQUESTS,
				    alm_ado_format("%s/_apis/git/repositories/%s/pullrequests?api-version=%s"
					   "&searchCriteria.status=all%s&$top=%d",
					   p->project_url, repo, p->api, window ? window : "", top_pr));
	else
		error = chain_start(p, G_PULL_REQUESTS,
				    alm_ado_format("%s/_apis/git/pullrequests?api-version=%s&searchCriteria.status=all%s&$top=%d",
					   p->project_url, p->api, window ? window : "", top_pr));
	if (error < 0)
		goto done;
	if ((error = chain_start(p, G_POLICIES, alm_ado_format("%s/_apis/policy/configurations?api-version=%s&$top=%d",
							p->project_url, p->api, top_pol))) < 0)
		goto done;
	if ((error = chain_start(p, G_ENVIRONMENTS,
				 alm_ado_format("%s/_apis/distributedtask/environments?api-version=%s&$top=%d",
					p->project_url, p->env_api, top_env))) < 0)
		goto done;
	if ((error = single_start(p, G_REPOSITORIES, alm_ado_format("%s/_apis/git/repositories?api-version=%s",
							    p->project_url, p->api))) < 0)
		goto done;
	error = single_start(p, G_PROJECT, alm_ado_format("%s/_apis/projects/%s?api-version=%s", p->target.collection,
						  esc_project, p->api));
done:
	free(esc_project);
	free(window);
	free(repo);
	return error;
}

int alm_ado_probe_tuned(alm_facts *facts, const alm_ado_probe_options *opts,
			const alm_ado_tuning *tuning)
{
	alm_ado_probe_options defaults = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_http_options hopts = ALM_HTTP_OPTIONS_INIT;
	alm_ado_env_fn env = tuning && tuning->env ? tuning->env : alm_ado_getenv;
	alm_http_stats stats;
	alm_ado_credential cred;
	probe p;
	char host[256];
	int error;

	memset(&p, 0, sizeof p);
	memset(&cred, 0, sizeof cred);
	memset(&stats, 0, sizeof stats);
	if (!facts)
		return alm_error_set(ALM_EINVALID, "alm_ado_probe: no facts document");
	if (!opts)
		opts = &defaults;
	if (opts->version != ALM_ADO_PROBE_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_ado_probe: options version %u is not %d", opts->version,
				     ALM_ADO_PROBE_OPTIONS_VERSION);

	error = alm_ado_resolve(&p.target, &p.origin, opts->url, opts->repository, opts->remote_url, env);
	if (error == ALM_ENOTFOUND) {
		/* Nothing names an Azure DevOps project: not a failure of the probe. */
		alm_facts_set_probe(facts, "ado", "skipped", alm_error_last());
		alm_error_clear();
		return 0;
	}
	if (error < 0) {
		char why[768];
		snprintf(why, sizeof why, "%s", alm_error_last());
		return fail_early(facts, NULL, error, why);
	}
	if (tuning && tuning->as_server)
		p.target.server = 1;
	if (p.target.plain_http && !p.target.loopback) {
		char why[768];
		snprintf(why, sizeof why, "refusing plain http to %s: Azure DevOps is reached over https:// only "
			 "(http is allowed to a loopback address, for tests)", host_of(&p, host, sizeof host));
		error = fail_early(facts, &p.target, ALM_EINVALID, why);
		goto done;
	}

	if ((error = alm_ado_credential_read(&cred, env)) < 0) {
		char why[768];
		if (error == ALM_ENOMEM)
			goto done;
		snprintf(why, sizeof why, "%s", alm_error_last());
		error = fail_early(facts, &p.target, error, why);
		goto done;
	}
	p.token = cred.token;
	p.token_var = cred.var;

	p.facts = facts;
	p.api = p.target.server ? "7.0" : "7.1";
	/* The environments API never left preview; a released version is refused. */
	p.env_api = p.target.server ? "7.0-preview.1" : "7.1-preview.1";
	p.all_history = opts->all_history;
	p.since = (double)opts->since;
	if (!p.all_history) {
		char day[32];
		alm_ado_format_time(day, sizeof day, p.since);
		/* The date is enough for a sentence. */
		snprintf(p.since_text, sizeof p.since_text, "since %.10s", day);
	}
	p.page_size = tuning ? tuning->page_size : 0;
	{
		char *esc = alm_ado_escape(p.target.project);
		p.project_url = esc ? alm_ado_format("%s/%s", p.target.collection, esc) : NULL;
		free(esc);
		if (!p.project_url) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}

	hopts.user_agent = "alm-advisor (Azure DevOps probe)";
	p.timeout = opts->timeout > 0 ? opts->timeout : 60.0;
	alm_ado_http_setup(&hopts, &cred, &p.target, opts->ca_file, p.timeout);
	hopts.max_in_flight = tuning && tuning->max_in_flight > 0 ? tuning->max_in_flight : ALM_ADO_DEFAULT_IN_FLIGHT;
	if (tuning && tuning->max_body)
		hopts.max_body = tuning->max_body;
	if (tuning && tuning->backoff_base > 0)
		hopts.backoff_base = tuning->backoff_base;
	if ((error = alm_http_new(&p.http, &hopts)) < 0)
		goto done;

	if ((error = start_requests(&p)) < 0)
		goto done;
	if ((error = alm_http_run(p.http)) < 0)
		goto done;
	alm_http_get_stats(p.http, &stats);
	if (tuning && tuning->stats)
		*tuning->stats = stats;
	error = conclude(&p, &stats);
done:
	alm_http_free(p.http);
	probe_dispose(&p);
	alm_ado_credential_dispose(&cred);
	return error;
}

int alm_ado_probe(alm_facts *facts, const alm_ado_probe_options *opts)
{
	return alm_ado_probe_tuned(facts, opts, NULL);
}
