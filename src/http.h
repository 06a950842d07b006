#ifndef ALM_HTTP_H
#define ALM_HTTP_H
/*
 * A small HTTP GET engine on curl multi: requests are queued with a callback,
 * run concurrently (a bounded number in flight, connections reused), retried
 * when the server says so (429/503 Retry-After) or fails transiently (408, 5xx,
 * dropped connections) with capped exponential backoff and jitter, and all
 * given up on at one deadline. Every start is cleared with the process's rate
 * governor (rate_governor.h): what one answer says about the service's budget
 * paces every engine, and the requests in flight to a host are bounded
 * across engines. Bodies
 * are read into a growable buffer with a hard cap. Redirects are not followed:
 * a REST API that redirects is sending the client to a sign-in page, and the
 * credentials must not go anywhere else.
 *
 * The credential is handed to libcurl's own authentication options (never
 * formatted into a header or message here) and wiped from this module's copy
 * when the engine is freed. A request may carry its own Bearer token (one
 * token a scope: an API and each Dataverse environment have their own) and a
 * form body (a token request): both are copies, wiped when the request ends.
 */
#include <stddef.h>

typedef struct alm_http alm_http;

typedef struct {
	const char *user_agent;
	const char *basic_password; /* HTTP Basic with an empty user name; NULL: none */
	const char *bearer;         /* Authorization: Bearer; used when basic_password is NULL */
	const char *ca_file;        /* extra CA bundle; NULL: the system's */
	int allow_http;             /* plain http allowed (the caller checked the host is loopback) */
	int no_proxy;               /* never use a proxy (loopback targets) */
	double timeout;             /* seconds for everything alm_http_run does */
	double connect_timeout;     /* seconds per connection attempt */
	long stall_seconds;         /* a transfer with no bytes for this long fails */
	size_t max_body;            /* larger bodies are refused */
	int max_in_flight;
	int max_attempts;           /* first try included */
	double backoff_base;        /* seconds before the first retry (before jitter) */
	double backoff_cap;
	const char *const *headers; /* extra "Name: value" request headers, NULL-terminated */
} alm_http_options;

#define ALM_HTTP_OPTIONS_INIT                                                         \
	{ "alm-advisor", NULL, NULL, NULL, 0, 0, 60.0, 10.0, 20, 32u * 1024 * 1024, 8, 5, \
	  0.5, 8.0, NULL }

typedef enum {
	ALM_HTTP_DONE,      /* a final HTTP response, any status (after retries) */
	ALM_HTTP_FAILED,    /* no usable response: connection refused, reset, TLS, ... */
	ALM_HTTP_TOO_LARGE, /* the body exceeded max_body */
	ALM_HTTP_TIMEOUT    /* the deadline passed first */
} alm_http_outcome;

/* What a callback sees; every pointer is borrowed for the callback's duration. */
typedef struct {
	alm_http_outcome outcome;
	const char *url;
	long status;              /* of the last response; 0 when there was none */
	const char *content_type; /* NULL when absent */
	const char *body;         /* NUL-terminated; "" when none */
	size_t len;
	const char *continuation; /* X-MS-ContinuationToken; NULL when absent */
	const char *location;     /* Location of a redirect; NULL when absent */
	const char *www_authenticate; /* WWW-Authenticate; NULL when absent */
	const char *error;        /* one line for the failure outcomes; NULL for DONE */
	int attempts;
	double retry_after;       /* the last response's Retry-After in seconds; -1 when none */
} alm_http_response;

typedef void (*alm_http_callback)(alm_http *http, const alm_http_response *res, void *data);

/* Requests that continue a chain (next pages) go before fresh ones, so that
 * chains finish early and the number of open chains stays small. */
#define ALM_HTTP_URGENT 1

int alm_http_new(alm_http **out, const alm_http_options *opts);

/* Wipes the credential copy and frees everything. NULL is a no-op. Must not be
 * called from a callback. */
void alm_http_free(alm_http *http);

/* Queues a GET; may be called from a callback. The URL is copied. */
int alm_http_get(alm_http *http, const char *url, int flags, alm_http_callback cb, void *data);

/* One request beyond a plain GET. Every string is copied; NULL: not used. */
typedef struct {
	const char *url;
	const char *bearer;      /* replaces the engine's credential for this request */
	const char *form;        /* POST this application/x-www-form-urlencoded body */
	const char *const *headers; /* extra "Name: value" headers, NULL-terminated */
} alm_http_request;

/* Queues a request; may be called from a callback. */
int alm_http_send(alm_http *http, const alm_http_request *req, int flags, alm_http_callback cb, void *data);

/* Runs until every queued request (including those queued by callbacks) has
 * had its callback. Returns 0, or a negative code when curl itself failed. */
int alm_http_run(alm_http *http);

typedef struct {
	int requests;      /* transfers started, retries included */
	int retries;
	int max_in_flight; /* most transfers seen running at once */
	int max_queued;    /* most requests seen waiting to start at once: the work held */
	double elapsed;    /* seconds spent in alm_http_run */
} alm_http_stats;

void alm_http_get_stats(const alm_http *http, alm_http_stats *out);

/* Seconds on a monotonic clock. */
double alm_http_now(void);

#endif
