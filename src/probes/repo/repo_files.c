#include "repo_files.h"

#include "alm/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * One tree walk collects paths by name and a bounded list of blobs whose
 * content decides (YAML pipelines, .csproj plug-ins); those are read after the
 * walk. Names are compared case-insensitively: these repositories are mostly
 * made on Windows, where Solution.xml and solution.xml are the same file.
 */

typedef struct {
	char **items;
	size_t count, cap;
} strlist;

enum { C_YAML, C_CSPROJ };

typedef struct {
	char *path;
	git_oid id;
	int kind;
} candidate;

typedef struct {
	strlist azure, github, solutions, canvas, pcf, plugins, connectors, pages, config_data;
	strlist solution_pipelines, deployment_settings, templates, environments;
	strlist website_dirs, pages_dirs, schema_files, data_dirs;
	const char *codeowners;
	int codeowners_rank;
	int variable_group;
	candidate *cand;
	size_t ncand, cand_cap;
	size_t blobs_read, bytes_read, skipped_large, skipped_limit, unreadable;
	int error;
} scan;

/* The accelerator's template pipelines (Pipelines/ and Pipelines/Templates/). */
static const char *const template_names[] = {
	"build-deploy-solution-to-environment.yml",
	"deploy-solution-to-environment.yml",
	"export-solution-to-git.yml",
	"import-unmanaged-to-dev-environment.yml",
	"delete-unmanaged-solution-and-components.yml",
	"sync-pipeline-repo.yml",
	NULL
};

/* In GitHub's order of precedence, then Azure DevOps' location. */
static const char *const codeowners_paths[] = {
	".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".azuredevops/CODEOWNERS", NULL
};

static int strlist_add(strlist *l, const char *s, size_t n)
{
	char *copy;
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->items, ncap * sizeof *p);
		if (!p)
			return ALM_ENOMEM;
		l->items = p;
		l->cap = ncap;
	}
	copy = malloc(n + 1);
	if (!copy)
		return ALM_ENOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';
	l->items[l->count++] = copy;
	return 0;
}

static int strlist_adds(strlist *l, const char *s)
{
	return strlist_add(l, s, strlen(s));
}

static int strlist_has(const strlist *l, const char *s)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strlist_sort_unique(strlist *l)
{
	size_t i, j = 0;
	if (!l->count)
		return;
	qsort(l->items, l->count, sizeof *l->items, cmp_str);
	for (i = 1; i < l->count; i++) {
		if (strcmp(l->items[i], l->items[j]) == 0)
			free(l->items[i]);
		else
			l->items[++j] = l->items[i];
	}
	l->count = j + 1;
}

static void strlist_free(strlist *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int is_template_name(const char *name)
{
	size_t i;
	for (i = 0; template_names[i]; i++)
		if (strcasecmp(name, template_names[i]) == 0)
			return 1;
	return 0;
}

/* The last directory name of `root` ("a/b/" -> "b"), into buf. */
static const char *parent_name(const char *root, char *buf, size_t size)
{
	size_t n = strlen(root), start;
	if (n && root[n - 1] == '/')
		n--;
	start = n;
	while (start > 0 && root[start - 1] != '/')
		start--;
	if (n - start >= size)
		return "";
	memcpy(buf, root + start, n - start);
	buf[n - start] = '\0';
	return buf;
}

static int add_env(strlist *envs, const char *name, size_t n)
{
	char buf[256];
	size_t i;
	while (n && (*name == ' ' || *name == '\t'))
		name++, n--;
	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof buf)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return strlist_add(envs, buf, n);
}

/* deploy-<env>-*.yml and build-deploy-<env>-*.yml name the environment. */
static int env_from_pipeline_name(strlist *envs, const char *name)
{
	const char *p, *dash;
	if (!(ends_with_ci(name, ".yml") || ends_with_ci(name, ".yaml")) || is_template_name(name))
		return 0;
	if (starts_with_ci(name, "deploy-"))
		p = name + 7;
	else if (starts_with_ci(name, "build-deploy-"))
		p = name + 13;
	else
		return 0;
	dash = strchr(p, '-');
	/* something must follow the environment before the extension */
	if (!dash || dash == p || dash[1] == '.' || dash[1] == '\0')
		return 0;
	return add_env(envs, p, (size_t)(dash - p));
}

