/*
 * The Azure DevOps probe: which requests to make, in what order, and what the
 * answers mean as facts. The requests form a few independent chains, all
 * started at once and run concurrently by the HTTP engine:
 *
 *   project
 *   build definitions (pages) -> builds across the definitions of each page (pages)
 *   repositories
 *   pull requests (pages) -> reviewers of completed ones lacking them
 *                         -> the licence of each new author (User Entitlements)
 *   commits of the repository (one page) -> the licence of each new author
 *   policy configurations (pages)
 *   environments (pages) -> the checks on each environment
 *
 * so the wall time is about that of the longest chain. Every failure is
 * recorded and the facts it prevents are left unset (unknown), never guessed;
 * the checks and the licences are optional: a token without their scope
 * leaves their facts null with the reason, not the probe degraded.
 *
 * With a scan's project cache the first probe of a project reads it whole
 * (every repository's pull requests) and the others set their facts from it.
 */
#include "ado_probe_int.h"
#include "ado_common.h"
#include "ado_parse.h"
#include "alm/error.h"
#include "alm/json.h"
#include "vec.h"
#include "redact.h"

#include <pthread.h>
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
	G_CHECKS,   /* optional: a failure leaves its facts unknown, not the probe degraded */
	G_LICENSES, /* optional, likewise */
	G_COMMITS,  /* optional: its failure only leaves commit authors out of the licences */
	G_COUNT
} group;

static int optional_group(group g)
{
	return g == G_CHECKS || g == G_LICENSES || g == G_COMMITS;
}

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
	{ "the checks on the environments", "Build (Read)", 0 },
	{ "the user entitlements (licences)", "Member Entitlement Management (Read), vso.memberentitlementmanagement", 0 },
	{ "the commits", "Code (Read)", 1000 },
};

/* Builds are asked for across definitions, as many ids a request as keep its
 * URL under this (proxies and IIS refuse longer ones), and at most this many
 * such lists at once, so that a million definitions queue a bounded amount
 * of work. */
#define BUILDS_URL_MAX 2000
#define BATCHES_RUNNING 8
/* At most this many people's licences and environments' checks a project:
 * the evidence says when there were more. */
#define MAX_PEOPLE 200
#define MAX_CHECKED_ENVIRONMENTS 100

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
	size_t index; /* of the record asked about (records may move) */
} item_ctx;

/* A pull request as the facts need it. */
typedef struct {
	char *repository_id;
	alm_ado_pr_status status;
	int approved; /* approved by someone other than its author: 1, 0, -1 not known */
	int person;   /* the author, in people[]; -1 when not said */
} pr_record;

enum { PERSON_ASKED, PERSON_NOT_ASKED, PERSON_NONE, PERSON_STAKEHOLDER, PERSON_BASIC, PERSON_NOT_MEMBER, PERSON_FAILED,
       PERSON_ELSEWHERE /* being looked up by another project's probe of the same scan */ };

/* A scan's cache also knows every person looked up in the organization:
 * people work in several projects, and each is asked about once. */
static int cache_person_claim(alm_ado_project_cache *cache, const char *collection, const char *id);
static void cache_person_set(alm_ado_project_cache *cache, const char *collection, const char *id, int state);
static int cache_person_wait(alm_ado_project_cache *cache, const char *collection, const char *id);

typedef struct {
	char *id;   /* "" for an author of commits only */
	char *mail; /* "" when not said */
	int by_mail; /* looked up by mail (the scan's cache knows it so) */
	int from_commits; /* authored commits of the repository */
	int state;
} person;

/* The name the scan's cache knows a person by. */
static const char *cache_name_of(const person *who)
{
	return who->by_mail ? who->mail : who->id;
}

typedef struct {
	int64_t id;
	char *name; /* lower-cased */
	int known;  /* its checks were read */
	alm_ado_checks checks;
} environment;

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

	int shared;          /* read for a project cache: every repository's share */
	alm_ado_project_cache *cache; /* while a shared read runs: for the people */
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

	/* builds across definitions: ids waiting for a list, lists running */
	int64_t *pending;
	size_t npending, cap_pending, pending_head;
	int batches_running, batches_started, batches_done, defs_done, pumping;
	int pages[G_COUNT]; /* pages read, for the deadline's message */

	alm_ado_repositories repos;
	int repos_loaded;

	int pr_scoped;   /* the list was asked of the one repository: no filtering */
	pr_record *prs;
	size_t nprs, capprs;

	person *people;
	size_t npeople, cappeople;
	alm_ado_strmap people_ids;
	alm_ado_strmap people_mails;
	int commits_read;   /* the commits were asked for and answered */
	size_t commits;     /* commits listed */
	int commits_full;   /* the one page was full: older commits were not seen */
	int people_skipped;
	char *vsaex;                 /* the User Entitlements API's base URL; NULL: none */
	const char *no_entitlements; /* why there is none (static text) */

	alm_ado_policies *policy_pages;
	size_t npolicy_pages;

	environment *envs;
	size_t nenv, capenv;
	alm_ado_strmap env_names;
	int envs_skipped;

	/* optional groups: why their facts are unknown */
	char optional_error[G_COUNT][768];
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

static int is_json_answer(const alm_http_response *res)
{
	return res->content_type && strncasecmp(res->content_type, "application/json", 16) == 0;
}

/* What had been read when the deadline came: the part that was slow is the
 * one with the most left to do. */
static void append_progress(const probe *p, char *why, size_t n)
{
	size_t len = strlen(why);
	snprintf(why + len, n - len, "; read by then: %d pages of build definitions (%zu definitions), %d lists of "
		 "builds done and %d running (%d pages), %zu definitions waiting for a list, %d pages of pull requests",
		 p->pages[G_DEFINITIONS], p->ndefs, p->batches_done, p->batches_running, p->pages[G_BUILDS],
		 p->npending - p->pending_head, p->pages[G_PULL_REQUESTS]);
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
		if (res->outcome == ALM_HTTP_TIMEOUT)
			append_progress(p, why, sizeof why);
		if (optional_group(g)) {
			p->failed[g] = 1;
			if (!p->optional_error[g][0])
				snprintf(p->optional_error[g], sizeof p->optional_error[g], "%s", why);
		} else {
			fail(p, g, rank, "%s", why);
		}
		return 0;
	}
	p->reachable = 1;
	return 1;
}

