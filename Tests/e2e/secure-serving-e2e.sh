#!/usr/bin/env bash
# --web.config.file with real certificates made here and curl: TLS (minimum version, client
# certificates) and bcrypt basic auth on every endpoint but /-/healthy and /-/ready, a changed file picked up
# without a restart, and the healthcheck subcommand over TLS. Loopback only; every process stopped.
# Prints "N passed, M failed" last.
set -uo pipefail
cd "$(dirname "$0")/../.."
source Tests/e2e/lib.sh
status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$work/ca.pem" "$@"; }

# A CA, a server certificate for 127.0.0.1, and a client certificate, all made here.
(
  cd "$work"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=sigma-test-ca
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
  printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext
  openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=prometheus
  openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1
) >"$work/openssl.log" 2>&1 || { echo "openssl failed"; cat "$work/openssl.log"; exit 1; }
hash() { python3 -c "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(10)).decode())" "$1"; }

cat >"$work/web.yml" <<YAML
tls_server_config:
  cert_file: $work/server.pem
  key_file: $work/server.key
basic_auth_users:
  prometheus: '$(hash s3cret)'
YAML
port=$(free_port)
base="https://127.0.0.1:$port"
"$bin/sigma_exporter" --demo --web.listen-address="127.0.0.1:$port" --web.config.file="$work/web.yml" \
  >"$work/out" 2>"$work/err" &
pids+=($!)
for _ in $(seq 100); do [ "$(status "$base/-/healthy")" = 200 ] && break; sleep 0.2; done

check "/-/healthy needs no credentials" test "$(status "$base/-/healthy")" = 200
check "/-/ready needs no credentials (a kubelet's probe carries none)" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert '$work/ca.pem' '$base/-/ready')\" != 401 ]"
check "/metrics without credentials is 401" test "$(status "$base/metrics")" = 401
check "with WWW-Authenticate" bash -c "curl -s -D - -o /dev/null --cacert '$work/ca.pem' '$base/metrics' | grep -qi '^www-authenticate: Basic'"
check "a wrong password is 401" test "$(status -u prometheus:wrong "$base/metrics")" = 401
check "an unknown user is 401" test "$(status -u nobody:s3cret "$base/metrics")" = 401
check "the right password is 200" test "$(status -u prometheus:s3cret "$base/metrics")" = 200
check "/ and /inaccessible are guarded too" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$work/ca.pem' '$base/') = 401 ] && [ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$work/ca.pem' '$base/inaccessible') = 401 ]"
check "plain HTTP is not served" bash -c "! curl -s -m 3 -o /dev/null 'http://127.0.0.1:$port/-/healthy'"
check "TLS 1.1 is refused (min_version TLS12 by default)" bash -c "! curl -s -m 3 -o /dev/null --cacert '$work/ca.pem' --tls-max 1.1 '$base/-/healthy'"
check "healthcheck subcommand probes over TLS" "$bin/sigma_exporter" healthcheck --web.listen-address="127.0.0.1:$port" --web.config.file="$work/web.yml"

# A changed file is picked up without a restart.
sleep 1.1
sed -i "s|^  prometheus: .*|  grafana: '$(hash other)'|" "$work/web.yml"
check "a new user works after the file changed" test "$(status -u grafana:other "$base/metrics")" = 200
check "and the removed one no longer does" test "$(status -u prometheus:s3cret "$base/metrics")" = 401
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null

# Client certificates required.
cat >"$work/mtls.yml" <<YAML
tls_server_config:
  cert_file: $work/server.pem
  key_file: $work/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $work/ca.pem
  min_version: TLS13
YAML
port=$(free_port)
base="https://127.0.0.1:$port"
"$bin/sigma_exporter" --demo --web.listen-address="127.0.0.1:$port" --web.config.file="$work/mtls.yml" \
  >"$work/out2" 2>"$work/err2" &
pids+=($!)
for _ in $(seq 100); do [ "$(status --cert "$work/client.pem" --key "$work/client.key" "$base/-/healthy")" = 200 ] && break; sleep 0.2; done
check "with a client certificate signed by the CA: 200" test "$(status --cert "$work/client.pem" --key "$work/client.key" "$base/metrics")" = 200
check "without one the handshake fails" bash -c "! curl -s -m 3 -o /dev/null --cacert '$work/ca.pem' '$base/metrics'"
check "TLS 1.2 is refused with min_version TLS13" bash -c "! curl -s -m 3 -o /dev/null --cacert '$work/ca.pem' --cert '$work/client.pem' --key '$work/client.key' --tls-max 1.2 '$base/metrics'"

# The TLS hardening keys are honoured; the keys that cannot be are accepted and logged.
cat >"$work/ciphers.yml" <<YAML
tls_server_config:
  cert_file: $work/server.pem
  key_file: $work/server.key
  max_version: TLS12
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
  curve_preferences: [CurveP384]
  prefer_server_cipher_suites: true
http_server_config:
  http2: true
YAML
port=$(free_port)
base="https://127.0.0.1:$port"
"$bin/sigma_exporter" --demo --web.listen-address="127.0.0.1:$port" --web.config.file="$work/ciphers.yml" \
  >"$work/out3" 2>"$work/err3" &
pids+=($!)
for _ in $(seq 100); do [ "$(status "$base/-/healthy")" = 200 ] && break; sleep 0.2; done
check "cipher_suites: the listed suite is served" test "$(status --ciphers ECDHE-RSA-AES256-GCM-SHA384 "$base/-/healthy")" = 200
check "cipher_suites: another suite is refused" bash -c "! curl -s -m 3 -o /dev/null --cacert '$work/ca.pem' --ciphers ECDHE-RSA-AES128-GCM-SHA256 '$base/-/healthy'"
check "curve_preferences: the listed curve is served" test "$(status --curves P-384 "$base/-/healthy")" = 200
check "curve_preferences: another curve is refused" bash -c "! curl -s -m 3 -o /dev/null --cacert '$work/ca.pem' --curves X25519 '$base/-/healthy'"
check "keys without effect are logged, not fatal" bash -c "grep -q 'prefer_server_cipher_suites' '$work/err3' && grep -q 'http_server_config.http2' '$work/err3'"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null

# Bad web configuration files stop start-up with exit 2 and the field.
printf 'tls_server_config:\n  cert_file: /nope.pem\n  key_file: %s\n' "$work/server.key" >"$work/bad.yml"
"$bin/sigma_exporter" --demo --web.listen-address="127.0.0.1:$(free_port)" --web.config.file="$work/bad.yml" >/dev/null 2>"$work/bad.err"
code=$?
check "an unreadable certificate exits 2 naming cert_file" bash -c "[ $code -eq 2 ] && grep -q 'tls_server_config.cert_file' '$work/bad.err'"

finish
