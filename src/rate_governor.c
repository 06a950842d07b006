#include "rate_governor.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Few hosts are ever spoken to (the organization, vsaex, a server): a small
 * table searched in order is enough. Past it, hosts share the last slot,
 * which only makes them more careful. */
#define MAX_HOSTS 32

typedef struct {
	char name[160];
	int in_flight, max_seen;
	double paused_until;   /* Retry-After: nothing starts before this */
	int throttled;         /* budget low: one at a time, `pace` apart */
	double pace;
	double throttle_until; /* when the budget resets */
	double last_start;
} host_state;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static host_state hosts[MAX_HOSTS];
static int nhosts;
static int host_limit = ALM_RATE_HOST_IN_FLIGHT;

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *alm_rate_host_of(const char *url, char *buf, size_t n)
{
	const char *h = strstr(url, "://");
	size_t len = h ? (size_t)(h + 3 - url) : 0;
	len += strcspn(url + len, "/?#");
	snprintf(buf, n, "%.*s", (int)len, url);
	return buf;
}

/* The caller holds the lock. */
static host_state *find(const char *host)
{
	int i;
	for (i = 0; i < nhosts; i++)
		if (strcasecmp(hosts[i].name, host) == 0)
			return &hosts[i];
	if (nhosts == MAX_HOSTS)
		return &hosts[MAX_HOSTS - 1];
	memset(&hosts[nhosts], 0, sizeof hosts[nhosts]);
	snprintf(hosts[nhosts].name, sizeof hosts[nhosts].name, "%s", host);
	return &hosts[nhosts++];
}

static void expire(host_state *h, double now)
{
	if (h->throttled && now >= h->throttle_until) {
		h->throttled = 0;
		h->pace = 0;
	}
}

static double earliest(const host_state *h)
{
	double t = h->paused_until;
	if (h->throttled && h->last_start + h->pace > t)
		t = h->last_start + h->pace;
	return t;
}

int alm_rate_acquire(const char *host, double now, double *retry_at)
{
	host_state *h;
	double t;
	int ok = 0;

	pthread_mutex_lock(&lock);
	h = find(host);
	expire(h, now);
	t = earliest(h);
	if (t > now) {
		*retry_at = t;
	} else if (h->in_flight >= (h->throttled ? 1 : host_limit)) {
		/* Another engine holds the slots: look again shortly. */
		*retry_at = now + 0.01;
	} else {
		h->in_flight++;
		if (h->in_flight > h->max_seen)
			h->max_seen = h->in_flight;
		h->last_start = now;
		ok = 1;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void alm_rate_release(const char *host)
{
	host_state *h;
	pthread_mutex_lock(&lock);
	h = find(host);
	if (h->in_flight > 0)
		h->in_flight--;
	pthread_mutex_unlock(&lock);
}

/*
 * While less than half the budget is left, requests go one at a time, spread
 * evenly over the time until the budget resets; after the reset the pace
 * returns to normal. A Retry-After on 429 (or 503) pauses the host: the budget
 * is the user's, so every engine waits, not just the one that was refused.
 */
void alm_rate_observe(const char *host, double now, const alm_rate_signal *s)
{
	host_state *h;
	double window, pace;

	pthread_mutex_lock(&lock);
	h = find(host);
	if ((s->status == 429 || s->status == 503) && s->retry_after >= 0 && now + s->retry_after > h->paused_until)
		h->paused_until = now + s->retry_after;
	if (s->remaining < 0 && s->delay <= 0)
		goto done;
	if (s->remaining >= 0 && s->limit > 0 && s->remaining * 2 >= s->limit && s->delay <= 0) {
		h->throttled = 0;
		h->pace = 0;
		goto done;
	}
	window = s->reset > 0 ? s->reset - wall_now() : 5.0;
	if (window < 0.2)
		window = 0.2;
	if (window > 300)
		window = 300;
	pace = s->remaining >= 0 ? window / (s->remaining + 1) : 0;
	if (s->delay > pace)
		pace = s->delay; /* already being delayed: at least that much apart */
	if (pace < 0.05)
		pace = 0.05;
	if (pace > 5)
		pace = 5;
	h->throttled = 1;
	h->pace = pace;
	h->throttle_until = now + window;
done:
	pthread_mutex_unlock(&lock);
}

double alm_rate_next_start(const char *host, double now)
{
	host_state *h;
	double t;
	pthread_mutex_lock(&lock);
	h = find(host);
	expire(h, now);
	t = earliest(h);
	pthread_mutex_unlock(&lock);
	return t > now ? t : 0;
}

void alm_rate_reset(int max_in_flight_per_host)
{
	pthread_mutex_lock(&lock);
	nhosts = 0;
	host_limit = max_in_flight_per_host > 0 ? max_in_flight_per_host : ALM_RATE_HOST_IN_FLIGHT;
	pthread_mutex_unlock(&lock);
}

int alm_rate_max_in_flight(const char *host)
{
	int n;
	pthread_mutex_lock(&lock);
	n = find(host)->max_seen;
	pthread_mutex_unlock(&lock);
	return n;
}
