/* alm-advisor questions: the questions of the tree, and the answers template. */
#include "cli.h"

#include "alm/answers.h"
#include "alm/error.h"
#include "alm/json.h"
#include "alm/rules.h"

#include <stdlib.h>
#include <string.h>

enum { O_INIT, O_INTERACTIVE, O_OUTPUT, O_RULES, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_INIT] = {"init", 0, "FILE", "write a commented answers template to FILE (never overwrites)"},
	[O_INTERACTIVE] = {"interactive", 'i', NULL, "ask the questions on the terminal (not built yet)"},
	[O_OUTPUT] = {"output", 'o', "FILE", "with --interactive: where to save the answers"},
	[O_RULES] = {"rules", 0, "FILE", "rules file replacing the built-in decision tree"},
};

static const cli_command command = {
	"questions", "questions [--init FILE] [--rules FILE]",
	"Lists the decision tree's questions with the answers-file key that answers each;\n"
	"--init FILE writes an answers template with every key, its question and its\n"
	"allowed values.",
	options, O_COUNT, 0};

static int list_questions(const alm_rules *rules)
{
	const cJSON *q, *part;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int code;
	if (!fp) {
		cli_error("out of memory");
		return EXIT_OUTPUT;
	}
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "questions")) {
		fprintf(fp, "%d. %s\n", cJSON_GetObjectItemCaseSensitive(q, "number")->valueint,
			cJSON_GetObjectItemCaseSensitive(q, "text")->valuestring);
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(q, "parts")) {
			const cJSON *ask = cJSON_GetObjectItemCaseSensitive(part, "ask");
			fprintf(fp, "   - %s\n", cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring);
			if (cJSON_IsString(ask))
				fprintf(fp, "     answers key: %s\n", ask->valuestring);
		}
	}
	fclose(fp);
	code = buf ? cli_write_output(NULL, buf, len) : EXIT_OUTPUT;
	free(buf);
	return code;
}

int cmd_questions(int argc, char **argv)
{
	cli_args a;
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
		cli_error("questions --interactive is not built yet; write the answers with "
			  "'alm-advisor questions --init FILE' and edit them");
		return EXIT_USAGE;
	}
	if ((a.value[O_RULES] ? alm_rules_load_file(&rules, a.value[O_RULES]) : alm_rules_load_default(&rules)) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
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
	fprintf(stderr, "alm-advisor: wrote %s; fill it in and pass it with --answers\n", a.value[O_INIT]);
	code = EXIT_ASSESSED;
done:
	free(text);
	alm_rules_free(rules);
	return code;
}
