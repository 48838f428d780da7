/*
** test_arena.c — unit tests of src/core/arena.c and alloc.c: alignment,
** zeroing, chunk boundaries, large allocations, cleanups, and Buf.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* 1. arena_free(NULL) is harmless; an arena with no allocations frees cleanly. */
static void test_01_free_null_and_empty(void **state) {
    arena_free(NULL);
    Arena *a = arena_new();
    assert_non_null(a);
    assert_int_equal(arena_used(a), 0);
    arena_free(a);
}

/* 2. Every allocation is 16-byte aligned and zeroed, whatever its size (including 0). */
static void test_02_aligned_and_zeroed(void **state) {
    Arena *a = arena_new();
    size_t sizes[] = {0, 1, 3, 15, 16, 17, 100, 4095, 4096, 5000, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = arena_alloc(a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t k = 0; k < sizes[i]; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xAB, sizes[i]); /* dirty it: later allocations must still be zero */
    }
    arena_free(a);
}

/* 3. Thousands of small allocations cross chunk boundaries and never overlap. */
static void test_03_many_small(void **state) {
    Arena *a = arena_new();
    enum { N = 5000 };
    char **ptrs = arena_alloc(a, N * sizeof *ptrs);
    for (int i = 0; i < N; i++) {
        ptrs[i] = arena_alloc(a, 40);
        memset(ptrs[i], i & 0x7F, 40);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 40; k++)
            assert_int_equal(ptrs[i][k], i & 0x7F);
    assert_int_equal(arena_used(a), N * sizeof *ptrs + N * 40);
    arena_free(a);
}

/* 4. A large allocation gets its own chunk: small allocations go on in the current one. */
static void test_04_large_own_chunk(void **state) {
    Arena *a = arena_new();
    char *p1 = arena_alloc(a, 16);
    char *big = arena_alloc(a, 1 << 20);
    char *p2 = arena_alloc(a, 16);
    assert_ptr_equal(p2, p1 + 16);
    big[0] = 1;
    big[(1 << 20) - 1] = 2;
    assert_int_equal(arena_used(a), 32 + (1 << 20));
    arena_free(a);
}

/* 5. strdup / strndup / printf, including NULL and truncation. */
static void test_05_strings(void **state) {
    Arena *a = arena_new();
    assert_null(arena_strdup(a, NULL));
    assert_null(arena_strndup(a, NULL, 3));
    assert_string_equal(arena_strdup(a, "客户"), "客户");
    assert_string_equal(arena_strdup(a, ""), "");
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(arena_strndup(a, "ab", 10), "ab");
    assert_string_equal(arena_printf(a, "%s-%04d", "QT", 12), "QT-0012");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *s = arena_printf(a, "<%s>", big);
    assert_int_equal(strlen(s), sizeof big + 1);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[sizeof big], '>');
    arena_free(a);
}

/* Records the order cleanups run in. */
static char defer_log[16];

/* A cleanup that appends its tag to defer_log. */
static void defer_mark(void *p) { strncat(defer_log, p, sizeof defer_log - strlen(defer_log) - 1); }

/* 6. Deferred cleanups run at arena_free, latest first, once each. */
static void test_06_defer_order(void **state) {
    defer_log[0] = '\0';
    Arena *a = arena_new();
    arena_defer(a, defer_mark, "1");
    arena_defer(a, defer_mark, "2");
    arena_defer(a, defer_mark, "3");
    assert_string_equal(defer_log, "");
    arena_free(a);
    assert_string_equal(defer_log, "321");
}

/* 7. A deferred free of malloc'd memory (how jansson trees are released): ASan checks the leak. */
static void test_07_defer_frees_heap(void **state) {
    Arena *a = arena_new();
    char *heap = xstrdup("owned by the request");
    arena_defer(a, free, heap);
    arena_free(a);
}

/* 8. Buf: starts empty and NUL-terminated, appends bytes, chars and strings. */
static void test_08_buf_basic(void **state) {
    Arena *a = arena_new();
    Buf b;
    buf_init(&b, a);
    assert_string_equal(b.p, "");
    assert_int_equal(b.n, 0);
    buf_puts(&b, "SELECT");
    buf_putc(&b, ' ');
    buf_add(&b, "id, name", 2);
    buf_add(&b, "", 0);
    buf_printf(&b, " FROM %s WHERE id = ?%d", "customers", 1);
    assert_string_equal(b.p, "SELECT id FROM customers WHERE id = ?1");
    assert_int_equal(b.n, strlen(b.p));
    arena_free(a);
}

