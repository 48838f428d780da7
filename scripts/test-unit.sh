#!/usr/bin/env bash
# test-unit.sh — run the cmocka unit tests (build/tst/unit/test_*), then the ones with PostgreSQL
# groups (db, scheduler, workflow) again against a throw-away cluster on 127.0.0.1, so both engines
# are covered by `make test` (scripts/lib-pg.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/lib-pg.sh
trap pg_temp_stop EXIT
trap 'exit 130' INT TERM

for t in build/tst/unit/test_*; do
  echo "== $t"
  "$t"
done

pg_temp_start || exit 1
pg_temp_createdb unit_db
pg_temp_createdb unit_sched
pg_temp_createdb unit_wf
echo "== build/tst/unit/test_db (postgresql)"
SALESLOOP_TEST_PG_URL="$PG_TEMP_URL/unit_db" build/tst/unit/test_db
echo "== build/tst/unit/test_scheduler (postgresql)"
SALESLOOP_UNIT_PG="$PG_TEMP_URL/unit_sched" build/tst/unit/test_scheduler
echo "== build/tst/unit/test_workflow (postgresql)"
SALESLOOP_UNIT_PG="$PG_TEMP_URL/unit_wf" build/tst/unit/test_workflow
