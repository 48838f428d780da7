/*
** sqlref.c — the database ceiling: the SQL the server runs for a benchmark
** scenario, built by the server's own code (list_query_parse/_sql,
** entity_visibility_sql) and run straight through the same db layer
** (prepared-statement cache, SQLite pragmas) with no HTTP, no JSON and no
** session lookup. Linked with build/rel/libsalesloop.a.
**
**   bench/sqlref --db FILE --user NAME (--paths FILE | --mode create)
**                [--seconds S] [--threads N] [--batch N] [--explain] [--single-page]
**
** --paths  the request paths wrk sends (one a line, used in turn):
**          /api/v1/E/ID  the SELECT of one row by id with the visibility check
**          /api/v1/E?QS  the list page query + the capped count query
** --mode create  a customer made by the server's own entity_create_row with the body of
**          bench.lua's create_customer (validation, document number, the duplicate check,
**          INSERT with its sort key, search index, audit, match keys) in a savepoint, and read
**          back (entity_load); --batch creates per durable commit (synchronous=FULL), as the
**          server's group commit does at best
** --mode keys  checks bench/gen's match_keys against the server's normalisers
** --mode aging  the receivables aging report's aggregate (receivables_aging_query)
** --single-page  a list page as one condition (list_query_sql), not split for a user who sees by
**          owner (list_query_page_sql): the SQL before bench/FINDINGS.md 30, to compare
** --mode quote  a quotation of 10 catalogue lines for one of the user's customers, made by the
**          server's own entity_create_row (validation, catalogue costs, computes, the quote's
**          hook, number, 11 INSERTs, audit) in a savepoint and read back (entity_load); --batch per commit
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
#include "model/refdata.h"
#include "modules/collision.h"
#include "modules/customers.h"
#include "modules/modules.h"

static const char *db_path, *username = "admin", *mode = "paths";
static const char *paths_path;
static double seconds = 3;
static int nthreads = 2, batch = 1, explain, single_page;
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

/* --mode quote: the user's customers and ten catalogue products with their list prices */
static int64_t quote_customers[1000], quote_products[10][2];
static int nquote_customers, nquote_products;

static void quote_data(Db *db, int64_t user) {
    Stmt *st = db_prepare(db, "SELECT id FROM customers WHERE owner_id = ?1 AND deleted_at IS NULL ORDER BY id LIMIT 1000");
    db_bind_int64(st, 1, user);
    while (db_step(st) == DB_ROW) quote_customers[nquote_customers++] = db_col_int64(st, 0);
    db_done(st);
    st = db_prepare(db, "SELECT id, list_price FROM products WHERE deleted_at IS NULL ORDER BY id LIMIT 10");
    while (db_step(st) == DB_ROW) {
        quote_products[nquote_products][0] = db_col_int64(st, 0);
        quote_products[nquote_products++][1] = db_col_int64(st, 1);
    }
    db_done(st);
    if (!nquote_customers || !nquote_products) {
        fprintf(stderr, "sqlref: quote: no customers of the user or no products\n");
        exit(1);
    }
}

/* Make one row of the entity from body as its POST does — entity_create_row in a savepoint of the
   batch's transaction, as the server's writer runs each request — and read it back as the answer
   is (entity_load). Takes body; exits on any failure. */
static void create_and_read(Db *db, Req *r, const char *entity, json_t *body) {
    Err e = {0};
    const Entity *en = entity_find(entity);
    int64_t id = 0;
    db_begin(db);
    if (entity_create_row(r, en, body, &id, &e) < 0 || db_commit(db) != DB_OK) {
        fprintf(stderr, "sqlref: %s: %d %s %s\n", entity, e.status, e.code ? e.code : "", e.field ? e.field : "");
        exit(1);
    }
    json_decref(body);
    json_t *row = entity_load(r, en, id, &e);
    if (!row) {
        fprintf(stderr, "sqlref: %s read-back\n", entity);
        exit(1);
    }
    json_decref(row);
}

