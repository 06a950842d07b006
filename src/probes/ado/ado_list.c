/*
 * The repositories of one project, or of every project of an organization:
 *
 *   project                       (one project: its name as the service spells it)
 *   projects (pages) -> repositories of each project
 *
 * all on one HTTP engine, so the repositories of the first projects are read
 * while the next page of projects is on its way. A project whose repositories
 * cannot be read is recorded and the others go on; the list of projects itself
 * is all or nothing, since a partial one would leave projects out silently.
 */
#include "ado_list_int.h"
#include "ado_common.h"
#include "ado_parse.h"
#include "alm/error.h"
#include "vec.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PAGES 1000    /* a server that never stops paging is cut off */
#define PROJECTS_PAGE 100 /* the service's default $top for projects */

typedef struct lister lister;

typedef struct {
	lister *l;
	char *id;   /* "" when the service gave none */
	char *name;
	alm_ado_repositories repos;
	int listed;
	char *error; /* why its repositories could not be listed */
} project;

struct lister {
	alm_http *http;
	alm_ado_target target;      /* project NULL while listing an organization */
	alm_ado_target alternative; /* the collection reading of an ambiguous address */
	int fell_back;
	char *not_a_project;        /* why that project was not found, for when the collection is not either */
	alm_ado_credential cred;
	const char *api;
	double timeout;
	int page_size;

	project **projects; /* pointers: requests in flight hold them */
	size_t nprojects, capprojects;
	alm_ado_strmap seen; /* "id:..." or "name:..." of every project added */

	char *projects_url; /* the list's URL without the paging parameter */
	int pages;
	long long seen_items;
	char **tokens;      /* continuation tokens already followed */
	int ntokens;

	int failed;
	int rank;
	char error[768];
};


/* Records a failure of the listing itself; the first of the highest rank is shown. */
static void fail(lister *l, int rank, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void fail(lister *l, int rank, const char *fmt, ...)
{
	char line[sizeof l->error];
	va_list ap;
	l->failed = 1;
	if (rank <= l->rank)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	alm_ado_one_line(line);
	alm_ado_redact(l->cred.token, line);
	memcpy(l->error, line, sizeof line);
	l->rank = rank;
}

static void project_free(project *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->name);
	free(p->error);
	alm_ado_repositories_dispose(&p->repos);
	free(p);
}

/* Checks an answer the way the probe does; `what` names it in the reason. */
static int check(lister *l, const alm_http_response *res, const char *what, const char *scope, char *why,
		 size_t n, int *rank)
{
	char host[256];
	alm_ado_request_info info;
	info.what = what;
	info.scope = scope;
	info.token_var = l->cred.var;
	info.token = l->cred.token;
	info.host = alm_ado_host_of(l->target.collection, host, sizeof host);
	info.timeout = l->timeout;
	return alm_ado_response_check(res, &info, why, n, rank);
}

static char *project_base(const lister *l, const char *name)
{
	char *esc = alm_ado_escape(name), *url;
	url = esc ? alm_ado_format("%s/%s", l->target.collection, esc) : NULL;
	free(esc);
	return url;
}

/* ---- repositories of a project ---- */

static void on_repositories(alm_http *http, const alm_http_response *res, void *data)
{
	project *p = data;
	lister *l = p->l;
	char what[300], why[768];
	int rank = 0;
	(void)http;

	snprintf(what, sizeof what, "the repositories of project %s", p->name);
	if (!check(l, res, what, "Code (Read)", why, sizeof why, &rank)) {
		p->error = strdup(why);
		return;
	}
	if (alm_ado_parse_repositories(&p->repos, res->body, res->len) < 0) {
		snprintf(why, sizeof why, "the answer for %s is not the JSON expected (%s)", what, alm_error_last());
		alm_ado_one_line(why);
		alm_ado_redact(l->cred.token, why);
		p->error = strdup(why);
		return;
	}
	p->listed = 1;
}

/* Adds a project (once: by id, else by name) and asks for its repositories. */
static int add_project(lister *l, const char *id, const char *name)
{
	project *p;
	char *base = NULL, *url = NULL;

	/* Seen before: by id when the service gives one, else by name. A hash
	 * map, so that a hundred thousand projects stay linear. */
	{
		char key[600];
		int added;
		snprintf(key, sizeof key, "%s%s", *id ? "id:" : "name:", *id ? id : name);
		if ((added = alm_ado_strmap_put(&l->seen, key, l->nprojects, NULL)) <= 0)
			return added;
	}
	if (alm_vec_reserve(&l->projects, &l->capprojects, l->nprojects + 1) < 0)
		return -1;
	if (!(p = calloc(1, sizeof *p)))
		return -1;
	p->l = l;
	p->id = strdup(id);
	p->name = strdup(name);
	if (!p->id || !p->name) {
		project_free(p);
		return -1;
	}
	l->projects[l->nprojects++] = p;
	/* The repositories API has no paging: one request per project. */
	base = project_base(l, name);
	url = base ? alm_ado_format("%s/_apis/git/repositories?api-version=%s", base, l->api) : NULL;
	free(base);
	if (!url || alm_http_get(l->http, url, 0, on_repositories, p) < 0) {
		free(url);
		return -1;
	}
	free(url);
	return 1;
}

