#include "cli.h"
#include "progress.h"

#include "alm/json.h"
#include "alm/error.h"
#include "escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	char line[4096], *text = line;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof line && (text = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	fputs("alm-advisor: ", stderr);
	/* A name in the message (a directory, a file, a branch) is shown as it is
	 * spelt: an escape sequence in it is never run by the terminal. */
	alm_esc_terminal(stderr, text ? text : line);
	fputc('\n', stderr);
	if (text != line)
		free(text);
}

void cli_show(FILE *fp, const char *before, const char *text, const char *after)
{
	fputs(before, fp);
	alm_esc_terminal(fp, text ? text : "?");
	fputs(after, fp);
}

static const cli_option ado_project_rows[] = {
	CLI_OPT_ADO_AS("Azure DevOps project URL (token from " ALM_ENV_ADO_PAT ")"),
	{.name = "ado-repo", .metavar = "NAME", .help = "Azure DevOps repository (default: matched from the remote)"},
};
const cli_group cli_group_ado_project = {ado_project_rows, (int)(sizeof ado_project_rows / sizeof *ado_project_rows)};

static const cli_option ado_connection_rows[] = {
	{.name = "timeout", .metavar = "SECONDS", .help = "give up on Azure DevOps after this long in all (default 60)"},
	{.name = "ca-file", .metavar = "FILE", .help = "extra certificate authorities for Azure DevOps Server"},
};
const cli_group cli_group_ado_connection = {ado_connection_rows,
					    (int)(sizeof ado_connection_rows / sizeof *ado_connection_rows)};

static const cli_option power_platform_rows[] = {
	{.name = "power-platform",
	 .metavar = "URL",
	 .help = "read the Power Platform tenant (credentials from AZURE_TENANT_ID, AZURE_CLIENT_ID, "
		 "AZURE_CLIENT_SECRET); URL: another admin API",
	 .optional = 1},
	{.name = "cloud", .metavar = "NAME", .help = "the tenant's cloud: public (default), usgov, usgovhigh, dod or china"},
	{.name = "pp-environment", .metavar = "ID|URL", .help = "also look in this environment (repeatable; 'all': every one)"},
	{.name = "pp-token-env", .metavar = "VAR", .help = "a pre-fetched admin API token is in the environment variable VAR"},
};
const cli_group cli_group_power_platform = {power_platform_rows,
					    (int)(sizeof power_platform_rows / sizeof *power_platform_rows)};

int cli_command_rows(cli_option rows[CLI_MAX_ROWS], int slots[CLI_MAX_ROWS], const cli_command *cmd)
{
	int i, j, n = 0, next_slot = cmd->noptions;
	for (i = 0; i < cmd->noptions; i++) {
		const cli_option *o = &cmd->options[i];
		if (!o->group) {
			if (n < CLI_MAX_ROWS) {
				rows[n] = *o;
				slots[n++] = i;
			}
			continue;
		}
		for (j = 0; j < o->group->noptions && n < CLI_MAX_ROWS && next_slot < CLI_MAX_OPTIONS; j++) {
			rows[n] = o->group->options[j];
			if (o->name && strcmp(o->name, rows[n].name) == 0)
				rows[n].help = o->help;
			slots[n++] = next_slot++;
		}
	}
	return n;
}

/* The slot of the option spelt `name` (len bytes) in the command, or -1;
 * *row, when found, is its row. */
static int find_long(cli_option *row, const cli_command *cmd, const char *name, size_t len)
{
	cli_option rows[CLI_MAX_ROWS];
	int slots[CLI_MAX_ROWS], n = cli_command_rows(rows, slots, cmd), i;
	for (i = 0; i < n; i++) {
		if (strlen(rows[i].name) == len && strncmp(rows[i].name, name, len) == 0) {
			*row = rows[i];
			return slots[i];
		}
	}
	return -1;
}

static int find_short(cli_option *row, const cli_command *cmd, char c)
{
	cli_option rows[CLI_MAX_ROWS];
	int slots[CLI_MAX_ROWS], n = cli_command_rows(rows, slots, cmd), i;
	for (i = 0; i < n; i++) {
		if (rows[i].short_name == c) {
			*row = rows[i];
			return slots[i];
		}
	}
	return -1;
}