/* One quotation as POST /api/v1/quotes makes it (bench.lua create_quote sends the same body). */
static void quote_op(Db *db, Req *r, int64_t seq) {
    json_t *lines = json_array();
    for (int i = 1; i <= 10; i++) {
        int64_t *p = quote_products[(seq + i) % nquote_products];
        json_array_append_new(lines, json_pack("{s:I, s:I, s:I, s:I}", "product_id", (json_int_t)p[0], "quantity",
                                               (json_int_t)(1000 * (1 + (seq + i) % 20)), "unit_price", (json_int_t)p[1],
                                               "discount_bp", (json_int_t)((i % 4) * 100)));
    }
    json_t *body = json_pack("{s:I, s:s, s:o}", "customer_id", (json_int_t)quote_customers[(seq * 11) % nquote_customers],
                             "delivery_term", "合同签订后30天内交货", "lines", lines);
    create_and_read(db, r, "quotes", body);
}

/* One customer as POST /api/v1/customers makes it, with the body bench.lua create_customer sends
   (fresh name, phone and e-mail: the collision check finds nothing), in a savepoint of the batch's
   transaction as the server's writer runs each request; read back as the answer is. */
static void customer_op(Db *db, Req *r, int64_t seq) {
    static const char *const regions[] = {"上海", "江苏", "浙江", "北京", "广东"}, *const codes[] = {"31", "32", "33", "11", "44"};
    /* this process's own values: runs on kept data (BENCH_DATA) must not meet an earlier run's rows */
    static long long tag;
    if (!tag) tag = (long long)(time(NULL) % 100000) * 100 + getpid() % 100;
    int k = (int)(seq % 5);
    char name[128], phone[48], email[64], address[96];
    snprintf(name, sizeof name, "%s基准参考%07lld%08lld机械有限公司", regions[k], tag, (long long)seq);
    snprintf(phone, sizeof phone, "0755-%08lld-%07lld", (long long)(seq % 100000000), tag);
    snprintf(email, sizeof email, "ref%lld.%lld@bench.cn", tag, (long long)seq);
    snprintf(address, sizeof address, "%s工业大道%lld号", regions[k], (long long)(seq % 999));
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "phone", phone, "email", email,
                             "region", codes[k], "industry", "C", "source", "online", "address", address);
    create_and_read(db, r, "customers", body);
}

static void one_op(Db *db, Req *r, int64_t k) {
    Err e = {0};
    if (!strcmp(mode, "quote")) {
        pthread_mutex_lock(&create_mu);
        int64_t seq = ++create_seq;
        if (seq % batch == 1 || batch == 1) db_begin(db);
        quote_op(db, r, seq);
        if (seq % batch == 0 || batch == 1) db_commit(db);
        pthread_mutex_unlock(&create_mu);
        return;
    }
    if (!strcmp(mode, "aging")) {
        char today[11];
        Stmt *st = receivables_aging_query(r, today);
        if (!st || drain(st) < 0) {
            fprintf(stderr, "sqlref: aging: %s\n", db_errmsg(db));
            exit(1);
        }
        return;
    }
    const Path *pp = npaths ? &paths[k % npaths] : NULL;
    const Entity *en = pp ? pp->en : entity_find("customers");
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
        char *sql = single_page /* the page as one condition (before bench/FINDINGS.md 30) */
                        ? list_query_sql(r, en, &lq, ei->select_cols,
                                         arena_printf(r->a, "LIMIT ?%d OFFSET ?%d", pl, po), true)
                        : list_query_page_sql(r, en, &lq, ei->select_cols, pl, po);
        Stmt *st = sql ? db_prepare(db, sql) : NULL;
        if (!st) {
            fprintf(stderr, "sqlref: the page failed: %s\n", db_errmsg(db));
            exit(1);
        }
        list_query_bind(r, en, &lq, st);
        int n = drain(st);
        if (explain && k == 0) plan(db, sql);
        if (explain && k == 0) /* the page's parameters after the visibility's (which plan() shows bound as NULL) */
            for (int i = 0; i < lq.nbind; i++)
                fprintf(stderr, "  bind ?%d = %s\n", i + 1,
                        lq.binds[i].kind ? lq.binds[i].s : arena_printf(r->a, "%lld", (long long)lq.binds[i].i));
        ListTotal t; /* the count, as entity_list runs it (list_query_total) */
        if (list_query_total(r, en, &lq, nfilter, (size_t)n, &t, &e) < 0) {
            fprintf(stderr, "sqlref: the count failed\n");
            exit(1);
        }
        if (explain && k == 0 && t.sql) plan(db, t.sql); /* the count's plan, its LIMIT the reach it counted to */
    } else { /* create: a customer through the server's own entity_create_row, as POST /api/v1/customers */
        pthread_mutex_lock(&create_mu);
        int64_t seq = ++create_seq;
        if (seq % batch == 1 || batch == 1) db_begin(db);
        customer_op(db, r, seq);
        if (seq % batch == 0 || batch == 1) db_commit(db);
        pthread_mutex_unlock(&create_mu);
    }
}

