#!/usr/bin/env bash
# Builds the sample repository of the "Contoso Invoices" Power Platform solution:
# a solution package, a canvas app, a code component, a plug-in, a custom
# connector, the ALM Accelerator's pipelines and per-environment deployment
# settings, with feature branches completed through Azure DevOps pull requests.
# Usage: samples/make-sample-repo.sh DIR   (DIR must not exist or be empty)
set -euo pipefail

dir=${1:?usage: make-sample-repo.sh DIR}
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
  echo "make-sample-repo.sh: $dir exists and is not empty" >&2
  exit 2
fi
mkdir -p "$dir"
cd "$dir"

export GIT_AUTHOR_NAME="Ana Maker" GIT_AUTHOR_EMAIL="ana@contoso.example"
export GIT_COMMITTER_NAME="Ana Maker" GIT_COMMITTER_EMAIL="ana@contoso.example"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
now=$(date +%s)
day=0
# Commits are dated over the last weeks, so they fall inside the default 365-day window.
at() { local t=$((now - (60 - day) * 86400)); export GIT_AUTHOR_DATE="@$t +0000" GIT_COMMITTER_DATE="@$t +0000"; day=$((day + 1)); }
commit() { at; git add -A; git commit -q -m "$1"; }
as_dev() { export GIT_AUTHOR_NAME="Dev Pro" GIT_AUTHOR_EMAIL="dev@contoso.example"; }
as_maker() { export GIT_AUTHOR_NAME="Ana Maker" GIT_AUTHOR_EMAIL="ana@contoso.example"; }

git init -q -b main
git remote add origin https://dev.azure.com/contoso/Invoices/_git/ContosoInvoices

s=ContosoInvoices
mkdir -p $s/SolutionPackage/src/Other $s/config
cat > $s/SolutionPackage/$s.cdsproj <<'X'
<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><SolutionRootPath>src</SolutionRootPath></PropertyGroup></Project>
X
cat > $s/SolutionPackage/src/Other/Solution.xml <<'X'
<ImportExportXml version="9.2" SolutionPackageVersion="9.2"><SolutionManifest><UniqueName>ContosoInvoices</UniqueName><Version>1.0.0.0</Version><Managed>0</Managed></SolutionManifest></ImportExportXml>
X
echo "# Contoso Invoices" > README.md
commit "Initial solution export"

git checkout -q -b $s
mkdir -p Pipelines
for env in validation test prod; do
cat > Pipelines/deploy-$env-$s.yml <<X
trigger: none
pr: none
resources:
  repositories:
  - repository: PipelineRepo
    type: git
    name: coe-alm-accelerator-templates
variables:
- group: alm-accelerator-variable-group
stages:
- template: Pipelines/Templates/build-deploy-Solution-To-Environment.yml@PipelineRepo
  parameters:
    serviceConnection: '$env-environment'
    environmentName: '$env'
X
done
for env in Validation Test Prod; do
  mkdir -p $s/config/$env
  echo '{"EnvironmentVariables": [], "ConnectionReferences": []}' > $s/config/$env/deploymentSettings.json
done
cat > Pipelines/import-unmanaged-to-dev-environment.yml <<'X'
trigger: none
variables:
- group: alm-accelerator-variable-group
jobs:
- deployment: ImportToDevelopment
  environment: development
  strategy:
    runOnce:
      deploy:
        steps:
        - task: PowerPlatformToolInstaller@2
        - task: PowerPlatformImportSolution@2
X
commit "Add deployment pipelines and settings"
git checkout -q main
at; git merge -q --no-ff $s -m "Merged PR 1: Add deployment pipelines and settings"
git checkout -q $s

pr=2
feature() { # name, commit message, file-making command
  git checkout -q -b "feature/$1"
  eval "$3"
  commit "$2"
  git checkout -q $s
  at; git merge -q --no-ff "feature/$1" -m "Merged PR $pr: $2"
  pr=$((pr + 1))
}

as_maker
feature canvas "Add the invoice approval canvas app" \
  'mkdir -p $s/CanvasApps/src/InvoiceApp/Src && echo "{}" > $s/CanvasApps/src/InvoiceApp/CanvasManifest.json && echo "App: {}" > $s/CanvasApps/src/InvoiceApp/Src/App.fx.yaml'
as_dev
feature pcf "Add the currency input code component" \
  'mkdir -p $s/PCF/CurrencyInput && echo "<manifest><control namespace=\"Contoso\" constructor=\"CurrencyInput\"/></manifest>" > $s/PCF/CurrencyInput/ControlManifest.Input.xml && echo "<Project/>" > $s/PCF/CurrencyInput/CurrencyInput.pcfproj'
feature plugin "Add the invoice validation plug-in" \
  'mkdir -p $s/Plugins && printf "<Project Sdk=\"Microsoft.NET.Sdk\">\n<ItemGroup><PackageReference Include=\"Microsoft.CrmSdk.CoreAssemblies\" Version=\"9.0.2.49\" /></ItemGroup>\n</Project>\n" > $s/Plugins/Contoso.Invoices.Plugins.csproj'
feature connector "Add the ERP custom connector" \
  'mkdir -p $s/Connectors && echo "{\"swagger\": \"2.0\", \"info\": {\"title\": \"ERP\"}}" > $s/Connectors/contoso_erp_openapidefinition.json'
as_maker
feature fix-labels "Fix labels on the approval screen" \
  'echo "App: {Label: Approve}" > $s/CanvasApps/src/InvoiceApp/Src/App.fx.yaml'

git checkout -q main
at; git merge -q --no-ff $s -m "Merged PR $pr: Release 1.1 to production"
# A hotfix committed straight to main: a direct commit the report counts.
echo "Support: finance-apps@contoso.example" >> README.md
commit "Add support contact"
echo "sample repository ready: $dir"
