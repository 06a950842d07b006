#include "http.h"
#include "redact.h"
#include "alm/error.h"
#include "rate_governor.h"

#include <curl/curl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct request {
	struct request *next;          /* in the queue, or in the running list */
	struct request **prev_link;    /* in the running list: the pointer to this one */
	struct alm_http *http;
	char *url;
	char *bearer;  /* this request's own token; wiped when it ends */
	char *form;    /* a POST body (may hold a secret); wiped when it ends */
	struct curl_slist *headers; /* the engine's headers and this request's, when it has any */
	CURL *easy;
	alm_http_callback cb;
	void *data;
	int attempts;
	double not_before;
	char host[160]; /* scheme://host:port: the rate governor's key */
	char *body; /* the growable, capped buffer */
	size_t len, cap;
	int too_large;
	char errbuf[CURL_ERROR_SIZE];
} request;

struct alm_http {
	CURLM *multi;
	alm_http_options opts;
	char *password; /* our copies of the credential, wiped in alm_http_free */
	char *bearer;
	char *ca_file;
	char *user_agent;
	struct curl_slist *headers;
	request *head, *tail; /* waiting to start */
	request *running;     /* handed to curl */
	int in_flight;
	int queued;
	double deadline;
	double governed_until; /* the rate governor refused a start until then */
	uint64_t rng;
	alm_http_stats stats;
};

double alm_http_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: jitter only needs to decorrelate clients, not be secret. */
static double random_unit(alm_http *http)
{
	uint64_t x = http->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	http->rng = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static char *dup_or_null(const char *s, int *failed)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = 1;
	return d;
}

