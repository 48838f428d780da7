#!/usr/bin/env bash
# test-api-both.sh — the API tests on SQLite and on PostgreSQL at the same time (the machine's two
# cores: each run is mostly one server process and node), each into its own log, printed one after
# the other when both are done. Fails when either fails.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
logs="$(mktemp -d /tmp/salesloop-api.XXXXXX)"
trap 'rm -rf "$logs"' EXIT
cd "$root"
[[ -x "${SALESLOOP_BIN:-build/salesloop-test}" ]] || { echo "test-api-both: build/salesloop-test not built" >&2; exit 1; }
# install the test's npm packages once, before the two runs (each would otherwise run npm ci in one directory)
if [[ ! tests/api/node_modules/.npm-ci.stamp -nt tests/api/package-lock.json ]]; then
  (cd tests/api && timeout 300 npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.npm-ci.stamp) || exit 1
fi
# Two files at a time on each engine: one at a time, each engine's run was one chain of waits that
# got a fifth of the two cores beside the browser shards and ended last (docs/ARCHITECTURE.md).
export TEST_API_CONCURRENCY=${TEST_API_CONCURRENCY:-2}
"$root/scripts/test-api.sh" sqlite >"$logs/sqlite.log" 2>&1 &
lite=$!
"$root/scripts/test-api.sh" postgres >"$logs/postgres.log" 2>&1 &
pg=$!
wait "$lite"; lite_rc=$?
wait "$pg"; pg_rc=$?
for e in sqlite postgres; do
  echo "==== API tests on $e"
  cat "$logs/$e.log"
done
echo "api: sqlite exit $lite_rc, postgres exit $pg_rc"
((lite_rc == 0 && pg_rc == 0))
