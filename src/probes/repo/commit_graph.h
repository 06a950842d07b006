#ifndef ALM_COMMIT_GRAPH_H
#define ALM_COMMIT_GRAPH_H
/*
 * A reader of git's commit-graph file (gitformat-commit-graph(5)): a single
 * objects/info/commit-graph or a split chain under objects/info/commit-graphs.
 *
 * libgit2 1.5 rejects any file with a chunk it does not know (GDA2, written by
 * default since git 2.36) and then walks without it; this reader needs only
 * OIDF, OIDL, CDAT and EDGE and skips every other chunk, as the format asks.
 *
 * Positions are global across the layers of a chain, base layer first, as the
 * parent positions in CDAT are. SHA-1 repositories only.
 */
#include <stddef.h>
#include <stdint.h>

#define ALM_GRAPH_OID_SIZE 20
#define ALM_GRAPH_NONE UINT32_MAX

typedef struct alm_commit_graph alm_commit_graph;

/*
 * Maps the graph of the object directory `objects_dir`. Sets *out to NULL and
 * returns 0 when there is none or it is unusable (a graph is an optimisation:
 * every caller can do without it). Free with alm_commit_graph_free.
 */
int alm_commit_graph_open(alm_commit_graph **out, const char *objects_dir);
void alm_commit_graph_free(alm_commit_graph *graph); /* NULL is a no-op */

/* Number of commits in all layers. */
uint32_t alm_commit_graph_count(const alm_commit_graph *graph);

/* Position of a commit id (20 raw bytes), or ALM_GRAPH_NONE. */
uint32_t alm_commit_graph_find(const alm_commit_graph *graph, const unsigned char *oid);

/* The raw id at a position (valid while the graph is open). */
const unsigned char *alm_commit_graph_oid(const alm_commit_graph *graph, uint32_t pos);

/*
 * The commit time and parents at `pos`. Writes up to `max` parent positions
 * and their true number in *nparents. Returns 0, or -1 when the entry is
 * inconsistent (a parent out of range, a broken EDGE list): the caller then
 * reads the commit object instead.
 */
int alm_commit_graph_commit(const alm_commit_graph *graph, uint32_t pos, int64_t *time,
			    uint32_t *parents, size_t max, size_t *nparents);

#endif
