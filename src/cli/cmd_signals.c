/* alm-advisor signals: the facts gathered as evidence, as JSON. */
#include "cli.h"

#include "alm/error.h"

#include <stdlib.h>
#include <string.h>

enum { O_SINCE, O_ADO, O_ADO_REPO, O_ANSWERS, O_OUTPUT, O_STRICT, O_TIMEOUT, O_CA_FILE, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_SINCE] = CLI_OPT_SINCE,
	[O_ADO] = CLI_OPT_ADO,
	[O_ADO_REPO] = CLI_OPT_ADO_REPO,
	[O_ANSWERS] = CLI_OPT_ANSWERS_AS("also record the answers of FILE as answers.* facts"),
	[O_OUTPUT] = {"output", 'o', "FILE", "write the facts to FILE, atomically"},
	[O_STRICT] = CLI_OPT_STRICT,
	[O_TIMEOUT] = CLI_OPT_TIMEOUT,
	[O_CA_FILE] = CLI_OPT_CA_FILE,
};

static const cli_command command = {
	"signals", "signals [REPO] [options]",
	"Prints the facts read from the repository (and Azure DevOps when asked) as JSON\n"
	"(\"schema\": \"alm-advisor/facts@1\"), each with its source and evidence.",
	options, O_COUNT, 1};

int cmd_signals(int argc, char **argv)
{
	cli_args a;
	alm_gather_options g;
	alm_facts *facts = NULL;
	cJSON *doc = NULL;
	char *text = NULL;
	int code;

	if ((code = cli_parse(&a, &command, argc, argv)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &command);
		return EXIT_ASSESSED;
	}
	if ((code = cli_gather_options(&g, &a, &command)) != 0)
		return code;
	/* The facts of the repository: its answers file is not evidence. */
	g.no_answers = 1;
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
