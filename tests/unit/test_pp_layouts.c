/*
 * Power Platform layouts as real repositories hold them, read by the
 * repository probe from git repositories made with the git command line: an
 * ALM Accelerator solution repository with its deploy pipelines and settings
 * per environment, code components as sources and packaged in a solution,
 * plug-ins beside test, client and Package Deployer projects, a maker's canvas
 * apps, a repository with no Power Platform content and a dormant one; and the
 * pipeline YAML reader on the forms YAML allows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alm/error.h"
#include "alm/facts.h"
#include "alm/repo_probe.h"
#include "pipeline_yaml.h"
#include "support.h"

static void put(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if (test_write_file(path, text) != 0)
		fail_msg("cannot write %s", path);
}

/* Commits everything at time t. */
static void commit_all(const char *dir, long t)
{
	if (test_sh("cd '%s' && git add -A && GIT_AUTHOR_DATE='@%ld +0000' "
		    "GIT_COMMITTER_DATE='@%ld +0000' git commit -q -m layout >/dev/null",
		    dir, t, t) != 0)
		fail_msg("commit failed in %s", dir);
}

static alm_facts *probe(const char *dir, const alm_repo_probe_options *opts)
{
	alm_facts *f = NULL;
	assert_int_equal(alm_facts_new(&f), 0);
	if (alm_repo_probe(f, dir, opts) != 0)
		fail_msg("alm_repo_probe(%s): %s", dir, alm_error_last());
	return f;
}

static const cJSON *list(const alm_facts *f, const char *path, int count)
{
	const cJSON *j = alm_facts_get(f, path);
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) != count) {
		char *got = j ? cJSON_PrintUnformatted(j) : NULL;
		fail_msg("%s: expected %d entries, got %s", path, count, got ? got : "(missing)");
	}
	return j;
}

/* Entry `i` of the list at `path` has `key` equal to the JSON text `value`. */
static void want_field(const alm_facts *f, const char *path, int i, const char *key,
		       const char *value)
{
	const cJSON *e = cJSON_GetArrayItem(alm_facts_get(f, path), i);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
	cJSON *want = cJSON_Parse(value);
	if (!want)
		fail_msg("bad expected JSON %s", value);
	if (!v || !cJSON_Compare(v, want, 1)) {
		char *got = e ? cJSON_PrintUnformatted(e) : NULL;
		fail_msg("%s[%d].%s: expected %s in %s", path, i, key, value, got ? got : "(missing)");
	}
	cJSON_Delete(want);
}

/* One field of an entry of a list fact: entry `i` has `key` equal to the JSON
 * text `value`. */
typedef struct {
	int i;
	const char *key, *value;
} entry_field;

/* The list at `path` has `count` entries, with every field of `fields` (up to
 * one whose key is NULL). */
static void want_entries(const alm_facts *f, const char *path, int count, const entry_field *fields)
{
	list(f, path, count);
	for (; fields->key; fields++)
		want_field(f, path, fields->i, fields->key, fields->value);
}

/* The fact is this JSON text exactly. */
static void want_json(const alm_facts *f, const char *path, const char *value)
{
	const cJSON *v = alm_facts_get(f, path);
	cJSON *want = cJSON_Parse(value);
	if (!want)
		fail_msg("bad expected JSON %s", value);
	if (!v || !cJSON_Compare(v, want, 1)) {
		char *got = v ? cJSON_PrintUnformatted(v) : NULL;
		fail_msg("%s: expected %s, got %s", path, value, got ? got : "(missing)");
	}
	cJSON_Delete(want);
}

static void want_status(const alm_facts *f, const char *status)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(alm_facts_probes(f), "repo");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "status");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");
	if (!cJSON_IsString(s) || strcmp(s->valuestring, status) != 0)
		fail_msg("status: expected %s, got %s (%s)", status, cJSON_IsString(s) ? s->valuestring : "?",
			 cJSON_IsString(d) ? d->valuestring : "");
}

/* ---- fixtures --------------------------------------------------------- */

static const char solution_xml[] =
	"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<ImportExportXml version=\"9.2.24012.196\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\" "
	"generatedBy=\"CrmLive\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	"  <SolutionManifest>\n"
	"    <UniqueName>ContosoInvoices</UniqueName>\n"
	"    <LocalizedNames><LocalizedName description=\"Contoso Invoices\" languagecode=\"1033\" /></LocalizedNames>\n"
	"    <Descriptions />\n"
	"    <Version>1.2.0.3</Version>\n"
	"    <Managed>0</Managed>\n"
	"    <Publisher>\n"
	"      <UniqueName>contoso</UniqueName>\n"
	"      <LocalizedNames><LocalizedName description=\"Contoso\" languagecode=\"1033\" /></LocalizedNames>\n"
	"    </Publisher>\n"
	"    <RootComponents><RootComponent type=\"1\" schemaName=\"contoso_invoice\" behavior=\"0\" /></RootComponents>\n"
	"  </SolutionManifest>\n"
	"</ImportExportXml>\n";

