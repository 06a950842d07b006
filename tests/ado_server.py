#!/usr/bin/env python3
"""A local stand-in for the Azure DevOps REST API, for tests and benchmarks.

Standard library only. Listens on 127.0.0.1 on an ephemeral port and prints
the port on the first line of stdout. Serves:

  fabrikam/Fabrikam-Fiber-Git   the real response bodies of the REST spec
                                (tests/fixtures/ado/*.json, verbatim copies)
  contoso/ALM Project           a project built from those bodies as templates,
                                with the ALM Accelerator's pipelines, YAML and
                                designer definitions, every build state, pull
                                requests with and without approvals, branch
                                policies and environments
  contoso/Contoso Web, contoso/Data Platform, contoso/Archive
                                smaller projects beside it, so that the
                                organization's list of projects pages (four
                                projects, three a page): repositories with a
                                webUrl, a disabled one, an empty project
  bench/Bench                   with --bench-*: many pipelines, builds and
                                repositories, for the benchmark
  benchorg/Project-NN           with --bench-org-projects N: an organization of N
                                projects, each with --bench-org-repos repositories
  huge/Huge                     with --bench-huge-definitions N: one page of N
                                build definitions (no builds)
  _vsaex/ORG/_apis/userentitlements/ID
  _vsaex/ORG/_apis/userentitlements?$filter=name eq 'MAIL'
                                the User Entitlements API (vsaex.dev.azure.com/ORG
                                on the service) for the people of the projects:
                                one by id, or a search by mail ({"members": [...]})

Commits (ORG/PROJECT/_apis/git/repositories/REPO/commits) are listed newest
first, filtered by searchCriteria.fromDate (author date) and cut to
searchCriteria.$top (default 100), in one page.

Builds are queried like the service: definitions=1,2,3 (a comma list),
minTime, queryOrder (queueTimeDescending/Ascending), maxBuildsPerDefinition
(the newest N of each definition), and pages of at most --build-page-size
(default 1000, the service's largest page).

Lists page like the service: X-MS-ContinuationToken (sent back as
continuationToken; the token is bound to the other parameters and refused with
a 400 when they change) or $top/$skip for pull requests. ORG/_apis/projects
lists the organization's projects (those served here), paged the same way.

Faults are chosen by a path prefix: /fault/SPEC/ORG/PROJECT/... where SPEC is
NAME[xN][@MATCH][:PROJECT]: the fault applies to requests whose path after _apis/ is MATCH
with '.' for '/' (build.definitions, git.repositories; all requests when absent),
only to the first N requests of each distinct URL when xN is given, and only
to requests below ORG/PROJECT/ (case-insensitively) when :PROJECT is given.
NAMEs: 401 403 203 html200 404text 429 503 500 echo truncated short
echo-FORM (the credential quoted back as FORM: header pad case split url user
wrapped text location ctype)
oversize oversize-stream hang redirect repeat loop ratelimit bom, and skip (a
list pages by $skip alone: no continuation token).

With --tls-cert/--tls-key it speaks HTTPS instead.

Every request is appended to --log as one JSON line: arrival time, method,
path, query, decoded parameters, headers.
"""
import argparse
import copy
import hashlib
import json
import os
import sys
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import standin  # noqa: E402  (tests/standin.py, beside this file)

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT_LOCK = threading.Lock()
FAULT_COUNTS = {}

JSON_TYPE = "application/json; charset=utf-8; api-version=7.1"


def body_of(fixtures, name):
    with open(os.path.join(fixtures, name), encoding="utf-8") as f:
        return json.load(f)["responses"]["200"]["body"]


def parse_time(text):
    """ISO 8601 to epoch seconds (enough for the service's formats)."""
    import datetime
    t = text.replace("Z", "+00:00")
    if "." in t:
        head, rest = t.split(".", 1)
        frac = ""
        while rest and rest[0].isdigit():
            frac += rest[0]
            rest = rest[1:]
        t = head + "." + (frac + "000000")[:6] + rest
    return datetime.datetime.fromisoformat(t).timestamp()


class Dataset:
    def __init__(self, org, project):
        self.org = org
        self.project = project
        self.definitions = []
        self.builds = []
        self.repositories = []
        self.pullrequests = {}  # repository id -> list
        self.commits = {}  # repository id -> list, newest first
        self.reviewers = {}  # pull request id -> list
        self.default_reviewers = []
        self.policies = []
        self.environments = []
        self.checks = {}  # environment id -> check configurations
        self.entitlements = {}  # identity id -> user entitlement (organization-wide, served by _vsaex)
        self.query_cache = {}

    def builds_of(self, definition):
        if getattr(self, "_by_definition", None) is None:
            self._by_definition = {}
            for b in self.builds:
                self._by_definition.setdefault(b["definition"]["id"], []).append(b)
        return self._by_definition.get(definition, [])

    def builds_query(self, params):
        """The builds a query selects, in the order the service returns them."""
        key = tuple(params.get(k) for k in ("definitions", "minTime", "queryOrder", "maxBuildsPerDefinition"))
        hit = self.query_cache.get(key)
        if hit is not None:
            return hit
        items = self.builds
        if params.get("definitions"):
            wanted = [int(x) for x in params["definitions"].split(",") if x.strip().isdigit()]
            items = [b for w in wanted for b in self.builds_of(w)]
        if "minTime" in params:
            since = parse_time(params["minTime"])
            items = [b for b in items if parse_time(b["queueTime"]) >= since]
        order = params.get("queryOrder", "queueTimeDescending")
        if order in ("queueTimeDescending", "queueTimeAscending", "startTimeDescending", "finishTimeDescending"):
            items = sorted(items, key=lambda b: (b["queueTime"], b["id"]), reverse=order != "queueTimeAscending")
        per = params.get("maxBuildsPerDefinition", "")
        if per.isdigit():
            seen = {}
            kept = []
            for b in items:
                n = seen.get(b["definition"]["id"], 0)
                if n < int(per):
                    kept.append(b)
                seen[b["definition"]["id"]] = n + 1
            items = kept
        self.query_cache[key] = items
        return items

    def repository(self, key):
        for r in self.repositories:
            if r["id"].lower() == key.lower() or r["name"].lower() == key.lower():
                return r
        return None


