#!/usr/bin/env bash
# bench.sh — `make bench`: generate the benchmark database, start the real
# server on loopback, drive it with wrk (bounded duration and connections),
# measure the two references on this machine (nginx serving a tiny static
# file = the HTTP ceiling; the same SQL straight through SQLite = the
# database ceiling) and rewrite docs/PERFORMANCE.md.
#
# Settings (environment):
#   BENCH_DURATION=10    seconds per wrk run        BENCH_CONNECTIONS=8  wrk -c
#   BENCH_THREADS=1      wrk -t                     BENCH_SCALE=1        data size factor
#   BENCH_OUT=docs/PERFORMANCE.md                   BENCH_KEEP=1         keep the work folder
#   SALESLOOP_BIN=build/salesloop                   the server binary
#   BENCH_SKIP_INDEX="follow_ups ..."               entities whose search index is not built (marked
#                    built and empty: their q= finds nothing); default at BENCH_SCALE >= 5 the big
#                    ones no scenario searches (contacts, leads, follow-ups, research), so that a
#                    scale-10 run spends its time on the runs, not on 10 M follow-ups' postings
#   BENCH_PG=0                                      skip the PostgreSQL pass (default: the same scenarios on a
#                    PostgreSQL cluster the script starts on loopback, side by side in the report)
#   BENCH_ONLY="create_quote"                       run only these scenarios (and their SQLite-alone
#                    reference) and print them; the report is not rewritten (checking one scenario)
#   BENCH_PREPARE_ONLY=1 BENCH_KEEP=1               generate the data and stop (its folder is printed);
#   BENCH_DATA=DIR                                  then run on it, as often as wanted: the prepared database
#                    (DIR/bench.db) is never written by a run, which works on a copy of it (DIR/run.db,
#                    removed at the end unless BENCH_KEEP_RUN=1), so every run measures the same rows
# Each run also writes its figures to bench/results/sqlite-scale$SCALE.tsv; the report puts the
# scale-1 and scale-10 figures side by side (with the growth factor) when both files are there.
# Loopback only; every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DUR=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-8}
WTHREADS=${BENCH_THREADS:-1}
SCALE=${BENCH_SCALE:-1}
OUT=${BENCH_OUT:-docs/PERFORMANCE.md}
BIN=${SALESLOOP_BIN:-build/salesloop}   # the server binary (e.g. build/salesloop-test to hunt a crash)
PW='Root#Pass-12345'
LUA=$ROOT/bench/wrk/bench.lua
# BENCH_DATA=DIR runs on the data a BENCH_PREPARE_ONLY=1 run left in DIR (kept, and never written:
# a run's creates used to land at the top of every "newest first" order of the next run's data)
if [[ -n ${BENCH_DATA:-} ]]; then WORK=$BENCH_DATA BENCH_KEEP=1; else WORK=$(mktemp -d /tmp/salesloop-bench.XXXXXX); fi
SRV_PID="" NGX_PID="" SAMPLER_PID=""

cleanup() {
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  [[ -n $SRV_PID ]] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
  [[ -n $NGX_PID ]] && kill "$NGX_PID" 2>/dev/null && wait "$NGX_PID" 2>/dev/null || true
  if [[ -z ${BENCH_KEEP:-} ]]; then rm -rf "$WORK"; else
    [[ -n ${BENCH_KEEP_RUN:-} ]] || rm -f "$WORK/run.db" "$WORK/run.db-wal" "$WORK/run.db-shm"
    echo "bench: kept $WORK"
  fi
}
trap cleanup EXIT

for t in wrk nginx sqlite3 curl; do command -v $t >/dev/null || { echo "bench: $t missing (make deps)" >&2; exit 1; }; done
[[ -x build/salesloop && -f build/rel/libsalesloop.a ]] || make -s build/salesloop

# ---------------------------------------------------------------- tools
mkdir -p build/bench
PKGS=$(make -pn -f Makefile build/salesloop 2>/dev/null | sed -n 's/^PKGS := //p' | head -1) # as make expands it (continued lines, \$(MAGIC_PC))
cc -O2 -o build/bench/gen bench/gen.c -lsqlite3 -lm
cc -std=c17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -O2 -Isrc -Ibuild/gen -pthread $(pkg-config --cflags $PKGS) \
   -o build/bench/sqlref bench/sqlref.c build/rel/libsalesloop.a $(pkg-config --libs $PKGS) -lm -pthread

calc() { awk "BEGIN { print $1 }"; }

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
  done
  echo "bench: no free port" >&2; exit 1
}

# ---------------------------------------------------------------- data
q0() { sqlite3 "$DB" "$1"; }
DB=$WORK/bench.db # the prepared data; the runs work on $WORK/run.db, a copy (below)
SKIP_INDEX=${BENCH_SKIP_INDEX-$( awk -v s="$SCALE" 'BEGIN { exit !(s >= 5) }' && echo "contacts leads follow_ups market_research" || true)}
if [[ -n ${BENCH_DATA:-} ]]; then
  [[ -f $WORK/prep.env ]] || { echo "bench: $WORK holds no prepared data (BENCH_PREPARE_ONLY=1)" >&2; exit 1; }
  source "$WORK/prep.env"
  echo "bench: data of scale $SCALE prepared in $WORK"
else
echo "bench: generating data (scale $SCALE) in $WORK"
"$BIN" init --db "$DB" --admin-password "$PW" >/dev/null 2>&1
t0=$(date +%s.%N)
build/bench/gen --db "$DB" --scale "$SCALE" | sed 's/^/  /'
GEN_SECS=$(calc "$(date +%s.%N) - $t0")
# the search index of the bulk-inserted rows (the server's own tokeniser; a binary from before the
# index has no such command and searches by scanning)
INDEX_SECS="–"
if "$BIN" search-rebuild --help >/dev/null 2>&1; then
  t0=$(date +%s.%N)
  if [[ -n $SKIP_INDEX ]]; then # marked built (empty); customers indexed; the server builds the small rest at start
    for en in $SKIP_INDEX; do q0 "INSERT INTO search_built(entity, built_at, row_count) VALUES ('$en', 0, 0)"; done
    "$BIN" search-rebuild --db "$DB" customers 2>&1 | sed -n 's/.*"msg":"\(search: [^"]*\)".*/  \1/p'
  else
    "$BIN" search-rebuild --db "$DB" 2>&1 | sed -n 's/.*"msg":"\(search: [^"]*\)".*/  \1/p'
  fi
  INDEX_SECS=$(calc "$(date +%s.%N) - $t0")