/* How many slots the command's values take: its own rows and its groups' members. */
static int slot_count(const cli_command *cmd)
{
	int i, n = cmd->noptions;
	for (i = 0; i < cmd->noptions; i++)
		if (cmd->options[i].group)
			n += cmd->options[i].group->noptions;
	return n;
}

int cli_parse(cli_args *out, const cli_command *cmd, int argc, char **argv)
{
	int i, only_positional = 0;
	memset(out, 0, sizeof *out);
	/* A table grown past the slots would lose options silently: say so at once. */
	if (slot_count(cmd) > CLI_MAX_OPTIONS) {
		cli_error("%s: more than %d options in its table (CLI_MAX_OPTIONS)", cmd->name, CLI_MAX_OPTIONS);
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		cli_option o;
		int idx;

		if (only_positional || arg[0] != '-' || arg[1] == '\0') {
			if (out->npos >= cmd->max_positional || out->npos >= CLI_MAX_POSITIONAL) {
				cli_error("%s: unexpected argument '%s' (see 'alm-advisor %s --help')", cmd->name, arg,
					  cmd->name);
				return EXIT_USAGE;
			}
			out->pos[out->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			out->help = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			idx = find_long(&o, cmd, arg + 2, len);
			if (eq)
				value = eq + 1;
		} else {
			idx = arg[2] == '\0' ? find_short(&o, cmd, arg[1]) : -1;
		}
		if (idx < 0) {
			cli_error("%s: unknown option '%s' (see 'alm-advisor %s --help')", cmd->name, arg, cmd->name);
			return EXIT_USAGE;
		}
		if (o.optional && !value) {
			/* Only an address is taken from the next argument: a REPO never is one. */
			if (i + 1 < argc && (strncmp(argv[i + 1], "https://", 8) == 0 || strncmp(argv[i + 1], "http://", 7) == 0))
				value = argv[++i];
			else
				value = "1";
		} else if (o.metavar) {
			if (!value) {
				if (i + 1 >= argc) {
					cli_error("%s: option '--%s' needs a value %s", cmd->name, o.name,
						  o.metavar);
					return EXIT_USAGE;
				}
				value = argv[++i];
			}
		} else if (value) {
			cli_error("%s: option '--%s' takes no value", cmd->name, o.name);
			return EXIT_USAGE;
		} else {
			value = "1";
		}
		out->value[idx] = value;
		out->count[idx]++;
		if (out->nevery >= CLI_MAX_VALUES) {
			cli_error("%s: more than %d option values", cmd->name, CLI_MAX_VALUES);
			return EXIT_USAGE;
		}
		out->every_option[out->nevery] = idx;
		out->every_value[out->nevery++] = value;
	}
	return 0;
}

int cli_start(cli_args *a, const cli_command *cmd, int argc, char **argv)
{
	int code;
	if ((code = cli_parse(a, cmd, argc, argv)) != 0 || (code = cli_check_output_inputs(a, cmd)) != 0)
		return code;
	if (a->help) {
		cli_usage(stdout, cmd);
		return EXIT_ASSESSED;
	}
	return CLI_RUN;
}

int cli_values(const cli_args *a, int slot, const char **out, int max)
{
	int i, n = 0;
	for (i = 0; i < a->nevery && n < max; i++)
		if (a->every_option[i] == slot)
			out[n++] = a->every_value[i];
	return n;
}

void cli_usage(FILE *fp, const cli_command *cmd)
{
	cli_option rows[CLI_MAX_ROWS];
	int slots[CLI_MAX_ROWS], n = cli_command_rows(rows, slots, cmd), i;
	fprintf(fp, "usage: alm-advisor %s\n\n%s\n", cmd->synopsis, cmd->summary);
	if (n)
		fputs("\noptions:\n", fp);
	for (i = 0; i < n; i++) {
		const cli_option *o = &rows[i];
		char left[64];
		const char *open = o->optional ? " [" : " ", *close = o->optional ? "]" : "";
		if (!o->metavar)
			open = close = "";
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s%s", o->short_name, o->name, open,
				 o->metavar ? o->metavar : "", close);
		else
			snprintf(left, sizeof left, "    --%s%s%s%s", o->name, open, o->metavar ? o->metavar : "", close);
		fprintf(fp, "  %-30s %s\n", left, o->help);
	}
	fprintf(fp, "  %-30s %s\n", "-h, --help", "show this help");
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	if (path && strcmp(path, "-") != 0) {
		if (alm_file_write_atomic(path, data, len) < 0) {
			cli_error("%s", alm_error_last());
			return EXIT_OUTPUT;
		}
		return EXIT_ASSESSED;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write to standard output: %s", strerror(errno));
		return EXIT_OUTPUT;
	}
	return EXIT_ASSESSED;
}

