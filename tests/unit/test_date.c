/*
** test_date.c — unit tests of src/core/date.c: strict date parsing (leap
** years), the civil/day conversions, SALESLOOP_NOW, zones and periods.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

#define SH 480 /* Asia/Shanghai, minutes east of UTC */

/* 1. Real dates parse, including 29 February in leap years and the year range ends. */
static void test_01_parse_ok(void **state) {
    int y, m, d;
    assert_int_equal(date_parse("2026-11-22", &y, &m, &d), 0);
    assert_int_equal(y, 2026);
    assert_int_equal(m, 11);
    assert_int_equal(d, 22);
    assert_int_equal(date_parse("2024-02-29", &y, &m, &d), 0); /* leap year */
    assert_int_equal(d, 29);
    assert_int_equal(date_parse("2000-02-29", NULL, NULL, NULL), 0); /* divisible by 400 */
    assert_int_equal(date_parse("2026-12-31", NULL, NULL, NULL), 0);
    assert_int_equal(date_parse("0001-01-01", NULL, NULL, NULL), 0);
    assert_int_equal(date_parse("9999-12-31", NULL, NULL, NULL), 0);
}

/* 2. Days that do not exist and malformed text are rejected; outputs stay untouched. */
static void test_02_parse_invalid(void **state) {
    const char *bad[] = {"2026-02-29", "1900-02-29", "2100-02-29",  "2026-02-30",  "2026-04-31",
                         "2026-06-31", "2026-13-01", "2026-00-10",  "2026-01-00",  "2026-01-32",
                         "2026-1-01",  "26-01-01",   "2026/01/01",  "2026-01-011", "2026-01-0a",
                         "0000-01-01", "",           " 2026-01-01", "+026-01-01",  "2026-01-01T00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int y = -1, m = -1, d = -1;
        if (date_parse(bad[i], &y, &m, &d) != -1)
            fail_msg("date_parse accepted \"%s\"", bad[i]);
        assert_int_equal(y, -1);
    }
    assert_int_equal(date_parse(NULL, NULL, NULL, NULL), -1);
}

/* 3. days_from_civil against known values, before and after 1970. */
static void test_03_days_from_civil(void **state) {
    assert_true(days_from_civil(1970, 1, 1) == 0);
    assert_true(days_from_civil(1969, 12, 31) == -1);
    assert_true(days_from_civil(2000, 3, 1) == 11017);
    assert_true(days_from_civil(2024, 2, 29) == 19782);
    assert_true(days_from_civil(2026, 1, 1) == 20454);
    assert_true(days_from_civil(1600, 1, 1) == -135140);
    assert_true(days_from_civil(1, 1, 1) == -719162);
    assert_true(days_from_civil(9999, 12, 31) == 2932896);
}

/* 4. civil_from_days inverts days_from_civil over a wide range, with consecutive days. */
static void test_04_civil_roundtrip(void **state) {
    int py, pm, pd;
    civil_from_days(-800001, &py, &pm, &pd);
    for (int64_t n = -800000; n <= 3000000; n++) {
        int y, m, d;
        civil_from_days(n, &y, &m, &d);
        assert_true(days_from_civil(y, m, d) == n);
        /* the next day is the day after: same month +1, or the 1st of the next month */
        if (!(d == pd + 1 && m == pm && y == py))
            assert_true(d == 1 && (m == pm + 1 || (m == 1 && pm == 12 && y == py + 1)));
        py = y, pm = m, pd = d;
    }
}

/* 5. now_epoch follows SALESLOOP_NOW (epoch or UTC date/time) and the clock otherwise. */
static void test_05_now_epoch(void **state) {
    setenv("SALESLOOP_NOW", "1767225600", 1);
    assert_true(now_epoch() == 1767225600);
    setenv("SALESLOOP_NOW", "2026-01-01", 1);
    assert_true(now_epoch() == 1767225600);
    setenv("SALESLOOP_NOW", "2026-01-01T08:30:15Z", 1);
    assert_true(now_epoch() == 1767225600 + 8 * 3600 + 30 * 60 + 15);
    setenv("SALESLOOP_NOW", "2026-01-01 08:30:15", 1);
    assert_true(now_epoch() == 1767225600 + 8 * 3600 + 30 * 60 + 15);
    setenv("SALESLOOP_NOW", "2026-02-30", 1); /* invalid: the real clock */
    int64_t t = now_epoch();
    assert_true(t >= (int64_t)time(NULL) - 5 && t <= (int64_t)time(NULL) + 5);
    unsetenv("SALESLOOP_NOW");
    t = now_epoch();
    assert_true(t >= (int64_t)time(NULL) - 5 && t <= (int64_t)time(NULL) + 5);
}

