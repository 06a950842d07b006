/*
 * Files in and out. Inputs must be regular files of bounded size (a FIFO or a
 * device named as rules would block or never end); files of a repository's
 * work tree are read only when they resolve inside it. Outputs replace a
 * regular file atomically, keeping its mode, but never a device, a FIFO, a
 * symbolic link or another name of a hard-linked file.
 */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH, mkstemps */
#include "alm/file.h"
#include "alm/error.h"
#include "file_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- reading -------------------------------------------------------------- */

static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

/* Reads the regular file open on `fd` (closed here), refusing before reading
 * anything when fstat already says it is larger than `max`. `name` names it. */
static int read_fd(char **out, size_t *len, int fd, const char *name, size_t max, int missing_if_odd)
{
	struct stat st;
	char *buf = NULL;
	size_t cap, used = 0;
	int error = 0;

	if (fstat(fd, &st) != 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot read: %s", name, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		error = alm_error_set(missing_if_odd ? ALM_ENOTFOUND : ALM_EINVALID,
				      "%s: %s, not a regular file; expected a file", name, kind_of(st.st_mode));
		goto done;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		error = alm_error_set(ALM_ELIMIT, "%s: larger than the limit of %zu bytes", name, max);
		goto done;
	}
	/* The size may still change while it is read: the cap is kept below too. */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		ssize_t n;
		if (used + 1 >= cap) {
			size_t ncap = cap < 4096 ? 8192 : cap * 2;
			char *nbuf;
			if (used > max) {
				error = alm_error_set(ALM_ELIMIT, "%s: larger than the limit of %zu bytes", name, max);
				goto done;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				error = alm_error_set(ALM_ENOMEM, "%s: out of memory", name);
				goto done;
			}
			buf = nbuf;
			cap = ncap;
		} else if (!buf && !(buf = malloc(cap))) {
			error = alm_error_set(ALM_ENOMEM, "%s: out of memory", name);
			goto done;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = alm_error_set(ALM_EIO, "%s: read failed: %s", name, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			error = alm_error_set(ALM_ELIMIT, "%s: larger than the limit of %zu bytes", name, max);
			goto done;
		}
	}
	buf[used] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = used;
done:
	close(fd);
	free(buf);
	return error;
}

int alm_file_read(char **out, size_t *len, const char *path, size_t max)
{
	int fd;
	*out = NULL;
	if (len)
		*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return alm_error_set(errno == ENOENT ? ALM_ENOTFOUND : ALM_EIO, "%s: cannot open: %s", path,
				     strerror(errno));
	return read_fd(out, len, fd, path, max, 0);
}

int alm_file_read_inside(char **out, size_t *len, const char *root, const char *path, size_t max)
{
	char *real_root = NULL, *real = NULL;
	struct stat st;
	size_t n;
	int fd, error = 0;

	*out = NULL;
	if (len)
		*len = 0;
	if (lstat(path, &st) != 0)
		return alm_error_set(ALM_ENOTFOUND, "%s: cannot open: %s", path, strerror(errno));
	real_root = realpath(root, NULL);
	real = realpath(path, NULL);
	if (!real_root || !real) {
		/* A dangling link or a loop: there is no file to read. */
		error = alm_error_set(ALM_ENOTFOUND, "%s: cannot be resolved: %s", path, strerror(errno));
		goto done;
	}
	n = strlen(real_root);
	if (strncmp(real, real_root, n) != 0 || (real[n] != '/' && !(n == 1 && real_root[0] == '/'))) {
		/* Never read (and so never quote) a file outside the repository. */
		error = alm_error_set(ALM_EINVALID, "%s: a symbolic link leading out of the repository; not read",
				      path);
		goto done;
	}
	fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		error = alm_error_set(errno == ENOENT ? ALM_ENOTFOUND : ALM_EIO, "%s: cannot open: %s", path,
				      strerror(errno));
		goto done;
	}
	error = read_fd(out, len, fd, path, max, 1);
done:
	free(real_root);
	free(real);
	return error;
}

/* ---- writing -------------------------------------------------------------- */

int alm_file_named_temporaries;

/* Temporaries are named ".alm-advisor-PID-XXXXXX.tmp": short (a file name
 * near NAME_MAX still has room beside it), hidden, and naming the process, so
 * a later run can tell one left by a killed run from one still being written. */
#define TMP_PREFIX ".alm-advisor-"
#define TMP_SUFFIX ".tmp"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	size_t n;
	if (!slash)
		return strdup(".");
	n = slash == path ? 1 : (size_t)(slash - path);
	if (!(dir = malloc(n + 1)))
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return dir;
}

/* Removes temporaries of our naming in `dir` whose process is gone: they were
 * left by a run that was killed (SIGKILL cannot be held) between creating and
 * renaming one. Only regular files owned by this user, never a live run's. */
