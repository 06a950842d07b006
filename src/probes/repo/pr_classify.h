#ifndef ALM_PR_CLASSIFY_H
#define ALM_PR_CLASSIFY_H
/*
 * Pull-request conventions in commit messages. A pure function of the message
 * bytes and the parent count: no libgit2, no allocation, no global state, so
 * it can be fuzzed and tested on its own.
 *
 * The subject is git's (`git log --format=%s`): the first paragraph after any
 * leading blank lines, each line stripped of trailing whitespace (space, tab,
 * CR, LF) and the lines joined with one space. The rules, first match wins:
 *
 *   azure_devops   subject matches ^Merged PR [0-9]+:
 *   github_merge   2+ parents and subject matches ^Merge pull request #[0-9]+ from
 *   github_squash  exactly 1 parent and subject matches \(#[0-9]+\)$
 *   gitlab         a line of the message matches ^See merge request [^ ]*![0-9]+$
 *                  (a CR before the line's LF is ignored)
 *   bitbucket      subject matches ^Merged in .+ \(pull request #[0-9]+\)$
 */
#include <stddef.h>

typedef enum {
	ALM_PR_NONE = 0,
	ALM_PR_AZURE_DEVOPS,
	ALM_PR_GITHUB_MERGE,
	ALM_PR_GITHUB_SQUASH,
	ALM_PR_GITLAB,
	ALM_PR_BITBUCKET,
	ALM_PR__COUNT
} alm_pr_kind;

/* `message` is the commit message (what follows the headers), `len` bytes, not
 * necessarily NUL-terminated. Like git's pretty-printer, which handles messages
 * as C strings, the message ends at its first NUL byte. */
alm_pr_kind alm_pr_classify(const char *message, size_t len, unsigned int parents);

/* "azure_devops", "github_merge", ... as used in fact names; "none". */
const char *alm_pr_kind_name(alm_pr_kind kind);

#endif
