#include "repo_history.h"

#include "alm/error.h"
#include "commit_graph.h"
#include "vec.h"

#include <git2/sys/odb_backend.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Two phases. The walk finds the commit set and its shape (parents, times):
 * from the commit-graph when a commit is in it, which costs no object read,
 * otherwise by reading the commit object, and then its author and message are
 * taken at once from the same bytes. The second phase reads the objects of
 * the commits whose shape came from the graph, only for their author and
 * message; the set is known by then, so it is split between threads.
 *
 * Objects are read through the odb backends directly: git_odb_read would
 * hash every object again (strict verification) and keep it in the object
 * cache, which costs time and memory and gains nothing for a single pass.
 * Turning those off with git_libgit2_opts would change them for the whole
 * process; this changes nothing for anyone else.
 */

#define OID_SIZE 20
#define NONE UINT32_MAX
#define GPOS_UNKNOWN (UINT32_MAX - 1)
#define MAX_BACKENDS 16
#define MAX_PEEL 8
#define PARALLEL_MIN 2048

enum {
	S_NEW,    /* known as an id only */
	S_QUEUED, /* on the walk's stack */
	S_IN,     /* in the commit set */
	S_OLD,    /* older than the window: counted nowhere, not walked past */
	S_BAD,    /* unreadable or not a well-formed commit */
	S_OTHER   /* not a commit: a tag peeled to its target, or a tree or blob */
};

typedef struct {
	unsigned char id[OID_SIZE];
	uint8_t state;
	uint8_t pr;       /* alm_pr_kind */
	uint8_t pending;  /* author and message still to be read */
	uint8_t detail_bad;
	uint32_t nparents;
	uint32_t edges;   /* index of the first parent in walk.edges */
	uint32_t gpos;    /* commit-graph position, NONE, or GPOS_UNKNOWN */
	int64_t time;
} node;

/* Distinct strings: open addressing over an arena. */
typedef struct {
	uint64_t *hash;
	uint32_t *off, *len;
	size_t cap, count;
	char *arena;
	size_t used, arena_cap;
} strset;

typedef struct {
	git_odb *odb;
	git_odb_backend *backends[MAX_BACKENDS];
	size_t n;
} reader;

typedef struct {
	const char *data;
	size_t len;
	git_object_t type;
	void *owned;            /* from a backend: free with git_odb_backend_data_free */
	git_odb_backend *backend;
	git_odb_object *object; /* from git_odb_read */
	void *heap;             /* a streamed prefix: free() */
	int truncated;          /* only a prefix of the object was read */
} raw;

typedef struct {
	const char *msg;
	size_t msg_len;
	const char *email;
	size_t email_len;
	int64_t time;
	size_t nparents;
} parsed;

typedef struct {
	node *nodes;
	size_t count, cap;
	uint32_t *table;
	size_t table_cap;
	uint32_t *edges;
	size_t nedges, edges_cap;
	uint32_t *stack;
	size_t nstack, stack_cap;
	uint32_t *order; /* commits of the set, in the order the walk took them */
	size_t norder, order_cap;
	uint32_t *gmap;  /* graph position -> node */
	uint32_t *gpar;
	size_t gpar_cap;
	alm_commit_graph *graph;
	unsigned char *shallow;
	size_t nshallow;
	unsigned char *pbuf;
	size_t pbuf_cap;
	char *lower;
	size_t lower_cap;
	reader rd;
	strset authors;
	int64_t since;
	int all;
	size_t unreadable, too_large, truncated;
} walk;

/* Room for `need` elements of `elem` bytes at *ptr (the shared vector's). */
#define grow alm_vec_reserve_

/* ---- strings ---------------------------------------------------------- */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static void strset_free(strset *s)
{
	free(s->hash);
	free(s->off);
	free(s->len);
	free(s->arena);
	memset(s, 0, sizeof *s);
}