/* config/<Env>/deploymentSettings.json and deploymentSettings-<Env>.json. */
static int env_from_settings(strlist *envs, const char *root, const char *name)
{
	const char *dash;
	size_t n = strlen(root), end, start, gp_end, gp_start;

	dash = strchr(name, '-');
	if (dash) {
		const char *dot = strrchr(name, '.');
		return dot && dot > dash + 1 ? add_env(envs, dash + 1, (size_t)(dot - dash - 1)) : 0;
	}
	/* root is "…/config/<Env>/": find the last two directory names */
	if (n == 0)
		return 0;
	end = n - 1;
	start = end;
	while (start > 0 && root[start - 1] != '/')
		start--;
	if (start == 0)
		return 0;
	gp_end = start - 1;
	gp_start = gp_end;
	while (gp_start > 0 && root[gp_start - 1] != '/')
		gp_start--;
	if (gp_end - gp_start == 6 && strncasecmp(root + gp_start, "config", 6) == 0)
		return add_env(envs, root + start, end - start);
	return 0;
}

/* ---- YAML by content -------------------------------------------------- */

static int contains_ci(const char *text, size_t len, const char *needle)
{
	size_t m = strlen(needle), i;
	if (m == 0 || len < m)
		return m == 0;
	for (i = 0; i + m <= len; i++)
		if ((text[i] | 0x20) == (needle[0] | 0x20) && strncasecmp(text + i, needle, m) == 0)
			return 1;
	return 0;
}

/* `key:` at the start of `s` (n bytes), followed by the end, a blank or a comment. */
static int is_key(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);
	return n > k && memcmp(s, key, k) == 0 && s[k] == ':' &&
	       (n == k + 1 || s[k + 1] == ' ' || s[k + 1] == '\t' || s[k + 1] == '\r');
}

static int is_any_key(const char *s, size_t n, const char *const *keys)
{
	size_t i;
	for (i = 0; keys[i]; i++)
		if (is_key(s, n, keys[i]))
			return 1;
	return 0;
}

/* The scalar after "key:" — unquoted, without a trailing comment. */
static void yaml_scalar(const char *s, size_t n, const char **out, size_t *outn)
{
	size_t i;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	for (i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
			n = i;
			break;
		}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0])
		s++, n -= 2;
	*out = s;
	*outn = n;
}

