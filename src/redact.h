#ifndef ALM_REDACT_H
#define ALM_REDACT_H
/*
 * Removing a secret from text a service wrote (an error message, a header)
 * before it reaches a message, a fact or a report. A server may quote the
 * credential in any encoding, cut, re-cased, or broken over lines, so every
 * form the tool itself sends is looked for:
 * - the secret as is, and URL-encoded;
 * - its base64 at each of the 3 alignments it can have inside a longer
 *   encoded string (so ":secret" and "user:secret" as in an HTTP Basic
 *   header), standard and URL-safe, the whole encoded word removed;
 * - any run of 8 or more of its characters in order (what is left of a
 *   secret cut short), in either form, when the run has a character other
 *   than a letter or is 12 or more long (a word of a readable token is not
 *   taken from every message);
 * - the credential after "Authorization", "Basic" or "Bearer" in any case;
 * matched without regard to case and across whitespace and line breaks.
 * Each is replaced by "***". The text never grows.
 * The formatting and copying functions look at the first 16 KiB only (what
 * follows, with the 7 bytes before it, is dropped): messages are cut far
 * shorter, and a service's body may be megabytes.
 */
#include <stdarg.h>
#include <stddef.h>

/* Redacts `secret` (NULL or "": nothing) from the NUL-terminated `text` in
 * place. Returns how many places were replaced. */
size_t alm_redact(char *text, const char *secret);

/* Formats into `out` (size n), redacting `secret` from the whole text before
 * cutting it to n - 1 bytes (at a UTF-8 boundary): a cut never leaves part of
 * a secret the redaction would not have recognised. */
void alm_redact_format(char *out, size_t n, const char *secret, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void alm_redact_vformat(char *out, size_t n, const char *secret, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 0)))
#endif
	;

/* Copies `len` bytes of `s` into `out` (size n), redacted, then cut the same way. */
void alm_redact_copy(char *out, size_t n, const char *secret, const char *s, size_t len);

#endif
