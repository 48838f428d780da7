/*
** pool.c — the public pool (公海, R-CUS-9) of customers and leads. A record
** with no follow-up within its protection period returns to the pool of its
** org unit (job "pool_return", hourly), with the reason and the previous
** owner recorded; reps claim from the pool within a daily cap; the previous
** owner cannot reclaim during a cool-down; managers assign pooled records.
**
** Which pool a user sees: the pools of their own unit, of every unit above it
** (a company-level pool is everyone's) and of every unit below it (a manager
** sees the pools of their teams). Sibling regions' pools are not shown.
** Pooled rows have no owner, so the normal lists show them only to managers
** over their unit (VIS_OWNER); the pool endpoints show them masked: name,
** region, industry, tier, reason and date — no phone, e-mail, address or amounts.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "customers.h"
#include "modules.h"

static const Setting pool_settings[] = {
    {"pool.protection_days", ST_INT, "30", 0, 3650, "线索保护期（天，0 = 不退回）", "線索保護期（天，0 = 不退回）",
     "Lead protection period (days, 0 = never returns)"},
    {"pool.protection_days.important", ST_INT, "30", 0, 3650, "重要客户保护期（天）", "重要客戶保護期（天）",
     "Protection period, important customers (days)"},
    {"pool.protection_days.key", ST_INT, "30", 0, 3650, "关键客户保护期（天）", "關鍵客戶保護期（天）",
     "Protection period, key customers (days)"},
    {"pool.protection_days.normal", ST_INT, "30", 0, 3650, "普通客户保护期（天）", "普通客戶保護期（天）",
     "Protection period, normal customers (days)"},
    {"pool.protection_days.by_product_line", ST_DAYS, "", 1, 3650,
     "按产品线的保护期（如 成套设备=60,变频器=45；优先于上面的天数）",
     "按產品線的保護期（如 成套設備=60,變頻器=45；優先於上面的天數）",
     "Protection period by product line (e.g. 成套设备=60,变频器=45; overrides the periods above)"},
    {"pool.daily_claim_cap", ST_INT, "20", 0, 10000, "每人每日公海领取上限", "每人每日公海領取上限",
     "Daily pool claims per person"},
    {"pool.cooldown_days", ST_INT, "7", 0, 365, "原负责人重新领取冷却期（天）", "原負責人重新領取冷卻期（天）",
     "Cool-down before the previous owner may reclaim (days)"},
};

/* Table, name column and label of a pool entity; NULL for anything else. */
static const char *pool_table(const char *entity) {
    if (!strcmp(entity, "customers")) return "customers";
    if (!strcmp(entity, "leads")) return "leads";
    return NULL;
}
static const char *pool_name_col(const char *entity) { return strcmp(entity, "leads") == 0 ? "company" : "name"; }

/* ---------------------------------------------------------------- returning */

void pool_owner_changing(Req *r, const Entity *en, json_t *old, json_t *vals) {
    json_object_set_new(vals, "owned_since", json_integer(r->now));
    if (json_is_integer(json_object_get(vals, "owner_id"))) {
        json_object_set_new(vals, "in_pool", json_false());
        json_object_set_new(vals, "pool_reason", json_null());
        json_object_set_new(vals, "pool_since", json_null());
    }
}

/* Is the row still owned by *(int64_t *)owner and out of the pool (the sweep selected it so)? */
static bool still_owned_by(json_t *row, void *owner) {
    return json_integer_value(json_object_get(row, "owner_id")) == *(int64_t *)owner &&
           !json_is_true(json_object_get(row, "in_pool"));
}

/* Return one owned row to the pool through the core (entity_set_owner_with: one audited update
   under the row's version, contacts and needs follow, the search index keeps its owner): owner
   cleared, reason, event, reminder for the owner who lost it. 1 returned, 0 it moved meanwhile,
   -1 error. */