fi
# the generated match keys are what the server's own normalisers make of the rows
KEYS_CHECK=$(build/bench/sqlref --db "$DB" --mode keys) || { echo "bench: match keys differ from the server's" >&2; exit 1; }
echo "  $KEYS_CHECK"
printf 'SCALE=%q GEN_SECS=%q INDEX_SECS=%q KEYS_CHECK=%q SKIP_INDEX=%q\n' "$SCALE" "$GEN_SECS" "$INDEX_SECS" "$KEYS_CHECK" "$SKIP_INDEX" >"$WORK/prep.env"
fi
q() { sqlite3 "$DB" "$1"; }
uid() { q "SELECT id FROM users WHERE username = '$1'"; }
N_RESEARCH=$(q "SELECT count(*) FROM market_research")
N_PRODUCTS=$(q "SELECT count(*) FROM products")
N_CUST=$(q "SELECT count(*) FROM customers")
N_POOL=$(q "SELECT count(*) FROM customers WHERE in_pool = 1")
N_CONTACTS=$(q "SELECT count(*) FROM contacts")
N_LEADS=$(q "SELECT count(*) FROM leads")
N_FU=$(q "SELECT count(*) FROM follow_ups")
N_KEYS=$(q "SELECT count(*) FROM match_keys")
N_CONTRACTS=$(q "SELECT count(*) FROM contracts")
N_INST=$(q "SELECT count(*) FROM contract_instalments")
N_PAY=$(q "SELECT count(*) FROM payments")
DB_MB=$(( $(stat -c %s "$DB") / 1048576 ))

# request paths for wrk and sqlref
REP=bench.rep01; REP_LIST=bench.rep10; MGR=bench.mgr1
q "SELECT '/api/v1/customers/' || id FROM customers WHERE owner_id = $(uid $REP) ORDER BY (id * 7919) % 100003 LIMIT 1000" > "$WORK/get.txt"
# "id version": the update runs start from the versions in the database (refreshed before each)
update_ids() { # from the database the server runs on (the PostgreSQL pass: its own versions)
  local sql="SELECT id || ' ' || version FROM customers WHERE owner_id = $(uid $REP) ORDER BY (id * 104729) % 100003 LIMIT 2000"
  if [[ -n ${SRV_DB:-} ]]; then psql "$SRV_DB" -qAtc "$sql"; else q "$sql"; fi > "$WORK/update_ids.txt"
}
update_ids
N_REP_CUST=$(q "SELECT count(*) FROM customers WHERE owner_id = $(uid $REP_LIST)")
N_MGR_CUST=$(q "SELECT count(*) FROM customers c JOIN org_units o ON o.id = c.org_unit_id WHERE o.path LIKE (SELECT path FROM org_units WHERE id = (SELECT org_unit_id FROM users WHERE username = '$MGR')) || '%'")
# filters and sorts a sales team uses: tiers by last follow-up, a region by name, an industry by
# purchases, referrals not in the pool by creation date (the region and industry as the codes the data
# holds since bench/gen wrote them: 31 上海市, 26 化学原料和化学制品制造业; a name is a 400 field.code)
cat > "$WORK/list.txt" <<'EOF'
/api/v1/customers?sort=-last_followup_at&per_page=20&filter[tier]=important,key
/api/v1/customers?sort=name&per_page=20&filter[region]=31
/api/v1/customers?sort=-purchase_12m&per_page=20&filter[industry]=26
/api/v1/customers?sort=-created_at&per_page=20&filter[source]=referral&filter[in_pool]=0
EOF
# q=: 华 (one character, in ~1 name of 8), 宏达 (a brand in many names), 恒信机 (brand + a trade's first
# character), cu00123 (e-mail, web), 6234 (phone digits), six digits from the middle of a tax id
TAX_PART=$(q "SELECT substr(tax_id, 10, 6) FROM customers WHERE tax_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 4321")
cat > "$WORK/search.txt" <<EOF
/api/v1/customers?q=%E5%8D%8E
/api/v1/customers?q=%E5%AE%8F%E8%BE%BE
/api/v1/customers?q=%E6%81%92%E4%BF%A1%E6%9C%BA
/api/v1/customers?q=cu00123
/api/v1/customers?q=6234
/api/v1/customers?q=$TAX_PART
EOF
cat "$WORK/get.txt" "$WORK/list.txt" > "$WORK/mixed.txt"
EXPORT_Q='filter[id][lte]=10000&sort=id'

# ---------------------------------------------------------------- server
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
CRASHES=()
WAITS=() # scenarios after which the server went on answering their requests (wait_idle)
start_server() {
  SRV_T0=$(date +%s.%N)
  SALESLOOP_ACCESS_LOG=0 "$BIN" serve --db "${SRV_DB:-$DB}" --port "$PORT" --bind 127.0.0.1 >>"$WORK/server.log" 2>&1 &
  SRV_PID=$!
  # the first start fills the sort keys of the generated rows (F_SORTKEY: ICU keys of names) and
  # runs ANALYZE: minutes at scale 10; wait while the server lives
  local waited=0
  until curl -sf "$BASE/healthz" >/dev/null; do
    kill -0 "$SRV_PID" 2>/dev/null || break
    ((waited++ < ${BENCH_START_TIMEOUT:-36000})) || break
    sleep 0.1
  done
  curl -sf "$BASE/healthz" >/dev/null || { echo "bench: server did not start" >&2; tail "$WORK/server.log" >&2; exit 1; }
  START_SECS=$(calc "$(date +%s.%N) - $SRV_T0")
}
# the periodic jobs as run (bench/gen.c gen_jobs; also for data prepared by an older gen)
# (and stamped now: prepared data an hour old had its hourly pool return run at the first tick, 4,042
# rows in one write transaction, while the script signed in)
stamp_jobs() {
  for j in deadlines job_files quote_expiry; do
    q0 "INSERT OR IGNORE INTO scheduler_runs(job, last_run_at, last_ok_at, runs) VALUES ('$j', strftime('%s','now'), strftime('%s','now'), 1)"
  done
  q0 "UPDATE scheduler_runs SET last_run_at = strftime('%s','now'), last_ok_at = strftime('%s','now')"
}
stop_server() { kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true; SRV_PID=""; }
if [[ -z ${BENCH_DATA:-} ]]; then # the first start fills the sort keys of the generated rows: the data is ready
  stamp_jobs
  start_server
  PREP_START_SECS=$START_SECS
  echo "PREP_START_SECS=$START_SECS" >>"$WORK/prep.env"
  stop_server
  if [[ -n ${BENCH_PREPARE_ONLY:-} ]]; then
    echo "bench: data prepared in $WORK (first start ${START_SECS%.*} s); run with BENCH_DATA=$WORK"
    BENCH_KEEP=1
    exit 0
  fi
