/*
** test_json_out.c — src/http/json_out.c writes exactly what json_dumps(v, JSON_COMPACT) writes:
** compared byte for byte on hand-picked values and on generated trees, and refuses what it refuses.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"

/* json_out's bytes equal json_dumps's for v (both refusing counts as equal only when asked). */
static void assert_same(json_t *v) {
    Arena *a = arena_new();
    size_t n = 99;
    char *ours = json_out(a, v, &n);
    char *theirs = json_dumps(v, JSON_COMPACT);
    assert_non_null(theirs);
    assert_non_null(ours);
    assert_int_equal(n, strlen(theirs));
    assert_memory_equal(ours, theirs, n);
    assert_int_equal(ours[n], '\0');
    free(theirs);
    arena_free(a);
}

/* json_out refuses v (NULL, length 0). */
static void assert_refused(json_t *v) {
    Arena *a = arena_new();
    size_t n = 99;
    assert_null(json_out(a, v, &n));
    assert_int_equal(n, 0);
    arena_free(a);
}

/* 1. Every kind of scalar, the escapes, Chinese and 4-byte characters, integer extremes, reals. */
static void test_01_values(void **state) {
    (void)state;
    json_t *o = json_object();
    json_object_set_new(o, "s", json_string("华东大区 王芳 繁體 \"q\" back\\slash a/b \x7F 😀"));
    json_object_set_new(o, "ctl", json_stringn("\b\f\n\r\t\x01\x1f\0end", 12));
    json_object_set_new(o, "empty", json_string(""));
    json_object_set_new(o, "min", json_integer(INT64_MIN));
    json_object_set_new(o, "max", json_integer(INT64_MAX));
    json_object_set_new(o, "zero", json_integer(0));
    json_object_set_new(o, "neg", json_integer(-1234567));
    json_object_set_new(o, "r1", json_real(0.1));
    json_object_set_new(o, "r2", json_real(3.0));
    json_object_set_new(o, "r3", json_real(-1e300));
    json_object_set_new(o, "t", json_true());
    json_object_set_new(o, "f", json_false());
    json_object_set_new(o, "n", json_null());
    json_object_set_new(o, "eo", json_object());
    json_object_set_new(o, "ea", json_array());
    json_object_setn_new(o, "k\0\"ey\n", 6, json_integer(7)); /* a key with a NUL and escapes */
    assert_same(o);
    json_decref(o);
}

/* 2. Keys in the object's order, also after a key is removed and set again. */
static void test_02_key_order(void **state) {
    (void)state;
    json_t *o = json_object();
    const char *keys[] = {"zeta", "alpha", "名称", "mid", "b"};
    for (int i = 0; i < 5; i++)
        json_object_set_new(o, keys[i], json_integer(i));
    json_object_del(o, "alpha");
    json_object_set_new(o, "alpha", json_string("again"));
    json_object_set_new(o, "zeta", json_string("replaced in place"));
    assert_same(o);
    json_decref(o);
}

/* A small deterministic generator (xorshift), so a failure repeats. */
static uint64_t rng = 20261202;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A string of pieces: ASCII, control characters, quotes, Chinese, emoji, NUL. */
static json_t *gen_string(void) {
    static const char *pieces[] = {"a",    "Z9",   " ",  "\"", "\\", "/", "\n", "\t",           "\x01",
                                   "\x1f", "\x7f", "华", "為", "ü",  "😀", "—",  "\xE2\x80\xA8", "0531-8691"};
    char s[256];
    size_t n = 0;
    int count = (int)(next() % 12);
    for (int i = 0; i < count; i++) {
        if (next() % 20 == 0) {
            s[n++] = '\0';
            continue;
        }
        const char *p = pieces[next() % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        memcpy(s + n, p, l);
        n += l;
    }
    return json_stringn(s, n);
}

static json_t *gen_value(int depth) {
    unsigned kind = (unsigned)(next() % (depth > 4 ? 6 : 8));
    switch (kind) {
    case 0:
        return json_integer((json_int_t)next());
    case 1:
        return json_integer((json_int_t)(next() % 2000) - 1000);
    case 2:
        return gen_string();
    case 3:
        return next() % 2 ? json_true() : json_false();
    case 4:
        return json_null();
    case 5:
        return json_real((double)(int64_t)(next() % 100000) / 64.0);
    case 6: {
        json_t *o = json_object();
        int n = (int)(next() % 6);
        for (int i = 0; i < n; i++) {
            json_t *k = gen_string();
            json_object_setn_new(o, json_string_value(k), json_string_length(k), gen_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    default: {
        json_t *a = json_array();
        int n = (int)(next() % 6);
        for (int i = 0; i < n; i++)
            json_array_append_new(a, gen_value(depth + 1));
        return a;
    }
    }
}

/* 3. Two thousand generated trees, each written the same by both. */
static void test_03_generated(void **state) {
    (void)state;
    for (int i = 0; i < 2000; i++) {
        json_t *top = next() % 2 ? json_object() : json_array();
        for (int j = 0; j < 4; j++) {
            if (json_is_object(top))
                json_object_set_new(top, (const char[]){(char)('a' + j), 0}, gen_value(1));
            else
                json_array_append_new(top, gen_value(1));
        }
        assert_same(top);
        json_decref(top);
    }
}

/* 4. Refused as json_dumps refuses: a scalar at the top, NULL, a value that is not UTF-8; and a key
      that is not UTF-8 and a tree deeper than any reply (2,048 levels), which jansson writes. */
static void test_04_refused(void **state) {
    (void)state;
    json_t *s = json_string("x");
    assert_refused(s);
    assert_null(json_dumps(s, JSON_COMPACT));
    json_decref(s);
    assert_refused(NULL);

    json_t *bad = json_pack("{s:o}", "name", json_stringn_nocheck("ab\xE5", 3));
    assert_null(json_dumps(bad, JSON_COMPACT));
    assert_refused(bad);
    json_decref(bad);

    /* here jansson 2.14 writes {":true} (a key's failure is not checked): json_out refuses */
    json_t *badkey = json_object();
    json_object_setn_new_nocheck(badkey, "\xC2", 1, json_true());
    assert_refused(badkey);
    json_decref(badkey);

    json_t *deep = json_array(), *inner = deep;
    for (int i = 0; i < 3000; i++) {
        json_t *next_level = json_array();
        json_array_append_new(inner, next_level);
        inner = next_level;
    }
    assert_refused(deep);
    json_decref(deep);
}

/* 5. A reply-sized object: a customer as the server answers it. */
static void test_05_reply(void **state) {
    (void)state;
    json_t *row = json_pack("{s:I, s:I, s:s, s:s, s:n, s:b, s:I, s:o, s:{s:b, s:b}}", "id", (json_int_t)89269,
                            "version", (json_int_t)1, "number", "CU-2026-042601", "name", "山东新合钢铁有限公司",
                            "pool_reason", "in_pool", 0, "purchase_12m", (json_int_t)11531052, "_actions", json_array(),
                            "_permissions", "update", 1, "delete", 0);
    assert_non_null(row);
    assert_same(row);
    json_decref(row);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_values),  cmocka_unit_test(test_02_key_order), cmocka_unit_test(test_03_generated),
        cmocka_unit_test(test_04_refused), cmocka_unit_test(test_05_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
