/*
** tiering.c — customer tiering (客户分级, R-CUS-6): important / key / normal
** from the trailing-12-month purchases, their count and the potential value,
** with thresholds as settings. Recomputed nightly (job "tier_recompute") and
** on demand; a manual override (with a reason) is kept by the recompute until
** it is cleared. Every tier change writes tier_history and the audit trail;
** the visit frequency follows the tier unless it was set by hand.
**
** Purchases: until orders exist (issue: sales-in module), a purchase is a won
** opportunity (state 'won') closed (closed_at, else updated_at) within the last
** 365 days; purchase_12m is the sum of their amounts, orders_12m their count.
**
** Rules, in order (first match wins; thresholds are settings):
**   important  purchase_12m >= tier.important.amount (¥1,000,000), or among the
**              first floor(N × tier.important.top_percent / 100) customers by
**              purchase_12m, N = customers with any purchase (ties included);
**              with fewer than 10 buyers the percentage names nobody
**   key        purchase_12m >= tier.key.amount (¥200,000), or orders_12m >=
**              tier.key.orders (6), or potential_value >= tier.key.potential
**              when that setting is > 0 (default 0: potential value not used)
**   normal     everything else
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "customers.h"
#include "modules.h"

static const Setting tier_settings[] = {
    {"tier.important.amount", ST_MONEY, "100000000", 0, 100000000000000, "重要客户：近12个月采购额下限（元）",
     "重要客戶：近12個月採購額下限（元）", "Important: 12-month purchases at least (yuan)"},
    {"tier.important.top_percent", ST_INT, "10", 0, 100, "重要客户：采购额排名前百分比", "重要客戶：採購額排名前百分比",
     "Important: top percent by purchases"},
    {"tier.key.amount", ST_MONEY, "20000000", 0, 100000000000000, "关键客户：近12个月采购额下限（元）",
     "關鍵客戶：近12個月採購額下限（元）", "Key: 12-month purchases at least (yuan)"},
    {"tier.key.orders", ST_INT, "6", 0, 100000, "关键客户：近12个月采购次数下限", "關鍵客戶：近12個月採購次數下限",
     "Key: 12-month orders at least"},
    {"tier.key.potential", ST_MONEY, "0", 0, 100000000000000, "关键客户：潜在价值下限（元，0 = 不使用）",
     "關鍵客戶：潛在價值下限（元，0 = 不使用）", "Key: potential value at least (yuan, 0 = unused)"},
};

/* One customer as the recompute sees it. */
typedef struct TierRow {
    int64_t id, version, potential;
    int64_t old_amount, old_orders; /* stored purchase_12m / orders_12m */
    int64_t amount, orders;         /* computed now */
    bool manual;
    const char *tier, *visit, *name;
} TierRow;

/* Thresholds read once per recompute. */
typedef struct Thresholds {
    int64_t imp_amount, key_amount, key_orders, key_potential;
    int64_t cutoff; /* top-percent cutoff amount (INT64_MAX when nobody) */
} Thresholds;

