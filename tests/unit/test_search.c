/*
** test_search.c — unit tests of the search index's text handling (src/model/search.c):
** normalisation (traditional -> simplified, full -> half width, case), the tokens of a row and
** the terms of a query, and the property the index rests on: every term of a query found in a
** text is met by the text's tokens.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "model/search.h"

static int setup(void **state) {
    *state = arena_new();
    return 0;
}
static int teardown(void **state) {
    arena_free(*state);
    return 0;
}

/* Pack a token from UTF-8 text of at most three code points. */
static int64_t tok(const char *s) {
    uint32_t cp[3];
    int n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < 3) {
        uint32_t c = *p++;
        if (c >= 0xE0) {
            c = ((c & 15u) << 12) | ((p[0] & 63u) << 6) | (p[1] & 63u);
            p += 2;
        }
        cp[n++] = c;
    }
    return search_pack(cp, n);
}

static bool has_token(const int64_t *t, int n, int64_t want) {
    for (int i = 0; i < n; i++)
        if (t[i] == want) return true;
    return false;
}

/* Does the text meet every term of the query (the index's candidate condition)? */
static bool candidate(Arena *a, const char *text, const char *query) {
    int64_t t[512];
    int nt = search_doc_tokens(search_normalise(a, text), t, 512);
    SearchTerm q[64];
    int nq = search_query_terms(search_normalise(a, query), q, 64);
    for (int i = 0; i < nq; i++) {
        bool met = false;
        for (int k = 0; k < nt && !met; k++)
            met = t[k] >= q[i].lo && t[k] <= q[i].hi;
        if (!met) return false;
    }
    return true;
}

/* 1. Normalisation: traditional to simplified, full-width digits and letters, ASCII case. */
static void test_01_normalise(void **state) {
    Arena *a = *state;
    assert_string_equal(search_normalise(a, "華為技術有限公司"), "华为技术有限公司");
    assert_string_equal(search_normalise(a, "電話：１３８００１３８０００"), "电话:13800138000");
    assert_string_equal(search_normalise(a, "ＡＢＣ Tech"), "abc tech");
    assert_string_equal(search_normalise(a, "a\tb\x1f"
                                            "c"),
                        "a b c"); /* controls (and the separator) -> space */
    assert_string_equal(search_normalise(a, ""), "");
}

/* 2. Tokens of a text: CJK unigrams and bigrams, letter/digit trigrams (shorter at a run's end),
   sorted and distinct. */
static void test_02_doc_tokens(void **state) {
    (void)state;
    int64_t t[64];
    int n = search_doc_tokens("华为技术", t, 64);
    assert_int_equal(n, 7);
    assert_true(has_token(t, n, tok("华")) && has_token(t, n, tok("为")) && has_token(t, n, tok("技")));
    assert_true(has_token(t, n, tok("华为")));
    assert_true(has_token(t, n, tok("为技")));
    assert_true(has_token(t, n, tok("技术")));
    assert_true(has_token(t, n, tok("术")));
    n = search_doc_tokens("ab12 x", t, 64);
    assert_int_equal(n, 5); /* ab1 b12 12 2 x */
    assert_true(has_token(t, n, tok("ab1")));
    assert_true(has_token(t, n, tok("b12")));
    assert_true(has_token(t, n, tok("12")));
    assert_true(has_token(t, n, tok("2")));
    assert_true(has_token(t, n, tok("x")));
    n = search_doc_tokens("上海ab上海", t, 64); /* a run ends where the class changes; duplicates once */
    assert_int_equal(n, 5);
    assert_true(has_token(t, n, tok("上")) && has_token(t, n, tok("上海")) && has_token(t, n, tok("海")) &&
                has_token(t, n, tok("ab")) && has_token(t, n, tok("b")));
    for (int i = 1; i < n; i++)
        assert_true(t[i - 1] < t[i]);
    assert_int_equal(search_doc_tokens("  -- ，。", t, 64), 0);
}

/* 3. Terms of a query: one or two CJK characters are one token, up to three letters/digits a
   prefix range, a longer run the AND of its k-grams; punctuation and spaces give no term. */
static void test_03_query_terms(void **state) {
    (void)state;
    SearchTerm q[16];
    assert_int_equal(search_query_terms("华", q, 16), 1);
    assert_true(q[0].lo == tok("华") && q[0].hi == q[0].lo);
    assert_int_equal(search_query_terms("华为", q, 16), 1);
    assert_true(q[0].lo == tok("华为") && q[0].hi == q[0].lo);
    assert_int_equal(search_query_terms("华为技", q, 16), 2);
    assert_true(q[0].lo == tok("华为") && q[1].lo == tok("为技") && q[1].hi == q[1].lo);
    assert_int_equal(search_query_terms("6234", q, 16), 2);
    assert_true(q[0].lo == tok("623") && q[1].lo == tok("234"));
    assert_int_equal(search_query_terms("cu", q, 16), 1);
    assert_true(q[0].lo == tok("cu") && tok("cu0") <= q[0].hi && tok("cv") > q[0].hi && tok("ct9") < q[0].lo);
    assert_int_equal(search_query_terms("a座", q, 16), 2);
    assert_int_equal(search_query_terms(" - ", q, 16), 0);
    assert_int_equal(search_query_terms("华为技术有限公司", q, 3), 3); /* at most max */
}

