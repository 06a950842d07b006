/*
 * The Power Platform XML readers (pp_xml.h) on the same bytes: a solution
 * manifest, a code component manifest, a solution project, a .NET project and
 * the connection references of Customizations.xml. Every string they return
 * must be NUL-terminated within its buffer.
 */
#include "fuzz.h"

#include "pp_xml.h"

#include <stdlib.h>
#include <string.h>

static int on_reference(void *payload, const char *name)
{
	size_t *n = payload;
	*n += strlen(name);
	return 0;
}

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	alm_pp_solution sol;
	alm_pp_project_kind kind;
	char name[ALM_PP_XML_TEXT];
	size_t refs = 0;

	(void)alm_pp_read_solution(&sol, xml, size);
	terminated(sol.unique_name, sizeof sol.unique_name);
	terminated(sol.version, sizeof sol.version);
	terminated(sol.publisher, sizeof sol.publisher);
	if (sol.managed < -1 || sol.managed > 1)
		abort();
	(void)alm_pp_read_control(name, sizeof name, xml, size);
	terminated(name, sizeof name);
	(void)alm_pp_read_cdsproj(name, sizeof name, xml, size);
	terminated(name, sizeof name);
	(void)alm_pp_read_project(&kind, xml, size);
	if (kind > ALM_PP_PROJECT_PACKAGE_DEPLOYER)
		abort();
	(void)alm_pp_read_connection_references(xml, size, on_reference, &refs);
	return 0;
}