static void parse_failed(probe *p, group g, const alm_http_response *res)
{
	char where[400];
	url_path(where, sizeof where, res->url);
	if (optional_group(g)) {
		p->failed[g] = 1;
		snprintf(p->optional_error[g], sizeof p->optional_error[g],
			 "the answer for %s is not the JSON expected (%s) from GET %s", groups[g].what, alm_error_last(), where);
		return;
	}
	fail(p, g, RANK_OTHER, "the answer for %s is not the JSON expected (%s) from GET %s", groups[g].what,
	     alm_error_last(), where);
}

/* ---- chains of pages ---- */

static void on_page(alm_http *http, const alm_http_response *res, void *data);
static void pump_builds(probe *p);

static void chain_free(chain *c)
{
	int i;
	if (!c)
		return;
	/* A list of builds ending, or the definitions: more lists may start. */
	if (c->g == G_BUILDS) {
		c->p->batches_running--;
		c->p->batches_done++;
	}
	if (c->g == G_DEFINITIONS)
		c->p->defs_done = 1;
	if (c->g == G_BUILDS || c->g == G_DEFINITIONS)
		pump_builds(c->p);
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
	c->p->pages[c->g]++;
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
	if (alm_vec_reserve(&p->defs, &p->capdefs, p->ndefs + 1) < 0)
		return -1;
	p->defs[p->ndefs].id = d->id;
	p->defs[p->ndefs].yaml = d->yaml;
	/* Most definitions of a huge project say no name worth keeping twice. */
	p->defs[p->ndefs].name = NULL;
	if (*d->name && !(p->defs[p->ndefs].name = strdup(d->name)))
		return -1;
	p->ndefs++;
	return 0;
}

static int queue_definition(probe *p, int64_t id)
{
	if (alm_vec_reserve(&p->pending, &p->cap_pending, p->npending + 1) < 0)
		return -1;
	p->pending[p->npending++] = id;
	return 0;
}

/* The list of builds of the next waiting definitions: as many as fit the
 * URL. NULL when out of memory. */
static char *next_batch_url(probe *p)
{
	int top = p->page_size ? p->page_size : groups[G_BUILDS].page_size;
	char *esc_since = NULL, *head, *url;
	size_t len, limit;

	if (!p->all_history) {
		char iso[32];
		alm_ado_format_time(iso, sizeof iso, p->since);
		if (!(esc_since = alm_ado_escape(iso)))
			return NULL;
	}
	head = alm_ado_format("%s/_apis/build/builds?api-version=%s&queryOrder=queueTimeDescending%s%s&$top=%d&definitions=",
			      p->project_url, p->api, esc_since ? "&minTime=" : "", esc_since ? esc_since : "", top);
	free(esc_since);
	if (!head)
		return NULL;
	len = strlen(head);
	limit = BUILDS_URL_MAX - 200; /* the continuation token of later pages needs room too */
	url = malloc((len > limit ? len : limit) + 32);
	if (url) {
		size_t used = len;
		memcpy(url, head, len);
		while (p->pending_head < p->npending) {
			char id[24];
			int n = snprintf(id, sizeof id, "%s%lld", used > len ? "," : "", (long long)p->pending[p->pending_head]);
			if (used > len && used + (size_t)n > limit)
				break;
			memcpy(url + used, id, (size_t)n);
			used += (size_t)n;
			p->pending_head++;
		}
		url[used] = '\0';
	}
	free(head);
	if (p->pending_head == p->npending) /* all taken: the array starts over */
		p->pending_head = p->npending = 0;
	return url;
}

/*
 * Starts lists of builds while fewer than BATCHES_RUNNING run: one as soon as
 * a page of definitions has queued its ids (so the builds of the first page
 * are read while the next page is on its way), each for as many definitions
 * as its URL holds.
 */
static void pump_builds(probe *p)
{
	if (p->pumping)
		return;
	p->pumping = 1;
	/* After a failure (the deadline, say) the counts are partial anyway. */
	while (!p->failed[G_BUILDS] && p->batches_running < BATCHES_RUNNING && p->pending_head < p->npending) {
		char *url = next_batch_url(p);
		if (!url) {
			fail(p, G_BUILDS, RANK_OTHER, "out of memory while reading %s", groups[G_BUILDS].what);
			break;
		}
		p->batches_running++;
		p->batches_started++;
		if (chain_start(p, G_BUILDS, url) < 0) {
			fail(p, G_BUILDS, RANK_OTHER, "out of memory while reading %s", groups[G_BUILDS].what);
			break;
		}
	}
	p->pumping = 0;
}

typedef struct {
	chain *c;
	size_t fresh;
	int oom;
} page_walk;

/* Whether an item of a page is new to its list: 1 (counted as fresh), 0 a
 * repeat, -1 out of memory (counted too: it was not seen before). Items
 * without an id are new. */
static int first_sighting(chain *c, int64_t id, size_t *fresh)
{
	int added = id >= 0 ? idset_add(&c->ids, id) : 1;
	if (added != 0)
		(*fresh)++;
	return added;
}

static int on_definition(void *ctx, const alm_ado_definition *d)
{
	page_walk *w = ctx;
	probe *p = w->c->p;
	int added = first_sighting(w->c, d->id, &w->fresh);
	if (added == 0)
		return 0;
	if (added < 0 || add_definition(p, d) < 0) {
		w->oom = 1;
		return 0;
	}
	if (d->id < 0)
		return 0;
	/* A definition whose latest build predates the window has none in it. */
	if (!p->all_history && d->latest_queued > 0 && d->latest_queued < p->since) {
		p->defs_skipped++;
		return 0;
	}
	if (queue_definition(p, d->id) < 0)
		w->oom = 1;
	return 0;
}

static void definitions_page(chain *c, const alm_http_response *res)
{
	probe *p = c->p;
	page_walk w = { c, 0, 0 };
	size_t items = 0;

	if (alm_ado_parse_definitions_each(res->body, res->len, on_definition, &w, &items) < 0) {
		parse_failed(p, c->g, res);
		chain_free(c);
		return;
	}
	if (w.oom)
		fail(p, G_DEFINITIONS, RANK_OTHER, "out of memory while reading %s", groups[G_DEFINITIONS].what);
	chain_next(c, res, items, w.fresh);
	pump_builds(p);
}

