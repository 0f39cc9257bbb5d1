# Shared by the end-to-end scripts: a work folder, processes stopped on exit, pass/fail counting,
# loopback ports and waiting. Source it after `cd` to the repository root.
bin=$(swift build --show-bin-path)
exporter="$bin/sigma_exporter"
simulator="$bin/sigma-sim"
[ -x "$exporter" ] && [ -x "$simulator" ] || { echo "build first: swift build" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && sed 's/^/       /' <<<"$2"; }
check() { local name=$1; shift; if "$@" >"$work/check.out" 2>&1; then pass "$name"; else fail "$name" "$(cat "$work/check.out")"; fi; }
# The closing line and status every script ends with.
finish() { echo; echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # url, seconds, expected status
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = "${3:-200}" ] && return 0
    sleep 0.2
  done
  return 1
}
metric() { curl -s "$1/metrics" | awk -v name="$2" '$1 == name { print $2 }'; }
