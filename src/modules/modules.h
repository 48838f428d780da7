/*
** modules.h — the one list of modules. Each module registers its entities,
** routes, settings and jobs at start; modules_register() calls them all.
*/
#ifndef SALESLOOP_MODULES_H
#define SALESLOOP_MODULES_H

#include <jansson.h>
#include "../db/db.h"

void modules_register(void);

void admin_register(void);
void catalogue_register(void);
/* The product's standard cost on each line of `lines` that gives no unit_cost (quotes, contracts). 0 or -1. */
struct Req;
int catalogue_line_costs(struct Req *r, json_t *lines, Err *e);
void research_register(void);
void budget_register(void);
/* Customer module (customers.c, collision.c, pool.c, tiering.c, care.c). */
void customers_register(void);
void pool_register(void);
void tiering_register(void);
void care_register(void);
/* Demo customers, contacts, needs, competitors and past won deals (demo_load, same transaction). 0 ok. */
int customers_demo(Db *db, Arena *a, int64_t now, char *err, size_t errlen);
void leads_register(void);         /* leads.c: leads and their conversion */
void opportunities_register(void); /* opportunities.c: stages, pipeline, stage clocks */
void quotes_register(void);        /* quotes.c: quotations, their approval and expiry (R-QUO) */
void contracts_register(void);     /* contracts.c: contracts, classification, review and change (R-CON) */
void orders_register(void);        /* orders*.c: orders, inspection, emergency release, shipments, trace (R-ORD) */
/* Demo orders through the core's own paths (partial inspection, emergency release, batches, delivered). 0 ok. */
int orders_demo(Db *db, int64_t now, char *err, size_t errlen);
void complaints_register(void); /* complaints.c, complaints_public.c: complaints, the public form (R-CMP) */
void service_register(void);    /* service.c: service tickets, plans and campaigns, communication log (R-SVC) */
/* Demo complaints, and service tickets, plans and calls, in every state through the core's paths. 0 ok. */
int complaints_demo(Db *db, int64_t now, char *err, size_t errlen);
int service_demo(Db *db, int64_t now, char *err, size_t errlen);
/* Demo quotations through the core's own paths (draft, sent, waiting for the manager). 0 ok. */
int quotes_demo(Db *db, int64_t now, char *err, size_t errlen);
void receivables_register(void); /* receivables.c: payments, aging, collection rate and tasks (R-AR-1) */
void invoices_register(void);    /* invoices.c: invoices, void and reissue (R-AR-2) */
/* Demo payments and invoices against demo contracts signed through the core's paths. 0 ok. */
int receivables_demo(Db *db, int64_t now, char *err, size_t errlen);
/* A payment that counts as received on its instalment (alias c; a live row): not voided, and counted
   from a day (a cheque from the day it clears). Kept per instalment as contract_instalments.received
   by the contracts' rollup (contracts.c), read by receivables.c. */
#define PAYMENT_COUNTED "c.state <> 'voided' AND c.counted_on IS NOT NULL"
struct Req;
/* Has the customer an overdue instalment of a signed contract not fully received (R-CON-2)?
   1 yes, 0 no, -1 database error. */
int receivables_customer_overdue(struct Req *r, int64_t customer_id);
/* The aging report's one query for the user of r, prepared and bound (the report and bench/sqlref
   run the same SQL): a row per open overdue instalment, customer id, owner id, unit id, bucket 0..3,
   outstanding fen. today receives the company-local date. NULL on a database error. */
struct Stmt *receivables_aging_query(struct Req *r, char today[11]);
/* Demo contracts (contracts.c, demo_load after quotes_demo): a general one signed, a special one in
   review, a signed one changed and re-reviewed by finance, one made from a demo quote. 0 ok. */
int contracts_demo(Db *db, int64_t now, char *err, size_t errlen);
void followups_register(void);   /* followups.c: follow-ups, plans, followup_overdue */
void sales_plans_register(void); /* sales_plans.c: plans and quotas */
void visits_register(void);      /* visits.c: visit plans, visit records, reviews, metrics (R-VIS) */
void surveys_register(void);     /* surveys.c: survey templates, runs, public answers, scores (R-SUR) */
/* Demo visit plans, visits and reviews; a survey sent and answered in part (demo_load). 0 ok. */
int visits_demo(Db *db, int64_t now, char *err, size_t errlen);
int surveys_demo(Db *db, int64_t now, char *err, size_t errlen);
struct Req;
/* The demo user called username becomes r's user (as signed in). 0, or -1 when unknown. */
int visits_demo_user(struct Req *r, const char *username);
void home_register(void); /* home.c: the day view of the home page */

/* Replace a user's roles (array of role ids). Used by the users entity and the CLI. */
int user_roles_store(Db *db, int64_t uid, json_t *roles);
/* Load the demo company (org tree, users, products, research, budgets). 0 ok. */
int demo_load(Db *db, const char *password, char *err, size_t errlen);
/* Demo leads, follow-ups and plans, opportunities with their stage log, sales plans
   (pipeline_demo.c; demo_load, after the customers demo, same transaction). 0 ok. */
int pipeline_demo(Db *db, Arena *a, int64_t now, char *err, size_t errlen);
#endif
