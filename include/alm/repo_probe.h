#ifndef ALM_REPO_PROBE_H
#define ALM_REPO_PROBE_H
/*
 * The repository probe: reads a git repository with libgit2 and records
 * repo.* facts (with evidence) in an alm_facts document. It never writes to
 * the repository: no index refresh, no lock files, no config changes.
 */
#include "alm/facts.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned int version;
	/* History window: commits at or after this time (seconds since the epoch),
	 * like `git rev-list --since`. Ignored when `all_history` is set. */
	int64_t since;
	int all_history;
} alm_repo_probe_options;

#define ALM_REPO_PROBE_OPTIONS_VERSION 1
#define ALM_REPO_PROBE_OPTIONS_INIT { ALM_REPO_PROBE_OPTIONS_VERSION, 0, 1 }

/*
 * Probes the repository at `path` (a work tree, a subdirectory of one, or a bare
 * repository) and sets repo.* facts in `facts`, and the "repo" probe status.
 * Returns 0 (possibly with a degraded status for shallow/detached checkouts),
 * ALM_ENOTFOUND when `path` is not a repository, or another negative code with
 * alm_error_last() set.
 */
int alm_repo_probe(alm_facts *facts, const char *path, const alm_repo_probe_options *opts);

#ifdef __cplusplus
}
#endif

#endif
