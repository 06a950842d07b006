#include "pp_xml.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * One driver for every reader: expat calls back with each element, and the
 * reader sees the element's local name (namespace prefix dropped), its depth
 * and its attributes, then the text of the elements it asked for. Expat
 * expands no external entity and (since 2.4) refuses amplification attacks,
 * so hostile input costs at most its own size.
 */

#define MAX_DEPTH 64

typedef struct parse parse;

typedef struct {
	/* Element start: return 1 to collect the element's text. */
	int (*start)(parse *p, const char *name, const char **attrs);
	/* Element end, with its text when collected. */
	void (*end)(parse *p, const char *name, const char *text);
} reader;

struct parse {
	XML_Parser xp;
	const reader *r;
	void *ctx;
	int depth;
	char names[MAX_DEPTH][64];    /* local names of the open elements */
	int collecting;               /* depth whose text is collected, or 0 */
	char text[ALM_PP_XML_TEXT];
	size_t textlen;
	int error;                    /* a callback's negative return */
};

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

/* The name of the element `up` levels above the current one ("" above the root). */
static const char *ancestor(const parse *p, int up)
{
	int d = p->depth - 1 - up;
	return d >= 0 && d < MAX_DEPTH ? p->names[d] : "";
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	parse *p = ud;
	const char *local = local_name(name);
	if (p->depth < MAX_DEPTH)
		snprintf(p->names[p->depth], sizeof p->names[p->depth], "%s", local);
	p->depth++;
	if (p->error || p->depth > MAX_DEPTH)
		return;
	if (p->r->start(p, local, attrs) && !p->collecting) {
		p->collecting = p->depth;
		p->textlen = 0;
		p->text[0] = '\0';
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	parse *p = ud;
	const char *local = local_name(name);
	if (p->collecting == p->depth) {
		/* trim the text: pretty-printed files wrap values in blanks */
		char *s = p->text;
		size_t n = p->textlen;
		while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		s[n] = '\0';
		p->collecting = 0;
		if (!p->error && p->depth <= MAX_DEPTH)
			p->r->end(p, local, s);
	}
	p->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	parse *p = ud;
	size_t n;
	if (!p->collecting || len <= 0)
		return;
	n = (size_t)len;
	if (n > sizeof p->text - 1 - p->textlen)
		n = sizeof p->text - 1 - p->textlen;
	memcpy(p->text + p->textlen, s, n);
	p->textlen += n;
	p->text[p->textlen] = '\0';
}

static int run(const reader *r, void *ctx, const char *xml, size_t len)
{
	parse p;
	int ok = 1;

	memset(&p, 0, sizeof p);
	p.r = r;
	p.ctx = ctx;
	p.xp = XML_ParserCreate(NULL);
	if (!p.xp)
		return -1;
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	/* XML_Parse takes an int length: feed large input in pieces. */
	while (ok && len > 0 && !p.error) {
		size_t n = len > (size_t)INT_MAX / 2 ? (size_t)INT_MAX / 2 : len;
		ok = XML_Parse(p.xp, xml, (int)n, 0) == XML_STATUS_OK;
		xml += n;
		len -= n;
	}
	if (ok && !p.error)
		ok = XML_Parse(p.xp, "", 0, 1) == XML_STATUS_OK;
	XML_ParserFree(p.xp);
	if (p.error)
		return p.error;
	return ok ? 0 : -1;
}

static const char *attr(const char **attrs, const char *name)
{
	size_t i;
	for (i = 0; attrs[i] && attrs[i + 1]; i += 2)
		if (strcasecmp(local_name(attrs[i]), name) == 0)
			return attrs[i + 1];
	return NULL;
}

/* Where a reader writes one string. */
typedef struct {
	char *buf;
	size_t size;
} out_text;

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* ---- Solution.xml ----------------------------------------------------- */

static int solution_start(parse *p, const char *name, const char **attrs)
{
	(void)attrs;
	if (p->depth == 3 && strcmp(ancestor(p, 1), "SolutionManifest") == 0)
		return strcmp(name, "UniqueName") == 0 || strcmp(name, "Version") == 0 ||
		       strcmp(name, "Managed") == 0;
	return p->depth == 4 && strcmp(name, "UniqueName") == 0 &&
	       strcmp(ancestor(p, 1), "Publisher") == 0 &&
	       strcmp(ancestor(p, 2), "SolutionManifest") == 0;
}

static void solution_end(parse *p, const char *name, const char *text)
{
	alm_pp_solution *s = p->ctx;
	if (p->depth == 4)
		copy(s->publisher, sizeof s->publisher, text);
	else if (strcmp(name, "UniqueName") == 0)
		copy(s->unique_name, sizeof s->unique_name, text);
	else if (strcmp(name, "Version") == 0)
		copy(s->version, sizeof s->version, text);
	else if (strcmp(text, "0") == 0 || strcmp(text, "1") == 0)
		s->managed = text[0] - '0';
}

int alm_pp_read_solution(alm_pp_solution *out, const char *xml, size_t len)
{
	static const reader r = { solution_start, solution_end };
	memset(out, 0, sizeof *out);
	out->managed = -1;
	return run(&r, out, xml, len);
}

/* ---- ControlManifest(.Input).xml -------------------------------------- */

static int control_start(parse *p, const char *name, const char **attrs)
{
	if (p->depth == 2 && strcmp(name, "control") == 0 && strcmp(ancestor(p, 1), "manifest") == 0) {
		const char *ns = attr(attrs, "namespace"), *ctor = attr(attrs, "constructor");
		out_text *o = p->ctx;
		if (ctor && *ctor)
			snprintf(o->buf, o->size, "%s%s%s", ns && *ns ? ns : "", ns && *ns ? "." : "", ctor);
	}
	return 0;
}

static void no_end(parse *p, const char *name, const char *text)
{
	(void)p, (void)name, (void)text;
}

/* A reader that writes one string into buf. */
static int read_text(const reader *r, char *buf, size_t size, const char *xml, size_t len)
{
	out_text o = { buf, size };
	if (!size)
		return -1;
	buf[0] = '\0';
	return run(r, &o, xml, len);
}

int alm_pp_read_control(char *name, size_t size, const char *xml, size_t len)
{
	static const reader r = { control_start, no_end };
	return read_text(&r, name, size, xml, len);
}

/* ---- .cdsproj --------------------------------------------------------- */

static int cdsproj_start(parse *p, const char *name, const char **attrs)
{
	(void)attrs;
	return p->depth == 3 && strcmp(name, "SolutionRootPath") == 0;
}

static void cdsproj_end(parse *p, const char *name, const char *text)
{
	out_text *o = p->ctx;
	(void)name;
	copy(o->buf, o->size, text);
}

int alm_pp_read_cdsproj(char *root, size_t size, const char *xml, size_t len)
{
	static const reader r = { cdsproj_start, cdsproj_end };
	return read_text(&r, root, size, xml, len);
}

/* ---- .csproj ---------------------------------------------------------- */

typedef struct {
	int plugin_sdk, client, test, package_deployer, program;
} project;

static int prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
	for (; *s; s++)
		if (prefix_ci(s, needle))
			return 1;
	return 0;
}