int alm_http_new(alm_http **out, const alm_http_options *opts)
{
	alm_http_options defaults = ALM_HTTP_OPTIONS_INIT;
	alm_http *http;
	int failed = 0;
	const char *const *h;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return alm_error_set(ALM_ERROR, "libcurl could not be initialised");
	http = calloc(1, sizeof *http);
	if (!http) {
		curl_global_cleanup();
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	http->opts = opts ? *opts : defaults;
	if (http->opts.max_in_flight < 1)
		http->opts.max_in_flight = 1;
	if (http->opts.max_attempts < 1)
		http->opts.max_attempts = 1;
	if (http->opts.timeout <= 0)
		http->opts.timeout = defaults.timeout;
	http->password = dup_or_null(http->opts.basic_password, &failed);
	http->bearer = dup_or_null(http->opts.bearer, &failed);
	http->ca_file = dup_or_null(http->opts.ca_file, &failed);
	http->user_agent = dup_or_null(http->opts.user_agent ? http->opts.user_agent : "alm-advisor", &failed);
	/* The copied options must not keep pointing at the caller's strings. */
	http->opts.basic_password = http->opts.bearer = http->opts.ca_file = NULL;
	http->opts.user_agent = NULL;
	http->opts.headers = NULL;
	http->rng = (uint64_t)(alm_http_now() * 1e9) ^ (uint64_t)(uintptr_t)http ^ 0x9E3779B97F4A7C15ULL;
	if (!http->rng)
		http->rng = 1;

	if (!failed) {
		struct curl_slist *l = NULL;
		/* Without this header a refused credential is answered with a
		 * redirect to an interactive sign-in page instead of a 401. */
		const char *base[] = { "Accept: application/json", "X-TFS-FedAuthRedirect: Suppress", NULL };
		for (h = base; *h && !failed; h++)
			if (!(l = curl_slist_append(http->headers, *h)))
				failed = 1;
			else
				http->headers = l;
		for (h = opts ? opts->headers : NULL; h && *h && !failed; h++)
			if (!(l = curl_slist_append(http->headers, *h)))
				failed = 1;
			else
				http->headers = l;
	}
	if (!failed)
		http->multi = curl_multi_init();
	if (failed || !http->multi) {
		alm_http_free(http);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	curl_multi_setopt(http->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(http->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)http->opts.max_in_flight);
	curl_multi_setopt(http->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)http->opts.max_in_flight);
	curl_multi_setopt(http->multi, CURLMOPT_MAXCONNECTS, (long)http->opts.max_in_flight);
	*out = http;
	return 0;
}

static void request_free(request *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	/* A token request's answer is a token: wipe it with the request. */
	if (r->form && r->body)
		explicit_bzero(r->body, r->len);
	wipe(r->bearer);
	wipe(r->form);
	curl_slist_free_all(r->headers);
	free(r->url);
	free(r->body);
	free(r);
}

void alm_http_free(alm_http *http)
{
	request *r, *next;
	if (!http)
		return;
	for (r = http->head; r; r = next) {
		next = r->next;
		request_free(r);
	}
	for (r = http->running; r; r = next) {
		next = r->next;
		curl_multi_remove_handle(http->multi, r->easy);
		alm_rate_release(r->host); /* the governor counts it in flight */
		request_free(r);
	}
	if (http->multi)
		curl_multi_cleanup(http->multi);
	curl_slist_free_all(http->headers);
	wipe(http->password);
	wipe(http->bearer);
	free(http->ca_file);
	free(http->user_agent);
	free(http);
	curl_global_cleanup();
}

/* The body's announced length (when under the cap) sizes the buffer at once:
 * doubling a buffer of megabytes, between thousands of small allocations
 * freed by the parser, costs more in the allocator than the copying. */
static size_t first_capacity(request *r)
{
	curl_off_t announced = -1;
	if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK && announced > 0 &&
	    (uint64_t)announced < (uint64_t)r->http->opts.max_body)
		return (size_t)announced + 1;
	return 16384;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	request *r = userdata;
	size_t n = size * nmemb;
	size_t max = r->http->opts.max_body;

	if (n > max - r->len || r->len > max) {
		r->too_large = 1;
		return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : first_capacity(r);
		char *p;
		while (cap < r->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		p = realloc(r->body, cap);
		if (!p)
			return 0;
		r->body = p;
		r->cap = cap;
	}
	memcpy(r->body + r->len, ptr, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/* Counts the requests waiting to start, for the statistics. */
static void note_queued(alm_http *http, int change)
{
	http->queued += change;
	if (http->queued > http->stats.max_queued)
		http->stats.max_queued = http->queued;
}

/* The engine's headers followed by the request's own. */
static int request_headers(request *r, const char *const *extra)
{
	const struct curl_slist *h;
	struct curl_slist *l;
	for (h = r->http->headers; h; h = h->next) {
		if (!(l = curl_slist_append(r->headers, h->data)))
			return -1;
		r->headers = l;
	}
	for (; *extra; extra++) {
		if (!(l = curl_slist_append(r->headers, *extra)))
			return -1;
		r->headers = l;
	}
	return 0;
}

int alm_http_get(alm_http *http, const char *url, int flags, alm_http_callback cb, void *data)
{
	alm_http_request req = { url, NULL, NULL, NULL };
	return alm_http_send(http, &req, flags, cb, data);
}

int alm_http_send(alm_http *http, const alm_http_request *req, int flags, alm_http_callback cb, void *data)
{
	request *r = calloc(1, sizeof *r);
	const char *bearer;
	int failed = 0;
	CURL *e;
	if (r) {
		r->http = http;
		r->bearer = dup_or_null(req->bearer, &failed);
		r->form = dup_or_null(req->form, &failed);
		if (req->headers && *req->headers && request_headers(r, req->headers) < 0)
			failed = 1;
	}
	if (!r || failed || !(r->url = strdup(req->url)) || !(r->easy = curl_easy_init())) {
		request_free(r);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	r->cb = cb;
	r->data = data;
	alm_rate_host_of(r->url, r->host, sizeof r->host);
	e = r->easy;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, http->opts.allow_http ? "http,https" : "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (r->form) {
		/* Not copied by curl: the buffer lives (and is wiped) with the request. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->form);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->form));
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, http->user_agent);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers ? r->headers : http->headers);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (http->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, http->ca_file);
	if (http->opts.no_proxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	bearer = r->bearer ? r->bearer : http->bearer;
	if (r->form) {
		/* A token request authenticates in its body, never with a header. */
	} else if (r->bearer || !http->password) {
		if (bearer) {
			curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
			curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, bearer);
		}
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, "");
		curl_easy_setopt(e, CURLOPT_PASSWORD, http->password);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(http->opts.connect_timeout * 1000));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, http->opts.stall_seconds);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)http->opts.max_body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	/* Wait for an HTTP/2 connection being set up rather than opening more. */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);

	note_queued(http, 1);
	if ((flags & ALM_HTTP_URGENT) && http->head) {
		r->next = http->head;
		http->head = r;
	} else {
		if (http->tail)
			http->tail->next = r;
		else
			http->head = r;
		http->tail = r;
	}
	return 0;
}

static const char *header_value(CURL *easy, const char *name)
{
	struct curl_header *h = NULL;
	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
		return NULL;
	return h->value;
}

static void finish(alm_http *http, request *r, alm_http_outcome outcome, const char *error)
{
	alm_http_response res;
	long status = 0;
	char *ctype = NULL;
	curl_off_t retry_after = -1;

	memset(&res, 0, sizeof res);
	res.outcome = outcome;
	res.url = r->url;
	res.body = r->body ? r->body : "";
	res.len = r->len;
	res.attempts = r->attempts;
	res.error = error;
	res.retry_after = -1;
	if (r->attempts > 0) {
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		res.status = status;
	}
	if (status > 0) {
		curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ctype);
		res.content_type = ctype;
		res.continuation = header_value(r->easy, "X-MS-ContinuationToken");
		res.location = header_value(r->easy, "Location");
		res.www_authenticate = header_value(r->easy, "WWW-Authenticate");
		if (curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
		    retry_after >= 0 && header_value(r->easy, "Retry-After"))
			res.retry_after = (double)retry_after;
	}
	if (r->cb)
		r->cb(http, &res, r->data);
	request_free(r);
}

