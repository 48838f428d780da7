# lib-pg.sh — sourced by the test scripts: a throw-away PostgreSQL cluster on 127.0.0.1 (fsync off)
# in a temp directory, started by pg_temp_start and always stopped and removed by pg_temp_stop.
# After pg_temp_start: PG_TEMP_URL=postgres://postgres@127.0.0.1:PORT (no database name).
# Running as root, PostgreSQL's binaries run as the postgres system user.

pg_temp_dir=""
pg_temp_started=0
pg_temp_bin=""
pg_temp_as=()

# Stop the cluster and remove its directory (safe to call twice, or before a start).
pg_temp_stop() {
  if ((pg_temp_started)); then
    timeout 30 "${pg_temp_as[@]}" "$pg_temp_bin/pg_ctl" -D "$pg_temp_dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || {
      # last resort: the postmaster pid from its own pid file (never by name)
      local pid
      pid="$(head -1 "$pg_temp_dir/data/postmaster.pid" 2>/dev/null || true)"
      [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
    }
    pg_temp_started=0
  fi
  [[ -n "$pg_temp_dir" ]] && rm -rf "$pg_temp_dir"
  pg_temp_dir=""
}

# Start a cluster; returns non-zero (with a message) when PostgreSQL is missing or does not start.
pg_temp_start() {
  pg_temp_bin="${PG_BIN:-}"
  if [[ -z "$pg_temp_bin" ]]; then
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      [[ -x "$d/initdb" ]] && { pg_temp_bin="$d"; break; }
    done
  fi
  [[ -n "$pg_temp_bin" && -x "$pg_temp_bin/initdb" ]] || { echo "PostgreSQL server binaries not found (scripts/deps.sh)" >&2; return 1; }
  command -v psql >/dev/null || { echo "psql not found" >&2; return 1; }
  pg_temp_dir="$(mktemp -d /tmp/salesloop-pg.XXXXXX)"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { echo "running as root needs a 'postgres' user" >&2; return 1; }
    chown postgres: "$pg_temp_dir"
    chmod 700 "$pg_temp_dir"
    pg_temp_as=(runuser -u postgres --)
  fi
  timeout 120 "${pg_temp_as[@]}" "$pg_temp_bin/initdb" -D "$pg_temp_dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
    --no-sync >"$pg_temp_dir/initdb.log" 2>&1 || { cat "$pg_temp_dir/initdb.log" >&2; return 1; }
  local port
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  local opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg_temp_dir -c fsync=off"
  opts+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
  pg_temp_started=1
  timeout 60 "${pg_temp_as[@]}" "$pg_temp_bin/pg_ctl" -D "$pg_temp_dir/data" -o "$opts" -l "$pg_temp_dir/server.log" -w -t 30 start \
    >/dev/null || { echo "PostgreSQL did not start" >&2; cat "$pg_temp_dir/server.log" >&2 || true; return 1; }
  PG_TEMP_URL="postgres://postgres@127.0.0.1:$port"
  timeout 20 psql "$PG_TEMP_URL/postgres" -qAtc 'select 1' >/dev/null
}

# Create database $1 in the cluster.
pg_temp_createdb() { psql "$PG_TEMP_URL/postgres" -v ON_ERROR_STOP=1 -qAtc "CREATE DATABASE $1 TEMPLATE template0 ENCODING 'UTF8'" >/dev/null; }

# The server log's errors, for a failed run.
pg_temp_log_errors() {
  [[ -n "$pg_temp_dir" && -s "$pg_temp_dir/server.log" ]] || return 0
  echo "---- PostgreSQL log (errors) ----" >&2
  grep -E 'ERROR|FATAL|PANIC' "$pg_temp_dir/server.log" | tail -40 >&2 || true
}
