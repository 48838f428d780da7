/*
** export.c — CSV and XLSX of exactly the rows the list shows for the same
** query (same parser, same visibility), with labels in the user's language.
** Runs on the worker pool (R_SLOW): up to 100,000 rows. Larger lists go to
** the job queue (POST /:entity/export-jobs, kind "export"): the same writer,
** on a background thread as the same user, into a file the owner downloads.
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
#include "jobs.h"
#include "model.h"

#define EXPORT_MAX_ROWS 100000  /* a synchronous export */
#define EXPORT_JOB_ROWS 1000000 /* an export job */
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CSV_FLUSH (64 * 1024) /* a job's CSV goes to its file in pieces of about this size */

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
    case FT_CODE:
        return refdata_text(f->ref, json_string_value(v), r->locale);
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

/* Display name of user id, looked up once per export ("" for none). A failed read marks the
   connection (db_fault_mark): the export is refused, not written with blank owners. */
static const char *owner_name(Req *r, json_t *names, json_t *v) {
    if (!json_is_integer(v)) return "";
    const char *key = arena_printf(r->a, "%lld", (long long)json_integer_value(v));
    json_t *hit = json_object_get(names, key);
    if (hit) return json_string_value(hit);
    Stmt *st = db_prepare(r->db, "SELECT display_name FROM users WHERE id = ?1");
    const char *name = "";
    int rc = DB_ERROR;
    if (st) {
        db_bind_int64(st, 1, json_integer_value(v));
        if ((rc = db_step(st)) == DB_ROW && db_col_text(st, 0)) name = arena_strdup(r->a, db_col_text(st, 0));
        db_done(st);
    }
    if (rc < 0) db_fault_mark(r->db);
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

/*
** Run the export query of the list query in r (up to max rows); calls emit(row) for each
** visible row. With jr (a job) the rows are counted first and progress reported on every
** row. 0, -1 with e on error, -2 when the job was cancelled.
*/
static int export_rows(Req *r, const Entity *en, int64_t max, JobRun *jr, void (*emit)(void *ctx, json_t *row),
                       void *ctx, Err *e) {
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1;
    int64_t total = 0;
    if (jr) {
        Stmt *cs = db_prepare(r->db, list_query_sql(r, en, &lq, "COUNT(*)", NULL, false));
        if (!cs) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        list_query_bind(r, en, &lq, cs);
        int rc = db_step(cs);
        total = rc == DB_ROW ? db_col_int64(cs, 0) : -1;
        db_done(cs);
        if (total < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (total > max) total = max;
        if (job_progress(jr, 0, total) < 0) return -2;
    }
    int pl = list_query_add_int(&lq, max);
    char *sql = list_query_sql(r, en, &lq, entity_info(en)->select_cols, arena_printf(r->a, "LIMIT ?%d", pl), true);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    list_query_bind(r, en, &lq, st);
    int rc;
    int64_t n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = entity_row_json(en, st);
        emit(ctx, row);
        json_decref(row);
        if (jr && job_progress(jr, ++n, total) < 0) {
            db_done(st);
            return -2;
        }
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
    FILE *f;     /* a job: out is written here whenever it grows past CSV_FLUSH */
    bool failed; /* a write to f failed */
} CsvCtx;

/* A job's CSV: move what out holds to the file. */
static void csv_flush(CsvCtx *c) {
    if (c->out.n && fwrite(c->out.p, 1, c->out.n, c->f) != c->out.n) c->failed = true;
    c->out.n = 0;
    c->out.p[0] = 0;
}

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
    if (c->f && c->out.n > CSV_FLUSH) csv_flush(c);
}

/* The CSV of the list query in r: BOM, header row, the rows (into c->out, or c->f). 0, -1, -2 cancelled. */
static int csv_write(CsvCtx *c, Req *r, const Entity *en, int64_t max, JobRun *jr, Err *e) {
    c->r = r;
    c->en = en;
    buf_init(&c->out, r->a);
    c->ncols = columns(r, en, c->cols, 64);
    buf_puts(&c->out, "\xEF\xBB\xBF");
    for (int i = 0; i < c->ncols; i++) {
        if (i) buf_putc(&c->out, ',');
        csv_cell(&c->out, c->cols[i].label);
    }
    buf_puts(&c->out, "\r\n");
    int rc = export_rows(r, en, max, jr, csv_emit, c, e);
    if (rc == 0 && c->f) {
        csv_flush(c);
        if (c->failed) rc = err_set(e, 500, EC_INTERNAL, NULL, "cannot write the file");
    }
    return rc;
}

/*
** GET /api/v1/:entity/export.csv?<list query>          entity read roles
** 200 text/csv (UTF-8 with BOM, for Excel) of the visible rows matching the filter
*/
int export_csv(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    CsvCtx *c = arena_alloc(r->a, sizeof *c);
    if (csv_write(c, r, en, EXPORT_MAX_ROWS, NULL, e) < 0) return -1;
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

/* The workbook of the list query in r, written to path. 0, -1 with e, -2 cancelled. */
static int xlsx_write(Req *r, const Entity *en, const char *path, int64_t max, JobRun *jr, Err *e) {
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    XlsxCtx *c = arena_alloc(r->a, sizeof *c);
    c->r = r;
    c->en = en;
    c->ws = workbook_add_worksheet(wb, NULL);
    c->money = workbook_add_format(wb);
    format_set_num_format(c->money, "#,##0.00");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    c->ncols = columns(r, en, c->cols, 64);
    for (int i = 0; i < c->ncols; i++)
        worksheet_write_string(c->ws, 0, (lxw_col_t)i, c->cols[i].label, bold);
    int rc = export_rows(r, en, max, jr, xlsx_emit, c, e);
    lxw_error le = workbook_close(wb);
    if (rc == 0 && le != LXW_NO_ERROR) rc = err_set(e, 500, EC_INTERNAL, NULL, "xlsx: %s", lxw_strerror(le));
    return rc;
}

/* Answer the workbook at path as name.xlsx. 0, or -1 with e. */
static int xlsx_reply(Req *r, const char *path, const char *name, Err *e) {
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        if (f) fclose(f);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    char *data = arena_alloc(r->a, (size_t)sb.st_size + 1);
    size_t n = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", name));
    return reply_raw(r, 200, XLSX_TYPE, data, n);
}

/*
** GET /api/v1/:entity/export.xlsx?<list query>         entity read roles
** 200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
*/
int export_xlsx(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    char path[] = "/tmp/salesloop-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    close(fd);
    int rc = xlsx_write(r, en, path, EXPORT_MAX_ROWS, NULL, e);
    if (rc == 0) rc = xlsx_reply(r, path, en->name, e);
    unlink(path);
    return rc;
}

/* ---------------------------------------------------------------- a module's table */

/* The file of a table a module computed (a report, a recall list), CSV or XLSX as the entity
   exports write them: header labels, then rows of text cells (integers written as numbers). */
int export_table_reply(Req *r, const char *name, const char *format, json_t *header, json_t *rows, Err *e) {
    size_t i, j;
    json_t *row, *cell;
    if (!format || !strcmp(format, "csv")) {
        Buf b;
        buf_init(&b, r->a);
        buf_puts(&b, "\xEF\xBB\xBF");
        json_array_foreach(header, j, cell) {
            if (j) buf_putc(&b, ',');
            csv_cell(&b, json_string_value(cell) ? json_string_value(cell) : "");
        }
        buf_puts(&b, "\r\n");
        json_array_foreach(rows, i, row) {
            json_array_foreach(row, j, cell) {
                if (j) buf_putc(&b, ',');
                if (json_is_integer(cell))
                    buf_printf(&b, "%lld", (long long)json_integer_value(cell));
                else
                    csv_cell(&b, json_string_value(cell) ? json_string_value(cell) : "");
            }
            buf_puts(&b, "\r\n");
        }
        reply_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s.csv\"", name));
        return reply_raw(r, 200, "text/csv; charset=utf-8", b.p, b.n);
    }
    if (strcmp(format, "xlsx")) return err_set(e, 400, EC_ENUM, "format", "csv xlsx");
    char path[] = "/tmp/salesloop-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = -1;
    if (!wb) {
        rc = err_set(e, 500, EC_INTERNAL, NULL, NULL);
        goto out;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    json_array_foreach(header, j, cell) { worksheet_write_string(ws, 0, (lxw_col_t)j, json_string_value(cell), bold); }
    json_array_foreach(rows, i, row) {
        json_array_foreach(row, j, cell) {
            if (json_is_integer(cell))
                worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)j, (double)json_integer_value(cell), NULL);
            else
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)j,
                                       json_string_value(cell) ? json_string_value(cell) : "", NULL);
        }
    }
    lxw_error le = workbook_close(wb);
    if (le != LXW_NO_ERROR) {
        rc = err_set(e, 500, EC_INTERNAL, NULL, "xlsx: %s", lxw_strerror(le));
        goto out;
    }
    rc = xlsx_reply(r, path, name, e);
