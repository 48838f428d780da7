/*
** import.c — import of declared entities from CSV and XLSX (R-INT-2), the
** mirror image of export.c. An entity opts in with `importable` in its
** declaration. The file's header row is mapped to fields (by name or label
** in any of the three languages, or by an explicit mapping), every cell is
** read as its field's type, and every row is created through
** entity_create_row — the same validation, defaults, hooks and audit as
** POST. A dry run does all of it inside a transaction that is always rolled
** back; an import commits only when every row passed (or, on request, the
** valid rows only). Large files run as a job of the background queue
** (jobs.h, kind "import": the upload waits in the data folder until its run);
** small ones in the request, recorded in the same `jobs` table. Progress and
** cancellation go through job_progress, checked on every row: a cancelled
** import rolls back like a failed one.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/errcodes.h"
#include "attach.h"
#include "calendar.h"
#include "import.h"
#include "jobs.h"
#include "model.h"

/* collision.c belongs to the customers module: use it when it is linked in. */

#define SYNC_MAX_ROWS 1000 /* files up to this many rows answer at once, larger ones run as a job */
#define REPORT_MAX 1000    /* errors / duplicates listed in a report (all are counted) */

bool entity_importable(const Entity *en) { return en->importable; }

/* ---------------------------------------------------------------- jobs */

/* What one column of the file goes to. */
typedef struct ColMap {
    const char *header; /* header text as in the file (trimmed), "" when none */
    const Field *f;     /* target field, or NULL */
    bool owner;         /* the column names the owner (owner_id) */
} ColMap;

/* One import or dry run, from the upload to its report. Lives in its own arena
   (not the request's), so a background run can outlive the request. */
typedef struct ImportJob {
    Arena *a;   /* owns the table's cells and the strings below; freed by job_free */
    ImpTable t; /* rows[0] is the header row */
    const Entity *en;
    int64_t id;     /* jobs.id */
    JobRun *jr;     /* the queue's run (progress, cancel); NULL in a request */
    bool cancelled; /* the owner cancelled the run */
    bool dry_run;   /* roll back at the end, whatever happened */
    bool partial;   /* mode=valid: commit the valid rows even when others failed */
    bool allow_dup; /* allow_duplicates=1: rows carry "_allow_duplicate" (own duplicates pass, R-CUS-3) */
    User user;      /* the importing user (strings in a) */
    const char *locale, *client_addr, *request_id, *filename;
    ColMap *cols; /* t.maxcols entries */
    int ncols;
    json_t *mapping;   /* {"header": "field"|null} as applied (owned) */
    json_t *columns;   /* [{"index","header","field","label"}] (owned) */
    int64_t total;     /* data rows */
    int64_t processed; /* rows done so far */
    const char *state; /* queued | running | done | failed (static strings) */
    int64_t created_at;
    /* the run's findings */
    json_t *errors, *dups; /* listed entries (owned) */
    json_t *failed;        /* [{"row", "cells": [text, ...]}] of the rows with an error (owned) */
    const char *expected;  /* a value's expected form for the next error listed ("1234.56"), or NULL */
    int64_t nerr, ndup, invalid, valid;
    json_t *refcache; /* "entity\x1fvalue" -> id (> 0), 0 none, -1 several */
    json_t *seen;     /* unique values seen in the file: "field\x1fvalue" -> row */
    json_t *created;  /* ids created by this run: "id" -> row */
    json_t *result;   /* the report once finished (owned) */
} ImportJob;

static void job_free(ImportJob *j) {
    if (!j) return;
    imp_table_free(&j->t);
    json_decref(j->mapping);
    json_decref(j->columns);
    json_decref(j->errors);
    json_decref(j->dups);
    json_decref(j->failed);
    json_decref(j->refcache);
    json_decref(j->seen);
    json_decref(j->created);
    json_decref(j->result);
    Arena *a = j->a;
    free(j);
    arena_free(a);
}

/* ---------------------------------------------------------------- text helpers */

/* Is s[0..) a Unicode space we trim: ASCII space/tab/CR/LF, NBSP, ideographic space? Bytes or 0. */
static int space_len(const unsigned char *s) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0) return 2;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;
    return 0;
}

/* s without leading and trailing spaces (an arena copy when it changes). */
static const char *trim(Arena *a, const char *s) {
    int k;
    while ((k = space_len((const unsigned char *)s)))
        s += k;
    size_t n = strlen(s);
    while (n > 0) {
        if (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')
            n--;
        else if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0)
            n -= 2;
        else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
                 (unsigned char)s[n - 1] == 0x80)
            n -= 3;
        else
            break;
    }
    return s[n] ? arena_strndup(a, s, n) : s;
}

/* Header or label made comparable: no spaces, _ - * or colons; ASCII lower case. */
static const char *norm_key(Arena *a, const char *s) {
    Buf b;
    buf_init(&b, a);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int k = space_len(p);
        if (k) {
            p += k;
            continue;
        }
        if (*p == '_' || *p == '-' || *p == '*' || *p == ':') {
            p++;
            continue;
        }
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x9A) { /* full-width colon */
            p += 3;
            continue;
        }
        buf_putc(&b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
        p++;
    }
    return b.p ? b.p : "";
}

static bool same_key(Arena *a, const char *x, const char *y) {
    return x && y && strcmp(norm_key(a, x), norm_key(a, y)) == 0;
}

/* ASCII case-insensitive equality. */
static bool eq_nocase(const char *x, const char *y) { return x && y && strcasecmp(x, y) == 0; }

