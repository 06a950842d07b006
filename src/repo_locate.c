#include "alm/repo_locate.h"
#include "alm/error.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

int alm_repo_locate(char **workdir, const char *path)
{
	git_repository *repo = NULL;
	const char *top;
	int rc, error = 0;

	*workdir = NULL;
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, path, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		error = alm_error_set(ALM_ENOTFOUND, "%s: not a git repository (or any of its parents)", path);
		goto done;
	}
	if (rc == GIT_EOWNER) {
		error = alm_error_set(ALM_EINVALID,
				      "%s: the repository is owned by another user; if you trust it, run "
				      "'git config --global --add safe.directory %s'", path, path);
		goto done;
	}
	if (rc < 0) {
		const git_error *e = git_error_last();
		error = alm_error_set(ALM_EINVALID, "%s: cannot open the repository: %s", path,
				      e && e->message ? e->message : "unknown error");
		goto done;
	}
	top = git_repository_workdir(repo);
	if (top && !(*workdir = strdup(top)))
		error = alm_error_set(ALM_ENOMEM, "out of memory");
done:
	git_repository_free(repo);
	git_libgit2_shutdown();
	return error;
}