static int pool_return_row(Req *r, const char *entity, int64_t id, int64_t owner, const char *name, const char *reason,
                           const char *action) {
    json_t *also = json_pack("{s:I, s:b, s:s, s:I}", "previous_owner_id", (json_int_t)owner, "in_pool", 1,
                             "pool_reason", reason, "pool_since", (json_int_t)r->now);
    Err e = {0};
    int rc = entity_set_owner_with(r, entity_find(entity), id, 0, 0, also, still_owned_by, &owner, action, &e);
    json_decref(also);
    if (rc < 0) return e.status == 404 || e.status == 409 ? 0 : -1; /* gone or changed since the sweep read it */
    if (rc == 0) return 0;
    Stmt *st = db_prepare(
        r->db,
        "INSERT INTO pool_events(entity, row_id, at, event, user_id, reason) VALUES (?1, ?2, ?3, 'returned', ?4, ?5)");
    if (!st) return -1;
    db_bind_text(st, 1, entity, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, r->now);
    db_bind_int64(st, 4, owner);
    db_bind_text(st, 5, reason, -1);
    rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    const char *title = msg_make(r->a, "pool.returned", "what",
                                 msg_make(r->a, strcmp(entity, "leads") ? "what.customer" : "what.lead", NULL), "name",
                                 name, "reason", reason, NULL);
    if (task_remind(r->db, owner, "pool_return", entity, id, title, 0,
                    arena_printf(r->a, "pool:%s:%lld:%lld", entity, (long long)id, (long long)r->now), r->now) < 0)
        return -1;
    return 1;
}

/* Product-line protection periods parsed from the setting "line=days, line=days". */
typedef struct LineDays {
    const char *line[32];
    int64_t days[32];
    int n;
} LineDays;

/* Parse "成套设备=60, 变频器=45" (also full-width ，＝); malformed entries are skipped with a warning. */
static void line_days_parse(Arena *a, const char *text, LineDays *ld) {
    ld->n = 0;
    char *copy = arena_strdup(a, text ? text : "");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",;\n", &save); tok && ld->n < 32; tok = strtok_r(NULL, ",;\n", &save)) {
        char *eq = strchr(tok, '=');
        char *fw = strstr(tok, "\xEF\xBC\x9D"); /* ＝ */
        size_t skip = 1;
        if (!eq || (fw && fw < eq)) eq = fw, skip = 3;
        if (!eq) continue;
        *eq = 0;
        char *name = tok, *num = eq + skip;
        while (*name == ' ')
            name++;
        for (char *e = name + strlen(name); e > name && e[-1] == ' '; e--)
            e[-1] = 0;
        while (*num == ' ')
            num++;
        for (char *e = num + strlen(num); e > num && e[-1] == ' '; e--)
            e[-1] = 0;
        int64_t d;
        if (!*name || str_to_int64(num, &d) != 0 || d < 1 || d > 3650) {
            log_warn("pool.protection_days.by_product_line: entry \"%s\" skipped (want line=days, 1..3650)", tok);
            continue;
        }
        ld->line[ld->n] = name;
        ld->days[ld->n++] = d;
    }
}

/*
** The protection period of one record from its product lines: the longest
** configured period among them (a long-cycle line protects longer), or 0 when
** none of its lines is configured. Customers: the lines of their opportunities
** that are not lost; leads: the configured lines named in product_interest.
*/
static int64_t line_protection(Req *r, const char *entity, int64_t id, const LineDays *ld) {
    if (ld->n == 0) return 0;
    int64_t best = 0;
    Stmt *st = db_prepare(
        r->db, strcmp(entity, "leads") == 0
                   ? "SELECT product_interest FROM leads WHERE id = ?1"
                   : "SELECT DISTINCT p.product_line FROM opportunities o JOIN products p ON p.id = o.product_id"
                     " WHERE o.customer_id = ?1 AND o.deleted_at IS NULL AND o.state <> 'lost'");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        for (int i = 0; v && i < ld->n; i++) {
            bool hit = strcmp(entity, "leads") == 0 ? strstr(v, ld->line[i]) != NULL : strcmp(v, ld->line[i]) == 0;
            if (hit && ld->days[i] > best) best = ld->days[i];
        }
    }
    db_done(st);
    return rc < 0 ? -1 : best; /* never "no protection" on an error */
}

