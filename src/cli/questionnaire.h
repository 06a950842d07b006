#ifndef ALM_CLI_QUESTIONNAIRE_H
#define ALM_CLI_QUESTIONNAIRE_H
/*
 * questions --interactive: asks on the terminal what the evidence left open.
 *
 * It works from the report, not from the rules: gather the evidence once,
 * assess, ask the first open answers key (the report's decide_with first, then
 * its unknowns, which are in the tree's order and already leave out the
 * branches the answers have closed), record the answer as an answers.* fact,
 * assess again, and so on. The answers go to an answers document
 * (rules/answers.schema.json) saved atomically to the output file when the
 * questions run out, on 'q', at the end of input or on an interrupt.
 */
#include "cli.h"

#include "alm/rules.h"

typedef struct {
	const char *output;        /* -o FILE: where the answers are saved */
	alm_gather_options gather;     /* the evidence; gather.answers: the answers to start from */
	const alm_rules *rules;
	int quiet;                 /* no progress meter */
} questionnaire_options;

/* Runs the questionnaire on the terminal; returns an exit code. Refuses (usage
 * error) when standard input or output is not a terminal. */
int cli_questionnaire(const questionnaire_options *o);

#endif
