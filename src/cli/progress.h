#ifndef ALM_CLI_PROGRESS_H
#define ALM_CLI_PROGRESS_H
/*
 * A one-line progress meter on stderr for the steps that can take more than a
 * second (reading a long history, asking Azure DevOps), in the manner of curl's:
 * only when stderr is a terminal and --quiet was not given, only once the work
 * has lasted PROGRESS_DELAY_MS (a quick run prints nothing), redrawn at most
 * every 100 ms by a thread of its own (the probes block), and erased when done.
 * One meter at a time: the CLI does one thing at a time.
 */

/* Starts the meter with `label` ("reading the repository"). `enabled` is the
 * caller's say (false with --quiet); the terminal test is made here. */
void cli_progress_begin(const char *label, int enabled);

/* Changes what the meter says; a no-op when no meter runs. `label` must stay
 * valid until the next call or cli_progress_end. */
void cli_progress_label(const char *label);

/* Stops the meter and erases its line. A no-op when none runs. */
void cli_progress_end(void);

#endif
