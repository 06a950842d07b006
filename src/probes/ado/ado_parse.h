#ifndef ALM_ADO_PARSE_H
#define ALM_ADO_PARSE_H
/*
 * Parsers of Azure DevOps REST response bodies into plain C records. Pure:
 * bytes in, records out, no network, no globals; they are fuzzed. Every parser
 * accepts a leading UTF-8 byte-order mark, the usual {"count": N, "value": [...]}
 * wrapper or a bare array, skips items that are not objects, and treats a
 * missing or mistyped field as "not said" rather than failing. They return 0,
 * ALM_EINVALID with "NAME:LINE:COL: ..." when the body is not the JSON they
 * expect, or ALM_ENOMEM. Each *_dispose frees what a parser filled in (a
 * zeroed struct is fine).
 */
#include <stddef.h>
#include <stdint.h>

/* ISO 8601 as the service writes it ("2015-07-16T19:52:38.65Z", offsets
 * allowed) to seconds since the epoch. Returns 0, or -1 when malformed. */
int alm_ado_parse_time(const char *text, double *epoch);

/* "2015-07-16T19:52:38Z". */
void alm_ado_format_time(char *buf, size_t n, double epoch);

/* --- build definitions, or pipelines (_apis/pipelines) --- */
typedef struct {
	int64_t id;           /* -1 when absent */
	char *name;           /* "" when absent */
	int yaml;             /* 1 YAML, 0 designer or XAML, -1 not said */
	double latest_queued; /* latestBuild.queueTime; 0 when absent */
} alm_ado_definition;

typedef struct {
	alm_ado_definition *items;
	size_t count;
} alm_ado_definitions;

int alm_ado_parse_definitions(alm_ado_definitions *out, const char *body, size_t len);

/* The same, one definition at a time (the record and its name are borrowed
 * for the call), without holding the page's items: `fn` returns 0, or a
 * negative code that stops the walk and is returned. *items receives how many
 * items the list had. */
typedef int (*alm_ado_definition_fn)(void *ctx, const alm_ado_definition *d);
int alm_ado_parse_definitions_each(const char *body, size_t len, alm_ado_definition_fn fn, void *ctx,
				   size_t *items);
void alm_ado_definitions_dispose(alm_ado_definitions *d);

/* --- builds --- */
typedef enum {
	ALM_ADO_BUILD_OTHER, /* completed with result none, or unknown */
	ALM_ADO_BUILD_SUCCEEDED,
	ALM_ADO_BUILD_FAILED,
	ALM_ADO_BUILD_PARTIALLY_SUCCEEDED,
	ALM_ADO_BUILD_CANCELED,
	ALM_ADO_BUILD_IN_PROGRESS /* not completed: no result yet */
} alm_ado_build_state;

typedef struct {
	int64_t id;
	alm_ado_build_state state;
	int pull_request; /* reason == pullRequest */
	double queued;    /* 0 when absent */
	double started;   /* startTime, else queueTime; 0 when neither */
} alm_ado_build;

typedef struct {
	alm_ado_build *items;
	size_t count;
} alm_ado_builds;

int alm_ado_parse_builds(alm_ado_builds *out, const char *body, size_t len);

typedef int (*alm_ado_build_fn)(void *ctx, const alm_ado_build *b);
int alm_ado_parse_builds_each(const char *body, size_t len, alm_ado_build_fn fn, void *ctx, size_t *items);
void alm_ado_builds_dispose(alm_ado_builds *b);

/* --- git repositories --- */
typedef struct {
	char *id;             /* "" when absent */
	char *name;
	char *default_branch; /* NULL for an empty repository */
	int disabled;
	char *web_url;        /* webUrl; NULL when absent */
	char *project_id;     /* project.id; NULL when absent */
	char *project_name;   /* project.name; NULL when absent */
} alm_ado_repository;

typedef struct {
	alm_ado_repository *items;
	size_t count;
} alm_ado_repositories;

int alm_ado_parse_repositories(alm_ado_repositories *out, const char *body, size_t len);
void alm_ado_repositories_dispose(alm_ado_repositories *r);

/* --- pull requests --- */
typedef enum {
	ALM_ADO_PR_OTHER,
	ALM_ADO_PR_ACTIVE,
	ALM_ADO_PR_COMPLETED,
	ALM_ADO_PR_ABANDONED
} alm_ado_pr_status;

typedef struct {
	int64_t id;
	alm_ado_pr_status status;
	double created; /* 0 when absent */
	char *creator_id;    /* "" when absent */
	char *creator_mail;  /* createdBy.uniqueName; "" when absent */
	char *repository_id; /* "" when absent */
	int reviewers_known; /* the body carried a reviewers array */
	int approved_by_other; /* meaningful when reviewers_known */
} alm_ado_pull_request;

typedef struct {
	alm_ado_pull_request *items;
	size_t count;
} alm_ado_pull_requests;

int alm_ado_parse_pull_requests(alm_ado_pull_requests *out, const char *body, size_t len);
void alm_ado_pull_requests_dispose(alm_ado_pull_requests *p);

/* A /reviewers body: *approved is 1 when someone other than `creator_id`
 * (and not a group) voted 10 (approved) or 5 (approved with suggestions). */
int alm_ado_parse_reviewers(int *approved, const char *creator_id, const char *body, size_t len);