fi
# The runs write (creates, updates, follow-ups, the jobs): they work on a copy of the prepared data, so
# that a second run on it measures the same rows as the first (the creates of earlier runs had put
# 90,000 rows at the top of every "newest first" order at scale 10, none of them holding 华).
[[ -s $DB-wal ]] && { echo "bench: $DB has a write-ahead log still to copy back (a server running on it?)" >&2; exit 1; }
t0=$(date +%s.%N)
rm -f "$WORK/run.db" "$WORK/run.db-wal" "$WORK/run.db-shm"
cp --sparse=always "$DB" "$WORK/run.db"
COPY_SECS=$(calc "$(date +%s.%N) - $t0")
PREP_DB=$DB DB=$WORK/run.db
echo "bench: the runs work on a copy of the prepared data ($WORK/run.db, copied in $(printf '%.0f' "$COPY_SECS") s)"
stamp_jobs
start_server
SQLITE_START_SECS=$START_SECS # (the PostgreSQL pass starts its own server later)

login() { # user -> "cookie csrf" (tried again for a minute: a job may hold the write lock)
  local body="" i
  for i in $(seq 1 30); do
    body=$(curl -sf -c "$WORK/jar.$1" -H 'Content-Type: application/json' \
                -d "{\"username\":\"$1\",\"password\":\"$PW\"}" "$BASE/api/v1/auth/login") && break
    echo "bench: login of $1 failed, again in 2 s" >&2; sleep 2
  done
  local cookie csrf
  cookie=$(awk '$6 == "sl_session" {print $7}' "$WORK/jar.$1")
  csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")
  echo "sl_session=$cookie $csrf"
}
token() { # user -> API token (tried again as login is)
  local c csrf body="" i
  read -r c csrf <<<"$(login "$1")"
  for i in $(seq 1 30); do
    body=$(curl -sf -H "Cookie: $c" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
                -d '{"name":"bench"}' "$BASE/api/v1/tokens") && break
    echo "bench: token of $1 failed, again in 2 s" >&2; sleep 2
  done
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$body"
}
sign_in() { # the sessions and tokens of the runs, on the server at $BASE
  read -r REP_COOKIE REP_CSRF <<<"$(login $REP)"
  read -r LIST_COOKIE _ <<<"$(login $REP_LIST)"
  read -r MGR_COOKIE _ <<<"$(login $MGR)"
  read -r ADM_COOKIE _ <<<"$(login admin)"
  read -r FIN_COOKIE _ <<<"$(login bench.fin)"
  MGR_TOKEN=$(token $MGR)
  REP_TOKEN=$(token $REP)
  REP2_TOKEN=$(token bench.rep02)
  [[ -n $REP_COOKIE && -n $MGR_TOKEN && -n $REP_TOKEN ]] || { echo "bench: login failed" >&2; exit 1; }
}
sign_in
# the quotation create: rep01 on its customers, 10 lines from the first ten catalogue products
PRODUCTS=$(q "SELECT group_concat(id || ':' || list_price, ' ') FROM (SELECT id, list_price FROM products WHERE deleted_at IS NULL ORDER BY id LIMIT 10)")

rss_kb() { awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {print r, a}' /proc/"$SRV_PID"/status; } # "rss anon" 
status_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/"$SRV_PID"/status; }

# ---------------------------------------------------------------- runs
declare -A RPS P50 P99 MAXL NON2XX RSS ANON REQS
ORDER=()

# run NAME URL CONNS [ENV=VALUE...]: one wrk run, RSS of the server sampled meanwhile
RUNP="" # "pg:" while the PostgreSQL pass runs (its figures are kept apart, in PG_ORDER)
PG_ORDER=()
# Wait until the server has answered every request of the run before (wrk stops at its duration; a
# request slower than that, or one queued behind it, runs on and would be measured against the next
# scenario). /metrics counts itself: 1 in progress is an idle server. Gives up after 15 minutes.
wait_idle() {
  local name=$1 t0=$SECONDS n
  while ((SECONDS - t0 < 900)); do
    n=$(curl -sf --max-time 60 "$BASE/metrics" | sed -n 's/^salesloop_http_requests_in_progress \([0-9]*\)$/\1/p')
    [[ -z $n || $n -le 1 ]] && break
    sleep 0.5
  done
  if ((SECONDS - t0 >= 2)); then
    WAITS+=("$name $((SECONDS - t0)) s")
    printf '  %-18s (the server answered its last requests %d s after the run)\n' "$name" $((SECONDS - t0))
  fi
}