/* ---- projects of an organization ---- */

static void on_projects_page(alm_http *http, const alm_http_response *res, void *data);

static int start_projects(lister *l)
{
	int top = l->page_size ? l->page_size : PROJECTS_PAGE;
	l->projects_url = alm_ado_format("%s/_apis/projects?api-version=%s&$top=%d", l->target.collection, l->api, top);
	if (!l->projects_url || alm_http_get(l->http, l->projects_url, 0, on_projects_page, l) < 0)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/*
 * The URL of the next page, "" at the end, NULL when out of memory. The
 * service hands out a continuation token; a server that does not but filled
 * the page is asked again with $skip. A repeated token or a page of projects
 * already seen ends the list.
 */
static char *next_projects_url(lister *l, const alm_http_response *res, size_t items, size_t fresh)
{
	int top = l->page_size ? l->page_size : PROJECTS_PAGE;

	if (items > 0 && fresh == 0)
		return strdup("");
	l->seen_items += (long long)items;
	if (!res->continuation || !*res->continuation)
		return items >= (size_t)top ? alm_ado_format("%s&$skip=%lld", l->projects_url, l->seen_items) : strdup("");
	return alm_ado_follow_token(&l->tokens, &l->ntokens, l->projects_url, res->continuation);
}

static void on_projects_page(alm_http *http, const alm_http_response *res, void *data)
{
	lister *l = data;
	alm_ado_projects page;
	char what[300], why[768], *next;
	size_t i, fresh = 0;
	int rank = 0;
	(void)http;

	snprintf(what, sizeof what, "the projects of %s %s", l->target.server ? "collection" : "organization",
		 l->target.organization);
	if (!check(l, res, what, "Project and Team (Read)", why, sizeof why, &rank)) {
		if (l->fell_back && res->outcome == ALM_HTTP_DONE && res->status == 404)
			fail(l, rank, "%s; nor is %s a collection (HTTP 404 for its projects)",
			     l->not_a_project ? l->not_a_project : "the project was not found", l->target.collection);
		else
			fail(l, rank, "%s", why);
		return;
	}
	if (alm_ado_parse_projects(&page, res->body, res->len) < 0) {
		fail(l, ALM_ADO_RANK_OTHER, "the answer for %s is not the JSON expected (%s)", what, alm_error_last());
		return;
	}
	for (i = 0; i < page.count; i++) {
		int added = add_project(l, page.items[i].id, page.items[i].name);
		if (added < 0) {
			fail(l, ALM_ADO_RANK_OTHER, "out of memory while listing %s", what);
			alm_ado_projects_dispose(&page);
			return;
		}
		fresh += (size_t)added;
	}
	l->pages++;
	next = next_projects_url(l, res, page.count, fresh);
	alm_ado_projects_dispose(&page);
	if (!next) {
		fail(l, ALM_ADO_RANK_OTHER, "out of memory while listing %s", what);
	} else if (*next && l->pages >= MAX_PAGES) {
		fail(l, ALM_ADO_RANK_OTHER, "gave up on %s after %d pages", what, l->pages);
	} else if (*next && alm_http_get(l->http, next, ALM_HTTP_URGENT, on_projects_page, l) < 0) {
		fail(l, ALM_ADO_RANK_OTHER, "out of memory while listing %s", what);
	}
	free(next);
}

/* ---- one project ---- */

static void on_project(alm_http *http, const alm_http_response *res, void *data)
{
	lister *l = data;
	alm_ado_project record;
	char what[300], why[768];
	int rank = 0;
	(void)http;

	snprintf(what, sizeof what, "project %s", l->target.project);
	if (!check(l, res, what, "Project and Team (Read)", why, sizeof why, &rank)) {
		/* On Azure DevOps Server .../A/B may be the collection A/B. */
		if (l->alternative.collection && res->outcome == ALM_HTTP_DONE && res->status == 404) {
			alm_ado_target swap = l->target;
			l->target = l->alternative;
			l->alternative = swap;
			l->fell_back = 1;
			l->not_a_project = strdup(why);
			if (start_projects(l) < 0)
				fail(l, ALM_ADO_RANK_OTHER, "out of memory");
			return;
		}
		fail(l, rank, "%s", why);
		return;
	}
	if (alm_ado_parse_project_record(&record, res->body, res->len) < 0) {
		fail(l, ALM_ADO_RANK_OTHER, "the answer for %s is not the JSON expected (%s)", what, alm_error_last());
		return;
	}
	if (add_project(l, record.id, record.name) < 0)
		fail(l, ALM_ADO_RANK_OTHER, "out of memory");
	alm_ado_project_dispose(&record);
}

/* ---- the result ---- */

static int compare_names(const char *a, const char *b)
{
	int d = strcasecmp(a, b);
	return d ? d : strcmp(a, b);
}

static int compare_projects(const void *a, const void *b)
{
	return compare_names((*(project *const *)a)->name, (*(project *const *)b)->name);
}

static int compare_repositories(const void *a, const void *b)
{
	return compare_names(((const alm_ado_repository *)a)->name, ((const alm_ado_repository *)b)->name);
}

/* Whether the service's answer for project p really is one of p's repositories:
 * an answer of the organization's list would carry others'. */
static int belongs(const project *p, const alm_ado_repository *r)
{
	if (r->project_id && *r->project_id && *p->id)
		return strcasecmp(r->project_id, p->id) == 0;
	return !r->project_name || strcasecmp(r->project_name, p->name) == 0;
}

static int add_item(alm_ado_listing *out, size_t *cap, const lister *l, const project *p,
		    const alm_ado_repository *r)
{
	alm_ado_listed *it;
	if (alm_vec_reserve(&out->items, cap, out->count + 1) < 0)
		return -1;
	it = &out->items[out->count++];
	memset(it, 0, sizeof *it);
	it->organization = strdup(l->target.organization);
	it->project = strdup(p->name);
	it->project_url = project_base(l, p->name);
	if (!it->organization || !it->project || !it->project_url)
		return -1;
	if (!r) {
		it->error = strdup(p->error ? p->error : "the repositories could not be listed");
		return it->error ? 0 : -1;
	}
	it->name = strdup(r->name);
	it->web_url = r->web_url ? strdup(r->web_url) : NULL;
	it->disabled = r->disabled;
	return it->name && (!r->web_url || it->web_url) ? 0 : -1;
}

static int build_listing(alm_ado_listing **out, lister *l)
{
	alm_ado_listing *res = calloc(1, sizeof *res);
	const char *only = l->fell_back ? NULL : l->target.repository;
	size_t cap = 0, i, j, listed = 0;
	const project *first_failed = NULL;

	if (!res)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	res->projects = l->nprojects;
	res->whole_organization = l->target.project == NULL;
	if (l->nprojects > 1)
		qsort(l->projects, l->nprojects, sizeof *l->projects, compare_projects);
	for (i = 0; i < l->nprojects; i++) {
		project *p = l->projects[i];
		if (!p->listed) {
			if (!first_failed)
				first_failed = p;
			if (add_item(res, &cap, l, p, NULL) < 0)
				goto oom;
			continue;
		}
		listed++;
		if (p->repos.count > 1)
			qsort(p->repos.items, p->repos.count, sizeof *p->repos.items, compare_repositories);
		for (j = 0; j < p->repos.count; j++) {
			const alm_ado_repository *r = &p->repos.items[j];
			if (!*r->name || !belongs(p, r) || (only && strcasecmp(r->name, only) != 0))
				continue;
			if (add_item(res, &cap, l, p, r) < 0)
				goto oom;
		}
	}
	if (l->nprojects > 0 && listed == 0) {
		/* Nothing to assess: the listing as a whole failed. */
		alm_ado_listing_free(res);
		if (l->nprojects == 1)
			return alm_error_set(ALM_EREMOTE, "%s", first_failed->error ? first_failed->error
							     : "the repositories could not be listed");
		return alm_error_set(ALM_EREMOTE, "the repositories of none of the %zu projects could be listed: %s",
				     l->nprojects, first_failed->error ? first_failed->error : "no reason given");
	}
	if (only && res->count == 0) {
		alm_ado_listing_free(res);
		return alm_error_set(ALM_EREMOTE, "repository %s is not in project %s", only, l->projects[0]->name);
	}
	*out = res;
	return 0;
oom:
	alm_ado_listing_free(res);
	return alm_error_set(ALM_ENOMEM, "out of memory");
}

void alm_ado_listing_free(alm_ado_listing *listing)
{
	size_t i;
	if (!listing)
		return;
	for (i = 0; i < listing->count; i++) {
		alm_ado_listed *it = &listing->items[i];
		free(it->organization);
		free(it->project);
		free(it->project_url);
		free(it->name);
		free(it->web_url);
		free(it->error);
	}
	free(listing->items);
	free(listing);
}


static void lister_dispose(lister *l)
{
	size_t i;
	int k;
	alm_http_free(l->http);
	for (i = 0; i < l->nprojects; i++)
		project_free(l->projects[i]);
	free(l->projects);
	alm_ado_strmap_dispose(&l->seen);
	for (k = 0; k < l->ntokens; k++)
		free(l->tokens[k]);
	free(l->tokens);
	free(l->projects_url);
	free(l->not_a_project);
	alm_ado_target_dispose(&l->target);
	alm_ado_target_dispose(&l->alternative);
	alm_ado_credential_dispose(&l->cred);
}

int alm_ado_list_tuned(alm_ado_listing **out, const alm_ado_list_options *opts, const alm_ado_tuning *tuning)
{
	alm_http_options hopts = ALM_HTTP_OPTIONS_INIT;
	alm_env scratch;
	lister l;
	char host[256];
	int error;

	memset(&l, 0, sizeof l);
	if (!out)
		return alm_error_set(ALM_EINVALID, "alm_ado_list: nowhere to put the listing");
	*out = NULL;
	if (!opts || opts->version != ALM_ADO_LIST_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_ado_list: options missing or of version %u, not %d",
				     opts ? opts->version : 0, ALM_ADO_LIST_OPTIONS_VERSION);
	if ((error = alm_ado_url_parse_scope(&l.target, &l.alternative, opts->url)) < 0)
		return error;
	if (!l.target.collection) {
		/* Only the organization reading: list its projects. */
		l.target = l.alternative;
		memset(&l.alternative, 0, sizeof l.alternative);
	}
	if (tuning && tuning->as_server)
		l.target.server = 1;
	if (l.target.plain_http && !l.target.loopback) {
		error = alm_error_set(ALM_EINVALID, "refusing plain http to %s: Azure DevOps is reached over https:// only "
				      "(http is allowed to a loopback address, for tests)",
				      alm_ado_host_of(l.target.collection, host, sizeof host));
		goto done;
	}
	if ((error = alm_ado_credential_read(&l.cred, alm_ado_env_pick(&scratch, opts->env, tuning ? tuning->env : NULL))) < 0)
		goto done;

	l.api = l.target.server ? "7.0" : "7.1";
	l.page_size = tuning ? tuning->page_size : 0;
	l.timeout = opts->timeout > 0 ? opts->timeout : 60.0;
	hopts.user_agent = "alm-advisor (Azure DevOps listing)";
	alm_ado_http_setup(&hopts, &l.cred, &l.target, opts->ca_file, l.timeout);
	hopts.max_in_flight = tuning && tuning->max_in_flight > 0 ? tuning->max_in_flight : ALM_ADO_DEFAULT_IN_FLIGHT;
	if (tuning && tuning->max_body)
		hopts.max_body = tuning->max_body;
	if (tuning && tuning->backoff_base > 0)
		hopts.backoff_base = tuning->backoff_base;
	if ((error = alm_http_new(&l.http, &hopts)) < 0)
		goto done;

	if (l.target.project) {
		char *esc = alm_ado_escape(l.target.project);
		char *url = esc ? alm_ado_format("%s/_apis/projects/%s?api-version=%s", l.target.collection, esc, l.api) : NULL;
		free(esc);
		error = url ? alm_http_get(l.http, url, 0, on_project, &l) : alm_error_set(ALM_ENOMEM, "out of memory");
		free(url);
	} else {
		error = start_projects(&l);
	}
	if (error < 0 || (error = alm_http_run(l.http)) < 0)
		goto done;
	if (tuning && tuning->stats)
		alm_http_get_stats(l.http, tuning->stats);
	if (l.failed) {
		error = alm_error_set(ALM_EREMOTE, "%s", l.error);
		goto done;
	}
	error = build_listing(out, &l);
done:
	lister_dispose(&l);
	return error;
}

int alm_ado_list(alm_ado_listing **out, const alm_ado_list_options *opts)
{
	return alm_ado_list_tuned(out, opts, NULL);
}

int alm_ado_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0
		: alm_error_set(ALM_ERROR, "libcurl could not be initialised");
}

void alm_ado_global_shutdown(void)
{
	curl_global_cleanup();
}
