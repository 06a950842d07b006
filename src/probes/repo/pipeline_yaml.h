#ifndef ALM_PIPELINE_YAML_H
#define ALM_PIPELINE_YAML_H
/*
 * What a pipeline YAML file tells, read with libyaml (flow style, quoting,
 * block scalars, anchors and aliases as YAML means them): whether it is an
 * Azure Pipelines definition or a GitHub Actions workflow, whether it uses the
 * ALM Accelerator's templates and variable group, the `environment:` names,
 * and every step that deploys a solution (or exports one from development),
 * with the stage it targets and the tool it uses.
 */
#include <stddef.h>

#include "stage_names.h"

/* Nodes visited per document: aliases can make a small text a huge tree. */
#define ALM_YAML_MAX_VISITS 100000
/* Nesting followed: pipelines nest a step about ten deep (stages, stage,
 * jobs, job, strategy, deploy, steps, step, inputs); an alias cycle would be
 * endless. */
#define ALM_YAML_MAX_DEPTH 64

typedef struct {
	int parsed;                   /* at least one document was read */
	int malformed;                /* libyaml stopped at an error */
	int truncated;                /* a document had more than ALM_YAML_MAX_VISITS nodes, or nested deeper than ALM_YAML_MAX_DEPTH */
	int azure;                    /* Azure Pipelines by content */
	int github_workflow_syntax;   /* a top-level `on:` key */
	int accelerator_template_ref; /* a template of the accelerator (…@PipelineRepo) */
	int variable_group;           /* alm-accelerator-variable-group or global-variable-group */
	size_t ancestors_read;        /* enclosing blocks examined for steps' stages: at most one a visit */
} alm_yaml_info;

typedef enum {
	ALM_DEPLOY_TOOL_ACCELERATOR,  /* "alm-accelerator": the accelerator's templates */
	ALM_DEPLOY_TOOL_BUILD_TOOLS,  /* "build-tools": Power Platform Build Tools tasks */
	ALM_DEPLOY_TOOL_GITHUB,       /* "github-actions": microsoft/powerplatform-actions */
	ALM_DEPLOY_TOOL_PAC,          /* "pac-cli": pac solution import/export in a script */
	ALM_DEPLOY_TOOL_PAC_PIPELINE, /* "pac-pipeline": pac pipeline deploy */
	ALM_DEPLOY_TOOL__COUNT
} alm_deploy_tool;

const char *alm_deploy_tool_name(alm_deploy_tool tool);

typedef struct {
	alm_stage stage;      /* ALM_STAGE__COUNT when nothing names it */
	alm_deploy_tool tool;
	int export;           /* exports from development (stage is then development) */
} alm_yaml_deploy;

typedef struct {
	/* each `environment:` name (a scalar, or the name: of a mapping); may be NULL */
	int (*environment)(void *payload, const char *name, size_t len);
	/* each deploying or exporting step; may be NULL */
	int (*deploy)(void *payload, const alm_yaml_deploy *d);
	void *payload;
	/* the file's base name, the last place a stage is read from; may be NULL */
	const char *file_name;
} alm_yaml_callbacks;

/* `text` need not be NUL-terminated. Returns 0, or a callback's negative
 * return, or ALM_ENOMEM. Text that is not YAML leaves info->parsed 0. */
int alm_yaml_inspect(alm_yaml_info *info, const char *text, size_t len,
		     const alm_yaml_callbacks *cb);

#endif
