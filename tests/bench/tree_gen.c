/*
 * Writes the tree of a wide repository for tree_bench.sh: N directories in
 * folders of 1,000, each either a Power Pages site with a configuration data
 * export (website.yml, web-pages/home.yml, data.xml, data_schema.xml: "pp")
 * or the same number of plain files and folders ("plain"). Every object goes
 * into one pack (objects/pack/bench.pack, for git index-pack); prints the
 * root tree's id. Usage: tree_gen REPO N pp|plain
 */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int rc, const char *what)
{
	if (rc < 0) {
		const git_error *e = git_error_last();
		fprintf(stderr, "tree_gen: %s: %s\n", what, e && e->message ? e->message : "error");
		exit(1);
	}
}

static git_oid tree_of(git_repository *repo, git_packbuilder *pb, size_t n, const char *const *names,
		       const git_oid *ids, const int *is_tree)
{
	git_treebuilder *tb;
	git_oid out;
	size_t i;
	check(git_treebuilder_new(&tb, repo, NULL), "treebuilder");
	for (i = 0; i < n; i++)
		check(git_treebuilder_insert(NULL, tb, names[i], &ids[i],
					     is_tree[i] ? GIT_FILEMODE_TREE : GIT_FILEMODE_BLOB), "insert");
	check(git_treebuilder_write(&out, tb), "write tree");
	git_treebuilder_free(tb);
	check(git_packbuilder_insert(pb, &out, NULL), "pack insert");
	return out;
}

int main(int argc, char **argv)
{
	git_repository *repo;
	git_packbuilder *pb;
	git_oid blob, inner, site, root;
	git_treebuilder *top;
	git_buf pack = GIT_BUF_INIT;
	char path[4096], hex[GIT_OID_HEXSZ + 1];
	long n, g, i;
	int pp;
	FILE *fp;

	if (argc != 4 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: tree_gen REPO N pp|plain\n");
		return 2;
	}
	pp = strcmp(argv[3], "pp") == 0;
	git_libgit2_init();
	check(git_repository_open(&repo, argv[1]), "open");
	check(git_packbuilder_new(&pb, repo), "packbuilder");
	check(git_blob_create_from_buffer(&blob, repo, "x\n", 2), "blob");
	check(git_packbuilder_insert(pb, &blob, NULL), "pack insert");
	{
		const char *names[] = { pp ? "home.yml" : "c.txt" };
		int t[] = { 0 };
		inner = tree_of(repo, pb, 1, names, &blob, t);
	}
	{
		const char *pp_names[] = { "website.yml", "web-pages", "data.xml", "data_schema.xml" };
		const char *plain_names[] = { "a.txt", "b", "d.txt", "e.txt" };
		int t[] = { 0, 1, 0, 0 };
		git_oid ids[4] = { blob, inner, blob, blob };
		site = tree_of(repo, pb, 4, pp ? pp_names : plain_names, ids, t);
	}
	/* folders of 1,000 directories: each folder's tree is its own object */
	check(git_treebuilder_new(&top, repo, NULL), "treebuilder");
	for (g = 0; g * 1000 < n; g++) {
		git_treebuilder *tb;
		git_oid folder;
		check(git_treebuilder_new(&tb, repo, NULL), "treebuilder");
		for (i = g * 1000; i < n && i < (g + 1) * 1000; i++) {
			char name[32];
			snprintf(name, sizeof name, "s%07ld", i);
			check(git_treebuilder_insert(NULL, tb, name, &site, GIT_FILEMODE_TREE), "insert");
		}
		check(git_treebuilder_write(&folder, tb), "write tree");
		git_treebuilder_free(tb);
		check(git_packbuilder_insert(pb, &folder, NULL), "pack insert");
		{
			char name[32];
			snprintf(name, sizeof name, "g%04ld", g);
			check(git_treebuilder_insert(NULL, top, name, &folder, GIT_FILEMODE_TREE), "insert");
		}
	}
	check(git_treebuilder_write(&root, top), "write tree");
	git_treebuilder_free(top);
	check(git_packbuilder_insert(pb, &root, NULL), "pack insert");
	check(git_packbuilder_write_buf(&pack, pb), "pack");
	snprintf(path, sizeof path, "%s/bench.pack", argv[1]);
	fp = fopen(path, "wb");
	if (!fp || fwrite(pack.ptr, 1, pack.size, fp) != pack.size || fclose(fp) != 0) {
		fprintf(stderr, "tree_gen: cannot write %s\n", path);
		return 1;
	}
	git_oid_tostr(hex, sizeof hex, &root);
	printf("%s\n", hex);
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}
