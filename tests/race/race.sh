#!/usr/bin/env bash
# race.sh — data races between the server's threads (event loops, writer,
# workers, scheduler): a ThreadSanitizer build serves a mixed read/write load
# for RACE_SECONDS (default 10) on loopback; any TSan report fails the test.
# A context created on the wrong thread once corrupted the heap only after
# minutes of load; TSan shows such sharing at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=build/salesloop-tsan
SECS=${RACE_SECONDS:-10}
WORK=$(mktemp -d /tmp/salesloop-race.XXXXXX)
SRV=""
cleanup() { [[ -n $SRV ]] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN" init --db "$WORK/r.db" --admin-password 'Root#Pass-12345' --demo --demo-password 'Demo#12345' >/dev/null 2>"$WORK/init.log"
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-60999): no client connection holds it
TSAN_OPTIONS="halt_on_error=0 report_signal_unsafe=0" SALESLOOP_ACCESS_LOG=0 \
  "$BIN" serve --db "$WORK/r.db" --port "$PORT" --bind 127.0.0.1 >"$WORK/server.log" 2>&1 &
SRV=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
export RACE_TOKEN=$("$BIN" token create liu.yang --db "$WORK/r.db" 2>/dev/null | grep -o 'slt_[A-Za-z0-9_-]*')
export RACE_IDS=$(sqlite3 "$WORK/r.db" "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE owner_id = (SELECT id FROM users WHERE username = 'liu.yang') LIMIT 40)")
wrk -t2 -c16 -d"${SECS}s" --timeout 10s -s tests/race/race.lua "http://127.0.0.1:$PORT/" | grep -E "requests in|Requests/sec" || true
curl -sf -H 'Content-Type: application/json' -d '{"username":"wang.fang","password":"Demo#12345"}' "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
pass=0 fail=0
check() { if [[ $2 == 1 ]]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
check "server alive after the load" "$(kill -0 "$SRV" 2>/dev/null && echo 1 || echo 0)"
# SIGTERM stops it within 30 s (under ThreadSanitizer a signal can wait for its thread to block: it once never ran)
kill "$SRV"
for _ in $(seq 1 300); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.1; done
stopped=$(kill -0 "$SRV" 2>/dev/null && echo 0 || echo 1)
check "the server stops on SIGTERM" "$stopped"
[[ $stopped == 1 ]] || kill -9 "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null || true; SRV=""
races=$(grep -c "WARNING: ThreadSanitizer" "$WORK/server.log" || true)
check "no ThreadSanitizer report ($races)" "$([[ $races == 0 ]] && echo 1 || echo 0)"
[[ $races == 0 ]] || grep -A20 -m3 "WARNING: ThreadSanitizer" "$WORK/server.log" | head -60
echo "race: $pass passed, $fail failed"
[[ $fail == 0 ]]
