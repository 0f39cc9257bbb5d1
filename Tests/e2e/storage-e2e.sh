#!/usr/bin/env bash
# End-to-end checks of the --storage.path store with the built binaries: a standalone sigma-sim
# (a generated organisation of 420 documents, 10 connections, read at 100 requests a second, so a
# first scan takes about 5 s) and the exporter on one store folder. Checks that a SIGKILL during a
# poll loses neither inaccessible_since nor the change history, and that the restarted exporter
# reads no table's lookup again; that a corrupt store is moved aside (one log line, the exporter
# serving from memory, sigma_storage_healthy 0) and the next start makes a fresh one; that a
# second exporter on a held store serves from memory and leaves it alone; and that no secret is
# logged. Every server binds 127.0.0.1 and is stopped here. Prints "N passed, M failed" last;
# exits non-zero on any failure.
#
# The restarted exporter asks no unchanged document for its sources: only the workbook touched
# while the exporter was down. (Document versions are stored as a hash that must be the same in
# every process: with Swift's per-process seeded Hasher, every document was read again.)
set -uo pipefail
cd "$(dirname "$0")/../.."

source Tests/e2e/lib.sh
sim_port=$(free_port)
control_port=$(free_port)
control="http://127.0.0.1:$control_port/control"
"$simulator" --port "$sim_port" --control "$control_port" --seed 7 --workbooks 300 --datasets 60 --data-models 60 \
  --connections 10 >"$work/sim.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sim_port/v2/whoami" 30 401 || fail "sigma-sim starts" "$(cat "$work/sim.log")"
crawler_secret=demo-crawler-secret-do-not-use
admin_secret=demo-admin-secret-do-not-use
printf '%s\n' "$crawler_secret" >"$work/crawler"
printf '%s\n' "$admin_secret" >"$work/admin"
cat >"$work/sigma.yml" <<YAML
poll:
  max_requests_per_second: 100
organizations:
  - name: acme
    base_url: http://127.0.0.1:$sim_port
    client_id: demo-crawler-client-7f3a9c
    client_secret_file: $work/crawler
    inventory:
      client_id: demo-admin-client-2b8e4d
      client_secret_file: $work/admin
YAML
store="$work/store"
db="$store/sigma_exporter.sqlite"

