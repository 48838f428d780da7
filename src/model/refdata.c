/*
** refdata.c — reference lists for controlled values (refdata.h): the in-memory copy of ref_codes,
** name matching for the import and the start-up migration of free text, and the picker API.
*/
#include "refdata.h"

#include <opencc.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"
#include "search.h"

typedef struct RefList {
    char *name;
    RefItem *items; /* sorted by code */
    int n;
} RefList;

#define REF_LISTS 8
static RefList lists[REF_LISTS];
static int nlists;

/* ---------------------------------------------------------------- names */

/* Characters left out when names are compared: spaces and the punctuation people put between
   the parts of a place ("江苏省 / 镇江市", "江苏-镇江", "（股份）" is not a place). */
static bool skipped(uint32_t c) {
    return c <= ' ' || c == 0x3000 || c == '/' || c == '-' || c == ',' || c == '.' || c == '|' || c == 0xB7 ||
           c == 0x3001 || c == 0xFF0C || c == 0xFF0F || c == 0x2014 || c == 0xFF0D || c == 0x30FB;
}

/* refdata_norm with its scratch memory in a: refdata_install normalises every row of the lists
   (~3,500) in one arena, where an arena each cost a 16 KB zeroed chunk per row at every start. */
static char *norm_in(Arena *a, const char *s) {
    const char *p = text_t2s(a, s ? s : "");
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    while (*p) {
        uint32_t c = utf8_decode_next(&p);
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0; /* full width -> half width */
        if (skipped(c)) continue;
        if (c >= 'A' && c <= 'Z') c += 32;
        buf_put_utf8(&b, c);
    }
    return strdup(b.p);
}

char *refdata_norm(const char *s) {
    Arena *a = arena_new();
    char *out = norm_in(a, s);
    arena_free(a);
    return out;
}

/* The suffixes a name is also known without ("镇江市" is "镇江"), longest first. */
static const char *const suffixes[] = {"特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                                       "自治县",     "自治旗",       "新区",       "地区",       "林区",   "省",
                                       "市",         "区",           "县",         "盟",         "旗",     NULL};

/* The short form of a normalised name (malloc'd), or NULL when it has none: a suffix taken off
   leaving at least two characters. Industries lose a final 业 ("纺织业" -> "纺织"). */
static char *short_key(const char *list, const char *key) {
    size_t len = strlen(key);
    const char *const *sx = suffixes;
    static const char *const ind[] = {"业", NULL};
    if (!strcmp(list, "industries")) sx = ind;
    for (; *sx; sx++) {
        size_t sl = strlen(*sx);
        if (len > sl && !strcmp(key + len - sl, *sx) && utf8_len(key, len - sl) >= 2) return strndup(key, len - sl);
    }
    return NULL;
}

/* City-level rows that only group districts: matching goes through them as if they were not there. */
static bool grouping(const RefItem *it) {
    return it->level == 2 && (!strcmp(it->name, "市辖区") || !strcmp(it->name, "县") ||
                              !strcmp(it->name, "省直辖县级行政区划") || !strcmp(it->name, "自治区直辖县级行政区划"));
}

/* ---------------------------------------------------------------- the lists */

static int by_code(const void *a, const void *b) {
    return strcmp(((const RefItem *)a)->code, ((const RefItem *)b)->code);
}

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

/* Free an item's strings but its list name (an installed list's items share it). */
static void item_free(RefItem *it) {
    const char *const ss[] = {it->code, it->parent,  it->name, it->tw,       it->en,
                              it->full, it->full_tw, it->key,  it->short_key};
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++)
        free((char *)ss[i]);
}

static void lists_free(void) {
    for (int i = 0; i < nlists; i++) {
        for (int k = 0; k < lists[i].n; k++)
            item_free(&lists[i].items[k]);
        free(lists[i].items);
        free(lists[i].name);
    }
    nlists = 0;
}

static RefList *list_get(const char *name) {
    for (int i = 0; i < nlists; i++)
        if (!strcmp(lists[i].name, name)) return &lists[i];
    return NULL;
}