static int on_build(void *ctx, const alm_ado_build *b)
{
	page_walk *w = ctx;
	probe *p = w->c->p;
	if (first_sighting(w->c, b->id, &w->fresh) == 0)
		return 0;
	/* minTime already filters on the server; this keeps the window
	 * exact when a server ignores it. */
	if (!p->all_history && b->queued > 0 && b->queued < p->since)
		return 0;
	p->builds[b->state]++;
	p->builds_total++;
	p->builds_pr += b->pull_request;
	if (b->started > p->last_run)
		p->last_run = b->started;
	return 0;
}

static void builds_page(chain *c, const alm_http_response *res)
{
	page_walk w = { c, 0, 0 };
	size_t items = 0;

	if (alm_ado_parse_builds_each(res->body, res->len, on_build, &w, &items) < 0) {
		parse_failed(c->p, c->g, res);
		chain_free(c);
		return;
	}
	chain_next(c, res, items, w.fresh);
}

static void on_reviewers(alm_http *http, const alm_http_response *res, void *data)
{
	item_ctx *r = data;
	probe *p = r->p;
	pr_record *pr = &p->prs[r->index];
	const char *creator = pr->person >= 0 ? p->people[pr->person].id : "";
	int approved = 0;
	(void)http;
	if (accept_response(p, G_REVIEWERS, res)) {
		if (alm_ado_parse_reviewers(&approved, creator, res->body, res->len) < 0)
			parse_failed(p, G_REVIEWERS, res);
		else
			pr->approved = approved;
	}
	free(r);
}

static int get_item(probe *p, group g, size_t index, char *url, alm_http_callback cb)
{
	item_ctx *r = url ? calloc(1, sizeof *r) : NULL;
	p->started[g] = 1;
	if (!r || alm_http_get(p->http, url, 0, cb, r) < 0) {
		free(r);
		free(url);
		return -1;
	}
	r->p = p;
	r->index = index;
	free(url);
	return 0;
}

static void fetch_reviewers(probe *p, size_t index, int64_t id)
{
	const pr_record *pr = &p->prs[index];
	char *repo = alm_ado_escape(*pr->repository_id ? pr->repository_id
				    : p->target.repository ? p->target.repository : "");
	char *url = repo ? alm_ado_format("%s/_apis/git/repositories/%s/pullRequests/%lld/reviewers?api-version=%s",
				  p->project_url, repo, (long long)id, p->api) : NULL;
	free(repo);
	if (get_item(p, G_REVIEWERS, index, url, on_reviewers) < 0)
		fail(p, G_REVIEWERS, RANK_OTHER, "out of memory while reading %s", groups[G_REVIEWERS].what);
}

/* ---- licences of the people seen ---- */

static void on_entitlement(alm_http *http, const alm_http_response *res, void *data)
{
	item_ctx *r = data;
	probe *p = r->p;
	person *who = &p->people[r->index];
	alm_ado_license license;
	char display[64];
	int found = 1;
	(void)http;
	if (res->outcome == ALM_HTTP_DONE && res->status == 404 && is_json_answer(res)) {
		/* Not (or no longer) a member of the organization. */
		who->state = PERSON_NOT_MEMBER;
	} else if (!accept_response(p, G_LICENSES, res)) {
		who->state = PERSON_FAILED;
	} else if ((who->by_mail ? alm_ado_parse_entitlement_search(&found, &license, display, sizeof display, who->mail,
								     res->body, res->len)
				 : alm_ado_parse_entitlement(&license, display, sizeof display, res->body, res->len)) < 0) {
		parse_failed(p, G_LICENSES, res);
		who->state = PERSON_FAILED;
	} else if (!found) {
		who->state = PERSON_NOT_MEMBER; /* nobody in the organization has that mail */
	} else {
		who->state = license == ALM_ADO_LICENSE_BASIC_OR_ABOVE ? PERSON_BASIC
			     : license == ALM_ADO_LICENSE_STAKEHOLDER ? PERSON_STAKEHOLDER : PERSON_NONE;
	}
	if (p->cache)
		cache_person_set(p->cache, p->target.collection, cache_name_of(who), who->state);
	free(r);
}

/* Asks for the licence of people[index] (the last one added), unless the
 * scan's cache knows it or the project's bound is reached. */
static void ask_license(probe *p, size_t index)
{
	person *who = &p->people[index];
	const char *key = cache_name_of(who);
	int known;
	if (!p->vsaex || p->failed[G_LICENSES])
		return;
	known = p->cache ? cache_person_claim(p->cache, p->target.collection, key) : -1;
	if (known >= 0) {
		who->state = known; /* asked by another project's probe, or being asked */
	} else if (p->npeople > MAX_PEOPLE) {
		p->people_skipped++;
		if (p->cache)
			cache_person_set(p->cache, p->target.collection, key, PERSON_NOT_ASKED);
	} else {
		char *esc = alm_ado_escape(key), *url = NULL;
		if (esc && who->by_mail) {
			/* Azure DevOps knows a commit's author by mail only: search for it
			 * (quotes doubled, as OData wants them). */
			char *filter = malloc(strlen(key) * 2 + 12), *esc_filter, *w;
			const char *r;
			if (filter) {
				w = filter + sprintf(filter, "name eq '");
				for (r = key; *r; r++)
					if ((*w++ = *r) == '\'')
						*w++ = '\'';
				strcpy(w, "'");
			}
			esc_filter = filter ? alm_ado_escape(filter) : NULL;
			url = esc_filter ? alm_ado_format("%s/_apis/userentitlements?$filter=%s&api-version=7.1", p->vsaex,
							  esc_filter) : NULL;
			free(filter);
			free(esc_filter);
		} else if (esc) {
			url = alm_ado_format("%s/_apis/userentitlements/%s?api-version=7.1", p->vsaex, esc);
		}
		free(esc);
		who->state = PERSON_ASKED;
		if (get_item(p, G_LICENSES, index, url, on_entitlement) < 0) {
			who->state = PERSON_FAILED;
			if (p->cache)
				cache_person_set(p->cache, p->target.collection, key, PERSON_FAILED);
		}
	}
}