/*
** Decimal text to an integer scaled by 10^scale: "1,234.5" scale 2 -> 123450.
** commas: thousands separators allowed; exp: an exponent allowed (XLSX numbers);
** round: extra decimals rounded half away from zero, else refused. 0 ok, -1 not a number.
*/
static int decimal_scaled(const char *s, int scale, bool commas, bool exp, bool round, int64_t *out) {
    char digits[64];
    int nd = 0, point = -1, e10 = 0;
    bool neg = false;
    const char *p = s;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (!*p) return -1;
    bool any = false;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nd == (int)sizeof digits - 1) return -1;
            if (nd == 0 && *p == '0' && point < 0) { /* leading zeros */
                any = true;
                continue;
            }
            digits[nd++] = *p;
            any = true;
        } else if (*p == '.' && point < 0) {
            point = nd;
        } else if (*p == ',' && commas && point < 0 && any) {
            continue;
        } else if ((*p == 'e' || *p == 'E') && exp && any) {
            int64_t x;
            if (str_to_int64(p[1] == '+' ? p + 2 : p + 1, &x) != 0 || x < -40 || x > 40) return -1;
            e10 = (int)x;
            break;
        } else {
            return -1;
        }
    }
    if (!any) return -1;
    if (point < 0) point = nd;
    /* value = 0.digits * 10^(point + e10); we want round(value * 10^scale) */
    int keep = point + e10 + scale; /* digits before the cut */
    int64_t v = 0;
    for (int i = 0; i < keep; i++) {
        int d = i < nd ? digits[i] - '0' : 0;
        if (v > (INT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (keep < 0) keep = 0;
    bool rest = false;
    for (int i = keep; i < nd; i++)
        if (digits[i] != '0') rest = true;
    if (rest && !round) return -1;
    if (rest && keep < nd && digits[keep] >= '5') {
        if (v == INT64_MAX) return -1;
        v++;
    }
    *out = neg ? -v : v;
    return 0;
}

/* Date text in the ways people type it: 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105;
   a time after it is ignored. "YYYY-MM-DD" into out[11], or -1. */
static int date_text(const char *s, char out[11]) {
    int y = 0, m = 0, d = 0, n = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9' && n < 8)
        y = y * 10 + (*p++ - '0'), n++;
    if (n == 8 && (!*p || *p == ' ' || *p == 'T')) { /* 20260105 */
        d = y % 100;
        m = y / 100 % 100;
        y /= 10000;
    } else {
        if (n != 4) return -1;
        const char *seps[] = {"-", "/", ".", "\xE5\xB9\xB4" /* 年 */};
        int k;
        for (k = 0; k < 4 && strncmp(p, seps[k], strlen(seps[k])) != 0; k++) {
        }
        if (k == 4) return -1;
        p += strlen(seps[k]);
        for (n = 0; *p >= '0' && *p <= '9' && n < 2; n++)
            m = m * 10 + (*p++ - '0');
        if (!n) return -1;
        const char *sep2 = k == 3 ? "\xE6\x9C\x88" /* 月 */ : seps[k];
        if (strncmp(p, sep2, strlen(sep2)) != 0) return -1;
        p += strlen(sep2);
        for (n = 0; *p >= '0' && *p <= '9' && n < 2; n++)
            d = d * 10 + (*p++ - '0');
        if (!n) return -1;
        if (k == 3 && (strncmp(p, "\xE6\x97\xA5", 3) == 0 || strncmp(p, "\xE5\x8F\xB7", 3) == 0)) p += 3; /* 日 号 */
        if (*p && *p != ' ' && *p != 'T') return -1;
    }
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    int yy, mm, dd;
    return date_parse(out, &yy, &mm, &dd) == 0 ? 0 : -1;
}

/* "YYYY-MM-DD[ T]HH:MM[:SS]" in the company's zone (tzmin minutes east of UTC) -> epoch
   seconds; -1 when malformed. */
static int datetime_text(const char *s, int tzmin, int64_t *out) {
    char d[11];
    if (date_text(s, d) != 0) return -1;
    const char *p = strpbrk(s, " T");
    int h = 0, mi = 0, se = 0;
    if (p) {
        while (*p == ' ' || *p == 'T')
            p++;
        if (*p && sscanf(p, "%2d:%2d:%2d", &h, &mi, &se) < 2) return -1;
        if (h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0) return -1;
    }
    int y, m, dd;
    date_parse(d, &y, &m, &dd);
    *out = epoch_of_date(y, m, dd, tzmin) + h * 3600 + mi * 60 + se;
    return 0;
}

/* ---------------------------------------------------------------- mapping */

/* May a client's file set this field? (declared, writable on create, not computed) */
static bool field_importable(const Entity *en, const Field *f) {
    if (f->flags & (F_READONLY)) return false;
    if (f->type == FT_ROLES) return false;
    if (en->number_prefix && strcmp(f->name, "number") == 0) return false;
    /* the free text an FT_CODE field held before it took codes (<field>_text, refdata.h): an import
       gives the field itself, by name */
    size_t n = strlen(f->name);
    char base[64];
    if (n > 5 && n < sizeof base && !strcmp(f->name + n - 5, "_text")) {
        memcpy(base, f->name, n - 5);
        base[n - 5] = 0;
        const Field *c = entity_field(en, base);
        if (c && c->type == FT_CODE) return false;
    }
    return true;
}

/* Header names of the owner column, besides "owner_id". */
static bool is_owner_header(Arena *a, const char *h) {
    static const char *const names[] = {"owner_id", "owner", "负责人", "負責人", "所有人", "归属人", "歸屬人", NULL};
    for (int i = 0; names[i]; i++)
        if (same_key(a, h, names[i])) return true;
    return false;
}

/* The field a header names (field name or a label in zh-CN, zh-TW or en), or NULL. */
static const Field *field_for_header(Arena *a, const Entity *en, const char *h) {
    const char *k = norm_key(a, h);
    if (!*k) return NULL;
    for (const Field *f = en->fields; f->name; f++) {
        if (!field_importable(en, f)) continue;
        if (!strcmp(k, norm_key(a, f->name)) || (f->zh && !strcmp(k, norm_key(a, f->zh))) ||
            (f->tw && !strcmp(k, norm_key(a, f->tw))) || (f->en && !strcmp(k, norm_key(a, f->en))))
            return f;
    }
    return NULL;
}

/*
** Map the header row to fields: the explicit mapping first ({"header or
** 1-based column number": "field" | null}), then the other columns by name or
** label. Fills j->cols, j->mapping, j->columns. -1 with e (400) when the
** mapping names a column or field that does not exist, or a required field
** gets no column.
*/
static int mapping_build(ImportJob *j, Req *r, json_t *explicit_map, Err *e) {
    const Entity *en = j->en;
    Arena *a = j->a;
    ImpRow *hdr = &j->t.rows[0];
    j->ncols = j->t.maxcols;
    j->cols = arena_alloc(a, (size_t)(j->ncols ? j->ncols : 1) * sizeof *j->cols);
    bool *fixed = arena_alloc(a, (size_t)(j->ncols ? j->ncols : 1));
    for (int i = 0; i < j->ncols; i++)
        j->cols[i].header = i < hdr->n ? trim(a, hdr->c[i].s) : "";
    const char *k;
    json_t *v;
    json_object_foreach(explicit_map, k, v) {
        int col = -1;
        for (int i = 0; i < j->ncols && col < 0; i++)
            if (strcmp(j->cols[i].header, trim(a, k)) == 0) col = i;
        int64_t idx;
        if (col < 0 && str_to_int64(k, &idx) == 0 && idx >= 1 && idx <= j->ncols) col = (int)idx - 1;
        if (col < 0) return err_set(e, 400, EC_IMPORT_MAPPING, "mapping", "no column \"%.80s\"", k);
        fixed[col] = true;
        if (json_is_null(v) || (json_is_string(v) && !json_string_length(v))) continue; /* column ignored */
        const char *fname = json_string_value(v);
        if (!fname) return err_set(e, 400, EC_IMPORT_MAPPING, "mapping", "\"%.80s\": field name expected", k);
        if (!strcmp(fname, "owner_id")) {
            j->cols[col].owner = true;
            continue;
        }
        const Field *f = entity_field(en, fname);
        if (!f || !field_importable(en, f))
            return err_set(e, 400, EC_IMPORT_MAPPING, "mapping", "field \"%.80s\" cannot be imported", fname);
        j->cols[col].f = f;
    }
    for (int i = 0; i < j->ncols; i++) {
        if (fixed[i] || !j->cols[i].header[0]) continue;
        if (is_owner_header(a, j->cols[i].header))
            j->cols[i].owner = true;
        else
            j->cols[i].f = field_for_header(a, en, j->cols[i].header);
    }
    /* one column per field: a later column naming a taken field is ignored */
    for (int i = 0; i < j->ncols; i++)
        for (int k2 = 0; k2 < i; k2++) {
            bool dup_f = j->cols[i].f && j->cols[i].f == j->cols[k2].f;
            bool dup_o = j->cols[i].owner && j->cols[k2].owner;
            if (dup_f || dup_o) {
                if (fixed[i] && fixed[k2])
                    return err_set(e, 400, EC_IMPORT_MAPPING, "mapping", "field \"%s\" is mapped twice",
                                   dup_o ? "owner_id" : j->cols[i].f->name);
                int drop = fixed[i] ? k2 : i;
                j->cols[drop].f = NULL;
                j->cols[drop].owner = false;
            }
        }
    j->mapping = json_object();
    j->columns = json_array();
    for (int i = 0; i < j->ncols; i++) {
        const ColMap *c = &j->cols[i];
        const char *fname = c->owner ? "owner_id" : c->f ? c->f->name : NULL;
        const char *label = c->owner ? label_for(r->locale, "负责人", "負責人", "Owner")
                            : c->f   ? field_label(r, c->f)
                                     : NULL;
        json_array_append_new(j->columns, json_pack("{s:i, s:s, s:s?, s:s?}", "index", i + 1, "header", c->header,
                                                    "field", fname, "label", label));
        const char *key = c->header[0] ? c->header : arena_printf(a, "%d", i + 1);
        json_object_set_new(j->mapping, key, fname ? json_string(fname) : json_null());
    }
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_REQUIRED) || f->def || !field_importable(en, f)) continue;
        bool found = false;
        for (int i = 0; i < j->ncols && !found; i++)
            found = j->cols[i].f == f;
        if (!found) {
            err_set(e, 400, EC_IMPORT_MISSING, f->name, NULL);
            e->label = field_label(r, f);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- cells to values */

/* Fill e for field f (code, detail) and return -1. */
static int cell_fail(Req *r, const Field *f, Err *e, const char *code, const char *detail) {
    err_set(e, 400, code, f ? f->name : "owner_id", "%s", detail ? detail : "");
    e->label = f ? field_label(r, f) : label_for(r->locale, "负责人", "負責人", "Owner");
    return -1;
}

/* A cell whose text cannot be read as the field's type (field.format): the message quotes the cell as it is in the file
   ("abc元"), never a value parsed from it, and the report says what was expected (j->expected, "1234.56"). */
static int cell_bad(ImportJob *j, Req *r, const Field *f, Err *e, const char *cell, const char *expected) {
    j->expected = expected;
    size_t n = strlen(cell) > 80 ? 80 : strlen(cell);
    while (n && ((unsigned char)cell[n] & 0xC0) == 0x80)
        n--; /* cut on a character */
    return cell_fail(r, f, e, EC_FORMAT, arena_strndup(r->a, cell, n));
}

/*
** The id of a row of `ref` named by text: an id, the title field, the
** document number or another unique text field — visible to the user and
** unique. 0 with *id, or -1 with e (import.not_found / import.ambiguous).
*/
static int ref_resolve(ImportJob *j, Req *r, const Field *f, const char *ref, const char *s, int64_t *id, Err *e) {
    const Entity *re = entity_find(ref);
    int64_t n;
    bool any = f->flags & F_REF_ANY; /* the row need not be visible (a referrer, R-CUS-3) */
    if (!re) return cell_fail(r, f, e, EC_REF, NULL);
    int known = str_to_int64(s, &n) == 0 && n > 0 ? (any ? entity_ref_exists(r, ref, n) : entity_ref_ok(r, ref, n)) : 0;
    if (known < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (known) {
        *id = n;
        return 0;
    }
    const char *key = arena_printf(r->a, "%s\x1f%s\x1f%d", ref, s, any);
    json_t *hit = json_object_get(j->refcache, key);
    int64_t found = hit ? json_integer_value(hit) : 0;
    if (!hit) {
        Buf sql;
        buf_init(&sql, r->a);
        buf_printf(&sql, "SELECT t.id FROM %s t WHERE (1 = 0", re->table);
        for (const Field *rf = re->fields; rf->name; rf++) {
            bool text = rf->type == FT_TEXT;
            bool named = re->title_field && !strcmp(rf->name, re->title_field);
            if (text && !(rf->flags & F_VIRTUAL) && (named || (rf->flags & F_UNIQUE)))
                buf_printf(&sql, " OR t.%s = ?1", rf->name);
        }
        if (re->number_prefix) buf_puts(&sql, " OR t.number = ?1");
        if (!strcmp(ref, "users")) buf_puts(&sql, " OR t.username = ?1");
        buf_puts(&sql, ") AND t.deleted_at IS NULL AND ");
        if (any)
            buf_puts(&sql, "1 = 1");
        else
            entity_visibility_sql(re, r->user, &sql, 2);
        buf_puts(&sql, " LIMIT 2");
        Stmt *st = db_prepare(r->db, sql.p);
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, s, -1);
        if (!any) entity_visibility_bind(re, r->user, st, 2);
        int rows = 0;
        while (db_step(st) == DB_ROW) {
            found = db_col_int64(st, 0);
            rows++;
        }
        db_done(st);
        if (rows > 1) found = -1;
        json_object_set_new(j->refcache, key, json_integer(found));
    }
    if (found > 0) {
        *id = found;
        return 0;
    }
    return cell_fail(r, f, e, found < 0 ? EC_IMPORT_AMBIGUOUS : EC_IMPORT_NOT_FOUND, arena_printf(r->a, "%.80s", s));
}

/* The owner column: a user id, user name or display name. */
static int owner_resolve(ImportJob *j, Req *r, const char *s, json_t **out, Err *e) {
    static const char zSql[] =
        "SELECT id FROM users WHERE (username = ?1 OR display_name = ?1) AND deleted_at IS NULL LIMIT 2";
    int64_t n;
    if (str_to_int64(s, &n) == 0 && n > 0) {
        *out = json_integer(n); /* entity_create_row checks who may assign to whom */
        return 0;
    }
    const char *key = arena_printf(r->a, "users\x1f%s", s);
    json_t *hit = json_object_get(j->refcache, key);
    int64_t found = hit ? json_integer_value(hit) : 0;
    if (!hit) {
        Stmt *st = db_prepare(r->db, zSql);
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, s, -1);
        int rows = 0;
        while (db_step(st) == DB_ROW) {
            found = db_col_int64(st, 0);
            rows++;
        }
        db_done(st);
        if (rows > 1) found = -1;
        json_object_set_new(j->refcache, key, json_integer(found));
    }
    if (found <= 0)
        return cell_fail(r, NULL, e, found < 0 ? EC_IMPORT_AMBIGUOUS : EC_IMPORT_NOT_FOUND,
                         arena_printf(r->a, "%.80s", s));
    *out = json_integer(found);
    return 0;
}

/*
** One cell as the JSON value field f takes on input. *out NULL means "not
** given" (empty cell: the default applies). 0 ok, -1 with e naming the field.
*/
static int cell_value(ImportJob *j, Req *r, const Field *f, const ImpCell *c, json_t **out, Err *e) {
    *out = NULL;
    const char *s = f->type == FT_LONGTEXT ? c->s : trim(r->a, c->s);
    if (!*s || (f->type == FT_LONGTEXT && !*trim(r->a, s))) return 0;
    int64_t n;
    char d[20];
    switch (f->type) {
    case FT_LONGTEXT: {
        Buf b; /* CRLF from Windows files becomes LF */
        buf_init(&b, r->a);
        for (const char *p = s; *p; p++)
            if (!(*p == '\r' && p[1] == '\n')) buf_putc(&b, *p);
        *out = json_string(b.p);
        return 0;
    }
    case FT_TEXT:
    case FT_EMAIL:
    case FT_PHONE:
        *out = json_string(s);
        return 0;
    case FT_INT:
    case FT_LINE: { /* a line's id: checked against its document on the row's create */
        bool num = c->kind == CELL_NUMBER;
        if (decimal_scaled(s, 0, !num, num, num, &n) != 0) return cell_bad(j, r, f, e, c->s, "123");
        *out = json_integer(n);
        return 0;
    }
    case FT_MONEY:
        /* yuan with at most two decimals -> fen; an XLSX number may carry binary noise
           (1234.5599999999999) and is rounded to the fen, text must be exact */
        if (c->kind == CELL_NUMBER ? decimal_scaled(s, 2, false, true, true, &n) : money_parse(s, &n))
            return cell_bad(j, r, f, e, c->s, "1234.56");
        *out = json_integer(n);
        return 0;
    case FT_QTY:
        /* up to three decimals -> thousandths (12.5 -> 12500); an XLSX number is rounded */
        if (decimal_scaled(s, 3, false, c->kind == CELL_NUMBER, true, &n) != 0)
            return cell_bad(j, r, f, e, c->s, "12.5");
        *out = json_integer(n);
        return 0;
    case FT_PERCENT_BP: {
        size_t len = strlen(s);
        int rc;
        if (c->kind == CELL_PERCENT)
            rc = decimal_scaled(s, 4, false, true, true, &n); /* 0.125 -> 1250 */
        else if (len > 1 && s[len - 1] == '%')
            rc = decimal_scaled(arena_strndup(r->a, s, len - 1), 2, false, false, true, &n);
        else if (len > 3 && !strcmp(s + len - 3, "\xEF\xBC\x85")) /* full-width % */
            rc = decimal_scaled(arena_strndup(r->a, s, len - 3), 2, false, false, true, &n);
        else
            rc = decimal_scaled(s, 2, false, c->kind == CELL_NUMBER, true, &n); /* 12.5 -> 1250 */
        if (rc != 0) return cell_bad(j, r, f, e, c->s, "12.5%");
        *out = json_integer(n);
        return 0;
    }
    case FT_DATE:
        if (c->kind == CELL_DATE && strlen(s) >= 10) {
            memcpy(d, s, 10);
            d[10] = 0;
        } else if (!(c->kind == CELL_NUMBER && excel_serial_date(s, false, d) == 0) && date_text(s, d) != 0) {
            return cell_bad(j, r, f, e, c->s, "YYYY-MM-DD");
        }
        *out = json_string(d);
        return 0;
    case FT_DATETIME:
        if (c->kind == CELL_NUMBER && excel_serial_date(s, true, d) == 0) s = arena_strdup(r->a, d);
        if (datetime_text(s, company_tz(r), &n) != 0 && !(c->kind == CELL_TEXT && str_to_int64(s, &n) == 0 && n >= 0))
            return cell_bad(j, r, f, e, c->s, "YYYY-MM-DD HH:MM");
        *out = json_integer(n);
        return 0;
    case FT_BOOL: {
        static const char *const yes[] = {"1", "true", "yes", "y", "是", "真", "对", "對", "√", NULL};
        static const char *const no[] = {"0", "false", "no", "n", "否", "假", "不", "×", NULL};
        for (int i = 0; yes[i]; i++)
            if (eq_nocase(s, yes[i])) return *out = json_true(), 0;
        for (int i = 0; no[i]; i++)
            if (eq_nocase(s, no[i])) return *out = json_false(), 0;
        return cell_bad(j, r, f, e, c->s, label_for(r->locale, "是/否", "是/否", "yes/no"));
    }
    case FT_ENUM:
        for (const EnumVal *ev = f->enums; ev && ev->value; ev++)
            if (eq_nocase(s, ev->value) || eq_nocase(s, ev->zh) || eq_nocase(s, ev->tw) || eq_nocase(s, ev->en)) {
                *out = json_string(ev->value);
                return 0;
            }
        *out = json_string(s); /* field_validate names the allowed values */
        return 0;
    case FT_REF: {
        int64_t id = 0;
        if (ref_resolve(j, r, f, f->ref, s, &id, e) < 0) return -1;
        *out = json_integer(id);
        return 0;
    }
    case FT_CODE: { /* a code, a name or a path of names: 江苏省, 江苏, 镇江市, 镇江, 江苏镇江 */
        bool several = false;
        const RefItem *it = refdata_match(f->ref, s, &several);
        if (!it)
            return cell_fail(r, f, e, several ? EC_IMPORT_AMBIGUOUS : EC_IMPORT_NOT_FOUND,
                             arena_printf(r->a, "%.80s", s));
        *out = json_string(it->code);
        return 0;
    }
    case FT_ROLES:
        return 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- report */

/* Add an error entry for row/column from e (message in the job's language), or
   from eo when a hook answered the error itself. */
static void report_error(ImportJob *j, Req *r, int line, int col, const char *value, const Err *e, json_t *eo) {
    j->nerr++;
    if (json_array_size(j->errors) >= REPORT_MAX) return (void)(j->expected = NULL);
    json_t *own = eo ? NULL : error_object(r, e);
    if (!eo) eo = own;
    json_t *o = json_pack("{s:i, s:O?, s:O?, s:O?}", "row", line, "field", json_object_get(eo, "field"), "code",
                          json_object_get(eo, "code"), "message", json_object_get(eo, "message"));
    if (col >= 0 && col < j->ncols) json_object_set_new(o, "column", json_string(j->cols[col].header));
    if (value) json_object_set_new(o, "value", json_string(arena_printf(r->a, "%.100s", value)));
    if (j->expected) json_object_set_new(o, "expected", json_string(j->expected));
    j->expected = NULL;
    json_decref(own);
    json_array_append_new(j->errors, o);
}

/*
** A hook that answered a rich error itself (409 collision.found with the
** matches) leaves its reply in r: return its error object (a new reference,
** or NULL when there is none) and clear the reply so the next row starts clean.
*/
static json_t *take_reply(Req *r) {
    if (!r->out || r->status < 400) return NULL;
    json_t *body = json_loadb(r->out, r->out_len, 0, NULL);
    json_t *eo = json_incref(json_object_get(body, "error"));
    json_decref(body);
    r->out = NULL;
    r->out_len = 0;
    r->status = 0;
    r->content_type_out = NULL;
    return eo;
}

/* Matches of rec against existing rows and earlier rows of the file (unique fields,
   customer/lead collisions). Adds one duplicates entry when there are any. */
static void find_duplicates(ImportJob *j, Req *r, int line, json_t *rec) {
    json_t *matches = json_array();
    const Entity *en = j->en;
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_UNIQUE)) continue;
        json_t *v = json_object_get(rec, f->name);
        if (!v || json_is_null(v)) continue;
        const char *text =
            json_is_string(v) ? json_string_value(v) : arena_printf(r->a, "%lld", (long long)json_integer_value(v));
        const char *key = arena_printf(r->a, "%s\x1f%s", f->name, text);
        json_t *first = json_object_get(j->seen, key);
        if (first)
            json_array_append_new(matches,
                                  json_pack("{s:s, s:O, s:s}", "field", f->name, "row", first, "kind", "file"));
        else
            json_object_set_new(j->seen, key, json_integer(line));
        Buf sql;
        buf_init(&sql, r->a);
        bool titled = en->title_field && (en->vis == VIS_ALL || (r->user->roles & RB(ADMIN)));
        buf_printf(&sql, "SELECT t.id%s%s FROM %s t WHERE t.%s = ?1 AND t.deleted_at IS NULL LIMIT 3",
                   titled ? ", t." : "", titled ? en->title_field : "", en->table, f->name);
        Stmt *st = db_prepare(r->db, sql.p);
        if (!st) continue;
        bind_value(st, 1, f->type, v);
        while (db_step(st) == DB_ROW) {
            int64_t id = db_col_int64(st, 0);
            if (json_object_get(j->created, arena_printf(r->a, "%lld", (long long)id))) continue; /* listed above */
            json_t *m = json_pack("{s:s, s:I, s:s}", "field", f->name, "id", (json_int_t)id, "kind", "existing");
            if (titled && db_col_text(st, 1)) json_object_set_new(m, "name", json_string(db_col_text(st, 1)));
            json_array_append_new(matches, m);
        }
        db_done(st);
    }
    if (en->find_matches) { /* declared duplicate detection (customers and leads: collisions) */
        EntityMatch m[8];
        int n = en->find_matches(r, en, rec, m, 8);
        json_t *owner = json_object_get(rec, "owner_id");
        int64_t me = json_is_integer(owner) ? json_integer_value(owner) : r->user->id;
        for (int i = 0; i < n; i++) {
            json_t *row = json_object_get(j->created, arena_printf(r->a, "%lld", (long long)m[i].row_id));
            if (row && !strcmp(m[i].entity, en->name)) {
                json_array_append_new(matches,
                                      json_pack("{s:s, s:O, s:s}", "field", m[i].kind, "row", row, "kind", "file"));
                continue;
            }
            /* masked (R-CUS-9): name and owner only */
            json_array_append_new(matches,
                                  json_pack("{s:s, s:s, s:I, s:s?, s:I, s:s?, s:b}", "kind", "existing", "entity",
                                            m[i].entity, "id", (json_int_t)m[i].row_id, "name", m[i].name, "owner_id",
                                            (json_int_t)m[i].owner_id, "owner_name", m[i].owner_name, "collision",
                                            m[i].owner_id && m[i].owner_id != me));
            json_object_set_new(json_array_get(matches, json_array_size(matches) - 1), "field", json_string(m[i].kind));
        }
    }
    if (!json_array_size(matches)) {
        json_decref(matches);
        return;
    }
    j->ndup++;
    if (json_array_size(j->dups) < REPORT_MAX)
        json_array_append_new(j->dups, json_pack("{s:i, s:o}", "row", line, "matches", matches));
    else
        json_decref(matches);
}

