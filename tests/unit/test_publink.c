/*
** test_publink.c — the pure helpers of public links (model/publink.c): the shape of a token,
** checked before any hash is computed or any row looked up, and the tokens random_token makes
** for links (32 bytes in URL-safe base64), whose SHA-256 is what the table stores.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "http/internal.h"
#include "model/model.h"

/* 1. A token random_token(32) makes has the link shape, and two are never the same. */
static void test_01_random_tokens_have_the_shape(void **state) {
    Arena *a = arena_new();
    for (int i = 0; i < 200; i++) {
        char *t = random_token(a, 32), *u = random_token(a, 32);
        assert_int_equal(strlen(t), 43);
        assert_true(publink_token_shape_ok(t));
        assert_string_not_equal(t, u);
    }
    arena_free(a);
}

/* 2. Anything else is refused: wrong length, padding, standard base64, spaces, NUL-ended short. */
static void test_02_other_shapes_refused(void **state) {
    char ok[44];
    memset(ok, 'A', 43);
    ok[43] = '\0';
    assert_true(publink_token_shape_ok(ok));
    ok[5] = '-';
    ok[6] = '_';
    assert_true(publink_token_shape_ok(ok));
    assert_false(publink_token_shape_ok(NULL));
    assert_false(publink_token_shape_ok(""));
    assert_false(publink_token_shape_ok("short"));
    ok[42] = '=';
    assert_false(publink_token_shape_ok(ok)); /* padding */
    ok[42] = '+';
    assert_false(publink_token_shape_ok(ok)); /* standard, not URL-safe, base64 */
    ok[42] = '/';
    assert_false(publink_token_shape_ok(ok));
    ok[42] = ' ';
    assert_false(publink_token_shape_ok(ok));
    ok[42] = 'A';
    char longer[46];
    memcpy(longer, ok, 43);
    longer[43] = 'A';
    longer[44] = '\0';
    assert_false(publink_token_shape_ok(longer)); /* 44 characters */
    ok[42] = '\0';
    assert_false(publink_token_shape_ok(ok)); /* 42 characters */
}

/* 3. What is stored is the hex SHA-256 of the token: 64 characters, never the token itself. */
static void test_03_stored_hash(void **state) {
    Arena *a = arena_new();
    char *t = random_token(a, 32);
    char *h = sha256_hex(a, t);
    assert_int_equal(strlen(h), 64);
    assert_null(strstr(h, t));
    assert_string_equal(h, sha256_hex(a, t)); /* found again by the same hash */
    /* a known vector: SHA-256("abc") */
    assert_string_equal(sha256_hex(a, "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    arena_free(a);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_random_tokens_have_the_shape),
        cmocka_unit_test(test_02_other_shapes_refused),
        cmocka_unit_test(test_03_stored_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