static int is_variable(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i++)
		if (s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{' || s[i + 1] == '['))
			return 1;
	return 0;
}

typedef struct {
	const char *s;
	size_t n;      /* without the newline */
	size_t indent; /* leading blanks */
} yline;

static size_t yline_next(const char *text, size_t len, size_t off, yline *l)
{
	const char *nl = memchr(text + off, '\n', len - off);
	size_t end = nl ? (size_t)(nl - text) : len;
	l->s = text + off;
	l->n = end - off;
	l->indent = 0;
	while (l->indent < l->n && (l->s[l->indent] == ' ' || l->s[l->indent] == '\t'))
		l->indent++;
	return nl ? end + 1 : len;
}

/* environment: NAME, or environment: with a nested name: NAME, or {name: NAME}. */
static int yaml_environment(const char *text, size_t len, size_t next, const yline *l,
			    const char *value, size_t vn,
			    int (*env)(void *, const char *, size_t), void *payload)
{
	const char *v;
	size_t n;

	yaml_scalar(value, vn, &v, &n);
	if (n && v[0] == '{') {
		const char *p = NULL;
		size_t i;
		for (i = 0; i + 5 <= n; i++)
			if (memcmp(v + i, "name:", 5) == 0) {
				p = v + i + 5;
				break;
			}
		if (!p)
			return 0;
		n = (size_t)(v + n - p);
		for (i = 0; i < n; i++)
			if (p[i] == ',' || p[i] == '}')
				break;
		yaml_scalar(p, i, &v, &n);
	} else if (n == 0) {
		/* A mapping: look for name: among the more indented lines below. */
		while (next < len) {
			yline c;
			next = yline_next(text, len, next, &c);
			if (c.indent == c.n || c.s[c.indent] == '#')
				continue;
			if (c.indent <= l->indent)
				return 0;
			if (is_key(c.s + c.indent, c.n - c.indent, "name")) {
				yaml_scalar(c.s + c.indent + 5, c.n - c.indent - 5, &v, &n);
				break;
			}
		}
	}
	if (n == 0 || is_variable(v, n))
		return 0;
	return env(payload, v, n);
}

int alm_yaml_inspect(alm_yaml_info *info, const char *text, size_t len,
		     int (*env)(void *payload, const char *name, size_t len), void *payload)
{
	static const char *const top_keys[] = {
		"trigger", "pr", "stages", "jobs", "steps", "extends", "pool", NULL
	};
	/* list items that only Azure Pipelines writes: steps, jobs and stages */
	static const char *const item_keys[] = {
		"task", "template", "script", "bash", "pwsh", "powershell", "checkout",
		"stage", "job", "deployment", NULL
	};
	size_t off = 0;
	int top = 0, item = 0, extends = 0, template_key = 0, error;

	memset(info, 0, sizeof *info);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	while (off < len) {
		yline l;
		const char *s;
		size_t n;

		off = yline_next(text, len, off, &l);
		s = l.s + l.indent;
		n = l.n - l.indent;
		if (n == 0 || s[0] == '#')
			continue;
		if (l.indent == 0 && s[0] != '-') {
			if (is_any_key(s, n, top_keys))
				top = 1;
			if (is_key(s, n, "extends"))
				extends = 1;
			if (is_key(s, n, "on") || is_key(s, n, "\"on\"") || is_key(s, n, "'on'"))
				info->github_workflow_syntax = 1;
		}
		if (s[0] == '-' && n > 1 && (s[1] == ' ' || s[1] == '\t')) {
			s++, n--;
			while (n && (*s == ' ' || *s == '\t'))
				s++, n--;
			if (is_any_key(s, n, item_keys))
				item = 1;
		}
		if (is_key(s, n, "template"))
			template_key = 1;
		if (env && is_key(s, n, "environment") &&
		    (error = yaml_environment(text, len, off, &l, s + 12, n - 12, env, payload)) < 0)
			return error;
	}
	info->azure = top && (item || (extends && template_key));
	info->accelerator_template_ref = contains_ci(text, len, "@PipelineRepo") ||
					 contains_ci(text, len, "build-deploy-Solution-To-Environment.yml");
	info->variable_group = contains_ci(text, len, "alm-accelerator-variable-group") ||
			       contains_ci(text, len, "global-variable-group");
	return 0;
}

/* ---- the tree walk ---------------------------------------------------- */

static int add_path(strlist *l, const char *root, const char *name)
{
	size_t a = strlen(root), b = strlen(name);
	char *p = malloc(a + b + 1);
	int error;
	if (!p)
		return ALM_ENOMEM;
	memcpy(p, root, a);
	memcpy(p + a, name, b + 1);
	error = strlist_add(l, p, a + b);
	free(p);
	return error;
}

/* root without its trailing slash */
static int add_dir(strlist *l, const char *root)
{
	size_t n = strlen(root);
	return strlist_add(l, root, n && root[n - 1] == '/' ? n - 1 : n);
}

static int add_candidate(scan *sc, const char *root, const char *name, const git_oid *id,
			 int kind)
{
	size_t a = strlen(root), b = strlen(name);
	candidate *c;
	if (sc->ncand == sc->cand_cap) {
		size_t ncap = sc->cand_cap ? sc->cand_cap * 2 : 64;
		candidate *p = realloc(sc->cand, ncap * sizeof *p);
		if (!p)
			return ALM_ENOMEM;
		sc->cand = p;
		sc->cand_cap = ncap;
	}
	c = &sc->cand[sc->ncand];
	c->path = malloc(a + b + 1);
	if (!c->path)
		return ALM_ENOMEM;
	memcpy(c->path, root, a);
	memcpy(c->path + a, name, b + 1);
	git_oid_cpy(&c->id, id);
	c->kind = kind;
	sc->ncand++;
	return 0;
}

static int on_tree(scan *sc, const char *root, const char *name)
{
	int error = 0;
	if (strcmp(name, ".portalconfig") == 0)
		error = add_path(&sc->pages, root, name);
	else if (strcasecmp(name, "web-pages") == 0 || strcasecmp(name, "web-templates") == 0)
		error = add_dir(&sc->pages_dirs, root);
	else if (starts_with_ci(name, "ConfigurationMigrationData"))
		error = add_path(&sc->config_data, root, name);
	return error;
}

static int on_blob(scan *sc, const char *root, const char *name, const git_oid *id)
{
	char parent[256];
	const char *dir = parent_name(root, parent, sizeof parent);
	int yaml = ends_with_ci(name, ".yml") || ends_with_ci(name, ".yaml");
	int error = 0;
	size_t i;

	if (yaml) {
		if (strcmp(root, ".github/workflows/") == 0 &&
		    (error = add_path(&sc->github, root, name)) < 0)
			return error;
		if (is_template_name(name) && (error = add_path(&sc->templates, root, name)) < 0)
			return error;
		if ((error = env_from_pipeline_name(&sc->environments, name)) < 0)
			return error;
		if (strcasecmp(name, "website.yml") == 0 && (error = add_dir(&sc->website_dirs, root)) < 0)
			return error;
		return add_candidate(sc, root, name, id, C_YAML);
	}
	if (ends_with_ci(name, ".csproj"))
		return add_candidate(sc, root, name, id, C_CSPROJ);
	if ((strcasecmp(name, "Solution.xml") == 0 && strcasecmp(dir, "Other") == 0) ||
	    ends_with_ci(name, ".cdsproj"))
		return add_path(&sc->solutions, root, name);
	if (ends_with_ci(name, ".msapp") || strcasecmp(name, "CanvasManifest.json") == 0)
		return add_path(&sc->canvas, root, name);
	if (ends_with_ci(name, ".pcfproj") || strcasecmp(name, "ControlManifest.Input.xml") == 0)
		return add_path(&sc->pcf, root, name);
	if (ends_with_ci(name, "_openapidefinition.json") ||
	    strcasecmp(name, "apiDefinition.swagger.json") == 0 ||
	    (ends_with_ci(name, ".xml") && strcasecmp(dir, "Connectors") == 0))
		return add_path(&sc->connectors, root, name);
	if (strcasecmp(name, "data_schema.xml") == 0)
		return add_path(&sc->schema_files, root, name);
	if (strcasecmp(name, "data.xml") == 0)
		return add_dir(&sc->data_dirs, root);
	if (starts_with_ci(name, "ConfigurationMigrationData"))
		return add_path(&sc->config_data, root, name);
	if (ends_with_ci(name, ".json") && (starts_with_ci(name, "deploymentSettings") ||
					    starts_with_ci(name, "customDeploymentSettings"))) {
		const char *rest = name + (starts_with_ci(name, "custom") ? 24 : 18);
		if (*rest == '.' || *rest == '-') {
			if ((error = add_path(&sc->deployment_settings, root, name)) < 0)
				return error;
			return env_from_settings(&sc->environments, root, name);
		}
		return 0;
	}
	if (strcmp(name, "CODEOWNERS") == 0) {
		char path[64];
		if ((size_t)snprintf(path, sizeof path, "%s%s", root, name) >= sizeof path)
			return 0;
		for (i = 0; codeowners_paths[i]; i++)
			if (strcmp(path, codeowners_paths[i]) == 0 &&
			    (!sc->codeowners || (int)i < sc->codeowners_rank)) {
				sc->codeowners = codeowners_paths[i];
				sc->codeowners_rank = (int)i;
			}
	}
	return 0;
}

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	scan *sc = payload;
	const char *name = git_tree_entry_name(entry);
	git_object_t type = git_tree_entry_type(entry);

	if (type == GIT_OBJECT_TREE)
		sc->error = on_tree(sc, root, name);
	else if (type == GIT_OBJECT_BLOB && git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK)
		sc->error = on_blob(sc, root, name, git_tree_entry_id(entry));
	return sc->error < 0 ? -1 : 0;
}

static int env_cb(void *payload, const char *name, size_t n)
{
	return strlist_add(payload, name, n);
}

static int inspect_candidate(scan *sc, git_odb *odb, const candidate *c)
{
	git_odb_object *obj = NULL;
	size_t size;
	git_object_t type;
	const char *text;
	const char *base = strrchr(c->path, '/');
	int error = 0;

	base = base ? base + 1 : c->path;
	if (sc->blobs_read >= ALM_FILES_MAX_BLOBS) {
		sc->skipped_limit++;
		return 0;
	}
	if (git_odb_read_header(&size, &type, odb, &c->id) < 0) {
		git_error_clear();
		sc->unreadable++;
		return 0;
	}
	if (size > ALM_FILES_MAX_BLOB_SIZE) {
		sc->skipped_large++;
		return 0;
	}
	if (sc->bytes_read + size > ALM_FILES_MAX_BYTES) {
		sc->skipped_limit++;
		return 0;
	}
	if (git_odb_read(&obj, odb, &c->id) < 0) {
		git_error_clear();
		sc->unreadable++;
		return 0;
	}
	sc->blobs_read++;
	sc->bytes_read += size;
	text = git_odb_object_data(obj);
	size = git_odb_object_size(obj);
	if (c->kind == C_CSPROJ) {
		if (contains_ci(text, size, "Microsoft.CrmSdk.CoreAssemblies") ||
		    contains_ci(text, size, "Microsoft.PowerPlatform.Dataverse.Client"))
			error = strlist_adds(&sc->plugins, c->path);
	} else {
		alm_yaml_info info;
		strlist envs = { 0 };
		int workflow = strncmp(c->path, ".github/workflows/", 18) == 0 &&
			       !strchr(c->path + 18, '/');
		int azure;
		size_t i;

		if ((error = alm_yaml_inspect(&info, text, size, env_cb, &envs)) < 0)
			goto yaml_done;
		/* GitHub workflows and GitLab CI share keys with Azure Pipelines. */
		azure = info.azure && !info.github_workflow_syntax &&
			strncmp(c->path, ".github/", 8) != 0 &&
			strcasecmp(base, ".gitlab-ci.yml") != 0;
		if (azure && (error = strlist_adds(&sc->azure, c->path)) < 0)
			goto yaml_done;
		for (i = 0; (azure || workflow) && i < envs.count; i++)
			if ((error = add_env(&sc->environments, envs.items[i], strlen(envs.items[i]))) < 0)
				goto yaml_done;
		if (info.accelerator_template_ref && !is_template_name(base) &&
		    (error = strlist_adds(&sc->solution_pipelines, c->path)) < 0)
			goto yaml_done;
		if (info.variable_group)
			sc->variable_group = 1;
yaml_done:
		strlist_free(&envs);
	}
	git_odb_object_free(obj);
	return error;
}

/* website.yml in a directory that also holds web-pages/ or web-templates/;
 * data_schema.xml beside a data.xml. */
static int pair_up(scan *sc)
{
	size_t i;
	int error;
	for (i = 0; i < sc->website_dirs.count; i++) {
		const char *d = sc->website_dirs.items[i];
		if (strlist_has(&sc->pages_dirs, d)) {
			char *p = malloc(strlen(d) + 13);
			if (!p)
				return ALM_ENOMEM;
			sprintf(p, "%s%swebsite.yml", d, *d ? "/" : "");
			error = strlist_adds(&sc->pages, p);
			free(p);
			if (error < 0)
				return error;
		}
	}
	for (i = 0; i < sc->schema_files.count; i++) {
		const char *f = sc->schema_files.items[i], *slash = strrchr(f, '/');
		size_t n = slash ? (size_t)(slash - f) : 0;
		size_t j;
		for (j = 0; j < sc->data_dirs.count; j++)
			if (strlen(sc->data_dirs.items[j]) == n &&
			    strncmp(sc->data_dirs.items[j], f, n) == 0) {
				if ((error = strlist_adds(&sc->config_data, f)) < 0)
					return error;
				break;
			}
	}
	return 0;
}

/* ---- facts ------------------------------------------------------------ */

static int set_paths(alm_facts *facts, const char *fact, strlist *l, const char *what)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	strlist_sort_unique(l);
	for (i = 0; arr && i < l->count && i < ALM_FILES_MAX_LISTED; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(l->items[i]))) {
			cJSON_Delete(arr);
			arr = NULL;
		}
	if (!arr)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (l->count > ALM_FILES_MAX_LISTED)
		return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO,
				     "%s at HEAD: %zu (the first %d listed)", what, l->count,
				     ALM_FILES_MAX_LISTED);
	if (l->count == 0)
		return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "no %s at HEAD", what);
	if (l->count == 1)
		return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s at HEAD: %s", what,
				     l->items[0]);
	return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s at HEAD: %zu", what, l->count);
}

