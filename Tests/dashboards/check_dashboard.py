#!/usr/bin/env python3
"""Static checks of the Grafana dashboard: valid JSON, the datasource/job/instance/org variables,
a link to the runbook, and every panel with a datasource, a unit, a description and at least one
target whose queries use $__rate_interval (never a fixed range) for rates; coloured backgrounds
with thresholds of their own, ratios on a 0-1 scale. Prints "N passed, M failed"."""
import json
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "dashboards/sigma-exporter.dashboard.json"
dashboard = json.load(open(path))
problems = []
variables = {v["name"] for v in dashboard["templating"]["list"]}
for needed in ["datasource", "job", "instance", "org"]:
    if needed not in variables:
        problems.append(f"missing variable ${needed}")
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
        if "sigma_" in expr and 'org=~"$org"' not in expr:
            problems.append(f"{title}: does not filter by $org: {expr}")
if not any("runbook" in link.get("title", "").lower() for link in dashboard.get("links", [])):
    problems.append("no dashboard link to the runbook")
for problem in problems:
    print("FAIL", problem)
print(f"dashboard: {checked} passed, {len(problems)} failed")
sys.exit(1 if problems or checked == 0 else 0)
