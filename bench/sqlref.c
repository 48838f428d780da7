/*
** sqlref.c — the database ceiling: the SQL the server runs for a benchmark
** scenario, built by the server's own code (list_query_parse/_sql,
** entity_visibility_sql) and run straight through the same db layer
** (prepared-statement cache, SQLite pragmas) with no HTTP, no JSON and no
** session lookup. Linked with build/rel/libsalesloop.a.
**
**   bench/sqlref --db FILE --user NAME (--paths FILE | --mode create)
**                [--seconds S] [--threads N] [--batch N] [--explain]
**
** --paths  the request paths wrk sends (one a line, used in turn):
**          /api/v1/E/ID  the SELECT of one row by id with the visibility check
**          /api/v1/E?QS  the list page query + the capped count query
** --mode create  products: the duplicate check, the INSERT, the audit INSERT
**          and the read-back; --batch creates per durable commit
**          (synchronous=FULL), as the server's group commit does at best
** Prints one line: "ops/s p50_us p99_us".
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"
#include "model/model.h"
#include "modules/modules.h"

static const char *db_path, *username = "admin", *mode = "paths";
static const char *paths_path;
static double seconds = 3;
static int nthreads = 2, batch = 1, explain;
typedef struct Path {
    const Entity *en;
    int64_t id;        /* > 0: get one row */
    const char *query; /* list query string */
} Path;
static Path *paths;
static int npaths;

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The signed-in user as auth.c loads it. */
static User *load_user(Db *db, Arena *a) {
    User *u = arena_alloc(a, sizeof *u);
    memset(u, 0, sizeof *u);
    Stmt *st = db_prepare(db, "SELECT u.id, u.org_unit_id, o.path FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id"
                              " WHERE u.username = ?1");
    db_bind_text(st, 1, username, -1);
    if (db_step(st) != DB_ROW) {
        fprintf(stderr, "sqlref: no user %s\n", username);
        exit(1);
    }
    u->id = db_col_int64(st, 0);
    u->org_unit_id = db_col_int64(st, 1);
    u->org_path = arena_strdup(a, db_col_text(st, 2));
    u->username = username;
    u->locale = "zh-CN";
    db_done(st);
    st = db_prepare(db, "SELECT role FROM user_roles WHERE user_id = ?1");
    db_bind_int64(st, 1, u->id);
    while (db_step(st) == DB_ROW) {
        int role = role_by_name(db_col_text(st, 0));
        if (role >= 0) u->roles |= 1u << role;
    }
    db_done(st);
    return u;
}

static void plan(Db *db, const char *sql) {
    printf("SQL: %s\n", sql);
    Stmt *st = db_prepare(db, arena_printf(arena_new(), "EXPLAIN QUERY PLAN %s", sql));
    if (!st) return;
    while (db_step(st) == DB_ROW) printf("  plan: %s\n", db_col_text(st, 3));
    db_done(st);
}

/* Step every row, touching every column (what building the JSON reads). */
static int drain(Stmt *st) {
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        for (int c = 0, nc = db_col_count(st); c < nc; c++) (void)db_col_text(st, c);
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : n;
}

typedef struct Thr {
    pthread_t tid;
    int no;
    int64_t *lat; /* microseconds per op */
    int nlat, cap;
    int64_t ops;
} Thr;

static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER; /* one writer, as in the server */
static int64_t create_seq;

