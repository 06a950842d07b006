/*
 * The clouds the Power Platform runs in, and their hosts. A cloud is named by
 * the user (--cloud), never guessed from a token or a URL.
 *
 *   cloud      admin API ("BAP")                    admin scope                                         authority                   Dataverse
 *   public     api.bap.microsoft.com                https://service.powerapps.com/.default              login.microsoftonline.com   *.dynamics.com (crm*.dynamics.com)
 *   usgov      gov.api.bap.microsoft.us             https://gov.service.powerapps.us/.default           login.microsoftonline.com   *.dynamics.com (crm9.dynamics.com)
 *   usgovhigh  high.api.bap.microsoft.us            https://high.service.powerapps.us/.default          login.microsoftonline.us    *.microsoftdynamics.us
 *   dod        api.bap.appsplatform.us              https://service.apps.appsplatform.us/.default       login.microsoftonline.us    *.appsplatform.us
 *   china      api.bap.partner.microsoftonline.cn   https://service.powerapps.cn/.default               login.chinacloudapi.cn      *.dynamics.cn
 *
 * The scopes are those the Microsoft.PowerApps.Administration PowerShell module
 * asks for. usgov is GCC: its identities live in the commercial Entra ID; usgovhigh (GCC
 * High), dod and china have authorities of their own.
 */
#include "pp_int.h"
#include "ado_url.h" /* alm_ado_host_is_loopback: one reading of "loopback" */
#include "alm/error.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const alm_pp_cloud clouds[] = {
	{ "public", "https://api.bap.microsoft.com", "https://service.powerapps.com/.default",
	  "https://login.microsoftonline.com", "dynamics.com" },
	{ "usgov", "https://gov.api.bap.microsoft.us", "https://gov.service.powerapps.us/.default",
	  "https://login.microsoftonline.com", "dynamics.com" },
	{ "usgovhigh", "https://high.api.bap.microsoft.us", "https://high.service.powerapps.us/.default",
	  "https://login.microsoftonline.us", "microsoftdynamics.us" },
	{ "dod", "https://api.bap.appsplatform.us", "https://service.apps.appsplatform.us/.default",
	  "https://login.microsoftonline.us", "appsplatform.us" },
	{ "china", "https://api.bap.partner.microsoftonline.cn", "https://service.powerapps.cn/.default",
	  "https://login.chinacloudapi.cn", "dynamics.cn" },
};

const alm_pp_cloud *alm_pp_cloud_find(const char *name)
{
	size_t i;
	if (!name || !*name)
		return &clouds[0];
	for (i = 0; i < sizeof clouds / sizeof clouds[0]; i++)
		if (strcasecmp(name, clouds[i].name) == 0)
			return &clouds[i];
	return NULL;
}

const char *alm_pp_cloud_names(void)
{
	return "public, usgov, usgovhigh, dod, china";
}

int alm_pp_host_is_loopback(const char *host)
{
	size_t n = host ? strlen(host) : 0;
	if (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0)
		return 1;
	return alm_ado_host_is_loopback(host);
}

int alm_pp_url_origin(const char *url, char **origin, char **host, int *https)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *port = NULL;
	int error = 0;
	size_t n;

	*origin = NULL;
	*host = NULL;
	*https = 0;
	if (!u)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)) {
		error = alm_error_set(ALM_EINVALID, "'%.300s' is not an http(s) URL", url);
		goto done;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	n = strlen(scheme) + strlen(h) + (port ? strlen(port) : 0) + 8;
	*origin = malloc(n);
	*host = strdup(h);
	if (!*origin || !*host) {
		free(*origin);
		free(*host);
		*origin = *host = NULL;
		error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	/* Lower case, as scopes and comparisons want it. */
	for (char *c = *host; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	snprintf(*origin, n, "%s://%s%s%s", strcasecmp(scheme, "https") == 0 ? "https" : "http", *host,
		 port ? ":" : "", port ? port : "");
	*https = strcasecmp(scheme, "https") == 0;
done:
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return error;
}
