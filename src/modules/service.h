/*
** service.h — after-sales service (service.c): the hook through which the team issue (R-TRN-3)
** checks that a service specialist is qualified for a ticket's kind before it is assigned.
*/
#ifndef SALESLOOP_SERVICE_H
#define SALESLOOP_SERVICE_H

#include "../http/http.h"

/* 0 qualified; -1 with e (e left empty: 400 service.assignee_not_qualified naming assignee_id). */
typedef int (*ServiceQualificationCheck)(Req *r, int64_t user_id, const char *kind, Err *e);
/* Install the check (NULL: holding cs_specialist is enough). */
void service_qualification_hook(ServiceQualificationCheck fn);
#endif
