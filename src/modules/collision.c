/*
** collision.c — duplicate and collision control (撞单, R-CUS-3): the
** normalisers of phone, company name, tax id and email; the match keys of
** customers and leads kept in `match_keys`; the check run on create, edit
** and import; the referral rule; and collision claims (entity
** `collision_claims`) that a sales manager arbitrates: keep, transfer, share.
**
** Company names: traditional → simplified with OpenCC (t2s), full width → half
** width, lower case, punctuation dropped, legal-form suffixes cut (有限公司,
** 有限责任公司, 股份有限公司, 公司, Co., Ltd., Inc., Corp., LLC ...). Bracketed
** words are not dropped but moved to the front, and a 市/省 right after a leading
** 2–3 character place name is dropped: "某某机械（上海）有限公司", "上海某某机械有限公司"
** and "上海市某某机械有限公司" all become "上海某某机械", while "北京某某机械" stays a
** different company (a branch in another city is usually another customer).
** 集团, 分公司 and 厂 are kept: a group, its branches and a factory are separate
** legal entities a sales team keeps apart.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "collision.h"
#include "customers.h"
#include "modules.h"

/* ---------------------------------------------------------------- text */

/* Full width → half width (U+FF01..FF5E → ASCII, U+3000 → space), ASCII lower case. */
static uint32_t narrow(uint32_t c) {
    if (c >= 0xFF01 && c <= 0xFF5E)
        c -= 0xFEE0;
    else if (c == 0x3000)
        c = ' ';
    if (c >= 'A' && c <= 'Z') c += 32;
    return c;
}

/* ---------------------------------------------------------------- normalisers */

char *norm_phone(Arena *a, const char *s) {
    if (!s) return NULL;
    Buf b;
    buf_init(&b, a);
    for (const char *p = s; *p;) {
        uint32_t c = narrow(utf8_decode_next(&p));
        if (c >= '0' && c <= '9') buf_putc(&b, (char)c);
    }
    const char *d = b.p;
    size_t n = b.n;
    bool intl = false;
    if (n > 4 && strncmp(d, "0086", 4) == 0)
        d += 4, n -= 4, intl = true;
    else if (n >= 12 && strncmp(d, "86", 2) == 0)
        d += 2, n -= 2, intl = true;
    if (n < 5) return NULL; /* too short to identify anyone */
    if (intl && !(n == 11 && d[0] == '1') && d[0] != '0') return arena_printf(a, "0%s", d); /* landline: area code */
    return arena_strdup(a, d);
}

char *norm_email(Arena *a, const char *s) {
    if (!s) return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n) return NULL;
    char *o = arena_strndup(a, s, n);
    for (char *p = o; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 32;
    return o;
}

char *norm_tax_id(Arena *a, const char *s) {
    if (!s) return NULL;
    Buf b;
    buf_init(&b, a);
    for (const char *p = s; *p;) {
        uint32_t c = narrow(utf8_decode_next(&p));
        if (c >= 'a' && c <= 'z')
            buf_putc(&b, (char)(c - 32));
        else if (c >= '0' && c <= '9')
            buf_putc(&b, (char)c);
    }
    return b.n ? b.p : NULL;
}

/* Is c an opening / closing bracket (ASCII, full width, CJK)? */
static bool is_open(uint32_t c) {
    return c == '(' || c == '[' || c == '{' || c == 0x3010 || c == 0x3014 || c == 0x300C || c == 0x300E ||
           c == 0x3008 || c == 0x300A;
}
static bool is_close(uint32_t c) {
    return c == ')' || c == ']' || c == '}' || c == 0x3011 || c == 0x3015 || c == 0x300D || c == 0x300F ||
           c == 0x3009 || c == 0x300B;
}
/* Letters and digits (ASCII) and any non-ASCII character that is not CJK punctuation. */
static bool is_word(uint32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 0x3000 && c <= 0x303F) return false;                /* CJK punctuation: 、。〃 ... */
    if (c == 0x00B7 || c == 0x30FB || c == 0xFF65) return false; /* middle dots */
    return true;
}

/* Does s end with suffix? */
static bool ends_with(const char *s, size_t n, const char *suffix) {
    size_t m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Cut English legal-form words from the end of a space-separated text (in place). */
static void cut_english(char *s) {
    static const char *const words[] = {"co",  "ltd",     "limited", "inc", "incorporated", "corp", "corporation",
                                        "llc", "company", "gmbh",    "plc", "lp",           NULL};
    for (;;) {
        size_t n = strlen(s);
        while (n && s[n - 1] == ' ')
            s[--n] = 0;
        size_t w = n;
        while (w && s[w - 1] != ' ')
            w--;
        if (w == 0) return; /* never cut the only word: "Co" alone stays a name */
        bool cut = false;
        for (int i = 0; words[i]; i++)
            if (strcmp(s + w, words[i]) == 0) cut = true;
        if (!cut) return;
        s[w] = 0;
    }
}

/* Is the bracketed text p[0..n) only a legal form ("股份", "有限", "Ltd."), spaces aside? Such a
   group says nothing about which company it is: "南京华信（股份）" is 南京华信股份有限公司. */
static bool legal_form_only(const char *p, size_t n) {
    static const char *const forms[] = {"股份",         "有限",         "有限责任", "股份有限", "有限公司",
                                        "股份有限公司", "有限责任公司", "ltd",      "co",       "coltd",
                                        "inc",          "limited",      "llc",      NULL};
    char t[64];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ') {
            if (k + 1 == sizeof t) return false;
            t[k++] = p[i];
        }
    t[k] = 0;
    for (int i = 0; forms[i]; i++)
        if (!strcmp(t, forms[i])) return true;
    return false;
}

