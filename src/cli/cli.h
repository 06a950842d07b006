#ifndef ALM_CLI_H
#define ALM_CLI_H
/* The command-line program's shared parts: exit codes, the option table and
 * its parser, and writing the report. Only the CLI talks to the terminal. */
#include "alm/probe.h"
#include "alm/rules.h"

#include <stddef.h>
#include <stdio.h>

/* Exit codes: part of the contract (README, man page). */
enum {
	EXIT_ASSESSED = 0,   /* the assessment (or other output) was produced */
	EXIT_GATE = 1,       /* --fail-unless / --min-confidence not met */
	EXIT_USAGE = 2,      /* the command line is wrong */
	EXIT_BAD_INPUT = 3,  /* rules, answers, logic, or not a repository */
	EXIT_REMOTE = 4,     /* a remote service failed while --strict */
	EXIT_OUTPUT = 5      /* the report could not be written */
};

#define CLI_MAX_OPTIONS 32 /* slots of one command: its own rows and its groups' members */
#define CLI_MAX_POSITIONAL 1024
#define CLI_MAX_VALUES 64 /* values of repeated options, all options together */

typedef struct cli_group cli_group;

typedef struct {
	const char *name;     /* long name without dashes */
	char short_name;      /* 0 when none */
	const char *metavar;  /* NULL: a flag without a value */
	const char *help;
	int optional;         /* the value may be left out: taken only as --name=VALUE, or when
			       * the next argument is an http(s):// URL; else the value is "1" */
	/* Set on a CLI_GROUP row, which stands for the group's rows at its place
	 * in the table (and in --help); its own name and help, when set, say what
	 * that one member means for this command (CLI_GROUP_AS). */
	const cli_group *group;
} cli_option;

/* Options several commands take together, defined once: adding a row here
 * adds it to every command whose table has the group. The readers look the
 * members up by name (cli_value), so no command names them. */
struct cli_group {
	const cli_option *options;
	int noptions;
};

#define CLI_GROUP(g) {.group = &(g)}
#define CLI_GROUP_AS(g, member, text) {.name = (member), .help = (text), .group = &(g)}

/* --ado and --ado-repo: which Azure DevOps project and repository. */
extern const cli_group cli_group_ado_project;
/* --timeout and --ca-file: how Azure DevOps is reached. */
extern const cli_group cli_group_ado_connection;
/* --power-platform, --cloud, --pp-environment and --pp-token-env, read by
 * cli_pp_options for any command whose table has the group. */
extern const cli_group cli_group_power_platform;

/* At most this many rows in a command, its groups spread out. */
#define CLI_MAX_ROWS CLI_MAX_OPTIONS

typedef struct {
	const char *value[CLI_MAX_OPTIONS]; /* by slot: the last value given, or "1" for a flag */
	int count[CLI_MAX_OPTIONS];
	const char *pos[CLI_MAX_POSITIONAL];
	int npos;
	int help;
	int every_option[CLI_MAX_VALUES]; /* each value given, in order, with its option's slot */
	const char *every_value[CLI_MAX_VALUES];
	int nevery;
} cli_args;

/* Every value given for the option in `slot`, in order, into out (at most
 * max); returns how many. */
int cli_values(const cli_args *a, int slot, const char **out, int max);

/*
 * A command's table: its own rows, each at the index its enum names (which
 * is also the slot of its value in cli_args), and CLI_GROUP rows; a group's
 * members take the slots after the table's own.
 */
typedef struct {
	const char *name;      /* "assess" */
	const char *synopsis;  /* "assess [REPO] [options]" */
	const char *summary;   /* one line */
	const cli_option *options;
	int noptions;
	int max_positional;
} cli_command;

/* The command's rows in --help order, groups spread out (each member with
 * its help for this command), into rows, and the slot of each into slots.
 * Returns how many. */
int cli_command_rows(cli_option rows[CLI_MAX_ROWS], int slots[CLI_MAX_ROWS], const cli_command *cmd);

/*
 * Options several subcommands share, each defined once: its name, short
 * name, value and help. The _AS forms keep the name and value but say what
 * the option means for that one subcommand. cli_gather_options checks each.
 */
#define CLI_OPT_SINCE                                                                                                \
	{.name = "since", .metavar = "WHEN", .help = "history window: DAYS, YYYY-MM-DD or all (default 365)"}
