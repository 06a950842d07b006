/* An output that is also an input: `-o answers.json --answers answers.json`
 * would replace the answers with the report. Refused before any work. */
#include "cli.h"

#include "alm/file.h"

#include <string.h>

static int output_index(const cli_command *cmd)
{
	int i;
	for (i = 0; i < cmd->noptions; i++)
		if (strcmp(cmd->options[i].name, "output") == 0)
			return i;
	return -1;
}

int cli_check_output_inputs(const cli_args *a, const cli_command *cmd)
{
	int out = output_index(cmd), i;
	const char *output;
	if (out < 0 || !(output = a->value[out]) || strcmp(output, "-") == 0)
		return 0;
	/* Every option taking a FILE is read (rules, answers, an answers map, a CA
	 * file), and so is every positional FILE (merge's portfolios). */
	for (i = 0; i < cmd->noptions; i++) {
		const char *metavar = cmd->options[i].metavar;
		if (i == out || !a->value[i] || !metavar || strcmp(metavar, "FILE") != 0)
			continue;
		if (alm_file_same(output, a->value[i])) {
			cli_error("--output '%s' is the same file as --%s '%s': it would be replaced; write elsewhere",
				  output, cmd->options[i].name, a->value[i]);
			return EXIT_USAGE;
		}
	}
	for (i = 0; i < a->npos; i++) {
		if (alm_file_same(output, a->pos[i])) {
			cli_error("--output '%s' is the same file as the input '%s': it would be replaced; write elsewhere",
				  output, a->pos[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}
