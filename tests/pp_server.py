#!/usr/bin/env python3
"""A local stand-in for the Power Platform, for tests and benchmarks.

Standard library only. Listens on 127.0.0.1 on an ephemeral port and prints
the port on the first line of stdout. One server plays three services, told
apart by the Host header:

  the Entra ID token endpoint   POST /{tenant}/oauth2/v2.0/token (client
                                credentials with a secret or a client
                                assertion); each token is bound to its scope
  the admin API ("BAP")         on 127.0.0.1:PORT: environments (paged by
                                nextLink), one environment, data policies
  Dataverse                     on <domain>.localhost:PORT, one host per
                                environment (curl resolves *.localhost to
                                loopback): solutions, and on the pipelines host
                                deploymentpipelines, deploymentstages,
                                deploymentenvironments, deploymentstageruns
                                (paged by @odata.nextLink under Prefer:
                                odata.maxpagesize), with $filter on unique
                                names, artifact names and starttime

The tenant is built from tests/fixtures/pp/: the four environments of
environments.json (instance URLs pointed here), a pipelines host beside them,
the two data policies, the test environment's solutions; --environments N
adds N generated environments (a large tenant), --latency MS delays each answer,
--token-expires-in S gives the tokens that lifetime.

Faults, each --fault NAME[@MATCH][xN] (repeatable): the fault applies to
requests whose "METHOD host/path" contains MATCH (all when absent), only the
first N of them when xN is given. NAMEs: 401 (an invalid_token challenge),
403, 404, 429 (Retry-After: 1), 500, hang, oversize, truncated, html200,
redirect, echo (quotes the bearer token back), token-refused (the token
endpoint answers AADSTS7000215), token-echo (its error quotes the secret),
loop (a next link to the same page), offhost (a next link to another host),
nodataverse (no environment has Dataverse).

Every request is appended to --log as one JSON line: time, method, host,
path, query, parameters, headers and the form fields of a POST.
"""
import argparse
import copy
import json
import os
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs, quote, urlsplit

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import standin  # noqa: E402  (tests/standin.py, beside this file)

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "fixtures", "pp")
COUNT_LOCK = threading.Lock()
JSON_TYPE = standin.JSON_TYPE
ADMIN_SCOPE = "https://service.powerapps.com/.default"
TENANT = "5b1f3c8e-2d4a-4c71-9a0e-7e6d3b2f9c10"
HOST_ENV = "0d9e8f7a-6b5c-4d3e-9f21-a0b1c2d3e4f5"


def load(name):
    with open(os.path.join(REFERENCE, name), encoding="utf-8") as f:
        return json.load(f)


def solution(unique, friendly, version, managed, installed):
    return {"@odata.etag": 'W/"1"', "solutionid": str(uuid.uuid5(uuid.NAMESPACE_URL, unique + version)),
            "uniquename": unique, "friendlyname": friendly, "version": version, "ismanaged": managed,
            "installedon": installed, "modifiedon": installed}