int refdata_install(const RefItem *rows, int n) {
    static bool hooked;
    if (!hooked) {
        atexit(lists_free);
        hooked = true;
    }
    lists_free();
    Arena *scratch = arena_new();
    int rc = 0;
    for (int i = 0; i < n; i++) {
        RefList *l = list_get(rows[i].list);
        if (!l) {
            if (nlists == REF_LISTS) {
                rc = -1;
                break;
            }
            l = &lists[nlists++];
            *l = (RefList){strdup(rows[i].list), calloc((size_t)n, sizeof(RefItem)), 0};
            if (!l->name || !l->items) {
                rc = -1;
                break;
            }
        }
        RefItem *it = &l->items[l->n++];
        const RefItem *s = &rows[i];
        *it = (RefItem){l->name,         dup0(s->code), dup0(s->parent), s->level,
                        dup0(s->name),   dup0(s->tw),   dup0(s->en),     dup0(s->full ? s->full : s->name),
                        dup0(s->full_tw)};
        it->key = norm_in(scratch, it->name);
        it->short_key = short_key(l->name, it->key);
    }
    arena_free(scratch);
    if (rc) return rc;
    for (int i = 0; i < nlists; i++)
        qsort(lists[i].items, (size_t)lists[i].n, sizeof(RefItem), by_code);
    return 0;
}

bool refdata_list_known(const char *list) { return list && list_get(list) != NULL; }

int refdata_levels(const char *list) {
    RefList *l = list ? list_get(list) : NULL;
    int n = 0;
    for (int i = 0; l && i < l->n; i++)
        if (l->items[i].level > n) n = l->items[i].level;
    return n;
}

const RefItem *refdata_find(const char *list, const char *code) {
    RefList *l = list ? list_get(list) : NULL;
    if (!l || !code) return NULL;
    RefItem key = {.code = code};
    return bsearch(&key, l->items, (size_t)l->n, sizeof(RefItem), by_code);
}

const char *refdata_label(const RefItem *it, const char *locale) {
    if (locale && !strcmp(locale, "en") && it->en) return it->en;
    if (locale && !strcmp(locale, "zh-TW") && it->full_tw) return it->full_tw;
    return it->full;
}

const char *refdata_text(const char *list, const char *code, const char *locale) {
    const RefItem *it = refdata_find(list, code);
    return it ? refdata_label(it, locale) : code;
}

static void below(const RefList *l, const char *code, const RefItem **out, int max, int *n, bool *nested) {
    for (int i = 0; i < l->n; i++) {
        const RefItem *it = &l->items[i];
        if (!it->parent || strcmp(it->parent, code) != 0) continue;
        if (*n < max) out[*n] = it;
        (*n)++;
        if (strncmp(it->code, code, strlen(code)) != 0) *nested = false;
        below(l, it->code, out, max, n, nested);
    }
}

int refdata_below(const char *list, const char *code, const RefItem **out, int max, bool *nested) {
    RefList *l = list ? list_get(list) : NULL;
    int n = 0;
    *nested = true;
    if (l) below(l, code, out, max, &n, nested);
    return n;
}

/* ---------------------------------------------------------------- matching */

typedef struct Found {
    const RefItem *it[4]; /* distinct items matched (more than one: ambiguous) */
    int n;
} Found;

static void found_add(Found *f, const RefItem *it) {
    for (int i = 0; i < f->n; i++)
        if (f->it[i] == it) return;
    if (f->n < 4) f->it[f->n++] = it;
}

static void consume(const RefList *l, const char *parent, const char *rest, Found *f);

/* Does rest begin with item it (its name or short form)? Then go on below it. */
static void consume_item(const RefList *l, const RefItem *it, const char *rest, Found *f) {
    const char *keys[2] = {it->key, it->short_key};
    for (int k = 0; k < 2; k++) {
        size_t kl = keys[k] ? strlen(keys[k]) : 0;
        if (!kl || strncmp(rest, keys[k], kl) != 0) continue;
        if (!rest[kl])
            found_add(f, it);
        else
            consume(l, it->code, rest + kl, f);
    }
}

/* The items below parent that rest names, whole. */
static void consume(const RefList *l, const char *parent, const char *rest, Found *f) {
    for (int i = 0; i < l->n; i++) {
        const RefItem *it = &l->items[i];
        if (!it->parent || strcmp(it->parent, parent) != 0) continue;
        if (grouping(it)) consume(l, it->code, rest, f);
        consume_item(l, it, rest, f);
    }
}

