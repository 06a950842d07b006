/*
 * What the repositories of one scan share of the Power Platform tenant: the
 * tenant as the first probe read it (held opaque here; the probe knows its
 * shape) and the Dataverse tokens, one a scope. A probe claims what it needs:
 * the first to claim a thing reads it and hands it in, the others wait for it.
 * Every probe hands in what it claimed before it waits for what others
 * claimed, so no two probes wait for each other.
 */
#include "pp_int.h"
#include "alm/error.h"
#include "alm/pp_probe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A token this close to its expiry is asked for again. */
#define TOKEN_MARGIN 120.0

typedef struct token_entry {
	struct token_entry *next;
	char *scope;
	int pending;     /* a probe is asking for it */
	char *token;     /* wiped; NULL when the request failed */
	double expires;  /* CLOCK_REALTIME seconds */
	int rank;        /* the failure's rank, when it failed */
	char *error;     /* the failure, redacted, when it failed */
} token_entry;

struct alm_pp_tenant_cache {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	char *key;      /* whose tenant: the admin API, the cloud, the credential, the environments asked for */
	int state;      /* 0: unread, 1: being read, 2: read */
	void *tenant;   /* NULL once read: the reading ran out of memory */
	void (*dispose)(void *);
	token_entry *tokens;
	size_t reads, served, token_requests;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wipe_string(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

int alm_pp_tenant_cache_new(alm_pp_tenant_cache **out)
{
	alm_pp_tenant_cache *c;
	if (!out)
		return alm_error_set(ALM_EINVALID, "alm_pp_tenant_cache_new needs somewhere to put the cache");
	*out = NULL;
	if (!(c = calloc(1, sizeof *c)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return alm_error_set(ALM_ERROR, "could not set up the tenant cache's lock");
	}
	if (pthread_cond_init(&c->ready, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return alm_error_set(ALM_ERROR, "could not set up the tenant cache's lock");
	}
	*out = c;
	return 0;
}

void alm_pp_tenant_cache_free(alm_pp_tenant_cache *cache)
{
	token_entry *t, *next;
	if (!cache)
		return;
	for (t = cache->tokens; t; t = next) {
		next = t->next;
		wipe_string(&t->token);
		free(t->scope);
		free(t->error);
		free(t);
	}
	if (cache->tenant && cache->dispose)
		cache->dispose(cache->tenant);
	free(cache->key);
	pthread_cond_destroy(&cache->ready);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

void alm_pp_tenant_cache_stats(const alm_pp_tenant_cache *cache, size_t *reads, size_t *served, size_t *tokens)
{
	alm_pp_tenant_cache *c = (alm_pp_tenant_cache *)cache;
	size_t r = 0, s = 0, t = 0;
	if (c) {
		pthread_mutex_lock(&c->lock);
		r = c->reads;
		s = c->served;
		t = c->token_requests;
		pthread_mutex_unlock(&c->lock);
	}
	if (reads)
		*reads = r;
	if (served)
		*served = s;
	if (tokens)
		*tokens = t;
}

int alm_pp_cache_tenant_claim(alm_pp_tenant_cache *c, const char *key, const void **tenant)
{
	int result;
	*tenant = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->state == 0) {
		if ((c->key = strdup(key)) != NULL) {
			c->state = 1;
			c->reads++;
			result = 1;
		} else {
			result = -1;
		}
		goto done;
	}
	if (strcmp(c->key, key) != 0) {
		result = -1; /* another tenant or credential: not shared */
		goto done;
	}
	while (c->state == 1)
		pthread_cond_wait(&c->ready, &c->lock);
	*tenant = c->tenant;
	c->served += c->tenant != NULL;
	result = 0;
done:
	pthread_mutex_unlock(&c->lock);
	return result;
}

void alm_pp_cache_tenant_publish(alm_pp_tenant_cache *c, void *tenant, void (*dispose)(void *))
{
	pthread_mutex_lock(&c->lock);
	c->tenant = tenant;
	c->dispose = dispose;
	c->state = 2;
	pthread_cond_broadcast(&c->ready);
	pthread_mutex_unlock(&c->lock);
}

static token_entry *token_find(alm_pp_tenant_cache *c, const char *scope)
{
	token_entry *t;
	for (t = c->tokens; t; t = t->next)
		if (strcmp(t->scope, scope) == 0)
			return t;
	return NULL;
}

/* Copies what `t` holds into the out-parameters; -1 when out of memory. */
static int token_take(const token_entry *t, char **token, int *rank, char **error)
{
	*token = t->token ? strdup(t->token) : NULL;
	*error = t->error ? strdup(t->error) : NULL;
	*rank = t->rank;
	if ((t->token && !*token) || (t->error && !*error)) {
		wipe_string(token);
		free(*error);
		*error = NULL;
		return -1;
	}
	return 0;
}

int alm_pp_cache_token_claim(alm_pp_tenant_cache *c, const char *scope, char **token, int *rank, char **error)
{
	token_entry *t;
	int result;
	*token = *error = NULL;
	*rank = 0;
	pthread_mutex_lock(&c->lock);
	t = token_find(c, scope);
	if (!t) {
		if (!(t = calloc(1, sizeof *t)) || !(t->scope = strdup(scope))) {
			free(t);
			result = ALM_PP_TOKEN_MINE; /* unshared: the probe asks for its own */
			goto done;
		}
		t->next = c->tokens;
		c->tokens = t;
	} else if (t->pending) {
		result = ALM_PP_TOKEN_ELSEWHERE;
		goto done;
	} else if (t->token && t->expires - TOKEN_MARGIN > now_seconds()) {
		result = token_take(t, token, rank, error) < 0 ? ALM_PP_TOKEN_MINE : ALM_PP_TOKEN_READY;
		goto done;
	} else if (t->error) {
		result = token_take(t, token, rank, error) < 0 ? ALM_PP_TOKEN_MINE : ALM_PP_TOKEN_READY;
		goto done;
	}
	/* New, or expired: this probe asks. */
	wipe_string(&t->token);
	t->pending = 1;
	c->token_requests++;
	result = ALM_PP_TOKEN_MINE;
done:
	pthread_mutex_unlock(&c->lock);
	return result;
}

void alm_pp_cache_token_set(alm_pp_tenant_cache *c, const char *scope, const char *token, double expires_in,
			    int rank, const char *error)
{
	token_entry *t;
	pthread_mutex_lock(&c->lock);
	if ((t = token_find(c, scope)) != NULL && t->pending) {
		t->pending = 0;
		wipe_string(&t->token);
		free(t->error);
		t->error = NULL;
		if (token) {
			t->token = strdup(token);
			t->expires = now_seconds() + (expires_in > 0 ? expires_in : 3600.0);
		} else {
			t->error = strdup(error ? error : "the token request failed");
			t->rank = rank;
		}
	}
	pthread_cond_broadcast(&c->ready);
	pthread_mutex_unlock(&c->lock);
}

int alm_pp_cache_token_wait(alm_pp_tenant_cache *c, const char *scope, char **token, int *rank, char **error)
{
	token_entry *t;
	int result = -1;
	*token = *error = NULL;
	*rank = 0;
	pthread_mutex_lock(&c->lock);
	if ((t = token_find(c, scope)) != NULL) {
		while (t->pending)
			pthread_cond_wait(&c->ready, &c->lock);
		result = token_take(t, token, rank, error);
	}
	pthread_mutex_unlock(&c->lock);
	return result;
}
