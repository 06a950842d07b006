/*
 * Reading environments and repository paths as the decision tree's stages
 * (development, validation, test, production): the words of a name, the type
 * of an environment, a solution's name from where it lies. Pure string work.
 */
#include "pp_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[ALM_PP_STAGE_COUNT] = { "development", "validation", "test", "production" };

const char *alm_pp_stage_name(int stage)
{
	return stage >= 0 && stage < ALM_PP_STAGE_COUNT ? names[stage] : "";
}

/* Whether the lower-case `text` holds `word` as a whole word. */
int alm_pp_has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *at = text;
	while ((at = strstr(at, word)) != NULL) {
		int before = at == text || !((at[-1] >= 'a' && at[-1] <= 'z') || (at[-1] >= '0' && at[-1] <= '9'));
		int after = !((at[n] >= 'a' && at[n] <= 'z') || (at[n] >= '0' && at[n] <= '9'));
		if (before && after)
			return 1;
		at += n;
	}
	return 0;
}

void alm_pp_lower(char *out, size_t n, const char *s)
{
	size_t i;
	for (i = 0; s && s[i] && i + 1 < n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[n ? (i < n ? i : n - 1) : 0] = '\0';
}

/* The stage a name says, by its words; -1 when none. */
int alm_pp_stage_by_name(const char *name)
{
	static const char *const words[ALM_PP_STAGE_COUNT][10] = {
		[ALM_PP_STAGE_DEV] = { "dev", "develop", "development", NULL },
		[ALM_PP_STAGE_VALIDATION] = { "validation", "validate", "val", "build", "ci", NULL },
		[ALM_PP_STAGE_TEST] = { "test", "tests", "testing", "uat", "qa", "staging", "preprod", "pre", NULL },
		[ALM_PP_STAGE_PROD] = { "prod", "production", "prd", "live", NULL },
	};
	char low[256];
	int s, i;
	alm_pp_lower(low, sizeof low, name);
	/* In this order: "Pre-Production" is a test environment ("pre"). */
	for (s = 0; s < ALM_PP_STAGE_COUNT; s++)
		for (i = 0; words[s][i]; i++)
			if (alm_pp_has_word(low, words[s][i]))
				return s;
	return -1;
}

int alm_pp_stage_canonical(const char *name)
{
	int i;
	for (i = 0; i < ALM_PP_STAGE_COUNT; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return alm_pp_stage_by_name(name);
}

/* The stage an environment evidences: its name first, else its type
 * (Developer: development; Production, not the default: production). */
int alm_pp_stage_of(const char *display_name, const char *sku, int is_default, int *by_name)
{
	int s = alm_pp_stage_by_name(display_name);
	*by_name = s >= 0;
	if (s >= 0)
		return s;
	{
		/* A pipelines host or the CoE's environment is no stage, whatever its type. */
		char low[256];
		alm_pp_lower(low, sizeof low, display_name);
		if (strstr(low, "pipeline") || alm_pp_has_word(low, "coe"))
			return -1;
	}
	if (strcasecmp(sku, "Developer") == 0)
		return ALM_PP_STAGE_DEV;
	if (strcasecmp(sku, "Production") == 0 && !is_default)
		return ALM_PP_STAGE_PROD;
	return -1;
}

/* A solution's unique name from a path of repo.files.power_platform.solutions:
 * the .cdsproj file's name, or the folder above Other/Solution.xml unless that
 * folder has a generic name. NULL when neither says it. */
char *alm_pp_solution_from_path(const char *path)
{
	static const char *const generic[] = { "src", "solution", "solutions", "solutionpackage", "package", NULL };
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t n = strlen(base), i;
	if (n > 8 && strcasecmp(base + n - 8, ".cdsproj") == 0)
		return n > 8 ? strndup(base, n - 8) : NULL;
	if (strcasecmp(base, "Solution.xml") == 0 && slash) {
		/* .../<name>/Other/Solution.xml */
		const char *other = slash, *start;
		while (other > path && other[-1] != '/')
			other--;
		if (other <= path)
			return NULL;
		start = other - 1;
		while (start > path && start[-1] != '/')
			start--;
		n = (size_t)(other - 1 - start);
		if (!n)
			return NULL;
		for (i = 0; generic[i]; i++)
			if (strlen(generic[i]) == n && strncasecmp(start, generic[i], n) == 0)
				return NULL;
		return strndup(start, n);
	}
	return NULL;
}
