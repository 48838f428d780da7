/*
** customers.h — what the files of the customer module (customers.c,
** collision.c, pool.c, tiering.c, care.c) share with each other. Other modules
** use collision.h and the declared entities.
*/
#ifndef SALESLOOP_CUSTOMERS_H
#define SALESLOOP_CUSTOMERS_H

#include "../model/entity.h"

/*
** Give a customer or lead (entity "customers" | "leads") to owner in unit (owner 0:
** nobody, the row stays in its unit): owner_id, org_unit_id, owned_since, out of the
** pool, version + 1, audit entry `action`. A customer's contacts and needs follow
** their customer. 0 ok, -1 with e (404 when the row is gone).
*/
int customers_set_owner(Req *r, const char *entity, int64_t id, int64_t owner, int64_t unit, const char *action,
                        Err *e);

/* Contacts and needs of a customer get its owner (0: none) and unit (0: none, -1: unchanged):
   their visibility follows the customer. 0 ok, -1 database error. */
int customers_cascade_owner(Db *db, int64_t customer_id, int64_t owner, int64_t unit);

/* Refresh the match keys of a customer from its row and its contacts. 0 ok, -1 with e. */
int customers_keys_refresh(Req *r, int64_t customer_id, Err *e);

/* The default visit frequency of a tier (settings tier.visit.<tier>), arena string. */
const char *tier_visit_default(Db *db, Arena *a, const char *tier);

/*
** A request-like context for scheduler jobs, so that audit_write and the model
** helpers can be used outside a request: no user, the job's time. Free with
** job_req_done.
*/
void job_req_init(Req *r, Db *db, int64_t now);
void job_req_done(Req *r);

/* The tier recompute of every customer, as the nightly job runs it (tiering.c). 0 ok, -1 error. */
int tier_recompute_job(Db *db, int64_t now);

void collision_register(void);

#endif
