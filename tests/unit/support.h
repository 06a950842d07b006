#ifndef ALM_TEST_SUPPORT_H
#define ALM_TEST_SUPPORT_H
/* Shared helpers for the unit tests: temporary directories, shell commands,
 * files. Every helper aborts the test (cmocka fail) when the system fails. */
#include <stddef.h>

/* A new empty directory under $TMPDIR; the caller frees the string and may
 * remove the tree with test_rmtree. */
char *test_mkdtemp(void);
void test_rmtree(const char *dir);

/* A new directory with an empty git repository in it (branch main); the
 * caller removes it with test_remove_dir. */
char *test_git_init(void);

/* test_rmtree, then frees the name. */
void test_remove_dir(char *dir);

/* `dir`/`name`, allocated (the caller frees). */
char *test_join(const char *dir, const char *name);

/* Empties the file at `path` (creating it), as a stand-in's log before a test. */
void test_truncate(const char *path);

/* Runs `sh -c cmd` (printf-style); returns its exit status. Output is not captured. */
int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs `sh -c cmd` and returns its stdout (caller frees); *status gets the exit status. */
char *test_sh_output(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a file (creating parent directories); returns 0. */
int test_write_file(const char *path, const char *text);

/* Reads a whole file; NULL when it cannot. Caller frees. */
char *test_read_file(const char *path);

/* A file of one JSON value per line (a server's request log) as an array of
 * those values; lines that do not parse are skipped. Caller frees. */
struct cJSON *test_read_json_lines(const char *path);

/* The built-in rules as a JSON document, to edit into a team's rules. Caller
 * frees (or hands it to alm_rules_from_json, which takes it). */
struct cJSON *test_default_rules_doc(void);

/* Group setup and teardown for tests that run git: a private HOME (no
 * identity, no safe.directory, no global config), a fixed author and
 * committer, no GIT_DIR and friends; teardown removes that HOME. */
int test_git_setup(void **state);
int test_git_teardown(void **state);

/* Starts `python3 SCRIPT --log LOG ARGS...` (a stand-in server; `script` is
 * relative to the source tree), reads the port it prints on its first line,
 * and returns it (0 when it did not start within 15 s); *pid gets the process.
 * `args` is NULL-terminated (or NULL). test_server_stop ends it. */
int test_server_start(int *pid, const char *script, const char *log, const char *const *args);
void test_server_stop(int *pid);

/* An allocator that fails on demand, for cJSON and for tests' own records:
 * after test_fail_after(n), every allocation of cJSON's and of test_failing_malloc
 * after the first `n` fails (-1: none does); test_allocations() counts them
 * since. test_allocate_freely() puts cJSON's own allocator back. */
void test_fail_after(long n);
void test_allocate_freely(void);
long test_allocations(void);
void *test_failing_malloc(size_t n);

/* Seconds on the monotonic clock. */
double test_now(void);

/* A value as compact JSON, or "(absent)" for NULL. Caller frees. */
char *test_show(const struct cJSON *v);

/* The string `key` of a stand-in's request log entry, or "" when it has none. */
const char *test_log_str(const struct cJSON *entry, const char *key);

/* The string entry[object][key] of a log entry (object: "params", "headers",
 * "form"), or NULL when there is none. */
const char *test_log_field(const struct cJSON *entry, const char *object, const char *key);

/* Fails the test unless the fact `path` of `f` is a string holding
 * `fragment`, on one line. */
struct alm_facts;
void test_fact_contains(struct alm_facts *f, const char *path, const char *fragment);

/* test_fact_contains for every fragment of a NULL-terminated list. */
void test_fact_says(struct alm_facts *f, const char *path, ...);

/* $ALM_SOURCE_DIR (the project's source tree) joined with `rel`. Caller frees. */
char *test_source_path(const char *rel);

#endif
