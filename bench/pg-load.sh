#!/usr/bin/env bash
# pg-load.sh SQLITE_DB PG_URL — copy the benchmark's data from the SQLite database bench/gen made
# (and the server's first start completed: sort keys) into a PostgreSQL database that
# `salesloop init` has just created, so that `make bench` runs the same scenarios on the same rows
# on both engines. Every table of the PostgreSQL schema that has rows in SQLite is emptied and
# copied with COPY (CSV: SQLite's NULL is an unquoted empty field, an empty text a quoted one),
# columns by name; the id sequences then continue after the copied rows. Not copied: the search
# index (search_docs / search_built; SQLite's FTS5 tables do not exist on PostgreSQL): the server
# builds PostgreSQL's postings itself, for the entities not marked built (scripts/bench.sh).
set -euo pipefail
SDB=$1 URL=$2
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psqlq() { psql "$URL" -v ON_ERROR_STOP=1 -qAt "$@"; }
skip=" schema_migrations search_docs search_tokens search_built "
tables=$(psqlq -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
                   AND table_type = 'BASE TABLE' ORDER BY table_name")
copied=() todo=()
for t in $tables; do
  [[ $skip == *" $t "* ]] && continue
  scols=$(sqlite3 "$SDB" "SELECT name FROM pragma_table_info('$t')" 2>/dev/null) || continue
  [[ -n $scols ]] || continue
  n=$(sqlite3 "$SDB" "SELECT count(*) FROM \"$t\"")
  ((n > 0)) || continue
  pcols=$(psqlq -c "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'
                    AND table_name = '$t' ORDER BY ordinal_position")
  cols=()
  for c in $pcols; do grep -qx "$c" <<<"$scols" && cols+=("\"$c\""); done
  list=$(IFS=,; echo "${cols[*]}")
  copied+=("$t:$n") todo+=("$t|$list|$(grep -cx id <<<"$pcols" || true)")
done
# empty them all first (what init wrote: the admin, the root unit), then copy in any order (foreign keys
# are not checked while the session replicates)
psqlq -c "TRUNCATE $(printf '"%s",' "${todo[@]%%|*}" | sed 's/,$//') CASCADE" >/dev/null
for x in "${todo[@]}"; do
  IFS='|' read -r t list hasid <<<"$x"
  {
    echo "SET session_replication_role = replica;"
    echo "COPY \"$t\"($list) FROM STDIN WITH (FORMAT csv);"
    sqlite3 -csv "$SDB" "SELECT $list FROM \"$t\""
    echo '\.'
    # the id sequence goes on after the copied rows
    if ((hasid)); then
      echo "SELECT setval(pg_get_serial_sequence('\"$t\"', 'id'), (SELECT COALESCE(max(id), 1) FROM \"$t\"));"
    fi
  } | psqlq >/dev/null
done
psqlq -c "ANALYZE" >/dev/null
echo "pg-load: ${#copied[@]} tables copied (${copied[*]})"