static int strset_rehash(strset *s, size_t ncap)
{
	uint64_t *hash = calloc(ncap, sizeof *hash);
	uint32_t *off = calloc(ncap, sizeof *off), *len = calloc(ncap, sizeof *len);
	size_t i;
	if (!hash || !off || !len) {
		free(hash);
		free(off);
		free(len);
		return ALM_ENOMEM;
	}
	for (i = 0; i < s->cap; i++) {
		size_t j;
		if (!s->len[i])
			continue;
		j = s->hash[i] & (ncap - 1);
		while (len[j])
			j = (j + 1) & (ncap - 1);
		hash[j] = s->hash[i];
		off[j] = s->off[i];
		len[j] = s->len[i];
	}
	free(s->hash);
	free(s->off);
	free(s->len);
	s->hash = hash;
	s->off = off;
	s->len = len;
	s->cap = ncap;
	return 0;
}

/* Stored lengths are len + 1, so that 0 marks an empty slot and "" is a value. */
static int strset_add(strset *s, const char *str, size_t n)
{
	uint64_t h = fnv1a(str, n);
	size_t i;
	int error;

	if (n >= UINT32_MAX - 1 || s->used > UINT32_MAX - n - 1)
		return ALM_ENOMEM;
	if ((s->count + 1) * 2 > s->cap &&
	    (error = strset_rehash(s, s->cap ? s->cap * 2 : 64)) < 0)
		return error;
	i = h & (s->cap - 1);
	while (s->len[i]) {
		if (s->hash[i] == h && s->len[i] == n + 1 &&
		    memcmp(s->arena + s->off[i], str, n) == 0)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	if ((error = grow((void **)&s->arena, &s->arena_cap, s->used + n + 1, 1)) < 0)
		return error;
	memcpy(s->arena + s->used, str, n);
	s->hash[i] = h;
	s->off[i] = (uint32_t)s->used;
	s->len[i] = (uint32_t)(n + 1);
	s->used += n;
	s->count++;
	return 0;
}

static int strset_merge(strset *into, const strset *from)
{
	size_t i;
	int error;
	for (i = 0; i < from->cap; i++)
		if (from->len[i] &&
		    (error = strset_add(into, from->arena + from->off[i], from->len[i] - 1)) < 0)
			return error;
	return 0;
}

/* Adds the e-mail lower-cased (ASCII, as the rest of the pipeline compares). */
static int add_author(strset *set, char **buf, size_t *cap, const char *email, size_t n)
{
	size_t i;
	int error;
	if ((error = grow((void **)buf, cap, n + 1, 1)) < 0)
		return error;
	for (i = 0; i < n; i++) {
		char c = email[i];
		(*buf)[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return strset_add(set, *buf, n);
}

/* ---- objects ---------------------------------------------------------- */

static void reader_init(reader *r, git_odb *odb)
{
	size_t i, n = git_odb_num_backends(odb);
	r->odb = odb;
	r->n = 0;
	for (i = 0; i < n && r->n < MAX_BACKENDS; i++) {
		git_odb_backend *b;
		if (git_odb_get_backend(&b, odb, i) == 0 && b && b->read)
			r->backends[r->n++] = b;
	}
}

static void raw_free(raw *o)
{
	if (o->owned)
		git_odb_backend_data_free(o->backend, o->owned);
	git_odb_object_free(o->object);
	free(o->heap);
	memset(o, 0, sizeof *o);
}

/*
 * Reads an object; -1 when it is missing or unreadable, -2 when it is larger
 * than ALM_HISTORY_MAX_FULL_READ and no prefix of it can be streamed.
 *
 * Memory stays bounded whatever a commit holds: the size is read first (the
 * backends' read_header costs no inflation of the body), an object up to
 * ALM_HISTORY_MAX_COMMIT_BYTES is read whole, a larger one only its first
 * ALM_HISTORY_PREFIX_BYTES (headers, subject and the start of the message)
 * through a stream where the backend has one (loose objects), or whole up to
 * ALM_HISTORY_MAX_FULL_READ otherwise (packed objects: libgit2 streams none).
 */
static int read_prefix(reader *r, const git_oid *oid, raw *out)
{
	git_odb_stream *st = NULL;
	size_t len = 0, got = 0;
	git_object_t type = GIT_OBJECT_INVALID;
	char *buf;

	if (git_odb_open_rstream(&st, &len, &type, r->odb, oid) < 0) {
		git_error_clear();
		return -1;
	}
	buf = malloc(ALM_HISTORY_PREFIX_BYTES);
	while (buf && got < ALM_HISTORY_PREFIX_BYTES) {
		int n = st->read(st, buf + got, ALM_HISTORY_PREFIX_BYTES - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	git_odb_stream_free(st);
	git_error_clear();
	if (!buf)
		return -1;
	out->data = buf;
	out->len = got;
	out->type = type;
	out->heap = buf;
	out->truncated = got < len;
	return 0;
}

static int reader_read(reader *r, const unsigned char *id, raw *out)
{
	git_oid oid;
	size_t i, size = 0;
	int sized = 0;

	memset(out, 0, sizeof *out);
	git_oid_fromraw(&oid, id);
	for (i = 0; i < r->n; i++) {
		git_odb_backend *b = r->backends[i];
		void *data = NULL;
		size_t len = 0;
		git_object_t type = GIT_OBJECT_INVALID;
		int rc;
		if (b->read_header) {
			rc = b->read_header(&size, &type, b, &oid);
			if (rc == GIT_ENOTFOUND)
				continue;
			if (rc != 0)
				break;
			sized = 1;
			if (size > ALM_HISTORY_MAX_COMMIT_BYTES)
				break;
		}
		rc = b->read(&data, &len, &type, b, &oid);
		if (rc == 0) {
			out->data = data;
			out->len = len;
			out->type = type;
			out->owned = data;
			out->backend = b;
			return 0;
		}
		if (rc != GIT_ENOTFOUND)
			break;
	}
	git_error_clear();
	if (!sized) {
		git_object_t type;
		if (git_odb_read_header(&size, &type, r->odb, &oid) < 0) {
			git_error_clear();
			return -1;
		}
	}
	if (size > ALM_HISTORY_MAX_COMMIT_BYTES) {
		if (read_prefix(r, &oid, out) == 0)
			return 0;
		if (size > ALM_HISTORY_MAX_FULL_READ)
			return -2;
	}
	/* The general path refreshes the pack list and reports real errors. */
	if (git_odb_read(&out->object, r->odb, &oid) < 0) {
		git_error_clear();
		out->object = NULL;
		return -1;
	}
	out->data = git_odb_object_data(out->object);
	out->len = git_odb_object_size(out->object);
	out->type = git_odb_object_type(out->object);
	return 0;
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_to_raw(unsigned char *out, const char *hex)
{
	size_t i;
	for (i = 0; i < OID_SIZE; i++) {
		int hi = unhex((unsigned char)hex[2 * i]), lo = unhex((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* git's parse_commit_date(): the number after the last '>' of the line. */
static int64_t ident_time(const char *line, size_t n)
{
	const char *p = line + n;
	int64_t t = 0;
	while (p > line && p[-1] != '>')
		p--;
	if (p == line)
		return 0;
	while (p < line + n && *p == ' ')
		p++;
	while (p < line + n && *p >= '0' && *p <= '9') {
		if (t > (INT64_MAX - 9) / 10)
			return 0;
		t = t * 10 + (*p++ - '0');
	}
	return t;
}

/*
 * Parses a commit object. With `pbuf`, parent ids are decoded into it (grown
 * as needed); without, they are only counted. Returns 0, -1 when the object is
 * not a well-formed commit, or ALM_ENOMEM.
 */
static int parse_commit(parsed *pc, const char *d, size_t len, unsigned char **pbuf,
			size_t *pcap)
{
	size_t off = 0;
	int author = 0, committer = 0, error;

	memset(pc, 0, sizeof *pc);
	if (len < 5 || memcmp(d, "tree ", 5) != 0)
		return -1;
	while (off < len) {
		const char *line = d + off, *eol = memchr(line, '\n', len - off);
		size_t n = eol ? (size_t)(eol - line) : len - off;

		if (n == 0) {
			pc->msg = line + 1;
			pc->msg_len = len - off - 1;
			break;
		}
		if (n >= 7 + 2 * OID_SIZE && memcmp(line, "parent ", 7) == 0) {
			if (pbuf) {
				if ((error = grow((void **)pbuf, pcap, (pc->nparents + 1) * OID_SIZE, 1)) < 0)
					return error;
				if (hex_to_raw(*pbuf + pc->nparents * OID_SIZE, line + 7) < 0)
					return -1;
			}
			pc->nparents++;
		} else if (!author && n > 7 && memcmp(line, "author ", 7) == 0) {
			/* split_ident_line(): the first '<' and the first '>' after it */
			const char *lt = memchr(line, '<', n), *gt;
			author = 1;
			if (lt && (gt = memchr(lt + 1, '>', (size_t)(line + n - lt - 1))) != NULL) {
				pc->email = lt + 1;
				pc->email_len = (size_t)(gt - lt - 1);
			}
		} else if (!committer && n > 10 && memcmp(line, "committer ", 10) == 0) {
			committer = 1;
			pc->time = ident_time(line, n);
		}
		off += n + 1;
	}
	return 0;
}

static void parse_tag_target(const raw *o, unsigned char *target, int *ok)
{
	*ok = o->len >= 7 + 2 * OID_SIZE && memcmp(o->data, "object ", 7) == 0 &&
	      hex_to_raw(target, o->data + 7) == 0;
}

/* ---- the walk --------------------------------------------------------- */

static int table_rehash(walk *w, size_t ncap)
{
	uint32_t *t = calloc(ncap, sizeof *t);
	size_t i;
	if (!t)
		return ALM_ENOMEM;
	for (i = 0; i < w->count; i++) {
		uint32_t h;
		size_t j;
		memcpy(&h, w->nodes[i].id, sizeof h);
		j = h & (ncap - 1);
		while (t[j])
			j = (j + 1) & (ncap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(w->table);
	w->table = t;
	w->table_cap = ncap;
	return 0;
}

static int node_get(walk *w, const unsigned char *id, uint32_t *out)
{
	uint32_t h;
	size_t i;
	node *n;
	int error;

	if ((w->count + 1) * 2 > w->table_cap &&
	    (error = table_rehash(w, w->table_cap ? w->table_cap * 2 : 1024)) < 0)
		return error;
	memcpy(&h, id, sizeof h);
	i = h & (w->table_cap - 1);
	while (w->table[i]) {
		if (memcmp(w->nodes[w->table[i] - 1].id, id, OID_SIZE) == 0) {
			*out = w->table[i] - 1;
			return 0;
		}
		i = (i + 1) & (w->table_cap - 1);
	}
	if (w->count >= NONE - 2)
		return ALM_ENOMEM;
	if ((error = grow((void **)&w->nodes, &w->cap, w->count + 1, sizeof *w->nodes)) < 0)
		return error;
	n = &w->nodes[w->count];
	memset(n, 0, sizeof *n);
	memcpy(n->id, id, OID_SIZE);
	n->gpos = GPOS_UNKNOWN;
	w->table[i] = (uint32_t)w->count + 1;
	*out = (uint32_t)w->count++;
	return 0;
}

static int node_for_gpos(walk *w, uint32_t pos, uint32_t *out)
{
	int error;
	if (w->gmap[pos] != NONE) {
		*out = w->gmap[pos];
		return 0;
	}
	if ((error = node_get(w, alm_commit_graph_oid(w->graph, pos), out)) < 0)
		return error;
	w->nodes[*out].gpos = pos;
	w->gmap[pos] = *out;
	return 0;
}

static int push(walk *w, uint32_t ni)
{
	int error;
	if (w->nodes[ni].state != S_NEW)
		return 0;
	if ((error = grow((void **)&w->stack, &w->stack_cap, w->nstack + 1, sizeof *w->stack)) < 0)
		return error;
	w->nodes[ni].state = S_QUEUED;
	w->stack[w->nstack++] = ni;
	return 0;
}

static int add_edge(walk *w, uint32_t parent)
{
	int error;
	if ((error = grow((void **)&w->edges, &w->edges_cap, w->nedges + 1, sizeof *w->edges)) < 0)
		return error;
	w->edges[w->nedges++] = parent;
	return push(w, parent);
}

static int is_shallow(const walk *w, const unsigned char *id)
{
	size_t lo = 0, hi = w->nshallow;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = memcmp(w->shallow + mid * OID_SIZE, id, OID_SIZE);
		if (cmp == 0)
			return 1;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int in_window(const walk *w, int64_t time)
{
	return w->all || time >= w->since;
}

static int mark_in(walk *w, uint32_t ni)
{
	int error;
	if ((error = grow((void **)&w->order, &w->order_cap, w->norder + 1, sizeof *w->order)) < 0)
		return error;
	w->order[w->norder++] = ni;
	w->nodes[ni].state = S_IN;
	return 0;
}

/* Shape from the commit-graph; returns 1 when the graph answered. */
static int expand_from_graph(walk *w, uint32_t ni)
{
	size_t np, i;
	int64_t time;
	uint32_t gpos = w->nodes[ni].gpos;
	int error;

	if (alm_commit_graph_commit(w->graph, gpos, &time, w->gpar, w->gpar_cap, &np) < 0)
		return 0;
	if (np > w->gpar_cap) {
		if ((error = grow((void **)&w->gpar, &w->gpar_cap, np, sizeof *w->gpar)) < 0)
			return error;
		if (alm_commit_graph_commit(w->graph, gpos, &time, w->gpar, w->gpar_cap, &np) < 0)
			return 0;
	}
	w->nodes[ni].time = time;
	if (!in_window(w, time)) {
		w->nodes[ni].state = S_OLD;
		return 1;
	}
	if ((error = mark_in(w, ni)) < 0)
		return error;
	w->nodes[ni].edges = (uint32_t)w->nedges;
	w->nodes[ni].nparents = (uint32_t)np;
	w->nodes[ni].pending = 1;
	for (i = 0; i < np; i++) {
		uint32_t p;
		if ((error = node_for_gpos(w, w->gpar[i], &p)) < 0 || (error = add_edge(w, p)) < 0)
			return error;
	}
	return 1;
}

static int take_details(strset *authors, char **lower, size_t *lower_cap, node *n,
			const parsed *pc)
{
	n->pr = (uint8_t)alm_pr_classify(pc->msg, pc->msg_len, n->nparents);
	n->pending = 0;
	return add_author(authors, lower, lower_cap, pc->email ? pc->email : "", pc->email_len);
}

static int expand_from_object(walk *w, uint32_t ni)
{
	raw o;
	parsed pc;
	size_t i;
	int error = 0, ok, rc;

	if ((rc = reader_read(&w->rd, w->nodes[ni].id, &o)) < 0) {
		w->nodes[ni].state = S_BAD;
		w->unreadable++;
		if (rc == -2)
			w->too_large++;
		return 0;
	}
	if (o.type == GIT_OBJECT_TAG) {
		/* A branch may name an annotated tag; git log peels it. */
		unsigned char target[OID_SIZE];
		uint32_t t;
		parse_tag_target(&o, target, &ok);
		w->nodes[ni].state = S_OTHER;
		if (ok && (error = node_get(w, target, &t)) == 0) {
			w->nodes[ni].edges = (uint32_t)w->nedges;
			w->nodes[ni].nparents = 1;
			error = add_edge(w, t);
		}
		goto done;
	}
	if (o.type != GIT_OBJECT_COMMIT) {
		w->nodes[ni].state = S_OTHER;
		goto done;
	}
	if ((error = parse_commit(&pc, o.data, o.len, &w->pbuf, &w->pbuf_cap)) < 0 ||
	    (o.truncated && !pc.msg)) {
		/* a prefix that ends inside the headers tells no parents for sure */
		if (error == -1 || error == 0) {
			w->nodes[ni].state = S_BAD;
			w->unreadable++;
			if (o.truncated)
				w->too_large++;
			error = 0;
		}
		goto done;
	}
	if (o.truncated)
		w->truncated++;
	if (w->nshallow && is_shallow(w, w->nodes[ni].id))
		pc.nparents = 0;
	w->nodes[ni].time = pc.time;
	if (!in_window(w, pc.time)) {
		w->nodes[ni].state = S_OLD;
		goto done;
	}
	if ((error = mark_in(w, ni)) < 0)
		goto done;
	w->nodes[ni].edges = (uint32_t)w->nedges;
	w->nodes[ni].nparents = (uint32_t)pc.nparents;
	if ((error = take_details(&w->authors, &w->lower, &w->lower_cap, &w->nodes[ni], &pc)) < 0)
		goto done;
	for (i = 0; i < pc.nparents; i++) {
		uint32_t p;
		if ((error = node_get(w, w->pbuf + i * OID_SIZE, &p)) < 0 ||
		    (error = add_edge(w, p)) < 0)
			goto done;
	}
done:
	raw_free(&o);
	return error;
}

static int expand(walk *w, uint32_t ni)
{
	int rc;
	if (w->nodes[ni].gpos == GPOS_UNKNOWN) {
		uint32_t pos = w->graph ? alm_commit_graph_find(w->graph, w->nodes[ni].id) : NONE;
		w->nodes[ni].gpos = pos;
		if (pos != NONE)
			w->gmap[pos] = ni;
	}
	if (w->nodes[ni].gpos != NONE) {
		if ((rc = expand_from_graph(w, ni)) != 0)
			return rc < 0 ? rc : 0;
		w->nodes[ni].gpos = NONE; /* an inconsistent entry: read the object */
	}
	return expand_from_object(w, ni);
}

/* ---- second phase: authors and messages of graph commits -------------- */

typedef struct {
	node *nodes;
	const uint32_t *items;
	size_t nitems;
	reader rd;
	strset authors;
	char *lower;
	size_t lower_cap;
	size_t unreadable, too_large, truncated;
	int error;
} worker;

static void *worker_run(void *arg)
{
	worker *k = arg;
	size_t i;

	for (i = 0; i < k->nitems && !k->error; i++) {
		node *n = &k->nodes[k->items[i]];
		parsed pc;
		raw o;
		int rc = reader_read(&k->rd, n->id, &o);
		if (rc < 0 || o.type != GIT_OBJECT_COMMIT ||
		    parse_commit(&pc, o.data, o.len, NULL, NULL) < 0 || (o.truncated && !pc.msg)) {
			/* The graph vouches for the commit; only its details are lost. */
			n->detail_bad = 1;
			k->unreadable++;
			if (rc == -2 || (rc == 0 && o.truncated))
				k->too_large++;
		} else {
			if (o.truncated)
				k->truncated++;
			k->error = take_details(&k->authors, &k->lower, &k->lower_cap, n, &pc);
		}
		raw_free(&o);
	}
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int read_pending(walk *w, git_odb *odb, const char *objects_dir, int threads)
{
	uint32_t *items = NULL;
	size_t nitems = 0, i, nthreads, per;
	worker k[2];
	git_odb *extra = NULL;
	pthread_t tid;
	int started = 0, error = 0;

	memset(k, 0, sizeof k);
	for (i = 0; i < w->norder; i++)
		if (w->nodes[w->order[i]].pending)
			nitems++;
	if (!nitems)
		return 0;
	items = malloc(nitems * sizeof *items);
	if (!items)
		return ALM_ENOMEM;
	nitems = 0;
	for (i = 0; i < w->norder; i++)
		if (w->nodes[w->order[i]].pending)
			items[nitems++] = w->order[i];

	/* A second reader only pays for itself on a large set. Each thread has its
	 * own odb handle: the backends are called directly, outside the odb's
	 * locking, and the pack backend remembers the last pack it hit. */
	if (threads <= 0)
		threads = online_cpus() < 2 ? 1 : 2;
	nthreads = (threads >= 2 && nitems >= PARALLEL_MIN &&
		    git_odb_open(&extra, objects_dir) == 0) ? 2 : 1;
	if (nthreads == 1)
		git_error_clear();
	per = (nitems + nthreads - 1) / nthreads;
	for (i = 0; i < nthreads; i++) {
		k[i].nodes = w->nodes;
		k[i].items = items + i * per;
		k[i].nitems = i + 1 < nthreads ? per : nitems - i * per;
		reader_init(&k[i].rd, i == 0 ? odb : extra);
	}
	if (nthreads == 2) {
		if (pthread_create(&tid, NULL, worker_run, &k[1]) == 0) {
			started = 1;
		} else {
			/* No thread: the main one does both halves. */
			k[0].nitems = nitems;
			nthreads = 1;
		}
	}
	worker_run(&k[0]);
	if (started)
		pthread_join(tid, NULL);
	for (i = 0; i < nthreads; i++) {
		if (!error && k[i].error)
			error = k[i].error;
		if (!error)
			error = strset_merge(&w->authors, &k[i].authors);
		w->unreadable += k[i].unreadable;
		w->too_large += k[i].too_large;
		w->truncated += k[i].truncated;
	}
	for (i = 0; i < 2; i++) {
		strset_free(&k[i].authors);
		free(k[i].lower);
	}
	git_odb_free(extra);
	free(items);
	return error;
}

/* ---- setup ------------------------------------------------------------ */

static int cmp_oid(const void *a, const void *b)
{
	return memcmp(a, b, OID_SIZE);
}

/* Loads <commondir>/shallow: the commits whose parents are not present. */
static int load_shallow(walk *w, const char *commondir, int *found)
{
	char path[4096], line[128];
	FILE *fp;
	size_t cap = 0;
	int error = 0;

	*found = 0;
	if ((size_t)snprintf(path, sizeof path, "%sshallow", commondir) >= sizeof path)
		return 0;
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	*found = 1;
	while (fgets(line, sizeof line, fp)) {
		if (strlen(line) < 2 * OID_SIZE)
			continue;
		if ((error = grow((void **)&w->shallow, &cap, (w->nshallow + 1) * OID_SIZE, 1)) < 0)
			break;
		if (hex_to_raw(w->shallow + w->nshallow * OID_SIZE, line) == 0)
			w->nshallow++;
	}
	fclose(fp);
	if (w->nshallow)
		qsort(w->shallow, w->nshallow, OID_SIZE, cmp_oid);
	return error;
}

static int file_exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	return (size_t)snprintf(path, sizeof path, "%s%s", dir, name) < sizeof path &&
	       stat(path, &st) == 0;
}

static void walk_free(walk *w)
{
	free(w->nodes);
	free(w->table);
	free(w->edges);
	free(w->stack);
	free(w->order);
	free(w->gmap);
	free(w->gpar);
	free(w->shallow);
	free(w->pbuf);
	free(w->lower);
	strset_free(&w->authors);
	alm_commit_graph_free(w->graph);
}

/* Follows peeled tags from a tip to its commit node, or NONE. */
static uint32_t peel(const walk *w, uint32_t ni)
{
	int i;
	for (i = 0; i < MAX_PEEL && w->nodes[ni].state == S_OTHER && w->nodes[ni].nparents == 1; i++)
		ni = w->edges[w->nodes[ni].edges];
	return (w->nodes[ni].state == S_IN || w->nodes[ni].state == S_OLD) ? ni : NONE;
}

static void count(alm_history *out, const walk *w, const uint32_t *tipnodes, size_t ntips,
		  long fp_tip, int64_t *tip_times)
{
	size_t i, steps;
	uint32_t ni;

	out->newest = out->newest_any = ALM_HISTORY_NO_TIME;
	/* The commits older than the window that the walk stopped at: the newest
	 * of them is the newest commit outside the window. */
	for (i = 0; i < w->count; i++)
		if ((w->nodes[i].state == S_OLD || w->nodes[i].state == S_IN) &&
		    w->nodes[i].time > out->newest_any)
			out->newest_any = w->nodes[i].time;
	for (i = 0; i < w->norder; i++) {
		const node *n = &w->nodes[w->order[i]];
		out->commits++;
		if (n->nparents >= 2)
			out->merges++;
		if (n->pr != ALM_PR_NONE) {
			out->pr[n->pr]++;
			out->pr_total++;
		}
		if (n->time > out->newest)
			out->newest = n->time;
	}
	for (i = 0; tip_times && i < ntips; i++) {
		ni = peel(w, tipnodes[i]);
		tip_times[i] = ni == NONE ? ALM_HISTORY_NO_TIME : w->nodes[ni].time;
	}
	if (fp_tip < 0 || (size_t)fp_tip >= ntips)
		return;
	ni = peel(w, tipnodes[fp_tip]);
	/* The step bound guards against a cycle in a corrupt graph. */
	for (steps = 0; ni != NONE && w->nodes[ni].state == S_IN && steps < w->count; steps++) {
		const node *n = &w->nodes[ni];
		out->fp_commits++;
		if (n->nparents >= 2)
			out->fp_merges++;
		if (n->pr != ALM_PR_NONE)
			out->fp_prs++;
		else if (n->nparents < 2)
			out->fp_direct++;
		ni = n->nparents ? w->edges[n->edges] : NONE;
	}
}

int alm_history_walk(alm_history *out, git_repository *repo, const git_oid *tips,
		     size_t ntips, long fp_tip, int64_t *tip_times,
		     const alm_history_options *opts)
{
	walk w;
	git_odb *odb = NULL;
	git_buf objects = GIT_BUF_INIT;
	uint32_t *tipnodes = NULL;
	const char *commondir = git_repository_commondir(repo);
	size_t i;
	int error = 0, shallow_found = 0;

	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	out->newest = out->newest_any = ALM_HISTORY_NO_TIME;
	w.since = opts->since;
	w.all = opts->all_history;

	if (git_repository_odb(&odb, repo) < 0 ||
	    git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0) {
		const git_error *e = git_error_last();
		error = alm_error_set(ALM_ERROR, "cannot open the object database: %s",
				      e && e->message ? e->message : "unknown error");
		goto done;
	}
	reader_init(&w.rd, odb);
	if ((error = load_shallow(&w, commondir, &shallow_found)) < 0)
		goto nomem;
	out->shallow_file = shallow_found;
	/* git itself ignores the graph in shallow repositories and with grafts. */
	if (opts->use_commit_graph && !shallow_found && !file_exists(commondir, "info/grafts")) {
		alm_commit_graph_open(&w.graph, objects.ptr);
		if (w.graph) {
			size_t n = alm_commit_graph_count(w.graph);
			w.gmap = malloc(n * sizeof *w.gmap);
			if (!w.gmap)
				goto nomem;
			memset(w.gmap, 0xff, n * sizeof *w.gmap);
			/* The graph tells how many nodes to expect. */
			if ((error = grow((void **)&w.nodes, &w.cap, n + 64, sizeof *w.nodes)) < 0 ||
			    (error = table_rehash(&w, 1024)) < 0)
				goto nomem;
			while (w.table_cap < 2 * (n + 64))
				if ((error = table_rehash(&w, w.table_cap * 2)) < 0)
					goto nomem;
		}
	}

	tipnodes = malloc((ntips ? ntips : 1) * sizeof *tipnodes);
	if (!tipnodes)
		goto nomem;
	for (i = 0; i < ntips; i++)
		if ((error = node_get(&w, tips[i].id, &tipnodes[i])) < 0 ||
		    (error = push(&w, tipnodes[i])) < 0)
			goto nomem;
	while (w.nstack > 0)
		if ((error = expand(&w, w.stack[--w.nstack])) < 0)
			goto nomem;
	for (i = 0; i < w.norder; i++)
		if (w.nodes[w.order[i]].gpos != NONE && w.nodes[w.order[i]].gpos != GPOS_UNKNOWN)
			out->from_graph++;
	if ((error = read_pending(&w, odb, objects.ptr, opts->threads)) < 0)
		goto nomem;

	count(out, &w, tipnodes, ntips, fp_tip, tip_times);
	out->authors = w.authors.count;
	out->unreadable = w.unreadable;
	out->too_large = w.too_large;
	out->truncated = w.truncated;
	goto done;

nomem:
	error = alm_error_set(ALM_ENOMEM, "out of memory while walking the history");
done:
	free(tipnodes);
	walk_free(&w);
	git_buf_dispose(&objects);
	git_odb_free(odb);
	return error;
}

int alm_history_commit_tree(git_oid *commit, git_oid *tree, git_repository *repo,
			    const git_oid *id)
{
	git_odb *odb = NULL;
	reader r;
	unsigned char cur[OID_SIZE];
	int i, rc = -1;

	if (git_repository_odb(&odb, repo) < 0) {
		git_error_clear();
		return -1;
	}
	reader_init(&r, odb);
	memcpy(cur, id->id, OID_SIZE);
	for (i = 0; i < MAX_PEEL && rc < 0; i++) {
		raw o;
		int ok = 0;
		unsigned char t[OID_SIZE];
		if (reader_read(&r, cur, &o) < 0)
			break;
		if (o.type == GIT_OBJECT_COMMIT) {
			if (o.len >= 5 + 2 * OID_SIZE && memcmp(o.data, "tree ", 5) == 0 &&
			    hex_to_raw(t, o.data + 5) == 0) {
				git_oid_fromraw(commit, cur);
				git_oid_fromraw(tree, t);
				rc = 0;
			}
			raw_free(&o);
			break;
		}
		if (o.type == GIT_OBJECT_TAG)
			parse_tag_target(&o, cur, &ok);
		raw_free(&o);
		if (!ok)
			break;
	}
	git_odb_free(odb);
	return rc;
}