class Tenant:
    def __init__(self, port, extra, no_dataverse):
        envs = load("environments.json")["value"]
        host = copy.deepcopy(envs[3])
        host["name"] = HOST_ENV
        host["id"] = host["id"].rsplit("/", 1)[0] + "/" + HOST_ENV
        host["properties"]["displayName"] = "Contoso Pipelines Host"
        host["properties"]["linkedEnvironmentMetadata"]["domainName"] = "contoso-pipelines"
        host["properties"].pop("parentEnvironmentGroup", None)
        host["properties"]["governanceConfiguration"] = {"protectionLevel": "Basic"}
        envs.append(host)
        for i in range(extra):
            # A large tenant is mostly Developer and Teams environments; every
            # tenth has Dataverse, none is named for a stage.
            e = copy.deepcopy(envs[1])
            eid = "e%07d-0000-4000-8000-%012d" % (i, i)
            e["name"] = eid
            e["id"] = e["id"].rsplit("/", 1)[0] + "/" + eid
            p = e["properties"]
            p["displayName"] = "Maker sandbox %d" % i
            p["environmentSku"] = "Teams" if i % 3 == 0 else "Developer" if i % 3 == 1 else "Trial"
            if p["environmentSku"] == "Developer":
                p["displayName"] = "Personal %d" % i
            if i % 10:
                p["databaseType"] = "None"
                p.pop("linkedEnvironmentMetadata", None)
            else:
                p["linkedEnvironmentMetadata"]["domainName"] = "org%d" % i
            envs.append(e)
        self.by_domain = {}
        for e in envs:
            p = e["properties"]
            meta = p.get("linkedEnvironmentMetadata")
            if no_dataverse:
                p["databaseType"] = "None"
                p.pop("linkedEnvironmentMetadata", None)
            elif meta:
                meta["instanceUrl"] = "http://%s.localhost:%d/" % (meta["domainName"], port)
                meta["instanceApiUrl"] = meta["instanceUrl"]
                self.by_domain[meta["domainName"]] = e
        self.environments = envs
        self.policies = load("dlp_policies.json")["value"]
        test = load("solutions_test.json")["value"]
        self.solutions = {
            "invoices-test": test,
            "invoices-prod": [solution("ContosoInvoices", "Contoso Invoices", "1.4.1.12", True, "2025-09-20T10:00:00Z"),
                              test[2]],
            "invoices-dev-ana": [solution("ContosoInvoices", "Contoso Invoices", "1.4.2.18", False, "2024-03-12T08:00:00Z"),
                                 test[2]],
            "orgc0ntoso": [test[2], solution("CenterofExcellenceALMAccelerator", "ALM Accelerator", "1.0.2.3", True,
                                             "2023-02-01T09:00:00Z")],
            "contoso-pipelines": [solution("msdyn_AppDeploymentAnchor", "Power Platform Pipelines", "9.1.25101.1", True,
                                           "2025-01-10T09:00:00Z"), test[2]],
        }
        ids = {e["properties"].get("linkedEnvironmentMetadata", {}).get("domainName"): e["name"] for e in envs}
        dev, tst, prd = "a1000000-0000-4000-8000-000000000001", "a1000000-0000-4000-8000-000000000002", \
            "a1000000-0000-4000-8000-000000000003"
        self.tables = {
            "deploymentpipelines": [
                {"deploymentpipelineid": "b1000000-0000-4000-8000-000000000001", "name": "Invoices to production"},
                {"deploymentpipelineid": "b1000000-0000-4000-8000-000000000002", "name": "HR apps"}],
            "deploymentenvironments": [
                {"deploymentenvironmentid": dev, "name": "Invoices - Dev (Ana)", "environmentid": ids.get("invoices-dev-ana"),
                 "environmenttype": 200000000},
                {"deploymentenvironmentid": tst, "name": "Invoices - Test", "environmentid": ids.get("invoices-test"),
                 "environmenttype": 200000001},
                {"deploymentenvironmentid": prd, "name": "Invoices - Production", "environmentid": ids.get("invoices-prod"),
                 "environmenttype": 200000001}],
            # Listed out of order: the order comes from the previous-stage links.
            "deploymentstages": [
                {"deploymentstageid": "c1000000-0000-4000-8000-000000000002", "name": "Production",
                 "_deploymentpipelineid_value": "b1000000-0000-4000-8000-000000000001",
                 "_previousdeploymentstageid_value": "c1000000-0000-4000-8000-000000000001",
                 "_targetdeploymentenvironmentid_value": prd},
                {"deploymentstageid": "c1000000-0000-4000-8000-000000000001", "name": "Test",
                 "_deploymentpipelineid_value": "b1000000-0000-4000-8000-000000000001",
                 "_previousdeploymentstageid_value": None, "_targetdeploymentenvironmentid_value": tst},
                {"deploymentstageid": "c1000000-0000-4000-8000-000000000003", "name": "UAT",
                 "_deploymentpipelineid_value": "b1000000-0000-4000-8000-000000000002",
                 "_previousdeploymentstageid_value": None, "_targetdeploymentenvironmentid_value": tst}],
            "deploymentstageruns": [],
        }
        runs = [("ContosoInvoices", "1.4.0.3", 200000002, "c1000000-0000-4000-8000-000000000001", "2025-08-01T10:00:00Z"),
                ("ContosoInvoices", "1.4.0.3", 200000002, "c1000000-0000-4000-8000-000000000002", "2025-08-02T10:00:00Z"),
                ("ContosoInvoices", "1.4.1.12", 200000002, "c1000000-0000-4000-8000-000000000001", "2025-09-19T10:00:00Z"),
                ("ContosoInvoices", "1.4.1.12", 200000003, "c1000000-0000-4000-8000-000000000002", "2025-09-19T15:00:00Z"),
                ("ContosoInvoices", "1.4.1.12", 200000002, "c1000000-0000-4000-8000-000000000002", "2025-09-20T10:00:00Z"),
                ("ContosoInvoices", "1.4.2.17", 200000002, "c1000000-0000-4000-8000-000000000001", "2025-10-02T13:00:00Z"),
                ("ContosoInvoices", "1.0.0.1", 200000002, "c1000000-0000-4000-8000-000000000001", "2023-01-05T10:00:00Z"),
                ("HRApps", "2.0.0.0", 200000002, "c1000000-0000-4000-8000-000000000003", "2025-07-01T10:00:00Z"),
                ("ContosoInvoices", "1.4.2.18", 200000001, "c1000000-0000-4000-8000-000000000001", "2025-11-20T10:00:00Z")]
        for n, (art, ver, status, stage, start) in enumerate(runs):
            self.tables["deploymentstageruns"].append({
                "deploymentstagerunid": "d1000000-0000-4000-8000-%012d" % n, "artifactname": art,
                "artifactversion": ver, "stagerunstatus": status, "starttime": start,
                "_deploymentstageid_value": stage})


