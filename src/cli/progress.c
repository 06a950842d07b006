#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_DELAY_MS 400
#define PROGRESS_TICK_MS 100

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int running, stop, drawn;
	const char *label;
	struct timespec started;
} meter = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1000.0 + (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

/* Redraws in place and leaves the cursor at the start of the line, so that a
 * message printed meanwhile (a warning from a probe) writes over the meter
 * instead of after it. stderr is locked for the whole line so another
 * thread's message does not land in the middle of it. */
static void draw(const char *label, double ms, int tick)
{
	static const char spin[] = "|/-\\";
	flockfile(stderr);
	fprintf(stderr, "\r\033[K%c alm-advisor: %s... %.1fs\r", spin[tick % 4], label, ms / 1000.0);
	fflush(stderr);
	funlockfile(stderr);
}

static void *run(void *arg)
{
	int tick = 0;
	(void)arg;
	pthread_mutex_lock(&meter.lock);
	while (!meter.stop) {
		struct timespec until;
		double ms;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* Sleeps one tick, or less when told to stop. */
		while (!meter.stop && pthread_cond_timedwait(&meter.wake, &meter.lock, &until) != ETIMEDOUT)
			;
		if (meter.stop)
			break;
		ms = elapsed_ms(&meter.started);
		if (ms >= PROGRESS_DELAY_MS) {
			draw(meter.label, ms, tick++);
			meter.drawn = 1;
		}
	}
	pthread_mutex_unlock(&meter.lock);
	return NULL;
}

void cli_progress_begin(const char *label, int enabled)
{
	const char *term = getenv("TERM");
	if (meter.running || !enabled || !isatty(STDERR_FILENO) || (term && strcmp(term, "dumb") == 0))
		return;
	pthread_mutex_lock(&meter.lock);
	meter.stop = 0;
	meter.drawn = 0;
	meter.label = label;
	clock_gettime(CLOCK_MONOTONIC, &meter.started);
	pthread_mutex_unlock(&meter.lock);
	/* Without a thread there is no meter, and nothing else is lost. */
	meter.running = pthread_create(&meter.thread, NULL, run, NULL) == 0;
}

void cli_progress_label(const char *label)
{
	if (!meter.running)
		return;
	pthread_mutex_lock(&meter.lock);
	meter.label = label;
	pthread_mutex_unlock(&meter.lock);
}

void cli_progress_end(void)
{
	if (!meter.running)
		return;
	pthread_mutex_lock(&meter.lock);
	meter.stop = 1;
	pthread_cond_signal(&meter.wake);
	pthread_mutex_unlock(&meter.lock);
	pthread_join(meter.thread, NULL);
	meter.running = 0;
	if (meter.drawn) {
		flockfile(stderr);
		fputs("\r\033[K", stderr);
		fflush(stderr);
		funlockfile(stderr);
	}
}
