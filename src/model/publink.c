/*
** publink.c — public links (issue 9, mechanism 9): a token bound to one record and one purpose
** that its entity declares (entity.h PublicPurpose), for people without an account — a
** customer's status page, a satisfaction survey. The token is 32 random bytes in URL-safe
** base64, shown once; only its SHA-256 is stored and a link is found by that hash, so no token
** is compared byte by byte and a copy of the table opens nothing. The public side sees only the
** purpose's projection, may set only its declared fields (validated like the fields), is limited
** per client address, and every view and submission is written to the record's audit trail with
** no user, the client address and the link's id.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../http/internal.h"
#include "model.h"
#include "search.h"
#include "settings.h"

/* Length of a token: 32 bytes in URL-safe base64 without padding. */
#define TOKEN_CHARS 43
/* The window of the per-address limit, in seconds. */
#define RATE_WINDOW 600

static const Setting publink_settings[] = {
    {"public_links.requests_per_10min", ST_INT, "30", 1, 100000, "公开链接：单个地址 10 分钟内允许的访问次数",
     "公開連結：單一位址 10 分鐘內允許的存取次數", "Public links: requests allowed per address in 10 minutes"},
};

/* ---------------------------------------------------------------- helpers */

bool publink_token_shape_ok(const char *s) {
    if (!s) return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
        if (n > TOKEN_CHARS) return false;
    }
    return n == TOKEN_CHARS;
}

/*
** The next name of a space-separated list copied into buf (size n, truncated names are refused
** by publink_check at start). Returns the rest of the list, or NULL when no name is left.
*/
static const char *next_word(const char *s, char *buf, size_t n) {
    if (!s) return NULL;
    while (*s == ' ')
        s++;
    if (!*s) return NULL;
    size_t i = 0;
    while (*s && *s != ' ') {
        if (i + 1 < n) buf[i++] = *s;
        s++;
    }
    buf[i] = '\0';
    return s;
}

/* The purpose called name of en, or NULL. */
static const PublicPurpose *purpose_find(const Entity *en, const char *name) {
    for (const PublicPurpose *p = en->public_purposes; name && p && p->name; p++)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

/* The error for a failed statement: 503 when the database was busy, else 500. */
static int db_failed(Err *e, int rc) {
    return rc == DB_BUSY ? err_set(e, 503, EC_UNAVAILABLE, NULL, NULL) : err_set(e, 500, EC_INTERNAL, NULL, NULL);
}

/* The one answer for a link that cannot be used, whatever the reason (no oracle). */
static int not_found(Err *e) { return err_set(e, 404, EC_LINK_NOT_FOUND, NULL, NULL); }

/* Meta of the "state" pseudo-field of a projection: an enum of the workflow's states. */
static json_t *state_json(Req *r, const Entity *en) {
    json_t *vals = json_array();
    for (const EnumVal *ev = en->flow ? en->flow->states : NULL; ev && ev->value; ev++)
        json_array_append_new(
            vals, json_pack("{s:s, s:s}", "value", ev->value, "label", label_for(r->locale, ev->zh, ev->tw, ev->en)));
    return json_pack("{s:s, s:s, s:s, s:o}", "name", "state", "type", "enum", "label",
                     label_for(r->locale, "状态", "狀態", "State"), "enum", vals);
}

int publink_check(const Entity *en, Db *db) {
    int bad = 0;
    char w[64];
    for (const PublicPurpose *p = en->public_purposes; p && p->name; p++) {
        if (p->lifetime_days < 1 || !p->shows || !*p->shows) {
            log_error("entity %s: public purpose %s needs a lifetime and shown fields", en->name, p->name);
            bad = 1;
        }
        for (const char *s = p->shows; (s = next_word(s, w, sizeof w));) {
            const Field *f = entity_field(en, w);
            if (strcmp(w, "state") == 0) {
                Stmt *st =
                    db_prepare(db, arena_printf(entity_info(en)->arena, "SELECT state FROM %s WHERE 1 = 0", en->table));
                if (!st || db_step(st) < 0) {
                    log_error("entity %s: public purpose %s shows state, which the table lacks", en->name, p->name);
                    bad = 1;
                }
                db_done(st);
            } else if (!f || (f->flags & (F_VIRTUAL | F_WRITEONLY))) {
                log_error("entity %s: public purpose %s shows %s, not a stored field", en->name, p->name, w);
                bad = 1;
            }
        }
        for (const char *s = p->accepts; (s = next_word(s, w, sizeof w));) {
            const Field *f = entity_field(en, w);
            if (!f || (f->flags & (F_VIRTUAL | F_COMPUTED))) {
                log_error("entity %s: public purpose %s accepts %s, not a stored input field", en->name, p->name, w);
                bad = 1;
            }
        }
    }
    return bad ? -1 : 0;
}

json_t *publink_purposes_json(Req *r, const Entity *en) {
    json_t *a = json_array();
    for (const PublicPurpose *p = en->public_purposes; p && p->name; p++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:b, s:b}", "name", p->name, "label",
                                           label_for(r->locale, p->zh, p->tw, p->en), "lifetime_days", p->lifetime_days,
                                           "single_use", p->single_use, "form", p->accepts != NULL));
    return a;
}

