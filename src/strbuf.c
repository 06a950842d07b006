#include "strbuf.h"
#include "alm/error.h"
#include "escape.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void alm_strbuf_init(alm_strbuf *b, size_t max)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->failed = 0;
}

/* Room for `n` more bytes and the terminator, doubling. */
static int reserve(alm_strbuf *b, size_t n)
{
	size_t need, cap;
	char *grown;
	if (b->failed)
		return b->failed;
	if (b->max && n > b->max - b->len)
		return b->failed = ALM_ELIMIT;
	if (n > SIZE_MAX - b->len - 1)
		return b->failed = ALM_ENOMEM;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (!(grown = realloc(b->ptr, cap)))
		return b->failed = ALM_ENOMEM;
	b->ptr = grown;
	b->cap = cap;
	return 0;
}

int alm_strbuf_put(alm_strbuf *b, const char *data, size_t n)
{
	int error = reserve(b, n);
	if (error)
		return error;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int alm_strbuf_puts(alm_strbuf *b, const char *s)
{
	return alm_strbuf_put(b, s ? s : "", s ? strlen(s) : 0);
}

int alm_strbuf_putc(alm_strbuf *b, char c)
{
	return alm_strbuf_put(b, &c, 1);
}

int alm_strbuf_printf(alm_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, error;
	if (b->failed)
		return b->failed;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->failed = ALM_ENOMEM;
	if ((error = reserve(b, (size_t)n)) != 0)
		return error;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *alm_strbuf_room(alm_strbuf *b, size_t n, size_t *avail)
{
	size_t room;
	if (reserve(b, n) != 0)
		return NULL;
	room = b->cap - b->len - 1;
	if (b->max && room > b->max - b->len)
		room = b->max - b->len;
	if (avail)
		*avail = room;
	return b->ptr + b->len;
}

void alm_strbuf_wrote(alm_strbuf *b, size_t n)
{
	b->len += n;
	b->ptr[b->len] = '\0';
}

const char *alm_strbuf_str(const alm_strbuf *b)
{
	return b->ptr ? b->ptr : "";
}

int alm_strbuf_finish(alm_strbuf *b, char **out, size_t *len, const char *what)
{
	int failed = b->failed;
	*out = NULL;
	if (len)
		*len = 0;
	if (!failed && !b->ptr && reserve(b, 0) == 0)
		b->ptr[0] = '\0';
	failed = b->failed;
	if (failed) {
		size_t max = b->max;
		alm_strbuf_free(b);
		if (failed == ALM_ELIMIT)
			return alm_error_set(ALM_ELIMIT, "%s would exceed %zu bytes", what ? what : "a string", max);
		return alm_error_set(ALM_ENOMEM, "out of memory building %s", what ? what : "a string");
	}
	*out = b->ptr;
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return 0;
}

void alm_strbuf_free(alm_strbuf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

int alm_memstream_finish(FILE *fp, char **buf, size_t *n, char **out, size_t *len)
{
	int failed = ferror(fp);
	*out = NULL;
	if (fclose(fp) != 0 || failed || !*buf) {
		free(*buf);
		*buf = NULL;
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	/* Names from outside may be any bytes; no output carries ill-formed UTF-8. */
	if (alm_utf8_repair(buf, n) < 0) {
		free(*buf);
		*buf = NULL;
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	*out = *buf;
	if (len)
		*len = *n;
	*buf = NULL;
	return 0;
}
