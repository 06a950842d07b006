/*
 * The commit-graph reader. It maps files from an object directory rather than
 * taking a buffer, so the input is written to a scratch object directory:
 * a first byte that is even makes the rest one objects/info/commit-graph; an
 * odd one splits the rest at each "ALMGRAPHLAYER" into the layers of a chain
 * (objects/info/commit-graphs/), base first. Whatever opens is then read
 * whole: every id looked up again, every commit's time and parents.
 */
#include "fuzz.h"

#include "commit_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEPARATOR "ALMGRAPHLAYER"
#define MAX_LAYERS 8
#define MAX_READ 4096 /* positions read per input: enough for any seed */

static char objects[256];

static void layer_path(char *buf, size_t n, int i)
{
	snprintf(buf, n, "%s/info/commit-graphs/graph-%040d.graph", objects, i);
}

/* Removes the files of the previous input. */
static void clear(void)
{
	char path[512];
	int i;
	snprintf(path, sizeof path, "%s/info/commit-graph", objects);
	unlink(path);
	snprintf(path, sizeof path, "%s/info/commit-graphs/commit-graph-chain", objects);
	unlink(path);
	for (i = 0; i < MAX_LAYERS; i++) {
		layer_path(path, sizeof path, i);
		unlink(path);
	}
}

static void cleanup(void)
{
	char path[512];
	clear();
	snprintf(path, sizeof path, "%s/info/commit-graphs", objects);
	rmdir(path);
	snprintf(path, sizeof path, "%s/info", objects);
	rmdir(path);
	rmdir(objects);
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	snprintf(objects, sizeof objects, "%s/alm-fuzz-graph-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(objects))
		return -1;
	atexit(cleanup);
	snprintf(path, sizeof path, "%s/info", objects);
	if (mkdir(path, 0700) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/info/commit-graphs", objects);
	return mkdir(path, 0700);
}

static int write_file(const char *path, const void *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	int ok;
	if (!fp)
		return -1;
	ok = fwrite(data, 1, size, fp) == size;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

static const uint8_t *find_separator(const uint8_t *p, size_t n)
{
	size_t m = sizeof SEPARATOR - 1, i;
	for (i = 0; i + m <= n; i++)
		if (memcmp(p + i, SEPARATOR, m) == 0)
			return p + i;
	return NULL;
}

static int lay_out(const uint8_t *data, size_t size)
{
	char path[512], chain[MAX_LAYERS * 41 + 1];
	size_t used = 0;
	int i;

	clear();
	if (!(data[0] & 1)) {
		snprintf(path, sizeof path, "%s/info/commit-graph", objects);
		return write_file(path, data + 1, size - 1);
	}
	data++, size--;
	for (i = 0; i < MAX_LAYERS; i++) {
		const uint8_t *sep = find_separator(data, size);
		size_t n = sep ? (size_t)(sep - data) : size;
		layer_path(path, sizeof path, i);
		if (write_file(path, data, n) < 0)
			return -1;
		used += (size_t)snprintf(chain + used, sizeof chain - used, "%040d\n", i);
		if (!sep)
			break;
		data = sep + sizeof SEPARATOR - 1;
		size -= n + sizeof SEPARATOR - 1;
	}
	snprintf(path, sizeof path, "%s/info/commit-graphs/commit-graph-chain", objects);
	return write_file(path, chain, used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	alm_commit_graph *graph = NULL;
	uint32_t pos, count, parents[4];
	int64_t time;
	size_t n;

	if (!ready) {
		if (setup() < 0)
			abort();
		ready = 1;
	}
	if (size < 1 || lay_out(data, size) < 0)
		return 0;
	if (alm_commit_graph_open(&graph, objects) < 0 || !graph)
		return 0;
	count = alm_commit_graph_count(graph);
	for (pos = 0; pos < count && pos < MAX_READ; pos++) {
		const unsigned char *oid = alm_commit_graph_oid(graph, pos);
		if (!oid)
			abort(); /* every position below the count has an id */
		(void)alm_commit_graph_find(graph, oid);
		(void)alm_commit_graph_commit(graph, pos, &time, parents, 4, &n);
	}
	(void)alm_commit_graph_oid(graph, count);
	(void)alm_commit_graph_commit(graph, count, &time, parents, 4, &n);
	alm_commit_graph_free(graph);
	return 0;
}