static void remove_stale_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *p = e->d_name;
		char *end;
		long pid;
		size_t n = strlen(p);
		struct stat st;
		if (strncmp(p, TMP_PREFIX, sizeof TMP_PREFIX - 1) != 0 || n < sizeof TMP_SUFFIX ||
		    strcmp(p + n - (sizeof TMP_SUFFIX - 1), TMP_SUFFIX) != 0)
			continue;
		pid = strtol(p + sizeof TMP_PREFIX - 1, &end, 10);
		if (pid <= 0 || pid > INT_MAX || *end != '-' || strlen(end) != 1 + 6 + sizeof TMP_SUFFIX - 1)
			continue;
		if ((pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid())
			unlinkat(dirfd(d), p, 0);
	}
	closedir(d);
}

static int write_all(int fd, const char *path, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return alm_error_set(ALM_EIO, "%s: write failed: %s", path, strerror(errno));
		}
		done += (size_t)n;
	}
	return 0;
}

static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* A name for a temporary in `dir` that does not exist yet (the caller creates
 * it exclusively and asks again on EEXIST). */
static void temp_name(char *buf, size_t size, const char *dir)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long counter;
	unsigned long r;
	char rnd[7];
	int i;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r = (unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^ (++counter * 2654435761UL) ^
	    ((unsigned long)getpid() << 8);
	for (i = 0; i < 6; i++) {
		rnd[i] = alphabet[r % (sizeof alphabet - 1)];
		r = r / (sizeof alphabet - 1) + (unsigned long)ts.tv_nsec * 31u;
	}
	rnd[6] = '\0';
	snprintf(buf, size, "%s/" TMP_PREFIX "%ld-%s" TMP_SUFFIX, dir, (long)getpid(), rnd);
}

/* Writes `data` to a file in `dir` that is not yet visible, with `mode` (and
 * the owner of `like`, when given and root may), flushed. *fd_out gets it; on
 * Linux it is an O_TMPFILE that has no name at all (a kill leaves nothing);
 * elsewhere, or when the file system cannot, a named temporary in *named. */
static int write_hidden(int *fd_out, char *named, size_t named_size, const char *dir, const char *path,
			const struct stat *like, const char *data, size_t len, int anonymous)
{
	mode_t mode = like ? (like->st_mode & 07777) : new_file_mode();
	int fd = -1, error, tries;

	named[0] = '\0';
#ifdef O_TMPFILE
	if (anonymous && !alm_file_named_temporaries)
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#else
	(void)anonymous;
#endif
	for (tries = 0; fd < 0 && tries < 100; tries++) {
		temp_name(named, named_size, dir);
		fd = open(named, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			named[0] = '\0';
			return alm_error_set(ALM_EIO, "%s: cannot create a temporary file beside it: %s", path,
					     strerror(errno));
		}
	}
	if (fd < 0) {
		named[0] = '\0';
		return alm_error_set(ALM_EIO, "%s: cannot create a temporary file beside it", path);
	}
	if ((error = write_all(fd, path, data, len)) < 0)
		goto fail;
	/* The owner first: fchown clears set-id bits that fchmod then restores. */
	if (like && (like->st_uid != geteuid() || like->st_gid != getegid()) &&
	    fchown(fd, like->st_uid, like->st_gid) != 0) {
		/* Not permitted (not root): the report becomes the writer's. */
	}
	if (fchmod(fd, mode) != 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot set the mode: %s", path, strerror(errno));
		goto fail;
	}
	if (fsync(fd) != 0) {
		error = alm_error_set(ALM_EIO, "%s: cannot flush: %s", path, strerror(errno));
		goto fail;
	}
	*fd_out = fd;
	return 0;
fail:
	close(fd);
	if (named[0])
		unlink(named);
	named[0] = '\0';
	return error;
}

/* Gives the anonymous file on `fd` the name `target` (which must not exist). */
static int link_anonymous(int fd, const char *target)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == EEXIST)
		return -1;
#ifdef AT_EMPTY_PATH
	/* Without /proc: AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH). */
	if (linkat(fd, "", AT_FDCWD, target, AT_EMPTY_PATH) == 0)
		return 0;
#endif
	return -1;
}

/* Makes the hidden file visible under a temporary name in `dir`, for a rename:
 * an O_TMPFILE is linked there, a named temporary already is. */