/* Descending order of amounts. */
static int cmp_desc(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The tier of a row and why (arena text). */
static const char *tier_of(Req *r, const Thresholds *t, const TierRow *x, const char **reason) {
    const char *amt = arena_printf(r->a, "¥%s", money_format(r->a, x->amount));
#define YUAN(v) arena_printf(r->a, "¥%s", money_format(r->a, (v)))
#define NUM(v) arena_printf(r->a, "%lld", (long long)(v))
    if (t->imp_amount > 0 && x->amount >= t->imp_amount) {
        *reason = msg_make(r->a, "tier.important_amount", "amount", amt, "threshold", YUAN(t->imp_amount), NULL);
        return "important";
    }
    if (x->amount > 0 && x->amount >= t->cutoff) {
        *reason = msg_make(r->a, "tier.important_rank", "amount", amt, "percent",
                           NUM(setting_int(r->db, "tier.important.top_percent")), NULL);
        return "important";
    }
    if (t->key_amount > 0 && x->amount >= t->key_amount) {
        *reason = msg_make(r->a, "tier.key_amount", "amount", amt, "threshold", YUAN(t->key_amount), NULL);
        return "key";
    }
    if (t->key_orders > 0 && x->orders >= t->key_orders) {
        *reason = msg_make(r->a, "tier.key_orders", "orders", NUM(x->orders), "threshold", NUM(t->key_orders), NULL);
        return "key";
    }
    if (t->key_potential > 0 && x->potential >= t->key_potential) {
        *reason = msg_make(r->a, "tier.key_potential", "amount", YUAN(x->potential), "threshold",
                           YUAN(t->key_potential), NULL);
        return "key";
    }
    *reason = msg_make(r->a, "tier.normal", "amount", amt, "orders", NUM(x->orders), NULL);
#undef YUAN
#undef NUM
    return "normal";
}

/* Write a tier_history row. */
static int tier_history_add(Req *r, int64_t id, const char *old_tier, const char *new_tier, const char *source,
                            const char *reason, int64_t amount, int64_t orders) {
    Stmt *st = db_prepare(r->db, "INSERT INTO tier_history(customer_id, at, old_tier, new_tier, source, reason, "
                                 "user_id, purchase_12m, orders_12m)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, r->now);
    if (old_tier)
        db_bind_text(st, 3, old_tier, -1);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, new_tier, -1);
    db_bind_text(st, 5, source, -1);
    if (reason)
        db_bind_text(st, 6, reason, -1);
    else
        db_bind_null(st, 6);
    if (r->user)
        db_bind_int64(st, 7, r->user->id);
    else
        db_bind_null(st, 7);
    db_bind_int64(st, 8, amount);
    db_bind_int64(st, 9, orders);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Set tier (and visit frequency when it followed the old tier) of one customer, with history and
   audit. The UPDATE re-checks the version read, so a change made meanwhile (a manual override
   during the nightly recompute) is never overwritten: 1 applied, 0 stale, -1 error. */
static int tier_apply(Req *r, TierRow *x, const char *tier, bool manual, const char *reason, const char *source,
                      const char *action) {
    const char *visit = x->visit;
    if (!visit || !strcmp(visit, tier_visit_default(r->db, r->a, x->tier)))
        visit = tier_visit_default(r->db, r->a, tier);
    Stmt *st = db_prepare(
        r->db,
        "UPDATE customers SET tier = ?1, tier_manual = ?2, tier_reason = ?3, visit_frequency = ?4,"
        " purchase_12m = ?5, orders_12m = ?6, version = version + 1, updated_at = ?7 WHERE id = ?8 AND version = ?9"
        " AND deleted_at IS NULL");
    if (!st) return -1;
    db_bind_text(st, 1, tier, -1);
    db_bind_int64(st, 2, manual);
    db_bind_text(st, 3, reason, -1);
    db_bind_text(st, 4, visit, -1);
    db_bind_int64(st, 5, x->amount);
    db_bind_int64(st, 6, x->orders);
    db_bind_int64(st, 7, r->now);
    db_bind_int64(st, 8, x->id);
    db_bind_int64(st, 9, x->version);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    if (db_changes(r->db) != 1) return 0;
    json_t *ch = json_object();
    if (strcmp(tier, x->tier)) json_object_set_new(ch, "tier", json_pack("[s,s]", x->tier, tier));
    if (manual != x->manual) json_object_set_new(ch, "tier_manual", json_pack("[b,b]", x->manual, manual));
    json_object_set_new(ch, "tier_reason", json_pack("[n,s]", reason));
    if (visit && (!x->visit || strcmp(visit, x->visit)))
        json_object_set_new(ch, "visit_frequency", json_pack("[s?,s]", x->visit, visit));
    if (x->amount != x->old_amount)
        json_object_set_new(ch, "purchase_12m", json_pack("[I,I]", (json_int_t)x->old_amount, (json_int_t)x->amount));
    if (audit_write(r, "customers", x->id, action, ch) < 0) return -1;
    if ((strcmp(tier, x->tier) || manual != x->manual) &&
        tier_history_add(r, x->id, x->tier, tier, source, reason, x->amount, x->orders) < 0)
        return -1;
    x->tier = tier;
    x->visit = visit;
    x->manual = manual;
    x->version++;
    return 1;
}

/* Counts of one recompute. */
typedef struct TierStats {
    int customers, changed, important, key, normal;
} TierStats;

/*
** Recompute purchases and tiers: every customer (only_id 0) or one (only_id, with the
** top-percent cutoff still taken over all customers). Manual tiers keep their tier; their
** purchase figures are refreshed. *one (when given) receives the row of only_id.
*/
static int tier_recompute(Req *r, int64_t only_id, TierStats *out) {
    static const char zSql[] = "SELECT c.id, c.version, c.tier, c.tier_manual, c.visit_frequency, c.potential_value, "
                               "c.purchase_12m, c.orders_12m, c.name,\n"
                               "       COALESCE(s.amt, 0), COALESCE(s.n, 0)\n"
                               "  FROM customers c LEFT JOIN (SELECT customer_id, CAST(SUM(amount) AS BIGINT) AS amt, "
                               "COUNT(*) AS n FROM opportunities\n"
                               "                               WHERE state = 'won' AND deleted_at IS NULL AND "
                               "COALESCE(closed_at, updated_at) >= ?1\n"
                               "                               GROUP BY customer_id) s ON s.customer_id = c.id\n"
                               " WHERE c.deleted_at IS NULL ORDER BY c.id";
    memset(out, 0, sizeof *out);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, r->now - 365 * 86400);
    size_t cap = 256, n = 0;
    TierRow *rows = xmalloc(cap * sizeof *rows);
    int64_t *amounts = xmalloc(cap * sizeof *amounts);
    size_t nbuyers = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            rows = xrealloc(rows, cap * sizeof *rows);
            amounts = xrealloc(amounts, cap * sizeof *amounts);
        }
        TierRow *x = &rows[n++];
        x->id = db_col_int64(st, 0);
        x->version = db_col_int64(st, 1);
        x->tier = arena_strdup(r->a, db_col_text(st, 2));
        x->manual = db_col_int64(st, 3) != 0;
        x->visit = db_col_null(st, 4) ? NULL : arena_strdup(r->a, db_col_text(st, 4));
        x->potential = db_col_int64(st, 5);
        x->old_amount = db_col_int64(st, 6);
        x->old_orders = db_col_int64(st, 7);
        x->name = arena_strdup(r->a, db_col_text(st, 8));
        x->amount = db_col_int64(st, 9);
        x->orders = db_col_int64(st, 10);
        if (x->amount > 0) amounts[nbuyers++] = x->amount;
    }
    db_done(st);
    int ret = rc < 0 ? -1 : 0;
    Thresholds t = {setting_int(r->db, "tier.important.amount"), setting_int(r->db, "tier.key.amount"),
                    setting_int(r->db, "tier.key.orders"), setting_int(r->db, "tier.key.potential"), INT64_MAX};
    qsort(amounts, nbuyers, sizeof *amounts, cmp_desc);
    size_t k = nbuyers * (size_t)setting_int(r->db, "tier.important.top_percent") / 100;
    if (k > 0) t.cutoff = amounts[k - 1];
    for (size_t i = 0; i < n && ret == 0; i++) {
        TierRow *x = &rows[i];
        if (only_id && x->id != only_id) continue;
        out->customers++;
        const char *reason;
        const char *tier = x->manual ? x->tier : tier_of(r, &t, x, &reason);
        if (!x->manual && strcmp(tier, x->tier)) {
            int ap = tier_apply(r, x, tier, false, reason, "recompute", "tier_recompute");
            if (ap < 0) ret = -1;
            out->changed += ap > 0; /* 0: changed meanwhile (a manual override): left as it is now */
        } else if (x->amount != x->old_amount || x->orders != x->old_orders) {
            /* figures only: computed, read-only columns; no version bump (nobody's edit is stale) */
            Stmt *u = db_prepare(r->db, "UPDATE customers SET purchase_12m = ?1, orders_12m = ?2 WHERE id = ?3");
            if (!u) {
                ret = -1;
                break;
            }
            db_bind_int64(u, 1, x->amount);
            db_bind_int64(u, 2, x->orders);
            db_bind_int64(u, 3, x->id);
            if (db_step(u) < 0) ret = -1;
            db_done(u);
        }
        if (!strcmp(x->tier, "important"))
            out->important++;
        else if (!strcmp(x->tier, "key"))
            out->key++;
        else
            out->normal++;
    }
    free(rows);
    free(amounts);
    return ret;
}

