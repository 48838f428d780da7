/*
** test_placeholders.c — unit tests of db_rewrite_placeholders (src/db/db.c):
** ?N -> $N for PostgreSQL, leaving literals, identifiers and comments alone.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* Assert that sql rewrites to want. */
static void check(const char *sql, const char *want) {
    char *got = db_rewrite_placeholders(sql);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("rewrite of [%s]\n  got  [%s]\n  want [%s]", sql, got, want);
    free(got);
}

/* 1. Numbered placeholders keep their numbers, repeated or out of order. */
static void test_01_numbered(void **state) {
    check("SELECT * FROM t WHERE id = ?1", "SELECT * FROM t WHERE id = $1");
    check("UPDATE t SET a = ?2, v = v + 1 WHERE id = ?1 AND v = ?2",
          "UPDATE t SET a = $2, v = v + 1 WHERE id = $1 AND v = $2");
    check("VALUES (?10, ?11, ?12)", "VALUES ($10, $11, $12)");
    check("SELECT 5-?1, 6/?2, ?3||?4", "SELECT 5-$1, 6/$2, $3||$4");
}

/* 2. Bare ? are numbered after the highest number so far (SQLite's rule). */
static void test_02_bare(void **state) {
    check("INSERT INTO t VALUES (?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3)");
    check("WHERE a = ?2 AND b = ?", "WHERE a = $2 AND b = $3");
    check("WHERE a = ? AND b = ?1", "WHERE a = $1 AND b = $1");
}

/* 3. String literals, including '' escapes, are copied untouched. */
static void test_03_literals(void **state) {
    check("SELECT '?1' || ?1", "SELECT '?1' || $1");
    check("SELECT 'it''s ?1', ?2", "SELECT 'it''s ?1', $2");
    check("SELECT '''?1''' , ?1", "SELECT '''?1''' , $1");
    check("SELECT '' , ?1", "SELECT '' , $1");
    check("WHERE name = '客户?1' AND id = ?1", "WHERE name = '客户?1' AND id = $1");
    check("SELECT '-- not a comment', ?1", "SELECT '-- not a comment', $1");
}

/* 4. Quoted identifiers, including "" escapes, are copied untouched. */
static void test_04_identifiers(void **state) {
    check("SELECT \"a?1\" FROM t WHERE x = ?1", "SELECT \"a?1\" FROM t WHERE x = $1");
    check("SELECT \"a\"\"?1\" , ?1", "SELECT \"a\"\"?1\" , $1");
    check("SELECT \"it's\", ?1", "SELECT \"it's\", $1");
}

/* 5. -- and block comments are copied untouched, quotes inside them included. */
static void test_05_comments(void **state) {
    check("SELECT ?1 -- is ?2 here\n, ?3", "SELECT $1 -- is ?2 here\n, $3");
    check("/* ?1 */ SELECT ?1 /* it's */ , ?2", "/* ?1 */ SELECT $1 /* it's */ , $2");
    check("SELECT ?1 -- trailing ?2", "SELECT $1 -- trailing ?2");
    check("SELECT ?1 /**/ , ?2", "SELECT $1 /**/ , $2");
    check("SELECT 1 - ?1", "SELECT 1 - $1");
}

/* 6. Unterminated literals and comments swallow the rest (copied as they are). */
static void test_06_unterminated(void **state) {
    check("SELECT 'abc ?1", "SELECT 'abc ?1");
    check("SELECT \"abc ?1", "SELECT \"abc ?1");
    check("SELECT /* ?1", "SELECT /* ?1");
    check("SELECT ?1 /* ?2 *", "SELECT $1 /* ?2 *");
}

/* 7. Text without placeholders comes back unchanged; the empty string too. */
static void test_07_unchanged(void **state) {
    check("", "");
    check("SELECT 1", "SELECT 1");
    check("CREATE TABLE t (id BIGSERIAL PRIMARY KEY)", "CREATE TABLE t (id BIGSERIAL PRIMARY KEY)");
}

/* 8. Many bare ? grow the text (buffer sizing: ? -> $100 is four bytes). */
static void test_08_many_bare(void **state) {
    char sql[400], want[1000];
    size_t n = 0, w = 0;
    for (int i = 1; i <= 120; i++) {
        n += (size_t)snprintf(sql + n, sizeof sql - n, "?,");
        w += (size_t)snprintf(want + w, sizeof want - w, "$%d,", i);
    }
    check(sql, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_numbered),  cmocka_unit_test(test_02_bare),
        cmocka_unit_test(test_03_literals),  cmocka_unit_test(test_04_identifiers),
        cmocka_unit_test(test_05_comments),  cmocka_unit_test(test_06_unterminated),
        cmocka_unit_test(test_07_unchanged), cmocka_unit_test(test_08_many_bare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