static void scan_free(scan *sc)
{
	strlist *lists[] = {
		&sc->azure, &sc->github, &sc->solutions, &sc->canvas, &sc->pcf, &sc->plugins,
		&sc->connectors, &sc->pages, &sc->config_data, &sc->solution_pipelines,
		&sc->deployment_settings, &sc->templates, &sc->environments, &sc->website_dirs,
		&sc->pages_dirs, &sc->schema_files, &sc->data_dirs
	};
	size_t i;
	for (i = 0; i < sizeof lists / sizeof *lists; i++)
		strlist_free(lists[i]);
	for (i = 0; i < sc->ncand; i++)
		free(sc->cand[i].path);
	free(sc->cand);
}

static int record(alm_facts *facts, scan *sc)
{
	int error;

	if ((error = set_paths(facts, "repo.files.pipelines.azure", &sc->azure,
			       "Azure Pipelines YAML files (recognised by content)")) < 0 ||
	    (error = set_paths(facts, "repo.files.pipelines.github", &sc->github,
			       "GitHub Actions workflows (.github/workflows)")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.solutions", &sc->solutions,
			       "unpacked solutions (Other/Solution.xml, *.cdsproj)")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.canvas_apps", &sc->canvas,
			       "canvas apps (*.msapp, CanvasManifest.json)")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.pcf_components", &sc->pcf,
			       "code components (*.pcfproj, ControlManifest.Input.xml)")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.plugins", &sc->plugins,
			       "plug-in projects referencing the Dataverse SDK")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.custom_connectors", &sc->connectors,
			       "custom connector definitions")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.power_pages", &sc->pages,
			       "Power Pages sites (.portalconfig, website.yml)")) < 0 ||
	    (error = set_paths(facts, "repo.files.power_platform.configuration_data", &sc->config_data,
			       "configuration data (Configuration Migration tool)")) < 0 ||
	    (error = set_paths(facts, "repo.files.alm_accelerator.solution_pipelines",
			       &sc->solution_pipelines,
			       "pipelines using the ALM Accelerator templates (@PipelineRepo)")) < 0 ||
	    (error = set_paths(facts, "repo.files.alm_accelerator.deployment_settings",
			       &sc->deployment_settings, "deployment settings files")) < 0)
		return error;

	strlist_sort_unique(&sc->templates);
	if (sc->templates.count)
		error = alm_facts_set(facts, "repo.files.alm_accelerator.pipeline_templates",
				      cJSON_CreateTrue(), ALM_SOURCE_REPO,
				      "the ALM Accelerator's template pipelines are at HEAD (%zu, e.g. %s)",
				      sc->templates.count, sc->templates.items[0]);
	else
		error = alm_facts_set(facts, "repo.files.alm_accelerator.pipeline_templates",
				      cJSON_CreateFalse(), ALM_SOURCE_REPO,
				      "none of the ALM Accelerator's template pipelines is at HEAD");
	if (error < 0)
		return error;
	if ((error = alm_facts_set_bool(facts, "repo.files.alm_accelerator.variable_group",
					sc->variable_group, ALM_SOURCE_REPO,
					sc->variable_group
					? "a pipeline uses the accelerator's variable group (alm-accelerator-variable-group or global-variable-group)"
					: "no YAML file at HEAD names the accelerator's variable group")) < 0)
		return error;
	if (sc->codeowners)
		error = alm_facts_set(facts, "repo.files.codeowners", cJSON_CreateString(sc->codeowners),
				      ALM_SOURCE_REPO, "code owners are defined in %s", sc->codeowners);
	else
		error = alm_facts_set(facts, "repo.files.codeowners", cJSON_CreateNull(), ALM_SOURCE_REPO,
				      "no CODEOWNERS file at HEAD (looked in .github/, the root, docs/ and .azuredevops/)");
	if (error < 0)
		return error;
	{
		cJSON *arr = cJSON_CreateArray();
		size_t i;
		strlist_sort_unique(&sc->environments);
		for (i = 0; arr && i < sc->environments.count; i++)
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(sc->environments.items[i]))) {
				cJSON_Delete(arr);
				arr = NULL;
			}
		if (!arr)
			return alm_error_set(ALM_ENOMEM, "out of memory");
		if (sc->environments.count == 0)
			return alm_facts_set(facts, "repo.environments", arr, ALM_SOURCE_REPO,
					     "no deployment environment is named at HEAD (deployment settings, pipeline environment: keys, deploy-<env>-* pipelines)");
		return alm_facts_set(facts, "repo.environments", arr, ALM_SOURCE_REPO,
				     "environments named by deployment settings and pipelines at HEAD: %zu",
				     sc->environments.count);
	}
}

