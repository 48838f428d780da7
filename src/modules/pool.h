/*
** pool.h — what the public pool (公海, pool.c) asks of the entities that take part in it
** (customers and leads): they declare its owner_changing hook.
*/
#ifndef SALESLOOP_POOL_H
#define SALESLOOP_POOL_H

#include "../model/entity.h"

/* owner_changing of customers and leads: a row changing hands is owned since now and, when it
   has an owner again, out of the public pool. */
void pool_owner_changing(Req *r, const Entity *en, json_t *old, json_t *vals);

#endif