/* ---------------------------------------------------------------- the public side */

/* See model.h: the upsert locks the address's row, so parallel requests are counted one after the other. */
int public_rate_count(Req *r, const char *scope, int64_t limit, int64_t *retry) {
    static const char zSql[] =
        "INSERT INTO login_guards(name, failures, locked_until, updated_at) VALUES (?1, 1, ?3, ?2)\n"
        " ON CONFLICT (name) DO UPDATE SET\n"
        "   failures = CASE WHEN login_guards.locked_until <= ?2 THEN 1 ELSE login_guards.failures + 1 END,\n"
        "   locked_until = CASE WHEN login_guards.locked_until <= ?2 THEN ?3 ELSE login_guards.locked_until END,\n"
        "   updated_at = ?2\n"
        " RETURNING failures, locked_until";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return DB_ERROR;
    db_bind_text(st, 1, arena_printf(r->a, "%s:%s", scope, r->client_addr ? r->client_addr : ""), -1);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, r->now + RATE_WINDOW);
    int rc = db_step(st);
    int64_t count = rc == DB_ROW ? db_col_int64(st, 0) : 0, until = rc == DB_ROW ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc != DB_ROW) return rc < 0 ? rc : DB_ERROR;
    if (count <= limit) return 0;
    *retry = until > r->now ? until - r->now : 1;
    return 1;
}

/* A link found by its token. */
typedef struct Link {
    int64_t id;              /* public_links.id */
    int64_t row_id;          /* the record */
    int64_t expires_at;      /* epoch seconds */
    const Entity *en;        /* the record's entity */
    const PublicPurpose *pp; /* the purpose, as declared now */
} Link;

/*
** The usable link of a token: 1 found, 0 none (malformed, unknown, expired, revoked, used up, or
** a purpose its entity no longer declares), < 0 the statement's error. Found by the token's hash.
*/
static int link_find(Req *r, const char *token, Link *l) {
    static const char zSql[] = "SELECT id, entity, row_id, purpose, expires_at FROM public_links\n"
                               " WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2\n"
                               "   AND (max_uses IS NULL OR uses < max_uses)";
    memset(l, 0, sizeof *l);
    if (!publink_token_shape_ok(token)) return 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return DB_ERROR;
    db_bind_text(st, 1, sha256_hex(r->a, token), -1);
    db_bind_int64(st, 2, r->now);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        l->id = db_col_int64(st, 0);
        l->en = entity_find(db_col_text(st, 1));
        l->row_id = db_col_int64(st, 2);
        l->pp = l->en ? purpose_find(l->en, db_col_text(st, 3)) : NULL;
        l->expires_at = db_col_int64(st, 4);
    }
    db_done(st);
    if (rc < 0) return rc;
    return rc == DB_ROW && l->pp ? 1 : 0;
}