char *norm_company(Arena *a, const char *s) {
    if (!s) return NULL;
    const char *z = text_t2s(a, s);
    Buf main, front;
    buf_init(&main, a);
    buf_init(&front, a);
    int depth = 0;
    size_t group = 0; /* where the outermost bracket group began in front */
    for (const char *p = z; *p;) {
        uint32_t c = narrow(utf8_decode_next(&p));
        if (is_open(c)) {
            if (!depth) group = front.n;
            depth++;
            buf_putc(depth ? &front : &main, ' ');
            continue;
        }
        if (is_close(c)) {
            if (depth) depth--;
            if (!depth && legal_form_only(front.p + group, front.n - group)) front.n = group; /* "（股份）" */
            buf_putc(&front, ' ');
            continue;
        }
        Buf *b = depth ? &front : &main;
        if (is_word(c))
            buf_put_utf8(b, c);
        else
            buf_putc(b, ' ');
    }
    cut_english(main.p);
    main.n = strlen(main.p);
    /* spaces out, then the Chinese legal form at the end (one of them) */
    Buf key;
    buf_init(&key, a);
    for (const char *p = front.p; *p; p++)
        if (*p != ' ') buf_putc(&key, *p);
    size_t nfront = key.n;
    for (const char *p = main.p; *p; p++)
        if (*p != ' ') buf_putc(&key, *p);
    static const char *const forms[] = {"股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", NULL};
    for (int i = 0; forms[i]; i++) {
        size_t m = strlen(forms[i]);
        if (!ends_with(key.p + nfront, key.n - nfront, forms[i])) continue;
        /* the first (longest) form found decides; a name that is only a form stays whole */
        if (key.n - nfront > m &&
            !(!strcmp(forms[i], "公司") && ends_with(key.p, key.n - m, "分"))) { /* 分公司 stays */
            key.n -= m;
            key.p[key.n] = 0;
        }
        break;
    }
    /* "上海市某某" → "上海某某", "广东省广州市某某" → "广东广州某某": 市/省 after a 2–3 character place */
    for (int round = 0, at = 0; round < 2; round++) {
        const char *p = key.p + at;
        int nch = 0;
        const char *q = p;
        bool cut = false;
        while (*q && nch < 4) {
            const char *ch = q;
            uint32_t c = utf8_decode_next(&q);
            nch++;
            if ((c == 0x5E02 || c == 0x7701) && nch >= 3 && *q) { /* 市, 省 with something after */
                size_t len = (size_t)(q - ch);
                memmove((char *)ch, q, strlen(q) + 1);
                key.n -= len;
                at = (int)(ch - key.p);
                cut = true;
                break;
            }
            if (c < 0x80) break; /* places are Chinese */
        }
        if (!cut) break;
    }
    return key.n ? key.p : NULL;
}

/* ---------------------------------------------------------------- keys */

/* Name of the company-name field of an entity's rows. */
static const char *name_field(const char *entity) { return strcmp(entity, "leads") == 0 ? "company" : "name"; }

/* String member or NULL. */
static const char *rec_str(json_t *rec, const char *k) { return json_string_value(json_object_get(rec, k)); }

/* One normalised key. */
typedef struct Key {
    const char *kind;  /* phone | name | tax_id | email */
    const char *value; /* normalised (arena) */
} Key;

/* Add a key unless empty or already there. */
static void key_add(Key *k, int *n, int max, const char *kind, const char *value) {
    if (!value || *n >= max) return;
    for (int i = 0; i < *n; i++)
        if (!strcmp(k[i].kind, kind) && !strcmp(k[i].value, value)) return;
    k[*n].kind = kind;
    k[(*n)++].value = value;
}

/* The keys of rec's own fields (present ones only). */
static int keys_of(Arena *a, const char *entity, json_t *rec, Key *k, int max) {
    int n = 0;
    key_add(k, &n, max, "name", norm_company(a, rec_str(rec, name_field(entity))));
    key_add(k, &n, max, "tax_id", norm_tax_id(a, rec_str(rec, "tax_id")));
    key_add(k, &n, max, "phone", norm_phone(a, rec_str(rec, "phone")));
    key_add(k, &n, max, "phone", norm_phone(a, rec_str(rec, "mobile")));
    key_add(k, &n, max, "email", norm_email(a, rec_str(rec, "email")));
    return n;
}

/* Display name of a user, or NULL. */
static const char *user_name(Req *r, int64_t id) {
    if (!id) return NULL;
    Stmt *st = db_prepare(r->db, "SELECT display_name FROM users WHERE id = ?1");
    if (!st) return NULL;
    db_bind_int64(st, 1, id);
    const char *s = db_step(st) == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    return s;
}

