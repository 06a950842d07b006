/*
 * What a pipeline YAML file tells (alm_yaml_inspect, libyaml): the text as
 * read from a blob, not NUL-terminated. Every byte of every environment name
 * handed to the callback is read, so a name that runs past its buffer is
 * caught, and every deployment's stage and tool are checked to be names.
 */
#include "fuzz.h"

#include "pipeline_yaml.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	size_t names, deploys;
} seen;

static int on_env(void *payload, const char *name, size_t len)
{
	seen *s = payload;
	volatile char sink;
	size_t i;
	for (i = 0; i < len; i++)
		sink = name[i];
	(void)sink;
	s->names++;
	return 0;
}

static int on_deploy(void *payload, const alm_yaml_deploy *d)
{
	seen *s = payload;
	if (!alm_deploy_tool_name(d->tool) || (d->stage != ALM_STAGE__COUNT && !alm_stage_name(d->stage)))
		abort();
	s->deploys++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	alm_yaml_info info;
	seen s = {0, 0};
	alm_yaml_callbacks cb = { on_env, on_deploy, &s, "deploy-prod-x.yml" };
	(void)alm_yaml_inspect(&info, (const char *)data, size, &cb);
	(void)alm_stage_from_text((const char *)data, size);
	return 0;
}