/* Job "tier_recompute" (daily); also run by the demo loader. */
int tier_recompute_job(Db *db, int64_t now) {
    Req r;
    job_req_init(&r, db, now);
    TierStats s;
    int rc = tier_recompute(&r, 0, &s);
    if (rc < 0)
        log_error("tier_recompute: %s", db_errmsg(db));
    else
        log_info("tier_recompute: %d customers, %d changed", s.customers, s.changed);
    job_req_done(&r);
    return rc;
}

/*
** POST /api/v1/customers/tiers/recompute        roles: sales_manager, deputy_director, sales_director, gm
** Recompute every customer's purchases and tier now (company-wide: the top-percent rule needs all).
** 200 {"customers","changed","tiers":{"important","key","normal"}}
*/
static int tier_h_recompute(Req *r, Err *e) {
    TierStats s;
    if (tier_recompute(r, 0, &s) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200,
                      json_pack("{s:i, s:i, s:{s:i, s:i, s:i}}", "customers", s.customers, "changed", s.changed,
                                "tiers", "important", s.important, "key", s.key, "normal", s.normal));
}

/* The customer of the request, visible and under the user's command, as a TierRow (with its
   current purchase figures). */
static json_t *tier_load(Req *r, TierRow *x, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return NULL;
    const Entity *en = entity_find("customers");
    json_t *row = entity_load(r, en, id, e);
    if (!row) return NULL;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return NULL; /* sight is not command */
    memset(x, 0, sizeof *x);
    x->id = id;
    x->version = json_integer_value(json_object_get(row, "version"));
    x->tier = arena_strdup(r->a, json_string_value(json_object_get(row, "tier")));
    x->manual = json_is_true(json_object_get(row, "tier_manual"));
    x->visit = arena_strdup(r->a, json_string_value(json_object_get(row, "visit_frequency")));
    x->amount = x->old_amount = json_integer_value(json_object_get(row, "purchase_12m"));
    x->orders = x->old_orders = json_integer_value(json_object_get(row, "orders_12m"));
    return row;
}