/*
** The purpose's projection of the live record: {"field": value} for the shown fields and
** nothing else. NULL with *rc 0 when the record is gone, or *rc < 0 on a statement error.
*/
static json_t *projection_load(Req *r, const Link *l, int *rc) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT ");
    char w[64];
    int n = 0;
    for (const char *s = l->pp->shows; (s = next_word(s, w, sizeof w));)
        buf_printf(&sql, "%st.%s", n++ ? ", " : "", w);
    buf_printf(&sql, " FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL", l->en->table);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        *rc = DB_ERROR;
        return NULL;
    }
    db_bind_int64(st, 1, l->row_id);
    *rc = db_step(st);
    json_t *o = NULL;
    if (*rc == DB_ROW) {
        o = json_object();
        int c = 0;
        for (const char *s = l->pp->shows; (s = next_word(s, w, sizeof w)); c++) {
            const Field *f = entity_field(l->en, w);
            json_object_set_new(o, w, entity_col_json(st, c, f ? f->type : FT_TEXT));
        }
        *rc = 1;
    }
    db_done(st);
    if (*rc == DB_DONE) *rc = 0;
    return o;
}

/* The stored record of a link (all columns, no visibility: the link is the permission), or NULL. */
static json_t *record_load(Req *r, const Link *l, int *rc) {
    const EntityInfo *ei = entity_info(l->en);
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "SELECT %s FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL",
                                              ei->select_cols, l->en->table));
    if (!st) {
        *rc = DB_ERROR;
        return NULL;
    }
    db_bind_int64(st, 1, l->row_id);
    *rc = db_step(st);
    json_t *row = *rc == DB_ROW ? entity_row_json(l->en, st) : NULL;
    db_done(st);
    *rc = *rc == DB_ROW ? 1 : *rc < 0 ? *rc : 0;
    if (row) arena_defer(r->a, (void (*)(void *))json_decref, row);
    return row;
}

/*
** Record one use of the link: last_used_at always; uses + 1 when `count` (a submission, or a view
** of a read-only purpose). The same conditions as link_find, in the same statement, so two
** parallel uses of a single-use link cannot both pass. 1 done, 0 no longer usable, < 0 error.
*/
static int link_use(Req *r, const Link *l, bool count) {
    static const char zSql[] =
        "UPDATE public_links SET uses = uses + ?3, last_used_at = ?2\n"
        " WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2 AND (max_uses IS NULL OR uses < max_uses)";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return DB_ERROR;
    db_bind_int64(st, 1, l->id);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, count ? 1 : 0);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return rc;
    return db_changes(r->db) == 1 ? 1 : 0;
}

/* The field descriptions of a space-separated list, as /api/v1/meta gives them (inputs: writable). */
static json_t *fields_json(Req *r, const Entity *en, const char *list, bool inputs) {
    json_t *a = json_array();
    char w[64];
    for (const char *s = list; (s = next_word(s, w, sizeof w));) {
        const Field *f = entity_field(en, w);
        json_t *o = f ? field_json(r, f) : state_json(r, en);
        if (inputs) json_object_set_new(o, "readonly", json_false());
        json_array_append_new(a, o);
    }
    return a;
}

