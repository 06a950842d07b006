#include "pipeline_yaml.h"

#include "alm/error.h"
#include "vec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/*
 * libyaml loads each document into a node graph (an alias is a second edge to
 * the anchored node, never a copy). The graph is visited breadth-first from
 * the root into a flat array of visits, each remembering its parent visit and
 * the key it was reached by, so a step can look up its job, stage and
 * parameters. The array is bounded: aliases can turn a small text into an
 * exponential tree, and the bound keeps that linear in the budget. So is the
 * depth: an alias inside the node it names makes a cycle (libyaml registers
 * an anchor before its children), an endless chain of visits, and looking up
 * a step's stage walks its ancestors, which without a depth bound is
 * quadratic in the budget. With aliases, one node is reached by many visits,
 * so what a node says of a stage is worked out once (stage_memo), and what a
 * visit inherits from its ancestors once per visit (inherited): a step costs
 * the width of its own mapping, whatever the expansion.
 */

typedef struct {
	int node;   /* yaml node index */
	int parent; /* visit index, -1 for the root */
	int key;    /* the key's node index in the parent mapping, 0 otherwise */
	int depth;  /* the root's is 0 */
	int inherited; /* the stage its ancestors and key name; -1: not yet known */
} visit;

typedef struct {
	yaml_document_t *doc;
	visit *v;
	size_t n, cap;
	const alm_yaml_callbacks *cb;
	alm_yaml_info *info;
	unsigned char *stage_memo; /* by node index: a scalar's stage + 1, 0 not yet known */
	size_t nodes;
} graph;

const char *alm_deploy_tool_name(alm_deploy_tool tool)
{
	static const char *const names[] = {
		"alm-accelerator", "build-tools", "github-actions", "pac-cli", "pac-pipeline"
	};
	return tool < ALM_DEPLOY_TOOL__COUNT ? names[tool] : NULL;
}

static yaml_node_t *node_at(const graph *g, int i)
{
	return i ? yaml_document_get_node(g->doc, i) : NULL;
}

static int scalar(const yaml_node_t *n, const char **s, size_t *len)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return 0;
	*s = (const char *)n->data.scalar.value;
	*len = n->data.scalar.length;
	return 1;
}

static int scalar_is(const yaml_node_t *n, const char *word)
{
	const char *s;
	size_t len;
	return scalar(n, &s, &len) && len == strlen(word) && memcmp(s, word, len) == 0;
}

/* The value of `key` in mapping node m, or NULL. */
static yaml_node_t *get(const graph *g, const yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
		if (scalar_is(node_at(g, p->key), key))
			return node_at(g, p->value);
	return NULL;
}

static const char *get_text(const graph *g, const yaml_node_t *m, const char *key, size_t *len)
{
	const char *s;
	return scalar(get(g, m, key), &s, len) ? s : NULL;
}

static int contains_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;
	for (i = 0; i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return 1;
	return 0;
}

static int is_variable(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i++)
		if (s[i] == '$' && (s[i + 1] == '(' || s[i + 1] == '{' || s[i + 1] == '['))
			return 1;
	return 0;
}

/* 0, or 1 when the budget is spent (the walk stops), or ALM_ENOMEM. A node
 * deeper than ALM_YAML_MAX_DEPTH is left out and the walk goes on. */
static int add_visit(graph *g, int node, int parent, int key)
{
	int depth = parent >= 0 ? g->v[parent].depth + 1 : 0;
	if (depth > ALM_YAML_MAX_DEPTH) {
		g->info->truncated = 1;
		return 0;
	}
	if (g->n >= ALM_YAML_MAX_VISITS) {
		g->info->truncated = 1;
		return 1;
	}
	if (alm_vec_reserve_((void **)&g->v, &g->cap, g->n + 1, sizeof *g->v) < 0)
		return ALM_ENOMEM;
	g->v[g->n].node = node;
	g->v[g->n].parent = parent;
	g->v[g->n].key = key;
	g->v[g->n].depth = depth;
	g->v[g->n].inherited = -1;
	g->n++;
	return 0;
}

/* ---- stages ----------------------------------------------------------- */

static alm_stage stage_of(const graph *g, const yaml_node_t *n)
{
	const char *s;
	size_t len, at;
	alm_stage st;
	if (!scalar(n, &s, &len))
		return ALM_STAGE__COUNT;
	at = (size_t)(n - g->doc->nodes.start);
	if (at < g->nodes && g->stage_memo[at])
		return (alm_stage)(g->stage_memo[at] - 1);
	st = alm_stage_from_text(s, len);
	if (at < g->nodes)
		g->stage_memo[at] = (unsigned char)(st + 1);
	return st;
}

