/*
** import_csv.c — CSV files into an ImpTable (RFC 4180, as Excel and WPS
** write them): UTF-8 with or without BOM, UTF-16 ("Unicode text"), and
** GB18030/GBK from a Chinese Excel's "CSV"; separator , ; or TAB found in
** the first record; quoted fields with doubled quotes and line breaks.
** Also the table's row builder shared with import_xlsx.c.
*/
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "import.h"

/* ---------------------------------------------------------------- table */

void imp_table_init(ImpTable *t, Arena *a) {
    memset(t, 0, sizeof *t);
    t->a = a;
    t->encoding = "UTF-8";
}

void imp_table_free(ImpTable *t) {
    if (!t) return;
    free(t->rows);
    free(t->scratch);
    t->rows = NULL;
    t->scratch = NULL;
    t->nrows = t->cap = t->scratch_cap = 0;
}

void imp_row_begin(ImpTable *t, int line) {
    t->cur_line = line;
    t->cur_n = 0;
}

int imp_row_add(ImpTable *t, int col, const char *s, size_t len, CellKind kind) {
    if (col < 0 || col >= IMP_MAX_COLS) return -1;
    if (col >= t->scratch_cap) {
        int nc = t->scratch_cap ? t->scratch_cap * 2 : 16;
        while (nc <= col)
            nc *= 2;
        if (nc > IMP_MAX_COLS) nc = IMP_MAX_COLS;
        t->scratch = xrealloc(t->scratch, (size_t)nc * sizeof *t->scratch);
        t->scratch_cap = nc;
    }
    /* cells skipped over (XLSX leaves empty cells out) are empty text */
    for (int i = t->cur_n; i < col; i++)
        t->scratch[i] = (ImpCell){"", CELL_TEXT};
    t->scratch[col] = (ImpCell){len ? arena_strndup(t->a, s, len) : "", kind};
    if (col >= t->cur_n) t->cur_n = col + 1;
    return 0;
}

void imp_row_end(ImpTable *t) {
    int n = t->cur_n;
    while (n > 0 && !t->scratch[n - 1].s[0])
        n--;            /* trailing empty cells */
    if (n == 0) return; /* a blank row is left out */
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = xrealloc(t->rows, (size_t)t->cap * sizeof *t->rows);
    }
    ImpRow *r = &t->rows[t->nrows++];
    r->line = t->cur_line;
    r->n = n;
    r->c = arena_alloc(t->a, (size_t)n * sizeof *r->c);
    memcpy(r->c, t->scratch, (size_t)n * sizeof *r->c);
    if (n > t->maxcols) t->maxcols = n;
    t->cur_n = 0;
}

/* ---------------------------------------------------------------- encoding */

/*
** Convert data[0..n) from charset `from` to UTF-8 with iconv. Returns a
** malloc'd buffer (caller frees) and its length, or NULL when the input is
** not valid in that charset.
*/
static char *to_utf8(const char *from, const char *data, size_t n, size_t *outlen) {
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = n * 2 + 16; /* GB18030 and UTF-16 grow by at most 1.5x in UTF-8 */
    char *out = xmalloc(cap);
    char *in = (char *)data, *o = out;
    size_t inleft = n, oleft = cap;
    size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
    if (rc != (size_t)-1) rc = iconv(cd, NULL, NULL, &o, &oleft); /* flush shift state */
    iconv_close(cd);
    if (rc == (size_t)-1 || inleft) {
        free(out);
        return NULL;
    }
    *outlen = (size_t)(o - out);
    return out;
}

/* ---------------------------------------------------------------- CSV */

/* The separator of the first record: the most frequent of , ; TAB outside quotes (',' on a tie). */
static char detect_sep(const char *p, const char *end) {
    int comma = 0, semi = 0, tab = 0;
    bool q = false;
    for (; p < end; p++) {
        if (*p == '"')
            q = !q;
        else if (!q && (*p == '\n' || *p == '\r'))
            break;
        else if (!q && *p == ',')
            comma++;
        else if (!q && *p == ';')
            semi++;
        else if (!q && *p == '\t')
            tab++;
    }
    if (tab > comma && tab >= semi) return '\t';
    if (semi > comma) return ';';
    return ',';
}

