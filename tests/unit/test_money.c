/*
** test_money.c — unit tests of src/core/money.c: parsing, display, 大写
** and line amounts, including the malformed and overflowing cases.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/core.h"

/* money_parse that must succeed; returns the fen. */
static int64_t parse_ok(const char *s) {
    int64_t v = -999;
    if (money_parse(s, &v) != 0) fail_msg("money_parse rejected \"%s\"", s);
    return v;
}

/* 1. Plain, signed, grouped and currency-marked amounts parse to fen. */
static void test_01_parse_ok(void **state) {
    assert_true(parse_ok("0") == 0);
    assert_true(parse_ok("1234") == 123400);
    assert_true(parse_ok("1234.5") == 123450);
    assert_true(parse_ok("1234.56") == 123456);
    assert_true(parse_ok("0.05") == 5);
    assert_true(parse_ok("-0.05") == -5);
    assert_true(parse_ok("-1,234.56") == -123456);
    assert_true(parse_ok("1,000,000") == 100000000);
    assert_true(parse_ok("\xC2\xA5"
                         "1234.56") == 123456); /* ¥ */
    assert_true(parse_ok("\xEF\xBF\xA5"
                         "1,000") == 100000); /* ￥ */
    assert_true(parse_ok("-\xC2\xA5"
                         "12") == -1200);
    assert_true(parse_ok("\xC2\xA5"
                         "-12") == -1200);
    assert_true(parse_ok("007") == 700);
    assert_true(parse_ok("92233720368547758.07") == INT64_MAX);
}

/* 2. Malformed amounts are rejected and leave *fen alone. */
static void test_02_parse_malformed(void **state) {
    const char *bad[] = {"",     "-",      "\xC2\xA5",  "1.234",     "1.",   ".5",   "1,23", "12,34", "1,2345",
                         ",123", "1,,234", "1,234,",    "1 234",     " 1",   "1 ",   "1e3",  "abc",   "1.2.3",
                         "+5",   "--5",    "\xC2\xA5-", "1,234.5,6", "0x10", "1.-5", "\xC2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 42;
        if (money_parse(bad[i], &v) != -1) fail_msg("money_parse accepted \"%s\"", bad[i]);
        assert_true(v == 42);
    }
    int64_t v;
    assert_int_equal(money_parse(NULL, &v), -1);
}

/* 3. Amounts beyond int64 fen are rejected. */
static void test_03_parse_overflow(void **state) {
    int64_t v = 1;
    assert_int_equal(money_parse("92233720368547758.08", &v), -1);
    assert_int_equal(money_parse("92233720368547759", &v), -1);
    assert_int_equal(money_parse("99999999999999999999", &v), -1);
    assert_int_equal(money_parse("-99999999999999999999.99", &v), -1);
    assert_true(v == 1);
}

/* 4. money_format groups thousands and always shows two decimals. */
static void test_04_format(void **state) {
    Arena *a = arena_new();
    assert_string_equal(money_format(a, 0), "0.00");
    assert_string_equal(money_format(a, 5), "0.05");
    assert_string_equal(money_format(a, -5), "-0.05");
    assert_string_equal(money_format(a, 50), "0.50");
    assert_string_equal(money_format(a, 99999), "999.99");
    assert_string_equal(money_format(a, 123456), "1,234.56");
    assert_string_equal(money_format(a, -123456), "-1,234.56");
    assert_string_equal(money_format(a, 100000000), "1,000,000.00");
    assert_string_equal(money_format(a, INT64_MAX), "92,233,720,368,547,758.07");
    assert_string_equal(money_format(a, INT64_MIN), "-92,233,720,368,547,758.08");
    arena_free(a);
}

/* 5. Format then parse gives the same fen back. */
static void test_05_format_parse_roundtrip(void **state) {
    Arena *a = arena_new();
    int64_t samples[] = {0, 1, -1, 99, 100, 12345678, -98765432101, INT64_MAX, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t back;
        assert_int_equal(money_parse(money_format(a, samples[i]), &back), 0);
        assert_true(back == samples[i]);
    }
    arena_free(a);
}

/* 6. 大写: zero, fractions only, round yuan, and the documented examples. */
static void test_06_upper_basic(void **state) {
    Arena *a = arena_new();
    assert_string_equal(money_upper(a, 0), "零元整");
    assert_string_equal(money_upper(a, 5), "伍分");        /* 0.05 */
    assert_string_equal(money_upper(a, 50), "伍角");       /* 0.50 */
    assert_string_equal(money_upper(a, 55), "伍角伍分");   /* 0.55 */
    assert_string_equal(money_upper(a, 100), "壹元整");    /* 1 */
    assert_string_equal(money_upper(a, 1000), "壹拾元整"); /* 10, not 拾元 */
    assert_string_equal(money_upper(a, 1234567), "壹万贰仟叁佰肆拾伍元陆角柒分");
    assert_string_equal(money_upper(a, -1234567), "负壹万贰仟叁佰肆拾伍元陆角柒分");
    assert_string_equal(money_upper(a, -5), "负伍分");
    arena_free(a);
}

/* 6b. 大写 of the amounts issue 12 names (contracts, invoices): 0.01, 10.00, 100,000,000.09, 1,000,010.00. */
static void test_06b_upper_issue12(void **state) {
    (void)state;
    Arena *a = arena_new();
    assert_string_equal(money_upper(a, 1), "壹分");
    assert_string_equal(money_upper(a, 1000), "壹拾元整");
    assert_string_equal(money_upper(a, 10000000009), "壹亿元零玖分");
    assert_string_equal(money_upper(a, 100001000), "壹佰万零壹拾元整");
    arena_free(a);
}

