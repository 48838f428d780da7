/*
** test_attach.c — unit tests of the pure parts of src/model/attach.c: display-name sanitising,
** the MIME allow-list, the type refinement for Office containers, the content path of a hash,
** SHA-256, the Content-Disposition header and the EXIF reader of photos.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/core.h"
#include "model/attach.h"

/* A fresh arena per test, freed by the teardown. */
static int setup(void **state) {
    *state = arena_new();
    return 0;
}

static int teardown(void **state) {
    arena_free(*state);
    return 0;
}

/* Sanitise through the test's arena. */
#define SAN(raw) attach_sanitize_name((Arena *)*state, (raw))

/* 1. Ordinary names, Chinese included, pass unchanged. */
static void test_01_name_plain(void **state) {
    assert_string_equal(SAN("report.pdf"), "report.pdf");
    assert_string_equal(SAN("合同扫描件.pdf"), "合同扫描件.pdf");
    assert_string_equal(SAN("報價單 (最終版).xlsx"), "報價單 (最終版).xlsx");
    assert_string_equal(SAN("a b  c.txt"), "a b  c.txt");
}

/* 2. Path components are dropped, whatever the separator (a browser's C:\fakepath\ too). */
static void test_02_name_paths(void **state) {
    assert_string_equal(SAN("../../etc/passwd"), "passwd");
    assert_string_equal(SAN("/tmp/x.png"), "x.png");
    assert_string_equal(SAN("C:\\fakepath\\发票.jpg"), "发票.jpg");
    assert_string_equal(SAN("dir/sub\\合同.docx"), "合同.docx");
    assert_null(SAN("dir/"));
    assert_null(SAN(".."));
    assert_null(SAN("a/.."));
}

/* 3. Controls, bidi overrides and Windows-reserved characters become '_'. */
static void test_03_name_unsafe_chars(void **state) {
    assert_string_equal(SAN("a\x01"
                            "b.pdf"),
                        "a_b.pdf");
    assert_string_equal(SAN("line\nbreak.txt"), "line_break.txt");
    assert_string_equal(SAN("tab\there.txt"), "tab_here.txt");
    assert_string_equal(SAN("del\x7f.txt"), "del_.txt");
    assert_string_equal(SAN("c1\xC2\x85.txt"), "c1_.txt");                     /* U+0085 NEL */
    assert_string_equal(SAN("invoice\xE2\x80\xAEgpj.exe"), "invoice_gpj.exe"); /* U+202E RLO */
    assert_string_equal(SAN("a\"b*c:d<e>f?g|h.txt"), "a_b_c_d_e_f_g_h.txt");
}

/* 4. Leading/trailing dots and spaces go; empty, missing and invalid UTF-8 give NULL. */
static void test_04_name_trim_and_invalid(void **state) {
    assert_string_equal(SAN("  name.pdf  "), "name.pdf");
    assert_string_equal(SAN(".hidden"), "hidden");
    assert_string_equal(SAN("name.pdf..."), "name.pdf");
    assert_null(SAN(""));
    assert_null(SAN("   "));
    assert_null(SAN("..."));
    assert_null(SAN(NULL));
    assert_null(SAN("bad\xC0\x80.pdf"));
    assert_null(SAN("\xE5\x90"));
}

/* 5. Long names are cut to ATTACH_NAME_MAX characters, keeping the extension. */
static void test_05_name_long(void **state) {
    Arena *a = *state;
    Buf b;
    buf_init(&b, a);
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "长");
    buf_puts(&b, ".pdf");
    char *s = SAN(b.p);
    assert_non_null(s);
    assert_int_equal(utf8_len(s, strlen(s)), ATTACH_NAME_MAX);
    assert_string_equal(s + strlen(s) - 4, ".pdf");
    assert_true(utf8_valid(s, strlen(s)));
    /* no usable extension: a plain cut on a character boundary */
    buf_init(&b, a);
    for (int i = 0; i < 250; i++)
        buf_puts(&b, "x");
    s = SAN(b.p);
    assert_int_equal(strlen(s), ATTACH_NAME_MAX);
}

/* The default allow-list of the setting attach.types (attach.c). */
static const char zList[] = "image/png,image/jpeg,image/gif,image/webp,application/pdf,"
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                            "application/msword,text/plain,text/csv,application/zip";

