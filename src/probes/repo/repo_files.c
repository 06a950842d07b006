#include "repo_files.h"

#include "alm/error.h"
#include "vec.h"
#include "pipeline_yaml.h"
#include "pp_xml.h"
#include "repo_history.h"
#include "stage_names.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * One bounded walk of the tree (tree_walk.c) sorts each entry by its name and
 * place into lists of paths, and into a bounded list of blobs whose content
 * decides (pipelines, projects, manifests); those are read after the walk.
 * Then the parts of one component (a solution's project and manifest, a
 * canvas app's package and sources, a connector's definition and properties)
 * are joined by a key: every list is sorted once and merged, so the cost
 * stays n log n whatever the tree. Names are compared case-insensitively:
 * these repositories are mostly made on Windows, where Solution.xml and
 * solution.xml are the same file.
 */

typedef struct {
	char **items;
	size_t count, cap;
} strlist;

/* Blobs read after the walk. */
enum {
	C_YAML, C_CSPROJ, C_CDSPROJ, C_SOLUTION, C_CUSTOMIZATIONS, C_CONTROL_SOURCE,
	C_CONTROL_PACKAGED
};

typedef struct {
	char *path;
	git_oid id;
	int kind;
	int rank;     /* read in rank order: 0 first */
	size_t order; /* the walk's order, within a rank */
} candidate;

/* One part of a component, joined to the others with the same key. */
typedef struct {
	char *key;
	char *path;
	char *name;
	int bits;
	alm_pp_solution *solution; /* Solution.xml's manifest, owned */
} part;

typedef struct {
	part *items;
	size_t count, cap;
} partlist;

/* One listed component: the contract's entry objects. */
typedef struct {
	char *path;
	char *name;
	char *unique_name, *version, *publisher; /* solutions */
	int managed;                             /* solutions: -1 unknown */
	const char *form;                        /* canvas apps */
	int flag;                                /* packaged / has_code */
	const char *stage, *tool;                /* deploying pipelines */
} entry;

typedef struct {
	entry *items;
	size_t count, cap;
} entrylist;

enum { CANVAS_MSAPP = 1, CANVAS_SOURCES = 2 };
enum { CONN_DEFINITION = 1, CONN_PROPERTIES = 2, CONN_CODE = 4, CONN_FOLDER = 8 };
enum { SOL_PROJECT = 1, SOL_MANIFEST = 2 };

typedef struct {
	/* repo.files.* and repo.environments */
	strlist azure, github, pages, config_data, solution_pipelines, deployment_settings;
	strlist templates, environments, website_dirs, pages_dirs, schema_files, data_dirs;
	const char *codeowners;
	int codeowners_rank;
	int variable_group;
	/* parts joined after the walk */
	partlist solution_parts, canvas_parts, connector_parts;
	strlist pcfprojs, control_dirs;
	/* components */
	entrylist solutions, code_components, canvas_apps, connectors, plugins, tests, clients;
	entrylist deployers, flows, env_vars, conn_refs, pages_sites, agents, config_entries;
	entrylist deploy_pipelines;
	int deploy_stages[ALM_STAGE__COUNT], deploy_tools[ALM_DEPLOY_TOOL__COUNT];
	int settings_stages[ALM_STAGE__COUNT];
	/* blobs */
	candidate *cand;
	size_t ncand, cand_cap;
	size_t blobs_read, bytes_read, skipped_large, skipped_limit, unreadable, malformed;
	size_t yaml_cut; /* pipeline files read only in part (alias expansion or nesting bounds) */
	alm_tree_walk_stats walk;
	size_t max_depth;
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

/* ---- small strings ---------------------------------------------------- */

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* a + b, or NULL */
static char *join(const char *a, const char *b)
{
	size_t x = strlen(a), y = strlen(b);
	char *p = malloc(x + y + 1);
	if (p) {
		memcpy(p, a, x);
		memcpy(p + x, b, y + 1);
	}
	return p;
}

static int strlist_add(strlist *l, const char *s, size_t n)
{
	char *copy;
	if (alm_vec_reserve_((void **)&l->items, &l->cap, l->count + 1, sizeof *l->items) < 0)
		return ALM_ENOMEM;
	if (!(copy = dupn(s, n)))
		return ALM_ENOMEM;
	l->items[l->count++] = copy;
	return 0;
}

static int strlist_adds(strlist *l, const char *s)
{
	return strlist_add(l, s, strlen(s));
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

/* In a list sorted by strlist_sort_unique. */
static int strlist_has(const strlist *l, const char *s)
{
	return l->count && bsearch(&s, l->items, l->count, sizeof *l->items, cmp_str) != NULL;
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

/* The name of the directory `up` levels above the entry in `dir` ("a/b/c/":
 * 0 -> "c", 1 -> "b"), into buf; "" when there is none. */
static const char *dir_name(const char *dir, size_t dirlen, int up, char *buf, size_t size)
{
	size_t end = dirlen, start;
	for (;;) {
		if (end == 0)
			return "";
		end--; /* the slash */
		start = end;
		while (start > 0 && dir[start - 1] != '/')
			start--;
		if (up-- == 0)
			break;
		end = start;
	}
	if (end - start >= size)
		return "";
	memcpy(buf, dir + start, end - start);
	buf[end - start] = '\0';
	return buf;
}

/* The length of `dir` without its last `up` + 1 directories ("a/b/c/", 0 -> 4). */
static size_t dir_parent_len(const char *dir, size_t dirlen, int up)
{
	size_t end = dirlen;
	while (up-- >= 0 && end > 0) {
		end--;
		while (end > 0 && dir[end - 1] != '/')
			end--;
	}
	return end;
}

/* A directory's path as listed: no trailing slash, "." for the root. */
static char *dir_path(const char *dir, size_t dirlen)
{
	if (dirlen == 0)
		return dupn(".", 1);
	return dupn(dir, dir[dirlen - 1] == '/' ? dirlen - 1 : dirlen);
}

/* Build outputs and dependencies hold copies of manifests and projects
 * (a code component's build writes out/controls/<name>/ControlManifest.xml). */
static int in_build_output(const char *dir)
{
	static const char *const skip[] = { "node_modules/", "bin/", "obj/", "out/", NULL };
	size_t i;
	const char *p;
	for (i = 0; skip[i]; i++)
		for (p = dir; p; p = strchr(p, '/'), p = p ? p + 1 : NULL)
			if (starts_with_ci(p, skip[i]))
				return 1;
	return 0;
}

/* ---- lists of parts and entries --------------------------------------- */

static int part_add(partlist *l, char *key, char *path, char *name, int bits)
{
	part *p;
	if (!key || !path || !name ||
	    alm_vec_reserve_((void **)&l->items, &l->cap, l->count + 1, sizeof *l->items) < 0)
		goto nomem;
	p = &l->items[l->count++];
	p->key = key;
	p->path = path;
	p->name = name;
	p->bits = bits;
	p->solution = NULL;
	return 0;
nomem:
	free(key);
	free(path);
	free(name);
	return ALM_ENOMEM;
}

static int cmp_part(const void *a, const void *b)
{
	const part *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);
	return c ? c : strcmp(x->path, y->path);
}

static void partlist_free(partlist *l)
{
	size_t i;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].key);
		free(l->items[i].path);
		free(l->items[i].name);
		free(l->items[i].solution);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* A new entry owning `path` and `name` (either may be NULL only on failure). */
static int entry_add(entrylist *l, char *path, char *name, entry **out)
{
	entry *e;
	if (!path || !name ||
	    alm_vec_reserve_((void **)&l->items, &l->cap, l->count + 1, sizeof *l->items) < 0)
		goto nomem;
	e = &l->items[l->count++];
	memset(e, 0, sizeof *e);
	e->path = path;
	e->name = name;
	e->managed = -1;
	if (out)
		*out = e;
	return 0;
nomem:
	free(path);
	free(name);
	return ALM_ENOMEM;
}

static int entry_adds(entrylist *l, const char *path, const char *name)
{
	return entry_add(l, dupn(path, strlen(path)), dupn(name, strlen(name)), NULL);
}

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->stage ? x->stage : "", y->stage ? y->stage : "");
	if (!c)
		c = strcmp(x->tool ? x->tool : "", y->tool ? y->tool : "");
	return c;
}

