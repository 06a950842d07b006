/* alm-advisor scan: assess many repositories at once, concurrently, into one
 * portfolio (local clones, and with --ado the repositories of Azure DevOps
 * read from the service alone); and alm-advisor merge: join the portfolios of
 * several scans. */
#include "cli.h"
#include "gather.h"

#include "alm/ado_list.h"
#include "alm/assess.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/rules.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { O_UNDER, O_ANSWERS_MAP, O_JOBS, O_SHARD, O_FORMAT, O_OUTPUT, O_RULES, O_SINCE, O_ADO, O_TIMEOUT,
       O_CA_FILE, O_COUNT };

/* Azure DevOps repositories probed at once. Each probe keeps up to 16 requests
 * in flight itself; four probes at once cut an organization's scan to about
 * 0.4 of one at a time at 20 ms a request (tests/ado_server.py --latency 20),
 * and more would mostly queue behind the service's per-user rate limit. */
#define ADO_JOBS 4

static const cli_option options[O_COUNT] = {
	[O_UNDER] = {"under", 0, "DIR", "assess every repository found below DIR"},
	[O_ANSWERS_MAP] = {"answers-map", 0, "FILE", "JSON object: repository name -> answers file"},
	[O_JOBS] = {"jobs", 'j', "N", "repositories assessed at once (default: the cores; Azure DevOps: 4)"},
	[O_SHARD] = {"shard", 0, "I/N", "assess only shard I of N (1..N), by a stable hash of the name"},
	[O_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, csv, markdown or html"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write the portfolio to FILE, atomically"},
	[O_RULES] = {"rules", 0, "FILE", "rules file replacing the built-in decision tree"},
	[O_SINCE] = {"since", 0, "WHEN", "history window: DAYS, YYYY-MM-DD or all (default 365)"},
	[O_ADO] = {"ado", 0, "URL", "every repository of https://dev.azure.com/ORG[/PROJECT], without cloning"},
	[O_TIMEOUT] = {"timeout", 0, "SECONDS", "give up on the Azure DevOps listing, or a repository, after this long (60)"},
	[O_CA_FILE] = {"ca-file", 0, "FILE", "extra certificate authorities for Azure DevOps Server"},
};

static const cli_command command = {
	"scan", "scan [PATH...] [--under DIR] [--ado URL] [options]",
	"Assesses each repository PATH (and every repository below --under DIR) and\n"
	"prints a portfolio: one row per repository with its verdict, impact tier,\n"
	"maturity, confidence, top gap and evidence, sorted by verdict then confidence.\n"
	"Each repository's answers come from .alm-advisor/answers.json in it, or from\n"
	"--answers-map. A repository that cannot be assessed is a failed row.\n"
	"With --ado, every repository of the project (or organization) is assessed from\n"
	"Azure DevOps alone (token from AZURE_DEVOPS_EXT_PAT); one also found locally\n"
	"(by name) gets its local evidence as well, in the same row.",
	options, O_COUNT, CLI_MAX_POSITIONAL};

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
	size_t n, next;
	pthread_mutex_t lock;
	const alm_rules *rules;
	const char *since;
	const char *timeout;
	const char *ca_file;
} queue;

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

typedef struct {
	char **items;
	size_t n, cap;
} string_list;