/* Inputs whose key speaks of the target: environment, service connection,
 * URL, service principal, stage. */
static alm_stage stage_of_inputs(const graph *g, const yaml_node_t *m)
{
	static const char *const keys[] = { "env", "connection", "url", "spn", "stage", NULL };
	yaml_node_pair_t *p;
	size_t i;
	if (!m || m->type != YAML_MAPPING_NODE)
		return ALM_STAGE__COUNT;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k;
		size_t klen;
		if (!scalar(node_at(g, p->key), &k, &klen))
			continue;
		for (i = 0; keys[i]; i++)
			if (contains_ci(k, klen, keys[i])) {
				alm_stage st = stage_of(g, node_at(g, p->value));
				if (st != ALM_STAGE__COUNT)
					return st;
				break;
			}
	}
	return ALM_STAGE__COUNT;
}

/* The names a job or stage goes by, in the order they are trusted. */
static alm_stage stage_of_block(const graph *g, const yaml_node_t *m)
{
	static const char *const names[] = { "deployment", "job", "stage", "displayName", "name", NULL };
	const yaml_node_t *env = get(g, m, "environment");
	alm_stage st;
	size_t i;

	if (env && env->type == YAML_MAPPING_NODE)
		env = get(g, env, "name");
	if ((st = stage_of(g, env)) != ALM_STAGE__COUNT)
		return st;
	for (i = 0; names[i]; i++)
		if ((st = stage_of(g, get(g, m, names[i]))) != ALM_STAGE__COUNT)
			return st;
	return ALM_STAGE__COUNT;
}

/* The stage that visit `at` and its ancestors name: a job's or stage's
 * names and parameters, or the key a GitHub job is named by, nearest first.
 * Worked out once a visit; the recursion is bounded by ALM_YAML_MAX_DEPTH. */
static alm_stage inherited_stage(const graph *g, long at)
{
	const yaml_node_t *a;
	alm_stage st;
	if (at < 0)
		return ALM_STAGE__COUNT;
	if (g->v[at].inherited >= 0)
		return (alm_stage)g->v[at].inherited;
	g->info->ancestors_read++;
	a = node_at(g, g->v[at].node);
	if (!(a && a->type == YAML_MAPPING_NODE &&
	      ((st = stage_of_block(g, a)) != ALM_STAGE__COUNT ||
	       (st = stage_of_inputs(g, get(g, a, "parameters"))) != ALM_STAGE__COUNT)) &&
	    (st = stage_of(g, node_at(g, g->v[at].key))) == ALM_STAGE__COUNT)
		st = inherited_stage(g, g->v[at].parent);
	g->v[at].inherited = (int)st;
	return st;
}

/*
 * The stage a step deploys to: its own inputs and parameters, its names, then
 * each enclosing job and stage (and the key a GitHub job is named by), then
 * the file's name.
 */
static alm_stage stage_of_step(const graph *g, size_t vi)
{
	const yaml_node_t *m = node_at(g, g->v[vi].node);
	static const char *const inputs[] = { "inputs", "with", "parameters", NULL };
	alm_stage st;
	size_t i;

	for (i = 0; inputs[i]; i++)
		if ((st = stage_of_inputs(g, get(g, m, inputs[i]))) != ALM_STAGE__COUNT)
			return st;
	if ((st = stage_of_block(g, m)) != ALM_STAGE__COUNT)
		return st;
	if ((st = inherited_stage(g, g->v[vi].parent)) != ALM_STAGE__COUNT)
		return st;
	if (g->cb && g->cb->file_name)
		return alm_stage_from_text(g->cb->file_name, strlen(g->cb->file_name));
	return ALM_STAGE__COUNT;
}

/* ---- steps ------------------------------------------------------------ */

/* `pac <a> <b>` anywhere in a script, words separated by any blanks. */
static int pac_command(const char *s, size_t n, const char *a, const char *b)
{
	size_t i, la = strlen(a), lb = strlen(b);
	for (i = 0; i + 3 <= n; i++) {
		size_t j = i + 3;
		if (strncasecmp(s + i, "pac", 3) != 0 || (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t' &&
							  s[i - 1] != '\n' && s[i - 1] != ';' &&
							  s[i - 1] != '&' && s[i - 1] != '|' &&
							  s[i - 1] != '(' && s[i - 1] != '\r'))
			continue;
		if (j >= n || (s[j] != ' ' && s[j] != '\t'))
			continue;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j + la > n || strncasecmp(s + j, a, la) != 0)
			continue;
		j += la;
		if (j >= n || (s[j] != ' ' && s[j] != '\t'))
			continue;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j + lb <= n && strncasecmp(s + j, b, lb) == 0 &&
		    (j + lb == n || !((s[j + lb] | 0x20) >= 'a' && (s[j + lb] | 0x20) <= 'z')))
			return 1;
	}
	return 0;
}