/* Fill m with the live row (entity, id) when it takes part in matching: 1 yes, 0 no (gone,
   converted or disqualified lead), -1 error. */
static int match_row(Req *r, const char *entity, int64_t id, Match *m) {
    static const char zCust[] = "SELECT owner_id, name FROM customers WHERE id = ?1 AND deleted_at IS NULL";
    static const char zLead[] = "SELECT owner_id, company FROM leads WHERE id = ?1 AND deleted_at IS NULL AND state "
                                "NOT IN ('converted', 'disqualified')";
    bool cust = strcmp(entity, "customers") == 0;
    if (!cust && strcmp(entity, "leads") != 0) return 0;
    Stmt *st = db_prepare(r->db, cust ? zCust : zLead);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        m->entity = cust ? "customers" : "leads";
        m->row_id = id;
        m->owner_id = db_col_null(st, 0) ? 0 : db_col_int64(st, 0);
        m->name = arena_strdup(r->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc < 0) return -1;
    if (rc != DB_ROW) return 0;
    m->owner_name = user_name(r, m->owner_id);
    return 1;
}

int collision_find(Req *r, const char *entity, int64_t self_id, json_t *rec, Match *out, int max) {
    static const char zSql[] =
        "SELECT entity, row_id FROM match_keys WHERE kind = ?1 AND value = ?2 ORDER BY entity, row_id LIMIT 50";
    Key keys[8];
    int nk = keys_of(r->a, entity, rec, keys, 8), n = 0;
    for (int i = 0; i < nk && n < max; i++) {
        Stmt *st = db_prepare(r->db, zSql);
        if (!st) return -1;
        db_bind_text(st, 1, keys[i].kind, -1);
        db_bind_text(st, 2, keys[i].value, -1);
        struct {
            const char *entity;
            int64_t id;
        } hits[50];
        int nh = 0, rc;
        while ((rc = db_step(st)) == DB_ROW && nh < 50) {
            hits[nh].entity = arena_strdup(r->a, db_col_text(st, 0));
            hits[nh++].id = db_col_int64(st, 1);
        }
        db_done(st);
        if (rc < 0) return -1;
        for (int h = 0; h < nh && n < max; h++) {
            if (!strcmp(hits[h].entity, entity) && hits[h].id == self_id) continue;
            bool seen = false;
            for (int j = 0; j < n; j++)
                if (!strcmp(out[j].entity, hits[h].entity) && out[j].row_id == hits[h].id) seen = true;
            if (seen) continue;
            int ok = match_row(r, hits[h].entity, hits[h].id, &out[n]);
            if (ok < 0) return -1;
            if (ok == 0) continue;
            out[n++].kind = keys[i].kind;
        }
    }
    return n;
}

/* Is the row shared with user uid? */
static bool shared_with(Req *r, const char *entity, int64_t row_id, int64_t uid) {
    if (!uid) return false;
    Stmt *st = db_prepare(r->db, "SELECT 1 FROM shares WHERE entity = ?1 AND row_id = ?2 AND user_id = ?3");
    if (!st) return false;
    db_bind_text(st, 1, entity, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, uid);
    bool ok = db_step(st) == DB_ROW;
    db_done(st);
    return ok;
}

/* The masked JSON of a match: name and owner only (R-CUS-9: phone and amounts hidden). */
static json_t *match_json(const Match *m) {
    return json_pack("{s:s, s:I, s:s, s:o, s:o, s:s, s:b}", "entity", m->entity, "id", (json_int_t)m->row_id, "name",
                     m->name ? m->name : "", "owner_id", m->owner_id ? json_integer(m->owner_id) : json_null(),
                     "owner_name", m->owner_name ? json_string(m->owner_name) : json_null(), "kind", m->kind, "in_pool",
                     m->owner_id == 0);
}

