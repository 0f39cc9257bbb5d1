#!/usr/bin/env bash
# The shipped Prometheus config, rules, Alertmanager config and dashboard, run for real: the
# simulator, the exporter (every optional feature configured), Prometheus and Alertmanager, all on
# 127.0.0.1. Checks that every dashboard and rule expression parses and every panel returns data,
# that an edge's 403 storm, a gateway's JSON 403 and transient 401s never fire
# SigmaCredentialRejected, that a revocation in each of the simulator's words reads 0 within two
# check intervals and reaches Alertmanager as SigmaCredentialRejected within a stated bound, and that an unreachable
# Sigma fires SigmaCredentialNotVerified but not the rejection. The scrape adds the labels the
# Prometheus Operator sets on a ServiceMonitor's targets (namespace, service, pod, endpoint,
# container), so every panel and rule is run as kube-prometheus users run it: no label of ours may
# come back as exported_<name>, and the request panels must keep one series per route. Every
# process is stopped at the end. Prints "N passed, M failed" last.
set -uo pipefail
cd "$(dirname "$0")/../.."

source Tests/e2e/lib.sh
sim_port=$(free_port); control_port=$(free_port); exporter_port=$(free_port)
prom_port=$(free_port); am_port=$(free_port)

"$bin/sigma-sim" --port "$sim_port" --control "$control_port" >"$work/sim.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sim_port/v2/whoami" 30 401 || fail "simulator starts"

printf 'demo-crawler-secret-do-not-use\n' >"$work/crawler"
printf 'demo-admin-secret-do-not-use\n' >"$work/admin"
cat >"$work/sigma.yml" <<YAML
organizations:
  - name: demo
    base_url: http://127.0.0.1:$sim_port
    client_id: demo-crawler-client-7f3a9c
    client_secret_file: $work/crawler
    rotate_before: 2030-01-01
    coverage_targets: {workbook: 0.5, dataset: 0.5, data_model: 0.5, connections: 0.5}
    inventory:
      client_id: demo-admin-client-2b8e4d
      client_secret_file: $work/admin
YAML
"$bin/sigma_exporter" --config.file="$work/sigma.yml" --web.listen-address="127.0.0.1:$exporter_port" \
  --poll.interval=2s >"$work/exporter.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$exporter_port/-/ready" 60 || fail "exporter becomes ready" "$(tail -5 "$work/exporter.log")"

# The shipped files, with addresses and intervals rewritten for loopback and a quick test.
mkdir -p "$work/rules"
# The credential alerts' `for: 90s` is one 60 s check interval and a half; at this test's 2 s
# interval that is 3 s.
sed -e 's/^        for: 90s$/        for: 3s/' dashboards/sigma-exporter.rules.yml >"$work/rules/sigma-exporter.rules.yml"
sed -e "s|exporter:9906|127.0.0.1:$exporter_port|" -e "s|alertmanager:9093|127.0.0.1:$am_port|" \
    -e "s|/etc/prometheus/rules/|$work/rules/|" -e "s|scrape_interval: 15s|scrape_interval: 1s|" \
    -e "s|evaluation_interval: 15s|evaluation_interval: 1s|" docker/prometheus.yml >"$work/prometheus.yml"
# The target labels the Prometheus Operator gives a ServiceMonitor's targets (job and instance are
# Prometheus' own). A label of ours with one of these names would come back as exported_<name>.
cat >>"$work/prometheus.yml" <<'YAML'
    relabel_configs:
      - {target_label: namespace, replacement: monitoring}
      - {target_label: service, replacement: sigma-exporter}
      - {target_label: pod, replacement: sigma-exporter-7d9f8b6c5-x2x4q}
      - {target_label: endpoint, replacement: http}
      - {target_label: container, replacement: sigma-exporter}
