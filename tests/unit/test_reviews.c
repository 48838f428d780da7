/*
** test_reviews.c — unit tests of src/flow/reviews.c, the pure part of reviews
** routed by the data: conditions on a record, the reviewer set a step asks
** for a record, concerns, and what changed between two rounds.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flow/flow.h"

/* A record from JSON text (the test owns it). */
static json_t *rec_of(const char *text) {
    json_error_t err;
    json_t *r = json_loads(text, 0, &err);
    if (!r) fail_msg("bad test JSON: %s", err.text);
    return r;
}

/* Does {field, op, value} hold for rec? */
static bool holds(const char *rec_text, const char *field, CondOp op, const char *value) {
    json_t *rec = rec_of(rec_text);
    Condition c = {field, op, value};
    bool ok = flow_cond_holds(&c, rec);
    json_decref(rec);
    return ok;
}

/* 1. Numbers (money in fen) against each comparison, at and around the bound. */
static void test_01_numbers(void **state) {
    const char *r = "{\"total\": 1000000}";
    assert_false(holds(r, "total", COND_GT, "1000000"));
    assert_true(holds(r, "total", COND_GTE, "1000000"));
    assert_true(holds(r, "total", COND_GT, "999999"));
    assert_false(holds(r, "total", COND_LT, "1000000"));
    assert_true(holds(r, "total", COND_LTE, "1000000"));
    assert_true(holds(r, "total", COND_EQ, "1000000"));
    assert_false(holds(r, "total", COND_NE, "1000000"));
    assert_true(holds("{\"discount_bp\": 501}", "discount_bp", COND_GT, "500")); /* discount > 5 % */
    assert_true(holds("{\"n\": -5}", "n", COND_LT, "0"));
    assert_false(holds(r, "total", COND_GT, "abc")); /* not a number: not comparable */
    assert_true(holds(r, "total", COND_NE, "abc"));
}

/* 2. Text and dates compare by bytes; in lists; booleans as true/false or 1/0. */
static void test_02_text_in_bool(void **state) {
    assert_true(holds("{\"d\": \"2026-03-01\"}", "d", COND_GTE, "2026-01-01"));
    assert_false(holds("{\"d\": \"2025-12-31\"}", "d", COND_GTE, "2026-01-01"));
    assert_true(holds("{\"kind\": \"special\"}", "kind", COND_EQ, "special"));
    assert_true(holds("{\"kind\": \"special\"}", "kind", COND_IN, "general special"));
    assert_false(holds("{\"kind\": \"spec\"}", "kind", COND_IN, "general special"));
    assert_true(holds("{\"n\": 3}", "n", COND_IN, "1 2 3"));
    assert_true(holds("{\"f\": true}", "f", COND_EQ, "true"));
    assert_true(holds("{\"f\": true}", "f", COND_EQ, "1"));
    assert_false(holds("{\"f\": false}", "f", COND_EQ, "true"));
}

/* 3. set, and missing or null fields: only ne holds for them. */
static void test_03_set_and_null(void **state) {
    assert_true(holds("{\"f\": true}", "f", COND_SET, NULL));
    assert_false(holds("{\"f\": false}", "f", COND_SET, NULL));
    assert_false(holds("{\"f\": 0}", "f", COND_SET, NULL));
    assert_true(holds("{\"f\": 7}", "f", COND_SET, NULL));
    assert_false(holds("{\"f\": \"\"}", "f", COND_SET, NULL));
    assert_true(holds("{\"f\": \"x\"}", "f", COND_SET, NULL));
    assert_false(holds("{\"lines\": []}", "lines", COND_SET, NULL));
    assert_true(holds("{\"lines\": [{}]}", "lines", COND_SET, NULL));
    assert_false(holds("{}", "f", COND_SET, NULL));
    assert_false(holds("{\"f\": null}", "f", COND_GT, "0"));
    assert_false(holds("{}", "f", COND_EQ, "0"));
    assert_false(holds("{}", "f", COND_IN, "0 1"));
    assert_true(holds("{}", "f", COND_NE, "0"));
}

/* 4. A condition list holds when every condition holds; NULL always holds. */
static void test_04_lists(void **state) {
    static const Condition both[] = {{"total", COND_GTE, "100"}, {"kind", COND_EQ, "special"}, {NULL}};
    json_t *a = rec_of("{\"total\": 100, \"kind\": \"special\"}");
    json_t *b = rec_of("{\"total\": 99, \"kind\": \"special\"}");
    assert_true(flow_conds_hold(both, a));
    assert_false(flow_conds_hold(both, b));
    assert_true(flow_conds_hold(NULL, b));
    json_decref(a);
    json_decref(b);
}

