/*
** complaints.h — what complaints.c, complaints_public.c and service.c share: the complaints
** entity, enum lists used by both entities, and the start-up and demo functions.
*/
#ifndef SALESLOOP_COMPLAINTS_H
#define SALESLOOP_COMPLAINTS_H

#include "../model/entity.h"

extern const Entity complaints_entity;
extern const EnumVal complaint_locales[];      /* zh-CN zh-TW en: the customer's language */
extern const EnumVal complaint_satisfaction[]; /* very_satisfied .. very_dissatisfied */

/* A record's contact_id must be a contact of its customer_id (when both are set): 0, or -1 with
   e = 400 complaints.contact_customer naming contact_id. Complaints and service tickets. */
int complaints_contact_check(Req *r, json_t *rec, Err *e);
/* A record's order_id must be an order of its customer_id; a record without a customer takes the
   order's. 0, or -1 with e = 400 complaints.order_customer naming order_id. Complaints and tickets. */
int complaints_order_check(Req *r, json_t *rec, json_t *old, Err *e);

/* The public form (complaints_public.c): its routes, challenge and setting. */
void complaints_public_register(void);
/* A user of the demo company by login name, roles loaded, for demo rows made through the core. */
User *complaints_demo_user(Req *r, const char *username);
#endif
