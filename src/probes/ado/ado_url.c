#include "ado_url.h"
#include "alm/error.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGMENTS 32

void alm_ado_target_dispose(alm_ado_target *target)
{
	if (!target)
		return;
	free(target->collection);
	free(target->organization);
	free(target->project);
	free(target->repository);
	memset(target, 0, sizeof *target);
}

char *alm_ado_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(text), i, o = 0;
	char *out = malloc(n * 3 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int alm_ado_unescape(char *text)
{
	char *r = text, *w = text;
	while (*r) {
		if (*r == '%') {
			int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return 0;
}

int alm_ado_host_is_loopback(const char *host)
{
	char buf[64];
	size_t n;
	struct in_addr a4;
	struct in6_addr a6;

	if (!host)
		return 0;
	if (strcasecmp(host, "localhost") == 0)
		return 1;
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof buf)
			return 0;
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		if (n >= sizeof buf)
			return 0;
		memcpy(buf, host, n + 1);
	}
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		/* ::ffff:127.x.x.x reaches the IPv4 loopback too. */
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* A decoded name must be usable as one path segment. */
static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '/' || *s == '\\' || *s == 0x7f)
			return 0;
	return 1;
}

/* Splits an encoded path into decoded segments, skipping empty ones. */
static int split_path(char *path, char **segs, int *count)
{
	char *save = NULL, *tok;
	int n = 0;
	for (tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGMENTS)
			return -1;
		if (alm_ado_unescape(tok) < 0)
			return -1;
		segs[n++] = tok;
	}
	*count = n;
	return 0;
}

static int set_names(alm_ado_target *out, const char *org, const char *project,
		     const char *repository, const char *what)
{
	if (!valid_name(org) || !valid_name(project) || (repository && !valid_name(repository)))
		return alm_error_set(ALM_EINVALID, "%s: the organization, project or repository name is empty or not a single path segment",
				     what);
	out->organization = strdup(org);
	out->project = strdup(project);
	out->repository = repository ? strdup(repository) : NULL;
	if (!out->organization || !out->project || (repository && !out->repository))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

/* scheme://host[:port] followed by each segment re-encoded. */
static char *build_collection(const char *scheme, const char *host, const char *port,
			      char **segs, int n)
{
	size_t cap = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 8;
	char *out, *esc[MAX_SEGMENTS];
	int i;
	for (i = 0; i < n; i++) {
		esc[i] = alm_ado_escape(segs[i]);
		if (!esc[i]) {
			while (i-- > 0)
				free(esc[i]);
			return NULL;
		}
		cap += strlen(esc[i]) + 1;
	}
	out = malloc(cap);
	if (out) {
		size_t o = (size_t)snprintf(out, cap, "%s://%s%s%s", scheme, host, port ? ":" : "",
					     port ? port : "");
		for (i = 0; i < n; i++)
			o += (size_t)snprintf(out + o, cap - o, "/%s", esc[i]);
	}
	for (i = 0; i < n; i++)
		free(esc[i]);
	return out;
}

/*
 * After the collection's segments come PROJECT[/_git/REPO] or _git/REPO (a
 * repository named like its project has that shorter address).
 */
static int project_from_rest(char **rest, int n, const char **project, const char **repo)
{
	*project = *repo = NULL;
	if (n == 0)
		return -1;
	if (rest[0][0] == '_') {
		if (strcmp(rest[0], "_git") != 0 || n < 2 || rest[1][0] == '_')
			return -1;
		*project = *repo = rest[1];
		return 0;
	}
	*project = rest[0];
	if (n >= 3 && strcmp(rest[1], "_git") == 0 && rest[2][0] != '_')
		*repo = rest[2];
	return 0;
}

int alm_ado_url_parse(alm_ado_target *out, const char *url)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *segs[MAX_SEGMENTS];
	char orgbuf[256];
	const char *org = NULL, *project = NULL, *repo = NULL;
	int n = 0, coll = 0, error = 0;

	memset(out, 0, sizeof *out);
	if (!url || !*url)
		return alm_error_set(ALM_EINVALID, "the Azure DevOps URL is empty");
	u = curl_url();
	if (!u)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_ALLOW_SPACE) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		error = alm_error_set(ALM_EINVALID, "'%s' is not a URL: expected https://dev.azure.com/ORG/PROJECT", url);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0); /* absent unless given */
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		error = alm_error_set(ALM_EINVALID, "'%s': only https:// project URLs are supported", url);
		goto done;
	}
	if (split_path(path, segs, &n) < 0) {
		error = alm_error_set(ALM_EINVALID, "'%s': the path has a malformed %%-escape or too many segments", url);
		goto done;
	}
	out->plain_http = strcmp(scheme, "http") == 0;
	out->loopback = alm_ado_host_is_loopback(host);

	if (strcasecmp(host, "dev.azure.com") == 0) {
		if (n < 1) {
			error = alm_error_set(ALM_EINVALID, "'%s' names no organization: expected https://dev.azure.com/ORG/PROJECT", url);
			goto done;
		}
		org = segs[0];
		coll = 1;
	} else if (ends_with_ci(host, ".visualstudio.com") &&
		   strchr(host, '.') == host + strlen(host) - strlen(".visualstudio.com")) {
		/* Legacy addresses: ORG.visualstudio.com[/DefaultCollection]/PROJECT. */
		size_t len = (size_t)(strchr(host, '.') - host);
		if (len >= sizeof orgbuf)
			len = sizeof orgbuf - 1;
		memcpy(orgbuf, host, len);
		orgbuf[len] = '\0';
		org = orgbuf;
		coll = (n >= 2 && strcasecmp(segs[0], "DefaultCollection") == 0) ? 1 : 0;
	} else {
		/*
		 * Azure DevOps Server and the loopback test server: the project is
		 * the last segment before the first _-prefixed one, everything
		 * before it the collection. /tfs/COLLECTION/_git/REPO keeps both
		 * segments as the collection.
		 */
		int k = 0;
		while (k < n && segs[k][0] != '_')
			k++;
		if (k == n || k == 0 || strcmp(segs[k], "_git") != 0) {
			coll = k - 1;
		} else if (k == 1 || (k == 2 && strcasecmp(segs[0], "tfs") == 0)) {
			coll = k; /* _git/REPO directly under the collection */
		} else {
			coll = k - 1;
		}
		if (coll < 1) {
			error = alm_error_set(ALM_EINVALID, "'%s' names no collection and project: expected %s://%s/COLLECTION/PROJECT",
					      url, scheme, host);
			goto done;
		}
		org = segs[coll - 1];
		out->server = !out->loopback;
	}
	if (project_from_rest(segs + coll, n - coll, &project, &repo) < 0) {
		error = alm_error_set(ALM_EINVALID, "'%s' names no project: expected a URL like https://dev.azure.com/ORG/PROJECT", url);
		goto done;
	}
	if ((error = set_names(out, org, project, repo, url)) < 0)
		goto done;
	out->collection = build_collection(scheme, host, port, segs, coll);
	if (!out->collection)
		error = alm_error_set(ALM_ENOMEM, "out of memory");
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	if (error < 0)
		alm_ado_target_dispose(out);
	return error;
}