/* 1 when the script deploys (*exp 0) or exports (*exp 1), with the tool. */
static int script_deploys(const char *s, size_t n, alm_deploy_tool *tool, int *exp)
{
	if (pac_command(s, n, "pipeline", "deploy")) {
		*tool = ALM_DEPLOY_TOOL_PAC_PIPELINE;
		*exp = 0;
		return 1;
	}
	*tool = ALM_DEPLOY_TOOL_PAC;
	*exp = 0;
	if (pac_command(s, n, "solution", "import") || pac_command(s, n, "package", "deploy"))
		return 1;
	*exp = 1;
	return pac_command(s, n, "solution", "export");
}

static int name_is(const char *s, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

/* The base name of a template reference: after the last / or \, before @. */
static void template_base(const char *s, size_t n, const char **b, size_t *bn)
{
	const char *end = memchr(s, '@', n), *p;
	if (!end)
		end = s + n;
	for (p = end; p > s && p[-1] != '/' && p[-1] != '\\'; p--)
		;
	*b = p;
	*bn = (size_t)(end - p);
}

static int step_kind(const graph *g, const yaml_node_t *m, alm_deploy_tool *tool, int *exp)
{
	static const char *const script_keys[] = { "script", "bash", "pwsh", "powershell", "run", NULL };
	static const char *const input_keys[] = { "script", "inlineScript", "Inline", "ScriptBlock", NULL };
	const char *s;
	size_t n, i;

	if ((s = get_text(g, m, "task", &n)) != NULL) {
		const char *at = memchr(s, '@', n);
		size_t k = at ? (size_t)(at - s) : n;
		*tool = ALM_DEPLOY_TOOL_BUILD_TOOLS;
		*exp = name_is(s, k, "PowerPlatformExportSolution");
		if (*exp || name_is(s, k, "PowerPlatformImportSolution") ||
		    name_is(s, k, "PowerPlatformDeployPackage"))
			return 1;
	}
	if ((s = get_text(g, m, "uses", &n)) != NULL) {
		static const char prefix[] = "microsoft/powerplatform-actions/";
		size_t pl = sizeof prefix - 1;
		if (n > pl && strncasecmp(s, prefix, pl) == 0) {
			const char *a = s + pl, *at = memchr(a, '@', n - pl);
			size_t k = at ? (size_t)(at - a) : n - pl;
			*tool = ALM_DEPLOY_TOOL_GITHUB;
			*exp = name_is(a, k, "export-solution");
			if (*exp || name_is(a, k, "import-solution") || name_is(a, k, "deploy-solution") ||
			    name_is(a, k, "deploy-package"))
				return 1;
		}
	}
	if ((s = get_text(g, m, "template", &n)) != NULL) {
		const char *b;
		size_t bn;
		template_base(s, n, &b, &bn);
		*tool = ALM_DEPLOY_TOOL_ACCELERATOR;
		*exp = name_is(b, bn, "export-Solution.yml") || name_is(b, bn, "export-solution-to-git.yml");
		if (*exp || name_is(b, bn, "build-deploy-Solution-To-Environment.yml") ||
		    name_is(b, bn, "deploy-Solution-To-Environment.yml") ||
		    name_is(b, bn, "deploy-Solution.yml"))
			return 1;
	}
	for (i = 0; script_keys[i]; i++)
		if ((s = get_text(g, m, script_keys[i], &n)) != NULL && script_deploys(s, n, tool, exp))
			return 1;
	for (i = 0; input_keys[i]; i++) {
		const yaml_node_t *in = get(g, m, "inputs");
		if ((s = get_text(g, in, input_keys[i], &n)) != NULL && script_deploys(s, n, tool, exp))
			return 1;
	}
	return 0;
}

/* ---- the visit -------------------------------------------------------- */

static int on_mapping(graph *g, size_t vi, int top)
{
	static const char *const top_keys[] = {
		"trigger", "pr", "stages", "jobs", "steps", "extends", "pool", NULL
	};
	/* list items that only Azure Pipelines writes: steps, jobs and stages */
	static const char *const item_keys[] = {
		"task", "template", "script", "bash", "pwsh", "powershell", "checkout",
		"stage", "job", "deployment", NULL
	};
	const yaml_node_t *m = node_at(g, g->v[vi].node);
	const yaml_node_t *parent = g->v[vi].parent >= 0 ? node_at(g, g->v[g->v[vi].parent].node) : NULL;
	int in_list = parent && parent->type == YAML_SEQUENCE_NODE;
	yaml_node_pair_t *p;
	alm_deploy_tool tool;
	int exp, error;
	size_t i;

	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node_at(g, p->key), *v = node_at(g, p->value);
		const char *s;
		size_t n;
		if (!scalar(k, &s, &n))
			continue;
		if (top) {
			for (i = 0; top_keys[i]; i++)
				if (name_is(s, n, top_keys[i]) && strncmp(s, top_keys[i], n) == 0)
					g->info->azure |= 2;
			if (n == 2 && memcmp(s, "on", 2) == 0)
				g->info->github_workflow_syntax = 1;
			if (n == 7 && memcmp(s, "extends", 7) == 0)
				g->info->azure |= 8;
		}
		if (in_list)
			for (i = 0; item_keys[i]; i++)
				if (n == strlen(item_keys[i]) && memcmp(s, item_keys[i], n) == 0)
					g->info->azure |= 4;
		if (n == 8 && memcmp(s, "template", 8) == 0) {
			const char *t;
			size_t tn;
			g->info->azure |= 16;
			if (scalar(v, &t, &tn) &&
			    (contains_ci(t, tn, "@PipelineRepo") ||
			     contains_ci(t, tn, "build-deploy-Solution-To-Environment.yml")))
				g->info->accelerator_template_ref = 1;
		}
		if (n == 5 && memcmp(s, "group", 5) == 0 &&
		    (scalar_is(v, "alm-accelerator-variable-group") || scalar_is(v, "global-variable-group")))
			g->info->variable_group = 1;
		if (n == 11 && memcmp(s, "environment", 11) == 0 && g->cb && g->cb->environment) {
			const char *e;
			size_t en;
			if (v && v->type == YAML_MAPPING_NODE)
				v = get(g, v, "name");
			if (scalar(v, &e, &en) && en && !is_variable(e, en) &&
			    (error = g->cb->environment(g->cb->payload, e, en)) < 0)
				return error;
		}
	}
	if (g->cb && g->cb->deploy && step_kind(g, m, &tool, &exp)) {
		alm_yaml_deploy d;
		d.tool = tool;
		d.export = exp;
		d.stage = exp ? ALM_STAGE_DEVELOPMENT : stage_of_step(g, vi);
		if ((error = g->cb->deploy(g->cb->payload, &d)) < 0)
			return error;
	}
	return 0;
}