/* --- policy configurations --- */
typedef enum {
	ALM_ADO_POLICY_OTHER,
	ALM_ADO_POLICY_MIN_APPROVERS,
	ALM_ADO_POLICY_BUILD
} alm_ado_policy_type;

typedef enum {
	ALM_ADO_SCOPE_ANY_BRANCH,   /* no refName */
	ALM_ADO_SCOPE_EXACT,
	ALM_ADO_SCOPE_PREFIX,
	ALM_ADO_SCOPE_DEFAULT_BRANCH /* every repository's default branch */
} alm_ado_scope_kind;

typedef struct {
	char *repository_id; /* NULL: every repository */
	char *ref_name;      /* NULL for ANY_BRANCH and DEFAULT_BRANCH */
	alm_ado_scope_kind kind;
} alm_ado_scope;

typedef struct {
	int64_t id;
	alm_ado_policy_type type;
	int enabled, blocking, deleted;
	int min_approvers;        /* settings.minimumApproverCount; 0 when absent */
	int64_t build_definition; /* settings.buildDefinitionId; -1 when absent */
	char *display_name;       /* settings.displayName; NULL when absent */
	alm_ado_scope *scopes;
	size_t scope_count;       /* 0 with no settings.scope: applies everywhere */
} alm_ado_policy;

typedef struct {
	alm_ado_policy *items;
	size_t count;
} alm_ado_policies;

int alm_ado_parse_policies(alm_ado_policies *out, const char *body, size_t len);
void alm_ado_policies_dispose(alm_ado_policies *p);

/* 1 when the (enabled, not deleted) policy applies to branch `ref` (refs/heads/...)
 * of repository `repository_id`, that branch being the repository's default. */
int alm_ado_policy_applies(const alm_ado_policy *p, const char *repository_id, const char *ref);

/* --- environments --- */
typedef struct {
	int64_t id;
	char *name;
} alm_ado_environment;

typedef struct {
	alm_ado_environment *items;
	size_t count;
} alm_ado_environments;

int alm_ado_parse_environments(alm_ado_environments *out, const char *body, size_t len);
void alm_ado_environments_dispose(alm_ado_environments *e);

/* --- check configurations of one environment
 * (_apis/pipelines/checks/configurations?resourceType=environment&resourceId=N&$expand=settings) --- */
typedef struct {
	int approval;       /* an Approval (or pre/post-check approval) */
	int branch_control; /* the task check evaluatebranchProtection */
	int business_hours; /* the task check evaluatebusinessHours */
	size_t count;       /* configurations listed */
} alm_ado_checks;

int alm_ado_parse_checks(alm_ado_checks *out, const char *body, size_t len);

/* --- a user entitlement (vsaex: _apis/userentitlements/{id}) --- */
typedef enum {
	ALM_ADO_LICENSE_NONE,        /* no access level that lets the user in, or not said */
	ALM_ADO_LICENSE_STAKEHOLDER, /* free: no Repos, limited Pipelines */
	ALM_ADO_LICENSE_BASIC_OR_ABOVE
} alm_ado_license;

/* accessLevel.accountLicenseType (or a Visual Studio subscription, or
 * licenseDisplayName) into *out; the display name into `display`. */
int alm_ado_parse_entitlement(alm_ado_license *out, char *display, size_t n, const char *body, size_t len);

/* A search of user entitlements (_apis/userentitlements?$filter=name eq 'MAIL'):
 * *found is 1 when a member's mail address or principal name is `mail`, with
 * its access level in *out as above; 0 when nobody has it. */
int alm_ado_parse_entitlement_search(int *found, alm_ado_license *out, char *display, size_t n, const char *mail,
				     const char *body, size_t len);

/* --- commits of a repository (_apis/git/repositories/{id}/commits) --- */
typedef int (*alm_ado_author_fn)(void *ctx, const char *mail);

/* Calls fn with each commit's author.email (non-empty ones); *commits
 * receives how many commits the page listed. A negative return of fn stops. */
int alm_ado_parse_commit_authors(const char *body, size_t len, alm_ado_author_fn fn, void *ctx, size_t *commits);

/* --- a project (_apis/projects/{project}) --- */
int alm_ado_parse_project(char **name, const char *body, size_t len);

/* --- projects of an organization ({org}/_apis/projects) --- */
typedef struct {
	char *id;   /* "" when absent */
	char *name; /* never empty: items without a name are skipped */
} alm_ado_project;

typedef struct {
	alm_ado_project *items;
	size_t count;
} alm_ado_projects;

int alm_ado_parse_projects(alm_ado_projects *out, const char *body, size_t len);
void alm_ado_projects_dispose(alm_ado_projects *p);

/* One project object (the answer of _apis/projects/{project}) into a record. */
int alm_ado_parse_project_record(alm_ado_project *out, const char *body, size_t len);
void alm_ado_project_dispose(alm_ado_project *p);

/*
 * The human message of an error body: JSON {"message": ...} (BOM allowed), or
 * the first line of a plain-text body; HTML is not shown. Written to `out` as
 * one line (control characters and runs of blanks folded, at most n-1 bytes,
 * cut on a UTF-8 boundary). Returns 0 when a message was found, -1 otherwise.
 */
int alm_ado_parse_error_message(char *out, size_t n, const char *body, size_t len);

/* Folds `text` to one line as above, in place. */
void alm_ado_one_line(char *text);

#endif
