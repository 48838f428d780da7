/*
** test_password.c — Argon2id hashing and the token helpers used by sessions
** and API tokens.
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
    for (char *p = t1; *p; p++) assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    arena_free(a);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_hash_verify), cmocka_unit_test(test_02_salted), cmocka_unit_test(test_03_bad_hash),
        cmocka_unit_test(test_04_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
