/* A portfolio scan: finding the repositories (named, below a directory,
 * listed by Azure DevOps), joining local clones to the Azure DevOps
 * repositories they clone, and assessing each on a pool of threads. */
#include "alm/ado_list.h"
#include "alm/ado_probe.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/portfolio.h"
#include "alm/pp_probe.h"
#include "alm/probe.h"
#include "alm/version.h"
#include "alm/json.h"
#include "vec.h"

#include <git2.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	const char *path;          /* the local repository; NULL when read from Azure DevOps alone */
	char *name;
	char *row_path;            /* the row's path when not the local one: the Azure DevOps address */
	char *answers;             /* from the map, or NULL */
	const alm_ado_listed *ado; /* the Azure DevOps repository, or NULL */
	cJSON *row;
} job;

typedef struct {
	job *jobs;
	size_t n, next, done, total;
	pthread_mutex_t lock;
	const alm_rules *rules;
	const alm_portfolio_scan_options *opts;
	alm_ado_project_cache *ado_cache; /* each project read once for the whole scan */
	alm_pp_tenant_cache *pp_cache;    /* the tenant read once for the whole scan; NULL without --power-platform */
} queue;

typedef struct {
	char **items;
	size_t n, cap;
} string_list;

typedef struct {
	job *items;
	size_t n, cap;
} job_list;

static int is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* A work tree (has .git) or a bare repository (HEAD, objects/, refs/). */
static int is_repository(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/.git", dir);
	if (exists(p))
		return 1;
	snprintf(p, sizeof p, "%s/HEAD", dir);
	if (!exists(p))
		return 0;
	snprintf(p, sizeof p, "%s/objects", dir);
	if (!is_dir(p))
		return 0;
	snprintf(p, sizeof p, "%s/refs", dir);
	return is_dir(p);
}

