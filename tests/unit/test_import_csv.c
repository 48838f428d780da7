/*
** test_import_csv.c — unit tests of src/model/import_csv.c (CSV files into
** an ImpTable) and of the Excel date serials of import_xlsx.c: quoting,
** line endings, encodings, separators, blank rows, limits and errors.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/errcodes.h"
#include "model/import.h"

/* Parse data (n bytes) into t with a fresh arena; returns parse's rc. Free with done(). */
static int parse(ImpTable *t, const char *data, size_t n, Err *e) {
    imp_table_init(t, arena_new());
    memset(e, 0, sizeof *e);
    return import_csv_parse(t, data, n, e);
}

static void done(ImpTable *t) {
    Arena *a = t->a;
    imp_table_free(t);
    arena_free(a);
}

/* Cell text of row r, column c ("" beyond the row's end). */
static const char *cell(const ImpTable *t, int r, int c) {
    assert_true(r < t->nrows);
    return c < t->rows[r].n ? t->rows[r].c[c].s : "";
}

/* 1. Plain rows, LF endings, a final line break, no trailing empty record. */
static void test_01_plain(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "a,b,c\n1,2,3\n";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.maxcols, 3);
    assert_int_equal(t.sep, ',');
    assert_string_equal(cell(&t, 0, 2), "c");
    assert_string_equal(cell(&t, 1, 0), "1");
    assert_int_equal(t.rows[1].line, 2);
    assert_string_equal(t.encoding, "UTF-8");
    done(&t);
}

/* 2. Quotes: separators, doubled quotes and CRLF line breaks inside a quoted field. */
static void test_02_quotes(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "name,note\r\n\"Acme, Inc.\",\"He said \"\"hi\"\"\r\nsecond line\"\r\nx,\"\"\r\n";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(cell(&t, 1, 0), "Acme, Inc.");
    assert_string_equal(cell(&t, 1, 1), "He said \"hi\"\r\nsecond line");
    assert_string_equal(cell(&t, 2, 0), "x");
    assert_int_equal(t.rows[2].n, 1); /* the empty trailing cell is dropped */
    /* the record with the embedded line break is still row 2, the next one row 3 */
    assert_int_equal(t.rows[1].line, 2);
    assert_int_equal(t.rows[2].line, 3);
    done(&t);
}

/* 3. UTF-8 BOM stripped; CR-only line endings; no final line break. */
static void test_03_bom_cr(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "\xEF\xBB\xBF产品编码,名称\r甲,乙";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(cell(&t, 0, 0), "产品编码");
    assert_string_equal(cell(&t, 1, 1), "乙");
    done(&t);
}

/* 4. Separator detection: semicolon and tab; commas inside are then plain text. */
static void test_04_separators(void **state) {
    ImpTable t;
    Err e;
    const char s1[] = "a;b;c\n1,5;2;3\n";
    assert_int_equal(parse(&t, s1, strlen(s1), &e), 0);
    assert_int_equal(t.sep, ';');
    assert_string_equal(cell(&t, 1, 0), "1,5");
    done(&t);
    const char s2[] = "a\tb\n\"x\ty\"\tz\n";
    assert_int_equal(parse(&t, s2, strlen(s2), &e), 0);
    assert_int_equal(t.sep, '\t');
    assert_string_equal(cell(&t, 1, 0), "x\ty");
    assert_string_equal(cell(&t, 1, 1), "z");
    done(&t);
    /* separators inside quotes in the header do not count */
    const char s3[] = "\"a;b;c\",d\n1,2\n";
    assert_int_equal(parse(&t, s3, strlen(s3), &e), 0);
    assert_int_equal(t.sep, ',');
    assert_string_equal(cell(&t, 0, 0), "a;b;c");
    done(&t);
}

/* 5. GB18030/GBK input (Chinese Excel "CSV") is converted to UTF-8. */
static void test_05_gbk(void **state) {
    ImpTable t;
    Err e;
    /* "编码,名称\r\nA1,螺丝\r\n" in GBK */
    const char s[] = "\xB1\xE0\xC2\xEB,\xC3\xFB\xB3\xC6\r\nA1,\xC2\xDD\xCB\xBF\r\n";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_string_equal(t.encoding, "GB18030");
    assert_string_equal(cell(&t, 0, 0), "编码");
    assert_string_equal(cell(&t, 0, 1), "名称");
    assert_string_equal(cell(&t, 1, 1), "螺丝");
    done(&t);
}

