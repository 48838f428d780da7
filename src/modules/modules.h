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
/* Demo quotations through the core's own paths (draft, sent, waiting for the manager). 0 ok. */
int quotes_demo(Db *db, int64_t now, char *err, size_t errlen);
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
