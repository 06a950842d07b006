#ifndef ALM_RATE_GOVERNOR_H
#define ALM_RATE_GOVERNOR_H
#include <stddef.h>
/*
 * One governor of request rates for the whole process: every HTTP engine
 * (every probe, every scan worker) asks it before starting a request and tells
 * it what each answer said. Azure DevOps meters a user's requests together
 * (200 TSTUs per sliding five minutes), so what one answer says about the
 * budget holds for every request to that host:
 *
 *   429/503 Retry-After        nothing new starts to the host before it passes
 *   X-RateLimit-Delay          the service is already delaying: starts at least that far apart
 *   X-RateLimit-Remaining/-Limit/-Reset
 *                              with less than half the budget left, one request
 *                              at a time, spread over the time until the reset
 *
 * and it bounds the requests in flight to one host across all engines.
 * Thread-safe; the state lives until the process ends (or a reset).
 */

/* The default bound on requests in flight to one host, all engines together. */
#define ALM_RATE_HOST_IN_FLIGHT 32

/*
 * Asks to start a request to `host` ("scheme://host:port") at monotonic time
 * `now`. Returns 1 when it may start (it then counts as in flight until
 * alm_rate_release), else 0 with *retry_at set to when to ask again.
 */
int alm_rate_acquire(const char *host, double now, double *retry_at);

/* A request to `host` that alm_rate_acquire let start has finished. */
void alm_rate_release(const char *host);

/* What an answer from `host` said; -1 for a header that was absent. */
typedef struct {
	long status;
	double retry_after; /* seconds */
	double remaining, limit;
	double reset;       /* epoch seconds */
	double delay;       /* seconds */
} alm_rate_signal;

void alm_rate_observe(const char *host, double now, const alm_rate_signal *signal);

/* The earliest time a request to `host` could start, ignoring the bound in
 * flight (for sleeping until then); 0 when nothing holds it back. */
double alm_rate_next_start(const char *host, double now);

/* Sets the bound in flight per host (n < 1: the default) and forgets every
 * host's state: for tests, and for a program starting over. */
void alm_rate_reset(int max_in_flight_per_host);

/* The most requests seen in flight to `host` at once since the last reset. */
int alm_rate_max_in_flight(const char *host);

/* "scheme://host[:port]" of a URL, into buf. */
const char *alm_rate_host_of(const char *url, char *buf, size_t n);

#endif