/* 6. Known zones give their offsets; unknown ones (and DST zones) give -1. */
static void test_06_tz(void **state) {
    int off = 12345;
    assert_int_equal(tz_offset_minutes("Asia/Shanghai", &off), 0);
    assert_int_equal(off, 480);
    const char *cn[] = {"Asia/Chongqing", "Asia/Taipei", "Asia/Hong_Kong", "Asia/Macau",
                        "Asia/Singapore"};
    for (size_t i = 0; i < sizeof cn / sizeof cn[0]; i++) {
        assert_int_equal(tz_offset_minutes(cn[i], &off), 0);
        assert_int_equal(off, 480);
    }
    assert_int_equal(tz_offset_minutes("Asia/Tokyo", &off), 0);
    assert_int_equal(off, 540);
    assert_int_equal(tz_offset_minutes("Asia/Seoul", &off), 0);
    assert_int_equal(off, 540);
    assert_int_equal(tz_offset_minutes("Asia/Kolkata", &off), 0);
    assert_int_equal(off, 330);
    assert_int_equal(tz_offset_minutes("UTC", &off), 0);
    assert_int_equal(off, 0);
    assert_int_equal(tz_offset_minutes("Etc/UTC", &off), 0);
    assert_int_equal(off, 0);
    off = 7;
    assert_int_equal(tz_offset_minutes("America/New_York", &off), -1);
    assert_int_equal(tz_offset_minutes("asia/shanghai", &off), -1);
    assert_int_equal(tz_offset_minutes("", &off), -1);
    assert_int_equal(tz_offset_minutes(NULL, &off), -1);
    assert_int_equal(off, 7);
}

/* 7. date_of_epoch gives the local date; epoch_of_date the local midnight. */
static void test_07_local_dates(void **state) {
    char out[11];
    date_of_epoch(0, 0, out);
    assert_string_equal(out, "1970-01-01");
    date_of_epoch(-1, 0, out);
    assert_string_equal(out, "1969-12-31");
    date_of_epoch(1767225600 - 1, 0, out);
    assert_string_equal(out, "2025-12-31");
    date_of_epoch(1767225600 - 8 * 3600, SH, out); /* midnight in Shanghai */
    assert_string_equal(out, "2026-01-01");
    date_of_epoch(1767225600 - 8 * 3600 - 1, SH, out);
    assert_string_equal(out, "2025-12-31");
    assert_true(epoch_of_date(2026, 1, 1, 0) == 1767225600);
    assert_true(epoch_of_date(2026, 1, 1, SH) == 1767225600 - 8 * 3600);
    assert_true(epoch_of_date(1969, 12, 31, 0) == -86400);
}

/* Check [start, end) of kind around t against local dates. */
static void check_period(const char *kind, int64_t t, int tz, int sy, int sm, int sd, int ey,
                         int em, int ed) {
    int64_t s = 0, e = 0;
    assert_int_equal(period_bounds(kind, t, tz, &s, &e), 0);
    assert_true(s == epoch_of_date(sy, sm, sd, tz));
    assert_true(e == epoch_of_date(ey, em, ed, tz));
    assert_true(s <= t && t < e);
}

/* 8. Periods of a Sunday morning in Shanghai: week runs Monday to Sunday. */
static void test_08_periods(void **state) {
    int64_t t = 1795312800; /* 2026-11-22 10:00 +08:00, a Sunday */
    check_period("day", t, SH, 2026, 11, 22, 2026, 11, 23);
    check_period("week", t, SH, 2026, 11, 16, 2026, 11, 23);
    check_period("month", t, SH, 2026, 11, 1, 2026, 12, 1);
    check_period("quarter", t, SH, 2026, 10, 1, 2027, 1, 1);
    check_period("year", t, SH, 2026, 1, 1, 2027, 1, 1);
}

/* 9. Period edges: local midnight starts the period; the zone decides the day. */
static void test_09_period_edges(void **state) {
    int64_t monday = epoch_of_date(2026, 11, 23, SH);
    check_period("week", monday, SH, 2026, 11, 23, 2026, 11, 30);
    check_period("week", monday - 1, SH, 2026, 11, 16, 2026, 11, 23);
    /* 2026-11-22 01:00 in Shanghai is still 11-21 in UTC */
    int64_t early = epoch_of_date(2026, 11, 22, SH) + 3600;
    check_period("day", early, SH, 2026, 11, 22, 2026, 11, 23);
    check_period("day", early, 0, 2026, 11, 21, 2026, 11, 22);
    check_period("month", epoch_of_date(2026, 12, 31, SH), SH, 2026, 12, 1, 2027, 1, 1);
    check_period("month", epoch_of_date(2024, 2, 29, SH), SH, 2024, 2, 1, 2024, 3, 1);
    check_period("quarter", epoch_of_date(2026, 3, 31, SH), SH, 2026, 1, 1, 2026, 4, 1);
    check_period("quarter", epoch_of_date(2026, 4, 1, SH), SH, 2026, 4, 1, 2026, 7, 1);
    check_period("week", 0, 0, 1969, 12, 29, 1970, 1, 5); /* 1970-01-01 was a Thursday */
}

/* 10. Unknown period kinds answer -1. */
static void test_10_period_unknown(void **state) {
    int64_t s = 1, e = 2;
    assert_int_equal(period_bounds("fortnight", 0, 0, &s, &e), -1);
    assert_int_equal(period_bounds("", 0, 0, &s, &e), -1);
    assert_int_equal(period_bounds("Week", 0, 0, &s, &e), -1);
    assert_int_equal(period_bounds(NULL, 0, 0, &s, &e), -1);
    assert_true(s == 1 && e == 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_parse_ok),        cmocka_unit_test(test_02_parse_invalid),
        cmocka_unit_test(test_03_days_from_civil), cmocka_unit_test(test_04_civil_roundtrip),
        cmocka_unit_test(test_05_now_epoch),       cmocka_unit_test(test_06_tz),
        cmocka_unit_test(test_07_local_dates),     cmocka_unit_test(test_08_periods),
        cmocka_unit_test(test_09_period_edges),    cmocka_unit_test(test_10_period_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