run() {
  local name=$RUNP$1 url=$2 conns=$3; shift 3
  local samples=$WORK/rss.$name
  : >"$samples"
  if [[ $url == *"127.0.0.1:$PORT"* ]]; then
    ( for _ in $(seq 1 $((DUR * 5 + 10))); do rss_kb >>"$samples" 2>/dev/null || exit 0; sleep 0.2; done ) &
    SAMPLER_PID=$!
  fi
  local line
  line=$(env "$@" BENCH_THREADS="$WTHREADS" BENCH_RUN="$RANDOM$RANDOM" \
         wrk -t"$WTHREADS" -c"$conns" -d"${DUR}s" --timeout 10s -s "$LUA" "$url" | grep '^BENCH ' || true)
  if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; fi
  if [[ -n $SRV_PID ]] && ! kill -0 "$SRV_PID" 2>/dev/null; then
    # the server died under this load: record it (see FINDINGS) and go on with a new one
    # the log rarely says why (a segfault writes nothing): the kernel's line names the library
    local why; why=$( (dmesg 2>/dev/null | grep -E "salesloop\[$SRV_PID\]" | tail -1 | sed 's/^\[[^]]*\] //') || true)
    [[ -n $why ]] || why=$(tail -1 "$WORK/server.log")
    echo "bench: THE SERVER DIED during $name: ${why:0:200}" >&2
    CRASHES+=("$name: ${why:0:160}")
    wait "$SRV_PID" 2>/dev/null || true
    [[ -z ${SRV_DB:-} ]] && stamp_jobs # go on with a new server (SQLite: the jobs stamped as run again)
    start_server
  fi
  [[ -n $line ]] || { echo "bench: wrk failed for $name" >&2; exit 1; }
  [[ $url == *"127.0.0.1:$PORT"* ]] && wait_idle "$name"
  get() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
  RPS[$name]=$(get rps); P50[$name]=$(get p50_us); P99[$name]=$(get p99_us); MAXL[$name]=$(get max_us)
  NON2XX[$name]=$(get non2xx); REQS[$name]=$(get requests)
  RSS[$name]=$(awk '$1 > m {m = $1} END {print m}' "$samples")  # VmRSS: with the mapped database file
  ANON[$name]=$(awk '$2 > m {m = $2} END {print m}' "$samples") # RssAnon: the server's private memory
  if [[ -n $RUNP ]]; then PG_ORDER+=("$name"); else ORDER+=("$name"); fi
  printf '  %-18s %10.0f req/s  p50 %8.2f ms  p99 %8.2f ms  non-2xx %s  rss %s kB\n' "$name" "${RPS[$name]}" \
    "$(calc "${P50[$name]} / 1000")" "$(calc "${P99[$name]} / 1000")" "${NON2XX[$name]}" "${RSS[$name]:--}"
}

# nginx: the HTTP ceiling, same wrk settings, a 12-byte file
NPORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx"
printf 'hello world\n' >"$WORK/www/hello.txt"
chmod -R a+rX "$WORK"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$NPORT; root $WORK/www; location / { } }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGX_PID=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NPORT/hello.txt" >/dev/null && break; sleep 0.1; done

LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
echo "bench: wrk -t$WTHREADS -c$CONNS -d${DUR}s per run (load average before: $LOAD_BEFORE)"
run nginx_static "http://127.0.0.1:$NPORT/hello.txt" "$CONNS" BENCH_MODE=paths
kill "$NGX_PID"; wait "$NGX_PID" 2>/dev/null || true; NGX_PID=""

read_runs() { # the reads, on the server at $BASE
  run healthz "$BASE/healthz" "$CONNS" BENCH_MODE=paths
  run get_customer "$BASE/" "$CONNS" BENCH_MODE=paths BENCH_PATHS="$WORK/get.txt" BENCH_COOKIE="$REP_COOKIE"
  run list_rep "$BASE/" "$CONNS" BENCH_MODE=paths BENCH_PATHS="$WORK/list.txt" BENCH_COOKIE="$LIST_COOKIE"
  run list_manager "$BASE/" "$CONNS" BENCH_MODE=paths BENCH_PATHS="$WORK/list.txt" BENCH_COOKIE="$MGR_COOKIE"
  run search_rep "$BASE/" "$CONNS" BENCH_MODE=paths BENCH_PATHS="$WORK/search.txt" BENCH_COOKIE="$LIST_COOKIE"
  run search_manager "$BASE/" "$CONNS" BENCH_MODE=paths BENCH_PATHS="$WORK/search.txt" BENCH_COOKIE="$MGR_COOKIE"
  # receivables aging over every contract (finance: all of them; a region's manager: its subtree)
  echo /api/v1/receivables/aging > "$WORK/aging.txt"
  run aging_finance "$BASE/" 2 BENCH_MODE=paths BENCH_PATHS="$WORK/aging.txt" BENCH_COOKIE="$FIN_COOKIE"
  run aging_manager "$BASE/" 2 BENCH_MODE=paths BENCH_PATHS="$WORK/aging.txt" BENCH_COOKIE="$MGR_COOKIE"
  run export_csv "$BASE/api/v1/customers/export.csv?$EXPORT_Q" 1 BENCH_MODE=paths BENCH_COOKIE="$ADM_COOKIE"
  run export_xlsx "$BASE/api/v1/customers/export.xlsx?$EXPORT_Q" 1 BENCH_MODE=paths BENCH_COOKIE="$ADM_COOKIE"
}
# the SQLite-alone references (same SQL, no HTTP) and the quotation create with its reference
SECS=$(( DUR < 5 ? DUR : 5 ))
declare -A REF
ref() { REF[$1]=$(build/bench/sqlref --db "$DB" --seconds "$SECS" --threads 2 "${@:2}" 2>>"$WORK/sqlref.log" | awk '{print $1}'); }
run_create_quote() { # a quotation with 10 catalogue lines as rep01 (API token); reference: entity_create_row alone
  update_ids
  run create_quote "$BASE/" "$CONNS" BENCH_MODE=create_quote BENCH_TOKEN="$REP_TOKEN" BENCH_IDS="$WORK/update_ids.txt" \
      BENCH_PRODUCTS="$PRODUCTS"
  ref create_quote --user $REP --mode quote --batch 64 --threads 1
  N_QUOTES=$(q "SELECT count(*) FROM quotes"); N_QUOTE_LINES=$(q "SELECT count(*) FROM quote_lines")
}
if [[ -n ${BENCH_ONLY:-} ]]; then
  for s in $BENCH_ONLY; do
    case $s in
      create_quote) run_create_quote
        echo "  SQLite alone (entity_create_row, 64/commit): ${REF[create_quote]:-–}/s; quotes $N_QUOTES, lines $N_QUOTE_LINES";;
      *) echo "bench: BENCH_ONLY knows create_quote" >&2; exit 2;;
    esac
  done
  grep -q '"level":"error"' "$WORK/server.log" && { echo "bench: the server logged errors:" >&2; grep '"level":"error"' "$WORK/server.log" | head -5 >&2; exit 1; }
  exit 0