/* The organization or collection reading of a scan's URL: the first `k`
 * segments are the collection, `org` its name. */
static int collection_target(alm_ado_target *out, const char *scheme, const char *host, const char *port,
			     char **segs, int k, const char *org, int server)
{
	if (!valid_name(org))
		return alm_error_set(ALM_EINVALID, "the organization or collection name is empty or not a single path segment");
	out->organization = strdup(org);
	out->collection = build_collection(scheme, host, port, segs, k);
	out->plain_http = strcmp(scheme, "http") == 0;
	out->loopback = alm_ado_host_is_loopback(host);
	out->server = server && !out->loopback;
	if (!out->organization || !out->collection)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	return 0;
}

int alm_ado_url_parse_scope(alm_ado_target *project, alm_ado_target *collection, const char *url)
{
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *segs[MAX_SEGMENTS], orgbuf[256];
	int n = 0, k = 0, org_only, either = 0, error = 0;
	enum { CLOUD, LEGACY, OTHER } kind;

	memset(project, 0, sizeof *project);
	memset(collection, 0, sizeof *collection);
	if (!url || !*url)
		return alm_error_set(ALM_EINVALID, "the Azure DevOps URL is empty");
	if (!(u = curl_url()))
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_ALLOW_SPACE) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		error = alm_error_set(ALM_EINVALID, "'%s' is not a URL: expected https://dev.azure.com/ORG[/PROJECT]", url);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		error = alm_error_set(ALM_EINVALID, "'%s': only https:// Azure DevOps URLs are supported", url);
		goto done;
	}
	if (split_path(path, segs, &n) < 0) {
		error = alm_error_set(ALM_EINVALID, "'%s': the path has a malformed %%-escape or too many segments", url);
		goto done;
	}
	/* Segments from the first _-prefixed one on are the web UI's (_git, _settings...). */
	while (k < n && segs[k][0] != '_')
		k++;
	if (strcasecmp(host, "dev.azure.com") == 0) {
		kind = CLOUD;
		org_only = k == 1;
	} else if (ends_with_ci(host, ".visualstudio.com") &&
		   strchr(host, '.') == host + strlen(host) - strlen(".visualstudio.com")) {
		kind = LEGACY;
		org_only = k == 0 || (k == 1 && strcasecmp(segs[0], "DefaultCollection") == 0);
	} else {
		kind = OTHER;
		org_only = k == 1 || (k == 2 && strcasecmp(segs[0], "tfs") == 0);
		/* A/B with nothing after it: project B of A, or the collection A/B. */
		either = !org_only && k >= 2 && k == n;
	}
	if (kind == CLOUD && k == 0) {
		error = alm_error_set(ALM_EINVALID, "'%s' names no organization: expected https://dev.azure.com/ORG[/PROJECT]", url);
		goto done;
	}
	if (!org_only) {
		if ((error = alm_ado_url_parse(project, url)) < 0 || !either)
			goto done;
	}
	if (kind == CLOUD) {
		error = collection_target(collection, scheme, host, port, segs, 1, segs[0], 0);
	} else if (kind == LEGACY) {
		size_t len = (size_t)(strchr(host, '.') - host);
		if (len >= sizeof orgbuf)
			len = sizeof orgbuf - 1;
		memcpy(orgbuf, host, len);
		orgbuf[len] = '\0';
		error = collection_target(collection, scheme, host, port, segs, k, orgbuf, 0);
	} else if (k == 0) {
		error = alm_error_set(ALM_EINVALID, "'%s' names no collection: expected %s://%s/COLLECTION[/PROJECT]",
				      url, scheme, host);
	} else {
		error = collection_target(collection, scheme, host, port, segs, k, segs[k - 1], 1);
	}
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	if (error < 0) {
		alm_ado_target_dispose(project);
		alm_ado_target_dispose(collection);
	}
	return error;
}

