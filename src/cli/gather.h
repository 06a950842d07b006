#ifndef ALM_CLI_GATHER_H
#define ALM_CLI_GATHER_H
/* Gathering facts for assess and signals: the repository, the answers, Azure
 * DevOps. Probes that fail degrade the facts (their status says why) unless
 * --strict; input that is wrong is an error. */
#include "alm/facts.h"

#include <stddef.h>

typedef struct {
	const char *repo;      /* REPO, default "." */
	int no_repo;
	const char *answers;   /* --answers FILE; NULL: the repository's conventional file */
	int no_answers;        /* signals: answers are not facts of the repository */
	const char *ado_url;
	const char *ado_repo;
	const char *ca_file;
	const char *timeout;
	const char *since;     /* NULL: 365 days */
	struct alm_ado_project_cache *ado_cache; /* scan: projects read once for all their repositories */
	int strict;
	int quiet;             /* print no error or warning (scan collects them) */
	char *message;         /* when not NULL, receives the error message */
	size_t message_size;
} gather_options;

/* Fills *out (caller frees with alm_facts_free). Returns an exit code; on any
 * non-zero code the error has been printed and *out is NULL. */
int cli_gather(alm_facts **out, const gather_options *o);

#endif
