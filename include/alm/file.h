#ifndef ALM_FILE_H
#define ALM_FILE_H
/*
 * Reading inputs and writing reports. Errors name the file and say what was
 * expected ("answers.json: a FIFO, not a regular file; expected a file").
 */
#include "alm/error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a whole regular file into a NUL-terminated buffer (caller frees), at
 * most `max` bytes (ALM_ELIMIT beyond, refused on its size before reading).
 * A FIFO, device, socket or directory is refused (ALM_EINVALID) without
 * waiting on it; a missing file is ALM_ENOTFOUND. */
int alm_file_read(char **out, size_t *len, const char *path, size_t max) ALM_MUST_CHECK;

/* Like alm_file_read for a file of a repository's work tree `root`: read only
 * when its real path (links resolved) lies inside root's, else ALM_EINVALID
 * ("a symbolic link leading out of the repository"; nothing of it is read).
 * ALM_ENOTFOUND when it is missing, not a regular file, a dangling link or a
 * loop: the caller treats it as absent. */
int alm_file_read_inside(char **out, size_t *len, const char *root, const char *path, size_t max) ALM_MUST_CHECK;

/*
 * Writes `len` bytes to `path`:
 * - a regular file is replaced atomically (a hidden temporary in its own
 *   directory, flushed, renamed over it), keeping its mode and, where
 *   permitted, its owner; one with other hard links is refused (ALM_EIO),
 *   since a rename would cut them and writing in place is not atomic;
 * - a symbolic link is resolved first: its target is replaced, the link kept
 *   (a dangling link: its target is created);
 * - a device, FIFO or socket is written through, never replaced;
 * - a directory is refused.
 * The temporary is an unnamed O_TMPFILE where the file system allows, named
 * only for the rename (so SIGKILL while writing leaves nothing), else
 * `.alm-advisor-PID-XXXXXX.tmp` (short, so any file name that fits fits
 * beside it); one left by a killed run (or a kill in the instant between
 * naming and renaming) is removed by a later write in that directory once
 * its process is gone. On any failure the
 * temporary is removed and a previous `path` left as it was. SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT are held in the calling thread meanwhile and
 * delivered after, so an interrupted run leaves no partial file.
 */
int alm_file_write_atomic(const char *path, const char *data, size_t len) ALM_MUST_CHECK;

/* Like alm_file_write_atomic, but refuses (ALM_EIO, "FILE: already exists")
 * to replace any existing name, a link included: the new file appears whole
 * or not at all. */
int alm_file_write_new(const char *path, const char *data, size_t len) ALM_MUST_CHECK;

/* Whether the two paths name one existing file (same device and inode, links
 * followed). */
int alm_file_same(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif
