/* alm-advisor scan: assess many repositories at once, concurrently, into one
 * portfolio (local clones, and with --ado the repositories of Azure DevOps
 * read from the service alone); and alm-advisor merge: join the portfolios of
 * several scans. */
#include "cli.h"
#include "progress.h"

#include "alm/error.h"
#include "alm/json.h"
#include "alm/portfolio.h"
#include "alm/rules.h"

#include <stdlib.h>
#include <string.h>

enum { O_UNDER, O_ANSWERS_MAP, O_JOBS, O_SHARD, O_FORMAT, O_OUTPUT, O_RULES, O_SINCE, O_ADO, O_ADO_CONNECTION,
       O_QUIET, O_POWER_PLATFORM, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_UNDER] = {"under", 0, "DIR", "assess every repository found below DIR"},
	[O_ANSWERS_MAP] = {"answers-map", 0, "FILE", "JSON object: repository name -> answers file"},
	[O_JOBS] = {"jobs", 'j', "N", "repositories assessed at once (default: the cores; Azure DevOps: 4)"},
	[O_SHARD] = {"shard", 0, "I/N", "assess only shard I of N (1..N), by a stable hash of the name"},
	[O_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, csv, markdown or html"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write the portfolio to FILE, atomically"},
	[O_RULES] = CLI_OPT_RULES,
	[O_SINCE] = CLI_OPT_SINCE,
	[O_ADO] = CLI_OPT_ADO_AS("every repository of https://dev.azure.com/ORG[/PROJECT], without cloning"),
	[O_ADO_CONNECTION] = CLI_GROUP_AS(cli_group_ado_connection, "timeout",
					  "give up on the Azure DevOps listing, or a repository, after this long (60)"),
	[O_QUIET] = CLI_OPT_QUIET,
	[O_POWER_PLATFORM] = CLI_GROUP(cli_group_power_platform),
};

static const cli_command command = {
	"scan", "scan [PATH...] [--under DIR] [--ado URL] [options]",
	"Assesses each repository PATH (and every repository below --under DIR) and\n"
	"prints a portfolio: one row per repository with its verdict, impact tier,\n"
	"maturity, confidence, top gap and evidence, sorted by verdict then confidence.\n"
	"Each repository's answers come from .alm-advisor/answers.json in it, or from\n"
	"--answers-map. A repository that cannot be assessed is a failed row.\n"
	"With --ado, every repository of the project (or organization) is assessed from\n"
	"Azure DevOps alone (token from " ALM_ENV_ADO_PAT "); one also found locally\n"
	"(by name) gets its local evidence as well, in the same row.",
	options, O_COUNT, CLI_MAX_POSITIONAL};

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

/* The meter's line, "assessed 3 of 10": two buffers, so the one being
 * written is never the one the meter shows (rows come one at a time). */
