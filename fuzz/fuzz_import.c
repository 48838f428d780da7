/*
** fuzz_import.c — libFuzzer target: the import parsers (src/model/import_csv.c,
** import_xlsx.c). Any bytes: each parser either rejects them with a 400 error
** or yields a table whose every cell is a NUL-terminated UTF-8 string within
** the declared limits. The first byte picks the parser, so one corpus reaches both.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    Arena *a = arena_new();
    ImpTable t;
    imp_table_init(&t, a);
    Err e = {0};
    const char *body = (const char *)data + 1;
    int rc = (data[0] & 1) ? import_xlsx_parse(&t, body, size - 1, &e) : import_csv_parse(&t, body, size - 1, &e);
    if (rc == 0) {
        for (int i = 0; i < t.nrows; i++) {
            const ImpRow *row = &t.rows[i];
            if (row->n < 0 || row->n > IMP_MAX_COLS) __builtin_trap();
            for (int c = 0; c < row->n; c++) {
                const char *s = row->c[c].s;
                if (!s) __builtin_trap();
                size_t n = strlen(s);
                if (n > IMP_MAX_CELL * 4 || !utf8_valid(s, n)) __builtin_trap();
            }
        }
    } else if (e.status != 400 && e.status != 413 && e.status != 415) {
        __builtin_trap(); /* a malformed file is the client's fault, never a 500 */
    }
    imp_table_free(&t);
    arena_free(a);
    return 0;
}
