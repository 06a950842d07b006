/* An output that is also an input: `-o answers.json --answers answers.json`
 * would replace the answers with the report. Refused before any work. */
#include "cli.h"

#include "alm/file.h"

#include <string.h>

int cli_check_output_inputs(const cli_args *a, const cli_command *cmd)
{
	cli_option rows[CLI_MAX_ROWS];
	int slots[CLI_MAX_ROWS], n = cli_command_rows(rows, slots, cmd), i;
	const char *output = cli_value(a, cmd, "output");
	if (!output || strcmp(output, "-") == 0)
		return 0;
	/* Every option taking a FILE is read (rules, answers, an answers map, a CA
	 * file), and so is every positional FILE (merge's portfolios). */
	for (i = 0; i < n; i++) {
		const char *metavar = rows[i].metavar, *value = a->value[slots[i]];
		if (strcmp(rows[i].name, "output") == 0 || !value || !metavar || strcmp(metavar, "FILE") != 0)
			continue;
		if (alm_file_same(output, value)) {
			cli_error("--output '%s' is the same file as --%s '%s': it would be replaced; write elsewhere",
				  output, rows[i].name, value);
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
