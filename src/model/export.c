/*
** export.c — CSV and XLSX of exactly the rows the list shows for the same
** query (same parser, same visibility), with labels in the user's language.
** Runs on the worker pool (R_SLOW): up to 100,000 rows.
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "calendar.h"
#include "model.h"

#define EXPORT_MAX_ROWS 100000

/* Plain yuan text of fen for spreadsheets: 123456 -> "1234.56" (no separators). */
static char *yuan_plain(Arena *a, int64_t fen) {
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    return arena_printf(a, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(u / 100),
                        (unsigned long long)(u % 100));
}

/* Decimal text of a quantity in thousandths, trailing zeros dropped: 12500 -> "12.5". */
static char *qty_text(Arena *a, int64_t milli) {
    uint64_t u = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
    char frac[8];
    snprintf(frac, sizeof frac, ".%03llu", (unsigned long long)(u % 1000));
    for (int i = 3; i > 0 && frac[i] == '0'; i--)
        frac[i] = 0;
    return arena_printf(a, "%s%llu%s", milli < 0 ? "-" : "", (unsigned long long)(u / 1000), frac[1] ? frac : "");
}

/* Display text of one value of field f (enum labels, yes/no, dates in the company zone). */
static const char *cell_text(Req *r, const Field *f, json_t *v) {
    if (!v || json_is_null(v)) return "";
    if ((f->flags & F_MESSAGE) && json_is_string(v)) return msg_render(r->a, r->locale, json_string_value(v));
    switch (f->type) {
    case FT_MONEY:
        return yuan_plain(r->a, json_integer_value(v));
    case FT_QTY:
        return qty_text(r->a, json_integer_value(v));
    case FT_BOOL:
        return json_is_true(v) ? label_for(r->locale, "是", "是", "yes") : label_for(r->locale, "否", "否", "no");
    case FT_ENUM:
        return enum_label(r, f, json_string_value(v));
    case FT_PERCENT_BP: {
        int64_t bp = json_integer_value(v);
        return arena_printf(r->a, "%lld.%02lld%%", (long long)(bp / 100), (long long)(bp % 100));
    }
    case FT_DATETIME: {
        int64_t t = json_integer_value(v);
        char d[11];
        int tz = company_tz(r);
        date_of_epoch(t, tz, d);
        int64_t local = t + (int64_t)tz * 60;
        return arena_printf(r->a, "%s %02d:%02d", d, (int)((local % 86400 + 86400) % 86400 / 3600),
                            (int)((local % 3600 + 3600) % 3600 / 60));
    }
    case FT_ROLES:
        return "";
    default:
        if (json_is_integer(v)) return arena_printf(r->a, "%lld", (long long)json_integer_value(v));
        return json_string_value(v) ? json_string_value(v) : "";
    }
}

/* The exported columns: id, state, declared readable fields, the owner's name (owned entities). */
typedef struct Col {
    const char *name;
    const Field *f; /* NULL for id/state/owner_id */
    const char *label;
    json_t *names; /* owner_id: display names already looked up, by id (freed with the request) */
} Col;

/* Release a column's name cache (arena_defer). */
static void names_free(void *p) { json_decref(p); }

static const Field state_as_field = {"state", FT_ENUM, 0};

static int columns(Req *r, const Entity *en, Col *cols, int max) {
    int n = 0;
    cols[n++] = (Col){"id", NULL, "ID"};
    if (en->flow) cols[n++] = (Col){"state", NULL, label_for(r->locale, "状态", "狀態", "State")};
    for (const Field *f = en->fields; f->name && n < max; f++) {
        if ((f->flags & (F_VIRTUAL | F_WRITEONLY)) || !field_readable(f, r->user)) continue;
        cols[n++] = (Col){f->name, f, field_label(r, f)};
    }
    if (en->vis == VIS_OWNER && n < max) { /* 负责人 (issue 10): the owner's name, as the list shows it */
        json_t *names = json_object();
        arena_defer(r->a, names_free, names);
        cols[n++] = (Col){"owner_id", NULL, label_for(r->locale, "负责人", "負責人", "Owner"), names};
    }
    return n;
}

/* Display name of user id, looked up once per export ("" for none or on an error). */
static const char *owner_name(Req *r, json_t *names, json_t *v) {
    if (!json_is_integer(v)) return "";
    const char *key = arena_printf(r->a, "%lld", (long long)json_integer_value(v));
    json_t *hit = json_object_get(names, key);
    if (hit) return json_string_value(hit);
    Stmt *st = db_prepare(r->db, "SELECT display_name FROM users WHERE id = ?1");
    const char *name = "";
    if (st) {
        db_bind_int64(st, 1, json_integer_value(v));
        if (db_step(st) == DB_ROW && db_col_text(st, 0)) name = arena_strdup(r->a, db_col_text(st, 0));
        db_done(st);
    }
    json_object_set_new(names, key, json_string(name));
    return name;
}

static const char *col_text(Req *r, const Entity *en, const Col *c, json_t *row) {
    json_t *v = json_object_get(row, c->name);
    if (c->f) return cell_text(r, c->f, v);
    if (c->names) return owner_name(r, c->names, v);
    if (!strcmp(c->name, "state") && en->flow) {
        Field sf = state_as_field;
        sf.enums = en->flow->states;
        return cell_text(r, &sf, v);
    }
    return arena_printf(r->a, "%lld", (long long)json_integer_value(v));
}