/* --mode keys: the match keys bench/gen wrote, against the server's own normalisers
   (collision.c) applied to the same rows: a sample of customers (with their contacts)
   and of open leads. Exits 1 on the first difference. */
static int check_keys(Db *db) {
    Arena *a = arena_new();
    int rows = 0, keys = 0;
    for (int ent = 0; ent < 2; ent++) {
        const char *sql = ent == 0 ? "SELECT id, name, tax_id, phone, NULL, email FROM customers WHERE id % 50 = 7"
                                   : "SELECT id, company, tax_id, phone, NULL, email FROM leads WHERE id % 100 = 7"
                                     " AND state <> 'converted'";
        const char *entity = ent == 0 ? "customers" : "leads";
        Stmt *st = db_prepare(db, sql);
        if (!st) return 1;
        typedef struct { int64_t id; char *v[5]; } Row;
        Row *rs = NULL;
        int n = 0, cap = 0;
        while (db_step(st) == DB_ROW) {
            if (n == cap) rs = realloc(rs, sizeof(Row) * (size_t)(cap = cap ? cap * 2 : 1024));
            rs[n].id = db_col_int64(st, 0);
            for (int c = 0; c < 5; c++) rs[n].v[c] = db_col_null(st, c + 1) ? NULL : arena_strdup(a, db_col_text(st, c + 1));
            n++;
        }
        db_done(st);
        for (int i = 0; i < n; i++) {
            const char *want[64][2];
            int nw = 0;
#define ADD(k, v)                                                                                  \
    do {                                                                                           \
        const char *v_ = (v);                                                                      \
        bool dup_ = false;                                                                         \
        for (int j_ = 0; v_ && j_ < nw; j_++) dup_ |= !strcmp(want[j_][0], k) && !strcmp(want[j_][1], v_); \
        if (v_ && !dup_ && nw < 64) want[nw][0] = k, want[nw++][1] = v_;                           \
    } while (0)
            ADD("name", norm_company(a, rs[i].v[0]));
            ADD("tax_id", norm_tax_id(a, rs[i].v[1]));
            ADD("phone", norm_phone(a, rs[i].v[2]));
            ADD("email", norm_email(a, rs[i].v[4]));
            if (ent == 0) {
                st = db_prepare(db, "SELECT phone, mobile, email FROM contacts WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY id LIMIT 40");
                db_bind_int64(st, 1, rs[i].id);
                while (db_step(st) == DB_ROW) {
                    for (int c = 0; c < 2; c++)
                        if (!db_col_null(st, c)) ADD("phone", norm_phone(a, db_col_text(st, c)));
                    if (!db_col_null(st, 2)) ADD("email", norm_email(a, db_col_text(st, 2)));
                }
                db_done(st);
            }
#undef ADD
            int have = 0;
            st = db_prepare(db, "SELECT kind, value FROM match_keys WHERE entity = ?1 AND row_id = ?2");
            db_bind_text(st, 1, entity, -1);
            db_bind_int64(st, 2, rs[i].id);
            while (db_step(st) == DB_ROW) {
                bool found = false;
                for (int j = 0; j < nw; j++) found |= !strcmp(want[j][0], db_col_text(st, 0)) && !strcmp(want[j][1], db_col_text(st, 1));
                if (!found) {
                    fprintf(stderr, "sqlref: %s %lld has key %s=%s that the server would not store\n", entity,
                            (long long)rs[i].id, db_col_text(st, 0), db_col_text(st, 1));
                    return 1;
                }
                have++;
            }
            db_done(st);
            if (have != nw) {
                fprintf(stderr, "sqlref: %s %lld has %d keys, the server would store %d (name key %s)\n", entity,
                        (long long)rs[i].id, have, nw, nw ? want[0][1] : "-");
                return 1;
            }
            rows++, keys += nw;
        }
        free(rs);
    }
    printf("keys ok: %d rows, %d keys as the server normalises them\n", rows, keys);
    arena_free(a);
    return 0;
}

