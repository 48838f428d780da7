/*
** test_collision.c — unit tests of the normalisers of src/modules/collision.c
** (R-CUS-3): phone, e-mail, tax id and company name, including OpenCC's
** traditional → simplified conversion on several threads.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "modules/collision.h"

/* The arena of one test, freed by teardown. */
static int setup(void **state) {
    *state = arena_new();
    return 0;
}
static int teardown(void **state) {
    arena_free(*state);
    return 0;
}

/* Compare a normalised value with the expected one (NULL: nothing to match on). */
#define EQ(got, want)                                                                                                  \
    do {                                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                                          \
        if (!w_)                                                                                                       \
            assert_null(g_);                                                                                           \
        else                                                                                                           \
            assert_non_null(g_), assert_string_equal(g_, w_);                                                          \
    } while (0)

/* 1. Mobiles: spaces, dashes, brackets, +86 / 0086 / 86 prefixes, full-width digits. */
static void test_01_phone_mobile(void **state) {
    Arena *a = *state;
    EQ(norm_phone(a, "13800138000"), "13800138000");
    EQ(norm_phone(a, "138 0013 8000"), "13800138000");
    EQ(norm_phone(a, "138-0013-8000"), "13800138000");
    EQ(norm_phone(a, "+86 138-0013-8000"), "13800138000");
    EQ(norm_phone(a, "+86(138)00138000"), "13800138000");
    EQ(norm_phone(a, "0086 13800138000"), "13800138000");
    EQ(norm_phone(a, "8613800138000"), "13800138000");
    EQ(norm_phone(a, "１３８００１３８０００"), "13800138000");
}

/* 2. Landlines keep their area code; the international form gains the leading 0. */
static void test_02_phone_landline(void **state) {
    Arena *a = *state;
    EQ(norm_phone(a, "021-5555 0101"), "02155550101");
    EQ(norm_phone(a, "+86 21 5555 0101"), "02155550101");
    EQ(norm_phone(a, "0086-21-55550101"), "02155550101");
    EQ(norm_phone(a, "(0512) 6666-8888"), "051266668888");
    EQ(norm_phone(a, "86123456"), "86123456"); /* a local number that starts with 86 stays */
    EQ(norm_phone(a, "1234"), NULL);           /* too short to identify anyone */
    EQ(norm_phone(a, ""), NULL);
    EQ(norm_phone(a, NULL), NULL);
}

/* 3. E-mail: trimmed, lower case. Tax id: upper case, letters and digits only. */
static void test_03_email_tax(void **state) {
    Arena *a = *state;
    EQ(norm_email(a, " Sales@Example.COM "), "sales@example.com");
    EQ(norm_email(a, "   "), NULL);
    EQ(norm_tax_id(a, "91310000-ab12 34567x"), "91310000AB1234567X");
    EQ(norm_tax_id(a, "９１３１ＡＢ"), "9131AB");
    EQ(norm_tax_id(a, "--"), NULL);
}

/* 4. Company names: legal-form suffixes, full width, spaces and punctuation. */
static void test_04_company_suffixes(void **state) {
    Arena *a = *state;
    const char *k = norm_company(a, "华信电子有限公司");
    EQ(k, "华信电子");
    EQ(norm_company(a, "华信电子有限责任公司"), k);
    EQ(norm_company(a, "华信电子股份有限公司"), k);
    EQ(norm_company(a, "华信电子公司"), k);
    EQ(norm_company(a, " 华信 电子 "), k);
    EQ(norm_company(a, "华信电子集团有限公司"), "华信电子集团"); /* a group is another legal entity */
    EQ(norm_company(a, "华信电子上海分公司"), "华信电子上海分公司");
    EQ(norm_company(a, "ＡＢＣ精密机械有限公司"), "abc精密机械");
    EQ(norm_company(a, "ABC 精密机械"), "abc精密机械");
    EQ(norm_company(a, "Acme Tools Co., Ltd."), "acmetools");
    EQ(norm_company(a, "ACME TOOLS LIMITED"), "acmetools");
    EQ(norm_company(a, "Acme Tools Inc."), "acmetools");
    EQ(norm_company(a, "Co"), "co"); /* the only word is never cut */
    EQ(norm_company(a, "有限公司"), "有限公司");
    EQ(norm_company(a, "（）"), NULL);
}

/* 5. Brackets: the bracketed place goes to the front, like a place written in front. */
static void test_05_company_brackets(void **state) {
    Arena *a = *state;
    const char *k = norm_company(a, "恒达机械（上海）有限公司");
    EQ(k, "上海恒达机械");
    EQ(norm_company(a, "上海恒达机械有限公司"), k);
    EQ(norm_company(a, "上海市恒达机械有限公司"), k);
    EQ(norm_company(a, "恒达机械(上海)有限公司"), k);
    EQ(norm_company(a, "恒达机械【上海】有限公司"), k);
    EQ(norm_company(a, "广东省广州市恒达机械有限公司"), "广东广州恒达机械");
    EQ(norm_company(a, "北京恒达机械有限公司"), "北京恒达机械");
    EQ(norm_company(a, "Acme (Shanghai) Co., Ltd."), "shanghaiacme");
    EQ(norm_company(a, "城市之光有限公司"), "城市之光"); /* 市 as the 2nd character is not a place suffix */
    /* a bracket holding only a legal form names no place: dropped (issue 10, item 13) */
    const char *hx = norm_company(a, "南京华信精密机械有限公司");
    EQ(norm_company(a, "南京華信精密機械（股份）"), hx);
    EQ(norm_company(a, "南京华信精密机械（股份）有限公司"), hx);
    EQ(norm_company(a, "南京华信精密机械(有限)"), hx);
    EQ(norm_company(a, "Acme Tools (Co., Ltd.)"), "acmetools");
    EQ(norm_company(a, "南京华信精密机械（集团）"), "集团南京华信精密机械"); /* a group is not a legal form */
}

/* 6. Traditional and simplified spellings are one company (OpenCC t2s). */
static void test_06_company_traditional(void **state) {
    Arena *a = *state;
    EQ(norm_company(a, "臺灣精機股份有限公司"), "台湾精机");
    EQ(norm_company(a, "台湾精机有限公司"), "台湾精机");
    EQ(norm_company(a, "華信電子有限責任公司"), "华信电子");
    EQ(norm_company(a, "東莞華南電機廠"), "东莞华南电机厂");
}

/* A thread that normalises names (each thread opens its own converter). */
static void *convert_thread(void *arg) {
    Arena *a = arena_new();
    int *ok = arg;
    for (int i = 0; i < 200; i++) {
        const char *k = norm_company(a, "臺灣精機股份有限公司");
        if (!k || strcmp(k, "台湾精机") != 0) *ok = 0;
    }
    arena_free(a);
    return NULL;
}

/* 7. Several threads at once get the same answers. */
static void test_07_threads(void **state) {
    pthread_t t[4];
    int ok[4] = {1, 1, 1, 1};
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, convert_thread, &ok[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ok[i], 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_phone_mobile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_phone_landline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_email_tax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_company_suffixes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_company_brackets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_company_traditional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
