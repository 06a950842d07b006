/*
 * The redaction of a secret from service text. The first byte is the
 * secret's length (mod 64), the secret follows, the rest is the text. The
 * text must never grow, and a secret without '*' or whitespace (which the
 * replacement or the matching across line breaks could rebuild) must not
 * occur in the result, in any case.
 */
#include "fuzz.h"

#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int occurs(const char *text, const char *secret)
{
	size_t n = strlen(secret), i;
	for (i = 0; text[i]; i++)
		if (strncasecmp(text + i, secret, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t slen, tlen, before;
	char *secret, *text, out[64];
	if (size < 1)
		return 0;
	slen = data[0] % 64u;
	if (slen > size - 1)
		slen = size - 1;
	tlen = size - 1 - slen;
	secret = malloc(slen + 1);
	text = malloc(tlen + 1);
	if (!secret || !text)
		abort();
	memcpy(secret, data + 1, slen);
	secret[slen] = '\0';
	memcpy(text, data + 1 + slen, tlen);
	text[tlen] = '\0';
	before = strlen(text);
	alm_redact(text, secret);
	if (strlen(text) > before)
		abort();
	if (*secret && !strpbrk(secret, "* \t\r\n\v\f") && occurs(text, secret))
		abort();
	alm_redact_copy(out, sizeof out, secret, (const char *)data + 1 + slen, tlen);
	if (strlen(out) >= sizeof out)
		abort();
	free(secret);
	free(text);
	return 0;
}
