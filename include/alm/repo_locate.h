#ifndef ALM_REPO_LOCATE_H
#define ALM_REPO_LOCATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
/*
 * Finding a repository's top-level directory, read-only, so the CLI can find
 * the answers a team keeps in its repository (.alm-advisor/answers.json).
 */

/*
 * Opens the repository at or above `path` without changing it. On success
 * *workdir is the work tree's top (with a trailing slash) or NULL for a bare
 * repository; the caller frees it. ALM_ENOTFOUND with "PATH: not a git
 * repository" when there is none; another code (with a message saying what to
 * do) when the repository cannot be opened, e.g. owned by another user.
 */
int alm_repo_locate(char **workdir, const char *path);

/*
 * Reads the file `rel` from the tree at HEAD of the repository at `path`, without
 * a work tree (a bare repository keeps its team's answers there too). *out is a
 * NUL-terminated copy the caller frees. ALM_ENOTFOUND when there is no such file
 * (or no HEAD); ALM_ELIMIT when it is larger than `max` bytes.
 */
int alm_repo_read_head_file(char **out, size_t *len, const char *path, const char *rel, size_t max);

#ifdef __cplusplus
}
#endif

#endif