/* 5. Reviewer sets: the roles of a plain step, or the reviewers the record calls for. */
static void test_05_reviewer_sets(void **state) {
    static const Condition big[] = {{"total", COND_GT, "1000000"}, {NULL}};
    static const Condition legal[] = {{"needs_legal", COND_SET, NULL}, {NULL}};
    static const Condition tech[] = {{"needs_tech", COND_SET, NULL}, {NULL}};
    static const Reviewer deps[] = {
        {RB(LEGAL), legal, "terms"},
        {RB(TECH), tech, "spec lines"},
        {RB(FINANCE), NULL, NULL},
        {0},
    };
    static const ApprovalStep plain = {"mgr", RB(SALES_MANAGER), SCOPE_ANY,          0, "", "",
                                       "",    .when = big,       .concerns = "total"};
    static const ApprovalStep dept = {"dept", 0, SCOPE_ANY, 0, "", "", "", .reviewers = deps};
    json_t *r1 = rec_of("{\"total\": 2000000, \"needs_legal\": true, \"needs_tech\": false}");
    json_t *r2 = rec_of("{\"total\": 10, \"needs_legal\": false, \"needs_tech\": true}");
    assert_int_equal(flow_step_declared_roles(&plain), RB(SALES_MANAGER));
    assert_int_equal(flow_step_roles(&plain, r1), RB(SALES_MANAGER));
    assert_int_equal(flow_step_roles(&plain, r2), 0);
    assert_int_equal(flow_step_declared_roles(&dept), RB(LEGAL) | RB(TECH) | RB(FINANCE));
    assert_int_equal(flow_step_roles(&dept, r1), RB(LEGAL) | RB(FINANCE)); /* finance: always */
    assert_int_equal(flow_step_roles(&dept, r2), RB(TECH) | RB(FINANCE));
    assert_string_equal(flow_role_concerns(&dept, ROLE_TECH), "spec lines");
    assert_null(flow_role_concerns(&dept, ROLE_FINANCE));
    assert_null(flow_role_concerns(&dept, ROLE_GM)); /* not a reviewer */
    assert_string_equal(flow_role_concerns(&plain, ROLE_SALES_MANAGER), "total");
    json_decref(r1);
    json_decref(r2);
}

/* 6. Concerns: touched when a concerned name changed; no concern means always. */
static void test_06_concerns(void **state) {
    json_t *changed = rec_of("[\"spec\", \"total\"]");
    json_t *none = json_array();
    assert_true(flow_concern_touched("spec lines", changed));
    assert_false(flow_concern_touched("terms customer_id", changed));
    assert_true(flow_concern_touched(NULL, changed));
    assert_true(flow_concern_touched(NULL, none));
    assert_false(flow_concern_touched("spec", none));
    assert_false(flow_concern_touched("spe", changed)); /* whole words only */
    json_decref(changed);
    json_decref(none);
}

/* The entity flow_changed compares: two fields and one child collection. */
static const Field t_fields[] = {
    {"title", FT_TEXT, 0, 0, 0, NULL, NULL, NULL, "", "", ""},
    {"total", FT_MONEY, 0, 0, 0, NULL, NULL, NULL, "", "", ""},
    {NULL},
};
static const Field t_line_fields[] = {{"amount", FT_MONEY, 0, 0, 0, NULL, NULL, NULL, "", "", ""}, {NULL}};
static const Child t_children[] = {{"lines", "t_lines", "", "", "", t_line_fields, NULL, 0, 0}, {NULL}};
static const Entity t_entity = {.name = "t", .table = "t", .fields = t_fields, .children = t_children};

/* 7. What changed between two rounds: fields in declaration order, lines compared
   without their ids, system columns ignored. */
