#!/usr/bin/env bash
# test-browser.sh — end-to-end tests of the web UI in headless Chromium (playwright-core
# driving Debian's /usr/bin/chromium) against a real salesloop server on a free port.
#   scripts/test-browser.sh               build what is missing, start the server, set up data, run tests
#   SL_BROWSER_MOCK=1 scripts/test-browser.sh   same against tests/browser/mock-server.mjs (UI development only)
#   SL_TEST_ONLY="tests/browser/03-workflow.test.mjs" runs some files; KEEP=1 keeps the temp dir and server log
# Screenshots of the main screens go to docs/screenshots/ (SL_SCREENSHOTS overrides).
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
# SL_NO_BUILD=1 uses the existing build/salesloop-test as it is (e.g. while others are mid-edit).
if [[ -z "${SL_BROWSER_MOCK:-}" && -z "${SL_NO_BUILD:-}" ]]; then make --no-print-directory build/salesloop-test; fi
[[ -n "${SL_BROWSER_MOCK:-}" || -x build/salesloop-test ]] || { echo "test-browser: build/salesloop-test missing" >&2; exit 1; }

DIR=$(mktemp -d /tmp/salesloop-browser.XXXXXX)
PASS="Adm1n-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "${KEEP:-}" ]]; then echo "test-browser: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT INT TERM

if [[ -n "${SL_BROWSER_MOCK:-}" ]]; then
  node tests/browser/mock-server.mjs --port "$PORT" --web web/dist --admin-password "$PASS" >"$DIR/server.log" 2>&1 &
  SERVER_PID=$!
else
  build/salesloop-test init --db "$DIR/t.db" --admin-password "$PASS" >"$DIR/init.log" 2>&1 \
    || { cat "$DIR/init.log" >&2; exit 1; }
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    build/salesloop-test serve --db "$DIR/t.db" --port "$PORT" --bind 127.0.0.1 --web web/dist --data "$DIR/data" \
      >"$DIR/server.log" 2>&1 &
  SERVER_PID=$!
fi

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "test-browser: server exited" >&2; cat "$DIR/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$BASE/healthz" >/dev/null || { echo "test-browser: server not healthy" >&2; cat "$DIR/server.log" >&2; exit 1; }

export SL_FIXTURE="$DIR/fixture.json"
node tests/browser/lib/setup.mjs "$BASE" "$PASS" "$SL_FIXTURE"

status=0
node --test --test-concurrency=1 ${SL_TEST_ONLY:-tests/browser/} || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server log (tail) ---" >&2
  tail -n 40 "$DIR/server.log" >&2 || true
fi
exit $status