/*
** GET: the projection, the purpose and, for a form, the fields it accepts. A read-only
** purpose's view is a use. Audited "public_view". Inside the caller's savepoint.
*/
static int view_work(Req *r, const char *token, Err *e) {
    Link l;
    int rc = link_find(r, token, &l);
    if (rc <= 0) return rc < 0 ? db_failed(e, rc) : not_found(e);
    json_t *rec = projection_load(r, &l, &rc);
    if (!rec) return rc < 0 ? db_failed(e, rc) : not_found(e);
    arena_defer(r->a, (void (*)(void *))json_decref, rec);
    bool open = true; /* does the form take a submission in the record's state? */
    if (l.pp->accepts && l.pp->accepts_in) {
        json_t *row = record_load(r, &l, &rc);
        if (!row) return rc < 0 ? db_failed(e, rc) : not_found(e);
        const char *st = json_string_value(json_object_get(row, "state"));
        open = st && str_word_in(l.pp->accepts_in, st);
    }
    if ((rc = link_use(r, &l, l.pp->accepts == NULL)) <= 0) return rc < 0 ? db_failed(e, rc) : not_found(e);
    if (audit_write(r, l.en->name, l.row_id, "public_view",
                    json_pack("{s:[n,I], s:[n,s]}", "public_link", (json_int_t)l.id, "purpose", l.pp->name)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    const PublicPurpose *p = l.pp;
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s, s:I, s:o, s:O, s:o}", "purpose", p->name, "label",
                                label_for(r->locale, p->zh, p->tw, p->en), "entity_label",
                                label_for(r->locale, l.en->zh, l.en->tw, l.en->en), "expires_at",
                                (json_int_t)l.expires_at, "fields", fields_json(r, l.en, p->shows, false), "record",
                                rec, "accepts", fields_json(r, l.en, open ? p->accepts : NULL, true)));
}

/*
** POST: validate the body against the accepted fields (each like the field itself), run the
** purpose's hook, spend a use, write the fields under the record's version, audit
** "public_submit". Inside the caller's savepoint: any error leaves nothing written.
*/
static int submit_work(Req *r, const char *token, Err *e) {
    Link l;
    int rc = link_find(r, token, &l);
    if (rc <= 0) return rc < 0 ? db_failed(e, rc) : not_found(e);
    if (!l.pp->accepts) return not_found(e); /* a read-only view takes no submission */
    json_t *row = record_load(r, &l, &rc);
    if (!row) return rc < 0 ? db_failed(e, rc) : not_found(e);
    const char *state = json_string_value(json_object_get(row, "state"));
    if (l.pp->accepts_in && !(state && str_word_in(l.pp->accepts_in, state)))
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s", entity_state_label(r->locale, l.en, state ? state : ""));
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (!str_word_in(l.pp->accepts, k)) return err_set(e, 400, EC_UNKNOWN_FIELD,
                                                                                       arena_strdup(r->a, k), NULL);
    json_t *vals = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, vals);
    char w[64];
    for (const char *s = l.pp->accepts; (s = next_word(s, w, sizeof w));) {
        json_t *nv;
        if (field_validate(r, entity_field(l.en, w), json_object_get(body, w), &nv, e) < 0) return -1;
        json_object_set_new(vals, w, nv);
    }
    if (l.pp->on_submit && l.pp->on_submit(r, l.en, row, vals, e) < 0) return -1;
    if ((rc = link_use(r, &l, true)) <= 0) return rc < 0 ? db_failed(e, rc) : not_found(e);

    /* the fields, under the version read above: a change made meanwhile is a conflict */
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "UPDATE %s SET version = version + 1, updated_at = ?1, updated_by = NULL", l.en->table);
    int p = 4;
    json_t *changes = json_object();
    json_object_foreach(vals, k, v) {
        const Field *f = entity_field(l.en, k);
        if (!f || (f->flags & (F_VIRTUAL | F_COMPUTED))) continue; /* a hook's stray key is not written */
        buf_printf(&sql, ", %s = ?%d", f->name, p++);
        json_t *before = json_object_get(row, k);
        if (!before || !json_equal(before, v)) json_object_set_new(changes, k, json_pack("[O?,O]", before, v));
    }
    buf_puts(&sql, " WHERE id = ?2 AND version = ?3 AND deleted_at IS NULL");
    json_object_set_new(changes, "public_link", json_pack("[n,I]", (json_int_t)l.id));
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        json_decref(changes);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, l.row_id);
    db_bind_int64(st, 3, json_integer_value(json_object_get(row, "version")));
    p = 4;
    json_object_foreach(vals, k, v) {
        const Field *f = entity_field(l.en, k);
        if (!f || (f->flags & (F_VIRTUAL | F_COMPUTED))) continue;
        bind_value(st, p++, f->type, v);
    }
    rc = db_step(st);
    db_done(st);
    if (rc < 0 || db_changes(r->db) != 1) {
        json_decref(changes);
        return rc < 0 ? db_failed(e, rc) : err_set(e, 409, EC_CONFLICT, NULL, NULL);
    }
    if (search_changed(r, l.en, l.row_id, vals) < 0) {
        json_decref(changes);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    if (audit_write(r, l.en->name, l.row_id, "public_submit", changes) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, json_pack("{s:s, s:I}", "purpose", l.pp->name, "submitted_at", (json_int_t)r->now));
}

