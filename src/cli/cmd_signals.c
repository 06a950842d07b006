/* alm-advisor signals: the facts gathered as evidence, and what the rules
 * derive from them, as JSON. */
#include "cli.h"

#include "alm/derive.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/rules.h"

#include <stdlib.h>
#include <string.h>

enum { O_SINCE, O_ADO_PROJECT, O_ANSWERS, O_RULES, O_OUTPUT, O_STRICT, O_ADO_CONNECTION, O_POWER_PLATFORM, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_SINCE] = CLI_OPT_SINCE,
	[O_ADO_PROJECT] = CLI_GROUP(cli_group_ado_project),
	[O_ANSWERS] = CLI_OPT_ANSWERS_AS("also record the answers of FILE as answers.* facts"),
	[O_RULES] = CLI_OPT_RULES_AS("rules file whose derived section is evaluated (default: the built-in rules)"),
	[O_OUTPUT] = {"output", 'o', "FILE", "write the facts to FILE, atomically"},
	[O_STRICT] = CLI_OPT_STRICT,
	[O_ADO_CONNECTION] = CLI_GROUP(cli_group_ado_connection),
	[O_POWER_PLATFORM] = CLI_GROUP(cli_group_power_platform),
};

static const cli_command command = {
	"signals", "signals [REPO] [options]",
	"Prints the facts read from the repository (and Azure DevOps and the Power Platform\n"
	"when asked) as JSON\n"
	"(\"schema\": \"alm-advisor/facts@1\"), each with its source and evidence, and under\n"
	"\"derived\" what the rules' derived section makes of them (the values that stand in for\n"
	"missing answers), each with its evidence sentence and the text it rests on.",
	options, O_COUNT, 1};

/* The facts as JSON, with the rules' derived values after them. */
static int signals_document(cJSON **out, const alm_facts *facts, const alm_rules *rules)
{
	alm_derivation *derivation = NULL;
	unsigned long failures = alm_json_add_failures();
	cJSON *doc;
	*out = NULL;
	if (alm_derive(&derivation, rules, facts) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	doc = alm_facts_to_json(facts);
	if (doc)
		alm_json_add(doc, "derived", cJSON_Duplicate(alm_derivation_list(derivation), 1));
	alm_derivation_free(derivation);
	if (!doc || alm_json_add_check(failures, "the facts") < 0) {
		cJSON_Delete(doc);
		cli_error("out of memory");
		return EXIT_OUTPUT;
	}
	*out = doc;
	return EXIT_ASSESSED;
}

int cmd_signals(int argc, char **argv)
{
	cli_args a;
	alm_gather_options g;
	alm_facts *facts = NULL;
	alm_rules *rules = NULL;
	cJSON *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	int code;

	if ((code = cli_start(&a, &command, argc, argv)) != CLI_RUN)
		return code;
	if ((code = cli_gather_options(&g, &a, &command)) != 0)
		return code;
	/* Before any probe runs: a rules file that will not load is known at once. */
	if ((code = cli_load_rules(&rules, &a, &command)) != 0)
		return code;
	/* The facts of the repository: its answers file is not evidence. */
	g.no_answers = 1;
	if ((code = cli_gather(&facts, &g)) != EXIT_ASSESSED)
		goto done;
	if ((code = signals_document(&doc, facts, rules)) != EXIT_ASSESSED)
		goto done;
	if (alm_json_print_line(&text, &len, doc) < 0) {
		cli_error("out of memory");
		code = EXIT_OUTPUT;
	} else {
		code = cli_write_output(a.value[O_OUTPUT], text, len);
	}
done:
	free(text);
	cJSON_Delete(doc);
	alm_facts_free(facts);
	alm_rules_free(rules);
	return code;
}
