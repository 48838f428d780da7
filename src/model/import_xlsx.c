/*
** import_xlsx.c — the first worksheet of an XLSX workbook into an ImpTable.
** An XLSX file is a zip of XML parts; libzip reads the parts from memory
** and expat parses them as a stream, so memory stays proportional to the
** cells, not to the XML. Parts read: xl/workbook.xml (which sheet is first),
** xl/_rels/workbook.xml.rels (where it is), xl/sharedStrings.xml (string
** cells), xl/styles.xml (which cells are dates or percentages) and the sheet.
** Numbers are kept as the XML text exactly as stored: never a double.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#include "../core/errcodes.h"
#include "import.h"

/* ---------------------------------------------------------------- dates */

int excel_serial_date(const char *s, bool with_time, char out[20]) {
    int64_t days = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        days = days * 10 + (*p - '0');
        if (days > 2958465) return -1; /* 9999-12-31 */
    }
    int64_t frac = 0, scale = 1;
    if (*p == '.') {
        p++;
        for (int nd = 0; *p >= '0' && *p <= '9'; p++)
            if (nd++ < 12) { /* 12 digits: far below a second, and frac * 86400 fits int64 */
                frac = frac * 10 + (*p - '0');
                scale *= 10;
            }
    }
    if (*p || days < 1) return -1;
    int64_t secs = (frac * 86400 * 2 + scale) / (2 * scale); /* rounded half up */
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    /* Excel counts 1900-02-29, which did not exist: serial 60 is that day,
       serials after it are one day ahead of the real count from 1899-12-31. */
    int64_t base = days_from_civil(1899, 12, 31);
    int64_t d = days < 60 ? base + days : days == 60 ? base + 59 : base + days - 1;
    int y, m, dd;
    civil_from_days(d, &y, &m, &dd);
    char buf[64]; /* y <= 9999 and secs < 86400: the text fits out[20] */
    if (with_time)
        snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, m, dd, (int)(secs / 3600), (int)(secs / 60 % 60),
                 (int)(secs % 60));
    else
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, dd);
    memcpy(out, buf, 20);
    out[19] = 0;
    return 0;
}

/* ---------------------------------------------------------------- XML plumbing */

/* State shared by the part parsers: the parser, the text being collected, an error. */
typedef struct Xml {
    XML_Parser xp;
    char *text; /* character data collected while collecting (malloc'd) */
    size_t len, cap;
    bool collecting;
    bool too_long;   /* a text grew past IMP_MAX_CELL */
    const char *err; /* first error found by a handler (static text), stops the parse */
} Xml;

/* Local name of an element or attribute: "x:row" -> "row". */
static const char *local(const char *name) {
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name) {
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0) return atts[i + 1];
    return NULL;
}

static void xml_fail(Xml *x, const char *msg) {
    if (!x->err) x->err = msg;
    XML_StopParser(x->xp, XML_FALSE);
}

static void on_chars(void *ud, const XML_Char *s, int n) {
    Xml *x = ud;
    if (!x->collecting) return;
    if (x->len + (size_t)n > IMP_MAX_CELL) {
        x->too_long = true;
        return;
    }
    if (x->len + (size_t)n + 1 > x->cap) {
        while (x->len + (size_t)n + 1 > x->cap)
            x->cap = x->cap ? x->cap * 2 : 256;
        x->text = xrealloc(x->text, x->cap);
    }
    memcpy(x->text + x->len, s, (size_t)n);
    x->len += (size_t)n;
    x->text[x->len] = 0;
}

static void text_reset(Xml *x) {
    x->len = 0;
    x->too_long = false;
    if (x->text) x->text[0] = 0;
}