def fabrikam(fixtures):
    d = Dataset("fabrikam", body_of(fixtures, "list_projects.json")["value"][1])
    d.definitions = body_of(fixtures, "list_build_definitions.json")["value"]
    seen = set()
    for name in ("list_builds_tagFilters.json", "list_builds_statusFilter-completed_continuationToken.json"):
        for b in body_of(fixtures, name)["value"]:
            if b["id"] not in seen:
                seen.add(b["id"])
                d.builds.append(b)
    d.repositories = body_of(fixtures, "list_repositories.json")["value"]
    prs = (body_of(fixtures, "list_pull_requests_repo_default_active.json")["value"] +
           body_of(fixtures, "list_pull_requests_status-completed.json")["value"])
    d.pullrequests = {"*": prs}
    d.default_reviewers = body_of(fixtures, "list_pull_request_reviewers.json")["value"]
    d.policies = body_of(fixtures, "list_policy_configurations.json")["value"]
    d.environments = []  # the spec has no environments example: a project without any
    return d


def identity(template, ident, name):
    i = copy.deepcopy(template)
    i["id"] = ident
    i["displayName"] = name
    i["uniqueName"] = name.lower().replace(" ", ".") + "@contoso.com"
    return i


def contoso(fixtures):
    """The real bodies as templates, varied to cover every case the probe reads."""
    real_defs = body_of(fixtures, "list_build_definitions.json")["value"]
    real_build = body_of(fixtures, "list_builds_statusFilter-completed_continuationToken.json")["value"][0]
    real_prs = body_of(fixtures, "list_pull_requests_status-completed.json")["value"]
    real_repos = body_of(fixtures, "list_repositories.json")["value"]
    real_policies = body_of(fixtures, "list_policy_configurations.json")["value"]
    real_reviewers = body_of(fixtures, "list_pull_request_reviewers.json")["value"]

    project = {"id": "0c5f7c2a-3d3e-4c5b-9a52-6d1c6f0c0a11", "name": "ALM Project",
               "description": "Power Platform solutions", "state": "wellFormed", "revision": 42,
               "visibility": "private", "lastUpdateTime": "2024-04-01T08:00:00Z",
               "url": "https://dev.azure.com/contoso/_apis/projects/0c5f7c2a-3d3e-4c5b-9a52-6d1c6f0c0a11"}
    d = Dataset("contoso", project)
    author = real_prs[0]["createdBy"]
    other = identity(author, "5a0e5b1c-0000-4000-8000-00000000b0b0", "Bob Reviewer")
    group = dict(identity(author, "98d08d98-a075-46e7-a81e-21bc6f12cae7", "[ALM Project]\\ALM Project Team"),
                 isContainer=True)

    # id, name, process type (2 YAML, 1 designer), latest build queue time
    defs = [(1, "deploy-validation-CoreSolution", 2), (2, "deploy-test-CoreSolution", 2),
            (3, "deploy-prod-CoreSolution", 2), (4, "export-solution-to-git", 2),
            (5, "import-unmanaged-to-dev-environment", 2), (6, "Legacy Classic Build", 1),
            (7, "Deploy-Prod-Other", 2)]
    # definition id, build id, status, result, reason, queue time, start time
    builds = [
        (1, 1001, "completed", "succeeded", "individualCI", "2024-05-01T09:00:00.12Z", "2024-05-01T09:00:05.5Z"),
        (1, 1002, "completed", "succeeded", "pullRequest", "2024-05-02T09:00:00Z", "2024-05-02T09:00:04Z"),
        (1, 1003, "completed", "succeeded", "manual", "2024-05-03T09:00:00Z", "2024-05-03T09:00:03Z"),
        (1, 1004, "completed", "failed", "individualCI", "2024-05-04T09:00:00Z", "2024-05-04T09:00:02Z"),
        (2, 2001, "completed", "partiallySucceeded", "manual", "2024-05-05T10:00:00Z", "2024-05-05T10:00:09Z"),
        (2, 2002, "completed", "canceled", "manual", "2024-05-06T10:00:00Z", "2024-05-06T10:00:01Z"),
        (3, 3001, "inProgress", None, "manual", "2024-06-01T12:00:00Z", "2024-06-01T12:00:30.7654321Z"),
        (3, 3002, "notStarted", None, "manual", "2024-06-01T12:05:00Z", None),
        (4, 4001, "completed", "succeeded", "schedule", "2024-05-07T02:00:00Z", "2024-05-07T02:00:10Z"),
        (4, 4002, "completed", "succeeded", "schedule", "2024-05-08T02:00:00Z", "2024-05-08T02:00:10Z"),
        (5, 5001, "completed", "failed", "pullRequest", "2024-05-09T11:00:00Z", "2024-05-09T11:00:10Z"),
        (6, 6001, "completed", "succeeded", "manual", "2015-07-16T19:52:38.65Z", "2015-07-16T19:52:42.7771198Z"),
    ]
    latest = {}
    for (defid, bid, status, result, reason, queued, started) in builds:
        b = copy.deepcopy(real_build)
        b["id"] = bid
        b["buildNumber"] = "%s.%d" % (queued[:10].replace("-", ""), bid % 10)
        b["definition"]["id"] = defid
        b["definition"]["name"] = [x[1] for x in defs if x[0] == defid][0]
        b["project"] = {"id": project["id"], "name": project["name"]}
        b["status"] = status
        b["reason"] = reason
        b["queueTime"] = queued
        b.pop("tags", None)
        # Builds not finished have no result and no finishTime key at all.
        if result is None:
            b.pop("result", None)
            b.pop("finishTime", None)
        else:
            b["result"] = result
        if started is None:
            b.pop("startTime", None)
        else:
            b["startTime"] = started
        d.builds.append(b)
        if defid not in latest or queued > latest[defid]["queueTime"]:
            latest[defid] = {"id": bid, "queueTime": queued, "status": status}
    template = [x for x in real_defs if x["id"] == 25][0]
    for (defid, name, ptype) in defs:
        x = copy.deepcopy(template)
        x["id"] = defid
        x["name"] = name
        x["uri"] = "vstfs:///Build/Definition/%d" % defid
        x["project"] = {"id": project["id"], "name": project["name"]}
        x["process"] = {"yamlFilename": ".pipelines/%s.yml" % name, "type": 2} if ptype == 2 else \
            {"phases": [{"name": "Agent job 1", "steps": []}], "type": 1}
        if defid in latest:
            x["latestBuild"] = latest[defid]
        d.definitions.append(x)

    for (rid, name) in (("7b3c8a4e-1111-4aaa-8bbb-000000000001", "ALM Project"),
                        ("7b3c8a4e-2222-4aaa-8bbb-000000000002", "Tools")):
        r = copy.deepcopy(real_repos[1])
        r["id"] = rid
        r["name"] = name
        r["defaultBranch"] = "refs/heads/main"
        r["project"] = {"id": project["id"], "name": project["name"], "state": "wellFormed"}
        r["remoteUrl"] = "https://dev.azure.com/contoso/ALM%20Project/_git/" + name.replace(" ", "%20")
        d.repositories.append(r)
    main_repo = d.repositories[0]

    def vote(who, v):
        r = copy.deepcopy(real_reviewers[0])
        r.update({k: who[k] for k in who if k in ("id", "displayName", "uniqueName", "isContainer")})
        r["vote"] = v
        return r

    # id, status, created, reviewers (None: the list omits them)
    prs = [
        (101, "active", "2024-05-10T08:00:00Z", [vote(other, 0)]),
        (102, "active", "2024-05-11T08:00:00Z", []),
        (103, "completed", "2024-05-12T08:00:00Z", [vote(author, 10), vote(other, 0)]),
        (104, "completed", "2024-05-13T08:00:00Z", [vote(other, 10)]),
        (105, "completed", "2024-05-14T08:00:00Z", [vote(author, 10), vote(other, 5)]),
        (106, "completed", "2024-05-15T08:00:00Z", None),
        (107, "completed", "2024-05-16T08:00:00Z", [vote(group, 10)]),
        (108, "abandoned", "2024-05-17T08:00:00Z", [vote(other, -10)]),
        (109, "completed", "2015-11-01T16:28:08.89Z", [vote(other, 10)]),
    ]
    out = []
    # A maker with a Stakeholder licence opened 104; 108's author has left the organization.
    carol = identity(author, "c4a0e5b1-0000-4000-8000-0000000ca201", "Carol Maker")
    dana = identity(author, "d4a0e5b1-0000-4000-8000-0000000da401", "Dana Former")
    creators = {104: carol, 108: dana}
    for (pid, status, created, reviewers) in prs:
        p = copy.deepcopy(real_prs[0])
        p["createdBy"] = copy.deepcopy(creators.get(pid, author))
        p["pullRequestId"] = p["codeReviewId"] = pid
        p["status"] = status
        p["creationDate"] = created
        p["repository"] = {"id": main_repo["id"], "name": main_repo["name"],
                           "project": {"id": project["id"], "name": project["name"]}}
        p["targetRefName"] = "refs/heads/main"
        if status != "completed":
            for k in ("closedDate", "completionQueueTime", "lastMergeCommit"):
                p.pop(k, None)
        if reviewers is None:
            p.pop("reviewers", None)
        else:
            p["reviewers"] = reviewers
        out.append(p)
    d.pullrequests = {main_repo["id"]: out, "*": out}
    d.reviewers = {106: [vote(author, 0), vote(other, 10)]}
    d.default_reviewers = real_reviewers

    minimum = [p for p in real_policies if p["id"] == 18][0]
    build = [p for p in real_policies if p["id"] == 19][0]
    required = [p for p in real_policies if p["id"] == 17][0]

    def policy(template, pid, enabled, blocking, settings, deleted=False):
        p = copy.deepcopy(template)
        p["id"] = pid
        p["isEnabled"] = enabled
        p["isBlocking"] = blocking
        p["isDeleted"] = deleted
        p["settings"] = settings
        return p

    main_exact = [{"refName": "refs/heads/main", "matchKind": "Exact", "repositoryId": main_repo["id"]}]
    d.policies = [
        policy(minimum, 1, True, True, {"minimumApproverCount": 2, "creatorVoteCounts": False, "scope": main_exact}),
        policy(minimum, 2, True, True, {"minimumApproverCount": 1, "scope": [
            {"refName": "refs/heads/main", "matchKind": "Exact", "repositoryId": None}]}),
        policy(minimum, 3, True, False, {"minimumApproverCount": 3, "scope": main_exact}),
        policy(minimum, 4, True, True, {"minimumApproverCount": 5, "scope": [
            {"refName": "refs/heads/main", "matchKind": "Exact", "repositoryId": d.repositories[1]["id"]}]}),
        policy(build, 5, True, True, {"buildDefinitionId": 2, "displayName": "PR validation", "validDuration": 720,
                                      "scope": [{"refName": "refs/heads/", "matchKind": "Prefix",
                                                 "repositoryId": main_repo["id"]}]}),
        policy(build, 6, True, False, {"buildDefinitionId": 1, "scope": [
            {"matchKind": "DefaultBranch", "repositoryId": None}]}),
        policy(build, 7, False, True, {"buildDefinitionId": 3, "scope": main_exact}),
        policy(build, 8, True, True, {"buildDefinitionId": 4, "scope": main_exact}, deleted=True),
        policy(build, 9, True, True, {"buildDefinitionId": 5, "scope": [
            {"refName": "refs/heads/release/", "matchKind": "Prefix", "repositoryId": None}]}),
        policy(required, 10, True, True, copy.deepcopy(required["settings"])),
    ]
    # The spec has no environments example; this is the shape the service documents.
    for (eid, name) in ((1, "Validation"), (2, "Test"), (3, "Prod")):
        d.environments.append({
            "id": eid, "name": name, "description": "",
            "createdBy": {"id": author["id"]}, "createdOn": "2024-01-02T10:00:00Z",
            "lastModifiedBy": {"id": author["id"]}, "lastModifiedOn": "2024-01-02T10:00:00Z",
            "project": {"id": project["id"], "name": project["name"]}})
    # Prod needs an approval and deploys from main only; Test only in business hours.
    d.checks = {3: [check("approval", 31, 3, "Prod"), check("branch_control", 32, 3, "Prod")],
                2: [check("business_hours", 21, 2, "Test")]}
    # The main repository's commits: the PR authors (one mail in other case),
    # Erin (Stakeholder, two commits, one mail in other case) and Frank, who
    # opened no pull request; the oldest one is before any window.
    erin = identity(author, "e4a0e5b1-0000-4000-8000-0000000e7401", "Erin Committer")
    frank = identity(author, "f4a0e5b1-0000-4000-8000-0000000f7a01", "Frank Builder")
    commits = [(author, "2024-05-16T07:00:00Z", False), (erin, "2024-05-15T07:00:00Z", False),
               (frank, "2024-05-14T07:00:00Z", False), (author, "2024-05-13T07:00:00Z", True),
               (erin, "2024-05-12T07:00:00Z", True), (carol, "2024-05-11T07:00:00Z", False),
               (other, "2015-11-01T07:00:00Z", False)]
    d.commits = {main_repo["id"]: [commit(i, who, date, upper) for (i, (who, date, upper)) in enumerate(commits)]}
    d.entitlements = {author["id"]: entitlement(author, "express", "Basic"),
                      other["id"]: entitlement(other, "none", "Visual Studio Enterprise subscription", msdn=True),
                      carol["id"]: entitlement(carol, "stakeholder", "Stakeholder"),
                      erin["id"]: entitlement(erin, "stakeholder", "Stakeholder"),
                      frank["id"]: entitlement(frank, "express", "Basic")}
    return d


def commit(n, who, date, upper):
    """A commit as _apis/git/repositories/ID/commits lists it."""
    mail = who["uniqueName"].upper() if upper else who["uniqueName"]
    sha = hashlib.sha1(("%d %s" % (n, date)).encode()).hexdigest()
    person = {"name": who["displayName"], "email": mail, "date": date}
    return {"commitId": sha, "author": person, "committer": dict(person),
            "comment": "Change %d" % n, "changeCounts": {"Add": 0, "Edit": 1, "Delete": 0},
            "url": "https://dev.azure.com/contoso/_apis/git/repositories/x/commits/" + sha,
            "remoteUrl": "https://dev.azure.com/contoso/ALM%20Project/_git/ALM%20Project/commit/" + sha}


CHECK_TYPES = {
    "approval": {"id": "8c6f20a7-a545-4486-9777-f762fafe0d4d", "name": "Approval"},
    "task": {"id": "fe1de3ee-a436-41b4-bb20-f6eb4cb879a7", "name": "Task Check"},
}


def check(kind, cid, env_id, env_name):
    """A check configuration as _apis/pipelines/checks/configurations returns it ($expand=settings)."""
    c = {"id": cid, "version": 1, "timeout": 43200,
         "resource": {"type": "environment", "id": str(env_id), "name": env_name},
         "createdOn": "2024-01-02T10:00:00Z", "modifiedOn": "2024-01-02T10:00:00Z"}
    if kind == "approval":
        c["type"] = dict(CHECK_TYPES["approval"])
        c["settings"] = {"approvers": [{"displayName": "Bob Reviewer", "id": "5a0e5b1c-0000-4000-8000-00000000b0b0"}],
                         "executionOrder": "anyOrder", "minRequiredApprovers": 0, "instructions": "",
                         "blockedApprovers": [], "requesterCannotBeApprover": False}
    elif kind == "branch_control":
        c["type"] = dict(CHECK_TYPES["task"])
        c["settings"] = {"definitionRef": {"id": "86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b",
                                           "name": "evaluatebranchProtection", "version": "0.0.1"},
                         "displayName": "Branch control",
                         "inputs": {"allowedBranches": "refs/heads/main", "ensureProtectionOfBranch": "true"},
                         "retryInterval": 5}
    else:
        c["type"] = dict(CHECK_TYPES["task"])
        c["settings"] = {"definitionRef": {"id": "445fde2f-6c39-441c-807f-8a59ff2e075f",
                                           "name": "evaluatebusinessHours", "version": "0.0.1"},
                         "displayName": "Business Hours",
                         "inputs": {"businessDays": "Monday,Tuesday,Wednesday,Thursday,Friday",
                                    "timeZone": "UTC", "startTime": "08:00", "endTime": "18:00"},
                         "retryInterval": 5}
    return c


def entitlement(who, account, display, msdn=False):
    """A user entitlement as vsaex.dev.azure.com/ORG/_apis/userentitlements/ID returns it."""
    return {"id": who["id"],
            "user": {"subjectKind": "user", "metaType": "member", "domain": "AAD",
                     "principalName": who["uniqueName"], "mailAddress": who["uniqueName"],
                     "origin": "aad", "originId": "0" + who["id"][1:], "displayName": who["displayName"],
                     "descriptor": "aad.%s" % who["id"].replace("-", "")},
            "accessLevel": {"licensingSource": "msdn" if msdn else "account", "accountLicenseType": account,
                            "msdnLicenseType": "enterprise" if msdn else "none", "licenseDisplayName": display,
                            "status": "active", "statusMessage": "", "assignmentSource": "unknown"},
            "lastAccessedDate": "2024-05-20T08:00:00Z", "dateCreated": "2023-01-01T08:00:00Z"}


def small_project(fixtures, org, project_id, name, repos, pipelines, environments):
    """A plain project beside contoso/ALM Project: repos is a list of
    (name, pull requests as (status, approved by another), disabled, empty)."""
    real_defs = body_of(fixtures, "list_build_definitions.json")["value"]
    real_build = body_of(fixtures, "list_builds_statusFilter-completed_continuationToken.json")["value"][0]
    real_prs = body_of(fixtures, "list_pull_requests_status-completed.json")["value"]
    real_repos = body_of(fixtures, "list_repositories.json")["value"]
    real_reviewers = body_of(fixtures, "list_pull_request_reviewers.json")["value"]
    project = {"id": project_id, "name": name, "state": "wellFormed", "revision": 7, "visibility": "private",
               "lastUpdateTime": "2024-04-01T08:00:00Z",
               "url": "https://dev.azure.com/%s/_apis/projects/%s" % (org, project_id)}
    d = Dataset(org, project)
    ref = {"id": project_id, "name": name}
    template = [x for x in real_defs if x["id"] == 25][0]
    for i, pname in enumerate(pipelines, 1):
        x = copy.deepcopy(template)
        x["id"] = i
        x["name"] = pname
        x["project"] = dict(ref)
        x["process"] = {"yamlFilename": "azure-pipelines.yml", "type": 2}
        x["latestBuild"] = {"id": 100 * i, "queueTime": "2024-05-20T09:00:00Z", "status": "completed"}
        d.definitions.append(x)
        b = copy.deepcopy(real_build)
        b.update(id=100 * i, status="completed", result="succeeded", reason="individualCI",
                 queueTime="2024-05-20T09:00:00Z", startTime="2024-05-20T09:00:04Z", project=dict(ref))
        b["definition"] = dict(b["definition"], id=i, name=pname)
        b.pop("tags", None)
        d.builds.append(b)
    other = dict(real_reviewers[0], id="5a0e5b1c-0000-4000-8000-00000000b0b0", displayName="Bob Reviewer")
    pid = 1
    everything = []
    for n, (rname, prs, disabled, empty) in enumerate(repos, 1):
        r = copy.deepcopy(real_repos[1])
        r["id"] = "%s-%012d" % (project_id[:23], n)
        r["name"] = rname
        r["project"] = dict(ref, state="wellFormed")
        r["remoteUrl"] = "https://dev.azure.com/%s/%s/_git/%s" % (org, name.replace(" ", "%20"), rname.replace(" ", "%20"))
        r["webUrl"] = r["remoteUrl"]
        r["isDisabled"] = disabled
        if empty:
            r.pop("defaultBranch", None)
        else:
            r["defaultBranch"] = "refs/heads/main"
        d.repositories.append(r)
        lst = []
        for (status, approved) in prs:
            x = copy.deepcopy(real_prs[0])
            x["pullRequestId"] = x["codeReviewId"] = pid
            x["status"] = status
            x["creationDate"] = "2024-05-%02dT08:00:00Z" % (1 + pid % 28)
            x["repository"] = {"id": r["id"], "name": rname, "project": dict(ref)}
            x["targetRefName"] = "refs/heads/main"
            x["reviewers"] = [dict(other, vote=10 if approved else 0)]
            lst.append(x)
            pid += 1
        d.pullrequests[r["id"]] = lst
        everything += lst
    d.pullrequests["*"] = everything
    d.default_reviewers = real_reviewers
    for (eid, ename) in enumerate(environments, 1):
        d.environments.append({"id": eid, "name": ename, "project": dict(ref)})
        if ename == "Prod":
            d.checks[eid] = [check("approval", 100 + eid, eid, ename)]
    author = real_prs[0]["createdBy"]
    d.entitlements = {author["id"]: entitlement(author, "express", "Basic")}
    return d


def contoso_neighbours(fixtures):
    return [
        small_project(fixtures, "contoso", "1d2e3f40-aaaa-4bbb-8ccc-000000000002", "Contoso Web",
                      [("Web Portal", [("completed", True), ("completed", True), ("active", False)], False, False),
                       ("Shared-Lib", [("completed", False)], False, False),
                       ("Legacy Portal", [], True, False)],
                      ["web-ci", "web-release"], ["Test", "Prod"]),
        small_project(fixtures, "contoso", "1d2e3f40-aaaa-4bbb-8ccc-000000000003", "Data Platform",
                      [("Warehouse", [("completed", True), ("abandoned", False)], False, False),
                       ("Scratch", [], False, True)],
                      ["warehouse-ci"], []),
        small_project(fixtures, "contoso", "1d2e3f40-aaaa-4bbb-8ccc-000000000004", "Archive", [], [], []),
    ]


def bench(fixtures, pipelines, build_pages, per_page, repos, prs_per_repo):
    real_defs = body_of(fixtures, "list_build_definitions.json")["value"]
    real_build = body_of(fixtures, "list_builds_statusFilter-completed_continuationToken.json")["value"][0]
    real_prs = body_of(fixtures, "list_pull_requests_status-completed.json")["value"]
    real_repos = body_of(fixtures, "list_repositories.json")["value"]
    project = {"id": "b0000000-0000-4000-8000-000000000000", "name": "Bench", "state": "wellFormed"}
    d = Dataset("bench", project)
    template = [x for x in real_defs if x["id"] == 25][0]
    bid = 1
    for i in range(1, pipelines + 1):
        x = copy.deepcopy(template)
        x["id"] = i
        x["name"] = "pipeline-%03d" % i
        x["process"] = {"yamlFilename": "azure-pipelines.yml", "type": 2}
        d.definitions.append(x)
        definition = dict(real_build["definition"], id=i, name=x["name"])
        for _ in range(build_pages * per_page):
            # Shallow copies: the nested objects are shared and never changed.
            d.builds.append(dict(real_build, id=bid, definition=definition, queueTime="2024-05-01T00:00:00Z"))
            bid += 1
    pid = 1
    for i in range(repos):
        r = copy.deepcopy(real_repos[1])
        r["id"] = "c0000000-0000-4000-8000-%012d" % i
        r["name"] = "repo-%02d" % i
        d.repositories.append(r)
        lst = []
        repo_ref = dict(real_prs[0]["repository"], id=r["id"], name=r["name"])
        for _ in range(prs_per_repo):
            lst.append(dict(real_prs[0], pullRequestId=pid, repository=repo_ref))
            pid += 1
        d.pullrequests[r["id"]] = lst
    d.pullrequests["*"] = [p for r in d.repositories for p in d.pullrequests[r["id"]]]
    author = real_prs[0]["createdBy"]
    d.entitlements = {author["id"]: entitlement(author, "express", "Basic")}
    return d


def bench_org(fixtures, projects, repos_per_project):
    """An organization of many projects, each with a few pipelines, builds, pull
    requests per repository, policies and environments."""
    out = []
    for i in range(projects):
        pid = "e0000000-0000-4000-8000-%012d" % i
        repos = [("repo-%02d-%02d" % (i, j), [("completed", True), ("completed", False), ("active", False)], False, False)
                 for j in range(repos_per_project)]
        d = small_project(fixtures, "benchorg", pid, "Project-%02d" % i, repos,
                          ["ci-%02d-%d" % (i, k) for k in range(3)], ["Test", "Prod"])
        out.append(d)
    return out


def huge(count):
    """One page of `count` build definitions, the smallest a definition can be."""
    d = Dataset("huge", {"id": "f0000000-0000-4000-8000-000000000000", "name": "Huge", "state": "wellFormed"})
    d.definitions = [{"id": i} for i in range(1, count + 1)]
    d.single_page = True
    return d


def parse_fault(seg):
    name, count, match, project = seg, None, None, None
    if ":" in name:
        name, project = name.split(":", 1)
    if "@" in name:
        name, match = name.split("@", 1)
    if "x" in name and name.rsplit("x", 1)[1].isdigit():
        name, count = name.rsplit("x", 1)
        count = int(count)
    return name, count, match, project


