/*
** test_compute.c — unit tests of src/model/compute.c and money_muldiv: the
** units of a computed product (quantities in thousandths, rates in basis
** points), the one rounding rule, and overflow.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/model.h"

/* compute_mul that must succeed. */
static int64_t mul_ok(int64_t a, FieldType ta, int64_t b, FieldType tb, FieldType target) {
    int64_t v = -999;
    if (compute_mul(a, ta, b, tb, target, &v) != 0)
        fail_msg("compute_mul(%lld, %lld) overflowed", (long long)a, (long long)b);
    return v;
}

/* 1. Quantity × price lands in fen, rounded half away from zero. */
static void test_01_qty_times_price(void **state) {
    assert_int_equal(mul_ok(2500, FT_QTY, 1999, FT_MONEY, FT_MONEY), 4998); /* 2.5 × 19.99 = 49.975 */
    assert_int_equal(mul_ok(1000, FT_QTY, 1999, FT_MONEY, FT_MONEY), 1999);
    assert_int_equal(mul_ok(1, FT_QTY, 499, FT_MONEY, FT_MONEY), 0);   /* 0.499 fen */
    assert_int_equal(mul_ok(1, FT_QTY, 500, FT_MONEY, FT_MONEY), 1);   /* 0.5 fen: up */
    assert_int_equal(mul_ok(-1, FT_QTY, 500, FT_MONEY, FT_MONEY), -1); /* -0.5 fen: away from zero */
    assert_int_equal(mul_ok(3, FT_INT, 333, FT_MONEY, FT_MONEY), 999); /* whole units */
}

/* 2. Money × rate in basis points, and a rate of a quantity. */
static void test_02_rates(void **state) {
    assert_int_equal(mul_ok(999, FT_MONEY, 1250, FT_PERCENT_BP, FT_MONEY), 125); /* 1.24875 → 1.25 */
    assert_int_equal(mul_ok(5872, FT_MONEY, 1300, FT_PERCENT_BP, FT_MONEY), 763);
    assert_int_equal(mul_ok(10000, FT_QTY, 2500, FT_PERCENT_BP, FT_QTY), 2500); /* 25 % of 10 = 2.5 */
    assert_int_equal(mul_ok(5500, FT_QTY, 1, FT_INT, FT_INT), 6);               /* 5.5 → 6 units */
}

/* 3. What does not fit in int64 is refused, and leaves the output alone. */
static void test_03_overflow(void **state) {
    int64_t v = 77;
    assert_int_equal(compute_mul(1000000000000, FT_QTY, 100000000000, FT_MONEY, FT_MONEY, &v), -1);
    assert_int_equal(compute_mul(INT64_MAX, FT_INT, INT64_MAX, FT_INT, FT_INT, &v), -1);
    assert_int_equal(money_muldiv(1, 1, 1, 0, &v), -1);
    assert_true(v == 77);
    assert_int_equal(compute_mul(INT64_MAX, FT_QTY, 1000, FT_QTY, FT_QTY, &v), 0); /* × 1 */
    assert_true(v == INT64_MAX);
}

/* 4. money_muldiv: exact halves round away from zero on both sides. */
static void test_04_muldiv(void **state) {
    int64_t v;
    assert_int_equal(money_muldiv(5, 1, 1, 10, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(money_muldiv(-5, 1, 1, 10, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(money_muldiv(4, 1, 1, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(money_muldiv(7, 3, 1, 3, &v), 0);
    assert_int_equal(v, 7);
}

/* 5. A ratio lands in the target's unit (basis points), rounded once; 0 over a zero base. */
static void test_05_ratio(void **state) {
    static const Field fields[] = {
        {"profit", FT_MONEY, 0},
        {"subtotal", FT_MONEY, 0},
        {"margin_bp", FT_PERCENT_BP, F_READONLY | F_COMPUTED},
        {NULL},
    };
    static const Compute cs[] = {{"margin_bp", CK_RATIO, "profit", "subtotal"}, {NULL}};
    static const int64_t cases[][3] = {{2345, 10000, 2345}, {1, 3, 3333}, {2, 3, 6667}, {-1, 3, -3333}, {5, 0, 0}};
    Req r = {0};
    r.a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *rec = json_pack("{s:I, s:I}", "profit", (json_int_t)cases[i][0], "subtotal", (json_int_t)cases[i][1]);
        Err e = {0};
        assert_int_equal(compute_run(&r, cs, fields, NULL, rec, NULL, &e), 0);
        assert_int_equal(json_integer_value(json_object_get(rec, "margin_bp")), cases[i][2]);
        json_decref(rec);
    }
    arena_free(r.a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_qty_times_price), cmocka_unit_test(test_02_rates), cmocka_unit_test(test_03_overflow),
        cmocka_unit_test(test_04_muldiv),          cmocka_unit_test(test_05_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
