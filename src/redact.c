#include "redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A run this long of a secret's characters, in order, is taken for the secret
 * cut short: random tokens share no 8-character run with ordinary text. */
#define MIN_RUN 8
#define MIN_WORD_RUN 12
/* After "Basic" or "Bearer" without "Authorization:", a word is a credential
 * when it is at least this long (so "Basic realm" stays readable). */
#define MIN_SCHEME_CREDENTIAL 16
#define MAX_FORMS 8
/* Text redacted for a message of at most this much is looked at up to here:
 * a message is cut far shorter, and a service's body may be megabytes. What
 * lies across this point is dropped with the rest (see redact_cut). */
#define MAX_SCAN 16384

typedef struct {
	char *text;
	size_t len;
	int base64; /* a base64 slice: the whole encoded word around it goes */
} form;

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character of a base64 word (standard or URL-safe), padding aside. */
static int is_b64(char c)
{
	return is_alnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
}

/* A character of a credential as headers carry it. */
static int is_cred(char c)
{
	return is_alnum(c) || (c && strchr("+/=-_.~%", c) != NULL);
}

/*
 * The base64 characters of the secret that do not depend on what surrounds
 * it, when it starts `k` bytes (0, 1 or 2) into a 3-byte group: ":secret"
 * is k = 1, "user:secret" k = (strlen(user) + 1) % 3. The first characters
 * mix in the bytes before it and the last those after it, so they are left
 * out (and removed with the word the slice is found in).
 */
static char *base64_slice(const char *s, size_t n, size_t k, int urlsafe, size_t *out_len)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *alphabet = urlsafe ? url : std;
	size_t total = k + n, nchars = total * 8 / 6, start = k == 0 ? 0 : k + 1, c, used = 0;
	char *out;
	if (nchars <= start)
		return NULL;
	if (!(out = malloc(nchars - start + 1)))
		return NULL;
	for (c = start; c < nchars; c++) {
		size_t bit = c * 6, b = bit / 8, off = bit % 8;
		unsigned hi = b >= k && b < total ? (unsigned char)s[b - k] : 0;
		unsigned lo = b + 1 >= k && b + 1 < total ? (unsigned char)s[b + 1 - k] : 0;
		unsigned v = (((hi << 8) | lo) >> (10 - off)) & 63u;
		out[used++] = alphabet[v];
	}
	out[used] = '\0';
	*out_len = used;
	return out;
}

static char *url_encoded(const char *s, size_t n, size_t *out_len)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(n * 3 + 1);
	size_t i, used = 0;
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			out[used++] = c;
		} else {
			out[used++] = '%';
			out[used++] = hex[(unsigned char)c >> 4];
			out[used++] = hex[(unsigned char)c & 15u];
		}
	}
	out[used] = '\0';
	*out_len = used;
	return out;
}

static void add_form(form *forms, int *n, char *text, size_t len, int base64)
{
	int i;
	if (!text)
		return;
	for (i = 0; i < *n; i++) {
		if (forms[i].len == len && memcmp(forms[i].text, text, len) == 0) {
			free(text);
			return;
		}
	}
	if (*n >= MAX_FORMS || len == 0) {
		free(text);
		return;
	}
	forms[*n].text = text;
	forms[*n].len = len;
	forms[*n].base64 = base64;
	(*n)++;
}

static int forms_of(form *forms, const char *secret)
{
	size_t n = strlen(secret), len = 0, k;
	int count = 0, urlsafe;
	char *raw = strdup(secret), *url;
	add_form(forms, &count, raw, raw ? n : 0, 0);
	url = url_encoded(secret, n, &len);
	add_form(forms, &count, url, url ? len : 0, 0);
	for (k = 0; k < 3; k++) {
		for (urlsafe = 0; urlsafe < 2; urlsafe++) {
			char *slice = base64_slice(secret, n, k, urlsafe, &len);
			/* Too short a slice would match ordinary words. */
			if (slice && len < 4) {
				free(slice);
				continue;
			}
			add_form(forms, &count, slice, slice ? len : 0, 1);
		}
	}
	return count;
}

