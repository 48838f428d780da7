#!/usr/bin/env bash
# test-browser.sh — end-to-end tests of the web UI in headless Chromium (playwright-core
# driving Debian's /usr/bin/chromium) against a real salesloop server on a free port.
#   scripts/test-browser.sh               build what is missing, start the server, set up data, run tests
#   SL_BROWSER_MOCK=1 scripts/test-browser.sh   same against tests/browser/mock-server.mjs (UI development only)
#   SL_TEST_ONLY="tests/browser/03-workflow.test.mjs" runs some files; KEEP=1 keeps the temp dir and server log
#   SL_BROWSER_SHARDS=N runs the files in N shards at once (default 3 for the whole suite, 1 with SL_TEST_ONLY)
# The server is the ASan/UBSan build, as for the API tests. The release build would not make this suite
# faster: the suite waits on the UI far more than it computes (four files, 15 cases: 50 s of CPU over 213 s,
# the server's share 3.9 s under ASan and 3.0 s in the release build; run side by side under the same load
# both took 380 s), so the sanitizers watch the server under the UI's requests for free.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

[[ -x /usr/bin/chromium ]] || { echo "test-browser: /usr/bin/chromium missing (scripts/deps.sh installs it)" >&2; exit 1; }
scripts/node-check.sh test-browser
# (Re)install from the lockfile when it is newer than the last install.
if [[ ! tests/browser/node_modules/.npm-ci.stamp -nt tests/browser/package-lock.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund && touch node_modules/.npm-ci.stamp)
fi
make --no-print-directory web/dist/index.html
BIN=build/salesloop-test
# SL_NO_BUILD=1 uses the existing build/salesloop-test as it is (e.g. while others are mid-edit).
if [[ -z "${SL_BROWSER_MOCK:-}" && -z "${SL_NO_BUILD:-}" ]]; then make --no-print-directory "$BIN"; fi
[[ -n "${SL_BROWSER_MOCK:-}" || -x "$BIN" ]] || { echo "test-browser: $BIN missing" >&2; exit 1; }

DIR=$(mktemp -d /tmp/salesloop-browser.XXXXXX)
PASS="Adm1n-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SERVER_PID=""  # of a shard, in the shard's subshell
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
pids=()  # the shards' subshells: each stops its own server when it ends or is stopped
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n "${KEEP:-}" ]]; then echo "test-browser: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The files, and how many shards run them (SL_BROWSER_SHARDS; 3 for the whole suite, 1 for chosen files).
# A shard is a server of its own with its own database and fixture (lib/setup.mjs), running its files one
# after the other. Within a shard the files share the server and the fixture's people and records
# (02-research counts rep1's 25 research rows, others add to the same lists), so two files of one shard
# never run at once: their answers would depend on timing. The shards share nothing, and a file's shard is
# fixed: the files are dealt out longest first (tests/browser/lib/weights.json, seconds per file) to the
# shard with the least so far, so each run is the same.
if [[ -n "${SL_TEST_ONLY:-}" ]]; then
  read -r -a FILES <<<"$SL_TEST_ONLY"
  SHARDS=${SL_BROWSER_SHARDS:-1}