/* Rows returned per transaction of the job. Each return goes through the core's owner change (a
   load, an audited update, the search index's keys, contacts, event, reminder): 4,042 rows in one
   transaction held SQLite's write lock past the 5 s busy timeout of every other writer (logins
   answered server.unavailable; bench/FINDINGS.md 28, 31). */
#define POOL_CHUNK 200

static int pool_chunk(void) { /* tests/api/pool P07 commits after every row */
    return (int)test_tunable("SALESLOOP_POOL_CHUNK", POOL_CHUNK);
}

/* Owned rows of entity (customers of one tier, or leads) without activity for their protection
   period: `days` for the class, or the period of their product lines when one is configured.
   0 done, 1 ended at a commit point because the server is stopping, -1 failed. */
static int pool_sweep(Req *r, const char *entity, const char *tier, int64_t days, const LineDays *ld, int *count,
                      int *pending) {
    /* candidates: idle for at least the shortest period that could apply */
    int64_t min_days = days;
    for (int i = 0; i < ld->n; i++)
        if (min_days <= 0 || ld->days[i] < min_days) min_days = ld->days[i];
    if (min_days <= 0) return 0; /* 0: this class never returns and no line applies */
    bool cust = !strcmp(entity, "customers");
    int64_t cutoff = r->now - min_days * 86400;
    const char *sql = arena_printf(
        r->a,
        "SELECT t.id, t.owner_id, t.%s, t.created_at, t.owned_since, t.last_followup_at FROM %s t"
        " WHERE t.deleted_at IS NULL AND t.in_pool = 0 AND t.owner_id IS NOT NULL"
        " AND %s"
        " AND t.created_at < ?1 AND (t.owned_since IS NULL OR t.owned_since < ?1)"
        " AND (t.last_followup_at IS NULL OR t.last_followup_at < ?1)"
        " AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.%s = t.id AND f.deleted_at IS NULL"
        " AND f.followed_at >= ?1)"
        " ORDER BY COALESCE(t.last_followup_at, t.owned_since, t.created_at), t.id LIMIT 2000",
        pool_name_col(entity), pool_table(entity),
        cust ? "t.tier = ?2" : "t.state NOT IN ('converted', 'disqualified')", cust ? "customer_id" : "lead_id");
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_int64(st, 1, cutoff);
    if (cust) db_bind_text(st, 2, tier, -1);
    typedef struct {
        int64_t id, owner, last;
        const char *name;
    } Row;
    Row *rows = arena_alloc(r->a, sizeof(Row) * 2000);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < 2000) {
        Row *x = &rows[n++];
        x->id = db_col_int64(st, 0);
        x->owner = db_col_int64(st, 1);
        x->name = arena_strdup(r->a, db_col_text(st, 2));
        x->last = db_col_int64(st, 3);
        for (int c = 4; c <= 5; c++)
            if (!db_col_null(st, c) && db_col_int64(st, c) > x->last) x->last = db_col_int64(st, c);
    }
    db_done(st);
    if (rc < 0) return -1;
    for (int i = 0; i < n; i++) {
        int64_t line = line_protection(r, entity, rows[i].id, ld);
        if (line < 0) return -1; /* an unread protection period returns nothing to the pool */
        int64_t eff = line ? line : days;
        if (eff <= 0 || rows[i].last >= r->now - eff * 86400) continue; /* still protected */
        char day[11];
        company_date(r, rows[i].last, day);
        const char *reason = msg_make(r->a, "pool.auto_return", "days", arena_printf(r->a, "%lld", (long long)eff),
                                      "by_line", line ? msg_make(r->a, "pool.by_line", NULL) : "", "date", day, NULL);
        int ok = pool_return_row(r, entity, rows[i].id, rows[i].owner, rows[i].name, reason, "pool_return");
        if (ok < 0) return -1;
        *count += ok;
        if (ok && ++*pending >= pool_chunk()) {
            if (scheduler_chunk_commit(r->db) < 0) return -1;
            *pending = 0;
            if (scheduler_stopping()) return 1; /* the rest is the next run's: a returned row is not selected again */
        }
    }
    return 0;
}