/* See model.h. */
int public_request(Req *r, Err *e, const char *scope, int64_t limit, PublicStep before, PublicStep work) {
    r->user = NULL; /* the public side acts for nobody: audit entries carry no user */
    if (db_begin(r->db) != DB_OK) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    int64_t retry = 0;
    int rc = public_rate_count(r, scope, limit, &retry);
    if (rc < 0) {
        db_rollback(r->db);
        return db_failed(e, rc);
    }
    if (rc == 0 && before) rc = before(r, e);
    if (rc < 0 && e->status >= 500) { /* a failed statement keeps nothing */
        db_rollback(r->db);
        return -1;
    }
    if (rc == 0) {
        if (db_begin(r->db) != DB_OK) {
            db_rollback(r->db);
            return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
        }
        rc = work(r, e);
        if (rc < 0)
            db_rollback(r->db);
        else if (db_commit(r->db) != DB_OK) {
            db_rollback(r->db); /* the savepoint, then the whole transaction below */
            db_rollback(r->db);
            return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
        }
    }
    if (db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    }
    if (retry) {
        reply_header(r, "Retry-After", arena_printf(r->a, "%lld", (long long)retry));
        return err_set(e, 429, EC_LINK_RATE, NULL, "%lld", (long long)retry);
    }
    return rc;
}

/* Both public routes: the address's request counted under "p" (a refused or unknown link counts
   too), then the view or the submission in its savepoint. */
static int view_step(Req *r, Err *e) { return view_work(r, r->params[0], e); }
static int submit_step(Req *r, Err *e) { return submit_work(r, r->params[0], e); }
static int public_run(Req *r, Err *e, bool submit) {
    return public_request(r, e, "p", req_setting_int(r, "public_links.requests_per_10min"), NULL,
                          submit ? submit_step : view_step);
}

/*
** GET /api/v1/public/:token                      public (no sign-in), limited per client address
** 200 {"purpose","label","entity_label","expires_at","fields":[field meta],"record":{the shown
** fields only},"accepts":[field meta of a form's inputs]} | 404 public_link.not_found — unknown,
** expired, revoked, used up or record deleted, one answer | 429 public_link.rate_limited +
** Retry-After. Audited on the record "public_view" (no user, client address, link id).
*/
static int public_get(Req *r, Err *e) { return public_run(r, e, false); }

/*
** POST /api/v1/public/:token                     public (no sign-in), limited per client address
** Body: the purpose's accepted fields {"customer_note": "...", "customer_confirmed": true}
** 200 {"purpose","submitted_at"} | 400 field.* naming the field, field.unknown (nothing written,
** the link not spent) | 404 as GET, and for a read-only purpose | 409 record.conflict | 429.
** Audited "public_submit" with the fields' before/after and the link id.
*/
static int public_post(Req *r, Err *e) { return public_run(r, e, true); }

/* ---------------------------------------------------------------- the signed-in side */

