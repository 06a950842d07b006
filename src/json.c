#include "alm/json.h"
#include "alm/error.h"
#include "escape.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void position_of(const char *text, size_t offset, int *line, int *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	for (i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++; /* count characters, not UTF-8 continuation bytes */
		}
	}
}

/* Whether the text stops before its brackets close (or inside a string): then the
 * error is "unexpected end", wherever cJSON noticed it. */
static int truncated(const char *text, size_t len)
{
	size_t i;
	long depth = 0;
	int in_string = 0;
	for (i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return in_string || depth > 0;
}

/* Whether the text opens more than cJSON's CJSON_NESTING_LIMIT arrays and
 * objects before `at`, where cJSON stopped: then that, not the bracket cJSON
 * stopped at, is what is wrong with it. */
static int too_deep(const char *text, size_t at)
{
	size_t i;
	long depth = 0;
	int in_string = 0;
	for (i = 0; i < at; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > CJSON_NESTING_LIMIT)
				return 1;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

int alm_json_parse(cJSON **out, const char *text, size_t len, const char *name)
{
	const char *end = NULL;
	const char *start = text;
	cJSON *value;
	int line, col;

	*out = NULL;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		start += 3;
		len -= 3;
	}
	if (memchr(start, '\0', len))
		return alm_error_set(ALM_EINVALID, "%s: contains a NUL byte; expected JSON text", name);

	value = cJSON_ParseWithLengthOpts(start, len, &end, 0);
	if (!value) {
		size_t at = end ? (size_t)(end - start) : 0;
		/* cJSON says the same when an allocation failed as when the text is
		 * wrong: when not even a small value can be made, memory ran out, and
		 * the input is not to be blamed. */
		cJSON *probe = cJSON_CreateNull();
		if (!probe)
			return alm_error_set(ALM_ENOMEM, "%s: out of memory while parsing", name);
		cJSON_Delete(probe);
		if (at > len)
			at = len;
		position_of(start, at, &line, &col);
		if (too_deep(start, at < len ? at + 1 : len))
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: nested deeper than %d arrays and objects",
					     name, line, col, CJSON_NESTING_LIMIT);
		if (at >= len || truncated(start, len)) {
			position_of(start, len, &line, &col);
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: unexpected end of input; expected a complete JSON value",
					     name, line, col);
		}
		{
			/* Quote what follows the error, up to the end of its line. */
			size_t n = 0;
			while (n < 12 && at + n < len && start[at + n] != '\n' && start[at + n] != '\r')
				n++;
			return alm_error_set(ALM_EINVALID, "%s:%d:%d: invalid JSON near '%.*s'", name, line, col,
					     (int)n, start + at);
		}
	}
	while (end && (size_t)(end - start) < len &&
	       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end && (size_t)(end - start) < len) {
		position_of(start, (size_t)(end - start), &line, &col);
		cJSON_Delete(value);
		return alm_error_set(ALM_EINVALID, "%s:%d:%d: unexpected text after the JSON value", name, line, col);
	}
	*out = value;
	return 0;
}

int alm_file_read(char **out, size_t *len, const char *path, size_t max)
{
	FILE *fp;
	alm_strbuf buf = ALM_STRBUF_INIT;
	int error = 0;

	*out = NULL;
	if (len)
		*len = 0;
	fp = fopen(path, "rb");
	if (!fp)
		return alm_error_set(errno == ENOENT ? ALM_ENOTFOUND : ALM_EIO, "%s: cannot open: %s", path,
				     strerror(errno));
	for (;;) {
		size_t n, avail;
		char *at = alm_strbuf_room(&buf, 4096, &avail);
		if (!at) {
			error = alm_error_set(ALM_ENOMEM, "%s: out of memory", path);
			goto done;
		}
		n = fread(at, 1, avail, fp);
		alm_strbuf_wrote(&buf, n);
		if (buf.len > max) {
			error = alm_error_set(ALM_ELIMIT, "%s: larger than the limit of %zu bytes", path, max);
			goto done;
		}
		if (n == 0) {
			if (ferror(fp))
				error = alm_error_set(ALM_EIO, "%s: read failed: %s", path, strerror(errno));
			break;
		}
	}
done:
	fclose(fp);
	if (error) {
		alm_strbuf_free(&buf);
		return error;
	}
	if (alm_strbuf_finish(&buf, out, len, path) < 0)
		return alm_error_set(ALM_ENOMEM, "%s: out of memory", path);
	return 0;
}

