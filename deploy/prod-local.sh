#!/usr/bin/env bash
# `make prod-local`: the README's production topology, runnable on one machine.
#
#   Caddy  https://localhost:9443/  (TLS, request limits, X-Forwarded-For)
#     -> strongroom serve 127.0.0.1:18443 and 127.0.0.1:18444 (HTTPS, 2 workers each)
#   strongroom worker, the sandbox gateway (https://localhost:8444/)
#   PostgreSQL (database strongroom_prodlocal) and Redis (db 1), both on 127.0.0.1
#
# Ctrl-C stops every process it started. Needs Debian's caddy (`apt-get install caddy`),
# a PostgreSQL server and Redis on 127.0.0.1 (STRONGROOM_PG_ADMIN_URL / STRONGROOM_REDIS_URL
# to point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

command -v caddy >/dev/null || { echo "prod-local: caddy is not installed (apt-get install caddy)"; exit 2; }
source deploy/prod-local-env.sh

$BIN/python - "$pg_admin" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'strongroom_prodlocal'").fetchone():
        conn.execute("CREATE DATABASE strongroom_prodlocal")
PY
$BIN/strongroom init
$BIN/strongroom migrate --noinput -v0
$BIN/strongroom collectstatic --noinput -v0

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap stop EXIT INT TERM

$BIN/strongroom gateway --webhook-url https://localhost:9443/payments/webhooks/sandbox/ &
pids+=($!)
$BIN/python -m strongroom.sandbox.wait 8444
$BIN/strongroom demo --if-empty
for port in 18443 18444; do
  $BIN/strongroom serve --host 127.0.0.1 --port "$port" --no-http --workers 2 &
  pids+=($!)
done
if $BIN/strongroom help worker >/dev/null 2>&1; then
  $BIN/strongroom worker &
  pids+=($!)
fi
caddy run --config deploy/Caddyfile.local --adapter caddyfile >"$STRONGROOM_DATA_DIR/caddy.log" 2>&1 &
pids+=($!)
echo "prod-local: https://localhost:9443/ (Caddy -> 2 app servers, PostgreSQL, Redis)."
echo "prod-local: trust $STRONGROOM_DATA_DIR/tls/ca.pem; Ctrl-C stops everything."
wait -n "${pids[@]}" || true
echo "prod-local: a process ended; stopping the rest"
