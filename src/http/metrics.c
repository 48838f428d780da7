/*
** metrics.c — Prometheus counters kept in atomics (no lock on the request
** path), /metrics and /healthz.
*/
#include <stdatomic.h>
#include <string.h>

#include "../core/errcodes.h"
#include "internal.h"

#define MAX_ROUTES 512
static const int codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 423, 429, 500, 503};
#define NCODES ((int)(sizeof codes / sizeof codes[0]))
/* requests by route (+1 slot for unmatched) and status code (+1 slot for others) */
static atomic_llong counts[MAX_ROUTES + 1][NCODES + 1];
/* microseconds spent answering, by route: which kinds of request a mixed load spends its time on */
static atomic_llong route_us[MAX_ROUTES + 1];
/* latency histogram upper bounds in microseconds */
static const int64_t bounds_us[] = {250,   500,    1000,   2500,   5000,    10000,  25000,
                                    50000, 100000, 250000, 500000, 1000000, 2500000};
#define NB ((int)(sizeof bounds_us / sizeof bounds_us[0]))
static atomic_llong hist[NB + 1];
static atomic_llong hist_sum_us, hist_count;
static atomic_int queue_depth, db_conns, in_progress;
static atomic_llong abandoned;

void metrics_observe(int route_idx, int status, int64_t micros) {
    int ri = route_idx >= 0 && route_idx < MAX_ROUTES ? route_idx : MAX_ROUTES;
    int ci = NCODES;
    for (int i = 0; i < NCODES; i++)
        if (codes[i] == status) ci = i;
    atomic_fetch_add_explicit(&counts[ri][ci], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&route_us[ri], micros, memory_order_relaxed);
    int b = 0;
    while (b < NB && micros > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&hist[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&hist_sum_us, micros, memory_order_relaxed);
    atomic_fetch_add_explicit(&hist_count, 1, memory_order_relaxed);
}

void metrics_set_gauges(int n) { atomic_store(&db_conns, n); }
void metrics_queue_depth_add(int delta) { atomic_fetch_add(&queue_depth, delta); }
void metrics_in_progress_add(int delta) { atomic_fetch_add(&in_progress, delta); }
void metrics_abandoned(void) { atomic_fetch_add(&abandoned, 1); }

/*
** GET /metrics                                         public
** 200 text/plain Prometheus exposition format
*/
static int metrics_get(Req *r, Err *e) {
    Buf b;
    buf_init(&b, r->a);
    int nr;
    const Route *rts = routes_all(&nr);
    buf_puts(&b, "# HELP salesloop_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE salesloop_http_requests_total counter\n");
    for (int ri = 0; ri <= MAX_ROUTES; ri++) {
        if (ri < MAX_ROUTES && ri >= nr) continue;
        for (int ci = 0; ci <= NCODES; ci++) {
            long long v = atomic_load_explicit(&counts[ri][ci], memory_order_relaxed);
            if (!v) continue;
            const char *route = ri < nr ? rts[ri].pattern : "unmatched";
            const char *method = ri < nr ? rts[ri].method : "";
            if (ci < NCODES)
                buf_printf(&b, "salesloop_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lld\n", method,
                           route, codes[ci], v);
            else
                buf_printf(&b, "salesloop_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %lld\n",
                           method, route, v);
        }
    }
    buf_puts(&b, "# HELP salesloop_http_request_seconds_total Time spent answering requests, by route.\n"
                 "# TYPE salesloop_http_request_seconds_total counter\n");
    for (int ri = 0; ri <= MAX_ROUTES; ri++) {
        if (ri < MAX_ROUTES && ri >= nr) continue;
        long long us = atomic_load_explicit(&route_us[ri], memory_order_relaxed);
        if (!us) continue;
        buf_printf(&b, "salesloop_http_request_seconds_total{method=\"%s\",route=\"%s\"} %lld.%06lld\n",
                   ri < nr ? rts[ri].method : "", ri < nr ? rts[ri].pattern : "unmatched", us / 1000000, us % 1000000);
    }
    buf_puts(&b, "# HELP salesloop_http_request_duration_seconds Request latency.\n"
                 "# TYPE salesloop_http_request_duration_seconds histogram\n");
    long long cum = 0;
    for (int i = 0; i <= NB; i++) {
        cum += atomic_load_explicit(&hist[i], memory_order_relaxed);
        if (i < NB)
            buf_printf(&b, "salesloop_http_request_duration_seconds_bucket{le=\"%lld.%06lld\"} %lld\n",
                       (long long)(bounds_us[i] / 1000000), (long long)(bounds_us[i] % 1000000), cum);
        else
            buf_printf(&b, "salesloop_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
    }
    long long sum = atomic_load(&hist_sum_us);
    buf_printf(&b, "salesloop_http_request_duration_seconds_sum %lld.%06lld\n", sum / 1000000, sum % 1000000);
    buf_printf(&b, "salesloop_http_request_duration_seconds_count %lld\n", (long long)atomic_load(&hist_count));
    buf_printf(&b, "# TYPE salesloop_db_connections gauge\nsalesloop_db_connections %d\n", atomic_load(&db_conns));
    buf_printf(&b, "# TYPE salesloop_worker_queue_depth gauge\nsalesloop_worker_queue_depth %d\n",
               atomic_load(&queue_depth));
    /* this request counts itself: 1 is an idle server (scripts/bench.sh waits for it between runs) */
    buf_printf(&b,
               "# HELP salesloop_http_requests_in_progress API requests received and not yet answered.\n"
               "# TYPE salesloop_http_requests_in_progress gauge\nsalesloop_http_requests_in_progress %d\n",
               atomic_load(&in_progress));
    buf_printf(&b,
               "# HELP salesloop_http_requests_abandoned_total Requests whose client left before a worker began them"
               " (not run).\n# TYPE salesloop_http_requests_abandoned_total counter\n"
               "salesloop_http_requests_abandoned_total %lld\n",
               (long long)atomic_load(&abandoned));
    int64_t sessions = 0;
    Stmt *st = db_prepare(r->db, "SELECT count(*) FROM sessions WHERE expires_at > ?1");
    if (st) {
        db_bind_int64(st, 1, r->now);
        if (db_step(st) == DB_ROW) sessions = db_col_int64(st, 0);
        db_done(st);
    }
    buf_printf(&b, "# TYPE salesloop_sessions_open gauge\nsalesloop_sessions_open %lld\n", (long long)sessions);
    return reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.n);
}

/*
** GET /healthz                                         public
** 200 {"status":"ok","db":"sqlite"|"postgres","schema":N} | 503 database unreachable
*/
static int healthz(Req *r, Err *e) {
    /* one statement both asks the database and reads the schema (a serving database has migrated:
       db_schema_version's look into the catalogue first was most of this request's time) */
    Stmt *st = db_prepare(r->db, "SELECT COALESCE(MAX(number), 0) FROM schema_migrations");
    int ok = st && db_step(st) == DB_ROW;
    int64_t schema = ok ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!ok) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:I}", "status", "ok", "db",
                                db_kind(r->db) == DB_PG ? "postgres" : "sqlite", "schema", (json_int_t)schema));
}

void ops_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/healthz", healthz, R_PUBLIC, 0, "Health check", "ops"},
        {"GET", "/metrics", metrics_get, R_PUBLIC | R_RAW, 0, "Prometheus metrics", "ops"},
    };
    routes_add(routes, 2);
}