int cli_color_allowed(void)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (no && *no)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(STDOUT_FILENO);
}

int cli_parse_seconds(const char *text, double *seconds)
{
	char *end;
	double v = strtod(text, &end);
	/* Written so that NaN fails too: every comparison with it is false. */
	if (end == text || *end || !(v > 0 && v <= 86400))
		return -1;
	*seconds = v;
	return 0;
}

int cli_parse_since(const char *text, long long *since, int *all, long long now)
{
	char *end;
	long days;
	struct tm tm;

	*all = 0;
	*since = 0;
	if (strcmp(text, "all") == 0) {
		*all = 1;
		return 0;
	}
	errno = 0;
	days = strtol(text, &end, 10);
	if (*text && *end == '\0' && errno == 0 && days >= 0 && days <= 365L * 200) {
		*since = now - (long long)days * 86400;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(text, "%Y-%m-%d", &tm);
	if (end && *end == '\0') {
		/* strptime takes 2024-02-30 and timegm makes it 2024-03-01: a date
		 * that does not exist is refused (the leap-year rule included). */
		int year = tm.tm_year + 1900, month = tm.tm_mon, day = tm.tm_mday;
		static const int days_in[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
		time_t t;
		if (month < 0 || month > 11 || day < 1 || day > days_in[month] + (month == 1 && leap))
			return -1;
		t = timegm(&tm);
		if (t != (time_t)-1) {
			*since = (long long)t;
			return 0;
		}
	}
	return -1;
}

const char *cli_value(const cli_args *a, const cli_command *cmd, const char *name)
{
	cli_option row;
	int slot = find_long(&row, cmd, name, strlen(name));
	return slot < 0 ? NULL : a->value[slot];
}

const char *cli_first_given_except(const cli_args *a, const cli_command *cmd, const char *const *allowed)
{
	cli_option rows[CLI_MAX_ROWS];
	int slots[CLI_MAX_ROWS], n = cli_command_rows(rows, slots, cmd), i, j;
	for (i = 0; i < n; i++) {
		if (!a->value[slots[i]])
			continue;
		for (j = 0; allowed[j] && strcmp(allowed[j], rows[i].name) != 0; j++)
			;
		if (!allowed[j])
			return rows[i].name;
	}
	return NULL;
}

const alm_env *cli_env(void)
{
	static alm_env env;
	static int read;
	if (!read) {
		alm_env_from_process(&env, NULL);
		read = 1;
	}
	return &env;
}

int cli_check_shared(const cli_args *a, const cli_command *cmd, long long *since, int *all_history,
		     double *timeout)
{
	const char *s = cli_value(a, cmd, "since"), *t = cli_value(a, cmd, "timeout");
	if (cli_parse_since(s ? s : "365", since, all_history, (long long)time(NULL)) < 0) {
		cli_error("--since '%s': expected a number of days, a date YYYY-MM-DD, or 'all'", s);
		return EXIT_USAGE;
	}
	*timeout = 0;
	if (t && cli_parse_seconds(t, timeout) < 0) {
		cli_error("--timeout '%s': expected a positive number of seconds", t);
		return EXIT_USAGE;
	}
	return 0;
}

static int option_slot(const cli_command *cmd, const char *name)
{
	cli_option row;
	return find_long(&row, cmd, name, strlen(name));
}

int cli_pp_options(alm_gather_options *g, const cli_args *a, const cli_command *cmd)
{
	static const char *environments[CLI_MAX_PP_ENVIRONMENTS];
	static const char *const clouds[] = {"public", "usgov", "usgovhigh", "dod", "china", NULL};
	const char *v = cli_value(a, cmd, "power-platform"), *token_var = cli_value(a, cmd, "pp-token-env");
	int env = option_slot(cmd, "pp-environment"), n = 0, i;

	if (option_slot(cmd, "power-platform") < 0)
		return 0;
	g->power_platform = v != NULL;
	g->pp_admin_url = v && strstr(v, "://") ? v : NULL;
	g->pp_cloud = cli_value(a, cmd, "cloud");
	if (env >= 0) {
		if (a->count[env] > CLI_MAX_PP_ENVIRONMENTS) {
			cli_error("--pp-environment: at most %d (or 'all')", CLI_MAX_PP_ENVIRONMENTS);
			return EXIT_USAGE;
		}
		n = cli_values(a, env, environments, CLI_MAX_PP_ENVIRONMENTS);
	}
	g->pp_environments = environments;
	g->pp_environments_count = (size_t)n;
	if (v && !g->pp_admin_url && strcmp(v, "1") != 0) {
		cli_error("--power-platform '%s': expected the admin API's https:// URL, or nothing", v);
		return EXIT_USAGE;
	}
	if (g->pp_cloud) {
		for (i = 0; clouds[i] && strcmp(clouds[i], g->pp_cloud) != 0; i++)
			;
		if (!clouds[i]) {
			cli_error("--cloud '%s': expected public, usgov, usgovhigh, dod or china", g->pp_cloud);
			return EXIT_USAGE;
		}
	}
	if (!g->power_platform && (g->pp_cloud || n || token_var)) {
		cli_error("--cloud, --pp-environment and --pp-token-env apply with --power-platform");
		return EXIT_USAGE;
	}
	if (token_var) {
		const char *token = getenv(token_var);
		g->env.power_platform_token = token && *token ? token : NULL;
		if (!g->env.power_platform_token && !g->env.azure_client_secret && !g->env.azure_federated_token_file) {
			cli_error("--pp-token-env %.100s: the variable %.100s is not set", token_var, token_var);
			return EXIT_BAD_INPUT;
		}
	}
	return 0;
}

int cli_gather_options(alm_gather_options *g, const cli_args *a, const cli_command *cmd)
{
	alm_gather_options init = ALM_GATHER_OPTIONS_INIT;
	long long since = 0;
	int all = 0, code;

	*g = init;
	if ((code = cli_check_shared(a, cmd, &since, &all, &g->timeout)) != 0)
		return code;
	g->since = since;
	g->all_history = all;
	g->repo = a->npos ? a->pos[0] : ".";
	g->no_repo = cli_value(a, cmd, "no-repo") != NULL;
	g->answers = cli_value(a, cmd, "answers");
	g->ca_file = cli_value(a, cmd, "ca-file");
	g->ado_url = cli_value(a, cmd, "ado");
	g->ado_repo = cli_value(a, cmd, "ado-repo");
	g->strict = cli_value(a, cmd, "strict") != NULL;
	g->env = *cli_env();
	if ((code = cli_pp_options(g, a, cmd)) != 0)
		return code;
	if (g->no_repo && a->npos) {
		cli_error("--no-repo and a REPO argument contradict each other");
		return EXIT_USAGE;
	}
	return 0;
}

static void progress_label(void *ctx, const char *label)
{
	(void)ctx;
	cli_progress_label(label);
}

int cli_gather(alm_facts **out, const alm_gather_options *g)
{
	alm_gather_options o = *g;
	cJSON *warnings = NULL;
	const cJSON *w;
	int rc;

	o.progress = progress_label;
	if ((rc = alm_gather(out, &warnings, &o)) < 0) {
		cli_error("%s", alm_error_last());
		return rc == ALM_EREMOTE ? EXIT_REMOTE : EXIT_BAD_INPUT;
	}
	/* A warning may quote a service's message: shown, never run. */
	cJSON_ArrayForEach(w, warnings)
		if (cJSON_IsString(w))
			cli_error("warning: %s", w->valuestring);
	cJSON_Delete(warnings);
	return EXIT_ASSESSED;
}

int cli_load_rules(alm_rules **out, const cli_args *a, const cli_command *cmd)
{
	const char *file = cli_value(a, cmd, "rules");
	if ((file ? alm_rules_load_file(out, file) : alm_rules_load_default(out)) < 0) {
		cli_error("%s", alm_error_last());
		return EXIT_BAD_INPUT;
	}
	return 0;
}
