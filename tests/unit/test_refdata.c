/*
** test_refdata.c — unit tests of src/model/refdata.c: the names people write for a place or an
** industry ("江苏", "镇江市", "江苏镇江", "上海浦东新区") found as the codes of the reference lists,
** and what is not found (华东, an ambiguous 朝阳区).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/refdata.h"

/* A slice of GB/T 2260 and GB/T 4754 as migration 0031 holds them. */
static const RefItem rows[] = {
    {"regions", "11", NULL, 1, "北京市", .full = "北京市"},
    {"regions", "1101", "11", 2, "市辖区", .full = "北京市"},
    {"regions", "110105", "1101", 3, "朝阳区", .full = "北京市 朝阳区"},
    {"regions", "22", NULL, 1, "吉林省", .full = "吉林省"},
    {"regions", "2201", "22", 2, "长春市", .full = "吉林省 长春市"},
    {"regions", "220104", "2201", 3, "朝阳区", .full = "吉林省 长春市 朝阳区"},
    {"regions", "2202", "22", 2, "吉林市", .full = "吉林省 吉林市"},
    {"regions", "31", NULL, 1, "上海市", .full = "上海市"},
    {"regions", "3101", "31", 2, "市辖区", .full = "上海市"},
    {"regions", "310115", "3101", 3, "浦东新区", .full = "上海市 浦东新区"},
    {"regions", "32", NULL, 1, "江苏省", .full = "江苏省"},
    {"regions", "3211", "32", 2, "镇江市", .full = "江苏省 镇江市"},
    {"regions", "321102", "3211", 3, "京口区", .full = "江苏省 镇江市 京口区"},
    {"regions", "321181", "3211", 3, "丹阳市", .full = "江苏省 镇江市 丹阳市"},
    {"regions", "45", NULL, 1, "广西壮族自治区", .full = "广西壮族自治区"},
    {"regions", "4501", "45", 2, "南宁市", .full = "广西壮族自治区 南宁市"},
    {"industries", "C", NULL, 1, "制造业", .en = "Manufacturing"},
    {"industries", "17", "C", 2, "纺织业", .en = "Manufacture of textiles"},
    {"industries", "34", "C", 2, "通用设备制造业", .en = "Manufacture of general purpose machinery"},
};

static int setup(void **state) { return refdata_install(rows, (int)(sizeof rows / sizeof rows[0])); }

/* The code text names in list, or "" when none. */
static const char *code_of(const char *list, const char *text) {
    const RefItem *it = refdata_match(list, text, NULL);
    return it ? it->code : "";
}

/* 1. A province, a city, a district by their full or short names; with and without the province. */
static void test_01_names(void **state) {
    assert_string_equal(code_of("regions", "江苏省"), "32");
    assert_string_equal(code_of("regions", "江苏"), "32");
    assert_string_equal(code_of("regions", "镇江市"), "3211");
    assert_string_equal(code_of("regions", "镇江"), "3211");
    assert_string_equal(code_of("regions", "江苏镇江"), "3211");
    assert_string_equal(code_of("regions", "江苏省镇江市"), "3211");
    assert_string_equal(code_of("regions", "江苏省 / 镇江市 / 京口区"), "321102");
    assert_string_equal(code_of("regions", "镇江丹阳"), "321181");
    assert_string_equal(code_of("regions", "广西"), "45");
    assert_string_equal(code_of("regions", "广西南宁"), "4501");
}

/* 2. A municipality's districts under its 市辖区; traditional characters and full-width spaces. */
static void test_02_municipality_traditional(void **state) {
    assert_string_equal(code_of("regions", "上海"), "31");
    assert_string_equal(code_of("regions", "上海市浦东新区"), "310115");
    assert_string_equal(code_of("regions", "上海浦东"), "310115");
    assert_string_equal(code_of("regions", "江蘇省　鎮江市"), "3211");
    assert_string_equal(code_of("regions", "3211"), "3211"); /* a code as it is */
}

/* 3. Nothing, or more than one: no code (华东 is a sales region, not a division). */
static void test_03_unmatched_ambiguous(void **state) {
    bool several = true;
    assert_null(refdata_match("regions", "华东", &several));
    assert_false(several);
    assert_null(refdata_match("regions", "朝阳区", &several)); /* 北京 and 长春 */
    assert_true(several);
    assert_string_equal(code_of("regions", "北京朝阳"), "110105");
    assert_string_equal(code_of("regions", "吉林"), "22"); /* the province before the city of that name */
    assert_string_equal(code_of("regions", "吉林吉林"), "2202");
    assert_string_equal(code_of("regions", ""), "");
    assert_string_equal(code_of("regions", "江苏镇江华东"), "");
}

/* 4. Industries: a name, the name without its 业, a code, the 门类 letter with the 大类 code. */
static void test_04_industries(void **state) {
    assert_string_equal(code_of("industries", "通用设备制造业"), "34");
    assert_string_equal(code_of("industries", "纺织"), "17");
    assert_string_equal(code_of("industries", "34"), "34");
    assert_string_equal(code_of("industries", "C34"), "34");
    assert_string_equal(code_of("industries", "c"), "C");
    assert_string_equal(code_of("industries", "A34"), "");
    assert_string_equal(code_of("industries", "机械制造"), "");
}

/* 5. Labels per language; the codes below a code, and whether they begin with it. */
static void test_05_labels_below(void **state) {
    const RefItem *it = refdata_find("industries", "34");
    assert_non_null(it);
    assert_string_equal(refdata_label(it, "en"), "Manufacture of general purpose machinery");
    assert_string_equal(refdata_label(it, "zh-CN"), "通用设备制造业");
    assert_string_equal(refdata_text("regions", "321102", "zh-CN"), "江苏省 镇江市 京口区");
    assert_string_equal(refdata_text("regions", "nope", "zh-CN"), "nope");
    const RefItem *below[8];
    bool nested;
    assert_int_equal(refdata_below("regions", "32", below, 8, &nested), 3);
    assert_true(nested);
    assert_int_equal(refdata_below("industries", "C", below, 8, &nested), 2);
    assert_false(nested);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_names),
        cmocka_unit_test(test_02_municipality_traditional),
        cmocka_unit_test(test_03_unmatched_ambiguous),
        cmocka_unit_test(test_04_industries),
        cmocka_unit_test(test_05_labels_below),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
