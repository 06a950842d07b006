/* alm-advisor signals: the facts gathered as evidence, as JSON. */
#include "cli.h"
#include "gather.h"

#include "alm/error.h"

#include <stdlib.h>
#include <string.h>

enum { O_SINCE, O_ADO, O_ADO_REPO, O_ANSWERS, O_OUTPUT, O_STRICT, O_TIMEOUT, O_CA_FILE, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_SINCE] = {"since", 0, "WHEN", "history window: DAYS, YYYY-MM-DD or all (default 365)"},
	[O_ADO] = {"ado", 0, "URL", "Azure DevOps project URL (token from AZURE_DEVOPS_EXT_PAT)"},
	[O_ADO_REPO] = {"ado-repo", 0, "NAME", "Azure DevOps repository (default: matched from the remote)"},
	[O_ANSWERS] = {"answers", 'a', "FILE", "also record the answers of FILE as answers.* facts"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write the facts to FILE, atomically"},
	[O_STRICT] = {"strict", 0, NULL, "fail (exit 4) when a remote service fails"},
	[O_TIMEOUT] = {"timeout", 0, "SECONDS", "give up on Azure DevOps after this long in all (default 60)"},
	[O_CA_FILE] = {"ca-file", 0, "FILE", "extra certificate authorities for Azure DevOps Server"},
};

static const cli_command command = {
	"signals", "signals [REPO] [options]",
	"Prints the facts read from the repository (and Azure DevOps when asked) as JSON\n"
	"(\"schema\": \"alm-advisor/facts@1\"), each with its source and evidence.",
	options, O_COUNT, 1};

int cmd_signals(int argc, char **argv)
{
	cli_args a;
	gather_options g;
	alm_facts *facts = NULL;
	cJSON *doc = NULL;
	char *text = NULL;
	int code;

	if ((code = cli_parse(&a, &command, argc, argv)) != 0 ||
	    (code = cli_check_output_inputs(&a, &command)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &command);
		return EXIT_ASSESSED;
	}
	if (a.value[O_TIMEOUT] && cli_parse_seconds(a.value[O_TIMEOUT], &(double){0}) < 0) {
		cli_error("--timeout '%s': expected a positive number of seconds", a.value[O_TIMEOUT]);
		return EXIT_USAGE;
	}
	memset(&g, 0, sizeof g);
	g.repo = a.npos ? a.pos[0] : ".";
	g.answers = a.value[O_ANSWERS];
	g.no_answers = 1;
	g.ado_url = a.value[O_ADO];
	g.ado_repo = a.value[O_ADO_REPO];
	g.ca_file = a.value[O_CA_FILE];
	g.timeout = a.value[O_TIMEOUT];
	g.since = a.value[O_SINCE];
	g.strict = a.value[O_STRICT] != NULL;
	if ((code = cli_gather(&facts, &g)) != EXIT_ASSESSED)
		return code;
	doc = alm_facts_to_json(facts);
	text = doc ? cJSON_Print(doc) : NULL;
	if (!text) {
		cli_error("out of memory");
		code = EXIT_OUTPUT;
	} else {
		size_t n = strlen(text);
		char *line = realloc(text, n + 2);
		if (line) {
			text = line;
			text[n] = '\n';
			text[n + 1] = '\0';
		}
		code = cli_write_output(a.value[O_OUTPUT], text, strlen(text));
	}
	free(text);
	cJSON_Delete(doc);
	alm_facts_free(facts);
	return code;
}
