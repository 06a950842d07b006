/*
 * Replays corpora through a harness without libFuzzer: every regular file of
 * each directory (or each file) named on the command line is read and passed
 * to LLVMFuzzerTestOneInput once. Built with the ordinary compiler, so the
 * suite runs every corpus on every CI run, under the sanitizers of the build.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;
	int ok = 0;

	if (!fp) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return -1;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		/* A copy of exactly `size` bytes, as libFuzzer gives: ASan then
		 * catches a harness that reads past the end. */
		buf = malloc(size ? (size_t)size : 1);
		if (buf && fread(buf, 1, (size_t)size, fp) == (size_t)size) {
			LLVMFuzzerTestOneInput(buf, (size_t)size);
			ok = 1;
		}
	}
	free(buf);
	fclose(fp);
	if (!ok) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in name order, so a failure names the same input on every run. */
static int replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int error = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: cannot open the directory\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len;
		char *path, **grown;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		len = strlen(dir) + strlen(e->d_name) + 2;
		if (!(path = malloc(len))) {
			error = -1;
			break;
		}
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(names, cap * sizeof *names))) {
				free(path);
				error = -1;
				break;
			}
			names = grown;
		}
		names[n++] = path;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		if (!error && replay_file(names[i]) < 0)
			error = -1;
		free(names[i]);
	}
	free(names);
	*count += n;
	return error;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, error = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				error = 1;
		} else if (replay_file(argv[i]) < 0) {
			error = 1;
		} else {
			count++;
		}
	}
	/* An empty corpus would pass while testing nothing. */
	if (!error && count == 0) {
		fprintf(stderr, "replay: no inputs\n");
		error = 1;
	}
	if (!error)
		printf("replayed %zu inputs\n", count);
	return error;
}
