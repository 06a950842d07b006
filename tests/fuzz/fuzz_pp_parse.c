/*
 * Every Power Platform parser on the same raw HTTP body, as the probe would
 * receive it: environments (a page and one), data policies, solutions, the
 * four Pipelines tables, the token answer, Entra ID's error body, the admin
 * API's and Dataverse's error bodies (large and tiny buffers), and the body as
 * a WWW-Authenticate challenge. They share the list wrapper and field
 * readers, so one corpus of bodies exercises them all.
 */
#include "fuzz.h"

#include "pp_parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	alm_pp_environments envs;
	alm_pp_environment one;
	alm_pp_policies policies;
	alm_pp_solutions solutions;
	alm_pp_rows rows;
	char *token = NULL, *text, message[256], tiny[6];
	double expires;
	int kind;

	if (alm_pp_parse_environments(&envs, body, size) == 0)
		alm_pp_environments_dispose(&envs);
	if (alm_pp_parse_environment(&one, body, size) == 0)
		alm_pp_environment_dispose(&one);
	if (alm_pp_parse_policies(&policies, body, size) == 0)
		alm_pp_policies_dispose(&policies);
	if (alm_pp_parse_solutions(&solutions, body, size) == 0)
		alm_pp_solutions_dispose(&solutions);
	for (kind = ALM_PP_ROW_PIPELINE; kind <= ALM_PP_ROW_STAGE_RUN; kind++)
		if (alm_pp_parse_rows(&rows, (alm_pp_row_kind)kind, body, size) == 0)
			alm_pp_rows_dispose(&rows);
	if (alm_pp_parse_token(&token, &expires, body, size) == 0)
		free(token);
	(void)alm_pp_parse_token_error(message, sizeof message, body, size);
	(void)alm_pp_parse_token_error(tiny, sizeof tiny, body, size);
	(void)alm_pp_parse_error(message, sizeof message, body, size);
	(void)alm_pp_parse_error(tiny, sizeof tiny, body, size);

	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)alm_pp_parse_challenge(message, sizeof message, text);
		(void)alm_pp_parse_challenge(tiny, sizeof tiny, text);
		free(text);
	}
	return 0;
}
