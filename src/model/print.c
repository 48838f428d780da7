/*
** print.c — one-record documents (issue 9 mechanism 6). An entity's PrintLayout
** (entity.h) is resolved for one visible row into text: labels in the user's
** language, values formatted by type (¥1,234.56, quantities, percentages,
** dates, enum labels, references by the referred row's title), the line table,
** totals and the 大写 of one amount. GET .../print answers that text as JSON
** for the browser's print view; GET .../print.pdf hands the very same text to
** pdf.c, so the screen and the paper never disagree. POST .../print-jobs
** queues the PDFs of several records as one zip (job kind "print").
*/
#include <stdio.h>
#include <string.h>

#include <zip.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "calendar.h"
#include "jobs.h"
#include "model.h"
#include "pdf.h"
#include "print.h"
#include "settings.h"

/* The company block over every document (admin → settings). */
static const Setting print_settings[] = {
    {"company.name", ST_TEXT, "", 0, 0, "公司名称", "公司名稱", "Company name"},
    {"company.address", ST_TEXT, "", 0, 0, "公司地址", "公司地址", "Company address"},
    {"company.phone", ST_TEXT, "", 0, 0, "公司电话", "公司電話", "Company phone"},
    {"company.tax_id", ST_TEXT, "", 0, 0, "纳税人识别号", "統一編號", "Tax ID"},
};

/* Documents show dates in the company's zone (UTC+8, as exports do). */

/* ---------------------------------------------------------------- formatting (pure) */

/* Digits of u with a comma every three from the right, appended to b. */
static void grouped(Buf *b, uint64_t u) {
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int i = n - 1; i >= 0; i--) {
        buf_putc(b, d[i]);
        if (i && i % 3 == 0) buf_putc(b, ',');
    }
}

/* |v| without overflow for INT64_MIN. */
static uint64_t mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

char *print_money(Arena *a, int64_t fen) {
    Buf b;
    buf_init(&b, a);
    if (fen < 0) buf_putc(&b, '-');
    buf_puts(&b, "\xC2\xA5"); /* ¥ */
    grouped(&b, mag(fen) / 100);
    buf_printf(&b, ".%02u", (unsigned)(mag(fen) % 100));
    return b.p;
}

/* Append ".fff" of frac (0..10^digits-1, digits places) without trailing zeros; nothing for 0. */
static void decimals(Buf *b, unsigned frac, int digits) {
    if (!frac) return;
    char s[8];
    snprintf(s, sizeof s, "%0*u", digits, frac);
    int n = digits;
    while (n > 0 && s[n - 1] == '0')
        n--;
    buf_putc(b, '.');
    buf_add(b, s, (size_t)n);
}

char *print_qty(Arena *a, int64_t milli) {
    Buf b;
    buf_init(&b, a);
    if (milli < 0) buf_putc(&b, '-');
    grouped(&b, mag(milli) / 1000);
    decimals(&b, (unsigned)(mag(milli) % 1000), 3);
    return b.p;
}

char *print_percent(Arena *a, int64_t bp) {
    Buf b;
    buf_init(&b, a);
    if (bp < 0) buf_putc(&b, '-');
    grouped(&b, mag(bp) / 100);
    decimals(&b, (unsigned)(mag(bp) % 100), 2);
    buf_putc(&b, '%');
    return b.p;
}

