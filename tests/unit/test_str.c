/*
** test_str.c — unit tests of src/core/str.c (UTF-8, word lists, integers),
** src/core/err.c (Err, messages, locales) and src/core/log.c (JSON lines).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/errcodes.h"

/* utf8_valid on a byte string literal (embedded NULs counted by sizeof). */
#define VALID(lit) utf8_valid(lit, sizeof(lit) - 1)

/* 1. Well-formed UTF-8 of every length is accepted, including the extremes. */
static void test_01_utf8_valid(void **state) {
    assert_true(VALID(""));
    assert_true(VALID("plain ASCII ~"));
    assert_true(VALID("华东大区 王芳"));
    assert_true(VALID("繁體中文"));
    assert_true(VALID("\xC2\x80"));         /* U+0080, smallest 2-byte */
    assert_true(VALID("\xDF\xBF"));         /* U+07FF */
    assert_true(VALID("\xE0\xA0\x80"));     /* U+0800, smallest 3-byte */
    assert_true(VALID("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    assert_true(VALID("\xEE\x80\x80"));     /* U+E000, just above them */
    assert_true(VALID("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(VALID("\xF0\x90\x80\x80")); /* U+10000, smallest 4-byte */
    assert_true(VALID("\xF0\x9F\x98\x80")); /* emoji */
    assert_true(VALID("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
}

/* 2. Overlong forms are rejected (C0 80 is the classic overlong NUL). */
static void test_02_utf8_overlong(void **state) {
    assert_false(VALID("\xC0\x80"));
    assert_false(VALID("\xC1\xBF"));
    assert_false(VALID("\xE0\x80\x80"));
    assert_false(VALID("\xE0\x9F\xBF"));
    assert_false(VALID("\xF0\x80\x80\x80"));
    assert_false(VALID("\xF0\x8F\xBF\xBF"));
}

/* 3. UTF-16 surrogates, code points above U+10FFFF and F5..FF lead bytes are rejected. */
static void test_03_utf8_surrogate_and_range(void **state) {
    assert_false(VALID("\xED\xA0\x80"));     /* U+D800 */
    assert_false(VALID("\xED\xBF\xBF"));     /* U+DFFF */
    assert_false(VALID("\xF4\x90\x80\x80")); /* U+110000 */
    assert_false(VALID("\xF5\x80\x80\x80"));
    assert_false(VALID("\xF8\x88\x80\x80\x80"));
    assert_false(VALID("\xFF"));
    assert_false(VALID("\xFE"));
}

/* 4. Truncated sequences, stray continuations and embedded NUL bytes are rejected. */
static void test_04_utf8_truncated_and_nul(void **state) {
    assert_false(VALID("\xE5\x8D")); /* 华 cut short */
    assert_false(VALID("abc\xE5"));
    assert_false(VALID("\xF0\x9F\x98"));
    assert_false(VALID("\xC2"));
    assert_false(VALID("\x80"));             /* continuation with no lead */
    assert_false(VALID("\xE5\x41\x8E"));     /* lead followed by ASCII */
    assert_false(VALID("\xF0\x9F\x28\x80")); /* bad third byte */
    assert_false(VALID("a\0b"));             /* embedded NUL */
    assert_false(VALID("\0"));
    assert_true(utf8_valid("ab\xE5", 2)); /* only n bytes are looked at */
}

/* 5. utf8_len counts code points, not bytes. */
static void test_05_utf8_len(void **state) {
    assert_int_equal(utf8_len("", 0), 0);
    assert_int_equal(utf8_len("abc", 3), 3);
    assert_int_equal(utf8_len("华东大区", strlen("华东大区")), 4);
    assert_int_equal(utf8_len("a华\xF0\x9F\x98\x80", 8), 3);
}

/* 6. str_word_in matches whole words only. */
static void test_06_word_in(void **state) {
    assert_true(str_word_in("admin sales_rep sales_manager", "sales_rep"));
    assert_true(str_word_in("admin sales_rep sales_manager", "admin"));
    assert_true(str_word_in("admin sales_rep sales_manager", "sales_manager"));
    assert_true(str_word_in("  spaced   out ", "out"));
    assert_false(str_word_in("admin sales_rep", "sales"));
    assert_false(str_word_in("admin sales_rep", "rep"));
    assert_false(str_word_in("admin", "admin2"));
    assert_false(str_word_in("", "a"));
    assert_false(str_word_in("a b", ""));
    assert_false(str_word_in(NULL, "a"));
}

/* 7. str_to_int64 parses whole decimal strings up to the int64 limits. */
static void test_07_int64_ok(void **state) {
    int64_t v = 99;
    assert_int_equal(str_to_int64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_int64("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(str_to_int64("-17", &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(str_to_int64("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(str_to_int64("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
}

/* 8. str_to_int64 rejects junk and overflow and leaves *out alone. */
static void test_08_int64_errors(void **state) {
    const char *bad[] = {"",
                         "-",
                         "+1",
                         " 1",
                         "1 ",
                         "1a",
                         "0x10",
                         "1.0",
                         "--1",
                         "9223372036854775808",
                         "-9223372036854775809",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 7;
        assert_int_equal(str_to_int64(bad[i], &v), -1);
        assert_int_equal(v, 7);
    }
    int64_t v;
    assert_int_equal(str_to_int64(NULL, &v), -1);
}

/* 9. err_set fills every member, formats detail and returns -1. */
static void test_09_err_set(void **state) {
    Err e;
    assert_int_equal(err_set(&e, 422, EC_TOO_LONG, "name", "%d", 200), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.code, "field.too_long");
    assert_string_equal(e.field, "name");
    assert_string_equal(e.detail, "200");
    assert_int_equal(err_set(&e, 404, EC_REC_NOT_FOUND, NULL, NULL), -1);
    assert_null(e.field);
    assert_string_equal(e.detail, "");
    char longer[400];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    err_set(&e, 400, EC_FORMAT, "f", "%s", longer); /* truncated, still terminated */
    assert_int_equal(strlen(e.detail), sizeof e.detail - 1);
}

/* 10. The code constants carry the code strings. */
static void test_10_code_constants(void **state) {
    assert_string_equal(EC_REQUIRED, "field.required");
    assert_string_equal(EC_BAD_JSON, "request.bad_json");
    assert_string_equal(EC_TIMEOUT, "server.timeout");
}

/* 11. i18n_error fills {field} and {detail} in each locale. */
static void test_11_i18n_error(void **state) {
    Arena *a = arena_new();
    assert_string_equal(i18n_error(a, "zh-CN", EC_REQUIRED, "客户名称", NULL),
                        "“客户名称”为必填项");
    assert_string_equal(i18n_error(a, "zh-TW", EC_REQUIRED, "客戶名稱", NULL),
                        "「客戶名稱」為必填項目");
    assert_string_equal(i18n_error(a, "en", EC_TOO_LONG, "Name", "200"),
                        "\"Name\" is too long (at most 200 characters)");
    assert_string_equal(i18n_error(a, "en", EC_ENUM, "Stage", "new, won, lost"),
                        "\"Stage\" must be one of: new, won, lost");
    assert_string_equal(i18n_error(a, "zh-CN", EC_INTERNAL, NULL, "r-42"),
                        "服务器内部错误（请求号 r-42）");
    assert_string_equal(i18n_error(a, "zh-CN", EC_REQUIRED, NULL, NULL), "“”为必填项");
    arena_free(a);
}

/* 12. Fallbacks: an unknown locale gives zh-CN, an unknown code gives the code itself. */
static void test_12_i18n_fallback(void **state) {
    Arena *a = arena_new();
    assert_string_equal(i18n_error(a, "fr", EC_AUTH_REQUIRED, NULL, NULL), "请先登录");
    assert_string_equal(i18n_error(a, NULL, EC_AUTH_REQUIRED, NULL, NULL), "请先登录");
    assert_string_equal(i18n_error(a, "en-GB", EC_AUTH_REQUIRED, NULL, NULL), "Please sign in");
    assert_string_equal(i18n_error(a, "en", "no.such_code", NULL, NULL), "no.such_code");
    arena_free(a);
}

/* 13. i18n_locale maps Accept-Language values and settings onto the three locales. */
static void test_13_i18n_locale(void **state) {
    assert_string_equal(i18n_locale("en-US,en;q=0.9"), "en");
    assert_string_equal(i18n_locale("en"), "en");
    assert_string_equal(i18n_locale("zh-CN"), "zh-CN");
    assert_string_equal(i18n_locale("zh-TW"), "zh-TW");
    assert_string_equal(i18n_locale("zh-HK"), "zh-TW");
    assert_string_equal(i18n_locale("zh-Hant-TW"), "zh-TW");
    assert_string_equal(i18n_locale("zh-hant"), "zh-TW");
    assert_string_equal(i18n_locale("zh_TW"), "zh-TW");
    assert_string_equal(i18n_locale("zh-Hans-CN,zh;q=0.9"), "zh-CN");
    assert_string_equal(i18n_locale("zh"), "zh-CN");
    assert_string_equal(i18n_locale("zh-CN,zh;q=0.9,en;q=0.8"), "zh-CN");
    assert_string_equal(i18n_locale("fr-FR,en;q=0.5"), "en");
    assert_string_equal(i18n_locale("en;q=0.3, zh-TW;q=0.7"), "zh-TW");
    assert_string_equal(i18n_locale("de-DE"), "zh-CN");
    assert_string_equal(i18n_locale("english"), "zh-CN"); /* not the tag "en" */
    assert_string_equal(i18n_locale("en;q=0"), "zh-CN");  /* q=0: not acceptable */
    assert_string_equal(i18n_locale("*"), "zh-CN");
    assert_string_equal(i18n_locale(""), "zh-CN");
    assert_string_equal(i18n_locale(NULL), "zh-CN");
}

/* Run log_msg with stderr redirected to a temp file; returns the malloc'd output. */
static char *capture_log(LogLevel lvl, const char *msg) {
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    log_msg(lvl, "%s", msg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t n = lseek(fileno(tmp), 0, SEEK_END);
    char *out = calloc(1, (size_t)n + 1);
    lseek(fileno(tmp), 0, SEEK_SET);
    assert_int_equal(read(fileno(tmp), out, (size_t)n), n);
    fclose(tmp);
    return out;
}

/* 14. A log line is one JSON object whose msg round-trips quotes, controls and Chinese. */
static void test_14_log_json(void **state) {
    log_set_level(LOG_INFO);
    const char *msg = "say \"hi\"\\ \n\t\x01 华东";
    char *line = capture_log(LOG_WARN, msg);
    size_t n = strlen(line);
    assert_true(n > 0 && line[n - 1] == '\n');
    assert_ptr_equal(strchr(line, '\n'), line + n - 1); /* exactly one line */
    json_error_t jerr;
    json_t *j = json_loads(line, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "msg")), msg);
    assert_string_equal(json_string_value(json_object_get(j, "level")), "warn");
    assert_non_null(json_string_value(json_object_get(j, "t")));
    json_decref(j);
    free(line);
}

/* 15. Invalid UTF-8 in a message becomes U+FFFD; lines below the level are not written. */
static void test_15_log_bad_utf8_and_level(void **state) {
    log_set_level(LOG_INFO);
    char *line = capture_log(LOG_ERROR, "bad \xC0\x80 \xE5");
    json_t *j = json_loads(line, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "msg")),
                        "bad \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD");
    json_decref(j);
    free(line);
    line = capture_log(LOG_DEBUG, "hidden");
    assert_string_equal(line, "");
    free(line);
    log_set_level(LOG_ERROR);
    line = capture_log(LOG_WARN, "hidden too");
    assert_string_equal(line, "");
    free(line);
    log_set_level(LOG_INFO);
}

/* 16. str_ascii_lower folds ASCII only: user names are case-insensitive, Chinese text is untouched. */
static void test_16_ascii_lower(void **state) {
    (void)state;
    char a[] = "Wang.Fang@Demo-01";
    assert_string_equal(str_ascii_lower(a), "wang.fang@demo-01");
    char b[] = "王芳ABC";
    assert_string_equal(str_ascii_lower(b), "王芳abc");
    assert_null(str_ascii_lower(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_utf8_valid),
        cmocka_unit_test(test_02_utf8_overlong),
        cmocka_unit_test(test_03_utf8_surrogate_and_range),
        cmocka_unit_test(test_04_utf8_truncated_and_nul),
        cmocka_unit_test(test_05_utf8_len),
        cmocka_unit_test(test_06_word_in),
        cmocka_unit_test(test_07_int64_ok),
        cmocka_unit_test(test_08_int64_errors),
        cmocka_unit_test(test_09_err_set),
        cmocka_unit_test(test_10_code_constants),
        cmocka_unit_test(test_11_i18n_error),
        cmocka_unit_test(test_12_i18n_fallback),
        cmocka_unit_test(test_13_i18n_locale),
        cmocka_unit_test(test_14_log_json),
        cmocka_unit_test(test_15_log_bad_utf8_and_level),
        cmocka_unit_test(test_16_ascii_lower),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
