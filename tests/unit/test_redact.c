/* The one redaction of a secret from service text: every encoding the tool
 * sends, cut, re-cased and broken over lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define T "pat-Zq7Xv2Lk9Rt4Wm8Ns3Hd"
/* A token with characters that URL-encoding changes. */
#define U "p@t+Zq/7=Xv2 Lk9~Rt4%Wm"

/* Whether `needle` occurs in `text` ignoring case and whitespace in the text. */
static int occurs_loosely(const char *text, const char *needle)
{
	char *flat = malloc(strlen(text) + 1);
	size_t i, j = 0, n = strlen(needle), k;
	int found = 0;
	for (i = 0; text[i]; i++)
		if (!strchr(" \t\r\n", text[i]))
			flat[j++] = text[i];
	flat[j] = '\0';
	for (k = 0; !found && k + n <= j; k++)
		found = strncasecmp(flat + k, needle, n) == 0;
	free(flat);
	return found;
}

/* Nothing of T in any form: 8-character pieces of the token and of its
 * base64 at each alignment. */
static void assert_no_trace(const char *text)
{
	static const char *pieces[] = {"pat-Zq7X", "v2Lk9Rt4", "Wm8Ns3Hd", "cGF0LVpx", "N1h2Mkxr", "OVJ0NFdt",
				       "OnBhdC1a", "cTdYdjJM", "azlSdDRX", "bThOczNI", "WnE3WHYy", "TGs5UnQ0",
				       "V204TnMz", NULL};
	int i;
	for (i = 0; pieces[i]; i++)
		if (occurs_loosely(text, pieces[i]))
			fail_msg("'%s' still in: %s", pieces[i], text);
}

static void check(const char *in, const char *secret, const char *expected)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", in);
	alm_redact(buf, secret);
	if (expected)
		assert_string_equal(buf, expected);
	if (strcmp(secret, T) == 0)
		assert_no_trace(buf);
}

static void test_raw_and_cased(void **state)
{
	(void)state;
	check("The credential " T " is not valid.", T, "The credential *** is not valid.");
	check(T, T, "***");
	check(T T, T, "******");
	check("x" T "y and " T, T, "x***y and ***");
	check("PAT-ZQ7XV2LK9RT4WM8NS3HD was refused", T, "*** was refused");
	check("nothing secret here, HTTP 401", T, "nothing secret here, HTTP 401");
}

static void test_split_by_whitespace(void **state)
{
	(void)state;
	check("key pat-Zq7Xv2\nLk9Rt4Wm8Ns3Hd end", T, "key *** end");
	check("key pat-Zq7\r\n  Xv2Lk9Rt4\tWm8Ns3Hd end", T, "key *** end");
	check("OnBhdC1acTdYdjJMazlS\r\ndDRXbThOczNIZA==", T, "***");
}

static void test_base64_forms(void **state)
{
	(void)state;
	/* ":token" as the tool sends it, "user:token", and the token at the
	 * other alignments inside longer encoded strings. */
	check("Authorization: Basic OnBhdC1acTdYdjJMazlSdDRXbThOczNIZA==", T, "Authorization: Basic ***");
	check("got OnBhdC1acTdYdjJMazlSdDRXbThOczNIZA== back", T, "got *** back");
	check("got dXNlcjpwYXQtWnE3WHYyTGs5UnQ0V204TnMzSGQ= back", T, "got *** back");
	check("got YWI6cGF0LVpxN1h2MkxrOVJ0NFdtOE5zM0hk back", T, "got *** back");
	check("got YTpwYXQtWnE3WHYyTGs5UnQ0V204TnMzSGQ= back", T, "got *** back");
	check("got cGF0LVpxN1h2MkxrOVJ0NFdtOE5zM0hk back", T, "got *** back");
	/* URL-safe alphabet, and a token whose base64 differs there. */
	check("u=OnBAdCtacS83PVh2MiBMazl-UnQ0JVdt;", U, "u=***;");
	check("s=OnBAdCtacS83PVh2MiBMazl+UnQ0JVdt;", U, "s=***;");
}

static void test_url_encoded(void **state)
{
	(void)state;
	check("reply_to=p%40t%2BZq%2F7%3DXv2%20Lk9~Rt4%25Wm&x=1", U, "reply_to=***&x=1");
	check("reply_to=p%40t%2bzq%2f7%3dxv2%20lk9~rt4%25wm&x=1", U, "reply_to=***&x=1");
	check("raw " U " here", U, "raw *** here");
}

