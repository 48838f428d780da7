/*
** query.c — percent-decoding and the query string parsed once into
** name/value pairs (cgit querystring_cb). Fuzzed: see fuzz/.
*/
#include <string.h>

#include "internal.h"

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *url_decode(Arena *a, const char *s, size_t n, bool plus_space) {
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n) return NULL;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0) return NULL;
            c = (char)(h * 16 + l);
            if (c == '\0') return NULL;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == '\0') {
            return NULL;
        }
        *o++ = c;
    }
    *o = '\0';
    return out;
}

int req_parse_query(Req *r) {
    const char *q = r->query ? r->query : "";
    int cap = 1;
    for (const char *p = q; *p; p++)
        cap += *p == '&';
    if (cap > 256) return -1;
    r->qp = arena_alloc(r->a, sizeof(QueryParam) * (size_t)cap);
    r->nqp = 0;
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > 0) {
            const char *eq = memchr(q, '=', len);
            size_t nl = eq ? (size_t)(eq - q) : len;
            char *name = url_decode(r->a, q, nl, true);
            char *value = eq ? url_decode(r->a, eq + 1, len - nl - 1, true) : arena_strdup(r->a, "");
            if (!name || !value || !utf8_valid(name, strlen(name)) || !utf8_valid(value, strlen(value))) return -1;
            r->qp[r->nqp].name = name;
            r->qp[r->nqp].value = value;
            r->nqp++;
        }
        q += len;
        if (*q == '&') q++;
    }
    return 0;
}