/* Run the export query; calls emit(row) for each visible row. -1 with e on error. */
static int export_rows(Req *r, const Entity **pen, void (*emit)(void *ctx, json_t *row), void *ctx, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    *pen = en;
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1;
    int pl = list_query_add_int(&lq, EXPORT_MAX_ROWS);
    char *sql = list_query_sql(r, en, &lq, entity_info(en)->select_cols, arena_printf(r->a, "LIMIT ?%d", pl), true);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    list_query_bind(r, en, &lq, st);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = entity_row_json(en, st);
        emit(ctx, row);
        json_decref(row);
    }
    db_done(st);
    return rc < 0 ? err_set(e, 500, EC_INTERNAL, NULL, NULL) : 0;
}

/* ---------------------------------------------------------------- CSV */

typedef struct CsvCtx {
    Req *r;
    const Entity *en;
    Col cols[64];
    int ncols;
    Buf out;
} CsvCtx;

/* RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets don't run formulas. */
static void csv_cell(Buf *b, const char *s) {
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool inject =
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !(s[0] == '-' && s[1] >= '0' && s[1] <= '9');
    if (quote) buf_putc(b, '"');
    if (inject) buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    if (quote) buf_putc(b, '"');
}

static void csv_emit(void *ctx, json_t *row) {
    CsvCtx *c = ctx;
    for (int i = 0; i < c->ncols; i++) {
        if (i) buf_putc(&c->out, ',');
        csv_cell(&c->out, col_text(c->r, c->en, &c->cols[i], row));
    }
    buf_puts(&c->out, "\r\n");
}

/* Entity name again, before the rows run, to lay out the header. */
static const Entity *header_entity(Req *r) { return entity_find(r->params[0]); }

/*
** GET /api/v1/:entity/export.csv?<list query>          entity read roles
** 200 text/csv (UTF-8 with BOM, for Excel) of the visible rows matching the filter
*/
int export_csv(Req *r, Err *e) {
    CsvCtx *c = arena_alloc(r->a, sizeof *c);
    c->r = r;
    buf_init(&c->out, r->a);
    const Entity *en = header_entity(r);
    if (en) {
        c->en = en;
        c->ncols = columns(r, en, c->cols, 64);
        buf_puts(&c->out, "\xEF\xBB\xBF");
        for (int i = 0; i < c->ncols; i++) {
            if (i) buf_putc(&c->out, ',');
            csv_cell(&c->out, c->cols[i].label);
        }
        buf_puts(&c->out, "\r\n");
    }
    if (export_rows(r, &en, csv_emit, c, e) < 0) return -1;
    reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.csv\"", en->name));
    return reply_raw(r, 200, "text/csv; charset=utf-8", c->out.p, c->out.n);
}

/* ---------------------------------------------------------------- XLSX */

typedef struct XlsxCtx {
    Req *r;
    const Entity *en;
    Col cols[64];
    int ncols;
    lxw_worksheet *ws;
    lxw_format *money;
    lxw_row_t row;
} XlsxCtx;

static void xlsx_emit(void *ctx, json_t *row) {
    XlsxCtx *c = ctx;
    c->row++;
    for (int i = 0; i < c->ncols; i++) {
        const Col *col = &c->cols[i];
        json_t *v = json_object_get(row, col->name);
        lxw_col_t x = (lxw_col_t)i;
        if (v && json_is_integer(v) && (!col->f || col->f->type == FT_INT)) {
            worksheet_write_number(c->ws, c->row, x, (double)json_integer_value(v), NULL);
        } else if (v && json_is_integer(v) && col->f && col->f->type == FT_MONEY) {
            /* Excel cells are binary floating point: fen / 100 is exact for any
               realistic amount (< 2^53 fen); the number format shows 2 decimals. */
            worksheet_write_number(c->ws, c->row, x, (double)json_integer_value(v) / 100.0, c->money);
        } else {
            worksheet_write_string(c->ws, c->row, x, col_text(c->r, c->en, col, row), NULL);
        }
    }
}

/*
** GET /api/v1/:entity/export.xlsx?<list query>         entity read roles
** 200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
*/
int export_xlsx(Req *r, Err *e) {
    const Entity *en = header_entity(r);
    char path[] = "/tmp/salesloop-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    XlsxCtx *c = arena_alloc(r->a, sizeof *c);
    c->r = r;
    int rc = -1;
    if (!wb || !en) {
        if (!en)
            rc = err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
        else
            rc = err_set(e, 500, EC_INTERNAL, NULL, NULL);
        goto out;
    }
    c->en = en;
    c->ws = workbook_add_worksheet(wb, NULL);
    c->money = workbook_add_format(wb);
    format_set_num_format(c->money, "#,##0.00");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    c->ncols = columns(r, en, c->cols, 64);
    for (int i = 0; i < c->ncols; i++)
        worksheet_write_string(c->ws, 0, (lxw_col_t)i, c->cols[i].label, bold);
    if (export_rows(r, &en, xlsx_emit, c, e) < 0) goto out;
    lxw_error le = workbook_close(wb);
    wb = NULL;
    if (le != LXW_NO_ERROR) {
        rc = err_set(e, 500, EC_INTERNAL, NULL, "xlsx: %s", lxw_strerror(le));
        goto out;
    }
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        if (f) fclose(f);
        rc = err_set(e, 500, EC_INTERNAL, NULL, NULL);
        goto out;
    }
    char *data = arena_alloc(r->a, (size_t)sb.st_size + 1);
    size_t n = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", en->name));
    rc = reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, n);
out:
    if (wb) workbook_close(wb);
    unlink(path);
    return rc;
}