char *print_upper(Arena *a, int64_t fen, const char *locale) {
    char *s = money_upper(a, fen);
    if (!locale || strcmp(locale, "zh-TW") != 0) return s;
    /* the capitals that differ in traditional script; each is 3 bytes in both */
    static const char *const map[][2] = {{"贰", "貳"}, {"叁", "參"}, {"陆", "陸"},
                                         {"万", "萬"}, {"亿", "億"}, {"负", "負"}};
    for (char *p = s; *p;) {
        size_t step = (*p & 0x80) ? ((*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4) : 1;
        for (size_t i = 0; step == 3 && i < sizeof map / sizeof map[0]; i++)
            if (memcmp(p, map[i][0], 3) == 0) {
                memcpy(p, map[i][1], 3);
                break;
            }
        p += step;
    }
    return s;
}

char *print_disposition(Arena *a, const char *name) {
    Buf ascii, enc;
    buf_init(&ascii, a);
    buf_init(&enc, a);
    buf_puts(&ascii, "");
    buf_puts(&enc, "");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                     *p == '_' || *p == '.';
        buf_putc(&ascii, plain ? (char)*p : '_');
        if (plain)
            buf_putc(&enc, (char)*p);
        else
            buf_printf(&enc, "%%%02X", *p);
    }
    return arena_printf(a, "attachment; filename=\"%s.pdf\"; filename*=UTF-8''%s.pdf", ascii.p, enc.p);
}

/* ---------------------------------------------------------------- fields of a layout */

/* System columns a layout may print besides the declared fields. */
static const Field print_sys_fields[] = {
    {"owner_id", FT_REF, 0, 0, 0, NULL, "users", NULL, "负责人", "負責人", "Owner"},
    {"created_at", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "日期", "日期", "Date"},
    {"state", FT_ENUM, 0, 0, 0, NULL, NULL, NULL, "状态", "狀態", "State"},
    {NULL},
};

