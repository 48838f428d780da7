/*
** fuzz_json_body.c — libFuzzer target: request body decoding (req_json in
** src/http/request.c): UTF-8 check, jansson parse with duplicate keys
** rejected, object-only. Either a JSON object or a 400 error, never a crash.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Req r;
    memset(&r, 0, sizeof r);
    r.a = arena_new();
    char *body = arena_alloc(r.a, size + 1); /* the server copies the body NUL-terminated */
    memcpy(body, data, size);
    body[size] = 0;
    r.body = body;
    r.body_len = size;
    Err e = {0};
    json_t *j = req_json(&r, &e);
    if (j) {
        if (!json_is_object(j) || e.status) __builtin_trap();
        if (req_json(&r, &e) != j) __builtin_trap(); /* parsed once */
    } else if (e.status != 400) {
        __builtin_trap();
    }
    arena_free(r.a);
    return 0;
}