YAML
check "the scrape job carries the Operator's relabelling" python3 -c "
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))['scrape_configs'][0]
assert {r['target_label'] for r in job['relabel_configs']} == {'namespace', 'service', 'pod', 'endpoint', 'container'}, job" "$work/prometheus.yml"
check "promtool accepts the rewritten config" promtool check config "$work/prometheus.yml"

prometheus-alertmanager --config.file=docker/alertmanager.yml --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/am.log" 2>&1 &
pids+=($!)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prom.log" 2>&1 &
pids+=($!)
check "alertmanager ready" wait_for "http://127.0.0.1:$am_port/-/ready" 30
check "prometheus ready" wait_for "http://127.0.0.1:$prom_port/-/ready" 30

export PROM="http://127.0.0.1:$prom_port" AM="http://127.0.0.1:$am_port"
cat >"$work/query.py" <<'PY'
import json, os, sys, urllib.error, urllib.parse, urllib.request
url = os.environ["PROM"] + "/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[1]})
try:
    print(json.dumps(json.load(urllib.request.urlopen(url))))
except urllib.error.HTTPError as error:
    print(json.dumps(json.load(error)))
PY
has_result() { python3 "$work/query.py" "$1" | grep -q '"value"'; }
# Wait for a scrape with every collector done.
deadline=$((SECONDS + 60))
until [ $SECONDS -ge $deadline ] || has_result 'count(sigma_collector_success == 1) >= 5'; do sleep 1; done
check "Prometheus scraped the exporter with every collector succeeding" has_result 'count(sigma_collector_success == 1) >= 5'
sleep 3  # a few scrapes, so rate() and histogram_quantile() have data

check "every dashboard panel query and rule expression parses, and every panel returns data" python3 - <<'PY'
import json, os, urllib.parse, urllib.request, yaml
def query(expr):
    url = os.environ["PROM"] + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        return json.load(urllib.request.urlopen(url))
    except urllib.error.HTTPError as error:
        return json.load(error)
problems = []
dashboard = json.load(open("dashboards/sigma-exporter.dashboard.json"))
for variable in dashboard["templating"]["list"]:
    if variable["type"] == "query":
        inner = variable["query"]["query"]
        metric = inner[len("label_values("):].rsplit(",", 1)[0]
        metric = metric.replace("$cluster", ".*").replace("$job", ".*").replace("$instance", ".*")
        if query(metric)["status"] != "success" or not query(metric)["data"]["result"]:
            problems.append(f"variable {variable['name']}: {metric}")
panels = 0
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        expr = (target["expr"].replace("$__rate_interval", "1m").replace("$org", ".*")
                .replace("$cluster", ".*").replace("$job", ".*").replace("$instance", ".*"))
        answer = query(expr)
        panels += 1
        if answer["status"] != "success":
            problems.append(f"panel {panel['title']!r}: {answer.get('error')}")
        elif not answer["data"]["result"]:
            problems.append(f"panel {panel['title']!r} returns no data: {expr}")
rules = yaml.safe_load(open("dashboards/sigma-exporter.rules.yml"))
count = 0
for group in rules["groups"]:
    for rule in group["rules"]:
        count += 1
        answer = query(rule["expr"])
        if answer["status"] != "success":
            problems.append(f"rule {rule.get('alert') or rule.get('record')}: {answer.get('error')}")
print(f"{panels} panel queries, {count} rule expressions")
assert not problems, "\n".join(problems)
PY

check "with the Operator's target labels: no label of ours comes back as exported_*, and the request panels keep one series per route" python3 - <<'PY'
import json, os, urllib.parse, urllib.request
def query(expr):
    url = os.environ["PROM"] + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    return json.load(urllib.request.urlopen(url))["data"]["result"]
problems = []
series = [s for s in query('{job="sigma"}') if ":" not in s["metric"]["__name__"]]  # scraped, not recorded
target = {"namespace": "monitoring", "service": "sigma-exporter", "endpoint": "http", "container": "sigma-exporter"}
for one in series:
    labels = one["metric"]
    clashes = [name for name in labels if name.startswith("exported_")]
    if clashes:
        problems.append(f"{labels['__name__']} has {clashes}: a label of ours is a target label")
    if any(labels.get(k) != v for k, v in target.items()):
        problems.append(f"{labels['__name__']} lacks the Operator's target labels: {labels}")
