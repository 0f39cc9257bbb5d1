#!/usr/bin/env bash
# End-to-end checks of the built binaries, as an operator would run them: the demo, the real
# promtool, a strict OpenMetrics parser, revocation through the simulator's control surface,
# the healthcheck subcommand, graceful shutdown timing, exit status 2 on bad input, and a grep
# for the secret in everything the exporter prints or serves. Every server binds 127.0.0.1 and
# is stopped here. Prints "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

source Tests/e2e/lib.sh
# --- The demo --------------------------------------------------------------------------------
port=$(free_port)
base="http://127.0.0.1:$port"
"$exporter" --demo --web.listen-address="127.0.0.1:$port" --poll.interval=1s >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
pids+=("$demo_pid")
check "demo becomes ready" wait_for "$base/-/ready" 30

content_type=$(curl -s -o /dev/null -w '%{content_type}' "$base/metrics")
check "/metrics content type is text 0.0.4" test "$content_type" = "text/plain; version=0.0.4; charset=utf-8"
curl -s "$base/metrics" >"$work/metrics.txt"
check "promtool check metrics passes with no warnings" bash -c "promtool check metrics <'$work/metrics.txt' && [ -z \"\$(promtool check metrics <'$work/metrics.txt' 2>&1)\" ]"
check "demo credential is valid" grep -qx 'sigma_credential_valid{org="demo"} 1' "$work/metrics.txt"
check "no series for unconfigured features" bash -c "! grep -q 'sigma_credential_rotation_deadline_timestamp_seconds{' '$work/metrics.txt'"

curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' "$base/metrics" >"$work/om.txt"
check "OpenMetrics body passes prometheus_client's strict parser" python3 - "$work/om.txt" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
assert any(f.name == "sigma_credential_valid" for f in families), "sigma_credential_valid missing"
assert any(f.name == "sigma_api_requests" and f.type == "counter" for f in families), "counter naming"
PY
check "no per-asset label and no target label (job, instance, endpoint, namespace, service, pod, container) in /metrics" python3 - "$work/metrics.txt" <<'PY'
import re, sys
allowed = {"org", "kind", "collector", "route", "code", "reason", "credential", "le", "version", "revision", "build_date", "swift_version",
           "owner_id", "owner_type", "organization_id", "client_id_suffix"}
# Labels Prometheus or the Prometheus Operator set on every target: one of ours with such a name is
# renamed exported_<name> by the scrape, and every query on it silently breaks.
target_labels = {"job", "instance", "endpoint", "namespace", "service", "pod", "container"}
assert allowed.isdisjoint(target_labels), f"a label of ours is a target label: {allowed & target_labels}"
for line in open(sys.argv[1]):
    if line.startswith("#") or "{" not in line:
        continue
    names = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', line.split("}")[0]))
    assert not names & target_labels, f"a target label in /metrics, the scrape would rename it: {line}"
    assert names <= allowed, f"unexpected labels {names - allowed}: {line}"
    if "owner_id" in names:
        assert line.startswith("sigma_credential_info{"), line
PY
check "coverage series for every kind" bash -c "grep -q '^sigma_documents{org=\"demo\",kind=\"data_model\"}' '$work/metrics.txt' && grep -q '^sigma_connection_use_coverage_ratio{org=\"demo\"}' '$work/metrics.txt'"
check "/inaccessible answers JSON listing out-of-reach documents" python3 -c "
import json, urllib.request
body = json.load(urllib.request.urlopen('$base/inaccessible'))
demo = body['organizations'][0]
assert demo['org'] == 'demo' and demo['inventoryComplete'], demo
assert demo['documents']['total'] > 0 and demo['documents']['items'][0]['url'].startswith('https://')"
check "gzip when asked" bash -c "curl -s -H 'Accept-Encoding: gzip' '$base/metrics' | gunzip | grep -q '^sigma_exporter_build_info'"
check "landing page links metrics" bash -c "curl -s '$base/' | grep -q 'href=\"/metrics\"'"
check "healthcheck subcommand: healthy" "$exporter" healthcheck --web.listen-address="127.0.0.1:$port"
head=$(git rev-parse HEAD)
check "--version names the version file and the checked-out revision" bash -c "'$exporter' --version | grep -q \"^sigma_exporter, version $(cat VERSION) (revision: $head\""
check "sigma_exporter_build_info carries the same revision" grep -q "^sigma_exporter_build_info{version=\"$(cat VERSION)\",revision=\"$head" "$work/metrics.txt"
closed=$(free_port)
check "healthcheck subcommand: nothing listening exits 1" bash -c "'$exporter' healthcheck --web.listen-address=127.0.0.1:$closed --timeout=2s; [ \$? -eq 1 ]"

