#ifndef ALM_ERROR_H
#define ALM_ERROR_H
/*
 * Error reporting, in the style of libgit2: functions return 0 on success and a
 * negative alm_error_code on failure, and leave a one-line message that
 * alm_error_last() returns. The message is per thread and lives until the next
 * error is set on that thread.
 */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	ALM_OK = 0,
	ALM_ERROR = -1,      /* generic failure */
	ALM_ENOMEM = -2,     /* out of memory */
	ALM_EINVALID = -3,   /* bad input: rules, answers, JSON, logic */
	ALM_ENOTFOUND = -4,  /* a file or repository does not exist */
	ALM_EREMOTE = -5,    /* a remote service failed */
	ALM_EIO = -6,        /* reading or writing a file failed */
	ALM_ELIMIT = -7      /* an input exceeded a documented limit */
} alm_error_code;

/* The last error message of this thread; never NULL ("" when none). */
const char *alm_error_last(void);

/* Sets this thread's message (printf-style) and returns `code`, so callers can
 * write `return alm_error_set(ALM_EINVALID, "...")`. */
int alm_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

void alm_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif
