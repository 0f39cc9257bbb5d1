#!/usr/bin/env python3
"""Walks every endpoint the simulator serves (all pages, as a non-admin and as an admin) and
validates every 200 body against the response schema of that operation in Sigma's own OpenAPI
document (../shared/sigma-openapi/). The document's overlapping oneOfs are read as anyOf ("at
least one branch matches"), as its README says. Skips, with a message, where the document is
absent. Usage: simulator_conformance.py PATH_TO_SIGMA_SIM"""
import copy
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(os.path.dirname(ROOT), "shared", "sigma-openapi", "sigma-rest-api.openapi.json")

if not os.path.exists(SPEC):
    print(f"skipped: {SPEC} is absent, so there is no schema to validate the simulator against")
    sys.exit(0)

from jsonschema import Draft202012Validator  # noqa: E402
from referencing import Registry, Resource  # noqa: E402


def any_of(node):
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [any_of(v) for v in node]
    return node


def rewrite_refs(node):
    """Points local "#/..." references at the registered document."""
    if isinstance(node, dict):
        return {k: ("urn:sigma" + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else rewrite_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite_refs(v) for v in node]
    return node


spec = rewrite_refs(any_of(json.load(open(SPEC))))
registry = Registry().with_resource("urn:sigma", Resource.opaque(spec))


def validator_for(template):
    schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft202012Validator(schema, registry=registry)


passed = 0
failed = 0
validators = {}


def check(template, url, body):
    global passed, failed
    validator = validators.setdefault(template, validator_for(template))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        failed += 1
        e = errors[0]
        print(f"FAIL {template} ({url}): {e.message[:300]} at {list(e.absolute_path)}")
    else:
        passed += 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port = free_port()
base = f"http://127.0.0.1:{port}"
sim = subprocess.Popen([sys.argv[1], "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/v2/whoami", timeout=1)
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)

    def token(client_id, secret):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}).encode()
        body = json.load(urllib.request.urlopen(urllib.request.Request(base + "/v2/auth/token", data=form, method="POST")))
        schema = spec["paths"]["/v2/auth/token"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator(schema, registry=registry)
        global passed, failed
        errors = list(validator.iter_errors(body))
        if errors:
            failed += 1
            print("FAIL /v2/auth/token:", errors[0].message)
        else:
            passed += 1
        return body["access_token"]

    callers = {
        "crawler": token("demo-crawler-client-7f3a9c", "demo-crawler-secret-do-not-use"),
        "admin": token("demo-admin-client-2b8e4d", "demo-admin-secret-do-not-use"),
    }

    def get(access_token, url):
        request = urllib.request.Request(base + url, headers={"Authorization": f"Bearer {access_token}"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, None

    def walk(access_token, template, url, paging="page"):
        """Every page of url; returns all entries (or the bare body)."""
        items = []
        token_value = None
        while True:
            sep = "&" if "?" in url else "?"
            if paging == "page":
                page_url = url + f"{sep}limit=7" + (f"&page={urllib.parse.quote(token_value)}" if token_value else "")
            elif paging == "pageToken":
                page_url = url + f"{sep}pageSize=2" + (f"&pageToken={urllib.parse.quote(token_value)}" if token_value else "")
            else:
                page_url = url
            status, body = get(access_token, page_url)
            if status != 200:
                return items, status
            check(template, page_url, body)
            if paging == "none":
                return body, status
            items += body["entries"]
            token_value = body.get("nextPage") if paging == "page" else body.get("nextPageToken")
            if not token_value:
                return items, status

    for name, access in callers.items():
        walk(access, "/v2/whoami", "/v2/whoami", paging="none")
        members, _ = walk(access, "/v2/members", "/v2/members")
        walk(access, "/v2/teams", "/v2/teams")
        for member in members[:4]:
            walk(access, "/v2/members/{memberId}", f"/v2/members/{member['memberId']}", paging="none")
            walk(access, "/v2/members/{memberId}/teams", f"/v2/members/{member['memberId']}/teams")
        walk(access, "/v2/files", "/v2/files")
        walk(access, "/v2/members/{memberId}/files", f"/v2/members/{members[1]['memberId']}/files")
        for suffix in ["", "?skipPermissionCheck=true"]:
            workbooks, _ = walk(access, "/v2/workbooks", "/v2/workbooks" + suffix)
            datasets, _ = walk(access, "/v2/datasets", "/v2/datasets" + suffix)
            models, _ = walk(access, "/v2/dataModels", "/v2/dataModels" + suffix)
        walk(access, "/v2/workbooks", "/v2/workbooks?isArchived=true&excludeExplorations=true")
        for workbook in workbooks:
            walk(access, "/v2/workbooks/{workbookId}/sources", f"/v2/workbooks/{workbook['workbookId']}/sources", paging="none")
            walk(access, "/v2/workbooks/{workbookId}/lineage", f"/v2/workbooks/{workbook['workbookId']}/lineage")
        for dataset in datasets:
            walk(access, "/v2/datasets/{datasetId}/sources", f"/v2/datasets/{dataset['datasetId']}/sources", paging="none")
        for model in models:
            walk(access, "/v2/dataModels/{dataModelId}/sources", f"/v2/dataModels/{model['dataModelId']}/sources", paging="pageToken")
            walk(access, "/v2/dataModels/{dataModelId}/lineage", f"/v2/dataModels/{model['dataModelId']}/lineage")
        connections, _ = walk(access, "/v2/connections", "/v2/connections?includeArchived=true")
        walk(access, "/v2/connections/paths", "/v2/connections/paths")
        for connection in connections:
            walk(access, "/v2/connections/paths", f"/v2/connections/paths?connectionId={connection['connectionId']}")
            walk(access, "/v2/connections/{connectionId}/grants", f"/v2/connections/{connection['connectionId']}/grants")
        admin_tables = []
        if name == "admin":
            # Table inodes come from sources; look each up and read its grants.
            for model in models:
                entries, _ = walk(access, "/v2/dataModels/{dataModelId}/sources", f"/v2/dataModels/{model['dataModelId']}/sources", paging="pageToken")
                admin_tables += [e["tableId"] for e in entries if e.get("type") == "table"]
            for inode in sorted(set(admin_tables))[:20]:
                walk(access, "/v2/connections/paths/{inodeId}", f"/v2/connections/paths/{inode}", paging="none")
                walk(access, "/v2/connections/paths/{connectionPathId}/grants", f"/v2/connections/paths/{inode}/grants")
            walk(access, "/v2/grants", f"/v2/grants?userId={members[1]['memberId']}")
            for workbook in workbooks[:5]:
                walk(access, "/v2/grants", f"/v2/grants?inodeId={workbook['workbookId']}")
finally:
    sim.terminate()
    sim.wait(timeout=10)

print(f"conformance: {passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
