#include "tree_walk.h"

#include "alm/error.h"
#include "vec.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	git_tree *tree;  /* owned, except the root's */
	size_t next;     /* index of the next entry */
	size_t dirlen;   /* length of this tree's path prefix */
} frame;

typedef struct {
	frame *frames;
	size_t depth, cap;
	char *path;
	size_t pathlen, pathcap;
} walker;

static int path_append(walker *w, const char *name)
{
	size_t n = strlen(name);
	if (alm_vec_reserve_((void **)&w->path, &w->pathcap, w->pathlen + n + 2, 1) < 0)
		return ALM_ENOMEM;
	memcpy(w->path + w->pathlen, name, n);
	w->pathlen += n;
	w->path[w->pathlen++] = '/';
	w->path[w->pathlen] = '\0';
	return 0;
}

static int push(walker *w, git_tree *tree)
{
	if (alm_vec_reserve_((void **)&w->frames, &w->cap, w->depth + 1, sizeof *w->frames) < 0)
		return ALM_ENOMEM;
	w->frames[w->depth].tree = tree;
	w->frames[w->depth].next = 0;
	w->frames[w->depth].dirlen = w->pathlen;
	w->depth++;
	return 0;
}

int alm_tree_walk(alm_tree_walk_stats *stats, git_repository *repo, const git_tree *root,
		  const alm_tree_walk_limits *limits, alm_tree_walk_cb cb, void *payload)
{
	alm_tree_walk_limits defaults = ALM_TREE_WALK_LIMITS_INIT;
	walker w;
	int error = 0;

	memset(stats, 0, sizeof *stats);
	memset(&w, 0, sizeof w);
	if (!limits)
		limits = &defaults;
	if ((error = alm_vec_reserve_((void **)&w.path, &w.pathcap, 256, 1)) < 0)
		goto done;
	w.path[0] = '\0';
	/* The root is borrowed: the bottom frame's tree is never freed. */
	if ((error = push(&w, (git_tree *)root)) < 0)
		goto done;
	while (w.depth > 0) {
		frame *f = &w.frames[w.depth - 1];
		const git_tree_entry *e;
		git_tree *sub = NULL;

		if (f->next >= git_tree_entrycount(f->tree)) {
			if (w.depth > 1)
				git_tree_free(f->tree);
			w.depth--;
			continue;
		}
		e = git_tree_entry_byindex(f->tree, f->next++);
		if (stats->entries >= limits->max_entries) {
			stats->entries_cut = 1;
			break;
		}
		stats->entries++;
		w.pathlen = f->dirlen;
		w.path[w.pathlen] = '\0';
		if ((error = cb(payload, w.path, w.pathlen, e)) < 0)
			goto done;
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (w.depth > limits->max_depth) {
			stats->depth_cut++;
			continue;
		}
		if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0) {
			git_error_clear();
			stats->unreadable++;
			continue;
		}
		if ((error = path_append(&w, git_tree_entry_name(e))) < 0 ||
		    (error = push(&w, sub)) < 0) {
			git_tree_free(sub);
			goto done;
		}
	}
done:
	while (w.depth > 1)
		git_tree_free(w.frames[--w.depth].tree);
	free(w.frames);
	free(w.path);
	return error;
}
