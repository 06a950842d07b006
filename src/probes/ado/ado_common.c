#include "ado_common.h"
#include "ado_parse.h"
#include "alm/error.h"
#include "redact.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A token copied from a file may end in a newline; inner control
 * characters would end up in a header and are refused. */
static int clean_token(char **out, const char *raw)
{
	size_t n = strlen(raw), i;
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' ' || raw[n - 1] == '\t'))
		n--;
	for (i = 0; i < n; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			return -1;
	*out = malloc(n + 1);
	if (!*out)
		return -2;
	memcpy(*out, raw, n);
	(*out)[n] = '\0';
	return 0;
}

int alm_ado_credential_read(alm_ado_credential *out, const alm_env *env)
{
	const char *raw;
	int rc;

	memset(out, 0, sizeof *out);
	out->basic = (raw = env->ado_pat) != NULL && *raw;
	out->var = out->basic ? ALM_ENV_ADO_PAT : ALM_ENV_SYSTEM_ACCESSTOKEN;
	if (!out->basic && !((raw = env->system_access_token) != NULL && *raw))
		return alm_error_set(ALM_EINVALID,
				     "no Azure DevOps token: set " ALM_ENV_ADO_PAT " to a personal access token with Build (Read), "
				     "Code (Read), Project and Team (Read) and Environment (Read & manage) "
				     "(in Azure Pipelines, map " ALM_ENV_SYSTEM_ACCESSTOKEN " into the step's environment)");
	if ((rc = clean_token(&out->token, raw)) == -2)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (rc < 0)
		return alm_error_set(ALM_EINVALID, "%s contains control characters; it must be the token alone", out->var);
	return 0;
}

void alm_ado_credential_dispose(alm_ado_credential *c)
{
	if (!c)
		return;
	if (c->token) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	memset(c, 0, sizeof *c);
}

void alm_ado_http_setup(alm_http_options *h, const alm_ado_credential *c, const alm_ado_target *target,
			const char *ca_file, double timeout)
{
	if (c->basic)
		h->basic_password = c->token;
	else
		h->bearer = c->token;
	h->ca_file = ca_file;
	h->allow_http = target->loopback;
	h->no_proxy = target->loopback;
	h->timeout = timeout;
	h->connect_timeout = timeout < 10 ? timeout : 10;
	h->stall_seconds = 20;
}

const char *alm_ado_host_of(const char *collection, char *buf, size_t n)
{
	const char *h = strstr(collection, "://");
	h = h ? h + 3 : collection;
	snprintf(buf, n, "%.*s", (int)strcspn(h, "/"), h);
	return buf;
}

/* The URL without its query, for messages. */
static void url_path(char *out, size_t n, const char *url)
{
	size_t len = strcspn(url, "?#");
	snprintf(out, n, "%.*s", (int)len, url);
}

static int is_json(const char *content_type)
{
	return content_type && strncasecmp(content_type, "application/json", 16) == 0 &&
	       (content_type[16] == '\0' || content_type[16] == ';' || content_type[16] == ' ');
}