/* A new person at people[npeople]; returns its index, -1 when out of memory. */
static int add_person(probe *p, const char *id, const char *mail, int by_mail)
{
	person *who;
	if (alm_vec_reserve(&p->people, &p->cappeople, p->npeople + 1) < 0)
		return -1;
	who = &p->people[p->npeople];
	memset(who, 0, sizeof *who);
	who->id = strdup(id);
	who->mail = strdup(mail);
	if (!who->id || !who->mail) {
		free(who->id);
		free(who->mail);
		return -1;
	}
	who->by_mail = by_mail;
	who->state = PERSON_NOT_ASKED;
	if ((*id && alm_ado_strmap_put(&p->people_ids, id, p->npeople, NULL) < 0) ||
	    (*mail && alm_ado_strmap_put(&p->people_mails, mail, p->npeople, NULL) < 0)) {
		/* The maps may hold the index: the person stays, not asked about. */
		p->npeople++;
		return -1;
	}
	p->npeople++;
	ask_license(p, p->npeople - 1);
	return (int)(p->npeople - 1);
}

/* The author of a pull request, once: returns the index in people[] (-1 when
 * the list does not say), asking for the licence of a new one. A commit
 * author already met with the same mail is the same person. */
static int person_of(probe *p, const char *id, const char *mail)
{
	size_t found;
	if (!*id)
		return -1;
	if (alm_ado_strmap_get(&p->people_ids, id, &found))
		return (int)found;
	if (*mail && alm_ado_strmap_get(&p->people_mails, mail, &found)) {
		person *who = &p->people[found];
		char *copy = strdup(id);
		if (!copy || alm_ado_strmap_put(&p->people_ids, id, found, NULL) < 0) {
			free(copy);
			return -1;
		}
		if (!*who->id) {
			free(who->id);
			who->id = copy;
		} else {
			free(copy);
		}
		return (int)found;
	}
	return add_person(p, id, mail, 0);
}

/* An author of commits, once (by mail): a pull request author with that mail
 * costs no look-up. */
