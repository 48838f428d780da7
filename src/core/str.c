/*
** str.c — small string helpers: strict UTF-8 validation (every request body
** and field passes through it), code-point counts for length limits, word
** lists and strict integer parsing.
*/
#include "core/core.h"

#include <string.h>

/*
** True when s[0..n) is well-formed UTF-8 as defined by RFC 3629 / Unicode
** table 3-7: no overlong forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing
** above U+10FFFF, no truncated sequences. NUL bytes are rejected too: no
** field of ours may contain one, and C strings would silently cut there.
*/
bool utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        if (c >= 0x01 && c <= 0x7F) {
            p++;
            continue;
        }
        /* lo/hi bound the first continuation byte, which is where overlongs,
           surrogates and values past U+10FFFF show up. */
        unsigned lo = 0x80, hi = 0xBF;
        size_t len;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* E0 80..9F would be overlong */
            else if (c == 0xED)
                hi = 0x9F; /* ED A0..BF would be a surrogate */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* F0 80..8F would be overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* F4 90.. would be above U+10FFFF */
        } else
            return false;                          /* NUL, stray continuation, C0/C1 overlong lead, F5..FF */
        if ((size_t)(end - p) < len) return false; /* truncated */
        if (p[1] < lo || p[1] > hi) return false;
        for (size_t i = 2; i < len; i++)
            if ((p[i] & 0xC0) != 0x80) return false;
        p += len;
    }
    return true;
}

/* Code points in valid UTF-8: every byte that is not a continuation byte. */
size_t utf8_len(const char *s, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
    return count;
}

/* True when word is one of the space-separated words of list (whole-word match). */
bool str_word_in(const char *list, const char *word) {
    if (!list || !word || !*word) return false;
    size_t wn = strlen(word);
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - start) == wn && memcmp(start, word, wn) == 0) return true;
    }
    return false;
}

/*
** Parse the whole of s as a decimal int64: an optional '-', then one or more
** digits, nothing else (no spaces, no '+', no hex). 0 ok, -1 junk/overflow.
*/
int str_to_int64(const char *s, int64_t *out) {
    if (!s) return -1;
    bool neg = *s == '-';
    const char *p = s + neg;
    if (!*p) return -1;
    /* Accumulate negatively so INT64_MIN parses without overflow. */
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, *p - '0', &v)) return -1;
    }
    if (!neg && __builtin_mul_overflow(v, -1, &v)) return -1;
    *out = v;
    return 0;
}

char *str_ascii_lower(char *s) {
    for (char *p = s; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    return s;
}

uint32_t utf8_decode_next(const char **p) {
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t c = s[0];
    int n = 1;
    if (c >= 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
        c = ((c & 7u) << 18) | ((s[1] & 63u) << 12) | ((s[2] & 63u) << 6) | (s[3] & 63u), n = 4;
    else if (c >= 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80)
        c = ((c & 15u) << 12) | ((s[1] & 63u) << 6) | (s[2] & 63u), n = 3;
    else if (c >= 0xC0 && (s[1] & 0xC0) == 0x80)
        c = ((c & 31u) << 6) | (s[1] & 63u), n = 2;
    *p += n;
    return c;
}

void buf_put_utf8(Buf *b, uint32_t c) {
    char t[4];
    if (c < 0x80) {
        buf_putc(b, (char)c);
    } else if (c < 0x800) {
        t[0] = (char)(0xC0 | (c >> 6)), t[1] = (char)(0x80 | (c & 63));
        buf_add(b, t, 2);
    } else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)), t[1] = (char)(0x80 | ((c >> 6) & 63)), t[2] = (char)(0x80 | (c & 63));
        buf_add(b, t, 3);
    } else {
        t[0] = (char)(0xF0 | (c >> 18)), t[1] = (char)(0x80 | ((c >> 12) & 63));
        t[2] = (char)(0x80 | ((c >> 6) & 63)), t[3] = (char)(0x80 | (c & 63));
        buf_add(b, t, 4);
    }
}
