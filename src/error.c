#include "alm/error.h"

#include <stdarg.h>
#include <stdio.h>

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

void alm_error_clear(void)
{
	last_error[0] = '\0';
}