fi
read_runs
# a check that the export really holds the rows (CSV: header + rows)
EXPORT_LINES=$(curl -gsf -H "Cookie: $ADM_COOKIE" "$BASE/api/v1/customers/export.csv?$EXPORT_Q" | grep -c '' || true)
# a check that the duplicate check finds generated rows: customer 2's name written another way
# ("上海某某机械有限公司" sent as "某某机械（上海市）有限公司" has the same key) -> 409
DUP_NAME=$(q "SELECT substr(name, 3, length(name) - 6) || '（' || substr(name, 1, 2) || '市）有限公司' FROM customers WHERE name LIKE '%有限公司' AND name NOT LIKE '%股份有限公司' AND name NOT LIKE '%有限责任公司' AND owner_id <> $(uid bench.rep02) ORDER BY id LIMIT 1")
DUP_STATUS=$( [[ -n $DUP_NAME ]] && curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $REP2_TOKEN" -H 'Content-Type: application/json' \
             -d "{\"name\":\"$DUP_NAME\"}" "$BASE/api/v1/customers" || echo "-")
echo "  duplicate check on a generated name ($DUP_NAME): HTTP $DUP_STATUS"

# the database ceiling for the reads, same SQL, 2 threads (one per core), no HTTP
ref get_customer --user $REP --paths "$WORK/get.txt"
ref list_rep --user $REP_LIST --paths "$WORK/list.txt"
ref list_manager --user $MGR --paths "$WORK/list.txt"
ref search_rep --user $REP_LIST --paths "$WORK/search.txt"
ref search_manager --user $MGR --paths "$WORK/search.txt"
ref aging_finance --user bench.fin --mode aging
ref aging_manager --user $MGR --mode aging

# writes: group commit under load, durable (synchronous=FULL)
write_runs() { # the writes, on the server at $BASE (durable: synchronous=FULL / fsync on)
  run login "$BASE/" "$CONNS" BENCH_MODE=login BENCH_USERS="$(printf 'bench.rep%02d ' $(seq 1 48))" BENCH_PASSWORD="$PW"
  run create_customer "$BASE/" "$CONNS" BENCH_MODE=create_customer BENCH_TOKEN="$REP2_TOKEN"
  update_ids # this server's customers (the list the SQLite pass left names customers its mixed run created)
  run create_followup "$BASE/" "$CONNS" BENCH_MODE=create_followup BENCH_TOKEN="$REP_TOKEN" BENCH_IDS="$WORK/update_ids.txt"
  update_ids
  run update_customer "$BASE/" "$CONNS" BENCH_MODE=update BENCH_TOKEN="$REP_TOKEN" BENCH_IDS="$WORK/update_ids.txt"
  HWM_BEFORE_MIXED=$(status_kb VmHWM)
  update_ids
  curl -sf "$BASE/metrics" >"$WORK/metrics.before" || : >"$WORK/metrics.before"
  run mixed "$BASE/" "$CONNS" BENCH_MODE=mixed BENCH_COOKIE="$REP_COOKIE" BENCH_CSRF="$REP_CSRF" \
      BENCH_PATHS="$WORK/mixed.txt" BENCH_IDS="$WORK/update_ids.txt" BENCH_STATUS=1
  curl -sf "$BASE/metrics" >"$WORK/metrics.after" || : >"$WORK/metrics.after"
  route_profile >"$WORK/mixed_routes${RUNP:+.${RUNP%:}}.md"
}
# route_profile: where *mixed* spent the server's time, by route, from the /metrics counters taken
# before and after it (salesloop_http_requests_total and salesloop_http_request_seconds_total)
route_profile() {
  awk '
    function key(line) { m = ""; r = ""
      if (match(line, /method="[^"]*"/)) m = substr(line, RSTART + 8, RLENGTH - 9)
      if (match(line, /route="[^"]*"/)) r = substr(line, RSTART + 7, RLENGTH - 8)
      return m " " r }
    FNR == 1 { f++ }
    /^salesloop_http_requests_total\{/ { n[f, key($0)] += $NF; keys[key($0)] = 1 }
    /^salesloop_http_request_seconds_total\{/ { t[f, key($0)] += $NF }
    END {
      for (k in keys) { dn = n[2, k] - n[1, k]; dt = t[2, k] - t[1, k]; if (dn <= 0) continue
        cnt[k] = dn; sec[k] = dt; N += dn; T += dt }
      if (N == 0 || T <= 0) { print "(no request counted)"; exit }
      print "| request (route) | requests | share of requests | mean ms | share of the time answering |"
      print "|---|---:|---:|---:|---:|"
      for (;;) { best = ""; for (k in sec) if (best == "" || sec[k] > sec[best]) best = k
        if (best == "") break
        printf "| `%s` | %d | %.1f %% | %.2f | %.1f %% |\n", best, cnt[best], 100 * cnt[best] / N, 1000 * sec[best] / cnt[best], 100 * sec[best] / T
        delete sec[best] }
    }' "$WORK/metrics.before" "$WORK/metrics.after"
}
write_runs
MIXED_ANON=$(status_kb RssAnon); MIXED_FILE=$(status_kb RssFile)
HWM=$(status_kb VmHWM)
FDS=$(ls /proc/"$SRV_PID"/fd | wc -l)

# the database ceiling for creates: same statements, 64 per durable commit, and 1 per commit
ref create_group --user bench.rep02 --mode create --batch 64 --threads 1
ref create_single --user bench.rep02 --mode create --batch 1 --threads 1
run_create_quote

stop_server
grep -q '"level":"error"' "$WORK/server.log" && { echo "bench: the server logged errors:" >&2; grep '"level":"error"' "$WORK/server.log" | head -5 >&2; }
INTEGRITY=$(q "PRAGMA integrity_check")
LOAD_AFTER=$(uptime | sed 's/.*load average: //')

# ---------------------------------------------------------------- PostgreSQL
# The same scenarios on PostgreSQL (BENCH_PG=0 skips): a cluster on loopback in a temp folder
# (scripts/lib-pg.sh, stopped and removed on exit) made durable like SQLite here (fsync, synchronous
# commit and full-page writes on), the prepared rows copied in, as the SQLite pass began with them
# (bench/pg-load.sh), the customers' search postings built by the server at its first start (the
# other entities marked built, as BENCH_SKIP_INDEX: no scenario searches them).
PG_NOTE=""
if [[ ${BENCH_PG:-1} != 0 ]]; then
  source scripts/lib-pg.sh
  cleanup_pg() { pg_temp_stop; cleanup; }
  trap cleanup_pg EXIT
  if pg_temp_start; then
    PGV=$(psql "$PG_TEMP_URL/postgres" -qAtc "SHOW server_version" | awk '{print $1}')
    psql "$PG_TEMP_URL/postgres" -qAt -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
         -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
    pg_temp_createdb bench
    PG_URL=$PG_TEMP_URL/bench
    "$BIN" init --db "$PG_URL" --admin-password "$PW" >/dev/null 2>&1
    t0=$(date +%s.%N)
    bench/pg-load.sh "$PREP_DB" "$PG_URL" | sed 's/^/  /'
    PG_LOAD_SECS=$(calc "$(date +%s.%N) - $t0")
    for en in $(sqlite3 "$PREP_DB" "SELECT entity FROM search_built WHERE entity <> 'customers'"); do
      psql "$PG_URL" -qAtc "INSERT INTO search_built(entity, built_at, row_count) VALUES ('$en', 0, 0)" >/dev/null
    done
    psql "$PG_URL" -qAtc "UPDATE scheduler_runs SET last_run_at = extract(epoch from now())::bigint, last_ok_at = extract(epoch from now())::bigint" >/dev/null
    PG_DB_MB=$(( $(psql "$PG_URL" -qAtc "SELECT pg_database_size('bench')") / 1048576 ))
    SRV_DB=$PG_URL
    start_server # builds the customers' postings (search_tokens) first
    PG_START_SECS=$START_SECS
    PG_DB_MB_AFTER_INDEX=$(( $(psql "$PG_URL" -qAtc "SELECT pg_database_size('bench')") / 1048576 ))
    # the state a database in use is in: the load's and the postings' rows vacuumed (visibility map set,
    # statistics fresh), so that autovacuum does not start on millions of new rows during the runs
    t0=$(date +%s.%N)
    psql "$PG_URL" -qAtc "VACUUM (ANALYZE)" >/dev/null
    psql "$PG_URL" -qAtc "CHECKPOINT" >/dev/null
    PG_VACUUM_SECS=$(calc "$(date +%s.%N) - $t0")
    RUNP="pg:"
    sign_in
    read_runs
    write_runs
    RUNP=""
    PG_MIXED_ANON=$(status_kb RssAnon)
    stop_server
    SRV_DB=""
    pg_temp_stop
  else
    PG_NOTE="PostgreSQL did not start (scripts/lib-pg.sh): not measured."
  fi
fi

# ---------------------------------------------------------------- report
# the figures of this scale, kept for the side-by-side table of the scales
mkdir -p bench/results
RES=bench/results/sqlite-scale$SCALE.tsv
{
  printf 'scale\t%s\nrows\t%s\nload\t%s / %s\n' "$SCALE" "$N_CUST" "$LOAD_BEFORE" "$LOAD_AFTER"
  for n in "${ORDER[@]}"; do printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${RSS[$n]:--}"; done
  printf 'heap_kb\t%s\n' "${MIXED_ANON:--}"
} >"$RES"
if ((${#PG_ORDER[@]})); then
  {
    printf 'scale\t%s\nrows\t%s\nload\t%s / %s\n' "$SCALE" "$N_CUST" "$LOAD_BEFORE" "$LOAD_AFTER"
    for n in "${PG_ORDER[@]}"; do printf 'run\t%s\t%s\t%s\t%s\t%s\n' "${n#pg:}" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${RSS[$n]:--}"; done
    printf 'heap_kb\t%s\n' "${PG_MIXED_ANON:--}"
  } >bench/results/pg-scale$SCALE.tsv
fi
ms() { [[ -n ${1:-} ]] && awk "BEGIN { printf \"%.2f\", $1 / 1000 }" || echo "–"; }
num() { [[ -n ${1:-} ]] && printf '%.0f' "$1" || echo "–"; }
pct() { [[ -n ${1:-} && -n ${2:-} ]] && awk "BEGIN { if ($2 + 0 == 0) print \"–\"; else printf \"%.1f %%\", 100 * $1 / $2 }" || echo "–"; }
mb() { [[ -n ${1:-} ]] && awk "BEGIN { printf \"%.1f\", $1 / 1024 }" || echo "–"; }
yes_no() { [[ $1 == 1 ]] && echo "**met**" || echo "**missed**"; }
NG=${RPS[nginx_static]}

# SQLite and PostgreSQL side by side (the PostgreSQL pass of this run)
engines_table() {
  if ((${#PG_ORDER[@]} == 0)); then
    printf '## SQLite and PostgreSQL side by side\n\nNot run%s.\n\n' "${PG_NOTE:+: $PG_NOTE}"
    return
  fi
  cat <<EOT
## SQLite and PostgreSQL side by side

The same scenarios, users and rows on PostgreSQL $PGV (a cluster on loopback started by the script, durable:
fsync, synchronous_commit and full_page_writes on; shared_buffers 64 MB; the prepared rows, as the
SQLite pass began with them, copied in by bench/pg-load.sh in $(printf '%.0f' "$PG_LOAD_SECS") s, $PG_DB_MB MB; the customers'
search postings built by the server's first start in $(printf '%.0f' "$PG_START_SECS") s, $PG_DB_MB_AFTER_INDEX MB after; then
\`VACUUM (ANALYZE)\` and a checkpoint, $(printf '%.0f' "$PG_VACUUM_SECS") s, so that autovacuum does not start on the new rows during the runs). Same
server binary, same wrk settings, run right after the SQLite pass; the PostgreSQL server process shares the
2 cores with the app server and wrk. Heap of the app server during *mixed*: $(mb "${PG_MIXED_ANON:-}") MB.

| scenario | SQLite req/s | PostgreSQL req/s | SQLite p99 ms | PostgreSQL p99 ms | PG non-2xx | PostgreSQL / SQLite req/s |
|---|---:|---:|---:|---:|---:|---:|
EOT
  for n in "${PG_ORDER[@]}"; do
    local k=${n#pg:}
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$k" "$(num "${RPS[$k]:-}")" "$(num "${RPS[$n]}")" "$(ms "${P99[$k]:-}")" \
      "$(ms "${P99[$n]}")" "${NON2XX[$n]}" "$(pct "${RPS[$n]}" "${RPS[$k]:-}")"
  done
  echo
}

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
MEM=$(free -g | awk '/^Mem:/ {print $2}')
{
cat <<EOF
# salesloop performance

Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); rerun it to refresh every figure.
Commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)').

## Machine

| | |
|---|---|
| CPU | $CPU, $(nproc) cores |
| memory | $MEM GiB |
| kernel | $(uname -r) |
| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |
| load average (1, 5, 15 min) | before the runs: $LOAD_BEFORE; after: $LOAD_AFTER — the machine is shared (other agents' browser tests may run), so absolute rates move between runs: **the ratios to the two references, measured in the same run, are the primary figures** |
| compiler | $(cc --version | head -1) |
| SQLite | $(sqlite3 --version | awk '{print $1}'), WAL, synchronous=FULL (every acknowledged write is on disk) |
| nginx | $(nginx -v 2>&1 | sed 's/.*\///') |
| load generator | $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), \`-t$WTHREADS -c$CONNS -d${DUR}s\` on loopback, on the same 2 cores as the server |
| server | \`salesloop serve\`, release build (-O2), 2 event loops, 4 workers, 1 writer, access log off; start-up to first answer: $(printf '%.1f' "${SQLITE_START_SECS:-0}") s on a copy of the prepared data (made in $(printf '%.0f' "$COPY_SECS") s: every run starts from the same rows)$([[ -n ${PREP_START_SECS:-} ]] && printf '; the first start on the generated rows, which filled their sort keys and ran ANALYZE: %.1f s' "$PREP_START_SECS") |

## Data

Generated by \`bench/gen\` (seed 20261122, scale $SCALE) in ${GEN_SECS%.*} s, bulk-inserted in one transaction; database $DB_MB MB:
an org tree of 3 regions and 6 teams, 48 reps + 10 managers, and

| table | rows | shape |
|---|---:|---|
| customers | $N_CUST | owners Zipf-skewed over the 48 reps (rep01 ~13 %), $N_POOL in the public pool; tiers important/key/normal 5/15/80 %; 20 regions and 10 industries skewed; 1 % shared with a second rep |
| contacts | $N_CONTACTS | 1–8 per customer, more for important and key accounts |
| leads | $N_LEADS | new/contacted/qualified/converted/disqualified 25/20/15/15/25 %; converted ones name their customer |
| follow_ups | $N_FU | 80 % on customers (weighted to key accounts), 20 % on leads, dates skewed to recent weeks |
| match_keys | $N_KEYS | the collision check's normalised keys (name, tax id, phones, e-mails; contacts' count for their customer); ${KEYS_CHECK#keys ok: } (\`sqlref --mode keys\`) |
| contracts | $N_CONTRACTS | of the customers' owners, 95 % signed, executing or completed; $N_INST instalments, $N_PAY payments (60 % of instalments paid, 15 % half paid) |
| market_research, products | $N_RESEARCH, $N_PRODUCTS | kept from the first benchmark (not measured any more) |

Periodic jobs are stamped as run when the data is made (bench/gen.c \`gen_jobs\`): the runs measure requests, not a
first pass of pool return / tier recompute over 100,000 customers.

Who: *get* = rep01 reading its own customers (1,000 ids in turn); *list rep* = rep10 (owner of $N_REP_CUST customers);
*list manager* = the manager of region 1 (its subtree holds $N_MGR_CUST customers); filters and sorts rotate over four
queries (tier any-of by last follow-up, region by name, industry by 12-month purchases, source + not in pool by
creation date). *search* = \`q=\` over the customers' search fields (number, name, tax id, industry, region, address,
phone, e-mail, tags) through the search index (model/search.c; built for the generated rows by
\`salesloop search-rebuild\` in $(printf '%.0f' "${INDEX_SECS/–/0}") s): 华 (one character), 宏达 (two), 恒信机 (three),
cu00123 (Latin and digits), 6234 (phone digits), $TAX_PART (part of a tax id), in turn; *search rep* as rep10,
*search manager* as the manager of region 1. *export* = admin, the 10,000 customers \`filter[id][lte]=10000\` ($((EXPORT_LINES - 1)) rows came back).
*create customer* = rep02 with an API token, a new name, phone and e-mail each time: validation, the duplicate/collision
check (normalise, look up every key in match_keys), document number, INSERT with the name's sort key, search index,
audit, match keys, read-back; a generated
customer's name written differently answered HTTP $DUP_STATUS (409 = the check finds generated rows).
*create follow-up* = rep01 on its customers (stamps last_followup_at, advances plans). *update* = rep01's customers with
the optimistic lock (\`version\` read, 409 when stale; each wrk connection learns the current version).
*aging* = GET /api/v1/receivables/aging (one aggregate query over every overdue instalment, bucketed by days
overdue, by customer, rep and unit) as finance (all $N_CONTRACTS contracts) and as the manager of region 1, 2 connections;
its SQLite-alone reference runs the same statement (\`receivables_aging_query\`, \`sqlref --mode aging\`).
*create quote* = rep01 with an API token: a quotation of 10 lines from the catalogue for one of its customers (costs from
the catalogue, line amounts, totals, margin and approval level, number, 11 INSERTs, audit, read-back); its SQLite-alone
reference makes the same body through the server's own \`entity_create_row\` and reads it back (\`sqlref --mode quote\`,
64 per durable commit); $N_QUOTES quotes with $N_QUOTE_LINES lines after the run.
*mixed* is a browser session of rep01 (cookie + CSRF): 40 % customer gets and lists, 10 % a customer's follow-ups, 5 %
customer 360, 5 % leads list, 5 % /auth/me, 5 % search, 10 % customer updates, 15 % follow-up creates, 5 % customer creates.

## Results

| scenario | requests/s | p50 ms | p99 ms | non-2xx | server RSS MB (max) | vs nginx | vs SQLite alone |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
for n in "${ORDER[@]}"; do
  ref_col="–"
  case $n in
    get_customer|list_rep|list_manager|search_rep|search_manager|aging_finance|aging_manager) ref_col="$(pct "${RPS[$n]}" "${REF[$n]:-}") of $(num "${REF[$n]:-}")/s";;
    create_customer) ref_col="$(pct "${RPS[$n]}" "${REF[create_group]:-}") of $(num "${REF[create_group]:-}")/s (64/commit)";;
    create_quote) ref_col="$(pct "${RPS[$n]}" "${REF[create_quote]:-}") of $(num "${REF[create_quote]:-}")/s (64/commit)";;
  esac
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$(num "${RPS[$n]}")" "$(ms "${P50[$n]}")" "$(ms "${P99[$n]}")" \
    "${NON2XX[$n]}" "$(mb "${RSS[$n]:-}")" "$(pct "${RPS[$n]}" "$NG")" "$ref_col"
done
cat <<EOF

SQLite alone: the same SQL (built by the server's own list/visibility code, bench/sqlref.c) on 2 threads with a
connection each, no HTTP/JSON/session lookup. Creates through SQLite alone (the server's own entity_create_row with
*create customer*'s body, each in a savepoint as the writer runs a request, and the read-back): $(num "${REF[create_group]:-}")/s with 64 creates per durable
commit, $(num "${REF[create_single]:-}")/s with one commit (one fsync) per create — the rate without group commit.
Export latency is per request with one connection (\`-c1\`). Server peak RSS (VmHWM) over the whole run:
$(mb "$HWM") MB (the login run hashes with Argon2id, 19 MiB per hash by design, several at once on the worker pool). During *mixed*: $(mb "${RSS[mixed]:-}") MB at most,
of which private memory (RssAnon: heap with SQLite's page caches: 16 MB for the loops, 8 MB for the writer, 2 MB for the others, thread arenas and stacks; what is freed handed back every 5 s) at most $(mb "${ANON[mixed]:-}") MB; after it $(mb "$MIXED_ANON") MB private and $(mb "$MIXED_FILE") MB mapped file pages (the binary and
libraries; the database is read, not mapped: finding 60). Open descriptors after the run: $FDS.
Database after the run: integrity_check = $INTEGRITY.
Scenarios whose requests the server went on answering after wrk stopped (the next waited for them): $( ((${#WAITS[@]})) && printf '%s; ' "${WAITS[@]}" | sed 's/; $//' || echo none).
Server crashes during this run: ${#CRASHES[@]}$( ((${#CRASHES[@]})) && printf ' — %s' "${CRASHES[@]}"; true)$( ((${#CRASHES[@]})) && echo ' (the server was restarted on the same database and the run went on)'; true).

EOF
engines_table
if [[ -s $WORK/mixed_routes.md ]]; then
  printf '## Where *mixed* spends the server'"'"'s time\n\nBy route, from the server'"'"'s own counters (`/metrics`: requests and the time from a request'"'"'s arrival to its answer, queueing for a worker or the writer included) read before and after the *mixed* run on SQLite'
  [[ -s $WORK/mixed_routes.pg.md ]] && printf ' and on PostgreSQL'
  printf '. The generic routes serve every entity: in *mixed* `/api/v1/:entity` is the customer and lead lists and the creates, `/api/v1/:entity/:id` the gets and updates.\n\nSQLite:\n\n'
  cat "$WORK/mixed_routes.md"
  if [[ -s $WORK/mixed_routes.pg.md ]]; then printf '\nPostgreSQL:\n\n'; cat "$WORK/mixed_routes.pg.md"; fi
  echo
fi
cat <<EOF
## Budgets (issue 4; reported, not asserted)

| budget | target | measured | |
|---|---|---|---|
| get one customer, logged in | ≥ 80 % of nginx static | $(pct "${RPS[get_customer]}" "$NG") ($(num "${RPS[get_customer]}") vs $(num "$NG") req/s) | $(yes_no "$(calc "(${RPS[get_customer]} >= 0.8 * $NG) ? 1 : 0")") |
| list 20 customers, filtered + sorted, $N_CUST customers | p99 < 10 ms | rep $(ms "${P99[list_rep]}") ms, manager $(ms "${P99[list_manager]}") ms | $(yes_no "$(calc "(${P99[list_rep]} < 10000 && ${P99[list_manager]} < 10000) ? 1 : 0")") |
| search \`q=\` (1-, 2-, 3-character Chinese, Latin, phone digits, tax id part), $N_CUST customers | p99 < 10 ms | rep $(ms "${P99[search_rep]}") ms, manager $(ms "${P99[search_manager]}") ms | $(yes_no "$(calc "(${P99[search_rep]} < 10000 && ${P99[search_manager]} < 10000) ? 1 : 0")") |
| create customer with duplicate check, durable | ≥ 5,000/s | $(num "${RPS[create_customer]}")/s | $(yes_no "$(calc "(${RPS[create_customer]} >= 5000) ? 1 : 0")") |
| XLSX export of 10,000 customers | < 1 s | p50 $(ms "${P50[export_xlsx]}") ms, max $(ms "${MAXL[export_xlsx]}") ms | $( ((${REQS[export_xlsx]:-0} > 0)) && yes_no "$(calc "(${MAXL[export_xlsx]} < 1000000) ? 1 : 0")" || echo "**not measured** (no export finished in the run)") |
| server's private memory during mixed (RssAnon, apart from mapped files) | < 64 MB | at most $(mb "${ANON[mixed]:-}") MB (RSS with the mapped binary and libraries at most $(mb "${RSS[mixed]:-}") MB) | $(yes_no "$(calc "(${ANON[mixed]:-999999} < 65536) ? 1 : 0")") |

EOF
[[ -f bench/results/sqlite-scale1.tsv && -f bench/results/sqlite-scale10.tsv ]] && bench/scales.sh
[[ -n $SKIP_INDEX ]] && printf 'Search index of this run: built for customers only; %s marked built and empty (BENCH_SKIP_INDEX: no scenario searches them).\n\n' "$SKIP_INDEX"
cat bench/FINDINGS.md
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "bench: wrote $OUT"
