#include "alm/portfolio.h"
#include "alm/error.h"
#include "alm/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared readers: NULL when absent or of another type. */
#define str alm_json_str

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

#define get alm_json_get

/* A fact of the report by dotted path, or NULL. */
static const cJSON *fact(const cJSON *report, const char *path)
{
	return alm_json_get_path(get(report, "facts"), path);
}

static int count_of(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return cJSON_GetArraySize(v);
	if (cJSON_IsNumber(v))
		return (int)v->valuedouble;
	return -1;
}

/* Pull-request and pipeline evidence in one line, from whatever the probes found. */
static void evidence_line(char *buf, size_t n, const cJSON *report)
{
	int repo_prs = count_of(fact(report, "repo.pull_requests.total"));
	int ado_prs = count_of(fact(report, "ado.pull_requests.completed"));
	int azure = count_of(fact(report, "repo.files.pipelines.azure"));
	int github = count_of(fact(report, "repo.files.pipelines.github"));
	int ado_pipes = count_of(fact(report, "ado.pipelines.count"));
	size_t used = 0;

	buf[0] = '\0';
	if (repo_prs >= 0 || ado_prs >= 0) {
		used += (size_t)snprintf(buf + used, n - used, "pull requests:");
		if (repo_prs >= 0)
			used += (size_t)snprintf(buf + used, n - used, " %d in history", repo_prs);
		if (ado_prs >= 0 && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%d completed in Azure DevOps",
						 repo_prs >= 0 ? ", " : " ", ado_prs);
	}
	if ((azure >= 0 || github >= 0 || ado_pipes >= 0) && used < n) {
		used += (size_t)snprintf(buf + used, n - used, "%spipelines:", used ? "; " : "");
		if (azure >= 0 || github >= 0)
			used += (size_t)snprintf(buf + used, n - used, " %d in the repository",
						 (azure > 0 ? azure : 0) + (github > 0 ? github : 0));
		if (ado_pipes >= 0 && used < n)
			snprintf(buf + used, n - used, "%s%d in Azure DevOps", azure >= 0 || github >= 0 ? ", " : " ",
				 ado_pipes);
	}
	if (!buf[0])
		snprintf(buf, n, "no repository or Azure DevOps evidence");
}

/* The row, or NULL (and no row) when an addition to it failed since `mark`. */
static cJSON *complete(cJSON *row, unsigned long mark)
{
	if (alm_json_add_check(mark, "a portfolio row") < 0) {
		cJSON_Delete(row);
		return NULL;
	}
	return row;
}

cJSON *alm_portfolio_row(const char *name, const char *path, cJSON *report)
{
	unsigned long failures = alm_json_add_failures();
	cJSON *row = cJSON_CreateObject(), *maturity;
	const cJSON *gap = cJSON_GetArrayItem(get(report, "gaps"), 0);
	const cJSON *m = get(report, "maturity");
	char line[512];

	if (!row) {
		cJSON_Delete(report);
		return NULL;
	}
	alm_json_add_string(row, "name", name);
	alm_json_add_string(row, "path", path);
	alm_json_add_string(row, "status", "assessed");
	alm_json_add_null(row, "error");
	alm_json_add_string(row, "verdict", str(report, "verdict"));
	alm_json_add_copy(row, "tier", get(get(report, "impact"), "tier"));
	maturity = alm_json_add_object(row, "maturity");
	alm_json_add_copy(maturity, "current", get(m, "current"));
	alm_json_add_copy(maturity, "target", get(m, "target"));
	alm_json_add_copy(row, "confidence", get(report, "confidence"));
	if (gap) {
		cJSON *g = alm_json_add_object(row, "top_gap");
		alm_json_add_string(g, "part", str(gap, "part"));
		alm_json_add_string(g, "text", str(gap, "text"));
		alm_json_add_string(g, "action", str(gap, "action"));
	} else {
		alm_json_add_null(row, "top_gap");
	}
	evidence_line(line, sizeof line, report);
	alm_json_add_string(row, "evidence", line);
	alm_json_add(row, "report", report);
	return complete(row, failures);
}

cJSON *alm_portfolio_failed_row(const char *name, const char *path, const char *reason)
{
	unsigned long failures = alm_json_add_failures();
	cJSON *row = cJSON_CreateObject();
	if (!row)
		return NULL;
	alm_json_add_string(row, "name", name);
	alm_json_add_string(row, "path", path);
	alm_json_add_string(row, "status", "failed");
	alm_json_add_string(row, "error", reason);
	alm_json_add_null(row, "verdict");
	alm_json_add_null(row, "tier");
	alm_json_add_null(row, "maturity");
	alm_json_add_null(row, "confidence");
	alm_json_add_null(row, "top_gap");
	alm_json_add_string(row, "evidence", "");
	alm_json_add_null(row, "report");
	return complete(row, failures);
}

/* --- ordering ----------------------------------------------------------- */