static void entry_free(entry *e)
{
	free(e->path);
	free(e->name);
	free(e->unique_name);
	free(e->version);
	free(e->publisher);
}

/* Sorted by path, each (path, name, stage, tool) once. */
static void entrylist_sort_unique(entrylist *l)
{
	size_t i, j = 0;
	if (!l->count)
		return;
	qsort(l->items, l->count, sizeof *l->items, cmp_entry);
	for (i = 1; i < l->count; i++) {
		if (cmp_entry(&l->items[i], &l->items[j]) == 0)
			entry_free(&l->items[i]);
		else
			l->items[++j] = l->items[i];
	}
	l->count = j + 1;
}

static void entrylist_free(entrylist *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		entry_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* ---- environments named by files -------------------------------------- */

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
static int env_from_settings(scan *sc, const char *dir, size_t dirlen, const char *name)
{
	const char *dash = strchr(name, '-');
	char env[256], parent[64];
	const char *e = NULL;
	size_t n = 0;

	if (dash) {
		const char *dot = strrchr(name, '.');
		if (dot && dot > dash + 1) {
			e = dash + 1;
			n = (size_t)(dot - dash - 1);
		}
	} else if (strcasecmp(dir_name(dir, dirlen, 1, parent, sizeof parent), "config") == 0) {
		e = dir_name(dir, dirlen, 0, env, sizeof env);
		n = strlen(e);
	}
	if (!n)
		return 0;
	{
		alm_stage st = alm_stage_from_text(e, n);
		if (st != ALM_STAGE__COUNT)
			sc->settings_stages[st] = 1;
	}
	return add_env(&sc->environments, e, n);
}

/* ---- the walk: sort each entry --------------------------------------- */

static int add_path(strlist *l, const char *dir, const char *name)
{
	char *p = join(dir, name);
	int error;
	if (!p)
		return ALM_ENOMEM;
	error = strlist_adds(l, p);
	free(p);
	return error;
}

static int add_candidate(scan *sc, const char *dir, const char *name, const git_oid *id, int kind)
{
	candidate *c;
	if (alm_vec_reserve_((void **)&sc->cand, &sc->cand_cap, sc->ncand + 1, sizeof *sc->cand) < 0)
		return ALM_ENOMEM;
	c = &sc->cand[sc->ncand];
	if (!(c->path = join(dir, name)))
		return ALM_ENOMEM;
	git_oid_cpy(&c->id, id);
	c->kind = kind;
	c->order = sc->ncand;
	/* Within the bound on files read, what decides comes first: projects and
	 * manifests, then pipelines where pipelines live, then other YAML (a
	 * Power Pages site holds hundreds of .yml files). */
	c->rank = kind != C_YAML ? 0
		  : (starts_with_ci(c->path, ".github/") || starts_with_ci(c->path, ".azuredevops/") ||
		     starts_with_ci(c->path, "Pipelines/") || !strchr(c->path, '/') ||
		     strstr(c->path, "ipeline")) ? 1 : 2;
	sc->ncand++;
	return 0;
}

static int cmp_candidate(const void *a, const void *b)
{
	const candidate *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int on_tree(scan *sc, const char *dir, size_t dirlen, const char *name)
{
	char buf[256];
	const char *parent = dir_name(dir, dirlen, 0, buf, sizeof buf);
	int error = 0;

	if (strcmp(name, ".portalconfig") == 0) {
		char *path = join(dir, name);
		char label[256];
		const char *site = dir_name(dir, dirlen, 0, label, sizeof label);
		if (!path)
			return ALM_ENOMEM;
		error = strlist_adds(&sc->pages, path);
		if (!error)
			error = entry_add(&sc->pages_sites, path, dupn(site, strlen(site)), NULL);
		else
			free(path);
	} else if (strcasecmp(name, "web-pages") == 0 || strcasecmp(name, "web-templates") == 0) {
		error = strlist_add(&sc->pages_dirs, dir, dirlen);
	} else if (starts_with_ci(name, "ConfigurationMigrationData")) {
		error = add_path(&sc->config_data, dir, name);
	} else if (strcasecmp(parent, "powerpagesites") == 0) {
		error = entry_add(&sc->pages_sites, join(dir, name), dupn(name, strlen(name)), NULL);
	}
	return error;
}

/* name without `suffix` (already known to end with it) */
static char *strip(const char *name, const char *suffix)
{
	return dupn(name, strlen(name) - strlen(suffix));
}

static int connector_part(scan *sc, const char *dir, size_t dirlen, const char *name)
{
	static const struct {
		const char *suffix;
		int bits;
	} solution_files[] = {
		{ "_openapidefinition.json", CONN_DEFINITION },
		{ "_connectionparameters.json", CONN_PROPERTIES },
		{ "_policytemplateinstances.json", CONN_PROPERTIES },
		{ "_script.csx", CONN_CODE },
		{ ".xml", CONN_PROPERTIES },
	};
	char buf[64];
	int in_connectors = strcasecmp(dir_name(dir, dirlen, 0, buf, sizeof buf), "Connectors") == 0;
	size_t i;

	/* The paconn layout: one folder per connector. */
	if (strcasecmp(name, "apiDefinition.swagger.json") == 0 ||
	    strcasecmp(name, "apiProperties.json") == 0 || strcasecmp(name, "script.csx") == 0) {
		char label[256];
		int bits = strcasecmp(name, "script.csx") == 0 ? CONN_CODE
			   : strcasecmp(name, "apiProperties.json") == 0 ? CONN_PROPERTIES : CONN_DEFINITION;
		const char *folder = dir_name(dir, dirlen, 0, label, sizeof label);
		return part_add(&sc->connector_parts, dupn(dir, dirlen), join(dir, name),
				dupn(folder, strlen(folder)), bits | CONN_FOLDER);
	}
	/* The solution layout: Connectors/<name>_<part>; a definition anywhere. */
	for (i = 0; i < sizeof solution_files / sizeof *solution_files; i++) {
		const char *suffix = solution_files[i].suffix;
		if (!ends_with_ci(name, suffix) || strlen(name) == strlen(suffix))
			continue;
		if (!in_connectors && solution_files[i].bits != CONN_DEFINITION)
			return 0;
		{
			char *base = strip(name, suffix), *key = base ? join(dir, base) : NULL;
			return part_add(&sc->connector_parts, key, join(dir, name), base,
					solution_files[i].bits);
		}
	}
	return 0;
}

/* <logical>_DocumentUri.msapp, or <name>.msapp: keyed by folder and name. */
static int canvas_package(scan *sc, const char *dir, const char *name)
{
	char *base = strip(name, ".msapp");
	char *key;
	if (base && ends_with_ci(base, "_DocumentUri"))
		base[strlen(base) - 12] = '\0';
	key = base ? join(dir, base) : NULL;
	return part_add(&sc->canvas_parts, key, join(dir, name), base, CANVAS_MSAPP);
}

/* <folder>/src/<name>/CanvasManifest.json (the accelerator's layout) or
 * <folder>/<name>/CanvasManifest.json: keyed as the package beside it. */
static int canvas_sources(scan *sc, const char *dir, size_t dirlen)
{
	char app[256], parent[64];
	const char *name = dir_name(dir, dirlen, 0, app, sizeof app);
	size_t up = strcasecmp(dir_name(dir, dirlen, 1, parent, sizeof parent), "src") == 0 ? 1 : 0;
	size_t keep = dir_parent_len(dir, dirlen, (int)up);
	char *folder = dupn(dir, keep), *key = folder ? join(folder, name) : NULL;
	free(folder);
	return part_add(&sc->canvas_parts, key, dir_path(dir, dirlen), dupn(name, strlen(name)),
			CANVAS_SOURCES);
}

/* <flow name>-<GUID>.json: the name without the id. */
static char *flow_name(const char *name)
{
	size_t n = strlen(name) - 5; /* ".json" */
	if (n > 37 && name[n - 37] == '-' && name[n - 28] == '-' && name[n - 1] != '-')
		n -= 37;
	return dupn(name, n);
}

static int on_blob(scan *sc, const char *dir, size_t dirlen, const char *name, const git_oid *id)
{
	char b0[64], b1[64];
	const char *parent = dir_name(dir, dirlen, 0, b0, sizeof b0);
	int yaml = ends_with_ci(name, ".yml") || ends_with_ci(name, ".yaml");
	int error = 0;
	size_t i;

	if (yaml) {
		/* Power Fx sources of canvas apps and Power Pages metadata are YAML
		 * too, and hundreds of them must not crowd pipelines out of the
		 * bounded reading: they are only named, never read. */
		if (ends_with_ci(name, ".fx.yaml") || ends_with_ci(name, ".pa.yaml"))
			return 0;
		if (strcmp(dir, ".github/workflows/") == 0 && (error = add_path(&sc->github, dir, name)) < 0)
			return error;
		if (is_template_name(name) && (error = add_path(&sc->templates, dir, name)) < 0)
			return error;
		if ((error = env_from_pipeline_name(&sc->environments, name)) < 0)
			return error;
		if (strcasecmp(name, "website.yml") == 0 &&
		    (error = strlist_add(&sc->website_dirs, dir, dirlen)) < 0)
			return error;
		return add_candidate(sc, dir, name, id, C_YAML);
	}
	if (strcmp(name, "CODEOWNERS") == 0) {
		char path[64];
		if ((size_t)snprintf(path, sizeof path, "%s%s", dir, name) >= sizeof path)
			return 0;
		for (i = 0; codeowners_paths[i]; i++)
			if (strcmp(path, codeowners_paths[i]) == 0 &&
			    (!sc->codeowners || (int)i < sc->codeowners_rank)) {
				sc->codeowners = codeowners_paths[i];
				sc->codeowners_rank = (int)i;
			}
		return 0;
	}
	if (ends_with_ci(name, ".json") && (starts_with_ci(name, "deploymentSettings") ||
					    starts_with_ci(name, "customDeploymentSettings"))) {
		const char *rest = name + (starts_with_ci(name, "custom") ? 24 : 18);
		if (*rest == '.' || *rest == '-') {
			if ((error = add_path(&sc->deployment_settings, dir, name)) < 0)
				return error;
			return env_from_settings(sc, dir, dirlen, name);
		}
		return 0;
	}
	if (in_build_output(dir))
		return 0;
	if (ends_with_ci(name, ".csproj"))
		return add_candidate(sc, dir, name, id, C_CSPROJ);
	if (ends_with_ci(name, ".cdsproj"))
		return add_candidate(sc, dir, name, id, C_CDSPROJ);
	if (strcasecmp(parent, "Other") == 0 && strcasecmp(name, "Solution.xml") == 0)
		return add_candidate(sc, dir, name, id, C_SOLUTION);
	if (strcasecmp(parent, "Other") == 0 && strcasecmp(name, "Customizations.xml") == 0)
		return add_candidate(sc, dir, name, id, C_CUSTOMIZATIONS);
	if (strcasecmp(name, "ControlManifest.Input.xml") == 0) {
		if ((error = strlist_add(&sc->control_dirs, dir, dirlen)) < 0)
			return error;
		return add_candidate(sc, dir, name, id, C_CONTROL_SOURCE);
	}
	if (strcasecmp(name, "ControlManifest.xml") == 0 &&
	    strcasecmp(dir_name(dir, dirlen, 1, b1, sizeof b1), "Controls") == 0)
		return add_candidate(sc, dir, name, id, C_CONTROL_PACKAGED);
	if (ends_with_ci(name, ".pcfproj"))
		return add_path(&sc->pcfprojs, dir, name);
	if (ends_with_ci(name, ".msapp"))
		return canvas_package(sc, dir, name);
	if (strcasecmp(name, "CanvasManifest.json") == 0)
		return canvas_sources(sc, dir, dirlen);
	if (strcasecmp(parent, "Workflows") == 0 && ends_with_ci(name, ".json"))
		return entry_add(&sc->flows, join(dir, name), flow_name(name), NULL);
	if (strcasecmp(name, "environmentvariabledefinition.xml") == 0 &&
	    strcasecmp(dir_name(dir, dirlen, 1, b1, sizeof b1), "environmentvariabledefinitions") == 0)
		return entry_add(&sc->env_vars, dir_path(dir, dirlen), dupn(parent, strlen(parent)), NULL);
	if (strcasecmp(name, "bot.xml") == 0 &&
	    strcasecmp(dir_name(dir, dirlen, 1, b1, sizeof b1), "bots") == 0)
		return entry_add(&sc->agents, dir_path(dir, dirlen), dupn(parent, strlen(parent)), NULL);
	if (strcasecmp(name, "data_schema.xml") == 0)
		return add_path(&sc->schema_files, dir, name);
	if (strcasecmp(name, "data.xml") == 0)
		return strlist_add(&sc->data_dirs, dir, dirlen);
	if (starts_with_ci(name, "ConfigurationMigrationData"))
		return add_path(&sc->config_data, dir, name);
	return connector_part(sc, dir, dirlen, name);
}

static int walk_cb(void *payload, const char *dir, size_t dirlen, const git_tree_entry *te)
{
	scan *sc = payload;
	const char *name = git_tree_entry_name(te);
	git_object_t type = git_tree_entry_type(te);

	if (type == GIT_OBJECT_TREE)
		return on_tree(sc, dir, dirlen, name);
	if (type == GIT_OBJECT_BLOB && git_tree_entry_filemode(te) != GIT_FILEMODE_LINK)
		return on_blob(sc, dir, dirlen, name, git_tree_entry_id(te));
	return 0;
}

/* ---- reading blobs ---------------------------------------------------- */

typedef struct {
	scan *sc;
	const char *path;
	strlist envs;
	int pipeline; /* deployments count only in pipelines */
	entrylist deploys;
} yaml_ctx;

static int on_environment(void *payload, const char *name, size_t n)
{
	yaml_ctx *y = payload;
	return strlist_add(&y->envs, name, n);
}

static int on_deploy(void *payload, const alm_yaml_deploy *d)
{
	yaml_ctx *y = payload;
	entry *e;
	int error = entry_add(&y->deploys, dupn(y->path, strlen(y->path)), dupn("", 0), &e);
	if (error < 0)
		return error;
	e->stage = alm_stage_name(d->stage);
	e->tool = alm_deploy_tool_name(d->tool);
	return 0;
}

static int read_yaml(scan *sc, const candidate *c, const char *text, size_t size)
{
	const char *base = strrchr(c->path, '/');
	int workflow = strncmp(c->path, ".github/workflows/", 18) == 0 && !strchr(c->path + 18, '/');
	alm_yaml_callbacks cb;
	alm_yaml_info info;
	yaml_ctx y;
	size_t i;
	int error, azure;

	base = base ? base + 1 : c->path;
	memset(&y, 0, sizeof y);
	y.sc = sc;
	y.path = c->path;
	cb.environment = on_environment;
	cb.deploy = on_deploy;
	cb.payload = &y;
	cb.file_name = base;
	if ((error = alm_yaml_inspect(&info, text, size, &cb)) < 0)
		goto done;
	if (info.malformed)
		sc->malformed++;
	if (info.truncated)
		sc->yaml_cut++;
	/* GitHub workflows and GitLab CI share keys with Azure Pipelines. */
	azure = info.azure && !info.github_workflow_syntax && strncmp(c->path, ".github/", 8) != 0 &&
		strcasecmp(base, ".gitlab-ci.yml") != 0;
	if (azure && (error = strlist_adds(&sc->azure, c->path)) < 0)
		goto done;
	for (i = 0; (azure || workflow) && i < y.envs.count; i++)
		if ((error = add_env(&sc->environments, y.envs.items[i], strlen(y.envs.items[i]))) < 0)
			goto done;
	if (info.accelerator_template_ref && !is_template_name(base) &&
	    (error = strlist_adds(&sc->solution_pipelines, c->path)) < 0)
		goto done;
	if (info.variable_group)
		sc->variable_group = 1;
	for (i = 0; (azure || workflow) && i < y.deploys.count; i++) {
		entry *from = &y.deploys.items[i], *e;
		char *path = from->path, *name = from->name;
		size_t t;
		from->path = from->name = NULL; /* moved: entry_add owns them now */
		if ((error = entry_add(&sc->deploy_pipelines, path, name, &e)) < 0)
			goto done;
		e->stage = from->stage;
		e->tool = from->tool;
		for (t = 0; t < ALM_STAGE__COUNT; t++)
			if (e->stage && strcmp(e->stage, alm_stage_name((alm_stage)t)) == 0)
				sc->deploy_stages[t] = 1;
		for (t = 0; t < ALM_DEPLOY_TOOL__COUNT; t++)
			if (strcmp(e->tool, alm_deploy_tool_name((alm_deploy_tool)t)) == 0)
				sc->deploy_tools[t] = 1;
	}
done:
	strlist_free(&y.envs);
	entrylist_free(&y.deploys);
	return error;
}

static char *base_without(const char *path, const char *ext)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return ends_with_ci(base, ext) ? strip(base, ext) : dupn(base, strlen(base));
}

/* The directory part of a path, with its slash ("a/b/c.x" -> "a/b/"). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path + 1) : 0;
}

/*
 * Resolves `rel` (a .cdsproj's SolutionRootPath, with \ or /) against the
 * directory `dir` (with its slash) into the key of the unpacked root it
 * names: "a/b/" + "src" -> "a/b/src/"; "..\x" walks up. NULL on overflow.
 */
static char *resolve_root(const char *dir, size_t dirlen, const char *rel)
{
	size_t cap = dirlen + strlen(rel) + 2, n = dirlen;
	char *out = malloc(cap);
	const char *p = rel;
	if (!out)
		return NULL;
	memcpy(out, dir, dirlen);
	while (*p) {
		size_t k = strcspn(p, "/\\");
		if (k == 2 && p[0] == '.' && p[1] == '.') {
			n = n ? dir_parent_len(out, n, 0) : 0;
		} else if (k && !(k == 1 && p[0] == '.')) {
			memcpy(out + n, p, k);
			n += k;
			out[n++] = '/';
		}
		p += k;
		if (*p)
			p++;
	}
	out[n] = '\0';
	return out;
}

static int on_reference(void *payload, const char *name)
{
	void **ctx = payload;
	return entry_adds(ctx[0], ctx[1], name);
}

static int read_blob(scan *sc, const candidate *c, const char *text, size_t size)
{
	size_t dlen = dir_len(c->path);
	int error = 0;

	switch (c->kind) {
	case C_YAML:
		return read_yaml(sc, c, text, size);
	case C_CSPROJ: {
		alm_pp_project_kind kind;
		entrylist *to[] = { NULL, &sc->plugins, &sc->tests, &sc->clients, &sc->deployers };
		if (alm_pp_read_project(&kind, text, size) < 0)
			sc->malformed++;
		if (kind != ALM_PP_PROJECT_OTHER)
			error = entry_add(to[kind], dupn(c->path, strlen(c->path)),
					  base_without(c->path, ".csproj"), NULL);
		return error;
	}
	case C_CDSPROJ: {
		char root[256];
		if (alm_pp_read_cdsproj(root, sizeof root, text, size) < 0)
			sc->malformed++;
		/* The default of the solution project's build targets. */
		if (!root[0])
			snprintf(root, sizeof root, "src");
		return part_add(&sc->solution_parts, resolve_root(c->path, dlen, root),
				dir_path(c->path, dlen), base_without(c->path, ".cdsproj"), SOL_PROJECT);
	}
	case C_SOLUTION: {
		/* the unpacked root holds Other/Solution.xml */
		size_t root = dir_parent_len(c->path, dlen, 0);
		alm_pp_solution *s = malloc(sizeof *s);
		if (!s)
			return ALM_ENOMEM;
		if (alm_pp_read_solution(s, text, size) < 0)
			sc->malformed++;
		if ((error = part_add(&sc->solution_parts, dupn(c->path, root), dir_path(c->path, root),
				      dupn(s->unique_name, strlen(s->unique_name)), SOL_MANIFEST)) < 0) {
			free(s);
			return error;
		}
		sc->solution_parts.items[sc->solution_parts.count - 1].solution = s;
		return 0;
	}
	case C_CUSTOMIZATIONS: {
		void *ctx[2];
		ctx[0] = &sc->conn_refs;
		ctx[1] = c->path;
		error = alm_pp_read_connection_references(text, size, on_reference, ctx);
		if (error == -1) {
			sc->malformed++;
			error = 0;
		}
		return error;
	}
	case C_CONTROL_SOURCE:
	case C_CONTROL_PACKAGED: {
		char name[ALM_PP_XML_TEXT], label[256];
		entry *e;
		if (alm_pp_read_control(name, sizeof name, text, size) < 0)
			sc->malformed++;
		if (!name[0])
			snprintf(name, sizeof name, "%s", dir_name(c->path, dlen, 0, label, sizeof label));
		if ((error = entry_add(&sc->code_components, dir_path(c->path, dlen),
				       dupn(name, strlen(name)), &e)) < 0)
			return error;
		e->flag = c->kind == C_CONTROL_PACKAGED;
		return 0;
	}
	}
	return 0;
}

static int inspect_candidate(scan *sc, git_odb *odb, const candidate *c)
{
	git_odb_object *obj = NULL;
	size_t size, max = c->kind == C_CUSTOMIZATIONS ? ALM_FILES_MAX_CUSTOMIZATIONS_SIZE
						       : ALM_FILES_MAX_BLOB_SIZE;
	git_object_t type;
	int error;

	if (sc->blobs_read >= ALM_FILES_MAX_BLOBS) {
		sc->skipped_limit++;
		return 0;
	}
	if (git_odb_read_header(&size, &type, odb, &c->id) < 0) {
		git_error_clear();
		sc->unreadable++;
		return 0;
	}
	if (size > max) {
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
	error = read_blob(sc, c, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return error;
}

/* ---- joining parts ---------------------------------------------------- */

/* Runs `join` on each group of parts with the same key (case-insensitive). */
static int each_group(partlist *l, scan *sc, int (*fn)(scan *, part *, size_t))
{
	size_t i = 0, j;
	int error;
	if (l->count)
		qsort(l->items, l->count, sizeof *l->items, cmp_part);
	while (i < l->count) {
		for (j = i + 1; j < l->count && strcasecmp(l->items[j].key, l->items[i].key) == 0; j++)
			;
		if ((error = fn(sc, l->items + i, j - i)) < 0)
			return error;
		i = j;
	}
	return 0;
}

static char *opt_dup(const char *s)
{
	return s && *s ? dupn(s, strlen(s)) : NULL;
}

/* A solution: its project (the folder), its manifest (what it is), or both. */
static int join_solution(scan *sc, part *g, size_t n)
{
	const part *project = NULL, *manifest = NULL;
	entry *e;
	size_t i;
	int error;

	for (i = 0; i < n; i++) {
		if ((g[i].bits & SOL_PROJECT) && !project)
			project = &g[i];
		if ((g[i].bits & SOL_MANIFEST) && !manifest)
			manifest = &g[i];
	}
	{
		const part *folder = project ? project : manifest;
		const char *name = manifest && manifest->name[0] ? manifest->name : folder->name;
		if ((error = entry_add(&sc->solutions, dupn(folder->path, strlen(folder->path)),
				       dupn(name, strlen(name)), &e)) < 0)
			return error;
	}
	if (manifest && manifest->solution) {
		const alm_pp_solution *s = manifest->solution;
		e->unique_name = opt_dup(s->unique_name);
		e->version = opt_dup(s->version);
		e->publisher = opt_dup(s->publisher);
		e->managed = s->managed;
	} else if (project) {
		e->unique_name = opt_dup(project->name);
	}
	return 0;
}

static int join_canvas(scan *sc, part *g, size_t n)
{
	const part *package = NULL, *sources = NULL;
	entry *e;
	size_t i;
	int error;
	for (i = 0; i < n; i++) {
		if (g[i].bits == CANVAS_MSAPP && !package)
			package = &g[i];
		if (g[i].bits == CANVAS_SOURCES && !sources)
			sources = &g[i];
	}
	{
		const part *at = package ? package : sources;
		if ((error = entry_add(&sc->canvas_apps, dupn(at->path, strlen(at->path)),
				       dupn(at->name, strlen(at->name)), &e)) < 0)
			return error;
	}
	e->form = package && sources ? "both" : package ? "msapp" : "sources";
	return 0;
}

static int join_connector(scan *sc, part *g, size_t n)
{
	const part *at = NULL;
	int bits = 0;
	entry *e;
	size_t i;
	int error;
	for (i = 0; i < n; i++) {
		bits |= g[i].bits;
		if (!at || (g[i].bits & CONN_DEFINITION))
			at = &g[i];
	}
	/* code alone (a script.csx) is no connector */
	if (!(bits & (CONN_DEFINITION | CONN_PROPERTIES)))
		return 0;
	if ((error = entry_add(&sc->connectors, dupn(at->path, strlen(at->path)),
			       dupn(at->name, strlen(at->name)), &e)) < 0)
		return error;
	e->flag = (bits & CONN_CODE) != 0;
	return 0;
}

/*
 * Code components are one per manifest. A .pcfproj holds its control's
 * manifest in its own folder or one below (pac pcf init's layout); a project
 * with neither is one component by itself.
 */
static int lone_pcf_projects(scan *sc)
{
	strlist near = { 0 };
	size_t i;
	int error = 0;

	for (i = 0; i < sc->control_dirs.count && !error; i++) {
		const char *d = sc->control_dirs.items[i];
		size_t n = strlen(d);
		if (!(error = strlist_add(&near, d, n)))
			error = strlist_add(&near, d, dir_parent_len(d, n, 0));
	}
	strlist_sort_unique(&near);
	for (i = 0; i < sc->pcfprojs.count && !error; i++) {
		const char *p = sc->pcfprojs.items[i];
		size_t dl = dir_len(p);
		char *d = dupn(p, dl);
		entry *e;
		if (!d)
			return ALM_ENOMEM;
		if (!strlist_has(&near, d) &&
		    (error = entry_add(&sc->code_components, dir_path(p, dl), base_without(p, ".pcfproj"),
				       &e)) == 0)
			e->flag = 0;
		free(d);
	}
	strlist_free(&near);
	return error;
}

/* website.yml in a directory that also holds web-pages/ or web-templates/;
 * data_schema.xml beside a data.xml. Both lists sorted: n log n. */
static int pair_up(scan *sc)
{
	size_t i;
	int error;

	strlist_sort_unique(&sc->pages_dirs);
	strlist_sort_unique(&sc->data_dirs);
	for (i = 0; i < sc->website_dirs.count; i++) {
		const char *d = sc->website_dirs.items[i];
		if (strlist_has(&sc->pages_dirs, d)) {
			char *path = join(d, "website.yml"), label[256];
			const char *site = dir_name(d, strlen(d), 0, label, sizeof label);
			if (!path)
				return ALM_ENOMEM;
			if ((error = strlist_adds(&sc->pages, path)) < 0) {
				free(path);
				return error;
			}
			if ((error = entry_add(&sc->pages_sites, path, dupn(site, strlen(site)), NULL)) < 0)
				return error;
		}
	}
	/* An exported ConfigurationMigrationData folder is one entry, not two. */
	strlist_sort_unique(&sc->config_data);
	{
		size_t named = sc->config_data.count;
		for (i = 0; i < sc->schema_files.count; i++) {
			const char *f = sc->schema_files.items[i];
			size_t dl = dir_len(f);
			char *d = dupn(f, dl);
			int beside, inside;
			if (!d)
				return ALM_ENOMEM;
			beside = strlist_has(&sc->data_dirs, d);
			if (dl)
				d[dl - 1] = '\0';
			inside = named && bsearch(&d, sc->config_data.items, named,
						  sizeof *sc->config_data.items, cmp_str) != NULL;
			free(d);
			if (beside && !inside && (error = strlist_adds(&sc->config_data, f)) < 0)
				return error;
		}
	}
	strlist_sort_unique(&sc->config_data);
	for (i = 0; i < sc->config_data.count; i++) {
		const char *p = sc->config_data.items[i];
		const char *base = strrchr(p, '/');
		char label[256];
		const char *name = ends_with_ci(p, "data_schema.xml")
				   ? dir_name(p, dir_len(p), 0, label, sizeof label)
				   : base ? base + 1 : p;
		if ((error = entry_adds(&sc->config_entries, p, *name ? name : p)) < 0)
			return error;
	}
	return 0;
}

static int join_all(scan *sc)
{
	int error;
	if ((error = each_group(&sc->solution_parts, sc, join_solution)) < 0 ||
	    (error = each_group(&sc->canvas_parts, sc, join_canvas)) < 0 ||
	    (error = each_group(&sc->connector_parts, sc, join_connector)) < 0)
		return error;
	strlist_sort_unique(&sc->control_dirs);
	strlist_sort_unique(&sc->pcfprojs);
	if ((error = lone_pcf_projects(sc)) < 0)
		return error;
	return pair_up(sc);
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

/* The paths of a list of entries, for the repo.files.* fact that mirrors it. */
static int set_entry_paths(alm_facts *facts, const char *fact, const entrylist *l, const char *what)
{
	strlist paths = { 0 };
	size_t i;
	int error = 0;
	for (i = 0; i < l->count && !error; i++)
		error = strlist_adds(&paths, l->items[i].path);
	if (!error)
		error = set_paths(facts, fact, &paths, what);
	else
		error = alm_error_set(ALM_ENOMEM, "out of memory");
	strlist_free(&paths);
	return error;
}

enum { F_SOLUTION, F_CODE, F_CANVAS, F_CONNECTOR, F_NAME_PATH, F_PIPELINE };

static cJSON *entry_json(const entry *e, int shape)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;
	if (ok && shape == F_PIPELINE) {
		ok = cJSON_AddStringToObject(o, "path", e->path) &&
		     (e->stage ? cJSON_AddStringToObject(o, "environment", e->stage) != NULL
			       : cJSON_AddNullToObject(o, "environment") != NULL) &&
		     cJSON_AddStringToObject(o, "tool", e->tool);
		goto done;
	}
	if (ok && shape == F_SOLUTION) {
		ok = cJSON_AddStringToObject(o, "path", e->path) &&
		     (e->unique_name ? cJSON_AddStringToObject(o, "unique_name", e->unique_name) != NULL
				     : cJSON_AddNullToObject(o, "unique_name") != NULL) &&
		     (e->version ? cJSON_AddStringToObject(o, "version", e->version) != NULL
				 : cJSON_AddNullToObject(o, "version") != NULL) &&
		     (e->publisher ? cJSON_AddStringToObject(o, "publisher", e->publisher) != NULL
				   : cJSON_AddNullToObject(o, "publisher") != NULL) &&
		     (e->managed < 0 ? cJSON_AddNullToObject(o, "managed") != NULL
				     : cJSON_AddBoolToObject(o, "managed", e->managed) != NULL);
		goto done;
	}
	ok = ok && cJSON_AddStringToObject(o, "name", e->name) &&
	     cJSON_AddStringToObject(o, "path", e->path);
	if (ok && shape == F_CODE)
		ok = cJSON_AddBoolToObject(o, "packaged", e->flag) != NULL;
	else if (ok && shape == F_CANVAS)
		ok = cJSON_AddStringToObject(o, "form", e->form) != NULL;
	else if (ok && shape == F_CONNECTOR)
		ok = cJSON_AddBoolToObject(o, "has_code", e->flag) != NULL;
done:
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* A contract list: sorted by path, at most ALM_FILES_MAX_ENTRIES, with a
 * <fact>_truncated bool beside it. */
static int set_entries(alm_facts *facts, const char *fact, entrylist *l, int shape,
		       const char *what)
{
	cJSON *arr = cJSON_CreateArray();
	char flag[128];
	size_t i;
	int error, cut;

	entrylist_sort_unique(l);
	cut = l->count > ALM_FILES_MAX_ENTRIES;
	for (i = 0; arr && i < l->count && i < ALM_FILES_MAX_ENTRIES; i++)
		if (!cJSON_AddItemToArray(arr, entry_json(&l->items[i], shape))) {
			cJSON_Delete(arr);
			arr = NULL;
		}
	if (!arr)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (l->count == 0)
		error = alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "no %s at HEAD", what);
	else if (cut)
		error = alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s at HEAD: %zu (the first %d listed)",
				      what, l->count, ALM_FILES_MAX_ENTRIES);
	else if (l->count == 1)
		error = alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s at HEAD: %s", what,
				      l->items[0].path);
	else
		error = alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s at HEAD: %zu", what, l->count);
	if (error < 0 || !cut)
		return error;
	snprintf(flag, sizeof flag, "%s_truncated", fact);
	return alm_facts_set_bool(facts, flag, 1, ALM_SOURCE_REPO, "the list is cut at its first 1000 entries");
}

static int set_stages(alm_facts *facts, const char *fact, const int *on, const char *what_some,
		      const char *what_none)
{
	cJSON *arr = cJSON_CreateArray();
	char line[256] = "";
	size_t i, n = 0;
	for (i = 0; arr && i < ALM_STAGE__COUNT; i++)
		if (on[i]) {
			const char *name = alm_stage_name((alm_stage)i);
			size_t used = strlen(line);
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(name))) {
				cJSON_Delete(arr);
				arr = NULL;
				break;
			}
			snprintf(line + used, sizeof line - used, "%s%s", n++ ? ", " : "", name);
		}
	if (!arr)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (!n)
		return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s", what_none);
	return alm_facts_set(facts, fact, arr, ALM_SOURCE_REPO, "%s: %s", what_some, line);
}

