/*
** test_calendar.c — unit tests of src/core/workcal.c: working days and working
** time on a calendar given in memory — weekends, China's National Day week of
** 2026 as holidays, make-up workdays (调休) on a Sunday and a Saturday, working
** hours 09:00–18:00, and the zone that decides which day an instant falls on.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/core.h"

#define SH 480 /* Asia/Shanghai, minutes east of UTC */

/* Day number of a YYYY-MM-DD literal. */
static int64_t D(const char *s) {
    int y, m, d;
    assert_int_equal(date_parse(s, &y, &m, &d), 0);
    return days_from_civil(y, m, d);
}

/* Epoch of local time hh:mm on date s in zone tz. */
static int64_t T(const char *s, int hh, int mm, int tz) {
    int y, m, d;
    assert_int_equal(date_parse(s, &y, &m, &d), 0);
    return epoch_of_date(y, m, d, tz) + hh * 3600 + mm * 60;
}

/* The National Day calendar of the tests: 10-01..10-07 off, 09-27 (Sun) and 10-10 (Sat) worked. */
static CalException ex[9];

/* A Monday-to-Friday, 09:00-18:00 calendar in zone tz with the holiday list above. */
static Calendar national_day(int tz) {
    const char *off[] = {"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
                         "2026-10-05", "2026-10-06", "2026-10-07"};
    ex[0] = (CalException){D("2026-09-27"), true};
    for (int i = 0; i < 7; i++)
        ex[i + 1] = (CalException){D(off[i]), false};
    ex[8] = (CalException){D("2026-10-10"), true};
    return (Calendar){tz, 0x1Fu, 9 * 60, 18 * 60, ex, 9};
}

/* 1. Working days: a weekday, a weekend day, a holiday on a weekday, make-up weekend days. */
static void test_01_is_working_day(void **state) {
    Calendar c = national_day(SH);
    assert_true(cal_is_working_day(&c, D("2026-09-30")));  /* Wednesday */
    assert_false(cal_is_working_day(&c, D("2026-09-26"))); /* Saturday */
    assert_false(cal_is_working_day(&c, D("2026-10-01"))); /* Thursday, 国庆节 */
    assert_false(cal_is_working_day(&c, D("2026-10-03"))); /* Saturday inside the holiday */
    assert_true(cal_is_working_day(&c, D("2026-09-27")));  /* Sunday, 调休上班 */
    assert_true(cal_is_working_day(&c, D("2026-10-10")));  /* Saturday, 调休上班 */
    assert_false(cal_is_working_day(&c, D("2026-10-11"))); /* Sunday */
    assert_true(cal_is_working_day(&c, D("2026-10-12")));  /* Monday */
}

/* 2. Adding working days across the holiday week, the make-up Saturday and a weekend. */
static void test_02_add_working_days(void **state) {
    Calendar c = national_day(SH);
    assert_int_equal(cal_add_working_days(&c, D("2026-09-30"), 1), D("2026-10-08"));
    assert_int_equal(cal_add_working_days(&c, D("2026-09-30"), 3), D("2026-10-10")); /* Thu, Fri, make-up Sat */
    assert_int_equal(cal_add_working_days(&c, D("2026-09-30"), 4), D("2026-10-12")); /* Sunday skipped */
    assert_int_equal(cal_add_working_days(&c, D("2026-09-25"), 1), D("2026-09-27")); /* the make-up Sunday */
    assert_int_equal(cal_add_working_days(&c, D("2026-10-08"), -1), D("2026-09-30"));
    assert_int_equal(cal_add_working_days(&c, D("2026-10-12"), -2), D("2026-10-09"));
}

/* 3. Zero days: the day itself when it works, else the next working day. */
static void test_03_add_zero(void **state) {
    Calendar c = national_day(SH);
    assert_int_equal(cal_add_working_days(&c, D("2026-09-30"), 0), D("2026-09-30"));
    assert_int_equal(cal_add_working_days(&c, D("2026-10-02"), 0), D("2026-10-08"));
}

