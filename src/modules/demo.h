/*
** demo.h — what the demo generators share (demo.c, customers_demo.c,
** pipeline_demo.c): one statement runner that remembers the first failure,
** and document numbers. All demo writes run in demo_load's transaction.
*/
#ifndef SALESLOOP_DEMO_H
#define SALESLOOP_DEMO_H

#include <stdarg.h>

#include "../db/db.h"
#include "../core/core.h"
#include "../http/http.h"

/* A demo generator's state: connection, arena, clock and the first error. */
typedef struct Demo {
    Db *db;
    Arena *a;    /* strings built while generating; freed by demo_load */
    int64_t now; /* the demo's "today" */
    int fail;    /* a statement failed: err holds why, later statements are skipped */
    char *err;
    size_t errlen;
} Demo;

/*
** Run one statement unless an earlier one failed. types, one letter per
** parameter: 'i' int64, 'z' int64 bound as NULL when 0, 's' text (a NULL
** pointer binds NULL), 'n' NULL. Returns column 0 of the first row, or 0.
*/
int64_t demo_sql(Demo *d, const char *sql, const char *types, ...);
int64_t demo_vsql(Demo *d, const char *sql, const char *types, va_list ap);
/* The next document number "PREFIX-YYYY-000123", as the server numbers them. */
const char *demo_number(Demo *d, const char *prefix);
/* A user of the demo company as the request's user (r->user = u), with their name, unit and
   roles, so that demo rows are made and signed through the core's paths as that user. 0, or -1
   when the user is missing or a read failed. */
int demo_as_user(Req *r, User *u, int64_t id);
/* The id of the user named `username`: 0 when there is none, -1 on a database error. */
int64_t demo_user_named(Db *db, const char *username);
/* The first live holder of `role` whose unit contains `path` (the deepest unit first; any unit when
   path is NULL): its id, 0 when there is none, -1 on a database error. */
int64_t demo_role_holder(Db *db, const char *role, const char *path);
#endif