int collision_check(Req *r, const char *entity, int64_t self_id, json_t *rec, Err *e) {
    Match m[10];
    int n = collision_find(r, entity, self_id, rec, m, 10);
    if (n < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (n == 0) return 0;
    int64_t owner = json_integer_value(json_object_get(rec, "owner_id"));
    bool collision = false;
    json_t *coll = json_array(), *dups = json_array();
    Buf who;
    buf_init(&who, r->a);
    for (int i = 0; i < n; i++) {
        bool mine = owner && (m[i].owner_id == owner || shared_with(r, m[i].entity, m[i].row_id, owner));
        if (!mine) {
            collision = true;
            const char *nm = m[i].owner_id ? (m[i].owner_name ? m[i].owner_name : "?")
                                           : label_for(r->locale, "公海", "公海", "the public pool");
            if (!strstr(who.p ? who.p : "", nm)) buf_printf(&who, "%s%s", who.n ? "、" : "", nm);
        }
        json_array_append_new(mine ? dups : coll, match_json(&m[i]));
    }
    if (!collision && json_is_true(json_object_get(rec, "_allow_duplicate"))) {
        json_decref(coll);
        json_decref(dups);
        return 0;
    }
    if (collision) {
        err_set(e, 409, EC_COLLISION, NULL, "%s", who.p);
        json_array_extend(coll, dups);
        json_decref(dups);
    } else {
        err_set(e, 409, EC_DUP_FOUND, NULL, "%s", m[0].name ? m[0].name : "");
        json_decref(coll);
        coll = dups;
    }
    reply_json(r, 409, json_pack("{s:o, s:o}", "error", error_object(r, e), "matches", coll));
    return -1;
}

int collision_check_save(Req *r, const char *entity, json_t *rec, json_t *old, Err *e) {
    const char *const keys[] = {name_field(entity), "phone", "mobile", "email", "tax_id"};
    json_t *probe = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, probe);
    bool any = false;
    for (int i = 0; i < 5; i++) {
        json_t *v = json_object_get(rec, keys[i]), *was = old ? json_object_get(old, keys[i]) : NULL;
        if (!json_is_string(v) || (was && json_equal(v, was))) continue;
        json_object_set(probe, keys[i], v);
        any = true;
    }
    if (!any) return 0;
    json_object_set(probe, "owner_id",
                    json_object_get(rec, "owner_id") ? json_object_get(rec, "owner_id") : json_null());
    if (json_is_true(json_object_get(rec, "_allow_duplicate")))
        json_object_set_new(probe, "_allow_duplicate", json_true());
    return collision_check(r, entity, old ? json_integer_value(json_object_get(old, "id")) : 0, probe, e);
}

int collision_keys_store(Req *r, const char *entity, int64_t row_id, json_t *rec, Err *e) {
    Key keys[64];
    int n = keys_of(r->a, entity, rec, keys, 64);
    if (!strcmp(entity, "customers")) { /* the contacts' numbers and addresses count for their customer */
        Stmt *st = db_prepare(r->db, "SELECT phone, mobile, email FROM contacts WHERE customer_id = ?1 AND deleted_at "
                                     "IS NULL ORDER BY id LIMIT 40");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, row_id);
        int krc;
        while ((krc = db_step(st)) == DB_ROW) {
            for (int c = 0; c < 2; c++)
                if (!db_col_null(st, c)) key_add(keys, &n, 64, "phone", norm_phone(r->a, db_col_text(st, c)));
            if (!db_col_null(st, 2)) key_add(keys, &n, 64, "email", norm_email(r->a, db_col_text(st, 2)));
        }
        db_done(st);
        if (krc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* never store a customer's keys half */
    }
    /* only the keys that went are deleted and only those that came inserted: an update that changes
       no key writes nothing (deleting and inserting the same rows dirtied the same pages) */
    bool kept[64] = {false};
    Stmt *st = db_prepare(r->db, "SELECT kind, value FROM match_keys WHERE entity = ?1 AND row_id = ?2");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, entity, -1);
    db_bind_int64(st, 2, row_id);
    Key *gone = arena_alloc(r->a, 64 * sizeof *gone);
    int ngone = 0, rc;
    bool all_gone = false; /* more stored keys than a row makes: start again from none */
    while ((rc = db_step(st)) == DB_ROW) {
        const char *kind = db_col_text(st, 0), *value = db_col_text(st, 1);
        int i = 0;
        while (i < n && (strcmp(keys[i].kind, kind) || strcmp(keys[i].value, value)))
            i++;
        if (i < n)
            kept[i] = true;
        else if (ngone < 64)
            gone[ngone++] = (Key){arena_strdup(r->a, kind), arena_strdup(r->a, value)};
        else
            all_gone = true;
    }
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (all_gone) {
        ngone = 0;
        memset(kept, 0, sizeof kept);
        st = db_prepare(r->db, "DELETE FROM match_keys WHERE entity = ?1 AND row_id = ?2");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, entity, -1);
        db_bind_int64(st, 2, row_id);
        rc = db_step(st);
        db_done(st);
    }
    for (int i = 0; i < ngone + n && rc >= 0; i++) {
        bool del = i < ngone;
        const Key *k = del ? &gone[i] : &keys[i - ngone];
        if (!del && kept[i - ngone]) continue;
        st = db_prepare(r->db,
                        del ? "DELETE FROM match_keys WHERE entity = ?1 AND row_id = ?2 AND kind = ?3 AND value = ?4"
                            : "INSERT INTO match_keys(entity, row_id, kind, value) VALUES (?1, ?2, ?3, ?4)"
                              " ON CONFLICT DO NOTHING");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, entity, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_text(st, 3, k->kind, -1);
        db_bind_text(st, 4, k->value, -1);
        rc = db_step(st);
        db_done(st);
    }
    return rc < 0 ? err_set(e, 500, EC_INTERNAL, NULL, NULL) : 0;
}

/* Owner and the owner's unit of a live customer whose owner is an active user: 1 found,
   0 none (no such customer, in the pool, or owned by a departed rep), -1 error. */