/* ---------------------------------------------------------------- the run */

/*
** Read, check and create every row on db in one transaction (each row in a
** savepoint, so one bad row does not abort the others' checks); commit only
** for a real import with no errors (or mode=valid), else roll back. Progress
** goes to j->jr (a queued run). Fills j->result. 0 done, -1 failed or
** cancelled (not committed).
*/
static int import_execute(ImportJob *j, Db *db) {
    Req r = {0};
    r.db = db;
    r.user = &j->user;
    r.locale = j->locale;
    r.request_id = j->request_id;
    r.client_addr = j->client_addr;
    r.method = "POST";
    r.path = arena_printf(j->a, "/api/v1/%s", j->en->name);
    j->errors = json_array();
    j->dups = json_array();
    j->failed = json_array();
    j->refcache = json_object();
    j->seen = json_object();
    j->created = json_object();
    Err fatal = {0};
    /* A savepoint per row undoes a failed row's partial writes, so the rows after
       it are checked against exactly what an import would hold. On PostgreSQL each
       savepoint that writes is a subtransaction, and past 64 of them every
       visibility check gets slow (10,000 rows: minutes); a failed row's writes
       are harmless there unless valid rows are committed (mode=valid), since
       the transaction is rolled back anyway. A statement error aborts a
       PostgreSQL transaction: without a savepoint it ends the run (500). */
    bool sp = db_kind(db) == DB_SQLITE || j->partial;
    bool ok = db_begin(db) == DB_OK;
    if (!ok) err_set(&fatal, 503, EC_UNAVAILABLE, NULL, NULL);
    /* the company zone (document numbers, date-times) read once for the whole file: its memo
       lives in the job's arena; what a row memoises in its own arena is forgotten after it */
    r.a = j->a;
    if (ok) (void)company_tz(&r);
    struct SettingMemo *memo = r.settings;
    for (int i = 1; ok && i < j->t.nrows; i++) {
        ImpRow *row = &j->t.rows[i];
        r.a = arena_new();
        r.now = now_epoch();
        json_t *in = json_object();
        int bad = 0;
        for (int c = 0; c < j->ncols; c++) {
            const ColMap *cm = &j->cols[c];
            if (!cm->f && !cm->owner) continue;
            static const ImpCell empty = {"", CELL_TEXT};
            const ImpCell *cell = c < row->n ? &row->c[c] : &empty;
            json_t *v = NULL;
            Err e = {0};
            int rc = cm->owner ? (*trim(r.a, cell->s) ? owner_resolve(j, &r, trim(r.a, cell->s), &v, &e) : 0)
                               : cell_value(j, &r, cm->f, cell, &v, &e);
            if (rc == 0 && !v && cm->f && (cm->f->flags & F_REQUIRED) && !cm->f->def)
                rc = cell_fail(&r, cm->f, &e, EC_REQUIRED, NULL); /* listed with the row's other errors */
            if (rc < 0) {
                if (e.status >= 500) {
                    fatal = e;
                    ok = false;
                    break;
                }
                report_error(j, &r, row->line, c, cell->s, &e, NULL);
                bad = 1;
            } else if (v) {
                json_object_set_new(in, cm->owner ? "owner_id" : cm->f->name, v);
            }
        }
        if (ok && !bad) {
            find_duplicates(j, &r, row->line, in);
            if (j->allow_dup) json_object_set_new(in, "_allow_duplicate", json_true());
            Err e = {0};
            int64_t id = 0;
            if (sp && db_begin(db) != DB_OK) {
                err_set(&fatal, 500, EC_INTERNAL, NULL, NULL);
                ok = false;
            } else if (entity_create_row(&r, j->en, in, &id, &e) < 0) {
                json_t *eo = take_reply(&r);
                if (sp) db_rollback(db);
                if (eo) {
                    const char *ef = json_string_value(json_object_get(eo, "field"));
                    e.field = ef ? arena_strdup(r.a, ef) : NULL;
                    e.status = 400;
                }
                if (e.status >= 500) {
                    json_decref(eo);
                    fatal = e;
                    ok = false;
                } else {
                    int col = -1; /* the column of the field the error names */
                    for (int c = 0; e.field && c < j->ncols && col < 0; c++)
                        if (j->cols[c].f && !strcmp(j->cols[c].f->name, e.field)) col = c;
                    report_error(j, &r, row->line, col, col >= 0 && col < row->n ? row->c[col].s : NULL, &e, eo);
                    json_decref(eo);
                    bad = 1;
                }
            } else if (sp && db_commit(db) != DB_OK) {
                db_rollback(db);
                err_set(&fatal, 500, EC_INTERNAL, NULL, NULL);
                ok = false;
            } else {
                json_object_set_new(j->created, arena_printf(r.a, "%lld", (long long)id), json_integer(row->line));
            }
        }
        if (bad && json_array_size(j->failed) < REPORT_MAX) { /* the row as it is in the file, for errors.csv */
            json_t *cells = json_array();
            for (int c = 0; c < row->n; c++)
                json_array_append_new(cells, json_string(row->c[c].s ? row->c[c].s : ""));
            json_array_append_new(j->failed, json_pack("{s:i, s:o}", "row", row->line, "cells", cells));
        }
        if (bad)
            j->invalid++;
        else if (ok)
            j->valid++;
        json_decref(in);
        arena_free(r.a);
        r.a = NULL;
        r.settings = memo; /* entries added during the row lived in that arena */
        j->processed++;
        if (ok && j->jr && job_progress(j->jr, j->processed, j->total) < 0) {
            j->cancelled = true; /* cancelled (or the server stops): roll back like a failed run */
            ok = false;
        }
    }
    bool commit = ok && !j->dry_run && (j->invalid == 0 || j->partial);
    if (db_tx_depth(db) > 0) {
        if (commit && db_commit(db) != DB_OK) {
            db_rollback(db);
            err_set(&fatal, 500, EC_INTERNAL, NULL, NULL);
            ok = commit = false;
        } else if (!commit) {
            db_rollback(db);
        }
    }
    /* a bulk load leaves PostgreSQL's planner statistics behind: it would plan the next search of
       the table (postings it believes empty) as nested loops over the new rows. Refresh them. */
    if (commit && j->valid >= 1000 && db_kind(db) == DB_PG &&
        db_exec(db, arena_printf(j->a, "ANALYZE %s, search_tokens, search_docs", j->en->table)) != DB_OK)
        log_warn("import: ANALYZE %s failed: %s", j->en->table, db_errmsg(db));
    r.a = j->a;
    json_t *res = json_pack("{s:I, s:I, s:I, s:I, s:I, s:O, s:b, s:I, s:O, s:O, s:O, s:s}", "rows",
                            (json_int_t)j->total, "valid", (json_int_t)j->valid, "invalid", (json_int_t)j->invalid,
                            "imported", (json_int_t)(commit ? j->valid : 0), "error_count", (json_int_t)j->nerr,
                            "errors", j->errors, "errors_truncated", j->nerr > (int64_t)json_array_size(j->errors),
                            "duplicate_count", (json_int_t)j->ndup, "duplicates", j->dups, "mapping", j->mapping,
                            "columns", j->columns, "encoding", j->t.encoding);
    json_object_set(res, "failed_rows", j->failed);
    if (j->t.sep)
        json_object_set_new(res, "separator", json_string(j->t.sep == '\t' ? "tab" : j->t.sep == ';' ? ";" : ","));
    if (!ok && !j->cancelled) json_object_set_new(res, "error", error_object(&r, &fatal)); /* the job says why */
    json_decref(j->result);
    j->result = res;
    if (!ok) return -1;
    return j->dry_run || commit ? 0 : -1;
}