/* Job "pool_return" (hourly): customers by tier, then leads. Idempotent: a returned row is
   not owned any more and is not selected again. */
static int pool_job_return(Db *db, int64_t now) {
    Req r;
    job_req_init(&r, db, now);
    int count = 0, pending = 0, rc = 0;
    static const char *const tiers[] = {"important", "key", "normal"};
    LineDays ld;
    line_days_parse(r.a, setting_text(db, r.a, "pool.protection_days.by_product_line"), &ld);
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = pool_sweep(&r, "customers", tiers[i],
                        setting_int(db, arena_printf(r.a, "pool.protection_days.%s", tiers[i])), &ld, &count, &pending);
    if (rc == 0) rc = pool_sweep(&r, "leads", NULL, setting_int(db, "pool.protection_days"), &ld, &count, &pending);
    if (rc < 0)
        log_error("pool_return: %s", db_errmsg(db));
    else if (count)
        log_info("pool_return: %d records returned to the pool", count);
    job_req_done(&r);
    return rc < 0 ? rc : 0; /* 1: ended at a commit point because the server is stopping */
}

/* ---------------------------------------------------------------- scope */

/* Append the pool scope of the user on alias t (see the file comment); returns parameters used.
   Binds are done by pool_scope_bind with the same first parameter. */
static int pool_scope_sql(Req *r, Buf *sql, int p) {
    const User *u = r->user;
    if (u->roles & RB(ADMIN)) {
        buf_puts(sql, "1 = 1");
        return 0;
    }
    if (!u->org_path || u->org_unit_id <= 0) {
        buf_puts(sql, "t.org_unit_id IS NULL");
        return 0;
    }
    buf_printf(sql,
               "(t.org_unit_id IS NULL OR t.org_unit_id IN (SELECT o.id FROM org_units o"
               " WHERE ?%d LIKE (o.path || '%%') OR o.path LIKE ?%d))",
               p, p + 1);
    return 2;
}

static void pool_scope_bind(Req *r, Stmt *st, int p) {
    const User *u = r->user;
    if ((u->roles & RB(ADMIN)) || !u->org_path || u->org_unit_id <= 0) return;
    db_bind_text(st, p, u->org_path, -1);
    db_bind_text(st, p + 1, arena_printf(r->a, "%s%%", u->org_path), -1);
}

/* ---------------------------------------------------------------- handlers */

/* The pool's view of customers and leads through the list language (model/list.c): its scope
   replaces row visibility, and only unmasked fields may be searched, filtered and sorted. */
static int pool_view_scope(Req *r, Buf *sql, int p) {
    buf_puts(sql, "t.in_pool = 1 AND ");
    return pool_scope_sql(r, sql, p);
}
static const char *const pool_customer_fields[] = {"name",       "region",      "industry", "tier",
                                                   "pool_since", "org_unit_id", NULL};
static const char *const pool_lead_fields[] = {"company", "region", "industry", "pool_since", "org_unit_id", NULL};
static const ListView pool_views[2] = {
    {pool_customer_fields, pool_view_scope, pool_scope_bind,
     " LEFT JOIN org_units ou ON ou.id = t.org_unit_id LEFT JOIN users pu ON pu.id = t.previous_owner_id",
     "-pool_since"},
    {pool_lead_fields, pool_view_scope, pool_scope_bind,
     " LEFT JOIN org_units ou ON ou.id = t.org_unit_id LEFT JOIN users pu ON pu.id = t.previous_owner_id",
     "-pool_since"},
};