/* A DTD could declare entities that expand without bound: no XLSX part has one. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal) {
    xml_fail(ud, "a document type declaration is not allowed");
}

/*
** Stream zip entry `name` through a new expat parser with the given handlers
** and user data (whose first member is an Xml). 1 parsed, 0 the entry does
** not exist, -1 with *why on error.
*/
static int parse_part(zip_t *z, const char *name, Xml *x, XML_StartElementHandler start, XML_EndElementHandler end,
                      const char **why) {
    zip_int64_t idx = zip_name_locate(z, name, ZIP_FL_NOCASE);
    if (idx < 0) return 0;
    zip_stat_t zs;
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &zs) == 0 && (zs.valid & ZIP_STAT_SIZE) && zs.size > IMP_MAX_XML) {
        *why = "a part of the workbook is too large";
        return -1;
    }
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!zf) {
        *why = "a part of the workbook cannot be read (damaged or encrypted)";
        return -1;
    }
    x->xp = XML_ParserCreate("UTF-8");
    XML_SetUserData(x->xp, x);
    XML_SetElementHandler(x->xp, start, end);
    XML_SetCharacterDataHandler(x->xp, on_chars);
    XML_SetStartDoctypeDeclHandler(x->xp, on_doctype);
    char buf[64 * 1024];
    uint64_t total = 0;
    int rc = 1;
    for (;;) {
        zip_int64_t got = zip_fread(zf, buf, sizeof buf);
        if (got < 0) {
            *why = "a part of the workbook is damaged";
            rc = -1;
            break;
        }
        total += (uint64_t)got;
        if (total > IMP_MAX_XML) {
            *why = "a part of the workbook is too large";
            rc = -1;
            break;
        }
        if (XML_Parse(x->xp, buf, (int)got, got == 0) == XML_STATUS_ERROR) {
            *why = x->err ? x->err : "malformed XML in the workbook";
            rc = -1;
            break;
        }
        if (got == 0) break;
    }
    if (rc > 0 && x->err) {
        *why = x->err;
        rc = -1;
    }
    XML_ParserFree(x->xp);
    x->xp = NULL;
    zip_fclose(zf);
    return rc;
}

/* ---------------------------------------------------------------- workbook and rels */

typedef struct Book {
    Xml x;
    char rid[128];    /* r:id of the first sheet */
    char target[512]; /* its part name, from the relationships */
} Book;

static void book_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    Book *b = ud;
    const char *id;
    if (!b->rid[0] && strcmp(local(name), "sheet") == 0 && (id = attr(atts, "id")))
        snprintf(b->rid, sizeof b->rid, "%s", id);
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    Book *b = ud;
    const char *id = attr(atts, "Id"), *tg = attr(atts, "Target");
    if (!b->target[0] && strcmp(local(name), "Relationship") == 0 && id && tg && strcmp(id, b->rid) == 0) {
        if (tg[0] == '/')
            snprintf(b->target, sizeof b->target, "%s", tg + 1); /* absolute in the package */
        else
            snprintf(b->target, sizeof b->target, "xl/%s", tg); /* relative to xl/ */
    }
}

static void no_end(void *ud, const XML_Char *name) {}

/* ---------------------------------------------------------------- shared strings */

typedef struct Strings {
    Xml x;
    Arena *a;
    const char **v; /* xrealloc'd array of arena strings */
    size_t n, cap;
    int depth_rph; /* inside <rPh> (phonetic guide text, not part of the value) */
    bool in_si;
} Strings;

static void sst_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    Strings *s = ud;
    const char *l = local(name);
    if (strcmp(l, "si") == 0) {
        s->in_si = true;
        text_reset(&s->x);
    } else if (strcmp(l, "rPh") == 0) {
        s->depth_rph++;
    } else if (strcmp(l, "t") == 0 && s->in_si && !s->depth_rph) {
        s->x.collecting = true;
    }
}

static void sst_end(void *ud, const XML_Char *name) {
    Strings *s = ud;
    const char *l = local(name);
    if (strcmp(l, "t") == 0) {
        s->x.collecting = false;
    } else if (strcmp(l, "rPh") == 0) {
        s->depth_rph--;
    } else if (strcmp(l, "si") == 0) {
        if (s->x.too_long) {
            xml_fail(&s->x, "a text is longer than 64 KiB");
            return;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->v = xrealloc(s->v, s->cap * sizeof *s->v);
        }
        s->v[s->n++] = arena_strndup(s->a, s->x.text ? s->x.text : "", s->x.len);
        s->in_si = false;
    }
}

/* ---------------------------------------------------------------- styles */

/* What the number format of a cell style makes of a number. */
enum { NF_PLAIN, NF_DATE, NF_DATETIME, NF_PERCENT };

typedef struct Styles {
    Xml x;
    int custom_id[256]; /* custom number formats: id -> kind */
    unsigned char custom_kind[256];
    int ncustom;
    unsigned char *xf; /* cellXfs index -> NF_* (xrealloc'd) */
    int nxf, capxf;
    bool in_cellxfs;
} Styles;