/* ---------------------------------------------------------------- the job row */

/* The job as the API shows it (borrowing the report). */
/* A report as the API shows it: the failed rows' cells stay in the job (GET .../errors.csv). */
static json_t *report_view(json_t *res) {
    if (!res) return NULL;
    json_t *o = json_copy(res);
    json_object_del(o, "failed_rows");
    return o;
}

static json_t *job_json(ImportJob *j) {
    return json_pack("{s:I, s:s, s:b, s:s, s:I, s:I, s:s?, s:I, s:o?}", "job_id", (json_int_t)j->id, "entity",
                     j->en->name, "dry_run", j->dry_run, "state", j->state, "processed", (json_int_t)j->processed,
                     "total", (json_int_t)j->total, "filename", j->filename, "created_at", (json_int_t)j->created_at,
                     "result", report_view(j->result));
}

/* What a queued run needs besides the file: {"dry_run","partial","allow_duplicates","mapping"?,...}. */
static json_t *job_params(ImportJob *j, json_t *map, const char *upload) {
    return json_pack("{s:b, s:b, s:b, s:O?, s:s?, s:s?, s:s?, s:s?, s:s}", "dry_run", j->dry_run, "partial", j->partial,
                     "allow_duplicates", j->allow_dup, "mapping", map, "filename", j->filename, "locale", j->locale,
                     "client_addr", j->client_addr, "request_id", j->request_id, "upload", upload);
}