/* Claims the user made today (company-local day) into *used. 0, or -1 on a database error. */
static int pool_claims_today(Req *r, int64_t *used) {
    int64_t day_start, day_end;
    period_bounds("day", r->now, company_tz(r), &day_start, &day_end);
    Stmt *st =
        db_prepare(r->db, "SELECT count(*) FROM pool_events WHERE user_id = ?1 AND event = 'claimed' AND at >= ?2");
    if (!st) return -1;
    db_bind_int64(st, 1, r->user->id);
    db_bind_int64(st, 2, day_start);
    int rc = db_step(st);
    *used = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc == DB_ROW ? 0 : -1;
}

/* When the previous owner `prev` of a row pooled at `since` may claim it again, for the
   signed-in user: 0 when they may claim it now (another user, or the cool-down over). */
static int64_t pool_cooldown_until(Req *r, int64_t prev, int64_t since, int64_t cooldown_days) {
    int64_t until = since + cooldown_days * 86400;
    return prev == r->user->id && cooldown_days > 0 && until > r->now ? until : 0;
}

/*
** GET /api/v1/pool/:entity                                 signed in (the pools of the user's units)
** Query: the list language over the unmasked fields — q (name), filter[region|industry|tier|
** pool_since|org_unit_id], sort (name, region, industry, tier, pool_since; default -pool_since),
** page, per_page, count=capped|exact (as the entity lists: list_query_total)
** 200 {"items":[{"id","number","name","region","industry","tier"?,"pool_reason","pool_since",
**               "org_unit_id","org_unit_name","previous_owner_id","previous_owner_name",
**               "cooldown_until"}],"total","total_capped","page","per_page",
**      "limits":{"daily_cap","claimed_today","left_today","cooldown_days"}}
** cooldown_until: when the user (the row's previous owner) may claim it again, null when now.
** Masked: no phone, e-mail, address, tax id or amounts, and none of them may be filtered on.
** | 404 unknown entity | 400 request.bad_query (naming the parameter)
*/
static int pool_list(Req *r, Err *e) {
    const char *entity = r->params[0];
    const Entity *en = pool_table(entity) ? entity_find(entity) : NULL;
    if (!en) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    bool cust = !strcmp(entity, "customers");
    int64_t cd = setting_int(r->db, "pool.cooldown_days"), cap = setting_int(r->db, "pool.daily_claim_cap"), used;
    if (pool_claims_today(r, &used) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    ListQuery lq;
    if (list_query_parse_view(r, en, &pool_views[cust ? 0 : 1], &lq, e) < 0) return -1;
    int nfilter = lq.nbind;
    int pl = list_query_add_int(&lq, lq.per_page), po = list_query_add_int(&lq, (lq.page - 1) * lq.per_page);
    const char *cols = arena_printf(r->a,
                                    "t.id, t.number, t.%s, t.region, t.industry, %s, t.pool_reason, t.pool_since,"
                                    " t.org_unit_id, ou.name, t.previous_owner_id, pu.display_name",
                                    pool_name_col(entity), cust ? "t.tier" : "NULL");
    Stmt *st =
        db_prepare(r->db, list_query_sql(r, en, &lq, cols, arena_printf(r->a, "LIMIT ?%d OFFSET ?%d", pl, po), true));
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    list_query_bind(r, en, &lq, st);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_object();
        static const char *const names[] = {
            "id",          "number",     "name",        "region",        "industry",          "tier",
            "pool_reason", "pool_since", "org_unit_id", "org_unit_name", "previous_owner_id", "previous_owner_name"};
        for (int c = 0; c < 12; c++) {
            bool num = c == 0 || c == 7 || c == 8 || c == 10;
            if (c == 5 && !cust) continue;
            json_object_set_new(o, names[c],
                                db_col_null(st, c) ? json_null()
                                : num              ? json_integer(db_col_int64(st, c))
                                : c == 6           ? json_string(msg_render(r->a, r->locale, db_col_text(st, c)))
                                                   : json_string(db_col_text(st, c)));
        }
        int64_t until = pool_cooldown_until(r, json_integer_value(json_object_get(o, "previous_owner_id")),
                                            json_integer_value(json_object_get(o, "pool_since")), cd);
        json_object_set_new(o, "cooldown_until", until ? json_integer(until) : json_null());
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    ListTotal t;
    if (list_query_total(r, en, &lq, nfilter, json_array_size(items), &t, e) < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:b, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "items", items, "total",
                                (json_int_t)t.total, "total_capped", t.capped, "page", (json_int_t)lq.page, "per_page",
                                (json_int_t)lq.per_page, "limits", "daily_cap", (json_int_t)cap, "claimed_today",
                                (json_int_t)used, "left_today", (json_int_t)(used < cap ? cap - used : 0),
                                "cooldown_days", (json_int_t)cd));
}

