#ifndef ALM_STRBUF_H
#define ALM_STRBUF_H
/*
 * A growable string that remembers its first failure: every append after an
 * allocation failure (or after the size cap is reached) does nothing, so a
 * caller appends freely and checks once, at alm_strbuf_finish. The buffer is
 * always NUL-terminated while it holds anything.
 */
#include <stdio.h>
#include <stddef.h>

typedef struct {
	char *ptr;
	size_t len, cap;
	size_t max;  /* the most bytes it may hold (0: no cap) */
	int failed;  /* 0, ALM_ENOMEM or ALM_ELIMIT: the first failure */
} alm_strbuf;

#define ALM_STRBUF_INIT { NULL, 0, 0, 0, 0 }

/* An empty buffer that refuses to grow past `max` bytes (0: no cap). */
void alm_strbuf_init(alm_strbuf *b, size_t max);

/* Appends; each returns 0, or the buffer's failure (ALM_ENOMEM, ALM_ELIMIT),
 * which sticks. They set no error message: alm_strbuf_finish does. */
int alm_strbuf_put(alm_strbuf *b, const char *data, size_t n);
int alm_strbuf_puts(alm_strbuf *b, const char *s); /* NULL appends nothing */
int alm_strbuf_putc(alm_strbuf *b, char c);
int alm_strbuf_printf(alm_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* For writing in place (fread, say): room for at least `n` more bytes at the
 * end, and in *avail (may be NULL) how many may be written there (up to the
 * cap); NULL on a failure, which sticks. alm_strbuf_wrote then counts the
 * bytes written. */
char *alm_strbuf_room(alm_strbuf *b, size_t n, size_t *avail);
void alm_strbuf_wrote(alm_strbuf *b, size_t n);

/* The text so far; "" while empty. Borrowed. */
const char *alm_strbuf_str(const alm_strbuf *b);

/* Hands the text to *out (caller frees; "" rather than NULL when empty) and
 * its length to *len (may be NULL), leaving `b` empty. On a failure recorded
 * earlier, frees everything, sets *out NULL and returns ALM_ENOMEM ("out of
 * memory building WHAT") or ALM_ELIMIT ("WHAT would exceed N bytes"). */
int alm_strbuf_finish(alm_strbuf *b, char **out, size_t *len, const char *what);

void alm_strbuf_free(alm_strbuf *b);

/*
 * The ending every renderer that writes through a stdio stream shares: closes
 * `fp` (from open_memstream(buf, n)) and hands *buf to *out and *n to *len
 * (may be NULL). A stream that failed (a write error or an allocation failure
 * inside stdio) frees the buffer and returns ALM_ENOMEM; *out is NULL then.
 * Ill-formed UTF-8 in the text (a name from outside) becomes U+FFFD.
 */
int alm_memstream_finish(FILE *fp, char **buf, size_t *n, char **out, size_t *len);

#endif
