/*
** json_out.c — a reply's jansson tree written as compact JSON straight into the request's arena.
**
** Every answer goes through here. jansson's json_dumps calls a callback per piece (each key, each
** quote, each escape), formats every integer with snprintf and grows a malloc'd buffer that the reply
** then copied into the arena and freed: 13 % of an event loop's time under *get_customer*
** (bench/FINDINGS.md 71). This writes the same bytes as json_dumps(v, JSON_COMPACT) — keys in the
** object's order, the same escapes, strings checked as UTF-8, an object or array at the top — and the
** unit test json_out compares the two on generated trees.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

enum { MAX_DEPTH = 2048 }; /* a reply is a shallow tree; deeper means a bug, not data */

/* UTF-8 with NULs allowed (a json_stringn may hold them; jansson writes \u0000). */
static bool utf8_valid_with_nul(const char *s, size_t n) {
    const char *z;
    while ((z = memchr(s, 0, n))) {
        if (!utf8_valid(s, (size_t)(z - s))) return false;
        n -= (size_t)(z - s) + 1;
        s = z + 1;
    }
    return utf8_valid(s, n);
}

/* A string as jansson writes it: '"', '\\' and the control characters escaped, '/' and everything
   from U+007F up as they are. False for text that is not UTF-8 (json_dumps fails on it too). */
static bool put_string(Buf *b, const char *s, size_t n) {
    if (!utf8_valid_with_nul(s, n)) return false;
    static const char hex[] = "0123456789ABCDEF";
    buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        buf_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            buf_add(b, "\\\"", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        case '\b':
            buf_add(b, "\\b", 2);
            break;
        case '\f':
            buf_add(b, "\\f", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, u, sizeof u);
        }
        }
    }
    buf_add(b, s + run, n - run);
    buf_putc(b, '"');
    return true;
}

static void put_integer(Buf *b, json_int_t v) {
    char d[24], *p = d + sizeof d;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    buf_add(b, p, (size_t)(d + sizeof d - p));
}

/* A real (rare in replies: money and time are integers) in jansson's own format. */
static bool put_real(Buf *b, const json_t *v) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) return false;
    buf_puts(b, s);
    free(s);
    return true;
}

static bool put_value(Buf *b, const json_t *v, int depth) {
    if (depth > MAX_DEPTH) return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        buf_putc(b, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            if (!first) buf_putc(b, ',');
            first = false;
            if (!put_string(b, json_object_iter_key(it), json_object_iter_key_len(it))) return false;
            buf_putc(b, ':');
            if (!put_value(b, json_object_iter_value(it), depth + 1)) return false;
        }
        buf_putc(b, '}');
        return true;
    }
    case JSON_ARRAY: {
        buf_putc(b, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i) buf_putc(b, ',');
            if (!put_value(b, json_array_get(v, i), depth + 1)) return false;
        }
        buf_putc(b, ']');
        return true;
    }
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        put_integer(b, json_integer_value(v));
        return true;
    case JSON_REAL:
        return put_real(b, v);
    case JSON_TRUE:
        buf_add(b, "true", 4);
        return true;
    case JSON_FALSE:
        buf_add(b, "false", 5);
        return true;
    case JSON_NULL:
        buf_add(b, "null", 4);
        return true;
    }
    return false;
}

bool json_put_string(Buf *b, const char *s, size_t n) { return put_string(b, s, n); }
void json_put_integer(Buf *b, int64_t v) { put_integer(b, (json_int_t)v); }

char *json_out(Arena *a, const json_t *v, size_t *len) {
    *len = 0;
    if (!v || !(json_is_object(v) || json_is_array(v))) return NULL; /* as json_dumps without JSON_ENCODE_ANY */
    Buf b;
    buf_init(&b, a);
    if (!put_value(&b, v, 0)) return NULL;
    *len = b.n;
    return b.p;
}
