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

/* The public form (complaints_public.c): its routes, challenge and setting. */
void complaints_public_register(void);
/* A user of the demo company by login name, roles loaded, for demo rows made through the core. */
User *complaints_demo_user(Req *r, const char *username);
#endif