/* Matches form[o..] at t, case-insensitively, skipping whitespace between
 * matched characters. *matched gets the form characters matched; returns the
 * text bytes they took (up to the last matched one). */
static size_t match_run(const char *t, const form *f, size_t o, size_t *matched)
{
	size_t i = 0, j = o, end = 0;
	while (j < f->len && t[i]) {
		if (lower(t[i]) == lower(f->text[j])) {
			i++;
			j++;
			end = i;
		} else if (j > o && is_space(t[i])) {
			i++;
		} else {
			break;
		}
	}
	*matched = j - o;
	return end;
}

/* Whether `n` characters of a secret matched, not the whole of it, are taken
 * for what a cut left of it: MIN_RUN or more with a character other than a
 * letter (a random token has them), or a run of letters of MIN_WORD_RUN or
 * more; else "audience" in a readable token would take the word from every
 * message. */
static int partial_run(const char *run, size_t n)
{
	size_t i;
	if (n < MIN_RUN)
		return 0;
	if (n >= MIN_WORD_RUN)
		return 1;
	for (i = 0; i < n; i++)
		if (!((run[i] >= 'a' && run[i] <= 'z') || (run[i] >= 'A' && run[i] <= 'Z')))
			return 1;
	return 0;
}

/* The longest match of any form starting at t: its length in text bytes
 * (0: none), and whether it was a base64 slice. */
static size_t longest_match(const char *t, const form *forms, int nforms, int *base64)
{
	size_t best = 0;
	int i;
	for (i = 0; i < nforms; i++) {
		size_t o;
		if (!memchr(forms[i].text, *t, forms[i].len) && !memchr(forms[i].text, lower(*t), forms[i].len) &&
		    !(*t >= 'a' && *t <= 'z' && memchr(forms[i].text, *t - 'a' + 'A', forms[i].len)))
			continue;
		for (o = 0; o < forms[i].len; o++) {
			size_t matched, took;
			if (lower(*t) != lower(forms[i].text[o]))
				continue;
			took = match_run(t, &forms[i], o, &matched);
			if ((o == 0 && matched == forms[i].len) || partial_run(&forms[i].text[o], matched)) {
				if (took <= best)
					continue;
				best = took;
				*base64 = forms[i].base64;
			}
		}
	}
	return best;
}

static size_t keyword_at(const char *t, const char *word)
{
	size_t i;
	for (i = 0; word[i]; i++)
		if (lower(t[i]) != word[i])
			return 0;
	return is_alnum(t[i]) || t[i] == '_' ? 0 : i;
}

/* At a word "Authorization", "Basic" or "Bearer" (any case): *keep gets the
 * bytes to keep (the word, separators, a scheme), and the return value the
 * end of the credential after them (0: none). */
static size_t credential_after_keyword(const char *t, size_t *keep)
{
	size_t p, q, run;
	int header = 0;
	if ((p = keyword_at(t, "authorization")) != 0) {
		header = 1;
		while (is_space(t[p]) || t[p] == '"' || t[p] == '\'' || t[p] == ':' || t[p] == '=')
			p++;
		/* A scheme word (Basic, Bearer, ...) then the credential. */
		for (q = p; (t[q] >= 'a' && t[q] <= 'z') || (t[q] >= 'A' && t[q] <= 'Z'); q++)
			;
		if (q > p && is_space(t[q])) {
			p = q;
			while (is_space(t[p]))
				p++;
		}
	} else if ((p = keyword_at(t, "basic")) != 0 || (p = keyword_at(t, "bearer")) != 0) {
		if (!is_space(t[p]) && t[p] != '=' && t[p] != ':')
			return 0;
		while (is_space(t[p]) || t[p] == '=' || t[p] == ':')
			p++;
	} else {
		return 0;
	}
	for (run = 0; is_cred(t[p + run]); run++)
		;
	if (run == 0 || (!header && run < MIN_SCHEME_CREDENTIAL))
		return 0;
	*keep = p;
	return p + run;
}

static size_t stars(char *w, size_t span)
{
	size_t n = span < 3 ? span : 3;
	memset(w, '*', n);
	return n;
}

