#ifndef ALM_REPO_FILES_H
#define ALM_REPO_FILES_H
/*
 * The files part of the repository probe: reads the tree of one commit (HEAD,
 * never the work tree) and records repo.files.* and repo.environments.
 */
#include <git2.h>
#include <stddef.h>

#include "alm/facts.h"

/* Paths listed per fact; the evidence gives the true total. */
#define ALM_FILES_MAX_LISTED 100
/* Blobs whose content is read are bounded in size, number and total bytes. */
#define ALM_FILES_MAX_BLOB_SIZE (1024 * 1024)
#define ALM_FILES_MAX_BLOBS 2000
#define ALM_FILES_MAX_BYTES (64 * 1024 * 1024)

/*
 * Records the file facts for the tree of `commit` (NULL: no commit, every list
 * empty). Writes a one-line note about what could not be read into `note`
 * ("" when everything was read). Returns 0 or a negative alm_error_code.
 */
int alm_repo_files_scan(alm_facts *facts, git_repository *repo, const git_oid *commit,
			char *note, size_t note_size);

/*
 * What a YAML text tells (exposed for tests): `azure` when it is an Azure
 * Pipelines definition by content, `accelerator_template_ref` when it uses the
 * accelerator's templates, `variable_group` when it names the accelerator's
 * variable group. Environment names (`environment:` keys) are passed to `env`.
 */
typedef struct {
	int azure;
	int github_workflow_syntax; /* a top-level `on:` key */
	int accelerator_template_ref;
	int variable_group;
} alm_yaml_info;

int alm_yaml_inspect(alm_yaml_info *info, const char *text, size_t len,
		     int (*env)(void *payload, const char *name, size_t len), void *payload);

#endif