static int verdict_rank(const alm_rules *rules, const char *verdict)
{
	const cJSON *v;
	int i = 0;
	if (!verdict)
		return 1000; /* failed rows last */
	cJSON_ArrayForEach(v, get(alm_rules_json(rules), "verdicts")) {
		if (strcmp(str(v, "id"), verdict) == 0)
			return i;
		i++;
	}
	return 999;
}

static const alm_rules *sort_rules; /* qsort has no context argument in C11 */

static int compare_rows(const void *a, const void *b)
{
	const cJSON *ra = *(cJSON *const *)a, *rb = *(cJSON *const *)b;
	const cJSON *ca = get(ra, "confidence"), *cb = get(rb, "confidence");
	double fa = cJSON_IsNumber(ca) ? ca->valuedouble : -1, fb = cJSON_IsNumber(cb) ? cb->valuedouble : -1;
	int d = verdict_rank(sort_rules, str(ra, "verdict")) - verdict_rank(sort_rules, str(rb, "verdict"));
	if (d)
		return d;
	if (fa != fb)
		return fa > fb ? -1 : 1;
	if ((d = strcmp(or_empty(str(ra, "name")), or_empty(str(rb, "name")))) != 0)
		return d;
	return strcmp(or_empty(str(ra, "path")), or_empty(str(rb, "path")));
}

int alm_portfolio_build(cJSON **out, cJSON *rows, const alm_rules *rules)
{
	cJSON *doc = NULL, *sorted, *totals, **items = NULL;
	const cJSON *v;
	int n = cJSON_GetArraySize(rows), i;
	unsigned long failures = alm_json_add_failures();

	*out = NULL;
	if (n > 0 && !(items = malloc((size_t)n * sizeof *items))) {
		cJSON_Delete(rows);
		return alm_error_set(ALM_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		items[i] = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	/* C11's qsort has no context argument; portfolios are built on one thread. */
	sort_rules = rules;
	if (n > 1)
		qsort(items, (size_t)n, sizeof *items, compare_rows);

	doc = cJSON_CreateObject();
	alm_json_add_string(doc, "schema", "alm-advisor/portfolio@1");
	totals = alm_json_add_object(doc, "totals");
	cJSON_ArrayForEach(v, get(alm_rules_json(rules), "verdicts"))
		alm_json_add_number(totals, str(v, "id"), 0);
	alm_json_add_number(totals, "failed", 0);
	sorted = alm_json_add_array(doc, "rows");
	for (i = 0; i < n; i++) {
		const char *verdict = str(items[i], "verdict");
		cJSON *t = cJSON_GetObjectItemCaseSensitive(totals, verdict ? verdict : "failed");
		if (t)
			cJSON_SetNumberValue(t, t->valuedouble + 1);
		else if (verdict)
			alm_json_add_number(totals, verdict, 1);
		alm_json_add(sorted, NULL, items[i]);
	}
	alm_json_add_number(doc, "repositories", n);
	free(items);
	if (alm_json_add_check(failures, "the portfolio") < 0) {
		cJSON_Delete(doc);
		return ALM_ENOMEM;
	}
	*out = doc;
	return 0;
}

int alm_portfolio_merge(cJSON **out, const cJSON *const *docs, size_t n, const alm_rules *rules)
{
	cJSON *rows = cJSON_CreateArray();
	const cJSON *row;
	size_t i;
	unsigned long failures = alm_json_add_failures();

	*out = NULL;
	if (!rows)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const char *schema = str(docs[i], "schema");
		if (!schema || strcmp(schema, "alm-advisor/portfolio@1") != 0 || !cJSON_IsArray(get(docs[i], "rows"))) {
			cJSON_Delete(rows);
			return alm_error_set(ALM_EINVALID,
					     "input %zu: not a portfolio; expected \"schema\": \"alm-advisor/portfolio@1\" "
					     "(from 'alm-advisor scan --format json')", i + 1);
		}
		{
			int r = 0;
			cJSON_ArrayForEach(row, get(docs[i], "rows")) {
				/* Rows are sorted and rendered by name and path: both must be there. */
				if (!cJSON_IsObject(row) || !str(row, "name") || !str(row, "path")) {
					cJSON_Delete(rows);
					return alm_error_set(ALM_EINVALID,
							     "input %zu: $.rows[%d]: expected an object with the strings "
							     "\"name\" and \"path\"", i + 1, r);
				}
				alm_json_add(rows, NULL, cJSON_Duplicate(row, 1));
				r++;
			}
		}
	}
	if (alm_json_add_check(failures, "the portfolio") < 0) {
		cJSON_Delete(rows);
		return ALM_ENOMEM;
	}
	return alm_portfolio_build(out, rows, rules);
}

unsigned alm_portfolio_shard(const char *name, unsigned n)
{
	/* FNV-1a, 32-bit: stable across machines and releases. */
	unsigned long h = 2166136261UL;
	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h = (h * 16777619UL) & 0xFFFFFFFFUL;
	}
	return n ? (unsigned)(h % n) : 0;
}
