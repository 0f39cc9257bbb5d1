#!/usr/bin/env python3
"""Static checks of the Grafana dashboard: valid JSON, the datasource/job/instance/org variables,
a link to the runbook, and every panel with a datasource, a unit, a description and at least one
target whose queries use $__rate_interval (never a fixed range) for rates; coloured backgrounds
with thresholds of their own, ratios on a 0-1 scale. And what users asked for (issue 25): a
shared crosshair; a `cluster` variable, hidden by default, that every query filters by (Thanos,
Mimir); links to /inaccessible built from the `exporter_url` variable, never from `instance` (a
pod IP on Kubernetes); panels for the first scan's progress, the credential's owner and client id
suffix, the inventory's verdict and credential, the configuration's reload, the store's health
(--storage.path), and the coverage targets drawn as dashed lines on the coverage over time. Prints
"N passed, M failed"."""
import json
import re
import sys

# Core series without an `org` label (the exporter's own): no $org filter for them.
WITHOUT_ORG = ("sigma_config_", "sigma_exporter_build_info", "sigma_storage_healthy")

path = sys.argv[1] if len(sys.argv) > 1 else "dashboards/sigma-exporter.dashboard.json"
dashboard = json.load(open(path))
problems = []
variables = {v["name"] for v in dashboard["templating"]["list"]}
for needed in ["datasource", "cluster", "job", "instance", "org", "exporter_url"]:
    if needed not in variables:
        problems.append(f"missing variable ${needed}")
by_name = {v["name"]: v for v in dashboard["templating"]["list"]}
if dashboard.get("graphTooltip") != 1:
    problems.append("the crosshair is not shared (graphTooltip 1)")
cluster = by_name.get("cluster", {})
if cluster and (cluster.get("hide") != 2 or not cluster.get("includeAll") or cluster.get("allValue") != ".*"):
    problems.append("$cluster must be hidden by default (hide 2) and All (.*) unless chosen, so that series "
                    "without a cluster label still match")
for name in ("job", "instance", "org"):
    query = by_name.get(name, {}).get("query", {})
    query = query.get("query", "") if isinstance(query, dict) else query
    if 'cluster=~"$cluster"' not in query:
        problems.append(f"variable ${name} does not filter by $cluster: {query}")


def links(node):
    """Every link object anywhere in a panel (panel links, field links, overrides)."""
    if isinstance(node, dict):
        if "url" in node and isinstance(node["url"], str):
            yield node
        for value in node.values():
            yield from links(value)
    elif isinstance(node, list):
        for value in node:
            yield from links(value)


for link in links(dashboard.get("panels", [])):
    url = link["url"]
    if re.search(r"instance", url):
        problems.append(f"a link is built from instance (a pod IP on Kubernetes): {url}")
    if "/inaccessible" in url and not url.startswith("${exporter_url}/"):
        problems.append(f"a link to /inaccessible does not start with ${{exporter_url}}/: {url}")
all_exprs = [t.get("expr", "") for p in dashboard["panels"] for t in p.get("targets", [])]
for family, what in (("sigma_connections_scan_progress_ratio", "the first scan's progress"),
                     ("sigma_credential_info", "the credential's owner and client id suffix"),
                     ("sigma_inventory_complete", "the inventory's verdict"),
                     ("sigma_inventory_credential_valid", "the inventory credential's verdict"),
                     ("sigma_config_last_reload_successful", "the configuration's reload status"),
                     ("sigma_storage_healthy", "the store's health (--storage.path)")):
    if not any(family in e for e in all_exprs):
        problems.append(f"no panel shows {what} ({family})")
for panel in dashboard["panels"]:
    if panel.get("type") == "table" and any("sigma_credential_info" in t.get("expr", "") for t in panel.get("targets", [])):
        hidden = {k for tr in panel.get("transformations", []) for k, v in
                  tr.get("options", {}).get("excludeByName", {}).items() if v}
        for column in ("owner_id", "client_id_suffix"):
            if column in hidden:
                problems.append(f"{panel['title']}: hides {column}")
for ratio, target in (("sigma_document_view_coverage_ratio", "sigma_document_view_coverage_target_ratio"),
                      ("sigma_connection_use_coverage_ratio", "sigma_connection_use_coverage_target_ratio")):
    drawn = False
    for panel in dashboard["panels"]:
        if panel.get("type") != "timeseries":
            continue
        refs = {t["refId"] for t in panel.get("targets", []) if target in t.get("expr", "")}
        if not refs or not any(ratio in t.get("expr", "") and target not in t.get("expr", "") for t in panel["targets"]):
            continue
        dashed = {o["matcher"].get("options") for o in panel.get("fieldConfig", {}).get("overrides", [])
                  if o.get("matcher", {}).get("id") == "byFrameRefID"
                  and any(p.get("id") == "custom.lineStyle" and p.get("value", {}).get("fill") == "dash"
                          for p in o.get("properties", []))}
        drawn = drawn or refs <= dashed
    if not drawn:
        problems.append(f"{target} is not drawn as a dashed line beside {ratio} over time")
checked = 0
for panel in dashboard["panels"]:
    if panel["type"] == "row":
        continue
    checked += 1
    title = panel.get("title", "?")
    if panel.get("datasource", {}).get("uid") != "${datasource}":
        problems.append(f"{title}: datasource is not ${{datasource}}")
    if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
        problems.append(f"{title}: no unit")
    if not panel.get("description"):
        problems.append(f"{title}: no description")
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    # A coloured background with Grafana's default thresholds (red above 80) lies: say them.
    if panel.get("options", {}).get("colorMode") == "background" and not defaults.get("thresholds", {}).get("steps"):
        problems.append(f"{title}: coloured background without thresholds of its own")
    # A share is between 0 and 1: the axis or gauge must say so, or a 0.99 looks like a cliff.
    exprs = " ".join(t.get("expr", "") for t in panel.get("targets", []))
    if ("coverage_ratio" in exprs or "_usable" in exprs and " / " in exprs) and (
        defaults.get("min") != 0 or defaults.get("max") != 1
    ):
        problems.append(f"{title}: a ratio panel without min 0 and max 1")
    targets = panel.get("targets", [])
    if not targets:
        problems.append(f"{title}: no target")
    for target in targets:
        expr = target.get("expr", "")
        if not expr:
            problems.append(f"{title}: empty expression")
        if re.search(r"rate\([^)]*\[\d+[smhd]\]\)", expr):
            problems.append(f"{title}: fixed rate window instead of $__rate_interval: {expr}")
        if "sigma_" in expr and 'org=~"$org"' not in expr and not all(
                m.startswith(WITHOUT_ORG) for m in re.findall(r"\bsigma_[a-z_]+", expr)):
            problems.append(f"{title}: does not filter by $org: {expr}")
        if re.search(r"\b(sigma|process)_", expr) and 'cluster=~"$cluster"' not in expr:
            problems.append(f"{title}: does not filter by $cluster: {expr}")
if not any("runbook" in link.get("title", "").lower() for link in dashboard.get("links", [])):
    problems.append("no dashboard link to the runbook")
for problem in problems:
    print("FAIL", problem)
print(f"dashboard: {checked} passed, {len(problems)} failed")
sys.exit(1 if problems or checked == 0 else 0)
