/*
 * What a pipeline YAML file tells (alm_yaml_inspect): the text as read from a
 * blob, not NUL-terminated. Every byte of every environment name handed to
 * the callback is read, so a name that runs past its buffer is caught.
 */
#include "fuzz.h"

#include "repo_files.h"

#include <stdlib.h>

typedef struct {
	size_t names;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	alm_yaml_info info;
	seen s = {0};
	(void)alm_yaml_inspect(&info, (const char *)data, size, on_env, &s);
	return 0;
}
