/* alm-advisor rules validate|dump|graph|eval|facts: the decision tree as data. */
#include "cli.h"

#include "alm/catalogue.h"
#include "alm/error.h"
#include "alm/graph.h"
#include "alm/json.h"
#include "alm/jsonlogic.h"
#include "alm/rules.h"
#include "escape.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { O_FORMAT, O_OUTPUT, O_RULES, O_COUNT };

static const cli_option options[O_COUNT] = {
	[O_FORMAT] = {"format", 'f', "FORMAT", "graph: dot (default) or mermaid; facts: text (default) or json"},
	[O_OUTPUT] = {"output", 'o', "FILE", "write to FILE, atomically"},
	[O_RULES] = CLI_OPT_RULES_AS("facts: also list the derived facts this rules file declares"),
};

static const cli_command command = {
	"rules", "rules validate [FILE] | dump | graph [--format dot|mermaid] | eval LOGIC DATA |\n"
	"       facts [--rules FILE] [--format text|json]",
	"validate  check a rules file (default: the built-in rules); report the first problem\n"
	"          with its JSON path, or line and column where the text does not parse\n"
	"dump      print the built-in rules (a starting point for --rules FILE)\n"
	"graph     draw the decision tree as Graphviz DOT or a Mermaid flowchart\n"
	"eval      apply JsonLogic LOGIC to DATA (each JSON text or @file); print the result\n"
	"facts     list the facts a rules file may read: name, type, source and meaning",
	options, O_COUNT, 3};

/* Reads an argument that is JSON text, or @file. */
static int json_argument(cJSON **out, const char *arg, const char *what)
{
	int error = arg[0] == '@' ? alm_json_read_file(out, arg + 1)
				  : alm_json_parse(out, arg, strlen(arg), what);
	if (error < 0)
		cli_error("%s", alm_error_last());
	return error;
}

static int print_json(const cJSON *value, const char *output)
{
	char *line;
	size_t n;
	int code;
	if (alm_json_print_compact_line(&line, &n, value) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_OUTPUT;
	}
	code = cli_write_output(output, line, n);
	free(line);
	return code;
}

static int rules_eval(const cli_args *a)
{
	cJSON *logic = NULL, *data = NULL, *result = NULL;
	int code = EXIT_BAD_INPUT;
	if (a->npos != 3) {
		cli_error("rules eval: expected LOGIC and DATA (each JSON text or @file)");
		return EXIT_USAGE;
	}
	if (json_argument(&logic, a->pos[1], "LOGIC") < 0 || json_argument(&data, a->pos[2], "DATA") < 0)
		goto done;
	if (alm_jsonlogic_apply(&result, logic, data) < 0) {
		cli_error("rules eval: %s", alm_error_last());
		goto done;
	}
	code = print_json(result, a->value[O_OUTPUT]);
done:
	cJSON_Delete(logic);
	cJSON_Delete(data);
	cJSON_Delete(result);
	return code;
}

