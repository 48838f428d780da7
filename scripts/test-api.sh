#!/usr/bin/env bash
# test-api.sh MODE — run the API tests (tests/api, node:test) against build/salesloop-test.
#   MODE sqlite    each test file's server uses its own SQLite file
#   MODE postgres  a throw-away PostgreSQL cluster is started on 127.0.0.1 (fsync off); each test
#                  file's server gets its own database in it; the cluster and its directory are
#                  always removed at exit
# Environment: SALESLOOP_BIN (default build/salesloop-test), TEST_API_TIMEOUT (seconds for the
# whole node run, default 900), SALESLOOP_TEST_KEEP=1 keeps the per-file temp dirs.
# Extra arguments after MODE are passed to node --test (e.g. tests/api/auth.test.mjs).
set -euo pipefail
as_pg=()
pgbin=""

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
command -v node >/dev/null || { echo "test-api: node not found (scripts/deps.sh)" >&2; exit 1; }

# Run a private copy of the binary: a rebuild during the run (make in another shell) must not
# swap or truncate the file under the servers the tests start.
bindir="$(mktemp -d /tmp/salesloop-bin.XXXXXX)"
cp "$SALESLOOP_BIN" "$bindir/salesloop-test"
export SALESLOOP_BIN="$bindir/salesloop-test"
pgdir=""
pg_started=0
cleanup() {
  local rc=$?
  if ((pg_started)); then
    timeout 30 "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || {
      # last resort: the postmaster pid from its own pid file (never by name)
      pid="$(head -1 "$pgdir/data/postmaster.pid" 2>/dev/null || true)"
      [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
    }
  fi
  [[ -n "$pgdir" ]] && rm -rf "$pgdir"
  rm -rf "$bindir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ! -d tests/api/node_modules ]]; then
  (cd tests/api && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi

files=("$@")
((${#files[@]})) || files=(tests/api/)
run_tests() {
  # --test-timeout bounds each file; timeout bounds the whole run (a hung server fails, never hangs).
  timeout --kill-after=10 "${TEST_API_TIMEOUT:-900}" \
    node --test --test-concurrency=1 --test-timeout=240000 "${files[@]}"
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
pgbin="${PG_BIN:-}"
if [[ -z "$pgbin" ]]; then
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" ]] && { pgbin="$d"; break; }
  done
fi
[[ -n "$pgbin" && -x "$pgbin/initdb" ]] || { echo "test-api: PostgreSQL server binaries not found (scripts/deps.sh)" >&2; exit 1; }
command -v psql >/dev/null || { echo "test-api: psql not found" >&2; exit 1; }

pgdir="$(mktemp -d /tmp/salesloop-pg.XXXXXX)"

if [[ $(id -u) -eq 0 ]]; then
  # PostgreSQL refuses to run as root: run its binaries as the postgres system user.
  id postgres >/dev/null 2>&1 || { echo "test-api: running as root needs a 'postgres' user" >&2; rm -rf "$pgdir"; exit 1; }
  chown postgres: "$pgdir"
  chmod 700 "$pgdir"
  as_pg=(runuser -u postgres --)
fi

timeout 120 "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --no-locale \
  --no-sync >"$pgdir/initdb.log" 2>&1 || { cat "$pgdir/initdb.log" >&2; exit 1; }
port="$(free_port)"
opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pgdir -c fsync=off"
opts+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
pg_started=1
timeout 60 "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -o "$opts" -l "$pgdir/server.log" -w -t 30 start \
  >/dev/null || { echo "test-api: PostgreSQL did not start" >&2; cat "$pgdir/server.log" >&2 || true; exit 1; }
timeout 20 psql "postgres://postgres@127.0.0.1:$port/postgres" -qAtc 'select 1' >/dev/null

export SALESLOOP_TEST_DB=postgres
export SALESLOOP_TEST_PG="postgres://postgres@127.0.0.1:$port"
set +e
run_tests
rc=$?
set -e
if ((rc != 0)) && [[ -s "$pgdir/server.log" ]]; then
  echo "---- PostgreSQL log (errors) ----" >&2
  grep -E 'ERROR|FATAL|PANIC' "$pgdir/server.log" | tail -40 >&2 || true
fi
exit $rc
