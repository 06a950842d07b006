#include "alm/repo_probe.h"

#include "alm/error.h"
#include "repo_files.h"
#include "repo_history.h"
#include "vec.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Orchestration: open the repository read-only, list its references, walk the
 * history once (repo_history.c), read the tree at HEAD (repo_files.c), and
 * record every fact with a sentence that says where it came from.
 */

#define LOWER_BOUND "a lower bound: rebase and fast-forward completions leave no mark in history"

typedef struct {
	git_oid *tips;      /* branch tips: local and remote-tracking branches */
	char **names;
	int *counted;       /* a branch for the counts (not refs/remotes/x/HEAD) */
	size_t ntips, cap;
	size_t local, remote, tags, total;
	int unreadable;     /* references that could not be read */
} refs;

typedef struct {
	git_repository *repo;
	alm_facts *facts;
	const alm_repo_probe_options *opts;
	refs refs;
	char *default_branch;  /* short name, or NULL */
	char *default_ref;     /* the reference walked for first-parent counts */
	char default_how[160];
	int bare, shallow, detached, empty, head_born;
	char head_target[256]; /* the branch an unborn HEAD names ("": HEAD is born, or detached) */
	git_oid head;
	char problems[1024];   /* why the probe is degraded, "; "-separated */
} probe;

static void add_problem(probe *p, const char *text)
{
	size_t n = strlen(p->problems);
	snprintf(p->problems + n, sizeof p->problems - n, "%s%s", n ? "; " : "", text);
}

static const char *git_message(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

static void iso8601(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "@%lld", (long long)t);
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- opening ---------------------------------------------------------- */

/*
 * Where discovery finds a repository from `path`: the git dir in `gitdir` and
 * the directory git's safe.directory wants (the work tree, or the git dir) in
 * `trusted`. Returns 0 when found.
 */
static int discover(const char *path, char *gitdir, size_t gsize, char *trusted, size_t tsize)
{
	git_buf found = GIT_BUF_INIT;
	size_t n;
	int rc = git_repository_discover(&found, path, 0, NULL);

	if (rc == 0 && found.ptr) {
		snprintf(gitdir, gsize, "%s", found.ptr);
		n = strlen(found.ptr);
		if (n > 6 && strcmp(found.ptr + n - 6, "/.git/") == 0)
			n -= 6;
		else if (n > 1 && found.ptr[n - 1] == '/')
			n--;
		snprintf(trusted, tsize, "%.*s", (int)n, found.ptr);
	} else {
		rc = -1;
	}
	git_error_clear();
	git_buf_dispose(&found);
	return rc;
}

static int owner_error(const char *path, const char *trusted)
{
	return alm_error_set(ALM_EINVALID,
			     "%s: the repository is owned by another user, so git and libgit2 refuse to read it; "
			     "if you trust it, run: git config --global --add safe.directory %s",
			     path, trusted);
}

static int open_repository(git_repository **out, const char *path)
{
	struct stat st;
	char gitdir[4096], trusted[4096];
	int rc;

	if (stat(path, &st) < 0)
		return alm_error_set(ALM_ENOTFOUND, "%s: no such file or directory", path);
	/* Without GIT_REPOSITORY_OPEN_FROM_ENV: GIT_DIR and friends of the calling
	 * process must not redirect the probe to another repository. */
	rc = git_repository_open_ext(out, path, 0, NULL);
	if (rc == 0)
		return 0;
	if (rc == GIT_EOWNER) {
		git_error_clear();
		if (discover(path, gitdir, sizeof gitdir, trusted, sizeof trusted) < 0)
			snprintf(trusted, sizeof trusted, "%s", path);
		return owner_error(path, trusted);
	}
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		if (discover(path, gitdir, sizeof gitdir, trusted, sizeof trusted) < 0)
			return alm_error_set(ALM_ENOTFOUND, "%s: not a git repository", path);
		/* libgit2 1.5 reports a failed ownership check as GIT_ENOTFOUND
		 * ("config value 'safe.directory' was not found") when no
		 * safe.directory is set; the owner of the git dir tells. */
		if (stat(gitdir, &st) == 0 && st.st_uid != geteuid())
			return owner_error(path, trusted);
		return alm_error_set(ALM_ERROR, "%s: cannot open the repository at %s", path, gitdir);
	}
	rc = alm_error_set(ALM_ERROR, "%s: cannot open the repository: %s", path, git_message());
	git_error_clear();
	return rc;
}