int alm_json_read_file(cJSON **out, const char *path)
{
	char *text;
	size_t len;
	int error;

	*out = NULL;
	if ((error = alm_file_read(&text, &len, path, ALM_JSON_MAX_FILE)) < 0)
		return error;
	error = alm_json_parse(out, text, len, path);
	free(text);
	return error;
}

/* Writes `data` to a new temporary file beside `path` and flushes it; *tmp
 * gets its name (caller frees, and removes the file on a later failure). */
static int write_temp(char **tmp_out, const char *path, const char *data, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int fd = -1, error = 0;
	size_t done = 0;

	if (!tmp)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot create a temporary file beside it: %s", path,
				      strerror(errno));
		free(tmp);
		return error;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = alm_error_set(ALM_EIO, "%s: write failed: %s", path, strerror(errno));
			goto done;
		}
		done += (size_t)n;
	}
	/* mkstemp makes 0600; a report is an ordinary file, so honour the umask. */
	{
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (fsync(fd) != 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot flush: %s", path, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		error = alm_error_set(ALM_EIO, "%s: cannot close: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	if (error) {
		unlink(tmp);
		free(tmp);
		return error;
	}
	*tmp_out = tmp;
	return 0;
}

/*
 * An interrupt (Ctrl-C, a pipeline cancelled) while the temporary file exists
 * would leave it behind, half written. The signals that end a run are held
 * from its creation until it is renamed or removed, then delivered: the run
 * still ends, and leaves the new file whole or nothing.
 */
static void hold_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int alm_file_write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp;
	sigset_t old;
	int error;
	hold_signals(&old);
	if ((error = write_temp(&tmp, path, data, len)) < 0)
		goto done;
	if (rename(tmp, path) != 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot replace: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
done:
	release_signals(&old);
	return error;
}

/* The body of alm_file_write_new, with the signals held. */
static int write_new(const char *path, const char *data, size_t len)
{
	char *tmp;
	int error;
	if ((error = write_temp(&tmp, path, data, len)) < 0)
		return error;
	/* link() fails when `path` exists, which rename() would silently replace. */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			error = alm_error_set(ALM_EIO, "%s: already exists; not overwriting it", path);
		else
			error = alm_error_set(ALM_EIO, "%s: cannot create: %s", path, strerror(errno));
	}
	unlink(tmp);
	free(tmp);
	return error;
}

int alm_file_write_new(const char *path, const char *data, size_t len)
{
	sigset_t old;
	int error;
	hold_signals(&old);
	error = write_new(path, data, len);
	release_signals(&old);
	return error;
}

void alm_json_path_key(char *buf, size_t n, const char *base, const char *key)
{
	snprintf(buf, n, "%s.%s", base, key);
}

void alm_json_path_index(char *buf, size_t n, const char *base, int index)
{
	snprintf(buf, n, "%s[%d]", base, index);
}

const cJSON *alm_json_get_path(const cJSON *root, const char *dotted)
{
	const cJSON *node = root;
	char name[256];
	while (node && dotted && *dotted) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len >= sizeof name || !cJSON_IsObject(node))
			return NULL;
		memcpy(name, dotted, len);
		name[len] = '\0';
		node = cJSON_GetObjectItemCaseSensitive(node, name);
		dotted = dot ? dot + 1 : dotted + len;
	}
	return node;
}

/* ---- reading members ------------------------------------------------------ */

const cJSON *alm_json_get(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) && key ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