static int record_power_platform(alm_facts *facts, scan *sc)
{
	static const struct {
		const char *fact;
		size_t offset;
		int shape;
		const char *what;
	} lists[] = {
		{ "repo.power_platform.solutions", offsetof(scan, solutions), F_SOLUTION,
		  "solutions (one per folder: .cdsproj and Other/Solution.xml)" },
		{ "repo.power_platform.code_components", offsetof(scan, code_components), F_CODE,
		  "code components (one per manifest: sources or packaged in a solution)" },
		{ "repo.power_platform.canvas_apps", offsetof(scan, canvas_apps), F_CANVAS,
		  "canvas apps (.msapp, unpacked sources, or both)" },
		{ "repo.power_platform.custom_connectors", offsetof(scan, connectors), F_CONNECTOR,
		  "custom connectors (definition and properties together)" },
		{ "repo.power_platform.plugin_projects", offsetof(scan, plugins), F_NAME_PATH,
		  "Dataverse plug-in projects (class libraries referencing the plug-in SDK)" },
		{ "repo.power_platform.test_projects", offsetof(scan, tests), F_NAME_PATH,
		  "unit-test projects" },
		{ "repo.power_platform.dataverse_clients", offsetof(scan, clients), F_NAME_PATH,
		  "programs using the Dataverse client (console, web or library projects)" },
		{ "repo.power_platform.package_deployer_projects", offsetof(scan, deployers), F_NAME_PATH,
		  "Package Deployer projects" },
		{ "repo.power_platform.cloud_flows", offsetof(scan, flows), F_NAME_PATH,
		  "cloud flows (Workflows/*.json in solution sources)" },
		{ "repo.power_platform.environment_variables", offsetof(scan, env_vars), F_NAME_PATH,
		  "environment variable definitions" },
		{ "repo.power_platform.connection_references", offsetof(scan, conn_refs), F_NAME_PATH,
		  "connection references (Other/Customizations.xml)" },
		{ "repo.power_platform.power_pages_sites", offsetof(scan, pages_sites), F_NAME_PATH,
		  "Power Pages sites" },
		{ "repo.power_platform.copilot_agents", offsetof(scan, agents), F_NAME_PATH,
		  "Copilot Studio agents (bots/*/bot.xml)" },
		{ "repo.power_platform.configuration_data", offsetof(scan, config_entries), F_NAME_PATH,
		  "configuration data (Configuration Migration tool)" },
	};
	size_t i, present = 0;
	int error;

	for (i = 0; i < sizeof lists / sizeof *lists; i++) {
		entrylist *l = (entrylist *)((char *)sc + lists[i].offset);
		if ((error = set_entries(facts, lists[i].fact, l, lists[i].shape, lists[i].what)) < 0)
			return error;
		/* tests and Dataverse clients use the platform; they are not its source */
		if (l != &sc->tests && l != &sc->clients)
			present += l->count;
	}
	return alm_facts_set_bool(facts, "repo.power_platform.present", present > 0, ALM_SOURCE_REPO,
				  present ? "the tree at HEAD holds Power Platform source (solutions, apps, components, flows or data)"
					  : "no Power Platform source at HEAD");
}