size_t alm_redact(char *text, const char *secret)
{
	form forms[MAX_FORMS];
	int nforms = 0, i;
	size_t r = 0, w = 0, count = 0;
	/* A credential found after a keyword, still to come: the bytes before it
	 * (the keyword, a scheme) are scanned like any others on the way. */
	size_t cred_from = 0, cred_to = 0;

	if (!text || !secret || !*secret)
		return 0;
	nforms = forms_of(forms, secret);
	while (text[r]) {
		size_t keep = 0, end, took;
		int base64 = 0, word_start = r == 0 || !(is_alnum(text[r - 1]) || text[r - 1] == '_');
		if (cred_to && r >= cred_from) {
			w += stars(text + w, cred_to - r);
			r = cred_to;
			cred_from = cred_to = 0;
			count++;
			continue;
		}
		if ((took = longest_match(text + r, forms, nforms, &base64)) != 0) {
			size_t back = 0, fwd = r + took;
			if (base64) {
				/* The whole encoded word: what mixes in the secret's bits goes too. */
				while (back < w && is_b64(text[w - back - 1]))
					back++;
				while (is_b64(text[fwd]) || text[fwd] == '=')
					fwd++;
			}
			if (cred_to && fwd > cred_from) {
				if (fwd < cred_to)
					fwd = cred_to;
				cred_from = cred_to = 0;
			}
			w -= back;
			w += stars(text + w, back + fwd - r);
			r = fwd;
			count++;
			continue;
		}
		if (!cred_to && word_start && (end = credential_after_keyword(text + r, &keep)) != 0) {
			cred_from = r + keep;
			cred_to = r + end;
		}
		text[w++] = text[r++];
	}
	text[w] = '\0';
	for (i = 0; i < nforms; i++)
		free(forms[i].text);
	return count;
}

/* Copies at most n-1 bytes of s without splitting a UTF-8 sequence. */
static void cut_copy(char *out, size_t n, const char *s, size_t len)
{
	if (!n)
		return;
	if (len > n - 1) {
		len = n - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memmove(out, s, len);
	out[len] = '\0';
}

/* Redacts `len` bytes of `s` into `out` (size n), cut at a UTF-8 boundary.
 * Beyond MAX_SCAN bytes the text is not looked at: it is dropped, and with it
 * the last MIN_RUN - 1 bytes before that point, where a secret cut there could
 * leave a piece too short to be recognised. */
static void redact_cut(char *out, size_t n, const char *secret, const char *s, size_t len)
{
	int cut = len > MAX_SCAN;
	char *whole;
	size_t used;
	if (cut)
		len = MAX_SCAN;
	if (!(whole = malloc(len + 1))) {
		/* Out of memory: cut first, then redact; the runs rule still applies. */
		cut_copy(out, n, s, len);
		alm_redact(out, secret);
		return;
	}
	memcpy(whole, s, len);
	whole[len] = '\0';
	alm_redact(whole, secret);
	used = strlen(whole);
	if (cut)
		used = used > MIN_RUN - 1 ? used - (MIN_RUN - 1) : 0;
	cut_copy(out, n, whole, used);
	free(whole);
}

void alm_redact_copy(char *out, size_t n, const char *secret, const char *s, size_t len)
{
	if (n)
		redact_cut(out, n, secret, s, len);
}

void alm_redact_vformat(char *out, size_t n, const char *secret, const char *fmt, va_list ap)
{
	va_list again;
	char *whole;
	int len;
	if (!n)
		return;
	va_copy(again, ap);
	len = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (len < 0 || !(whole = malloc((size_t)len + 1))) {
		vsnprintf(out, n, fmt, ap);
		alm_redact(out, secret);
		return;
	}
	vsnprintf(whole, (size_t)len + 1, fmt, ap);
	redact_cut(out, n, secret, whole, (size_t)len);
	free(whole);
}

void alm_redact_format(char *out, size_t n, const char *secret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	alm_redact_vformat(out, n, secret, fmt, ap);
	va_end(ap);
}