/* Reply with the customer row as stored now. */
static int tier_reply(Req *r, int64_t id, Err *e) {
    const Entity *en = entity_find("customers");
    json_t *row = entity_load(r, en, id, e);
    if (!row) return -1;
    row_finish(r, en, row);
    return reply_json(r, 200, row);
}

/*
** POST /api/v1/customers/:id/tier               roles: managers (supervisor … gm) who see the customer
** Body: {"tier": "important"|"key"|"normal", "reason": text (required), "version"?: int}
** Manual override: tier_manual = 1, kept by the recompute until cleared; history + audit.
** 200 customer | 400 field.enum tier, field.required reason | 404 | 409 record.conflict (stale version)
*/
static int tier_h_override(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    TierRow x;
    json_t *row = tier_load(r, &x, e);
    if (!row) return -1;
    const char *tier = json_string_value(json_object_get(body, "tier"));
    if (!tier) return err_set(e, 400, EC_REQUIRED, "tier", NULL);
    if (strcmp(tier, "important") && strcmp(tier, "key") && strcmp(tier, "normal"))
        return err_set(e, 400, EC_ENUM, "tier", "important, key, normal");
    const char *reason = json_string_value(json_object_get(body, "reason"));
    if (!reason || !*reason) return err_set(e, 400, EC_REQUIRED, "reason", NULL);
    if (utf8_len(reason, strlen(reason)) > 500) return err_set(e, 400, EC_TOO_LONG, "reason", "500");
    json_t *ver = json_object_get(body, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) != x.version))
        return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    const char *why = msg_make(r->a, "tier.manual", "by", r->user->display_name, "reason", reason, NULL);
    int ap = tier_apply(r, &x, arena_strdup(r->a, tier), true, why, "manual", "tier_manual");
    if (ap < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (ap == 0) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    return tier_reply(r, x.id, e);
}

/*
** DELETE /api/v1/customers/:id/tier             roles: managers who see the customer
** Clear a manual override: the tier is computed again at once (history + audit).
** 200 customer | 404 | 409 flow.bad_state when the tier was not set by hand
*/
static int tier_h_clear(Req *r, Err *e) {
    TierRow x;
    if (!tier_load(r, &x, e)) return -1;
    if (!x.manual) return err_set(e, 409, EC_BAD_STATE, NULL, "tier_manual = false");
    Stmt *st = db_prepare(r->db, "UPDATE customers SET tier_manual = 0, version = version + 1, updated_at = ?1"
                                 " WHERE id = ?2 AND version = ?3 AND tier_manual = 1 AND deleted_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, x.id);
    db_bind_int64(st, 3, x.version);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 409, EC_CONFLICT, NULL, NULL); /* cleared or changed meanwhile */
    if (audit_write(r, "customers", x.id, "tier_manual_clear", json_pack("{s:[b,b]}", "tier_manual", 1, 0)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (tier_history_add(r, x.id, x.tier, x.tier, "manual", "取消人工定级", x.amount, x.orders) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    TierStats s;
    if (tier_recompute(r, x.id, &s) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return tier_reply(r, x.id, e);
}

void tiering_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/customers/tiers/recompute", tier_h_recompute, R_WRITE,
         RB(SALES_MANAGER) | RB(DEPUTY_DIRECTOR) | RB(SALES_DIRECTOR) | RB(GM), "Recompute customer tiers now",
         "customers"},
        {"POST", "/api/v1/customers/:id/tier", tier_h_override, R_WRITE, ROLES_MANAGING,
         "Set a customer's tier by hand", "customers"},
        {"DELETE", "/api/v1/customers/:id/tier", tier_h_clear, R_WRITE, ROLES_MANAGING, "Clear a manual tier",
         "customers"},
    };
    static const Job job = {"tier_recompute", 86400, tier_recompute_job};
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(tier_settings, (int)(sizeof tier_settings / sizeof tier_settings[0]));
    scheduler_add(&job);
}
