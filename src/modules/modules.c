/*
** modules.c — the one list of modules, and the core routes, registered in
** order at start. Adding a module means adding one line here.
*/
#include "../flow/flow.h"
#include "../http/internal.h"
#include "../model/attach.h"
#include "../model/print.h"
#include "../model/calendar.h"
#include "../model/settings.h"
#include "modules.h"

void modules_register(void) {
    /* core */
    ops_routes_register();
    auth_routes_register();
    settings_routes_register();
    flow_routes_register();
    delegation_routes_register();
    flow_jobs_register();
    tasks_routes_register();
    housekeeping_register();
    attach_register();       /* files on the records of entities declared with .attachments */
    print_routes_register(); /* GET /api/v1/:entity/:id/print[.pdf] */
    calendar_register();
    deadline_register();
    model_routes_register(); /* after specific routes: its patterns are the most generic */
    /* modules */
    admin_register();
    catalogue_register();
    research_register();
    budget_register();
    customers_register(); /* customers, contacts, needs, competitors, collision claims */
    pool_register();
    tiering_register();
    care_register();
    leads_register();
    opportunities_register();
    quotes_register();
    contracts_register();
    receivables_register();
    invoices_register();
    orders_register();     /* orders, inspections, releases, shipments, traceability (R-ORD) */
    complaints_register(); /* complaints and the public form (R-CMP) */
    service_register();    /* service tickets, plans, communication log (R-SVC) */
    followups_register();
    sales_plans_register();
    visits_register();
    surveys_register();
    home_register(); /* reads what the modules above keep */
}