static void one_op(Db *db, Req *r, int64_t k) {
    Err e = {0};
    const Path *pp = npaths ? &paths[k % npaths] : NULL;
    const Entity *en = pp ? pp->en : entity_find("products");
    r->query = pp ? pp->query : "";
    if (pp && pp->id > 0) {
        const EntityInfo *ei = entity_info(en);
        Buf sql;
        buf_init(&sql, r->a);
        buf_printf(&sql, "SELECT %s FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL AND ", ei->select_cols, en->table);
        entity_visibility_sql(en, r->user, &sql, 2);
        Stmt *st = db_prepare(db, sql.p);
        db_bind_int64(st, 1, pp->id);
        entity_visibility_bind(en, r->user, st, 2);
        if (drain(st) != 1) {
            fprintf(stderr, "sqlref: row %lld not visible\n", (long long)pp->id);
            exit(1);
        }
        if (explain && k == 0) plan(db, sql.p);
    } else if (pp) {
        ListQuery lq;
        if (req_parse_query(r) < 0 || list_query_parse(r, en, &lq, &e) < 0) {
            fprintf(stderr, "sqlref: bad query %s\n", r->query);
            exit(1);
        }
        const EntityInfo *ei = entity_info(en);
        int nfilter = lq.nbind;
        int pl = list_query_add_int(&lq, lq.per_page);
        int po = list_query_add_int(&lq, (lq.page - 1) * lq.per_page);
        char *sql = list_query_sql(r, en, &lq, ei->select_cols, arena_printf(r->a, "LIMIT ?%d OFFSET ?%d", pl, po), true);
        Stmt *st = db_prepare(db, sql);
        list_query_bind(r, en, &lq, st);
        int n = drain(st);
        if (explain && k == 0) plan(db, sql);
        if (n == lq.per_page || lq.page > 1) { /* the capped count, as entity_list runs it */
            lq.nbind = nfilter;
            int pc = list_query_add_int(&lq, 10001);
            char *inner = list_query_sql(r, en, &lq, "1", arena_printf(r->a, "LIMIT ?%d", pc), false);
            char *csql = arena_printf(r->a, "SELECT count(*) FROM (%s) x", inner);
            st = db_prepare(db, csql);
            list_query_bind(r, en, &lq, st);
            drain(st);
            if (explain && k == 0) plan(db, csql);
        }
    } else { /* create: products, as entity_create runs it */
        pthread_mutex_lock(&create_mu);
        int64_t seq = ++create_seq;
        if (seq % batch == 1 || batch == 1) db_begin(db);
        char code[40];
        snprintf(code, sizeof code, "REF-%d-%lld", (int)getpid(), (long long)seq);
        Stmt *st = db_prepare(db, "SELECT 1 FROM products WHERE code = ?1 AND id <> ?2 AND deleted_at IS NULL");
        db_bind_text(st, 1, code, -1);
        db_bind_int64(st, 2, 0);
        if (drain(st) != 0) exit(1);
        st = db_prepare(db, "INSERT INTO products (version, owner_id, org_unit_id, created_at, updated_at, created_by, updated_by,"
                            " code, name, model, spec, unit, list_price, standard_cost, product_line, active, description)"
                            " VALUES (1, ?1, ?2, ?3, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id");
        db_bind_int64(st, 1, r->user->id);
        db_bind_int64(st, 2, r->user->org_unit_id);
        db_bind_int64(st, 3, r->now);
        db_bind_int64(st, 4, r->user->id);
        db_bind_text(st, 5, code, -1);
        db_bind_text(st, 6, "基准测试产品", -1);
        db_bind_null(st, 7);
        db_bind_null(st, 8);
        db_bind_text(st, 9, "台", -1);
        db_bind_int64(st, 10, 1234500);
        db_bind_int64(st, 11, 0);
        db_bind_text(st, 12, "工业泵", -1);
        db_bind_int64(st, 13, 1);
        db_bind_null(st, 14);
        int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_done(st);
        st = db_prepare(db, "INSERT INTO audit(at, user_id, entity, row_id, action, changes, client_addr, request_id)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        db_bind_int64(st, 1, r->now);
        db_bind_int64(st, 2, r->user->id);
        db_bind_text(st, 3, "products", -1);
        db_bind_int64(st, 4, id);
        db_bind_text(st, 5, "create", -1);
        db_bind_text(st, 6, arena_printf(r->a, "{\"code\":[null,\"%s\"],\"name\":[null,\"基准测试产品\"],\"unit\":[null,\"台\"]}", code), -1);
        db_bind_text(st, 7, "127.0.0.1", -1);
        db_bind_text(st, 8, "0123456789abcdef", -1);
        db_step(st);
        db_done(st);
        const EntityInfo *ei = entity_info(en);
        st = db_prepare(db, arena_printf(r->a, "SELECT %s FROM products t WHERE t.id = ?1 AND t.deleted_at IS NULL", ei->select_cols));
        db_bind_int64(st, 1, id);
        drain(st);
        if (seq % batch == 0 || batch == 1) db_commit(db);
        pthread_mutex_unlock(&create_mu);
    }
}

static void *thr_main(void *arg) {
    Thr *t = arg;
    char err[256];
    Db *db = db_open(db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "sqlref: %s\n", err);
        exit(1);
    }
    if (getenv("SQLREF_PRAGMA")) db_exec(db, getenv("SQLREF_PRAGMA")); /* experiments: cache_size, mmap_size */
    Arena *ua = arena_new();
    User *u = load_user(db, ua);
    int64_t end = mono_us() + (int64_t)(seconds * 1e6);
    for (int64_t k = t->no; mono_us() < end; k += nthreads) {
        Req r = {0};
        r.a = arena_new();
        r.db = db;
        r.user = u;
        r.now = now_epoch();
        r.locale = "zh-CN";
        int64_t t0 = mono_us();
        one_op(db, &r, k);
        int64_t dt = mono_us() - t0;
        arena_free(r.a);
        if (t->nlat == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 4096;
            t->lat = realloc(t->lat, sizeof(int64_t) * (size_t)t->cap);
        }
        t->lat[t->nlat++] = dt;
        t->ops++;
        if (explain) break;
    }
    if (!strcmp(mode, "create") && db_tx_depth(db) > 0) db_commit(db);
    db_close(db);
    return NULL;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--explain")) { explain = 1; continue; }
        if (!v) goto usage;
        if (!strcmp(a, "--db")) db_path = v;
        else if (!strcmp(a, "--user")) username = v;
        else if (!strcmp(a, "--mode")) mode = v;
        else if (!strcmp(a, "--paths")) paths_path = v;
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--threads")) nthreads = atoi(v);
        else if (!strcmp(a, "--batch")) batch = atoi(v);
        else goto usage;
        i++;
    }
    if (!db_path) goto usage;
    modules_register();
    if (paths_path) {
        FILE *f = fopen(paths_path, "r");
        char line[4096];
        int cap = 0;
        while (f && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (strncmp(line, "/api/v1/", 8) != 0) continue;
            char *name = line + 8, *q = strchr(name, '?'), *slash = strchr(name, '/');
            Path p = {0};
            if (q) *q++ = 0;
            if (slash && (!q || slash < q)) {
                *slash = 0;
                p.id = atoll(slash + 1);
            }
            p.en = entity_find(name);
            p.query = xstrdup(q ? q : "");
            if (!p.en) {
                fprintf(stderr, "sqlref: no entity %s\n", name);
                return 1;
            }
            if (npaths == cap) paths = realloc(paths, sizeof(Path) * (size_t)(cap = cap ? cap * 2 : 256));
            paths[npaths++] = p;
        }
        if (f) fclose(f);
        if (!npaths) goto usage;
    } else if (strcmp(mode, "create") != 0) goto usage;
    if (explain) nthreads = 1;
    Thr *t = calloc((size_t)nthreads, sizeof *t);
    int64_t t0 = mono_us();
    for (int i = 0; i < nthreads; i++) {
        t[i].no = i;
        pthread_create(&t[i].tid, NULL, thr_main, &t[i]);
    }
    int64_t ops = 0, nlat = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(t[i].tid, NULL);
        ops += t[i].ops;
        nlat += t[i].nlat;
    }
    double el = (double)(mono_us() - t0) / 1e6;
    int64_t *all = malloc(sizeof(int64_t) * (size_t)(nlat ? nlat : 1)), k = 0;
    for (int i = 0; i < nthreads; i++)
        for (int j = 0; j < t[i].nlat; j++) all[k++] = t[i].lat[j];
    qsort(all, (size_t)nlat, sizeof *all, cmp64);
    if (!explain)
        printf("%.0f %lld %lld\n", (double)ops / el, (long long)(nlat ? all[nlat / 2] : 0),
               (long long)(nlat ? all[nlat * 99 / 100] : 0));
    return 0;
usage:
    fprintf(stderr, "usage: sqlref --db FILE --user NAME (--paths FILE | --mode create)"
                    " [--seconds S] [--threads N] [--batch N] [--explain]\n");
    return 2;
}