/* Kind of a built-in number format id (ECMA-376 18.8.30, plus the CJK date ids). */
static int builtin_kind(int id) {
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) || (id >= 50 && id <= 58))
        return NF_DATE;
    if (id == 22) return NF_DATETIME;
    if (id == 9 || id == 10) return NF_PERCENT;
    return NF_PLAIN; /* 18-21, 32, 33, 45-47 are times of day: kept as numbers */
}

/* Kind of a custom format code: a date has y or d, a time h or s; % makes a percentage. */
static int code_kind(const char *code) {
    bool date = false, time = false, pct = false;
    for (const char *p = code; *p; p++) {
        if (*p == '"') { /* literal text */
            for (p++; *p && *p != '"'; p++) {
            }
            if (!*p) break;
        } else if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') { /* [Red], [$-804], [h] elapsed hours */
            if ((p[1] == 'h' || p[1] == 'H') && p[2] == ']') time = true;
            for (p++; *p && *p != ']'; p++) {
            }
            if (!*p) break;
        } else if (*p == ';') {
            break; /* the first section decides */
        } else {
            char c = (char)(*p | 0x20);
            if (c == 'y' || c == 'd')
                date = true;
            else if (c == 'h' || c == 's')
                time = true;
            else if (*p == '%')
                pct = true;
        }
    }
    if (date) return time ? NF_DATETIME : NF_DATE;
    if (pct) return NF_PERCENT;
    return NF_PLAIN;
}

static void styles_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    Styles *s = ud;
    const char *l = local(name);
    if (strcmp(l, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code && s->ncustom < 256) {
            s->custom_id[s->ncustom] = atoi(id);
            s->custom_kind[s->ncustom++] = (unsigned char)code_kind(code);
        }
    } else if (strcmp(l, "cellXfs") == 0) {
        s->in_cellxfs = true;
    } else if (strcmp(l, "xf") == 0 && s->in_cellxfs) {
        const char *fid = attr(atts, "numFmtId");
        int id = fid ? atoi(fid) : 0, kind = builtin_kind(id);
        for (int i = 0; i < s->ncustom; i++)
            if (s->custom_id[i] == id) kind = s->custom_kind[i];
        if (s->nxf == s->capxf) {
            if (s->capxf >= 65536) return; /* more styles than Excel allows: the rest count as plain */
            s->capxf = s->capxf ? s->capxf * 2 : 64;
            s->xf = xrealloc(s->xf, (size_t)s->capxf);
        }
        s->xf[s->nxf++] = (unsigned char)kind;
    }
}

static void styles_end(void *ud, const XML_Char *name) {
    Styles *s = ud;
    if (strcmp(local(name), "cellXfs") == 0) s->in_cellxfs = false;
}

/* ---------------------------------------------------------------- the sheet */

typedef struct Sheet {
    Xml x;
    ImpTable *t;
    Strings *sst;
    Styles *st;
    int row; /* current row number (1-based) */
    bool in_row;
    int col;        /* current cell's column (0-based), -1 before the first */
    char type[16];  /* t attribute of the current cell */
    int style;      /* s attribute, -1 when none */
    bool has_value; /* a <v> or <is> was seen */
    bool in_is;     /* inside an inline string */
    int depth_rph;
} Sheet;

/* "BC12" -> column 54 (0-based); -1 when the reference has no letters or is out of range. */
static int col_of_ref(const char *ref) {
    int c = 0, n = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++) {
        c = c * 26 + (*ref - 'A' + 1);
        if (c > 16384) return -1;
    }
    return n ? c - 1 : -1;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    Sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "row") == 0) {
        const char *r = attr(atts, "r");
        int n = r ? atoi(r) : s->row + 1;
        s->row = n > 0 ? n : s->row + 1;
        s->in_row = true;
        s->col = -1;
        imp_row_begin(s->t, s->row);
    } else if (strcmp(l, "c") == 0 && s->in_row) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *st = attr(atts, "s");
        int c = r ? col_of_ref(r) : s->col + 1;
        s->col = c >= 0 ? c : s->col + 1;
        snprintf(s->type, sizeof s->type, "%s", t ? t : "n");
        s->style = st ? atoi(st) : -1;
        s->has_value = false;
        text_reset(&s->x);
    } else if (strcmp(l, "v") == 0 && s->in_row) {
        s->has_value = true;
        text_reset(&s->x);
        s->x.collecting = true;
    } else if (strcmp(l, "is") == 0 && s->in_row) {
        s->has_value = true;
        s->in_is = true;
        text_reset(&s->x);
    } else if (strcmp(l, "rPh") == 0) {
        s->depth_rph++;
    } else if (strcmp(l, "t") == 0 && s->in_is && !s->depth_rph) {
        s->x.collecting = true; /* rich text runs append */
    }
}