def parse_fault(spec):
    name, match, count = spec, None, None
    if "x" in name and name.rsplit("x", 1)[1].isdigit():
        name, count = name.rsplit("x", 1)
        count = int(count)
    if "@" in name:
        name, match = name.split("@", 1)
    return {"name": name, "match": match, "count": count, "seen": 0}


def odata_values(text, column):
    """The quoted values of `column eq '...'` in a $filter."""
    out, key = [], column + " eq '"
    i = text.find(key)
    while i >= 0:
        j, val = i + len(key), ""
        while j < len(text):
            if text[j] == "'":
                if text[j + 1:j + 2] == "'":
                    val += "'"
                    j += 2
                    continue
                break
            val += text[j]
            j += 1
        out.append(val.lower())
        i = text.find(key, j)
    return out


class Handler(standin.Handler):
    server_version = "pp-stand-in/1"

    def error(self, status, code, message, headers=None):
        self.send(status, {"error": {"code": code, "message": message}}, headers=headers)

    def log_request_line(self, host, path, query, form):
        log = self.server.args.log
        if not log:
            return
        entry = {"t": time.time(), "method": self.command, "host": host, "path": path, "query": query,
                 "params": {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()},
                 "headers": {k: v for k, v in self.headers.items()}, "form": form}
        self.append_log(entry)

    # ---- faults ----
    def active_fault(self, host, path):
        where = "%s %s%s" % (self.command, host, path)
        for f in self.server.faults:
            if f["match"] and f["match"] not in where:
                continue
            with COUNT_LOCK:
                f["seen"] += 1
                if f["count"] is not None and f["seen"] > f["count"]:
                    continue
            return f["name"]
        return None

    def fault(self, name, path):
        """Answers with the fault; returns True when it did."""
        if name == "401":
            self.error(401, "InvalidAuthenticationToken", "The access token is invalid.", headers={
                "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                                    'error="invalid_token", error_description="The token is expired"'})
        elif name == "403":
            self.error(403, "Forbidden", "The caller does not have the permissions to perform this operation.")
        elif name == "404":
            self.error(404, "EnvironmentNotFound", "The environment could not be found.")
        elif name == "429":
            self.error(429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
                       headers={"Retry-After": "1"})
        elif name == "500":
            self.error(500, "InternalServerError", "An unexpected error occurred.")
        elif name == "html200":
            self.send(200, "<!DOCTYPE html><html><body>Sign in</body></html>", ctype="text/html")
        elif name == "redirect":
            self.send(302, "", ctype="text/html", headers={"Location": "https://login.microsoftonline.com/common/login"})
        elif name == "echo":
            auth = self.headers.get("Authorization", "")
            self.error(400, "BadRequest", "The token %s is not valid for this request." % auth.split(" ", 1)[-1])
        elif name == "hang":
            deadline = time.time() + 30
            while time.time() < deadline and not self.server.stopping:
                time.sleep(0.05)
        elif name == "truncated":
            self.send(200, b'{"value": [{"name": "x", "properties": {')
        elif name == "oversize":
            size = 40 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk, sent = b'{"value": [' + b" " * 65525, 0
            try:
                while sent < size:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    chunk = b" " * 65536
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            return False
        return True

    # ---- the token endpoint ----
    def do_POST(self):
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "")
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        self.log_request_line(host, parts.path, parts.query, form)
        args = self.server.args
        if args.latency:
            time.sleep(args.latency / 1000.0)
        segs = [s for s in parts.path.split("/") if s]
        fault = self.active_fault(host, parts.path)
        if len(segs) != 4 or segs[1:] != ["oauth2", "v2.0", "token"]:
            return self.error(404, "NotFound", "No such endpoint.")
        if fault in ("token-refused", "token-echo"):
            body = load("token_error.json")
            if fault == "token-echo":
                body["error_description"] = "AADSTS7000215: Invalid client secret provided: %s" % form.get("client_secret", "")
            return self.send(401, body)
        if fault and self.fault(fault, parts.path):
            return None
        ok = form.get("grant_type") == "client_credentials" and form.get("client_id") == args.client_id and segs[0] == args.tenant
        if "client_secret" in form:
            ok = ok and form["client_secret"] == args.secret
        elif form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            ok = ok and form.get("client_assertion") == args.assertion
        else:
            ok = False
        if not ok:
            return self.send(401, load("token_error.json"))
        scope = form.get("scope", "")
        token = "ppt-%s" % uuid.uuid4().hex
        with COUNT_LOCK:
            self.server.tokens[token] = scope
        body = load("token.json")
        body["access_token"] = token
        if args.token_expires_in is not None:
            body["expires_in"] = body["ext_expires_in"] = args.token_expires_in
        self.send(200, body)

    # ---- the admin API and Dataverse ----
    def audience_ok(self, scope):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[7:]
        if token == self.server.args.static_token:
            return scope == ADMIN_SCOPE
        return self.server.tokens.get(token) == scope

    def do_GET(self):
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "")
        self.log_request_line(host, parts.path, parts.query, None)
        args = self.server.args
        if args.latency:
            time.sleep(args.latency / 1000.0)
        fault = self.active_fault(host, parts.path)
        if fault and self.fault(fault, parts.path):
            return None
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        hostname = host.rsplit(":", 1)[0].lower()
        try:
            if hostname.endswith(".localhost"):
                return self.dataverse(hostname[:-len(".localhost")], parts.path, params, fault)
            return self.admin(parts.path, params, fault)
        except (BrokenPipeError, ConnectionResetError):
            return None

    def unauthorized(self):
        self.error(401, "InvalidAuthenticationToken", "The access token is invalid.", headers={
            "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The audience is invalid"'})

    def next_link(self, origin, path, params, skip, fault):
        if fault == "loop":
            skip = int(params.get("$skiptoken", "0"))
        q = dict(params)
        q["$skiptoken"] = str(skip)
        base = origin if fault != "offhost" else "http://elsewhere.localhost:%d" % self.server.server_address[1]
        return base + path + "?" + "&".join("%s=%s" % (quote(k, safe="$"), quote(v, safe="")) for k, v in q.items())

    def page(self, items, params, size, link_key, origin, path, fault):
        start = int(params.get("$skiptoken", "0") or 0)
        chunk = items[start:start + size]
        body = {}
        if link_key.startswith("@"):
            body["@odata.context"] = origin + "/api/data/v9.2/$metadata#" + path.rsplit("/", 1)[-1]
        body["value"] = chunk
        if start + size < len(items):
            body[link_key] = self.next_link(origin, path, params, start + size, fault)
        self.send(200, body)

    def admin(self, path, params, fault):
        origin = "http://127.0.0.1:%d" % self.server.server_address[1]
        if not self.audience_ok(ADMIN_SCOPE):
            return self.unauthorized()
        tenant = self.server.tenant
        prefix = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"
        if path == prefix:
            if "api-version" not in params:
                return self.error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
            return self.page(tenant.environments, params, self.server.args.page_size, "nextLink", origin, path, fault)
        if path.startswith(prefix + "/"):
            eid = path[len(prefix) + 1:]
            for e in tenant.environments:
                if e["name"].lower() == eid.lower():
                    return self.send(200, e)
            return self.error(404, "EnvironmentNotFound", "The environment '%s' could not be found in the tenant '%s'." % (eid, TENANT))
        if path == "/providers/PowerPlatform.Governance/v2/policies":
            return self.page(tenant.policies, params, 100, "nextLink", origin, path, fault)
        return self.error(404, "NotFound", "No such resource.")

    def dataverse(self, domain, path, params, fault):
        port = self.server.server_address[1]
        origin = "http://%s.localhost:%d" % (domain, port)
        tenant = self.server.tenant
        if domain not in tenant.by_domain:
            return self.error(404, "NotFound", "No environment answers at this address.")
        if not self.audience_ok("https://%s.localhost:%d/.default" % (domain, port)):
            return self.unauthorized()
        prefer = self.headers.get("Prefer", "")
        size = 5000
        if "odata.maxpagesize=" in prefer:
            size = int(prefer.split("odata.maxpagesize=", 1)[1].split(",")[0])
        size = min(size, self.server.args.dataverse_page_size)
        table = path.rsplit("/", 1)[-1]
        flt = params.get("$filter", "")
        if path == "/api/data/v9.2/solutions":
            rows = tenant.solutions.get(domain, [tenant.solutions["invoices-test"][2]])
            names = odata_values(flt, "uniquename")
            if names:
                rows = [r for r in rows if r["uniquename"].lower() in names]
            return self.page(rows, params, size, "@odata.nextLink", origin, path, fault)
        if path.startswith("/api/data/v9.2/deployment") and table in tenant.tables:
            if domain != "contoso-pipelines":
                return self.error(404, "0x80060888", "Resource not found for the segment '%s'." % table)
            rows = tenant.tables[table]
            if table == "deploymentstageruns":
                names = odata_values(flt, "artifactname")
                if names:
                    rows = [r for r in rows if r["artifactname"].lower() in names]
                if "starttime ge " in flt:
                    since = flt.split("starttime ge ", 1)[1][:20]
                    rows = [r for r in rows if r["starttime"] >= since]
            return self.page(rows, params, size, "@odata.nextLink", origin, path, fault)
        if path == "/api/data/v9.2/WhoAmI":
            return self.send(200, {"BusinessUnitId": str(uuid.uuid4()), "UserId": str(uuid.uuid4()),
                                   "OrganizationId": str(uuid.uuid4())})
        return self.error(404, "0x80060888", "Resource not found for the segment '%s'." % table)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log", default=None)
    ap.add_argument("--latency", type=float, default=0, help="milliseconds before each answer")
    ap.add_argument("--page-size", type=int, default=2, help="environments a page")
    ap.add_argument("--dataverse-page-size", type=int, default=2, help="largest Dataverse page")
    ap.add_argument("--environments", type=int, default=0, help="generated environments beside the reference ones")
    ap.add_argument("--tenant", default=TENANT)
    ap.add_argument("--client-id", default="0a1b2c3d-0000-4000-8000-00000000c11e")
    ap.add_argument("--secret", default="pp-test-secret~Zq8+/=&x")
    ap.add_argument("--assertion", default="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvbnRvc28ifQ.sig")
    ap.add_argument("--static-token", default="pp-prefetched-admin-token-4Yk2")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--token-expires-in", type=int, default=None, help="expires_in of the tokens issued (default: the fixture's)")
    args = ap.parse_args()

    server = standin.Server(("127.0.0.1", 0), Handler)
    server.args = args
    server.stopping = False
    server.tokens = {}
    server.faults = [parse_fault(f) for f in args.fault]
    server.tenant = Tenant(server.server_address[1], args.environments, any(f["name"] == "nodataverse" for f in server.faults))
    standin.serve(server, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