#define CLI_OPT_RULES CLI_OPT_RULES_AS("rules file replacing the built-in decision tree")
#define CLI_OPT_RULES_AS(text) {.name = "rules", .metavar = "FILE", .help = (text)}
#define CLI_OPT_ADO_AS(text) {.name = "ado", .metavar = "URL", .help = (text)}
#define CLI_OPT_STRICT {.name = "strict", .help = "fail (exit 4) when a remote service fails, instead of degrading"}
#define CLI_OPT_ANSWERS_AS(text) {.name = "answers", .short_name = 'a', .metavar = "FILE", .help = (text)}
#define CLI_OPT_NO_REPO_AS(text) {.name = "no-repo", .help = (text)}
#define CLI_OPT_QUIET                                                                                                \
	{.name = "quiet", .short_name = 'q', .help = "no progress meter on stderr (it shows only on a terminal anyway)"}
#define CLI_MAX_PP_ENVIRONMENTS 16

/* The value of the option `name` in `cmd`'s table, or NULL when not given
 * (or not in the table). */
const char *cli_value(const cli_args *a, const cli_command *cmd, const char *name);

/* The name of the first option given, in --help order, that is not one of
 * `allowed` (NULL-terminated names), or NULL. */
const char *cli_first_given_except(const cli_args *a, const cli_command *cmd, const char *const *allowed);

/* The environment, read once from the process at the first call (main makes
 * it, before any thread starts). */
const alm_env *cli_env(void);

/* Reads the Power Platform options of `cmd` (when its table has them) into
 * `g`, and the pre-fetched token from the variable --pp-token-env names (the
 * environment is read here, at the edge). Returns 0, or prints the error and
 * returns EXIT_USAGE or EXIT_BAD_INPUT. */
int cli_pp_options(alm_gather_options *g, const cli_args *a, const cli_command *cmd);

/*
 * Builds the gathering options from the parsed command line (REPO, --no-repo,
 * --answers, --since, --timeout, --ca-file, --ado, --ado-repo, --strict and the
 * Power Platform group, each when the command has it) and the environment.
 * The strings are borrowed from `a`. Returns 0, or prints a one-line error
 * and returns EXIT_USAGE (EXIT_BAD_INPUT from cli_pp_options).
 */
int cli_gather_options(alm_gather_options *g, const cli_args *a, const cli_command *cmd);

/* Checks --since, --timeout and the --rules file's presence alone, for a
 * command that gathers nothing itself (scan). Returns 0 or EXIT_USAGE. */
int cli_check_shared(const cli_args *a, const cli_command *cmd, long long *since, int *all_history,
		     double *timeout);

/* Gathers the facts by `g`, printing the warnings; returns an exit code
 * (EXIT_BAD_INPUT, EXIT_REMOTE with the error printed) and *out on success. */
int cli_gather(alm_facts **out, const alm_gather_options *g);

/* Loads --rules FILE, or the defaults; prints the error and returns
 * EXIT_BAD_INPUT, or 0. */
int cli_load_rules(alm_rules **out, const cli_args *a, const cli_command *cmd);

/* Parses argv (after the subcommand) by the command's table. Returns 0, or
 * prints a one-line error naming the option and returns EXIT_USAGE. */
int cli_parse(cli_args *out, const cli_command *cmd, int argc, char **argv);

/* What cli_start returns when the command is to run. */
#define CLI_RUN (-1)

/* The start of a command that writes an --output: parses argv (cli_parse),
 * refuses an output that is one of the inputs (cli_check_output_inputs) and
 * answers --help on stdout. Returns CLI_RUN, or the exit code to return. */
int cli_start(cli_args *a, const cli_command *cmd, int argc, char **argv);

/* EXIT_USAGE, with a line naming both, when the command's --output names the
 * same file (device and inode) as one of its FILE options or positional
 * arguments, which the report would replace; else 0. */
int cli_check_output_inputs(const cli_args *a, const cli_command *cmd);

/* Prints the command's usage, generated from its table. */
void cli_usage(FILE *fp, const cli_command *cmd);

/* One diagnostic line on stderr (an error, a warning, a note), prefixed
 * "alm-advisor: "; control characters in it are shown escaped. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* `before`, then text from outside (a rules file's, the evidence's, a name)
 * shown as cli_error shows it, never run ("?" for NULL), then `after`. */
void cli_show(FILE *fp, const char *before, const char *text, const char *after);

/* Writes `len` bytes to stdout (checking that the write and flush succeeded),
 * or atomically to `path` when not NULL. Returns an exit code. */
int cli_write_output(const char *path, const char *data, size_t len);

/* Whether colour may be used on stdout: a terminal, NO_COLOR unset, TERM not dumb. */
int cli_color_allowed(void);

/* Parses --timeout: a positive, finite number of seconds. -1 otherwise. */
int cli_parse_seconds(const char *text, double *seconds);

/* Parses --since: DAYS, YYYY-MM-DD, or "all". */
int cli_parse_since(const char *text, long long *since, int *all, long long now);

int cmd_assess(int argc, char **argv);
int cmd_signals(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_questions(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