control=$(grep -o 'http://127.0.0.1:[0-9]*/control' "$work/demo.out" | head -1)
if [ -n "$control" ]; then
  curl -s -X POST "$control/credentials/demo-crawler-client-7f3a9c/revoke" >/dev/null
  deadline=$((SECONDS + 15))
  while [ $SECONDS -lt $deadline ] && [ "$(metric "$base" 'sigma_credential_valid{org="demo"}')" != "0" ]; do sleep 0.3; done
  check "a revoked credential reads sigma_credential_valid 0" test "$(metric "$base" 'sigma_credential_valid{org="demo"}')" = "0"
  check "the credentials collector still succeeds (a verdict)" test "$(metric "$base" 'sigma_collector_success{org="demo",collector="credentials"}')" = "1"
else
  fail "the demo prints its control surface URL" "$(cat "$work/demo.out")"
fi

start_ns=$(date +%s%N)
kill -TERM "$demo_pid"
wait "$demo_pid"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "     (graceful shutdown took ${elapsed_ms} ms)"
check "SIGTERM exits 0" test "$status" -eq 0
check "SIGTERM exits within a second" test "$elapsed_ms" -lt 1000

# --- Bad input exits 2 with one line ---------------------------------------------------------
printf 'secret-from-file\n' >"$work/secret"
expect_two() { # description, env assignments..., -- , args...
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env -i PATH="$PATH" "${envs[@]}" "$exporter" "$@" >"$work/out" 2>"$work/err"
  local code=$?
  if [ $code -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ]; then pass "exit 2: $name ($(cat "$work/err"))"
  else fail "exit 2: $name (got $code)" "$(cat "$work/err")"; fi
}
ok_env=(SIGMA_CLOUD=aws-us SIGMA_CLIENT_ID=abc)
expect_two "unknown collector" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x -- --collector.nope
expect_two "unknown flag" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x -- --web.nope=1
expect_two "malformed listen address" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x -- --web.listen-address=nope
expect_two "malformed duration" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x -- --poll.interval=5 
expect_two "both secret variables" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x SIGMA_CLIENT_SECRET_FILE="$work/secret" --
expect_two "unreadable secret file" "${ok_env[@]}" SIGMA_CLIENT_SECRET_FILE="$work/missing" --
expect_two "base URL not http(s)" SIGMA_BASE_URL=ftp://x SIGMA_CLIENT_ID=abc SIGMA_CLIENT_SECRET=x --
expect_two "unknown cloud key" SIGMA_CLOUD=mars SIGMA_CLIENT_ID=abc SIGMA_CLIENT_SECRET=x --
expect_two "inventory id without secret" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x SIGMA_INVENTORY_CLIENT_ID=y --
expect_two "missing config file" -- --config.file="$work/none.yml"

# --- Environment-only configuration against sigma-sim; the secret is never printed -----------
sim_port=$(free_port)
"$simulator" --port "$sim_port" --control "$(free_port)" >"$work/sim.out" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sim_port/v2/whoami" 20 401 || fail "sigma-sim starts"
secret="demo-crawler-secret-do-not-use"
printf '%s\n' "$secret" >"$work/crawler-secret"
port=$(free_port)
env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$sim_port/v2" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" SIGMA_ORG=envonly \
  "$exporter" --web.listen-address="127.0.0.1:$port" --log.level=debug --log.format=json >"$work/env.out" 2>"$work/env.err" &