static double parse_header_number(CURL *easy, const char *name)
{
	const char *v = header_value(easy, name);
	char *end;
	double d;
	if (!v)
		return -1;
	d = strtod(v, &end);
	return end == v || d < 0 || !isfinite(d) ? -1 : d;
}

/* Tells the process's rate governor what this answer says about the
 * service's budget (Retry-After, X-RateLimit-*): it paces every engine. */
static void report_to_governor(request *r, long status)
{
	alm_rate_signal sig;
	curl_off_t ra = -1;
	sig.status = status;
	sig.retry_after = header_value(r->easy, "Retry-After") &&
				  curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0
			  ? (double)ra : -1;
	sig.remaining = parse_header_number(r->easy, "X-RateLimit-Remaining");
	sig.limit = parse_header_number(r->easy, "X-RateLimit-Limit");
	sig.reset = parse_header_number(r->easy, "X-RateLimit-Reset");
	sig.delay = parse_header_number(r->easy, "X-RateLimit-Delay");
	alm_rate_observe(r->host, alm_http_now(), &sig);
}

static int retryable_status(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 &&
						   status != 505);
}

static int retryable_transport(CURLcode rc)
{
	switch (rc) {
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_OPERATION_TIMEDOUT: /* a stall, when the deadline has not passed */
		return 1;
	default:
		return 0;
	}
}

static double backoff(alm_http *http, int attempts)
{
	double d = http->opts.backoff_base * pow(2.0, attempts - 1);
	if (d > http->opts.backoff_cap)
		d = http->opts.backoff_cap;
	/* "Equal jitter": never less than half the step, so retries stay spaced. */
	return d / 2 + random_unit(http) * d / 2;
}

static void requeue(alm_http *http, request *r, double delay)
{
	r->not_before = alm_http_now() + delay;
	r->len = 0;
	if (r->body)
		r->body[0] = '\0';
	r->too_large = 0;
	r->errbuf[0] = '\0';
	r->next = NULL;
	note_queued(http, 1);
	/* Retries keep their place ahead of fresh requests. */
	if (http->head) {
		r->next = http->head;
		http->head = r;
	} else {
		http->head = http->tail = r;
	}
	http->stats.retries++;
}

static void unlink_running(alm_http *http, request *r)
{
	curl_multi_remove_handle(http->multi, r->easy);
	*r->prev_link = r->next;
	if (r->next)
		r->next->prev_link = r->prev_link;
	r->next = NULL;
	r->prev_link = NULL;
	http->in_flight--;
	alm_rate_release(r->host);
}

static void completed(alm_http *http, request *r, CURLcode rc)
{
	double now = alm_http_now();
	long status = 0;
	char line[CURL_ERROR_SIZE + 64];

	unlink_running(http, r);

	if (rc == CURLE_OK) {
		curl_off_t ra = -1;
		double delay;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		report_to_governor(r, status);
		if (!retryable_status(status) || r->attempts >= http->opts.max_attempts) {
			finish(http, r, ALM_HTTP_DONE, NULL);
			return;
		}
		if ((status == 429 || status == 503) && header_value(r->easy, "Retry-After") &&
		    curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0) {
			delay = (double)ra; /* the governor holds every engine back as long */
		} else {
			delay = backoff(http, r->attempts);
		}
		if (now + delay >= http->deadline) {
			finish(http, r, ALM_HTTP_DONE, NULL); /* the caller reports the status */
			return;
		}
		requeue(http, r, delay);
		return;
	}

	if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(line, sizeof line, "the response is larger than the %zu-byte limit",
			 http->opts.max_body);
		finish(http, r, ALM_HTTP_TOO_LARGE, line);
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && now >= http->deadline - 0.01) {
		snprintf(line, sizeof line, "no complete answer within the %g s deadline", http->opts.timeout);
		finish(http, r, ALM_HTTP_TIMEOUT, line);
		return;
	}
	snprintf(line, sizeof line, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	alm_redact(line, http->password ? http->password : http->bearer); /* curl may quote what it sent */
	if (retryable_transport(rc) && r->attempts < http->opts.max_attempts) {
		double delay = backoff(http, r->attempts);
		if (now + delay < http->deadline) {
			requeue(http, r, delay);
			return;
		}
	}
	finish(http, r, ALM_HTTP_FAILED, line);
}