/* ---- references ------------------------------------------------------- */

static void refs_free(refs *r)
{
	size_t i;
	for (i = 0; i < r->ntips; i++)
		free(r->names[i]);
	free(r->tips);
	free(r->names);
	free(r->counted);
}

static int refs_add_tip(refs *r, const char *name, const git_oid *id, int counted)
{
	if (r->ntips == r->cap) {
		/* Three arrays side by side, one capacity: each grows alike. */
		size_t tcap = r->cap, ncap = r->cap, ccap = r->cap;
		if (alm_vec_reserve(&r->tips, &tcap, r->ntips + 1) < 0 ||
		    alm_vec_reserve(&r->names, &ncap, r->ntips + 1) < 0 ||
		    alm_vec_reserve(&r->counted, &ccap, r->ntips + 1) < 0)
			return ALM_ENOMEM;
		r->cap = tcap;
	}
	r->names[r->ntips] = strdup(name);
	if (!r->names[r->ntips])
		return ALM_ENOMEM;
	git_oid_cpy(&r->tips[r->ntips], id);
	r->counted[r->ntips] = counted;
	r->ntips++;
	return 0;
}

static int collect_refs(probe *p)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	int rc, error = 0;

	if (git_reference_iterator_new(&it, p->repo) < 0) {
		error = alm_error_set(ALM_ERROR, "cannot list the references: %s", git_message());
		git_error_clear();
		return error;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		git_reference *resolved = NULL;
		int branch = has_prefix(name, "refs/heads/"), remote = has_prefix(name, "refs/remotes/");
		int remote_head = 0;

		p->refs.total++;
		if (has_prefix(name, "refs/tags/"))
			p->refs.tags++;
		if (remote) {
			size_t n = strlen(name);
			remote_head = n >= 5 && strcmp(name + n - 5, "/HEAD") == 0;
		}
		/* A symbolic ref to a missing branch (a stale origin/HEAD, say) is
		 * skipped, as git log and for-each-ref skip it. refs/remotes/x/HEAD
		 * is no branch, but git log --remotes starts from it too. */
		if ((branch || remote) && git_reference_resolve(&resolved, ref) == 0 &&
		    git_reference_target(resolved)) {
			if (branch)
				p->refs.local++;
			else if (!remote_head)
				p->refs.remote++;
			error = refs_add_tip(&p->refs, name, git_reference_target(resolved), !remote_head);
		}
		git_error_clear();
		git_reference_free(resolved);
		git_reference_free(ref);
		ref = NULL;
		if (error < 0) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc != GIT_ITEROVER && error == 0) {
		p->refs.unreadable++;
		git_error_clear();
	}
	git_reference_iterator_free(it);
	return error;
}