static int record_deployments(alm_facts *facts, scan *sc)
{
	cJSON *tools = cJSON_CreateArray();
	size_t i, n = 0;
	int error;

	if ((error = set_entries(facts, "repo.deployments.pipelines", &sc->deploy_pipelines, F_PIPELINE,
				 "pipeline steps that deploy or export solutions")) < 0 ||
	    (error = set_stages(facts, "repo.deployments.environments", sc->deploy_stages,
				"the pipelines deploy solutions to (or export from)",
				"no pipeline at HEAD deploys a solution to a stage it names")) < 0 ||
	    (error = set_stages(facts, "repo.deployment_settings.environments", sc->settings_stages,
				"deployment settings exist for",
				"no deployment settings file names a stage (config/<Env>/deploymentSettings.json)")) < 0)
		return error;
	for (i = 0; tools && i < ALM_DEPLOY_TOOL__COUNT; i++)
		if (sc->deploy_tools[i]) {
			n++;
			if (!cJSON_AddItemToArray(tools, cJSON_CreateString(alm_deploy_tool_name((alm_deploy_tool)i)))) {
				cJSON_Delete(tools);
				tools = NULL;
			}
		}
	if (!tools)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if ((error = alm_facts_set(facts, "repo.deployments.tools", tools, ALM_SOURCE_REPO,
				   n ? "how the pipelines deploy: %zu tool(s)"
				     : "no pipeline at HEAD deploys a solution", n)) < 0 ||
	    (error = alm_facts_set_bool(facts, "repo.pipelines.azure_yaml", sc->azure.count > 0,
					ALM_SOURCE_REPO,
					sc->azure.count ? "Azure Pipelines YAML is kept in the repository"
							: "no Azure Pipelines YAML at HEAD")) < 0)
		return error;
	return alm_facts_set_bool(facts, "repo.pipelines.as_code", sc->azure.count + sc->github.count > 0,
				  ALM_SOURCE_REPO,
				  sc->azure.count + sc->github.count
				  ? "pipelines are kept as code (Azure Pipelines YAML or GitHub Actions workflows)"
				  : "no pipeline is kept as code at HEAD");
}