static const char customizations_xml[] =
	"<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" OrganizationVersion=\"9.2\">\n"
	"  <Entities />\n  <Roles />\n  <Workflows />\n"
	"  <connectionreferences>\n"
	"    <connectionreference connectionreferencelogicalname=\"contoso_sharedoffice365_a1b2c\">\n"
	"      <connectionreferencedisplayname>Office 365 Outlook</connectionreferencedisplayname>\n"
	"      <connectorid>/providers/Microsoft.PowerApps/apis/shared_office365</connectorid>\n"
	"    </connectionreference>\n"
	"    <connectionreference connectionreferencelogicalname=\"contoso_sharedcommondataserviceforapps_d3e4f\">\n"
	"      <connectorid>/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps</connectorid>\n"
	"    </connectionreference>\n"
	"  </connectionreferences>\n"
	"</ImportExportXml>\n";

static const char cdsproj_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Project ToolsVersion=\"15.0\" DefaultTargets=\"Build\" xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\">\n"
	"  <PropertyGroup>\n    <SolutionRootPath>src</SolutionRootPath>\n  </PropertyGroup>\n"
	"</Project>\n";

/* The accelerator's validation pipeline: a build stage, then a deploy stage
 * whose template parameters name the environment through variables. */
static const char deploy_validation_yml[] =
	"trigger: none\n"
	"pr: none\n"
	"resources:\n"
	"  repositories:\n"
	"  - repository: PipelineRepo\n"
	"    type: git\n"
	"    name: coe-alm-accelerator-templates\n"
	"variables:\n"
	"- group: alm-accelerator-variable-group\n"
	"- name: SolutionName\n"
	"  value: ContosoInvoices\n"
	"stages:\n"
	"- stage: build\n"
	"  jobs:\n"
	"  - template: Pipelines/Templates/build-Solution.yml@PipelineRepo\n"
	"    parameters:\n"
	"      buildType: Both\n"
	"      serviceConnectionName: $(ValidationServiceConnection)\n"
	"- stage: deploy\n"
	"  displayName: 'Deploy to Validation'\n"
	"  jobs:\n"
	"  - template: Pipelines/Templates/deploy-Solution.yml@PipelineRepo\n"
	"    parameters:\n"
	"      serviceConnectionName: $(ValidationServiceConnection)\n"
	"      serviceConnectionUrl: $(ValidationServiceConnectionUrl)\n"
	"      environmentName: $(ValidationEnvironmentName)\n";

static const char deploy_test_yml[] =
	"trigger:\n  branches:\n    include: [ContosoInvoices]\n"
	"variables:\n- group: alm-accelerator-variable-group\n"
	"stages:\n"
	"- template: Pipelines\\Templates\\build-deploy-Solution-To-Environment.yml@PipelineRepo\n"
	"  parameters:\n"
	"    serviceConnection: 'Test'\n";

/* Flow-style parameters and a quoted key. */
static const char deploy_prod_yml[] =
	"trigger: {branches: {include: [main]}}\n"
	"\"variables\": [{group: alm-accelerator-variable-group}]\n"
	"stages:\n"
	"- {template: \"Pipelines/Templates/build-deploy-Solution-To-Environment.yml@PipelineRepo\", "
	"parameters: {serviceConnection: \"Production\", environmentName: prod}}\n";

static const char export_yml[] =
	"trigger: none\n"
	"parameters:\n- name: gitAccessUrl\n  type: string\n"
	"stages:\n- stage: exportSolutionStage\n  jobs:\n"
	"  - template: Templates/export-Solution.yml\n";