/* 7. 大写 zero handling: one 零 per run of zeros, 零 before fen when jiao is zero. */
static void test_07_upper_zeros(void **state) {
    Arena *a = arena_new();
    assert_string_equal(money_upper(a, 10010005), "壹拾万零壹佰元零伍分"); /* 100100.05 */
    assert_string_equal(money_upper(a, 105), "壹元零伍分");                /* 1.05 */
    assert_string_equal(money_upper(a, 150), "壹元伍角");                  /* 1.50 */
    assert_string_equal(money_upper(a, 101000), "壹仟零壹拾元整");         /* 1010 */
    assert_string_equal(money_upper(a, 100100), "壹仟零壹元整");           /* 1001 */
    assert_string_equal(money_upper(a, 10100000), "壹拾万壹仟元整");       /* 101000 */
    assert_string_equal(money_upper(a, 10001000), "壹拾万零壹拾元整");     /* 100010 */
    assert_string_equal(money_upper(a, 168032), "壹仟陆佰捌拾元叁角贰分"); /* 1680.32 */
    assert_string_equal(money_upper(a, 100000000), "壹佰万元整");          /* 1,000,000 */
    arena_free(a);
}

/* 8. 大写 with 亿: 1000000000.00, zero gaps across 万 and 亿, 万亿, and the int64 extremes. */
static void test_08_upper_large(void **state) {
    Arena *a = arena_new();
    assert_string_equal(money_upper(a, 100000000000), "壹拾亿元整"); /* 1,000,000,000.00 */
    assert_string_equal(money_upper(a, 10000000000), "壹亿元整");
    assert_string_equal(money_upper(a, 10000000100), "壹亿零壹元整");     /* 100000001 */
    assert_string_equal(money_upper(a, 10000100000), "壹亿零壹仟元整");   /* 100001000 */
    assert_string_equal(money_upper(a, 10100000000), "壹亿零壹佰万元整"); /* 101000000 */
    assert_string_equal(money_upper(a, 11000000000), "壹亿壹仟万元整");   /* 110000000 */
    assert_string_equal(money_upper(a, 100000000000000), "壹万亿元整");   /* 10^12 yuan */
    assert_string_equal(money_upper(a, INT64_MAX),
                        "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分");
    assert_string_equal(money_upper(a, INT64_MIN),
                        "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分");
    arena_free(a);
}

/* money_line_amount that must succeed; returns the amount. */
static int64_t line_ok(int64_t qty, int64_t unit, int64_t bp) {
    int64_t out = -12345;
    assert_int_equal(money_line_amount(qty, unit, bp, &out), 0);
    return out;
}

/* 9. Line amounts: whole and fractional quantities, discounts, half away from zero. */
static void test_09_line_amount(void **state) {
    assert_true(line_ok(1000, 12345, 0) == 12345);    /* 1 × 123.45 */
    assert_true(line_ok(3000, 10000, 1500) == 25500); /* 3 × 100.00 less 15% */
    assert_true(line_ok(1500, 999, 0) == 1499);       /* 1.5 × 9.99 = 14.985 -> 14.99 */
    assert_true(line_ok(1000, 1, 5000) == 1);         /* 0.005 -> 0.01 */
    assert_true(line_ok(-1000, 1, 5000) == -1);       /* -0.005 -> -0.01 (away from zero) */
    assert_true(line_ok(1000, 3, 3333) == 2);         /* 3 × 0.6667 = 2.0001 -> 2 */
    assert_true(line_ok(1000, 12345, 10000) == 0);    /* free */
    assert_true(line_ok(0, 12345, 0) == 0);
    assert_true(line_ok(1, 1, 0) == 0);   /* 0.001 fen rounds to 0 */
    assert_true(line_ok(500, 1, 0) == 1); /* exactly half rounds up */
    assert_true(line_ok(-500, 1, 0) == -1);
    assert_true(line_ok(1000000000, 100000000, 0) == 100000000000000); /* 1e6 × 1e6 yuan */
    assert_true(line_ok(1000000000, 100000000, 2500) == 75000000000000);
}

/* 10. Overflow and out-of-range discounts answer -1 and leave *out alone. */
static void test_10_line_amount_errors(void **state) {
    int64_t out = 77;
    assert_int_equal(money_line_amount(INT64_MAX, 2, 0, &out), -1);
    assert_int_equal(money_line_amount(INT64_MIN, -1, 0, &out), -1);
    assert_int_equal(money_line_amount(4000000000000, 4000000000000, 0, &out), -1);
    assert_int_equal(money_line_amount(1000, 100, -1, &out), -1);
    assert_int_equal(money_line_amount(1000, 100, 10001, &out), -1);
    assert_true(out == 77);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_parse_ok),
        cmocka_unit_test(test_02_parse_malformed),
        cmocka_unit_test(test_03_parse_overflow),
        cmocka_unit_test(test_04_format),
        cmocka_unit_test(test_05_format_parse_roundtrip),
        cmocka_unit_test(test_06_upper_basic),
        cmocka_unit_test(test_06b_upper_issue12),
        cmocka_unit_test(test_07_upper_zeros),
        cmocka_unit_test(test_08_upper_large),
        cmocka_unit_test(test_09_line_amount),
        cmocka_unit_test(test_10_line_amount_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