static long find_tip(const refs *r, const char *name)
{
	size_t i;
	for (i = 0; name && i < r->ntips; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

/* The branch HEAD names; for a detached HEAD, origin/HEAD's target, else main
 * or master, local or at origin. */
static int find_default_branch(probe *p)
{
	static const char *const fallbacks[] = {
		"refs/heads/main", "refs/heads/master",
		"refs/remotes/origin/main", "refs/remotes/origin/master", NULL
	};
	git_reference *ref = NULL;
	const char *target;
	size_t i;
	int error = 0;

	if (!p->detached) {
		if (git_reference_lookup(&ref, p->repo, "HEAD") == 0 &&
		    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC &&
		    (target = git_reference_symbolic_target(ref)) != NULL) {
			p->default_ref = strdup(target);
			p->default_branch = strdup(has_prefix(target, "refs/heads/") ? target + 11 : target);
			snprintf(p->default_how, sizeof p->default_how, "HEAD names %s", target);
			if (!p->default_ref || !p->default_branch)
				error = alm_error_set(ALM_ENOMEM, "out of memory");
		}
		git_error_clear();
		git_reference_free(ref);
		return error;
	}
	if (git_reference_lookup(&ref, p->repo, "refs/remotes/origin/HEAD") == 0 &&
	    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC &&
	    (target = git_reference_symbolic_target(ref)) != NULL) {
		p->default_ref = strdup(target);
		p->default_branch = strdup(has_prefix(target, "refs/remotes/origin/") ? target + 20 : target);
		snprintf(p->default_how, sizeof p->default_how,
			 "HEAD is detached; origin/HEAD names %s", target);
		if (!p->default_ref || !p->default_branch)
			error = alm_error_set(ALM_ENOMEM, "out of memory");
		git_reference_free(ref);
		return error;
	}
	git_error_clear();
	git_reference_free(ref);
	for (i = 0; fallbacks[i]; i++) {
		if (find_tip(&p->refs, fallbacks[i]) < 0)
			continue;
		p->default_ref = strdup(fallbacks[i]);
		p->default_branch = strdup(strrchr(fallbacks[i], '/') + 1);
		snprintf(p->default_how, sizeof p->default_how,
			 "HEAD is detached and there is no origin/HEAD; %s exists", fallbacks[i]);
		if (!p->default_ref || !p->default_branch)
			error = alm_error_set(ALM_ENOMEM, "out of memory");
		return error;
	}
	snprintf(p->default_how, sizeof p->default_how,
		 "HEAD is detached and neither origin/HEAD nor a main or master branch exists");
	return 0;
}

/* HEAD's commit, read within the history's bounds (git_reference_peel would
 * load the whole commit object, however large its message). */
static void read_head(probe *p)
{
	git_reference *ref = NULL, *direct = NULL;
	git_oid tree;

	p->head_born = 0;
	p->head_target[0] = '\0';
	if (git_repository_head(&ref, p->repo) == 0 &&
	    git_reference_resolve(&direct, ref) == 0 && git_reference_target(direct) &&
	    alm_history_commit_tree(&p->head, &tree, p->repo, git_reference_target(direct)) == 0) {
		p->head_born = 1;
	} else if (git_repository_head_unborn(p->repo) == 1) {
		git_reference *head = NULL;
		if (git_reference_lookup(&head, p->repo, "HEAD") == 0 && git_reference_symbolic_target(head))
			snprintf(p->head_target, sizeof p->head_target, "%s", git_reference_symbolic_target(head));
		git_reference_free(head);
	}
	git_error_clear();
	git_reference_free(direct);
	git_reference_free(ref);
}

/* ---- remotes ---------------------------------------------------------- */

/* The host of a remote URL, lower-cased; "" for a local path. */
static void url_host(const char *url, char *host, size_t size)
{
	const char *scheme = strstr(url, "://"), *start, *end, *at, *colon;
	size_t n, i;

	host[0] = '\0';
	if (scheme) {
		start = scheme + 3;
		end = start + strcspn(start, "/?#");
	} else {
		/* scp-like [user@]host:path, where the colon comes before any slash */
		colon = strchr(url, ':');
		end = colon;
		if (!colon || (strchr(url, '/') && strchr(url, '/') < colon))
			return;
		start = url;
	}
	for (at = end; at > start; at--)
		if (at[-1] == '@') {
			start = at;
			break;
		}
	colon = memchr(start, ':', (size_t)(end - start));
	if (colon && start[0] != '[')
		end = colon;
	n = (size_t)(end - start);
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		host[i] = (char)((start[i] >= 'A' && start[i] <= 'Z') ? start[i] - 'A' + 'a' : start[i]);
	host[n] = '\0';
}

static int host_is(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);
	return strcmp(host, domain) == 0 ||
	       (h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0);
}

static int first_label_is(const char *host, const char *label)
{
	size_t n = strlen(label);
	return strncmp(host, label, n) == 0 && host[n] == '.';
}

static const char *classify_host(const char *host)
{
	if (!*host)
		return "other";
	if (strcmp(host, "dev.azure.com") == 0 || strcmp(host, "ssh.dev.azure.com") == 0 ||
	    host_is(host, "visualstudio.com"))
		return "azure-devops";
	if (host_is(host, "github.com") || host_is(host, "ghe.com") || first_label_is(host, "github"))
		return "github";
	if (host_is(host, "gitlab.com") || first_label_is(host, "gitlab"))
		return "gitlab";
	if (host_is(host, "bitbucket.org") || first_label_is(host, "bitbucket"))
		return "bitbucket";
	return "other";
}

/* The URL without credentials: all of an http(s) URL's user info (a token is
 * often given as the user name), and any user:password elsewhere. */
static char *strip_credentials(const char *url)
{
	const char *scheme = strstr(url, "://"), *start, *end, *at = NULL, *p;
	char *out;
	int http;

	out = strdup(url);
	if (!out || !scheme)
		return out;
	http = (scheme - url == 4 && strncasecmp(url, "http", 4) == 0) ||
	       (scheme - url == 5 && strncasecmp(url, "https", 5) == 0);
	start = scheme + 3;
	end = start + strcspn(start, "/?#");
	for (p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at || (!http && !memchr(start, ':', (size_t)(at - start))))
		return out;
	memcpy(out + (start - url), at + 1, strlen(at + 1) + 1);
	return out;
}

/*
 * The remote the host is read from: origin, else the first remote in the
 * configuration. Config entries are scanned by name: git_remote_list matches
 * them with a regular expression, which leaks with libgit2 1.5's PCRE2 backend.
 */
static int record_remote(probe *p)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *entry;
	char chosen[256] = "", host[256] = "";
	char *url = NULL, *clean = NULL;
	size_t nremotes = 0;
	int error;

	if (git_repository_config_snapshot(&cfg, p->repo) == 0 &&
	    git_config_iterator_new(&it, cfg) == 0) {
		while (git_config_next(&entry, it) == 0) {
			const char *name = entry->name;
			size_t n = strlen(name), len;
			int origin;
			if (strncasecmp(name, "remote.", 7) != 0 || n < 7 + 1 + 4 ||
			    strcasecmp(name + n - 4, ".url") != 0 || !entry->value)
				continue;
			nremotes++;
			len = n - 7 - 4;
			origin = len == 6 && strncmp(name + 7, "origin", 6) == 0;
			/* keep the first remote, unless origin comes later */
			if (len >= sizeof chosen || (url && (!origin || strcmp(chosen, "origin") == 0)))
				continue;
			free(url);
			url = strdup(entry->value);
			snprintf(chosen, sizeof chosen, "%.*s", (int)len, name + 7);
			if (!url) {
				error = alm_error_set(ALM_ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	git_error_clear();
	if (url) {
		clean = strip_credentials(url);
		url_host(url, host, sizeof host);
		if (!clean) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (!clean) {
		error = alm_facts_set(p->facts, "repo.host", cJSON_CreateString("none"), ALM_SOURCE_REPO,
				      "the repository has no remote");
		if (!error)
			error = alm_facts_set(p->facts, "repo.remote_url", cJSON_CreateNull(), ALM_SOURCE_REPO,
					      "no remote URL");
	} else {
		const char *kind = classify_host(host);
		error = alm_facts_set(p->facts, "repo.host", cJSON_CreateString(kind), ALM_SOURCE_REPO,
				      "the remote %s points to %s%s", chosen, *host ? host : "a local path",
				      nremotes > 1 ? " (origin is preferred among the remotes)" : "");
		if (!error)
			error = alm_facts_set(p->facts, "repo.remote_url", cJSON_CreateString(clean),
					      ALM_SOURCE_REPO, "the URL of the remote %s, without credentials",
					      chosen);
	}
done:
	free(url);
	free(clean);
	git_config_iterator_free(it);
	git_config_free(cfg);
	return error;
}

/* ---- history facts ---------------------------------------------------- */

static int set_count(probe *p, const char *fact, size_t value, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static int set_count(probe *p, const char *fact, size_t value, const char *fmt, ...)
{
	char line[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return alm_facts_set(p->facts, fact, cJSON_CreateNumber((double)value), ALM_SOURCE_REPO,
			     "%s", line);
}

static int record_history(probe *p, const alm_history *h, const int64_t *tip_times,
			  long fp_tip, int incomplete)
{
	static const char *const kind_text[ALM_PR__COUNT] = {
		NULL, "Azure DevOps (Merged PR N:)", "GitHub merge (Merge pull request #N from)",
		"GitHub squash (… (#N))", "GitLab (See merge request …!N)",
		"Bitbucket (Merged in … (pull request #N))"
	};
	const char *partial = incomplete ? " (history is incomplete here)" : "";
	const char *branch = p->default_branch ? p->default_branch : "the default branch";
	char window[64], when[40], fact[96];
	size_t i, active = 0;
	int error;
	cJSON *share;

	if (p->opts->all_history) {
		snprintf(window, sizeof window, "in all history");
	} else {
		iso8601(p->opts->since, when, sizeof when);
		snprintf(window, sizeof window, "since %s", when);
	}
	if ((error = set_count(p, "repo.commits", h->commits,
			       "%zu commits reachable from the branches (%zu local, %zu remote-tracking) %s%s",
			       h->commits, p->refs.local, p->refs.remote, window, partial)) < 0 ||
	    (error = set_count(p, "repo.merges", h->merges, "%zu of %zu commits %s are merges%s",
			       h->merges, h->commits, window, partial)) < 0)
		return error;
	for (i = 1; i < ALM_PR__COUNT; i++) {
		snprintf(fact, sizeof fact, "repo.pull_requests.%s", alm_pr_kind_name((alm_pr_kind)i));
		if ((error = set_count(p, fact, h->pr[i],
				       "%zu commits %s mark %s pull-request completions; %s%s",
				       h->pr[i], window, kind_text[i], LOWER_BOUND, partial)) < 0)
			return error;
	}
	if ((error = set_count(p, "repo.pull_requests.total", h->pr_total,
			       "%zu of %zu commits %s mark completed pull requests; %s%s",
			       h->pr_total, h->commits, window, LOWER_BOUND, partial)) < 0)
		return error;

	if (fp_tip >= 0 || p->default_branch) {
		if ((error = set_count(p, "repo.first_parent.commits", h->fp_commits,
				       "%zu commits on %s's first-parent line %s%s", h->fp_commits,
				       branch, window, partial)) < 0 ||
		    (error = set_count(p, "repo.first_parent.merges", h->fp_merges,
				       "%zu of %zu commits on %s's first-parent line are merges",
				       h->fp_merges, h->fp_commits, branch)) < 0 ||
		    (error = set_count(p, "repo.first_parent.pull_requests", h->fp_prs,
				       "%zu of %zu commits on %s arrived through pull requests; %s%s",
				       h->fp_prs, h->fp_commits, branch, LOWER_BOUND, partial)) < 0 ||
		    (error = set_count(p, "repo.first_parent.direct_commits", h->fp_direct,
				       "%zu of %zu commits on %s were neither pull-request completions nor merges "
				       "(pushed directly, or pull requests completed by rebase or fast-forward)",
				       h->fp_direct, h->fp_commits, branch)) < 0)
			return error;
		if (h->fp_commits) {
			share = cJSON_CreateNumber((double)h->fp_prs / (double)h->fp_commits);
			error = alm_facts_set(p->facts, "repo.first_parent.pr_share", share, ALM_SOURCE_REPO,
					      "%.0f%% of the commits on %s are pull-request completions; %s%s",
					      100.0 * (double)h->fp_prs / (double)h->fp_commits, branch,
					      LOWER_BOUND, partial);
		} else {
			error = alm_facts_set(p->facts, "repo.first_parent.pr_share", cJSON_CreateNull(),
					      ALM_SOURCE_REPO, "%s has no commits %s", branch, window);
		}
		if (error < 0)
			return error;
	} else {
		static const char *const unknown[] = {
			"repo.first_parent.commits", "repo.first_parent.merges",
			"repo.first_parent.pull_requests", "repo.first_parent.direct_commits",
			"repo.first_parent.pr_share", NULL
		};
		for (i = 0; unknown[i]; i++)
			if ((error = alm_facts_set(p->facts, unknown[i], cJSON_CreateNull(), ALM_SOURCE_REPO,
						   "unknown: %s", p->default_how)) < 0)
				return error;
	}

	if ((error = set_count(p, "repo.authors", h->authors,
			       "%zu distinct author e-mail addresses %s%s", h->authors, window,
			       partial)) < 0)
		return error;
	if (h->newest != ALM_HISTORY_NO_TIME) {
		iso8601(h->newest, when, sizeof when);
		error = alm_facts_set(p->facts, "repo.last_commit_at", cJSON_CreateString(when),
				      ALM_SOURCE_REPO, "the newest commit on any branch was committed at %s",
				      when);
	} else if (h->newest_any != ALM_HISTORY_NO_TIME) {
		/* A dormant repository: its last activity is older than the window. */
		iso8601(h->newest_any, when, sizeof when);
		error = alm_facts_set(p->facts, "repo.last_commit_at", cJSON_CreateString(when),
				      ALM_SOURCE_REPO,
				      "no commit on any branch %s; the newest was committed at %s",
				      window, when);
	} else {
		error = alm_facts_set(p->facts, "repo.last_commit_at", cJSON_CreateNull(), ALM_SOURCE_REPO,
				      "no commit on any branch %s", window);
	}
	if (error < 0)
		return error;
	{
		int dormant = h->commits == 0 && h->newest_any != ALM_HISTORY_NO_TIME;
		if ((error = alm_facts_set_bool(p->facts, "repo.history.window_empty", dormant,
						ALM_SOURCE_REPO,
						dormant ? "the window holds no commit, but older history exists (repo.last_commit_at)"
						: h->commits ? "the window holds commits"
						: "the repository has no readable commit")) < 0)
			return error;
	}

	for (i = 0; i < p->refs.ntips; i++)
		if (p->refs.counted[i] && tip_times && tip_times[i] != ALM_HISTORY_NO_TIME &&
		    (p->opts->all_history || tip_times[i] >= p->opts->since))
			active++;
	if (p->opts->all_history)
		return set_count(p, "repo.branches.active", active,
				 "with all history as the window every branch whose tip is a readable commit is active: %zu of %zu (local and remote-tracking)",
				 active, p->refs.local + p->refs.remote);
	return set_count(p, "repo.branches.active", active,
			 "%zu of %zu branches (local and remote-tracking) have a tip committed %s", active,
			 p->refs.local + p->refs.remote, window);
}

static int run_history(probe *p)
{
	alm_history h;
	alm_history_options hopts;
	int64_t *tip_times = NULL;
	long fp_tip = find_tip(&p->refs, p->default_ref);
	int error, incomplete;
	char line[256];

	memset(&hopts, 0, sizeof hopts);
	hopts.since = p->opts->since;
	hopts.all_history = p->opts->all_history;
	hopts.use_commit_graph = 1;

	tip_times = malloc((p->refs.ntips ? p->refs.ntips : 1) * sizeof *tip_times);
	if (!tip_times)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if ((error = alm_history_walk(&h, p->repo, p->refs.tips, p->refs.ntips, fp_tip, tip_times,
				      &hopts)) < 0)
		goto done;
	if (h.unreadable > h.too_large) {
		snprintf(line, sizeof line,
			 "%zu commit(s) could not be read (missing or corrupt objects; `git fsck` tells more): "
			 "history-based facts are a lower bound", h.unreadable - h.too_large);
		add_problem(p, line);
	}
	if (h.too_large) {
		snprintf(line, sizeof line,
			 "%zu commit(s) are larger than %d MiB and packed, so they were not read: "
			 "history-based facts are a lower bound", h.too_large,
			 ALM_HISTORY_MAX_FULL_READ / (1024 * 1024));
		add_problem(p, line);
	}
	incomplete = p->shallow || p->detached || h.unreadable > 0;
	if ((error = record_history(p, &h, tip_times, fp_tip, incomplete)) < 0)
		goto done;
	error = alm_facts_set_bool(p->facts, "repo.history_complete", !incomplete, ALM_SOURCE_REPO,
				   incomplete
				   ? "history-based facts are incomplete (shallow or detached checkout, or unreadable commits)"
				   : "the full history of every branch was read");
done:
	free(tip_times);
	return error;
}

/* ---- the probe -------------------------------------------------------- */

static int record_basics(probe *p)
{
	char hex[GIT_OID_HEXSZ + 1];
	int error;

	if ((error = alm_facts_set_bool(p->facts, "repo.bare", p->bare, ALM_SOURCE_REPO,
					p->bare ? "a bare repository (no work tree)"
						: "a repository with a work tree")) < 0 ||
	    (error = alm_facts_set_bool(p->facts, "repo.shallow", p->shallow, ALM_SOURCE_REPO,
					p->shallow ? "a shallow clone: older history is not present"
						   : "not a shallow clone")) < 0 ||
	    (error = alm_facts_set_bool(p->facts, "repo.detached", p->detached, ALM_SOURCE_REPO,
					p->detached ? "HEAD is detached (checked out at a commit, as CI does)"
						    : "HEAD names a branch")) < 0 ||
	    (error = alm_facts_set_bool(p->facts, "repo.empty", p->empty, ALM_SOURCE_REPO,
					p->empty ? "the repository has no commits and no references"
						 : "the repository has references")) < 0)
		return error;
	if (p->head_born) {
		git_oid_tostr(hex, sizeof hex, &p->head);
		error = alm_facts_set(p->facts, "repo.head", cJSON_CreateString(hex), ALM_SOURCE_REPO,
				      "HEAD is at commit %s", hex);
	} else {
		error = alm_facts_set(p->facts, "repo.head", cJSON_CreateNull(), ALM_SOURCE_REPO,
				      "HEAD has no commit yet");
	}
	if (error < 0)
		return error;
	if (p->default_branch)
		error = alm_facts_set(p->facts, "repo.default_branch",
				      cJSON_CreateString(p->default_branch), ALM_SOURCE_REPO, "%s",
				      p->default_how);
	else
		error = alm_facts_set(p->facts, "repo.default_branch", cJSON_CreateNull(),
				      ALM_SOURCE_REPO, "%s", p->default_how);
	if (error < 0 ||
	    (error = set_count(p, "repo.branches.local", p->refs.local,
			       "local branches (refs/heads): %zu", p->refs.local)) < 0 ||
	    (error = set_count(p, "repo.branches.remote", p->refs.remote,
			       "remote-tracking branches (refs/remotes, without */HEAD): %zu",
			       p->refs.remote)) < 0 ||
	    (error = set_count(p, "repo.tags", p->refs.tags, "tags (refs/tags): %zu", p->refs.tags)) < 0)
		return error;
	if (p->opts->all_history)
		return alm_facts_set(p->facts, "repo.since", cJSON_CreateNull(), ALM_SOURCE_REPO,
				     "history facts cover all history");
	{
		char when[40];
		iso8601(p->opts->since, when, sizeof when);
		return alm_facts_set(p->facts, "repo.since", cJSON_CreateString(when), ALM_SOURCE_REPO,
				     "history facts cover commits since %s", when);
	}
}

static void describe_checkout(probe *p)
{
	char line[512];
	static const char fetch[] =
		"fetch the full history with `git fetch --unshallow` (Azure Pipelines: fetchDepth: 0 "
		"on the checkout step; GitHub Actions: fetch-depth: 0 on actions/checkout)";

	if (p->shallow) {
		snprintf(line, sizeof line,
			 "shallow clone: history-based facts (commits, merges, pull requests, authors) are "
			 "incomplete; %s", fetch);
		add_problem(p, line);
	}
	if (p->detached) {
		snprintf(line, sizeof line,
			 "detached HEAD, as in a CI checkout: the default branch is inferred (%s) and "
			 "history-based facts may be incomplete%s%s",
			 p->default_how, p->shallow ? "" : "; ", p->shallow ? "" : fetch);
		add_problem(p, line);
	}
}

int alm_repo_probe(alm_facts *facts, const char *path, const alm_repo_probe_options *opts)
{
	alm_repo_probe_options defaults = ALM_REPO_PROBE_OPTIONS_INIT;
	probe p;
	char note[512];
	int error, initialised;

	if (!facts || !path)
		return alm_error_set(ALM_EINVALID, "alm_repo_probe: facts and path are required");
	if (!opts)
		opts = &defaults;
	if (opts->version != ALM_REPO_PROBE_OPTIONS_VERSION)
		return alm_error_set(ALM_EINVALID, "alm_repo_probe: unsupported options version %u",
				     opts->version);

	memset(&p, 0, sizeof p);
	p.facts = facts;
	p.opts = opts;
	initialised = git_libgit2_init() > 0;
	if ((error = open_repository(&p.repo, path)) < 0)
		goto failed;

	p.bare = git_repository_is_bare(p.repo) == 1;
	p.shallow = git_repository_is_shallow(p.repo) == 1;
	p.detached = git_repository_head_detached(p.repo) == 1;
	git_error_clear();
	read_head(&p);
	if ((error = collect_refs(&p)) < 0 || (error = find_default_branch(&p)) < 0)
		goto failed;
	p.empty = !p.head_born && p.refs.total == 0;
	describe_checkout(&p);
	if (p.refs.unreadable)
		add_problem(&p, "some references could not be read");

	if ((error = record_basics(&p)) < 0 || (error = run_history(&p)) < 0 ||
	    (error = record_remote(&p)) < 0)
		goto failed;
	note[0] = '\0';
	if (p.head_born || p.empty) {
		/* An empty repository has, definitely, no files at HEAD. */
		if ((error = alm_repo_files_scan(facts, p.repo, p.head_born ? &p.head : NULL, NULL, note,
						 sizeof note)) < 0)
			goto failed;
	} else {
		/* Branches exist but HEAD leads to no commit: what its tree holds is
		 * unknown, not empty, so the file facts stay absent. */
		if (p.head_target[0])
			snprintf(note, sizeof note,
				 "HEAD names %s, which does not exist, while the repository has other references: "
				 "the files at HEAD are unknown (check out a branch)", p.head_target);
		else
			snprintf(note, sizeof note, "the commit at HEAD could not be read: the files at HEAD are unknown");
	}
	if (note[0])
		add_problem(&p, note);
	error = alm_facts_set_probe(facts, "repo", p.problems[0] ? "degraded" : "ok",
				    p.problems[0] ? p.problems
						  : "read the history of every branch and the tree at HEAD");
	goto done;

failed:
	{
		/* Keep the message: recording the status must not overwrite it. */
		char message[1024];
		snprintf(message, sizeof message, "%s", alm_error_last());
		if (alm_facts_set_probe(facts, "repo", "failed", message) < 0)
			error = ALM_ENOMEM; /* the message still says what failed first */
		alm_error_set(error, "%s", message);
	}
done:
	free(p.default_branch);
	free(p.default_ref);
	refs_free(&p.refs);
	git_repository_free(p.repo);
	if (initialised)
		git_libgit2_shutdown();
	return error;
}