int alm_repo_files_scan(alm_facts *facts, git_repository *repo, const git_oid *commit,
			char *note, size_t note_size)
{
	scan sc;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_odb *odb = NULL;
	size_t i;
	int error = 0;

	memset(&sc, 0, sizeof sc);
	if (note_size)
		note[0] = '\0';
	if (commit) {
		if (git_commit_lookup(&c, repo, commit) < 0 || git_commit_tree(&tree, c) < 0 ||
		    git_repository_odb(&odb, repo) < 0) {
			const git_error *e = git_error_last();
			snprintf(note, note_size, "the tree at HEAD could not be read (%s)",
				 e && e->message ? e->message : "unknown error");
			git_error_clear();
			goto facts;
		}
		if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &sc) < 0) {
			if (sc.error < 0) {
				error = alm_error_set(sc.error, "out of memory while reading the tree at HEAD");
				goto done;
			}
			{
				const git_error *e = git_error_last();
				snprintf(note, note_size, "part of the tree at HEAD could not be read (%s)",
					 e && e->message ? e->message : "unknown error");
			}
			git_error_clear();
		}
		for (i = 0; i < sc.ncand; i++)
			if ((error = inspect_candidate(&sc, odb, &sc.cand[i])) < 0) {
				error = alm_error_set(error, "out of memory while reading files at HEAD");
				goto done;
			}
		if ((error = pair_up(&sc)) < 0) {
			error = alm_error_set(error, "out of memory");
			goto done;
		}
		if (!note[0] && (sc.unreadable || sc.skipped_limit))
			snprintf(note, note_size,
				 "%zu file(s) at HEAD could not be read and %zu were not read "
				 "(limits: %d files, %d MiB)",
				 sc.unreadable, sc.skipped_limit, ALM_FILES_MAX_BLOBS,
				 ALM_FILES_MAX_BYTES / (1024 * 1024));
	}
facts:
	error = record(facts, &sc);
done:
	scan_free(&sc);
	git_odb_free(odb);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}