else
  mapfile -t FILES < <(ls tests/browser/*.test.mjs | LC_ALL=C sort)
  SHARDS=${SL_BROWSER_SHARDS:-3}
fi
[[ -n "${SL_BROWSER_MOCK:-}" ]] && SHARDS=1
((SHARDS >= 1 && SHARDS <= ${#FILES[@]})) || SHARDS=1

# start_shard K: a server on a free port with a fresh database (SERVER_PID), healthy, then the fixture.
start_shard() {
  local k=$1 d="$DIR/shard$1" port pid
  mkdir -p "$d"
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  if [[ -n "${SL_BROWSER_MOCK:-}" ]]; then
    node tests/browser/mock-server.mjs --port "$port" --web web/dist --admin-password "$PASS" >"$d/server.log" 2>&1 &
    pid=$!
  else
    # the least password-hash cost (the test build's tunables, src/http/auth.c): the fixture and the
    # tests sign in and make users hundreds of times
    export SALESLOOP_TEST_PW_OPS=1 SALESLOOP_TEST_PW_KIB=8
    "$BIN" init --db "$d/t.db" --admin-password "$PASS" >"$d/init.log" 2>&1 || { cat "$d/init.log" >&2; return 1; }
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
      "$BIN" serve --db "$d/t.db" --port "$port" --bind 127.0.0.1 --web web/dist --data "$d/data" \
        >"$d/server.log" 2>&1 &
    pid=$!
  fi
  SERVER_PID=$pid
  local base="http://127.0.0.1:$port"
  for _ in $(seq 900); do # 90 s: a hang guard for a loaded machine
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "test-browser: server exited" >&2; cat "$d/server.log" >&2; return 1; }
    sleep 0.1
  done
  curl -fsS "$base/healthz" >/dev/null || { echo "test-browser: server not healthy" >&2; cat "$d/server.log" >&2; return 1; }
  node tests/browser/lib/setup.mjs "$base" "$PASS" "$d/fixture.json" >"$d/setup.log" 2>&1 || { cat "$d/setup.log" >&2; return 1; }
}

# run_shard K: its files, one after the other, against its own server; the output into shard K's log.
run_shard() (
  trap stop_server EXIT
  trap 'exit 143' INT TERM
  local k=$1 d="$DIR/shard$1" files=() t0=$SECONDS status=0
  mapfile -t files < <(node -e '
    const fs = require("fs"), path = require("path")
    const [shards, k, ...files] = process.argv.slice(1)
    const w = JSON.parse(fs.readFileSync("tests/browser/lib/weights.json", "utf8")).files
    const known = Object.values(w).sort((a, b) => a - b), median = known[known.length >> 1] || 1
    const weight = (f) => w[path.basename(f)] ?? median
    const order = [...files].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : 1))
    const load = Array(Number(shards)).fill(0), mine = []
    for (const f of order) {
      const s = load.indexOf(Math.min(...load))
      load[s] += weight(f)
      if (s === Number(k)) mine.push(f)
    }
    console.log(mine.sort().join("\n"))' "$SHARDS" "$k" "${FILES[@]}")
  mkdir -p "$d"
  { start_shard "$k" && cat "$d/setup.log"; } >"$d/run.log" 2>&1 || return 1
  local t1=$SECONDS
  SL_FIXTURE="$d/fixture.json" node --test --test-concurrency=1 "${files[@]}" >>"$d/run.log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    # what a failed wait may have waited for: the server's refusals, errors and slow answers over the
    # whole shard (a test's own requests are long gone from a tail), then the tail
    echo "--- server: warnings, errors, answers >= 400 and requests of 1 s or more ---" >>"$d/run.log"
    grep -E '"level":"(warn|error)"|access [A-Z]+ [^ ]+ [45][0-9][0-9] |access [A-Z]+ [^ ]+ [0-9]+ [0-9]{7,}us' \
      "$d/server.log" | tail -n 60 >>"$d/run.log" 2>&1 || true
    echo "--- server log (tail) ---" >>"$d/run.log"
    tail -n 20 "$d/server.log" >>"$d/run.log" 2>&1 || true
  fi
  # the profile of the run (docs/ARCHITECTURE.md): the server's CPU seconds (user + system), the wall times
  local cpu
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo '?')
  echo "test-browser: shard $((k + 1))/$SHARDS (${#files[@]} files), server $BIN: $cpu s of CPU;" \
       "start and fixture $((t1 - t0)) s, tests $((SECONDS - t1)) s" >>"$d/run.log"
  exit $status
)

for ((k = 0; k < SHARDS; k++)); do run_shard "$k" & pids+=($!); done
status=0
for ((k = 0; k < SHARDS; k++)); do
  rc=0; wait "${pids[$k]}" || rc=$?
  echo "==== browser tests, shard $((k + 1))/$SHARDS (exit $rc)"
  cat "$DIR/shard$k/run.log"
  ((rc == 0)) || status=1
done
exit $status