/* A package or assembly name: Include="Name" or Include="Name, Version=…". */
static void classify_reference(project *pr, const char *ref)
{
	static const char *const plugin[] = {
		"Microsoft.CrmSdk.CoreAssemblies", "Microsoft.Xrm.Sdk", "Microsoft.PowerApps.MSBuild.Plugin", NULL
	};
	static const char *const client[] = {
		"Microsoft.PowerPlatform.Dataverse.Client", "Microsoft.CrmSdk.XrmTooling.CoreAssembly",
		"Microsoft.Xrm.Tooling.Connector", NULL
	};
	static const char *const test[] = {
		"Microsoft.NET.Test.Sdk", "xunit", "MSTest.", "NUnit", "FakeXrmEasy",
		"Microsoft.VisualStudio.QualityTools.UnitTestFramework", "Microsoft.VisualStudio.TestPlatform", NULL
	};
	static const char *const deployer[] = {
		"Microsoft.CrmSdk.XrmTooling.PackageDeployment", "Microsoft.PowerApps.MSBuild.PDPackage",
		"Microsoft.Xrm.Tooling.PackageDeployment", NULL
	};
	size_t i;
	if (!ref)
		return;
	/* Microsoft.Xrm.Sdk.Workflow and friends are the plug-in SDK too; the
	 * deployment and tooling assemblies are matched first. */
	for (i = 0; deployer[i]; i++)
		if (prefix_ci(ref, deployer[i]))
			pr->package_deployer = 1;
	for (i = 0; client[i]; i++)
		if (prefix_ci(ref, client[i]))
			pr->client = 1;
	for (i = 0; test[i]; i++)
		if (prefix_ci(ref, test[i]))
			pr->test = 1;
	for (i = 0; plugin[i]; i++)
		if (prefix_ci(ref, plugin[i]) && !prefix_ci(ref, "Microsoft.Xrm.Sdk.Deployment"))
			pr->plugin_sdk = 1;
}

