#ifndef ALM_REPO_FILES_H
#define ALM_REPO_FILES_H
/*
 * The files part of the repository probe: reads the tree of one commit (HEAD,
 * never the work tree) and records repo.files.*, repo.environments,
 * repo.power_platform.*, repo.deployments.*, repo.deployment_settings.* and
 * repo.pipelines.*.
 */
#include <git2.h>
#include <stddef.h>

#include "alm/facts.h"
#include "tree_walk.h"

/* Paths listed per repo.files.* fact; the evidence gives the true total. */
#define ALM_FILES_MAX_LISTED 100
/* Entries listed per repo.power_platform.* and repo.deployments.* list. */
#define ALM_FILES_MAX_ENTRIES 1000
/* Blobs whose content is read are bounded in size, number and total bytes.
 * Customizations.xml, which lists a solution's connection references, may be
 * larger than the others. */
#define ALM_FILES_MAX_BLOB_SIZE (1024 * 1024)
#define ALM_FILES_MAX_CUSTOMIZATIONS_SIZE (16 * 1024 * 1024)
#define ALM_FILES_MAX_BLOBS 2000
#define ALM_FILES_MAX_BYTES (64 * 1024 * 1024)

/*
 * Records the file facts for the tree of `commit` (NULL: no commit, every list
 * empty). `limits` bounds the walk (NULL: ALM_TREE_WALK_LIMITS_INIT). Writes a
 * one-line note about what could not be read into `note` ("" when everything
 * was read). Returns 0 or a negative alm_error_code.
 */
int alm_repo_files_scan(alm_facts *facts, git_repository *repo, const git_oid *commit,
			const alm_tree_walk_limits *limits, char *note, size_t note_size);

#endif
