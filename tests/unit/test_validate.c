/*
** test_validate.c — field validation against declarations: every type's
** accepted and refused values, and the error naming the field with its label.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"

static const EnumVal kinds[] = {{"a", "甲", "甲", "A"}, {"b", "乙", "乙", "B"}, {NULL}};

static Req *new_req(void) {
    static Req r;
    memset(&r, 0, sizeof r);
    r.a = arena_new();
    r.locale = "zh-CN";
    return &r;
}

/* Validate v (stolen) against f; returns the rc and frees the output. */
static int check(Req *r, const Field *f, json_t *v, Err *e) {
    json_t *out = NULL;
    memset(e, 0, sizeof *e);
    int rc = field_validate(r, f, v, &out, e);
    json_decref(out);
    json_decref(v);
    return rc;
}

/* 1. Required text: missing, null and "" are field.required naming the field and its label. */
static void test_01_required(void **state) {
    Req *r = new_req();
    Field f = {"topic", FT_TEXT, F_REQUIRED, 1, 10, NULL, NULL, NULL, "主题", "主題", "Topic"};
    Err e;
    assert_int_equal(check(r, &f, NULL, &e), -1);
    assert_string_equal(e.code, "field.required");
    assert_string_equal(e.field, "topic");
    assert_string_equal(e.label, "主题");
    assert_int_equal(check(r, &f, json_null(), &e), -1);
    assert_int_equal(check(r, &f, json_string(""), &e), -1);
    assert_int_equal(check(r, &f, json_string("ok"), &e), 0);
    arena_free(r->a);
}

/* 2. Text length counts characters, not bytes; one-line text refuses newlines. */
static void test_02_text_length(void **state) {
    Req *r = new_req();
    Field f = {"name", FT_TEXT, 0, 0, 3, NULL, NULL, NULL, "名称", NULL, NULL};
    Err e;
    assert_int_equal(check(r, &f, json_string("上海市"), &e), 0); /* 9 bytes, 3 characters */
    assert_int_equal(check(r, &f, json_string("上海市区"), &e), -1);
    assert_string_equal(e.code, "field.too_long");
    assert_string_equal(e.detail, "3");
    assert_int_equal(check(r, &f, json_string("a\nb"), &e), -1);
    assert_string_equal(e.code, "field.format");
    assert_int_equal(check(r, &f, json_integer(5), &e), -1);
    assert_string_equal(e.code, "field.type");
    arena_free(r->a);
}

/* 3. Money is an integer of fen within its range; floats and strings are refused. */
static void test_03_money(void **state) {
    Req *r = new_req();
    Field f = {"cost", FT_MONEY, 0, 0, 1000000, NULL, NULL, NULL, "费用", NULL, NULL};
    Err e;
    assert_int_equal(check(r, &f, json_integer(123456), &e), 0);
    assert_int_equal(check(r, &f, json_real(12.5), &e), -1);
    assert_string_equal(e.code, "field.type");
    assert_int_equal(check(r, &f, json_string("100"), &e), -1);
    assert_int_equal(check(r, &f, json_integer(-1), &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_int_equal(check(r, &f, json_integer(1000001), &e), -1);
    arena_free(r->a);
}

/* 4. Dates must be real calendar dates. */
static void test_04_dates(void **state) {
    Req *r = new_req();
    Field f = {"d", FT_DATE, 0};
    Err e;
    assert_int_equal(check(r, &f, json_string("2024-02-29"), &e), 0);
    assert_int_equal(check(r, &f, json_string("2026-02-29"), &e), -1);
    assert_string_equal(e.code, "field.format");
    assert_int_equal(check(r, &f, json_string("2026-13-01"), &e), -1);
    assert_int_equal(check(r, &f, json_string("26-1-1"), &e), -1);
    arena_free(r->a);
}

/* 5. Enums list the allowed values in the error. */
static void test_05_enum(void **state) {
    Req *r = new_req();
    Field f = {"kind", FT_ENUM, F_REQUIRED, 0, 0, kinds};
    Err e;
    assert_int_equal(check(r, &f, json_string("a"), &e), 0);
    assert_int_equal(check(r, &f, json_string("c"), &e), -1);
    assert_string_equal(e.code, "field.enum");
    assert_string_equal(e.detail, "a, b");
    arena_free(r->a);
}

/* 6. Booleans, emails, phones, percentages, roles. */
static void test_06_other_types(void **state) {
    Req *r = new_req();
    Err e;
    Field b = {"x", FT_BOOL, 0};
    assert_int_equal(check(r, &b, json_true(), &e), 0);
    assert_int_equal(check(r, &b, json_integer(1), &e), -1);
    Field m = {"email", FT_EMAIL, 0};
    assert_int_equal(check(r, &m, json_string("wang@example.cn"), &e), 0);
    assert_int_equal(check(r, &m, json_string("wang@"), &e), -1);
    assert_int_equal(check(r, &m, json_string("a b@x.cn"), &e), -1);
    Field p = {"phone", FT_PHONE, 0};
    assert_int_equal(check(r, &p, json_string("+86 21-5555 0000"), &e), 0);
    assert_int_equal(check(r, &p, json_string("call me"), &e), -1);
    Field bp = {"rate", FT_PERCENT_BP, 0};
    assert_int_equal(check(r, &bp, json_integer(10000), &e), 0);
    assert_int_equal(check(r, &bp, json_integer(10001), &e), -1);
    Field ro = {"roles", FT_ROLES, F_VIRTUAL};
    assert_int_equal(check(r, &ro, json_pack("[s,s]", "sales_rep", "finance"), &e), 0);
    assert_int_equal(check(r, &ro, json_pack("[s]", "king"), &e), -1);
    assert_string_equal(e.code, "field.enum");
    arena_free(r->a);
}

/* 7. An empty optional value becomes null (false for booleans). */
static void test_07_empty_optional(void **state) {
    Req *r = new_req();
    Err e;
    json_t *out;
    Field f = {"note", FT_TEXT, 0};
    json_t *empty = json_string("");
    assert_int_equal(field_validate(r, &f, empty, &out, &e), 0);
    assert_true(json_is_null(out));
    json_decref(empty);
    Field b = {"flag", FT_BOOL, 0};
    assert_int_equal(field_validate(r, &b, NULL, &out, &e), 0);
    assert_true(json_is_false(out));
    arena_free(r->a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_required), cmocka_unit_test(test_02_text_length), cmocka_unit_test(test_03_money),
        cmocka_unit_test(test_04_dates),    cmocka_unit_test(test_05_enum),        cmocka_unit_test(test_06_other_types),
        cmocka_unit_test(test_07_empty_optional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