static int on_commit_author(void *ctx, const char *mail)
{
	probe *p = ctx;
	size_t found;
	int index;
	if (alm_ado_strmap_get(&p->people_mails, mail, &found)) {
		p->people[found].from_commits = 1;
		return 0;
	}
	if ((index = add_person(p, "", mail, 1)) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	p->people[index].from_commits = 1;
	return 0;
}

static void on_commits(probe *p, const alm_http_response *res)
{
	size_t commits = 0;
	int top = p->page_size ? p->page_size : groups[G_COMMITS].page_size;
	if (alm_ado_parse_commit_authors(res->body, res->len, on_commit_author, p, &commits) < 0) {
		parse_failed(p, G_COMMITS, res);
		return;
	}
	p->commits_read = 1;
	p->commits = commits;
	p->commits_full = commits >= (size_t)top;
}

static int add_pull_request(probe *p, const alm_ado_pull_request *pr)
{
	pr_record *r;
	if (alm_vec_reserve(&p->prs, &p->capprs, p->nprs + 1) < 0)
		return -1;
	r = &p->prs[p->nprs];
	if (!(r->repository_id = strdup(pr->repository_id)))
		return -1;
	r->status = pr->status;
	r->approved = pr->reviewers_known ? pr->approved_by_other : -1;
	r->person = person_of(p, pr->creator_id, pr->creator_mail);
	p->nprs++;
	return 0;
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
		int added = first_sighting(c, pr->id, &fresh);
		if (added == 0)
			continue;
		if (!p->all_history && pr->created > 0 && pr->created < p->since)
			continue;
		if (added < 0 || add_pull_request(p, pr) < 0) {
			fail(p, G_PULL_REQUESTS, RANK_OTHER, "out of memory while reading %s", groups[G_PULL_REQUESTS].what);
			continue;
		}
		/* The list carries the reviewers; ask for them only when it does not. */
		if (pr->status == ALM_ADO_PR_COMPLETED && !pr->reviewers_known) {
			if (pr->id >= 0)
				fetch_reviewers(p, p->nprs - 1, pr->id);
			else
				p->failed[G_REVIEWERS] = 1;
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

static void on_checks(alm_http *http, const alm_http_response *res, void *data)
{
	item_ctx *r = data;
	probe *p = r->p;
	environment *e = &p->envs[r->index];
	(void)http;
	if (accept_response(p, G_CHECKS, res)) {
		if (alm_ado_parse_checks(&e->checks, res->body, res->len) < 0)
			parse_failed(p, G_CHECKS, res);
		else
			e->known = 1;
	}
	free(r);
}

/* Adds an environment by its name lower-cased (Azure DevOps compares them
 * case-insensitively), once, and asks for its checks. Returns 0, or -1 when
 * out of memory. */
static int add_environment(probe *p, const alm_ado_environment *raw)
{
	environment *e;
	char *s;
	int added;
	if (alm_vec_reserve(&p->envs, &p->capenv, p->nenv + 1) < 0)
		return -1;
	if ((added = alm_ado_strmap_put(&p->env_names, raw->name, p->nenv, NULL)) <= 0)
		return added;
	e = &p->envs[p->nenv];
	memset(e, 0, sizeof *e);
	e->id = raw->id;
	if (!(e->name = strdup(raw->name)))
		return -1;
	for (s = e->name; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	p->nenv++;
	if (raw->id < 0)
		return 0;
	if (p->nenv > MAX_CHECKED_ENVIRONMENTS) {
		p->envs_skipped++;
		return 0;
	}
	{
		char *url = alm_ado_format("%s/_apis/pipelines/checks/configurations?api-version=%s"
					   "&resourceType=environment&resourceId=%lld&$expand=settings",
					   p->project_url, p->env_api, (long long)raw->id);
		if (get_item(p, G_CHECKS, p->nenv - 1, url, on_checks) < 0)
			return -1;
	}
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
		int added = first_sighting(c, envs.items[i].id, &fresh);
		if (added == 0)
			continue;
		if (added < 0 || add_environment(p, &envs.items[i]) < 0)
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
		} else if (c->g == G_COMMITS) {
			on_commits(p, res);
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
		if (p->defs[i].name && is_accelerator_name(p->defs[i].name)) {
			matched[nm++] = p->defs[i].name;
			if (!alm_json_add(names, NULL, cJSON_CreateString(p->defs[i].name))) {
				error = alm_error_set(ALM_ENOMEM, "out of memory");
				goto done;
			}
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

/* Whether a pull request record is about the repository the facts are for. */
static int pr_selected(const probe *p, const pr_record *pr, const alm_ado_repository *repo)
{
	if (p->pr_scoped || !repo)
		return 1; /* asked of that repository, or no single one matched */
	return strcasecmp(pr->repository_id, repo->id) == 0;
}

static int set_pull_request_facts(probe *p, const char *repo_name, const alm_ado_repository *repo)
{
	alm_facts *f = p->facts;
	char where[300];
	int active = 0, completed = 0, abandoned = 0, approved = 0, unknown = 0, error;
	size_t i;

	for (i = 0; i < p->nprs; i++) {
		const pr_record *pr = &p->prs[i];
		if (!pr_selected(p, pr, repo))
			continue;
		active += pr->status == ALM_ADO_PR_ACTIVE;
		abandoned += pr->status == ALM_ADO_PR_ABANDONED;
		if (pr->status == ALM_ADO_PR_COMPLETED) {
			completed++;
			approved += pr->approved == 1;
			unknown += pr->approved < 0;
		}
	}
	if (repo_name)
		snprintf(where, sizeof where, "in repository %s", repo_name);
	else
		snprintf(where, sizeof where, "in project %s (no single repository matched)", p->target.project);
	error = alm_facts_set(f, "ado.pull_requests.active", cJSON_CreateNumber(active), ALM_SOURCE_ADO,
			      "%d active pull requests %s created %s", active, where, window_text(p));
	if (error == 0)
		error = alm_facts_set(f, "ado.pull_requests.completed", cJSON_CreateNumber(completed),
				      ALM_SOURCE_ADO, "%d completed pull requests %s created %s", completed,
				      where, window_text(p));
	if (error == 0)
		error = alm_facts_set(f, "ado.pull_requests.abandoned", cJSON_CreateNumber(abandoned),
				      ALM_SOURCE_ADO, "%d abandoned pull requests %s created %s", abandoned,
				      where, window_text(p));
	if (error == 0 && !p->failed[G_REVIEWERS] && !unknown)
		error = alm_facts_set(f, "ado.pull_requests.approved_by_other", cJSON_CreateNumber(approved),
				      ALM_SOURCE_ADO,
				      "%d of %d completed pull requests had an approving vote from someone other than their author",
				      approved, completed);
	return error;
}

/* What the commits added to the licences' evidence. */
static void commits_text(const probe *p, char *out, size_t n)
{
	if (p->commits_read)
		snprintf(out, n, "; %zu commits read%s", p->commits,
			 p->commits_full ? ", a full page (the probe reads one): older commits' authors were not seen" : "");
	else if (p->failed[G_COMMITS])
		snprintf(out, n, "; the authors of commits are not counted: %s", p->optional_error[G_COMMITS]);
	else
		snprintf(out, n, "; the authors of commits are read for a single repository's probe only");
}

/* The licences of the authors of the pull requests the facts are about, and
 * of the repository's commits. */
static int set_license_facts(probe *p, const alm_ado_repository *repo)
{
	static const char *const names[] = { "ado.licenses.checked", "ado.licenses.basic_or_above",
					     "ado.licenses.stakeholder", "ado.licenses.available" };
	alm_facts *f = p->facts;
	unsigned char *seen = calloc(p->npeople ? p->npeople : 1, 1);
	int checked = 0, basic = 0, stakeholder = 0, none = 0, gone = 0, failed = 0, skipped = 0, error = 0;
	int from_prs = 0, from_commits = 0;
	size_t i;
	char why[900], commits[900];

	if (!seen)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; i < p->nprs; i++) {
		const pr_record *pr = &p->prs[i];
		if (pr->person < 0 || !pr_selected(p, pr, repo) || seen[pr->person])
			continue;
		seen[pr->person] = 1;
		from_prs++;
	}
	/* Commit authors who opened none of those pull requests. */
	for (i = 0; i < p->npeople; i++)
		if (p->people[i].from_commits && !seen[i]) {
			seen[i] = 1;
			from_commits++;
		}
	for (i = 0; i < p->npeople; i++) {
		const person *who = &p->people[i];
		if (!seen[i])
			continue;
		switch (who->state) {
		case PERSON_BASIC: checked++; basic++; break;
		case PERSON_STAKEHOLDER: checked++; stakeholder++; break;
		case PERSON_NONE: checked++; none++; break;
		case PERSON_NOT_MEMBER: gone++; break;
		case PERSON_NOT_ASKED: skipped++; break;
		default: failed++; break;
		}
	}
	free(seen);
	commits_text(p, commits, sizeof commits);

	why[0] = '\0';
	if (!p->vsaex)
		snprintf(why, sizeof why, "%s", p->no_entitlements);
	else if (failed || p->failed[G_LICENSES])
		snprintf(why, sizeof why, "the licences could not be read: %s",
			 p->optional_error[G_LICENSES][0] ? p->optional_error[G_LICENSES]
			 : "the look-up made for another project of the scan failed");
	if (why[0]) {
		/* Unknown, not zero: null facts, and the evidence says why. */
		for (i = 0; i < sizeof names / sizeof *names && error == 0; i++)
			error = alm_facts_set(f, names[i], cJSON_CreateNull(), ALM_SOURCE_ADO, "%s", why);
		return error;
	}
	error = alm_facts_set(f, "ado.licenses.checked", cJSON_CreateNumber(checked), ALM_SOURCE_ADO,
			      "the access levels of %d people were looked up, of %d authors of pull requests and %d more "
			      "authors of commits %s%s%s%s", checked, from_prs, from_commits,
			      window_text(p), gone ? " (others are not members)" : "",
			      skipped ? " (more were not: the probe looks up at most 200 a project)" : "", commits);
	if (error == 0)
		error = alm_facts_set(f, "ado.licenses.basic_or_above", cJSON_CreateNumber(basic), ALM_SOURCE_ADO,
				      "%d of %d have Basic (or above) access: Repos, Pipelines and pull requests", basic, checked);
	if (error == 0)
		error = alm_facts_set(f, "ado.licenses.stakeholder", cJSON_CreateNumber(stakeholder), ALM_SOURCE_ADO,
				      "%d of %d have Stakeholder access only (no Repos)%s", stakeholder, checked,
				      none ? "; others have no access level at all" : "");
	if (error == 0) {
		if (checked == 0)
			error = alm_facts_set(f, "ado.licenses.available", cJSON_CreateNull(), ALM_SOURCE_ADO,
					      "nobody's licence was looked up: no authors of pull requests or commits %s",
					      window_text(p));
		else
			error = alm_facts_set(f, "ado.licenses.available", cJSON_CreateBool(basic == checked), ALM_SOURCE_ADO,
						   basic == checked ? "every author looked up has Basic (or above) access"
								    : "%d of %d authors looked up lack Basic access",
						   checked - basic, checked);
	}
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
	unsigned long failures = alm_json_add_failures();

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
				alm_json_add(names, NULL, cJSON_CreateString(name));
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
	if (error == 0)
		error = alm_json_add_check(failures, "the build validation names");
	if (error == 0) {
		int n = cJSON_GetArraySize(names);
		error = alm_facts_set(f, "ado.policies.build_validation_names", names, ALM_SOURCE_ADO,
				      "%d build validation policies on %s of %s", n, ref, repo->name);
		names = NULL;
	}
	cJSON_Delete(names);
	return error;
}

/* The checks on each environment, and which need an approval. */
static int set_check_facts(probe *p)
{
	cJSON *checks = cJSON_CreateObject(), *approval = cJSON_CreateArray();
	char list[600], **need = calloc(p->nenv ? p->nenv : 1, sizeof *need);
	size_t i, nneed = 0;
	int error = 0, unknown = 0;

	if (!checks || !approval || !need) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->nenv; i++) {
		const environment *e = &p->envs[i];
		cJSON *one;
		if (!e->known) {
			unknown++;
			continue;
		}
		one = cJSON_AddObjectToObject(checks, e->name);
		cJSON_AddBoolToObject(one, "approval", e->checks.approval);
		cJSON_AddBoolToObject(one, "branch_control", e->checks.branch_control);
		cJSON_AddBoolToObject(one, "business_hours", e->checks.business_hours);
		if (e->checks.approval) {
			cJSON_AddItemToArray(approval, cJSON_CreateString(e->name));
			need[nneed++] = e->name;
		}
	}
	if (unknown) {
		/* Some environment's checks are not known: neither is the whole. */
		char why[900];
		snprintf(why, sizeof why, "the checks of %d of %zu environments could not be read: %s", unknown, p->nenv,
			 p->optional_error[G_CHECKS][0] ? p->optional_error[G_CHECKS]
			 : "more environments than the probe reads checks of (100)");
		error = alm_facts_set(p->facts, "ado.environments.checks", cJSON_CreateNull(), ALM_SOURCE_ADO, "%s", why);
		if (error == 0)
			error = alm_facts_set(p->facts, "ado.environments.approval_required", cJSON_CreateNull(),
					      ALM_SOURCE_ADO, "%s", why);
		goto done;
	}
	list_names(list, sizeof list, need, nneed, 8);
	error = alm_facts_set(p->facts, "ado.environments.checks", checks, ALM_SOURCE_ADO,
			      "the approvals, branch control and business hours checks on %zu environments", p->nenv);
	checks = NULL;
	if (error == 0)
		error = alm_facts_set(p->facts, "ado.environments.approval_required", approval, ALM_SOURCE_ADO,
				      nneed ? "%zu environments need an approval before a deployment: %s"
					    : "%zu environments need an approval before a deployment%s",
				      nneed, list);
	approval = NULL;
done:
	cJSON_Delete(checks);
	cJSON_Delete(approval);
	free(need);
	return error;
}

static int set_environment_facts(probe *p)
{
	cJSON *names = cJSON_CreateArray();
	char **list_of = calloc(p->nenv ? p->nenv : 1, sizeof *list_of);
	char list[600];
	size_t i;
	int error;
	if (!names || !list_of) {
		cJSON_Delete(names);
		free(list_of);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	for (i = 0; i < p->nenv; i++) {
		if (!alm_json_add(names, NULL, cJSON_CreateString(p->envs[i].name))) {
			cJSON_Delete(names);
			free(list_of);
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		list_of[i] = p->envs[i].name;
	}
	list_names(list, sizeof list, list_of, p->nenv, 8);
	free(list_of);
	error = alm_facts_set(p->facts, "ado.environments.names", names, ALM_SOURCE_ADO,
			      "%zu pipeline environments%s%s", p->nenv, p->nenv ? ": " : "", list);
	if (error < 0)
		return error;
	return set_check_facts(p);
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
	if (error == 0 && ok(p, G_DEFINITIONS) && !p->failed[G_BUILDS] && p->defs_done)
		error = set_build_facts(p);
	if (error == 0 && ok(p, G_REPOSITORIES))
		error = alm_facts_set(f, "ado.repositories", cJSON_CreateNumber((double)p->repos.count), ALM_SOURCE_ADO,
				      "%zu Git repositories in project %s", p->repos.count, p->target.project);
	if (error == 0 && ok(p, G_PULL_REQUESTS))
		error = set_pull_request_facts(p, repo_name, repo);
	if (error == 0 && ok(p, G_PULL_REQUESTS))
		error = set_license_facts(p, repo);
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
	int error = 0;
	snprintf(line, sizeof line, "%s", why);
	if (t && t->organization) {
		error = alm_facts_set_string(facts, "ado.organization", t->organization, ALM_SOURCE_ADO,
					     "from the project address");
		if (error == 0)
			error = alm_facts_set_string(facts, "ado.project", t->project, ALM_SOURCE_ADO,
						     "from the project address");
	}
	if (error == 0)
		error = alm_facts_set_bool(facts, "ado.reachable", 0, ALM_SOURCE_ADO, "the probe could not start");
	if (error == 0)
		error = alm_facts_set_string(facts, "ado.error", line, ALM_SOURCE_ADO, "why the probe could not start");
	if (error == 0)
		error = alm_facts_set_probe(facts, "ado", "failed", line);
	if (error < 0)
		return error;
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
		free(p->envs[i].name);
	free(p->envs);
	alm_ado_strmap_dispose(&p->env_names);
	for (i = 0; i < p->nprs; i++)
		free(p->prs[i].repository_id);
	free(p->prs);
	for (i = 0; i < p->npeople; i++) {
		free(p->people[i].id);
		free(p->people[i].mail);
	}
	free(p->people);
	alm_ado_strmap_dispose(&p->people_ids);
	alm_ado_strmap_dispose(&p->people_mails);
	free(p->pending);
	free(p->vsaex);
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
	/* Shared with other repositories of the project: the whole project's
	 * pull requests, each repository taking its own. */
	p->pr_scoped = p->target.repository && !p->shared;
	if (p->pr_scoped && !(repo = alm_ado_escape(p->target.repository))) {
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
	if (repo && p->vsaex) {
		/* The repository's authors of commits, for their licences: one page. */
		int top = p->page_size ? p->page_size : groups[G_COMMITS].page_size;
		char from[96] = "";
		if (!p->all_history) {
			char iso[32], *esc;
			alm_ado_format_time(iso, sizeof iso, p->since);
			if (!(esc = alm_ado_escape(iso))) {
				error = alm_error_set(ALM_ENOMEM, "out of memory");
				goto done;
			}
			snprintf(from, sizeof from, "searchCriteria.fromDate=%s&", esc);
			free(esc);
		}
		if ((error = single_start(p, G_COMMITS,
					  alm_ado_format("%s/_apis/git/repositories/%s/commits?%ssearchCriteria.$top=%d&api-version=%s",
							 p->project_url, repo, from, top, p->api))) < 0)
			goto done;
	}
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

/* Reads the project: every request, on an engine of its own. */
static int load(probe *p, const alm_http_options *hopts, const alm_ado_tuning *tuning, alm_http_stats *stats)
{
	int error;
	if ((error = alm_http_new(&p->http, hopts)) < 0)
		return error;
	if ((error = start_requests(p)) == 0 && (error = alm_http_run(p->http)) == 0) {
		alm_http_get_stats(p->http, stats);
		if (tuning && tuning->stats)
			*tuning->stats = *stats;
	}
	alm_http_free(p->http);
	p->http = NULL;
	return error;
}

/* Where the User Entitlements API of the target's organization is, or NULL
 * with *why (static) when it has none. */
static char *entitlements_base(const alm_ado_target *t, const char *override, const char **why)
{
	char host[256];
	const char *scheme_end = strstr(t->collection, "://");
	*why = NULL;
	if (override && *override) {
		size_t n = strlen(override);
		while (n > 0 && override[n - 1] == '/')
			n--;
		return strndup(override, n);
	}
	if (t->server) {
		*why = "Azure DevOps Server has no User Entitlements API: the licences (access levels) are not known "
		       "from here; they are on the server's Access levels administration page";
		return NULL;
	}
	alm_ado_host_of(t->collection, host, sizeof host);
	if (strcasecmp(host, "dev.azure.com") == 0)
		return alm_ado_format("https://vsaex.dev.azure.com/%s", t->organization);
	if (strlen(host) > 18 && strcasecmp(host + strlen(host) - 18, ".visualstudio.com") == 0)
		return alm_ado_format("https://%s.vsaex.visualstudio.com", t->organization);
	if (t->loopback && scheme_end) /* the local stand-in serves it below /_vsaex */
		return alm_ado_format("%.*s/_vsaex/%s", (int)(scheme_end + 3 - t->collection) + (int)strlen(host),
				      t->collection, t->organization);
	*why = "no User Entitlements API is known for this host: the licences are not known";
	return NULL;
}

/* ---- the project cache of a scan ---- */

typedef struct cache_entry {
	struct cache_entry *next;
	char *key;
	int ready;
	probe *data; /* the project as read, without its engine, facts or token */
} cache_entry;

struct alm_ado_project_cache {
	pthread_mutex_t lock;
	pthread_cond_t ready; /* a project read, or a person looked up */
	cache_entry *entries;
	size_t projects, served;
	alm_ado_strmap people; /* "collection\nid" -> index in states */
	int *states;
	size_t nstates, capstates;
};

static char *person_key(const char *collection, const char *id)
{
	return alm_ado_format("%s\n%s", collection, id);
}

/* -1 when this probe is the first to ask about the person (it then must
 * report the answer with cache_person_set), else the state known so far
 * (PERSON_ELSEWHERE while another probe asks). */
static int cache_person_claim(alm_ado_project_cache *cache, const char *collection, const char *id)
{
	char *key = person_key(collection, id);
	size_t found = 0;
	int added, state = -1;
	if (!key)
		return -1;
	pthread_mutex_lock(&cache->lock);
	if (alm_vec_reserve(&cache->states, &cache->capstates, cache->nstates + 1) < 0)
		goto done;
	added = alm_ado_strmap_put(&cache->people, key, cache->nstates, &found);
	if (added == 1)
		cache->states[cache->nstates++] = PERSON_ASKED;
	else if (added == 0)
		state = cache->states[found] == PERSON_ASKED ? PERSON_ELSEWHERE : cache->states[found];
done:
	pthread_mutex_unlock(&cache->lock);
	free(key);
	return state;
}

static void cache_person_set(alm_ado_project_cache *cache, const char *collection, const char *id, int state)
{
	char *key = person_key(collection, id);
	size_t found;
	if (!key)
		return;
	pthread_mutex_lock(&cache->lock);
	if (alm_ado_strmap_put(&cache->people, key, cache->nstates, &found) == 0)
		cache->states[found] = state;
	pthread_cond_broadcast(&cache->ready);
	pthread_mutex_unlock(&cache->lock);
	free(key);
}

/* The person's state once the probe asking about it is done. Every probe
 * answers for what it claimed before it waits for others: no cycle. */
static int cache_person_wait(alm_ado_project_cache *cache, const char *collection, const char *id)
{
	char *key = person_key(collection, id);
	size_t found;
	int state = PERSON_FAILED;
	if (!key)
		return state;
	pthread_mutex_lock(&cache->lock);
	if (alm_ado_strmap_put(&cache->people, key, cache->nstates, &found) == 0) {
		while (cache->states[found] == PERSON_ASKED)
			pthread_cond_wait(&cache->ready, &cache->lock);
		state = cache->states[found];
	}
	pthread_mutex_unlock(&cache->lock);
	free(key);
	return state;
}

int alm_ado_project_cache_new(alm_ado_project_cache **out)
{
	alm_ado_project_cache *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return alm_error_set(ALM_ERROR, "could not set up the project cache's lock");
	}
	if (pthread_cond_init(&c->ready, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return alm_error_set(ALM_ERROR, "could not set up the project cache's lock");
	}
	*out = c;
	return 0;
}

void alm_ado_project_cache_free(alm_ado_project_cache *cache)
{
	cache_entry *e, *next;
	if (!cache)
		return;
	for (e = cache->entries; e; e = next) {
		next = e->next;
		if (e->data) {
			probe_dispose(e->data);
			free(e->data);
		}
		free(e->key);
		free(e);
	}
	alm_ado_strmap_dispose(&cache->people);
	free(cache->states);
	pthread_cond_destroy(&cache->ready);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

void alm_ado_project_cache_stats(const alm_ado_project_cache *cache, size_t *projects, size_t *served)
{
	alm_ado_project_cache *c = (alm_ado_project_cache *)cache;
	pthread_mutex_lock(&c->lock);
	*projects = c->projects;
	*served = c->served;
	pthread_mutex_unlock(&c->lock);
}

/* The same project, read the same way: collection and project as the
 * service compares them (case aside), and the window. */
static char *cache_key(const probe *p)
{
	char *key = alm_ado_format("%s\n%s\n%d\n%.0f\n%s", p->target.collection, p->target.project, p->all_history,
				   p->all_history ? 0.0 : p->since, p->target.server ? "server" : "service");
	char *s;
	for (s = key; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	return key;
}

/*
 * The probe of one repository with a scan's cache: the first probe of a
 * project reads it whole (every repository's pull requests) and leaves it in
 * the cache; the others wait for it, and every one sets its facts from its
 * share. The shared data is never written after it is ready: each probe
 * concludes on a copy of the record (its own facts, target and failures).
 */
static int probe_shared(alm_ado_project_cache *cache, probe *p, const alm_http_options *hopts,
			const alm_ado_tuning *tuning, alm_http_stats *stats)
{
	char *key = cache_key(p);
	cache_entry *e;
	probe view;
	int error = 0, loader = 0;

	if (!key)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	pthread_mutex_lock(&cache->lock);
	for (e = cache->entries; e && strcmp(e->key, key) != 0; e = e->next)
		;
	if (!e) {
		if (!(e = calloc(1, sizeof *e))) {
			pthread_mutex_unlock(&cache->lock);
			free(key);
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		e->key = key;
		key = NULL;
		e->next = cache->entries;
		cache->entries = e;
		cache->projects++;
		loader = 1;
	}
	cache->served++;
	pthread_mutex_unlock(&cache->lock);
	free(key);

	if (loader) {
		probe *data = malloc(sizeof *data);
		size_t i;
		p->shared = 1;
		p->cache = cache;
		error = data ? load(p, hopts, tuning, stats) : alm_error_set(ALM_ENOMEM, "out of memory");
		/* A look-up never answered (the engine failed) is answered as failed,
		 * so that no other probe waits for it; then the people another
		 * project's probe was asking about when this one met them. */
		for (i = 0; i < p->npeople; i++)
			if (p->people[i].state == PERSON_ASKED) {
				p->people[i].state = PERSON_FAILED;
				cache_person_set(cache, p->target.collection, cache_name_of(&p->people[i]), PERSON_FAILED);
			}
		for (i = 0; i < p->npeople; i++)
			if (p->people[i].state == PERSON_ELSEWHERE)
				p->people[i].state = cache_person_wait(cache, p->target.collection, cache_name_of(&p->people[i]));
		p->cache = NULL;
		if (data) {
			/* The record, its target included, now belongs to the cache. */
			*data = *p;
			data->facts = NULL;
			data->token = NULL;
			view = *data;
			view.facts = p->facts;
			view.token = p->token;
			memset(p, 0, sizeof *p);
		}
		pthread_mutex_lock(&cache->lock);
		e->data = data;
		e->ready = 1;
		pthread_cond_broadcast(&cache->ready);
		pthread_mutex_unlock(&cache->lock);
		if (error < 0 || !data)
			return error < 0 ? error : alm_error_set(ALM_ENOMEM, "out of memory");
	} else {
		pthread_mutex_lock(&cache->lock);
		while (!e->ready)
			pthread_cond_wait(&cache->ready, &cache->lock);
		pthread_mutex_unlock(&cache->lock);
		if (!e->data)
			return alm_error_set(ALM_ENOMEM, "out of memory while reading the project");
		/* This probe's own repository, facts and token on the shared data. */
		view = *e->data;
		view.facts = p->facts;
		view.token = p->token;
		view.token_var = p->token_var;
		view.target = p->target;
		view.origin = p->origin;
	}
	return conclude(&view, stats);
}

int alm_ado_probe_tuned(alm_facts *facts, const alm_ado_probe_options *opts,
			const alm_ado_tuning *tuning)
{
	alm_ado_probe_options defaults = ALM_ADO_PROBE_OPTIONS_INIT;
	alm_http_options hopts = ALM_HTTP_OPTIONS_INIT;
	alm_env scratch;
	const alm_env *env;
	alm_http_stats stats;
	alm_ado_credential cred;
	probe p;
	char host[256];
	int error;

	memset(&p, 0, sizeof p);
	memset(&cred, 0, sizeof cred);
	memset(&stats, 0, sizeof stats);
	if (tuning && tuning->stats) /* a probe served from a cache makes no request */
		memset(tuning->stats, 0, sizeof *tuning->stats);
	if (!facts)
		return alm_error_set(ALM_EINVALID, "alm_ado_probe: no facts document");
	if (!opts)
		opts = &defaults;
	if (opts->version != ALM_ADO_PROBE_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_ado_probe: options version %u is not %d", opts->version,
				     ALM_ADO_PROBE_OPTIONS_VERSION);

	env = alm_ado_env_pick(&scratch, opts->env, tuning ? tuning->env : NULL);
	error = alm_ado_resolve_env(&p.target, &p.origin, opts->url, opts->repository, opts->remote_url, env);
	if (error == ALM_ENOTFOUND) {
		/* Nothing names an Azure DevOps project: not a failure of the probe. */
		if ((error = alm_facts_set_probe(facts, "ado", "skipped", alm_error_last())) < 0)
			return error;
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
	if (!(p.vsaex = entitlements_base(&p.target, opts->entitlements_url, &p.no_entitlements)) && !p.no_entitlements) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}

	if (opts->cache) {
		error = probe_shared(opts->cache, &p, &hopts, tuning, &stats);
		goto done;
	}
	if ((error = load(&p, &hopts, tuning, &stats)) < 0)
		goto done;
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
