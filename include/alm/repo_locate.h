#ifndef ALM_REPO_LOCATE_H
#define ALM_REPO_LOCATE_H
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

#endif
