#include "stage_names.h"

#include <string.h>
#include <strings.h>

/*
 * The words each stage goes by. Development: dev, development. Validation:
 * validation, val (the accelerator's pull-request build). Test: test, testing,
 * uat, qa (user acceptance and quality assurance environments are the test
 * stage). Production: prod, production, prd. Anything else (staging, sandbox,
 * hotfix) names no stage: a guess would put a wrong stage in the report.
 */
static const struct {
	const char *word;
	alm_stage stage;
} words[] = {
	{ "dev", ALM_STAGE_DEVELOPMENT }, { "development", ALM_STAGE_DEVELOPMENT },
	{ "validation", ALM_STAGE_VALIDATION }, { "val", ALM_STAGE_VALIDATION },
	{ "test", ALM_STAGE_TEST }, { "testing", ALM_STAGE_TEST }, { "uat", ALM_STAGE_TEST },
	{ "qa", ALM_STAGE_TEST },
	{ "prod", ALM_STAGE_PRODUCTION }, { "production", ALM_STAGE_PRODUCTION },
	{ "prd", ALM_STAGE_PRODUCTION },
};

const char *alm_stage_name(alm_stage stage)
{
	static const char *const names[] = { "development", "validation", "test", "production" };
	return stage < ALM_STAGE__COUNT ? names[stage] : NULL;
}

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_lower(c) || is_upper(c) || is_digit(c); }

static alm_stage word_stage(const char *w, size_t n)
{
	size_t i;
	for (i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i].word) == n && strncasecmp(words[i].word, w, n) == 0)
			return words[i].stage;
	return ALM_STAGE__COUNT;
}

/* A word ends before i when the case or kind changes: aB, 1a, a1, and the
 * last capital of an acronym before a lower-case letter (UATEnv: UAT|Env). */
static int boundary(const char *s, size_t i, size_t len)
{
	char a = s[i - 1], b = s[i];
	if (is_lower(a) && is_upper(b))
		return 1;
	if (is_digit(a) != is_digit(b))
		return 1;
	return is_upper(a) && is_upper(b) && i + 1 < len && is_lower(s[i + 1]);
}

alm_stage alm_stage_from_text(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t start;
		alm_stage st;
		while (i < len && !is_alnum(text[i]))
			i++;
		start = i;
		while (i < len && is_alnum(text[i]) && (i == start || !boundary(text, i, len)))
			i++;
		if (i > start && (st = word_stage(text + start, i - start)) != ALM_STAGE__COUNT)
			return st;
	}
	return ALM_STAGE__COUNT;
}
