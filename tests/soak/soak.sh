#!/usr/bin/env bash
# soak.sh — load safety: the mixed workload (bench/wrk/bench.lua) against the
# release server on loopback for SOAK_SECONDS (default 60; e.g. 600 for a long
# soak), in 10 s segments after a 10 s warm-up. Checks: zero 5xx and no socket
# errors, heap (RssAnon) after the last segment within SOAK_RSS_MB (16) of the
# heap after warm-up, open descriptors back to their warm-up count (no leak).
# RssFile is not counted: it is SQLite's memory map of the database (shared
# page cache), which grows as the customers workload touches and appends pages.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${SALESLOOP_BIN:-build/salesloop}
SECS=${SOAK_SECONDS:-60}
RSS_BOUND_KB=$(( ${SOAK_RSS_MB:-16} * 1024 ))
PW='Root#Pass-12345'
WORK=$(mktemp -d /tmp/salesloop-soak.XXXXXX)
SRV=""
cleanup() { [[ -n $SRV ]] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "soak: wrk missing (make deps)" >&2; exit 1; }
mkdir -p build/bench
[[ build/bench/gen -nt bench/gen.c ]] || cc -O2 -o build/bench/gen bench/gen.c -lsqlite3 -lm

DB=$WORK/s.db
"$BIN" init --db "$DB" --admin-password "$PW" >/dev/null 2>&1
build/bench/gen --db "$DB" --scale 0.1 >/dev/null
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-60999): no client connection holds it
BASE=http://127.0.0.1:$PORT
SALESLOOP_ACCESS_LOG=0 "$BIN" serve --db "$DB" --port "$PORT" --bind 127.0.0.1 >"$WORK/server.log" 2>&1 &
SRV=$!
# the first start fills what the generated rows lack (sort keys, statistics): wait while it lives
for _ in $(seq 1 1200); do
  curl -sf "$BASE/healthz" >/dev/null && break
  kill -0 "$SRV" 2>/dev/null || { echo "soak: the server exited at start" >&2; tail "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done

body=$(curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' -d "{\"username\":\"bench.rep01\",\"password\":\"$PW\"}" "$BASE/api/v1/auth/login")
CSRF=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")
COOKIE="sl_session=$(awk '$6 == "sl_session" {print $7}' "$WORK/jar")"
uid=$(sqlite3 "$DB" "SELECT id FROM users WHERE username = 'bench.rep01'")
sqlite3 "$DB" "SELECT '/api/v1/customers/' || id FROM customers WHERE owner_id = $uid LIMIT 500" >"$WORK/paths"
sqlite3 "$DB" "SELECT id FROM customers WHERE owner_id = $uid ORDER BY id DESC LIMIT 500" >"$WORK/ids"
echo "/api/v1/customers?sort=-last_followup_at&per_page=20&filter[tier]=important,key" >>"$WORK/paths"

status() { awk -v k="$1:" '$1 == k {print $2}' /proc/"$SRV"/status; }
fds() { ls /proc/"$SRV"/fd | wc -l; }
segment() { # seconds -> "s5xx sockerr requests"
  local line
  line=$(BENCH_MODE=mixed BENCH_STATUS=1 BENCH_COOKIE="$COOKIE" BENCH_CSRF="$CSRF" BENCH_PATHS="$WORK/paths" \
         BENCH_IDS="$WORK/ids" wrk -t1 -c8 -d"$1s" --timeout 10s -s bench/wrk/bench.lua "$BASE/" | grep '^BENCH ')
  echo "$(sed -n 's/.* s5xx=\([0-9]*\).*/\1/p' <<<"$line") $(sed -n 's/.* sockerr=\([0-9]*\).*/\1/p' <<<"$line") $(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")"
}

pass=0 fail=0
check() { if [[ $2 == 1 ]]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }

read -r e5 es n <<<"$(segment 10)"
sleep 0.5
kill -0 "$SRV" 2>/dev/null || { echo "soak: FAIL the server died during warm-up:"; tail -5 "$WORK/server.log" | cut -c1-400; echo "soak: 0 passed, 1 failed"; exit 1; }
rss0=$(status RssAnon) fd0=$(fds)
echo "soak: warm-up $n requests, RSS $(( $(status VmRSS) / 1024 )) MB (heap $((rss0 / 1024)) MB), $fd0 descriptors"
tot5=$e5 totsock=$es total=$n
segs=$(( SECS / 10 )); (( segs < 1 )) && segs=1
for i in $(seq 1 $segs); do
  kill -0 "$SRV" 2>/dev/null || break
  read -r e5 es n <<<"$(segment 10)"
  tot5=$((tot5 + e5)) totsock=$((totsock + es)) total=$((total + n))
  echo "soak: segment $i: $n requests, 5xx $e5, socket errors $es, RSS $(( $(status VmRSS) / 1024 )) MB (heap $(( $(status RssAnon) / 1024 )) MB), $(fds) descriptors"
done
alive=$(kill -0 "$SRV" 2>/dev/null && echo 1 || echo 0)
check "server alive after $((segs * 10 + 10)) s of mixed load ($total requests)" "$alive"
if [[ $alive == 1 ]]; then
  sleep 0.5
  rss1=$(status RssAnon) fd1=$(fds)
  check "zero 5xx ($tot5)" "$(( tot5 == 0 ))"
  check "zero socket errors ($totsock)" "$(( totsock == 0 ))"
  check "heap growth after warm-up $(( (rss1 - rss0) / 1024 )) MB <= $((RSS_BOUND_KB / 1024)) MB" "$(( rss1 - rss0 <= RSS_BOUND_KB ))"
  check "no descriptor leak ($fd0 -> $fd1)" "$(( fd1 <= fd0 + 2 ))"
fi
[[ $alive == 1 ]] || { echo "soak: the server died; its log ends:"; tail -5 "$WORK/server.log" | cut -c1-400; }
check "no errors in the server log" "$(grep -q '"level":"error"' "$WORK/server.log" && echo 0 || echo 1)"
grep -m3 '"level":"error"' "$WORK/server.log" | cut -c1-300 || true
echo "soak: $pass passed, $fail failed"
(( fail == 0 ))
