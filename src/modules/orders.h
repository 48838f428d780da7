/*
** orders.h — what the files of the orders module share (orders.c: orders; orders_inspection.c:
** pre-delivery inspections and emergency releases; orders_shipments.c: shipments and the delivery
** note; orders_trace.c: traceability from a batch). Nothing here is for other modules.
*/
#ifndef SALESLOOP_ORDERS_H
#define SALESLOOP_ORDERS_H

#include "../flow/flow.h"

/* Roles that read every order and its records: the departments an order is handed to. */
#define ORDER_DEPARTMENTS                                                                                              \
    (RB(PRODUCTION) | RB(PURCHASING) | RB(WAREHOUSE) | RB(QC) | RB(CS_SPECIALIST) | RB(GM) | RB(DEPUTY_DIRECTOR) |     \
     RB(SALES_DIRECTOR))
#define ORDER_READERS (RB(SALES_REP) | ROLES_MANAGING | RB(FINANCE) | ORDER_DEPARTMENTS)

extern const Entity orders_entity;
extern const Entity inspections_entity;
extern const Entity releases_entity;
extern const Entity shipments_entity;

/* Serialise the writers of one order's goods or one contract's lines (shipments, new orders): on
   PostgreSQL the row of `table` is locked (read FOR UPDATE) until the transaction ends; SQLite
   already runs one writer at a time. 0, or -1 with e. */
int orders_lock(Req *r, const char *table, int64_t id, Err *e);
/* The order row (any visibility: the caller has authorised the write), or NULL with e. */
json_t *orders_load(Req *r, int64_t order_id, Err *e);
/* The product and ordered quantity of line `line` of order `order`: 1 found, 0 not a line of it,
   -1 database error (e filled). */
int orders_line(Req *r, int64_t order, int64_t line, int64_t *product, int64_t *quantity, Err *e);
/* rec's "order_line_id" (a lot record, a shipment line) left out: the order's only line, else 400
   field.required naming `field`. 0, or -1 with e. */
int orders_line_default(Req *r, int64_t order, json_t *rec, const char *field, Err *e);
/* Is the order in one of the space-separated states? Else 409 flow.bad_state naming it. */
int orders_state_in(Req *r, json_t *order, const char *states, Err *e);
/* An automatic move of the order (inspected, shipped), audited. 0, or -1 with e. */
int orders_move(Req *r, json_t *order, const char *to, Err *e);
/* The sum of one integer column of a query taking (?1 line, ?2 lot, ?3 id to leave out). */
int orders_sum(Req *r, const char *sql, int64_t line, const char *lot, int64_t except, int64_t *out, Err *e);
/* A notice in "my work" (a task of `kind` titled by a message) for every active holder of each
   role of the NULL-terminated list, once per user and row (dedupe "kind:id:user"). 0, or -1. */
int orders_notify(Req *r, const char *const *roles, const char *kind, const char *entity, int64_t id, const char *title,
                  Err *e);
/* A quantity in thousandths as text ("12.5"). Arena string. */
const char *orders_qty_text(Req *r, int64_t milli);

/*
** R-ORD-4: the technical state of product `product` (named `name`) changed from `from` to `to`
** (its row's version `version`). Every owner of an order of it that is open, or was received within
** the setting order.tech_notice_days, gets a task per customer in "my work" (kind tech_announce, on
** the customer's latest such order, message order.tech_changed) to tell the customer, and that
** order's history records the announcement due. Idempotent per product version. 0, or -1 with e.
*/
int orders_tech_changed(Req *r, int64_t product, const char *name, const char *from, const char *to, int64_t version,
                        Err *e);

/* The demo's emergency release: release row id approved by r->user, as the action does. 0 or -1. */
int orders_release_approve(Req *r, int64_t id, Err *e);

void orders_inspection_register(void);
void orders_shipments_register(void);
void orders_trace_register(void);
#endif