/* A pooled row as the pool handlers need it. */
typedef struct PoolRow {
    int64_t id, owner, prev, since, unit;
    bool in_pool;
    bool in_scope; /* in the user's pool scope */
    const char *name;
} PoolRow;

/* Load row id of the entity with the user's pool scope: 0 ok, 1 missing, -1 error. */
static int pool_row(Req *r, const char *entity, int64_t id, PoolRow *x) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT t.owner_id, t.previous_owner_id, t.pool_since, t.org_unit_id, t.in_pool, t.%s, CASE WHEN ",
               pool_name_col(entity));
    int n = pool_scope_sql(r, &sql, 2);
    buf_printf(&sql, " THEN 1 ELSE 0 END FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL", pool_table(entity));
    (void)n;
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    pool_scope_bind(r, st, 2);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        x->id = id;
        x->owner = db_col_int64(st, 0);
        x->prev = db_col_int64(st, 1);
        x->since = db_col_int64(st, 2);
        x->unit = db_col_int64(st, 3);
        x->in_pool = db_col_int64(st, 4) != 0;
        x->name = arena_strdup(r->a, db_col_text(st, 5));
        x->in_scope = db_col_int64(st, 6) != 0;
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW ? 0 : 1;
}

/* The pooled row of the request (:entity, :id), or e: 404 unknown / outside the user's pool
   (or not visible), 409 pool.not_in_pool when the user sees it but it is owned. */
static int pool_target(Req *r, const char **entity, PoolRow *x, Err *e) {
    *entity = r->params[0];
    if (!pool_table(*entity)) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    int rc = pool_row(r, *entity, id, x);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc > 0) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (x->in_pool) return x->in_scope ? 0 : err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    const Entity *en = entity_find(*entity);
    int seen = en ? entity_ref_ok(r, *entity, id) : 0;
    if (seen < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (seen) return err_set(e, 409, EC_POOL_NOT_IN, NULL, NULL);
    return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
}

/* Take the row out of the pool atomically (two claims at once: one wins). 0 ok, -1 with e. */
static int pool_take(Req *r, const char *entity, int64_t id, Err *e) {
    Stmt *st = db_prepare(
        r->db, arena_printf(r->a, "UPDATE %s SET in_pool = 0 WHERE id = ?1 AND in_pool = 1 AND deleted_at IS NULL",
                            pool_table(entity)));
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 409, EC_POOL_NOT_IN, NULL, NULL);
    return 0;
}

