/* Writing reports (src/file.c) by both kinds of temporary: the unnamed
 * O_TMPFILE, and the named one of file systems without it, including what a
 * killed run leaves and a later run removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alm/error.h"
#include "alm/file.h"
#include "file_int.h"
#include "support.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many entries of `dir` start with ".alm-advisor-" (our temporaries). */
static int temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, ".alm-advisor-", 13) == 0;
	closedir(d);
	return n;
}

static void write_variants(int named)
{
	char *dir = test_mkdtemp(), path[4400], link_path[4400], *text;
	struct stat st;
	alm_file_named_temporaries = named;

	/* A name of 250 characters: the temporary beside it is short. */
	snprintf(path, sizeof path, "%s/%0250d", dir, 7);
	assert_int_equal(alm_file_write_atomic(path, "one\n", 4), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(alm_file_write_atomic(path, "two\n", 4), 0);
	text = test_read_file(path);
	assert_string_equal(text, "two\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* Through a link: the target changes, the link stays. */
	snprintf(link_path, sizeof link_path, "%s/link", dir);
	assert_int_equal(symlink(path, link_path), 0);
	assert_int_equal(alm_file_write_atomic(link_path, "three\n", 6), 0);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = test_read_file(path);
	assert_string_equal(text, "three\n");
	free(text);
	/* A new file appears whole or not at all, and never over a name. */
	assert_int_equal(alm_file_write_new(link_path, "x", 1), ALM_EIO);
	snprintf(link_path, sizeof link_path, "%s/new.json", dir);
	assert_int_equal(alm_file_write_new(link_path, "{}", 2), 0);
	assert_int_equal(alm_file_write_new(link_path, "{}", 2), ALM_EIO);
	assert_int_equal(temporaries(dir), 0);
	alm_file_named_temporaries = 0;
	test_rmtree(dir);
	free(dir);
}

static void test_unnamed_temporaries(void **state)
{
	(void)state;
	write_variants(0);
}

static void test_named_temporaries(void **state)
{
	(void)state;
	write_variants(1);
}

/* A run killed (SIGKILL cannot be held) while it writes a named temporary
 * leaves it; the next write in that directory removes it, its process gone. */
static void test_killed_run_is_cleaned_up(void **state)
{
	char *dir = test_mkdtemp(), path[4200];
	size_t big = 64u << 20;
	int attempt, left = 0;
	(void)state;
	snprintf(path, sizeof path, "%s/report.json", dir);
	/* The kill may, rarely, fall between a rename and the next write: then
	 * nothing is left, and the run is tried again. */
	for (attempt = 0; attempt < 5 && !left; attempt++) {
		pid_t pid = fork();
		int status, tries;
		assert_true(pid >= 0);
		if (pid == 0) {
			char *data = calloc(1, big);
			int i;
			alm_file_named_temporaries = 1;
			for (i = 0; data && i < 1000; i++)
				if (alm_file_write_atomic(path, data, big) < 0)
					break;
			_exit(0);
		}
		/* Until its temporary shows (bounded: each write is 64 MB). */
		for (tries = 0; tries < 20000 && temporaries(dir) == 0; tries++)
			usleep(500);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		left = temporaries(dir);
	}
	assert_int_equal(left, 1);
	/* The next write in that directory removes it: its process is gone. */
	assert_int_equal(alm_file_write_atomic(path, "{}\n", 3), 0);
	assert_int_equal(temporaries(dir), 0);
	test_rmtree(dir);
	free(dir);
}

/* A live process's temporary, and names not of our making, are left alone. */
static void test_live_temporaries_are_kept(void **state)
{
	char *dir = test_mkdtemp(), path[4200], mine[4200], other[4200];
	(void)state;
	snprintf(mine, sizeof mine, "%s/.alm-advisor-%ld-abcdef.tmp", dir, (long)getppid());
	snprintf(other, sizeof other, "%s/.alm-advisor-x-abcdef.tmp", dir);
	assert_int_equal(test_write_file(mine, "live"), 0);
	assert_int_equal(test_write_file(other, "other"), 0);
	snprintf(path, sizeof path, "%s/report.json", dir);
	assert_int_equal(alm_file_write_atomic(path, "{}\n", 3), 0);
	assert_int_equal(access(mine, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unnamed_temporaries),
		cmocka_unit_test(test_named_temporaries),
		cmocka_unit_test(test_killed_run_is_cleaned_up),
		cmocka_unit_test(test_live_temporaries_are_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
