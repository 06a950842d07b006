#include "alm/report.h"
#include "alm/error.h"

#include <string.h>

int alm_format_parse(const char *name)
{
	if (strcmp(name, "text") == 0)
		return ALM_FORMAT_TEXT;
	if (strcmp(name, "json") == 0)
		return ALM_FORMAT_JSON;
	return -1;
}

int alm_report_render(char **out, size_t *len, const cJSON *report, alm_format format, unsigned flags)
{
	*out = NULL;
	if (format == ALM_FORMAT_TEXT)
		return alm_report_render_text(out, len, report, flags);
	*out = cJSON_Print(report);
	if (!*out)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	/* A trailing newline, as every line-oriented tool expects. */
	{
		size_t n = strlen(*out);
		char *grown = cJSON_malloc(n + 2);
		if (!grown) {
			cJSON_free(*out);
			*out = NULL;
			return alm_error_set(ALM_ENOMEM, "out of memory");
		}
		memcpy(grown, *out, n);
		grown[n] = '\n';
		grown[n + 1] = '\0';
		cJSON_free(*out);
		*out = grown;
		if (len)
			*len = n + 1;
	}
	return 0;
}