class Handler(standin.Handler):
    server_version = "ado-stand-in/1"
    json_type = JSON_TYPE

    # ---- responses ----
    def error(self, status, message, type_key="InvalidOperationException"):
        self.send(status, {"$id": "1", "innerException": None, "message": message,
                           "typeName": "Microsoft.TeamFoundation.Core.WebApi.%s, Microsoft.TeamFoundation.Core.WebApi" % type_key,
                           "typeKey": type_key, "errorCode": 0, "eventId": 3000})

    def log_request_line(self, path, query):
        log = self.server.args.log
        if not log:
            return
        params = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query, keep_blank_values=True).items()}
        entry = {"t": time.time(), "method": self.command, "path": path, "query": query,
                 "params": params, "headers": {k: v for k, v in self.headers.items()},
                 "client_port": self.client_address[1]}
        self.append_log(entry)

    # ---- paging ----
    def token_key(self, params):
        keep = sorted((k, v) for k, v in params.items() if k != "continuationToken")
        return hashlib.sha1(repr(keep).encode()).hexdigest()[:8]

    def page(self, items, params, cap, fault):
        top = int(params.get("$top", "100")) if params.get("$top", "100").isdigit() else 100
        size = max(1, min(top, cap))
        start = 0
        token = params.get("continuationToken")
        if token is not None:
            # Tokens carry characters that must be escaped in a query.
            try:
                offset, key = token.split("|", 1)
                key = key.split(" ", 1)[0]
                start = int(offset)
            except ValueError:
                return self.error(400, "The continuation token is not valid.")
            if key != self.token_key(params):
                return self.error(400, "The continuation token was issued for other query parameters.")
        chunk = items[start:start + size]
        headers = {}
        if fault == "skip":
            # An older server: no token, the client moves on with $skip.
            start = int(params["$skip"]) if params.get("$skip", "").isdigit() else 0
            chunk = items[start:start + size]
        elif fault == "repeat":
            chunk = items[:size]
            headers["X-MS-ContinuationToken"] = "0|%s +/&=" % self.token_key(params)
        elif fault == "loop":
            chunk = items[:size]
            headers["X-MS-ContinuationToken"] = "%d|%s +/&=" % (start + size, self.token_key(params))
        elif start + size < len(items):
            headers["X-MS-ContinuationToken"] = "%d|%s +/&=" % (start + size, self.token_key(params))
        self.reply_list(chunk, headers)

    def reply_list(self, chunk, headers=None):
        cache = self.server.cache
        if cache is not None and not getattr(self, "extra_headers", None):
            # The data never changes: serialise each distinct answer once.
            hit = cache.get(self.path)
            if hit is None:
                hit = cache[self.path] = json.dumps({"count": len(chunk), "value": chunk}).encode("utf-8")
            return self.send(200, hit, headers=headers)
        self.send(200, {"count": len(chunk), "value": chunk}, headers=headers)

    # ---- faults ----
    def fault(self, name, path, raw):
        if name in ("401",):
            # Recorded real 401s: empty body, a WWW-Authenticate challenge.
            return self.send(401, b"", ctype=None, headers={
                "WWW-Authenticate": 'Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://tfsprodweu2.visualstudio.com/"'})
        if name == "403":
            return self.error(403, "TF400813: The user 'contoso\\\\probe' is not authorized to access this resource.",
                              "UnauthorizedRequestException")
        if name in ("203", "html200"):
            page = "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>"
            return self.send(203 if name == "203" else 200, page, ctype="text/html; charset=utf-8")
        if name == "404text":
            return self.send(404, "Page not found.\r\nSecond line.", ctype="text/plain; charset=utf-8")
        if name == "429":
            body = {"message": "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.",
                    "typeKey": "RequestBlockedException"}
            return self.send(429, body, headers={"Retry-After": "1", "X-RateLimit-Resource": "Core",
                                                 "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "0",
                                                 "X-RateLimit-Reset": str(int(time.time()) + 1)})
        if name == "503":
            body = b"\xef\xbb\xbf" + json.dumps({"$id": "1", "message": "TF400898: An Internal Error Occurred. Activity Id: 0f6a7d2e.",
                                                 "typeKey": "ServiceUnavailableException"}).encode()
            return self.send(503, body, headers={"Retry-After": "1"})
        if name == "echo":
            # A server that quotes the credential back: clients must not repeat it.
            import base64
            auth = self.headers.get("Authorization", "")
            secret = auth.split(" ", 1)[1] if " " in auth else auth
            if auth.startswith("Basic "):
                secret = base64.b64decode(secret).decode("utf-8", "replace").lstrip(":")
            return self.error(400, "VS800001: The credential %s is not valid for this request." % secret)
        if name.startswith("echo-"):
            return self.echo_credential(name[5:])
        if name == "500":
            return self.error(500, "VS402371: An unexpected error occurred on the server.")
        if name == "ansi":
            # A message carrying terminal sequences: ESC, BEL and a C1 CSI.
            return self.error(500, "VS402371: \u001b]0;owned\u0007 broken \u009b2J server")
        if name == "redirect":
            return self.send(302, "<html>Object moved</html>", ctype="text/html", headers={
                "Location": "https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=" + path})
        if name == "hang":
            deadline = time.time() + 30
            while time.time() < deadline and not self.server.stopping:
                time.sleep(0.05)
            return None
        return "pass"

    def echo_credential(self, form):
        """Error answers that quote the request's credential back in one form
        or another: the client must repeat none of them."""
        import base64
        from urllib.parse import quote
        auth = self.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        token = value
        if scheme.lower() == "basic":
            token = base64.b64decode(value).decode("utf-8", "replace").partition(":")[2]
        b64 = lambda s: base64.b64encode(s.encode()).decode()
        messages = {
            "header": "VS800001: the request carried Authorization: %s" % auth,
            "pad": "VS800001: " + "x" * 266 + " credential " + token + " refused",
            "case": "VS800001: got authorization: basic %s and BEARER %s" % (b64(":" + token), token.upper()),
            "split": "VS800001: credential %s\r\n%s refused" % (token[:len(token) // 2], token[len(token) // 2:]),
            "url": "VS800001: see https://example.invalid/?reply_to=%s" % quote(token, safe=""),
            "user": "VS800001: tried %s, then %s and [%s]" % (b64("user:" + token), b64("ab:" + token),
                                                           b64("x" + token + "yz")),
            "wrapped": "VS800001: " + "\n".join(b64(":" + token)[i:i + 8] for i in range(0, len(b64(":" + token)), 8)),
        }
        if form == "text":
            return self.send(500, "VS800001: Authorization: %s\r\nsecond line" % auth, ctype="text/plain")
        if form == "location":
            return self.send(302, "", ctype="text/html", headers={
                "Location": "https://login.example.invalid/?t=%s&pad=%s" % (quote(token, safe=""), "y" * 300)})
        if form == "ctype":
            return self.send(200, "<html></html>", ctype="text/html; x=%s %s" % ("z" * 300, token))
        return self.error(400, messages.get(form, "VS800001: unknown echo form"))

    def do_GET(self):
        args = self.server.args
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        self.log_request_line(path, query)
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        segs = [unquote(s) for s in path.split("/") if s]

        fault = None
        if len(segs) >= 2 and segs[0] == "fault":
            name, count, match, project = parse_fault(segs[1])
            segs = segs[2:]
            api = "/".join(segs[segs.index("_apis") + 1:]) if "_apis" in segs else ""
            applies = match is None or match.replace(".", "/") == api
            if project is not None:
                # Below ORG/PROJECT/_apis only: the organization's own requests are not the project's.
                applies = applies and len(segs) > 2 and segs[2] == "_apis" and segs[1].lower() == project.lower()
            if applies and count is not None:
                with COUNT_LOCK:
                    n = FAULT_COUNTS.get(self.path, 0)
                    FAULT_COUNTS[self.path] = n + 1
                applies = n < count
            if applies:
                fault = name
        if args.latency:
            time.sleep(args.latency / 1000.0)
        if "Authorization" not in self.headers:
            return self.send(401, b"", ctype=None)
        if fault == "ratelimit":
            # Budget nearly spent: 4 units left, reset in a second.
            self.extra_headers = {"X-RateLimit-Resource": "Core", "X-RateLimit-Limit": "200",
                                  "X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "%.3f" % (time.time() + 1)}
        if fault and self.fault(fault, path, self.path) != "pass":
            return
        try:
            self.route(segs, params, fault)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self, segs, params, fault):
        data = self.server.datasets
        if segs and segs[0] == "_vsaex":
            return self.entitlements(segs[1:], params)
        if "api-version" not in params:
            return self.error(400, 'No api-version was supplied for the "GET" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").',
                              "VssVersionNotSpecifiedException")
        # {org}/_apis/projects: the organization's projects, in name order
        if len(segs) == 3 and segs[1:3] == ["_apis", "projects"]:
            projects = sorted((ds.project for (org, _), ds in data.items() if org == segs[0].lower()),
                              key=lambda p: p["name"].lower())
            if not projects:
                return self.error(404, "VS800075: The organization %s does not exist or you do not have access to it." % segs[0],
                                  "OrganizationNotFoundException")
            return self.listing(projects, params, self.server.args.page_size, fault)
        # {org}/_apis/projects/{project}
        if len(segs) == 4 and segs[1:3] == ["_apis", "projects"]:
            ds = data.get((segs[0].lower(), segs[3].lower()))
            if not ds:
                return self.error(404, "TF200016: The following project does not exist: %s. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server." % segs[3],
                                  "ProjectDoesNotExistWithNameException")
            return self.send(200, ds.project)
        if len(segs) < 4 or segs[2] != "_apis":
            return self.error(404, "The resource cannot be found.")
        ds = data.get((segs[0].lower(), segs[1].lower()))
        if not ds:
            return self.error(404, "TF200016: The following project does not exist: %s. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server." % segs[1],
                              "ProjectDoesNotExistWithNameException")
        rest = segs[3:]
        cap = self.server.args.page_size
        if rest == ["build", "definitions"]:
            if getattr(ds, "single_page", False):
                return self.listing(ds.definitions, {"$top": str(len(ds.definitions))}, len(ds.definitions), fault)
            return self.listing(ds.definitions, params, cap, fault)
        if rest == ["build", "builds"]:
            if len(self.path) > 2048:
                # IIS refuses longer query strings (the service answers 404.15).
                return self.send(404, "The request filtering module is configured to deny a request whose query string is too long.",
                                 ctype="text/plain; charset=utf-8")
            return self.listing(ds.builds_query(params), params, self.server.args.build_page_size, fault)
        if rest == ["pipelines", "checks", "configurations"]:
            if "-preview" not in params["api-version"]:
                return self.error(400, 'The requested version "%s" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests.' % params["api-version"],
                                  "VssInvalidPreviewVersionException")
            if params.get("resourceType") != "environment" or not params.get("resourceId", "").isdigit():
                return self.error(400, "Value cannot be null. Parameter name: resourceId", "ArgumentNullException")
            items = ds.checks.get(int(params["resourceId"]), [])
            if params.get("$expand") != "settings":
                items = [{k: v for k, v in c.items() if k != "settings"} for c in items]
            return self.reply_list(items)
        if rest == ["git", "repositories"]:
            return self.reply_list(ds.repositories)
        if rest == ["policy", "configurations"]:
            return self.listing(ds.policies, params, cap, fault)
        if rest == ["distributedtask", "environments"]:
            if "-preview" not in params["api-version"]:
                return self.error(400, 'The requested version "%s" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "%s-preview"' % (params["api-version"], params["api-version"]),
                                  "VssInvalidPreviewVersionException")
            return self.listing(ds.environments, params, cap, fault)
        if rest == ["git", "pullrequests"]:
            return self.pull_requests(ds.pullrequests.get("*", []), params, fault)
        if len(rest) == 4 and rest[:2] == ["git", "repositories"] and rest[3].lower() == "commits":
            repo = ds.repository(rest[2])
            if not repo:
                return self.error(404, "TF401019: The Git repository with name or identifier %s does not exist or you do not have permissions for the operation you are attempting." % rest[2],
                                  "GitRepositoryNotFoundException")
            items = ds.commits.get(repo["id"], [])
            if "searchCriteria.fromDate" in params:
                since = parse_time(params["searchCriteria.fromDate"])
                items = [c for c in items if parse_time(c["author"]["date"]) >= since]
            top = params.get("searchCriteria.$top", "100")
            items = items[:int(top)] if top.isdigit() else items
            return self.send(200, {"count": len(items), "value": items})
        if len(rest) == 4 and rest[:2] == ["git", "repositories"] and rest[3].lower() == "pullrequests":
            repo = ds.repository(rest[2])
            if not repo:
                return self.error(404, "TF401019: The Git repository with name or identifier %s does not exist or you do not have permissions for the operation you are attempting." % rest[2],
                                  "GitRepositoryNotFoundException")
            return self.pull_requests(ds.pullrequests.get(repo["id"], ds.pullrequests.get("*", [])), params, fault)
        if len(rest) == 6 and rest[:2] == ["git", "repositories"] and rest[3].lower() == "pullrequests" \
                and rest[5] == "reviewers" and rest[4].isdigit():
            return self.reply_list(ds.reviewers.get(int(rest[4]), ds.default_reviewers))
        return self.error(404, "The resource cannot be found.")

    def entitlements(self, segs, params):
        # _vsaex/ORG/_apis/userentitlements/ID, or ?$filter=name eq 'MAIL'
        if len(segs) not in (3, 4) or segs[1:3] != ["_apis", "userentitlements"]:
            return self.error(404, "The resource cannot be found.")
        if "api-version" not in params:
            return self.error(400, "No api-version was supplied for the \"GET\" request.", "VssVersionNotSpecifiedException")
        people = self.server.entitlements.get(segs[0].lower())
        if people is None:
            return self.error(404, "VS800075: The organization %s does not exist." % segs[0], "OrganizationNotFoundException")
        if len(segs) == 3:
            f = params.get("$filter", "")
            if not (f.startswith("name eq '") and f.endswith("'") and len(f) > 10):
                return self.error(400, "Invalid filter: %s" % f, "InvalidFilterException")
            name = f[9:-1].replace("''", "'").lower()
            found = [e for e in people.values()
                     if name in (e["user"]["mailAddress"].lower(), e["user"]["displayName"].lower())]
            return self.send(200, {"members": found, "continuationToken": None, "totalCount": len(found)})
        e = people.get(segs[3].lower())
        if e is None:
            return self.error(404, "VS403283: Could not find user with id %s." % segs[3], "UserNotFoundException")
        return self.send(200, e)

    def listing(self, items, params, cap, fault):
        if fault == "truncated":
            body = json.dumps({"count": len(items), "value": items}).encode()
            return self.send(200, body[:len(body) // 2])
        if fault == "bom":
            body = b"\xef\xbb\xbf" + json.dumps({"count": len(items), "value": items}).encode()
            return self.send(200, body)
        if fault == "short":
            body = json.dumps({"count": len(items), "value": items}).encode()
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if fault in ("oversize", "oversize-stream"):
            size = 40 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            if fault == "oversize":
                self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b'{"value": [' + b" " * 65525
            sent = 0
            try:
                while sent < size:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    chunk = b" " * 65536
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        return self.page(items, params, cap, fault)

    def pull_requests(self, items, params, fault):
        status = params.get("searchCriteria.status", "active")
        if status != "all":
            items = [p for p in items if p["status"] == status]
        if "searchCriteria.minTime" in params and params.get("searchCriteria.queryTimeRangeType", "created") == "created":
            since = parse_time(params["searchCriteria.minTime"])
            items = [p for p in items if parse_time(p["creationDate"]) >= since]
        top = int(params.get("$top", "101"))
        skip = int(params.get("$skip", "0"))
        size = max(0, min(top, self.server.args.page_size if self.server.args.pr_page_size == 0 else self.server.args.pr_page_size))
        if fault == "repeat":
            skip = 0
        self.reply_list(items[skip:skip + size])

    def send_response(self, code, message=None):
        super().send_response(code, message)
        for k, v in getattr(self, "extra_headers", {}).items():
            self.send_header(k, v)
        self.extra_headers = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", default=os.path.join(HERE, "fixtures", "ado"))
    ap.add_argument("--log", default=None, help="append each request as a JSON line")
    ap.add_argument("--latency", type=float, default=0, help="milliseconds before each answer")
    ap.add_argument("--page-size", type=int, default=3, help="largest page of any list")
    ap.add_argument("--build-page-size", type=int, default=1000, help="largest page of builds (the service's: 1000)")
    ap.add_argument("--pr-page-size", type=int, default=0, help="largest page of pull requests (default: --page-size)")
    ap.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds")
    ap.add_argument("--cache", action="store_true", help="serialise each distinct list answer once (benchmarks)")
    ap.add_argument("--tls-cert", default=None)
    ap.add_argument("--tls-key", default=None)
    ap.add_argument("--bench-pipelines", type=int, default=0)
    ap.add_argument("--bench-build-pages", type=int, default=3)
    ap.add_argument("--bench-builds-per-page", type=int, default=20)
    ap.add_argument("--bench-repos", type=int, default=20)
    ap.add_argument("--bench-prs-per-repo", type=int, default=30)
    ap.add_argument("--bench-org-projects", type=int, default=0)
    ap.add_argument("--bench-org-repos", type=int, default=40)
    ap.add_argument("--bench-huge-definitions", type=int, default=0)
    args = ap.parse_args()

    datasets = {}
    for ds in [fabrikam(args.fixtures), contoso(args.fixtures)] + contoso_neighbours(args.fixtures):
        datasets[(ds.org.lower(), ds.project["name"].lower())] = ds
    for ds in bench_org(args.fixtures, args.bench_org_projects, args.bench_org_repos) if args.bench_org_projects else []:
        datasets[(ds.org, ds.project["name"].lower())] = ds
    if args.bench_huge_definitions:
        ds = huge(args.bench_huge_definitions)
        datasets[(ds.org, ds.project["name"].lower())] = ds
    if args.bench_pipelines:
        ds = bench(args.fixtures, args.bench_pipelines, args.bench_build_pages, args.bench_builds_per_page,
                   args.bench_repos, args.bench_prs_per_repo)
        datasets[(ds.org, ds.project["name"].lower())] = ds

    server = standin.Server(("127.0.0.1", 0), Handler)
    server.args = args
    server.datasets = datasets
    server.stopping = False
    server.cache = {} if args.cache else None
    # User entitlements are the organization's: the people of all its projects.
    server.entitlements = {}
    for (org, _), ds in datasets.items():
        server.entitlements.setdefault(org, {}).update(ds.entitlements)
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    standin.serve(server, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