# start_exporter NAME: an exporter on the store, logging to $work/exporter-NAME.log; sets $pid and $base.
start_exporter() {
  local port
  port=$(free_port)
  base="http://127.0.0.1:$port"
  "$exporter" --config.file="$work/sigma.yml" --web.listen-address="127.0.0.1:$port" --poll.interval=2s \
    --storage.path="$store" >"$work/exporter-$1.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "$base/-/healthy" 30 || fail "$1: the exporter starts" "$(tail -5 "$work/exporter-$1.log")"
}
# until SECONDS COMMAND...: runs COMMAND every 0.3 s until it succeeds or SECONDS pass.
until_true() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.3; done
}
storage_healthy() { test "$(metric "$1" sigma_storage_healthy)" = "$2"; }
connections_complete() { curl -s "$1/metrics" | grep -qx 'sigma_connections_complete{org="acme"} 1'; }
# Whether a complete scan of the sources finished after the epoch second $2.
scanned_after() {
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1] or 0) > float(sys.argv[2]) else 1)' \
    "$(metric "$1" 'sigma_connections_last_complete_scan_timestamp_seconds{org="acme"}')" "$2"
}
# Requests the simulator counted on route template $1 since its counts were last reset.
requests() { curl -s "$control/requests" | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"; }
# What /inaccessible at $1 lists: "kind id inaccessible_since" per document and connection, sorted.
out_of_reach() {
  curl -s "$1/inaccessible?limit=10000" | python3 -c '
import json, sys
org = json.load(sys.stdin)["organizations"][0]
rows = [(d["kind"], d["id"], d.get("inaccessible_since")) for d in org["documents"]["items"]]
rows += [("connection", c["id"], c.get("inaccessible_since")) for c in org["connections"]["items"]]
for row in sorted(rows): print(*row)'
}

# --- A first scan, then one document comes within reach --------------------------------------
t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
start_exporter first
first_pid=$pid
check "sigma_storage_healthy 1 on a new store" storage_healthy "$base" 1
check "the first scan completes (sigma_connections_complete 1)" until_true 60 connections_complete "$base"
out_of_reach "$base" >"$work/first.txt"
check "/inaccessible lists documents and connections out of reach, each with inaccessible_since" python3 - "$work/first.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
kinds = {row[0] for row in rows}
assert {"workbook", "connection"} <= kinds, kinds
assert all(len(row) == 3 for row in rows), [row for row in rows if len(row) != 3]
PY
granted=$(awk '$1 == "workbook" { print $2; exit }' "$work/first.txt")
touched=$(awk '$1 == "workbook" { n++ } $1 == "workbook" && n == 2 { print $2; exit }' "$work/first.txt")
# Shared with the crawler: it comes within reach at the workbooks collector's next poll.
curl -s -X POST "$control/grants" -d "{\"grantId\":\"e2e-grant\",\"inodeId\":\"$granted\",
  \"memberId\":\"Cr4wL3rK8mN2pQ6sT9vX1zB5dG7h\",\"permission\":\"view\",\"createdAt\":\"2026-01-01T00:00:00.000Z\"}" >/dev/null
became_accessible() {
  curl -s "$1/inaccessible/changes?since=$t0&org=acme" | python3 -c '
import json, sys
changes = json.load(sys.stdin)["changes"]
hits = [c for c in changes if c["id"] == sys.argv[1] and c["change"] == "became_accessible"]
assert len(hits) == 1, changes
print(hits[0]["time"])' "$granted"
}
check "sharing a workbook shows in /inaccessible/changes as became_accessible" until_true 20 became_accessible "$base"
became_accessible "$base" >"$work/change-time.txt"
# The report of the same poll (or the next): the shared workbook is no longer listed.
not_listed() { ! out_of_reach "$1" | grep -q " $granted "; }
until_true 10 not_listed "$base"
out_of_reach "$base" >"$work/before.txt"
curl -s "$base/inaccessible/changes" >"$work/changes-before.json"
check "the shared workbook left /inaccessible" bash -c "! grep -q ' $granted ' '$work/before.txt'"

# --- SIGKILL during a poll ---------------------------------------------------------------------
# During a poll, provably: another workbook changes (a new version), and the simulator holds the
# connections pass's request for its sources for 30 s. Once the simulator has counted that request,
# the pass is waiting on it, and the exporter is killed then, mid-pass.
held=$(curl -s -X POST "$control/faults" -d "{\"endpoint\":\"/v2/workbooks/{workbookId}/sources\",\"kind\":\"latency\",
  \"latencyMilliseconds\":30000,\"ids\":[\"$touched\"]}")
check "the simulator will hold that workbook's sources for 30 s" grep -q 'fault added' <<<"$held"
curl -s -X DELETE "$control/requests" >/dev/null
curl -s -X POST "$control/documents/$touched/touch" >/dev/null
sources_asked() { test "$(requests '/v2/workbooks/{workbookId}/sources')" -ge 1; }
check "a connections pass is in flight: the changed workbook's sources are asked (and held)" until_true 20 sources_asked
kill -KILL "$first_pid"
wait "$first_pid" 2>/dev/null
check "the exporter died of SIGKILL" test $? -eq 137
curl -s -X DELETE "$control/faults" >/dev/null
curl -s -X DELETE "$control/requests" >/dev/null

# --- Restarted on the same store ---------------------------------------------------------------
restarted_at=$(date +%s)
start_exporter restarted
restarted_pid=$pid
check "after SIGKILL: sigma_storage_healthy 1 (the lock died with the process)" storage_healthy "$base" 1
check "the restarted exporter completes a pass" until_true 60 scanned_after "$base" "$restarted_at"
out_of_reach "$base" >"$work/after.txt"
check "every asset out of reach before the kill still is, with the same inaccessible_since" \
  diff "$work/before.txt" "$work/after.txt"
same_change() { local time; time=$(became_accessible "$1") && test "$time" = "$(cat "$work/change-time.txt")"; }
check "/inaccessible/changes still holds the change, at the same time" same_change "$base"
check "and the history is exactly what it was (no change made up by the restart)" \
  cmp "$work/changes-before.json" <(curl -s "$base/inaccessible/changes")
for route in /v2/workbooks /v2/datasets /v2/dataModels /v2/connections/paths; do
  check "the restarted exporter asked the list pages of $route" test "$(requests "$route")" -ge 1
done
check "and no table's lookup again (/v2/connections/paths/{inodeId}: 0)" \
  test "$(requests '/v2/connections/paths/{inodeId}')" -eq 0
check "only the touched workbook's sources were asked again (/v2/workbooks/{workbookId}/sources: 1)" \
  test "$(requests '/v2/workbooks/{workbookId}/sources')" -eq 1
for route in '/v2/datasets/{datasetId}/sources' '/v2/dataModels/{dataModelId}/sources'; do
  check "and no unchanged document's ($route: 0)" test "$(requests "$route")" -eq 0
done
kill -TERM "$restarted_pid"
wait "$restarted_pid"

# --- A corrupt store ---------------------------------------------------------------------------
for _ in $(seq 400); do echo "this is not an SQLite database"; done >"$work/garbage"
cp "$work/garbage" "$db"
rm -f "$db-wal" "$db-shm"
start_exporter corrupt
corrupt_pid=$pid
check "a corrupt store: the exporter serves /-/healthy" wait_for "$base/-/healthy" 5
check "and /metrics" wait_for "$base/metrics" 5
check "and polls (it becomes ready)" wait_for "$base/-/ready" 30
check "sigma_storage_healthy 0" storage_healthy "$base" 0
moved_aside() { # exactly one file sigma_exporter.sqlite.corrupt-<unix time>, byte for byte the corrupt store
  local files=("$db".corrupt-*)
  [ ${#files[@]} -eq 1 ] && [[ ${files[0]} =~ \.corrupt-[0-9]+$ ]] && cmp "$work/garbage" "${files[0]}"
}
check "the store is moved aside as sigma_exporter.sqlite.corrupt-<unix time>, as it was" moved_aside
check "nothing is written in its place (the exporter runs from memory)" test ! -e "$db"
check "the log says so in exactly one line, an error" \
  bash -c "[ \$(grep -c corrupt '$work/exporter-corrupt.log') -eq 1 ] && grep corrupt '$work/exporter-corrupt.log' | grep -q 'level=error'"
kill -TERM "$corrupt_pid"
wait "$corrupt_pid"
start_exporter fresh
fresh_pid=$pid
check "the next start makes a fresh store: sigma_storage_healthy 1" storage_healthy "$base" 1
check "beside the one moved aside, which is kept" bash -c "test -s '$db' && ls '$db'.corrupt-* >/dev/null"
wait_for "$base/-/ready" 30

# --- Two exporters on one store ----------------------------------------------------------------
fresh_base=$base
start_exporter second
second_pid=$pid
check "a second exporter on a held store serves /metrics" wait_for "$base/metrics" 5
check "and polls (it becomes ready)" wait_for "$base/-/ready" 30
check "and reports sigma_storage_healthy 0" storage_healthy "$base" 0
check "its log names the other exporter, in one line" test "$(grep -c 'another exporter holds it' "$work/exporter-second.log")" -eq 1
check "the first keeps its store (sigma_storage_healthy 1)" storage_healthy "$fresh_base" 1
check "and nothing was moved aside" bash -c "test -s '$db' && [ \$(ls '$db'.corrupt-* | wc -l) -eq 1 ]"
for page in / /metrics /inaccessible /inaccessible/changes; do
  curl -s "$base$page" "$fresh_base$page" >>"$work/pages.txt"
done
kill -TERM "$second_pid" "$fresh_pid"
wait "$second_pid" "$fresh_pid"

check "no secret in any log or page" bash -c "! grep -q -e '$crawler_secret' -e '$admin_secret' '$work'/exporter-*.log '$work/pages.txt'"

finish