static void test_authorization_text(void **state)
{
	(void)state;
	/* Whatever the credential, in any case: the header's value goes. */
	check("AUTHORIZATION: BASIC c29tZW90aGVyY3JlZA==", T, "AUTHORIZATION: BASIC ***");
	check("authorization=bearer eyJhbGciOiJIUzI1NiJ9.e30.x", T, "authorization=bearer ***");
	check("header \"Authorization\": \"abc123\"", T, "header \"Authorization\": \"***\"");
	check("sent BEARER eyJhbGciOiJIUzI1NiJ9abcdef", T, "sent BEARER ***");
	check("bAsIc OnBhdC1acTdYdjJMazlSdDRXbThOczNIZA==", T, "bAsIc ***");
	/* Ordinary words after them stay. */
	check("Basic realm=\"https://x.example/\"", T, "Basic realm=\"https://x.example/\"");
	check("use basic auth or a bearer token", T, "use basic auth or a bearer token");
	/* The secret as the scheme word still goes, and so does what follows. */
	check("Authorization: " T " zzzz", T, "Authorization: *** zzzz");
	check("Authorization: abcdefghij zzzz", "abcdefghij", "Authorization: *** ***");
	check("Authorization: Basic pat-Zq7Xv2", T, "Authorization: Basic ***");
}

static void test_cut_secrets(void **state)
{
	char out[64], pad[400];
	(void)state;
	/* What remains of a token cut short (8 characters or more) goes too. */
	check("invalid JSON near 'pat-Zq7Xv2Lk'", T, "invalid JSON near '***'");
	check("...Wm8Ns3Hd", T, "...***");
	check("near 'pat-Zq7'", T, "near 'pat-Zq7'"); /* 7: too short to tell */
	/* A word of a readable token is no trace of it; 12 letters in a row are. */
	check("issued for another audience", "a-token-for-another-audience", "issued for another audience");
	check("xx abcdefghijkl", "Q1abcdefghijklmn", "xx ***");
	/* Redacted before the cut: a token across the cut leaves nothing. */
	memset(pad, 'x', 50);
	pad[50] = '\0';
	alm_redact_format(out, sizeof out, T, "%s %s %s", pad, T, "tail");
	assert_string_equal(out, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx *** tail");
	memset(pad, 'y', 60);
	pad[60] = '\0';
	alm_redact_format(out, sizeof out, T, "%s%s", pad, T);
	assert_int_equal(strlen(out), 63);
	assert_no_trace(out);
	alm_redact_copy(out, 20, T, "abc " T, strlen("abc " T));
	assert_string_equal(out, "abc ***");
	/* A megabyte-long message: only its start is looked at, and the token
	 * across that point leaves nothing. */
	{
		size_t big = 1 << 20, k;
		char *msg = malloc(big + 1), *res = malloc(big + 1);
		for (k = 0; k < big; k++)
			msg[k] = (char)('a' + k % 7);
		memcpy(msg + 16384 - 10, T, strlen(T));
		memcpy(msg + 100, T, strlen(T));
		msg[big] = '\0';
		alm_redact_copy(res, big + 1, T, msg, big);
		assert_true(strlen(res) < 16384);
		assert_no_trace(res);
		assert_non_null(strstr(res, "***"));
		free(msg);
		free(res);
	}
	/* A cut in the middle of a UTF-8 sequence moves back to its start. */
	alm_redact_copy(out, 4, T, "ab\xc3\xa9z", 5);
	assert_string_equal(out, "ab");
}

static void test_no_secret(void **state)
{
	char buf[32] = "keep " T;
	(void)state;
	assert_int_equal(alm_redact(buf, NULL), 0);
	assert_int_equal(alm_redact(buf, ""), 0);
	assert_string_equal(buf, "keep " T);
	assert_int_equal(alm_redact(buf, T), 1);
	/* A short secret: only whole matches, and the text never grows. */
	check("a ab b", "ab", "a ** b");
	check("x", "x", "*");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_and_cased),
		cmocka_unit_test(test_split_by_whitespace),
		cmocka_unit_test(test_base64_forms),
		cmocka_unit_test(test_url_encoded),
		cmocka_unit_test(test_authorization_text),
		cmocka_unit_test(test_cut_secrets),
		cmocka_unit_test(test_no_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