/* The field called name among fields (declared first, then the system columns when sys). */
static const Field *find_field(const Field *fields, const char *name, bool sys) {
    for (const Field *f = fields; f && f->name; f++)
        if (!strcmp(f->name, name)) return f;
    for (const Field *f = print_sys_fields; sys && f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

int print_check(const Entity *en) {
    const PrintLayout *pl = en->print;
    if (!pl) return 0;
    int bad = 0;
    for (const char *const *h = pl->header; h && *h; h++)
        if (!find_field(en->fields, *h, true) || (!strcmp(*h, "state") && !en->flow)) {
            log_error("print layout of %s: no header field %s", en->name, *h);
            bad = 1;
        }
    for (const char *const *t = pl->totals; t && *t; t++)
        if (!find_field(en->fields, *t, false)) {
            log_error("print layout of %s: no total field %s", en->name, *t);
            bad = 1;
        }
    const Field *up = pl->upper ? find_field(en->fields, pl->upper, false) : NULL;
    if (pl->upper && (!up || up->type != FT_MONEY)) {
        log_error("print layout of %s: upper %s is not a money field", en->name, pl->upper);
        bad = 1;
    }
    const Child *ch = pl->lines ? entity_child(en, pl->lines) : NULL;
    if (pl->lines && !ch) {
        log_error("print layout of %s: no child collection %s", en->name, pl->lines);
        bad = 1;
    }
    int n = 0;
    for (const PrintColumn *c = pl->columns; ch && c && c->field; c++, n++)
        if (strcmp(c->field, "#") != 0 && !find_field(ch->fields, c->field, false)) {
            log_error("print layout of %s: no line field %s", en->name, c->field);
            bad = 1;
        }
    if (n > 64) {
        log_error("print layout of %s: more than 64 columns", en->name);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- resolving a row */

/* One resolution: the request, the entity and the titles of references already looked up. */
typedef struct Resolve {
    Req *r;
    const Entity *en;
    json_t *titles; /* "entity:id" -> title (owned; freed with the request) */
} Resolve;

/*
** The title of row id of entity name as the user may see it: its title field when the row
** is live and visible to them, else "#id" (what the record screen shows for a row one cannot
** open). NULL on a database error.
*/
static const char *ref_title(Resolve *rs, const char *name, int64_t id) {
    Req *r = rs->r;
    const char *key = arena_printf(r->a, "%s:%lld", name, (long long)id);
    json_t *hit = json_object_get(rs->titles, key);
    if (hit) return json_string_value(hit);
    const Entity *ref = entity_find(name);
    const char *title = arena_printf(r->a, "#%lld", (long long)id);
    if (ref && ref->title_field) {
        Buf sql;
        buf_init(&sql, r->a);
        buf_printf(&sql, "SELECT t.%s FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL AND ", ref->title_field,
                   ref->table);
        entity_visibility_sql(ref, r->user, &sql, 2);
        Stmt *st = db_prepare(r->db, sql.p);
        if (!st) return NULL;
        db_bind_int64(st, 1, id);
        entity_visibility_bind(ref, r->user, st, 2);
        int rc = db_step(st);
        if (rc == DB_ROW && db_col_text(st, 0) && *db_col_text(st, 0)) title = arena_strdup(r->a, db_col_text(st, 0));
        db_done(st);
        if (rc < 0) return NULL;
    }
    json_object_set_new(rs->titles, key, json_string(title));
    return title;
}

/* Date "YYYY-MM-DD" of epoch t in the company's zone (arena). */
static char *local_date(Req *r, int64_t t) {
    char d[11];
    company_date(r, t, d);
    return arena_strdup(r->a, d);
}

/* The printed text of value v of field f; NULL on a database error. */
static const char *value_text(Resolve *rs, const Field *f, json_t *v) {
    Req *r = rs->r;
    if (!v || json_is_null(v)) return "";
    int64_t i = json_integer_value(v);
    switch (f->type) {
    case FT_MONEY:
        return print_money(r->a, i);
    case FT_QTY:
        return print_qty(r->a, i);
    case FT_PERCENT_BP:
        return print_percent(r->a, i);
    case FT_INT:
        return arena_printf(r->a, "%lld", (long long)i);
    case FT_BOOL:
        return json_is_true(v) ? label_for(r->locale, "是", "是", "Yes") : label_for(r->locale, "否", "否", "No");
    case FT_ENUM: {
        if (!strcmp(f->name, "state") && rs->en->flow && !f->enums) {
            Field sf = *f;
            sf.enums = rs->en->flow->states;
            return enum_label(r, &sf, json_string_value(v));
        }
        return enum_label(r, f, json_string_value(v));
    }
    case FT_DATE:
        return json_is_integer(v) ? local_date(r, i) : json_string_value(v) ? json_string_value(v) : "";
    case FT_DATETIME: {
        int64_t local = i + (int64_t)company_tz(r) * 60;
        return arena_printf(r->a, "%s %02d:%02d", local_date(r, i), (int)((local % 86400 + 86400) % 86400 / 3600),
                            (int)((local % 3600 + 3600) % 3600 / 60));
    }
    case FT_REF:
        return json_is_integer(v) ? ref_title(rs, f->ref, i) : "";
    case FT_ROLES:
        return "";
    case FT_CODE:
        return json_string_value(v) ? refdata_text(f->ref, json_string_value(v), r->locale) : "";
    default: /* server-written text (F_MESSAGE) in the reader's language */
        if ((f->flags & F_MESSAGE) && json_is_string(v)) return msg_render(r->a, r->locale, json_string_value(v));
        return json_string_value(v) ? json_string_value(v) : "";
    }
}

/* {"field","label","value"} and the same pair for the PDF; -1 on a database error. */
static int pair(Resolve *rs, const Field *f, json_t *row, json_t *arr, PdfPair *out) {
    if (!f) { /* a name print_check refused at start */
        out->label = out->value = "";
        return 0;
    }
    const char *v = value_text(rs, f, json_object_get(row, f->name));
    if (!v) return -1;
    out->label = field_label(rs->r, f);
    out->value = v;
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "field", f->name, "label", out->label, "value", v));
    return 0;
}

/* The company block from the settings: name, then "地址：… 电话：…" and "税号：…" when set. */
static void company_block(Req *r, PdfDoc *d, json_t *out) {
    const char *name = setting_text(r->db, r->a, "company.name");
    const char *addr = setting_text(r->db, r->a, "company.address");
    const char *phone = setting_text(r->db, r->a, "company.phone");
    const char *tax = setting_text(r->db, r->a, "company.tax_id");
    bool en = !strcmp(r->locale, "en");
    const char *colon = en ? ": " : "：";
    const char **lines = arena_alloc(r->a, 2 * sizeof *lines);
    int n = 0;
    Buf b;
    buf_init(&b, r->a);
    buf_puts(&b, "");
    if (*addr) buf_printf(&b, "%s%s%s", label_for(r->locale, "地址", "地址", "Address"), colon, addr);
    if (*phone)
        buf_printf(&b, "%s%s%s%s", *addr ? "    " : "", label_for(r->locale, "电话", "電話", "Phone"), colon, phone);
    if (b.n) lines[n++] = b.p;
    if (*tax)
        lines[n++] =
            arena_printf(r->a, "%s%s%s", label_for(r->locale, "纳税人识别号", "統一編號", "Tax ID"), colon, tax);
    d->company = name;
    d->company_lines = lines;
    d->ncompany_lines = n;
    json_t *jl = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(jl, json_string(lines[i]));
    json_object_set_new(out, "company", json_pack("{s:s, s:o}", "name", name, "lines", jl));
}

/* The number a document is known by: its "number", else its title, else "<entity>-<id>". */
static const char *doc_number(Req *r, const Entity *en, json_t *row) {
    const char *n = entity_field(en, "number") ? json_string_value(json_object_get(row, "number")) : NULL;
    if ((!n || !*n) && en->title_field) n = json_string_value(json_object_get(row, en->title_field));
    if (!n || !*n)
        n = arena_printf(r->a, "%s-%lld", en->name, (long long)json_integer_value(json_object_get(row, "id")));
    return n;
}

/* The line table: columns and the formatted cells of every line. -1 on a database error. */
static int table_part(Resolve *rs, json_t *row, PdfDoc *d, json_t *out) {
    Req *r = rs->r;
    const PrintLayout *pl = rs->en->print;
    const Child *ch = pl->lines ? entity_child(rs->en, pl->lines) : NULL;
    if (!ch) {
        json_object_set_new(out, "table", json_null());
        return 0;
    }
    int nc = 0;
    while (pl->columns && pl->columns[nc].field)
        nc++;
    PdfColumn *cols = arena_alloc(r->a, (size_t)(nc ? nc : 1) * sizeof *cols);
    const Field **cf = arena_alloc(r->a, (size_t)(nc ? nc : 1) * sizeof *cf);
    json_t *jcols = json_array();
    for (int c = 0; c < nc; c++) {
        const PrintColumn *pc = &pl->columns[c];
        cf[c] = strcmp(pc->field, "#") ? find_field(ch->fields, pc->field, false) : NULL;
        FieldType t = cf[c] ? cf[c]->type : FT_INT;
        cols[c].label = cf[c] ? field_label(r, cf[c]) : label_for(r->locale, "序号", "序號", "No.");
        cols[c].width = pc->width > 0 ? pc->width : 1;
        cols[c].right = t == FT_MONEY || t == FT_QTY || t == FT_PERCENT_BP || t == FT_INT;
        json_array_append_new(jcols, json_pack("{s:s, s:s, s:i, s:s}", "field", pc->field, "label", cols[c].label,
                                               "width", cols[c].width, "align", cols[c].right ? "right" : "left"));
    }
    json_t *lines = json_object_get(row, ch->name);
    int nr = (int)json_array_size(lines);
    const char **cells = arena_alloc(r->a, ((size_t)nr * (size_t)nc + 1) * sizeof *cells);
    json_t *jrows = json_array();
    for (int i = 0; i < nr; i++) {
        json_t *line = json_array_get(lines, (size_t)i), *jr = json_array();
        for (int c = 0; c < nc; c++) {
            const char *v =
                cf[c] ? value_text(rs, cf[c], json_object_get(line, cf[c]->name)) : arena_printf(r->a, "%d", i + 1);
            if (!v) {
                json_decref(jr);
                json_decref(jrows);
                json_decref(jcols);
                return -1;
            }
            cells[i * nc + c] = v;
            json_array_append_new(jr, json_string(v));
        }
        json_array_append_new(jrows, jr);
    }
    d->cols = cols;
    d->ncols = nc;
    d->cells = cells;
    d->nrows = nr;
    json_object_set_new(out, "table",
                        json_pack("{s:s, s:s, s:o, s:o}", "name", ch->name, "label",
                                  label_for(r->locale, ch->zh, ch->tw, ch->en), "columns", jcols, "rows", jrows));
    return 0;
}

/*
** Resolve en's layout for row (a visible row with its lines) into d and a JSON object
** (returned, owned by the caller). NULL with e (500) on a database error.
*/
static json_t *print_resolve(Req *r, const Entity *en, json_t *row, PdfDoc *d, Err *e) {
    const PrintLayout *pl = en->print;
    Resolve rs = {r, en, json_object()};
    arena_defer(r->a, (void (*)(void *))json_decref, rs.titles);
    json_t *out = json_object();
    memset(d, 0, sizeof *d);
    d->locale = r->locale;
    d->title = label_for(r->locale, pl->zh, pl->tw, pl->en);
    d->subtitle = doc_number(r, en, row);
    d->meta_title = arena_printf(r->a, "%s %s", d->title, d->subtitle);
    d->page_fmt = label_for(r->locale, "第 %d 页 / 共 %d 页", "第 %d 頁 / 共 %d 頁", "Page %d of %d");
    int64_t id = json_integer_value(json_object_get(row, "id"));
    json_object_set_new(out, "entity", json_string(en->name));
    json_object_set_new(out, "id", json_integer(id));
    json_object_set_new(out, "locale", json_string(r->locale));
    json_object_set_new(out, "title", json_string(d->title));
    json_object_set_new(out, "number", json_string(d->subtitle));
    json_object_set_new(out, "file_name", json_string(arena_printf(r->a, "%s.pdf", d->subtitle)));
    json_object_set_new(out, "pdf",
                        json_string(arena_printf(r->a, "/api/v1/%s/%lld/print.pdf", en->name, (long long)id)));
    company_block(r, d, out);

    int nh = 0, nt = 0;
    while (pl->header && pl->header[nh])
        nh++;
    while (pl->totals && pl->totals[nt])
        nt++;
    PdfPair *hp = arena_alloc(r->a, (size_t)(nh + 1) * sizeof *hp),
            *tp = arena_alloc(r->a, (size_t)(nt + 1) * sizeof *tp);
    json_t *jh = json_array(), *jt = json_array();
    json_object_set_new(out, "header", jh);
    json_object_set_new(out, "totals", jt);
    for (int i = 0; i < nh; i++)
        if (pair(&rs, find_field(en->fields, pl->header[i], true), row, jh, &hp[i]) < 0) goto fail;
    if (table_part(&rs, row, d, out) < 0) goto fail;
    for (int i = 0; i < nt; i++)
        if (pair(&rs, find_field(en->fields, pl->totals[i], false), row, jt, &tp[i]) < 0) goto fail;
    d->header = hp;
    d->nheader = nh;
    d->totals = tp;
    d->ntotals = nt;
    const Field *uf = pl->upper ? find_field(en->fields, pl->upper, false) : NULL;
    if (uf) {
        const Field *f = uf;
        PdfPair *up = arena_alloc(r->a, sizeof *up);
        up->label =
            arena_printf(r->a, label_for(r->locale, "%s（大写）", "%s（大寫）", "%s in words"), field_label(r, f));
        up->value = print_upper(r->a, json_integer_value(json_object_get(row, f->name)), r->locale);
        d->emphasis = up;
        json_object_set_new(out, "upper",
                            json_pack("{s:s, s:s, s:s}", "field", f->name, "label", up->label, "value", up->value));
    } else {
        json_object_set_new(out, "upper", json_null());
    }
    d->footer = label_for(r->locale, pl->footer_zh, pl->footer_tw, pl->footer_en);
    json_object_set_new(out, "footer", *d->footer ? json_string(d->footer) : json_null());
    return out;
fail:
    json_decref(out);
    err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return NULL;
}

/* The entity of the path, its layout and the visible row (with lines); NULL with e. */
static json_t *printed_row(Req *r, const Entity **pen, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return NULL;
    if (!en->print) {
        err_set(e, 404, EC_PRINT_NONE, NULL, NULL);
        return NULL;
    }
    int64_t id;
    return entity_request_row(r, pen, &id, e);
}

/*
** GET /api/v1/:entity/:id/print                       entity read roles; the row visible
** 200 {"entity","id","locale","title","number","file_name","pdf","company":{"name","lines"},
**      "header":[{"field","label","value"}],"table":{"name","label","columns":[{"field",
**      "label","width","align"}],"rows":[[text…]]}|null,"totals":[…],"upper":{"field",
**      "label","value"}|null,"footer":text|null}
** 404 record.not_found (missing, deleted or not visible) | 404 print.no_layout
*/
static int print_get(Req *r, Err *e) {
    const Entity *en;
    json_t *row = printed_row(r, &en, e);
    if (!row) return -1;
    PdfDoc d;
    json_t *out = print_resolve(r, en, row, &d, e);
    if (!out) return -1;
    return reply_json(r, 200, out);
}

/*
** GET /api/v1/:entity/:id/print.pdf                   entity read roles; the row visible
** 200 application/pdf (A4; Content-Disposition names it after the document number)
** 404 record.not_found | 404 print.no_layout | 500 the PDF could not be drawn
*/
static int print_pdf(Req *r, Err *e) {
    const Entity *en;
    json_t *row = printed_row(r, &en, e);
    if (!row) return -1;
    PdfDoc d;
    json_t *out = print_resolve(r, en, row, &d, e);
    if (!out) return -1;
    json_decref(out);
    char *pdf;
    size_t len;
    int pages;
    if (pdf_render(r->a, &d, &pdf, &len, &pages) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    reply_header(r, "Content-Disposition", print_disposition(r->a, d.subtitle));
    return reply_raw(r, 200, "application/pdf", pdf, len);
}

/* ---------------------------------------------------------------- PDFs of several records */

#define PRINT_JOB_MAX 200 /* records in one zip */

/*
** Kind "print": params {"ids": [...]}, entity set. The PDF of each record the owner sees now,
** into one zip (names from the document number, made unique); records gone or not visible
** are skipped and listed. Result {"files": n, "skipped": [ids]}.
*/
static int print_job_run(JobRun *jr) {
    json_t *ids = json_object_get(jr->params, "ids");
    const Entity *en = entity_find(jr->entity);
    if (!en || !en->print || !json_is_array(ids)) {
        jr->error = msg_make(jr->a, "job.failed", "detail", "print", NULL);
        return -1;
    }
    const char *name = arena_printf(jr->a, "%s.zip", en->name);
    const char *path = job_file(jr, "zip", name, "application/zip");
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        jr->error = msg_make(jr->a, "job.failed", "detail", "zip", NULL);
        return -1;
    }
    Req r;
    job_req(jr, &r); /* r.a holds every PDF until zip_close has written them */
    r.params[0] = en->name;
    r.nparams = 2;
    json_t *skipped = json_array(), *names = json_object();
    int rc = 0, files = 0;
    size_t n = json_array_size(ids);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t id = json_integer_value(json_array_get(ids, i));
        r.params[1] = arena_printf(r.a, "%lld", (long long)id);
        Err e = {0};
        const Entity *pen;
        int64_t rid;
        json_t *row = entity_request_row(&r, &pen, &rid, &e);
        PdfDoc d;
        json_t *out = row ? print_resolve(&r, en, row, &d, &e) : NULL;
        char *pdf;
        size_t len;
        int pages;
        if (!out && e.status >= 500) {
            rc = -1;
        } else if (!out) {
            json_array_append_new(skipped, json_integer(id));
        } else if (pdf_render(r.a, &d, &pdf, &len, &pages) < 0) {
            rc = -1;
        } else {
            const char *base = d.subtitle ? d.subtitle : arena_printf(r.a, "%lld", (long long)id);
            const char *file = json_object_get(names, base) ? arena_printf(r.a, "%s-%lld.pdf", base, (long long)id)
                                                            : arena_printf(r.a, "%s.pdf", base);
            json_object_set_new(names, base, json_true());
            zip_source_t *src = zip_source_buffer(z, pdf, len, 0);
            if (!src || zip_file_add(z, file, src, ZIP_FL_ENC_UTF_8) < 0) {
                zip_source_free(src);
                rc = -1;
            } else {
                files++;
            }
        }
        json_decref(out);
        if (rc == 0 && job_progress(jr, (int64_t)i + 1, (int64_t)n) < 0) rc = -1;
    }
    if (rc == 0 && files == 0) { /* nothing visible to print: no file (libzip writes no empty zip) */
        zip_discard(z);
        jr->file_rel = NULL;
        jr->result = json_pack("{s:i, s:O}", "files", 0, "skipped", skipped);
    } else if (rc == 0 && zip_close(z) == 0) {
        jr->result = json_pack("{s:i, s:O}", "files", files, "skipped", skipped);
    } else {
        zip_discard(z);
        if (!jr->error) jr->error = msg_make(jr->a, "job.failed", "detail", "print", NULL);
        rc = -1;
    }
    json_decref(skipped);
    json_decref(names);
    arena_free(r.a);
    return rc;
}

/*
** POST /api/v1/:entity/print-jobs                  entity read roles; entities with a print layout
** Body: {"ids": [id, ...]} (1..200 distinct ids). Queues the PDFs of those records the user sees
** when it runs, zipped (job kind "print"; the zip is the job's file).
** 202 the job | 400 field.* on ids | 404 print.no_layout
*/
static int print_jobs_post(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    if (!en->print) return err_set(e, 404, EC_PRINT_NONE, NULL, NULL);
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *ids = json_object_get(body, "ids");
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || n == 0) return err_set(e, 400, EC_REQUIRED, "ids", NULL);
    if (n > PRINT_JOB_MAX) return err_set(e, 400, EC_RANGE, "ids", "1..%d", PRINT_JOB_MAX);
    json_t *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        const char *key = json_is_integer(v) ? arena_printf(r->a, "%lld", (long long)json_integer_value(v)) : NULL;
        if (!key || json_integer_value(v) <= 0 || json_object_get(seen, key)) {
            json_decref(seen);
            return err_set(e, 400, EC_TYPE, arena_printf(r->a, "ids[%zu]", i), "a record id, once");
        }
        json_object_set_new(seen, key, json_true());
    }
    json_decref(seen);
    json_t *params = json_pack("{s:O}", "ids", ids);
    const char *title = arena_printf(r->a, "%s.zip", en->name);
    return job_reply_queued(r, job_enqueue(r, "print", en->name, 0, title, params, e), e);
}

void print_routes_register(void) {
    settings_declare(print_settings, (int)(sizeof print_settings / sizeof print_settings[0]));
    static const Route routes[] = {
        {"GET", "/api/v1/:entity/:id/print", print_get, 0, 0, "A record's printed document as text (print view)",
         "entities"},
        {"GET", "/api/v1/:entity/:id/print.pdf", print_pdf, R_SLOW | R_RAW, 0,
         "A record's printed document as an A4 PDF", "entities"},
        {"POST", "/api/v1/:entity/print-jobs", print_jobs_post, R_SLOW | R_OWN_TX, 0,
         "Queue the PDFs of several records, zipped, as a background job", "entities"},
    };
    static const JobKind kind = {"print", print_job_run, "打印 PDF", "列印 PDF", "PDFs"};
    job_kind_declare(&kind);
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
