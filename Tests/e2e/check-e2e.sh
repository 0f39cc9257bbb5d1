#!/usr/bin/env bash
# End-to-end checks of `sigma_exporter check`, the built binary as a pipeline runs it: the demo
# under 5 s, each exit status (0, 1, 2, 3, 4), the JSON against docs/check-report.schema.json, no
# colour when standard output is not a terminal, and the secret in no output. Every server binds
# 127.0.0.1 and is stopped here. Prints "N passed, M failed" last.
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/e2e/lib.sh

status_of() { "$@" >"$work/stdout" 2>"$work/stderr"; echo $?; }

# --- The demo: exit 1 (documents out of reach), under 5 s, the report a person reads ---------------
started=$(date +%s%N)
code=$(status_of "$exporter" check --demo)
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
check "check --demo exits 1: documents and a connection are out of reach" test "$code" -eq 1
check "check --demo finishes in under 5 s (took ${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
check "the report names the verdict, each kind and the fixes" bash -c "grep -q '^demo: COVERAGE BELOW' '$work/stdout' && grep -q 'Workbooks' '$work/stdout' && grep -q 'Connections' '$work/stdout' && grep -q 'Grant Can use on the connection' '$work/stdout' && grep -q '^Exit 1: ' '$work/stdout'"
check "no colour when standard output is not a terminal" bash -c "! grep -q $'\x1b' '$work/stdout'"
check "nothing but warnings on standard error" bash -c "! grep -qi 'level=info' '$work/stderr'"

code=$(status_of "$exporter" check --demo --output=json)
check "--output=json exits the same" test "$code" -eq 1
check "--output=json follows docs/check-report.schema.json" python3 - "$work/stdout" <<'PY'
import json, sys
import jsonschema
schema = json.load(open("docs/check-report.schema.json"))
report = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)
assert report["exitCode"] == 1, report["exitCode"]
organization = report["organizations"][0]
totals = [fix["total"] for fix in organization["fixes"]]
assert totals == sorted(totals, reverse=True), totals
documents = sum(c["total"] - c["reachable"] for c in organization["documents"])
shared = sum(f["total"] for f in organization["fixes"] if f["action"] == "share_folder")
assert documents == shared, (documents, shared)
PY
code=$(status_of "$exporter" check --demo --min-coverage=0)
check "--min-coverage=0 passes the demo: exit 0" test "$code" -eq 0
code=$(status_of "$exporter" check --demo --limit=1)
check "--limit=1 shows one group and says how many there are" bash -c "[ $code -eq 1 ] && grep -q 'Showing 1 of 2 groups' '$work/stdout' && ! grep -q '^    2\\. ' '$work/stdout'"

# --- Configuration errors: exit 2, one line ------------------------------------------------------
code=$(status_of env -i PATH="$PATH" SIGMA_CLOUD=mars SIGMA_CLIENT_ID=x SIGMA_CLIENT_SECRET=y "$exporter" check)
check "an unknown cloud exits 2 naming it" bash -c "[ $code -eq 2 ] && grep -q SIGMA_CLOUD '$work/stderr' && [ \$(wc -l <'$work/stderr') -eq 1 ]"
code=$(status_of "$exporter" check --demo --output=xml)
check "--output=xml exits 2" test "$code" -eq 2
code=$(status_of "$exporter" check --demo --min-coverage=2)
check "--min-coverage=2 exits 2" test "$code" -eq 2

# --- Against sigma-sim: a revoked credential (3), a gateway and an unreachable Sigma (4) ---------
sim_port=$(free_port)
control_port=$(free_port)
"$simulator" --port "$sim_port" --control "$control_port" >"$work/sim.out" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$sim_port/v2/whoami" 20 401 || fail "sigma-sim starts"
secret="demo-crawler-secret-do-not-use"
printf '%s\n' "$secret" >"$work/crawler-secret"
run_check() { # extra env assignments...
  env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$sim_port" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
    SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" SIGMA_ORG=acme "$@"
}
code=$(status_of run_check "$exporter" check --output=json)
check "without an inventory the check is never a pass: exit 1" test "$code" -eq 1
check "and the JSON says the totals are unknown" python3 -c "
import json; r = json.load(open('$work/stdout')); o = r['organizations'][0]
assert o['inventory']['complete'] is False and o['verdict'] == 'coverage_below', o"
cat "$work/stdout" "$work/stderr" >"$work/outputs"
curl -s -X POST "http://127.0.0.1:$control_port/control/credentials/demo-crawler-client-7f3a9c/revoke" >/dev/null
code=$(status_of run_check "$exporter" check)
check "a revoked credential (refused as 'Please try again later') exits 3 naming the cause" bash -c "[ $code -eq 3 ] && grep -q 'CREDENTIAL REJECTED' '$work/stdout' && grep -q 'revoked, its secret rotated, or its owner deactivated' '$work/stdout'"
cat "$work/stdout" "$work/stderr" >>"$work/outputs"
curl -s -X POST "http://127.0.0.1:$control_port/control/credentials/demo-crawler-client-7f3a9c/restore" >/dev/null
curl -s -X POST -H 'Content-Type: application/json' -d '{"endpoint": "/v2/auth/token", "kind": "gateway", "status": 403}' \
  "http://127.0.0.1:$control_port/control/faults" >/dev/null
code=$(status_of run_check "$exporter" check)
check "a gateway's JSON 403 exits 4 naming it (blocked), never 3" bash -c "[ $code -eq 4 ] && grep -q 'blocked: something in front of Sigma' '$work/stdout'"
cat "$work/stdout" "$work/stderr" >>"$work/outputs"
curl -s -X DELETE "http://127.0.0.1:$control_port/control/faults" >/dev/null
closed=$(free_port)
code=$(status_of env -i PATH="$PATH" SIGMA_BASE_URL="http://127.0.0.1:$closed" SIGMA_CLIENT_ID=demo-crawler-client-7f3a9c \
  SIGMA_CLIENT_SECRET_FILE="$work/crawler-secret" "$exporter" check --output=json)
check "an unreachable Sigma exits 4 (the check could not conclude)" bash -c "[ $code -eq 4 ] && grep -q '\"reason\" : \"unreachable\"' '$work/stdout'"
cat "$work/stdout" "$work/stderr" >>"$work/outputs"
check "the secret appears in no output" bash -c "! grep -q -- '$secret' '$work/outputs'"

finish