static void accelerator_repository(const char *dir)
{
	const char *s = "ContosoInvoices/SolutionPackage/";
	char p[512];
#define AT(rel) (snprintf(p, sizeof p, "%s%s", s, rel), p)
	put(dir, AT("ContosoInvoices.cdsproj"), cdsproj_xml);
	put(dir, AT("src/Other/Solution.xml"), solution_xml);
	put(dir, AT("src/Other/Customizations.xml"), customizations_xml);
	put(dir, AT("src/Other/Relationships.xml"), "<EntityRelationships/>\n");
	put(dir, AT("src/CanvasApps/contoso_invoiceapp_DocumentUri.msapp"), "PK\n");
	put(dir, AT("src/CanvasApps/contoso_invoiceapp.meta.xml"), "<CanvasApp/>\n");
	put(dir, AT("src/CanvasApps/src/contoso_invoiceapp/CanvasManifest.json"), "{}\n");
	put(dir, AT("src/CanvasApps/src/contoso_invoiceapp/Src/App.fx.yaml"), "App As appinfo:\n");
	put(dir, AT("src/Workflows/Approveinvoice-1A2B3C4D-0000-1111-2222-333344445555.json"), "{}\n");
	put(dir, AT("src/Workflows/Approveinvoice-1A2B3C4D-0000-1111-2222-333344445555.json.data.xml"),
	    "<Workflow/>\n");
	put(dir, AT("src/Workflows/Notifyfinance-99999999-AAAA-BBBB-CCCC-DDDDDDDDDDDD.json"), "{}\n");
	put(dir, AT("src/environmentvariabledefinitions/contoso_ApiUrl/environmentvariabledefinition.xml"),
	    "<environmentvariabledefinition schemaname=\"contoso_ApiUrl\"/>\n");
	put(dir, AT("src/bots/contoso_helpdesk/bot.xml"), "<bot/>\n");
	put(dir, AT("src/botcomponents/contoso_helpdesk.topic.Greeting/botcomponent.xml"), "<botcomponent/>\n");
	put(dir, AT("src/Connectors/contoso_5Ferp_openapidefinition.json"), "{\"swagger\": \"2.0\"}\n");
	put(dir, AT("src/Connectors/contoso_5Ferp_connectionparameters.json"), "{}\n");
	put(dir, AT("src/Connectors/contoso_5Ferp_script.csx"), "public class Script {}\n");
#undef AT
	put(dir, "ContosoInvoices/config/Validation/deploymentSettings.json", "{}\n");
	put(dir, "ContosoInvoices/config/Test/deploymentSettings.json", "{}\n");
	put(dir, "ContosoInvoices/config/Test/customDeploymentSettings.json", "{}\n");
	put(dir, "ContosoInvoices/config/Prod/customDeploymentSettings.json", "{}\n");
	put(dir, "Pipelines/deploy-validation-ContosoInvoices.yml", deploy_validation_yml);
	put(dir, "Pipelines/deploy-test-ContosoInvoices.yml", deploy_test_yml);
	put(dir, "Pipelines/deploy-prod-ContosoInvoices.yml", deploy_prod_yml);
	put(dir, "Pipelines/export-solution-to-git.yml", export_yml);
	put(dir, "ContosoInvoices/ConfigurationMigrationData/data.xml", "<entities/>\n");
	put(dir, "ContosoInvoices/ConfigurationMigrationData/data_schema.xml", "<entities/>\n");
}

static void test_accelerator_solution_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	accelerator_repository(dir);
	commit_all(dir, 1000);
	f = probe(dir, NULL);

	want_json(f, "repo.power_platform.present", "true");
	want_entries(f, "repo.power_platform.solutions", 1, (const entry_field[]){
		{0, "path", "\"ContosoInvoices/SolutionPackage\""}, {0, "unique_name", "\"ContosoInvoices\""},
		{0, "version", "\"1.2.0.3\""}, {0, "publisher", "\"contoso\""}, {0, "managed", "false"}, {0}});
	want_json(f, "repo.files.power_platform.solutions", "[\"ContosoInvoices/SolutionPackage\"]");

	want_entries(f, "repo.power_platform.canvas_apps", 1, (const entry_field[]){
		{0, "name", "\"contoso_invoiceapp\""}, {0, "form", "\"both\""}, {0}});
	want_entries(f, "repo.power_platform.cloud_flows", 2, (const entry_field[]){
		{0, "name", "\"Approveinvoice\""}, {1, "name", "\"Notifyfinance\""}, {0}});
	want_entries(f, "repo.power_platform.environment_variables", 1, (const entry_field[]){
		{0, "name", "\"contoso_ApiUrl\""}, {0}});
	want_entries(f, "repo.power_platform.connection_references", 2, (const entry_field[]){
		{0, "name", "\"contoso_sharedcommondataserviceforapps_d3e4f\""}, {0}});
	want_entries(f, "repo.power_platform.copilot_agents", 1, (const entry_field[]){
		{0, "name", "\"contoso_helpdesk\""}, {0}});
	want_entries(f, "repo.power_platform.custom_connectors", 1, (const entry_field[]){
		{0, "name", "\"contoso_5Ferp\""}, {0, "has_code", "true"},
		{0, "path", "\"ContosoInvoices/SolutionPackage/src/Connectors/contoso_5Ferp_openapidefinition.json\""},
		{0}});
	list(f, "repo.power_platform.configuration_data", 1);
	list(f, "repo.power_platform.code_components", 0);
	list(f, "repo.power_platform.plugin_projects", 0);

	want_json(f, "repo.deployments.environments", "[\"development\", \"validation\", \"test\", \"production\"]");
	want_json(f, "repo.deployments.tools", "[\"alm-accelerator\"]");
	want_entries(f, "repo.deployments.pipelines", 4, (const entry_field[]){
		{0, "path", "\"Pipelines/deploy-prod-ContosoInvoices.yml\""}, {0, "environment", "\"production\""},
		{1, "environment", "\"test\""}, {2, "environment", "\"validation\""},
		{2, "tool", "\"alm-accelerator\""}, {3, "environment", "\"development\""}, {0}});
	want_json(f, "repo.deployment_settings.environments", "[\"validation\", \"test\", \"production\"]");
	want_json(f, "repo.pipelines.azure_yaml", "true");
	want_json(f, "repo.pipelines.as_code", "true");
	want_json(f, "repo.files.alm_accelerator.variable_group", "true");
	want_json(f, "repo.history.window_empty", "false");
	want_status(f, "ok");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static const char control_manifest_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<manifest>\n"
	"  <control namespace=\"Contoso\" constructor=\"CurrencyInput\" version=\"1.0.0\" "
	"display-name-key=\"CurrencyInput\" control-type=\"standard\">\n"
	"    <property name=\"value\" of-type=\"Decimal\" usage=\"bound\" required=\"true\" />\n"
	"    <resources><code path=\"index.ts\" order=\"1\" /></resources>\n"
	"  </control>\n</manifest>\n";