/* ---------------------------------------------------------------- background runs */

/*
** Kind "import": the queued run of an upload. Reads the file the request left in the data
** folder, maps and runs it like the request would have, then removes the file.
*/
static int import_job_run(JobRun *jr) {
    json_t *p = jr->params;
    const char *upload = json_string_value(json_object_get(p, "upload"));
    const Entity *en = entity_find(jr->entity);
    size_t n = 0;
    char *body = upload && en ? job_upload_read(jr->a, upload, &n) : NULL;
    if (!body) {
        jr->error = msg_make(jr->a, "job.failed", "detail", "upload", NULL);
        return -1;
    }
    ImportJob *j = xcalloc(1, sizeof *j);
    j->a = arena_new();
    j->en = en;
    j->id = jr->id;
    j->jr = jr;
    j->dry_run = json_is_true(json_object_get(p, "dry_run"));
    j->partial = json_is_true(json_object_get(p, "partial"));
    j->allow_dup = json_is_true(json_object_get(p, "allow_duplicates"));
    j->user = *jr->user;
    const char *loc = json_string_value(json_object_get(p, "locale"));
    j->locale = arena_strdup(j->a, loc ? loc : jr->locale);
    const char *addr = json_string_value(json_object_get(p, "client_addr"));
    const char *rid = json_string_value(json_object_get(p, "request_id"));
    j->client_addr = arena_strdup(j->a, addr ? addr : "");
    j->request_id = arena_strdup(j->a, rid ? rid : "");
    j->filename = json_string_value(json_object_get(p, "filename"));
    j->state = "running";
    Req r;
    job_req(jr, &r);
    r.locale = j->locale;
    Err e = {0};
    imp_table_init(&j->t, j->a);
    bool xlsx = n >= 4 && !memcmp(body, "PK\x03\x04", 4);
    int rc = xlsx ? import_xlsx_parse(&j->t, body, n, &e) : import_csv_parse(&j->t, body, n, &e);
    if (rc == 0 && j->t.nrows == 0) rc = err_set(&e, 400, EC_IMPORT_FILE, NULL, "no header row");
    if (rc == 0) rc = mapping_build(j, &r, json_object_get(p, "mapping"), &e);
    if (rc == 0) {
        j->total = j->t.nrows - 1;
        job_progress(jr, 0, j->total);
        rc = import_execute(j, jr->db);
        jr->result = json_incref(j->result);
        job_progress(jr, j->processed, j->total);
    } else {
        jr->error = msg_make(jr->a, "job.failed", "detail", e.code, NULL);
    }
    log_info("import %lld (%s): %lld rows%s", (long long)j->id, en->name, (long long)j->total,
             j->cancelled ? ", cancelled" : "");
    arena_free(r.a);
    job_upload_remove(upload);
    job_free(j);
    return rc;
}