/* 6. Exact entries match exactly, case-insensitively, parameters ignored. */
static void test_06_types_exact(void **state) {
    assert_true(attach_type_allowed(zList, "application/pdf"));
    assert_true(attach_type_allowed(zList, "IMAGE/PNG"));
    assert_true(attach_type_allowed(zList, "text/plain; charset=utf-8"));
    assert_true(attach_type_allowed(zList, "application/zip"));
    assert_false(attach_type_allowed(zList, "application/pd"));
    assert_false(attach_type_allowed(zList, "application/pdfx"));
    assert_false(attach_type_allowed(zList, "image/svg+xml"));
    assert_false(attach_type_allowed(zList, "text/html"));
    assert_false(attach_type_allowed(zList, "application/x-executable"));
    assert_false(attach_type_allowed(zList, "application/x-pie-executable"));
    assert_false(attach_type_allowed(zList, ""));
    assert_false(attach_type_allowed(zList, NULL));
    assert_false(attach_type_allowed(NULL, "application/pdf"));
    assert_false(attach_type_allowed("", "application/pdf"));
}

/* 7. Prefix entries ("image/", "image/" "*") and any separators. */
static void test_07_types_prefix(void **state) {
    assert_true(attach_type_allowed("image/", "image/tiff"));
    assert_true(attach_type_allowed("image/*", "image/tiff"));
    assert_true(attach_type_allowed(" text/ ,\napplication/pdf", "text/markdown"));
    assert_true(attach_type_allowed(" text/ ,\napplication/pdf", "application/pdf"));
    assert_false(attach_type_allowed("image/", "image/"));
    assert_false(attach_type_allowed("image/*", "imagex/png"));
    assert_false(attach_type_allowed("image/", "application/pdf"));
}