static void scan_free(scan *sc)
{
	strlist *lists[] = {
		&sc->azure, &sc->github, &sc->pages, &sc->config_data, &sc->solution_pipelines,
		&sc->deployment_settings, &sc->templates, &sc->environments, &sc->website_dirs,
		&sc->pages_dirs, &sc->schema_files, &sc->data_dirs, &sc->pcfprojs, &sc->control_dirs
	};
	entrylist *entries[] = {
		&sc->solutions, &sc->code_components, &sc->canvas_apps, &sc->connectors, &sc->plugins,
		&sc->tests, &sc->clients, &sc->deployers, &sc->flows, &sc->env_vars, &sc->conn_refs,
		&sc->pages_sites, &sc->agents, &sc->config_entries, &sc->deploy_pipelines
	};
	size_t i;
	for (i = 0; i < sizeof lists / sizeof *lists; i++)
		strlist_free(lists[i]);
	for (i = 0; i < sizeof entries / sizeof *entries; i++)
		entrylist_free(entries[i]);
	partlist_free(&sc->solution_parts);
	partlist_free(&sc->canvas_parts);
	partlist_free(&sc->connector_parts);
	for (i = 0; i < sc->ncand; i++)
		free(sc->cand[i].path);
	free(sc->cand);
}

static int record_files(alm_facts *facts, scan *sc)
{
	int error;

	if ((error = set_paths(facts, "repo.files.pipelines.azure", &sc->azure,
			       "Azure Pipelines YAML files (recognised by content)")) < 0 ||
	    (error = set_paths(facts, "repo.files.pipelines.github", &sc->github,
			       "GitHub Actions workflows (.github/workflows)")) < 0 ||
	    (error = set_entry_paths(facts, "repo.files.power_platform.solutions", &sc->solutions,
				     "solution folders (.cdsproj and Other/Solution.xml)")) < 0 ||
	    (error = set_entry_paths(facts, "repo.files.power_platform.canvas_apps", &sc->canvas_apps,
				     "canvas apps (*.msapp, unpacked sources)")) < 0 ||
	    (error = set_entry_paths(facts, "repo.files.power_platform.pcf_components",
				     &sc->code_components,
				     "code components (ControlManifest.Input.xml, packaged ControlManifest.xml)")) < 0 ||
	    (error = set_entry_paths(facts, "repo.files.power_platform.plugins", &sc->plugins,
				     "Dataverse plug-in projects")) < 0 ||
	    (error = set_entry_paths(facts, "repo.files.power_platform.custom_connectors",
				     &sc->connectors, "custom connectors")) < 0 ||
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

static void describe_limits(const scan *sc, char *note, size_t note_size)
{
	size_t used = strlen(note);
	if (sc->walk.depth_cut)
		used += (size_t)snprintf(note + used, used < note_size ? note_size - used : 0,
					 "%s%zu folder(s) at HEAD deeper than %zu levels were not read",
					 used ? "; " : "", sc->walk.depth_cut, sc->max_depth);
	if (used < note_size && sc->walk.entries_cut)
		used += (size_t)snprintf(note + used, note_size - used,
					 "%sthe tree at HEAD has more than %zu entries: the rest were not read",
					 used ? "; " : "", sc->walk.entries);
	if (used < note_size && sc->walk.unreadable)
		used += (size_t)snprintf(note + used, note_size - used,
					 "%s%zu folder(s) at HEAD could not be read", used ? "; " : "",
					 sc->walk.unreadable);
	if (used < note_size && sc->yaml_cut)
		used += (size_t)snprintf(note + used, note_size - used,
					 "%s%zu pipeline file(s) at HEAD expand past %d nodes or nest deeper than %d "
					 "levels: only that much of each was read", used ? "; " : "", sc->yaml_cut,
					 ALM_YAML_MAX_VISITS, ALM_YAML_MAX_DEPTH);
	if (used < note_size && (sc->unreadable || sc->skipped_limit))
		snprintf(note + used, note_size - used,
			 "%s%zu file(s) at HEAD could not be read and %zu were not read "
			 "(limits: %d files, %d MiB)", used ? "; " : "",
			 sc->unreadable, sc->skipped_limit, ALM_FILES_MAX_BLOBS,
			 ALM_FILES_MAX_BYTES / (1024 * 1024));
}

int alm_repo_files_scan(alm_facts *facts, git_repository *repo, const git_oid *commit,
			const alm_tree_walk_limits *limits, char *note, size_t note_size)
{
	scan sc;
	git_oid commit_id, tree_id;
	git_tree *tree = NULL;
	git_odb *odb = NULL;
	size_t i;
	int error = 0;

	memset(&sc, 0, sizeof sc);
	sc.max_depth = limits ? limits->max_depth : ALM_TREE_WALK_MAX_DEPTH;
	if (note_size)
		note[0] = '\0';
	if (commit) {
		/* the tree's id is read from the commit's first bytes: a commit
		 * with a huge message costs no more than a small one */
		if (alm_history_commit_tree(&commit_id, &tree_id, repo, commit) < 0 ||
		    git_tree_lookup(&tree, repo, &tree_id) < 0 || git_repository_odb(&odb, repo) < 0) {
			const git_error *e = git_error_last();
			snprintf(note, note_size, "the tree at HEAD could not be read (%s)",
				 e && e->message ? e->message : "unknown error");
			git_error_clear();
			goto facts;
		}
		if ((error = alm_tree_walk(&sc.walk, repo, tree, limits, walk_cb, &sc)) < 0) {
			error = alm_error_set(error, "out of memory while reading the tree at HEAD");
			goto done;
		}
		if (sc.ncand)
			qsort(sc.cand, sc.ncand, sizeof *sc.cand, cmp_candidate);
		for (i = 0; i < sc.ncand; i++)
			if ((error = inspect_candidate(&sc, odb, &sc.cand[i])) < 0) {
				error = alm_error_set(error, "out of memory while reading files at HEAD");
				goto done;
			}
		if ((error = join_all(&sc)) < 0) {
			error = alm_error_set(error, "out of memory");
			goto done;
		}
		describe_limits(&sc, note, note_size);
	}
facts:
	if ((error = record_files(facts, &sc)) < 0 || (error = record_power_platform(facts, &sc)) < 0)
		goto done;
	error = record_deployments(facts, &sc);
done:
	scan_free(&sc);
	git_odb_free(odb);
	git_tree_free(tree);
	return error;
}
