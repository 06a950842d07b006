/* alm-advisor questions: the questions of the tree, the answers template, and
 * the questionnaire on a terminal. */
#include "cli.h"
#include "questionnaire.h"

#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/rules.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { O_INIT, O_INTERACTIVE, O_OUTPUT, O_RULES, O_ANSWERS, O_NO_REPO, O_ADO_PROJECT, O_SINCE, O_ADO_CONNECTION,
       O_QUIET, O_POWER_PLATFORM, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_INIT] = {"init", 0, "FILE", "write a commented answers template to FILE (never overwrites)"},
	[O_INTERACTIVE] = {"interactive", 'i', NULL, "ask, on a terminal, what the evidence in REPO left open"},
	[O_OUTPUT] = {"output", 'o', "FILE", "with --interactive: where to save the answers (atomically)"},
	[O_RULES] = CLI_OPT_RULES,
	[O_ANSWERS] = CLI_OPT_ANSWERS_AS("with --interactive: answers to start from (default: the -o FILE if it "
					 "exists, else REPO/.alm-advisor/answers.json)"),
	[O_NO_REPO] = CLI_OPT_NO_REPO_AS("with --interactive: ask everything, without reading a repository"),
	[O_ADO_PROJECT] = CLI_GROUP_AS(cli_group_ado_project, "ado",
				       "with --interactive: Azure DevOps project URL for more evidence"),
	[O_SINCE] = CLI_OPT_SINCE,
	[O_ADO_CONNECTION] = CLI_GROUP(cli_group_ado_connection),
	[O_QUIET] = CLI_OPT_QUIET,
	[O_POWER_PLATFORM] = CLI_GROUP(cli_group_power_platform),
};

static const cli_command command = {
	"questions", "questions [--init FILE] [--rules FILE] | questions --interactive -o FILE [REPO] [options]",
	"Lists the decision tree's questions with the answers-file key that answers each;\n"
	"--init FILE writes an answers template with every key, its question and its\n"
	"allowed values. --interactive -o FILE asks on the terminal only what the evidence\n"
	"in REPO (default: the current directory) and Azure DevOps left open, in the\n"
	"tree's order, and saves the answers to FILE: ? explains a question, < goes back,\n"
	"- skips, q quits (so do end of input and Ctrl-C), saving the answers so far.",
	options, O_COUNT, 1};

static int list_questions(const alm_rules *rules)
{
	const cJSON *q, *part;
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int code;
	if (!fp) {
		cli_error("out of memory");
		return EXIT_OUTPUT;
	}
	/* A rules file's texts are shown, never run, like every name from outside. */
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "questions")) {
		fprintf(fp, "%d. ", cJSON_GetObjectItemCaseSensitive(q, "number")->valueint);
		cli_show(fp, "", cJSON_GetObjectItemCaseSensitive(q, "text")->valuestring, "\n");
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(q, "parts")) {
			const cJSON *ask = cJSON_GetObjectItemCaseSensitive(part, "ask");
			cli_show(fp, "   - ", cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring, "\n");
			if (cJSON_IsString(ask))
				cli_show(fp, "     answers key: ", ask->valuestring, "\n");
		}
	}
	if (alm_memstream_finish(fp, &buf, &len, &text, &len) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_OUTPUT;
	}
	code = cli_write_output(NULL, text, len);
	free(text);
	return code;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int interactive(const cli_args *a, const alm_rules *rules, const alm_gather_options *gather)
{
	questionnaire_options q;
	memset(&q, 0, sizeof q);
	q.output = a->value[O_OUTPUT];
	q.rules = rules;
	q.quiet = a->value[O_QUIET] != NULL;
	q.gather = *gather;
	/* Running again with the same -o FILE takes up where the last run stopped. */
	if (!q.gather.answers && file_exists(q.output))
		q.gather.answers = q.output;
	return cli_questionnaire(&q);
}

int cmd_questions(int argc, char **argv)
{
	cli_args a;
	alm_gather_options gather;
	alm_rules *rules = NULL;
	char *text = NULL;
	int code;

	if ((code = cli_parse(&a, &command, argc, argv)) != 0)
		return code;
	if (a.help) {
		cli_usage(stdout, &command);
		return EXIT_ASSESSED;
	}
	if (a.value[O_INTERACTIVE]) {
		if (!a.value[O_OUTPUT]) {
			cli_error("questions --interactive needs -o FILE, where the answers are saved");
			return EXIT_USAGE;
		}
		if (a.value[O_INIT]) {
			cli_error("--init and --interactive contradict each other: one writes a template, the other asks");
			return EXIT_USAGE;
		}
		if ((code = cli_gather_options(&gather, &a, &command)) != 0)
			return code;
	} else {
		/* Only the questionnaire reads a repository or saves to -o: every
		 * option but these four is one of its. */
		static const char *const listing[] = {"init", "interactive", "rules", "quiet", NULL};
		const char *given = cli_first_given_except(&a, &command, listing);
		if (given) {
			cli_error("--%s applies to questions --interactive", given);
			return EXIT_USAGE;
		}
		if (a.npos) {
			cli_error("questions: REPO applies to --interactive (see 'alm-advisor questions --help')");
			return EXIT_USAGE;
		}
	}
	if ((code = cli_load_rules(&rules, &a, &command)) != 0)
		return code;
	if (a.value[O_INTERACTIVE]) {
		code = interactive(&a, rules, &gather);
		goto done;
	}
	if (!a.value[O_INIT]) {
		code = list_questions(rules);
		goto done;
	}
	if (alm_answers_template(&text, rules) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	if (alm_file_write_new(a.value[O_INIT], text, strlen(text)) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	cli_error("wrote %s; fill it in and pass it with --answers", a.value[O_INIT]);
	code = EXIT_ASSESSED;
done:
	free(text);
	alm_rules_free(rules);
	return code;
}
