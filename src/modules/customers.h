/*
** customers.h — what the files of the customer module (customers.c,
** collision.c, pool.c, tiering.c, care.c) share with each other. Other modules
** use collision.h and the declared entities.
*/
#ifndef SALESLOOP_CUSTOMERS_H
#define SALESLOOP_CUSTOMERS_H

#include "../model/entity.h"
#include "pool.h"

/* Refresh the match keys of a customer from its row and its contacts. 0 ok, -1 with e. */
int customers_keys_refresh(Req *r, int64_t customer_id, Err *e);

/* The default visit frequency of a tier (settings tier.visit.<tier>), arena string. */
const char *tier_visit_default(Db *db, Arena *a, const char *tier);

/* The tier recompute of every customer, as the nightly job runs it (tiering.c). 0 ok, -1 error. */
int tier_recompute_job(Db *db, int64_t now);

void collision_register(void);

#endif