static int visit_document(graph *g)
{
	size_t i;
	int error;

	g->n = 0;
	if (!yaml_document_get_root_node(g->doc))
		return 0;
	if ((error = add_visit(g, 1, -1, 0)) < 0)
		return error;
	for (i = 0; i < g->n; i++) {
		yaml_node_t *n = node_at(g, g->v[i].node);
		if (!n)
			continue;
		if (n->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *p;
			if ((error = on_mapping(g, i, i == 0)) < 0)
				return error;
			for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
				if ((error = add_visit(g, p->value, (int)i, p->key)) != 0)
					return error < 0 ? error : 0;
		} else if (n->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;
			for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
				if ((error = add_visit(g, *it, (int)i, 0)) != 0)
					return error < 0 ? error : 0;
		}
	}
	return 0;
}

int alm_yaml_inspect(alm_yaml_info *info, const char *text, size_t len,
		     const alm_yaml_callbacks *cb)
{
	yaml_parser_t parser;
	graph g;
	int error = 0, flags = 0;

	memset(info, 0, sizeof *info);
	memset(&g, 0, sizeof g);
	g.cb = cb;
	g.info = info;
	if (!yaml_parser_initialize(&parser))
		return ALM_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			if (parser.error == YAML_MEMORY_ERROR)
				error = ALM_ENOMEM;
			info->malformed = 1;
			break;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		info->parsed = 1;
		g.doc = &doc;
		g.nodes = (size_t)(doc.nodes.top - doc.nodes.start);
		free(g.stage_memo);
		if (!(g.stage_memo = calloc(g.nodes ? g.nodes : 1, 1))) {
			yaml_document_delete(&doc);
			error = ALM_ENOMEM;
			break;
		}
		/* azure bits gathered per document: 2 top key, 4 list item, 8 extends, 16 template */
		info->azure = 0;
		error = visit_document(&g);
		flags |= info->azure;
		yaml_document_delete(&doc);
		if (error < 0)
			break;
	}
	yaml_parser_delete(&parser);
	free(g.v);
	free(g.stage_memo);
	info->azure = (flags & 2) && ((flags & 4) || ((flags & 8) && (flags & 16)));
	return error;
}