dashboard = json.load(open("dashboards/sigma-exporter.dashboard.json"))
request_panels = 0
for panel in dashboard["panels"]:
    for target_query in panel.get("targets", []):
        expr = target_query["expr"]
        if "sigma_api_request" not in expr:
            continue
        request_panels += 1
        expr = (expr.replace("$__rate_interval", "1m").replace("$org", ".*").replace("$cluster", ".*")
                .replace("$job", ".*").replace("$instance", ".*"))
        result = query(expr)
        routes = [r["metric"].get("route", "") for r in result]
        if len(set(routes)) < 3 or "" in routes or "http" in routes:
            problems.append(f"panel {panel['title']!r} has routes {sorted(set(routes))}: {expr}")
        if "by (le, route)" in expr and len(routes) != len(set(routes)):
            problems.append(f"panel {panel['title']!r}: a route twice, not one series per route: {routes}")
print(f"{len(series)} series with the Operator's labels; {request_panels} request panel queries")
assert request_panels >= 3, "the request panels are gone"
assert not problems, "\n".join(problems[:20])
PY

alerts_in_am() { curl -s "$AM/api/v2/alerts" | python3 -c "
import json, sys
print(' '.join(sorted({a['labels']['alertname'] for a in json.load(sys.stdin) if a['status']['state'] in ('active', 'suppressed')})))"; }
firing_in_prom() { curl -s "$PROM/api/v1/alerts" | python3 -c "
import json, sys
print(' '.join(sorted({a['labels']['alertname'] for a in json.load(sys.stdin)['data']['alerts'] if a['state'] == 'firing'})))"; }

check "no rejection alert while the credential works" bash -c "! grep -q SigmaCredentialRejected <<<'$(firing_in_prom)'"

# Something in front of Sigma refuses every request for 10 s (five polls): first an edge's 403 HTML
# page, then a gateway's JSON 403 {"message":"Forbidden"} for three intervals; then Sigma answers one
# token exchange and one whoami in a row with its 401 "Please try again later" (a transient pair the
# next exchange of the same check overturns). None is a revocation: sigma_credential_valid must
# never leave 1, and the rejection alert must never even be pending.
control() { curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$control_port$2" >/dev/null; }
control POST /control/faults '{"endpoint": "*", "kind": "edge", "status": 403}'
sleep 10
control DELETE /control/faults
control POST /control/faults '{"endpoint": "/v2/auth/token", "kind": "gateway", "status": 403}'
sleep 6
control DELETE /control/faults
control POST /control/faults '{"endpoint": "/v2/auth/token", "kind": "status", "status": 401, "count": 1, "code": "unauthorized", "message": "We cannot verify your identity. Please try again later."}'
control POST /control/faults '{"endpoint": "/v2/whoami", "kind": "status", "status": 401, "count": 1, "code": "unauthorized", "message": "We cannot verify your identity. Please try again later."}'
sleep 6
check "the edge and the gateway were seen, as blocked" has_result 'sigma_credential_check_errors_total{reason="blocked"} > 0'
check "the transient 401s were met" has_result 'sum(sigma_api_requests_total{route=~"/v2/auth/token|/v2/whoami",code="401"}) > 0'
check "no check was refused: nothing counted as rejected" has_result 'sigma_credential_check_errors_total{reason="rejected"} == 0'
check "the verdict never left 1 through the storm, the gateway and the transient 401s" has_result 'min_over_time(sigma_credential_valid[25s]) == 1'
check "and SigmaCredentialRejected was never pending or firing" bash -c "! python3 '$work/query.py' 'max_over_time(ALERTS{alertname=\"SigmaCredentialRejected\"}[30s])' | grep -q '\"value\"'"
control DELETE /control/faults

# Revoke with each of the words the simulator refuses with; the default, last, is Sigma's generic
# "We cannot verify your identity. Please try again later.". Each must read 0 within two check
# intervals and the check's own paced token requests (one a second per API host) (here the accepted inventory credential confirms at the first check),
# and the last must reach Alertmanager as SigmaCredentialRejected: within those seconds plus the
# rule's `for`, scaled to this test's 2 s interval (see the rules copy above), and Prometheus' send.
valid_now() { curl -s "http://127.0.0.1:$exporter_port/metrics" | grep -o '^sigma_credential_valid{org="demo"} [0-9]*' | cut -d' ' -f2; }
for refusal in invalid forbidden oauth identity; do
  deadline=$((SECONDS + 30))
  until [ $SECONDS -ge $deadline ] || [ "$(valid_now)" = "1" ]; do sleep 0.2; done
  curl -s -X POST "http://127.0.0.1:$control_port/control/credentials/demo-crawler-client-7f3a9c/revoke?refusal=$refusal" >/dev/null
  start=$SECONDS
  until [ $((SECONDS - start)) -ge 12 ] || [ "$(valid_now)" = "0" ]; do sleep 0.2; done
  echo "     (revoked, refused as '$refusal': sigma_credential_valid read 0 $((SECONDS - start)) s after; bound 12 s = two 2 s intervals + a check's four paced token requests + 4 s)"
  check "a revocation refused as '$refusal' reads 0 within two intervals" test "$(valid_now)" = "0"
  [ "$refusal" = identity ] || curl -s -X POST "http://127.0.0.1:$control_port/control/credentials/demo-crawler-client-7f3a9c/restore" >/dev/null
done
until [ $((SECONDS - start)) -ge 40 ] || grep -q SigmaCredentialRejected <<<"$(alerts_in_am)"; do sleep 0.5; done
elapsed=$((SECONDS - start))
echo "     (SigmaCredentialRejected reached Alertmanager ${elapsed} s after the revocation; bound 40 s = 12 s + for: 3s + evaluation and send)"
check "a revoked credential reaches Alertmanager as SigmaCredentialRejected" bash -c "grep -q SigmaCredentialRejected <<<'$(alerts_in_am)'"

# Restore, then make Sigma unreachable: not verified fires (3 × 2 s), the rejection does not.
curl -s -X POST "http://127.0.0.1:$control_port/control/credentials/demo-crawler-client-7f3a9c/restore" >/dev/null
deadline=$((SECONDS + 30))
until [ $SECONDS -ge $deadline ] || has_result 'sigma_credential_valid == 1'; do sleep 0.5; done
curl -s -X POST "http://127.0.0.1:$control_port/control/unreachable" >/dev/null
start=$SECONDS
until [ $((SECONDS - start)) -ge 30 ] || grep -q SigmaCredentialNotVerified <<<"$(firing_in_prom)"; do sleep 0.5; done
echo "     (SigmaCredentialNotVerified fired $((SECONDS - start)) s after Sigma became unreachable)"
check "an unreachable Sigma fires SigmaCredentialNotVerified" bash -c "grep -q SigmaCredentialNotVerified <<<'$(firing_in_prom)'"
until [ $((SECONDS - start)) -ge 30 ] || grep -q SigmaExporterDataStale <<<"$(firing_in_prom)"; do sleep 0.5; done
check "and SigmaExporterDataStale" bash -c "grep -q SigmaExporterDataStale <<<'$(firing_in_prom)'"
until [ $((SECONDS - start)) -ge 30 ] || grep -q SigmaCredentialNotVerified <<<"$(alerts_in_am)"; do sleep 0.5; done
check "and Alertmanager lists it" bash -c "grep -q SigmaCredentialNotVerified <<<'$(alerts_in_am)'"
check "but SigmaCredentialRejected does not fire" bash -c "! grep -q SigmaCredentialRejected <<<'$(firing_in_prom)'"

finish
