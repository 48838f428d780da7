#!/usr/bin/env bash
# test-api.sh MODE — run the API tests (tests/api, node:test) against build/salesloop-test.
#   MODE sqlite    each test file's server uses its own SQLite file
#   MODE postgres  a throw-away PostgreSQL cluster is started on 127.0.0.1 (fsync off); each test
#                  file's server gets its own database in it; the cluster and its directory are
#                  always removed at exit
# Environment: SALESLOOP_BIN (default build/salesloop-test), TEST_API_TIMEOUT (seconds for the
# whole node run, default 2700), TEST_API_CONCURRENCY (files at a time per engine, default 1), SALESLOOP_TEST_KEEP=1 keeps the per-file temp dirs.
# Extra arguments after MODE are passed to node --test (e.g. tests/api/auth.test.mjs).
set -euo pipefail

mode="${1:-}"
case "$mode" in
  sqlite|postgres) shift ;;
  *) echo "usage: $0 sqlite|postgres [test files...]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${SALESLOOP_BIN:-}" && "$SALESLOOP_BIN" != /* ]]; then SALESLOOP_BIN="$PWD/$SALESLOOP_BIN"; fi
cd "$root"
export SALESLOOP_BIN="${SALESLOOP_BIN:-$root/build/salesloop-test}"
[[ -x "$SALESLOOP_BIN" ]] || { echo "test-api: $SALESLOOP_BIN not built (make build/salesloop-test)" >&2; exit 1; }
scripts/node-check.sh test-api

# Run a private copy of the binary: a rebuild during the run (make in another shell) must not
# swap or truncate the file under the servers the tests start.
bindir="$(mktemp -d /tmp/salesloop-bin.XXXXXX)"
cp "$SALESLOOP_BIN" "$bindir/salesloop-test"
export SALESLOOP_BIN="$bindir/salesloop-test"
# The databases `salesloop init` makes, once per run and per test environment (tests/api/lib/harness.mjs
# copies one for each file instead of running init again: the migrations under ASan cost ~1.5 s of CPU).
export SALESLOOP_TEST_TEMPLATES="$bindir/templates"
mkdir "$SALESLOOP_TEST_TEMPLATES"
source "$root/scripts/lib-pg.sh"
cleanup() {
  local rc=$?
  pg_temp_stop
  rm -rf "$bindir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Re)install from the lockfile when it is newer than the last install.
if [[ ! tests/api/node_modules/.npm-ci.stamp -nt tests/api/package-lock.json ]]; then
  (cd tests/api && timeout 300 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.npm-ci.stamp)
fi

files=("$@")
((${#files[@]})) || files=(tests/api/)
# --test-timeout (Node >= 20.11) bounds each test; Node 18 lacks it, and there the harness's own
# per-test and per-hook timeouts bound them. timeout bounds the whole run (a hung server fails,
# never hangs).
# TEST_API_CONCURRENCY files at a time per engine (default 1; make test runs two, scripts/test-api-both.sh).
# Each file has its own server, database and port, and a file mostly waits (server start and stop,
# fsync, the scheduler): eight files took 69 s one at a time and 37 s two at a time on SQLite alone.
node_flags=(--test --test-concurrency=${TEST_API_CONCURRENCY:-1})
# The limits are hang guards (a file's cases are bounded by the harness, 240 s each): a file's own
# limit is far above the longest file alone (search, ~30 s), for the 10x of a loaded phase 2.
if [[ "$(node --help 2>/dev/null)" == *--test-timeout* ]]; then node_flags+=(--test-timeout=900000); fi
run_tests() {
  timeout --kill-after=10 "${TEST_API_TIMEOUT:-2700}" node "${node_flags[@]}" "${files[@]}"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

if [[ "$mode" == sqlite ]]; then
  export SALESLOOP_TEST_DB=sqlite
  run_tests
  exit 0
fi

# ---------------------------------------------------------------- postgres
pg_temp_start || exit 1
export SALESLOOP_TEST_DB=postgres
export SALESLOOP_TEST_PG="$PG_TEMP_URL"
set +e
run_tests
rc=$?
set -e
((rc == 0)) || pg_temp_log_errors
exit $rc