/* The earliest time anything queued may start: its own retry time, and
 * when the rate governor said to ask again. */
static double next_start_time(alm_http *http)
{
	double t = -1;
	request *r;
	for (r = http->head; r; r = r->next)
		if (t < 0 || r->not_before < t)
			t = r->not_before;
	if (t < 0)
		return -1;
	if (http->governed_until > t)
		t = http->governed_until;
	return t;
}

/* Starts what is due, as far as this engine's bound and the process's rate
 * governor allow. A host the governor holds back is skipped for this round;
 * requests to other hosts may still start. */
static int start_ready(alm_http *http)
{
	double now = alm_http_now(), retry_at;
	request **link = &http->head, *r, *prev = NULL;
	const char *refused = NULL;

	http->governed_until = 0;
	while ((r = *link) != NULL && http->in_flight < http->opts.max_in_flight) {
		long remaining_ms;
		if (r->not_before > now || (refused && strcmp(refused, r->host) == 0)) {
			prev = r;
			link = &r->next;
			continue;
		}
		if (!alm_rate_acquire(r->host, now, &retry_at)) {
			if (http->governed_until <= 0 || retry_at < http->governed_until)
				http->governed_until = retry_at;
			refused = r->host;
			prev = r;
			link = &r->next;
			continue;
		}
		*link = r->next;
		if (http->tail == r)
			http->tail = prev;
		r->next = NULL;
		note_queued(http, -1);
		remaining_ms = (long)ceil((http->deadline - now) * 1000);
		if (remaining_ms < 1)
			remaining_ms = 1;
		curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, remaining_ms);
		if (curl_multi_add_handle(http->multi, r->easy) != CURLM_OK) {
			alm_rate_release(r->host);
			finish(http, r, ALM_HTTP_FAILED, "libcurl refused the transfer");
			continue;
		}
		r->attempts++;
		r->next = http->running;
		if (r->next)
			r->next->prev_link = &r->next;
		r->prev_link = &http->running;
		http->running = r;
		http->in_flight++;
		http->stats.requests++;
		if (http->in_flight > http->stats.max_in_flight)
			http->stats.max_in_flight = http->in_flight;
	}
	return 0;
}

/* Fails every queued and running request with `outcome`. */
static void abandon_all(alm_http *http, alm_http_outcome outcome, const char *why)
{
	request *r;
	while ((r = http->running) != NULL) {
		unlink_running(http, r);
		finish(http, r, outcome, why);
	}
	while ((r = http->head) != NULL) {
		http->head = r->next;
		if (!http->head)
			http->tail = NULL;
		r->next = NULL;
		note_queued(http, -1);
		finish(http, r, outcome, why);
	}
}

/* How long curl_multi_poll may sleep: until curl's next timer, the next
 * queued request may start, or the deadline, whichever comes first. */
static int poll_timeout_ms(alm_http *http, double now)
{
	double wait = 1.0, next;
	long curl_ms = -1;

	curl_multi_timeout(http->multi, &curl_ms);
	if (curl_ms >= 0 && (double)curl_ms / 1000.0 < wait)
		wait = (double)curl_ms / 1000.0;
	if (http->head && http->in_flight < http->opts.max_in_flight) {
		next = next_start_time(http);
		if (next >= 0 && next - now < wait)
			wait = next - now;
	}
	if (http->deadline - now < wait)
		wait = http->deadline - now;
	if (wait < 0)
		wait = 0;
	return (int)ceil(wait * 1000);
}

int alm_http_run(alm_http *http)
{
	double start = alm_http_now();
	char why[96];

	http->deadline = start + http->opts.timeout;
	snprintf(why, sizeof why, "no complete answer within the %g s deadline", http->opts.timeout);
	for (;;) {
		int running = 0, queued;
		CURLMsg *msg;
		double now = alm_http_now();

		if (now >= http->deadline)
			abandon_all(http, ALM_HTTP_TIMEOUT, why);
		if (!http->head && !http->running)
			break;
		start_ready(http);
		if (curl_multi_perform(http->multi, &running) != CURLM_OK)
			return alm_error_set(ALM_ERROR, "libcurl failed to drive the transfers");
		while ((msg = curl_multi_info_read(http->multi, &queued)) != NULL) {
			char *priv = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			completed(http, (request *)priv, msg->data.result);
		}
		if (!http->head && !http->running)
			continue;
		if (curl_multi_poll(http->multi, NULL, 0, poll_timeout_ms(http, alm_http_now()), NULL) != CURLM_OK)
			return alm_error_set(ALM_ERROR, "libcurl failed to wait for the transfers");
	}
	http->stats.elapsed = alm_http_now() - start;
	return 0;
}

void alm_http_get_stats(const alm_http *http, alm_http_stats *out)
{
	*out = http->stats;
}
