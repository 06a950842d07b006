#include "commit_graph.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GRAPH_SIGNATURE 0x43475048u /* "CGPH" */
#define CHUNK_OIDF 0x4f494446u
#define CHUNK_OIDL 0x4f49444cu
#define CHUNK_CDAT 0x43444154u
#define CHUNK_EDGE 0x45444745u
#define CDAT_WIDTH (ALM_GRAPH_OID_SIZE + 16)
#define PARENT_NONE 0x70000000u
#define PARENT_EXTRA 0x80000000u
#define MAX_LAYERS 64

typedef struct {
	unsigned char *map;
	size_t size;
	const unsigned char *fanout; /* 256 big-endian counts */
	const unsigned char *oids;
	const unsigned char *cdat;
	const unsigned char *edge;
	size_t edge_count;
	uint32_t count;
	uint32_t base; /* commits in the layers below */
} layer;

struct alm_commit_graph {
	layer layers[MAX_LAYERS];
	size_t nlayers;
	uint32_t count;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void layer_unmap(layer *l)
{
	if (l->map)
		munmap(l->map, l->size);
	memset(l, 0, sizeof *l);
}

/* Maps and checks one file; returns 0 or -1 (missing, short, malformed). */
static int layer_map(layer *l, const char *path, unsigned int expect_bases)
{
	struct stat st;
	const unsigned char *p;
	uint64_t chunk_end;
	unsigned int nchunks, i;
	uint32_t prev = 0;
	int fd;

	memset(l, 0, sizeof *l);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 8 + 12 ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return -1;
	}
	l->size = (size_t)st.st_size;
	l->map = mmap(NULL, l->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (l->map == MAP_FAILED) {
		l->map = NULL;
		return -1;
	}
	p = l->map;
	/* version 1, SHA-1, and the number of base layers this one sits on */
	if (be32(p) != GRAPH_SIGNATURE || p[4] != 1 || p[5] != 1 || p[7] != expect_bases)
		goto fail;
	nchunks = p[6];
	if (8 + ((size_t)nchunks + 1) * 12 > l->size)
		goto fail;
	for (i = 0; i < nchunks; i++) {
		const unsigned char *entry = p + 8 + (size_t)i * 12;
		uint32_t id = be32(entry);
		uint64_t off = be64(entry + 4);
		uint64_t end = be64(entry + 16); /* the next entry's offset ends this chunk */
		if (off > end || end > l->size)
			goto fail;
		switch (id) {
		case CHUNK_OIDF:
			if (end - off != 256 * 4)
				goto fail;
			l->fanout = p + off;
			break;
		case CHUNK_OIDL:
			l->oids = p + off;
			chunk_end = end - off;
			if (chunk_end % ALM_GRAPH_OID_SIZE)
				goto fail;
			l->count = (uint32_t)(chunk_end / ALM_GRAPH_OID_SIZE);
			break;
		case CHUNK_CDAT:
			l->cdat = p + off;
			if ((end - off) % CDAT_WIDTH)
				goto fail;
			break;
		case CHUNK_EDGE:
			l->edge = p + off;
			l->edge_count = (size_t)((end - off) / 4);
			break;
		default:
			break; /* GDA2, GDO2, BIDX, BDAT, BASE, ...: not needed */
		}
	}
	if (!l->fanout || !l->oids || !l->cdat)
		goto fail;
	/* The fan-out must be monotonic and agree with OIDL and CDAT. */
	for (i = 0; i < 256; i++) {
		uint32_t v = be32(l->fanout + i * 4);
		if (v < prev)
			goto fail;
		prev = v;
	}
	if (prev != l->count)
		goto fail;
	for (i = 0; i < nchunks; i++) {
		const unsigned char *entry = p + 8 + (size_t)i * 12;
		if (be32(entry) == CHUNK_CDAT &&
		    be64(entry + 16) - be64(entry + 4) != (uint64_t)l->count * CDAT_WIDTH)
			goto fail;
	}
	return 0;
fail:
	layer_unmap(l);
	return -1;
}

static int open_chain(alm_commit_graph *g, const char *objects_dir)
{
	char path[4096], line[256];
	FILE *fp;
	int error = -1;

	if ((size_t)snprintf(path, sizeof path, "%s/info/commit-graphs/commit-graph-chain",
			     objects_dir) >= sizeof path)
		return -1;
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		size_t n = strcspn(line, "\r\n");
		layer *l;
		line[n] = '\0';
		if (n == 0)
			continue;
		if (g->nlayers == MAX_LAYERS || n != 2 * ALM_GRAPH_OID_SIZE ||
		    strspn(line, "0123456789abcdef") != n)
			goto done;
		if ((size_t)snprintf(path, sizeof path, "%s/info/commit-graphs/graph-%s.graph",
				     objects_dir, line) >= sizeof path)
			goto done;
		l = &g->layers[g->nlayers];
		if (layer_map(l, path, (unsigned int)g->nlayers) < 0)
			goto done;
		if ((uint64_t)g->count + l->count >= PARENT_NONE) {
			layer_unmap(l);
			goto done;
		}
		l->base = g->count;
		g->count += l->count;
		g->nlayers++;
	}
	error = g->nlayers ? 0 : -1;
done:
	fclose(fp);
	return error;
}

