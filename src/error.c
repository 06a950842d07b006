#include "alm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One buffer per thread: probes may run on worker threads. */
static _Thread_local char last_error[1024];

const char *alm_error_last(void)
{
	return last_error;
}

int alm_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return code;
}

int alm_error_prefix(int code, const char *fmt, ...)
{
	char message[sizeof last_error];
	size_t at, rest;
	va_list ap;
	memcpy(message, last_error, sizeof message);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	at = strlen(last_error);
	rest = strlen(message);
	/* Cut at the buffer's end, as alm_error_set does. */
	if (rest && at + 2 < sizeof last_error) {
		memcpy(last_error + at, ": ", 2);
		at += 2;
		if (rest > sizeof last_error - 1 - at)
			rest = sizeof last_error - 1 - at;
		memcpy(last_error + at, message, rest);
		last_error[at + rest] = '\0';
	}
	return code;
}

void alm_error_clear(void)
{
	last_error[0] = '\0';
}