/* Parse UTF-8 CSV text into t. Cells are built in cell (a malloc'd scratch buffer). */
static int parse_text(ImpTable *t, const char *p, const char *end, Err *e) {
    char sep = detect_sep(p, end);
    t->sep = sep;
    size_t cap = 256, len = 0;
    char *cell = xmalloc(cap);
    int record = 1, col = 0, rc = 0;
    imp_row_begin(t, record);
    while (p <= end) {
        /* one field */
        len = 0;
        int qline = record;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p == end) {
                    err_set(e, 400, EC_IMPORT_FILE, NULL, "line %d: unterminated quote", qline);
                    rc = -1;
                    goto out;
                }
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        p += 2;
                        if (len + 1 > cap) cell = xrealloc(cell, cap *= 2);
                        cell[len++] = '"';
                        continue;
                    }
                    p++;
                    break;
                }
                if (len + 1 > cap) cell = xrealloc(cell, cap *= 2);
                cell[len++] = *p++;
                if (len > IMP_MAX_CELL) {
                    err_set(e, 400, EC_IMPORT_FILE, NULL, "line %d: a cell is longer than %d bytes", qline,
                            IMP_MAX_CELL);
                    rc = -1;
                    goto out;
                }
            }
        }
        /* unquoted text, or text after a closing quote (kept as written, as Excel does) */
        while (p < end && *p != sep && *p != '\n' && *p != '\r') {
            if (len + 1 > cap) cell = xrealloc(cell, cap *= 2);
            cell[len++] = *p++;
            if (len > IMP_MAX_CELL) {
                err_set(e, 400, EC_IMPORT_FILE, NULL, "line %d: a cell is longer than %d bytes", record, IMP_MAX_CELL);
                rc = -1;
                goto out;
            }
        }
        if (imp_row_add(t, col, cell, len, CELL_TEXT) < 0) {
            err_set(e, 400, EC_IMPORT_FILE, NULL, "line %d: more than %d columns", record, IMP_MAX_COLS);
            rc = -1;
            goto out;
        }
        if (p < end && *p == sep) {
            p++;
            col++;
            continue;
        }
        /* end of record: CRLF, LF, CR or end of input */
        imp_row_end(t);
        if (p >= end) break;
        if (*p == '\r' && p + 1 < end && p[1] == '\n') p++;
        p++;
        if (p == end) break; /* a final line break ends the last record */
        record++;
        col = 0;
        imp_row_begin(t, record);
    }
out:
    free(cell);
    return rc;
}

int import_csv_parse(ImpTable *t, const char *data, size_t n, Err *e) {
    char *conv = NULL;
    size_t cn = 0;
    const unsigned char *u = (const unsigned char *)data;
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        conv = to_utf8(u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", data + 2, n - 2, &cn);
        if (!conv) return err_set(e, 400, EC_IMPORT_FILE, NULL, "malformed UTF-16");
        t->encoding = "UTF-16";
        data = conv;
        n = cn;
    } else if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        data += 3;
        n -= 3;
    }
    if (!conv && !utf8_valid(data, n)) {
        /* Chinese Excel saves "CSV" in the ANSI code page: GBK, a subset of GB18030 */
        conv = to_utf8("GB18030", data, n, &cn);
        if (!conv) return err_set(e, 400, EC_IMPORT_FILE, NULL, "text is neither UTF-8 nor GB18030");
        t->encoding = "GB18030";
        data = conv;
        n = cn;
    }
    if (memchr(data, '\0', n)) {
        free(conv);
        return err_set(e, 400, EC_IMPORT_FILE, NULL, "binary data (NUL byte) in a text file");
    }
    int rc = parse_text(t, data, data + n, e);
    free(conv);
    return rc;
}