static void *thr_main(void *arg) {
    Thr *t = arg;
    char err[256];
    Db *db = db_open(db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "sqlref: %s\n", err);
        exit(1);
    }
    db_cache_large(db, DB_CACHE_READER_KIB); /* as the server's loops read */
    if (getenv("SQLREF_PRAGMA")) db_exec(db, getenv("SQLREF_PRAGMA")); /* experiments: cache_size, mmap_size */
    Arena *ua = arena_new();
    User *u = load_user(db, ua);
    int64_t end = mono_us() + (int64_t)(seconds * 1e6);
    /* every thread goes through all the paths in turn, as each of wrk's connections does: with thread i
       taking paths i, i + nthreads, … a slow path held one thread while the other ran the fast ones, and
       the rate counted the fast paths many times over (4 lists on 2 threads: 180/s against the server's
       11/s, bench/FINDINGS.md 48) */
    for (int64_t k = t->no; mono_us() < end; k++) {
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
    if ((!strcmp(mode, "create") || !strcmp(mode, "quote")) && db_tx_depth(db) > 0) db_commit(db);
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
        if (!strcmp(a, "--single-page")) { single_page = 1; continue; }
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
    { /* the reference lists of FT_CODE filters (region, industry codes), as the server loads them */
        char err[256];
        Db *db = db_open(db_path, err, sizeof err);
        if (!db || refdata_load(db) < 0) {
            fprintf(stderr, "sqlref: reference lists: %s\n", db ? db_errmsg(db) : err);
            return 1;
        }
        db_close(db);
    }
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
    } else if (!strcmp(mode, "keys")) {
        char err[256];
        Db *db = db_open(db_path, err, sizeof err);
        if (!db) {
            fprintf(stderr, "sqlref: %s\n", err);
            return 1;
        }
        int rc = check_keys(db);
        db_close(db);
        return rc;
    } else if (!strcmp(mode, "quote")) {
        char err[256];
        Db *db = db_open(db_path, err, sizeof err);
        Arena *a = arena_new();
        if (!db) {
            fprintf(stderr, "sqlref: %s\n", err);
            return 1;
        }
        quote_data(db, load_user(db, a)->id);
        db_close(db);
    } else if (strcmp(mode, "create") != 0 && strcmp(mode, "aging") != 0) goto usage;
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
    fprintf(stderr, "usage: sqlref --db FILE --user NAME (--paths FILE | --mode create | --mode keys | --mode aging | --mode quote)"
                    " [--seconds S] [--threads N] [--batch N] [--explain]\n");
    return 2;
}
