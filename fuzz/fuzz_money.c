/*
** fuzz_money.c — libFuzzer target: money parsing and formatting (src/core/money.c).
** Text in: money_parse either rejects it or yields fen that money_format writes
** back to text which parses to the same fen. Eight bytes in (as an int64): the
** formats and 大写 (money_upper) of any amount, and money_line_amount.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena *a = arena_new();
    char *s = arena_strndup(a, (const char *)data, size);
    int64_t fen;
    if (money_parse(s, &fen) == 0) {
        char *f = money_format(a, fen);
        int64_t back;
        if (!f || money_parse(f, &back) != 0 || back != fen) __builtin_trap();
        char *u = money_upper(a, fen);
        if (!u || !*u) __builtin_trap();
    }
    if (size >= 8) {
        int64_t v;
        memcpy(&v, data, 8);
        char *f = money_format(a, v);
        char *u = money_upper(a, v);
        if (!f || !u || !*u) __builtin_trap();
        int64_t back;
        if (money_parse(f, &back) == 0 && back != v) __builtin_trap();
        if (size >= 24) {
            int64_t q, d, out;
            memcpy(&q, data + 8, 8);
            memcpy(&d, data + 16, 8);
            (void)money_line_amount(q, v, d % 20000, &out);
        }
    }
    arena_free(a);
    return 0;
}