static void test_code_component_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	/* pac pcf init: the project, and the control's folder below it */
	put(dir, "CurrencyInput/CurrencyInput.pcfproj", "<Project/>\n");
	put(dir, "CurrencyInput/CurrencyInput/ControlManifest.Input.xml", control_manifest_xml);
	put(dir, "CurrencyInput/CurrencyInput/index.ts", "export class CurrencyInput {}\n");
	put(dir, "CurrencyInput/node_modules/pcf-scripts/ControlManifest.Input.xml", control_manifest_xml);
	put(dir, "CurrencyInput/out/controls/CurrencyInput/ControlManifest.xml", control_manifest_xml);
	put(dir, "Gauge/Gauge.pcfproj", "<Project/>\n");
	put(dir, "Gauge/Gauge.pcfproj.user", "<Project/>\n");
	put(dir, "Gauge/GaugeControl/ControlManifest.Input.xml",
	    "<manifest><control namespace=\"Contoso\" constructor=\"Gauge\"/></manifest>\n");
	put(dir, "Sketch/Sketch.pcfproj", "<Project/>\n");
	/* the solution packaging both */
	put(dir, "Solution/ContosoControls.cdsproj", cdsproj_xml);
	put(dir, "Solution/src/Other/Solution.xml",
	    "<ImportExportXml><SolutionManifest><UniqueName>ContosoControls</UniqueName>"
	    "<Version>2.0.0.0</Version><Managed>2</Managed></SolutionManifest></ImportExportXml>\n");
	put(dir, "Solution/src/Controls/Contoso.CurrencyInput/ControlManifest.xml", control_manifest_xml);
	put(dir, "Solution/src/Controls/Contoso.Gauge/ControlManifest.xml", "<manifest>\n");
	commit_all(dir, 1000);
	f = probe(dir, NULL);

	want_entries(f, "repo.power_platform.solutions", 1, (const entry_field[]){
		{0, "managed", "null"}, {0, "publisher", "null"}, {0}});
	want_entries(f, "repo.power_platform.code_components", 5, (const entry_field[]){
		{0, "path", "\"CurrencyInput/CurrencyInput\""}, {0, "name", "\"Contoso.CurrencyInput\""},
		{0, "packaged", "false"}, {1, "name", "\"Contoso.Gauge\""}, {2, "name", "\"Sketch\""},
		{3, "path", "\"Solution/src/Controls/Contoso.CurrencyInput\""}, {3, "packaged", "true"}, {0}});
	/* a manifest that is not well-formed is still the component its folder names */
	want_field(f, "repo.power_platform.code_components", 4, "name", "\"Contoso.Gauge\"");
	want_field(f, "repo.power_platform.code_components", 4, "packaged", "true");
	list(f, "repo.files.power_platform.pcf_components", 5);
	want_json(f, "repo.deployments.environments", "[]");
	want_json(f, "repo.pipelines.as_code", "false");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static const char plugin_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk\">\n"
	"  <PropertyGroup><TargetFramework>net462</TargetFramework><SignAssembly>true</SignAssembly></PropertyGroup>\n"
	"  <ItemGroup>\n"
	"    <PackageReference Include=\"Microsoft.CrmSdk.CoreAssemblies\" Version=\"9.0.2.49\" />\n"
	"    <PackageReference Include=\"Microsoft.PowerApps.MSBuild.Plugin\" Version=\"1.*\" />\n"
	"  </ItemGroup>\n</Project>\n";

static const char plugin_tests_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk\">\n"
	"  <PropertyGroup><TargetFramework>net462</TargetFramework><IsPackable>false</IsPackable></PropertyGroup>\n"
	"  <ItemGroup>\n"
	"    <PackageReference Include=\"Microsoft.CrmSdk.CoreAssemblies\" Version=\"9.0.2.49\" />\n"
	"    <PackageReference Include=\"FakeXrmEasy.v9\" Version=\"3.4.2\" />\n"
	"    <PackageReference Include=\"Microsoft.NET.Test.Sdk\" Version=\"17.8.0\" />\n"
	"    <PackageReference Include=\"xunit\" Version=\"2.6.2\" />\n"
	"  </ItemGroup>\n"
	"  <ItemGroup><ProjectReference Include=\"..\\Contoso.Plugins\\Contoso.Plugins.csproj\" /></ItemGroup>\n"
	"</Project>\n";

static const char console_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk\">\n"
	"  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    <TargetFramework>net8.0</TargetFramework>\n"
	"  </PropertyGroup>\n"
	"  <ItemGroup><PackageReference Include=\"Microsoft.PowerPlatform.Dataverse.Client\" Version=\"1.1.17\" /></ItemGroup>\n"
	"</Project>\n";