env_pid=$!
pids+=("$env_pid")
check "environment-only exporter (no HOME) becomes ready" wait_for "http://127.0.0.1:$port/-/ready" 30
check "its credential is valid" test "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="envonly"}')" = "1"
check "JSON logs are one object per line" python3 -c "
import json, sys
lines = [l for l in open('$work/env.err') if l.strip()]
assert lines, 'no log lines'
[json.loads(l) for l in lines]"
for path in / /metrics /-/ready /-/healthy /nope; do curl -s "http://127.0.0.1:$port$path" >>"$work/pages.txt"; done
kill -TERM "$env_pid"; wait "$env_pid"
check "the secret appears nowhere (stdout, stderr, pages)" bash -c "! grep -q -- '$secret' '$work/env.out' '$work/env.err' '$work/pages.txt'"

# --- Through an egress proxy (HTTP_PROXY, with credentials), and around it (NO_PROXY) -----------
proxy_port=$(free_port)
python3 Tests/e2e/forward_proxy.py "$proxy_port" "$work/proxy.log" --user "egress:pr0xy-pass" &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null && break; sleep 0.1; done
port=$(free_port)
env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$sim_port" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" SIGMA_ORG=proxied \
  HTTP_PROXY="http://egress:pr0xy-pass@127.0.0.1:$proxy_port" \
  "$exporter" --web.listen-address="127.0.0.1:$port" >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
pids+=("$proxy_pid")
check "through HTTP_PROXY the exporter becomes ready" wait_for "http://127.0.0.1:$port/-/ready" 30
check "and its credential is valid" test "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="proxied"}')" = "1"
check "every connection to Sigma went through the proxy, authenticated" bash -c "grep -q '127.0.0.1:$sim_port' '$work/proxy.log' && ! grep -q REFUSED '$work/proxy.log'"
check "the log names the proxy, never its password" bash -c "grep -q '127.0.0.1:$proxy_port' '$work/proxy.err' && ! grep -q 'pr0xy-pass' '$work/proxy.out' '$work/proxy.err'"
kill -TERM "$proxy_pid"; wait "$proxy_pid"
carried=$(wc -l <"$work/proxy.log")
port=$(free_port)
env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$sim_port" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" SIGMA_ORG=direct \
  HTTP_PROXY="http://egress:pr0xy-pass@127.0.0.1:$proxy_port" NO_PROXY="localhost,127.0.0.1" \
  "$exporter" --web.listen-address="127.0.0.1:$port" >"$work/noproxy.out" 2>"$work/noproxy.err" &
noproxy_pid=$!
pids+=("$noproxy_pid")
check "with NO_PROXY naming the host it becomes ready" wait_for "http://127.0.0.1:$port/-/ready" 30
check "and nothing went through the proxy" test "$(wc -l <"$work/proxy.log")" -eq "$carried"
kill -TERM "$noproxy_pid"; wait "$noproxy_pid"
expect_two "a malformed HTTPS_PROXY" "${ok_env[@]}" SIGMA_CLIENT_SECRET=x HTTPS_PROXY=proxy.example.com --

# --- A config file: SIGHUP reloads it (a rotated secret file included), a bad one is refused ----
printf 'an-old-secret\n' >"$work/rotating-secret"
cat >"$work/sigma.yml" <<YAML
organizations:
  - name: filed
    base_url: http://127.0.0.1:$sim_port
    client_id: demo-crawler-client-7f3a9c
    client_secret_file: $work/rotating-secret
YAML
port=$(free_port)
env -i PATH="$PATH" "$exporter" --config.file="$work/sigma.yml" --web.listen-address="127.0.0.1:$port" \
  --poll.interval=1s >"$work/file.out" 2>"$work/file.err" &