/* Record a pool event. */
static int pool_event(Req *r, const char *entity, int64_t id, const char *event, int64_t user, const char *reason) {
    Stmt *st = db_prepare(
        r->db, "INSERT INTO pool_events(entity, row_id, at, event, user_id, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return -1;
    db_bind_text(st, 1, entity, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, r->now);
    db_bind_text(st, 4, event, -1);
    db_bind_int64(st, 5, user);
    if (reason)
        db_bind_text(st, 6, reason, -1);
    else
        db_bind_null(st, 6);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Answer with the row as its new owner sees it (the declared entity's row when registered). */
static int pool_reply_row(Req *r, const char *entity, int64_t id, Err *e) {
    const Entity *en = entity_find(entity);
    if (!en) return reply_json(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
    User *self = r->user, view = *self;
    view.roles |= RB(ADMIN); /* an assigning manager may not see a row given to another unit */
    r->user = &view;
    json_t *row = entity_load(r, en, id, e);
    r->user = self;
    if (!row) return -1;
    row_finish(r, en, row);
    return reply_json(r, 200, row);
}

/*
** POST /api/v1/pool/:entity/:id/claim                        roles: sales roles (rep … director)
** 200 row (now owned by the user, in the user's unit) | 404 not in the user's pool |
** 409 pool.not_in_pool | 409 pool.cooldown (previous owner within pool.cooldown_days) |
** 429 pool.daily_cap (pool.daily_claim_cap claims per company-local day, company.time_zone)
*/
static int pool_claim(Req *r, Err *e) {
    const char *entity;
    PoolRow x;
    if (pool_target(r, &entity, &x, e) < 0) return -1;
    int64_t me = r->user->id;
    int64_t until = pool_cooldown_until(r, x.prev, x.since, setting_int(r->db, "pool.cooldown_days"));
    if (until) {
        char day[11];
        company_date(r, until, day);
        return err_set(e, 409, EC_POOL_COOLDOWN, NULL, "%s", day);
    }
    /* serialise this user's claims (a row lock on PostgreSQL) so parallel claims cannot both
       pass the daily cap; SQLite has one writer anyway */
    Stmt *lk = db_prepare(r->db, "UPDATE users SET version = version WHERE id = ?1");
    if (!lk) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(lk, 1, me);
    int lrc = db_step(lk);
    db_done(lk);
    if (lrc < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    int64_t cap = setting_int(r->db, "pool.daily_claim_cap"), used;
    if (pool_claims_today(r, &used) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* the cap fails closed */
    if (used >= cap) return err_set(e, 429, EC_POOL_CAP, NULL, "%lld", (long long)cap);
    if (pool_take(r, entity, x.id, e) < 0) return -1;
    if (entity_set_owner(r, entity_find(entity), x.id, me, r->user->org_unit_id, "pool_claim", e) < 0) return -1;
    if (pool_event(r, entity, x.id, "claimed", me, NULL) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return pool_reply_row(r, entity, x.id, e);
}

/*
** POST /api/v1/pool/:entity/:id/assign                       roles: managers (supervisor … gm)
** Body: {"user_id": id} — a user in the manager's unit or below (admin: anyone active)
** 200 row | 400 field.reference user_id | 404 not in a pool the manager oversees | 409 pool.not_in_pool
*/
static int pool_assign(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *uid = json_object_get(body, "user_id");
    if (!json_is_integer(uid) || json_integer_value(uid) <= 0) return err_set(e, 400, EC_TYPE, "user_id", "id");
    const char *entity;
    PoolRow x;
    if (pool_target(r, &entity, &x, e) < 0) return -1;
    bool admin = (r->user->roles & RB(ADMIN)) != 0;
    const char *mine = r->user->org_path;
    /* the row's unit must be the manager's or below it (the pools above are not theirs to hand out) */
    if (!admin) {
        Stmt *st = db_prepare(r->db, "SELECT path FROM org_units WHERE id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, x.unit);
        const char *path = db_step(st) == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
        db_done(st);
        if (!mine || !path || strncmp(path, mine, strlen(mine)) != 0) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    }
    Stmt *st =
        db_prepare(r->db, "SELECT u.org_unit_id, o.path FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id"
                          " WHERE u.id = ?1 AND u.deleted_at IS NULL AND u.disabled = 0");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, json_integer_value(uid));
    int rc = db_step(st);
    int64_t unit = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    const char *upath = rc == DB_ROW && !db_col_null(st, 1) ? arena_strdup(r->a, db_col_text(st, 1)) : NULL;
    db_done(st);
    if (rc != DB_ROW || (!admin && (!upath || strncmp(upath, mine, strlen(mine)) != 0)))
        return err_set(e, 400, EC_REF, "user_id", NULL);
    if (pool_take(r, entity, x.id, e) < 0) return -1;
    if (entity_set_owner(r, entity_find(entity), x.id, json_integer_value(uid), unit, "pool_assign", e) < 0) return -1;
    if (pool_event(r, entity, x.id, "assigned", json_integer_value(uid), NULL) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    const char *title =
        msg_make(r->a, "pool.assigned", "by", r->user->display_name, "what",
                 msg_make(r->a, strcmp(entity, "leads") ? "what.customer" : "what.lead", NULL), "name", x.name, NULL);
    if (task_remind(r->db, json_integer_value(uid), "pool_assign", entity, x.id, title, 0,
                    arena_printf(r->a, "pool:assign:%s:%lld:%lld", entity, (long long)x.id, (long long)r->now),
                    r->now) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return pool_reply_row(r, entity, x.id, e);
}

/*
** POST /api/v1/pool/:entity/:id/release                      roles: the owner, or a manager who sees the row
** Body: {"reason": text, required} — give a record up to the pool of its unit (放弃)
** 200 {"id","in_pool":true} | 400 field.required reason | 404 not visible | 409 pool.in_pool (already there)
*/
static int pool_release(Req *r, Err *e) {
    const char *entity = r->params[0];
    if (!pool_table(entity)) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *reason = json_string_value(json_object_get(body, "reason"));
    const Entity *en = entity_find(entity);
    if (!en) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    json_t *row = entity_load(r, en, id, e);
    if (!row) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    PoolRow x;
    if (pool_row(r, entity, id, &x) != 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (x.in_pool || !x.owner) return err_set(e, 409, EC_POOL_IN, NULL, NULL);
    /* the owner or a manager over the row gives it up; one it is merely shared with does not */
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    if (!reason || !*reason) return err_set(e, 400, EC_REQUIRED, "reason", NULL);
    if (utf8_len(reason, strlen(reason)) > 500) return err_set(e, 400, EC_TOO_LONG, "reason", "500");
    const char *why = msg_make(r->a, "pool.released", "by", r->user->display_name, "reason", reason, NULL);
    int rc = pool_return_row(r, entity, id, x.owner, x.name, why, "pool_release");
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc == 0) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    return reply_json(r, 200,
                      json_pack("{s:I, s:b, s:s}", "id", (json_int_t)id, "in_pool", 1, "pool_reason",
                                msg_render(r->a, r->locale, why)));
}

void pool_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/pool/:entity", pool_list, 0, 0, "Public pool (masked): customers or leads", "customers"},
        {"POST", "/api/v1/pool/:entity/:id/claim", pool_claim, R_WRITE, RB(SALES_REP) | ROLES_MANAGING,
         "Claim a record from the public pool", "customers"},
        {"POST", "/api/v1/pool/:entity/:id/assign", pool_assign, R_WRITE, ROLES_MANAGING | RB(ADMIN),
         "Assign a pooled record to a user", "customers"},
        {"POST", "/api/v1/pool/:entity/:id/release", pool_release, R_WRITE, 0, "Give a record up to the public pool",
         "customers"},
    };
    static const Job job = {"pool_return", 3600, pool_job_return};
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(pool_settings, (int)(sizeof pool_settings / sizeof pool_settings[0]));
    scheduler_add(&job);
}