void alm_commit_graph_free(alm_commit_graph *graph)
{
	size_t i;
	if (!graph)
		return;
	for (i = 0; i < graph->nlayers; i++)
		layer_unmap(&graph->layers[i]);
	free(graph);
}

int alm_commit_graph_open(alm_commit_graph **out, const char *objects_dir)
{
	alm_commit_graph *g;
	char path[4096];

	*out = NULL;
	g = calloc(1, sizeof *g);
	if (!g)
		return 0;
	/* git looks for the single file first, then for a chain. */
	if ((size_t)snprintf(path, sizeof path, "%s/info/commit-graph", objects_dir) < sizeof path &&
	    layer_map(&g->layers[0], path, 0) == 0 && g->layers[0].count < PARENT_NONE) {
		g->nlayers = 1;
		g->count = g->layers[0].count;
	} else {
		layer_unmap(&g->layers[0]);
		if (open_chain(g, objects_dir) < 0) {
			alm_commit_graph_free(g);
			return 0;
		}
	}
	if (g->count == 0) {
		alm_commit_graph_free(g);
		return 0;
	}
	*out = g;
	return 0;
}

uint32_t alm_commit_graph_count(const alm_commit_graph *graph)
{
	return graph ? graph->count : 0;
}

static const layer *layer_of(const alm_commit_graph *g, uint32_t pos)
{
	size_t i = g->nlayers;
	while (i-- > 0)
		if (pos >= g->layers[i].base)
			return &g->layers[i];
	return NULL;
}

uint32_t alm_commit_graph_find(const alm_commit_graph *graph, const unsigned char *oid)
{
	size_t i;

	if (!graph)
		return ALM_GRAPH_NONE;
	for (i = 0; i < graph->nlayers; i++) {
		const layer *l = &graph->layers[i];
		uint32_t lo = oid[0] ? be32(l->fanout + (oid[0] - 1) * 4) : 0;
		uint32_t hi = be32(l->fanout + oid[0] * 4);
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			int cmp = memcmp(l->oids + (size_t)mid * ALM_GRAPH_OID_SIZE, oid,
					 ALM_GRAPH_OID_SIZE);
			if (cmp == 0)
				return l->base + mid;
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return ALM_GRAPH_NONE;
}

const unsigned char *alm_commit_graph_oid(const alm_commit_graph *graph, uint32_t pos)
{
	const layer *l = pos < graph->count ? layer_of(graph, pos) : NULL;
	return l ? l->oids + (size_t)(pos - l->base) * ALM_GRAPH_OID_SIZE : NULL;
}

int alm_commit_graph_commit(const alm_commit_graph *graph, uint32_t pos, int64_t *time,
			    uint32_t *parents, size_t max, size_t *nparents)
{
	const layer *l = pos < graph->count ? layer_of(graph, pos) : NULL;
	const unsigned char *e;
	uint32_t p1, p2;
	size_t n = 0;

	*nparents = 0;
	if (!l)
		return -1;
	e = l->cdat + (size_t)(pos - l->base) * CDAT_WIDTH + ALM_GRAPH_OID_SIZE;
	p1 = be32(e);
	p2 = be32(e + 4);
	/* 34-bit commit time: two bits under the generation, then 32 more. */
	*time = (int64_t)((uint64_t)(be32(e + 8) & 3) << 32 | be32(e + 12));
	if (p1 != PARENT_NONE) {
		if (p1 >= graph->count)
			return -1;
		if (n < max)
			parents[n] = p1;
		n++;
	}
	if (p2 != PARENT_NONE) {
		if (!(p2 & PARENT_EXTRA)) {
			if (p2 >= graph->count || p1 == PARENT_NONE)
				return -1;
			if (n < max)
				parents[n] = p2;
			n++;
		} else {
			/* An octopus: the rest of the parents are listed in EDGE. */
			size_t i = p2 & ~PARENT_EXTRA;
			for (;;) {
				uint32_t v;
				if (!l->edge || i >= l->edge_count)
					return -1;
				v = be32(l->edge + i * 4);
				if ((v & ~PARENT_EXTRA) >= graph->count)
					return -1;
				if (n < max)
					parents[n] = v & ~PARENT_EXTRA;
				n++;
				if (v & PARENT_EXTRA)
					break;
				i++;
			}
		}
	}
	*nparents = n;
	return 0;
}