file_pid=$!
pids+=("$file_pid")
check "config-file exporter becomes ready" wait_for "http://127.0.0.1:$port/-/ready" 30
# Without an inventory credential to confirm it, a refusal is a verdict at the second check.
deadline=$((SECONDS + 15))
until [ $SECONDS -ge $deadline ] || [ "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="filed"}')" = "0" ]; do
  sleep 0.3
done
check "the old secret is rejected (confirmed by the second check)" test "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="filed"}')" = "0"
printf '%s\n' "$secret" >"$work/rotating-secret"
kill -HUP "$file_pid"
deadline=$((SECONDS + 15))
while [ $SECONDS -lt $deadline ] && [ "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="filed"}')" != "1" ]; do sleep 0.3; done
check "the rotated secret file is picked up on SIGHUP, without a restart" test "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="filed"}')" = "1"
echo "organizations: [{name: filed, cloud: mars}]" >"$work/sigma.yml"
kill -HUP "$file_pid"
sleep 1
check "a bad file on SIGHUP is refused (reload_successful 0)" test "$(metric "http://127.0.0.1:$port" sigma_config_last_reload_successful)" = "0"
check "and the running configuration keeps polling" test "$(metric "http://127.0.0.1:$port" 'sigma_credential_valid{org="filed"}')" = "1"
check "the refusal is logged with the field" grep -q 'organizations\[0\].cloud' "$work/file.err"
for path in / /metrics /inaccessible /-/ready /nope; do curl -s "http://127.0.0.1:$port$path" >>"$work/file-pages.txt"; done
curl -s -X POST "http://127.0.0.1:$port/-/reload" >>"$work/file-pages.txt"
kill -TERM "$file_pid"; wait "$file_pid"
check "the secret from a file named in the YAML appears nowhere" bash -c "! grep -q -- '$secret' '$work/file.out' '$work/file.err' '$work/file-pages.txt'"

# The secret in the environment variable itself, through a rejection and an outage.
port=$(free_port)
env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$sim_port" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET="$secret" "$exporter" --web.listen-address="127.0.0.1:$port" --poll.interval=1s \
  --log.level=debug >"$work/envvar.out" 2>"$work/envvar.err" &
envvar_pid=$!
pids+=("$envvar_pid")
wait_for "http://127.0.0.1:$port/-/ready" 30
curl -s -X POST "$(grep -o 'http://127.0.0.1:[0-9]*/control' "$work/sim.out" | head -1)/faults" -d '{"endpoint":"/v2/auth/token","kind":"status","status":503,"count":3}' >/dev/null
sleep 2
for path in / /metrics /inaccessible /-/ready /nope; do curl -s "http://127.0.0.1:$port$path" >>"$work/envvar-pages.txt"; done
kill -TERM "$envvar_pid"; wait "$envvar_pid"
check "the secret from SIGMA_CLIENT_SECRET appears nowhere" bash -c "! grep -q -- '$secret' '$work/envvar.out' '$work/envvar.err' '$work/envvar-pages.txt'"

# --- Shutdown with a poll in flight (every Sigma answer takes 5 s) -----------------------------
slow_port=$(free_port)
"$simulator" --port "$slow_port" --latency 5000 >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$slow_port/v2/whoami" 20 401 || true
port=$(free_port)
env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$slow_port" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" "$exporter" --web.listen-address="127.0.0.1:$port" >/dev/null 2>&1 &
slow_pid=$!
pids+=("$slow_pid")
wait_for "http://127.0.0.1:$port/-/healthy" 20
sleep 2  # the first poll is now waiting on Sigma
check "not ready while the first poll is in flight" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/-/ready")" = "503"
start_ns=$(date +%s%N)
kill -TERM "$slow_pid"
wait "$slow_pid"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "     (graceful shutdown with a poll in flight took ${elapsed_ms} ms)"
check "SIGTERM with a poll in flight exits 0 within a second" test "$status" -eq 0 -a "$elapsed_ms" -lt 1000

finish