void import_register(void) {
    static const JobKind kind = {"import", import_job_run, "导入", "匯入", "Import"};
    job_kind_declare(&kind);
}

/* ---------------------------------------------------------------- handlers */

/* Copy the signed-in user into the job's arena (the request's goes away). */
static void user_copy(Arena *a, User *dst, const User *src) {
    *dst = *src;
    dst->username = arena_strdup(a, src->username);
    dst->display_name = arena_strdup(a, src->display_name);
    dst->locale = arena_strdup(a, src->locale);
    dst->org_path = arena_strdup(a, src->org_path);
    dst->csrf = NULL;
}

/* A 400 about the mapping, with the columns found, so the client can offer a fix. */
static int reply_mapping_error(Req *r, ImportJob *j, Err *e) {
    json_t *cols = json_array();
    for (int i = 0; i < j->ncols && j->cols; i++)
        json_array_append_new(cols, json_pack("{s:i, s:s}", "index", i + 1, "header", j->cols[i].header));
    reply_json(r, e->status, json_pack("{s:o, s:o}", "error", error_object(r, e), "columns", cols));
    return -1;
}

/* Query flag: "1"/"true" yes, "0"/"false" no, absent -> def. */
static int flag_param(Req *r, const char *name, int def, Err *e) {
    const char *v = req_query(r, name);
    if (!v) return def;
    if (!strcmp(v, "1") || !strcmp(v, "true")) return 1;
    if (!strcmp(v, "0") || !strcmp(v, "false")) return 0;
    err_set(e, 400, EC_BAD_QUERY, arena_strdup(r->a, name), "0 or 1");
    return -1;
}

