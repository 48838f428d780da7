/*
** test_router.c — route matching: literal segments beat parameters, 404 vs
** 405, parameters extracted, malformed paths refused.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static int h(Req *r, Err *e) { return 0; }

static const Route table[] = {
    {"GET", "/api/v1/meta", h, 0, 0, "meta"},
    {"GET", "/api/v1/:entity", h, 0, 0, "list"},
    {"POST", "/api/v1/:entity", h, 0, 0, "create"},
    {"GET", "/api/v1/:entity/:id", h, 0, 0, "get"},
    {"GET", "/api/v1/:entity/export.csv", h, 0, 0, "csv"},
    {"POST", "/api/v1/:entity/:id/actions/:action", h, 0, 0, "action"},
    {"GET", "/api/v1/my/work", h, 0, 0, "work"},
    {"GET", "/healthz", h, 0, 0, "health"},
    {"GET", "/api/v1/:entity/:id", h, 0, 0, "get, added again"},
    {"GET", "/api/v1/:a/:b/:c/:d/:e", h, 0, 0, "five parameters"},
    {"GET", "/", h, 0, 0, "root"},
};

static int setup(void **state) {
    static int done;
    if (!done) routes_add(table, (int)(sizeof table / sizeof table[0]));
    done = 1;
    return 0;
}

/* 1. A literal route wins over a parameter route of the same length. */
static void test_01_literal_wins(void **state) {
    const char *p[4];
    int n, st;
    const Route *rt = routes_match("GET", "/api/v1/meta", p, &n, &st);
    assert_non_null(rt);
    assert_string_equal(rt->summary, "meta");
    assert_int_equal(n, 0);
    rt = routes_match("GET", "/api/v1/my/work", p, &n, &st);
    assert_string_equal(rt->summary, "work");
    rt = routes_match("GET", "/api/v1/products/export.csv", p, &n, &st);
    assert_string_equal(rt->summary, "csv");
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "products");
}

/* 2. Parameters come out in pattern order. */
static void test_02_params(void **state) {
    const char *p[4];
    int n, st;
    const Route *rt = routes_match("POST", "/api/v1/budgets/42/actions/submit", p, &n, &st);
    assert_non_null(rt);
    assert_string_equal(rt->summary, "action");
    assert_int_equal(n, 3);
    assert_string_equal(p[0], "budgets");
    assert_string_equal(p[1], "42");
    assert_string_equal(p[2], "submit");
}

/* 3. A known path with another method is 405; an unknown path is 404. */
static void test_03_404_405(void **state) {
    const char *p[4];
    int n, st;
    assert_null(routes_match("DELETE", "/healthz", p, &n, &st));
    assert_int_equal(st, 405);
    assert_null(routes_match("GET", "/nope", p, &n, &st));
    assert_int_equal(st, 404);
    assert_null(routes_match("GET", "/api/v1/a/b/c/d/e", p, &n, &st));
    assert_int_equal(st, 404);
}

/* 4. Empty segments, trailing slashes and over-long paths match nothing. */
static void test_04_malformed(void **state) {
    const char *p[4];
    int n, st;
    assert_null(routes_match("GET", "/api/v1/", p, &n, &st));
    assert_null(routes_match("GET", "/api//v1/meta", p, &n, &st));
    assert_null(routes_match("GET", "api/v1/meta", p, &n, &st));
    char big[4000];
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[sizeof big - 1] = 0;
    assert_null(routes_match("GET", big, p, &n, &st));
    assert_int_equal(st, 404);
}

/* 5. route_index finds registered routes and refuses others. */
static void test_05_index(void **state) {
    int n;
    const Route *all = routes_all(&n);
    assert_true(n >= 8);
    assert_int_equal(route_index(&all[3]), 3);
    assert_int_equal(route_index(NULL), -1);
    assert_int_equal(route_index(&table[0]), -1);
}

/* 6. Of two patterns equally literal the first added wins; a pattern of more than four
   parameters is refused when added (it would overflow params) and matches nothing; "/" is a
   pattern of no segment. */
static void test_06_shapes(void **state) {
    const char *p[4];
    int n, st;
    const Route *rt = routes_match("GET", "/api/v1/customers/7", p, &n, &st);
    assert_non_null(rt);
    assert_string_equal(rt->summary, "get");
    assert_int_equal(n, 2);
    assert_string_equal(p[1], "7");
    assert_null(routes_match("GET", "/api/v1/a/b/c/d/e", p, &n, &st));
    assert_int_equal(st, 404);
    rt = routes_match("GET", "/", p, &n, &st);
    assert_non_null(rt);
    assert_string_equal(rt->summary, "root");
    assert_int_equal(n, 0);
    int all;
    routes_all(&all);
    assert_int_equal(all, (int)(sizeof table / sizeof table[0]) - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_01_literal_wins, setup), cmocka_unit_test_setup(test_02_params, setup),
        cmocka_unit_test_setup(test_03_404_405, setup),      cmocka_unit_test_setup(test_04_malformed, setup),
        cmocka_unit_test_setup(test_05_index, setup),        cmocka_unit_test_setup(test_06_shapes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
