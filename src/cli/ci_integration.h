#ifndef ALM_CLI_CI_INTEGRATION_H
#define ALM_CLI_CI_INTEGRATION_H
/*
 * What assess adds when it runs in a pipeline, so the result shows where the
 * pipeline's users look, whatever --format the step asked for:
 *
 * - Azure Pipelines (TF_BUILD=True): a ##vso[task.logissue type=warning] per
 *   gap, and the Markdown report written to the agent's temporary directory
 *   (AGENT_TEMPDIRECTORY, else TMPDIR, else /tmp) and attached to the run with
 *   ##vso[task.uploadsummary]. The agent reads logging commands from stdout and
 *   stderr alike; they go to stderr so stdout stays the report.
 * - GitHub Actions (GITHUB_STEP_SUMMARY set): the Markdown report appended to
 *   the step summary.
 *
 * Nothing happens when neither variable is set. A failure here is a warning
 * on stderr, never a failed assessment: the report itself was produced.
 */
#include <cJSON.h>

#include "alm/probe.h"
#include "alm/rules.h"

/* `env` says which pipeline this is (TF_BUILD, GITHUB_STEP_SUMMARY, ...). */
void cli_ci_publish(const cJSON *report, const alm_rules *rules, const alm_env *env);

#endif
