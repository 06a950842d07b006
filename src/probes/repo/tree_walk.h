#ifndef ALM_TREE_WALK_H
#define ALM_TREE_WALK_H
/*
 * A walk over every entry of a git tree, in pre-order, iteratively: the
 * subtrees still to visit are an explicit stack on the heap, so no tree shape
 * can overflow the C stack (libgit2's git_tree_walk recurses once per level).
 * The depth and the number of entries are bounded; what a bound left out is
 * counted in the stats, so the caller can say its facts are partial.
 */
#include <git2.h>
#include <stddef.h>

#define ALM_TREE_WALK_MAX_DEPTH 256
#define ALM_TREE_WALK_MAX_ENTRIES 2000000

typedef struct {
	size_t max_depth;   /* subtrees deeper than this are not entered */
	size_t max_entries; /* the walk stops after this many entries */
} alm_tree_walk_limits;

#define ALM_TREE_WALK_LIMITS_INIT { ALM_TREE_WALK_MAX_DEPTH, ALM_TREE_WALK_MAX_ENTRIES }

typedef struct {
	size_t entries;     /* entries handed to the callback */
	size_t depth_cut;   /* subtrees not entered: deeper than max_depth */
	int entries_cut;    /* 1 when the walk stopped at max_entries */
	size_t unreadable;  /* subtrees whose object could not be read */
} alm_tree_walk_stats;

/*
 * Called for each entry: `dir` is the entry's directory with a trailing slash
 * ("" at the root; `dirlen` bytes, NUL-terminated), `name` its name. A
 * negative return stops the walk and is returned.
 */
typedef int (*alm_tree_walk_cb)(void *payload, const char *dir, size_t dirlen,
				const git_tree_entry *entry);

int alm_tree_walk(alm_tree_walk_stats *stats, git_repository *repo, const git_tree *root,
		  const alm_tree_walk_limits *limits, alm_tree_walk_cb cb, void *payload);

#endif