/* git@ssh.dev.azure.com:v3/ORG/PROJECT/REPO and ssh://.../v3/ORG/PROJECT/REPO. */
static int from_ssh(alm_ado_target *out, const char *host, const char *path, const char *remote)
{
	char *copy = strdup(path), *segs[MAX_SEGMENTS];
	char *coll = NULL;
	int n = 0, error = 0, legacy;

	if (!copy)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	legacy = ends_with_ci(host, "vs-ssh.visualstudio.com");
	if (split_path(copy, segs, &n) < 0 || n != 4 || strcmp(segs[0], "v3") != 0) {
		error = alm_error_set(ALM_EINVALID, "'%s': expected an Azure DevOps SSH remote like git@ssh.dev.azure.com:v3/ORG/PROJECT/REPO",
				      remote);
		goto done;
	}
	if ((error = set_names(out, segs[1], segs[2], segs[3], remote)) < 0)
		goto done;
	{
		char *org = alm_ado_escape(segs[1]);
		size_t cap = (org ? strlen(org) : 0) + 64;
		coll = org ? malloc(cap) : NULL;
		if (coll)
			snprintf(coll, cap, legacy ? "https://%s.visualstudio.com" : "https://dev.azure.com/%s", org);
		free(org);
	}
	if (!coll) {
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	out->collection = coll;
done:
	free(copy);
	if (error < 0)
		alm_ado_target_dispose(out);
	return error;
}

static int is_ado_ssh_host(const char *host)
{
	return strcasecmp(host, "ssh.dev.azure.com") == 0 || ends_with_ci(host, "vs-ssh.visualstudio.com");
}

int alm_ado_url_from_remote(alm_ado_target *out, const char *remote)
{
	char host[256];
	const char *p, *at, *colon, *slash;
	size_t len;

	memset(out, 0, sizeof *out);
	if (!remote || !*remote)
		return alm_error_set(ALM_ENOTFOUND, "no git remote to derive the Azure DevOps project from");

	if (strncasecmp(remote, "https://", 8) == 0 || strncasecmp(remote, "http://", 7) == 0) {
		int error;
		const char *h = strstr(remote, "://") + 3;
		const char *end = h + strcspn(h, "/?#");
		const char *hat = memchr(h, '@', (size_t)(end - h));
		int cloud;
		if (hat)
			h = hat + 1;
		len = (size_t)(end - h);
		if (len >= sizeof host)
			return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
		memcpy(host, h, len);
		host[len] = '\0';
		if ((colon = strrchr(host, ':')) && !strchr(colon, ']'))
			host[colon - host] = '\0';
		cloud = strcasecmp(host, "dev.azure.com") == 0 || ends_with_ci(host, ".visualstudio.com");
		if (!cloud && !strstr(end, "/_git/"))
			return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
		error = alm_ado_url_parse(out, remote);
		if (error == 0 && !out->repository) {
			alm_ado_target_dispose(out);
			return alm_error_set(ALM_EINVALID, "'%s': an Azure Repos remote ends in /_git/REPO", remote);
		}
		return error;
	}

	if (strncasecmp(remote, "ssh://", 6) == 0) {
		p = remote + 6;
		slash = strchr(p, '/');
		if (!slash)
			return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
		at = memchr(p, '@', (size_t)(slash - p));
		if (at)
			p = at + 1;
		len = strcspn(p, ":/");
		if (len >= sizeof host)
			return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
		memcpy(host, p, len);
		host[len] = '\0';
		if (!is_ado_ssh_host(host))
			return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
		return from_ssh(out, host, slash, remote);
	}

	/* scp-like syntax: [user@]host:path, no scheme. */
	colon = strchr(remote, ':');
	slash = strchr(remote, '/');
	if (!colon || (slash && slash < colon))
		return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
	at = memchr(remote, '@', (size_t)(colon - remote));
	p = at ? at + 1 : remote;
	len = (size_t)(colon - p);
	if (len >= sizeof host)
		return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
	memcpy(host, p, len);
	host[len] = '\0';
	if (!is_ado_ssh_host(host))
		return alm_error_set(ALM_ENOTFOUND, "the git remote is not on Azure DevOps");
	return from_ssh(out, host, colon + 1, remote);
}

int alm_ado_url_from_collection(alm_ado_target *out, const char *collection_uri,
				const char *project)
{
	char *url, *esc;
	size_t n, cap;
	int error;

	memset(out, 0, sizeof *out);
	if (!collection_uri || !*collection_uri || !project || !*project)
		return alm_error_set(ALM_EINVALID, "SYSTEM_COLLECTIONURI and SYSTEM_TEAMPROJECT must both be set");
	esc = alm_ado_escape(project);
	if (!esc)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	n = strlen(collection_uri);
	while (n > 0 && collection_uri[n - 1] == '/')
		n--;
	cap = n + strlen(esc) + 2;
	url = malloc(cap);
	if (!url) {
		free(esc);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	snprintf(url, cap, "%.*s/%s", (int)n, collection_uri, esc);
	free(esc);
	error = alm_ado_url_parse(out, url);
	free(url);
	return error;
}

static int same_project(const alm_ado_target *a, const alm_ado_target *b)
{
	return strcasecmp(a->organization, b->organization) == 0 &&
	       strcasecmp(a->project, b->project) == 0;
}

int alm_ado_resolve(alm_ado_target *out, alm_ado_origin *origin, const char *url,
		    const char *repository, const char *remote, alm_ado_env_fn env)
{
	alm_env e;
	alm_env_from_lookup(&e, env, NULL);
	return alm_ado_resolve_env(out, origin, url, repository, remote, &e);
}

int alm_ado_resolve_env(alm_ado_target *out, alm_ado_origin *origin, const char *url,
			const char *repository, const char *remote, const alm_env *env)
{
	alm_ado_target from_remote;
	int in_pipeline = env->in_azure_pipelines;
	int have_remote, error;

	memset(out, 0, sizeof *out);
	memset(&from_remote, 0, sizeof from_remote);
	have_remote = remote && alm_ado_url_from_remote(&from_remote, remote) == 0;

	if (url && *url) {
		error = alm_ado_url_parse(out, url);
		*origin = ALM_ADO_FROM_URL;
	} else if (in_pipeline && env->system_collection_uri && env->system_team_project) {
		error = alm_ado_url_from_collection(out, env->system_collection_uri, env->system_team_project);
		*origin = ALM_ADO_FROM_PIPELINE;
	} else if (have_remote) {
		*out = from_remote;
		memset(&from_remote, 0, sizeof from_remote);
		*origin = ALM_ADO_FROM_REMOTE;
		error = 0;
	} else {
		error = alm_error_set(ALM_ENOTFOUND, "no Azure DevOps project: give its URL (https://dev.azure.com/ORG/PROJECT), "
					     "or run in a clone whose remote is on Azure DevOps");
	}
	if (error < 0)
		goto done;

	if (repository && *repository) {
		free(out->repository);
		out->repository = strdup(repository);
	} else if (!out->repository && have_remote && same_project(out, &from_remote)) {
		out->repository = strdup(from_remote.repository);
	} else if (!out->repository && in_pipeline && env->build_repository_name &&
		   (!env->build_repository_provider || strcasecmp(env->build_repository_provider, "TfsGit") == 0)) {
		/* Inside a pipeline building a GitHub or Bitbucket repository the
		 * name (owner/repo) is not an Azure Repos repository. */
		out->repository = strdup(env->build_repository_name);
	} else {
		goto done;
	}
	if (!out->repository)
		error = alm_error_set(ALM_ENOMEM, "out of memory");
done:
	alm_ado_target_dispose(&from_remote);
	if (error < 0)
		alm_ado_target_dispose(out);
	return error;
}
