#include "ci_integration.h"
#include "cli.h"

#include "alm/error.h"
#include "alm/json.h"
#include "alm/report.h"
#include "escape.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str

static void azure_publish(const cJSON *report, const char *markdown, size_t len, const alm_env *env)
{
	const char *dir = env->agent_temp_directory;
	const cJSON *gap;
	char path[4096];

	cJSON_ArrayForEach(gap, cJSON_GetObjectItemCaseSensitive(report, "gaps")) {
		fputs("##vso[task.logissue type=warning;code=", stderr);
		alm_esc_vso(stderr, str(gap, "part"), 1);
		fputs("]", stderr);
		alm_esc_vso(stderr, str(gap, "text"), 0);
		fputs(" Action: ", stderr);
		alm_esc_vso(stderr, str(gap, "action"), 0);
		fputc('\n', stderr);
	}
	if (!markdown)
		return;
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	/* One file per run: a job may assess several solutions, and the agent
	 * attaches each summary by its path. */
	if (snprintf(path, sizeof path, "%s/alm-advisor-summary-%ld.md", dir, (long)getpid()) >= (int)sizeof path) {
		cli_error("warning: %s: path too long for the pipeline summary", dir);
		return;
	}
	if (alm_file_write_atomic(path, markdown, len) < 0) {
		cli_error("warning: pipeline summary not written: %s", alm_error_last());
		return;
	}
	fputs("##vso[task.uploadsummary]", stderr);
	alm_esc_vso(stderr, path, 0);
	fputc('\n', stderr);
}

static void github_publish(const char *path, const char *markdown, size_t len)
{
	FILE *fp = fopen(path, "a");
	if (!fp || fwrite(markdown, 1, len, fp) != len || (len && markdown[len - 1] != '\n' && fputc('\n', fp) == EOF)) {
		cli_error("warning: %s: step summary not written: %s", path, strerror(errno));
		if (fp)
			fclose(fp);
		return;
	}
	if (fclose(fp) != 0)
		cli_error("warning: %s: step summary not written: %s", path, strerror(errno));
}

void cli_ci_publish(const cJSON *report, const alm_rules *rules, const alm_env *env)
{
	const char *summary = env->github_step_summary;
	int azure = env->in_azure_pipelines, github = summary != NULL;
	char *markdown = NULL;
	size_t len = 0;

	if (!azure && !github)
		return;
	if (alm_report_render_markdown(&markdown, &len, report, rules) < 0) {
		cli_error("warning: pipeline summary not written: %s", alm_error_last());
		markdown = NULL;
	}
	if (azure)
		azure_publish(report, markdown, len, env);
	if (github && markdown)
		github_publish(summary, markdown, len);
	fflush(stderr);
	free(markdown);
}