/* 8. Office containers get the type their name says; other types are left alone. */
static void test_08_refine(void **state) {
    assert_string_equal(attach_refine_type("application/zip", "合同.DOCX"),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(attach_refine_type("application/zip", "a.xlsx"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(attach_refine_type("application/zip", "a.pptx"),
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    assert_string_equal(attach_refine_type("application/zip", "a.zip"), "application/zip");
    assert_string_equal(attach_refine_type("application/CDFV2", "old.doc"), "application/msword");
    assert_string_equal(attach_refine_type("application/x-ole-storage", "old.xls"), "application/vnd.ms-excel");
    assert_string_equal(attach_refine_type("application/CDFV2", "old.msi"), "application/CDFV2");
    assert_string_equal(attach_refine_type("text/plain", "data.csv"), "text/csv");
    assert_string_equal(attach_refine_type("text/plain", "notes.txt"), "text/plain");
    /* the name never turns a refused type into an allowed one */
    assert_string_equal(attach_refine_type("application/x-pie-executable", "x.pdf"), "application/x-pie-executable");
    assert_string_equal(attach_refine_type("application/pdf", NULL), "application/pdf");
    assert_null(attach_refine_type(NULL, "a.pdf"));
}

/* 9. The content path: root/ab/cd/<hash><suffix>, only for a real lower-case hex hash. */
static void test_09_content_path(void **state) {
    Arena *a = *state;
    const char *h = "ff47a4cda232116b022d88eca9f729e1fb3fbdc6eedb03b8850cb7ffd0903529";
    assert_string_equal(attach_content_path(a, "/srv/data/files", h, NULL),
                        "/srv/data/files/ff/47/ff47a4cda232116b022d88eca9f729e1fb3fbdc6eedb03b8850cb7ffd0903529");
    assert_string_equal(attach_content_path(a, "d/thumbs", h, ".png"),
                        "d/thumbs/ff/47/ff47a4cda232116b022d88eca9f729e1fb3fbdc6eedb03b8850cb7ffd0903529.png");
    assert_null(attach_content_path(a, "d", "../../../../etc/passwd", NULL));
    assert_null(attach_content_path(a, "d", "FF47A4CDA232116B022D88ECA9F729E1FB3FBDC6EEDB03B8850CB7FFD0903529", NULL));
    assert_null(attach_content_path(a, "d", "ff47", NULL));
    assert_null(attach_content_path(a, "d", "ff47a4cda232116b022d88eca9f729e1fb3fbdc6eedb03b8850cb7ffd090352/", NULL));
    assert_null(attach_content_path(a, "d", NULL, NULL));
}

/* 10. SHA-256 of known inputs (FIPS 180-2 "abc", and the empty string). */
static void test_10_sha256(void **state) {
    Arena *a = *state;
    assert_string_equal(attach_sha256_hex(a, "abc", 3),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(attach_sha256_hex(a, "", 0),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* 11. Content-Disposition: an ASCII fallback and the RFC 5987 UTF-8 name. */
static void test_11_disposition(void **state) {
    Arena *a = *state;
    assert_string_equal(attach_disposition(a, "report.pdf"),
                        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    assert_string_equal(attach_disposition(a, "合同.pdf"),
                        "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf");
    assert_string_equal(attach_disposition(a, "a \"b\";c.txt"),
                        "attachment; filename=\"a _b_;c.txt\"; filename*=UTF-8''a%20%22b%22%3Bc.txt");
}

/* Big-endian helpers for a hand-built EXIF block. */
static void be16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}
static void be32(unsigned char *p, uint32_t v) {
    be16(p, v >> 16);
    be16(p + 2, v & 0xFFFF);
}
static void be_entry(unsigned char *p, unsigned tag, unsigned type, uint32_t count, uint32_t value) {
    be16(p, tag);
    be16(p + 2, type);
    be32(p + 4, count);
    be32(p + 8, value);
}

/* A JPEG start with one APP1 "Exif" block holding a big-endian ("MM") TIFF: IFD0 with DateTime
   (0x0132, no Exif IFD) and a GPS IFD at 30°0'0"S 0°30'0"W; returns its length. */
static size_t exif_be_jpeg(unsigned char *b) {
    memset(b, 0, 256);
    unsigned char *t = b + 2 + 4 + 6;
    b[0] = 0xFF, b[1] = 0xD8, b[2] = 0xFF, b[3] = 0xE1;
    memcpy(b + 6, "Exif\0\0", 6);
    memcpy(t, "MM", 2);
    be16(t + 2, 42);
    be32(t + 4, 8);
    be16(t + 8, 2); /* IFD0: DateTime at 38, GPS IFD at 58 */
    be_entry(t + 10, 0x0132, 2, 20, 38);
    be_entry(t + 22, 0x8825, 4, 1, 58);
    memcpy(t + 38, "2026:02:03 04:05:06", 20);
    be16(t + 58, 4); /* GPS IFD: refs inline, rationals at 112 and 136 */
    be_entry(t + 60, 1, 2, 2, 0);
    t[68] = 'S';
    be_entry(t + 72, 2, 5, 3, 112);
    be_entry(t + 84, 3, 2, 2, 0);
    t[92] = 'W';
    be_entry(t + 96, 4, 5, 3, 136);
    uint32_t r[12] = {30, 1, 0, 1, 0, 1, 0, 1, 30, 1, 0, 1};
    for (int i = 0; i < 12; i++)
        be32(t + 112 + 4 * i, r[i]);
    size_t tiff = 160;
    be16(b + 4, (unsigned)(2 + 6 + tiff));
    return 2 + 4 + 6 + tiff;
}

static void test_12_exif(void **state) {
    (void)state;
    unsigned char b[256];
    size_t n = exif_be_jpeg(b);
    AttachExif x;
    assert_int_equal(attach_exif_read(b, n, &x), 0);
    assert_true(x.has_time);
    assert_int_equal(x.year * 10000 + x.month * 100 + x.day, 20260203);
    assert_int_equal(x.hour * 10000 + x.minute * 100 + x.second, 40506);
    assert_true(x.has_gps);
    assert_int_equal(x.lat_e6, -30000000);
    assert_int_equal(x.lng_e6, -500000);
    /* every cut of the block is read safely: what no longer fits is simply absent */
    for (size_t cut = 0; cut < n; cut++) {
        int rc = attach_exif_read(b, cut, &x);
        assert_true(rc == 0 || rc == -1);
        if (rc == -1) assert_false(x.has_time || x.has_gps);
    }
    /* a latitude beyond 90 degrees, a zero denominator, no JPEG at all */
    be32(b + 12 + 112, 91);
    assert_int_equal(attach_exif_read(b, n, &x), 0);
    assert_false(x.has_gps);
    be32(b + 12 + 112, 30);
    be32(b + 12 + 112 + 4, 0);
    assert_int_equal(attach_exif_read(b, n, &x), 0);
    assert_false(x.has_gps);
    assert_int_equal(attach_exif_read((const unsigned char *)"GIF89a", 6, &x), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_name_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_name_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_name_unsafe_chars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_name_trim_and_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_name_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_types_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_types_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_08_refine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_09_content_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_10_sha256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_11_disposition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_12_exif, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