static const char web_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n"
	"  <ItemGroup><PackageReference Include=\"Microsoft.CrmSdk.XrmTooling.CoreAssembly\" Version=\"9.1.1.32\" /></ItemGroup>\n"
	"</Project>\n";

static const char package_deployer_csproj[] =
	"<Project Sdk=\"Microsoft.NET.Sdk\">\n"
	"  <PropertyGroup><TargetFramework>net462</TargetFramework></PropertyGroup>\n"
	"  <ItemGroup>\n"
	"    <PackageReference Include=\"Microsoft.PowerApps.MSBuild.PDPackage\" Version=\"1.*\" />\n"
	"    <PackageReference Include=\"Microsoft.CrmSdk.XrmTooling.PackageDeployment\" Version=\"9.1.0.116\" />\n"
	"  </ItemGroup>\n</Project>\n";

static const char legacy_plugin_csproj[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Project ToolsVersion=\"15.0\" xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\">\n"
	"  <PropertyGroup><OutputType>Library</OutputType><AssemblyName>Legacy</AssemblyName></PropertyGroup>\n"
	"  <ItemGroup>\n"
	"    <Reference Include=\"Microsoft.Xrm.Sdk, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35\" />\n"
	"    <Reference Include=\"System.Runtime.Serialization\" />\n"
	"  </ItemGroup>\n</Project>\n";

static void test_plugin_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	put(dir, "Contoso.Plugins/Contoso.Plugins.csproj", plugin_csproj);
	put(dir, "Contoso.Plugins/InvoicePlugin.cs", "public class InvoicePlugin : IPlugin {}\n");
	put(dir, "Contoso.Plugins.Tests/Contoso.Plugins.Tests.csproj", plugin_tests_csproj);
	put(dir, "Tools/Importer/Importer.csproj", console_csproj);
	put(dir, "Web/Portal/Portal.csproj", web_csproj);
	put(dir, "Deployment/ContosoPackage/ContosoPackage.csproj", package_deployer_csproj);
	put(dir, "Legacy/Legacy.csproj", legacy_plugin_csproj);
	put(dir, "Shared/Shared.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"/>\n");
	put(dir, "Contoso.Plugins/bin/Debug/Contoso.Plugins.csproj", plugin_csproj);
	commit_all(dir, 1000);
	f = probe(dir, NULL);

	want_entries(f, "repo.power_platform.plugin_projects", 2, (const entry_field[]){
		{0, "name", "\"Contoso.Plugins\""}, {0, "path", "\"Contoso.Plugins/Contoso.Plugins.csproj\""},
		{1, "name", "\"Legacy\""}, {0}});
	want_json(f, "repo.files.power_platform.plugins",
		  "[\"Contoso.Plugins/Contoso.Plugins.csproj\", \"Legacy/Legacy.csproj\"]");
	want_entries(f, "repo.power_platform.test_projects", 1, (const entry_field[]){
		{0, "name", "\"Contoso.Plugins.Tests\""}, {0}});
	want_entries(f, "repo.power_platform.dataverse_clients", 2, (const entry_field[]){
		{0, "name", "\"Importer\""}, {1, "name", "\"Portal\""}, {0}});
	want_entries(f, "repo.power_platform.package_deployer_projects", 1, (const entry_field[]){
		{0, "name", "\"ContosoPackage\""}, {0}});
	want_json(f, "repo.power_platform.present", "true");
	alm_facts_free(f);

	/* Without the plug-ins, the rest answers no plug-in question. */
	if (test_sh("cd '%s' && git rm -q -r Contoso.Plugins Legacy >/dev/null", dir) != 0)
		fail_msg("git rm failed");
	commit_all(dir, 2000);
	f = probe(dir, NULL);
	list(f, "repo.power_platform.plugin_projects", 0);
	want_json(f, "repo.files.power_platform.plugins", "[]");
	list(f, "repo.power_platform.test_projects", 1);
	list(f, "repo.power_platform.dataverse_clients", 2);
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_maker_canvas_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	put(dir, "apps/Expenses.msapp", "PK\n");
	put(dir, "apps/Expenses/CanvasManifest.json", "{\"FormatVersion\": \"0.24\"}\n");
	put(dir, "apps/Expenses/Src/App.fx.yaml", "App As appinfo:\n    OnStart: =Set(x, 1)\n");
	put(dir, "apps/Travel_DocumentUri.msapp", "PK\n");
	put(dir, "sources/src/Timesheet/CanvasManifest.json", "{}\n");
	put(dir, "README.md", "Our apps\n");
	commit_all(dir, 1000);
	f = probe(dir, NULL);

	want_entries(f, "repo.power_platform.canvas_apps", 3, (const entry_field[]){
		{0, "path", "\"apps/Expenses.msapp\""}, {0, "form", "\"both\""}, {1, "name", "\"Travel\""},
		{1, "form", "\"msapp\""}, {2, "path", "\"sources/src/Timesheet\""}, {2, "form", "\"sources\""}, {0}});
	list(f, "repo.files.power_platform.canvas_apps", 3);
	list(f, "repo.power_platform.solutions", 0);
	want_json(f, "repo.power_platform.present", "true");
	want_json(f, "repo.pipelines.as_code", "false");
	want_json(f, "repo.deployment_settings.environments", "[]");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static const char build_workflow_yml[] =
	"name: build\non:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
	"    steps:\n    - uses: actions/checkout@v4\n    - run: make test\n";

static void test_no_power_platform_repository(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	static const char *const lists[] = {
		"repo.power_platform.solutions", "repo.power_platform.code_components",
		"repo.power_platform.canvas_apps", "repo.power_platform.custom_connectors",
		"repo.power_platform.plugin_projects", "repo.power_platform.test_projects",
		"repo.power_platform.dataverse_clients", "repo.power_platform.package_deployer_projects",
		"repo.power_platform.cloud_flows", "repo.power_platform.environment_variables",
		"repo.power_platform.connection_references", "repo.power_platform.power_pages_sites",
		"repo.power_platform.copilot_agents", "repo.power_platform.configuration_data",
		"repo.deployments.pipelines", NULL
	};
	size_t i;
	(void)state;

	put(dir, "src/main.c", "int main(void) { return 0; }\n");
	put(dir, "Makefile", "all:\n\tcc src/main.c\n");
	put(dir, ".github/workflows/build.yml", build_workflow_yml);
	put(dir, "docs/config.yml", "title: docs\n");
	commit_all(dir, 1000);
	f = probe(dir, NULL);
	for (i = 0; lists[i]; i++)
		list(f, lists[i], 0);
	want_json(f, "repo.power_platform.present", "false");
	want_json(f, "repo.deployments.environments", "[]");
	want_json(f, "repo.deployments.tools", "[]");
	want_json(f, "repo.pipelines.azure_yaml", "false");
	want_json(f, "repo.pipelines.as_code", "true");
	want_status(f, "ok");
	alm_facts_free(f);
	test_remove_dir(dir);
}

static void test_dormant_repository(void **state)
{
	char *dir = test_git_init();
	alm_repo_probe_options o = ALM_REPO_PROBE_OPTIONS_INIT;
	alm_facts *f;
	(void)state;

	accelerator_repository(dir);
	commit_all(dir, 1000);
	put(dir, "README.md", "last words\n");
	commit_all(dir, 5000);
	o.all_history = 0;
	o.since = 86400;
	f = probe(dir, &o);
	want_json(f, "repo.commits", "0");
	want_json(f, "repo.history.window_empty", "true");
	want_json(f, "repo.last_commit_at", "\"1970-01-01T01:23:20Z\"");
	/* the tree at HEAD is read whatever the window */
	list(f, "repo.power_platform.solutions", 1);
	alm_facts_free(f);

	o.since = 2000;
	f = probe(dir, &o);
	want_json(f, "repo.commits", "1");
	want_json(f, "repo.history.window_empty", "false");
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* A Power Pages site's hundreds of .yml files do not crowd the pipelines out
 * of the bounded reading. */
static void test_pipelines_read_first(void **state)
{
	char *dir = test_git_init();
	alm_facts *f;
	(void)state;

	if (test_sh("cd '%s' && mkdir -p site/web-pages && i=0 && while [ $i -lt 2100 ]; do "
		    "printf 'adx_name: p%%d\\n' $i > site/web-pages/p$i.webpage.yml; i=$((i+1)); done", dir) != 0)
		fail_msg("cannot write the site");
	put(dir, "site/website.yml", "adx_name: Site\n");
	put(dir, "zz/Pipelines/deploy-test-ContosoInvoices.yml", deploy_test_yml);
	commit_all(dir, 1000);
	f = probe(dir, NULL);
	want_json(f, "repo.deployments.environments", "[\"test\"]");
	list(f, "repo.power_platform.power_pages_sites", 1);
	want_status(f, "degraded"); /* some of the site's files were not read: said so */
	alm_facts_free(f);
	test_remove_dir(dir);
}

/* ---- YAML as YAML means it -------------------------------------------- */

typedef struct {
	char seen[16][64]; /* "stage tool" */
	int n;
	int envs;
} deploys;

static int on_deploy(void *payload, const alm_yaml_deploy *d)
{
	deploys *ds = payload;
	const char *st = alm_stage_name(d->stage);
	if (ds->n < 16)
		snprintf(ds->seen[ds->n], sizeof ds->seen[0], "%s %s%s", st ? st : "-",
			 alm_deploy_tool_name(d->tool), d->export ? " export" : "");
	ds->n++;
	return 0;
}

static int on_env(void *payload, const char *name, size_t len)
{
	deploys *ds = payload;
	(void)name;
	(void)len;
	ds->envs++;
	return 0;
}

static void inspect(const char *yaml, const char *file, alm_yaml_info *info, deploys *ds)
{
	alm_yaml_callbacks cb = { on_env, on_deploy, ds, file };
	memset(ds, 0, sizeof *ds);
	assert_int_equal(alm_yaml_inspect(info, yaml, strlen(yaml), &cb), 0);
}

static void want_deploys(const deploys *ds, const char *const *expected)
{
	int i;
	for (i = 0; expected[i]; i++)
		if (i >= ds->n || strcmp(ds->seen[i], expected[i]) != 0)
			fail_msg("deploy %d: expected \"%s\", got \"%s\" (%d in all)", i, expected[i],
				 i < ds->n ? ds->seen[i] : "(none)", ds->n);
	if (ds->n != i)
		fail_msg("expected %d deploys, got %d", i, ds->n);
}

static const char flow_style_yml[] =
	"{trigger: none, stages: [{stage: DeployProd, jobs: [{deployment: Prod, "
	"environment: {name: Production}, strategy: {runOnce: {deploy: {steps: "
	"[{task: \"PowerPlatformImportSolution@2\", inputs: {SolutionInputFile: out.zip}}]}}}}]}]}\n";

static const char quoted_keys_yml[] =
	"\"on\":\n  push: {branches: [main]}\n"
	"'jobs':\n"
	"  'deploy-uat':\n"
	"    runs-on: windows-latest\n"
	"    steps:\n"
	"    - uses: microsoft/powerplatform-actions/actions-install@v1\n"
	"    - uses: \"microsoft/powerplatform-actions/import-solution@v1\"\n"
	"      with:\n"
	"        environment-url: ${{ secrets.UAT_ENVIRONMENT_URL }}\n"
	"        solution-file: out/Contoso.zip\n"
	"  export:\n"
	"    runs-on: windows-latest\n"
	"    steps:\n"
	"    - uses: microsoft/powerplatform-actions/export-solution@v1\n";

static const char block_scalar_yml[] =
	"trigger: [main]\n"
	"pool: {vmImage: windows-latest}\n"
	"# pac solution import in a comment deploys nothing\n"
	"steps:\n"
	"- script: |\n"
	"    pac auth create --url $(ProdUrl)\n"
	"    pac   solution   import --path $(Build.ArtifactStagingDirectory)/Contoso.zip\n"
	"  displayName: 'Import to production'\n"
	"- powershell: >-\n"
	"    pac pipeline deploy\n"
	"    --stageId $(StageId) --currentVersion 1.0\n"
	"  displayName: Promote to QA\n"
	"- script: echo pac solution importer is no command\n";

static const char anchors_yml[] =
	"trigger: none\n"
	"definitions:\n"
	"  import: &import\n"
	"    task: PowerPlatformImportSolution@2\n"
	"    inputs: {SolutionInputFile: out.zip}\n"
	"jobs:\n"
	"- job: Test\n"
	"  steps:\n"
	"  - *import\n"
	"- job: Prod\n"
	"  steps:\n"
	"  - <<: *import\n"
	"    displayName: again\n";

static void test_yaml_forms(void **state)
{
	alm_yaml_info info;
	deploys ds;
	(void)state;

	{
		static const char *const want[] = { "production build-tools", NULL };
		inspect(flow_style_yml, "azure-pipelines.yml", &info, &ds);
		assert_true(info.azure);
		assert_int_equal(ds.envs, 1);
		want_deploys(&ds, want);
	}
	{
		/* the anchored step is defined once and used twice; the definition
		 * itself, under a key naming no stage, falls back to the file name */
		static const char *const want[] = { "- build-tools", "test build-tools",
						    "production build-tools", NULL };
		inspect(anchors_yml, "pipeline.yml", &info, &ds);
		want_deploys(&ds, want);
	}
	{
		static const char *const want[] = { "test github-actions",
						    "development github-actions export", NULL };
		inspect(quoted_keys_yml, "release.yml", &info, &ds);
		assert_true(info.github_workflow_syntax);
		want_deploys(&ds, want);
	}
	{
		static const char *const want[] = { "production pac-cli", "test pac-pipeline", NULL };
		inspect(block_scalar_yml, "azure-pipelines.yml", &info, &ds);
		assert_true(info.azure);
		want_deploys(&ds, want);
	}
}

/* An alias bomb: a few hundred bytes that mean a million nodes. */
static void test_yaml_alias_bomb(void **state)
{
	char text[2048];
	size_t n = 0;
	const char *names = "abcdef";
	int i, j;
	alm_yaml_info info;
	deploys ds;
	(void)state;

	n += (size_t)snprintf(text + n, sizeof text - n, "steps:\n- &a {task: PowerPlatformImportSolution@2}\n");
	for (i = 1; i < 6; i++) {
		n += (size_t)snprintf(text + n, sizeof text - n, "%c: &%c [", names[i], names[i]);
		for (j = 0; j < 10; j++)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s*%c", j ? ", " : "", names[i - 1]);
		n += (size_t)snprintf(text + n, sizeof text - n, "]\n");
	}
	inspect(text, "x.yml", &info, &ds);
	assert_true(info.parsed);
	assert_true(info.truncated);
	assert_true(ds.n <= ALM_YAML_MAX_VISITS);
}

/* An alias inside the node it names is a cycle in libyaml's graph: the walk
 * ends (cut at the depth bound), and the steps above the cut are still read. */
static void test_yaml_alias_cycle(void **state)
{
	static const char *const forms[] = {
		/* the mapping holds itself, through a key (the input fuzzing found:
		 * `in  - <<` is a plain key whose value is the alias) */
		"trigger: none\n"
		"definitions:\n"
		"  import: &import\n"
		"    task: PowerPlatformImportSolution@2\n"
		"    in  - <<: *import\n"
		"    displayName: again\n",
		/* a sequence holds itself */
		"steps: &s\n"
		"- task: PowerPlatformImportSolution@2\n"
		"- *s\n",
		/* two mappings hold each other, one through a merge key */
		"jobs:\n"
		"- job: a\n"
		"  x: &a\n"
		"    y: &b\n"
		"      task: PowerPlatformImportSolution@2\n"
		"      back: *a\n"
		"    <<: *b\n",
	};
	size_t i;
	alm_yaml_info info;
	deploys ds;
	(void)state;
	for (i = 0; i < sizeof forms / sizeof *forms; i++) {
		inspect(forms[i], "azure-pipelines.yml", &info, &ds);
		assert_true(info.parsed);
		assert_true(info.truncated);
		assert_true(ds.n >= 1); /* the first import step, at its own depth */
		/* A cycle through one edge is a chain: one step a level, cut at the
		 * depth bound (without it, the chain runs to the visit budget). */
		if (i < 2)
			assert_true(ds.n <= ALM_YAML_MAX_DEPTH + 1);
		else
			assert_true(ds.n > ALM_YAML_MAX_DEPTH); /* two edges: it branches */
		/* each visit's enclosing blocks examined once */
		assert_true(info.ancestors_read <= ALM_YAML_MAX_VISITS);
	}
}

/* A node that names itself twice doubles at each level: the visit budget
 * ends it, and each visit's enclosing blocks are examined once, not once a
 * step below them (which was visits x depth: 11 s under ASan for this input,
 * found by fuzzing). */
static void test_yaml_alias_branching(void **state)
{
	static const char text[] =
		"qa-t:\n"
		"  import: &import\n"
		"    task: PowerPlatformImportSolution@2\n"
		"    in  - <<: *import\n"
		"    displa  in  - <<: *import\n"
		"    displayName: again\n";
	alm_yaml_info info;
	deploys ds;
	(void)state;
	inspect(text, "azure-pipelines.yml", &info, &ds);
	assert_true(info.parsed);
	assert_true(info.truncated);
	assert_true(ds.n > ALM_YAML_MAX_DEPTH); /* more steps than levels: it branched */
	assert_true(ds.n <= ALM_YAML_MAX_VISITS);
	assert_true(info.ancestors_read <= ALM_YAML_MAX_VISITS);
}

/* Nesting past the bound is cut there; what is above it is read whole. */
static void test_yaml_depth_bound(void **state)
{
	static char text[65536]; /* 128 levels of indentation: about 17 KB */
	size_t n = 0;
	int i;
	alm_yaml_info info;
	deploys ds;
	(void)state;
	n += (size_t)snprintf(text + n, sizeof text - n, "steps:\n- task: PowerPlatformImportSolution@2\n");
	for (i = 0; i < 2 * ALM_YAML_MAX_DEPTH; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%*sk%d:\n", 2 * i, "", i);
	n += (size_t)snprintf(text + n, sizeof text - n, "%*stask: PowerPlatformImportSolution@2\n", 2 * i, "");
	assert_true(n < sizeof text);
	inspect(text, "azure-pipelines.yml", &info, &ds);
	assert_true(info.parsed);
	assert_true(info.truncated);
	assert_int_equal(ds.n, 1); /* the shallow step; the one under 128 keys is past the bound */

	n = 0;
	for (i = 0; i < ALM_YAML_MAX_DEPTH - 4; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%*sk%d:\n", 2 * i, "", i);
	n += (size_t)snprintf(text + n, sizeof text - n, "%*stask: PowerPlatformImportSolution@2\n", 2 * i, "");
	inspect(text, "azure-pipelines.yml", &info, &ds);
	assert_false(info.truncated);
	assert_int_equal(ds.n, 1); /* within the bound: found */
}

static void test_not_yaml(void **state)
{
	alm_yaml_info info;
	deploys ds;
	(void)state;
	inspect("key: [unclosed\n  - : :\n\t\x01", "x.yml", &info, &ds);
	assert_true(info.malformed);
	assert_false(info.azure);
	assert_int_equal(ds.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accelerator_solution_repository),
		cmocka_unit_test(test_code_component_repository),
		cmocka_unit_test(test_plugin_repository),
		cmocka_unit_test(test_maker_canvas_repository),
		cmocka_unit_test(test_no_power_platform_repository),
		cmocka_unit_test(test_dormant_repository),
		cmocka_unit_test(test_pipelines_read_first),
		cmocka_unit_test(test_yaml_forms),
		cmocka_unit_test(test_yaml_alias_bomb),
		cmocka_unit_test(test_yaml_alias_cycle),
		cmocka_unit_test(test_yaml_alias_branching),
		cmocka_unit_test(test_yaml_depth_bound),
		cmocka_unit_test(test_not_yaml),
	};
	return cmocka_run_group_tests(tests, test_git_setup, test_git_teardown);
}