/* 9. Buf growth from small to large keeps the contents (in place, by copy and by realloc). */
static void test_09_buf_growth(void **state) {
    Arena *a = arena_new();
    Buf b;
    buf_init(&b, a);
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_int_equal(b.n, 100000);
    assert_true(b.cap > b.n);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.p[i], 'a' + i % 26);
    assert_int_equal(b.p[b.n], '\0');
    arena_free(a);
}

/* 10. Two buffers growing in turn (neither is the latest allocation) stay intact. */
static void test_10_buf_interleaved(void **state) {
    Arena *a = arena_new();
    Buf x, y;
    buf_init(&x, a);
    buf_init(&y, a);
    for (int i = 0; i < 3000; i++) {
        buf_printf(&x, "%d,", i % 10);
        buf_putc(&y, 'y');
        arena_alloc(a, 8); /* something else in between */
    }
    assert_int_equal(x.n, 6000);
    assert_int_equal(y.n, 3000);
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(x.p[2 * i], '0' + i % 10);
        assert_int_equal(x.p[2 * i + 1], ',');
        assert_int_equal(y.p[i], 'y');
    }
    arena_free(a);
}

/* 11. buf_printf whose output does not fit the remaining space is formatted in full. */
static void test_11_buf_printf_large(void **state) {
    Arena *a = arena_new();
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "x");
    buf_printf(&b, "%0*d", 10000, 7);
    assert_int_equal(b.n, 10001);
    assert_int_equal(b.p[10000], '7');
    assert_int_equal(b.p[1], '0');
    arena_free(a);
}

/* 12. xmalloc & co: usable memory, zero-size requests, xstrdup(NULL). */
static void test_12_xalloc(void **state) {
    char *p = xmalloc(0);
    assert_non_null(p);
    free(p);
    int *z = xcalloc(10, sizeof *z);
    for (int i = 0; i < 10; i++)
        assert_int_equal(z[i], 0);
    z = xrealloc(z, 1000 * sizeof *z);
    z[999] = 5;
    free(z);
    assert_null(xstrdup(NULL));
    char *s = xstrdup("售后");
    assert_string_equal(s, "售后");
    free(s);
}

/* 13. A chunk kept for the thread's next arena comes back zeroed, grown buffers' bytes included:
   the next arena's allocations read as zero however the last one wrote (and it is reused: the
   same address, as no other chunk is freed in between). */
static void test_13_kept_chunk_zeroed(void **state) {
    Arena *a = arena_new();
    unsigned char *p = arena_alloc(a, 3000);
    memset(p, 0xAB, 3000);
    Buf b;
    buf_init(&b, a);
    for (int i = 0; i < 400; i++)
        buf_puts(&b, "售后服务"); /* grows in place in the same chunk, past what it handed out */
    arena_free(a);
    Arena *a2 = arena_new();
    unsigned char *q = arena_alloc(a2, 4000);
    for (int i = 0; i < 4000; i++)
        assert_int_equal(q[i], 0);
    unsigned char *r = arena_alloc(a2, 4000);
    for (int i = 0; i < 4000; i++)
        assert_int_equal(r[i], 0);
    assert_ptr_equal(q, p);
    arena_free(a2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_free_null_and_empty),
        cmocka_unit_test(test_02_aligned_and_zeroed),
        cmocka_unit_test(test_03_many_small),
        cmocka_unit_test(test_04_large_own_chunk),
        cmocka_unit_test(test_05_strings),
        cmocka_unit_test(test_06_defer_order),
        cmocka_unit_test(test_07_defer_frees_heap),
        cmocka_unit_test(test_08_buf_basic),
        cmocka_unit_test(test_09_buf_growth),
        cmocka_unit_test(test_10_buf_interleaved),
        cmocka_unit_test(test_11_buf_printf_large),
        cmocka_unit_test(test_12_xalloc),
        cmocka_unit_test(test_13_kept_chunk_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
