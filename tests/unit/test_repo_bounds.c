/*
 * The repository probe against hostile repositories: a tree nested 100,000
 * levels deep, a tree of 200,000 directories, a tree whose shared subtrees
 * mean more entries than the walk's bound, and commits with messages of tens
 * of megabytes, loose and packed. The probe must return, with its facts
 * complete or marked degraded, and read large commits within a bounded memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "alm/error.h"
#include "alm/facts.h"
#include "alm/repo_probe.h"
#include "support.h"

#define MESSAGE_MB 48

static void sh(const char *dir, const char *script)
{
	if (test_sh("cd '%s' && { set -e; %s; } >/dev/null 2>&1", dir, script) != 0)
		fail_msg("fixture failed in %s: %s", dir, script);
}

static alm_facts *probe(const char *dir)
{
	alm_facts *f = NULL;
	assert_int_equal(alm_facts_new(&f), 0);
	if (alm_repo_probe(f, dir, NULL) != 0)
		fail_msg("alm_repo_probe(%s): %s", dir, alm_error_last());
	return f;
}

static const char *status(const alm_facts *f, const char **detail)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(alm_facts_probes(f), "repo");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");
	*detail = cJSON_IsString(d) ? d->valuestring : "";
	return cJSON_GetObjectItemCaseSensitive(p, "status")->valuestring;
}

static double number(const alm_facts *f, const char *path)
{
	const cJSON *j = alm_facts_get(f, path);
	if (!cJSON_IsNumber(j))
		fail_msg("%s is not a number", path);
	return j->valuedouble;
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- commits with huge messages --------------------------------------- */

/* A repository whose HEAD's message is "Merged PR 7: …" and MESSAGE_MB MiB
 * more; `pack` packs it, `graph` writes a commit-graph. */
static char *big_message_repo(int pack, int graph)
{
	char *dir = test_mkdtemp();
	char script[2048];
	snprintf(script, sizeof script,
		 "git init -q -b main . && git commit -q --allow-empty -m first && "
		 "{ printf 'Merged PR 7: a very long message\\n\\n'; head -c %d /dev/zero | tr '\\0' x; } > ../msg-$$ && "
		 "git commit -q --allow-empty -F ../msg-$$ && rm ../msg-$$ %s %s",
		 MESSAGE_MB * 1024 * 1024,
		 pack ? "&& git -c gc.writeCommitGraph=false repack -adq && git prune-packed" : "",
		 graph ? "&& git commit-graph write --reachable" : "");
	sh(dir, script);
	return dir;
}

