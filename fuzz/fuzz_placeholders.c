/*
** fuzz_placeholders.c — libFuzzer target: db_rewrite_placeholders (src/db/db.c),
** ?N -> $N (a bare ? -> the next number) outside literals, quoted identifiers
** and comments. Any text in, a string out, never a crash; both entry points
** agree, and the result is never shorter than the input.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/backend.h"
#include "db/db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *sql = malloc(size + 1);
    memcpy(sql, data, size);
    sql[size] = 0;
    char *out = db_rewrite_placeholders(sql);
    int maxp = -1;
    char *out2 = db_rewrite_placeholders_n(sql, &maxp);
    if ((out == NULL) != (out2 == NULL)) __builtin_trap();
    if (out && strcmp(out, out2) != 0) __builtin_trap();
    if (out && strlen(out) < strlen(sql)) __builtin_trap(); /* ?N -> $N keeps the length, a bare ? grows */
    if (out2 && maxp < 0) __builtin_trap();
    free(out);
    free(out2);
    free(sql);
    return 0;
}