/* The facts catalogue, as a table or as JSON. */
static int rules_facts(const cli_args *a)
{
	const char *fmt = a->value[O_FORMAT] ? a->value[O_FORMAT] : "text";
	alm_rules *rules = NULL;
	alm_catalogue *catalogue = NULL;
	cJSON *list = NULL;
	char *buf = NULL, *text = NULL;
	size_t len = 0, i;
	FILE *fp;
	int code;

	if (strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0) {
		cli_error("rules facts: --format '%s': expected text or json", fmt);
		return EXIT_USAGE;
	}
	if ((code = cli_load_rules(&rules, a, &command)) != 0)
		return code;
	if (alm_catalogue_new(&catalogue, alm_rules_json(rules)) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_BAD_INPUT;
		goto done;
	}
	if (strcmp(fmt, "json") == 0) {
		if (!(list = alm_catalogue_to_json(catalogue))) {
			cli_error("out of memory");
			code = EXIT_OUTPUT;
			goto done;
		}
		code = print_json(list, a->value[O_OUTPUT]);
		goto done;
	}
	if (!(fp = open_memstream(&buf, &len))) {
		cli_error("out of memory");
		code = EXIT_OUTPUT;
		goto done;
	}
	fprintf(fp, "%-52s %-8s %-8s %s\n", "FACT", "TYPE", "SOURCE", "MEANING");
	for (i = 0; i < alm_catalogue_count(catalogue); i++) {
		const alm_catalogue_entry *e = alm_catalogue_entry_at(catalogue, i);
		/* A rules file's derived facts name and describe themselves: shown,
		 * never run, like every other name from outside. */
		char *cell[4] = {alm_esc_terminal_dup(e->name), alm_esc_terminal_dup(e->type),
				 alm_esc_terminal_dup(e->source), alm_esc_terminal_dup(e->meaning)};
		int ok = cell[0] && cell[1] && cell[2] && cell[3];
		if (ok)
			fprintf(fp, "%-52s %-8s %-8s %s\n", cell[0], cell[1], cell[2], cell[3]);
		for (size_t c = 0; c < 4; c++)
			free(cell[c]);
		if (!ok) {
			fclose(fp);
			cli_error("out of memory");
			code = EXIT_OUTPUT;
			goto done;
		}
	}
	if (alm_memstream_finish(fp, &buf, &len, &text, &len) < 0) {
		cli_error("%s", alm_error_last());
		code = EXIT_OUTPUT;
		goto done;
	}
	code = cli_write_output(a->value[O_OUTPUT], text, len);
done:
	free(text);
	free(buf);
	cJSON_Delete(list);
	alm_catalogue_free(catalogue);
	alm_rules_free(rules);
	return code;
}

int cmd_rules(int argc, char **argv)
{
	cli_args a;
	alm_rules *rules = NULL;
	const char *action;
	int code;

	if ((code = cli_parse(&a, &command, argc, argv)) != 0 ||
	    (code = cli_check_output_inputs(&a, &command)) != 0)
		return code;
	if (a.help || a.npos == 0) {
		cli_usage(a.help ? stdout : stderr, &command);
		return a.help ? EXIT_ASSESSED : EXIT_USAGE;
	}
	action = a.pos[0];
	if (strcmp(action, "eval") == 0)
		return rules_eval(&a);
	if (strcmp(action, "validate") == 0) {
		const char *file = a.npos > 1 ? a.pos[1] : NULL;
		if (a.npos > 2) {
			cli_error("rules validate: expected at most one FILE");
			return EXIT_USAGE;
		}
		if ((file ? alm_rules_load_file(&rules, file) : alm_rules_load_default(&rules)) < 0) {
			cli_error("%s", alm_error_last());
			return EXIT_BAD_INPUT;
		}
		cli_error("%s: valid rules (version %s)", file ? file : "built-in rules",
			cJSON_GetObjectItemCaseSensitive(alm_rules_json(rules), "version")->valuestring);
		alm_rules_free(rules);
		return EXIT_ASSESSED;
	}
	if (a.npos > 1) {
		cli_error("rules %s: unexpected argument '%s'", action, a.pos[1]);
		return EXIT_USAGE;
	}
	if (strcmp(action, "facts") == 0)
		return rules_facts(&a);
	if (strcmp(action, "dump") == 0) {
		size_t len;
		const char *text = alm_rules_default_text(&len);
		return cli_write_output(a.value[O_OUTPUT], text, len);
	}
	if (strcmp(action, "graph") == 0) {
		const char *fmt = a.value[O_FORMAT] ? a.value[O_FORMAT] : "dot";
		char *text = NULL;
		alm_graph_format gf;
		if (strcmp(fmt, "dot") == 0) {
			gf = ALM_GRAPH_DOT;
		} else if (strcmp(fmt, "mermaid") == 0) {
			gf = ALM_GRAPH_MERMAID;
		} else {
			cli_error("rules graph: --format '%s': expected dot or mermaid", fmt);
			return EXIT_USAGE;
		}
		if (alm_rules_load_default(&rules) < 0 || alm_graph_render(&text, rules, gf, NULL) < 0) {
			cli_error("%s", alm_error_last());
			alm_rules_free(rules);
			return EXIT_BAD_INPUT;
		}
		code = cli_write_output(a.value[O_OUTPUT], text, strlen(text));
		free(text);
		alm_rules_free(rules);
		return code;
	}
	cli_error("rules: unknown action '%s'; expected validate, dump, graph, eval or facts", action);
	return EXIT_USAGE;
}