/* 6. UTF-16LE with BOM (Excel "Unicode text", tab separated). */
static void test_06_utf16(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "\xFF\xFE"
                     "a\0\t\0b\0\n\0"
                     "1\0\t\0\x2D\x4E\n\0"; /* a TAB b LF 1 TAB 中 LF */
    assert_int_equal(parse(&t, s, sizeof s - 1, &e), 0);
    assert_string_equal(t.encoding, "UTF-16");
    assert_int_equal(t.sep, '\t');
    assert_string_equal(cell(&t, 1, 1), "中");
    done(&t);
}

/* 7. Blank lines are left out but keep the numbering of the rows after them. */
static void test_07_blank_rows(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "h1,h2\n\n,\n1,2\n\n";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.rows[1].line, 4);
    done(&t);
    assert_int_equal(parse(&t, "", 0, &e), 0);
    assert_int_equal(t.nrows, 0);
    done(&t);
}

/* 8. Errors: an unterminated quote names the line it began on; NUL bytes; bad encodings. */
static void test_08_errors(void **state) {
    ImpTable t;
    Err e;
    const char s1[] = "a,b\n1,2\n3,\"never closed\n4,5\n";
    assert_int_equal(parse(&t, s1, strlen(s1), &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.code, EC_IMPORT_FILE);
    assert_non_null(strstr(e.detail, "line 3"));
    done(&t);
    const char s2[] = "a,b\n1\0,2\n";
    assert_int_equal(parse(&t, s2, sizeof s2 - 1, &e), -1);
    done(&t);
    const char s3[] = "\xFF\xFE"
                      "a"; /* odd UTF-16 length */
    assert_int_equal(parse(&t, s3, sizeof s3 - 1, &e), -1);
    done(&t);
}

/* 9. Text after a closing quote is kept (as Excel does); a quote inside unquoted text is literal. */
static void test_09_lenient(void **state) {
    ImpTable t;
    Err e;
    const char s[] = "a,b\n\"x\"y,5\"6\n";
    assert_int_equal(parse(&t, s, strlen(s), &e), 0);
    assert_string_equal(cell(&t, 1, 0), "xy");
    assert_string_equal(cell(&t, 1, 1), "5\"6");
    done(&t);
}

/* 10. Limits: more columns than IMP_MAX_COLS is refused, not truncated. */
static void test_10_too_many_columns(void **state) {
    ImpTable t;
    Err e;
    size_t n = (IMP_MAX_COLS + 5) * 2;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2) {
        s[i] = 'x';
        s[i + 1] = ',';
    }
    s[n - 1] = '\n';
    s[n] = 0;
    assert_int_equal(parse(&t, s, n, &e), -1);
    assert_non_null(strstr(e.detail, "columns"));
    done(&t);
    free(s);
}

/* 11. Excel date serials: integers, the 1900 leap-year bug, times, junk. */
static void test_11_serials(void **state) {
    char d[20];
    assert_int_equal(excel_serial_date("45292", false, d), 0);
    assert_string_equal(d, "2024-01-01");
    assert_int_equal(excel_serial_date("1", false, d), 0);
    assert_string_equal(d, "1900-01-01");
    assert_int_equal(excel_serial_date("59", false, d), 0);
    assert_string_equal(d, "1900-02-28");
    assert_int_equal(excel_serial_date("61", false, d), 0);
    assert_string_equal(d, "1900-03-01");
    assert_int_equal(excel_serial_date("45292.5", true, d), 0);
    assert_string_equal(d, "2024-01-01 12:00:00");
    assert_int_equal(excel_serial_date("45292.999999999", true, d), 0);
    assert_string_equal(d, "2024-01-02 00:00:00");
    assert_int_equal(excel_serial_date("2958465", false, d), 0);
    assert_string_equal(d, "9999-12-31");
    assert_int_equal(excel_serial_date("2958466", false, d), -1);
    assert_int_equal(excel_serial_date("0", false, d), -1);
    assert_int_equal(excel_serial_date("-5", false, d), -1);
    assert_int_equal(excel_serial_date("1E3", false, d), -1);
    assert_int_equal(excel_serial_date("", false, d), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_plain),      cmocka_unit_test(test_02_quotes),
        cmocka_unit_test(test_03_bom_cr),     cmocka_unit_test(test_04_separators),
        cmocka_unit_test(test_05_gbk),        cmocka_unit_test(test_06_utf16),
        cmocka_unit_test(test_07_blank_rows), cmocka_unit_test(test_08_errors),
        cmocka_unit_test(test_09_lenient),    cmocka_unit_test(test_10_too_many_columns),
        cmocka_unit_test(test_11_serials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