/*
** POST /api/v1/:entity/import                   roles: the entity's write roles
** Query: dry_run=1 (default; 0 imports), mode=all (default: all or nothing) |
**        valid (commit the valid rows), async=auto|0|1, mapping=<JSON object>,
**        allow_duplicates=0|1 (customers/leads: own duplicates pass), filename=<name>
** Body: the file itself (CSV or XLSX; Content-Type is not trusted, the bytes are)
** 200 job with result (done) | 202 job queued (larger files, async=1; poll
** GET /api/v1/imports/:id) | 422 job with result and error import.rows_invalid
** (nothing imported) | 400 import.bad_file / bad_mapping / missing_column |
** 403 | 404 import.not_supported | 413 | 415 import.unsupported_type
*/
int import_post(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    if (!entity_importable(en)) return err_set(e, 404, EC_IMPORT_NOT_SUPPORTED, NULL, NULL);
    if (!entity_can_write(en, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int dry = flag_param(r, "dry_run", 1, e);
    if (dry < 0) return -1;
    const char *mode = req_query(r, "mode");
    if (mode && strcmp(mode, "all") && strcmp(mode, "valid"))
        return err_set(e, 400, EC_BAD_QUERY, "mode", "all or valid");
    const char *as = req_query(r, "async");
    if (as && strcmp(as, "auto") && strcmp(as, "0") && strcmp(as, "1"))
        return err_set(e, 400, EC_BAD_QUERY, "async", "auto, 0 or 1");
    json_t *map = NULL;
    const char *ms = req_query(r, "mapping");
    if (ms && *ms) {
        map = json_loads(ms, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(map)) {
            json_decref(map);
            return err_set(e, 400, EC_BAD_QUERY, "mapping", "a JSON object {\"column\": \"field\"}");
        }
        arena_defer(r->a, (void (*)(void *))json_decref, map);
    }
    if (!r->body || r->body_len == 0) return err_set(e, 400, EC_IMPORT_FILE, NULL, "empty file");
    const unsigned char *b = (const unsigned char *)r->body;
    size_t n = r->body_len;
    bool xlsx = n >= 4 && !memcmp(b, "PK\x03\x04", 4);
    if (n >= 8 && !memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return err_set(e, 415, EC_IMPORT_TYPE, NULL, "XLS (Excel 97-2003)");
    if (n >= 5 && !memcmp(b, "%PDF-", 5)) return err_set(e, 415, EC_IMPORT_TYPE, NULL, "PDF");

    ImportJob *j = xcalloc(1, sizeof *j);
    j->a = arena_new();
    j->en = en;
    j->dry_run = dry;
    j->partial = mode && !strcmp(mode, "valid");
    int ad = flag_param(r, "allow_duplicates", 0, e);
    if (ad < 0) {
        job_free(j);
        return -1;
    }
    j->allow_dup = ad;
    user_copy(j->a, &j->user, r->user);
    j->locale = arena_strdup(j->a, r->locale);
    j->client_addr = arena_strdup(j->a, r->client_addr);
    j->request_id = arena_strdup(j->a, r->request_id);
    const char *fn = req_query(r, "filename");
    j->filename = fn ? arena_printf(j->a, "%.200s", fn) : NULL;
    j->created_at = r->now;
    imp_table_init(&j->t, j->a);
    int rc = xlsx ? import_xlsx_parse(&j->t, r->body, n, e) : import_csv_parse(&j->t, r->body, n, e);
    if (rc == 0 && j->t.nrows == 0) rc = err_set(e, 400, EC_IMPORT_FILE, NULL, "no header row");
    if (rc == 0 && mapping_build(j, r, map, e) < 0) {
        reply_mapping_error(r, j, e);
        job_free(j);
        return -1;
    }
    if (rc < 0) {
        job_free(j);
        return -1;
    }
    j->total = j->t.nrows - 1;
    bool background = as ? !strcmp(as, "1") : j->total > SYNC_MAX_ROWS;
    if (background && !jobs_background()) background = false; /* test-request: no server threads */
    if (background) {
        const char *upload = job_upload_store(r->a, r->body, n);
        int64_t id = upload ? job_enqueue(r, "import", en->name, 0, j->filename, job_params(j, map, upload), e)
                            : err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
        if (id < 0) {
            if (upload) job_upload_remove(upload);
            job_free(j);
            return -1;
        }
        j->id = id;
        j->state = "queued";
        json_t *out = job_json(j);
        job_free(j);
        return reply_json(r, 202, out);
    }
    j->state = "running";
    j->id =
        job_record_start(r, "import", en->name, j->filename, json_pack("{s:b}", "dry_run", j->dry_run), j->total, e);
    if (j->id < 0) {
        job_free(j);
        return -1;
    }
    rc = import_execute(j, r->db);
    j->state = rc == 0 ? "done" : "failed";
    job_record_finish(r->db, j->id, j->state, j->processed, j->result);
    json_t *out = job_json(j);
    int status = 200;
    if (rc < 0 && !json_object_get(j->result, "error")) {
        Err re = {0};
        err_set(&re, 422, EC_IMPORT_ROWS, NULL, "%lld", (long long)j->invalid);
        json_object_set_new(out, "error", error_object(r, &re));
        status = 422;
    } else if (rc < 0) {
        json_object_set(out, "error", json_object_get(j->result, "error"));
        status = 500;
    }
    job_free(j);
    reply_json(r, status, out);
    return status < 400 ? 0 : -1;
}

/* A job of the queue as the imports API has always shown it (a new object; g is borrowed). */
static json_t *import_view(json_t *g) {
    json_t *o = json_pack("{s:O, s:O, s:b, s:O, s:O, s:O, s:O?, s:O, s:O}", "job_id", json_object_get(g, "id"),
                          "entity", json_object_get(g, "entity"), "dry_run",
                          json_is_true(json_object_get(json_object_get(g, "params"), "dry_run")), "state",
                          json_object_get(g, "state"), "processed", json_object_get(g, "processed"), "total",
                          json_object_get(g, "total"), "filename", json_object_get(g, "title"), "created_at",
                          json_object_get(g, "created_at"), "user_id", json_object_get(g, "user_id"));
    if (json_object_get(g, "finished_at")) json_object_set(o, "finished_at", json_object_get(g, "finished_at"));
    if (json_object_get(g, "result"))
        json_object_set_new(o, "result", report_view(json_object_get(g, "result")));
    else if (json_object_get(g, "error")) /* it ended before a report: the reason, as a report's error */
        json_object_set_new(o, "result", json_pack("{s:O}", "error", json_object_get(g, "error")));
    return o;
}

/*
** GET /api/v1/imports/:id                       roles: the job's user, or admin
** 200 {"job_id","entity","dry_run","state":"queued|running|done|failed|cancelled",
**      "processed","total","filename","created_at","finished_at"?,"result"?} | 404
** The import's view of its row in the job queue (GET /api/v1/jobs/:id shows the same job).
*/
int import_job_get(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *g = job_read(r, id, e);
    if (!g) return -1;
    if (strcmp(json_string_value(json_object_get(g, "kind")), "import")) {
        json_decref(g);
        return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    }
    json_t *o = import_view(g);
    json_object_del(o, "user_id");
    json_decref(g);
    return reply_json(r, 200, o);
}

/* One CSV field, quoted when it holds a separator, a quote or a line break. */
static void csv_cell(Buf *b, const char *s, bool first) {
    if (!first) buf_putc(b, ',');
    bool q = strpbrk(s, ",\"\r\n") != NULL;
    if (q) buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    if (q) buf_putc(b, '"');
}

/*
** GET /api/v1/imports/:id/errors.csv            roles: the job's user, or admin
** 200 text/csv (UTF-8 with BOM): the file's header row and its rows that had an error, as they were
** in the file, each with a last column "错误" (Errors) holding the row's messages | 404
** Fix the rows in it and import it again.
*/
int import_job_errors_csv(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *g = job_read(r, id, e);
    if (!g) return -1;
    json_t *res = json_object_get(g, "result");
    if (strcmp(json_string_value(json_object_get(g, "kind")), "import") ||
        !json_is_array(json_object_get(res, "failed_rows"))) {
        json_decref(g);
        return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    }
    Buf b;
    buf_init(&b, r->a);
    buf_puts(&b, "\xEF\xBB\xBF");
    size_t i, k;
    json_t *x, *y;
    int ncols = 0;
    json_array_foreach(json_object_get(res, "columns"), i, x) {
        csv_cell(&b,
                 json_string_value(json_object_get(x, "header")) ? json_string_value(json_object_get(x, "header")) : "",
                 ncols++ == 0);
    }
    csv_cell(&b, label_for(r->locale, "错误", "錯誤", "Errors"), ncols == 0);
    buf_puts(&b, "\r\n");
    json_array_foreach(json_object_get(res, "failed_rows"), i, x) {
        json_int_t line = json_integer_value(json_object_get(x, "row"));
        json_t *cells = json_object_get(x, "cells");
        for (int c = 0; c < ncols; c++) {
            const char *v = json_string_value(json_array_get(cells, (size_t)c));
            csv_cell(&b, v ? v : "", c == 0);
        }
        Buf msg;
        buf_init(&msg, r->a);
        buf_puts(&msg, "");
        json_array_foreach(json_object_get(res, "errors"), k, y) {
            if (json_integer_value(json_object_get(y, "row")) != line) continue;
            const char *m = json_string_value(json_object_get(y, "message"));
            buf_printf(&msg, "%s%s", msg.n ? label_for(r->locale, "；", "；", "; ") : "", m ? m : "");
        }
        csv_cell(&b, msg.p, ncols == 0);
        buf_puts(&b, "\r\n");
    }
    json_decref(g);
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"import-%lld-errors.csv\"", (long long)id));
    return reply_raw(r, 200, "text/csv; charset=utf-8", b.p, b.n);
}

/*
** GET /api/v1/imports                           roles: any signed-in user
** 200 {"items":[job without result…]} — the user's 50 latest imports (admin: everyone's)
*/
int import_jobs_list(Req *r, Err *e) {
    json_t *jobs = jobs_list_items(r, "import", true, true, e);
    if (!jobs) return -1;
    json_t *items = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(jobs, i, g) { json_array_append_new(items, import_view(g)); }
    json_decref(jobs);
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** GET /api/v1/:entity/import/template.csv       roles: the entity's read roles
** 200 text/csv: a header row with the importable fields' labels in the user's language
*/
int import_template(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    if (!entity_importable(en)) return err_set(e, 404, EC_IMPORT_NOT_SUPPORTED, NULL, NULL);
    Buf b;
    buf_init(&b, r->a);
    buf_puts(&b, "\xEF\xBB\xBF");
    int n = 0;
    for (const Field *f = en->fields; f->name; f++) {
        if (!field_importable(en, f) || (f->flags & F_VIRTUAL)) continue;
        const char *l = field_label(r, f);
        bool q = strpbrk(l, ",\"\r\n") != NULL;
        buf_printf(&b, "%s%s", n++ ? "," : "", q ? "\"" : "");
        for (const char *p = l; *p; p++) {
            if (*p == '"') buf_putc(&b, '"');
            buf_putc(&b, *p);
        }
        if (q) buf_putc(&b, '"');
    }
    buf_puts(&b, "\r\n");
    reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s-import.csv\"", en->name));
    return reply_raw(r, 200, "text/csv; charset=utf-8", b.p, b.n);
}
