#ifndef ALM_ADO_COMMON_H
#define ALM_ADO_COMMON_H
/*
 * What the Azure DevOps probe and the repository listing share, so that both
 * treat the token and the service's answers the same way: where the token
 * comes from and how it is wiped, keeping it out of every message, how the
 * HTTP engine is set up for a target, and what a finished request means (JSON
 * to parse, or a one-line reason naming the token variable and the scope the
 * request needs).
 */
#include "ado_url.h"
#include "http.h"

#include "alm/probe.h"

#include <stddef.h>

typedef struct {
	char *token;     /* a cleaned copy; wiped by alm_ado_credential_dispose */
	const char *var; /* where it came from: "AZURE_DEVOPS_EXT_PAT" or "SYSTEM_ACCESSTOKEN" */
	int basic;       /* a personal access token (HTTP Basic); else a Bearer token */
} alm_ado_credential;

/*
 * Takes AZURE_DEVOPS_EXT_PAT, else SYSTEM_ACCESSTOKEN, from `env`. Returns
 * 0, ALM_EINVALID with a message for the user (no token: it names
 * AZURE_DEVOPS_EXT_PAT and the scopes; control characters in it), or ALM_ENOMEM.
 */
int alm_ado_credential_read(alm_ado_credential *out, const alm_env *env);

/* Wipes and frees the token; a zeroed struct is fine. */
void alm_ado_credential_dispose(alm_ado_credential *c);

/* Fills the credential and transport fields of `h` for `target`: plain http
 * and no proxy only for a loopback host, the deadline and its derivatives. */
void alm_ado_http_setup(alm_http_options *h, const alm_ado_credential *c, const alm_ado_target *target,
			const char *ca_file, double timeout);

/* "host[:port]" of a collection URL, into buf. */
const char *alm_ado_host_of(const char *collection, char *buf, size_t n);

/* How much a failure explains: a refused credential explains everything after it. */
enum { ALM_ADO_RANK_OTHER = 1, ALM_ADO_RANK_NETWORK = 2, ALM_ADO_RANK_FORBIDDEN = 3, ALM_ADO_RANK_AUTH = 4 };

typedef struct {
	const char *what;      /* "the repositories" */
	const char *scope;     /* the token scope it needs: "Code (Read)" */
	const char *token_var; /* alm_ado_credential.var */
	const char *token;     /* redacted from what the server says; may be NULL */
	const char *host;      /* for messages */
	double timeout;        /* the deadline, for messages */
} alm_ado_request_info;

/*
 * Returns 1 when `res` is a 2xx JSON answer. Otherwise returns 0 with the
 * reason in `why` (one line, the token redacted) and its rank in *rank: 401,
 * 203, a redirect and any non-JSON success mean the credential was not
 * accepted; 403 a missing scope or permission; the rest are network failures,
 * throttling, missing resources and server errors.
 */
int alm_ado_response_check(const alm_http_response *res, const alm_ado_request_info *info, char *why,
			   size_t n, int *rank);

/* A new string formatted as by printf (caller frees); NULL when out of memory. */
char *alm_ado_format(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * The environment a probe or a listing sees: the tests' lookup when they set
 * one (alm_ado_tuning.env), else the caller's, else the process's, read into
 * *scratch. Returns the one to use.
 */
const alm_env *alm_ado_env_pick(alm_env *scratch, const alm_env *given, alm_ado_env_fn tuning);

/*
 * Following a continuation token: the URL of the next page (base_url plus the
 * escaped token), "" when the token was already followed (the server made no
 * progress), NULL when out of memory. Each token is remembered in *tokens
 * (*ntokens of them; the caller frees each and the array).
 */
char *alm_ado_follow_token(char ***tokens, int *ntokens, const char *base_url, const char *continuation);

/*
 * A map from strings (compared case-insensitively, as Azure DevOps compares
 * names and ids) to indexes, in linear time: open addressing on an FNV-1a
 * hash of the lower-cased key. Keys are copied. A zeroed struct is empty.
 */
typedef struct {
	char **keys;
	size_t *values;
	size_t cap, used;
} alm_ado_strmap;

/* Returns 1 when `key` was added with `value`, 0 when it was there (*found
 * receives its value, when not NULL), -1 when out of memory. */
int alm_ado_strmap_put(alm_ado_strmap *m, const char *key, size_t value, size_t *found);

/* 1 when `key` is there (*value receives its value), 0 when not. */
int alm_ado_strmap_get(const alm_ado_strmap *m, const char *key, size_t *value);

/* Frees the keys and the table; the struct is zeroed. */
void alm_ado_strmap_dispose(alm_ado_strmap *m);

#endif