/* The finished cell <c> of the current row: its value by type and style. */
static void sheet_cell(Sheet *s) {
    if (!s->has_value) return;
    if (s->x.too_long) {
        xml_fail(&s->x, "a cell is longer than 64 KiB");
        return;
    }
    const char *v = s->x.text ? s->x.text : "";
    size_t len = s->x.len;
    CellKind kind = CELL_TEXT;
    char date[20];
    if (strcmp(s->type, "s") == 0) {
        char *end;
        long i = strtol(v, &end, 10);
        if (end == v || *end || i < 0 || (size_t)i >= s->sst->n) {
            xml_fail(&s->x, "a cell refers to a shared string that does not exist");
            return;
        }
        v = s->sst->v[i];
        len = strlen(v);
    } else if (strcmp(s->type, "b") == 0) {
        kind = CELL_BOOL;
    } else if (strcmp(s->type, "d") == 0) {
        kind = CELL_DATE; /* ISO 8601 text; import.c reads the date part */
    } else if (strcmp(s->type, "n") == 0) {
        int nf = s->style >= 0 && s->style < s->st->nxf ? s->st->xf[s->style] : NF_PLAIN;
        kind = CELL_NUMBER;
        if ((nf == NF_DATE || nf == NF_DATETIME) && excel_serial_date(v, nf == NF_DATETIME, date) == 0) {
            v = date;
            len = strlen(date);
            kind = CELL_DATE;
        } else if (nf == NF_PERCENT) {
            kind = CELL_PERCENT;
        }
    } /* "str" (formula result), "inlineStr", "e" (#N/A ...): text */
    if (!len) return;
    if (imp_row_add(s->t, s->col, v, len, kind) < 0) xml_fail(&s->x, "more than 512 columns hold data");
}

static void sheet_end(void *ud, const XML_Char *name) {
    Sheet *s = ud;
    const char *l = local(name);
    if (strcmp(l, "v") == 0) {
        s->x.collecting = false;
    } else if (strcmp(l, "t") == 0) {
        s->x.collecting = false;
    } else if (strcmp(l, "rPh") == 0) {
        s->depth_rph--;
    } else if (strcmp(l, "is") == 0) {
        s->in_is = false;
    } else if (strcmp(l, "c") == 0 && s->in_row) {
        sheet_cell(s);
    } else if (strcmp(l, "row") == 0 && s->in_row) {
        imp_row_end(s->t);
        s->in_row = false;
    }
}

/* ---------------------------------------------------------------- entry */

int import_xlsx_parse(ImpTable *t, const char *data, size_t n, Err *e) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, n, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return err_set(e, 400, EC_IMPORT_FILE, NULL, "not an XLSX (zip) file");
    }
    zip_error_fini(&ze);
    t->encoding = "XLSX";
    const char *why = NULL;
    int rc = -1;
    Book book = {0};
    Strings sst = {.a = t->a};
    Styles sty = {0};
    Sheet sh = {.t = t, .sst = &sst, .st = &sty, .col = -1};

    /* which part holds the first sheet; a workbook without the parts gets the usual name */
    if (parse_part(z, "xl/workbook.xml", &book.x, book_start, no_end, &why) < 0) goto out;
    if (book.rid[0] && parse_part(z, "xl/_rels/workbook.xml.rels", &book.x, rels_start, no_end, &why) < 0) goto out;
    if (!book.target[0]) snprintf(book.target, sizeof book.target, "xl/worksheets/sheet1.xml");
    if (parse_part(z, "xl/sharedStrings.xml", &sst.x, sst_start, sst_end, &why) < 0) goto out;
    if (parse_part(z, "xl/styles.xml", &sty.x, styles_start, styles_end, &why) < 0) goto out;
    int got = parse_part(z, book.target, &sh.x, sheet_start, sheet_end, &why);
    if (got == 0) why = "the workbook has no worksheet";
    if (got <= 0) goto out;
    rc = 0;
out:
    if (rc < 0) err_set(e, 400, EC_IMPORT_FILE, NULL, "%s", why ? why : "damaged workbook");
    free(book.x.text);
    free(sst.x.text);
    free(sst.v);
    free(sty.x.text);
    free(sty.xf);
    free(sh.x.text);
    zip_discard(z); /* read-only: nothing to write back; frees the source too */
    return rc;
}