/*
** The record of :entity/:id, visible to the user, of an entity that declares purposes; the row
** is owned by the request. NULL with e: 404 (no such entity, none declared, row not visible) or
** 403 (entity not readable).
*/
static json_t *link_record(Req *r, const Entity **pen, int64_t *pid, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return NULL;
    if (!en->public_purposes) {
        err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return entity_request_row(r, pen, pid, e);
}

/* See model.h. */
int publink_issue(Req *r, const Entity *en, int64_t id, const char *purpose, int64_t days, const char **token,
                  int64_t *expires_at, int64_t *link_id, Err *e) {
    const PublicPurpose *p = purpose_find(en, purpose);
    if (!p) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (days < 1 || days > p->lifetime_days) days = p->lifetime_days;
    const char *tok = random_token(r->a, 32);
    int64_t expires = r->now + days * 86400;
    static const char zSql[] =
        "INSERT INTO public_links(entity, row_id, purpose, token_hash, created_by, created_at, expires_at, max_uses)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    db_bind_text(st, 3, p->name, -1);
    db_bind_text(st, 4, sha256_hex(r->a, tok), -1);
    if (r->user)
        db_bind_int64(st, 5, r->user->id);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, r->now);
    db_bind_int64(st, 7, expires);
    if (p->single_use)
        db_bind_int64(st, 8, 1);
    else
        db_bind_null(st, 8);
    int rc = db_step(st);
    int64_t link = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!link) return db_failed(e, rc < 0 ? rc : DB_ERROR);
    if (audit_write(r, en->name, id, "public_link_create",
                    json_pack("{s:[n,I], s:[n,s], s:[n,I]}", "public_link", (json_int_t)link, "purpose", p->name,
                              "expires_at", (json_int_t)expires)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    *token = tok;
    *expires_at = expires;
    *link_id = link;
    return 0;
}

/*
** POST /api/v1/:entity/:id/public-links          who may change the record (entity_row_check
**                                                ACCESS_WRITE: a sharee may not)
** Body: {"purpose": string, "expires_days"?: 1..the purpose's lifetime}
** 201 {"id","purpose","token","path","expires_at","max_uses"} — the token is shown only here |
** 400 field.enum (purpose) / field.range (expires_days) / field.unknown | 403 | 404
*/
static int publinks_create(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    json_t *row = link_record(r, &en, &id, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (strcmp(k, "purpose") && strcmp(k, "expires_days")) return err_set(
        e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
    const PublicPurpose *p = purpose_find(en, json_string_value(json_object_get(body, "purpose")));
    if (!p) {
        Buf names;
        buf_init(&names, r->a);
        buf_puts(&names, "");
        for (const PublicPurpose *q = en->public_purposes; q->name; q++)
            buf_printf(&names, "%s%s", q == en->public_purposes ? "" : ", ", q->name);
        return err_set(e, 400, EC_ENUM, "purpose", "%s", names.p);
    }
    int64_t days = p->lifetime_days;
    json_t *d = json_object_get(body, "expires_days");
    if (d && !json_is_null(d)) {
        if (!json_is_integer(d)) return err_set(e, 400, EC_TYPE, "expires_days", "integer");
        if (json_integer_value(d) < 1 || json_integer_value(d) > p->lifetime_days)
            return err_set(e, 400, EC_RANGE, "expires_days", "1..%d", p->lifetime_days);
        days = json_integer_value(d);
    }
    const char *token;
    int64_t expires, link;
    if (publink_issue(r, en, id, p->name, days, &token, &expires, &link, e) < 0) return -1;
    json_t *out = json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)link, "purpose", p->name, "token", token,
                            "path", arena_printf(r->a, "/p/%s", token), "expires_at", (json_int_t)expires);
    json_object_set_new(out, "max_uses", p->single_use ? json_integer(1) : json_null());
    return reply_json(r, 201, out);
}

/*
** GET /api/v1/:entity/:id/public-links           readers of the record
** 200 {"items":[{"id","purpose","label","status","created_by","created_by_name","created_at",
** "expires_at","max_uses","uses","revoked_at","last_used_at"}], "can_manage"} newest first;
** status is active | expired | revoked | used. Never a token or its hash. | 404
*/
static int publinks_list(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    json_t *row = link_record(r, &en, &id, e);
    if (!row) return -1;
    static const char zSql[] =
        "SELECT l.id, l.purpose, l.created_by, u.display_name, l.created_at, l.expires_at, l.max_uses, l.uses,\n"
        "       l.revoked_at, l.last_used_at\n"
        "  FROM public_links l LEFT JOIN users u ON u.id = l.created_by\n"
        " WHERE l.entity = ?1 AND l.row_id = ?2 ORDER BY l.id DESC LIMIT 200";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const PublicPurpose *p = purpose_find(en, db_col_text(st, 1));
        bool revoked = !db_col_null(st, 8), used = !db_col_null(st, 6) && db_col_int64(st, 7) >= db_col_int64(st, 6);
        const char *status = revoked ? "revoked" : used ? "used" : db_col_int64(st, 5) <= r->now ? "expired" : "active";
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?, s:I, s:I, s:I}", "id", (json_int_t)db_col_int64(st, 0),
                              "purpose", db_col_text(st, 1), "label",
                              p ? label_for(r->locale, p->zh, p->tw, p->en) : db_col_text(st, 1), "status", status,
                              "created_by", (json_int_t)db_col_int64(st, 2), "created_by_name", db_col_text(st, 3),
                              "created_at", (json_int_t)db_col_int64(st, 4), "expires_at",
                              (json_int_t)db_col_int64(st, 5), "uses", (json_int_t)db_col_int64(st, 7));
        static const char *const opt[] = {"max_uses", "revoked_at", "last_used_at"};
        static const int col[] = {6, 8, 9};
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, opt[i],
                                db_col_null(st, col[i]) ? json_null() : json_integer(db_col_int64(st, col[i])));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return db_failed(e, rc);
    }
    return reply_json(
        r, 200, json_pack("{s:o, s:b}", "items", items, "can_manage", entity_row_may(r, en, row, ACCESS_WRITE, NULL)));
}