static int name_hidden(int fd, char *named, size_t named_size, const char *dir, const char *path)
{
	int tries;
	if (named[0])
		return 0;
	for (tries = 0; tries < 100; tries++) {
		temp_name(named, named_size, dir);
		if (link_anonymous(fd, named) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	named[0] = '\0';
	return alm_error_set(ALM_EIO, "%s: cannot name the temporary file beside it: %s", path, strerror(errno));
}

/* Follows a chain of symbolic links that ends at a name that does not exist
 * (a dangling link): the report is created where the last one points. */
static char *follow_dangling(const char *path)
{
	char *cur = strdup(path);
	int hops;
	for (hops = 0; cur && hops < 40; hops++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;
		char *next;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		n = readlink(cur, target, sizeof target - 1);
		if (n < 0)
			return cur;
		target[n] = '\0';
		if (target[0] == '/') {
			next = strdup(target);
		} else {
			char *dir = dir_of(cur);
			size_t size = (dir ? strlen(dir) : 0) + (size_t)n + 2;
			next = dir ? malloc(size) : NULL;
			if (next)
				snprintf(next, size, "%s/%s", dir, target);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

/* A device, a FIFO, a socket: written through, as a shell's '>' would. */
static int write_through(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC), error;
	if (fd < 0)
		return alm_error_set(ALM_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
	error = write_all(fd, path, data, len);
	if (close(fd) != 0 && !error)
		error = alm_error_set(ALM_EIO, "%s: cannot close: %s", path, strerror(errno));
	return error;
}

/* Where `path` is to be written, resolved: *kind 0 a new file (at *target),
 * 1 a regular file replaced (*target its real path, *st its status), 2 written
 * through (not a regular file). */
static int resolve_output(char **target, struct stat *st, int *kind, const char *path)
{
	*target = NULL;
	if (stat(path, st) == 0) {
		if (S_ISDIR(st->st_mode))
			return alm_error_set(ALM_EIO, "%s: is a directory", path);
		if (!S_ISREG(st->st_mode)) {
			*kind = 2;
			return 0;
		}
		if (st->st_nlink > 1)
			return alm_error_set(ALM_EIO,
					     "%s: has %lu hard links; replacing it would break them and writing in place "
					     "would not be atomic: write elsewhere", path, (unsigned long)st->st_nlink);
		if (!(*target = realpath(path, NULL)))
			return alm_error_set(ALM_EIO, "%s: cannot resolve: %s", path, strerror(errno));
		*kind = 1;
		return 0;
	}
	if (!(*target = follow_dangling(path)))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	*kind = 0;
	return 0;
}

/*
 * An interrupt (Ctrl-C, a pipeline cancelled) while the temporary file exists
 * would leave it behind, half written. The signals that end a run are held
 * from its creation until it is renamed or removed, then delivered: the run
 * still ends, and leaves the new file whole or nothing.
 */
static void hold_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* The body of alm_file_write_atomic (replace = 1) and alm_file_write_new. */
static int write_file(const char *path, const char *data, size_t len, int replace)
{
	char *target = NULL, *dir = NULL, named[PATH_MAX + 64];
	struct stat st;
	int kind = 0, fd = -1, error;

	named[0] = '\0';
	if (replace) {
		if ((error = resolve_output(&target, &st, &kind, path)) < 0)
			goto done;
		if (kind == 2) {
			error = write_through(path, data, len);
			goto done;
		}
	} else if (!(target = strdup(path))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	if (!(dir = dir_of(target))) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	remove_stale_temporaries(dir);
	if ((error = write_hidden(&fd, named, sizeof named, dir, path, kind == 1 ? &st : NULL, data, len, 1)) < 0)
		goto done;
	if (!replace && !named[0]) {
		/* An anonymous file linked straight to its name: fails if it exists. */
		if (link_anonymous(fd, target) == 0)
			goto done;
		if (errno == EEXIST) {
			error = alm_error_set(ALM_EIO, "%s: already exists; not overwriting it", path);
			goto done;
		}
	}
	if (name_hidden(fd, named, sizeof named, dir, path) < 0) {
		/* An O_TMPFILE that cannot be linked (no /proc): write a named one. */
		close(fd);
		fd = -1;
		if ((error = write_hidden(&fd, named, sizeof named, dir, path, kind == 1 ? &st : NULL, data, len, 0)) < 0)
			goto done;
	}
	if (replace) {
		if (rename(named, target) != 0)
			error = alm_error_set(ALM_EIO, "%s: cannot replace: %s", path, strerror(errno));
	} else if (link(named, target) != 0) {
		/* link() fails when `path` exists, which rename() would silently replace. */
		if (errno == EEXIST)
			error = alm_error_set(ALM_EIO, "%s: already exists; not overwriting it", path);
		else
			error = alm_error_set(ALM_EIO, "%s: cannot create: %s", path, strerror(errno));
	}
done:
	if (fd >= 0 && close(fd) != 0 && !error)
		error = alm_error_set(ALM_EIO, "%s: cannot close: %s", path, strerror(errno));
	/* After a rename the name is gone; after link() or a failure it is removed. */
	if (named[0] && (error || !replace))
		unlink(named);
	free(target);
	free(dir);
	return error;
}

static int write_held(const char *path, const char *data, size_t len, int replace)
{
	sigset_t old;
	int error;
	hold_signals(&old);
	error = write_file(path, data, len, replace);
	release_signals(&old);
	return error;
}

int alm_file_write_atomic(const char *path, const char *data, size_t len)
{
	return write_held(path, data, len, 1);
}

int alm_file_write_new(const char *path, const char *data, size_t len)
{
	return write_held(path, data, len, 0);
}

int alm_file_same(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
