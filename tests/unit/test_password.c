/*
** test_password.c — Argon2id hashing, the token helpers used by sessions
** and API tokens, and the password policy.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "http/internal.h"

/* 1. A hash is Argon2id, verifies the right password and refuses others. */
static void test_01_hash_verify(void **state) {
    Arena *a = arena_new();
    char *h = password_hash(a, "Secret#2026");
    assert_non_null(h);
    assert_memory_equal(h, "$argon2id$", 10);
    assert_non_null(strstr(h, "$m=19456,t=2,p=1$")); /* the baseline: no test tunable set here */
    assert_true(password_verify(h, "Secret#2026"));
    assert_false(password_verify(h, "secret#2026"));
    assert_false(password_verify(h, ""));
    arena_free(a);
}

/* 2. The same password hashes differently each time (random salt). */
static void test_02_salted(void **state) {
    Arena *a = arena_new();
    char *h1 = password_hash(a, "同一个密码"), *h2 = password_hash(a, "同一个密码");
    assert_string_not_equal(h1, h2);
    assert_true(password_verify(h1, "同一个密码"));
    assert_true(password_verify(h2, "同一个密码"));
    arena_free(a);
}

/* 3. A malformed stored hash never verifies. */
static void test_03_bad_hash(void **state) {
    assert_false(password_verify("", "x"));
    assert_false(password_verify("$argon2id$v=19$garbage", "x"));
}

/* 4. sha256_hex is the known digest; tokens are URL-safe and distinct. */
static void test_04_tokens(void **state) {
    Arena *a = arena_new();
    assert_string_equal(sha256_hex(a, "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char *t1 = random_token(a, 32), *t2 = random_token(a, 32);
    assert_int_equal(strlen(t1), 43);
    assert_string_not_equal(t1, t2);
    for (char *p = t1; *p; p++)
        assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    arena_free(a);
}

/* 5. The password policy: length, the user name inside (without case), the common list. */
static void test_05_policy(void **state) {
    Err e = {0};
    assert_int_equal(password_policy_check(NULL, "zhang.san", "Kx7#river-lamp", "password", &e), 0);
    assert_int_equal(password_policy_check(NULL, "zhang.san", "Ab#1234", "password", &e), -1);
    assert_string_equal(e.code, "auth.weak_password");
    assert_string_equal(e.detail, "8");
    assert_int_equal(password_policy_check(NULL, "zhang.san", "my-ZHANG.SAN-pw", "new_password", &e), -1);
    assert_string_equal(e.code, "auth.password_has_username");
    assert_string_equal(e.field, "new_password");
    assert_int_equal(e.status, 400);
    const char *common[] = {"12345678",   "password", "PASSWORD", "Qwerty123", "iloveyou",    "admin123",
                            "woaini1314", "a1b2c3d4", "11111111", "1qaz2wsx",  "Welcome2025!"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        assert_int_equal(password_policy_check(NULL, "zhang.san", common[i], "password", &e), -1);
        assert_string_equal(e.code, "auth.password_common");
    }
    /* a short user name is not searched for; no user name at all is fine */
    assert_int_equal(password_policy_check(NULL, "li", "Quiet-lily-42", "password", &e), 0);
    assert_int_equal(password_policy_check(NULL, NULL, "Quiet-lily-42", "password", &e), 0);
}

/* 6. The embedded list is sorted, unique, lower case and holds at least 1,000 passwords. */
extern const char *const common_passwords[];
extern const int common_passwords_count;
static void test_06_list(void **state) {
    assert_true(common_passwords_count >= 1000);
    for (int i = 1; i < common_passwords_count; i++)
        assert_true(strcmp(common_passwords[i - 1], common_passwords[i]) < 0);
    for (int i = 0; i < common_passwords_count; i++)
        for (const char *p = common_passwords[i]; *p; p++)
            assert_false(*p >= 'A' && *p <= 'Z');
    assert_true(password_is_common("123456"));
    assert_false(password_is_common("Kx7#river-lamp"));
}

int main(void) {
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_hash_verify), cmocka_unit_test(test_02_salted), cmocka_unit_test(test_03_bad_hash),
        cmocka_unit_test(test_04_tokens),      cmocka_unit_test(test_05_policy), cmocka_unit_test(test_06_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