/* Writes one line into why and returns 0, so the callers below stay short. */
static int reason(char *why, size_t n, const char *token, int *rank, int r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/* The whole line is redacted before it is cut to n: the service's text in it
 * (a content type, a message) may carry the token. */
static int reason(char *why, size_t n, const char *token, int *rank, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	alm_redact_vformat(why, n, token, fmt, ap);
	va_end(ap);
	*rank = r;
	return 0;
}

int alm_ado_response_check(const alm_http_response *res, const alm_ado_request_info *info, char *why,
			   size_t n, int *rank)
{
	char where[512], msg[300], extra[340], *whole;
	const char *what = info->what, *scope = info->scope, *var = info->token_var;
	int ok = 1;

	url_path(where, sizeof where, res->url);
	switch (res->outcome) {
	case ALM_HTTP_TIMEOUT:
		if (res->status >= 400)
			ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK,
				    "gave up on %s from %s at the probe's %g s deadline, after %d attempts "
				    "(the last answered HTTP %ld)", what, info->host, info->timeout, res->attempts,
				    res->status);
		else
			ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK,
				    "no answer from %s for %s within the probe's %g s deadline (GET %s)", info->host,
				    what, info->timeout, where);
		break;
	case ALM_HTTP_TOO_LARGE:
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK, "refused the answer for %s: %s (GET %s)", what,
			    res->error, where);
		break;
	case ALM_HTTP_FAILED:
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK, "could not read %s from %s: %s", what, info->host,
			    res->error);
		break;
	case ALM_HTTP_DONE:
		break;
	}
	if (!ok)
		goto done;

	extra[0] = '\0';
	/* The service's message whole, redacted, and only then cut: a message
	 * padded to push the token across the cut must not leave a part of it. */
	whole = res->len ? malloc(res->len + 1) : NULL;
	if (whole && alm_ado_parse_error_message(whole, res->len + 1, res->body, res->len) == 0) {
		alm_redact_copy(msg, sizeof msg, info->token, whole, strlen(whole));
		snprintf(extra, sizeof extra, ": %s", msg);
	}
	free(whole);
	if (res->status == 401) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_AUTH,
			    "Azure DevOps refused the token (HTTP 401) for %s: %s is missing, expired or revoked, "
			    "or lacks %s%s", what, var, scope, extra);
	} else if (res->status == 403) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_FORBIDDEN,
			    "Azure DevOps denied access (HTTP 403) to %s: the token in %s needs %s "
			    "and the user read permission%s", what, var, scope, extra);
	} else if (res->status >= 300 && res->status < 400) {
		char to[256] = "another address";
		if (res->location)
			alm_redact_copy(to, sizeof to, info->token, res->location, strcspn(res->location, "?#"));
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_AUTH,
			    "Azure DevOps redirected %s to %s (HTTP %ld) instead of answering: check the URL, "
			    "and that %s is accepted (a refused token is sent to a sign-in page)",
			    what, to, res->status, var);
	} else if (res->status >= 200 && res->status < 300 &&
		   (res->status == 203 || !is_json(res->content_type))) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_AUTH,
			    "Azure DevOps answered %s with a sign-in page (HTTP %ld, %s) instead of JSON: "
			    "the token in %s was not accepted; it needs %s",
			    what, res->status, res->content_type ? res->content_type : "no content type", var, scope);
	} else if (res->status == 404) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_OTHER, "%s not found (HTTP 404) at %s%s", what, where, extra);
	} else if (res->status == 429) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK,
			    "Azure DevOps throttled the requests (HTTP 429) for %s and the deadline came "
			    "before it allowed more%s", what, extra);
	} else if (res->status < 200 || res->status >= 300) {
		ok = reason(why, n, info->token, rank, ALM_ADO_RANK_NETWORK, "Azure DevOps failed %s (HTTP %ld after %d attempt%s)%s",
			    what, res->status, res->attempts, res->attempts == 1 ? "" : "s", extra);
	}
done:
	if (!ok) {
		alm_ado_one_line(why);
	}
	return ok;
}

char *alm_ado_format(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

const alm_env *alm_ado_env_pick(alm_env *scratch, const alm_env *given, alm_ado_env_fn tuning)
{
	if (tuning) {
		alm_env_from_lookup(scratch, tuning, NULL);
		return scratch;
	}
	if (given)
		return given;
	alm_env_from_process(scratch, NULL);
	return scratch;
}

char *alm_ado_follow_token(char ***tokens, int *ntokens, const char *base_url, const char *continuation)
{
	char *esc, *url, **grown;
	int i;
	for (i = 0; i < *ntokens; i++)
		if (strcmp((*tokens)[i], continuation) == 0)
			return strdup("");
	grown = realloc(*tokens, (size_t)(*ntokens + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	*tokens = grown;
	if (!(grown[*ntokens] = strdup(continuation)))
		return NULL;
	(*ntokens)++;
	esc = alm_ado_escape(continuation);
	url = esc ? alm_ado_format("%s&continuationToken=%s", base_url, esc) : NULL;
	free(esc);
	return url;
}

static size_t strmap_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *key; key++) {
		unsigned char c = (unsigned char)*key;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211ULL;
	}
	return (size_t)h;
}

static int strmap_grow(alm_ado_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j;
	char **keys = calloc(cap, sizeof *keys);
	size_t *values = calloc(cap, sizeof *values);
	if (!keys || !values) {
		free(keys);
		free(values);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		for (j = strmap_hash(m->keys[i]) & (cap - 1); keys[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		values[j] = m->values[i];
	}
	free(m->keys);
	free(m->values);
	m->keys = keys;
	m->values = values;
	m->cap = cap;
	return 0;
}

int alm_ado_strmap_put(alm_ado_strmap *m, const char *key, size_t value, size_t *found)
{
	size_t i;
	if ((m->used + 1) * 2 > m->cap && strmap_grow(m) < 0)
		return -1;
	for (i = strmap_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (strcasecmp(m->keys[i], key) == 0) {
			if (found)
				*found = m->values[i];
			return 0;
		}
	}
	if (!(m->keys[i] = strdup(key)))
		return -1;
	m->values[i] = value;
	m->used++;
	return 1;
}

int alm_ado_strmap_get(const alm_ado_strmap *m, const char *key, size_t *value)
{
	size_t i;
	if (!m->cap)
		return 0;
	for (i = strmap_hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (strcasecmp(m->keys[i], key) == 0) {
			*value = m->values[i];
			return 1;
		}
	}
	return 0;
}

void alm_ado_strmap_dispose(alm_ado_strmap *m)
{
	size_t i;
	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}