const char *alm_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *alm_json_str_or(const cJSON *obj, const char *key, const char *fallback)
{
	const char *s = alm_json_str(obj, key);
	return s ? s : fallback;
}

const cJSON *alm_json_obj(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *alm_json_arr(const cJSON *obj, const char *key)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsArray(v) ? v : NULL;
}

double alm_json_num_or(const cJSON *obj, const char *key, double fallback)
{
	const cJSON *v = alm_json_get(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

int alm_json_str_is(const cJSON *obj, const char *key, const char *want)
{
	const char *s = alm_json_str(obj, key);
	return s && want && strcmp(s, want) == 0;
}

/* ---- building ------------------------------------------------------------- */

static _Thread_local unsigned long add_failures;

unsigned long alm_json_add_failures(void)
{
	return add_failures;
}

int alm_json_add_check(unsigned long mark, const char *what)
{
	if (add_failures == mark)
		return 0;
	return alm_error_set(ALM_ENOMEM, "out of memory building %s", what ? what : "a JSON document");
}

cJSON *alm_json_add(cJSON *parent, const char *key, cJSON *item)
{
	cJSON_bool added = 0;
	if (item && parent) {
		if (key && cJSON_IsObject(parent))
			added = cJSON_AddItemToObject(parent, key, item);
		else if (!key && cJSON_IsArray(parent))
			added = cJSON_AddItemToArray(parent, item);
	}
	if (!added) {
		cJSON_Delete(item);
		add_failures++;
		return NULL;
	}
	return item;
}

cJSON *alm_json_add_string(cJSON *parent, const char *key, const char *s)
{
	return s ? alm_json_add(parent, key, cJSON_CreateString(s)) : NULL;
}

cJSON *alm_json_add_number(cJSON *parent, const char *key, double n)
{
	return alm_json_add(parent, key, cJSON_CreateNumber(n));
}

cJSON *alm_json_add_bool(cJSON *parent, const char *key, int b)
{
	return alm_json_add(parent, key, cJSON_CreateBool(b));
}

cJSON *alm_json_add_null(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateNull());
}

cJSON *alm_json_add_object(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateObject());
}

cJSON *alm_json_add_array(cJSON *parent, const char *key)
{
	return alm_json_add(parent, key, cJSON_CreateArray());
}

cJSON *alm_json_add_copy(cJSON *parent, const char *key, const cJSON *value)
{
	return value ? alm_json_add(parent, key, cJSON_Duplicate(value, 1)) : NULL;
}

cJSON *alm_json_set(cJSON *parent, const char *key, cJSON *item)
{
	if (item && cJSON_IsObject(parent) && key && cJSON_GetObjectItemCaseSensitive(parent, key)) {
		if (cJSON_ReplaceItemInObjectCaseSensitive(parent, key, item))
			return item;
		cJSON_Delete(item);
		add_failures++;
		return NULL;
	}
	return alm_json_add(parent, key, item);
}

/* ---- printing ------------------------------------------------------------- */

static int print_line(char **out, size_t *len, char *text)
{
	char *line;
	size_t n;
	*out = NULL;
	if (len)
		*len = 0;
	if (!text)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	n = strlen(text);
	line = malloc(n + 2);
	if (!line) {
		cJSON_free(text);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	memcpy(line, text, n);
	cJSON_free(text);
	/* A trailing newline, as every line-oriented tool expects. */
	line[n] = '\n';
	line[n + 1] = '\0';
	n++;
	/* cJSON passes bytes of strings through as they are: a name that is
	 * not UTF-8 would make the document unparseable. */
	if (alm_utf8_repair(&line, &n) < 0) {
		free(line);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = line;
	if (len)
		*len = n;
	return 0;
}

int alm_json_print_line(char **out, size_t *len, const cJSON *value)
{
	return print_line(out, len, cJSON_Print(value));
}

int alm_json_print_compact_line(char **out, size_t *len, const cJSON *value)
{
	return print_line(out, len, cJSON_PrintUnformatted(value));
}