const RefItem *refdata_match(const char *list, const char *text, bool *ambiguous) {
    if (ambiguous) *ambiguous = false;
    RefList *l = list ? list_get(list) : NULL;
    if (!l || !text) return NULL;
    char *key = refdata_norm(text);
    const RefItem *hit = NULL;
    Found f = {0};
    if (!*key) goto done;
    /* a code as it is ("3211"), or an industry's 门类 letter before its 大类 ("C34") */
    char *upper = strdup(key);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    hit = refdata_find(list, upper);
    if (!hit && upper[0] >= 'A' && upper[0] <= 'Z' && upper[1] >= '0' && upper[1] <= '9') {
        hit = refdata_find(list, upper + 1);
        if (hit && (!hit->parent || upper[0] != hit->parent[0])) hit = NULL;
    }
    free(upper);
    if (hit) goto done;
    /* a path from the top, else one starting at a lower level (a city on its own) */
    for (int level = 1; level <= 3 && !f.n; level++)
        for (int i = 0; i < l->n; i++)
            if (l->items[i].level == level) consume_item(l, &l->items[i], key, &f);
    if (f.n == 1) hit = f.it[0];
    if (f.n > 1 && ambiguous) *ambiguous = true;
done:
    free(key);
    return hit;
}

/* ---------------------------------------------------------------- loading */

/* Free the strings of n items (not the key fields of an installed list: lists_free does those). */
static void items_free(RefItem *rows, int n) {
    for (int i = 0; i < n; i++) {
        free((char *)rows[i].list);
        item_free(&rows[i]);
    }
    free(rows);
}

/* Read ref_codes rows (the columns of RefItem from list to full_tw) into *out (items_free). The
   count, or -1 on a database error or when memory runs out. */
static int read_items(Db *db, const char *sql, RefItem **out) {
    *out = NULL;
    Stmt *st = db_prepare(db, sql);
    if (!st) return -1;
    RefItem *rows = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            RefItem *g = realloc(rows, (size_t)(cap = cap ? cap * 2 : 1024) * sizeof(RefItem));
            if (!g) {
                rc = -1;
                break;
            }
            rows = g;
        }
        rows[n++] = (RefItem){dup0(db_col_text(st, 0)), dup0(db_col_text(st, 1)), dup0(db_col_text(st, 2)),
                              (int)db_col_int64(st, 3), dup0(db_col_text(st, 4)), dup0(db_col_text(st, 5)),
                              dup0(db_col_text(st, 6)), dup0(db_col_text(st, 7)), dup0(db_col_text(st, 8))};
    }
    db_done(st);
    if (rc < 0) {
        items_free(rows, n);
        return -1;
    }
    *out = rows;
    return n;
}

/* Fill the zh-TW names the migration left NULL (OpenCC s2twp, once). 0 or -1. */
static int fill_tw(Db *db) {
    RefItem *rows;
    int n = read_items(db,
                       "SELECT list, code, parent, level, name, name_tw, name_en, full_name, full_tw"
                       " FROM ref_codes WHERE name_tw IS NULL",
                       &rows);
    if (n <= 0) return n;
    opencc_t cc = opencc_open("s2twp.json");
    if (cc == (opencc_t)-1) {
        log_warn("OpenCC s2twp.json cannot be opened; zh-TW shows zh-CN names");
        items_free(rows, n);
        return 0;
    }
    int ret = db_begin(db);
    for (int i = 0; i < n && ret == 0; i++) {
        char *tw = opencc_convert_utf8(cc, rows[i].name, strlen(rows[i].name));
        char *ftw = opencc_convert_utf8(cc, rows[i].full, strlen(rows[i].full));
        Stmt *u = db_prepare(db, "UPDATE ref_codes SET name_tw = ?1, full_tw = ?2 WHERE list = ?3 AND code = ?4");
        if (u && tw && ftw) {
            db_bind_text(u, 1, tw, -1);
            db_bind_text(u, 2, ftw, -1);
            db_bind_text(u, 3, rows[i].list, -1);
            db_bind_text(u, 4, rows[i].code, -1);
            if (db_step(u) < 0) ret = -1;
        } else {
            ret = -1;
        }
        if (u) db_done(u);
        if (tw) opencc_convert_utf8_free(tw);
        if (ftw) opencc_convert_utf8_free(ftw);
    }
    if (ret == 0)
        ret = db_commit(db) < 0 ? -1 : 0;
    else
        db_rollback(db);
    opencc_close(cc);
    items_free(rows, n);
    return ret;
}