out:
    unlink(path);
    return rc;
}

/* ---------------------------------------------------------------- the export job */

/* Kind "export": params {"query": the list query string, "format": "csv"|"xlsx"}; entity set. */
static int export_job_run(JobRun *jr) {
    Req r;
    job_req(jr, &r);
    const Entity *en = entity_find(jr->entity);
    const char *fmt = json_string_value(json_object_get(jr->params, "format"));
    const char *q = json_string_value(json_object_get(jr->params, "query"));
    bool xlsx = fmt && !strcmp(fmt, "xlsx");
    Err e = {0};
    int rc = -1;
    r.query = arena_strdup(r.a, q ? q : "");
    r.params[0] = jr->entity;
    r.nparams = 1;
    if (!en || req_parse_query(&r) < 0 || !entity_can_read(en, r.user)) {
        jr->error = msg_make(jr->a, "job.failed", "detail", "query", NULL);
        goto out;
    }
    const char *name = arena_printf(jr->a, "%s.%s", en->name, xlsx ? "xlsx" : "csv");
    const char *path = job_file(jr, xlsx ? "xlsx" : "csv", name, xlsx ? XLSX_TYPE : "text/csv; charset=utf-8");
    if (xlsx) {
        rc = xlsx_write(&r, en, path, EXPORT_JOB_ROWS, jr, &e);
    } else {
        CsvCtx *c = arena_alloc(r.a, sizeof *c);
        c->f = fopen(path, "wb");
        if (!c->f) {
            rc = err_set(&e, 500, EC_INTERNAL, NULL, "cannot create the file");
        } else {
            rc = csv_write(c, &r, en, EXPORT_JOB_ROWS, jr, &e);
            if (fclose(c->f) != 0 && rc == 0) rc = err_set(&e, 500, EC_INTERNAL, NULL, "cannot write the file");
        }
    }
    if (rc == -1) jr->error = msg_make(jr->a, "job.failed", "detail", e.code ? e.code : "export", NULL);
    if (rc == 0) jr->result = json_pack("{s:s, s:s}", "format", xlsx ? "xlsx" : "csv", "file_name", name);
out:
    arena_free(r.a);
    return rc == 0 ? 0 : -1;
}

/*
** POST /api/v1/:entity/export-jobs?<list query>&format=csv|xlsx    entity read roles
** Queues an export of exactly the rows the list shows for the query, evaluated as the
** requesting user when it runs (up to 1,000,000 rows). Follow it at GET /api/v1/jobs/:id;
** the file is at its "file.url" once done (the owner only).
** 202 the job | 400 request.bad_query (the list query or format) | 403 | 404
*/
int export_job_post(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    const char *fmt = req_query(r, "format");
    if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "xlsx")) return err_set(e, 400, EC_BAD_QUERY, "format", "csv or xlsx");
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1; /* a bad query is answered now, not by a failed job */
    json_t *params = json_pack("{s:s, s:s}", "query", r->query ? r->query : "", "format", fmt ? fmt : "csv");
    const char *title = arena_printf(r->a, "%s.%s", en->name, fmt ? fmt : "csv");
    return job_reply_queued(r, job_enqueue(r, "export", en->name, 0, title, params, e), e);
}

void export_register(void) {
    static const JobKind kind = {"export", export_job_run, "导出", "匯出", "Export"};
    job_kind_declare(&kind);
}
