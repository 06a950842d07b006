#ifndef ALM_PP_XML_H
#define ALM_PP_XML_H
/*
 * Readers of the XML files a Power Platform source tree is made of, with
 * expat: the solution manifest (Other/Solution.xml), the connection references
 * in Other/Customizations.xml, code component manifests, the solution project
 * (.cdsproj) and .NET projects (.csproj). Each takes the file's bytes (not
 * NUL-terminated) and returns 0, or -1 when the bytes are not well-formed XML
 * of that kind (what was read before the error is kept).
 */
#include <stddef.h>

#define ALM_PP_XML_TEXT 256

typedef struct {
	char unique_name[ALM_PP_XML_TEXT];
	char version[ALM_PP_XML_TEXT];
	char publisher[ALM_PP_XML_TEXT]; /* the publisher's unique name */
	int managed;                     /* 0, 1, or -1 when absent or "2" (both) */
} alm_pp_solution;

int alm_pp_read_solution(alm_pp_solution *out, const char *xml, size_t len);

/* `namespace.constructor` of <manifest><control>, or "" when absent. */
int alm_pp_read_control(char *name, size_t size, const char *xml, size_t len);

/* <SolutionRootPath> of a .cdsproj, or "" when absent. */
int alm_pp_read_cdsproj(char *root, size_t size, const char *xml, size_t len);

typedef enum {
	ALM_PP_PROJECT_OTHER,
	ALM_PP_PROJECT_PLUGIN,            /* a class library referencing the plug-in SDK */
	ALM_PP_PROJECT_TEST,              /* a unit-test project */
	ALM_PP_PROJECT_CLIENT,            /* a program (or library) using the Dataverse client */
	ALM_PP_PROJECT_PACKAGE_DEPLOYER   /* a Package Deployer package */
} alm_pp_project_kind;

int alm_pp_read_project(alm_pp_project_kind *out, const char *xml, size_t len);

/* Calls `cb` with each connectionreferencelogicalname (NUL-terminated). A
 * negative return from cb stops the reading and is returned. */
int alm_pp_read_connection_references(const char *xml, size_t len,
				      int (*cb)(void *payload, const char *name), void *payload);

#endif