int refdata_load(Db *db) {
    if (fill_tw(db) < 0) {
        log_error("reference lists: the zh-TW names cannot be written");
        return -1;
    }
    RefItem *rows;
    int n = read_items(db,
                       "SELECT list, code, parent, level, name, name_tw, name_en, full_name, full_tw"
                       " FROM ref_codes ORDER BY list, code",
                       &rows);
    int ret = n < 0 ? -1 : refdata_install(rows, n);
    if (n > 0) items_free(rows, n);
    if (ret < 0) log_error("reference lists cannot be loaded");
    return ret;
}

/* The rows of en whose field f holds a value that is not a code of its list: mapped or moved. */
static int fix_field(Db *db, Arena *a, const Entity *en, const Field *f) {
    const Field *keep = entity_field(en, arena_printf(a, "%s_text", f->name));
    Stmt *st = db_prepare(db, arena_printf(a,
                                           "SELECT t.id, t.%s FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS"
                                           " (SELECT 1 FROM ref_codes c WHERE c.list = ?1 AND c.code = t.%s)",
                                           f->name, en->table, f->name, f->name));
    if (!st) return -1;
    db_bind_text(st, 1, f->ref, -1);
    json_t *todo = json_object();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_object_set_new(todo, arena_printf(a, "%lld", (long long)db_col_int64(st, 0)),
                            json_string(db_col_text(st, 1) ? db_col_text(st, 1) : ""));
    db_done(st);
    int ret = rc < 0 ? -1 : 0, mapped = 0, kept = 0;
    const char *k;
    json_t *v;
    json_object_foreach(todo, k, v) {
        if (ret < 0) break;
        const RefItem *it = refdata_match(f->ref, json_string_value(v), NULL);
        const char *sql =
            it     ? arena_printf(a, "UPDATE %s SET %s = ?2 WHERE id = ?1", en->table, f->name)
            : keep ? arena_printf(a, "UPDATE %s SET %s = NULL, %s_text = ?2 WHERE id = ?1", en->table, f->name, f->name)
                   : arena_printf(a, "UPDATE %s SET %s = NULL WHERE id = ?1", en->table, f->name);
        Stmt *u = db_prepare(db, sql);
        if (!u) {
            ret = -1;
            break;
        }
        db_bind_int64(u, 1, strtoll(k, NULL, 10));
        if (it || keep) db_bind_text(u, 2, it ? it->code : json_string_value(v), -1);
        if (db_step(u) < 0) ret = -1;
        db_done(u);
        if (ret == 0 && search_index_row(db, a, en, strtoll(k, NULL, 10)) < 0) ret = -1;
        it ? mapped++ : kept++;
    }
    if (json_object_size(todo))
        log_info("%s.%s: %d free-text values mapped to codes, %d without a match %s%s", en->name, f->name, mapped, kept,
                 keep ? "kept in " : "emptied", keep ? keep->name : "");
    json_decref(todo);
    return ret;
}

int refdata_fix_values(Db *db) {
    int n;
    const Entity *const *all = entity_all(&n);
    Arena *a = arena_new();
    int ret = db_begin(db);
    for (int i = 0; i < n && ret == 0; i++)
        for (const Field *f = all[i]->fields; f->name && ret == 0; f++)
            if (f->type == FT_CODE && !(f->flags & F_VIRTUAL)) ret = fix_field(db, a, all[i], f);
    if (ret == 0)
        ret = db_commit(db) < 0 ? -1 : 0;
    else
        db_rollback(db);
    arena_free(a);
    if (ret < 0) log_error("reference lists: stored values cannot be mapped to codes");
    return ret;
}

/* ---------------------------------------------------------------- API */

