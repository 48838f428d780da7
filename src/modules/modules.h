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

/* Replace a user's roles (array of role ids). Used by the users entity and the CLI. */
int user_roles_store(Db *db, int64_t uid, json_t *roles);
/* Load the demo company (org tree, users, products, research, budgets). 0 ok. */
int demo_load(Db *db, const char *password, char *err, size_t errlen);
#endif
