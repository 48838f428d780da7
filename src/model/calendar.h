/*
** calendar.h — the company calendar (R-NF-2): the one place local time comes
** from (company.time_zone, default Asia/Shanghai) and the working calendar
** (weekly working days, dated holidays and make-up workdays, working hours)
** that deadlines count in. The arithmetic itself is core (core.h Calendar).
*/
#ifndef SALESLOOP_CALENDAR_H
#define SALESLOOP_CALENDAR_H

#include "../http/http.h"

/* The company zone's offset in minutes east of UTC, read once per request (settings memo). */
int company_tz(Req *r);
/* The same for code without a request (one settings read per call). */
int company_tz_db(Db *db);
/* The company-local date of t as YYYY-MM-DD. */
void company_date(Req *r, int64_t t, char out[11]);
/*
** The working calendar as of this request: zone, weekly pattern and hours from
** the settings, and every dated exception (the table is small: a few dozen
** days a year, one query; the settings come from the request's memo). The
** exceptions live in the request arena. 0 ok, -1 database error.
*/
int calendar_get(Req *r, Calendar *out);
/* Seconds of working time in one working day (the working hours). */
int64_t calendar_day_seconds(const Calendar *c);
/* Settings and routes: GET /api/v1/calendar, PUT|DELETE /api/v1/calendar/days/:date, and the
   arithmetic for screens and tests (working_days, working_time). */
void calendar_register(void);

#endif
