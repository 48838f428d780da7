/*
** test_validate.c — field validation against declarations: every type's
** accepted and refused values, and the error naming the field with its label;
** setting validation (settings.c) the same way, and localized message details.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/errcodes.h"
#include "model/model.h"
#include "model/settings.h"

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

/* 8. A field with a default may be left out, not emptied: "" or null is its own error. */
static void test_08_default_not_emptied(void **state) {
    Req *r = new_req();
    Err e;
    json_t *out;
    Field k = {"kind", FT_ENUM, 0, 0, 0, kinds, NULL, "a", "类型", "類型", "Kind"};
    assert_int_equal(check(r, &k, json_string(""), &e), -1);
    assert_string_equal(e.code, "field.enum");
    assert_string_equal(e.field, "kind");
    assert_string_equal(e.label, "类型");
    assert_string_equal(e.detail, "a, b");
    assert_int_equal(check(r, &k, json_null(), &e), -1);
    assert_string_equal(e.code, "field.enum");
    Field m = {"cost", FT_MONEY, 0, 0, 0, NULL, NULL, "0", "费用", NULL, NULL};
    assert_int_equal(check(r, &m, json_null(), &e), -1);
    assert_string_equal(e.code, "field.required");
    assert_string_equal(e.field, "cost");
    assert_int_equal(check(r, &m, json_string(""), &e), -1);
    assert_string_equal(e.code, "field.required");
    Field b = {"active", FT_BOOL, 0, 0, 0, NULL, NULL, "1", "启用", NULL, NULL};
    assert_int_equal(check(r, &b, json_null(), &e), -1);
    assert_string_equal(e.code, "field.required");
    /* not sent at all (NULL): allowed, the caller applies the default */
    assert_int_equal(field_validate(r, &k, NULL, &out, &e), 0);
    assert_true(json_is_null(out));
    arena_free(r->a);
}

