#!/usr/bin/env bash
# crash.sh — crash safety: acknowledged writes survive kill -9.
# Runs the server, keeps 4 clients creating rows (group commit at work),
# kill -9s the server at a random moment, restarts it, several times; then
# proves every write that got its 201 is in the database and that the
# database passes PRAGMA integrity_check. Loopback only; bounded:
# CRASH_ROUNDS (5) rounds of 1-3 s each.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${SALESLOOP_BIN:-build/salesloop-test}
ROUNDS=${CRASH_ROUNDS:-5}
PW='Root#Pass-12345'
WORK=$(mktemp -d /tmp/salesloop-crash.XXXXXX)
SRV="" ; CLIENTS=()
cleanup() {
  for c in "${CLIENTS[@]}"; do kill "$c" 2>/dev/null || true; done
  [[ -n $SRV ]] && kill -9 "$SRV" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
DB=$WORK/c.db
"$BIN" init --db "$DB" --admin-password "$PW" >/dev/null 2>&1
# Below the kernel's ephemeral range (32768-60999), so no client connection holds the port.
PORT=$((20000 + RANDOM % 12000))
BASE=http://127.0.0.1:$PORT

start() {
  SALESLOOP_ACCESS_LOG=0 "$BIN" serve --db "$DB" --port "$PORT" --bind 127.0.0.1 >>"$WORK/server.log" 2>&1 &
  SRV=$!
  for _ in $(seq 1 100); do
    curl -sf "$BASE/healthz" >/dev/null && return 0
    kill -0 "$SRV" 2>/dev/null || break # it exited (the port taken by another program)
    sleep 0.1
  done
  echo "crash: server did not start" >&2; tail -5 "$WORK/server.log" >&2; return 1
}

# the first start may find the port taken by another program: try a few others
for _ in 1 2 3 4 5; do
  start && break
  PORT=$((20000 + RANDOM % 12000)); BASE=http://127.0.0.1:$PORT
done
curl -sf "$BASE/healthz" >/dev/null || exit 1
body=$(curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "$BASE/api/v1/auth/login")
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")
TOKEN=$(curl -sf -b "$WORK/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"name":"crash"}' \
        "$BASE/api/v1/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || { echo "crash: no token" >&2; exit 1; }

# client ROUND NO: create rows until the server is gone; log "id topic" of each 201
client() {
  local k=0 out
  while (( k < 5000 )); do
    k=$((k + 1))
    local topic="crash-$1-$2-$k"
    out=$(curl -s -m 5 -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
          -d "{\"research_date\":\"2026-11-01\",\"topic\":\"$topic\",\"kind\":\"desk\"}" "$BASE/api/v1/market_research") || return 0
    [[ ${out##*$'\n'} == 201 ]] || return 0
    local id; id=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' <<<"${out%$'\n'*}")
    [[ -n $id ]] && echo "$id $topic" >>"$WORK/acked.$1.$2"
  done
}

for round in $(seq 1 "$ROUNDS"); do
  (( round > 1 )) && start
  CLIENTS=()
  for c in 1 2 3 4; do client "$round" "$c" & CLIENTS+=($!); done
  sleep "$((1 + RANDOM % 2)).$((RANDOM % 10))"
  kill -9 "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=""
  for c in "${CLIENTS[@]}"; do wait "$c" 2>/dev/null || true; done
  CLIENTS=()
  echo "crash: round $round: $(cat "$WORK"/acked."$round".* 2>/dev/null | wc -l) acknowledged writes, then kill -9"
done

cat "$WORK"/acked.* >"$WORK/acked" 2>/dev/null || true
total=$(wc -l <"$WORK/acked")
# every acknowledged row, by id and topic, after the last crash (sqlite3 reads the WAL as SQLite recovers it)
sqlite3 "$DB" "CREATE TEMP TABLE acked(id INTEGER, topic TEXT);" ".mode csv" ".separator ' '" ".import $WORK/acked acked" \
  "SELECT count(*) FROM acked a LEFT JOIN market_research m ON m.id = a.id AND m.topic = a.topic WHERE m.id IS NULL;" >"$WORK/missing"
missing=$(tail -1 "$WORK/missing")
integrity=$(sqlite3 "$DB" "PRAGMA integrity_check")
# and the server comes back on the crashed database
start
healthy=$(curl -sf "$BASE/healthz" >/dev/null && echo yes || echo no)
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=""

pass=0 fail=0
check() { if [[ $2 == "$3" ]]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1: got '$2', want '$3'"; fi; }
check "writes were acknowledged" "$(( total > 0 ? 1 : 0 ))" 1
check "every acknowledged write ($total) is present" "$missing" 0
check "integrity_check" "$integrity" ok
check "server restarts on the crashed database" "$healthy" yes
echo "crash: $pass passed, $fail failed"
(( fail == 0 ))
