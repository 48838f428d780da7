/*
** testdoc_extras.c — what other tests add to the test document (testdoc.c): its public
** links (tests/api/public_links.test.mjs) and a link kind between documents (links.test.mjs).
*/
#include "../../src/core/errcodes.h"
#include "../../src/model/entity.h"

void testdoc_extras_register(void);

/* ---- public links (issue 9, mechanism 9): a status page and a one-time confirmation */

/* A confirmation says something: confirmed, or a note saying why not. */
static int doc_confirm_submit(Req *r, const Entity *en, json_t *row, json_t *vals, Err *e) {
    if (json_is_true(json_object_get(vals, "customer_confirmed")) ||
        json_is_string(json_object_get(vals, "customer_note")))
        return 0;
    err_set(e, 400, EC_REQUIRED, "customer_confirmed", NULL);
    e->label = label_for(r->locale, "客户已确认", "客戶已確認", "Confirmed by customer");
    return -1;
}

const PublicPurpose doc_purposes[] = {
    {"status", "单据状态", "單據狀態", "Document status", 30, false, "number title total state", NULL, NULL},
    {"confirm", "客户确认", "客戶確認", "Customer confirmation", 7, true, "number title total",
     "customer_confirmed customer_note", doc_confirm_submit},
    {NULL},
};

/* A document that replaces an earlier one (links.c): "取代" seen from the new, "被取代" from the old. */
static const LinkKind doc_links[] = {
    {"supersedes", "test_documents", "test_documents", "取代", "取代", "Supersedes", "被取代", "被取代",
     "Superseded by"},
};

void testjob_register(void); /* testjob.c: a job kind for the queue's tests */

void testdoc_extras_register(void) {
    link_kinds_declare(doc_links, 1);
    testjob_register();
}