/* 9. Numbers past int64 (reals from the body parser) are field.range for integer fields. */
static void test_09_big_numbers(void **state) {
    Req *r = new_req();
    Err e;
    Field n = {"respondents", FT_INT, 0, 0, 1000000, NULL, NULL, NULL, "受访数量", NULL, NULL};
    assert_int_equal(check(r, &n, json_real(9223372036854775808.0), &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_string_equal(e.field, "respondents");
    assert_string_equal(e.detail, "0..1000000");
    assert_int_equal(check(r, &n, json_real(-9223372036854775808.0), &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_int_equal(check(r, &n, json_real(1.7976931348623157e308), &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_int_equal(check(r, &n, json_real(12.0), &e), -1); /* a real in range is still not an integer */
    assert_string_equal(e.code, "field.type");
    Field u = {"n", FT_INT, 0};
    assert_int_equal(check(r, &u, json_real(1e19), &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_string_equal(e.detail, "-9223372036854775808..9223372036854775807");
    Field t = {"topic", FT_TEXT, 0};
    assert_int_equal(check(r, &t, json_real(1e19), &e), -1);
    assert_string_equal(e.code, "field.type");
    arena_free(r->a);
}

/* 10. A NUL character inside any string value is field.format naming the field. */
static void test_10_nul(void **state) {
    Req *r = new_req();
    Err e;
    Field t = {"topic", FT_TEXT, 0};
    assert_int_equal(check(r, &t, json_stringn("a\0b", 3), &e), -1);
    assert_string_equal(e.code, "field.format");
    assert_string_equal(e.field, "topic");
    assert_string_equal(e.detail, "NUL");
    assert_int_equal(check(r, &t, json_stringn("\0", 1), &e), -1); /* not empty: one character */
    assert_string_equal(e.code, "field.format");
    Field k = {"kind", FT_ENUM, 0, 0, 0, kinds};
    assert_int_equal(check(r, &k, json_stringn("a\0x", 3), &e), -1);
    assert_string_equal(e.code, "field.format");
    Field d = {"d", FT_DATE, 0};
    assert_int_equal(check(r, &d, json_stringn("2024-02-29\0", 11), &e), -1);
    assert_string_equal(e.code, "field.format");
    Field ro = {"roles", FT_ROLES, F_VIRTUAL};
    json_t *roles = json_array();
    json_array_append_new(roles, json_stringn("admin\0x", 7));
    assert_int_equal(check(r, &ro, roles, &e), -1);
    assert_string_equal(e.code, "field.enum");
    arena_free(r->a);
}

/* 11. Messages: the expected type and format details are in the user's language. */
static void test_11_localized_details(void **state) {
    Arena *a = arena_new();
    const char *m = i18n_error(a, "zh-CN", "field.type", "费用", "integer (fen)");
    assert_string_equal(m, "“费用”类型错误，应为以分为单位的整数金额");
    m = i18n_error(a, "zh-TW", "field.type", "人數", "integer");
    assert_string_equal(m, "「人數」類型錯誤，應為整數");
    m = i18n_error(a, "en", "field.type", "Cost", "integer");
    assert_string_equal(m, "\"Cost\" has the wrong type; expected an integer");
    m = i18n_error(a, "zh-CN", "field.format", "主题", "one line");
    assert_string_equal(m, "“主题”格式错误（只能是一行文字）");
    m = i18n_error(a, "zh-CN", "field.range", "人数", "integer"); /* other codes keep the detail */
    assert_string_equal(m, "“人数”超出范围（integer）");
    arena_free(a);
}

/* One setting of each type, for the setting tests. */
static const Setting st_int = {"auth.lockout_failures", ST_INT, "5", 1, 100, "锁定次数", "鎖定次數", "Lockout"};
static const Setting st_bool = {"stage.won.requires_contract", ST_BOOL, "0", 0, 0, "须有合同", NULL, NULL};
static const Setting st_money = {"tier.key.amount", ST_MONEY, "0", 0, 100000000000000, "金额", NULL, NULL};
static const Setting st_enum = {"tier.visit.key", ST_ENUM, "a", 0, 0, "频率", NULL, NULL, kinds};
static const Setting st_dates = {"care.holidays", ST_DATES, "", 0, 0, "节日", NULL, NULL};
static const Setting st_days = {"pool.by_line", ST_DAYS, "", 1, 3650, "产品线保护期", NULL, NULL};

/* Validate setting value v (stolen); returns the rc; *text the stored text on success. */
static int check_setting(Req *r, const Setting *s, json_t *v, const char **text, Err *e) {
    memset(e, 0, sizeof *e);
    int rc = setting_validate(r, s, v, text, e);
    json_decref(v);
    return rc;
}

/* 12. Integer, money and boolean settings: JSON integers / booleans only, within range. */
static void test_12_setting_numbers(void **state) {
    Req *r = new_req();
    Err e;
    const char *t;
    assert_int_equal(check_setting(r, &st_int, json_integer(7), &t, &e), 0);
    assert_string_equal(t, "7");
    assert_int_equal(check_setting(r, &st_int, json_string("7"), &t, &e), -1);
    assert_string_equal(e.code, "field.type");
    assert_string_equal(e.field, "auth.lockout_failures");
    assert_string_equal(e.label, "锁定次数");
    assert_string_equal(e.detail, "integer");
    assert_int_equal(check_setting(r, &st_int, json_integer(0), &t, &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_string_equal(e.detail, "1..100");
    assert_int_equal(check_setting(r, &st_int, json_real(9223372036854775808.0), &t, &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_int_equal(check_setting(r, &st_int, json_real(5.5), &t, &e), -1);
    assert_string_equal(e.code, "field.type");
    assert_int_equal(check_setting(r, &st_int, json_null(), &t, &e), -1);
    assert_string_equal(e.code, "field.required");
    assert_int_equal(check_setting(r, &st_int, NULL, &t, &e), -1);
    assert_string_equal(e.code, "field.required");
    assert_int_equal(check_setting(r, &st_money, json_integer(-1), &t, &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_int_equal(check_setting(r, &st_money, json_string("100"), &t, &e), -1);
    assert_string_equal(e.detail, "integer (fen)");
    assert_int_equal(check_setting(r, &st_bool, json_true(), &t, &e), 0);
    assert_string_equal(t, "1");
    assert_int_equal(check_setting(r, &st_bool, json_false(), &t, &e), 0);
    assert_string_equal(t, "0");
    assert_int_equal(check_setting(r, &st_bool, json_integer(1), &t, &e), -1);
    assert_string_equal(e.code, "field.type");
    assert_int_equal(check_setting(r, &st_bool, json_string("1"), &t, &e), -1);
    assert_string_equal(e.code, "field.type");
    arena_free(r->a);
}

/* 13. Enum, holiday-list and days-list settings. */
static void test_13_setting_lists(void **state) {
    Req *r = new_req();
    Err e;
    const char *t;
    assert_int_equal(check_setting(r, &st_enum, json_string("b"), &t, &e), 0);
    assert_int_equal(check_setting(r, &st_enum, json_string("c"), &t, &e), -1);
    assert_string_equal(e.code, "field.enum");
    assert_string_equal(e.detail, "a, b");
    assert_int_equal(check_setting(r, &st_enum, json_string(""), &t, &e), -1);
    assert_string_equal(e.code, "field.enum");
    /* holidays */
    assert_int_equal(
        check_setting(r, &st_dates, json_string("01-01 元旦，2026-09-29 中秋节、02-29;10-01\n12-25 圣诞"), &t, &e), 0);
    assert_int_equal(check_setting(r, &st_dates, json_string(""), &t, &e), 0);
    assert_int_equal(check_setting(r, &st_dates, json_string("  01-01　元旦  ,  "), &t, &e), 0); /* blanks, U+3000 */
    assert_int_equal(check_setting(r, &st_dates, json_string("13-45 坏日期,abc"), &t, &e), -1);
    assert_string_equal(e.code, "field.date_list");
    assert_string_equal(e.field, "care.holidays");
    assert_string_equal(e.detail, "13-45 坏日期");
    assert_int_equal(check_setting(r, &st_dates, json_string("01-01 元旦, abc"), &t, &e), -1);
    assert_string_equal(e.detail, "abc");
    assert_int_equal(check_setting(r, &st_dates, json_string("02-30"), &t, &e), -1);
    assert_int_equal(check_setting(r, &st_dates, json_string("2026-02-29 x"), &t, &e), -1);
    assert_int_equal(check_setting(r, &st_dates, json_string("1-1 元旦"), &t, &e), -1);
    assert_int_equal(check_setting(r, &st_dates, json_string("01-011"), &t, &e), -1);
    assert_int_equal(check_setting(r, &st_dates, json_string("2026-09-29中秋"), &t, &e), -1);
    assert_int_equal(check_setting(r, &st_dates, json_integer(101), &t, &e), -1);
    assert_string_equal(e.code, "field.type");
    assert_int_equal(check_setting(r, &st_dates, json_stringn("01-01\0", 6), &t, &e), -1);
    assert_string_equal(e.code, "field.format");
    /* a long bad entry is cut in the detail, never inside a character */
    assert_int_equal(
        check_setting(
            r, &st_dates,
            json_string("坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏坏"),
            &t, &e),
        -1);
    assert_true(utf8_valid(e.detail, strlen(e.detail)));
    /* days by name */
    assert_int_equal(check_setting(r, &st_days, json_string("成套设备=60, 变频器＝45;电机 = 30"), &t, &e), 0);
    assert_int_equal(check_setting(r, &st_days, json_string(""), &t, &e), 0);
    assert_int_equal(check_setting(r, &st_days, json_string("成套设备"), &t, &e), -1);
    assert_string_equal(e.code, "field.days_list");
    assert_string_equal(e.detail, "成套设备");
    assert_int_equal(check_setting(r, &st_days, json_string("=60"), &t, &e), -1);
    assert_string_equal(e.code, "field.days_list");
    assert_int_equal(check_setting(r, &st_days, json_string("a=6x"), &t, &e), -1);
    assert_string_equal(e.code, "field.days_list");
    assert_int_equal(check_setting(r, &st_days, json_string("a=0"), &t, &e), -1);
    assert_string_equal(e.code, "field.range");
    assert_string_equal(e.detail, "a=0: 1..3650");
    arena_free(r->a);
}

/* req_json on body text (a copy, NUL-terminated like the server's); e filled on failure. */
static json_t *parse_body(Req *r, const char *text, Err *e) {
    memset(e, 0, sizeof *e);
    r->json_body = NULL;
    r->body = arena_strdup(r->a, text);
    r->body_len = strlen(text);
    return req_json(r, e);
}

/* 14. The body parser keeps numbers past int64 / double (as reals) and \u0000 in strings
       for field validation; syntax errors are still request.bad_json. */
static void test_14_body_parse(void **state) {
    Req *r = new_req();
    Err e;
    json_t *j = parse_body(r,
                           "{\"a\":9223372036854775808,\"b\":-9223372036854775809,\"c\":1e309,\"d\":-1e999,"
                           "\"e\":9223372036854775807,\"f\":\"9223372036854775808 1e309\",\"g\":[1e400]}",
                           &e);
    assert_non_null(j);
    assert_true(json_is_real(json_object_get(j, "a")));
    assert_true(json_real_value(json_object_get(j, "a")) >= 9223372036854775808.0);
    assert_true(json_real_value(json_object_get(j, "b")) <= -9223372036854775808.0);
    assert_true(json_real_value(json_object_get(j, "c")) > 1e308);
    assert_true(json_real_value(json_object_get(j, "d")) < -1e308);
    assert_true(json_is_integer(json_object_get(j, "e")));
    assert_string_equal(json_string_value(json_object_get(j, "f")), "9223372036854775808 1e309");
    assert_true(json_is_real(json_array_get(json_object_get(j, "g"), 0)));
    j = parse_body(r, "{\"t\":\"a\\u0000b\"}", &e);
    assert_non_null(j);
    assert_int_equal(json_string_length(json_object_get(j, "t")), 3);
    /* still malformed */
    assert_null(parse_body(r, "{\"a\":1e309,}", &e));
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"a\":09223372036854775808}", &e));
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"a\":9223372036854775808.}", &e));
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"a\\u0000\":1}", &e));
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"x\":1e309,\"a\":\"9223372036854775808", &e)); /* unterminated string */
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"x\":1e309,\"a\":\"abc\\", &e)); /* ends inside an escape */
    assert_string_equal(e.code, "request.bad_json");
    assert_null(parse_body(r, "{\"x\":-", &e));
    assert_string_equal(e.code, "request.bad_json");
    arena_free(r->a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_required),
        cmocka_unit_test(test_02_text_length),
        cmocka_unit_test(test_03_money),
        cmocka_unit_test(test_04_dates),
        cmocka_unit_test(test_05_enum),
        cmocka_unit_test(test_06_other_types),
        cmocka_unit_test(test_07_empty_optional),
        cmocka_unit_test(test_08_default_not_emptied),
        cmocka_unit_test(test_09_big_numbers),
        cmocka_unit_test(test_10_nul),
        cmocka_unit_test(test_11_localized_details),
        cmocka_unit_test(test_12_setting_numbers),
        cmocka_unit_test(test_13_setting_lists),
        cmocka_unit_test(test_14_body_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
