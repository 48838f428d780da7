/*
** test_print.c — unit tests of the pure helpers of src/model/print.c (money,
** quantities, percentages, 大写 per language, the download's file name) and of
** src/model/pdf.c: page counts, rows that never split, and two threads drawing
** at once.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "model/pdf.h"
#include "model/print.h"

/* 1. Money as documents print it: yuan sign, thousands, two decimals, sign first. */
static void test_01_money(void **state) {
    Arena *a = arena_new();
    assert_string_equal(print_money(a, 0), "\xC2\xA5"
                                           "0.00");
    assert_string_equal(print_money(a, 6635), "¥66.35");
    assert_string_equal(print_money(a, 123456), "¥1,234.56");
    assert_string_equal(print_money(a, 100000000), "¥1,000,000.00");
    assert_string_equal(print_money(a, -5), "-¥0.05");
    assert_string_equal(print_money(a, INT64_MIN), "-¥92,233,720,368,547,758.08");
    arena_free(a);
}

/* 2. Quantities in thousandths: up to three decimals, trailing zeros dropped. */
static void test_02_qty(void **state) {
    Arena *a = arena_new();
    assert_string_equal(print_qty(a, 0), "0");
    assert_string_equal(print_qty(a, 2500), "2.5");
    assert_string_equal(print_qty(a, 3000), "3");
    assert_string_equal(print_qty(a, 125), "0.125");
    assert_string_equal(print_qty(a, 1234500), "1,234.5");
    assert_string_equal(print_qty(a, 1001), "1.001");
    assert_string_equal(print_qty(a, -2010), "-2.01");
    arena_free(a);
}

/* 3. Basis points as percentages. */
static void test_03_percent(void **state) {
    Arena *a = arena_new();
    assert_string_equal(print_percent(a, 1300), "13%");
    assert_string_equal(print_percent(a, 1250), "12.5%");
    assert_string_equal(print_percent(a, 25), "0.25%");
    assert_string_equal(print_percent(a, 0), "0%");
    assert_string_equal(print_percent(a, 10000), "100%");
    assert_string_equal(print_percent(a, -1234), "-12.34%");
    arena_free(a);
}

/* 4. 大写: money_upper's text, with the traditional capitals in zh-TW only. */
static void test_04_upper(void **state) {
    Arena *a = arena_new();
    assert_string_equal(print_upper(a, 6635, "zh-CN"), "陆拾陆元叁角伍分");
    assert_string_equal(print_upper(a, 6635, "en"), "陆拾陆元叁角伍分");
    assert_string_equal(print_upper(a, 6635, "zh-TW"), "陸拾陸元參角伍分");
    assert_string_equal(print_upper(a, -2840548, "zh-TW"), "負貳萬捌仟肆佰零伍元肆角捌分");
    assert_string_equal(print_upper(a, 10000000000, "zh-TW"), "壹億元整");
    assert_string_equal(print_upper(a, 0, NULL), "零元整");
    arena_free(a);
}

/* 5. The download's name: exact in filename*, ASCII-safe in filename. */
static void test_05_disposition(void **state) {
    Arena *a = arena_new();
    assert_string_equal(print_disposition(a, "TD-2026-000001"),
                        "attachment; filename=\"TD-2026-000001.pdf\"; filename*=UTF-8''TD-2026-000001.pdf");
    assert_string_equal(print_disposition(a, "报价 1\""),
                        "attachment; filename=\"_______1_.pdf\"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%201%22.pdf");
    arena_free(a);
}

/* A document with n lines (arena strings). */
static PdfDoc sample(Arena *a, int n) {
    static const PdfColumn cols[] = {{"序号", 5, true}, {"品名", 40, false}, {"数量", 10, true}, {"金额", 15, true}};
    static const PdfPair header[] = {
        {"单号", "TD-2026-000001"}, {"客户", "苏州新材料科技股份有限公司"}, {"日期", "2026-05-01"}};
    static const PdfPair totals[] = {{"价税合计", "¥66.35"}};
    static const PdfPair upper = {"价税合计（大写）", "陆拾陆元叁角伍分"};
    const char **cells = arena_alloc(a, (size_t)(n * 4 + 1) * sizeof *cells);
    for (int i = 0; i < n; i++) {
        cells[i * 4] = arena_printf(a, "%d", i + 1);
        cells[i * 4 + 1] = i % 5 == 2
                               ? "进口高精度数控机床主轴轴承组件（含安装调试、培训及一年质保服务），需按客户图纸加工"
                               : "不锈钢板 304";
        cells[i * 4 + 2] = "2.5";
        cells[i * 4 + 3] = "¥49.98";
    }
    return (PdfDoc){.locale = "zh-CN",
                    .company = "上海恒远机电设备有限公司",
                    .title = "测试单据",
                    .subtitle = "TD-2026-000001",
                    .header = header,
                    .nheader = 3,
                    .cols = cols,
                    .ncols = 4,
                    .cells = cells,
                    .nrows = n,
                    .totals = totals,
                    .ntotals = 1,
                    .emphasis = &upper,
                    .footer = "销售代表：＿＿＿＿  客户签字：＿＿＿＿",
                    .page_fmt = "第 %d 页 / 共 %d 页",
                    .meta_title = "测试单据"};
}

/* 6. One line fits one page; fifty (some wrapping to several lines) need more. */
static void test_06_pages(void **state) {
    Arena *a = arena_new();
    PdfDoc d1 = sample(a, 1), d50 = sample(a, 50);
    char *out;
    size_t len;
    int pages = 0;
    assert_int_equal(pdf_render(a, &d1, &out, &len, &pages), 0);
    assert_int_equal(pages, 1);
    assert_true(len > 1000 && memcmp(out, "%PDF-", 5) == 0);
    assert_int_equal(pdf_render(a, &d50, &out, &len, &pages), 0);
    assert_true(pages >= 2);
    arena_free(a);
}

/* One rendering on a thread: the page count of a 50-line document, or -1. */
static void *render_thread(void *arg) {
    Arena *a = arena_new();
    PdfDoc d = sample(a, 50);
    char *out;
    size_t len;
    int *pages = arg;
    if (pdf_render(a, &d, &out, &len, pages) < 0) *pages = -1;
    arena_free(a);
    return NULL;
}

/* 7. Two threads draw at once (each with its own font map) and agree with one alone. */
static void test_07_threads(void **state) {
    int alone = 0, p[2] = {0, 0};
    render_thread(&alone);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_thread, &p[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_true(alone >= 2);
    assert_int_equal(p[0], alone);
    assert_int_equal(p[1], alone);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_money),   cmocka_unit_test(test_02_qty),         cmocka_unit_test(test_03_percent),
        cmocka_unit_test(test_04_upper),   cmocka_unit_test(test_05_disposition), cmocka_unit_test(test_06_pages),
        cmocka_unit_test(test_07_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
