/*
** roles.h — the roles of the organisation (SPEC §0): what every layer checks, from sign-in to
** workflows, so they live with the other shared vocabulary in core, not in the http layer.
*/
#ifndef SALESLOOP_ROLES_H
#define SALESLOOP_ROLES_H

#include <stdint.h>

/* The roles of SPEC §0. A user holds a bit set of them. Never renumber. */
typedef enum {
    ROLE_ADMIN,
    ROLE_GM,
    ROLE_SALES_DIRECTOR,
    ROLE_DEPUTY_DIRECTOR,
    ROLE_SALES_MANAGER,
    ROLE_SUPERVISOR,
    ROLE_SALES_REP,
    ROLE_CS_SPECIALIST,
    ROLE_FINANCE,
    ROLE_LEGAL,
    ROLE_TECH,
    ROLE_PRODUCTION,
    ROLE_QC,
    ROLE_PURCHASING,
    ROLE_WAREHOUSE,
    ROLE_COUNT
} Role;
#define RB(r) (1u << (ROLE_##r)) /* RB(GM) | RB(FINANCE): a role mask */
/* Roles that see the whole subtree of their org unit (managers of any level). */
#define ROLES_MANAGING (RB(GM) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR) | RB(SALES_MANAGER) | RB(SUPERVISOR))

typedef struct RoleInfo {
    const char *id; /* "sales_manager" */
    const char *zh, *tw, *en;
} RoleInfo;
extern const RoleInfo role_info[ROLE_COUNT];
int role_by_name(const char *name); /* -1 when unknown */

#endif