static int list_add(string_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	if (!(l->items[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

/* Finds repositories below `dir` without descending into them (their own
 * directories hold no other solutions) and without following symlinks. */
static int find_repositories(string_list *out, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[4096];
	if (depth > 32)
		return 0;
	if (is_repository(dir))
		return list_add(out, dir);
	if (!(d = opendir(dir)))
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (is_dir(path) && find_repositories(out, path, depth + 1) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
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

static void assess_one(job *j, const queue *q)
{
	gather_options g;
	alm_facts *facts = NULL;
	cJSON *report = NULL;
	const char *path = j->row_path ? j->row_path : j->path;
	char message[1024] = "";

	if (j->ado && j->ado->error) {
		j->row = alm_portfolio_failed_row(j->name, path, j->ado->error);
		return;
	}
	if (j->ado && j->ado->disabled) {
		j->row = alm_portfolio_failed_row(j->name, path, "the repository is disabled in Azure DevOps: its "
							       "pull requests and policies cannot be read");
		return;
	}
	memset(&g, 0, sizeof g);
	g.repo = j->path;
	g.no_repo = j->path == NULL;
	g.answers = j->answers;
	g.since = q->since;
	g.quiet = 1;
	g.message = message;
	g.message_size = sizeof message;
	if (j->ado) {
		g.ado_url = j->ado->project_url;
		g.ado_repo = j->ado->name;
		g.timeout = q->timeout;
		g.ca_file = q->ca_file;
		/* The row is about this Azure DevOps repository: without its evidence
		 * it is a failed row with the reason, not a quietly thinner one. */
		g.strict = 1;
	}
	if (cli_gather(&facts, &g) != EXIT_ASSESSED) {
		j->row = alm_portfolio_failed_row(j->name, path, message[0] ? message : "the repository could not be read");
		return;
	}
	if (!j->path)
		alm_facts_set_probe(facts, "repo", "skipped", "read from Azure DevOps alone (scan --ado): no local clone");
	if (alm_assess(&report, q->rules, facts, ALM_VERSION) < 0)
		j->row = alm_portfolio_failed_row(j->name, path, alm_error_last());
	else
		j->row = alm_portfolio_row(j->name, path, report);
	alm_facts_free(facts);
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
		assess_one(&q->jobs[i], q);
	}
}

/* Reads the answers map: {"name": "path/to/answers.json"}, paths relative to the map. */
static int load_answers_map(cJSON **out, const char *path)
{
	const cJSON *item;
	if (alm_json_read_file(out, path) < 0) {
		cli_error("%s", alm_error_last());
		return -1;
	}
	if (!cJSON_IsObject(*out)) {
		cli_error("%s: $: expected an object mapping repository names to answers files", path);
		return -1;
	}
	cJSON_ArrayForEach(item, *out) {
		if (!cJSON_IsString(item)) {
			cli_error("%s: $.%s: expected the path of an answers file (a string)", path, item->string);
			return -1;
		}
	}
	return 0;
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
	dir = strdup(map_path);
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

static int parse_shard(const char *text, unsigned *index, unsigned *count)
{
	char *end;
	unsigned long i = strtoul(text, &end, 10), n;
	if (end == text || *end != '/')
		return -1;
	n = strtoul(end + 1, &end, 10);
	/* At most as many shards as `merge` takes files. */
	if (*end || n == 0 || i == 0 || i > n || n > CLI_MAX_POSITIONAL)
		return -1;
	*index = (unsigned)i - 1;
	*count = (unsigned)n;
	return 0;
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

typedef struct {
	job *items;
	size_t n, cap;
} job_list;

static job *job_add(job_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		job *items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return NULL;
		l->items = items;
		l->cap = cap;
	}
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

/*
 * A local repository named like one Azure DevOps repository (case and a bare
 * repository's .git aside) is its clone: the two make one row. Returns the job
 * it joins, or NULL when it is a repository of its own (no such name, or a
 * name several projects use: which one it clones cannot be told by name).
 */
static job *clone_of(job_list *jobs, size_t nado, const char *name)
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
		fprintf(stderr, "alm-advisor: note: %s is the name of %zu Azure DevOps repositories; its local clone "
				"is assessed on its own\n", name, matches);
		return NULL;
	}
	return found && !found->path ? found : NULL;
}

/* Lists the Azure DevOps repositories; returns 0 or an exit code. */
static int list_ado(alm_ado_listing **out, const char *url, const char *timeout, const char *ca_file)
{
	alm_ado_list_options lo = ALM_ADO_LIST_OPTIONS_INIT;
	int rc;
	lo.url = url;
	lo.ca_file = ca_file;
	lo.timeout = timeout ? atof(timeout) : 0;
	if ((rc = alm_ado_list(out, &lo)) == 0)
		return 0;
	/* Nothing to fall back on: a scan of Azure DevOps alone that cannot list
	 * fails. A URL or token to fix is bad input, the service failing is remote. */
	if (rc == ALM_EINVALID) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	cli_error("Azure DevOps: %s", alm_error_last());
	return EXIT_REMOTE;
}

int cmd_scan(int argc, char **argv)
{
	cli_args a;
	string_list paths = {0};
	job_list all = {0};
	alm_ado_listing *listing = NULL;
	alm_rules *rules = NULL;
	cJSON *map = NULL, *rows = NULL, *portfolio = NULL;
	queue q;
	char *text = NULL, *end;
	size_t len = 0, i, nado = 0, nlocal = 0;
	unsigned shard = 0, shards = 0;
	long jobs;
	long long since_value;
	int format = ALM_PORTFOLIO_TEXT, all_history, code, k, curl_held = 0;

	memset(&q, 0, sizeof q);
	if ((code = cli_parse(&a, &command, argc, argv)) != 0 ||
	    (code = cli_check_output_inputs(&a, &command)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &command);
		return EXIT_ASSESSED;
	}
	if (!a.npos && !a.value[O_UNDER] && !a.value[O_ADO]) {
		cli_error("scan: name repositories (PATH...), a directory to search (--under DIR) or an Azure DevOps "
			  "project or organization (--ado URL)");
		return EXIT_USAGE;
	}
	if (a.value[O_FORMAT] && (format = alm_portfolio_format_parse(a.value[O_FORMAT])) < 0) {
		cli_error("--format '%s': expected text, json, csv, markdown or html", a.value[O_FORMAT]);
		return EXIT_USAGE;
	}
	jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (a.value[O_JOBS]) {
		jobs = strtol(a.value[O_JOBS], &end, 10);
		if (*end || end == a.value[O_JOBS] || jobs < 1 || jobs > 256) {
			cli_error("--jobs '%s': expected a number from 1 to 256", a.value[O_JOBS]);
			return EXIT_USAGE;
		}
	}
	if (jobs < 1)
		jobs = 1;
	if (a.value[O_SHARD] && parse_shard(a.value[O_SHARD], &shard, &shards) < 0) {
		cli_error("--shard '%s': expected I/N with 1 <= I <= N", a.value[O_SHARD]);
		return EXIT_USAGE;
	}
	if (a.value[O_SINCE] && cli_parse_since(a.value[O_SINCE], &since_value, &all_history, (long long)time(NULL)) < 0) {
		cli_error("--since '%s': expected a number of days, a date YYYY-MM-DD, or 'all'", a.value[O_SINCE]);
		return EXIT_USAGE;
	}
	if (a.value[O_TIMEOUT] && cli_parse_seconds(a.value[O_TIMEOUT], &(double){0}) < 0) {
		cli_error("--timeout '%s': expected a positive number of seconds", a.value[O_TIMEOUT]);
		return EXIT_USAGE;
	}
	if ((a.value[O_RULES] ? alm_rules_load_file(&rules, a.value[O_RULES]) : alm_rules_load_default(&rules)) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	code = EXIT_BAD_INPUT;
	if (a.value[O_ANSWERS_MAP] && load_answers_map(&map, a.value[O_ANSWERS_MAP]) < 0)
		goto done;
	if (a.value[O_UNDER] && !is_dir(a.value[O_UNDER])) {
		cli_error("--under %s: not a directory", a.value[O_UNDER]);
		goto done;
	}
	if (a.value[O_ADO]) {
		/* Probes run on several threads: libcurl is set up once, here. */
		if (alm_ado_global_init() < 0) {
			cli_error("%s", alm_error_last());
			code = EXIT_REMOTE;
			goto done;
		}
		curl_held = 1;
		if ((code = list_ado(&listing, a.value[O_ADO], a.value[O_TIMEOUT], a.value[O_CA_FILE])) != 0)
			goto done;
		code = EXIT_BAD_INPUT;
		if (add_ado_jobs(&all, listing) < 0) {
			cli_error("out of memory");
			goto done;
		}
		nado = all.n;
	}
	if (a.value[O_UNDER] && find_repositories(&paths, a.value[O_UNDER], 0) < 0) {
		cli_error("out of memory");
		goto done;
	}
	for (k = 0; k < a.npos; k++)
		if (list_add(&paths, a.pos[k]) < 0) {
			cli_error("out of memory");
			goto done;
		}
	if (paths.n > 1)
		qsort(paths.items, paths.n, sizeof *paths.items, compare_strings);
	for (i = 0; i < paths.n; i++) {
		char *name = base_name(paths.items[i]);
		job *j = name ? clone_of(&all, nado, name) : NULL;
		if (name && j) {
			j->path = paths.items[i];
			free(name);
			continue;
		}
		if (!name || !(j = job_add(&all))) {
			free(name);
			cli_error("out of memory");
			goto done;
		}
		j->path = paths.items[i];
		j->name = name;
	}

	/* The queue: this shard's local repositories first, then those read from
	 * Azure DevOps, each group run on its own number of threads. */
	q.jobs = calloc(all.n ? all.n : 1, sizeof *q.jobs);
	if (!q.jobs) {
		cli_error("out of memory");
		goto done;
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < all.n; i++) {
			job *j = &all.items[i];
			if ((k == 0) != (j->ado == NULL) || (shards && alm_portfolio_shard(j->name, shards) != shard))
				continue;
			q.jobs[q.n] = *j;
			memset(j, 0, sizeof *j); /* moved */
			if (map) {
				q.jobs[q.n].answers = map_answers(map, a.value[O_ANSWERS_MAP], q.jobs[q.n].name);
				if (!q.jobs[q.n].answers && q.jobs[q.n].path && q.jobs[q.n].ado) {
					/* A clone may be mapped under its own spelling of the name. */
					char *local = base_name(q.jobs[q.n].path);
					q.jobs[q.n].answers = local ? map_answers(map, a.value[O_ANSWERS_MAP], local) : NULL;
					free(local);
				}
			}
			q.n++;
		}
		if (k == 0)
			nlocal = q.n;
	}
	q.rules = rules;
	q.since = a.value[O_SINCE];
	q.timeout = a.value[O_TIMEOUT];
	q.ca_file = a.value[O_CA_FILE];
	pthread_mutex_init(&q.lock, NULL);
	{
		size_t total = q.n;
		run_jobs(&q, nlocal, (size_t)jobs);
		q.next = nlocal;
		/* Probes wait on the network, not the processor: the cores do not
		 * bound them, only an explicit -j does. */
		run_jobs(&q, total, a.value[O_JOBS] && (size_t)jobs < ADO_JOBS ? (size_t)jobs : ADO_JOBS);
	}
	pthread_mutex_destroy(&q.lock);

	rows = cJSON_CreateArray();
	for (i = 0; i < q.n; i++) {
		if (q.jobs[i].row) {
			cJSON_AddItemToArray(rows, q.jobs[i].row);
			q.jobs[i].row = NULL;
		}
	}
	if (alm_portfolio_build(&portfolio, rows, rules) < 0 ||
	    alm_portfolio_render(&text, &len, portfolio, (alm_portfolio_format)format) < 0) {
		rows = NULL;
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	rows = NULL;
	code = cli_write_output(a.value[O_OUTPUT], text, len);
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
	free(text);
	cJSON_Delete(rows);
	cJSON_Delete(portfolio);
	cJSON_Delete(map);
	alm_rules_free(rules);
	alm_ado_listing_free(listing);
	if (curl_held)
		alm_ado_global_shutdown();
	return code;
}

enum { M_FORMAT, M_OUTPUT, M_RULES, M_COUNT };

static const cli_option merge_options[M_COUNT] = {
	[M_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, csv, markdown or html"},
	[M_OUTPUT] = {"output", 'o', "FILE", "write the portfolio to FILE, atomically"},
	[M_RULES] = {"rules", 0, "FILE", "the rules the scans used (for the verdict order)"},
};

static const cli_command merge_command = {
	"merge", "merge FILE... [--format FORMAT] [-o FILE]",
	"Joins the JSON portfolios of several scans (scan --format json, e.g. the shards\n"
	"of a pipeline matrix) into one, as one scan of all their repositories would give.",
	merge_options, M_COUNT, CLI_MAX_POSITIONAL};

int cmd_merge(int argc, char **argv)
{
	cli_args a;
	alm_rules *rules = NULL;
	cJSON **docs = NULL, *portfolio = NULL;
	char *text = NULL;
	size_t len = 0;
	int format = ALM_PORTFOLIO_TEXT, code, i, loaded = 0;

	if ((code = cli_parse(&a, &merge_command, argc, argv)) != 0 ||
	    (code = cli_check_output_inputs(&a, &merge_command)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &merge_command);
		return EXIT_ASSESSED;
	}
	if (!a.npos) {
		cli_error("merge: name the portfolio files to join (FILE...)");
		return EXIT_USAGE;
	}
	if (a.value[M_FORMAT] && (format = alm_portfolio_format_parse(a.value[M_FORMAT])) < 0) {
		cli_error("--format '%s': expected text, json, csv, markdown or html", a.value[M_FORMAT]);
		return EXIT_USAGE;
	}
	if ((a.value[M_RULES] ? alm_rules_load_file(&rules, a.value[M_RULES]) : alm_rules_load_default(&rules)) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	code = EXIT_BAD_INPUT;
	docs = calloc((size_t)a.npos, sizeof *docs);
	if (!docs)
		goto done;
	for (i = 0; i < a.npos; i++, loaded++) {
		if (alm_json_read_file(&docs[i], a.pos[i]) < 0) {
			cli_error("%s", alm_error_last());
			goto done;
		}
	}
	if (alm_portfolio_merge(&portfolio, (const cJSON *const *)docs, (size_t)a.npos, rules) < 0) {
		cli_error("%s", alm_error_last());
		goto done;
	}
	if (alm_portfolio_render(&text, &len, portfolio, (alm_portfolio_format)format) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	code = cli_write_output(a.value[M_OUTPUT], text, len);
done:
	for (i = 0; i < loaded; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	free(text);
	cJSON_Delete(portfolio);
	alm_rules_free(rules);
	return code;
}