/* 4. The index never loses a row: every substring of a text is a candidate of the text
   (1 to 6 code points from every position), with traditional and full-width spellings. */
static void test_04_substrings_are_candidates(void **state) {
    Arena *a = *state;
    static const char *texts[] = {"深圳市华为技术有限公司",
                                  "北京市海淀区中关村大街27号A座1501室",
                                  "Tel 0755-2878 0808 / 138 0013 8000",
                                  "统一社会信用代码 91440300708461136T",
                                  "王小明 wang.xm@huawei.com",
                                  NULL};
    for (int i = 0; texts[i]; i++) {
        const char *norm = search_normalise(a, texts[i]);
        size_t n = strlen(norm);
        for (size_t s = 0; s < n; s++) {
            if (((unsigned char)norm[s] & 0xC0) == 0x80) continue; /* a code point's start only */
            size_t e = s;
            for (int len = 1; len <= 6 && e < n; len++) {
                e++;
                while (e < n && ((unsigned char)norm[e] & 0xC0) == 0x80)
                    e++;
                char *sub = arena_strndup(a, norm + s, e - s);
                if (!candidate(a, texts[i], sub)) fail_msg("\"%s\" not a candidate in \"%s\"", sub, texts[i]);
            }
        }
    }
    assert_true(candidate(a, "深圳市华为技术有限公司", "華為"));    /* traditional query */
    assert_true(candidate(a, "香港華潤集團", "华润"));              /* traditional text */
    assert_true(candidate(a, "电话 13800138000", "１３８００"));    /* full-width digits */
    assert_false(candidate(a, "深圳市华为技术有限公司", "华技"));   /* not a bigram of it */
    assert_false(candidate(a, "91440300708461136T", "4403007085")); /* 085 is not in it */
}

/* 5. Entity keys are stable and distinct for the names in use. */
static void test_05_entity_key(void **state) {
    (void)state;
    assert_true(search_entity_key("customers") > 0);
    assert_int_equal(search_entity_key("customers"), search_entity_key("customers"));
    assert_true(search_entity_key("customers") != search_entity_key("contacts"));
}

/* 6. An exact query (one run of up to two CJK characters or three letters/digits) needs no check of
   the row's line: a text meets its terms exactly when it contains it. */
static void test_06_exact_queries(void **state) {
    Arena *a = *state;
    assert_true(search_query_exact("华"));
    assert_true(search_query_exact("华为"));
    assert_true(search_query_exact("cu0"));
    assert_true(search_query_exact("12"));
    assert_false(search_query_exact("华为技")); /* bigrams AND-ed: 华为 … 为技 is not 华为技 */
    assert_false(search_query_exact("cu00"));
    assert_false(search_query_exact("a座")); /* two runs */
    assert_false(search_query_exact(" 华")); /* the space must be there too */
    assert_false(search_query_exact("-"));
    assert_false(search_query_exact(""));
    static const char *texts[] = {"深圳市华为技术有限公司 华润", "北京市海淀区中关村大街27号A座1501室",
                                  "Tel 0755-2878 0808 / 138 0013 8000", "王小明 wang.xm@huawei.com", NULL};
    static const char *probes[] = {"华技", "为华", "技",  "润", "a1",   "27a", "xm", "wan",
                                   "om",   "888",  "007", "北", "区中", "q",   NULL};
    int checked = 0;
    for (int i = 0; texts[i]; i++) {
        const char *norm = search_normalise(a, texts[i]);
        for (int k = 0; probes[k]; k++) {
            if (!search_query_exact(probes[k])) continue;
            bool contains = strstr(norm, probes[k]) != NULL;
            if (candidate(a, texts[i], probes[k]) != contains)
                fail_msg("\"%s\" in \"%s\": index %d, text %d", probes[k], texts[i], !contains, contains);
            checked++;
        }
    }
    assert_true(checked > 40);
}

/* 7. A row's visibility keys as FTS5 words: no text token holds them, no text prefix reaches them. */
static void test_07_key_words(void **state) {
    Arena *a = *state;
    assert_string_equal(search_key_words(a, 21, 7), "\xC3\x97o21 \xC3\x97u7");
    assert_string_equal(search_key_words(a, 0, 7), "\xC3\x97u7");
    assert_string_equal(search_key_words(a, 21, 0), "\xC3\x97o21");
    assert_string_equal(search_key_words(a, 0, 0), "");
    int64_t t[16];
    int n = search_doc_tokens(search_normalise(a, "\xC3\x97o21"), t, 16); /* × is no letter: "o21" "21" "1" */
    assert_int_equal(n, 3);
    assert_true(has_token(t, n, tok("o21")));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_normalise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_doc_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_query_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_substrings_are_candidates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_entity_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_exact_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_key_words, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