/* First in the program, so the peak RSS it measures is the probe's own. */
static void test_large_message_loose(void **state)
{
	char *dir = big_message_repo(0, 0);
	long before = max_rss_kb(), grown;
	alm_facts *f;
	(void)state;

	f = probe(dir);
	grown = max_rss_kb() - before;
	/* The subject was read, so the pull request counts, and both commits. */
	assert_int_equal((int)number(f, "repo.commits"), 2);
	assert_int_equal((int)number(f, "repo.pull_requests.azure_devops"), 1);
	assert_int_equal((int)number(f, "repo.authors"), 1);
	assert_true(cJSON_IsTrue(alm_facts_get(f, "repo.history_complete")));
	if (grown > MESSAGE_MB * 1024 / 2)
		fail_msg("reading a %d MiB commit grew the peak RSS by %ld KiB", MESSAGE_MB, grown);
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

/* Packed and in the commit-graph: the graph gives its shape; the message,
 * too large to read from a pack, is not read, and the probe says so. */
static void test_large_message_packed_graph(void **state)
{
	char *dir = big_message_repo(1, 1);
	const char *detail;
	alm_facts *f;
	(void)state;

	f = probe(dir);
	assert_int_equal((int)number(f, "repo.commits"), 2);
	assert_int_equal((int)number(f, "repo.pull_requests.total"), 0);
	assert_string_equal(status(f, &detail), "degraded");
	assert_non_null(strstr(detail, "larger than 16 MiB"));
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

/* Packed, no graph: the commit cannot be read within the bound; the probe
 * returns, with history marked a lower bound. */
static void test_large_message_packed(void **state)
{
	char *dir = big_message_repo(1, 0);
	const char *detail;
	alm_facts *f;
	(void)state;

	f = probe(dir);
	assert_int_equal((int)number(f, "repo.commits"), 0);
	assert_false(cJSON_IsTrue(alm_facts_get(f, "repo.history_complete")));
	assert_string_equal(status(f, &detail), "degraded");
	assert_non_null(strstr(detail, "larger than 16 MiB"));
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

/* ---- trees ------------------------------------------------------------ */

/*
 * Builds the objects in memory (a mempack backend), writes them as one pack
 * through `git index-pack`, and points main at a commit of `tree`. Writing
 * 100,000 loose objects would cost far more than the probe under test.
 */
typedef struct {
	git_repository *repo;
	git_odb *odb;
	git_odb_backend *mempack;
	git_packbuilder *pb;
	git_oid blob;
} builder;

static void builder_open(builder *b, const char *dir)
{
	memset(b, 0, sizeof *b);
	assert_int_equal(git_repository_open(&b->repo, dir), 0);
	assert_int_equal(git_repository_odb(&b->odb, b->repo), 0);
	assert_int_equal(git_mempack_new(&b->mempack), 0);
	assert_int_equal(git_odb_add_backend(b->odb, b->mempack, 1000), 0);
	assert_int_equal(git_blob_create_from_buffer(&b->blob, b->repo, "x\n", 2), 0);
	assert_int_equal(git_packbuilder_new(&b->pb, b->repo), 0);
	assert_int_equal(git_packbuilder_insert(b->pb, &b->blob, NULL), 0);
}

/* A tree of entries name[i] -> ids[i] (mode: tree when is_tree). */
static void write_tree(builder *b, git_oid *out, size_t n, const char *const *names,
		       const git_oid *ids, const int *is_tree)
{
	git_treebuilder *tb;
	size_t i;
	assert_int_equal(git_treebuilder_new(&tb, b->repo, NULL), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(git_treebuilder_insert(NULL, tb, names[i], &ids[i],
							is_tree[i] ? GIT_FILEMODE_TREE : GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(out, tb), 0);
	git_treebuilder_free(tb);
	/* inserted alone: git_packbuilder_insert_tree would recurse */
	assert_int_equal(git_packbuilder_insert(b->pb, out, NULL), 0);
}

/* Every object is inserted into the pack by itself: git_mempack_dump and
 * git_packbuilder_insert_commit walk a commit's tree recursively, once per
 * level. The commit is made by git commit-tree once the pack is in place. */
static void builder_commit(builder *b, const char *dir, const git_oid *tree_id)
{
	git_buf pack = GIT_BUF_INIT;
	char path[4096], hex[GIT_OID_HEXSZ + 1];
	FILE *fp;

	assert_int_equal(git_packbuilder_write_buf(&pack, b->pb), 0);
	git_packbuilder_free(b->pb);
	snprintf(path, sizeof path, "%s/objects.pack", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(pack.ptr, 1, pack.size, fp), pack.size);
	fclose(fp);
	git_buf_dispose(&pack);
	git_oid_tostr(hex, sizeof hex, tree_id);
	git_odb_free(b->odb);
	git_repository_free(b->repo);
	snprintf(path, sizeof path,
		 "git index-pack --stdin < objects.pack && rm objects.pack && "
		 "c=$(GIT_COMMITTER_DATE='@1000 +0000' GIT_AUTHOR_DATE='@1000 +0000' git commit-tree %s -m deep) && "
		 "git update-ref refs/heads/main $c", hex);
	sh(dir, path);
}

static void test_deep_tree(void **state)
{
	char *dir = test_mkdtemp();
	builder b;
	git_oid id;
	const char *detail;
	alm_facts *f;
	size_t level;
	(void)state;

	sh(dir, "git init -q -b main .");
	builder_open(&b, dir);
	{
		/* the innermost folder holds a solution manifest nobody can reach */
		const char *names[] = { "Solution.xml" };
		int tree[] = { 0 };
		git_oid ids[1];
		git_oid_cpy(&ids[0], &b.blob);
		write_tree(&b, &id, 1, names, ids, tree);
	}
	for (level = 0; level < 100000; level++) {
		const char *names[] = { level == 0 ? "Other" : "d", "f.txt" };
		int tree[] = { 1, 0 };
		git_oid ids[2];
		git_oid_cpy(&ids[0], &id);
		git_oid_cpy(&ids[1], &b.blob);
		write_tree(&b, &id, 2, names, ids, tree);
	}
	builder_commit(&b, dir, &id);

	f = probe(dir);
	assert_string_equal(status(f, &detail), "degraded");
	assert_non_null(strstr(detail, "deeper than 256 levels"));
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(f, "repo.power_platform.solutions")), 0);
	assert_int_equal((int)number(f, "repo.commits"), 1);
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

/* 22 levels of two entries naming the same subtree: 2^23 entries to walk
 * from a few hundred bytes of objects. */
static void test_exploding_tree(void **state)
{
	char *dir = test_mkdtemp();
	builder b;
	git_oid id;
	const char *detail;
	alm_facts *f;
	int level;
	(void)state;

	sh(dir, "git init -q -b main .");
	builder_open(&b, dir);
	{
		const char *names[] = { "deploymentSettings.json" };
		int tree[] = { 0 };
		git_oid ids[1];
		git_oid_cpy(&ids[0], &b.blob);
		write_tree(&b, &id, 1, names, ids, tree);
	}
	for (level = 0; level < 22; level++) {
		const char *names[] = { "a", "b" };
		int tree[] = { 1, 1 };
		git_oid ids[2];
		git_oid_cpy(&ids[0], &id);
		git_oid_cpy(&ids[1], &id);
		write_tree(&b, &id, 2, names, ids, tree);
	}
	builder_commit(&b, dir, &id);

	f = probe(dir);
	assert_string_equal(status(f, &detail), "degraded");
	assert_non_null(strstr(detail, "more than 2000000 entries"));
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

/* 200,000 directories, each a Power Pages site and a configuration data
 * export: every pairing of files to folders runs over 200,000 of each. */
static void test_many_directories(void **state)
{
	char *dir = test_mkdtemp();
	builder b;
	git_oid site, pages, root;
	git_treebuilder *tb;
	const char *detail;
	const cJSON *sites;
	alm_facts *f;
	int i;
	(void)state;

	sh(dir, "git init -q -b main .");
	builder_open(&b, dir);
	{
		const char *names[] = { "home.yml" };
		int tree[] = { 0 };
		write_tree(&b, &pages, 1, names, &b.blob, tree);
	}
	{
		const char *names[] = { "website.yml", "web-pages", "data.xml", "data_schema.xml" };
		int tree[] = { 0, 1, 0, 0 };
		git_oid ids[4];
		git_oid_cpy(&ids[0], &b.blob);
		git_oid_cpy(&ids[1], &pages);
		git_oid_cpy(&ids[2], &b.blob);
		git_oid_cpy(&ids[3], &b.blob);
		write_tree(&b, &site, 4, names, ids, tree);
	}
	assert_int_equal(git_treebuilder_new(&tb, b.repo, NULL), 0);
	for (i = 0; i < 200000; i++) {
		char name[16];
		snprintf(name, sizeof name, "s%06d", i);
		assert_int_equal(git_treebuilder_insert(NULL, tb, name, &site, GIT_FILEMODE_TREE), 0);
	}
	assert_int_equal(git_treebuilder_write(&root, tb), 0);
	git_treebuilder_free(tb);
	assert_int_equal(git_packbuilder_insert(b.pb, &root, NULL), 0);
	builder_commit(&b, dir, &root);

	f = probe(dir);
	/* complete but for the bound on files read (every site's website.yml) */
	assert_string_equal(status(f, &detail), "degraded");
	assert_null(strstr(detail, "deeper"));
	assert_null(strstr(detail, "entries"));
	assert_non_null(strstr(detail, "were not read (limits"));
	sites = alm_facts_get(f, "repo.power_platform.power_pages_sites");
	assert_int_equal(cJSON_GetArraySize(sites), 1000);
	assert_true(cJSON_IsTrue(alm_facts_get(f, "repo.power_platform.power_pages_sites_truncated")));
	assert_int_equal(cJSON_GetArraySize(alm_facts_get(f, "repo.power_platform.configuration_data")), 1000);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(sites, 0), "path")->valuestring,
			    "s000000/website.yml");
	alm_facts_free(f);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_message_loose),
		cmocka_unit_test(test_large_message_packed_graph),
		cmocka_unit_test(test_large_message_packed),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_exploding_tree),
		cmocka_unit_test(test_many_directories),
	};
	int rc;
	git_libgit2_init();
	rc = cmocka_run_group_tests(tests, test_git_setup, test_git_teardown);
	git_libgit2_shutdown();
	return rc;
}