/* 4. Working seconds between two instants count only working hours of working days. */
static void test_04_working_seconds_between(void **state) {
    Calendar c = national_day(SH);
    /* Wed 17:00 -> Thu 10-08 10:00: one hour before the holiday, one after it */
    assert_int_equal(cal_working_seconds_between(&c, T("2026-09-30", 17, 0, SH), T("2026-10-08", 10, 0, SH)), 7200);
    /* a whole working day, and a night */
    assert_int_equal(cal_working_seconds_between(&c, T("2026-10-09", 0, 0, SH), T("2026-10-10", 0, 0, SH)), 9 * 3600);
    assert_int_equal(cal_working_seconds_between(&c, T("2026-10-09", 18, 0, SH), T("2026-10-10", 9, 0, SH)), 0);
    /* reversed: negative */
    assert_int_equal(cal_working_seconds_between(&c, T("2026-10-08", 10, 0, SH), T("2026-09-30", 17, 0, SH)), -7200);
}

/* 5. Adding working time: two working days from Wednesday 17:00 end on Friday 10-09 17:00. */
static void test_05_add_working_seconds(void **state) {
    Calendar c = national_day(SH);
    assert_int_equal(cal_add_working_seconds(&c, T("2026-09-30", 17, 0, SH), 2 * 9 * 3600), T("2026-10-09", 17, 0, SH));
    /* from inside a holiday: the clock starts at the next working morning */
    assert_int_equal(cal_add_working_seconds(&c, T("2026-10-03", 10, 0, SH), 3600), T("2026-10-08", 10, 0, SH));
    /* exactly the rest of a day ends at 18:00, not the next morning */
    assert_int_equal(cal_add_working_seconds(&c, T("2026-10-09", 9, 0, SH), 9 * 3600), T("2026-10-09", 18, 0, SH));
    /* zero: the instant itself, even outside working hours */
    assert_int_equal(cal_add_working_seconds(&c, T("2026-10-03", 22, 0, SH), 0), T("2026-10-03", 22, 0, SH));
    /* Friday 17:00 + 3 h: one hour Friday, two on the make-up Saturday */
    assert_int_equal(cal_add_working_seconds(&c, T("2026-10-09", 17, 0, SH), 3 * 3600), T("2026-10-10", 11, 0, SH));
}

/* 6. The zone decides the day: 2026-12-31T17:00Z is Friday 2027-01-01 01:00 in Shanghai, Thursday noon in UTC-5. */
static void test_06_zone(void **state) {
    int64_t t = days_from_civil(2026, 12, 31) * 86400 + 17 * 3600;
    Calendar sh = national_day(SH), ny = national_day(-300);
    assert_int_equal(cal_day_of(&sh, t), D("2027-01-01"));
    assert_int_equal(cal_day_of(&ny, t), D("2026-12-31"));
    assert_int_equal(cal_day_start(&sh, D("2027-01-01")), days_from_civil(2026, 12, 31) * 86400 + 16 * 3600);
    /* working time from t to 18:00 of its local day: 12:00 -> 18:00 in UTC-5 (6 h); 01:00 -> 18:00 in Shanghai,
       of which 09:00 -> 18:00 is working time (9 h) */
    assert_int_equal(cal_working_seconds_between(&ny, t, T("2026-12-31", 18, 0, -300)), 6 * 3600);
    assert_int_equal(cal_working_seconds_between(&sh, t, T("2027-01-01", 18, 0, SH)), 9 * 3600);
}

/* 7. A calendar with no working day at all ends the scans at their bound instead of looping. */
static void test_07_no_working_day(void **state) {
    Calendar none = {SH, 0, 9 * 60, 18 * 60, NULL, 0};
    assert_false(cal_is_working_day(&none, D("2026-10-12")));
    assert_int_equal(cal_add_working_days(&none, D("2026-10-12"), 1), D("2026-10-12") + 36500);
    assert_int_equal(cal_working_seconds_between(&none, T("2026-10-12", 0, 0, SH), T("2026-10-19", 0, 0, SH)), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_is_working_day),
        cmocka_unit_test(test_02_add_working_days),
        cmocka_unit_test(test_03_add_zero),
        cmocka_unit_test(test_04_working_seconds_between),
        cmocka_unit_test(test_05_add_working_seconds),
        cmocka_unit_test(test_06_zone),
        cmocka_unit_test(test_07_no_working_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
