/* alm-advisor: walks the CoE ALM maturity decision tree for a Power Platform
 * solution. This file only dispatches to the subcommands. */
#include "cli.h"

#include "alm/jsonlogic.h"

#include <git2.h>

#include <stdio.h>
#include <string.h>

#ifndef ALM_VERSION
#define ALM_VERSION "0.0.0"
#endif

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"assess", cmd_assess, "walk the decision tree and report a verdict, the path, gaps and confidence"},
	{"signals", cmd_signals, "print the facts gathered from the repository (and Azure DevOps) as JSON"},
	{"scan", cmd_scan, "assess many repositories at once into a portfolio (--under DIR, -j N, --shard I/N)"},
	{"merge", cmd_merge, "join the JSON portfolios of several scans (e.g. the shards of a matrix)"},
	{"questions", cmd_questions, "list the questions, or write an answers template (--init FILE)"},
	{"rules", cmd_rules, "validate, dump, draw or evaluate rules; list the facts they may read (facts)"},
};

static void usage(FILE *fp)
{
	size_t i;
	fputs("usage: alm-advisor COMMAND [options]\n\n"
	      "Decides whether a Power Platform team should adopt the ALM Accelerator for Power\n"
	      "Platform (now deprecated; each verdict names the supported path), from the team's\n"
	      "git repository, Azure DevOps and its answers.\n\ncommands:\n",
	      fp);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n  --help     show this help; every command has --help\n"
	      "  --version  print the version\n\n"
	      "exit codes: 0 produced, 1 gate not met, 2 usage, 3 bad input, 4 remote failure\n"
	      "(--strict), 5 output could not be written\n",
	      fp);
}

/* JsonLogic's "log" is a diagnostic: one line on stderr, never stdout. */
static void log_to_stderr(const char *json, void *data)
{
	(void)data;
	fprintf(stderr, "%s\n", json);
}

int main(int argc, char **argv)
{
	size_t i;
	alm_jsonlogic_set_log(log_to_stderr, NULL);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return fflush(stdout) == 0 ? EXIT_ASSESSED : EXIT_OUTPUT;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("alm-advisor %s\n", ALM_VERSION);
		return fflush(stdout) == 0 ? EXIT_ASSESSED : EXIT_OUTPUT;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			int code;
			/* Held for the whole run: the library's own init/shutdown pairs then
			 * never tear libgit2's per-thread state down under a scan's workers. */
			git_libgit2_init();
			/* The environment is read here, once, before any thread starts. */
			(void)cli_env();
			code = commands[i].run(argc - 2, argv + 2);
			git_libgit2_shutdown();
			/* Whatever a command printed (its --help, say) must have been written. */
			if (fflush(stdout) != 0 || ferror(stdout)) {
				if (code == EXIT_ASSESSED || code == EXIT_GATE)
					cli_error("cannot write to standard output");
				code = EXIT_OUTPUT;
			}
			return code;
		}
	}
	cli_error("unknown command '%s' (see 'alm-advisor --help')", argv[1]);
	return EXIT_USAGE;
}
