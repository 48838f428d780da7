/*
** test_collate.c — unit tests of src/core/collate.c: sort keys whose byte order
** is pinyin order for 汉字, the alphabet for Latin, shorter before longer.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/core.h"

/* Assert that key(a) < key(b) byte by byte, as the databases compare them. */
static void before(Arena *ar, const char *a, const char *b) {
    const char *ka = collate_key(ar, a), *kb = collate_key(ar, b);
    if (strcmp(ka, kb) >= 0) fail_msg("\"%s\" should sort before \"%s\" (%s vs %s)", a, b, ka, kb);
}

/* 1. 汉字 in pinyin order, not code point order (北 U+5317 < 郑 U+90D1 < 鞍 U+978D). */
static void test_01_pinyin(void **state) {
    Arena *a = arena_new();
    before(a, "鞍山钢构", "北仑港机");
    before(a, "北仑港机", "成都仪表");
    before(a, "成都仪表", "杭州电子");
    before(a, "杭州电子", "南京华信");
    before(a, "南京华信", "张家港钢铁");
    before(a, "张家港钢铁", "郑州重工");
    arena_free(a);
}

/* 2. Latin by the alphabet whatever the case; a prefix first; keys are lower-case hex. */
static void test_02_latin_prefix_hex(void **state) {
    Arena *a = arena_new();
    before(a, "acme", "Beta");
    before(a, "Beta", "gamma");
    before(a, "南京", "南京华信");
    const char *k = collate_key(a, "南京");
    assert_true(strlen(k) > 0 && strspn(k, "0123456789abcdef") == strlen(k));
    assert_null(collate_key(a, NULL));
    assert_string_equal(collate_key(a, ""), "");
    arena_free(a);
}

/* 3. A very long text still gets a bounded key that orders by its start. */
static void test_03_long(void **state) {
    Arena *a = arena_new();
    char longa[3 * 400 + 1] = "", longb[3 * 400 + 1] = "";
    for (int i = 0; i < 400; i++) {
        strcat(longa, "阿");
        strcat(longb, "北");
    }
    assert_true(strlen(collate_key(a, longa)) <= 768);
    before(a, longa, longb);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_pinyin),
        cmocka_unit_test(test_02_latin_prefix_hex),
        cmocka_unit_test(test_03_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