static int referrer_owner(Req *r, int64_t customer_id, int64_t *owner, int64_t *unit) {
    Stmt *st =
        db_prepare(r->db, "SELECT c.owner_id, u.org_unit_id FROM customers c JOIN users u ON u.id = c.owner_id"
                          " WHERE c.id = ?1 AND c.deleted_at IS NULL AND u.deleted_at IS NULL AND u.disabled = 0");
    if (!st) return -1;
    db_bind_int64(st, 1, customer_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *owner = db_col_int64(st, 0);
        *unit = db_col_null(st, 1) ? 0 : db_col_int64(st, 1);
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

int referral_resolve(Req *r, json_t *rec, json_t *old, Err *e) {
    json_t *ref = json_object_get(rec, "referrer_customer_id");
    if (!json_is_integer(ref)) return 0;
    int64_t id = json_integer_value(ref);
    json_t *before = old ? json_object_get(old, "referrer_customer_id") : NULL;
    if (old && json_is_integer(before) && json_integer_value(before) == id) return 0; /* unchanged */
    int seen = entity_ref_ok(r, "customers", id);
    if (seen < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (old) return seen ? 0 : err_set(e, 400, EC_REF, "referrer_customer_id", NULL);
    if (!seen) {
        json_object_set_new(rec, "referrer_customer_id", json_null());
        int exists = entity_ref_exists(r, "customers", id);
        if (exists < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (exists) json_object_set_new(rec, "_referral", json_integer(id));
        return 0;
    }
    int64_t owner = 0, unit = 0;
    int rc = referrer_owner(r, id, &owner, &unit);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc == 1) {
        json_object_set_new(rec, "owner_id", json_integer(owner));
        if (unit) json_object_set_new(rec, "org_unit_id", json_integer(unit));
    }
    return 0;
}

int referral_claim_file(Req *r, const char *entity, json_t *rec, Err *e) {
    static const char zSql[] =
        "INSERT INTO collision_claims(version, owner_id, org_unit_id, state, number, target_entity, target_id,\n"
        "  target_owner_id, match_kind, reason, referrer_id, created_at, updated_at, created_by, updated_by)\n"
        " VALUES (1, ?1, ?2, 'pending', ?3, ?4, ?5, ?6, 'referral', ?7, ?8, ?9, ?9, ?10, ?10) RETURNING id";
    json_t *ref = json_object_get(rec, "_referral");
    if (!json_is_integer(ref)) return 0;
    int64_t referrer = json_integer_value(ref), claimant = 0, claimant_unit = 0;
    int rc = referrer_owner(r, referrer, &claimant, &claimant_unit);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    int64_t target = json_integer_value(json_object_get(rec, "id"));
    int64_t holder = json_integer_value(json_object_get(rec, "owner_id"));
    if (rc == 0 || claimant == holder) return 0;
    const char *number = doc_number_next(r, "CL", e);
    if (!number) return -1;
    const char *name = json_string_value(json_object_get(rec, !strcmp(entity, "leads") ? "company" : "name"));
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_t *unit = json_object_get(rec, "org_unit_id");
    db_bind_int64(st, 1, claimant);
    if (json_is_integer(unit))
        db_bind_int64(st, 2, json_integer_value(unit));
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, number, -1);
    db_bind_text(st, 4, entity, -1);
    db_bind_int64(st, 5, target);
    db_bind_int64(st, 6, holder);
    db_bind_text(st, 7, msg_make(r->a, "referral.claim_reason", NULL), -1);
    db_bind_int64(st, 8, referrer);
    db_bind_int64(st, 9, r->now);
    db_bind_int64(st, 10, r->user->id);
    int64_t cid = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!cid) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_t *changes = json_pack("{s:[n,s], s:[n,s], s:[n,I], s:[n,I], s:[n,I]}", "number", number, "match_kind",
                                "referral", "target_id", (json_int_t)target, "owner_id", (json_int_t)claimant,
                                "referrer_id", (json_int_t)referrer);
    if (audit_write(r, "collision_claims", cid, "create", changes) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    const char *title = msg_make(r->a, "referral.claim", "what",
                                 msg_make(r->a, !strcmp(entity, "leads") ? "what.lead" : "what.customer", NULL), "name",
                                 name ? name : "", "number", number, NULL);
    if (task_remind(r->db, claimant, "referral", "collision_claims", cid, title, 0,
                    arena_printf(r->a, "referral:claim:%lld", (long long)cid), r->now) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return 0;
}

/* ---------------------------------------------------------------- claims */

static const EnumVal claim_states[] = {
    {"pending", "待裁决", "待裁決", "Pending"},
    {"decided", "已裁决", "已裁決", "Decided"},
    {"withdrawn", "已撤回", "已撤回", "Withdrawn"},
    {NULL},
};

static const EnumVal target_entities[] = {
    {"customers", "客户", "客戶", "Customer"},
    {"leads", "线索", "線索", "Lead"},
    {NULL},
};

static const EnumVal match_kinds[] = {
    {"phone", "电话", "電話", "Phone"},           {"name", "公司名称", "公司名稱", "Company name"},
    {"tax_id", "税号", "稅號", "Tax id"},         {"email", "邮箱", "電子郵件", "Email"},
    {"referral", "转介绍", "轉介紹", "Referral"}, {NULL},
};

static const EnumVal decisions[] = {
    {"keep", "维持原负责人", "維持原負責人", "Keep"},
    {"transfer", "转给申诉人", "轉給申訴人", "Transfer"},
    {"share", "共享", "共享", "Share"},
    {NULL},
};

static const Field claim_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "申诉编号", "申訴編號",
     "Number"},
    {"target_entity", FT_ENUM, F_REQUIRED | F_CREATE_ONLY | F_LIST | F_FILTER, 0, 0, target_entities, NULL, NULL,
     "对象类型", "對象類型", "Record type"},
    {"target_id", FT_INT, F_REQUIRED | F_CREATE_ONLY | F_LIST | F_FILTER, 1, 9007199254740991, NULL, NULL, NULL,
     "对象编号", "對象編號", "Record id"},
    {"target_owner_id", FT_REF, F_READONLY | F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "users", NULL, "原负责人",
     "原負責人", "Owner"},
    {"match_kind", FT_ENUM, F_CREATE_ONLY | F_LIST | F_FILTER | F_NOINDEX, 0, 0, match_kinds, NULL, NULL, "撞单依据",
     "撞單依據", "Matched on"},
    {"reason", FT_LONGTEXT, F_REQUIRED | F_SEARCH | F_MESSAGE, 1, 2000, NULL, NULL, NULL, "申诉理由", "申訴理由",
     "Reason"},
    {"referrer_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "转介绍客户", "轉介紹客戶",
     "Referred by"},
    {"attempted", FT_LONGTEXT, F_CREATE_ONLY, 0, 20000, NULL, NULL, NULL, "拟建记录", "擬建記錄", "Attempted record"},
    {"decision", FT_ENUM, F_READONLY | F_LIST | F_FILTER | F_NOINDEX, 0, 0, decisions, NULL, NULL, "裁决", "裁決",
     "Decision"},
    {"decision_note", FT_LONGTEXT, F_READONLY, 0, 2000, NULL, NULL, NULL, "裁决说明", "裁決說明", "Decision note"},
    {"decided_by", FT_REF, F_READONLY | F_LIST | F_REF_KEEP, 0, 0, NULL, "users", NULL, "裁决人", "裁決人",
     "Decided by"},
    {"decided_at", FT_DATETIME, F_READONLY | F_LIST | F_SORT, 0, 0, NULL, NULL, NULL, "裁决时间", "裁決時間",
     "Decided at"},
    {NULL},
};

/* Owner, unit, unit path and name of a live customer/lead, whoever may see it. 0 ok, 1 missing, -1 error. */
static int target_info(Req *r, const char *entity, int64_t id, int64_t *owner, int64_t *unit, const char **path,
                       const char **name) {
    const char *sql =
        arena_printf(r->a,
                     "SELECT t.owner_id, t.org_unit_id, o.path, t.%s FROM %s t"
                     " LEFT JOIN org_units o ON o.id = t.org_unit_id WHERE t.id = ?1 AND t.deleted_at IS NULL",
                     name_field(entity), strcmp(entity, "leads") == 0 ? "leads" : "customers");
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *owner = db_col_null(st, 0) ? 0 : db_col_int64(st, 0);
        *unit = db_col_null(st, 1) ? 0 : db_col_int64(st, 1);
        if (path) *path = db_col_null(st, 2) ? NULL : arena_strdup(r->a, db_col_text(st, 2));
        if (name) *name = arena_strdup(r->a, db_col_text(st, 3));
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW ? 0 : 1;
}

/* A claim names a live record owned by someone else; the claim belongs to the unit of the
   record, so the managers over that unit (the arbitrators) see it, and the claimant owns it. */
static int claim_before_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (old) return 0;
    const char *te = rec_str(rec, "target_entity");
    int64_t tid = json_integer_value(json_object_get(rec, "target_id"));
    if (!te || !tid) return 0; /* field validation reported it */
    if (strcmp(te, "leads") == 0 && !entity_find("leads")) return err_set(e, 400, EC_REF, "target_id", NULL);
    int64_t owner, unit;
    int rc = target_info(r, te, tid, &owner, &unit, NULL, NULL);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc > 0) return err_set(e, 400, EC_REF, "target_id", NULL);
    int64_t me = r->user->id;
    json_object_set_new(rec, "owner_id", json_integer(me));
    if (owner == 0) return err_set(e, 409, EC_POOL_IN, "target_id", NULL);
    if (owner == me) return err_set(e, 409, EC_OWN_RECORD, "target_id", NULL);
    Stmt *st =
        db_prepare(r->db, "SELECT 1 FROM collision_claims WHERE target_entity = ?1 AND target_id = ?2 AND owner_id = ?3"
                          " AND state = 'pending' AND deleted_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, te, -1);
    db_bind_int64(st, 2, tid);
    db_bind_int64(st, 3, me);
    int drc = db_step(st);
    db_done(st);
    if (drc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* fail closed: no second claim on an error */
    if (drc == DB_ROW) return err_set(e, 409, EC_CLAIM_EXISTS, "target_id", NULL);
    json_object_set_new(rec, "target_owner_id", json_integer(owner));
    json_object_set_new(rec, "org_unit_id", unit ? json_integer(unit) : json_null());
    return 0;
}

/* The decision of a "decide" action: rec's (when the flow layer applied the inputs) or the body's. */
static const char *claim_decision(Req *r, json_t *rec, const char **note) {
    Err e2 = {0};
    json_t *body = r->body && r->body_len ? req_json(r, &e2) : NULL;
    const char *d = rec_str(rec, "decision");
    if (!d && body) d = rec_str(body, "decision");
    *note = rec_str(rec, "decision_note");
    if (!*note && body) *note = rec_str(body, "decision_note");
    if (!*note && body) *note = rec_str(body, "comment");
    return d;
}

/* Guard of "decide": a valid decision, and the deciding manager's unit contains the
   record's unit (SCOPE: a manager of another region does not arbitrate). */
static int claim_guard_decide(Req *r, const Entity *en, json_t *rec, Err *e) {
    const char *note;
    const char *d = claim_decision(r, rec, &note);
    if (!d) return err_set(e, 400, EC_REQUIRED, "decision", NULL);
    if (strcmp(d, "keep") && strcmp(d, "transfer") && strcmp(d, "share"))
        return err_set(e, 400, EC_ENUM, "decision", "keep, transfer, share");
    if (note && utf8_len(note, strlen(note)) > 2000) return err_set(e, 400, EC_TOO_LONG, "decision_note", "2000");
    if (flow_rec_int(rec, "owner_id") == r->user->id) /* nobody arbitrates their own claim */
        return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int64_t owner, unit;
    const char *path = NULL;
    int rc = target_info(r, rec_str(rec, "target_entity"), flow_rec_int(rec, "target_id"), &owner, &unit, &path, NULL);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc > 0) return err_set(e, 409, EC_GUARD, NULL, "target gone");
    const char *mine = r->user->org_path; /* a record outside any unit is the company's: any arbitrator */
    if (path && (!mine || strncmp(path, mine, strlen(mine)) != 0)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    return 0;
}

/* Set the referrer of a customer or lead upheld by a referral claim's decision (audited). */
static int referral_record(Req *r, const char *entity, int64_t id, int64_t referrer, Err *e) {
    const char *sql = arena_printf(r->a,
                                   "UPDATE %s SET referrer_customer_id = ?1, version = version + 1, updated_at = ?2,"
                                   " updated_by = ?3 WHERE id = ?4 AND deleted_at IS NULL",
                                   strcmp(entity, "leads") == 0 ? "leads" : "customers");
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, referrer);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, r->user->id);
    db_bind_int64(st, 4, id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (audit_write(r, entity, id, "referral", json_pack("{s:[n,I]}", "referrer_customer_id", (json_int_t)referrer)) <
        0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return 0;
}

/* Effect of "decide": apply keep / transfer / share to the record, record the decision,
   tell the claimant and the record's owner. */
static int claim_effect_decide(Req *r, const Entity *en, json_t *rec, Err *e) {
    const char *note;
    const char *d = arena_strdup(r->a, claim_decision(r, rec, &note));
    note = arena_strdup(r->a, note);
    const char *te = arena_strdup(r->a, rec_str(rec, "target_entity"));
    int64_t tid = flow_rec_int(rec, "target_id"), claimant = flow_rec_int(rec, "owner_id");
    int64_t owner = 0, unit = 0;
    const char *name = "";
    if (target_info(r, te, tid, &owner, &unit, NULL, &name) != 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!strcmp(d, "transfer")) {
        Stmt *st = db_prepare(r->db, "SELECT org_unit_id FROM users WHERE id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, claimant);
        int64_t cu = db_step(st) == DB_ROW && !db_col_null(st, 0) ? db_col_int64(st, 0) : unit;
        db_done(st);
        if (entity_set_owner(r, entity_find(te), tid, claimant, cu, "collision_transfer", e) < 0) return -1;
    } else if (!strcmp(d, "share")) {
        Stmt *st = db_prepare(
            r->db, "INSERT INTO shares(entity, row_id, user_id, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)"
                   " ON CONFLICT DO NOTHING");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, te, -1);
        db_bind_int64(st, 2, tid);
        db_bind_int64(st, 3, claimant);
        db_bind_int64(st, 4, r->now);
        db_bind_int64(st, 5, r->user->id);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (audit_write(r, te, tid, "collision_share", json_pack("{s:[n,I]}", "shared_with", (json_int_t)claimant)) < 0)
            return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    /* a referral the manager upholds (transfer or share) is recorded on the record */
    int64_t referrer = flow_rec_int(rec, "referrer_id");
    if (referrer && strcmp(d, "keep") && referral_record(r, te, tid, referrer, e) < 0) return -1;
    json_t *vals = json_pack("{s:s, s:I, s:I}", "decision", d, "decided_by", (json_int_t)r->user->id, "decided_at",
                             (json_int_t)r->now);
    json_object_set_new(vals, "decision_note", note ? json_string(note) : json_null());
    json_object_del(rec, "decision"); /* the flow layer may have applied it already: audit it anyway */
    int rc = entity_update_fields(r, en, rec, vals, "decision", e);
    json_decref(vals);
    if (rc < 0) return -1;
    const char *title =
        msg_make(r->a, "claim.decided", "number", rec_str(rec, "number") ? rec_str(rec, "number") : "", "decision",
                 msg_make(r->a,
                          !strcmp(d, "keep")       ? "claim.keep"
                          : !strcmp(d, "transfer") ? "claim.transfer"
                                                   : "claim.share",
                          NULL),
                 "name", name, NULL);
    int64_t cid = flow_rec_int(rec, "id");
    if (task_remind(r->db, claimant, "collision_decided", "collision_claims", cid, title, 0,
                    arena_printf(r->a, "collision:%lld:claimant", (long long)cid), r->now) < 0 ||
        (owner && owner != claimant &&
         task_remind(r->db, owner, "collision_decided", "collision_claims", cid, title, 0,
                     arena_printf(r->a, "collision:%lld:owner", (long long)cid), r->now) < 0))
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return 0;
}

static const Transition claim_transitions[] = {
    {.action = "decide",
     .from = "pending",
     .to = "decided",
     .roles = RB(SALES_MANAGER) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR),
     .guard = claim_guard_decide,
     .effect = claim_effect_decide,
     .zh = "裁决",
     .tw = "裁決",
     .en = "Decide",
     .inputs = "decision decision_note",
     .requires = "decision"},
    {.action = "withdraw",
     .from = "pending",
     .to = "withdrawn",
     .flags = T_OWNER,
     .zh = "撤回",
     .tw = "撤回",
     .en = "Withdraw"},
    {NULL},
};

static const Workflow claim_flow = {
    .initial = "pending",
    .states = claim_states,
    .final_states = "decided withdrawn",
    .transitions = claim_transitions,
    .editable_states = "pending",
};

/* A claim read on its own carries the disputed record's name (target_title): its reader knows it
   from the collision, even a claimant who may not open that record; null when it is gone. */
static void claim_decorate(Req *r, const Entity *en, json_t *row) {
    (void)en;
    const char *entity = json_string_value(json_object_get(row, "target_entity"));
    json_int_t id = json_integer_value(json_object_get(row, "target_id"));
    int64_t owner = 0, unit = 0;
    const char *path = NULL, *name = NULL;
    bool ok = entity && id > 0 && target_info(r, entity, id, &owner, &unit, &path, &name) == 0 && name;
    json_object_set_new(row, "target_title", ok ? json_string(name) : json_null());
}

static const Entity claims_entity = {
    .name = "collision_claims",
    .table = "collision_claims",
    .zh = "撞单申诉",
    .tw = "撞單申訴",
    .en = "Collision claims",
    .fields = claim_fields,
    .vis = VIS_OWNER,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &claim_flow,
    .before_save = claim_before_save,
    .decorate = claim_decorate,
    .tag = "customers",
    .number_prefix = "CL",
    .attachments = true,
};

/*
** GET /api/v1/collision_claims/targets?q=…&entity=customers|leads      writers of claims
** The records a claim may name, found as the collision control finds them: q is taken as a
** company name, phone, e-mail and tax id and matched on the normalised keys (never a substring,
** so no more is learnt than by trying to create the record), live rows owned by someone else
** only. Masked like a collision: {"items":[{entity,id,name,owner_id,owner_name,kind,in_pool}]}.
** 400 field.required q | field.too_long q | field.enum entity | 403 may not file claims
*/
static int claim_targets(Req *r, Err *e) {
    if (!entity_can_write(&claims_entity, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    const char *q = req_query(r, "q"), *only = req_query(r, "entity");
    if (only && *only && strcmp(only, "customers") && strcmp(only, "leads"))
        return err_set(e, 400, EC_ENUM, "entity", "customers leads");
    while (q && *q == ' ')
        q++;
    if (!q || !*q) return err_set(e, 400, EC_REQUIRED, "q", NULL);
    if (utf8_len(q, strlen(q)) > 200) return err_set(e, 400, EC_TOO_LONG, "q", "200");
    json_t *items = json_array();
    const char *const ents[] = {"customers", "leads"};
    for (int k = 0; k < 2; k++) {
        if (only && *only && strcmp(only, ents[k])) continue;
        json_t *probe = json_pack("{s:s, s:s, s:s, s:s}", name_field(ents[k]), q, "phone", q, "email", q, "tax_id", q);
        Match m[10];
        int n = collision_find(r, ents[k], 0, probe, m, 10);
        json_decref(probe);
        if (n < 0) {
            json_decref(items);
            return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        }
        for (int i = 0; i < n; i++) {
            if (strcmp(m[i].entity, ents[k]) || !m[i].owner_id || m[i].owner_id == r->user->id) continue;
            json_array_append_new(items, match_json(&m[i]));
        }
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* A pending claim waits for the managers who arbitrate it: in their work and the bell (issue 10). */
static const WaitingDecision claim_waiting = {"collision_claims", "decide"};

void collision_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/collision_claims/targets", claim_targets, 0, 0,
         "Records a collision claim may name (masked, found by name, phone, e-mail or tax id)", "customers"},
    };
    entity_register(&claims_entity);
    flow_decisions_declare(&claim_waiting);
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}

int collision_matches(Req *r, const Entity *en, json_t *rec, EntityMatch *out, int max) {
    return collision_find(r, en->name, 0, rec, out, max);
}
