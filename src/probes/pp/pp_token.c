/*
 * The Power Platform credential, by Azure's SDK conventions (azure-identity's
 * EnvironmentCredential and WorkloadIdentityCredential), so that a pipeline
 * job already signed in to Azure needs nothing new: client credentials or a
 * federated client assertion posted to Entra ID's token endpoint, one token a
 * scope; or a token fetched elsewhere, good for the admin API only.
 *
 * Every secret lives in this struct and in the one request body made with it,
 * and is wiped when done; messages quoting a server are redacted.
 */
#include "pp_int.h"
#include "ado_common.h" /* alm_ado_format, alm_ado_redact */
#include "ado_url.h"    /* alm_ado_escape */
#include "alm/error.h"
#include "alm/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSERTION (64 * 1024) /* a JWT is a few kilobytes */

static int set(const char *s)
{
	return s && *s;
}

static void wipe(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void alm_pp_credential_dispose(alm_pp_credential *c)
{
	if (!c)
		return;
	wipe(&c->secret);
	wipe(&c->token);
	free(c->tenant);
	free(c->client_id);
	free(c->token_url);
	memset(c, 0, sizeof *c);
}

/* A copy without surrounding blanks (a value pasted from a file ends in a
 * newline); NULL with *bad set when control characters remain inside. */
static char *clean(const char *raw, int *bad)
{
	size_t n = strlen(raw), start = 0, i;
	char *out;
	while (start < n && (raw[start] == ' ' || raw[start] == '\t' || raw[start] == '\r' || raw[start] == '\n'))
		start++;
	while (n > start && (raw[n - 1] == ' ' || raw[n - 1] == '\t' || raw[n - 1] == '\r' || raw[n - 1] == '\n'))
		n--;
	for (i = start; i < n; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f) {
			*bad = 1;
			return NULL;
		}
	if (!(out = malloc(n - start + 1)))
		return NULL;
	memcpy(out, raw + start, n - start);
	out[n - start] = '\0';
	return out;
}

static int token_endpoint(alm_pp_credential *c, const alm_env *env, const alm_pp_cloud *cloud)
{
	const char *authority = set(env->azure_authority_host) ? env->azure_authority_host : cloud->authority;
	char *origin = NULL, *host = NULL, *tenant = alm_ado_escape(c->tenant);
	size_t n = strlen(authority);
	int https = 0, error;

	if (!tenant)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	while (n > 0 && authority[n - 1] == '/')
		n--;
	c->token_url = alm_ado_format("%.*s/%s/oauth2/v2.0/token", (int)n, authority, tenant);
	free(tenant);
	if (!c->token_url)
		return alm_error_set(ALM_ENOMEM, "out of memory");
	if ((error = alm_pp_url_origin(c->token_url, &origin, &host, &https)) < 0)
		return alm_error_set(ALM_EINVALID, "AZURE_AUTHORITY_HOST '%.200s' is not an https:// URL", authority);
	c->token_url_loopback = alm_pp_host_is_loopback(host);
	if (!https && !c->token_url_loopback)
		error = alm_error_set(ALM_EINVALID,
				      "refusing plain http to the token endpoint %s: AZURE_AUTHORITY_HOST must be https:// "
				      "(http is allowed to a loopback address, for tests)", host);
	free(origin);
	free(host);
	return error;
}

int alm_pp_credential_read(alm_pp_credential *out, const alm_env *env, const alm_pp_cloud *cloud)
{
	int bad = 0, error = 0;
	const char *missing = NULL;

	memset(out, 0, sizeof *out);
	if (set(env->azure_client_secret) || set(env->azure_federated_token_file)) {
		out->kind = set(env->azure_client_secret) ? ALM_PP_CRED_SECRET : ALM_PP_CRED_FEDERATED;
		if (!set(env->azure_tenant_id))
			missing = "AZURE_TENANT_ID";
		else if (!set(env->azure_client_id))
			missing = "AZURE_CLIENT_ID";
		if (missing)
			return alm_error_set(ALM_EINVALID, "%s is set but %s is not: client credentials need AZURE_TENANT_ID, "
					     "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)",
					     out->kind == ALM_PP_CRED_SECRET ? "AZURE_CLIENT_SECRET" : "AZURE_FEDERATED_TOKEN_FILE",
					     missing);
		out->tenant = clean(env->azure_tenant_id, &bad);
		out->client_id = out->tenant ? clean(env->azure_client_id, &bad) : NULL;
		if (out->kind == ALM_PP_CRED_SECRET) {
			out->secret = out->client_id ? clean(env->azure_client_secret, &bad) : NULL;
		} else if (out->client_id) {
			char *jwt = NULL;
			size_t len = 0;
			int rc = alm_file_read(&jwt, &len, env->azure_federated_token_file, MAX_ASSERTION);
			if (rc < 0) {
				error = alm_error_set(ALM_EINVALID, "AZURE_FEDERATED_TOKEN_FILE: cannot read %.300s (%s)",
						      env->azure_federated_token_file,
						      rc == ALM_ELIMIT ? "larger than a token" : "missing or unreadable");
				goto done;
			}
			out->secret = clean(jwt, &bad);
			explicit_bzero(jwt, len);
			free(jwt);
			if (out->secret && !*out->secret) {
				error = alm_error_set(ALM_EINVALID, "AZURE_FEDERATED_TOKEN_FILE: %.300s is empty",
						      env->azure_federated_token_file);
				goto done;
			}
		}
		if (bad) {
			error = alm_error_set(ALM_EINVALID, "AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret must not hold "
					      "control characters");
			goto done;
		}
		if (!out->secret) {
			error = alm_error_set(ALM_ENOMEM, "out of memory");
			goto done;
		}
		error = token_endpoint(out, env, cloud);
		goto done;
	}
	if (set(env->power_platform_token)) {
		out->kind = ALM_PP_CRED_TOKEN;
		out->token = clean(env->power_platform_token, &bad);
		if (bad)
			error = alm_error_set(ALM_EINVALID, "the token given with --pp-token-env contains control characters; "
					      "it must be the token alone");
		else if (!out->token)
			error = alm_error_set(ALM_ENOMEM, "out of memory");
		goto done;
	}
	return alm_error_set(ALM_EINVALID,
			     "no Power Platform credentials: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
			     "(or AZURE_FEDERATED_TOKEN_FILE instead of the secret), or name the variable holding a token "
			     "for https://service.powerapps.com/.default with --pp-token-env");
done:
	if (error < 0)
		alm_pp_credential_dispose(out);
	return error;
}

char *alm_pp_token_form(const alm_pp_credential *c, const char *scope)
{
	char *id = alm_ado_escape(c->client_id), *sc = alm_ado_escape(scope), *secret = alm_ado_escape(c->secret);
	char *form = NULL;
	if (id && sc && secret) {
		if (c->kind == ALM_PP_CRED_FEDERATED)
			form = alm_ado_format("grant_type=client_credentials&client_id=%s&scope=%s"
					      "&client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer"
					      "&client_assertion=%s", id, sc, secret);
		else
			form = alm_ado_format("grant_type=client_credentials&client_id=%s&scope=%s&client_secret=%s", id, sc,
					      secret);
	}
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
	free(id);
	free(sc);
	return form;
}

/* Redacts `s` and its percent-encoded form. */
static void redact_one(const char *s, char *text)
{
	char *esc;
	if (!s || !*s)
		return;
	alm_ado_redact(s, text);
	if ((esc = alm_ado_escape(s)) != NULL) {
		alm_ado_redact(esc, text);
		explicit_bzero(esc, strlen(esc));
		free(esc);
	}
}

void alm_pp_redact(const alm_pp_credential *c, const char *extra, char *text)
{
	if (c) {
		redact_one(c->secret, text);
		redact_one(c->token, text);
	}
	redact_one(extra, text);
}

char *alm_pp_dataverse_scope(const char *origin)
{
	const char *host = strstr(origin, "://");
	/* The scope names the resource by its https address, whatever the
	 * scheme used to reach a loopback stand-in. */
	return alm_ado_format("https://%s/.default", host ? host + 3 : origin);
}