static int list_add(string_list *l, const char *s)
{
	if (alm_vec_reserve(&l->items, &l->cap, l->n + 1) < 0)
		return -1;
	if (!(l->items[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

static int add_note(cJSON **notes, const char *text);

/* How deep below --under repositories are looked for. */
#define ALM_SCAN_MAX_DEPTH 32

/* Finds repositories below `dir` without descending into them (their own
 * directories hold no other solutions) and without following symlinks. What
 * it cannot look into (a directory it may not read, one deeper than the
 * limit, a path too long) is a note for the caller, never a silent skip. */
static int find_repositories(string_list *out, cJSON **notes, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[4096], note[4400];
	if (is_repository(dir))
		return list_add(out, dir);
	if (depth >= ALM_SCAN_MAX_DEPTH) {
		snprintf(note, sizeof note, "%s: more than %d directories below --under: not searched for repositories",
			 dir, ALM_SCAN_MAX_DEPTH);
		return add_note(notes, note);
	}
	if (!(d = opendir(dir))) {
		snprintf(note, sizeof note, "%s: cannot be read (%s): not searched for repositories", dir, strerror(errno));
		return add_note(notes, note);
	}
	while ((e = readdir(d)) != NULL) {
		int n;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof path) {
			snprintf(note, sizeof note, "%s: an entry's path is longer than %zu bytes: not searched", dir,
				 sizeof path - 1);
			if (add_note(notes, note) < 0)
				goto fail;
			continue;
		}
		if (is_dir(path) && find_repositories(out, notes, path, depth + 1) < 0)
			goto fail;
	}
	closedir(d);
	return 0;
fail:
	closedir(d);
	return -1;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The repository's name: the last component of its real path, so that "." and
 * "repo/" are named like the directory they are. */
static char *base_name(const char *given)
{
	char *resolved = realpath(given, NULL), *name;
	const char *path = resolved ? resolved : given;
	size_t len = strlen(path);
	const char *end, *start;
	while (len > 1 && path[len - 1] == '/')
		len--;
	end = path + len;
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	name = strndup(start, (size_t)(end - start));
	free(resolved);
	return name;
}

static cJSON *assess_row(const job *j, const queue *q)
{
	alm_gather_options g = ALM_GATHER_OPTIONS_INIT;
	alm_facts *facts = NULL;
	cJSON *report = NULL, *row;
	const char *path = j->row_path ? j->row_path : j->path;

	if (j->ado && j->ado->error)
		return alm_portfolio_failed_row(j->name, path, j->ado->error);
	if (j->ado && j->ado->disabled)
		return alm_portfolio_failed_row(j->name, path, "the repository is disabled in Azure DevOps: its "
							       "pull requests and policies cannot be read");
	g.repo = j->path;
	g.no_repo = j->path == NULL;
	g.answers = j->answers;
	g.since = q->opts->since;
	g.all_history = q->opts->all_history;
	g.env = q->opts->env;
	g.ado_cache = q->ado_cache;
	g.pp_cache = q->pp_cache;
	g.power_platform = q->opts->power_platform;
	g.pp_admin_url = q->opts->pp_admin_url;
	g.pp_cloud = q->opts->pp_cloud;
	g.pp_environments = q->opts->pp_environments;
	g.pp_environments_count = q->opts->pp_environments_count;
	if (g.power_platform) {
		g.timeout = q->opts->timeout;
		g.ca_file = q->opts->ca_file;
	}
	if (j->ado) {
		g.ado_url = j->ado->project_url;
		g.ado_repo = j->ado->name;
		g.timeout = q->opts->timeout;
		g.ca_file = q->opts->ca_file;
		/* The row is about this Azure DevOps repository: without its evidence
		 * it is a failed row with the reason, not a quietly thinner one. */
		g.strict = 1;
	}
	if (alm_gather(&facts, NULL, &g) < 0)
		return alm_portfolio_failed_row(j->name, path,
						*alm_error_last() ? alm_error_last() : "the repository could not be read");
	if ((!j->path && alm_facts_set_probe(facts, ALM_SOURCE_REPO, "skipped",
					     "read from Azure DevOps alone (scan --ado): no local clone") < 0) ||
	    alm_assess(&report, q->rules, facts, q->opts->tool_version ? q->opts->tool_version : alm_version()) < 0)
		row = alm_portfolio_failed_row(j->name, path, alm_error_last());
	else
		row = alm_portfolio_row(j->name, path, report);
	alm_facts_free(facts);
	return row;
}

static void *worker(void *arg)
{
	queue *q = arg;
	for (;;) {
		size_t i;
		pthread_mutex_lock(&q->lock);
		i = q->next++;
		pthread_mutex_unlock(&q->lock);
		if (i >= q->n)
			return NULL;
		q->jobs[i].row = assess_row(&q->jobs[i], q);
		pthread_mutex_lock(&q->lock);
		q->done++;
		if (q->opts->on_row && q->jobs[i].row)
			q->opts->on_row(q->opts->on_row_ctx, q->jobs[i].row, q->done, q->total);
		pthread_mutex_unlock(&q->lock);
	}
}

/* Runs jobs [q->next, n) on up to `want` threads, or on this one when none
 * can be started: the queue drains all the same. */
static void run_jobs(queue *q, size_t n, size_t want)
{
	pthread_t *threads;
	size_t i, started = 0, count;

	q->n = n;
	count = q->next < n ? n - q->next : 0;
	if (want < count)
		count = want;
	threads = count ? calloc(count, sizeof *threads) : NULL;
	for (i = 0; threads && i < count; i++, started++)
		if (pthread_create(&threads[i], NULL, worker, q) != 0)
			break;
	if (started == 0)
		worker(q);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

static job *job_add(job_list *l)
{
	if (alm_vec_reserve(&l->items, &l->cap, l->n + 1) < 0)
		return NULL;
	memset(&l->items[l->n], 0, sizeof *l->items);
	return &l->items[l->n++];
}

static void job_dispose(job *j)
{
	free(j->name);
	free(j->row_path);
	free(j->answers);
	cJSON_Delete(j->row);
}

static char *ado_address(const alm_ado_listed *it)
{
	size_t n;
	char *s;
	if (it->web_url)
		return strdup(it->web_url);
	/* The service gave no web page: ORG/PROJECT[/REPO] names it all the same. */
	n = strlen(it->organization) + strlen(it->project) + (it->name ? strlen(it->name) : 0) + 3;
	if ((s = malloc(n)))
		snprintf(s, n, "%s/%s%s%s", it->organization, it->project, it->name ? "/" : "", it->name ? it->name : "");
	return s;
}

/* One job per listed repository (and per project that could not be listed). */
static int add_ado_jobs(job_list *jobs, const alm_ado_listing *listing)
{
	size_t i;
	for (i = 0; i < listing->count; i++) {
		const alm_ado_listed *it = &listing->items[i];
		job *j = job_add(jobs);
		if (!j)
			return -1;
		j->ado = it;
		j->name = strdup(it->name ? it->name : it->project);
		j->row_path = ado_address(it);
		if (!j->name || !j->row_path)
			return -1;
	}
	return 0;
}

static int add_note(cJSON **notes, const char *text)
{
	if (!notes)
		return 0;
	if ((!*notes && !(*notes = cJSON_CreateArray())) || !alm_json_add(*notes, NULL, cJSON_CreateString(text)))
		return -1;
	return 0;
}

/*
 * A local repository named like one Azure DevOps repository (case and a bare
 * repository's .git aside) is its clone: the two make one row. Returns the job
 * it joins, or NULL when it is a repository of its own (no such name, or a
 * name several projects use: which one it clones cannot be told by name).
 */
static job *clone_of(job_list *jobs, size_t nado, const char *name, cJSON **notes)
{
	job *found = NULL;
	size_t i, matches = 0, n = strlen(name);
	/* A bare clone is usually NAME.git. */
	if (n > 4 && strcasecmp(name + n - 4, ".git") == 0)
		n -= 4;
	for (i = 0; i < nado; i++) {
		job *j = &jobs->items[i];
		if (j->ado->error || j->ado->disabled || strlen(j->name) != n || strncasecmp(j->name, name, n) != 0)
			continue;
		matches++;
		found = j;
	}
	if (matches > 1) {
		char note[1024];
		snprintf(note, sizeof note, "%s is the name of %zu Azure DevOps repositories; its local clone "
			 "is assessed on its own", name, matches);
		add_note(notes, note);
		return NULL;
	}
	return found && !found->path ? found : NULL;
}

static char *map_answers(const cJSON *map, const char *map_path, const char *name)
{
	const cJSON *entry = cJSON_GetObjectItemCaseSensitive(map, name);
	char *dir, *slash, *full;
	size_t n;
	if (!cJSON_IsString(entry))
		return NULL;
	if (entry->valuestring[0] == '/')
		return strdup(entry->valuestring);
	dir = strdup(map_path ? map_path : "");
	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	n = strlen(dir) + strlen(entry->valuestring) + 1;
	full = malloc(n);
	if (full)
		snprintf(full, n, "%s%s", dir, entry->valuestring);
	free(dir);
	return full;
}

/* Lists the Azure DevOps repositories. */
static int list_ado(alm_ado_listing **out, const alm_portfolio_scan_options *opts)
{
	alm_ado_list_options lo = ALM_ADO_LIST_OPTIONS_INIT;
	char msg[1024];
	int rc;
	lo.url = opts->ado_url;
	lo.ca_file = opts->ca_file;
	lo.timeout = opts->timeout;
	lo.env = &opts->env;
	if ((rc = alm_ado_list(out, &lo)) == 0 || rc == ALM_EINVALID || rc == ALM_ENOMEM)
		return rc;
	/* Nothing to fall back on: a scan of Azure DevOps alone that cannot list
	 * fails. A URL or token to fix is bad input, the service failing is remote. */
	snprintf(msg, sizeof msg, "%s", alm_error_last());
	return alm_error_set(ALM_EREMOTE, "Azure DevOps: %s", msg);
}

/* The jobs of this shard in queue order: local repositories first, then
 * those read from Azure DevOps alone. */
static int fill_queue(queue *q, job_list *all, size_t *nlocal, const alm_portfolio_scan_options *opts)
{
	size_t i;
	int k;
	q->jobs = calloc(all->n ? all->n : 1, sizeof *q->jobs);
	if (!q->jobs)
		return -1;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < all->n; i++) {
			job *j = &all->items[i], *to;
			if ((k == 0) != (j->ado == NULL) ||
			    (opts->shards && alm_portfolio_shard(j->name, opts->shards) != opts->shard))
				continue;
			to = &q->jobs[q->n++];
			*to = *j;
			memset(j, 0, sizeof *j); /* moved */
			if (!opts->answers_map)
				continue;
			to->answers = map_answers(opts->answers_map, opts->answers_map_path, to->name);
			if (!to->answers && to->path && to->ado) {
				/* A clone may be mapped under its own spelling of the name. */
				char *local = base_name(to->path);
				to->answers = local ? map_answers(opts->answers_map, opts->answers_map_path, local) : NULL;
				free(local);
			}
		}
		if (k == 0)
			*nlocal = q->n;
	}
	return 0;
}

int alm_portfolio_scan(cJSON **out, cJSON **notes, const alm_rules *rules, const alm_portfolio_scan_options *opts)
{
	string_list paths = {0};
	job_list all = {0};
	alm_ado_listing *listing = NULL;
	cJSON *rows = NULL;
	queue q;
	size_t i, nado = 0, nlocal = 0, jobs, ado_jobs;
	int error = 0, curl_held = 0;

	*out = NULL;
	if (notes)
		*notes = NULL;
	memset(&q, 0, sizeof q);
	if (!opts || opts->version != ALM_PORTFOLIO_SCAN_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_portfolio_scan: options missing or of version %u, not %d",
				     opts ? opts->version : 0, ALM_PORTFOLIO_SCAN_OPTIONS_VERSION);
	if (opts->under && !is_dir(opts->under))
		return alm_error_set(ALM_EINVALID, "--under %s: not a directory", opts->under);
	/* Held for the whole scan, as libcurl's below: each probe's own
	 * init/shutdown pair then never tears libgit2's state down under the
	 * other workers (which leaks their per-thread state). */
	git_libgit2_init();
	if (opts->ado_url) {
		/* Probes run on several threads: libcurl is set up once, here. */
		if (alm_ado_global_init() < 0) {
			error = ALM_EREMOTE;
			goto done;
		}
		curl_held = 1;
		if ((error = list_ado(&listing, opts)) < 0)
			goto done;
		if (add_ado_jobs(&all, listing) < 0)
			goto nomem;
		nado = all.n;
	}
	if (opts->under && find_repositories(&paths, notes, opts->under, 0) < 0)
		goto nomem;
	for (i = 0; i < opts->npaths; i++)
		if (list_add(&paths, opts->paths[i]) < 0)
			goto nomem;
	if (paths.n > 1)
		qsort(paths.items, paths.n, sizeof *paths.items, compare_strings);
	for (i = 0; i < paths.n; i++) {
		char *name = base_name(paths.items[i]);
		job *j = name ? clone_of(&all, nado, name, notes) : NULL;
		if (name && j) {
			j->path = paths.items[i];
			free(name);
			continue;
		}
		if (!name || !(j = job_add(&all))) {
			free(name);
			goto nomem;
		}
		j->path = paths.items[i];
		j->name = name;
	}
	if (fill_queue(&q, &all, &nlocal, opts) < 0)
		goto nomem;

	jobs = opts->jobs;
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (size_t)cores : 1;
	}
	/* Probes wait on the network, not the processor: the cores do not bound
	 * them, only an explicit job count does. Each keeps up to 16 requests in
	 * flight itself; four at once cut an organization's scan to about 0.4 of
	 * one at a time at 20 ms a request (tests/ado_server.py --latency 20),
	 * and more would mostly queue behind the service's per-user rate limit. */
	ado_jobs = opts->jobs_given && jobs < ALM_PORTFOLIO_ADO_JOBS ? jobs : ALM_PORTFOLIO_ADO_JOBS;
	q.rules = rules;
	q.opts = opts;
	q.total = q.n;
	if ((error = alm_ado_project_cache_new(&q.ado_cache)) < 0)
		goto done;
	if (opts->power_platform && (error = alm_pp_tenant_cache_new(&q.pp_cache)) < 0)
		goto done;
	pthread_mutex_init(&q.lock, NULL);
	{
		size_t total = q.n;
		run_jobs(&q, nlocal, jobs);
		q.next = nlocal;
		run_jobs(&q, total, ado_jobs);
	}
	pthread_mutex_destroy(&q.lock);

	if (!(rows = cJSON_CreateArray()))
		goto nomem;
	for (i = 0; i < q.n; i++) {
		/* Every job makes a row: one missing ran out of memory, and the
		 * portfolio would silently lack a repository. */
		cJSON *row = q.jobs[i].row;
		q.jobs[i].row = NULL;
		if (!alm_json_add(rows, NULL, row)) {
			cJSON_Delete(rows);
			goto nomem;
		}
	}
	error = alm_portfolio_build(out, rows, rules);
	goto done;
nomem:
	error = alm_error_set(ALM_ENOMEM, "out of memory");
done:
	for (i = 0; i < q.n; i++)
		job_dispose(&q.jobs[i]);
	free(q.jobs);
	for (i = 0; i < all.n; i++)
		job_dispose(&all.items[i]);
	free(all.items);
	for (i = 0; i < paths.n; i++)
		free(paths.items[i]);
	free(paths.items);
	alm_ado_listing_free(listing);
	alm_ado_project_cache_free(q.ado_cache);
	alm_pp_tenant_cache_free(q.pp_cache);
	if (curl_held)
		alm_ado_global_shutdown();
	git_libgit2_shutdown();
	if (error < 0 && notes) {
		cJSON_Delete(*notes);
		*notes = NULL;
	}
	return error;
}