static json_t *item_json(Req *r, const RefItem *it) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "code", it->code, "name",
                          label_for(r->locale, it->name, it->tw ? it->tw : it->name, it->en ? it->en : it->name),
                          "label", refdata_label(it, r->locale), "level", it->level);
    json_object_set_new(o, "parent", it->parent ? json_string(it->parent) : json_null());
    bool leaf = true;
    RefList *l = list_get(it->list);
    for (int i = 0; i < l->n && leaf; i++)
        leaf = !l->items[i].parent || strcmp(l->items[i].parent, it->code) != 0;
    json_object_set_new(o, "leaf", json_boolean(leaf));
    return o;
}

static RefList *route_list(Req *r, Err *e) {
    RefList *l = list_get(r->params[0]);
    if (!l) err_set(e, 404, EC_NOT_FOUND, "list", "%s", "no such reference list");
    return l;
}

/*
** GET /api/v1/refdata/:list?parent=CODE | ?q=TEXT | ?depth=1|2     roles: any signed-in user
** 200 {"items":[{"code","name","label","level","parent","leaf"}]}: the top level (no parameter; with
** depth=2 the level below as well, in code order), the children of parent, or up to 50 items whose
** name, short name, code or English name contains q (top levels first) | 400 field.code parent,
** field.range depth | 404 route.not_found (no such list)
*/
static int refdata_list(Req *r, Err *e) {
    RefList *l = route_list(r, e);
    if (!l) return -1;
    const char *parent = req_query(r, "parent"), *q = req_query(r, "q");
    if (parent && *parent && !refdata_find(l->name, parent)) return err_set(e, 400, EC_CODE, "parent", "%s", l->name);
    json_t *items = json_array();
    if (q && *q) {
        if (utf8_len(q, strlen(q)) > 50) {
            json_decref(items);
            return err_set(e, 400, EC_TOO_LONG, "q", "50");
        }
        char *nq = refdata_norm(q);
        for (int level = 1; level <= 3; level++)
            for (int i = 0; i < l->n && json_array_size(items) < 50; i++) {
                const RefItem *it = &l->items[i];
                if (it->level != level || grouping(it)) continue;
                if (strstr(it->key, nq) || strstr(it->code, q) || (it->en && strcasestr(it->en, q)))
                    json_array_append_new(items, item_json(r, it));
            }
        free(nq);
    } else {
        const char *ds = req_query(r, "depth");
        int depth = ds && *ds ? atoi(ds) : 1;
        if (depth < 1 || depth > 2 || (ds && strlen(ds) != 1)) {
            json_decref(items);
            return err_set(e, 400, EC_RANGE, "depth", "1..2");
        }
        for (int i = 0; i < l->n; i++) {
            const RefItem *it = &l->items[i];
            bool hit = parent && *parent ? it->parent && !strcmp(it->parent, parent) : it->level <= depth;
            if (hit) json_array_append_new(items, item_json(r, it));
        }
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** GET /api/v1/refdata/:list/:code                        roles: any signed-in user
** 200 {"code","name","label","level","parent","leaf","path":[{"code","name"}, ...]} (path from the
** top down to the item) | 404 not_found
*/
static int refdata_get(Req *r, Err *e) {
    RefList *l = route_list(r, e);
    if (!l) return -1;
    const RefItem *it = refdata_find(l->name, r->params[1]);
    if (!it) return err_set(e, 404, EC_NOT_FOUND, "code", "%s", "no such code");
    json_t *o = item_json(r, it);
    json_t *path = json_array();
    for (const RefItem *p = it; p; p = p->parent ? refdata_find(l->name, p->parent) : NULL)
        json_array_insert_new(
            path, 0,
            json_pack("{s:s, s:s}", "code", p->code, "name",
                      label_for(r->locale, p->name, p->tw ? p->tw : p->name, p->en ? p->en : p->name)));
    json_object_set_new(o, "path", path);
    return reply_json(r, 200, o);
}

void refdata_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/refdata/:list", refdata_list, 0, 0,
         "A reference list's items: the top, the children of ?parent=, or a search ?q=", "meta"},
        {"GET", "/api/v1/refdata/:list/:code", refdata_get, 0, 0, "One item of a reference list, with its path",
         "meta"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