static void test_07_changed(void **state) {
    json_t *a = rec_of("{\"id\": 1, \"version\": 3, \"title\": \"A\", \"total\": 5,"
                       " \"lines\": [{\"id\": 10, \"idx\": 0, \"amount\": 5}]}");
    json_t *b = rec_of("{\"id\": 1, \"version\": 9, \"title\": \"A\", \"total\": 5,"
                       " \"lines\": [{\"id\": 11, \"idx\": 0, \"amount\": 5}]}");
    json_t *c = rec_of("{\"title\": \"B\", \"total\": null, \"lines\": [{\"amount\": 6}]}");
    json_t *sa = flow_snapshot(&t_entity, a), *sb = flow_snapshot(&t_entity, b), *sc = flow_snapshot(&t_entity, c);
    assert_null(json_object_get(sa, "version"));
    json_t *ab = flow_changed(&t_entity, sa, sb), *ac = flow_changed(&t_entity, sa, sc);
    assert_int_equal(json_array_size(ab), 0);
    char *s = json_dumps(ac, JSON_COMPACT);
    assert_string_equal(s, "[\"title\",\"total\",\"lines\"]");
    free(s);
    json_t *empty = rec_of("{}");
    json_t *ae = flow_changed(&t_entity, sa, empty); /* missing reads as null */
    assert_int_equal(json_array_size(ae), 3);
    json_decref(ae);
    json_decref(empty);
    json_decref(ab);
    json_decref(ac);
    json_decref(sa);
    json_decref(sb);
    json_decref(sc);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

/* 9. What a change touches: the changed names, then each line column that differs on some
   line ("lines.amount"), so a concern may name one column; an added line touches every column. */
static void test_09_touched(void **state) {
    (void)state;
    json_t *a = rec_of("{\"title\": \"A\", \"lines\": [{\"id\": 1, \"amount\": 5}]}");
    json_t *b = rec_of("{\"title\": \"A\", \"lines\": [{\"id\": 2, \"amount\": 6}]}");
    json_t *c = rec_of("{\"title\": \"B\", \"lines\": [{\"amount\": 5}, {\"amount\": 5}]}");
    json_t *sa = flow_snapshot(&t_entity, a), *sb = flow_snapshot(&t_entity, b), *sc = flow_snapshot(&t_entity, c);
    json_t *ab = flow_touched(&t_entity, sa, sb), *ac = flow_touched(&t_entity, sa, sc),
           *aa = flow_touched(&t_entity, sa, sa);
    char *s1 = json_dumps(ab, JSON_COMPACT), *s2 = json_dumps(ac, JSON_COMPACT);
    assert_string_equal(s1, "[\"lines\",\"lines.amount\"]");
    assert_string_equal(s2, "[\"title\",\"lines\",\"lines.amount\"]");
    assert_int_equal(json_array_size(aa), 0);
    assert_true(flow_concern_touched("lines.amount", ab));
    assert_false(flow_concern_touched("lines.quantity title", ab));
    free(s1);
    free(s2);
    json_t *all[] = {ab, ac, aa, sa, sb, sc, a, b, c};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        json_decref(all[i]);
}

/* 8. The declaration as data: operator names and the JSON the meta sends. */
static void test_08_declaration_json(void **state) {
    static const Condition big[] = {{"total", COND_GT, "1000000"}, {NULL}};
    static const Reviewer deps[] = {{RB(LEGAL), NULL, "terms"}, {0}};
    static const ApprovalStep steps[] = {
        {"mgr", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 24, "主管", "主管", "Manager", .when = big},
        {"dept", 0, SCOPE_ANY, 0, "部门", "部門", "Departments", .reviewers = deps, .flags = STEP_COLLECT_ALL},
        {NULL},
    };
    static const Approval ap = {steps, "approved", "rejected"};
    static const ApprovalStep plain_steps[] = {{"gm", RB(GM), SCOPE_ANY, 0, "", "", ""}, {NULL}};
    static const Approval plain = {plain_steps, "approved", "rejected"};
    assert_true(flow_approval_rereviews(&ap));     /* a reviewer declares a concern */
    assert_false(flow_approval_rereviews(&plain)); /* budgets-like: everyone signs again */
    assert_string_equal(flow_cond_op_name(COND_GTE), "gte");
    assert_string_equal(flow_cond_op_name(COND_SET), "set");
    json_t *j = flow_approval_json(&ap, "en", "submitted");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(
        s, "{\"approved_to\":\"approved\",\"rejected_to\":\"rejected\",\"state\":\"submitted\",\"steps\":["
           "{\"collect_all\":false,\"concerns\":null,\"due_hours\":24,\"label\":\"Manager\",\"name\":\"mgr\","
           "\"reviewers\":null,\"roles\":[\"sales_manager\"],\"scope\":\"owner_manager\","
           "\"when\":[{\"field\":\"total\",\"op\":\"gt\",\"value\":\"1000000\"}]},"
           "{\"collect_all\":true,\"concerns\":null,\"due_hours\":0,\"label\":\"Departments\",\"name\":\"dept\","
           "\"reviewers\":[{\"concerns\":[\"terms\"],\"role\":\"legal\",\"when\":[]}],\"roles\":[\"legal\"],"
           "\"scope\":\"any\",\"when\":[]}]}");
    free(s);
    json_decref(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_numbers),       cmocka_unit_test(test_02_text_in_bool),
        cmocka_unit_test(test_03_set_and_null),  cmocka_unit_test(test_04_lists),
        cmocka_unit_test(test_05_reviewer_sets), cmocka_unit_test(test_06_concerns),
        cmocka_unit_test(test_07_changed),       cmocka_unit_test(test_08_declaration_json),
        cmocka_unit_test(test_09_touched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
