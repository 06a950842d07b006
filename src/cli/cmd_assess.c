/* alm-advisor assess: gather facts, walk the tree, render, gate. */
#include "ci_integration.h"
#include "cli.h"
#include "progress.h"

#include "alm/assess.h"
#include "alm/error.h"
#include "alm/report.h"
#include "alm/rules.h"

#include <stdlib.h>
#include <string.h>

enum { O_ANSWERS, O_RULES, O_ADO_PROJECT, O_SINCE, O_FORMAT, O_OUTPUT, O_STRICT, O_FAIL_UNLESS, O_MIN_CONFIDENCE,
       O_NO_REPO, O_ADO_CONNECTION, O_QUIET, O_POWER_PLATFORM, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_ANSWERS] = CLI_OPT_ANSWERS_AS("answers file (default: REPO/.alm-advisor/answers.json if present)"),
	[O_RULES] = CLI_OPT_RULES,
	[O_ADO_PROJECT] = CLI_GROUP(cli_group_ado_project),
	[O_SINCE] = CLI_OPT_SINCE,
	[O_FORMAT] = {"format", 'f', "FORMAT", "text (default), json, markdown, html, sarif, dot or mermaid"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write the report to FILE, atomically"},
	[O_STRICT] = CLI_OPT_STRICT,
	[O_FAIL_UNLESS] = {"fail-unless", 0, "VERDICTS", "exit 1 unless the verdict is one of these (comma-separated)"},
	[O_MIN_CONFIDENCE] = {"min-confidence", 0, "X", "exit 1 when the confidence is below X (0..1)"},
	[O_NO_REPO] = CLI_OPT_NO_REPO_AS("assess from answers (and Azure DevOps) alone, without a repository"),
	[O_ADO_CONNECTION] = CLI_GROUP(cli_group_ado_connection),
	[O_QUIET] = CLI_OPT_QUIET,
	[O_POWER_PLATFORM] = CLI_GROUP(cli_group_power_platform),
};

static const cli_command command = {
	"assess", "assess [REPO] [options]",
	"Walks the CoE ALM maturity decision tree for the solution in REPO (default: the\n"
	"current directory) and reports the verdict, the path taken, the impact tier and\n"
	"SLA, the gaps with actions, the questions still to answer, and the confidence.\n"
	"In Azure Pipelines (TF_BUILD=True) each gap is also a warning and the Markdown\n"
	"report the run's summary; in GitHub Actions it is appended to $GITHUB_STEP_SUMMARY.",
	options, O_COUNT, 1};

/* Checks --fail-unless names real verdicts, so a typo is a usage error, not a
 * gate that can never pass. */
static int check_verdict_list(const char *list, const alm_rules *rules)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ok = 1, n = 0;
	if (!copy)
		return 0;
	for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		n++;
		if (!alm_rules_verdict(rules, tok)) {
			char names[512] = "";
			const cJSON *v;
			size_t used = 0;
			cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "verdicts")) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id");
				if (used < sizeof names)
					used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
								 id->valuestring);
			}
			cli_error("--fail-unless: '%s' is not a verdict; expected one or more of %s", tok, names);
			ok = 0;
		}
	}
	free(copy);
	if (ok && n == 0) {
		cli_error("--fail-unless: expected one or more verdicts, separated by commas");
		ok = 0;
	}
	return ok;
}

static int verdict_in(const char *verdict, const char *list)
{
	size_t n = strlen(verdict);
	const char *p = list;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, verdict, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* What the meter says while the facts are gathered. Whether Azure DevOps will
 * be asked is its probe's decision; this guesses it from the same inputs only
 * to choose the words. */
static const char *gather_label(const alm_gather_options *g)
{
	const alm_env *env = &g->env;
	int ado = g->ado_url || env->ado_pat || (env->system_access_token && env->in_azure_pipelines);
	if (g->no_repo)
		return ado ? "asking Azure DevOps" : "reading the answers";
	return ado ? "reading the repository, then asking Azure DevOps" : "reading the repository";
}

int cmd_assess(int argc, char **argv)
{
	cli_args a;
	alm_gather_options g;
	alm_rules *rules = NULL;
	alm_facts *facts = NULL;
	cJSON *report = NULL;
	alm_render_options ro = ALM_RENDER_OPTIONS_INIT;
	char *text = NULL, *end;
	size_t len = 0;
	int format = ALM_FORMAT_TEXT, code;
	double min_confidence = -1;

	if ((code = cli_start(&a, &command, argc, argv)) != CLI_RUN)
		return code;
	if (a.value[O_FORMAT] && (format = alm_format_parse(a.value[O_FORMAT])) < 0) {
		cli_error("--format '%s': expected %s", a.value[O_FORMAT], alm_format_names());
		return EXIT_USAGE;
	}
	if (a.value[O_MIN_CONFIDENCE]) {
		min_confidence = strtod(a.value[O_MIN_CONFIDENCE], &end);
		if (*end || end == a.value[O_MIN_CONFIDENCE] || !(min_confidence >= 0 && min_confidence <= 1)) {
			cli_error("--min-confidence '%s': expected a number from 0 to 1", a.value[O_MIN_CONFIDENCE]);
			return EXIT_USAGE;
		}
	}
	if ((code = cli_gather_options(&g, &a, &command)) != 0)
		return code;
	if ((code = cli_load_rules(&rules, &a, &command)) != 0)
		return code;
	if (a.value[O_FAIL_UNLESS] && !check_verdict_list(a.value[O_FAIL_UNLESS], rules)) {
		code = EXIT_USAGE;
		goto done;
	}

	cli_progress_begin(gather_label(&g), !a.value[O_QUIET]);
	code = cli_gather(&facts, &g);
	if (code != EXIT_ASSESSED) {
		cli_progress_end();
		goto done;
	}
	cli_progress_label("walking the decision tree");
	if (alm_assess(&report, rules, facts, ALM_VERSION) < 0) {
		cli_progress_end();
		cli_error("%s", alm_error_last());
		code = EXIT_BAD_INPUT;
		goto done;
	}
	cli_progress_end();
	ro.rules = rules;
	ro.flags = (!a.value[O_OUTPUT] && format == ALM_FORMAT_TEXT && cli_color_allowed()) ? ALM_RENDER_COLOR : 0;
	if (alm_report_render_opts(&text, &len, report, (alm_format)format, &ro) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	if ((code = cli_write_output(a.value[O_OUTPUT], text, len)) != EXIT_ASSESSED)
		goto done;
	cli_ci_publish(report, rules, &g.env);

	if (a.value[O_FAIL_UNLESS] && !verdict_in(alm_report_verdict(report), a.value[O_FAIL_UNLESS])) {
		/* The verdict is a rules file's name: shown as spelt, like any. */
		cli_error("gate not met: the verdict is %s, not one of %s", alm_report_verdict(report),
			  a.value[O_FAIL_UNLESS]);
		code = EXIT_GATE;
	} else if (min_confidence >= 0 && alm_report_confidence(report) < min_confidence) {
		fprintf(stderr, "alm-advisor: gate not met: the confidence is %.2f, below %.2f\n",
			alm_report_confidence(report), min_confidence);
		code = EXIT_GATE;
	}
done:
	free(text);
	cJSON_Delete(report);
	alm_facts_free(facts);
	alm_rules_free(rules);
	return code;
}
