#ifndef ALM_REPO_HISTORY_H
#define ALM_REPO_HISTORY_H
/*
 * Whole-history counts for the repository probe: one pass over the commits
 * reachable from a set of tips, within a time window, reading each commit
 * object at most once.
 *
 * The commit set matches `git log --since=T <tips>`: the walk does not go past
 * a commit older than T, so a commit is counted when a path of commits no
 * older than T leads to it from a tip. Commits listed in the shallow file have
 * no parents, as for git. Replace refs and grafts are not honoured.
 */
#include <git2.h>
#include <stddef.h>
#include <stdint.h>

#include "pr_classify.h"

#define ALM_HISTORY_NO_TIME INT64_MIN

/* Commit objects up to this size are read whole; of a larger one only the
 * first ALM_HISTORY_PREFIX_BYTES (its headers and the start of its message)
 * where it can be streamed, or the whole object up to ALM_HISTORY_MAX_FULL_READ
 * where it cannot (libgit2 streams no packed object). */
#define ALM_HISTORY_MAX_COMMIT_BYTES (1024 * 1024)
#define ALM_HISTORY_PREFIX_BYTES (64 * 1024)
#define ALM_HISTORY_MAX_FULL_READ (16 * 1024 * 1024)

typedef struct {
	int64_t since;        /* commit time >= since; ignored with all_history */
	int all_history;
	int use_commit_graph; /* read objects/info/commit-graph when usable */
	int threads;          /* readers for the second phase; 0 picks */
} alm_history_options;

typedef struct {
	size_t commits, merges;
	size_t pr[ALM_PR__COUNT]; /* indexed by alm_pr_kind; [ALM_PR_NONE] unused */
	size_t pr_total;
	size_t authors;           /* distinct lower-cased author e-mails */
	int64_t newest;           /* newest commit time, ALM_HISTORY_NO_TIME if none */
	int64_t newest_any;       /* the same, the window aside (the newest commit older
				     than the window when none is in it) */

	/* Along the first-parent chain of the designated tip. */
	size_t fp_commits, fp_merges, fp_prs, fp_direct;

	size_t unreadable;        /* commits whose object could not be read or parsed */
	size_t too_large;         /* of those, commits too large to read (bounds above) */
	size_t truncated;         /* commits whose message was read only in part */
	size_t from_graph;        /* commits whose shape came from the commit-graph */
	int shallow_file;         /* the shallow file was read */
} alm_history;

/*
 * Walks from `tips` (any object ids; annotated tags are peeled). `fp_tip` is
 * the index in `tips` whose first-parent chain is counted, or -1. When
 * `tip_times` is not NULL it receives each tip's commit time, or
 * ALM_HISTORY_NO_TIME when the tip is not a readable commit.
 * Returns 0 (unreadable commits are counted, not fatal) or ALM_ENOMEM/ALM_ERROR.
 */
int alm_history_walk(alm_history *out, git_repository *repo, const git_oid *tips,
		     size_t ntips, long fp_tip, int64_t *tip_times,
		     const alm_history_options *opts);

/*
 * The commit `id` names (annotated tags peeled) and its tree, reading each
 * object within the bounds above: a huge commit costs no more than its prefix.
 * Returns 0, or -1 when `id` leads to no readable commit.
 */
int alm_history_commit_tree(git_oid *commit, git_oid *tree, git_repository *repo,
			    const git_oid *id);

#endif
