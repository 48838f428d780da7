/*
** date.c — time as UTC epoch seconds, calendar dates as YYYY-MM-DD, and the
** company-time-zone periods (day, week, month, quarter, year) that reports
** and KPIs group by. Integer arithmetic only; zones have fixed offsets.
**
** Zones come from the table below, not from the system's tzdata: localtime_r
** would need TZ set with setenv, which is process-wide and races with every
** other thread reading the environment, and would tie local dates to the
** tzdata installed on each server. The zones our customers use (China,
** Taiwan, Hong Kong, Singapore, Japan ...) have no daylight saving time, so a
** fixed offset is exact and the answer is the same on every machine.
*/
#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Floor division and modulo, for negative epochs (before 1970). */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

/* Read exactly n ASCII digits at s into *v; -1 when any is not a digit. */
static int digits(const char *s, int n, int *v) {
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* True in a Gregorian leap year. */
static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days in month m (1..12) of year y. */
static int month_days(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
** Parse exactly "YYYY-MM-DD" (year 0001..9999) into y, m, d; 0 ok, -1 when
** malformed or not a real day (2026-02-29, 2026-04-31). Outputs may be NULL.
*/
int date_parse(const char *s, int *y, int *m, int *d) {
    int yy, mm, dd;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    if (digits(s, 4, &yy) || digits(s + 5, 2, &mm) || digits(s + 8, 2, &dd)) return -1;
    if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > month_days(yy, mm)) return -1;
    if (y) *y = yy;
    if (m) *m = mm;
    if (d) *d = dd;
    return 0;
}

/* Days since 1970-01-01 of y-m-d, proleptic Gregorian (Howard Hinnant's days_from_civil). */
int64_t days_from_civil(int y, int m, int d) {
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The calendar date of a day count since 1970-01-01 (Hinnant's civil_from_days). */
void civil_from_days(int64_t days, int *y, int *m, int *d) {
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

/*
** The current UTC epoch. SALESLOOP_NOW overrides it for tests, as epoch
** seconds ("1767225600") or a UTC date/time ("2026-01-01", "2026-01-01T08:30:00Z").
*/
int64_t now_epoch(void) {
    const char *env = getenv("SALESLOOP_NOW");
    if (env && *env) {
        int64_t t;
        int y, m, d, hh = 0, mi = 0, ss = 0;
        if (str_to_int64(env, &t) == 0) return t;
        char day[11];
        size_t n = strlen(env);
        if (n >= 10) {
            memcpy(day, env, 10);
            day[10] = '\0';
            bool time_ok =
                n == 10 || ((n == 19 || (n == 20 && env[19] == 'Z')) && (env[10] == 'T' || env[10] == ' ') &&
                            env[13] == ':' && env[16] == ':' && !digits(env + 11, 2, &hh) &&
                            !digits(env + 14, 2, &mi) && !digits(env + 17, 2, &ss) && hh < 24 && mi < 60 && ss < 60);
            if (time_ok && date_parse(day, &y, &m, &d) == 0)
                return days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss;
        }
        /* unparseable: fall through to the real clock */
    }
    return (int64_t)time(NULL);
}

/* A zone name and its fixed UTC offset. */
typedef struct TzEntry {
    const char *name; /* IANA name (or alias) */
    int minutes;      /* offset east of UTC */
} TzEntry;

/* Zones without daylight saving time that customers are likely to set. */
static const TzEntry tz_table[] = {
    {"Asia/Shanghai", 480},
    {"Asia/Chongqing", 480},
    {"Asia/Chungking", 480},
    {"Asia/Harbin", 480},
    {"PRC", 480},
    {"Asia/Taipei", 480},
    {"ROC", 480},
    {"Asia/Hong_Kong", 480},
    {"Hongkong", 480},
    {"Asia/Macau", 480},
    {"Asia/Macao", 480},
    {"Asia/Singapore", 480},
    {"Singapore", 480},
    {"Asia/Kuala_Lumpur", 480},
    {"Asia/Manila", 480},
    {"Asia/Tokyo", 540},
    {"Japan", 540},
    {"Asia/Seoul", 540},
    {"Asia/Bangkok", 420},
    {"Asia/Ho_Chi_Minh", 420},
    {"Asia/Jakarta", 420},
    {"Asia/Kolkata", 330},
    {"Asia/Dubai", 240},
    {"UTC", 0},
    {"Etc/UTC", 0},
    {"GMT", 0},
    {"Etc/GMT", 0},
    /* whole-hour fixed offsets; POSIX signs: Etc/GMT+5 is five hours west (UTC-5) */
    {"Etc/GMT-14", 840},
    {"Etc/GMT-13", 780},
    {"Etc/GMT-12", 720},
    {"Etc/GMT-11", 660},
    {"Etc/GMT-10", 600},
    {"Etc/GMT-9", 540},
    {"Etc/GMT-8", 480},
    {"Etc/GMT-7", 420},
    {"Etc/GMT-6", 360},
    {"Etc/GMT-5", 300},
    {"Etc/GMT-4", 240},
    {"Etc/GMT-3", 180},
    {"Etc/GMT-2", 120},
    {"Etc/GMT-1", 60},
    {"Etc/GMT+1", -60},
    {"Etc/GMT+2", -120},
    {"Etc/GMT+3", -180},
    {"Etc/GMT+4", -240},
    {"Etc/GMT+5", -300},
    {"Etc/GMT+6", -360},
    {"Etc/GMT+7", -420},
    {"Etc/GMT+8", -480},
    {"Etc/GMT+9", -540},
    {"Etc/GMT+10", -600},
    {"Etc/GMT+11", -660},
    {"Etc/GMT+12", -720},
};

/* The i-th zone of the table (0-based) with its offset into *minutes; NULL past the end. */
const char *tz_name_at(int i, int *minutes) {
    if (i < 0 || (size_t)i >= sizeof tz_table / sizeof tz_table[0]) return NULL;
    if (minutes) *minutes = tz_table[i].minutes;
    return tz_table[i].name;
}

/* Offset of zone tz in minutes east of UTC into *out; 0 ok, -1 unknown zone. */
int tz_offset_minutes(const char *tz, int *out) {
    if (!tz) return -1;
    for (size_t i = 0; i < sizeof tz_table / sizeof tz_table[0]; i++) {
        if (strcmp(tz_table[i].name, tz) == 0) {
            *out = tz_table[i].minutes;
            return 0;
        }
    }
    return -1;
}

/* Write the local date of t at offset tzmin as YYYY-MM-DD (years clamped to 0000..9999). */
void date_of_epoch(int64_t t, int tzmin, char out[11]) {
    int y, m, d;
    civil_from_days(floor_div(t + (int64_t)tzmin * 60, 86400), &y, &m, &d);
    if (y < 0) y = 0;
    if (y > 9999) y = 9999;
    int v[3] = {y, m, d}, w[3] = {4, 2, 2}, pos = 0;
    for (int i = 0; i < 3; i++) {
        if (i) out[pos++] = '-';
        for (int k = w[i] - 1; k >= 0; k--, v[i] /= 10)
            out[pos + k] = (char)('0' + v[i] % 10);
        pos += w[i];
    }
    out[10] = '\0';
}

/* Epoch of local midnight at the start of y-m-d in a zone tzmin minutes east of UTC. */
int64_t epoch_of_date(int y, int m, int d, int tzmin) { return days_from_civil(y, m, d) * 86400 - (int64_t)tzmin * 60; }

/*
** The period of kind "day", "week" (Monday to Sunday), "month", "quarter" or
** "year" containing t, in local time at tzmin: [*start, *end) epoch seconds.
** 0 ok, -1 unknown kind.
*/
int period_bounds(const char *kind, int64_t t, int tzmin, int64_t *start, int64_t *end) {
    if (!kind) return -1;
    int64_t days = floor_div(t + (int64_t)tzmin * 60, 86400);
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t first, next; /* day numbers of the period's first day and the next period's */
    if (strcmp(kind, "day") == 0) {
        first = days;
        next = days + 1;
    } else if (strcmp(kind, "week") == 0) {
        first = days - floor_mod(days + 3, 7); /* 1970-01-01 was a Thursday: Monday is 0 */
        next = first + 7;
    } else if (strcmp(kind, "month") == 0) {
        first = days_from_civil(y, m, 1);
        next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
    } else if (strcmp(kind, "quarter") == 0) {
        int qm = (m - 1) / 3 * 3 + 1;
        first = days_from_civil(y, qm, 1);
        next = qm == 10 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, qm + 3, 1);
    } else if (strcmp(kind, "year") == 0) {
        first = days_from_civil(y, 1, 1);
        next = days_from_civil(y + 1, 1, 1);
    } else {
        return -1;
    }
    *start = first * 86400 - (int64_t)tzmin * 60;
    *end = next * 86400 - (int64_t)tzmin * 60;
    return 0;
}
