/*
** workcal.c — working-day and working-time arithmetic on a Calendar (core.h):
** weekly working days, dated holidays and make-up workdays (调休), working
** hours, all in the company's zone. Pure functions: the caller fills the
** Calendar (model/calendar.c from the settings and the calendar_days table).
*/
#include "core/core.h"

/* How far the scans look before giving up on a calendar without working days. */
#define CAL_SCAN_DAYS 36500

/* Floor division (epochs before 1970 and negative offsets). */
static int64_t cal_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t cal_day_of(const Calendar *c, int64_t t) { return cal_floor_div(t + (int64_t)c->tzmin * 60, 86400); }

int64_t cal_day_start(const Calendar *c, int64_t day) { return day * 86400 - (int64_t)c->tzmin * 60; }

/* The exception of day (binary search in the sorted list), or NULL. */
static const CalException *cal_exception(const Calendar *c, int64_t day) {
    int lo = 0, hi = c->nex - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (c->ex[mid].day == day) return &c->ex[mid];
        if (c->ex[mid].day < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

bool cal_is_working_day(const Calendar *c, int64_t day) {
    const CalException *x = cal_exception(c, day);
    if (x) return x->working;
    int64_t wd = ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday: Monday is 0 */
    return (c->weekdays >> wd) & 1u;
}

int64_t cal_add_working_days(const Calendar *c, int64_t day, int64_t n) {
    int64_t step = n < 0 ? -1 : 1, left = n < 0 ? -n : n, d = day;
    if (n == 0) {
        for (int i = 0; i < CAL_SCAN_DAYS; i++, d++)
            if (cal_is_working_day(c, d)) return d;
        return day + CAL_SCAN_DAYS;
    }
    for (int i = 0; left > 0 && i < CAL_SCAN_DAYS; i++) {
        d += step;
        if (cal_is_working_day(c, d)) left--;
    }
    return left ? day + step * CAL_SCAN_DAYS : d;
}

/* The working interval of local day: [*from, *to) epochs; false when it is no working day. */
static bool cal_hours_of(const Calendar *c, int64_t day, int64_t *from, int64_t *to) {
    if (!cal_is_working_day(c, day)) return false;
    int64_t s = cal_day_start(c, day);
    *from = s + (int64_t)c->work_start * 60;
    *to = s + (int64_t)c->work_end * 60;
    return true;
}

int64_t cal_working_seconds_between(const Calendar *c, int64_t t1, int64_t t2) {
    if (t2 < t1) return -cal_working_seconds_between(c, t2, t1);
    int64_t sum = 0, last = cal_day_of(c, t2);
    for (int64_t d = cal_day_of(c, t1); d <= last; d++) {
        int64_t from, to;
        if (!cal_hours_of(c, d, &from, &to)) continue;
        if (from < t1) from = t1;
        if (to > t2) to = t2;
        if (to > from) sum += to - from;
    }
    return sum;
}

int64_t cal_add_working_seconds(const Calendar *c, int64_t t, int64_t secs) {
    if (secs <= 0) return t;
    int64_t d = cal_day_of(c, t);
    for (int i = 0; i < CAL_SCAN_DAYS; i++, d++) {
        int64_t from, to;
        if (!cal_hours_of(c, d, &from, &to)) continue;
        if (from < t) from = t;
        if (to <= from) continue;
        if (secs <= to - from) return from + secs;
        secs -= to - from;
    }
    return t + (int64_t)CAL_SCAN_DAYS * 86400;
}
