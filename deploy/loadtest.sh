#!/usr/bin/env bash
# `make loadtest`: start `make prod-local`, drive it with locust shoppers (browse, sign up,
# add to cart, check out, pay on the sandbox) for a bounded time, then check that nothing
# went wrong behind the numbers: orders paid = payments captured, stock taken = units
# ordered, the audit log verifies. Prints p50/p95/p99 per step and the error count.
#
#   LOADTEST_USERS=50 LOADTEST_DURATION=5m make loadtest
# Targets only https://localhost:9443 (loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
users="${LOADTEST_USERS:-50}"
duration="${LOADTEST_DURATION:-5m}"
source deploy/prod-local-env.sh
mkdir -p "$STRONGROOM_DATA_DIR"
log="$STRONGROOM_DATA_DIR/loadtest-prod-local.log"

setsid bash deploy/prod-local.sh >"$log" 2>&1 &
prod=$!
stop() { kill -TERM -- "-$prod" 2>/dev/null || true; wait "$prod" 2>/dev/null || true; }
trap stop EXIT INT TERM
for _ in $(seq 1 240); do
  if [ -f "$STRONGROOM_DATA_DIR/tls/ca.pem" ] && curl -sf -o /dev/null \
      --cacert "$STRONGROOM_DATA_DIR/tls/ca.pem" https://localhost:9443/; then break; fi
  kill -0 "$prod" 2>/dev/null || { echo "loadtest: prod-local did not start:"; tail -20 "$log"; exit 1; }
  sleep 1
done

# The demo catalog holds a few dozen units per variant: topped up (audited, like a staff
# change) so the shoppers meet the store, not a sold-out shelf.
$BIN/python -m strongroom.bench.loadcheck snapshot "$STRONGROOM_DATA_DIR/loadtest-before.json" \
  --restock "${LOADTEST_STOCK:-100000}"
LOADTEST_CA="$STRONGROOM_DATA_DIR/tls/ca.pem" $BIN/locust -f deploy/loadtest/locustfile.py \
  --headless --users "$users" --spawn-rate 5 --run-time "$duration" --stop-timeout 30 \
  --host https://localhost:9443 --csv "$STRONGROOM_DATA_DIR/loadtest" --only-summary \
  --exit-code-on-error 0 >"$STRONGROOM_DATA_DIR/loadtest-locust.log" 2>&1
$BIN/python -m strongroom.bench.loadcheck check "$STRONGROOM_DATA_DIR/loadtest-before.json" \
  "$STRONGROOM_DATA_DIR/loadtest_stats.csv" --users "$users"