static int project_start(parse *p, const char *name, const char **attrs)
{
	project *pr = p->ctx;
	const char *sdk;
	if (p->depth == 1 && (sdk = attr(attrs, "Sdk")) != NULL &&
	    (prefix_ci(sdk, "Microsoft.NET.Sdk.Web") || prefix_ci(sdk, "Microsoft.NET.Sdk.Worker")))
		pr->program = 1;
	if (strcmp(name, "PackageReference") == 0 || strcmp(name, "Reference") == 0) {
		classify_reference(pr, attr(attrs, "Include"));
		classify_reference(pr, attr(attrs, "Update"));
	} else if (strcmp(name, "Import") == 0) {
		const char *imp = attr(attrs, "Project");
		if (imp && strstr(imp, "PDPackage"))
			pr->package_deployer = 1;
	}
	return strcmp(name, "OutputType") == 0 || strcmp(name, "IsTestProject") == 0 ||
	       strcmp(name, "ProjectTypeGuids") == 0;
}

static void project_end(parse *p, const char *name, const char *text)
{
	project *pr = p->ctx;
	if (strcmp(name, "OutputType") == 0)
		pr->program = strcasecmp(text, "Exe") == 0 || strcasecmp(text, "WinExe") == 0;
	else if (strcmp(name, "IsTestProject") == 0)
		pr->test = pr->test || strcasecmp(text, "true") == 0;
	else if (contains_ci(text, "3AC096D0-A1C2-E12C-1390-A8335801FDAB"))
		pr->test = 1; /* the old test-project type GUID */
}

int alm_pp_read_project(alm_pp_project_kind *out, const char *xml, size_t len)
{
	static const reader r = { project_start, project_end };
	project pr;
	int rc;

	memset(&pr, 0, sizeof pr);
	rc = run(&r, &pr, xml, len);
	if (pr.package_deployer)
		*out = ALM_PP_PROJECT_PACKAGE_DEPLOYER;
	else if (pr.test)
		*out = ALM_PP_PROJECT_TEST;
	else if (pr.program && (pr.plugin_sdk || pr.client))
		*out = ALM_PP_PROJECT_CLIENT;
	else if (pr.plugin_sdk)
		*out = ALM_PP_PROJECT_PLUGIN;
	else if (pr.client)
		*out = ALM_PP_PROJECT_CLIENT;
	else
		*out = ALM_PP_PROJECT_OTHER;
	return rc;
}

/* ---- Customizations.xml ----------------------------------------------- */

typedef struct {
	int (*cb)(void *, const char *);
	void *payload;
} refs_ctx;

static int refs_start(parse *p, const char *name, const char **attrs)
{
	refs_ctx *c = p->ctx;
	const char *logical;
	int rc;
	if (p->depth == 3 && strcmp(name, "connectionreference") == 0 &&
	    strcmp(ancestor(p, 1), "connectionreferences") == 0 &&
	    (logical = attr(attrs, "connectionreferencelogicalname")) != NULL && *logical &&
	    (rc = c->cb(c->payload, logical)) < 0) {
		p->error = rc;
		XML_StopParser(p->xp, XML_FALSE);
	}
	return 0;
}

int alm_pp_read_connection_references(const char *xml, size_t len,
				      int (*cb)(void *payload, const char *name), void *payload)
{
	static const reader r = { refs_start, no_end };
	refs_ctx c = { cb, payload };
	return run(&r, &c, xml, len);
}
