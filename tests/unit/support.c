#include "support.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>

#include "alm/facts.h"
#include "alm/json.h"
#include "alm/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(4096);
	if (!dir)
		abort();
	snprintf(dir, 4096, "%s/alm-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		abort();
	return dir;
}

char *test_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	if (!path)
		abort();
	snprintf(path, n, "%s/%s", dir, name);
	return path;
}

void test_truncate(const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		fail_msg("cannot empty %s", path);
	fclose(fp);
}

char *test_git_init(void)
{
	char *dir = test_mkdtemp();
	if (test_sh("cd '%s' && git init -q -b main . >/dev/null 2>&1", dir) != 0)
		fail_msg("git init failed in %s", dir);
	return dir;
}

void test_remove_dir(char *dir)
{
	test_rmtree(dir);
	free(dir);
}

void test_rmtree(const char *dir)
{
	if (dir && strncmp(dir, "/", 1) == 0)
		test_sh("rm -rf '%s'", dir);
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *s;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	s = malloc((size_t)n + 1);
	if (!s)
		abort();
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

int test_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;
	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *test_sh_output(int *status, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *out = NULL;
	size_t len = 0;
	FILE *fp, *mem;
	int c, st;
	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	fp = popen(cmd, "r");
	free(cmd);
	if (!fp)
		abort();
	mem = open_memstream(&out, &len);
	while ((c = fgetc(fp)) != EOF)
		fputc(c, mem);
	fclose(mem);
	st = pclose(fp);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

int test_write_file(const char *path, const char *text)
{
	FILE *fp;
	test_sh("mkdir -p \"$(dirname '%s')\"", path);
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

char *test_read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int c;
	if (!fp)
		return NULL;
	mem = open_memstream(&buf, &len);
	while ((c = fgetc(fp)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(fp);
	return buf;
}

char *test_source_path(const char *rel)
{
	const char *root = getenv("ALM_SOURCE_DIR");
	char *p = malloc(4096);
	if (!p)
		abort();
	snprintf(p, 4096, "%s/%s", root ? root : ".", rel);
	return p;
}

cJSON *test_default_rules_doc(void)
{
	size_t len;
	const char *text = alm_rules_default_text(&len);
	cJSON *doc = NULL;
	assert_int_equal(alm_json_parse(&doc, text, len, "default"), 0);
	return doc;
}

cJSON *test_read_json_lines(const char *path)
{
	char *text = test_read_file(path), *line, *save = NULL;
	cJSON *all = cJSON_CreateArray();
	if (!text)
		return all;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *e = cJSON_Parse(line);
		if (e)
			cJSON_AddItemToArray(all, e);
	}
	free(text);
	return all;
}

int test_git_setup(void **state)
{
	char *home = test_mkdtemp();
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Ann", 1);
	setenv("GIT_AUTHOR_EMAIL", "ann@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Ann", 1);
	setenv("GIT_COMMITTER_EMAIL", "ann@example.com", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_INDEX_FILE");
	*state = home;
	return 0;
}

int test_git_teardown(void **state)
{
	test_rmtree(*state);
	free(*state);
	*state = NULL;
	return 0;
}

int test_server_start(int *pid, const char *script, const char *log, const char *const *args)
{
	char *path = test_source_path(script);
	const char *argv[48];
	int fds[2], n = 0, i;
	struct pollfd pfd;
	char line[32] = { 0 };
	size_t got = 0;

	argv[n++] = "python3";
	argv[n++] = path;
	argv[n++] = "--log";
	argv[n++] = log;
	for (i = 0; args && args[i] && n < 46; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	*pid = 0;
	if (pipe(fds) != 0) {
		free(path);
		return 0;
	}
	*pid = fork();
	if (*pid == 0) {
		/* Nothing of the server may hold the test's own output open. */
		int null = open("/dev/null", O_WRONLY);
		dup2(fds[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	free(path);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
		ssize_t r;
		if (poll(&pfd, 1, 15000) <= 0)
			break;
		r = read(fds[0], line + got, sizeof line - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fds[0]);
	return atoi(line);
}

void test_server_stop(int *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
		*pid = 0;
	}
}

/* ---- an allocator that fails on demand ---- */

static long alloc_budget = -1, allocations;

void *test_failing_malloc(size_t n)
{
	allocations++;
	if (alloc_budget >= 0 && allocations > alloc_budget)
		return NULL;
	return malloc(n);
}

void test_fail_after(long n)
{
	cJSON_Hooks hooks = {test_failing_malloc, free};
	alloc_budget = n;
	allocations = 0;
	cJSON_InitHooks(&hooks);
}

void test_allocate_freely(void)
{
	alloc_budget = -1;
	cJSON_InitHooks(NULL);
}

long test_allocations(void)
{
	return allocations;
}

double test_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- facts and request logs ---- */

char *test_show(const cJSON *v)
{
	char *text = v ? cJSON_PrintUnformatted(v) : strdup("(absent)");
	if (!text)
		abort();
	return text;
}

const char *test_log_str(const cJSON *entry, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(entry, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

const char *test_log_field(const cJSON *entry, const char *object, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(entry, object), key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void test_fact_contains(alm_facts *f, const char *path, const char *fragment)
{
	const cJSON *v = alm_facts_get(f, path);
	if (!cJSON_IsString(v) || !strstr(v->valuestring, fragment))
		fail_msg("%s: expected it to contain '%s', got %s", path, fragment, test_show(v));
	assert_null(strchr(v->valuestring, '\n'));
}

void test_fact_says(alm_facts *f, const char *path, ...)
{
	const char *fragment;
	va_list ap;
	va_start(ap, path);
	while ((fragment = va_arg(ap, const char *)) != NULL)
		test_fact_contains(f, path, fragment);
	va_end(ap);
}
