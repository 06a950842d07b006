#include "alm/repo_locate.h"
#include "alm/error.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libgit2 1.5 reports a repository that fails the ownership check as
 * GIT_ENOTFOUND ("config value 'safe.directory' was not found") when no
 * safe.directory is set, which would tell the user there is no repository.
 * Discovery does not check ownership: a git dir it finds that belongs to
 * someone else is the real reason. `trusted` gets the directory git's
 * safe.directory wants: the work tree's top, or the git dir when bare. */
static int owned_by_another_user(const char *path, char *trusted, size_t size)
{
	git_buf found = GIT_BUF_INIT;
	struct stat st;
	size_t n;
	int other = 0;
	if (git_repository_discover(&found, path, 0, NULL) == 0 && found.ptr &&
	    stat(found.ptr, &st) == 0 && st.st_uid != geteuid()) {
		other = 1;
		n = strlen(found.ptr);
		if (n > 6 && strcmp(found.ptr + n - 6, "/.git/") == 0)
			n -= 6;
		else if (n > 1 && found.ptr[n - 1] == '/')
			n--;
		snprintf(trusted, size, "%.*s", (int)n, found.ptr);
	}
	git_buf_dispose(&found);
	git_error_clear();
	return other;
}

int alm_repo_locate(char **workdir, const char *path)
{
	git_repository *repo = NULL;
	const char *top;
	char trusted[4096];
	int rc, error = 0;

	*workdir = NULL;
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, path, 0, NULL);
	snprintf(trusted, sizeof trusted, "%s", path);
	if (rc == GIT_ENOTFOUND && owned_by_another_user(path, trusted, sizeof trusted))
		rc = GIT_EOWNER;
	if (rc == GIT_ENOTFOUND) {
		error = alm_error_set(ALM_ENOTFOUND, "%s: not a git repository (or any of its parents)", path);
		goto done;
	}
	if (rc == GIT_EOWNER) {
		error = alm_error_set(ALM_EINVALID,
				      "%s: the repository is owned by another user; if you trust it, run "
				      "'git config --global --add safe.directory %s'", path, trusted);
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

int alm_repo_read_head_file(char **out, size_t *len, const char *path, const char *rel, size_t max)
{
	git_repository *repo = NULL;
	git_object *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t size;
	int error = 0;

	*out = NULL;
	if (len)
		*len = 0;
	git_libgit2_init();
	/* A symbolic link (mode 120000) is a blob too, holding a path: not answers. */
	if (git_repository_open_ext(&repo, path, 0, NULL) < 0 ||
	    git_revparse_single(&tree, repo, "HEAD^{tree}") < 0 ||
	    git_tree_entry_bypath(&entry, (git_tree *)tree, rel) < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    (git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB &&
	     git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB_EXECUTABLE)) {
		error = alm_error_set(ALM_ENOTFOUND, "%s: no %s at HEAD", path, rel);
		goto done;
	}
	/* The size from the object's header, before anything is inflated: a
	 * 500 MB blob is refused without being read. */
	if (git_repository_odb(&odb, repo) < 0 ||
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(entry)) < 0) {
		error = alm_error_set(ALM_ENOTFOUND, "%s: HEAD:%s could not be read", path, rel);
		goto done;
	}
	if (size > max) {
		error = alm_error_set(ALM_ELIMIT, "%s: HEAD:%s is larger than the limit of %zu bytes", path, rel, max);
		goto done;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0 || (size_t)git_blob_rawsize(blob) != size) {
		error = alm_error_set(ALM_ENOTFOUND, "%s: HEAD:%s could not be read", path, rel);
		goto done;
	}
	if (!(*out = malloc(size + 1))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(*out, git_blob_rawcontent(blob), size);
	(*out)[size] = '\0';
	if (len)
		*len = size;
done:
	git_blob_free(blob);
	git_odb_free(odb);
	git_tree_entry_free(entry);
	git_object_free(tree);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return error;
}
