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

/* Azure DevOps repositories probed at once (each probe keeps up to 16 requests
 * in flight itself): more would mostly queue behind the service's per-user
 * rate limit. */
#define ADO_JOBS 4

static const cli_option options[O_COUNT] = {
	[O_UNDER] = {"under", 0, "DIR", "assess every repository found below DIR"},
	[O_ANSWERS_MAP] = {"answers-map", 0, "FILE", "JSON object: repository name -> answers file"},
	[O_JOBS] = {"jobs", 'j', "N", "repositories assessed at once (default: the number of cores)"},
	[O_SHARD] = {"shard", 0, "I/N", "assess only shard I of N (1..N), by a stable hash of the name"},
	[O_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, csv, markdown or html"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write the portfolio to FILE, atomically"},
	[O_RULES] = {"rules", 0, "FILE", "rules file replacing the built-in decision tree"},
	[O_SINCE] = {"since", 0, "WHEN", "history window: DAYS, YYYY-MM-DD or all (default 365)"},
	[O_ADO] = {"ado", 0, "URL", "assess every repository of an Azure DevOps project, or of every project of "
				  "an organization (https://dev.azure.com/ORG[/PROJECT]), without cloning"},
	[O_TIMEOUT] = {"timeout", 0, "SECONDS", "give up on Azure DevOps after this long, for the listing and for "
						 "each repository (default 60)"},
	[O_CA_FILE] = {"ca-file", 0, "FILE", "extra certificate authorities for Azure DevOps Server"},
};

static const cli_command command = {
	"scan", "scan [PATH...] [--under DIR] [options]",
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

static char *base_name(const char *path)
{
	size_t len = strlen(path);
	const char *end, *start;
	while (len > 1 && path[len - 1] == '/')
		len--;
	end = path + len;
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	return strndup(start, (size_t)(end - start));
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
	if (*end || n == 0 || i == 0 || i > n || n > 100000)
		return -1;
	*index = (unsigned)i - 1;
	*count = (unsigned)n;
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	cli_args a;
	string_list paths = {0};
	alm_rules *rules = NULL;
	cJSON *map = NULL, *rows = NULL, *portfolio = NULL;
	pthread_t *threads = NULL;
	queue q;
	char *text = NULL, *end;
	size_t len = 0, i, nthreads;
	unsigned shard = 0, shards = 0;
	long jobs;
	long long since_value;
	int format = ALM_PORTFOLIO_TEXT, all, code, k;

	memset(&q, 0, sizeof q);
	if ((code = cli_parse(&a, &command, argc, argv)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &command);
		return EXIT_ASSESSED;
	}
	if (a.value[O_ADO]) {
		cli_error("scan --ado is not built yet: clone the repositories and use 'scan --under DIR', "
			  "or run 'assess --ado URL' per repository");
		return EXIT_USAGE;
	}
	if (!a.npos && !a.value[O_UNDER]) {
		cli_error("scan: name repositories (PATH...) or a directory to search (--under DIR)");
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
	if (a.value[O_SHARD] && parse_shard(a.value[O_SHARD], &shard, &shards) < 0) {
		cli_error("--shard '%s': expected I/N with 1 <= I <= N", a.value[O_SHARD]);
		return EXIT_USAGE;
	}
	if (a.value[O_SINCE] && cli_parse_since(a.value[O_SINCE], &since_value, &all, (long long)time(NULL)) < 0) {
		cli_error("--since '%s': expected a number of days, a date YYYY-MM-DD, or 'all'", a.value[O_SINCE]);
		return EXIT_USAGE;
	}
	if ((a.value[O_RULES] ? alm_rules_load_file(&rules, a.value[O_RULES]) : alm_rules_load_default(&rules)) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	code = EXIT_BAD_INPUT;
	if (a.value[O_ANSWERS_MAP] && load_answers_map(&map, a.value[O_ANSWERS_MAP]) < 0)
		goto done;
	if (a.value[O_UNDER]) {
		if (!is_dir(a.value[O_UNDER])) {
			cli_error("--under %s: not a directory", a.value[O_UNDER]);
			goto done;
		}
		if (find_repositories(&paths, a.value[O_UNDER], 0) < 0) {
			cli_error("out of memory");
			goto done;
		}
	}
	for (k = 0; k < a.npos; k++)
		if (list_add(&paths, a.pos[k]) < 0) {
			cli_error("out of memory");
			goto done;
		}
	if (paths.n > 1)
		qsort(paths.items, paths.n, sizeof *paths.items, compare_strings);

	q.jobs = calloc(paths.n ? paths.n : 1, sizeof *q.jobs);
	if (!q.jobs) {
		cli_error("out of memory");
		goto done;
	}
	for (i = 0; i < paths.n; i++) {
		char *name = base_name(paths.items[i]);
		if (!name || (shards && alm_portfolio_shard(name, shards) != shard)) {
			free(name);
			continue;
		}
		q.jobs[q.n].path = paths.items[i];
		q.jobs[q.n].name = name;
		q.jobs[q.n].answers = map ? map_answers(map, a.value[O_ANSWERS_MAP], name) : NULL;
		q.n++;
	}
	q.rules = rules;
	q.since = a.value[O_SINCE];
	pthread_mutex_init(&q.lock, NULL);
	nthreads = (size_t)jobs < q.n ? (size_t)jobs : q.n;
	threads = calloc(nthreads ? nthreads : 1, sizeof *threads);
	if (!threads) {
		cli_error("out of memory");
		goto done;
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, worker, &q) != 0) {
			nthreads = i; /* run with the threads we have; the queue drains all the same */
			break;
		}
	if (nthreads == 0)
		worker(&q);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
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
	for (i = 0; i < q.n; i++) {
		free(q.jobs[i].name);
		free(q.jobs[i].answers);
		cJSON_Delete(q.jobs[i].row);
	}
	free(q.jobs);
	for (i = 0; i < paths.n; i++)
		free(paths.items[i]);
	free(paths.items);
	free(threads);
	free(text);
	cJSON_Delete(rows);
	cJSON_Delete(portfolio);
	cJSON_Delete(map);
	alm_rules_free(rules);
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

	if ((code = cli_parse(&a, &merge_command, argc, argv)) != 0)
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