/*
** DELETE /api/v1/:entity/:id/public-links/:link_id   who may change the record
** 204 (also when it was revoked already) | 403 | 404 not a link of this record
*/
static int publinks_revoke(Req *r, Err *e) {
    const Entity *en;
    int64_t id, link;
    json_t *row = link_record(r, &en, &id, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    if (req_param_id(r, 2, &link, e) < 0) return -1;
    static const char zSql[] = "UPDATE public_links SET revoked_at = COALESCE(revoked_at, ?1)\n"
                               " WHERE id = ?2 AND entity = ?3 AND row_id = ?4";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, link);
    db_bind_text(st, 3, en->name, -1);
    db_bind_int64(st, 4, id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return db_failed(e, rc);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (audit_write(r, en->name, id, "public_link_revoke", json_pack("{s:[I,n]}", "public_link", (json_int_t)link)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}

void publink_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/public/:token", public_get, R_PUBLIC | R_SLOW | R_OWN_TX | R_WRITE, 0,
         "A public link's view of its record", "public"},
        {"POST", "/api/v1/public/:token", public_post, R_PUBLIC | R_SLOW | R_OWN_TX | R_WRITE | R_NO_CSRF, 0,
         "Submit a public link's form", "public"},
        {"GET", "/api/v1/:entity/:id/public-links", publinks_list, 0, 0, "Public links of a record", "entities"},
        {"POST", "/api/v1/:entity/:id/public-links", publinks_create, R_WRITE, 0, "Make a public link to a record",
         "entities"},
        {"DELETE", "/api/v1/:entity/:id/public-links/:link_id", publinks_revoke, R_WRITE, 0, "Revoke a public link",
         "entities"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(publink_settings, (int)(sizeof publink_settings / sizeof publink_settings[0]));
}