static void count_row(void *ctx, const cJSON *row, size_t done, size_t total)
{
	static char lines[2][64];
	int *which = ctx;
	(void)row;
	*which = !*which;
	snprintf(lines[*which], sizeof lines[*which], "assessed %zu of %zu repositories", done, total);
	cli_progress_label(lines[*which]);
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

int cmd_scan(int argc, char **argv)
{
	cli_args a;
	alm_portfolio_scan_options so = ALM_PORTFOLIO_SCAN_OPTIONS_INIT;
	alm_rules *rules = NULL;
	cJSON *map = NULL, *portfolio = NULL, *notes = NULL;
	const cJSON *note;
	char *text = NULL, *end;
	size_t len = 0;
	long jobs = 0;
	int which = 0;
	long long since;
	int format = ALM_PORTFOLIO_TEXT, all_history, code, rc;

	if ((code = cli_start(&a, &command, argc, argv)) != CLI_RUN)
		return code;
	if (!a.npos && !a.value[O_UNDER] && !a.value[O_ADO]) {
		cli_error("scan: name repositories (PATH...), a directory to search (--under DIR) or an Azure DevOps "
			  "project or organization (--ado URL)");
		return EXIT_USAGE;
	}
	if (a.value[O_FORMAT] && (format = alm_portfolio_format_parse(a.value[O_FORMAT])) < 0) {
		cli_error("--format '%s': expected text, json, csv, markdown or html", a.value[O_FORMAT]);
		return EXIT_USAGE;
	}
	if (a.value[O_JOBS]) {
		jobs = strtol(a.value[O_JOBS], &end, 10);
		if (*end || end == a.value[O_JOBS] || jobs < 1 || jobs > 256) {
			cli_error("--jobs '%s': expected a number from 1 to 256", a.value[O_JOBS]);
			return EXIT_USAGE;
		}
	}
	if (a.value[O_SHARD] && parse_shard(a.value[O_SHARD], &so.shard, &so.shards) < 0) {
		cli_error("--shard '%s': expected I/N with 1 <= I <= N", a.value[O_SHARD]);
		return EXIT_USAGE;
	}
	if ((code = cli_check_shared(&a, &command, &since, &all_history, &so.timeout)) != 0)
		return code;
	if ((code = cli_load_rules(&rules, &a, &command)) != 0)
		return code;
	code = EXIT_BAD_INPUT;
	if (a.value[O_ANSWERS_MAP] && load_answers_map(&map, a.value[O_ANSWERS_MAP]) < 0)
		goto done;

	so.paths = (const char *const *)a.pos;
	so.npaths = (size_t)a.npos;
	so.under = a.value[O_UNDER];
	so.ado_url = a.value[O_ADO];
	so.answers_map = map;
	so.answers_map_path = a.value[O_ANSWERS_MAP];
	so.jobs = (size_t)jobs;
	so.jobs_given = a.value[O_JOBS] != NULL;
	so.since = since;
	so.all_history = all_history;
	so.ca_file = cli_value(&a, &command, "ca-file");
	so.env = *cli_env();
	{
		alm_gather_options pp = ALM_GATHER_OPTIONS_INIT;
		pp.env = so.env;
		if ((code = cli_pp_options(&pp, &a, &command)) != 0)
			goto done;
		so.env = pp.env;
		so.power_platform = pp.power_platform;
		so.pp_admin_url = pp.pp_admin_url;
		so.pp_cloud = pp.pp_cloud;
		so.pp_environments = pp.pp_environments;
		so.pp_environments_count = pp.pp_environments_count;
		code = EXIT_BAD_INPUT;
	}
	so.tool_version = ALM_VERSION;
	so.on_row = count_row;
	so.on_row_ctx = &which;
	cli_progress_begin("assessing the repositories", !a.value[O_QUIET]);
	rc = alm_portfolio_scan(&portfolio, &notes, rules, &so);
	cli_progress_end();
	cJSON_ArrayForEach(note, notes)
		cli_error("note: %s", note->valuestring);
	if (rc < 0) {
		cli_error("%s", alm_error_last());
		code = rc == ALM_EINVALID ? EXIT_BAD_INPUT : rc == ALM_EREMOTE ? EXIT_REMOTE : EXIT_OUTPUT;
		goto done;
	}
	if (alm_portfolio_render(&text, &len, portfolio, (alm_portfolio_format)format) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	code = cli_write_output(a.value[O_OUTPUT], text, len);
done:
	free(text);
	cJSON_Delete(notes);
	cJSON_Delete(portfolio);
	cJSON_Delete(map);
	alm_rules_free(rules);
	return code;
}

enum { M_FORMAT, M_OUTPUT, M_RULES, M_COUNT };

static const cli_option merge_options[M_COUNT] = {
	[M_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, csv, markdown or html"},
	[M_OUTPUT] = {"output", 'o', "FILE", "write the portfolio to FILE, atomically"},
	[M_RULES] = CLI_OPT_RULES_AS("the rules the scans used (for the verdict order)"),
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

	if ((code = cli_start(&a, &merge_command, argc, argv)) != CLI_RUN)
		return code;
	if (!a.npos) {
		cli_error("merge: name the portfolio files to join (FILE...)");
		return EXIT_USAGE;
	}
	if (a.value[M_FORMAT] && (format = alm_portfolio_format_parse(a.value[M_FORMAT])) < 0) {
		cli_error("--format '%s': expected text, json, csv, markdown or html", a.value[M_FORMAT]);
		return EXIT_USAGE;
	}
	if ((code = cli_load_rules(&rules, &a, &merge_command)) != 0)
		return code;
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
